#!/usr/bin/env node
// The offline differential campaign: many seeds on every kernel, one QEMU at a time, resumable.
// The work is cut into chunks of one seed on one kernel (one boot of `--random` requests per device
// and device type); chunks run seed by seed, every kernel in turn, so that all kernels advance
// together. Each finished chunk leaves its summary in OUT/<kernel>/seed-<S>.json; a new run skips
// those, so the same command continues an interrupted campaign. A chunk whose boot fails after its
// retries leaves nothing and runs again next time. Totals per kernel go to OUT/totals.json.
//
//   nice -n 10 node tests/kernel/offline.mjs --out DIR [--kernels 7.2,7.3,6.1,6.12] [--seeds 1..20]
//        [--random 12500] [--stop-at 2026-11-30T18:50:00Z]
//
// --random N: requests per device and seed (4 devices: 4N per chunk); --stop-at: start no chunk
// after this time and stop a running one at it (the chunk is lost, the campaign is not).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { X86_KERNEL_IDS } from "./lib/kernels.mjs";
import { intArg, listArg, parseOptions, seedRange, usageError } from "../../scripts/lib/options.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const USAGE =
  "node tests/kernel/offline.mjs --out DIR [--kernels 7.2,7.3,6.1,6.12] [--seeds 1..20] [--random 12500] [--stop-at ISO-TIME]";
const { values: args } = parseOptions("offline campaign", {
  usage: USAGE,
  options: {
    out: { type: "string" },
    kernels: { type: "string", default: "7.2,7.3,6.1,6.12" },
    seeds: { type: "string", default: "1..20" },
    random: { type: "string" },
    "stop-at": { type: "string" },
  },
});
const out = args.out;
if (!out) usageError("offline campaign", "--out DIR is required (where chunk summaries and totals are kept)", USAGE);
const kernels = listArg("offline campaign", "--kernels", args.kernels, X86_KERNEL_IDS);
const seeds = seedRange("offline campaign", "--seeds", args.seeds);
const perDevice = intArg("offline campaign", "--random", args.random, 12500, 1);
const stopAt = args["stop-at"] ? Date.parse(args["stop-at"]) : Number.POSITIVE_INFINITY;
if (Number.isNaN(stopAt)) usageError("offline campaign", `--stop-at wants an ISO time, not ${args["stop-at"]}`, USAGE);

const chunkFile = (k, seed) => path.join(out, k, `seed-${seed}.json`);

/** Stop the running chunk (its harness kills its guest); the campaign continues with the same command. */
let stopRunning = null;
for (const sig of ["SIGTERM", "SIGINT"])
  process.once(sig, () => {
    console.log(`offline campaign: ${sig}; the running chunk is dropped, the same command continues the campaign`);
    if (stopRunning) stopRunning();
    else process.exit(130);
  });
let interrupted = false;

/** Run one chunk; resolves the run's exit status (null when stopped at --stop-at). */
function runChunk(k, seed) {
  fs.mkdirSync(path.join(out, k), { recursive: true });
  const tmp = `${chunkFile(k, seed)}.partial`;
  const args = [
    path.join(HERE, "run.mjs"),
    ...["--kernel", k, "--seeds", `${seed}..${seed}`, "--random", String(perDevice)],
    ...["--batch", String(4 * perDevice), "--jobs", "1", "--no-fixed", "--summary", tmp],
    ...["--repro-dir", path.join(out, `repro-${k}`)],
  ];
  const log = fs.openSync(path.join(out, k, `seed-${seed}.log`), "w");
  const child = spawn(process.execPath, args, { stdio: ["ignore", log, log] });
  let stopped = false;
  const stop = () => {
    stopped = true;
    child.kill("SIGTERM"); // the harness kills its guest and exits
  };
  const timer = Number.isFinite(stopAt) ? setTimeout(stop, Math.max(0, stopAt - Date.now())) : null;
  stopRunning = () => {
    interrupted = true;
    stop();
  };
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      stopRunning = null;
      fs.closeSync(log);
      // 0: all matched, 1: a mismatch (kept and counted); 2 or a signal: no result
      if ((code === 0 || code === 1) && fs.existsSync(tmp)) fs.renameSync(tmp, chunkFile(k, seed));
      else fs.rmSync(tmp, { force: true });
      resolve(stopped || signal ? null : code);
    });
  });
}

