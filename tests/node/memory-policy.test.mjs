// The memory policy (docs/wasm-abi.md): a maximum input size with a typed E_TOO_LARGE, wasm memory
// bounded by the input plus one record window, and no input that grows (or wedges) the long-lived
// instance. Also parse_window: reading the record stream through any window gives parse()'s stream.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as lib from "../../dist/bindings/index.js";
import { badVectors, bytesOf, vectors } from "../vectors/golden.mjs";

const { VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_DATA_BOOL, SIZEOF_VFIO_IRQ_SET, O_VFIO_IRQ_SET__COUNT } = lib;
const REC = lib.REC_SIZE;

/** A vfio_irq_set with a DATA_BOOL payload of n bytes: n element records, the most records per byte. */
function boolSet(n) {
  const b = new Uint8Array(SIZEOF_VFIO_IRQ_SET + n);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, b.length, true);
  dv.setUint32(4, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, true);
  dv.setUint32(O_VFIO_IRQ_SET__COUNT, n, true);
  for (let i = 0; i < n; i++) b[SIZEOF_VFIO_IRQ_SET + i] = i & 1;
  return b;
}

/** All records of one parse through windows of `win` records (raw exports). */
function windowed(w, sid, prof, src, len, out, win) {
  const parts = [];
  let first = 0,
    status;
  for (;;) {
    status = w.parse_window(sid, prof, src, len, out, win, 0, first);
    const n = w.rec_count();
    parts.push(new Uint8Array(w.memory.buffer, out, n * REC).slice());
    first += n;
    if (n === 0 || first >= w.rec_total()) break;
  }
  return { status, bytes: Buffer.concat(parts), total: w.rec_total() };
}

test("parse_window: every window size gives parse()'s record stream and status", () => {
  const w = lib.wasm();
  w.arena_reserve(1 << 20);
  const base = w.arena_ptr();
  const inputs = [...vectors, ...badVectors].map((v) => ({ v, b: bytesOf(v.hex) }));
  inputs.push({ v: { struct: "vfio_irq_set" }, b: boolSet(300) });
  let checked = 0;
  for (const { v, b } of inputs) {
    const sid = lib.structByName(v.struct).id;
    const prof = lib.resolveProfile({ epoch: v.epoch, arch: v.arch }).word;
    const src = base + 64,
      out = (src + b.length + 64) & ~7;
    new Uint8Array(w.memory.buffer, src, b.length).set(b);
    const st = w.parse(sid, prof, src, b.length, out, b.length + 64, 0);
    const n = w.rec_count();
    assert.equal(w.rec_total(), n, v.name);
    const full = new Uint8Array(w.memory.buffer, out, n * REC).slice();
    for (const win of [1, 2, 3, 5, 7, 16, 64, 4096]) {
      const r = windowed(w, sid, prof, src, b.length, out, win);
      assert.equal(r.status, st, `${v.name} window ${win}`);
      assert.equal(r.total, n, `${v.name} window ${win}`);
      assert.deepEqual(r.bytes, Buffer.from(full), `${v.name} window ${win}`);
      checked++;
    }
    // a window smaller than the stream: parse() says E_OUT_FULL, parse_window gives the status
    if (n > 1) {
      assert.equal(w.parse(sid, prof, src, b.length, out, n - 1, 0), lib.Status.E_OUT_FULL);
      assert.equal(w.parse_window(sid, prof, src, b.length, out, n - 1, 0, 0), st);
    }
  }
  assert.ok(checked > 100);
});

test("decode of a payload with a record per byte: wasm memory stays within the input plus 128 KiB", () => {
  const n = lib.MEMORY_POLICY.residentArena + 4096; // more than the long-lived instance may hold
  const b = boolSet(n);
  const before = lib.memoryStats().residentBytes;
  const v = lib.decode("vfio_irq_set", b);
  assert.equal(v.data.length, n);
  assert.equal(v.data[n - 1], (n - 1) & 1);
  const s = lib.memoryStats();
  assert.ok(s.lastCallBytes <= b.length + lib.wasm().arena_ptr() + 128 * 1024 + 65536, `${s.lastCallBytes} bytes`);
  assert.equal(s.residentBytes, before, "the long-lived instance did not grow");
});

