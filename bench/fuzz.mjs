// Fuzz benchmark: generation + labelling of mixed valid/near-valid vfio_irq_set cases.
//   wasm: assembly/fuzz generators + the SET_IRQS oracle labels, one batch call (fuzz_gen_batch)
//   ts-xorshift: the same case mix hand-written in plain JS (xorshift32), labelled by a JS port of
//                vfio_set_irqs_validate_and_prepare + the PCI action dispatch
//   fast-check: the same mix from fast-check arbitraries (fc.sample), same JS labeller; once more
//               through fc.noBias (the target is judged against the faster of the two)
// Every contender's labels are compared (checkLabels): the wasm's with the library's SET_IRQS oracle
// (build/release.wasm, oracle_set_irqs_batch) on the bytes it generated, and its batch's accepted
// count and hash with the per-case generator's; the JS labeller's with the same oracle at the stages
// it models (validate_and_prepare and the PCI dispatch) on the bytes each JS contender generated.
// Run directly (node bench/fuzz.mjs [--quick]) or through bench/run.mjs (export run).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);

function tsGen(n, seed, counts, sink = null) {
  let s = seed | 1,
    acc = 0,
    h = 0;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const below = (k) => Math.floor((rnd() / 4294967296) * k);
  const buf = new Uint8Array(4096),
    dv = new DataView(buf.buffer);
  for (let i = 0; i < n; i++) {
    const cls = below(16) < 6 ? 0 : 1 + below(18);
    const index = below(5),
      valN = counts[index];
    const act = below(16) < 11 ? 0x20 : below(2) ? 0x08 : 0x10;
    let dt = below(16) < 5 ? 1 : below(16) < 6 ? 2 : 4;
    if (cls >= 13) dt = cls === 18 ? 2 : 4;
    let start = 0,
      count = 1;
    if (valN > 0) {
      start = below(16) < 11 ? 0 : below(valN);
      const room = valN - start;
      count = 1 + below(Math.min(room, 16));
    }
    let flags = dt | act,
      pc = count;
    if (cls === 4) flags |= 1 << (6 + below(26));
    else if (cls === 5) flags &= ~7;
    else if (cls === 6) flags = (flags & ~7) | [3, 5, 6, 7][below(4)];
    else if (cls === 7) flags &= ~0x38;
    else if (cls === 8) flags = (flags & ~0x38) | [0x18, 0x28, 0x30, 0x38][below(4)];
    else if (cls === 9) count = 0xffffffff - start + below(start + 1);
    else if (cls === 10) {
      start = valN + below(8);
      count = below(4);
      pc = count;
    }
    const esz = dt === 2 ? 1 : dt === 4 ? 4 : 0;
    for (let k = 0; k < pc; k++) {
      if (esz === 1) buf[20 + k] = below(2);
      else if (esz === 4) dv.setInt32(20 + 4 * k, below(16) < 13 ? 100 + below(32) : -1, true);
    }
    let len = 20 + pc * esz,
      argsz = len;
    if (cls === 1) argsz = below(20);
    else if (cls === 2) {
      len += 1 + below(16);
      argsz = len;
    } else if (cls === 3) argsz = len + 1 + below(64);
    else if (cls === 13 && pc * esz > 0) {
      len -= 1 + below(pc * esz);
      argsz = len;
    }
    dv.setUint32(0, argsz, true);
    dv.setUint32(4, flags >>> 0, true);
    dv.setUint32(8, index, true);
    dv.setUint32(12, start, true);
    dv.setUint32(16, count >>> 0, true);
    const r = jsLabel(argsz, flags >>> 0, index, start, count >>> 0, counts);
    if (sink !== null) sink.add(buf, len, r);
    acc += r >= 0 ? 1 : 0;
    h = (h + len + r) | 0;
  }
  return acc + (h & 0);
}
// vfio_set_irqs_validate_and_prepare (EINVAL) then the PCI dispatch (ENOTTY)
function jsLabel(argsz, flags, index, start, count, counts) {
  if (argsz < 20 || index >= 5 || count >= 0xffffffff - start || flags & ~0x3f) return -22;
  const n = counts[index];
  if (start >= n || start + count > n) return -22;
  const dt = flags & 7,
    esz = dt === 1 ? 0 : dt === 2 ? 1 : dt === 4 ? 4 : -1;
  if (esz < 0) return -22;
  if (esz && argsz - 20 < count * esz) return -22;
  const act = flags & 0x38;
  if (act !== 8 && act !== 0x10 && act !== 0x20) return -25;
  if (index > 0 && act !== 0x20) return -25;
  return 0;
}

