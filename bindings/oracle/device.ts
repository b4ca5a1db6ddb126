// Device descriptions for the device-state model (bindings/oracle/model.ts): what a VFIO device looks
// like to the kernel and which fds the caller holds. The JSON shape is the one `vfio-abi predict`
// device lines use and the same as bindings/oracle/wasm/device.ts (the AssemblyScript SET_IRQS
// oracle's): driver, kernel, irqs [{index, count, flags}], regions, reset, pcie, intremap,
// msiAllocMax, info {flags, numRegions, numIrqs}, eventfds, openFds. normalizeDevice() fills in what
// the driver and kernel imply.

/** VFIO bus drivers the model knows; "libvfio-user" is a vfio-user server with PCI indexes. */
export type Driver = "vfio-pci" | "vfio-platform" | "vfio-amba" | "vfio-ccw" | "vfio-ap" | "libvfio-user";

export interface IrqDesc {
  index: number;
  /** vfio_irq_info.count as the kernel reports it (0 = not implemented). */
  count: number;
  /** vfio_irq_info.flags as the kernel reports it; derived from driver and kernel when omitted. */
  flags?: number;
  /** Never-merged irq-info-caps proposals: the VFIO_IRQ_INFO_CAP_TYPE of this index. */
  capType?: { type: number; subtype: number };
}

export interface CapDesc {
  id: number;
  version?: number;
  /** Body after the 8-byte header, hex (MSIX_MAPPABLE has none). */
  body?: string | Uint8Array;
}

export interface RegionDesc {
  index: number;
  /** vfio_region_info.flags without VFIO_REGION_INFO_FLAG_CAPS (added when caps is non-empty). */
  flags: number;
  size: number | bigint | string;
  /** File offset; vfio-pci uses index << 40. */
  offset?: number | bigint | string;
  caps?: CapDesc[];
}

export interface DeviceDescription {
  name?: string;
  driver?: Driver;
  /** Kernel release, e.g. "6.1", "6.12.95" (default "6.12"). Decides the layout epoch, the MSI code and dynamic MSI-X. */
  kernel?: string;
  /** Byte order of the ioctl buffers (default little). */
  endian?: "little" | "big";
  irqs?: IrqDesc[];
  regions?: RegionDesc[];
  /** vfio_device_info as the kernel reports it; defaults from driver, reset, regions and irqs. */
  info?: { flags?: number; numRegions?: number; numIrqs?: number };
  /** DEVICE_RESET succeeds (vfio-pci: a reset method such as FLR). */
  reset?: boolean;
  /** PCI Express (vfio-pci ERR index). Default: the ERR index has count > 0. */
  pcie?: boolean;
  /** A slot or bus reset is possible (otherwise GET_PCI_HOT_RESET_INFO gives ENODEV). */
  hotReset?: boolean;
  /** MSI-X vectors can be added while enabled (has_dyn_msix). Default: 6.5+ with MSI-X flags without NORESIZE. */
  dynMsix?: boolean;
  /** Interrupt remapping (default true). Off, multi-vector MSI may be granted fewer vectors (a positive ret). */
  intremap?: boolean;
  /** How many MSI vectors pci_alloc_irq_vectors grants at once (default: all; 1 with intremap false). */
  msiAllocMax?: number;
  /** Device-info capabilities (zPCI, PCI atomics) the kernel appends to GET_INFO. */
  infoCaps?: CapDesc[];
  /** fds that are eventfds (default 100..131, the replay program's). */
  eventfds?: number[];
  /** fds open on something else (default 0, 1, 2); any other fd is closed (EBADF). */
  openFds?: number[];
}

export interface KernelVersion { major: number; minor: number; text: string }

export function parseKernel(v: string | undefined): KernelVersion {
  const text = v ?? "6.12";
  const m = /^(\d+)\.(\d+)/.exec(text);
  if (!m) throw new TypeError(`kernel must look like 6.1 or 6.12.95, not ${JSON.stringify(text)}`);
  return { major: Number(m[1]), minor: Number(m[2]), text };
}
export const atLeast = (k: KernelVersion, major: number, minor: number): boolean =>
  k.major > major || (k.major === major && k.minor >= minor);

export const IRQ_INFO = { EVENTFD: 0x1, MASKABLE: 0x2, AUTOMASKED: 0x4, NORESIZE: 0x8 } as const;

export interface NormalIrq { index: number; count: number; flags: number; capType?: { type: number; subtype: number } }
export interface NormalCap { id: number; version: number; body: Uint8Array }
export interface NormalRegion { index: number; flags: number; size: bigint; offset: bigint; caps: NormalCap[] }

/** A description with every default applied. */
export interface NormalDevice {
  name: string;
  driver: Exclude<Driver, "libvfio-user">;
  /** "libvfio-user": libvfio-user's server rules instead of the kernel's. */
  profile: "linux" | "libvfio-user";
  kernel: KernelVersion;
  littleEndian: boolean;
  /** Layout epoch 6.6+: 8-aligned caps, 24-byte vfio_device_info. */
  epoch66: boolean;
  /** The 6.5+ MSI code (xarray contexts, no fixed vector count; dynamic MSI-X). */
  dynMsiCode: boolean;
  dynMsix: boolean;
  irqs: NormalIrq[];
  numIrqs: number;
  regions: NormalRegion[];
  numRegions: number;
  infoFlags: number;
  reset: boolean;
  pcie: boolean;
  hotReset: boolean;
  msiAllocMax: number;
  infoCaps: NormalCap[];
  eventfds: Set<number>;
  openFds: Set<number>;
}

