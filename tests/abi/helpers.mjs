// Shared helpers for tests/abi: the codec (compiled bindings), gcc-produced golden objects
// (tests/c/reference.mjs: compile-only, memoised per process) and a leaf-wise comparison.
import assert from "node:assert/strict";
import * as codec from "../../dist/bindings/index.js";
import { gccReference } from "../c/reference.mjs";
import { missing } from "../c/toolchain.mjs";

export { codec };
export const { decode, encode, inspect, buildCaps, walkCaps, retryRequest, toHex, fromHex, SCHEMA } = codec;
export const ready = async () => {
  await codec.init?.();
};
export const hex = (b) => Buffer.from(b).toString("hex");

/** Skip option for suites that need a cross compiler (never skipped on CI: missing = failure). */
export const needGcc = (arch) => {
  const why = missing(arch);
  if (why && process.env.CI) throw new Error(`CI must install the ${arch} toolchain: ${why}`);
  return why ? { skip: `toolchain missing: ${why}` } : {};
};

/** A gcc golden object by arch, unit and case name: {bytes, meta (sizeof, cap offsets...), ...}. */
export function gccCase(arch, unit, name) {
  const u = gccReference(arch).units.find((x) => x.unit.id === unit);
  const g = u?.golden.find((x) => x.name === name);
  if (!g) throw new Error(`no gcc golden case ${arch}/${unit}/${name}`);
  return g;
}
/** gcc's layout numbers for a struct in a unit: {sizeof, alignof, <field path>: offset}. */
export function gccLayout(arch, unit, struct) {
  const u = gccReference(arch).units.find((x) => x.unit.id === unit);
  const e = u.layouts.find((x) => x.struct === struct);
  return Object.fromEntries(e.keys.map((k, i) => [k, e.got[i]]));
}
/** gcc's value of a VFIO_* constant (ioctl numbers included) in a unit. */
export function gccConst(arch, unit, name) {
  const u = gccReference(arch).units.find((x) => x.unit.id === unit);
  const i = u.consts.list.findIndex((k) => k.name === name);
  if (i < 0) throw new Error(`gcc unit ${unit} has no constant ${name}`);
  return Number(u.consts.got[i]);
}

/** Assert every leaf of `want` (numbers, bigints, strings, nested objects/arrays) is in `got`. */
export function assertLeaves(got, want, path = "value") {
  if (want instanceof Uint8Array) {
    assert.equal(hex(got), hex(want), path);
    return;
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path} is not an array`);
    assert.equal(got.length, want.length, `${path}.length`);
    want.forEach((w, i) => {
      assertLeaves(got[i], w, `${path}[${i}]`);
    });
    return;
  }
  if (want && typeof want === "object") {
    for (const [k, w] of Object.entries(want)) assertLeaves(got?.[k], w, `${path}.${k}`);
    return;
  }
  assert.equal(typeof want === "bigint" && typeof got === "number" ? BigInt(got) : got, want, path);
}

/** Profile of a golden vector from tests/vectors/golden.mjs. */
export const vecProfile = (v) => ({
  ...(v.arch ? { arch: v.arch } : {}),
  ...(v.epoch ? { epoch: v.epoch } : {}),
  ...(v.proposals ? { proposals: v.proposals } : {}),
});
