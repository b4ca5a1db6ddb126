// IRQ topology labelling and the seed thread's ambiguity cases (vfio-abi.md §5.3).

import assert from "node:assert/strict";
import { test } from "node:test";
import { encode, irqTopology, qemuDevice, toHex } from "../../dist/bindings/index.js";
import { TOPOLOGY_REASONS as R } from "../../dist/bindings/oracle/index.js";

const labels = (t) => t.rows.map((r) => r.label);

test("vfio-pci fixed indexes for the four QEMU devices; count 0 = not implemented", () => {
  const e = irqTopology(qemuDevice("e1000e", "6.1"));
  assert.deepEqual(labels(e), ["INTX", "MSI", "MSIX", "ERR", "REQ"]);
  assert.equal(e.ambiguous, false);
  assert.deepEqual(e.msi, { index: 1, how: "fixed" });
  const rng = irqTopology(qemuDevice("virtio-rng", "6.12"));
  assert.equal(rng.rows[1].implemented, false); // MSI count 0
  assert.equal(rng.rows[3].implemented, false); // ERR refused (not PCIe)
  assert.equal(rng.msi, null);
  assert.match(irqTopology(qemuDevice("xhci", "6.12")).rows[2].notes.join(" "), /dynamic MSI-X/);
  assert.match(irqTopology(qemuDevice("xhci", "6.1")).rows[2].notes.join(" "), /NORESIZE/);
});

test("ccw and ap enums", () => {
  const ccw = irqTopology({ driver: "vfio-ccw", irqs: [0, 1, 2].map((index) => ({ index, count: 1, flags: 1 })) });
  assert.deepEqual(labels(ccw), ["IO", "CRW", "REQ"]);
  const ap = irqTopology({ driver: "vfio-ap", irqs: [0, 1].map((index) => ({ index, count: 1, flags: 1 })) });
  assert.deepEqual(labels(ap), ["REQ", "CFG_CHG"]);
});

test("upstream platform: wired lines, level vs edge from MASKABLE/AUTOMASKED, not ambiguous", () => {
  const t = irqTopology({
    driver: "vfio-platform",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 1, flags: 1 },
    ],
  });
  assert.deepEqual(labels(t), ["IRQ0", "IRQ1"]);
  assert.deepEqual(
    t.rows.map((r) => r.trigger),
    ["level", "edge"],
  );
  assert.equal(t.ambiguous, false);
});

test("proposal profile with VFIO_IRQ_INFO_CAP_TYPE: the MSI index is found by its type", () => {
  const d = {
    driver: "vfio-platform",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 1, flags: 1 },
      { index: 2, count: 1, flags: 1, capType: { type: 1, subtype: 0 } },
    ],
  };
  const t = irqTopology(d, { proposals: ["platform-msi-v2"] });
  assert.deepEqual(labels(t), ["IRQ0", "IRQ1", "MSI"]);
  assert.deepEqual(t.msi, { index: 2, how: "cap-type" });
  assert.equal(t.ambiguous, false); // a single-vector MSI is fine with the cap
  // without the proposal the capability does not exist: upstream reading, all wired
  assert.deepEqual(labels(irqTopology(d)), ["IRQ0", "IRQ1", "IRQ2"]);
});

test("proposal profile: CAP_TYPE decoded from a raw GET_IRQ_INFO reply", () => {
  const prof = { proposals: ["platform-msi-v2"] };
  const reply = encode(
    "vfio_irq_info",
    {
      argsz: 36,
      flags: 0x11,
      index: 1,
      count: 4,
      cap_offset: 20,
      caps: [{ header: { id: 3, version: 1 }, type: 1, subtype: 0 }],
    },
    prof,
  );
  const d = {
    driver: "vfio-platform",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 4, flags: 0x11, hex: toHex(reply) },
    ],
  };
  const t = irqTopology(d, prof);
  assert.deepEqual(labels(t), ["IRQ0", "MSI"]);
  assert.deepEqual(t.msi, { index: 1, how: "cap-type" });
  assert.equal(t.ambiguous, false);
});

