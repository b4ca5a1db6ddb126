// The random attack classes of the hostile suite as functions of (seed, calls): the test files run
// them at the CI scale, tests/hostile/long-run.mjs runs them round after round for an offline run
// of any size. Each class throws an AssertionError naming the call that failed and otherwise
// returns what it measured; a class keeps its instances in a `state` object, so a long run calls
// the same long-lived instance again and again.
import assert from "node:assert/strict";
import { pciDevice } from "../../bench/corpus.mjs";
import { bytesOf, vectors } from "../vectors/golden.mjs";
import { exportsOf, instance, lib, rng, sameBytes, staticBytes } from "./helpers.mjs";

const { REC_SIZE, MEMORY_POLICY, VfioAbiError } = lib;
const sid = (name) => lib.structByName(name).id;
/** Arena the raw-export classes reserve: fixed, so any growth shows as a change of memory size. */
export const ARENA_BYTES = 1 << 20;

const mem = (ex) => new Uint8Array(ex.memory.buffer);
const put = (ex, at, bytes) => mem(ex).set(bytes, at);

export const irqSetBytes = () =>
  lib.encode("vfio_irq_set", {
    flags: lib.VFIO_IRQ_SET_DATA_NONE | lib.VFIO_IRQ_SET_ACTION_TRIGGER,
    index: 1,
    count: 0,
  });
export const regionInfoWithCap = () =>
  lib.encode("vfio_region_info", {
    index: 2,
    size: 4096,
    caps: [{ struct: "vfio_region_info_cap_type", type: 1, subtype: 2 }],
  });
export { pciDevice };