function fcGen(fc, n, counts, unbiased, sink = null) {
  const rec = fc.record({
    cls: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 10, arbitrary: fc.integer({ min: 1, max: 18 }) }),
    index: fc.integer({ min: 0, max: 4 }),
    act: fc.constantFrom(0x20, 0x20, 0x20, 0x08, 0x10),
    dt: fc.constantFrom(1, 2, 4, 4),
    start: fc.nat(16),
    count: fc.integer({ min: 1, max: 16 }),
    fds: fc.array(fc.integer({ min: -1, max: 131 }), { maxLength: 16 }),
    extra: fc.nat(0xffffffff),
    slack: fc.integer({ min: 1, max: 16 }),
  });
  const arb = unbiased ? fc.noBias(rec) : rec;
  let acc = 0;
  const buf = new Uint8Array(4096),
    dv = new DataView(buf.buffer);
  const batch = 10000;
  for (let done = 0; done < n; done += batch) {
    for (const c of fc.sample(arb, { numRuns: Math.min(batch, n - done), seed: done + 1 })) {
      const n2 = counts[c.index],
        start = n2 ? c.start % n2 : 0,
        count = Math.min(c.count, Math.max(n2 - start, 1));
      let flags = c.dt | c.act;
      if (c.cls === 4) flags |= 0x40 << (c.extra % 26);
      else if (c.cls === 5) flags &= ~7;
      else if (c.cls === 7) flags &= ~0x38;
      const esz = c.dt === 2 ? 1 : c.dt === 4 ? 4 : 0;
      for (let k = 0; k < count && k < c.fds.length; k++) {
        if (esz === 4) dv.setInt32(20 + 4 * k, c.fds[k], true);
        else if (esz) buf[20 + k] = c.fds[k] & 1;
      }
      let argsz = 20 + count * esz;
      if (c.cls === 1) argsz = c.extra % 20;
      else if (c.cls === 2) argsz += c.slack;
      dv.setUint32(0, argsz, true);
      dv.setUint32(4, flags, true);
      dv.setUint32(8, c.index, true);
      dv.setUint32(12, start, true);
      dv.setUint32(16, count, true);
      const r = jsLabel(argsz, flags, c.index, start, count, counts);
      if (sink !== null) sink.add(buf, 20 + count * esz + (c.cls === 2 ? c.slack : 0), r);
      acc += r >= 0 ? 1 : 0;
    }
  }
  return acc;
}

/**
 * Reference labels from the library's SET_IRQS oracle in its core module (build/release.wasm,
 * oracle_set_irqs_batch): a contender's cases are gathered in the core's memory and labelled a chunk
 * at a time. With `stages` (a set of rule ids) the contender's labeller models only those stages of
 * the kernel's checks: where the oracle's rule is one of them the verdicts must be equal, elsewhere
 * (a handler's state rule, or accepted) the contender must accept. Without it, verdict and rule
 * must both equal the oracle's.
 */
