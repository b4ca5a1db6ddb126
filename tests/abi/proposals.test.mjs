// The never-merged proposal profiles (vfio-abi.md §5): irq_info with cap_offset + CAP_TYPE +
// MSI_DESCS v2 vs v3 decode under their profiles (bytes from gcc on C copies of the postings, see
// tests/c/ref/proposal-*.h); bit and value collisions are reported in $.notes; the default profile
// is upstream Linux and decodes every upstream vector the same whether or not proposals exist.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { bytesOf, vectors } from "../vectors/golden.mjs";
import {
  codec,
  decode,
  encode,
  gccCase,
  gccLayout,
  hex,
  inspect,
  needGcc,
  ready,
  SCHEMA,
  vecProfile,
} from "./helpers.mjs";

before(ready);

for (const arch of ["x86_64", "s390x"]) {
  describe(`proposal postings compiled by gcc, ${arch}`, needGcc(arch), () => {
    const le = arch !== "s390x";
    test("irq-info-caps: vfio_irq_info is 20 bytes, cap_offset 20 -> VFIO_IRQ_INFO_CAP_TYPE (NESTED / DMA_FAULT)", () => {
      const g = gccCase(arch, "irq-info-caps", "ea_irq_info_cap_type");
      const prof = { arch, epoch: "6.1", proposals: ["irq-info-caps"] };
      assert.equal(gccLayout(arch, "irq-info-caps", "vfio_irq_info").sizeof, 20);
      const d = decode("vfio_irq_info", g.bytes, prof);
      assert.equal(d.cap_offset, 20);
      assert.ok(d.$.flags.flags.names.includes("VFIO_IRQ_INFO_FLAG_CAPS"));
      assert.deepEqual(
        d.caps.map((c) => [c.offset, c.name, c.type, c.subtype]),
        [[20, "VFIO_IRQ_INFO_CAP_TYPE", 1, 1]],
      );
      assert.equal(d.$.enums["caps[0].type"], "VFIO_IRQ_TYPE_NESTED");
      assert.equal(d.$.enums["caps[0].subtype"], "VFIO_IRQ_SUBTYPE_DMA_FAULT");
      assert.equal(hex(encode("vfio_irq_info", d, prof)), hex(g.bytes));
    });
    for (const [p, name, struct] of [
      ["platform-msi-v2", "vg2_irq_info_msi", "vfio_irq_info_cap_msi_v2"],
      ["platform-msi-v3", "vg3_irq_info_msi", "vfio_irq_info_cap_msi"],
    ]) {
      test(`${p}: CAP_TYPE (MSI) then MSI_DESCS with msgs at gcc's offsetof (${p.endsWith("2") ? 12 : 16})`, () => {
        const g = gccCase(arch, p, name);
        const prof = { arch, epoch: "6.1", proposals: [p] };
        const d = decode("vfio_irq_info", g.bytes, prof);
        assert.deepEqual(d.$.profile.proposals.sort(), ["irq-info-caps", p].sort(), "implies irq-info-caps");
        const [type, msi] = d.caps;
        assert.equal(type.name, "VFIO_IRQ_INFO_CAP_TYPE");
        // platform-msi implies irq-info-caps, whose VFIO_IRQ_TYPE_NESTED is also 1: both are named and the clash is noted
        assert.match(d.$.enums["caps[0].type"], /VFIO_IRQ_TYPE_MSI/);
        assert.ok(
          d.$.notes.some((n) => /VFIO_IRQ_TYPE_NESTED/.test(n) && /VFIO_IRQ_TYPE_MSI/.test(n)),
          JSON.stringify(d.$.notes),
        );
        assert.equal(msi.name, "VFIO_IRQ_INFO_CAP_MSI_DESCS");
        assert.equal(msi.struct, struct);
        assert.equal(msi.nr_msgs, 3);
        assert.equal(msi.msgs.length, 3);
        const msgsAt = gccLayout(arch, p, struct).msgs;
        assert.equal(msgsAt, p.endsWith("2") ? 12 : 16);
        const dv = new DataView(g.bytes.buffer, g.bytes.byteOffset);
        assert.equal(msi.msgs[0].addr_lo, dv.getUint32(msi.offset + msgsAt, le));
        assert.equal(msi.msgs[2].data, dv.getUint32(msi.offset + msgsAt + 2 * 12 + 8, le));
        assert.equal(hex(encode("vfio_irq_info", d, prof)), hex(g.bytes));
      });
    }
    test("v3 bytes read under the v2 profile shift by the reserved word: the profile decides, the bytes are never guessed", () => {
      const g = gccCase(arch, "platform-msi-v3", "vg3_irq_info_msi");
      const v3 = decode("vfio_irq_info", g.bytes, { arch, epoch: "6.1", proposals: ["platform-msi-v3"] });
      const v2 = decode("vfio_irq_info", g.bytes, { arch, epoch: "6.1", proposals: ["platform-msi-v2"] });
      assert.equal(v2.caps[1].struct, "vfio_irq_info_cap_msi_v2");
      assert.equal(v2.caps[1].msgs[0].addr_lo, v3.caps[1].reserved);
      assert.equal(
        hex(encode("vfio_irq_info", v2, { arch, epoch: "6.1", proposals: ["platform-msi-v2"] })),
        hex(g.bytes),
      );
    });
    test("default profile: an irq_info with caps is a 16-byte upstream struct; bit 4 unknown, named only as proposals; the rest is slack", () => {
      const g = gccCase(arch, "platform-msi-v3", "vg3_irq_info_msi");
      const d = decode("vfio_irq_info", g.bytes, { arch });
      assert.equal(d.caps, undefined);
      assert.equal(d.cap_offset, undefined);
      assert.equal(d.$.flags.flags.unknown, 0x10);
      assert.deepEqual(
        d.$.flags.flags.proposed.map((x) => x.bit),
        [0x10],
      );
      assert.ok(d.$.flags.flags.proposed[0].names.some((n) => n.startsWith("VFIO_IRQ_INFO_FLAG_CAPS")));
      assert.ok(d.$.flags.flags.proposed[0].names.some((n) => n.startsWith("VFIO_IRQ_INFO_CPUSET")));
      assert.equal(d.$.slack.length, g.bytes.length - 16);
      assert.equal(hex(encode("vfio_irq_info", d, { arch })), hex(g.bytes));
    });
    test("dma-fault-region: region type 2 is NESTED under the proposal (note: CCW upstream), caps 6 and 7", () => {
      // the upstream name wins (type 2 = CCW, subtypes CCW_*); the proposal's meaning is given in $.notes
      for (const [name, id, capName, upSub, subtype] of [
        [
          "ea_region_dma_fault",
          6,
          "VFIO_REGION_INFO_CAP_DMA_FAULT",
          "VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD",
          "VFIO_REGION_SUBTYPE_NESTED_DMA_FAULT",
        ],
        [
          "ea_region_dma_fault_response",
          7,
          "VFIO_REGION_INFO_CAP_DMA_FAULT_RESPONSE",
          "VFIO_REGION_SUBTYPE_CCW_SCHIB",
          "VFIO_REGION_SUBTYPE_NESTED_DMA_FAULT_RESPONSE",
        ],
      ]) {
        const g = gccCase(arch, "dma-fault-region", name);
        const prof = { arch, epoch: "6.1", proposals: ["dma-fault-region"] };
        const d = decode("vfio_region_info", g.bytes, prof);
        assert.deepEqual(
          d.caps.map((c) => c.header.id),
          [2, id],
        );
        assert.equal(d.caps[1].name, capName);
        assert.equal(d.caps[1].version, 1);
        assert.equal(d.$.enums["caps[0].subtype"], upSub);
        assert.ok(
          d.$.notes.some((n) => n.includes(subtype) && n.includes(upSub)),
          JSON.stringify(d.$.notes),
        );
        assert.ok(
          d.$.notes.some((n) => /VFIO_REGION_TYPE_CCW/.test(n) && /VFIO_REGION_TYPE_NESTED/.test(n)),
          JSON.stringify(d.$.notes),
        );
        assert.equal(hex(encode("vfio_region_info", d, prof)), hex(g.bytes));
        // upstream: type 2 is CCW, cap 6/7 unknown but kept
        const u = inspect("vfio_region_info", g.bytes, { arch, epoch: "6.1" });
        assert.ok(u.ok);
        assert.equal(u.value.$.enums["caps[0].type"], "VFIO_REGION_TYPE_CCW");
        assert.equal(u.value.caps[1].name, null);
        assert.ok(u.diagnostics.some((x) => x.code === "UNKNOWN_CAP"));
        assert.equal(hex(encode("vfio_region_info", u.value, { arch, epoch: "6.1" })), hex(g.bytes));
      }
    });
    test("dma-fault-region ring headers (20 bytes each) decode under the proposal", () => {
      for (const [name, struct] of [
        ["ea_dma_fault_header", "vfio_region_dma_fault"],
        ["ea_dma_fault_response_header", "vfio_region_dma_fault_response"],
      ]) {
        const g = gccCase(arch, "dma-fault-region", name);
        const l = gccLayout(arch, "dma-fault-region", struct);
        const d = decode(struct, g.bytes, { arch, proposals: ["dma-fault-region"] });
        const dv = new DataView(g.bytes.buffer, g.bytes.byteOffset);
        for (const f of ["head", "tail", "entry_size", "nb_entries", "offset"])
          assert.equal(d[f], dv.getUint32(l[f], le), f);
      }
    });
  });
}

