// The four QEMU 7.2 devices of the real-kernel harness as vfio-pci describes them on Debian's 6.1,
// 6.12, 7.2 and 7.3 kernels (replies recorded by tests/kernel): irq counts and flags,
// regions 0..7 (8 = VGA and 9 answer EINVAL), reset support, PCIe. The fd layout is the replay
// program's: eventfds at 100..131, fds 0..2 open on the console, everything else closed.
import { VFIO_PCI_ERR_IRQ_INDEX } from "../../generated/constants.js";
import { UsageError } from "../../errors.js";
import { vfioPciIrqs, type DeviceDescription, type RegionDesc } from "./device.js";
import { DEFAULT_KERNEL, KNOWN_KERNELS, kernelBehaviours } from "./kernel.js";

const MSIX_MAPPABLE = [{ id: 3, version: 1 }];
const reg = (index: number, flags: number, size: number, msixBar = false): RegionDesc => ({
  index,
  flags,
  size,
  ...(msixBar ? { caps: MSIX_MAPPABLE } : {}),
});
const empty = (...idx: number[]) => idx.map((i) => reg(i, 0, 0));

interface Facts {
  name: string;
  bdf: string;
  qemu: string;
  ids: string;
  reset: boolean;
  pcie: boolean;
  irqSource?: DeviceDescription["irqSource"];
  counts: [number, number, number, number | null, number]; // INTX MSI MSIX ERR REQ (null: ERR refused)
  regions: RegionDesc[];
}

const FACTS: Record<string, Facts> = {
  edu: {
    name: "edu",
    bdf: "0000:00:10.0",
    qemu: "edu",
    ids: "1234:11e8",
    reset: false,
    pcie: false,
    // BAR0 0x60 "raise interrupt", 0x64 "acknowledge interrupt" (QEMU hw/misc/edu.c)
    irqSource: { raise: { region: 0, offset: 0x60 }, lower: { region: 0, offset: 0x64 } },
    counts: [1, 1, 0, null, 1],
    regions: [reg(0, 7, 0x100000), ...empty(1, 2, 3, 4, 5, 6), reg(7, 3, 0x100)],
  },
  e1000e: {
    name: "e1000e",
    bdf: "0000:00:11.0",
    qemu: "e1000e",
    ids: "8086:10d3",
    reset: true,
    pcie: true,
    counts: [1, 1, 5, 1, 1],
    regions: [
      reg(0, 7, 0x20000),
      reg(1, 7, 0x20000),
      reg(2, 3, 0x20),
      reg(3, 7, 0x4000, true),
      ...empty(4, 5),
      reg(6, 1, 0x40000),
      reg(7, 3, 0x1000),
    ],
  },
  "virtio-rng": {
    name: "virtio-rng",
    bdf: "0000:00:12.0",
    qemu: "virtio-rng-pci",
    ids: "1af4:1005",
    reset: false,
    pcie: false,
    counts: [1, 0, 2, null, 1],
    regions: [
      reg(0, 3, 0x20),
      reg(1, 7, 0x1000, true),
      ...empty(2, 3),
      reg(4, 7, 0x4000),
      ...empty(5, 6),
      reg(7, 3, 0x100),
    ],
  },
  xhci: {
    name: "xhci",
    bdf: "0000:00:13.0",
    qemu: "nec-usb-xhci",
    ids: "1033:0194",
    reset: false,
    pcie: true,
    counts: [1, 16, 16, 1, 1],
    regions: [reg(0, 7, 0x4000, true), ...empty(1, 2, 3, 4, 5, 6), reg(7, 3, 0x1000)],
  },
};

export const QEMU_DEVICE_NAMES = Object.keys(FACTS);
export const QEMU_KERNELS = KNOWN_KERNELS;

export type QemuDevice = DeviceDescription & { name: string; bdf: string; qemu: string; ids: string };

/** The description of a harness device (edu, e1000e, virtio-rng, xhci) on a kernel ("6.1", "6.12", "7.2", "7.3"; default the newest). */
export function qemuDevice(name: string, kernel: string = DEFAULT_KERNEL): QemuDevice {
  const key = name.replace(/-pci$/, "").replace(/^nec-usb-/, "");
  const f = FACTS[key] ?? Object.values(FACTS).find((x) => x.bdf === name || x.qemu === name);
  if (!f)
    throw new UsageError(
      "E_BAD_ARG",
      `unknown QEMU device ${JSON.stringify(name)} (known: ${QEMU_DEVICE_NAMES.join(", ")})`,
      0,
      "name",
    );
  // 7.3: ERR on conventional PCI too; before, the index is refused (left out)
  const errAll = kernelBehaviours(kernel).has("ERR_ALL_DEVICES");
  const counts = f.counts.map((c, index) => (c === null && index === VFIO_PCI_ERR_IRQ_INDEX && errAll ? 1 : c));
  const irqs = vfioPciIrqs(
    counts.map((c) => c ?? 0),
    kernel,
  ).filter((q) => counts[q.index] !== null);
  return {
    name: f.name,
    bdf: f.bdf,
    qemu: f.qemu,
    ids: f.ids,
    driver: "vfio-pci",
    kernel,
    info: { flags: 2 | (f.reset ? 1 : 0), numRegions: 9, numIrqs: 5 },
    reset: f.reset,
    pcie: f.pcie,
    intremap: true,
    irqs,
    regions: f.regions.map((r) => ({ ...r })),
    ...(f.irqSource ? { irqSource: f.irqSource } : {}),
    eventfds: Array.from({ length: 32 }, (_, i) => 100 + i),
    openFds: [0, 1, 2],
  };
}

/** All shipped descriptions: { "edu@6.1": ..., "edu@6.12": ..., ..., "xhci@7.3": ... }. */
export function qemuDevices(): Record<string, QemuDevice> {
  const out: Record<string, QemuDevice> = {};
  for (const k of QEMU_KERNELS) for (const n of QEMU_DEVICE_NAMES) out[`${n}@${k}`] = qemuDevice(n, k);
  return out;
}