export const DEFAULT_EVENTFDS = Array.from({ length: 32 }, (_, i) => 100 + i);
const BUS_FLAG: Record<Exclude<Driver, "libvfio-user">, number> = { "vfio-pci": 0x2, "vfio-platform": 0x4, "vfio-amba": 0x8, "vfio-ccw": 0x10, "vfio-ap": 0x20 };

const toBig = (v: number | bigint | string | undefined, dflt: bigint): bigint => v === undefined ? dflt : BigInt(v);
const hexBytes = (b: string | Uint8Array | undefined): Uint8Array => {
  if (b === undefined) return new Uint8Array(0);
  if (b instanceof Uint8Array) return b;
  const s = b.replace(/[\s_:]/g, "");
  if (s.length % 2 || /[^0-9a-f]/i.test(s)) throw new TypeError(`capability body is not hex: ${b}`);
  return Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
};
const normCaps = (c: CapDesc[] | undefined): NormalCap[] => (c ?? []).map((x) => ({ id: x.id, version: x.version ?? 1, body: hexBytes(x.body) }));

export function normalizeDevice(d: DeviceDescription = {}): NormalDevice {
  if (!d || typeof d !== "object") throw new TypeError("device must be an object");
  const lvu = d.driver === "libvfio-user";
  const driver = lvu ? "vfio-pci" : d.driver ?? "vfio-pci";
  if (!(driver in BUS_FLAG)) throw new TypeError(`unknown driver ${JSON.stringify(d.driver)} (want vfio-pci, vfio-platform, vfio-amba, vfio-ccw, vfio-ap, libvfio-user)`);
  const kernel = parseKernel(d.kernel);
  const pci = driver === "vfio-pci";
  for (const q of d.irqs ?? []) if (!Number.isInteger(q.index) || !Number.isInteger(q.count)) throw new TypeError(`bad irq entry ${JSON.stringify(q)}`);
  const given = new Map((d.irqs ?? []).map((i) => [i.index, i]));
  const numIrqs = d.info?.numIrqs ?? (pci ? 5 : driver === "vfio-ccw" ? 3 : driver === "vfio-ap" ? (atLeast(kernel, 6, 15) ? 2 : 1)
    : (d.irqs ?? []).reduce((m, q) => Math.max(m, q.index + 1), 0));
  const dynMsiCode = atLeast(kernel, 6, 5);
  const msixCount = given.get(2)?.count ?? 0;
  const msixFlags = given.get(2)?.flags;
  const dynMsix = pci && !lvu && (d.dynMsix ?? (dynMsiCode && msixCount > 0 && (msixFlags === undefined || !(msixFlags & IRQ_INFO.NORESIZE))));
  const pcie = d.pcie ?? (pci && (given.get(3)?.count ?? 0) > 0);
  const irqs: NormalIrq[] = [];
  for (let i = 0; i < numIrqs; i++) {
    const g = given.get(i);
    let count: number, flags: number;
    if (pci) {
      count = g?.count ?? (i === 4 || (i === 3 && pcie) ? 1 : 0);
      if (i === 3 && !pcie) count = 0; // vfio_pci_get_irq_count: ERR only on PCIe
      flags = i === 0 ? IRQ_INFO.EVENTFD | IRQ_INFO.MASKABLE | IRQ_INFO.AUTOMASKED
        : i === 2 && dynMsix ? IRQ_INFO.EVENTFD : IRQ_INFO.EVENTFD | IRQ_INFO.NORESIZE;
    } else {
      count = g?.count ?? 1;
      flags = IRQ_INFO.EVENTFD;
    }
    irqs.push({ index: i, count, flags: g?.flags ?? flags, ...(g?.capType ? { capType: g.capType } : {}) });
  }
  const numRegions = d.info?.numRegions ?? (pci ? 9 : driver === "vfio-ccw" ? 1 : driver === "vfio-ap" ? 0
    : (d.regions ?? []).reduce((m, r) => Math.max(m, r.index + 1), 0));
  const regions: NormalRegion[] = (d.regions ?? []).map((r) => ({
    index: r.index, flags: r.flags, size: toBig(r.size, 0n),
    offset: toBig(r.offset, pci ? BigInt(r.index) << 40n : 0n), caps: normCaps(r.caps),
  }));
  if (pci) {
    // Regions not described: BARs and ROM absent (size 0, flags 0), config space 256 bytes.
    for (let i = 0; i <= 7; i++) if (!regions.some((r) => r.index === i)) {
      regions.push({ index: i, flags: i === 7 ? 0x3 : 0, size: i === 7 ? 0x100n : 0n, offset: BigInt(i) << 40n, caps: [] });
    }
  }
  regions.sort((a, b) => a.index - b.index);
  const reset = d.reset ?? !pci;
  return {
    name: d.name ?? (d.driver ?? driver),
    driver: driver as NormalDevice["driver"], profile: lvu ? "libvfio-user" : "linux",
    kernel, littleEndian: (d.endian ?? "little") === "little",
    epoch66: atLeast(kernel, 6, 6), dynMsiCode, dynMsix, irqs, numIrqs, regions, numRegions,
    infoFlags: d.info?.flags ?? (BUS_FLAG[driver as keyof typeof BUS_FLAG] | (reset ? 1 : 0)),
    reset, pcie, hotReset: d.hotReset ?? false,
    msiAllocMax: d.msiAllocMax ?? (d.intremap === false ? 1 : Number.MAX_SAFE_INTEGER),
    infoCaps: normCaps(d.infoCaps),
    eventfds: new Set(d.eventfds ?? DEFAULT_EVENTFDS), openFds: new Set(d.openFds ?? [0, 1, 2]),
  };
}