// ---------------------------------------------------------------- random raw-export calls
const LENS = [0, 1, 3, 7, 8, 16, 20, 24, 32, 64, 100, 4096, 65536, 0x7fffffff, 0x80000000, 0xffffffff];
const INTS = [0, 1, 2, 3, 4, 8, 16, 20, 32, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
const PROFS = [0, 1, 2, 4, 5, 6, 7, 8, 16, 0x104, 0xff1f, 0xffffffff];
const COUNTS = new Set(["len", "n", "outCap", "cap", "dstLen", "maxCaps", "tuplesCap", "npayload", "nprof", "ndev"]);
/** Exports that make n cases per call: keep n small. */
export const SLOW = new Set(["fuzz_campaign", "fuzz_gen_batch"]);

/** A random argument list for export f on instance ex: pointers, lengths and ids from hostile sets. */
export function randomArgs(f, ex, R) {
  const A = ex.arena_ptr() >>> 0,
    end = ex.memory.buffer.byteLength;
  const ptr = () => {
    const k = R.int(10);
    if (k < 5) return A + R.int(end - A); // anywhere in the arena, unaligned too
    if (k < 7) return end - R.int(64);
    if (k === 7) return R.int(A); // static data
    return R.pick([0, A - 1, end, 0xffffffff, 0x80000000]);
  };
  return f.params.map((p) => {
    if (p.type === "usize") return ptr() | 0;
    if (p.type === "u64" || p.type === "i64") return (BigInt(R.u32()) << 32n) | BigInt(R.u32());
    if (p.name === "prof") return PROFS[R.int(PROFS.length)] | 0;
    if (p.name === "sid" || p.name === "host") return R.int(ex.struct_count ? ex.struct_count() + 2 : 40) - 1;
    if (p.name === "n" && SLOW.has(f.name)) return R.int(4);
    if (COUNTS.has(p.name)) return (R.next() < 0.7 ? R.int(300) : R.pick(LENS)) | 0;
    return (R.next() < 0.5 ? R.int(64) : R.pick(INTS)) | 0;
  });
}

/** Parse every golden vector at a fixed place: the answers a healthy instance gives. */
export function probe(ex) {
  const A = ex.arena_ptr() >>> 0,
    src = A + 0x100,
    out = A + 0x10000;
  const answers = [];
  for (const v of vectors) {
    const b = bytesOf(v.hex);
    put(ex, src, b);
    const prof = lib.resolveProfile({ epoch: v.epoch, arch: v.arch }).word;
    const st = ex.parse(sid(v.struct), prof, src, b.length, out, 512, 0);
    const n = ex.rec_count() >>> 0;
    answers.push(st, Buffer.from(new Uint8Array(ex.memory.buffer, out, n * REC_SIZE)).toString("hex"));
  }
  return answers.join("|");
}

/** Fill the arena with a seeded mix of random bytes and real buffers (so calls get past the first checks). */
export function fillArena(ex, R) {
  const A = ex.arena_ptr() >>> 0,
    m = mem(ex);
  for (let i = A; i < m.length; i++) m[i] = R.next() < 0.6 ? 0 : R.int(256);
  const seeds = [irqSetBytes(), regionInfoWithCap(), ...vectors.map((v) => bytesOf(v.hex))];
  for (let k = 0; k < 400; k++) {
    const b = seeds[R.int(seeds.length)];
    const at = A + R.int(m.length - A - b.length);
    m.set(b, at);
  }
}

/**
 * `calls` random calls into the exports of `module` ("core" / "fuzz") on one long-lived instance
 * (kept in state across rounds): no trap, the static data never changes, memory never grows, and
 * afterwards the instance parses the golden vectors exactly as a fresh one does.
 */
export async function rawCalls(module, seed, calls, state = {}) {
  if (!state.ex) {
    state.ex = await instance(module);
    state.ex.arena_reserve(ARENA_BYTES);
    fillArena(state.ex, rng(seed ^ 0x5eed));
    state.static = staticBytes(state.ex);
    state.size = state.ex.memory.buffer.byteLength;
    if (module === "core") {
      const fresh = await instance(module);
      fresh.arena_reserve(ARENA_BYTES);
      state.want = probe(fresh);
    }
  }
  const { ex } = state;
  const R = rng(seed);
  const fns = exportsOf(module).filter((f) => f.name !== "arena_reserve");
  const perFn = new Set();
  for (let i = 0; i < calls; i++) {
    const f = fns[R.int(fns.length)];
    const args = randomArgs(f, ex, R);
    try {
      ex[f.name](...args);
    } catch (e) {
      assert.fail(`seed ${seed} call ${i}: ${f.name}(${args.join(", ")}) trapped: ${e.message}`);
    }
    perFn.add(f.name);
    if ((i & 4095) === 0 && !sameBytes(staticBytes(ex), state.static))
      assert.fail(`seed ${seed} call ${i}: ${f.name}(${args.join(", ")}) changed the static data`);
  }
  assert.ok(sameBytes(staticBytes(ex), state.static), `seed ${seed}: static data unchanged`);
  assert.equal(ex.memory.buffer.byteLength, state.size, `seed ${seed}: memory did not grow`);
  if (state.want) assert.equal(probe(ex), state.want, `seed ${seed}: the instance answers the golden vectors`);
  return { calls, exports: perFn.size, memory: ex.memory.buffer.byteLength };
}

/**
 * The wasm2js build against the .wasm: `calls` random calls of `module` on both, the answers, the
 * error value and (every 1024 calls for the core) the whole memory compared.
 */
export async function wasm2jsDifferential(module, seed, calls, state = {}) {
  if (!state.a) {
    state.a = await instance(module, "wasm");
    state.b = await instance(module, "js");
    for (const ex of [state.a, state.b]) ex.arena_reserve(ARENA_BYTES);
    assert.equal(state.a.memory.buffer.byteLength, state.b.memory.buffer.byteLength);
    fillArena(state.a, rng(seed ^ 0x5eed));
    fillArena(state.b, rng(seed ^ 0x5eed));
    assert.ok(sameBytes(mem(state.a), mem(state.b)), `${module}: same memory before the calls`);
  }
  const { a, b } = state;
  const R = rng(seed);
  const fns = exportsOf(module).filter((f) => f.name !== "arena_reserve" && !SLOW.has(f.name));
  for (let i = 0; i < calls; i++) {
    const f = fns[R.int(fns.length)];
    const args = randomArgs(f, a, R);
    const ra = a[f.name](...args),
      rb = b[f.name](...args);
    if (ra !== rb)
      assert.fail(`${module} seed ${seed} call ${i}: ${f.name}(${args.join(", ")}): wasm ${ra}, wasm2js ${rb}`);
    if (module === "core" && (i & 1023) === 0) {
      assert.equal(a.err_value(), b.err_value(), `seed ${seed} call ${i}: err_value`);
      assert.ok(sameBytes(mem(a), mem(b)), `${module} seed ${seed} call ${i} (${f.name}): memory differs`);
    }
  }
  assert.ok(sameBytes(mem(a), mem(b)), `${module} seed ${seed}: memory differs after ${calls} calls`);
  let extra = 0;
  if (module === "core") {
    // every unaligned read of a word gives the same bytes (the case wasm2js got wrong)
    const A = a.arena_ptr() >>> 0;
    for (let p = A; p < A + 4096; p++)
      for (const prof of [0, 1])
        assert.equal(b.read_u32(prof, p), a.read_u32(prof, p), `read_u32(${prof}, base + ${p - A})`);
    extra = 8192;
  }
  return { calls: calls + extra, memory: a.memory.buffer.byteLength };
}

// ---------------------------------------------------------------- the JavaScript API
/**
 * Grow the long-lived instance to the arena it may use (MEMORY_POLICY.residentArena) up front: any
 * growth past it (a call that should have gone to a fresh instance) then shows as a change of size.
 */
export function reserveResident() {
  lib.wasm().arena_reserve(MEMORY_POLICY.residentArena);
  return lib.memoryStats().residentBytes;
}

/** Run f; it must return or throw one of the library's typed errors. Returns the error or null. */
export function typed(f, what) {
  try {
    f();
    return null;
  } catch (e) {
    if (!(e instanceof VfioAbiError)) assert.fail(`${what}: untyped ${e?.constructor?.name}: ${e?.message}`);
    return e;
  }
}

const INSPECT_OPTS = [
  undefined,
  {},
  { maxCaps: 0 },
  { maxCaps: 2 ** 40 },
  { maxInput: -1 },
  { epoch: "6.6.junk" },
  { arch: "vax" },
  { proposals: "x" },
  { maxInput: 10 },
];
/** One inspect() call: it answers a result whatever it is given, with a typed error if any. */
export function inspectOnce(name, b, o) {
  let r;
  try {
    r = lib.inspect(name, b, o);
  } catch (e) {
    assert.fail(
      `inspect(${String(name)}, ${b?.constructor?.name} ${b?.length}, ${JSON.stringify(o)}) threw ${e?.constructor?.name}: ${e?.message}`,
    );
  }
  assert.equal(typeof r.ok, "boolean");
  if (!r.ok && r.error) assert.ok(r.error instanceof VfioAbiError, `${String(name)}: ${r.error?.constructor?.name}`);
}

/**
 * inspect() on random bytes of random sizes (half with a plausible argsz) under random options:
 * it never throws, and the long-lived instance's memory stays what it was.
 */
export function inspectRandom(seed, calls) {
  const R = rng(seed);
  reserveResident();
  const before = lib.memoryStats().residentBytes;
  for (let i = 0; i < calls; i++) {
    const len = R.next() < 0.9 ? R.int(300) : R.int(1 << 16);
    const b = new Uint8Array(len);
    for (let k = 0; k < len; k++) b[k] = R.next() < 0.5 ? 0 : R.int(256);
    if (len >= 4 && R.next() < 0.5) new DataView(b.buffer).setUint32(0, R.int(len + 8), true); // plausible argsz
    inspectOnce(lib.SCHEMA.structs[R.int(lib.SCHEMA.structs.length)].name, b, INSPECT_OPTS[R.int(INSPECT_OPTS.length)]);
  }
  assert.equal(lib.memoryStats().residentBytes, before, `seed ${seed}: resident memory back at its baseline`);
  return { calls, memory: before };
}
export { INSPECT_OPTS };