function labelChecker(core, block, what, stages = null) {
  const CHUNK = 4096,
    SLOT = 256;
  if (core.arena_reserve(64 + block.length * 4 + CHUNK * (SLOT + 16)) < 0) throw new Error("arena_reserve");
  const devp = (core.arena_ptr() >>> 0) + 64,
    index = devp + block.length * 4,
    out = index + CHUNK * 8,
    bufs = out + CHUNK * 8;
  new Uint32Array(core.memory.buffer, devp, block.length).set(block);
  const idx = new Uint32Array(core.memory.buffer, index, CHUNK * 2);
  const mem = new Uint8Array(core.memory.buffer);
  const want = new Int32Array(CHUNK),
    wantRule = new Int32Array(CHUNK);
  let n = 0,
    checked = 0;
  const flush = () => {
    core.oracle_set_irqs_batch(0, bufs, index, n, devp, out);
    const got = new Int32Array(core.memory.buffer, out, 2 * n);
    for (let i = 0; i < n; i++) {
      const ret = got[i],
        rule = got[n + i];
      const ok = stages ? want[i] === (stages.has(rule) ? ret : 0) : want[i] === ret && wantRule[i] === rule;
      if (!ok)
        throw new Error(
          `bench fuzz: ${what} case ${checked + i}: label ${want[i]} (rule ${wantRule[i]}), oracle ${ret} (rule ${rule})`,
        );
    }
    checked += n;
    n = 0;
  };
  return {
    /** Case bytes b[0..len), the contender's verdict (ret or -errno) and rule id (-1: none). */
    add(b, len, ret, rule = -1) {
      if (len > SLOT) throw new Error(`bench fuzz: ${what}: a case of ${len} bytes`);
      mem.set(b.subarray(0, len), bufs + n * SLOT);
      idx[2 * n] = n * SLOT;
      idx[2 * n + 1] = len;
      want[n] = ret;
      wantRule[n] = rule;
      if (++n === CHUNK) flush();
    },
    /** Flush; the number of cases checked. */
    done() {
      if (n) flush();
      return checked;
    },
  };
}

// caseHash (assembly/fuzz/check.ts) recomputed: FNV-1a-style over the bytes' u64 words, then the label
const P = 0x100000001b3n,
  M64 = (1n << 64n) - 1n;
function caseHash(b, len, cls, ret, rule, status) {
  const dv = new DataView(b.buffer, b.byteOffset, len);
  let h = 0xcbf29ce484222325n,
    i = 0;
  for (; i + 8 <= len; i += 8) h = ((h ^ dv.getBigUint64(i, true)) * P) & M64;
  for (; i < len; i++) h = ((h ^ BigInt(b[i])) * P) & M64;
  h = ((h ^ BigInt(len)) * P) & M64;
  h = ((h ^ BigInt(cls)) * P) & M64;
  h = ((h ^ BigInt(ret >>> 0) ^ (BigInt(rule >>> 0) << 32n)) * P) & M64;
  return ((h ^ BigInt(status >>> 0)) * P) & M64;
}

/**
 * The wasm contender's cases 0..n-1 one at a time (fuzz_gen, the generator the batch runs): their
 * labels against the oracle, their accepted count and hash sum against fuzz_gen_batch's.
 */
function checkWasm(ex, devp, work, out, n, checker) {
  let acc = 0,
    h = 0n;
  for (let i = 0; i < n; i++) {
    const len = ex.fuzz_gen(4, 9, i, 0, devp, work, -1);
    const b = new Uint8Array(ex.memory.buffer, work, len);
    const ret = ex.fuzz_label_ret(),
      rule = ex.fuzz_label_rule();
    checker.add(b, len, ret, rule);
    acc += ret >= 0 ? 1 : 0;
    h = (h + caseHash(b, len, ex.fuzz_label_class(), ret, rule, ex.fuzz_label_status())) & M64;
  }
  checker.done();
  const bAcc = ex.fuzz_gen_batch(4, 9, 0, n, 0, devp, work, out);
  const bHash = new BigUint64Array(ex.memory.buffer, out, 1)[0];
  if (bAcc !== acc || bHash !== h)
    throw new Error(`bench fuzz: fuzz_gen_batch gave ${bAcc} accepted, hash ${bHash}; one at a time ${acc}, ${h}`);
}

