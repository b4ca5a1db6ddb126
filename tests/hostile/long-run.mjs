#!/usr/bin/env node
// The hostile suite's random classes, round after round, for an offline run of any size:
//
//   node tests/hostile/long-run.mjs --calls 1e9 --state hostile-run.json
//
// Round r runs every class once with seeds derived from r (the CI suite runs the same classes at
// HOSTILE_SCALE 7 with fixed seeds); the long-lived instances carry over from round to round. After
// each round the state file records the next round and the calls so far, so running the same
// command again continues where it stopped (fresh instances from there on). The first failure
// stops the run with its seed and call number, exit status 1.
import { renameSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { intArg, parseOptions, seedArg, usageError } from "../../scripts/lib/options.mjs";
import { lib } from "./helpers.mjs";
import { inspectRandom, rawCalls, reserveResident, wasm2jsDifferential } from "./random-classes.mjs";
import { apiArguments, brokenLinks, strictOptions, viewsAsBytes } from "./api-arguments.mjs";

/** The classes and their calls per round: the CI suite's proportions at scale 1. */
const CLASSES = [
  ["core random raw calls", 1_500_000, (seed, n, st) => rawCalls("core", seed, n, st)],
  ["fuzz random raw calls", 60_000, (seed, n, st) => rawCalls("fuzz", seed, n, st)],
  ["wasm2js differential (core)", 40_000, (seed, n, st) => wasm2jsDifferential("core", seed, n, st)],
  ["wasm2js differential (fuzz)", 5_000, (seed, n, st) => wasm2jsDifferential("fuzz", seed, n, st)],
  ["inspect never throws", 4_000, (seed, n) => inspectRandom(seed, n)],
  ["public functions, hostile arguments", 3_000, (seed, n) => apiArguments(seed, n)],
  ["views as bytes", 300, (seed, n) => viewsAsBytes(seed, n)],
  ["broken capability links", 300, (seed, n) => brokenLinks(seed, n)],
  ["strict epoch and maxCaps", 2_000, (seed, n) => strictOptions(seed, n)],
];

const USAGE = "node tests/hostile/long-run.mjs --calls N [--state FILE] [--seed N]";
const usage = (msg) => usageError("long-run", msg, USAGE);
function options() {
  const text = { type: "string" };
  const { values } = parseOptions("long-run", { usage: USAGE, options: { calls: text, state: text, seed: text } });
  if (values.calls === undefined) usage("--calls is required");
  if (values.state === "") usage("--state wants a file name");
  const calls = intArg("long-run", "--calls", values.calls, 0);
  return { calls, state: values.state, seed: seedArg("long-run", "--seed", values.seed, 1) };
}

const opts = options();
const fresh = { seed: opts.seed, target: opts.calls, round: 0, total: 0, failures: 0, seconds: 0, classes: {} };
const state = opts.state && existsSync(opts.state) ? JSON.parse(readFileSync(opts.state, "utf8")) : fresh;
if (state.seed !== opts.seed) usage(`${opts.state} is a run with --seed ${state.seed}`);
if (state.failures) usage(`${opts.state} records a failure: ${state.failure}`);
state.target = opts.calls;

function save() {
  if (!opts.state) return;
  const tmp = `${opts.state}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, opts.state);
}

/** Round r's seed for class k (distinct for every round and class). */
const seedOf = (r, k) => (opts.seed * 0x9e3779b1 + r * 0x85ebca6b + k * 0xc2b2ae35) >>> 0;

const perClass = CLASSES.map(() => ({}));
const resident = () => lib.memoryStats().residentBytes;
const baseline = reserveResident();
let peakRss = 0;
const start = performance.now();
const secondsBefore = state.seconds;
const callsBefore = state.total;
console.log(
  `long-run: ${state.total.toLocaleString("en-US")} of ${state.target.toLocaleString("en-US")} calls done, round ${state.round}`,
);
while (state.total < state.target) {
  const r = state.round;
  for (let k = 0; k < CLASSES.length; k++) {
    const [name, n, run] = CLASSES[k];
    let res;
    try {
      res = await run(seedOf(r, k), n, perClass[k]);
    } catch (e) {
      state.failures++;
      state.failure = `round ${r}, ${name}, seed ${seedOf(r, k)}: ${e?.message}`;
      save();
      console.error(`long-run: FAIL ${state.failure}`);
      process.exit(1);
    }
    const c = (state.classes[name] ??= { calls: 0, failures: 0, wasmMemoryPeak: 0 });
    c.calls += res.calls;
    c.wasmMemoryPeak = Math.max(c.wasmMemoryPeak, res.memory ?? 0);
    state.total += res.calls;
  }
  if (resident() !== baseline) {
    state.failures++;
    state.failure = `round ${r}: resident wasm memory ${resident()} B, baseline ${baseline} B`;
    save();
    console.error(`long-run: FAIL ${state.failure}`);
    process.exit(1);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  state.round = r + 1;
  const s = (performance.now() - start) / 1000;
  state.seconds = Math.round(secondsBefore + s);
  state.peakRss = Math.max(state.peakRss ?? 0, peakRss);
  state.last = new Date().toISOString();
  save();
  const rate = (state.total - callsBefore) / s;
  const eta = (state.target - state.total) / rate;
  console.log(
    `round ${r}: ${state.total.toLocaleString("en-US")} calls, ${Math.round(rate).toLocaleString("en-US")}/s, ` +
      `${Math.round(s)} s, about ${Math.max(0, Math.round(eta / 60))} min to go`,
  );
}
console.log(`long-run: ${state.total.toLocaleString("en-US")} calls in ${state.round} rounds, 0 failures`);
for (const [name, c] of Object.entries(state.classes))
  console.log(`  ${name}: ${c.calls.toLocaleString("en-US")} calls, 0 failures, wasm memory ${c.wasmMemoryPeak} B`);
