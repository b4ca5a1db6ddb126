// Bindings: golden vectors decode to the documented values and re-encode byte-identically; bad
// inputs give typed errors naming the byte offset and the field.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as abi from "../../dist/bindings/index.js";
import { badVectors, bytesOf, vectors } from "../vectors/golden.mjs";

/** Partial deep match: every key in `expect` must equal the decoded value (arrays by index). */
function matches(actual, expect, path = "") {
  if (expect === null || typeof expect !== "object") {
    assert.equal(actual, expect, `${path}: ${actual} !== ${expect}`);
    return;
  }
  assert.ok(actual !== undefined && actual !== null, `${path} missing`);
  if (Array.isArray(expect)) assert.equal(actual.length, expect.length, `${path}.length`);
  for (const [k, v] of Object.entries(expect)) matches(actual[k], v, path ? `${path}.${k}` : k);
}

for (const v of vectors) {
  test(`golden ${v.name} (${v.source})`, () => {
    const bytes = bytesOf(v.hex);
    const opts = { epoch: v.epoch, arch: v.arch };
    const d = abi.decode(v.struct, bytes, opts);
    matches(d, v.expect);
    assert.equal(d.$.needsArgsz, v.needsArgsz, "needsArgsz");
    assert.deepEqual(abi.encode(v.struct, d, opts), bytes, "encode(decode(b)) == b");
    // The JSON form (what the CLI prints) round-trips too.
    const j = JSON.parse(JSON.stringify(abi.toJSONValue(d)));
    assert.deepEqual(abi.encode(v.struct, abi.fromJSONValue(v.struct, j), opts), bytes, "JSON round trip");
  });
}

for (const b of badVectors) {
  test(`bad input ${b.name} -> ${b.code} at ${b.offset} (${b.field})`, () => {
    const bytes = bytesOf(b.hex);
    assert.throws(
      () => abi.decode(b.struct, bytes),
      (e) => {
        assert.ok(e instanceof abi.VfioAbiError, "typed error");
        assert.equal(e.code, b.code);
        assert.equal(e.offset, b.offset);
        assert.equal(e.field, b.field);
        assert.ok(e.message.length > 10);
        assert.ok(e.partial && typeof e.partial === "object", "partial value attached");
        return true;
      },
    );
    const r = abi.inspect(b.struct, bytes);
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.some((d) => d.severity === "error" && d.offset === b.offset));
  });
}

test("error classes by failure kind", () => {
  const cls = (hex, s) => {
    try {
      abi.decode(s, bytesOf(hex));
    } catch (e) {
      return e.constructor;
    }
  };
  assert.equal(cls("10000000 21000000 01000000 00000000 00000000", "irq_set"), abi.ArgszError);
  assert.equal(cls("10000000", "irq_info"), abi.TruncatedError);
  assert.equal(cls("18000000 24000000 02000000 00000000 02000000 64000000", "irq_set"), abi.PayloadError);
  assert.equal(cls(badVectors.find((b) => b.name === "cap_cycle_2").hex, "region_info"), abi.CapChainError);
});

test("partial tree: fields before a broken chain are decoded", () => {
  const b = badVectors.find((x) => x.name === "cap_cycle_2");
  const r = abi.inspect("vfio_region_info", bytesOf(b.hex));
  assert.equal(r.value.index, 3);
  assert.equal(r.value.size, 0x4000n);
  assert.equal(r.value.caps.length, 2);
  assert.match(r.diagnostics.find((d) => d.severity === "error").message, /next at 0x2c points back to 0x20/);
});

test("flags come back raw and named; unknown bits survive a round trip", () => {
  const bytes = bytesOf("14000000 e1000000 01000000 00000000 00000000"); // NONE|TRIGGER + bits 0x40, 0x80
  const d = abi.decodeIrqSet(bytes);
  assert.equal(d.flags, 0xe1);
  assert.deepEqual(d.$.flags.flags.names, ["VFIO_IRQ_SET_DATA_NONE", "VFIO_IRQ_SET_ACTION_TRIGGER"]);
  assert.equal(d.$.flags.flags.unknown, 0xc0);
  assert.deepEqual(abi.encodeIrqSet(d), bytes);
});