test("count != 1 heuristic only: ambiguous, with the thread reasons", () => {
  // |IRQ0|IRQ1|MSI(4)|MSIX(0)|ERR(1)|REQ(1)|
  const d = {
    driver: "vfio-platform",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 1, flags: 1 },
      { index: 2, count: 4, flags: 9 },
      { index: 3, count: 0, flags: 9 },
      { index: 4, count: 1, flags: 9 },
      { index: 5, count: 1, flags: 9 },
    ],
  };
  const t = irqTopology(d, { proposals: ["platform-msi-v3"] });
  assert.equal(t.ambiguous, true);
  assert.deepEqual(labels(t), ["IRQ0?", "IRQ1?", "MSI?", "MSIX?", "ERR?", "REQ?"]);
  assert.deepEqual(t.msi, { index: 2, how: "heuristic" });
  for (const r of [R.singleVector, R.errReq, R.countZero, R.edge, R.noCap]) assert.ok(t.reasons.includes(r), r);
});

test("single-vector MSI: the heuristic cannot see it at all", () => {
  const d = {
    driver: "vfio-platform",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 1, flags: 9 },
    ],
  };
  const t = irqTopology(d, { proposals: ["platform-msi-v2"] });
  assert.equal(t.ambiguous, true);
  assert.equal(t.msi, null);
  assert.ok(t.reasons.includes(R.singleVector));
  assert.ok(t.reasons.some((r) => /finds no MSI/.test(r)));
});

test("unimplemented MSI index (count 0) is taken as the MSI index by the heuristic", () => {
  const d = {
    driver: "vfio-platform",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 0, flags: 9 },
      { index: 2, count: 8, flags: 9 },
    ],
  };
  const t = irqTopology(d, { proposals: ["platform-msi-v2"] });
  assert.equal(t.rows[1].label, "MSI?");
  assert.equal(t.rows[1].implemented, false);
  assert.equal(t.msi, null); // the MSI? slot is empty: nothing trustworthy
  assert.ok(t.reasons.includes(R.countZero));
});

test("upstream platform with a count != 1 index is flagged as ambiguous", () => {
  const t = irqTopology({
    driver: "vfio-amba",
    irqs: [
      { index: 0, count: 1, flags: 7 },
      { index: 1, count: 2, flags: 9 },
    ],
  });
  assert.equal(t.ambiguous, true);
  assert.equal(t.rows[1].label, "MSI?");
});

test("vfio-pci extended index with CAP_TYPE under irq-info-caps (DMA fault)", () => {
  const d = { ...qemuDevice("e1000e", "6.12"), info: { flags: 3, numRegions: 9, numIrqs: 6 } };
  d.irqs = [...d.irqs, { index: 5, count: 1, flags: 1, capType: { type: 1, subtype: 1 } }];
  assert.equal(irqTopology(d, { proposals: ["irq-info-caps"] }).rows[5].label, "DMA_FAULT");
  assert.equal(irqTopology(d).rows[5].kind, "unknown");
});

test("a missing ERR index is explained per driver: vfio-pci before 7.3 on conventional PCI, libvfio-user by its server", async () => {
  const { vuServerDevice } = await import("../../dist/bindings/oracle/model/vfio-user.js");
  const err = (d) => irqTopology(d).rows[3];
  // vfio-pci, conventional PCI: refused before 7.3; from 7.3 the kernel answers with count 1
  const old = err(qemuDevice("virtio-rng", "6.12"));
  assert.equal(old.implemented, false);
  assert.match(old.notes.join(" "), /not PCI Express/);
  const newer = err(qemuDevice("virtio-rng", "7.3"));
  assert.equal(newer.implemented, true, newer.notes.join(" "));
  assert.equal(newer.count, 1);
  assert.doesNotMatch(newer.notes.join(" "), /PCI Express/);
  // libvfio-user: ERR exists when the server set it up, whatever the PCI type
  const lvu = (counts) => irqTopology(vuServerDevice(counts));
  assert.equal(lvu([1, 4, 16, 1, 1]).rows[3].implemented, true);
  const none = lvu([1, 4, 16, 0, 1]).rows[3];
  assert.equal(none.implemented, false);
  assert.equal(none.count, 0);
  assert.match(none.notes.join(" "), /server did not set up ERR interrupts/);
  assert.doesNotMatch(none.notes.join(" "), /PCI Express/);
  assert.match(lvu([0, 4, 16, 1, 1]).rows[0].notes.join(" "), /server did not set up INTx interrupts/);
  // described without the index at all
  const d = vuServerDevice();
  const gone = irqTopology({ ...d, irqs: d.irqs.filter((q) => q.index !== 3) }).rows[3];
  assert.equal(gone.implemented, false);
  assert.match(gone.notes.join(" "), /not described.*unless the server set up ERR/);
  assert.doesNotMatch(gone.notes.join(" "), /PCI Express/);
});
