// Hostile calls straight into the modules' exports (the C-like ABI a wasm2c or JS host uses): every
// pointer argument is checked against the memory map (outside the module's static data, inside
// memory, no wrap-around), batch entries cannot reach below their buffer, long-lived instances keep
// answering the same after millions of random calls, and the wasm2js build answers exactly like the
// .wasm on the same calls, unaligned pointers included.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SCALE, Tally, exportsOf, instance, lib, sameBytes, staticBytes, SCHEMA_ABI as W } from "./helpers.mjs";
import {
  ARENA_BYTES,
  pciDevice,
  rawCalls,
  irqSetBytes,
  regionInfoWithCap,
  wasm2jsDifferential,
} from "./random-classes.mjs";

const { Status, REC_SIZE } = lib;
const E_ORACLE_RANGE = W.outOfRange.value;
const sid = (name) => lib.structByName(name).id;
const WORK_SIZE = (await instance("fuzz")).fuzz_work_size();
const DEV_BYTES = W.oracle.devWords * 4;
const tally = new Tally();

/** Little helpers over one instance's memory (views are re-made: memory may grow). */
const mem = (ex) => new Uint8Array(ex.memory.buffer);
const put = (ex, at, bytes) => mem(ex).set(bytes, at);
const putU32 = (ex, at, words) => new Uint32Array(ex.memory.buffer, at, words.length).set(words);

/**
 * One valid call per pointer-taking export, laid out in the arena, and how to tell that a call was
 * refused. Each recipe returns { args, ptrs: { name: [index, bytes] }, refused(result, ex) }.
 */
function recipes(module, ex) {
  const A = ex.arena_ptr() >>> 0;
  const at = (k) => A + 0x1000 * k;
  const r = {};
  if (module === "core") {
    const set = irqSetBytes(),
      info = regionInfoWithCap(),
      irqInfo = lib.encode("vfio_irq_info", { index: 0, count: 1 });
    put(ex, at(1), set);
    put(ex, at(2), info);
    put(
      ex,
      at(3),
      new Uint8Array(16 * 4).fill(0).map((_, i) => (i % 16 === 0 ? 16 : 0)),
    );
    putU32(ex, at(4), pciDevice());
    putU32(ex, at(5), [0, set.length]); // batch index: one entry at bufs + 0
    putU32(ex, at(6), [0, info.length]);
    const cap = lib.encode("vfio_region_info_cap_type", { type: 1, subtype: 2 });
    put(ex, at(7), cap);
    putU32(ex, at(8), [at(7), cap.length]); // caps_build list: (ptr, len)
    put(ex, at(9), irqInfo);
    const fixed = ex.struct_size(sid("vfio_region_info"), 0);
    const capOff = lib.O_VFIO_REGION_INFO__CAP_OFFSET;
    const rangeOrBad = (v) => v === Status.E_RANGE;
    r.parse = {
      args: [sid("vfio_region_info"), 0, at(2), info.length, at(20), 64, 0],
      ptrs: { src: [2, info.length], out: [4, 64 * REC_SIZE] },
      refused: rangeOrBad,
    };
    r.parse_window = {
      args: [sid("vfio_region_info"), 0, at(2), info.length, at(20), 64, 0, 0],
      ptrs: { src: [2, info.length], out: [4, 64 * REC_SIZE] },
      refused: rangeOrBad,
    };
    r.encode_fields = {
      args: [sid("vfio_irq_info"), 0, at(20), 64, at(9), 0],
      ptrs: { dst: [2, 64], vals: [4, 512] },
      refused: rangeOrBad,
    };
    r.irq_set_encode = {
      args: [0, at(20), 64, 24, lib.VFIO_IRQ_SET_DATA_EVENTFD | lib.VFIO_IRQ_SET_ACTION_TRIGGER, 1, 0, 1, at(9), 1],
      ptrs: { dst: [1, 64], payload: [8, 4] },
      refused: rangeOrBad,
    };
    r.caps_build = {
      args: [sid("vfio_region_info"), 0, at(20), 256, fixed, 0xffffffff, at(8), 1],
      ptrs: { dst: [2, 256], list: [6, 8] },
      entry: at(8), // the list's own pointer is checked too
      refused: rangeOrBad,
    };
    r.irq_info_decode_batch = {
      args: [0, at(3), 4, at(20)],
      ptrs: { src: [1, 64], dst: [3, 64] },
      refused: rangeOrBad,
    };
    r.caps_walk = {
      args: [0, at(2), info.length, fixed, fixed, at(20), 8],
      ptrs: { buf: [1, info.length], out: [5, 96] },
      refused: rangeOrBad,
    };
    r.caps_walk_batch = {
      args: [0, at(2), at(6), 1, fixed, capOff, lib.VFIO_REGION_INFO_FLAG_CAPS, at(20), at(21), 8],
      ptrs: { index: [2, 8], counts: [7, 4], tuples: [8, 96] },
      refused: rangeOrBad,
      // bufs: the entry alone is refused (its count is E_RANGE), the call answers 0 caps
      bufs: [1, info.length, (ex2) => new Int32Array(ex2.memory.buffer, at(20), 1)[0] === Status.E_RANGE],
    };
    r.read_u32 = { args: [0, at(1)], ptrs: { p: [1, 4] }, refused: (v) => v === 0 };
    r.oracle_set_irqs = {
      args: [0, at(1), set.length, at(4), 0],
      ptrs: { buf: [1, set.length], dev: [3, DEV_BYTES] },
      refused: (v) => v === E_ORACLE_RANGE,
    };
    r.oracle_lvu_slot = {
      args: [at(4), 1, 3],
      ptrs: { dev: [0, DEV_BYTES] },
      refused: (v) => v === E_ORACLE_RANGE,
    };
    const entryRefused = (ex2) => new Int32Array(ex2.memory.buffer, at(20), 1)[0] === E_ORACLE_RANGE;
    r.oracle_set_irqs_batch = {
      args: [0, at(1), at(5), 1, at(4), at(20)],
      ptrs: { index: [2, 8], dev: [4, DEV_BYTES], out: [5, 8] },
      refused: (v) => v === E_ORACLE_RANGE,
      bufs: [1, set.length, entryRefused],
    };
    r.irq_set_validate_batch = {
      args: [0, at(1), at(5), 1, at(4), at(20)],
      ptrs: { index: [2, 8], dev: [4, DEV_BYTES], out: [5, 8] },
      refused: (v) => v === E_ORACLE_RANGE,
      bufs: [1, set.length, entryRefused],
    };
  } else {
    putU32(ex, at(4), pciDevice());
    putU32(ex, at(5), [0]); // one profile word
    const set = irqSetBytes();
    put(ex, at(1), set);
    const badArg = (v) => v === Status.E_BAD_ARG || v === Status.E_RANGE;
    r.fuzz_gen = {
      args: [sid("vfio_irq_set"), 1, 0, 0, at(4), at(10), -1],
      ptrs: { dev: [4, DEV_BYTES], work: [5, WORK_SIZE] },
      refused: badArg,
    };
    r.fuzz_mutate = {
      args: [sid("vfio_irq_set"), 0, at(1), set.length, at(2), 256, 7n, at(10)],
      ptrs: { src: [2, set.length], dst: [4, 256], work: [7, WORK_SIZE] },
      refused: badArg,
    };
    r.fuzz_campaign = {
      args: [1, 0, 2, at(5), 1, at(4), 1, at(10), at(30)],
      ptrs: { profs: [3, 4], devs: [5, DEV_BYTES], work: [7, WORK_SIZE], out: [8, 640] },
      refused: badArg,
    };
    r.fuzz_gen_batch = {
      args: [sid("vfio_irq_set"), 1, 0, 2, 0, at(4), at(10), at(30)],
      ptrs: { dev: [5, DEV_BYTES], work: [6, WORK_SIZE], out: [7, 8] },
      refused: badArg,
    };
  }
  return r;
}

