#!/usr/bin/env node
// npm run bench [-- --quick] [--json=out.json] [--md] [--only=P5,start] [--case=irq_info]: one run, same
// seeded inputs for every contender, medians of repeated timings, ratios against the targets of issue 14.
// --md rewrites BENCHMARKS.md (full runs only); --only and --case select groups and P5 structs for
// short, targeted runs while tuning.
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir, cpus, loadavg } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { irqInfoCorpus, irqSetCorpus, regionCapsCorpus, pciDevice } from "./corpus.mjs";
import { decodeIrqInfoDV, validateIrqSets, walkCapsDV } from "./ports.mjs";
import { parseOptions, usageError } from "../scripts/lib/options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "npm run bench [-- --quick] [--json=out.json] [--md] [--only=P5,start] [--case=irq_info]";
const { values: args } = parseOptions("bench", {
  usage: USAGE,
  options: {
    quick: { type: "boolean" },
    json: { type: "string" },
    only: { type: "string" },
    case: { type: "string" },
    md: { type: "boolean" }, // rewrite BENCHMARKS.md from this run
  },
});
const { quick, json: jsonOut, md: mdOut } = args;
const only = args.only?.split(",");
const cases = args.case?.split(",");
const want = (group) => !only || only.includes(group);
if (mdOut && (only || cases)) usageError("bench", "--md needs the full run (no --only or --case)", USAGE);
const require = createRequire(join(root, "package.json"));
const wasmPath = join(root, "build", "release.wasm");
const wasmBytes = readFileSync(wasmPath);
const ex = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}).exports;
const lib = await import(pathToFileURL(join(root, "dist", "bindings", "index.js")).href);
lib.initWithExports(ex, "wasm");

const REPS = quick ? 5 : 11;
const loadStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(" ");
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
/** Median ns per item of fn() over REPS runs (after 2 warm-ups). */
function time(items, fn, reps = REPS) {
  for (let i = 0; i < 2; i++) fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / items);
  }
  return median(t);
}
const rows = [];
const row = (group, name, value, unit, note = "") => {
  rows.push({ group, name, value, unit, note });
};
const eq = (a, b, what) => {
  if (a !== b) throw new Error(`bench: ${what}: ${a} !== ${b} (contenders disagree)`);
};

