// Booting a guest in QEMU and collecting its two serial ports (console and replies), with retries
// for boots that die before the replay program starts. Architecture neutral: the caller builds the
// QEMU command line; the reply port must be the second serial port.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";

/** The replay program's first line; its absence means the boot failed. */
export const READY_RE = /^INFO vfio-replay ready\b/m;
export const DONE_RE = /^DONE\r?$/m;
/** Console patterns meaning the guest died. */
export const CRASH_RE = /Kernel panic|double fault|Oops:|general protection fault|BUG: unable to handle/;

const live = new Set();
function killLive() {
  for (const c of live) {
    try {
      c.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }
}
process.once("exit", killLive);
// a harness stopped by a signal leaves no guest running on its own
for (const sig of ["SIGTERM", "SIGINT"])
  process.once(sig, () => {
    killLive();
    process.exit(128 + (sig === "SIGTERM" ? 15 : 2));
  });

function readText(file) {
  try {
    return fs.readFileSync(file, "latin1");
  } catch {
    return "";
  }
}

/**
 * How much slower than its own CPU time a guest may run in wall time before it counts as hung: on a
 * shared host QEMU gets a fraction of a core, so limits are budgets of QEMU CPU time (measured
 * progress), and the wall clock only catches a guest that hangs without using the CPU.
 */
export const WALL_STRETCH = 10;

/**
 * Whether a limit is used up: QEMU spent `limitMs` of CPU time, or the wall clock ran WALL_STRETCH
 * times the limit (a guest waiting forever). Without CPU accounting (not Linux) the wall clock
 * alone decides, at the limit itself.
 */
export function limitReached(limitMs, elapsedMs, cpuSeconds) {
  if (cpuSeconds === null) return elapsedMs > limitMs;
  return cpuSeconds * 1000 > limitMs || elapsedMs > limitMs * WALL_STRETCH;
}

/** "12.3 CPU s in 45 s wall, load 9.1": what a limit message reports. */
function usage(elapsedMs, cpuSeconds) {
  const load = readText("/proc/loadavg").split(" ")[0];
  return `${cpuSeconds === null ? "?" : cpuSeconds.toFixed(1)} CPU s in ${(elapsedMs / 1000).toFixed(0)} s wall${load ? `, load ${load}` : ""}`;
}

/**
 * One boot. `args` must write the console to runDir/console.txt and replies to runDir/replies.txt.
 * `bootTimeoutMs` (until the ready line) and `timeoutMs` (the whole run) are budgets of QEMU CPU
 * time, stretched in wall time (limitReached).
 * Resolves { transcript, console, ms, cpuSeconds, exitCode, signal, stderr, timedOut, bootTimedOut,
 * crashedEarly, limit } (limit: what was used when a limit stopped the guest).
 */
export function bootOnce({ qemu, args, runDir, timeoutMs, bootTimeoutMs, readyRe = READY_RE, crashRe = CRASH_RE }) {
  const repliesFile = path.join(runDir, "replies.txt"),
    consoleFile = path.join(runDir, "console.txt");
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(qemu, args, { cwd: runDir, stdio: ["ignore", "ignore", "pipe"] });
    live.add(child);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
      if (stderr.length > 65536) stderr = stderr.slice(-65536);
    });
    const state = { timedOut: false, bootTimedOut: false, crashedEarly: false, limit: null };
    let ready = false,
      crashSeenAt = 0;
    const kill = () => {
      try {
        child.kill("SIGKILL");
      } catch {
        /* gone */
      }
    };
    let cpuSeconds = cpuTime(child.pid);
    const poll = setInterval(() => {
      const el = Date.now() - t0;
      cpuSeconds = cpuTime(child.pid) ?? cpuSeconds;
      if (!ready) {
        // the ready line comes first: reading the head of the file is enough
        ready = readyRe.test(readHead(repliesFile, 4096));
        if (!ready && !crashSeenAt && crashRe.test(readText(consoleFile))) crashSeenAt = Date.now();
        if (!ready && crashSeenAt && Date.now() - crashSeenAt > 1500) {
          state.crashedEarly = true;
          kill();
        }
        if (!ready && limitReached(bootTimeoutMs, el, cpuSeconds)) {
          state.bootTimedOut = true;
          state.limit = usage(el, cpuSeconds);
          kill();
        }
      }
      if (!state.limit && limitReached(timeoutMs, el, cpuSeconds)) {
        state.timedOut = true;
        state.limit = usage(el, cpuSeconds);
        kill();
      }
    }, 100);
    child.on("error", (e) => {
      clearInterval(poll);
      live.delete(child);
      reject(new Error(`kernel harness: cannot start ${qemu}: ${e.message}`));
    });
    child.on("exit", (exitCode, signal) => {
      clearInterval(poll);
      live.delete(child);
      resolve({
        transcript: readText(repliesFile),
        console: readText(consoleFile),
        ms: Date.now() - t0,
        cpuSeconds,
        exitCode,
        signal,
        stderr,
        ...state,
      });
    });
  });
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); null when unreadable.
 * On a shared host a guest's replay rate per CPU second is the rate it would have on a core of its own.
 */
