// Typed capabilities: versions (zPCI base/group v1 vs v2, a newer v3 keeps its extra bytes),
// unknown ids, and array overruns reported with the offset of the count field. Bytes come from
// gcc static initialisers (tests/c), count-field offsets from gcc's offsetof.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { badVectors, bytesOf } from "../vectors/golden.mjs";
import { buildCaps, decode, encode, gccCase, gccLayout, hex, inspect, needGcc, ready } from "./helpers.mjs";

before(ready);

const ARCHES = ["x86_64", "i386", "s390x"];
const UNITS = [
  ["uapi61", "6.1"],
  ["upstream", "6.6"],
];

for (const arch of ARCHES) {
  describe(`zPCI capability versions, ${arch}`, needGcc(arch), () => {
    for (const [unit, epoch] of UNITS) {
      const prof = { arch, epoch };
      test(`${epoch}: base v1 has no fh, group v1 no reserved/imaxstbl; v1 sizes are gcc's sizeof of the 5.8 structs`, () => {
        const g = gccCase(arch, unit, "device_zpci_v1");
        const d = decode("vfio_device_info", g.bytes, prof);
        const [base, group] = d.caps;
        assert.deepEqual([base.header.version, group.header.version], [1, 1]);
        assert.equal(base.fh, undefined);
        assert.equal(group.imaxstbl, undefined);
        assert.equal(group.reserved, undefined);
        assert.equal(typeof group.version, "number", "group's own u8 `version` field (PCI version) is decoded");
        // gcc laid the v1 structs out back to back: the group starts sizeof(base v1) after the base
        assert.equal(group.offset - base.offset, epoch === "6.6" ? 32 : g.meta[2] - g.meta[1]);
        assert.equal(hex(encode("vfio_device_info", d, prof)), hex(g.bytes));
        // kernel-style build from v1 values: vfio_info_add_capability(sizeof(v1 struct))
        const caps = d.caps.map(({ offset, knownSize, name, header, ...rest }) => ({
          ...rest,
          header: { id: header.id, version: header.version },
        }));
        const { caps: _c, cap_offset: _o, $, ...fixed } = d;
        assert.equal(hex(buildCaps("vfio_device_info", fixed, caps, prof)), hex(g.bytes));
      });
      test(`${epoch}: base v2 carries fh, group v2 reserved + imaxstbl`, () => {
        const g = gccCase(arch, unit, "device_zpci_all");
        const d = decode("vfio_device_info", g.bytes, prof);
        const [base, group] = d.caps;
        assert.deepEqual([base.header.version, group.header.version], [2, 2]);
        assert.equal(typeof base.fh, "number");
        assert.equal(typeof group.imaxstbl, "number");
        assert.equal(base.knownSize, gccLayout(arch, unit, "vfio_device_info_cap_zpci_base").fh + 4);
      });
      test(`${epoch}: a base v3 (Linux 7.3: ccdf_err_length) decodes; the 6.1 layout keeps the v3 bytes as a gap; re-encodes exactly`, () => {
        const g = gccCase(arch, unit, "device_zpci_base_v3");
        const r = inspect("vfio_device_info", g.bytes, prof);
        assert.ok(r.ok);
        const base = r.value.caps[0];
        assert.equal(base.header.version, 3);
        const extraAt = base.offset + gccLayout(arch, unit, "vfio_device_info_cap_zpci_base").fh + 4;
        if (epoch === "6.1") {
          // the 6.1 headers do not know version 3: its field travels as bytes
          const kept = r.value.$.gaps.find((x) => x.offset === extraAt);
          assert.ok(kept, `gap at ${extraAt}: ${JSON.stringify(r.value.$.gaps.map((x) => x.offset))}`);
          const dv = new DataView(kept.bytes.buffer, kept.bytes.byteOffset, 4);
          assert.equal(dv.getUint32(0, arch !== "s390x"), 0x5a5b5c5d);
        } else assert.equal(base.ccdf_err_length, 0x5a5b5c5d);
        assert.equal(hex(encode("vfio_device_info", r.value, prof)), hex(g.bytes));
        // change a known field: the v3 bytes still travel with the value
        const changed = { ...r.value, caps: r.value.caps.map((c, i) => (i ? c : { ...c, pchid: 0x1234 })) };
        const out = encode("vfio_device_info", changed, prof);
        assert.equal(hex(out.slice(extraAt, extraAt + 4)), hex(g.bytes.slice(extraAt, extraAt + 4)));
        assert.equal(decode("vfio_device_info", out, prof).caps[0].pchid, 0x1234);
      });
    }
  });
}

