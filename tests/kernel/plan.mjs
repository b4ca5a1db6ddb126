// The request plan of the kernel stage: one replay script for every kernel, every buffer encoded by
// the codec (dist/bindings). Steps carry what the checker needs (device, ioctl, struct, bytes); the
// device-state model predicts each answer afterwards, per kernel.
//
//   directed  per device: GET_INFO / GET_IRQ_INFO / GET_REGION_INFO argsz cases and the two-call
//             retry (the retry request is built by the codec from the decoded first reply), every
//             invalid SET_IRQS class of vfio-abi.md §8.6, INTx / MSI / MSI-X / ERR / REQ cycles with
//             loopback triggers and eventfd reads, RESET, hot-reset info
//   generated seeded valid and near-valid SET_IRQS buffers (plus some INFO requests), eventfd reads
import { encode, decode, retryRequest, toHex } from "../../dist/bindings/index.js";
import { QEMU_DEVICES, REPLAY_EVENTFD_BASE, qemuDevice } from "../../dist/bindings/oracle/presets.js";
import { DeviceModel } from "../../dist/bindings/oracle/model.js";

export const DEVICE_ORDER = ["edu", "e1000e", "virtioRng", "xhci"];
const EFD = (i) => REPLAY_EVENTFD_BASE + i;