/** Totals per kernel over the finished chunks. */
function totals() {
  const byKernel = {};
  for (const k of kernels) {
    const t = { kernel: k, version: null, seeds: [], requests: 0, mismatches: 0, eventfdReads: 0, eventfdMayRange: 0 };
    Object.assign(t, { boots: 0, bootAttempts: 0, bootRetries: [], wallSeconds: 0, qemuCpuSeconds: 0 });
    for (const seed of seeds) {
      if (!fs.existsSync(chunkFile(k, seed))) continue;
      const s = JSON.parse(fs.readFileSync(chunkFile(k, seed), "utf8")).kernels[0];
      t.version = `${s.version} (${s.packageVersion})`;
      t.seeds.push(seed);
      for (const f of ["requests", "mismatches", "eventfdReads", "eventfdMayRange", "boots", "bootAttempts"])
        t[f] += s[f] ?? 0;
      t.bootRetries.push(...(s.bootRetries ?? []).map((w) => `seed ${seed} ${w}`));
      t.wallSeconds += (s.bootWallMs ?? 0) / 1000;
      t.qemuCpuSeconds += s.qemuCpuSeconds ?? 0;
    }
    t.requestsPerSecond = t.wallSeconds ? Math.round(t.requests / t.wallSeconds) : null;
    t.requestsPerCpuSecond = t.qemuCpuSeconds ? Math.round(t.requests / t.qemuCpuSeconds) : null;
    t.wallSeconds = Math.round(t.wallSeconds);
    t.qemuCpuSeconds = Math.round(t.qemuCpuSeconds);
    byKernel[k] = t;
  }
  return byKernel;
}

function report() {
  const t = totals();
  fs.writeFileSync(path.join(out, "totals.json"), `${JSON.stringify({ perDevice, kernels: t }, null, 2)}\n`);
  for (const x of Object.values(t))
    console.log(
      `  ${x.kernel}: seeds ${x.seeds.length ? x.seeds.join(",") : "-"}, requests ${x.requests}, mismatches ${x.mismatches}, ` +
        `${x.boots} boot(s) in ${x.bootAttempts} attempt(s), ${x.wallSeconds} s wall (${x.requestsPerSecond ?? "-"}/s), ` +
        `${x.qemuCpuSeconds} QEMU CPU s (${x.requestsPerCpuSecond ?? "-"} per CPU s)`,
    );
}

// chunks that failed one after the other: a broken setup, not a loaded host (each chunk already retried its boot)
const MAX_FAILURES_IN_A_ROW = 3;
let failures = 0,
  inARow = 0;
for (const seed of seeds) {
  for (const k of kernels) {
    if (fs.existsSync(chunkFile(k, seed))) continue;
    if (Date.now() >= stopAt || interrupted) {
      console.log(`offline campaign: stopped at ${new Date().toISOString()}; the same command continues it`);
      report();
      process.exit(failures ? 2 : 0);
    }
    const t0 = Date.now();
    const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0];
    console.log(`${new Date().toISOString()} kernel ${k} seed ${seed}: ${4 * perDevice} requests (load ${load})`);
    const code = await runChunk(k, seed);
    const what = code === null ? "stopped" : code === 0 ? "ok" : code === 1 ? "MISMATCH" : `FAILED (exit ${code})`;
    console.log(
      `  ${what} in ${((Date.now() - t0) / 1000).toFixed(0)} s (log: ${path.join(out, k, `seed-${seed}.log`)})`,
    );
    if (code !== 0 && code !== null) failures++;
    inARow = code === 0 || code === 1 ? 0 : inARow + 1;
    if (inARow >= MAX_FAILURES_IN_A_ROW) {
      console.log(`offline campaign: ${inARow} chunks failed in a row; stopping (see their logs)`);
      report();
      process.exit(2);
    }
  }
}
console.log("offline campaign: every chunk done");
report();
process.exit(failures ? 2 : 0);