describe("collisions are reported in $.notes", () => {
  test("irq_info bit 4: CAPS (irq-info-caps) vs CPUSET (irq-affinity)", () => {
    const b = encode("vfio_irq_info", { argsz: 16, flags: 0x11, index: 0, count: 1 });
    const both = decode("vfio_irq_info", b, { proposals: ["irq-info-caps", "irq-affinity"] });
    assert.ok(
      both.$.notes.some((n) => /0x10/.test(n) && /VFIO_IRQ_INFO_FLAG_CAPS/.test(n) && /VFIO_IRQ_INFO_CPUSET/.test(n)),
      JSON.stringify(both.$.notes),
    );
    assert.deepEqual(decode("vfio_irq_info", b, { proposals: ["irq-info-caps"] }).$.flags.flags.names, [
      "VFIO_IRQ_INFO_EVENTFD",
      "VFIO_IRQ_INFO_FLAG_CAPS",
    ]);
    assert.deepEqual(decode("vfio_irq_info", b, { proposals: ["irq-affinity"] }).$.flags.flags.names, [
      "VFIO_IRQ_INFO_EVENTFD",
      "VFIO_IRQ_INFO_CPUSET",
    ]);
  });
  test("device flag bit 8: CDX upstream vs MSI (device-flags-msi)", () => {
    const b = encode("vfio_device_info", { argsz: 24, flags: 0x102, num_regions: 1, num_irqs: 1 });
    const up = decode("vfio_device_info", b);
    assert.ok(up.$.flags.flags.names.includes("VFIO_DEVICE_FLAGS_CDX"));
    assert.ok(!up.$.flags.flags.names.includes("VFIO_DEVICE_FLAGS_MSI"));
    const p = decode("vfio_device_info", b, { proposals: ["device-flags-msi"] });
    assert.ok(p.$.notes.some((n) => /VFIO_DEVICE_FLAGS_CDX/.test(n) && /VFIO_DEVICE_FLAGS_MSI/.test(n)));
  });
  test("region type 2: CCW upstream vs NESTED (dma-fault-region), reported by a region-info TYPE cap", () => {
    const b = codec.buildCaps("vfio_region_info", { flags: 0xf, index: 9 }, [
      { struct: "vfio_region_info_cap_type", header: { version: 1 }, type: 2, subtype: 1 },
    ]);
    const up = decode("vfio_region_info", b);
    assert.equal(up.$.enums["caps[0].type"], "VFIO_REGION_TYPE_CCW");
    assert.equal(up.$.enums["caps[0].subtype"], "VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD");
    const p = decode("vfio_region_info", b, { proposals: ["dma-fault-region"] });
    assert.ok(
      p.$.notes.some((n) => /CCW/.test(n) && /NESTED/.test(n)),
      JSON.stringify(p.$.notes),
    );
  });
});