test("E_TOO_LARGE above maxInput (typed, per call), and inspect() answers instead of throwing", () => {
  const b = boolSet(4096);
  for (const f of [
    () => lib.decode("vfio_irq_set", b, { maxInput: 1024 }),
    () => lib.walkCaps("vfio_region_info", new Uint8Array(4096), { maxInput: 100 }),
    () => lib.encode("vfio_irq_set", { flags: 0x22, data: new Array(2000).fill(1) }, { maxInput: 1000 }),
  ]) {
    assert.throws(f, (e) => e instanceof lib.UsageError && e.code === "E_TOO_LARGE");
  }
  const r = lib.inspect("vfio_irq_set", b, { maxInput: 1024 });
  assert.equal(r.ok, false);
  assert.equal(r.error.code, "E_TOO_LARGE");
  assert.equal(r.diagnostics[0].code, "E_TOO_LARGE");
  // over the default limit: refused before any copy
  const huge = new Uint8Array(lib.MEMORY_POLICY.defaultMaxInput + 1);
  const before = lib.memoryStats().residentBytes;
  assert.equal(lib.inspect("vfio_irq_info", huge).error.code, "E_TOO_LARGE");
  assert.equal(lib.memoryStats().residentBytes, before);
  for (const m of [-1, 1.5, 2 ** 40, "8", null])
    assert.throws(
      () => lib.decode("vfio_irq_info", b, { maxInput: m }),
      (e) => e instanceof lib.UsageError && e.field === "maxInput",
    );
});

test("a large input does not degrade later calls: they still work and the resident memory is unchanged", () => {
  const small = bytesOf(vectors.find((v) => v.struct === "vfio_irq_info").hex);
  const expect = JSON.stringify(lib.toJSONValue(lib.decode("vfio_irq_info", small)));
  const before = lib.memoryStats().residentBytes;
  // 83 MiB of bytes past argsz (one K_TAIL record): the size that wedged the module before the policy
  const big = new Uint8Array(83 << 20);
  big.set(small);
  assert.equal(lib.decode("vfio_irq_info", big, { maxInput: 84 << 20 }).$.tail.length, big.length - small.length);
  assert.ok(lib.memoryStats().lastCallBytes < big.length + (1 << 20));
  assert.throws(() => lib.walkCaps("vfio_region_info", big, { maxCaps: 1e9 }), lib.UsageError);
  assert.equal(JSON.stringify(lib.toJSONValue(lib.decode("vfio_irq_info", small))), expect);
  assert.equal(lib.memoryStats().residentBytes, before);
});

test("capability hops: maxCaps is checked, not silently capped", () => {
  for (const m of [0, -1, 2 ** 32 + 1, 1.5, "9"])
    assert.throws(
      () => lib.decode("vfio_region_info", new Uint8Array(32), { maxCaps: m }),
      (e) => e instanceof lib.UsageError && e.field === "maxCaps",
    );
  // a chain of 5000 one-header caps decodes with maxCaps 5000 (no hidden limit of 4096)
  const fixed = 32,
    n = 5000;
  const b = new Uint8Array(fixed + n * 8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, b.length, true);
  dv.setUint32(4, lib.VFIO_REGION_INFO_FLAG_CAPS, true);
  dv.setUint32(lib.O_VFIO_REGION_INFO__CAP_OFFSET, fixed, true);
  for (let i = 0; i < n; i++) {
    const at = fixed + i * 8;
    dv.setUint16(at, 0x7777, true);
    dv.setUint16(at + 2, 1, true);
    dv.setUint32(at + 4, i + 1 < n ? at + 8 : 0, true);
  }
  assert.equal(lib.decode("vfio_region_info", b, { maxCaps: n }).caps.length, n);
  assert.throws(
    () => lib.decode("vfio_region_info", b, { maxCaps: n - 1 }),
    (e) => e.code === "E_CAP_TOO_MANY",
  );
  assert.equal(lib.walkCaps("vfio_region_info", b, { maxCaps: n }).length, n);
});

test("a backwards link names the loop without a table of visits", () => {
  const fixed = 32;
  const b = new Uint8Array(fixed + 3 * 8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, b.length, true);
  dv.setUint32(4, lib.VFIO_REGION_INFO_FLAG_CAPS, true);
  dv.setUint32(lib.O_VFIO_REGION_INFO__CAP_OFFSET, fixed, true);
  const links = [fixed + 8, fixed + 16, fixed + 8]; // the third cap points back at the second
  links.forEach((next, i) => {
    dv.setUint16(fixed + i * 8, 0x7777, true);
    dv.setUint32(fixed + i * 8 + 4, next, true);
  });
  assert.throws(
    () => lib.decode("vfio_region_info", b),
    (e) => e.code === "E_CAP_LOOP" && e.offset === fixed + 16 + 4 && e.field === "caps[2].header.next",
  );
  dv.setUint32(fixed + 16 + 4, fixed + 4, true); // backwards, but not onto a cap
  assert.throws(
    () => lib.decode("vfio_region_info", b),
    (e) => e.code === "E_CAP_BACKWARDS",
  );
});