// ---------------------------------------------------------------- native C (-O2 and -O3 -march=native)
const N1 = quick ? 250_000 : 1_000_000;
const N2 = quick ? 250_000 : 1_000_000;
const info = irqInfoCorpus(N1, 1);
const sets = irqSetCorpus(N2, 7);
const dev = pciDevice();
const nirqs = Array.from(dev.subarray(8, 13));
const native = {};
if (want("P1") || want("P2")) {
  const tmp = mkdtempSync(join(tmpdir(), "vfio-bench-"));
  try {
    writeFileSync(join(tmp, "info.bin"), info);
    writeFileSync(join(tmp, "sets.bin"), sets.bytes);
    writeFileSync(join(tmp, "sets.idx"), new Uint8Array(sets.index.buffer));
    for (const [key, flags] of [
      ["O2", ["-O2"]],
      ["O3n", ["-O3", "-march=native"]],
    ]) {
      const exe = join(tmp, `native-${key}`);
      const cc = spawnSync("gcc", [...flags, "-o", exe, join(root, "bench", "native.c")], { encoding: "utf8" });
      if (cc.status !== 0) throw new Error(cc.stderr || "gcc not found");
      const r = spawnSync(exe, [join(tmp, "info.bin"), join(tmp, "sets.bin"), join(tmp, "sets.idx"), String(REPS)], {
        encoding: "utf8",
      });
      native[key] = JSON.parse(r.stdout);
    }
  } catch (e) {
    console.error(`bench: native C baselines unavailable (${e.message.split("\n")[0]})`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
const C = native.O2 && native.O3n ? native : null;

/** The C programs' checksums, computed here from another contender's outputs. */
function decodeSum(words, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += (words[i * 4] ^ words[i * 4 + 1] ^ words[i * 4 + 2] ^ words[i * 4 + 3]) >>> 0;
  return String(s);
}
function verdictHash(out, n) {
  let h = 0n;
  for (let i = 0; i < n; i++) h = BigInt.asUintN(64, h * 31n + BigInt((out[i] * 64 + out[n + i]) >>> 0));
  return String(h);
}

// ---------------------------------------------------------------- P1 batch decode of vfio_irq_info
if (want("P1")) {
  const need = 64 + info.length * 2 + 1024;
  if (ex.arena_reserve(need) < 0) throw new Error("arena_reserve");
  const src = (ex.arena_ptr() >>> 0) + 64,
    dst = src + info.length;
  new Uint8Array(ex.memory.buffer).set(info, src);
  let badW = 0;
  const tw = time(N1, () => {
    badW = ex.irq_info_decode_batch(0, src, N1, dst);
  });
  const wOut = new Uint32Array(ex.memory.buffer, dst, N1 * 4).slice();
  const same = (out, n, what) => {
    for (let i = 0; i < n * 4; i++) if (out[i] !== wOut[i]) eq(out[i], wOut[i], `${what} word ${i}`);
  };
  const out = new Uint32Array(N1 * 4);
  let badJ = 0;
  const tj = time(N1, () => {
    badJ = decodeIrqInfoDV(info, out);
  });
  eq(badW, badJ, "P1 argsz<16 count");
  same(out, N1, "P1 DataView");
  // the wasm's own shortcut, in JS: on a little-endian host the decoded words are the input words
  const in32 = new Uint32Array(info.buffer, info.byteOffset, N1 * 4);
  const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let badS = 0;
  const ts = hostLE
    ? time(N1, () => {
        out.fill(0);
        out.set(in32);
        let bad = 0;
        for (let i = 0; i < N1 * 4; i += 4) bad += out[i] < 16 ? 1 : 0;
        badS = bad;
      })
    : NaN;
  if (hostLE) {
    eq(badS, badW, "P1 Uint32Array argsz<16 count");
    same(out, N1, "P1 Uint32Array.set");
  }
  // binary-parser and restructure: per struct, on a subset (they are 2-3 orders slower); outputs compared word by word
  const { Parser } = require("binary-parser");
  const bp = new Parser().endianness("little").uint32("argsz").uint32("flags").uint32("index").uint32("count");
  const nb = quick ? 20_000 : 100_000;
  const buf = Buffer.from(info.buffer, info.byteOffset, nb * 16);
  out.fill(0);
  const tb = time(
    nb,
    () => {
      for (let i = 0; i < nb; i++) {
        const o = bp.parse(buf.subarray(i * 16, i * 16 + 16));
        out[i * 4] = o.argsz;
        out[i * 4 + 1] = o.flags;
        out[i * 4 + 2] = o.index;
        out[i * 4 + 3] = o.count;
      }
    },
    5,
  );
  same(out, nb, "P1 binary-parser");
  const r = require("restructure");
  const rs = new r.Struct({ argsz: r.uint32le, flags: r.uint32le, index: r.uint32le, count: r.uint32le });
  const nr = quick ? 5_000 : 20_000;
  out.fill(0);
  const tr = time(
    nr,
    () => {
      for (let i = 0; i < nr; i++) {
        const o = rs.fromBuffer(buf.subarray(i * 16, i * 16 + 16));
        out[i * 4] = o.argsz;
        out[i * 4 + 1] = o.flags;
        out[i * 4 + 2] = o.index;
        out[i * 4 + 3] = o.count;
      }
    },
    5,
  );
  same(out, nr, "P1 restructure");
  for (const k of Object.keys(native)) {
    eq(native[k].bad, badW, `P1 C ${k} argsz<16 count`);
    eq(native[k].decodeSum, decodeSum(wOut, N1), `P1 C ${k} decode checksum`);
  }
  // the copy limit, measured in the same wasm memory
  const m8 = new Uint8Array(ex.memory.buffer);
  const tm = time(N1, () => {
    m8.copyWithin(dst, src, src + info.length);
  });
  row("P1", "wasm irq_info_decode_batch", tw, "ns/struct");
  row("P1", "JS DataView decoder", tj, "ns/struct");
  if (hostLE) row("P1", "JS Uint32Array.set copy + argsz count (the wasm's LE shortcut)", ts, "ns/struct");
  row("P1", "binary-parser 2.3.0", tb, "ns/struct", `${nb} structs`);
  row("P1", "restructure 3.0.2", tr, "ns/struct", `${nr} structs`);
  if (C) row("P1", "C gcc -O2 decoder", C.O2.decode, "ns/struct");
  if (C) row("P1", "C gcc -O3 -march=native decoder", C.O3n.decode, "ns/struct");
  if (C) row("P1", "C memcpy (separate process)", C.O2.memcpy, "ns/struct");
  row("P1", "JS copyWithin in wasm memory (the copy limit)", tm, "ns/struct");
  const bestJS = hostLE ? Math.min(tj, ts) : tj;
  row("P1", `ratio best JS (${bestJS === tj ? "DataView" : "Uint32Array.set"}) / wasm (target >= 3)`, bestJS / tw, "x");
  row("P1", "ratio DataView / wasm", tj / tw, "x");
  row("P1", "ratio binary-parser / wasm (target >= 50)", tb / tw, "x");
  row("P1", "ratio restructure / wasm", tr / tw, "x");
  if (C) row("P1", "ratio C -O2 / wasm (target >= 1)", C.O2.decode / tw, "x");
  if (C) row("P1", "ratio C -O3 -march=native / wasm", C.O3n.decode / tw, "x");
  row("P1", "ratio wasm / copyWithin (distance to the copy limit)", tw / tm, "x");
}

// ---------------------------------------------------------------- P2 batch validation of vfio_irq_set
if (want("P2")) {
  const n = N2;
  const need = 64 + 800 + n * 16 + sets.bytes.length + 1024;
  if (ex.arena_reserve(need) < 0) throw new Error("arena_reserve");
  const base = (ex.arena_ptr() >>> 0) + 64;
  const pd = base,
    pi = pd + 800,
    po = pi + n * 8,
    pb = po + n * 8;
  const m8 = () => new Uint8Array(ex.memory.buffer);
  m8().set(new Uint8Array(dev.buffer), pd);
  m8().set(new Uint8Array(sets.index.buffer), pi);
  m8().set(sets.bytes, pb);
  let accO = 0,
    accF = 0,
    accJ = 0;
  const to = time(n, () => {
    accO = ex.oracle_set_irqs_batch(0, pb, pi, n, pd, po);
  });
  const tf = time(n, () => {
    accF = ex.irq_set_validate_batch(0, pb, pi, n, pd, po);
  });
  const wres = new Int32Array(ex.memory.buffer, po, n * 2).slice();
  const jout = new Int32Array(n * 2);
  const tj = time(n, () => {
    accJ = validateIrqSets(sets.bytes, sets.index, n, nirqs, jout);
  });
  eq(accF, accJ, "P2 accepted (validate_fast vs JS port)");
  for (let i = 0; i < n * 2; i++) if (wres[i] !== jout[i]) eq(wres[i], jout[i], `P2 verdict ${i}`);
  const wHash = verdictHash(wres, n);
  for (const k of Object.keys(native)) {
    eq(native[k].accepted, accF, `P2 C ${k} accepted`);
    eq(native[k].validateHash, wHash, `P2 C ${k} verdicts (branchy)`);
    eq(native[k].validateBranchFreeHash, wHash, `P2 C ${k} verdicts (branch-free)`);
  }
  row("P2", "wasm oracle_set_irqs_batch (full rules)", to, "ns/buffer", `${accO} of ${n} accepted`);
  row("P2", "wasm irq_set_validate_batch (branch-free)", tf, "ns/buffer", `${accF} pass validation`);
  row("P2", "JS/TS port of the validate stage", tj, "ns/buffer");
  if (C) {
    row("P2", "C gcc -O2, branchy port", C.O2.validate, "ns/buffer");
    row("P2", "C gcc -O2, the same branch-free algorithm", C.O2.validateBranchFree, "ns/buffer");
    row("P2", "C gcc -O3 -march=native, branchy port", C.O3n.validate, "ns/buffer");
    row("P2", "C gcc -O3 -march=native, the same branch-free algorithm", C.O3n.validateBranchFree, "ns/buffer");
  }
  row("P2", "ratio TS / wasm validate_fast (target >= 1.5)", tj / tf, "x");
  if (C) row("P2", "ratio C -O2 branch-free / wasm validate_fast (target >= 1)", C.O2.validateBranchFree / tf, "x");
  if (C) row("P2", "ratio C -O3 -march=native branch-free / wasm validate_fast", C.O3n.validateBranchFree / tf, "x");
  row("P2", "ratio TS / wasm oracle (full rules)", tj / to, "x");
}

// ---------------------------------------------------------------- P3 capability-chain walk
for (const caps of want("P3") ? [8, 1] : []) {
  const n = quick ? 50_000 : 200_000;
  const { bytes, stride } = regionCapsCorpus(n, caps, 3);
  const need = 64 + bytes.length + n * 8 + n * 4 + n * caps * 12 + 8192;
  if (ex.arena_reserve(need) < 0) throw new Error("arena_reserve");
  const base = (ex.arena_ptr() >>> 0) + 64,
    outp = base,
    src = base + 256;
  new Uint8Array(ex.memory.buffer).set(bytes, src);
  const walk = ex.caps_walk;
  let sumW = 0,
    sumJ = 0;
  const tw = time(n, () => {
    let s = 0;
    for (let i = 0; i < n; i++) s += walk(4, src + i * stride, stride, 32, 32, outp, 64);
    sumW = s;
  });
  const dv = new DataView(bytes.buffer),
    out = new Uint32Array(64 * 3);
  const tj = time(n, () => {
    let s = 0;
    for (let i = 0; i < n; i++) s += walkCapsDV(dv, i * stride, stride, 32, 32, out, 64);
    sumJ = s;
  });
  eq(sumW, sumJ, "P3 caps found");
  eq(sumW, n * caps, "P3 caps per buffer");
  // one call for the whole batch: (offset, len) index, per-buffer counts, all tuples
  const idx = (src + bytes.length + 63) & ~63,
    counts = idx + n * 8,
    tuples = counts + n * 4;
  const ix = new Uint32Array(ex.memory.buffer, idx, n * 2);
  for (let i = 0; i < n; i++) {
    ix[i * 2] = i * stride;
    ix[i * 2 + 1] = stride;
  }
  let sumB = 0;
  const tb = time(n, () => {
    sumB = ex.caps_walk_batch(4, src, idx, n, 32, 12, 8, counts, tuples, n * caps);
  });
  eq(sumB, sumJ, "P3 caps found (batch)");
  // the tuples themselves: (id | version << 16, offset, length) per cap, every buffer
  const tw32 = new Uint32Array(ex.memory.buffer, tuples, n * caps * 3),
    cn = new Uint32Array(ex.memory.buffer, counts, n);
  for (let i = 0; i < n; i++) {
    const k = walkCapsDV(dv, i * stride, stride, 32, 32, out, 64);
    eq(cn[i], k, `P3 buffer ${i} cap count`);
    for (let j = 0; j < k * 3; j++)
      if (tw32[i * caps * 3 + j] !== out[j]) eq(tw32[i * caps * 3 + j], out[j], `P3 buffer ${i} tuple word ${j}`);
  }
  row("P3", `wasm caps_walk_batch (one call per batch, ${caps} cap${caps > 1 ? "s" : ""})`, tb, "ns/buffer");
  row("P3", `wasm caps_walk (one call per buffer, ${caps} cap${caps > 1 ? "s" : ""})`, tw, "ns/buffer");
  row("P3", `JS DataView walker (${caps} cap${caps > 1 ? "s" : ""})`, tj, "ns/buffer");
  row(
    "P3",
    `ratio DataView / wasm caps_walk_batch, ${caps} cap${caps > 1 ? "s" : ""} (target ${caps > 1 ? ">= 1.5" : ">= 1"})`,
    tj / tb,
    "x",
  );
}

// ---------------------------------------------------------------- P5 object API per struct, with Kaitai Struct
if (want("P5")) {
  const objects = await import(pathToFileURL(join(root, "bench", "objects.mjs")).href);
  for (const r of await objects.run({ lib, quick, eq, cases })) rows.push(r);
}

// ---------------------------------------------------------------- P6 size and start-up
if (want("P6")) {
  const gz = gzipSync(wasmBytes, { level: 9 }).length;
  // The same probe on a module with nothing in it (memory of one page, an abi_version that returns 3:
  // `(module (memory 1) (func (export "abi_version") (result i32) i32.const 3))`), in turns with
  // release.wasm: what any module costs a fresh process (V8 sets up its wasm engine on the first one).
  const EMPTY_MODULE =
    "0061736d010000000105016000017f030201000503010001070f010b6162695f76657273696f6e00000a0601040041030b";
  const probe = (load) =>
    `const b=${load};const t=process.hrtime.bigint();const i=new WebAssembly.Instance(new WebAssembly.Module(b),{});i.exports.abi_version();console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const script = probe(`require("fs").readFileSync(${JSON.stringify(wasmPath)})`),
    scriptEmpty = probe(`Buffer.from("${EMPTY_MODULE}","hex")`);
  const ts = [],
    tsEmpty = [];
  for (let i = 0; i < (quick ? 5 : 11); i++) {
    ts.push(Number(spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout));
    tsEmpty.push(Number(spawnSync(process.execPath, ["-e", scriptEmpty], { encoding: "utf8" }).stdout));
  }
  const tsJs = [];
  const js = join(root, "build", "release.wasm2js.js");
  if (existsSync(js)) {
    const s2 = `const t=process.hrtime.bigint();import(${JSON.stringify(pathToFileURL(js).href)}).then(m=>{m.default.abi_version();console.log(Number(process.hrtime.bigint()-t)/1e6)})`;
    for (let i = 0; i < (quick ? 3 : 7); i++)
      tsJs.push(Number(spawnSync(process.execPath, ["-e", s2], { encoding: "utf8" }).stdout));
  }
  row("P6", "release.wasm size (target <= 24576, 24 KiB)", wasmBytes.length, "B");
  row("P6", "release.wasm gzip -9 (target <= 10240, 10 KiB)", gz, "B");
  row("P6", "compile + instantiate, fresh node (target <= 1 ms)", median(ts), "ms", `${ts.length} processes`);
  row("P6", "compile + instantiate of an empty module, fresh node (the engine's floor)", median(tsEmpty), "ms");
  if (tsJs.length) row("P6", "wasm2js build: import + first call, fresh node", median(tsJs), "ms");
}

// ---------------------------------------------------------------- CLI: decode lines from stdin
if (want("CLI")) {
  const n = quick ? 50_000 : 200_000,
    reps = quick ? 3 : 5;
  const c = irqInfoCorpus(n, 5),
    dv = new DataView(c.buffer);
  const lines = [];
  for (let i = 0; i < n; i++) {
    // kernel-style replies: argsz 16, the upstream flag bits only (what the baseline script models)
    dv.setUint32(i * 16, 16, true);
    dv.setUint32(i * 16 + 4, dv.getUint32(i * 16 + 4, true) & 0xf, true);
    lines.push(Buffer.from(c.subarray(i * 16, i * 16 + 16)).toString("hex"));
  }
  const dir = mkdtempSync(join(tmpdir(), "vfio-bench-cli-"));
  try {
    const input = join(dir, "lines.txt");
    writeFileSync(input, `${lines.join("\n")}\n`);
    // CPU seconds (user + sys) of the whole process, start-up included: steadier than wall time on a shared machine
    const cpuOf = (cmd, out) => {
      const r = spawnSync("bash", ["-c", `TIMEFORMAT="%U %S"; time (${cmd} < '${input}' > '${out}')`], {
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`bench: ${cmd}: ${r.stderr}`);
      const [u, sy] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
      return u + sy;
    };
    const node = JSON.stringify(process.execPath);
    const cli = `${node} ${JSON.stringify(join(root, "bin", "vfio-abi.js"))} decode irq_info`;
    const base = `${node} ${JSON.stringify(join(root, "bench", "cli-baseline.mjs"))}`;
    const tc = [],
      tb = [];
    for (let i = 0; i < reps; i++) {
      tc.push(cpuOf(cli, join(dir, "cli.out")));
      tb.push(cpuOf(base, join(dir, "base.out")));
    }
    eq(
      Buffer.compare(readFileSync(join(dir, "cli.out")), readFileSync(join(dir, "base.out"))),
      0,
      "CLI output vs the baseline script's",
    );
    const lc = n / median(tc),
      lb = n / median(tb);
    row("CLI", `vfio-abi decode irq_info < ${n} hex lines`, lc / 1000, "k lines/s", "CPU time, start-up included");
    row("CLI", "hand-written DataView script, same JSON (bench/cli-baseline.mjs)", lb / 1000, "k lines/s");
    row("CLI", "ratio CLI / hand-written script (target >= 0.8)", lc / lb, "x");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- start-up: import + first decode, fresh processes
if (want("start")) {
  const reps = quick ? 7 : 15;
  const hex = "10000000090000000200000005000000";
  // in-process wall and CPU time from before the import to after the first decode (node's own bootstrap excluded)
  const probe = (spec, core) =>
    `const c=process.cpuUsage(),t=performance.now();const m=await import(${JSON.stringify(spec)});const b=Uint8Array.from(Buffer.from("${hex}","hex"));${core ? 'await m.init();const v=m.decode("vfio_irq_info",b);' : "const v=m.decodeIrqInfoFast(b);"}if(v.count!==5)throw 1;const u=process.cpuUsage(c);console.log(performance.now()-t,(u.user+u.system)/1000)`;
  // every process (node -e 0 included) reports its whole CPU time at exit, through the same preload
  const atExit = `data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("@cpu "+(u.user+u.system)/1000+"\\n")})`;
  const spawn = (args) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--import", atExit, ...args], { encoding: "utf8" });
    const wall = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`bench: start-up probe: ${r.stderr}`);
    const [ms, cpu] = r.stdout.trim().split(" ").map(Number);
    return { wall, ms, cpu, total: Number(/@cpu ([\d.]+)/.exec(r.stderr)[1]), out: r.stdout };
  };
  // each probe is paired with a node -e 0 run just before it (the load drifts); medians of the differences
  const paired = (args, check) => {
    const runs = [];
    for (let i = 0; i < reps; i++) {
      const e = spawn(["-e", "0"]),
        r = spawn(args);
      check?.(r.out);
      runs.push({ ...r, over: r.wall - e.wall, cpuOver: r.total - e.total, empty: e.wall });
    }
    const med = (k) => median(runs.map((r) => r[k]));
    return { med, note: `node -e 0: ${med("empty").toFixed(1)} ms` };
  };
  const bundle = join(root, "dist", "bundle", "index.js");
  const split = join(root, "dist", "node", "index.js");
  const specs = [
    ["dist/bindings/index.js (unbundled)", pathToFileURL(join(root, "dist", "bindings", "index.js")).href],
  ];
  if (existsSync(bundle))
    specs.push(["dist/bundle/index.js (the entry for browsers, bundlers)", pathToFileURL(bundle).href]);
  // what import("vfio-abi") loads in Node (package.json exports, "node" condition)
  if (existsSync(split)) specs.push(["dist/node/index.js (the package entry in Node)", pathToFileURL(split).href]);
  for (const [label, spec] of specs) {
    for (const core of [true, false]) {
      const { med, note } = paired(["--input-type=module", "-e", probe(spec, core)]);
      const what = core ? "import + init() + decode()" : "import + decodeIrqInfoFast()";
      row("start", `${label}: ${what}, in process (wall)`, med("ms"), "ms", `${reps} fresh processes`);
      row("start", `${label}: ${what}, in process (CPU)`, med("cpu"), "ms");
      row("start", `${label}: ${what}, wall over node -e 0 (target <= 5)`, med("over"), "ms", note);
    }
  }
  // The floor under the target, measured the same way: an ES module holding only a stand-in for
  // decodeIrqInfoFast (Node's own cost of a first import), and one declaring the package entry's
  // export names and nothing else (what the API's names cost before any code).
  if (existsSync(split)) {
    const names = Object.keys(await import(pathToFileURL(split).href)).filter((n) => n !== "decodeIrqInfoFast");
    const stand = "export function decodeIrqInfoFast() { return { count: 5 }; }\n";
    const floors = [
      ["floor-one.mjs", "an ES module of one function (the floor of any import)", stand],
      [
        "floor-names.mjs",
        `an ES module declaring the entry's ${names.length + 1} export names, no code`,
        stand + names.map((n) => `export const ${n} = 0;`).join("\n"),
      ],
    ];
    const dir = mkdtempSync(join(tmpdir(), "vfio-bench-floor-"));
    for (const [file, label, text] of floors) {
      writeFileSync(join(dir, file), text);
      const { med, note } = paired(["--input-type=module", "-e", probe(pathToFileURL(join(dir, file)).href, false)]);
      row(
        "start",
        `floor: ${label}: import + first call, in process (wall)`,
        med("ms"),
        "ms",
        `${reps} fresh processes`,
      );
      row("start", `floor: ${label}: import + first call, in process (CPU)`, med("cpu"), "ms");
      row("start", `floor: ${label}: wall over node -e 0`, med("over"), "ms", note);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  // the command line, one item: vfio-abi decode irq_info <hex>, the bin (bundled CLI) and the unbundled modules
  const want1 = (out) => {
    if (JSON.parse(out).count !== 5) throw new Error("bench: CLI decode printed a wrong value");
  };
  const cliRuns = [["bin/vfio-abi.js (bundled CLI)", [join(root, "bin", "vfio-abi.js"), "decode", "irq_info", hex]]];
  const unbundled = pathToFileURL(join(root, "dist", "bindings", "cli.js")).href;
  cliRuns.push([
    "dist/bindings/cli.js (unbundled)",
    ["--input-type=module", "-e", `(await import(${JSON.stringify(unbundled)})).main(["decode","irq_info","${hex}"])`],
  ]);
  for (const [label, args] of cliRuns) {
    const { med, note } = paired(args, want1);
    row("start", `CLI ${label}: decode irq_info <hex>, wall over node -e 0`, med("over"), "ms", note);
    row("start", `CLI ${label}: decode irq_info <hex>, CPU over node -e 0`, med("cpuOver"), "ms");
  }
}

