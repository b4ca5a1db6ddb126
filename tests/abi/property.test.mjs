// fast-check properties: chains of every capability kind (values generated from the schema's
// fields and versions), all four gcc-checked ABIs (x86_64, i386, s390x, ppc64) and both epochs,
// round-trip exactly: buildCaps (kernel layout) -> decode -> encode, and decode gives back the
// values that went in. The proposal caps run under their profiles.

import assert from "node:assert/strict";
import { before, test } from "node:test";
import fc from "fast-check";
import { structs } from "../../schema/abi.mjs";
import { layout } from "../../schema/layout.mjs";
import { assertLeaves, buildCaps, decode, encode, hex, ready, walkCaps } from "./helpers.mjs";

before(ready);

const ARCHES = ["x86_64", "i386", "s390x", "ppc64"];
const EPOCHS = ["6.1", "6.6"];
const RUNS = Number(process.env.VFIO_ABI_FC_RUNS ?? 300);

const scalarArb = (type) =>
  ({
    u8: fc.integer({ min: 0, max: 0xff }),
    u16: fc.integer({ min: 0, max: 0xffff }),
    u32: fc.integer({ min: 0, max: 0xffffffff }),
    s32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    u64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  })[type];

const V = {
  model: "lp64",
  epoch: "6.6",
  proposals: new Set(
    Object.keys({ "irq-info-caps": 1, "platform-msi-v2": 1, "platform-msi-v3": 1, "dma-fault-region": 1 }),
  ),
};

/** Arbitrary for the body of one cap struct, from its schema fields (header and count fields excluded). */
function capArb(name) {
  const s = structs[name];
  const l = layout(name, V);
  const countField = l.trailing && (l.trailing.count ?? l.trailing.length);
  return fc.constantFrom(...s.versions).chain((version) => {
    const rec = {};
    for (const f of l.fields) {
      if (f.path.startsWith("header.") || f.path === countField) continue;
      if (f.version && f.version > version) continue;
      rec[f.path] = scalarArb(f.type);
    }
    // zPCI util/pfip: the kernel sends 64 and 4 bytes; any multiple of 4 keeps the next cap 4-aligned on
    // packed (6.1) chains - an odd size would make the kernel emit a misaligned next, which decode rejects
    if (l.trailing?.kind === "bytes")
      rec[l.trailing.path] = fc
        .integer({ min: 0, max: 20 })
        .chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n }));
    if (l.trailing?.kind === "array") {
      const el = {};
      for (const f of layout(l.trailing.of, V).fields) el[f.path] = scalarArb(f.type);
      rec[l.trailing.path] = fc.array(fc.record(el), { maxLength: 4 });
    }
    return fc.record(rec).map((body) => ({ struct: name, header: { id: s.id, version }, ...body }));
  });
}

/** Fixed-struct values (argsz / cap_offset left to the kernel rules; CAPS bit left to buildCaps). */
function fixedArb(host, capsFlag) {
  const rec = {};
  for (const f of layout(host, { model: "lp64", epoch: "6.6", proposals: V.proposals }).fields) {
    if (f.path === "argsz" || f.path === "cap_offset" || f.proposal) continue;
    rec[f.path] =
      f.path === "flags"
        ? fc.integer({ min: 0, max: 0xffffffff }).map((x) => (x & ~capsFlag) >>> 0)
        : scalarArb(f.type);
  }
  return fc.record(rec);
}

const HOSTS = [
  { host: "vfio_region_info", flag: 0x8, proposals: [] },
  { host: "vfio_device_info", flag: 0x80, proposals: [] },
  { host: "vfio_iommu_type1_info", flag: 0x2, proposals: [] },
  { host: "vfio_region_info", flag: 0x8, proposals: ["dma-fault-region"] },
  { host: "vfio_irq_info", flag: 0x10, proposals: ["platform-msi-v2"] },
  { host: "vfio_irq_info", flag: 0x10, proposals: ["platform-msi-v3"] },
];

const capsFor = (host, proposals) => {
  const on = new Set(proposals);
  if (on.has("platform-msi-v2") || on.has("platform-msi-v3")) on.add("irq-info-caps");
  return Object.keys(structs).filter(
    (n) =>
      structs[n].kind === "cap" &&
      structs[n].host === host &&
      (proposals.length ? structs[n].proposal && on.has(structs[n].proposal) : !structs[n].proposal) &&
      // one MSI_DESCS layout per profile
      !(structs[n].proposal === "platform-msi-v2" && !on.has("platform-msi-v2")) &&
      !(structs[n].proposal === "platform-msi-v3" && !on.has("platform-msi-v3")),
  );
};