/** Addresses a pointer of `n` bytes must not take: static data, straddling, past the end, wrapping. */
function badPointers(ex, n) {
  const A = ex.arena_ptr() >>> 0,
    end = ex.memory.buffer.byteLength;
  return [0, 8, A >>> 1, A - 8, A - 1, end - n + 1, end, end + 64, 0xfffffff0, 0xffffffff].filter(
    (p) => !(p >= A && p + n <= end),
  );
}

for (const module of ["core", "fuzz"]) {
  test(`${module}: every pointer of every export is checked against the memory map (static data refused, nothing written)`, async () => {
    const ex = await instance(module);
    assert.equal(ex.arena_reserve(ARENA_BYTES), Status.OK);
    const r = recipes(module, ex);
    // the contract's exports with pointer parameters all have a recipe
    const withPtr = exportsOf(module).filter((f) => f.params.some((p) => p.type === "usize"));
    assert.deepEqual(withPtr.map((f) => f.name).sort(), Object.keys(r).sort());
    const before = staticBytes(ex);
    let calls = 0;
    for (const f of withPtr) {
      const rec = r[f.name];
      const ok = ex[f.name](...rec.args);
      // (the oracle answers the kernel's verdict: a negative errno is an answer, not a refusal)
      const answers = f.name === "read_u32" || f.name.startsWith("oracle_") || ok >= 0;
      assert.ok(!rec.refused(ok, ex) && answers, `${f.name}: the valid call answers ${ok}`);
      calls++;
      const names = f.params.map((p) => p.name);
      for (const [pname, [i, n]] of Object.entries(rec.ptrs)) {
        assert.equal(names[i], pname, `${f.name}: parameter ${i} is ${pname}`);
        for (const p of badPointers(ex, n)) {
          const args = rec.args.slice();
          args[i] = p | 0;
          const v = ex[f.name](...args);
          assert.ok(rec.refused(v, ex), `${f.name}(${pname} = 0x${(p >>> 0).toString(16)}) answers ${v}`);
          calls++;
        }
      }
      if (rec.bufs) {
        const [i, n, entryRefused] = rec.bufs;
        for (const p of badPointers(ex, n)) {
          const args = rec.args.slice();
          args[i] = p | 0;
          ex[f.name](...args);
          assert.ok(entryRefused(ex), `${f.name}(bufs = 0x${(p >>> 0).toString(16)}): the entry is refused`);
          calls++;
        }
      }
      if (rec.entry !== undefined) {
        // caps_build's list entries point at the caps: checked like any pointer
        for (const p of badPointers(ex, 16)) {
          new Uint32Array(ex.memory.buffer, rec.entry, 1)[0] = p;
          assert.equal(ex[f.name](...rec.args), Status.E_RANGE, `caps_build list entry 0x${(p >>> 0).toString(16)}`);
          calls++;
        }
      }
      assert.ok(sameBytes(staticBytes(ex), before), `${f.name} changed the module's static data`);
    }
    tally.add(`${module} pointer map`, calls, { exports: withPtr.length });
  });
}

