// Generated attacks on the arguments of every public function: wrong kinds and shapes of every
// argument (null and odd struct names, options with wrong-typed fields, value objects with bigints,
// nulls and strings where numbers and objects belong, every typed-array view), byte views that must
// be read as their own bytes, capability chains broken at a random link, and profile strings and
// maxCaps values that must be read strictly. Each function returns the calls it made and throws an
// AssertionError naming the first call that broke a rule.
import assert from "node:assert/strict";
import { bytesOf, vectors } from "../vectors/golden.mjs";
import { lib, rng } from "./helpers.mjs";

const { VfioAbiError } = lib;

/** Loaders take a module or exports from the host and swap the instance: not attacked here. */
const LOADERS = new Set(["init", "initSync", "initWithExports", "initFuzz", "initFuzzSync", "initFuzzWithExports"]);
const isClass = (f) => /^class\b/.test(Function.prototype.toString.call(f));
/** Every public function of the package (classes and loaders aside), by name. */
export const PUBLIC_FUNCTIONS = Object.entries(lib)
  .filter(([name, f]) => typeof f === "function" && !isClass(f) && !LOADERS.has(name))
  .map(([name]) => name)
  .sort();

const STRUCTS = lib.SCHEMA.structs.map((s) => s.name);
const GOLDEN = vectors.map((v) => ({ ...v, bytes: bytesOf(v.hex) }));
const VIEWS = [
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

/** Bytes `b` seen through a random view class, at a random offset inside a larger buffer. */
function viewOf(R, b) {
  const V = R.pick([...VIEWS, DataView, Uint8Array]);
  const w = V.BYTES_PER_ELEMENT ?? 1;
  const pad = w * R.int(4);
  const len = Math.ceil(b.length / w) * w;
  const buf = new ArrayBuffer(pad + len + w * R.int(3));
  new Uint8Array(buf).fill(0xa5);
  new Uint8Array(buf, pad, b.length).set(b);
  // a view covering exactly b when its elements divide b's length, else the whole elements around it
  const view = V === DataView ? new DataView(buf, pad, b.length) : new V(buf, pad, len / w);
  return { view, bytes: new Uint8Array(buf, pad, view.byteLength) };
}

const NUMBERS = [0, 1, -1, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 + 1, 2 ** 53, -(2 ** 63)];
const BIGINTS = [0n, 7n, -1n, 2n ** 32n, 2n ** 64n, 2n ** 64n + 3n, -(2n ** 63n)];
const STRINGS = ["", "x", "6.6.junk", "vfio_irq_info", "18446744073709551619", "0x", "__proto__", "toString"];

/** A hostile value: anything a caller might pass, nested a little. */
function hostile(R, depth = 0) {
  switch (R.int(depth > 1 ? 6 : 10)) {
    case 0:
      return R.pick([undefined, null, true, false, Symbol("s"), () => 1]);
    case 1:
      return R.pick(NUMBERS);
    case 2:
      return R.pick(BIGINTS);
    case 3:
      return R.pick([...STRINGS, ...STRUCTS.slice(0, 4)]);
    case 4:
      return viewOf(R, R.pick(GOLDEN).bytes).view;
    case 5:
      return R.pick([Object.create(null), {}, [], new ArrayBuffer(8), new Date(0), new Map()]);
    case 6:
      return Array.from({ length: R.int(4) }, () => hostile(R, depth + 1));
    default:
      return hostileObject(R, depth + 1);
  }
}

/** Keys options, values, caps and messages use: each given a hostile or a plausible value. */
const KEYS = [
  ["argsz", () => 16],
  ["flags", () => 0x24],
  ["index", () => 1],
  ["start", () => 0],
  ["count", () => 1],
  ["data", () => [7]],
  ["caps", () => [{ header: { id: 1, version: 1 } }]],
  ["header", () => ({ id: 1, version: 1 })],
  ["proposals", () => []],
  ["epoch", () => "6.1"],
  ["arch", () => "x86_64"],
  ["endian", () => "big"],
  ["model", () => "ilp32"],
  ["maxCaps", () => 4],
  ["maxInput", () => 1 << 20],
  ["command", () => "VERSION"],
  ["body", () => ({})],
  ["$", () => ({ length: 64 })],
  ["driver", () => "vfio-pci"],
  ["irqs", () => [{ index: 0, count: 1, flags: 7 }]],
];
function hostileObject(R, depth) {
  const o = R.chance(0.1) ? Object.create(null) : {};
  for (let k = R.int(4); k > 0; k--) {
    const [key, plausible] = R.pick(KEYS);
    o[key] = R.chance(0.4) ? plausible() : hostile(R, depth);
  }
  return o;
}

/** An argument for position i: plausible first arguments half the time (so calls get past the first check). */
function argument(R, i) {
  if (R.chance(0.5)) return hostile(R);
  if (i === 0) return R.pick([R.pick(STRUCTS), R.pick(GOLDEN).bytes, hostileObject(R, 0)]);
  if (i === 1) return R.chance(0.5) ? R.pick(GOLDEN).bytes : hostileObject(R, 0);
  return R.chance(0.5) ? hostileObject(R, 0) : R.pick(NUMBERS);
}

/** Call f(...args): a value or one of the library's typed errors, nothing else. */
function typedOnly(name, args, i, seed) {
  try {
    const r = lib[name](...args);
    if (r && typeof r.then === "function") assert.fail(`${name} returned a promise`);
    return r;
  } catch (e) {
    if (e instanceof VfioAbiError) return e;
    const shown = args.map((a) => (a !== null && typeof a === "object" ? a.constructor?.name : typeof a)).join(", ");
    assert.fail(
      `seed ${seed} call ${i}: ${name}(${shown}) threw ${e?.constructor?.name ?? typeof e}: ${e?.message ?? String(e)}`,
    );
  }
}

/**
 * `calls` calls of random public functions with random hostile arguments: each returns or throws a
 * typed error; inspect() and inspectMessage() only return.
 */
export function apiArguments(seed, calls) {
  const R = rng(seed);
  for (let i = 0; i < calls; i++) {
    const name = R.pick(PUBLIC_FUNCTIONS);
    const n = Math.max(lib[name].length, 1) + R.int(2);
    const args = Array.from({ length: n }, (_, k) => argument(R, k));
    const r = typedOnly(name, args, i, seed);
    if (name === "inspect" && r instanceof VfioAbiError) assert.fail(`seed ${seed} call ${i}: inspect threw ${r.code}`);
  }
  return { calls };
}

/**
 * Views: decode, inspect, walkCaps and the fast decoders read any typed array, DataView or
 * ArrayBuffer as the bytes it covers. The answer equals that of a Uint8Array over the same bytes.
 */
export function viewsAsBytes(seed, calls) {
  const R = rng(seed);
  const text = (f) => {
    try {
      return JSON.stringify(lib.toJSONValue(f()));
    } catch (e) {
      assert.ok(e instanceof VfioAbiError, `${e?.constructor?.name}: ${e?.message}`);
      return `${e.code} ${e.offset} ${e.field}`;
    }
  };
  let n = 0;
  for (let i = 0; i < calls; i++) {
    const v = R.pick(GOLDEN);
    const opts = { epoch: v.epoch, arch: v.arch };
    const { view, bytes } = viewOf(R, v.bytes);
    const copy = bytes.slice();
    const fast =
      lib[`decode${v.struct.replace(/^vfio_/, "").replace(/(^|_)(\w)/g, (_, _u, c) => c.toUpperCase())}Fast`];
    const pairs = [
      [() => lib.decode(v.struct, view, opts), () => lib.decode(v.struct, copy, opts)],
      [() => lib.inspect(v.struct, view, opts).value, () => lib.inspect(v.struct, copy, opts).value],
    ];
    if (fast) pairs.push([() => fast(view, opts), () => fast(copy, opts)]);
    if (lib.structByName(v.struct).capOffsetLocal >= 0 && v.struct !== "vfio_irq_info")
      pairs.push([() => lib.walkCaps(v.struct, view, opts), () => lib.walkCaps(v.struct, copy, opts)]);
    for (const [a, b] of pairs) {
      assert.equal(text(a), text(b), `seed ${seed} call ${i}: ${v.name} through a ${view.constructor.name}`);
      n += 2;
    }
  }
  return { calls: n };
}

/**
 * Broken links: a chain of 1 to 5 capabilities with one `next` (or cap_offset) set to a value that
 * cannot be followed (into the fixed header, backwards, onto itself, past the end, misaligned).
 * walkCaps and decode both fail at that link: the byte offset of that `next`, and its field.
 */
export function brokenLinks(seed, calls) {
  const R = rng(seed);
  let n = 0;
  for (let i = 0; i < calls; i++) {
    const epoch = R.pick(["6.1", "6.6"]);
    const caps = Array.from({ length: 1 + R.int(5) }, () => ({
      struct: "vfio_region_info_cap_type", // named by its struct: strict encode knows its fields
      type: R.int(8),
      subtype: R.int(8),
    }));
    const b = lib.encode("vfio_region_info", { index: R.int(9), size: 4096, caps }, { epoch });
    const d = lib.decode("vfio_region_info", b, { epoch });
    const fixed = lib.wasm().struct_size(lib.structByName("vfio_region_info").id, lib.resolveProfile({ epoch }).word);
    const k = R.int(d.caps.length + 1) - 1; // -1: cap_offset itself
    const from = k < 0 ? 0 : d.caps[k].offset;
    const at = k < 0 ? lib.O_VFIO_REGION_INFO__CAP_OFFSET : from + lib.O_VFIO_INFO_CAP_HEADER__NEXT;
    const bad = R.pick([
      () => 1 + R.int(fixed - 1), // into the fixed struct
      () => b.length + R.int(64), // past the end
      () => b.length - R.int(7), // a header that would run past the end
      () => 0x80000000 + R.int(0x7fffffff), // far past the end
      ...(k >= 0 ? [() => from, () => Math.max(fixed, from - 8 * R.int(3))] : []), // itself, backwards
    ])();
    const c = b.slice();
    new DataView(c.buffer).setUint32(at, bad, true);
    const field = k < 0 ? "cap_offset" : "header.next";
    for (const [what, f] of [
      ["walkCaps", () => lib.walkCaps("vfio_region_info", c, { epoch })],
      ["decode", () => lib.decode("vfio_region_info", c, { epoch })],
    ]) {
      let e = null;
      try {
        f();
      } catch (x) {
        e = x;
      }
      const where = `seed ${seed} call ${i}: ${what}, cap ${k} of ${d.caps.length}, next at ${at} = ${bad}`;
      assert.ok(e instanceof lib.CapChainError, `${where}: ${e?.constructor?.name} ${e?.message}`);
      assert.equal(e.offset, at, `${where}: error offset (${e.message})`);
      assert.ok(e.field === field || e.field === `caps[${k}].${field}`, `${where}: field ${e.field}`);
      n++;
    }
  }
  return { calls: n };
}

/**
 * Profile strings and maxCaps read strictly: a release is "MAJOR.MINOR" with an optional numeric
 * patch level (and a uname suffix after it) or -rcN; anything else is refused naming epoch. maxCaps
 * is an integer from 1 to 2^31 - 1 or refused naming maxCaps (never clamped, never wrapped).
 */
export function strictOptions(seed, calls) {
  const R = rng(seed);
  const PARTS = ["6", "1", "12", "7", "3", "0", "95", "junk", "", "rc1", "x", "+deb12-cloud-amd64", " ", "-rc2", "06"];
  const SEPS = [".", ".", ".", "-", "+", "", " "];
  const releaseLike = /^\d{1,3}\.\d{1,3}(\.\d{1,6}([-+~]\S*)?|-rc\d{1,3})?$/;
  const irq = GOLDEN.find((v) => v.struct === "vfio_region_info").bytes;
  let n = 0;
  for (let i = 0; i < calls; i++) {
    let epoch = R.pick(PARTS);
    for (let k = R.int(4); k > 0; k--) epoch += R.pick(SEPS) + R.pick(PARTS);
    let e = null;
    try {
      lib.resolveProfile({ epoch });
    } catch (x) {
      e = x;
    }
    const want = releaseLike.test(epoch);
    if (want) assert.equal(e, null, `seed ${seed}: epoch ${JSON.stringify(epoch)} refused: ${e?.message}`);
    else
      assert.ok(
        e instanceof lib.UsageError && e.field === "epoch",
        `seed ${seed}: epoch ${JSON.stringify(epoch)}: ${e?.constructor?.name} ${e?.field}`,
      );
    const m = R.pick([
      R.int(10),
      R.u32(),
      R.u32() * 2 ** 21,
      2 ** 32 + R.int(10),
      -R.int(10),
      R.next() * 10,
      2 ** 31 - 1,
      2 ** 31,
    ]);
    let w = null;
    try {
      lib.walkCaps("vfio_region_info", irq, { maxCaps: m });
    } catch (x) {
      w = x;
    }
    if (Number.isInteger(m) && m >= 1 && m <= 0x7fffffff)
      assert.ok(w === null || w.code === "E_CAP_TOO_MANY", `seed ${seed}: maxCaps ${m}: ${w?.message}`);
    else assert.ok(w instanceof lib.UsageError && w.field === "maxCaps", `seed ${seed}: maxCaps ${m}: ${w?.message}`);
    n += 2;
  }
  return { calls: n };
}
