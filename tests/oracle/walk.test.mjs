// The campaign's stateful walks (tests/kernel/walk.mjs), without QEMU: deterministic per seed, and
// at the size of the kernel stage (2,000 requests per device) they reach every state the model
// knows - the INTx line asserted while masked and unmasked, unmask irqfds, multi-vector MSI, MSI-X
// grown past its first vectors, ERR and REQ triggers, signals that may arrive late, an MSI kept
// pending until its trigger is set - and every SET_IRQS rule of each kernel's profile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeSegment, planSegments } from "../kernel/campaign.mjs";
import { TAIL, stateKey } from "../kernel/check.mjs";
import { pciSetIrqsRules } from "../helpers/pci-rules.mjs";
import * as bindings from "../../dist/bindings/index.js";
import { kernelRules } from "../../dist/bindings/oracle/index.js";

const api = { ...bindings, kernelRules };

function dryRun(kernel, seed) {
  const states = new Set(),
    rules = new Set(),
    events = new Set();
  for (const d of planSegments({ seeds: [seed], perDevice: 2000 })) {
    const seg = makeSegment(api, kernel, d);
    const m = new api.DeviceModel({ ...seg.device, kernel, eventfds: seg.env.eventfds, openFds: seg.env.files });
    for (const it of seg.items) {
      states.add(`${d.device}:${stateKey(m)}`);
      if (it.ioctl === "FD_READ") {
        const r = m.eventfdRead(it.fd);
        if (r.count > 0) events.add("eventfd signalled");
        if (r.maybe > 0) events.add("may signal");
      } else if (it.ioctl === "FD_WRITE") {
        if (m.eventfdWrite(it.fd).signalled.length) events.add("irqfd unmask signals");
      } else if (it.ioctl === "REGION_WRITE") {
        if (m.regionWrite(it.region, it.offset, it.bytes).signalled.length) events.add("device interrupt");
      } else {
        const p = m.predict(`VFIO_${it.ioctl}`, it.bytes, { tail: TAIL });
        if (it.ioctl === "DEVICE_SET_IRQS") rules.add(p.rule);
        if (it.ioctl === "DEVICE_RESET") events.add(`reset ${p.rule}`);
      }
    }
  }
  return { states, rules, events };
}

test("walks are deterministic per seed and differ between seeds", () => {
  const bytes = (seed) =>
    planSegments({ seeds: [seed], perDevice: 300 })
      .map((d) => makeSegment(api, "7.3", d))
      .flatMap((s) => s.items.map((it) => `${it.ioctl} ${it.bytes ? bindings.toHex(it.bytes) : (it.fd ?? "")}`));
  assert.deepEqual(bytes(11), bytes(11));
  assert.notDeepEqual(bytes(11), bytes(12));
});

for (const kernel of ["6.1", "6.12", "7.2", "7.3"]) {
  test(`${kernel}: 2,000 requests per device reach every model state and rule`, () => {
    const { states, rules, events } = dryRun(kernel, 20240611);
    const has = (re) => [...states].some((s) => re.test(s));
    const want = {
      "edu INTx masked with the line asserted": /^edu:INTx\/masked\/line/,
      "edu INTx unmasked with the line asserted (not delivered)": /^edu:INTx\/unmasked\/line/,
      "INTx with an unmask irqfd": /:INTx\/(un)?masked(\/line)?\/irqfd/,
      "edu MSI": /^edu:MSIx1/,
      "multi-vector MSI (xhci)": /^xhci:MSIx([2-9]|1\d)/,
      "MSI-X on every device with it": /^e1000e:MSI-Xx/,
      "MSI-X grown past 4 vectors": /:MSI-Xx([5-9]|1\d)/,
      "ERR trigger set": /\/err/,
      "REQ trigger set": /\/req/,
    };
    for (const [what, re] of Object.entries(want)) assert.ok(has(re), `${what} not reached on ${kernel}`);
    for (const e of [
      "eventfd signalled",
      "may signal",
      "irqfd unmask signals",
      "device interrupt",
      "reset RESET",
      "reset NO_RESET",
    ]) {
      assert.ok(events.has(e), `${e} not seen on ${kernel}`);
    }
    for (const r of pciSetIrqsRules(kernel)) assert.ok(rules.has(r), `rule ${r} not exercised on ${kernel}`);
  });
}