describe("the default profile is upstream Linux", () => {
  const strip = (d) => {
    const j = codec.toJSONValue(d);
    delete j.$.profile;
    return j;
  };
  // a proposal is relevant to a vector only if it defines something the vector's struct carries
  const relevant = (struct, p) => {
    const on = new Set([p, ...(SCHEMA.proposals.find((x) => x.name === p).implies ?? [])]);
    const s = SCHEMA.structs.find((x) => x.name === struct);
    const fields = SCHEMA.fields.slice(s.firstField, s.firstField + s.nfields);
    return (
      fields.some((f) => f.proposal && on.has(f.proposal)) ||
      SCHEMA.capreg.some((c) => c.host === struct && c.proposal && on.has(c.proposal))
    );
  };
  for (const v of vectors) {
    test(`${v.name}: same decode with and without every unrelated proposal; no proposal names by default`, () => {
      const b = bytesOf(v.hex);
      const base = decode(v.struct, b, vecProfile(v));
      assert.deepEqual(base.$.profile.proposals, []);
      const proposalOnly = new Set(Object.values(SCHEMA.flagSets).flatMap((fs) => fs.proposed.map((b) => b.name)));
      for (const fl of Object.values(base.$.flags)) for (const n of fl.names) assert.ok(!proposalOnly.has(n), n);
      for (const p of SCHEMA.proposals.map((x) => x.name)) {
        if (relevant(v.struct, p)) continue;
        const d = decode(v.struct, b, { ...vecProfile(v), proposals: [p] });
        assert.deepEqual(strip(d), strip(base), `${v.name} under ${p}`);
        assert.equal(hex(encode(v.struct, d, { ...vecProfile(v), proposals: [p] })), hex(b));
      }
    });
  }
  test("upstream irq_info replies under irq-info-caps: the upstream fields decode the same (the proposal only adds cap_offset)", () => {
    for (const v of vectors.filter((x) => x.struct === "vfio_irq_info")) {
      const b = bytesOf(v.hex);
      const base = decode("vfio_irq_info", b);
      const r = inspect("vfio_irq_info", b, { proposals: ["irq-info-caps"] });
      for (const f of ["argsz", "flags", "index", "count"]) assert.equal(r.value[f], base[f], `${v.name}.${f}`);
    }
  });
});