describe("unknown capability ids", () => {
  test("an unknown region cap id is skipped via next, its body kept, the chain continues, bytes re-encode", () => {
    const b = buildCaps("vfio_region_info", { flags: 0xf, index: 1, size: 0x1000n, offset: 0n }, [
      { header: { id: 99, version: 7 }, body: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
      { struct: "vfio_region_info_cap_msix_mappable", header: { id: 3, version: 1 } },
    ]);
    const r = inspect("vfio_region_info", b);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.caps.map((c) => [c.offset, c.header.id, c.name]),
      [
        [32, 99, null],
        [48, 3, "VFIO_REGION_INFO_CAP_MSIX_MAPPABLE"],
      ],
    );
    assert.ok(r.diagnostics.some((x) => x.code === "UNKNOWN_CAP"));
    assert.equal(hex(encode("vfio_region_info", r.value)), hex(b));
  });
});

describe("array overruns are errors at the count field's offset", () => {
  test("the sparse_array_overrun bad vector", () => {
    const v = badVectors.find((x) => x.name === "sparse_array_overrun");
    assert.throws(
      () => decode(v.struct, bytesOf(v.hex)),
      (e) => e.code === "E_CAP_ARRAY_OVERRUN" && e.offset === v.offset && e.field === v.field,
    );
  });
  // [case, unit, host, cap index, count field, proposals]
  const cases = [
    ["region_sparse_type_msix", "uapi61", "vfio_region_info", 0, "vfio_region_info_cap_sparse_mmap", "nr_areas"],
    ["type1_mig_avail_iova", "uapi61", "vfio_iommu_type1_info", 2, "vfio_iommu_type1_info_cap_iova_range", "nr_iovas"],
    [
      "type1_mig_avail_iova",
      "upstream",
      "vfio_iommu_type1_info",
      2,
      "vfio_iommu_type1_info_cap_iova_range",
      "nr_iovas",
    ],
    ["device_zpci_all", "uapi61", "vfio_device_info", 2, "vfio_device_info_cap_zpci_util", "size"],
    ["device_zpci_all", "upstream", "vfio_device_info", 3, "vfio_device_info_cap_zpci_pfip", "size"],
    [
      "vg2_irq_info_msi",
      "platform-msi-v2",
      "vfio_irq_info",
      1,
      "vfio_irq_info_cap_msi_v2",
      "nr_msgs",
      ["platform-msi-v2"],
    ],
    [
      "vg3_irq_info_msi",
      "platform-msi-v3",
      "vfio_irq_info",
      1,
      "vfio_irq_info_cap_msi",
      "nr_msgs",
      ["platform-msi-v3"],
    ],
  ];
  for (const arch of ["x86_64", "s390x"]) {
    for (const [name, unit, host, idx, struct, field, proposals = []] of cases) {
      test(`${arch} ${name} (${unit}): ${struct}.${field} one too large`, needGcc(arch), () => {
        const g = gccCase(arch, unit, name);
        const epoch = unit === "upstream" ? "6.6" : "6.1";
        const prof = { arch, epoch, proposals };
        const capOff = g.meta[1 + idx];
        const at = capOff + gccLayout(arch, unit, struct)[field];
        const b = Uint8Array.from(g.bytes);
        const dv = new DataView(b.buffer);
        const le = arch !== "s390x";
        const n = dv.getUint32(at, le);
        assert.equal(decode(host, b, prof).caps[idx][field], n); // intact: decodes
        dv.setUint32(at, n + 1, le);
        assert.throws(
          () => decode(host, b, prof),
          (e) => {
            assert.equal(e.code, "E_CAP_ARRAY_OVERRUN");
            assert.equal(e.offset, at);
            assert.equal(e.field, `caps[${idx}].${field}`);
            return true;
          },
        );
        const r = inspect(host, b, prof);
        assert.equal(r.ok, false);
        assert.equal(r.diagnostics.find((x) => x.severity === "error").offset, at);
        // a huge count must not wrap around
        dv.setUint32(at, 0xffffffff, le);
        assert.throws(
          () => decode(host, b, prof),
          (e) => e.code === "E_CAP_ARRAY_OVERRUN" && e.offset === at,
        );
      });
    }
  }
});