test("batch entries: bufs + offset that wraps past 2^32 is refused, never read below bufs", async () => {
  const ex = await instance("core");
  ex.arena_reserve(ARENA_BYTES);
  const A = ex.arena_ptr() >>> 0;
  const set = irqSetBytes(),
    info = regionInfoWithCap();
  const low = A + 0x1000,
    bufs = A + 0x8000,
    dev = A + 0x2000,
    index = A + 0x3000,
    out = A + 0x4000;
  put(ex, low, set);
  put(ex, low + 0x100, info);
  putU32(ex, dev, pciDevice());
  let calls = 0;
  // offsets that wrap to `low` (a valid buffer the wrap would read) and to static data
  for (const target of [low, low + 0x100, 16, A - 64]) {
    const off = (target - bufs + 2 ** 32) >>> 0;
    putU32(ex, index, [off, target >= A ? 64 : 32]);
    assert.equal(ex.oracle_set_irqs_batch(0, bufs, index, 1, dev, out), 0);
    assert.equal(
      new Int32Array(ex.memory.buffer, out, 1)[0],
      E_ORACLE_RANGE,
      `oracle batch, wrap to 0x${target.toString(16)}`,
    );
    assert.equal(ex.irq_set_validate_batch(0, bufs, index, 1, dev, out), 0);
    assert.equal(
      new Int32Array(ex.memory.buffer, out, 1)[0],
      E_ORACLE_RANGE,
      `validate batch, wrap to 0x${target.toString(16)}`,
    );
    const fixed = ex.struct_size(sid("vfio_region_info"), 0);
    assert.equal(
      ex.caps_walk_batch(
        0,
        bufs,
        index,
        1,
        fixed,
        lib.O_VFIO_REGION_INFO__CAP_OFFSET,
        lib.VFIO_REGION_INFO_FLAG_CAPS,
        out,
        out + 64,
        8,
      ),
      0,
    );
    assert.equal(
      new Int32Array(ex.memory.buffer, out, 1)[0],
      Status.E_RANGE,
      `caps walk batch, wrap to 0x${target.toString(16)}`,
    );
    calls += 3;
  }
  // the same entries without the wrap are read (the refusal above is the wrap's, not the buffer's)
  putU32(ex, index, [low - A, set.length]);
  ex.oracle_set_irqs_batch(0, A, index, 1, dev, out);
  assert.notEqual(new Int32Array(ex.memory.buffer, out, 1)[0], E_ORACLE_RANGE, "the entry itself is read");
  tally.add("batch wrap-around", calls + 1);
});

// ---------------------------------------------------------------- random calls
for (const module of ["core", "fuzz"]) {
  const calls = Math.round((module === "core" ? 1_500_000 : 60_000) * SCALE);
  test(`${module}: ${calls.toLocaleString("en-US")} random calls on one long-lived instance: no trap, static data and answers unchanged, memory not grown`, async () => {
    const r = await rawCalls(module, module === "core" ? 12 : 34, calls);
    tally.add(`${module} random raw calls`, r.calls, { exports: r.exports });
  });
}

test("wasm2js answers exactly like the .wasm on the same random calls (unaligned pointers, memory compared)", async () => {
  const n = Math.round(40_000 * SCALE);
  for (const module of ["core", "fuzz"]) {
    const r = await wasm2jsDifferential(module, module === "core" ? 77 : 78, module === "core" ? n : n >> 3);
    tally.add(`wasm2js differential (${module})`, r.calls);
  }
});

test("hostile raw-export summary", () => {
  tally.report("raw exports");
  assert.ok(tally.total > 0);
});
