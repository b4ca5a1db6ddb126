#!/usr/bin/env node
// npm run bench [-- --quick] [--json=out.json]: one run, same seeded inputs for every contender,
// medians of repeated timings, ratios against the targets of issue 7. Results go in BENCHMARKS.md.
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir, cpus, loadavg } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { irqInfoCorpus, irqSetCorpus, regionCapsCorpus, pciDevice } from "./corpus.mjs";
import { decodeIrqInfoDV, validateIrqSets, walkCapsDV } from "./ports.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const jsonOut = process.argv.find((a) => a.startsWith("--json="))?.slice(7);
const require = createRequire(join(root, "package.json"));
const wasmPath = join(root, "build", "release.wasm");
const wasmBytes = readFileSync(wasmPath);
const ex = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}).exports;
const lib = await import(pathToFileURL(join(root, "dist", "bindings", "index.js")).href);
lib.initWithExports(ex, "wasm");

const REPS = quick ? 5 : 11;
const loadStart = loadavg().map((x) => x.toFixed(2)).join(" ");
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
/** Median ns per item of fn() over REPS runs (after 2 warm-ups). */
function time(items, fn, reps = REPS) {
  for (let i = 0; i < 2; i++) fn();
  const t = [];
  for (let i = 0; i < reps; i++) { const s = process.hrtime.bigint(); fn(); t.push(Number(process.hrtime.bigint() - s) / items); }
  return median(t);
}
const rows = [];
const row = (group, name, value, unit, note = "") => { rows.push({ group, name, value, unit, note }); };
const eq = (a, b, what) => { if (a !== b) throw new Error(`bench: ${what}: ${a} !== ${b} (contenders disagree)`); };

