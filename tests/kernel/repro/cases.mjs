// Hand-written reproducer cases for behaviours that differ between kernels (or that the model once
// got wrong): each becomes <name>@<kernel>.txt for 6.1, 6.12, 7.2 and 7.3 without answers; the
// answers come from the real kernels:
//   node tests/kernel/repro/cases.mjs [name...]
//   npm run test:kernel -- --replay tests/kernel/repro/<name>@*.txt --record
// Shrunk reproducers found by campaigns (shrunk-*.txt) are written by the kernel stage instead.
import { irqSet, irqInfo, deviceInfo, T, MASK, UNMASK, NONE, EVENTFD } from "../gen.mjs";
import { formatRepro } from "../repro.mjs";
import { DEFAULT_ENV } from "../walk.mjs";
import * as fs from "node:fs";
import { listArg, parseOptions } from "../../../scripts/lib/options.mjs";

const { qemuDevice } = await import("../../../dist/bindings/index.js");
const S = (note, o) => ({ ioctl: "DEVICE_SET_IRQS", bytes: irqSet(o), note });
const W = (region, offset, v) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return { ioctl: "REGION_WRITE", region, offset, bytes: b };
};
const R = (fd) => ({ ioctl: "FD_READ", fd });
const CMD = { ioctl: "REGION_WRITE", region: 7, offset: 4, bytes: Uint8Array.of(6, 0) };
// edu's interrupt registers (BAR0 "raise interrupt" and "acknowledge interrupt", QEMU hw/misc/edu.c)
const EDU = qemuDevice("edu", "7.3").irqSource;
const RAISE = (v) => W(EDU.raise.region, EDU.raise.offset, v);
const ACK = (v) => W(EDU.lower.region, EDU.lower.offset, v);
/**
 * One round of an unmask irqfd firing while INTx has no trigger: the unmask finds the line still
 * asserted, so virqfd_wakeup schedules the inject work; the trigger set right after (no old trigger,
 * so vfio_intx_set_signal flushes nothing) gets that signal only if the worker had not run yet.
 */
