// Small helpers shared by the kernel-harness modules: child processes, files, hashing, locks.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";

/** Run a command; resolves { stdout, stderr }, rejects with the tail of stderr. */
export function run(cmd, args, opts = {}) {
  const { timeoutMs = 600_000, cwd, maxBuffer = 256 * 1024 * 1024, encoding = "utf8", env } = opts;
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd, timeout: timeoutMs, maxBuffer, encoding, env, killSignal: "SIGKILL" },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const why = err.killed
          ? `timed out after ${timeoutMs} ms`
          : err.code === "ENOENT"
            ? "command not found"
            : `exit ${err.code}`;
        const e = new Error(`${cmd} ${args.join(" ")}: ${why}\n${String(stderr || "").slice(-4000)}`);
        Object.assign(e, { stdout, stderr, code: err.code });
        reject(e);
      },
    );
  });
}

export const exists = (p) => fs.existsSync(p);
export const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A tool from PATH or the sbin directories (often missing from an unprivileged user's PATH). */
export function findTool(name) {
  for (const d of [...(process.env.PATH || "").split(":").filter(Boolean), "/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return name;
}

/** Write through a temporary file and rename, so readers never see half a file. */
export async function writeAtomic(file, data) {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

export async function readJson(file) {
  try {
    return JSON.parse(await fsp.readFile(file, "utf8"));
  } catch {
    return null;
  }
}

/**
 * Cross-process lock (mkdir is atomic), so worktrees sharing one cache do not download or extract
 * the same thing twice. A lock is stale when its owner is gone or after 15 minutes.
 */
export async function withLock(dir, name, fn, waitMs = 20 * 60_000) {
  await fsp.mkdir(dir, { recursive: true });
  const lock = path.join(dir, `.lock-${name}`);
  const t0 = Date.now();
  for (;;) {
    try {
      await fsp.mkdir(lock);
      await fsp.writeFile(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      if (await staleLock(lock)) {
        await fsp.rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - t0 > waitMs)
        throw new Error(`kernel harness: timed out waiting for lock ${lock} (remove it if no other run is active)`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}

async function staleLock(lock) {
  try {
    const st = await fsp.stat(lock);
    const pid = Number(await fsp.readFile(path.join(lock, "pid"), "utf8").catch(() => "0"));
    let dead = false;
    if (pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
      } catch (k) {
        dead = k.code === "ESRCH";
      }
    }
    return dead || Date.now() - st.mtimeMs > 15 * 60_000;
  } catch {
    return false; // vanished meanwhile: try again
  }
}
