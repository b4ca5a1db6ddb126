// Property tests (fast-check): values round-trip through encode/decode, valid buffers round-trip
// through decode/encode, and arbitrary bytes give a value or a typed error, never a trap.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as abi from "../../dist/bindings/index.js";

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const profiles = fc.record({
  arch: fc.constantFrom("x86_64", "i386", "s390x", "ppc64"),
  epoch: fc.constantFrom("6.1", "6.6"),
});

// A valid vfio_irq_set value: flags with exactly one DATA bit, payload matching count.
const irqSet = fc
  .record({
    data: fc.constantFrom(1, 2, 4),
    action: fc.constantFrom(0x08, 0x10, 0x20),
    unknown: fc.constantFrom(0, 0x40, 0x80000000),
    index: u32,
    start: u32,
    n: fc.integer({ min: 0, max: 24 }),
    slack: fc.integer({ min: 0, max: 12 }),
    seed: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 24, maxLength: 24 }),
  })
  .map((r) => {
    const count = r.data === 1 ? r.n : r.n;
    const data = r.data === 1 ? undefined : r.seed.slice(0, count).map((x) => (r.data === 2 ? x & 0xff : x));
    const elem = r.data === 2 ? 1 : r.data === 4 ? 4 : 0;
    return {
      v: {
        argsz: 20 + count * elem + r.slack,
        flags: (r.data | r.action | r.unknown) >>> 0,
        index: r.index,
        start: r.start,
        count,
        ...(data ? { data } : {}),
      },
      slack: r.slack,
    };
  });

test("decode(encode(v)) == v for generated vfio_irq_set values (all ABIs)", () => {
  fc.assert(
    fc.property(irqSet, profiles, ({ v, slack }, prof) => {
      const value = slack ? { ...v, $: { slack: new Uint8Array(slack) } } : v;
      const bytes = abi.encodeIrqSet(value, prof);
      assert.equal(bytes.length, v.argsz);
      const d = abi.decodeIrqSet(bytes, prof);
      for (const k of ["argsz", "flags", "index", "start", "count"]) assert.equal(d[k], v[k], k);
      assert.deepEqual(d.data, v.data);
      assert.deepEqual(abi.encodeIrqSet(d, prof), bytes);
    }),
    { numRuns: 2000 },
  );
});

test("decode(encode(v)) == v for vfio_irq_info, vfio_device_info, vfio_region_info", () => {
  fc.assert(
    fc.property(
      u32,
      u32,
      u32,
      u32,
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      profiles,
      (flags, index, count, n, size, prof) => {
        const ii = { argsz: 16, flags, index, count };
        const di = {
          argsz: prof.epoch === "6.6" ? 24 : 20,
          flags: (flags & ~0x80) >>> 0,
          num_regions: index,
          num_irqs: count,
          cap_offset: 0,
        };
        const ri = { argsz: 32, flags: (flags & ~0x8) >>> 0, index, cap_offset: n, size, offset: size ^ 0xffffn };
        for (const [s, v] of [
          ["vfio_irq_info", ii],
          ["vfio_device_info", di],
          ["vfio_region_info", ri],
        ]) {
          const b = abi.encode(s, v, prof);
          const d = abi.decode(s, b, prof);
          for (const k of Object.keys(v)) assert.equal(d[k], v[k], `${s}.${k}`);
          assert.deepEqual(abi.encode(s, d, prof), b);
        }
      },
    ),
    { numRuns: 1500 },
  );
});

// Valid info buffers with chains, built kernel-style, then round-tripped through decode/encode.
const capBody = fc.oneof(
  fc.record({
    header: fc.constant({ id: 1, version: 1 }),
    areas: fc.array(
      fc.record({ offset: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), size: fc.bigInt({ min: 0n, max: 2n ** 48n }) }),
      { maxLength: 4 },
    ),
  }),
  fc.record({ header: fc.constant({ id: 2, version: 1 }), type: u32, subtype: u32 }),
  fc.record({ header: fc.constant({ id: 3, version: 1 }) }),
  fc.record({ header: fc.constant({ id: 4, version: 1 }), tgt: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.record({ header: fc.constant({ id: 5, version: 1 }), link_speed: u32 }),
  fc.record({
    header: fc.record({ id: fc.constant(0x99), version: fc.constant(1) }),
    body: fc.uint8Array({ maxLength: 12 }).map((b) => b.slice(0, b.length & ~3)),
  }),
);

test("encode(decode(b)) == b for kernel-built region-info chains (both epochs, both byte orders)", () => {
  fc.assert(
    fc.property(fc.array(capBody, { minLength: 1, maxLength: 6 }), profiles, u32, (caps, prof, idx) => {
      const b = abi.buildCaps(
        "vfio_region_info",
        { flags: 7, index: idx, size: 0x1000n, offset: BigInt.asUintN(64, BigInt(idx) << 40n) },
        caps,
        prof,
      );
      const d = abi.decodeRegionInfo(b, prof);
      assert.equal(d.caps.length, caps.length);
      assert.equal(d.cap_offset, 32);
      d.caps.forEach((c, i) => {
        assert.equal(c.header.id, caps[i].header.id);
      });
      assert.deepEqual(abi.encode("vfio_region_info", d, prof), b);
      assert.deepEqual(
        abi.walkCaps("vfio_region_info", b, prof).map((c) => c.id),
        caps.map((c) => c.header.id),
      );
    }),
    { numRuns: 1000 },
  );
});

test("arbitrary bytes: a value or a typed error, never a trap (every struct, every profile)", () => {
  const structs = abi.SCHEMA.structs.map((s) => s.name);
  const withProposals = fc.record({
    arch: fc.constantFrom("x86_64", "i386", "s390x", "ppc64"),
    epoch: fc.constantFrom("6.1", "6.6"),
    proposals: fc.subarray(abi.SCHEMA.proposals.map((p) => p.name)),
  });
  fc.assert(
    fc.property(
      fc.constantFrom(...structs),
      fc.uint8Array({ maxLength: 160 }),
      withProposals,
      fc.boolean(),
      (s, bytes, prof, plausible) => {
        if (plausible && bytes.length >= 8) {
          // make argsz plausible and set the CAPS bits so chains get walked
          new DataView(bytes.buffer).setUint32(0, bytes.length, prof.arch === "x86_64" || prof.arch === "i386");
          bytes[4] |= 0x8a;
          bytes[7] |= 0x8a;
        }
        try {
          const d = abi.decode(s, bytes, prof);
          assert.deepEqual(abi.encode(s, d, prof), bytes, "whatever decodes re-encodes exactly");
          const j = JSON.parse(JSON.stringify(abi.toJSONValue(d)));
          assert.deepEqual(abi.encode(s, abi.fromJSONValue(s, j), prof), bytes, "and so does its JSON form");
        } catch (e) {
          assert.ok(e instanceof abi.VfioAbiError, `typed error, got ${e}`);
          assert.ok(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= bytes.length + 8);
        }
      },
    ),
    { numRuns: 20000 },
  );
});