function cpuTime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
  } catch {
    return null;
  }
}
const CLK_TCK = 100; // USER_HZ on Linux

function readHead(file, n) {
  let fd;
  try {
    fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0)).toString("latin1");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

let runSeq = 0;

/**
 * Boot until a run completes (ready line and DONE), up to 1 + retries attempts. Each attempt gets a
 * fresh directory under runsDir holding `files` (e.g. initrd.gz); `makeArgs(runDir)` gives QEMU's
 * arguments. Resolves { transcript, console, wallMs, attempts, attemptMs }; throws with the
 * console tail after the last failed attempt (its directory is kept for inspection).
 */
export async function bootWithRetries({
  label,
  qemu,
  makeArgs,
  files,
  runsDir,
  retries = 2,
  timeoutMs = 120_000,
  bootTimeoutMs = 60_000,
  keepRunDir = false,
  log = () => {},
  readyRe = READY_RE,
  crashRe = CRASH_RE,
}) {
  const t0 = Date.now();
  await fsp.mkdir(runsDir, { recursive: true });
  const attemptMs = [],
    problems = [];
  let last = null,
    lastDir = null;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const runDir = path.join(runsDir, `${label.replace(/[^\w.=-]/g, "_")}-${process.pid}-${++runSeq}-a${attempt}`);
    await fsp.rm(runDir, { recursive: true, force: true });
    await fsp.mkdir(runDir, { recursive: true });
    for (const [name, data] of Object.entries(files)) await fsp.writeFile(path.join(runDir, name), data);
    let r;
    try {
      r = await bootOnce({ qemu, args: makeArgs(runDir), runDir, timeoutMs, bootTimeoutMs, readyRe, crashRe });
    } catch (e) {
      await fsp.rm(runDir, { recursive: true, force: true });
      throw e;
    }
    attemptMs.push(r.ms);
    last = r;
    if (lastDir && !keepRunDir) await fsp.rm(lastDir, { recursive: true, force: true });
    lastDir = runDir;
    const ready = readyRe.test(r.transcript),
      done = DONE_RE.test(r.transcript);
    if (ready && done) {
      if (!keepRunDir) await fsp.rm(runDir, { recursive: true, force: true });
      return {
        cpuSeconds: r.cpuSeconds,
        transcript: r.transcript,
        console: r.console,
        wallMs: Date.now() - t0,
        attempts: attempt,
        attemptMs,
        retried: problems,
        runDir: keepRunDir ? runDir : undefined,
      };
    }
    // QEMU refused to start (bad option, missing ROM, ...): retrying will not help
    if (r.exitCode && !r.console && !r.signal) {
      await fsp.rm(runDir, { recursive: true, force: true });
      throw new Error(
        `kernel harness: ${qemu} exited with ${r.exitCode} before the guest produced output:\n${r.stderr.trim()}`,
      );
    }
    const crash = (crashRe.exec(r.console) || [])[0];
    const budget = (ms) =>
      `${ms / 1000} CPU s budget used up or ${(ms * WALL_STRETCH) / 1000} s wall passed: ${r.limit}`;
    const why = !ready
      ? `boot failure (no ready line${crash ? `; console shows "${crash}"` : ""}${r.bootTimedOut ? `; ${budget(bootTimeoutMs)}` : ""}${r.timedOut ? `; ${budget(timeoutMs)}` : ""})`
      : `incomplete run (no DONE line${crash ? `; console shows "${crash}"` : ""}${r.timedOut ? `; ${budget(timeoutMs)}` : ""})`;
    problems.push(`attempt ${attempt}: ${why}`);
    log(`${label}: attempt ${attempt}: ${why}${attempt <= retries ? ", retrying" : ""}`);
  }
  for (const name of Object.keys(files)) await fsp.rm(path.join(lastDir, name), { force: true }); // keep the serial logs
  const tail = (s, n) => s.split("\n").slice(-n).join("\n");
  const err = new Error(
    `kernel harness: ${label} failed after ${retries + 1} attempt(s): ${problems.join("; ")}\nrun directory: ${lastDir}\n` +
      `--- console (tail) ---\n${tail(last.console, 40)}\n--- transcript (tail) ---\n${tail(last.transcript, 10)}` +
      (last.stderr.trim() ? `\n--- qemu stderr ---\n${last.stderr.trim()}` : ""),
  );
  Object.assign(err, { transcript: last.transcript, console: last.console, attempts: retries + 1, attemptMs });
  throw err;
}
