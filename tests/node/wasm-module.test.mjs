// The release module: zero imports, instantiates with {} as imports, and its memory does not
// grow across 1,000,000 decode calls.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as abi from "../../dist/bindings/index.js";
import { badVectors, bytesOf, vectors } from "../vectors/golden.mjs";

const wasmBytes = readFileSync(new URL("../../build/release.wasm", import.meta.url));

test("release .wasm has zero imports and instantiates with an empty import object", () => {
  const mod = new WebAssembly.Module(wasmBytes);
  assert.deepEqual(WebAssembly.Module.imports(mod), []);
  const inst = new WebAssembly.Instance(mod, {});
  assert.equal(inst.exports.abi_version(), abi.EXPECTED_ABI_VERSION);
  assert.ok(inst.exports.memory instanceof WebAssembly.Memory);
});

test("memory size unchanged after 1,000,000 raw decode calls (valid and broken inputs)", () => {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {});
  const x = inst.exports;
  assert.equal(x.arena_reserve(1 << 20), abi.Status.OK);
  const before = x.memory.buffer.byteLength;
  const mem = new Uint8Array(x.memory.buffer);
  const base = x.arena_ptr();
  const inputs = [...vectors, ...badVectors].map((v) => ({ b: bytesOf(v.hex), sid: abi.structByName(v.struct).id }));
  const at = [];
  let off = base;
  for (const i of inputs) {
    mem.set(i.b, off);
    at.push(off);
    off += (i.b.length + 15) & ~15;
  }
  const out = (off + 63) & ~63;
  let ok = 0,
    bad = 0;
  for (let n = 0; n < 1_000_000; n++) {
    const k = n % inputs.length;
    const r = x.parse(inputs[k].sid, n & 7 ? 4 : 0, at[k], inputs[k].b.length, out, 256, 0);
    if (r >= 0) ok++;
    else bad++;
  }
  assert.equal(x.memory.buffer.byteLength, before, "memory grew");
  assert.ok(ok > 0 && bad > 0);
  // hostile pointers and lengths are refused, not trapped on
  assert.equal(x.parse(3, 0, 0xfffffff0, 64, out, 256, 0), abi.Status.E_RANGE);
  assert.equal(x.parse(3, 0, base, 0xffffffff, out, 256, 0), abi.Status.E_RANGE);
  assert.equal(x.caps_walk(0, base, 0x7fffffff, 32, 32, out, 16), abi.Status.E_RANGE);
  assert.equal(x.memory.buffer.byteLength, before);
});

test("the TypeScript API does not grow memory per call once warm", () => {
  const w = abi.wasm();
  for (const v of vectors) abi.decode(v.struct, bytesOf(v.hex), { epoch: v.epoch, arch: v.arch });
  const before = w.memory.buffer.byteLength;
  for (let n = 0; n < 20000; n++) {
    const v = vectors[n % vectors.length];
    const d = abi.decode(v.struct, bytesOf(v.hex), { epoch: v.epoch, arch: v.arch });
    abi.encode(v.struct, d, { epoch: v.epoch, arch: v.arch });
  }
  assert.equal(w.memory.buffer.byteLength, before);
});

test("megabyte inputs decode without traps (slack kept)", () => {
  const big = new Uint8Array(3 << 20);
  const dv = new DataView(big.buffer);
  dv.setUint32(0, big.length, true);
  dv.setUint32(4, 0x21, true);
  dv.setUint32(8, 1, true);
  const d = abi.decodeIrqSet(big);
  assert.equal(d.$.slack.length, big.length - 20);
  assert.deepEqual(abi.encodeIrqSet(d), big);
  // 1M-element BOOL payload
  dv.setUint32(4, 0x22, true);
  dv.setUint32(16, 1 << 20, true);
  assert.equal(abi.decodeIrqSet(big).data.length, 1 << 20);
});