// ---------------------------------------------------------------- fuzzing engineer's rows
if (want("fuzz") && existsSync(join(root, "bench", "fuzz.mjs"))) {
  try {
    const f = await import(pathToFileURL(join(root, "bench", "fuzz.mjs")).href);
    for (const r of await f.run({ quick })) row("fuzz", r.name, r.value, r.unit, r.note ?? "");
  } catch (e) {
    console.error(`bench: bench/fuzz.mjs failed: ${e.message}`);
  }
}

const cpu = cpus()[0]?.model ?? "?";
const loadEnd = loadavg()
  .map((x) => x.toFixed(2))
  .join(" ");
console.log(
  `vfio-abi bench — Node ${process.version}, ${cpus().length} x ${cpu}${quick ? " (quick)" : ""}; medians of ${REPS} runs`,
);
console.log(`load average (1/5/15 min): ${loadStart} at the start, ${loadEnd} at the end`);
let g = "";
for (const r of rows) {
  if (r.group !== g) {
    g = r.group;
    console.log(`\n${g}`);
  }
  const v =
    r.unit === "B"
      ? String(r.value)
      : r.value >= 100
        ? r.value.toFixed(0)
        : r.value >= 10
          ? r.value.toFixed(1)
          : r.value.toFixed(2);
  console.log(`  ${r.name.padEnd(58)} ${v.padStart(10)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
}
if (jsonOut)
  writeFileSync(
    jsonOut,
    JSON.stringify({ node: process.version, cpu, cpus: cpus().length, quick, loadStart, loadEnd, rows }, null, 1),
  );
if (mdOut) writeFileSync(join(root, "BENCHMARKS.md"), markdown());

/** BENCHMARKS.md: every row of this run, each target judged from its own ratio, then bench/notes.md. */
function markdown() {
  const fmt = (r) =>
    r.unit === "B"
      ? r.value.toLocaleString("en-US")
      : r.value >= 100
        ? r.value.toFixed(0)
        : r.value >= 10
          ? r.value.toFixed(1)
          : r.value.toFixed(2);
  const verdict = (r) => {
    const m = /target (>=|<=|>) ?([\d.]+)/.exec(r.name) ?? /target (>=|<=|>) ?([\d.]+)/.exec(r.note);
    if (!m || !Number.isFinite(r.value)) return "";
    const t = Number(m[2]);
    const ok = m[1] === "<=" ? r.value <= t : m[1] === ">" ? r.value > t : r.value >= t;
    return ok ? "met" : "**missed**";
  };
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const lines = [
    "# Benchmarks",
    "",
    "Generated by `npm run bench -- --md` (`bench/run.mjs`); the notes at the end are `bench/notes.md`. One process,",
    "the same seeded inputs for every contender, every contender's outputs compared with the others' before its time",
    "counts. Values are medians; ratios are computed within this one run.",
    "",
    `Run of ${when} UTC: Node ${process.version}, ${cpus().length} x ${cpu}${quick ? ", quick mode" : ""}; medians of ${REPS} runs.`,
    `Load average (1/5/15 min): ${loadStart} at the start, ${loadEnd} at the end — the machine is shared; read the ratios.`,
    "",
    "| | row | value | | target |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.group} | ${r.name.replace(/\|/g, "\\|")}${r.note ? ` (${r.note})` : ""} | ${fmt(r)} | ${r.unit} | ${verdict(r)} |`,
    ),
    "",
  ];
  const notes = join(root, "bench", "notes.md");
  return lines.join("\n") + (existsSync(notes) ? `\n${readFileSync(notes, "utf8")}` : "");
}