test("unknown capabilities and newer versions are kept byte for byte", () => {
  // region info with an unknown cap id 0x77 (12 bytes) then MSIX_MAPPABLE version 9 with 4 extra bytes
  const hex =
    "48000000 0f000000 03000000 20000000 0040000000000000 0000000000030000" +
    "7700 0100 2c000000 deadbeef" +
    "0300 0900 00000000 01020304" +
    "00".repeat(20);
  const bytes = bytesOf(hex);
  const d = abi.decodeRegionInfo(bytes);
  assert.equal(d.caps.length, 2);
  assert.equal(d.caps[0].name, null);
  assert.equal(d.caps[1].header.version, 9);
  assert.deepEqual(abi.encode("vfio_region_info", d), bytes);
});

test("encode computes argsz unless given, and rejects inconsistent payloads", () => {
  const b = abi.encodeIrqSet({ flags: 0x24, index: 2, start: 0, count: 3, data: [10, -1, 12] });
  assert.equal(abi.toHex(b), "200000002400000002000000000000000300000" + "00a000000ffffffff0c000000");
  const big = abi.encodeIrqSet({ argsz: 64, flags: 0x24, index: 1, count: 1, data: [7] });
  assert.equal(new DataView(big.buffer).getUint32(0, true), 64);
  assert.throws(() => abi.encodeIrqSet({ flags: 0x21, count: 1, data: [1] }), abi.EncodeError);
  assert.throws(() => abi.encodeIrqInfo({ argsz: 2 ** 32, index: 0 }), abi.EncodeError);
});

test("big-endian and i386 profiles", () => {
  const le = abi.encodeIrqSet({ flags: 0x24, index: 2, count: 2, data: [0x11223344, -1] });
  const be = abi.encodeIrqSet({ flags: 0x24, index: 2, count: 2, data: [0x11223344, -1] }, { arch: "s390x" });
  assert.equal(abi.toHex(be), "0000001c000000240000000200000000000000021122334" + "4ffffffff");
  assert.deepEqual(abi.decodeIrqSet(be, { endian: "big" }).data, abi.decodeIrqSet(le).data);
  const t = abi.encode("vfio_iommu_type1_info", { flags: 1, iova_pgsizes: 0x1000n }, { arch: "i386", epoch: "6.1" });
  assert.equal(t.length, 20);
});

test("two-call protocol: needs argsz N, then a retry request", () => {
  const reply = bytesOf(vectors.find((v) => v.name === "kernel_region3_argsz32").hex);
  const d = abi.decodeRegionInfo(reply);
  assert.equal(d.$.needsArgsz, 40);
  const retry = abi.retryRequest("vfio_region_info", d);
  assert.equal(retry.length, 40);
  assert.equal(new DataView(retry.buffer).getUint32(0, true), 40);
  assert.equal(new DataView(retry.buffer).getUint32(8, true), 3);
});

test("kernel-style chain build matches the 6.1 and 6.6 golden replies", () => {
  for (const name of ["type1_info_packed_6.1", "type1_info_aligned_6.6"]) {
    const v = vectors.find((x) => x.name === name);
    const bytes = bytesOf(v.hex);
    const d = abi.decode(v.struct, bytes, { epoch: v.epoch });
    const caps = d.caps.map(({ offset, knownSize, ...c }) => ({
      ...c,
      header: { id: c.header.id, version: c.header.version },
    }));
    const rebuilt = abi.buildCaps(v.struct, { flags: d.flags & ~2, iova_pgsizes: d.iova_pgsizes }, caps, {
      epoch: v.epoch,
    });
    assert.equal(abi.toHex(rebuilt), abi.toHex(bytes), name);
  }
});

test("walkCaps is bounded and cycle-safe", () => {
  const ok = abi.walkCaps("vfio_region_info", bytesOf(vectors.find((v) => v.name === "region_info_sparse_mmap").hex));
  assert.deepEqual(ok, [{ id: 1, version: 1, offset: 32, length: 48 }]);
  for (const name of ["cap_self_loop", "cap_cycle_2", "cap_backwards"]) {
    assert.throws(
      () => abi.walkCaps("vfio_region_info", bytesOf(badVectors.find((b) => b.name === name).hex)),
      abi.CapChainError,
    );
  }
});

test("struct names with or without the vfio_ prefix; unknown names are usage errors", () => {
  const b = bytesOf("10000000 07000000 00000000 01000000");
  assert.deepEqual(abi.decode("irq_info", b).count, abi.decode("vfio_irq_info", b).count);
  assert.throws(() => abi.decode("vfio_nope", b), abi.UsageError);
  assert.throws(() => abi.decode("irq_info", b, { arch: "vax" }), abi.UsageError);
});
