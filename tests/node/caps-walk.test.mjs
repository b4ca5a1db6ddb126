// caps_walk / caps_walk_batch against a plain reference walker on random and adversarial chains:
// same caps, same spans, same status, and never a read past the buffer.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as abi from "../../dist/bindings/index.js";

// Reference: the rules of docs/wasm-abi.md written the obvious way.
function refWalk(b, fixed, start, max) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = [];
  let off = start;
  if (off === 0) return { status: 0, out };
  if (off < fixed) return { status: -5, out };
  for (;;) {
    if (off % 4) return { status: -10, out };
    if (off + 8 > b.length) return { status: -9, out };
    if (out.length >= max) return { status: -11, out };
    const id = dv.getUint16(off, true),
      version = dv.getUint16(off + 2, true),
      next = dv.getUint32(off + 4, true);
    out.push({ id, version, offset: off, length: next === 0 ? b.length - off : next - off });
    if (next === 0) return { status: out.length, out };
    if (next === off) return { status: -7, out };
    if (next < off) return { status: -6, out };
    if (next - off < 8) return { status: -13, out };
    off = next;
  }
}

function wasmWalk(b, fixed, start, max) {
  const w = abi.wasm();
  w.arena_reserve(1 << 16);
  const src = w.arena_ptr() + 64,
    out = src + 4096;
  // poison the bytes after the buffer: a walker that reads them would see valid-looking headers
  new Uint8Array(w.memory.buffer, src, 4096).fill(0x08);
  new Uint8Array(w.memory.buffer, src, b.length).set(b);
  const status = w.caps_walk(0, src, b.length, fixed, start, out, max);
  const dv = new DataView(w.memory.buffer, out, Math.max(0, status) * 12);
  const spans = [];
  for (let i = 0; i < status; i++)
    spans.push({
      id: dv.getUint16(i * 12, true),
      version: dv.getUint16(i * 12 + 2, true),
      offset: dv.getUint32(i * 12 + 4, true),
      length: dv.getUint32(i * 12 + 8, true),
    });
  return { status, spans };
}

const chain = fc.record({
  len: fc.integer({ min: 0, max: 200 }),
  links: fc.array(fc.oneof(fc.integer({ min: 0, max: 220 }), fc.constantFrom(0, 1, 2, 3, 4, 0xffffffff, 0xfffffffc)), {
    minLength: 1,
    maxLength: 12,
  }),
  start: fc.oneof(fc.integer({ min: 0, max: 220 }), fc.constant(32)),
  max: fc.integer({ min: 0, max: 16 }),
});

test("caps_walk agrees with the reference walker and never reads past the buffer", () => {
  fc.assert(
    fc.property(chain, ({ len, links, start, max }) => {
      const b = new Uint8Array(len);
      const dv = new DataView(b.buffer);
      // plant headers along the chain the links describe
      let off = start;
      for (const next of links) {
        if (off % 4 || off + 8 > len) break;
        dv.setUint16(off, 3, true);
        dv.setUint16(off + 2, 1, true);
        dv.setUint32(off + 4, next >>> 0, true);
        if (next === 0 || next <= off) break;
        off = next;
      }
      const r = refWalk(b, 32, start, max);
      const w = wasmWalk(b, 32, start, max);
      assert.equal(w.status, r.status);
      if (r.status > 0) assert.deepEqual(w.spans, r.out);
    }),
    { numRuns: 20000 },
  );
});

test("the last header that fits cannot point past the end (regression)", () => {
  const b = new Uint8Array(48);
  new DataView(b.buffer).setUint32(12, 0, true);
  const dv = new DataView(b.buffer);
  dv.setUint16(40, 3, true);
  dv.setUint32(44, 48, true); // header at 40 (last spot), next 48 = len
  assert.equal(wasmWalk(b, 32, 40, 16).status, abi.Status.E_CAP_PAST_END);
  dv.setUint32(44, 44, true);
  assert.equal(wasmWalk(b, 32, 40, 16).status, abi.Status.E_CAP_OVERLAP);
});

test("caps_walk_batch: per-buffer counts, tuples back to back, statuses kept", () => {
  const w = abi.wasm();
  const region = (chain) => abi.buildCaps("vfio_region_info", { flags: 7, index: 0, size: 0n, offset: 0n }, chain);
  const good = region([{ header: { id: 3, version: 1 } }, { header: { id: 2, version: 1 }, type: 1, subtype: 1 }]);
  const loop = Uint8Array.from(
    Buffer.from(
      "300000000f0000000300000020000000004000000000000000000000000300000300010028000000030001002000000".padEnd(96, "0"),
      "hex",
    ),
  );
  const noCaps = abi.encode("vfio_region_info", { argsz: 32, flags: 7, index: 1 });
  const bufs = [good, loop, noCaps, good];
  w.arena_reserve(1 << 16);
  const base = w.arena_ptr() + 64;
  let at = 0;
  const index = [];
  for (const b of bufs) {
    new Uint8Array(w.memory.buffer, base + at, b.length).set(b);
    index.push(at, b.length);
    at += (b.length + 15) & ~15;
  }
  const idx = base + 4096,
    counts = idx + 256,
    tuples = counts + 256;
  new Uint32Array(w.memory.buffer, idx, index.length).set(index);
  const total = w.caps_walk_batch(0, base, idx, bufs.length, 32, 12, 8, counts, tuples, 64);
  assert.equal(total, 4);
  assert.deepEqual([...new Int32Array(w.memory.buffer, counts, 4)], [2, abi.Status.E_CAP_BACKWARDS, 0, 2]);
  const t = new Uint32Array(w.memory.buffer, tuples, 12);
  assert.equal(t[0] & 0xffff, 3);
  assert.equal(t[3] & 0xffff, 2);
  assert.equal(t[6] & 0xffff, 3); // buffer 0 then buffer 3
  assert.equal(w.caps_walk_batch(0, base, idx, bufs.length, 32, 12, 8, counts, tuples, 3), abi.Status.E_OUT_FULL);
});