// ---------------------------------------------------------------- native C (gcc -O2)
const N1 = quick ? 250_000 : 1_000_000;
const N2 = quick ? 250_000 : 1_000_000;
const info = irqInfoCorpus(N1, 1);
const sets = irqSetCorpus(N2, 7);
const dev = pciDevice();
const nirqs = Array.from(dev.subarray(8, 13));
const tmp = mkdtempSync(join(tmpdir(), "vfio-bench-"));
let native = null;
try {
  writeFileSync(join(tmp, "info.bin"), info);
  writeFileSync(join(tmp, "sets.bin"), sets.bytes);
  writeFileSync(join(tmp, "sets.idx"), new Uint8Array(sets.index.buffer));
  const cc = spawnSync("gcc", ["-O2", "-o", join(tmp, "native"), join(root, "bench", "native.c")], { encoding: "utf8" });
  if (cc.status !== 0) throw new Error(cc.stderr || "gcc not found");
  const r = spawnSync(join(tmp, "native"), [join(tmp, "info.bin"), join(tmp, "sets.bin"), join(tmp, "sets.idx"), String(REPS)], { encoding: "utf8" });
  native = JSON.parse(r.stdout);
} catch (e) {
  console.error(`bench: native C baselines unavailable (${e.message.split("\n")[0]})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// ---------------------------------------------------------------- P1 batch decode of vfio_irq_info
{
  const need = 64 + info.length * 2 + 1024;
  if (ex.arena_reserve(need) < 0) throw new Error("arena_reserve");
  const src = (ex.arena_ptr() >>> 0) + 64, dst = src + info.length;
  new Uint8Array(ex.memory.buffer).set(info, src);
  let badW = 0;
  const tw = time(N1, () => { badW = ex.irq_info_decode_batch(0, src, N1, dst); });
  const out = new Uint32Array(N1 * 4);
  let badJ = 0;
  const tj = time(N1, () => { badJ = decodeIrqInfoDV(info, out); });
  eq(badW, badJ, "P1 argsz<16 count");
  const wOut = new Uint32Array(ex.memory.buffer, dst, N1 * 4);
  for (let i = 0; i < N1 * 4; i += 9973) eq(wOut[i], out[i], `P1 word ${i}`);
  if (native) eq(native.bad, badW, "P1 native argsz<16 count");
  // binary-parser and restructure: per struct, on a subset (they are 2-3 orders slower)
  const { Parser } = require("binary-parser");
  const bp = new Parser().endianness("little").uint32("argsz").uint32("flags").uint32("index").uint32("count");
  const nb = quick ? 20_000 : 100_000;
  const buf = Buffer.from(info.buffer, info.byteOffset, nb * 16);
  const tb = time(nb, () => { for (let i = 0; i < nb; i++) { const o = bp.parse(buf.subarray(i * 16, i * 16 + 16)); out[i * 4] = o.argsz; out[i * 4 + 1] = o.flags; out[i * 4 + 2] = o.index; out[i * 4 + 3] = o.count; } }, 5);
  const r = require("restructure");
  const rs = new r.Struct({ argsz: r.uint32le, flags: r.uint32le, index: r.uint32le, count: r.uint32le });
  const nr = quick ? 5_000 : 20_000;
  const tr = time(nr, () => { for (let i = 0; i < nr; i++) { const o = rs.fromBuffer(buf.subarray(i * 16, i * 16 + 16)); out[i * 4] = o.argsz; out[i * 4 + 1] = o.flags; out[i * 4 + 2] = o.index; out[i * 4 + 3] = o.count; } }, 5);
  eq(out[(nr - 1) * 4 + 3], new DataView(info.buffer).getUint32((nr - 1) * 16 + 12, true), "restructure last count");
  // JS memcpy in wasm memory (for the distance to the physical limit)
  const m8 = new Uint8Array(ex.memory.buffer);
  const tm = time(N1, () => { m8.copyWithin(dst, src, src + info.length); });
  row("P1", "wasm irq_info_decode_batch", tw, "ns/struct");
  row("P1", "JS DataView decoder", tj, "ns/struct");
  row("P1", "binary-parser 2.3.0", tb, "ns/struct", `${nb} structs`);
  row("P1", "restructure 3.0.2", tr, "ns/struct", `${nr} structs`);
  if (native) row("P1", "C gcc -O2 decoder", native.decode, "ns/struct");
  if (native) row("P1", "C memcpy (physical limit)", native.memcpy, "ns/struct");
  row("P1", "JS copyWithin in wasm memory", tm, "ns/struct");
  row("P1", "ratio DataView / wasm (target >= 3)", tj / tw, "x");
  row("P1", "ratio binary-parser / wasm (target >= 50)", tb / tw, "x");
  row("P1", "ratio restructure / wasm", tr / tw, "x");
  if (native) row("P1", "ratio C / wasm (target >= 1)", native.decode / tw, "x");
  if (native) row("P1", "ratio wasm / memcpy (distance to the limit)", tw / native.memcpy, "x");
}

// ---------------------------------------------------------------- P2 batch validation of vfio_irq_set
{
  const n = N2;
  const need = 64 + 800 + n * 16 + sets.bytes.length + 1024;
  if (ex.arena_reserve(need) < 0) throw new Error("arena_reserve");
  const base = (ex.arena_ptr() >>> 0) + 64;
  const pd = base, pi = pd + 800, po = pi + n * 8, pb = po + n * 8;
  const m8 = () => new Uint8Array(ex.memory.buffer);
  m8().set(new Uint8Array(dev.buffer), pd);
  m8().set(new Uint8Array(sets.index.buffer), pi);
  m8().set(sets.bytes, pb);
  let accO = 0, accF = 0, accJ = 0;
  const to = time(n, () => { accO = ex.oracle_set_irqs_batch(0, pb, pi, n, pd, po); });
  const hasFast = typeof ex.irq_set_validate_batch === "function";
  let tf = NaN;
  if (hasFast) tf = time(n, () => { accF = ex.irq_set_validate_batch(0, pb, pi, n, pd, po); });
  const wres = hasFast ? new Int32Array(ex.memory.buffer, po, n * 2).slice() : null;
  const jout = new Int32Array(n * 2);
  const tj = time(n, () => { accJ = validateIrqSets(sets.bytes, sets.index, n, nirqs, jout); });
  if (hasFast) { eq(accF, accJ, "P2 accepted (validate_fast vs JS port)"); for (let i = 0; i < n * 2; i += 997) eq(wres[i], jout[i], `P2 verdict ${i}`); }
  if (native) eq(native.accepted, accJ, "P2 accepted (C vs JS port)");
  row("P2", "wasm oracle_set_irqs_batch (full rules)", to, "ns/buffer", `${accO} of ${n} accepted`);
  if (hasFast) row("P2", "wasm irq_set_validate_batch (branch-free)", tf, "ns/buffer", `${accF} pass validation`);
  row("P2", "JS/TS port of the validate stage", tj, "ns/buffer");
  if (native) row("P2", "C gcc -O2 port of the validate stage", native.validate, "ns/buffer");
  const best = hasFast ? tf : to;
  row("P2", `ratio TS / wasm ${hasFast ? "validate_fast" : "oracle"} (target >= 1.5)`, tj / best, "x");
  if (native) row("P2", `ratio C / wasm ${hasFast ? "validate_fast" : "oracle"} (target >= 1)`, native.validate / best, "x");
  row("P2", "ratio TS / wasm oracle (full rules)", tj / to, "x");
}

// ---------------------------------------------------------------- P3 capability-chain walk
{
  const n = quick ? 50_000 : 200_000, caps = 8;
  const { bytes, stride } = regionCapsCorpus(n, caps, 3);
  const need = 64 + bytes.length + 4096;
  if (ex.arena_reserve(need) < 0) throw new Error("arena_reserve");
  const base = (ex.arena_ptr() >>> 0) + 64, outp = base, src = base + 256;
  new Uint8Array(ex.memory.buffer).set(bytes, src);
  const walk = ex.caps_walk;
  let sumW = 0, sumJ = 0;
  const tw = time(n, () => { let s = 0; for (let i = 0; i < n; i++) s += walk(4, src + i * stride, stride, 32, 32, outp, 64); sumW = s; });
  const dv = new DataView(bytes.buffer), out = new Uint32Array(64 * 3);
  const tj = time(n, () => { let s = 0; for (let i = 0; i < n; i++) s += walkCapsDV(dv, i * stride, stride, 32, 32, out, 64); sumJ = s; });
  eq(sumW, sumJ, "P3 caps found");
  eq(sumW, n * caps, "P3 caps per buffer");
  let tb = Infinity;
  if (ex.caps_walk_batch) {
    // one call for the whole batch: (offset, len) index, per-buffer counts, all tuples
    const need2 = 64 + bytes.length + n * 8 + n * 4 + n * caps * 12 + 4096;
    if (ex.arena_reserve(need2) < 0) throw new Error("arena_reserve");
    const idx = (src + bytes.length + 63) & ~63, counts = idx + n * 8, tuples = counts + n * 4;
    const ix = new Uint32Array(ex.memory.buffer, idx, n * 2);
    for (let i = 0; i < n; i++) { ix[i * 2] = i * stride; ix[i * 2 + 1] = stride; }
    let sumB = 0;
    tb = time(n, () => { sumB = ex.caps_walk_batch(4, src, idx, n, 32, 12, 8, counts, tuples, n * caps); });
    eq(sumB, sumJ, "P3 caps found (batch)");
    row("P3", "wasm caps_walk_batch (one call per batch, 8 caps)", tb, "ns/buffer");
  }
  row("P3", "wasm caps_walk (one call per buffer, 8 caps)", tw, "ns/buffer");
  row("P3", "JS DataView walker", tj, "ns/buffer");
  row("P3", `ratio DataView / wasm ${tb < tw ? "caps_walk_batch" : "caps_walk"} (target >= 2)`, tj / Math.min(tw, tb), "x");
}

// ---------------------------------------------------------------- P5 object API per struct, with Kaitai Struct
{
  const objects = await import(pathToFileURL(join(root, "bench", "objects.mjs")).href);
  for (const r of await objects.run({ lib, time, quick, eq })) rows.push(r);
}

// ---------------------------------------------------------------- P6 size and start-up
{
  const gz = gzipSync(wasmBytes, { level: 9 }).length;
  const script = `const b=require("fs").readFileSync(${JSON.stringify(wasmPath)});const t=process.hrtime.bigint();const i=new WebAssembly.Instance(new WebAssembly.Module(b),{});i.exports.abi_version();console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const ts = [];
  for (let i = 0; i < (quick ? 5 : 11); i++) ts.push(Number(spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout));
  const tsJs = [];
  const js = join(root, "build", "release.wasm2js.js");
  if (existsSync(js)) {
    const s2 = `const t=process.hrtime.bigint();import(${JSON.stringify(pathToFileURL(js).href)}).then(m=>{m.default.abi_version();console.log(Number(process.hrtime.bigint()-t)/1e6)})`;
    for (let i = 0; i < (quick ? 3 : 7); i++) tsJs.push(Number(spawnSync(process.execPath, ["-e", s2], { encoding: "utf8" }).stdout));
  }
  row("P6", "release.wasm size (budget 24 KiB)", wasmBytes.length, "B");
  row("P6", "release.wasm gzip -9 (budget < 10 KiB)", gz, "B");
  row("P6", "compile + instantiate, fresh node (target <= 1 ms)", median(ts), "ms", `${ts.length} processes`);
  if (tsJs.length) row("P6", "wasm2js build: import + first call, fresh node", median(tsJs), "ms");
}

// ---------------------------------------------------------------- fuzzing engineer's rows
if (existsSync(join(root, "bench", "fuzz.mjs"))) {
  try {
    const f = await import(pathToFileURL(join(root, "bench", "fuzz.mjs")).href);
    for (const r of await f.run({ quick })) row("fuzz", r.name, r.value, r.unit, r.note ?? "");
  } catch (e) { console.error(`bench: bench/fuzz.mjs failed: ${e.message}`); }
}

const cpu = cpus()[0]?.model ?? "?";
const loadEnd = loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`vfio-abi bench — Node ${process.version}, ${cpus().length} x ${cpu}${quick ? " (quick)" : ""}; medians of ${REPS} runs`);
console.log(`load average (1/5/15 min): ${loadStart} at the start, ${loadEnd} at the end`);
let g = "";
for (const r of rows) {
  if (r.group !== g) { g = r.group; console.log(`\n${g}`); }
  const v = r.unit === "B" ? String(r.value) : r.value >= 100 ? r.value.toFixed(0) : r.value >= 10 ? r.value.toFixed(1) : r.value.toFixed(2);
  console.log(`  ${r.name.padEnd(58)} ${v.padStart(10)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ node: process.version, cpu, cpus: cpus().length, quick, loadStart, loadEnd, rows }, null, 1));
