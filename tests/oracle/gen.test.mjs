// The kernel stage's request plan (tests/kernel/gen.mjs), checked without QEMU: size, determinism,
// the seeded part, and which oracle rules it exercises on each kernel's rules.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DeviceModel, qemuDevice, toHex } from "../../dist/bindings/index.js";
import { cleanupItems, fixedItems, randomItems } from "../kernel/gen.mjs";
import { pciSetIrqsRules } from "../helpers/pci-rules.mjs";

const DEVICES = ["edu", "e1000e", "virtio-rng", "xhci"];
const tail = new Uint8Array(256).fill(0xa5);

function plan(kernel, seed) {
  return DEVICES.map((name, di) => {
    const dev = qemuDevice(name, kernel);
    return {
      dev,
      items: [...fixedItems(dev, new DeviceModel(dev)), ...randomItems(dev, seed + di, 70), ...cleanupItems()],
    };
  });
}

for (const kernel of ["6.1", "6.12", "7.2", "7.3"]) {
  test(`plan for ${kernel}: >= 500 requests, >= 200 seeded, deterministic, covers the rules`, () => {
    const p = plan(kernel, 5);
    const all = p.flatMap((d) => d.items).filter((i) => i.ioctl !== "EFD_READ");
    assert.ok(all.length >= 500, `${all.length}`);
    assert.ok(all.filter((i) => i.note.startsWith("random")).length >= 200);
    const hexes = (q) =>
      q
        .flatMap((d) => d.items)
        .filter((i) => i.ioctl !== "EFD_READ")
        .map((i) => toHex(i.bytes));
    assert.deepEqual(
      hexes(plan(kernel, 5)),
      all.map((i) => toHex(i.bytes)),
    );
    assert.notDeepEqual(
      hexes(plan(kernel, 6)),
      all.map((i) => toHex(i.bytes)),
    );
    const hit = new Set();
    for (const { dev, items } of p) {
      const m = new DeviceModel(dev);
      for (const it of items) {
        if (it.ioctl === "EFD_READ") {
          if (m.eventfdRead(100 + it.efd).count > 0) hit.add("EVENTFD_SIGNALLED");
          continue;
        }
        hit.add(m.predict(`VFIO_${it.ioctl}`, it.bytes, { tail }).rule);
      }
      assert.equal(m.describeState().irqType, "none", `${dev.name} cleaned up`);
    }
    const want = [
      ...pciSetIrqsRules(kernel),
      "EVENTFD_SIGNALLED",
      "NO_REGION",
      "NO_RESET",
      "RESET",
      ...(kernel === "7.3" ? [] : ["NO_INDEX"]), // 7.3: the ERR index exists on every device
    ];
    for (const r of want) assert.ok(hit.has(r), `rule ${r} not exercised on ${kernel}`);
  });
}