/** mulberry32: small, seeded, reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}

const NONE = 0x1, BOOL = 0x2, EVENTFD = 0x4, MASK = 0x8, UNMASK = 0x10, TRIGGER = 0x20;
const irqSet = (v) => encode("vfio_irq_set", v);

export function buildPlan({ seed = 0x5eed, generatedPerDevice = 75 } = {}) {
  const steps = [];
  const add = (s) => steps.push(s);
  const buf = (name, struct, bytes, extra = {}) => add({ kind: "buffer", name, struct, bytes, ...extra });
  const set = (v, note) => buf("DEVICE_SET_IRQS", "vfio_irq_set", irqSet(v), { note });
  const efd = (i) => add({ kind: "efd_read", index: i });
  const zeros = (n) => new Uint8Array(n);

  add({ kind: "api" });
  for (const e of [1, 3, 8]) add({ kind: "ext", ext: e });

  for (const key of DEVICE_ORDER) {
    const d = QEMU_DEVICES[key];
    add({ kind: "open", device: key, bdf: d.bdf });
    add({ kind: "group_status", bytes: Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0]) });
    // ---- GET_INFO
    buf("DEVICE_GET_INFO", "vfio_device_info", encode("vfio_device_info", { argsz: 24 }, { epoch: "6.6" }));
    const ff = encode("vfio_device_info", { argsz: 24 }, { epoch: "6.6" }); ff.fill(0xff, 16);
    buf("DEVICE_GET_INFO", "vfio_device_info", ff, { note: "cap_offset/pad preset to 0xff: 6.1 writes 20 bytes, 6.6+ min(argsz, 24)" });
    for (const a of [20, 18, 16]) buf("DEVICE_GET_INFO", "vfio_device_info", encode("vfio_device_info", { argsz: a, $: { length: Math.max(16, a) } }, { epoch: "6.6" }));
    buf("DEVICE_GET_INFO", "vfio_device_info", encode("vfio_device_info", { argsz: 8, $: { length: 16 } }, { epoch: "6.6" }), { invalid: true });
    // ---- GET_IRQ_INFO
    for (let i = 0; i <= 5; i++) buf("DEVICE_GET_IRQ_INFO", "vfio_irq_info", encode("vfio_irq_info", { argsz: 16, index: i }));
    buf("DEVICE_GET_IRQ_INFO", "vfio_irq_info", encode("vfio_irq_info", { argsz: 12, index: 0 }), { invalid: true });
    buf("DEVICE_GET_IRQ_INFO", "vfio_irq_info", encode("vfio_irq_info", { argsz: 16, index: 0xffffffff }));
    buf("DEVICE_GET_IRQ_INFO", "vfio_irq_info", encode("vfio_irq_info", { argsz: 64, index: 2, $: { length: 64 } }));
    buf("IOCTL:d:3b6d", "vfio_irq_info", encode("vfio_irq_info", { argsz: 16, index: 1 }), { raw: "d 3b6d" });
    // ---- GET_REGION_INFO
    for (let i = 0; i <= 9; i++) buf("DEVICE_GET_REGION_INFO", "vfio_region_info", encode("vfio_region_info", { argsz: 32, index: i }));
    const msixBar = d.regions.find((r) => r.caps)?.index ?? 0; // edu has no MSI-X: its BAR0 has no caps
    for (const a of [36, 40, 64]) buf("DEVICE_GET_REGION_INFO", "vfio_region_info", encode("vfio_region_info", { argsz: a, index: msixBar, $: { length: a } }));
    buf("DEVICE_GET_REGION_INFO", "vfio_region_info", encode("vfio_region_info", { argsz: 48, index: msixBar, $: { length: 32 } }), { invalid: true, note: "argsz 48, 32-byte buffer: the kernel writes the cap past the buffer" });
    if (d.regions.some((r) => r.caps)) {
      // two-call protocol: argsz 32; the codec decodes the reply (CAPS set, cap_offset 0 -> needsArgsz)
      // and builds the retry with retryRequest(). The first reply is the model's (the same on 6.1 and 6.12).
      const first = encode("vfio_region_info", { argsz: 32, index: msixBar });
      const reply = new DeviceModel(qemuDevice(key, "6.12")).ioctl({ ioctl: "DEVICE_GET_REGION_INFO", bytes: first }).reply;
      const second = retryRequest("vfio_region_info", decode("vfio_region_info", reply));
      buf("DEVICE_GET_REGION_INFO", "vfio_region_info", first, { note: "two-call protocol, call 1" });
      buf("DEVICE_GET_REGION_INFO", "vfio_region_info", second, { note: `two-call protocol, call 2 (argsz ${second.length} from the decoded reply)` });
    }
    buf("DEVICE_GET_REGION_INFO", "vfio_region_info", encode("vfio_region_info", { argsz: 36, index: 0, cap_offset: 0x1234, $: { length: 36 } }), { note: "no caps on region 0 of some devices: cap_offset echoed" });
    buf("DEVICE_GET_REGION_INFO", "vfio_region_info", encode("vfio_region_info", { argsz: 16, index: 0 }), { invalid: true });
    buf("DEVICE_GET_REGION_INFO", "vfio_region_info", encode("vfio_region_info", { argsz: 32, index: 0xffffffff }));

    // ---- SET_IRQS: the invalid classes of §8.6
    set({ flags: NONE | BOOL | TRIGGER, index: 1, start: 0, count: 1 });
    set({ flags: NONE | MASK | TRIGGER, index: 0, start: 0, count: 1 });
    set({ flags: TRIGGER, index: 1, start: 0, count: 1 });
    set({ flags: NONE, index: 1, start: 0, count: 1 });
    set({ flags: NONE | 0x40, index: 1, start: 0, count: 1 });
    set({ argsz: 16, flags: NONE | TRIGGER, index: 1, start: 0, count: 0 });
    set({ flags: NONE | TRIGGER, index: 5, start: 0, count: 1 });
    set({ flags: NONE | TRIGGER, index: 0xffffffff, start: 0, count: 1 });
    set({ flags: NONE | TRIGGER, index: 2, start: 1, count: 0xffffffff });
    set({ flags: NONE | TRIGGER, index: 2, start: 0x80000000, count: 0x80000000 });
    set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 64 });
    set({ flags: NONE | TRIGGER, index: 0, start: 1, count: 0 });
    set({ argsz: 24, flags: EVENTFD | TRIGGER, index: 2, start: 0, count: 2, data: [EFD(0)] });
    set({ argsz: 22, flags: BOOL | TRIGGER, index: 2, start: 0, count: 3, data: [1, 1] });
    set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 1 }, "loopback with no IRQ enabled");
    set({ flags: NONE | MASK, index: 1, start: 0, count: 1 });
    set({ flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 1, data: [1] }, "fd 1: open, not an eventfd");
    set({ flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 1, data: [99] }, "fd 99: closed");
    set({ argsz: 64, flags: NONE | TRIGGER, index: 1, start: 0, count: 0, $: { length: 64 } }, "disable MSI when not enabled");
    set({ flags: EVENTFD | TRIGGER, index: 2, start: 0, count: 0 }, "MSI-X enable with start + count = 0");
    set({ flags: EVENTFD | TRIGGER, index: 3, start: 0, count: 1, data: [EFD(1)] }, "ERR (EINVAL without PCIe)");
    set({ flags: NONE | UNMASK, index: 3, start: 0, count: 1 }, "UNMASK on ERR");
    set({ flags: NONE | MASK, index: 4, start: 0, count: 1 }, "MASK on REQ");
    set({ flags: NONE | TRIGGER, index: 4, start: 0, count: 1 }, "REQ loopback with no eventfd");

    // ---- INTx cycle
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 1 }, "INTx loopback while disabled");
    set({ flags: NONE | UNMASK, index: 0, start: 0, count: 1 }, "INTx unmask while disabled");
    set({ flags: EVENTFD | TRIGGER, index: 0, start: 0, count: 1, data: [EFD(2)] }, "INTx enable");
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 1 });
    efd(2);
    set({ flags: BOOL | TRIGGER, index: 0, start: 0, count: 1, data: [0] });
    efd(2);
    set({ flags: BOOL | TRIGGER, index: 0, start: 0, count: 1, data: [7] });
    set({ flags: NONE | MASK, index: 0, start: 0, count: 1 });
    set({ flags: EVENTFD | MASK, index: 0, start: 0, count: 1, data: [EFD(3)] }, "INTx MASK with EVENTFD: ENOTTY");
    set({ flags: BOOL | MASK, index: 0, start: 0, count: 1, data: [1] });
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 1 }, "loopback while masked still signals");
    efd(2);
    set({ flags: NONE | UNMASK, index: 0, start: 0, count: 1 });
    set({ flags: EVENTFD | UNMASK, index: 0, start: 0, count: 1, data: [EFD(3)] }, "unmask irqfd");
    set({ flags: EVENTFD | UNMASK, index: 0, start: 0, count: 1, data: [EFD(4)] }, "second unmask irqfd: EBUSY");
    set({ flags: EVENTFD | UNMASK, index: 0, start: 0, count: 1, data: [-1] });
    set({ flags: EVENTFD | UNMASK, index: 0, start: 0, count: 1, data: [EFD(4)] });
    set({ flags: NONE | MASK, index: 0, start: 0, count: 2 }, "MASK count 2");
    set({ flags: EVENTFD | TRIGGER, index: 0, start: 0, count: 1, data: [99] }, "INTx trigger: closed fd");
    set({ flags: EVENTFD | TRIGGER, index: 0, start: 0, count: 1, data: [EFD(5)] }, "INTx trigger moved to another eventfd");
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 1 });
    efd(2); efd(5);
    set({ flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 1, data: [EFD(6)] }, "MSI while INTx is enabled");
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 0 }, "INTx disable");
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 0 }, "INTx disable again");
    set({ flags: EVENTFD | TRIGGER, index: 0, start: 0, count: 1, data: [-1] }, "INTx enable without trigger");
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 1 });
    set({ flags: NONE | TRIGGER, index: 0, start: 0, count: 0 });

    // ---- MSI cycle (count: edu/e1000e 1, virtio-rng 0, xhci 16)
    const msi = d.irqs[1].count, msix = d.irqs[2].count;
    set({ flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 1, data: [EFD(6)] }, "MSI enable, 1 vector");
    set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 1 });
    efd(6);
    set({ flags: BOOL | TRIGGER, index: 1, start: 0, count: 1, data: [1] });
    efd(6);
    set({ argsz: 64, flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 1, data: [EFD(7)], $: { length: 64 } }, "argsz 64 slack while MSI is enabled");
    set({ flags: EVENTFD | TRIGGER, index: 2, start: 0, count: 1, data: [EFD(8)] }, "MSI-X while MSI is enabled");
    if (msi >= 4) {
      set({ flags: EVENTFD | TRIGGER, index: 1, start: 1, count: 1, data: [EFD(8)] }, "MSI: vector past the enabled one");
      set({ flags: EVENTFD | TRIGGER, index: 1, start: 2, count: 1, data: [-1] }, "MSI: fd -1 past the enabled vector");
    }
    set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 0 }, "MSI disable");
    set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 0 }, "MSI disable again");
    if (msi >= 4) {
      set({ flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 4, data: [EFD(9), EFD(10), -1, EFD(9)] }, "MSI 4 vectors");
      set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 4 });
      efd(9); efd(10);
      set({ flags: EVENTFD | TRIGGER, index: 1, start: 1, count: 2, data: [EFD(11), 99] }, "partial failure unwinds vectors 1..2");
      set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 4 });
      efd(9); efd(10); efd(11);
      set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 0 });
      set({ flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 16, data: Array.from({ length: 16 }, (_, i) => EFD(i)) }, "MSI 16 vectors");
      set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 0 });
      set({ flags: EVENTFD | TRIGGER, index: 1, start: 2, count: 0 }, "MSI enable start 2, count 0");
      set({ flags: NONE | TRIGGER, index: 1, start: 0, count: 0 });
    }
    // ---- MSI-X cycle
    if (msix > 0) {
      set({ flags: EVENTFD | TRIGGER, index: 2, start: 0, count: Math.min(3, msix), data: [EFD(12), EFD(13), EFD(14)].slice(0, Math.min(3, msix)) }, "MSI-X enable");
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: Math.min(3, msix) });
      efd(12); efd(13); efd(14);
      set({ flags: BOOL | TRIGGER, index: 2, start: 0, count: Math.min(3, msix), data: [1, 0, 1].slice(0, Math.min(3, msix)) });
      efd(12); efd(13); efd(14);
      set({ flags: EVENTFD | TRIGGER, index: 2, start: 0, count: 1, data: [-1] }, "de-assign vector 0");
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: 1 });
      efd(12);
      set({ flags: EVENTFD | TRIGGER, index: 1, start: 0, count: 1, data: [EFD(15)] }, "MSI while MSI-X is enabled");
      set({ flags: EVENTFD | MASK, index: 2, start: 0, count: 1, data: [EFD(15)] }, "MASK on MSI-X");
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: 0 }, "MSI-X disable");
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: 0 }, "MSI-X disable again");
      set({ flags: EVENTFD | TRIGGER, index: 2, start: 0, count: 1, data: [EFD(16)] }, "MSI-X 1 vector");
      set({ flags: EVENTFD | TRIGGER, index: 2, start: 0, count: 2, data: [EFD(16), EFD(17)] }, "grow 1 -> 2 (NORESIZE on 6.1)");
      set({ flags: EVENTFD | TRIGGER, index: 2, start: 1, count: 1, data: [EFD(18)] }, "start 1 while 1 vector enabled");
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: msix }, "loopback over the whole table");
      efd(16); efd(17); efd(18);
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: 0 });
      set({ flags: EVENTFD | TRIGGER, index: 2, start: msix - 1, count: 1, data: [EFD(19)] }, "MSI-X enable at the last vector only");
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: msix });
      efd(19);
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: 0 });
      set({ flags: EVENTFD | TRIGGER, index: 2, start: 0, count: msix, data: Array.from({ length: msix }, (_, i) => (i % 3 === 2 ? -1 : EFD(20 + (i % 8)))) }, "MSI-X whole table");
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: msix });
      for (let i = 20; i < 28; i++) efd(i);
      set({ flags: NONE | TRIGGER, index: 2, start: 0, count: 0 });
    }
    // ---- ERR / REQ
    for (const idx of [3, 4]) {
      if (d.irqs[idx].count === 0) continue;
      set({ flags: EVENTFD | TRIGGER, index: idx, start: 0, count: 1, data: [EFD(28)] });
      set({ flags: NONE | TRIGGER, index: idx, start: 0, count: 1 });
      set({ flags: BOOL | TRIGGER, index: idx, start: 0, count: 1, data: [1] });
      efd(28);
      set({ flags: BOOL | TRIGGER, index: idx, start: 0, count: 0 }, "BOOL count 0");
      set({ flags: EVENTFD | TRIGGER, index: idx, start: 0, count: 1, data: [-7] }, "fd < -1 silently ignored");
      set({ flags: NONE | TRIGGER, index: idx, start: 0, count: 1 });
      efd(28);
      set({ flags: EVENTFD | TRIGGER, index: idx, start: 0, count: 1, data: [1] }, "ERR/REQ: fd 1 is not an eventfd");
      set({ flags: EVENTFD | TRIGGER, index: idx, start: 1, count: 0 }, "start 1 count 0");
      set({ flags: NONE | TRIGGER, index: idx, start: 0, count: 0 }, "release");
      set({ flags: NONE | TRIGGER, index: idx, start: 0, count: 0 }, "release again: nothing set");
      set({ flags: EVENTFD | TRIGGER, index: idx, start: 0, count: 1, data: [EFD(29)] });
      set({ flags: EVENTFD | TRIGGER, index: idx, start: 0, count: 1, data: [-1] }, "clear with -1");
      set({ flags: NONE | TRIGGER, index: idx, start: 0, count: 1 });
    }
    // ---- other device ioctls
    add({ kind: "reset" });
    buf("DEVICE_GET_PCI_HOT_RESET_INFO", null, encode("vfio_irq_info", { argsz: 12, $: { length: 12 } }).slice(0, 12));
    buf("DEVICE_GET_PCI_HOT_RESET_INFO", null, Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), { invalid: true });
  }

  // ---- generated: seeded valid and near-valid requests, interleaved over the devices
  const r = rng(seed);
  const fdPool = () => r.chance(0.75) ? EFD(r.int(32)) : r.pick([-1, -1, -2, 1, 99, 4095, 0x7fffffff]);
  let generated = 0;
  for (const key of DEVICE_ORDER) {
    const d = QEMU_DEVICES[key];
    add({ kind: "use", device: key, bdf: d.bdf });
    for (let n = 0; n < generatedPerDevice; n++) {
      const kind = r.next();
      if (kind < 0.08) {
        buf("DEVICE_GET_IRQ_INFO", "vfio_irq_info", encode("vfio_irq_info", { argsz: r.pick([16, 16, 20, 15, 0]), index: r.int(7), $: { length: 20 } }), { generated: true });
      } else if (kind < 0.14) {
        const a = r.pick([32, 40, 48, 31, 64]);
        buf("DEVICE_GET_REGION_INFO", "vfio_region_info", encode("vfio_region_info", { argsz: a, index: r.int(10), $: { length: Math.max(32, a) } }), { generated: true });
      } else if (kind < 0.24) {
        efd(r.int(32));
      } else {
        const index = r.chance(0.9) ? r.int(5) : r.pick([5, 6, 0xffff]);
        const n = d.irqs[index]?.count ?? 1;
        const action = r.chance(0.85) ? TRIGGER : r.pick([MASK, UNMASK, MASK | TRIGGER, 0]);
        const dataType = r.pick([NONE, NONE, BOOL, EVENTFD, EVENTFD, EVENTFD, ...(r.chance(0.05) ? [NONE | EVENTFD, 0] : [])]);
        let start = r.chance(0.8) ? 0 : r.int(Math.max(1, n + 1));
        let count = r.chance(0.2) ? 0 : 1 + r.int(Math.max(1, Math.min(n, 6)));
        if (r.chance(0.05)) count = n + 1;
        if (r.chance(0.03)) { start = r.pick([1, 0x7fffffff]); count = 0xffffffff - start; }
        const elem = dataType === BOOL ? 1 : dataType === EVENTFD ? 4 : 0;
        const data = elem === 4 ? Array.from({ length: Math.min(count, 32) }, fdPool) : elem === 1 ? Array.from({ length: Math.min(count, 32) }, () => r.pick([0, 1, 1, 2])) : [];
        let flags = dataType | action;
        if (r.chance(0.03)) flags |= r.pick([0x40, 0x80, 0x100]);
        const v = { flags, index, start, count, data };
        const bytes = irqSet(v);
        const view = new DataView(bytes.buffer);
        if (r.chance(0.08)) view.setUint32(0, r.pick([0, 19, 20, bytes.length - 1, bytes.length + 4]), true);
        let out = bytes;
        if (r.chance(0.05)) { out = new Uint8Array(bytes.length + 16); out.set(bytes); new DataView(out.buffer).setUint32(0, out.length, true); }
        buf("DEVICE_SET_IRQS", "vfio_irq_set", out, { generated: true });
        if (r.chance(0.3)) set({ flags: NONE | TRIGGER, index, start: 0, count: Math.max(1, Math.min(n, 8)) }, "loopback");
      }
      generated++;
    }
  }

  const lines = ["# vfio-abi kernel stage (tests/kernel/plan.mjs), seed 0x" + seed.toString(16)];
  for (const s of steps) lines.push(scriptLine(s));
  lines.push("QUIT");
  return { steps, lines, generated };
}

/** The replay-program line for a step (docs/kernel-harness.md §7). A retry step has two lines. */
export function scriptLine(s) {
  switch (s.kind) {
    case "api": return "GET_API_VERSION";
    case "ext": return `CHECK_EXTENSION ${s.ext}`;
    case "open": return `OPEN ${s.bdf}`;
    case "use": return `USE ${s.bdf}`;
    case "group_status": return `GROUP_GET_STATUS ${toHex(s.bytes)}`;
    case "reset": return "DEVICE_RESET";
    case "efd_read": return `EFD_READ ${s.index}`;
    case "buffer": return s.raw ? `IOCTL ${s.raw} ${toHex(s.bytes)}` : `${s.name} ${toHex(s.bytes)}`;
    default: throw new Error(`unknown step ${s.kind}`);
  }
}
