// The four emulated PCI devices of the real-kernel harness (QEMU 7.2: edu, e1000e, virtio-rng-pci,
// nec-usb-xhci), described as vfio-pci sees them. IRQ counts are from vfio-abi.md §8.2; BAR/ROM/config
// sizes and MMAP flags are the hardware's (read once from the kernel, §8.3). The eventfd layout is the
// replay program's: eventfds at fds 100..131; 0, 1, 2 open on the console.
import type { DeviceDescription, RegionDesc } from "./device.js";

const MSIX_MAPPABLE = [{ id: 3, version: 1 }];
const R = 0x1, RW = 0x3, RWM = 0x7;
const bar = (index: number, flags: number, size: number, msix = false): RegionDesc => ({ index, flags, size, ...(msix ? { caps: MSIX_MAPPABLE } : {}) });

export const REPLAY_EVENTFD_BASE = 100;
export const REPLAY_EVENTFD_COUNT = 32;
const replayFds = {
  eventfds: Array.from({ length: REPLAY_EVENTFD_COUNT }, (_, i) => REPLAY_EVENTFD_BASE + i),
  openFds: [0, 1, 2],
};

export const QEMU_DEVICES: Record<string, DeviceDescription & { bdf: string; qemu: string }> = {
  edu: {
    name: "edu", bdf: "0000:00:10.0", qemu: "edu", driver: "vfio-pci",
    irqs: [{ index: 0, count: 1 }, { index: 1, count: 1 }, { index: 2, count: 0 }, { index: 3, count: 0 }, { index: 4, count: 1 }],
    regions: [bar(0, RWM, 0x100000), bar(7, RW, 0x100)],
    reset: false, pcie: false,
  },
  e1000e: {
    name: "e1000e", bdf: "0000:00:11.0", qemu: "e1000e", driver: "vfio-pci",
    irqs: [{ index: 0, count: 1 }, { index: 1, count: 1 }, { index: 2, count: 5 }, { index: 3, count: 1 }, { index: 4, count: 1 }],
    regions: [bar(0, RWM, 0x20000), bar(1, RWM, 0x20000), bar(2, RW, 0x20), bar(3, RWM, 0x4000, true), bar(6, R, 0x40000), bar(7, RW, 0x1000)],
    reset: true, pcie: true,
  },
  virtioRng: {
    name: "virtio-rng", bdf: "0000:00:12.0", qemu: "virtio-rng-pci", driver: "vfio-pci",
    irqs: [{ index: 0, count: 1 }, { index: 1, count: 0 }, { index: 2, count: 2 }, { index: 3, count: 0 }, { index: 4, count: 1 }],
    regions: [bar(0, RW, 0x20), bar(1, RWM, 0x1000, true), bar(4, RWM, 0x4000), bar(7, RW, 0x100)],
    reset: false, pcie: false,
  },
  xhci: {
    name: "nec-usb-xhci", bdf: "0000:00:13.0", qemu: "nec-usb-xhci", driver: "vfio-pci",
    irqs: [{ index: 0, count: 1 }, { index: 1, count: 16 }, { index: 2, count: 16 }, { index: 3, count: 1 }, { index: 4, count: 1 }],
    regions: [bar(0, RWM, 0x4000, true), bar(7, RW, 0x1000)],
    reset: false, pcie: true,
  },
};

/** A harness device for a kernel ("6.1", "6.12", ...), with the replay program's fd layout. */
export function qemuDevice(name: string, kernel: string): DeviceDescription {
  const d = QEMU_DEVICES[name] ?? Object.values(QEMU_DEVICES).find((x) => x.name === name || x.bdf === name || x.qemu === name);
  if (!d) throw new Error(`unknown preset ${name} (known: ${Object.keys(QEMU_DEVICES).join(", ")})`);
  return { ...d, kernel, ...replayFds };
}