/** Strip what decode adds (offset, names, knownSize, header.next) to compare with the inputs. */
const expectedCap = (c) => {
  const { header, ...body } = c;
  return { ...body, header: { id: header.id, version: header.version } };
};

for (const h of HOSTS) {
  const kinds = capsFor(h.host, h.proposals);
  const label = `${h.host}${h.proposals.length ? ` [${h.proposals}]` : ""}`;
  test(`property: ${label} chains of ${kinds.map((k) => k.replace(/^vfio_\w+?_cap_|^vfio_iommu_type1_info_/, "")).join(", ")} round-trip on every arch and epoch`, () => {
    const seen = new Set();
    fc.assert(
      fc.property(
        fc.constantFrom(...ARCHES),
        fc.constantFrom(...(h.proposals.length ? ["6.1"] : EPOCHS)),
        fixedArb(h.host, h.flag),
        fc.array(fc.oneof(...kinds.map(capArb)), { maxLength: 6 }),
        (arch, epoch, fixed0, caps) => {
          const prof = { arch, epoch, proposals: h.proposals };
          // only the fields this epoch has (vfio_device_info.pad is 6.6+)
          const present = new Set(
            layout(h.host, {
              model: arch === "i386" ? "ilp32" : "lp64",
              epoch,
              proposals: new Set(h.proposals),
            }).fields.map((f) => f.path),
          );
          const fixed = Object.fromEntries(Object.entries(fixed0).filter(([k]) => present.has(k)));
          const bytes = buildCaps(h.host, fixed, caps, prof);
          const d = decode(h.host, bytes, prof);
          // exact mode reproduces the bytes
          assert.equal(hex(encode(h.host, d, prof)), hex(bytes));
          // the values that went in come back
          assertLeaves(d, { ...fixed, flags: (fixed.flags | (caps.length ? h.flag : 0)) >>> 0 }, "fixed");
          assert.equal((d.caps ?? []).length, caps.length);
          caps.forEach((c, i) => {
            assertLeaves(d.caps[i], expectedCap(c), `caps[${i}]`);
            seen.add(c.struct);
          });
          if (caps.length) {
            // kernel layout: contiguous, first cap right after the fixed struct, 8-aligned from 6.6
            const offs = d.caps.map((c) => c.offset);
            assert.equal(d.cap_offset, offs[0]);
            if (epoch === "6.6") for (const o of offs) assert.equal(o % 8, 0, `cap at ${o} not 8-aligned`);
            assert.deepEqual(
              walkCaps(h.host, bytes, prof).map((x) => x.offset),
              offs,
            );
            assert.equal(d.argsz, bytes.length);
            // rebuilding from the decoded values (no offsets) gives the same bytes again
            const { caps: dc, $, cap_offset: _co, argsz: _a, ...fx } = d;
            const again = buildCaps(
              h.host,
              fx,
              dc.map(({ offset, knownSize, name, header, ...rest }) => ({
                ...rest,
                header: { id: header.id, version: header.version },
              })),
              prof,
            );
            assert.equal(hex(again), hex(bytes));
          }
        },
      ),
      { numRuns: RUNS },
    );
    assert.deepEqual([...seen].sort(), [...kinds].sort(), "every cap kind was generated");
  });
}

test("property: vfio_irq_set payloads (NONE / BOOL / EVENTFD) round-trip on every arch", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ARCHES),
      fc.constantFrom(1, 2, 4),
      fc.constantFrom(0x08, 0x10, 0x20),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 2047 }),
      fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { maxLength: 8 }),
      (arch, dt, action, index, start, raw) => {
        const data = dt === 1 ? [] : dt === 2 ? raw.map((x) => x & 1) : raw;
        const v = {
          flags: dt | action,
          index,
          start,
          count: dt === 1 ? raw.length : data.length,
          ...(data.length ? { data } : {}),
        };
        const b = encode("vfio_irq_set", v, { arch });
        assert.equal(b.length, 20 + data.length * (dt === 2 ? 1 : dt === 4 ? 4 : 0));
        const d = decode("vfio_irq_set", b, { arch });
        assertLeaves(d, v);
        assert.equal(hex(encode("vfio_irq_set", d, { arch })), hex(b));
      },
    ),
    { numRuns: RUNS },
  );
});