const strayInjectRound = (trigger, irqfd) => [
  S("INTx enable, no trigger", { flags: EVENTFD | T, index: 0, count: 1, data: [-1] }),
  S(`INTx unmask eventfd ${irqfd}`, { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [irqfd] }),
  RAISE(1),
  { ioctl: "FD_WRITE", fd: irqfd, note: "unmask through the irqfd, line still up" },
  S(`INTx trigger ${trigger}`, { flags: EVENTFD | T, index: 0, count: 1, data: [trigger] }),
  S("INTx disable", { flags: NONE | T, index: 0, count: 0 }),
  ACK(0xffffffff),
  R(trigger),
];
const cases = {
  "msi-empty-block": [
    "virtio-rng",
    "MSI-X enable with start 1, count 0: 6.1 vfio_msi_set_block checks start < num_ctx even for count 0 (EINVAL, vectors freed again); from 6.5 the xarray code has no such check (0, MSI-X enabled with one vector)",
    [
      S("MSI-X eventfd start 1 count 0", { flags: EVENTFD | T, index: 2, start: 1, count: 0 }),
      S("MSI-X loopback vector 0", { flags: NONE | T, index: 2, count: 1 }),
      S("MSI-X disable", { flags: NONE | T, index: 2, count: 0 }),
    ],
  ],
  "msi-noresize": [
    "e1000e",
    "an enabled MSI-X set grows: 6.1 NORESIZE (EINVAL, checked before any fd), 6.5+ allocates the vector (dynamic MSI-X); loopback past the enabled vectors: 6.1 EINVAL, 6.5+ skips absent vectors",
    [
      S("MSI-X enable 1 vector", { flags: EVENTFD | T, index: 2, count: 1, data: [100] }),
      S("MSI-X grow to 2", { flags: EVENTFD | T, index: 2, count: 2, data: [100, 101] }),
      S("MSI-X loopback 3 vectors", { flags: NONE | T, index: 2, count: 3 }),
      R(100),
      R(101),
      S("MSI-X disable", { flags: NONE | T, index: 2, count: 0 }),
    ],
  ],
  "msi-unallocated": [
    "xhci",
    "MSI (no dynamic allocation) eventfd on a vector never allocated: 6.1 NORESIZE, 6.5+ pci_irq_vector EINVAL (VECTOR_UNALLOCATED)",
    [
      S("MSI enable vector 0", { flags: EVENTFD | T, index: 1, count: 1, data: [100] }),
      S("MSI eventfd on vector 2", { flags: EVENTFD | T, index: 1, start: 2, count: 1, data: [102] }),
      S("MSI loopback 0", { flags: NONE | T, index: 1, count: 1 }),
      R(100),
      R(102),
      S("MSI disable", { flags: NONE | T, index: 1, count: 0 }),
    ],
  ],
  "err-req-fd-below": [
    "e1000e",
    "ERR/REQ eventfd < -1: 6.1 ignores it (0), 6.12+ vfio_pci_set_ctx_trigger_single falls through to EINVAL",
    [
      S("REQ eventfd -2", { flags: EVENTFD | T, index: 4, count: 1, data: [-2] }),
      S("ERR eventfd -7", { flags: EVENTFD | T, index: 3, count: 1, data: [-7] }),
    ],
  ],
  "err-conventional-pci": [
    "edu",
    "7.3 gives conventional PCI devices the ERR index (count 1, TRIGGER handled); before, GET_IRQ_INFO and SET_IRQS on it are EINVAL",
    [
      { ioctl: "DEVICE_GET_IRQ_INFO", bytes: irqInfo(3) },
      S("ERR set eventfd", { flags: EVENTFD | T, index: 3, count: 1, data: [105] }),
      S("ERR loopback", { flags: NONE | T, index: 3, count: 1 }),
      S("ERR MASK", { flags: NONE | MASK, index: 3, count: 1 }),
      R(105),
      S("ERR clear", { flags: EVENTFD | T, index: 3, count: 1, data: [-1] }),
    ],
  ],
  "msix-irq-info": [
    "xhci",
    "MSI-X irq_info flags: 6.1 EVENTFD|NORESIZE (0x9), 6.5+ EVENTFD (0x1) on devices with an MSI-X capability (dynamic MSI-X); device_info: 6.1 copies 16 (or 20) bytes, 6.6+ 24",
    [
      { ioctl: "DEVICE_GET_IRQ_INFO", bytes: irqInfo(2) },
      { ioctl: "DEVICE_GET_IRQ_INFO", bytes: irqInfo(1) },
      { ioctl: "DEVICE_GET_INFO", bytes: deviceInfo(24) },
      { ioctl: "DEVICE_GET_INFO", bytes: deviceInfo(20) },
    ],
  ],
  "intx-line-before-enable": [
    "edu",
    "QEMU (not the kernel): an INTx line already asserted when vfio requests the interrupt is not delivered (the IOAPIC latches level changes; a pin without a handler is masked in edge mode); MASK then UNMASK finds it through the status check (pci_check_and_unmask_intx) and signals the trigger, staying masked",
    [
      CMD,
      W(0, 0x60, 1),
      S("INTx enable", { flags: EVENTFD | T, index: 0, count: 1, data: [101] }),
      R(101),
      S("INTx unmask (not masked)", { flags: NONE | UNMASK, index: 0, count: 1 }),
      R(101),
      S("INTx mask", { flags: NONE | MASK, index: 0, count: 1 }),
      S("INTx unmask (line up)", { flags: NONE | UNMASK, index: 0, count: 1 }),
      R(101),
      W(0, 0x64, 1),
      S("INTx unmask (line down)", { flags: NONE | UNMASK, index: 0, count: 1 }),
      R(101),
      W(0, 0x60, 2),
      R(101),
      S("INTx disable", { flags: NONE | T, index: 0, count: 0 }),
      W(0, 0x64, 0xffffffff),
    ],
  ],
  "intx-irqfd-unmask": [
    "edu",
    "INTx unmask through the irqfd: a write to the unmask eventfd is consumed by virqfd_wakeup, which unmasks, or with the line still asserted keeps INTx masked and signals the trigger",
    [
      CMD,
      S("INTx enable", { flags: EVENTFD | T, index: 0, count: 1, data: [101] }),
      S("INTx unmask eventfd 129", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [129] }),
      W(0, 0x60, 1),
      R(101),
      { ioctl: "FD_WRITE", fd: 129 },
      R(101),
      R(129),
      W(0, 0x64, 1),
      { ioctl: "FD_WRITE", fd: 129 },
      R(101),
      R(129),
      W(0, 0x60, 1),
      R(101),
      S("INTx unmask eventfd again: busy", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [130] }),
      S("INTx disable", { flags: NONE | T, index: 0, count: 0 }),
      W(0, 0x64, 0xffffffff),
    ],
  ],
  "intx-msi-deassert": [
    "edu",
    "QEMU (not the kernel): enabling MSI deasserts the device INTx (msi_write_config); with bus mastering on each edu raise under MSI signals vector 0, and the next raise after MSI is off is a new INTx edge",
    [
      CMD,
      W(0, 0x60, 0x100),
      S("MSI enable", { flags: EVENTFD | T, index: 1, count: 1, data: [125] }),
      W(0, 0x60, 1),
      W(0, 0x60, 1),
      R(125),
      S("MSI disable", { flags: NONE | T, index: 1, count: 0 }),
      S("INTx enable", { flags: EVENTFD | T, index: 0, count: 1, data: [126] }),
      W(0, 0x60, 1),
      R(126),
      S("INTx disable", { flags: NONE | T, index: 0, count: 0 }),
      W(0, 0x64, 0xffffffff),
    ],
  ],
  "intx-bad-fd-keeps-trigger": [
    "virtio-rng",
    "a failed INTx trigger change (fd closed / not an eventfd) leaves the old trigger in place: vfio_pci_set_intx_trigger looks the fd up before vfio_intx_set_signal (also in Debian 6.1.192)",
    [
      S("INTx enable", { flags: EVENTFD | T, index: 0, count: 1, data: [103] }),
      S("INTx trigger closed fd", { flags: EVENTFD | T, index: 0, count: 1, data: [99] }),
      S("INTx trigger /dev/null", { flags: EVENTFD | T, index: 0, count: 1, data: [1] }),
      S("INTx loopback", { flags: NONE | T, index: 0, count: 1 }),
      R(103),
      S("INTx disable", { flags: NONE | T, index: 0, count: 0 }),
    ],
  ],
  "msi-pending-replay": [
    "edu",
    "an MSI raised while MSI is enabled but vector 0 was never given a trigger is kept pending by the interrupt core and delivered when the trigger is set (request_irq replays it); after a trigger was freed the interrupt is deactivated and a raise is lost",
    [
      CMD,
      S("MSI enable, no trigger", { flags: EVENTFD | T, index: 1, count: 1, data: [-1] }),
      W(0, 0x60, 1),
      W(0, 0x60, 1),
      S("MSI trigger 101", { flags: EVENTFD | T, index: 1, count: 1, data: [101] }),
      R(101),
      W(0, 0x60, 1),
      R(101),
      S("MSI de-assign", { flags: EVENTFD | T, index: 1, count: 1, data: [-1] }),
      W(0, 0x60, 1),
      S("MSI trigger 102", { flags: EVENTFD | T, index: 1, count: 1, data: [102] }),
      R(102),
      R(101),
      S("MSI disable", { flags: NONE | T, index: 1, count: 0 }),
      W(0, 0x64, 0xffffffff),
    ],
  ],
  "intx-stray-inject": [
    "edu",
    "the INTx inject work (vfio_send_intx_eventfd) signals whatever ctx->trigger holds when the worker runs: an unmask irqfd write with the line up and no trigger, then a trigger set with no old trigger (nothing flushed), gives the new trigger 0 or 1 signals depending on when the worker ran (a may-signal on every kernel; seen as 1 on 7.3)",
    Array.from({ length: 8 }, (_, i) => strayInjectRound(100 + i, 120 + i)).flat(),
  ],
  "intx-irqfd-release-reads-counter": [
    "e1000e",
    "releasing the INTx unmask irqfd reads its eventfd counter (virqfd_shutdown: eventfd_ctx_remove_wait_queue), so a count written before the irqfd was installed is gone afterwards; installing it does not read the counter",
    [
      { ioctl: "FD_WRITE", fd: 129 },
      S("INTx enable", { flags: EVENTFD | T, index: 0, count: 1, data: [101] }),
      S("INTx unmask eventfd 129", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [129] }),
      S("INTx unmask eventfd off", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [-1] }),
      R(129),
      { ioctl: "FD_WRITE", fd: 130 },
      S("INTx unmask eventfd 130", { flags: EVENTFD | UNMASK, index: 0, count: 1, data: [130] }),
      S("INTx disable", { flags: NONE | T, index: 0, count: 0 }),
      R(130),
      R(101),
    ],
  ],
};
const { positionals: names } = parseOptions("repro cases", {
  usage: "node tests/kernel/repro/cases.mjs [name...]",
  allowPositionals: true,
  options: {},
});
const only = names.length ? new Set(listArg("repro cases", "name", names.join(","), Object.keys(cases))) : null;
for (const [name, [dev, why, items]] of Object.entries(cases)) {
  if (only && !only.has(name)) continue;
  for (const k of ["6.1", "6.12", "7.2", "7.3"]) {
    const text = formatRepro({
      kernel: k,
      segment: { device: qemuDevice(dev, k), env: DEFAULT_ENV, items },
      records: null,
      notes: [`why: ${why}`],
    });
    fs.writeFileSync(new URL(`./${name}@${k}.txt`, import.meta.url), text);
  }
}