/**
 * The contenders take turns, one timed run each per round after an untimed round (every contender
 * reaches its optimising tier: V8 tiers wasm up from Liftoff on a background thread, JS from the
 * interpreter), so a drift in the load reaches them alike; c.rate is the median of 5 rounds. Every
 * run's output (the accepted count, and the wasm's hash sum) must be the same: c.out.
 */
function inTurns(contenders) {
  for (const c of contenders) c.run(c.n);
  const rates = contenders.map(() => []);
  for (let r = 0; r < 5; r++)
    contenders.forEach((c, i) => {
      const t = performance.now();
      const o = c.run(c.n);
      rates[i].push(c.n / ((performance.now() - t) / 1000));
      if (r === 0) c.out = o;
      else if (o !== c.out) throw new Error(`bench fuzz: ${c.what}: run ${r} gave ${o}, run 0 ${c.out}`);
    });
  contenders.forEach((c, i) => {
    c.rate = rates[i].sort((a, b) => a - b)[2];
  });
}

/**
 * Every contender's labels against the library's oracle (see labelChecker): the wasm's NC first cases,
 * the TS generator's NC first cases (its whole run when NC = N), one run of each fast-check variant.
 * The number of JS cases checked.
 */
async function checkLabels(core, block, w, [, ts, fcc, fcu], { N, NF, NC, counts, fc }) {
  checkWasm(w.ex, w.devp, w.work, w.out, NC, labelChecker(core, block, "wasm"));
  // jsLabel's stages: vfio_set_irqs_validate_and_prepare, the one-action dispatch, the PCI (index, action) handlers
  const { R } = await import(new URL("dist/bindings/generated/wasm-abi.js", root).href);
  const stages = new Set(
    ["ARGSZ_MIN", "INDEX", "COUNT_OVERFLOW", "FLAGS_UNKNOWN", "START", "RANGE", "DATA_TYPE", "PAYLOAD_SHORT"]
      .concat(["ACTION", "NO_HANDLER"])
      .map((k) => R[k]),
  );
  const vTs = labelChecker(core, block, "TS xorshift", stages);
  if (tsGen(NC, 9, counts, vTs) !== ts.out && NC === N)
    throw new Error("bench fuzz: TS xorshift: the checked run differs");
  const n = vTs.done();
  for (const [unbiased, c] of [
    [false, fcc],
    [true, fcu],
  ]) {
    const v = labelChecker(core, block, c.what, stages);
    if (fcGen(fc, NF, counts, unbiased, v) !== c.out) throw new Error(`bench fuzz: ${c.what}: the checked run differs`);
    v.done();
  }
  return n;
}
export async function run({ quick = false } = {}) {
  const { deviceBlock } = await import(new URL("dist/bindings/oracle/model/device.js", root).href);
  const { qemuDevice } = await import(new URL("dist/bindings/oracle/model/qemu.js", root).href);
  const dev = qemuDevice("e1000e", "6.12");
  const block = deviceBlock(dev);
  const counts = [0, 1, 2, 3, 4].map((i) => dev.irqs.find((q) => q.index === i)?.count ?? 0);
  const load = (f) =>
    new WebAssembly.Instance(new WebAssembly.Module(readFileSync(fileURLToPath(new URL(f, root)))), {}).exports;
  const ex = load("build/fuzz.wasm"),
    core = load("build/release.wasm");
  const WS = ex.fuzz_work_size();
  ex.arena_reserve(0x4400 + WS + 4096);
  const work = ex.arena_ptr() + 0x4400,
    devp = work + WS,
    out = devp + 1024;
  new Uint32Array(ex.memory.buffer, devp, block.length).set(block);
  const N = quick ? 300_000 : 3_000_000,
    NF = quick ? 30_000 : 200_000,
    NC = Math.min(N, 300_000);
  const fc = (await import("fast-check")).default;
  const contenders = [
    {
      what: "wasm",
      n: N,
      run(n) {
        let acc = 0,
          h = 0n;
        for (let d = 0; d < n; d += 100_000) {
          acc += ex.fuzz_gen_batch(4, 9, d, Math.min(100_000, n - d), 0, devp, work, out);
          h += new BigUint64Array(ex.memory.buffer, out, 1)[0];
        }
        return `${acc} ${h & M64}`;
      },
    },
    { what: "TS xorshift", n: N, run: (n) => tsGen(n, 9, counts) },
    { what: "fast-check", n: NF, run: (n) => fcGen(fc, n, counts, false) },
    { what: "fast-check noBias", n: NF, run: (n) => fcGen(fc, n, counts, true) },
  ];
  inTurns(contenders);
  const [wasm, ts, fcc, fcu] = contenders;

  const nTs = await checkLabels(core, block, { ex, devp, work, out }, contenders, { N, NF, NC, counts, fc });
  // the target is judged against the faster fast-check (its default biased generation, or fc.noBias)
  const fcRate = Math.max(fcc.rate, fcu.rate);
  const wAcc = +wasm.out.split(" ")[0];

  // Each contender's accepted fraction is reported beside its rate: the corpora differ by
  // construction (the wasm labels with the full oracle, handler state included; the JS contenders
  // with the validate + dispatch labeller), and the mix shows by how much.
  const pct = (a, n) => `${((100 * a) / n).toFixed(1)}% accepted`;
  const M = (x) => +(x / 1e6).toFixed(3);
  const k = (n) => (n >= 1e6 ? `${n / 1e6} M` : `${n / 1e3}k`);
  return [
    {
      name: "fuzz: irq_set gen+label (wasm, oracle labels)",
      value: M(wasm.rate),
      unit: "M cases/s",
      note: `fuzz_gen_batch, mixed valid/near-valid, e1000e 6.12; ${pct(wAcc, N)}; labels of ${k(NC)} = the oracle's`,
    },
    {
      name: "fuzz: irq_set gen+label (TS xorshift)",
      value: M(ts.rate),
      unit: "M cases/s",
      note: `hand-written JS, validate+dispatch labeller; ${pct(ts.out, N)}; labels of ${k(nTs)} = the oracle's at its stages`,
    },
    {
      name: "fuzz: irq_set gen+label (fast-check)",
      value: M(fcc.rate),
      unit: "M cases/s",
      note: `fc.record arbitraries + fc.sample, same labeller; ${pct(fcc.out, NF)}; labels of all = the oracle's at its stages`,
    },
    {
      name: "fuzz: irq_set gen+label (fast-check noBias)",
      value: M(fcu.rate),
      unit: "M cases/s",
      note: `the same record through fc.noBias (no small-value bias, as the other generators); ${pct(fcu.out, NF)}; labels of all checked as above`,
    },
    {
      name: "fuzz: wasm / fast-check",
      value: +(wasm.rate / fcRate).toFixed(1),
      unit: "x",
      note: `target >= 40x; against the faster of the two (${fcRate === fcc.rate ? "default" : "noBias"})`,
    },
    { name: "fuzz: wasm / TS xorshift", value: +(wasm.rate / ts.rate).toFixed(2), unit: "x", note: "target > 1x" },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { parseOptions } = await import("../scripts/lib/options.mjs");
  const usage = "node bench/fuzz.mjs [--quick]";
  const { values } = parseOptions("bench fuzz", { usage, options: { quick: { type: "boolean" } } });
  const rows = await run({ quick: values.quick });
  for (const r of rows)
    console.log(`${r.name.padEnd(48)} ${String(r.value).padStart(9)} ${r.unit.padEnd(10)} ${r.note}`);
}
