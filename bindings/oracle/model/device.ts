// Device descriptions for the oracle: what a device is (driver, kernel rules, irq indexes, regions,
// reset) and which fds of the calling process are eventfds / other open files. JSON-friendly; the
// same shape is used by `vfio-abi predict` device lines and by the shipped QEMU descriptions.
import {
  VFIO_DEVICE_FLAGS_AMBA,
  VFIO_DEVICE_FLAGS_AP,
  VFIO_DEVICE_FLAGS_CCW,
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_PLATFORM,
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_EVENTFD,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_INFO_NORESIZE,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
} from "../../generated/constants.js";
import {
  DEV,
  DEVF,
  DEV_WORDS,
  DRV,
  ERRNO,
  IRQ_TYPE_LABELS,
  KERN,
  LVU,
  MAX_FD,
  PCI,
  PLAT,
} from "../../generated/wasm-abi.js";

import { DEFAULT_KERNEL, K_XARRAY_MSI, kernelBehaviours, kernelProfileBits } from "./kernel.js";

export type DriverName = "vfio-pci" | "vfio-platform" | "vfio-amba" | "vfio-ccw" | "vfio-ap" | "libvfio-user";

export interface IrqDesc {
  index: number;
  /** vfio_irq_info.count the kernel reports (0 = index not implemented). */
  count: number;
  /** vfio_irq_info.flags the kernel reports (EVENTFD 1, MASKABLE 2, AUTOMASKED 4, NORESIZE 8). */
  flags: number;
  /** Never-merged irq-info-caps proposals: the VFIO_IRQ_INFO_CAP_TYPE of this index. */
  capType?: { type: number; subtype: number };
  /** The raw GET_IRQ_INFO reply (hex); under the proposals its VFIO_IRQ_INFO_CAP_TYPE is decoded for topology. */
  hex?: string;
  /**
   * vfio-platform/amba: request_irq failed for this line when the device was opened (a per-CPU
   * interrupt, a trigger type the irq chip refuses: EINVAL; a line held by a handler that does not
   * share: EBUSY). GET_IRQ_INFO still reports the line; every SET_IRQS on it returns this errno.
   */
  requestError?: string | number;
}

export interface CapDesc {
  id: number;
  version: number;
  /** Body after the 8-byte header, hex (MSIX_MAPPABLE has none). */
  body?: string;
}

export interface RegionDesc {
  index: number;
  /** vfio_region_info.flags without VFIO_REGION_INFO_FLAG_CAPS (added when caps is non-empty). */
  flags: number;
  /** Size in bytes (number, decimal/hex string or bigint). */
  size: number | string | bigint;
  /** File offset; vfio-pci default index << 40. */
  offset?: number | string | bigint;
  caps?: CapDesc[];
}

export interface DeviceDescription {
  name?: string;
  driver: DriverName;
  /** Kernel version whose behaviour applies ("6.1", "6.12", "7.2", "7.3" or a full release); default the newest known. */
  kernel?: string;
  /** vfio_device_info as the kernel reports it; defaults from driver, reset, regions and irqs. */
  info?: { flags?: number; numRegions?: number; numIrqs?: number };
  /** DEVICE_RESET succeeds (vfio-pci: the device has a reset method such as FLR). */
  reset?: boolean;
  /** PCI Express (vfio-pci ERR index). Default: the ERR index has count > 0. */
  pcie?: boolean;
  /** Interrupt remapping (default true). Off, multi-vector MSI may return fewer vectors (a positive ret). */
  intremap?: boolean;
  /** With intremap false: how many MSI vectors pci_alloc_irq_vectors can give (observed 1). */
  msiAllocMax?: number;
  irqs: IrqDesc[];
  regions?: RegionDesc[];
  /**
   * GET_INFO capability chain, in the order the kernel adds the capabilities (vfio-pci on s390:
   * ZPCI_BASE, ZPCI_GROUP, ZPCI_UTIL when there is a utility string, ZPCI_PFIP), each as decode()
   * shows one: { header: { id, version }, ...fields }.
   */
  infoCaps?: Record<string, unknown>[];
  /**
   * The device raises its own interrupt from register writes (QEMU's edu): a 32-bit write of v at
   * `raise` sets status |= v and asserts INTx (or sends MSI vector 0 when MSI is enabled); at `lower`
   * status &= ~v and INTx drops once status is 0 (only while MSI is off).
   */
  irqSource?: { raise: { region: number; offset: number }; lower: { region: number; offset: number } };
  /** fds that are eventfds (default 100..131, the replay program's); a list or "100-131,7". */
  eventfds?: FdList;
  /** fds open on something else (default 0, 1, 2); any other fd is closed. */
  openFds?: FdList;
  /** libvfio-user: bugs of the snapshot this server does not have (rule names, e.g. "LVU_BUG_DISABLE_RANGE"). */
  fixed?: string[];
  /** The fd environment in one place (overrides eventfds / openFds); see FdEnv. */
  fds?: FdEnv;
  /**
   * vfio-pci: the devices a slot or bus reset of this device also resets, this one included, in the
   * order the kernel walks the bus (devfn order), each with its IOMMU group. Absent: the device sits
   * on a root bus, where neither reset exists (the hot reset ioctls answer ENODEV).
   */
  resetDomain?: PciDependent[];
  /** Open VFIO group fds of the calling process: fd -> group number (the proof a hot reset asks for). */
  groupFds?: Record<number, number>;
}

/** A device of a reset domain: its address ("0000:01:00.1") and IOMMU group. */
export interface PciDependent {
  bdf: string;
  group: number;
}

/** fd numbers: [3, 4, 100] or "3-4,100" ("-" or "" for none). */
export type FdList = number[] | string;

/**
 * Which fds of the calling process are open eventfds, open files that are not eventfds, and
 * closed. On a device description it is the whole environment: missing lists keep their defaults
 * (eventfds 100..131, files 0..2), `closed` removes fds from both, every other fd is closed. As a
 * change (DeviceModel.setFds, a predict request's "fds") only the listed fds change kind. The model
 * knows fds 0..1023; higher fds are closed.
 */
export interface FdEnv {
  eventfds?: FdList;
  files?: FdList;
  /**
   * Files (not eventfds) that can be written to: a libvfio-user server's trigger writes to whatever
   * fd it was given, and the write succeeds only on these. They count as files (listing them in
   * `files` too is optional); the kernel only tells eventfds from other open files.
   */
  writable?: FdList;
  closed?: FdList;
}

export const MAX_ENV_FD = MAX_FD - 1;
export const DEFAULT_FD_ENV = { eventfds: "100-131", files: "0-2" } as const;

/** Parse an fd list; throws TypeError on anything but integers 0..1023. */
export function parseFdList(v: FdList | undefined): number[] {
  if (v === undefined) return [];
  const out: number[] = [];
  const add = (fd: number) => {
    if (!Number.isInteger(fd) || fd < 0 || fd > MAX_ENV_FD)
      throw new TypeError(`fd ${fd} out of range: the fd environment covers 0..${MAX_ENV_FD}`);
    out.push(fd);
  };
  if (Array.isArray(v)) {
    v.forEach(add);
    return out;
  }
  if (typeof v !== "string")
    throw new TypeError(`fd list must be an array or a string like "100-131,7", not ${JSON.stringify(v)}`);
  if (v.trim() === "" || v.trim() === "-") return out;
  for (const part of v.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new TypeError(`bad fd list ${JSON.stringify(v)} (want numbers and ranges like "100-131,7")`);
    const a = Number(m[1]),
      b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new TypeError(`bad fd range ${part.trim()}`);
    if (b - a > MAX_ENV_FD) throw new TypeError(`fd range ${part.trim()} out of range 0..${MAX_ENV_FD}`);
    for (let fd = a; fd <= b; fd++) add(fd);
  }
  return out;
}

/** "100-131,7"-style text of fd numbers (sorted, ranges merged; "-" for none). */
export function formatFdList(fds: Iterable<number>): string {
  const s = [...new Set(fds)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j;
  }
  return parts.length ? parts.join(",") : "-";
}

/** The whole environment a description declares: { eventfds, files, writable (a subset of files) } as sorted number lists. */
export function fdEnvOf(d: DeviceDescription): { eventfds: number[]; files: number[]; writable: number[] } {
  const e = d.fds?.eventfds ?? d.eventfds ?? DEFAULT_FD_ENV.eventfds;
  const f = d.fds?.files ?? d.openFds ?? DEFAULT_FD_ENV.files;
  const closed = new Set(parseFdList(d.fds?.closed));
  const eventfds = new Set(parseFdList(e).filter((x) => !closed.has(x)));
  const sorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
  const writable = sorted(parseFdList(d.fds?.writable).filter((x) => !closed.has(x) && !eventfds.has(x)));
  const files = sorted([...parseFdList(f), ...writable].filter((x) => !closed.has(x) && !eventfds.has(x)));
  return { eventfds: sorted([...eventfds]), files, writable };
}

/** Apply an fd environment change to a device block (the DEV_EVENTFDS and DEV_OPEN_FDS bitmaps): listed fds change kind. */
export function applyFdEnv(b: Uint32Array, env: FdEnv): void {
  const set = (base: number, fd: number, on: boolean) => {
    const i = base + (fd >> 5),
      bit = 1 << (fd & 31);
    b[i] = on ? (b[i] | bit) >>> 0 : (b[i] & ~bit) >>> 0;
  };
  for (const fd of parseFdList(env.closed)) {
    set(DEV.EVENTFDS, fd, false);
    set(DEV.OPEN_FDS, fd, false);
  }
  for (const fd of [...parseFdList(env.files), ...parseFdList(env.writable)]) {
    set(DEV.EVENTFDS, fd, false);
    set(DEV.OPEN_FDS, fd, true);
  }
  for (const fd of parseFdList(env.eventfds)) {
    set(DEV.OPEN_FDS, fd, false);
    set(DEV.EVENTFDS, fd, true);
  }
}

/** The fd environment of a device block: { eventfds, files } as "100-131"-style text. */
export function fdEnvText(b: Uint32Array): { eventfds: string; files: string } {
  const pick = (base: number) => {
    const out: number[] = [];
    for (let fd = 0; fd <= MAX_ENV_FD; fd++) if (b[base + (fd >> 5)] & (1 << (fd & 31))) out.push(fd);
    return out;
  };
  return { eventfds: formatFdList(pick(DEV.EVENTFDS)), files: formatFdList(pick(DEV.OPEN_FDS)) };
}

export { DEV_WORDS };
/** Indexes the block describes (the length of DEV_IRQ_COUNT and DEV_IRQ_FLAGS). */
export const DEV_IRQ_INDEXES = DEV.IRQ_FLAGS - DEV.IRQ_COUNT;
export const DRIVERS: Record<DriverName, number> = {
  "vfio-pci": DRV.PCI,
  "vfio-platform": DRV.PLATFORM,
  "vfio-amba": DRV.AMBA,
  "vfio-ccw": DRV.CCW,
  "vfio-ap": DRV.AP,
  "libvfio-user": DRV.LIBVFIO_USER,
};
/** Label of each irq type (IRQ_TYPE value -> name). */
export const IRQ_TYPE_NAMES = IRQ_TYPE_LABELS;

export function driverOf(d: DeviceDescription): number {
  const n = DRIVERS[d.driver];
  if (n === undefined)
    throw new TypeError(`unknown driver ${JSON.stringify(d.driver)} (want ${Object.keys(DRIVERS).join(", ")})`);
  return n;
}

/** 1 for 6.5+ kernels (xarray MSI contexts, dynamic MSI-X), 0 before. */
export function kernelRules(kernel: string | undefined): 0 | 1 {
  return (kernelProfileBits(kernel ?? DEFAULT_KERNEL) & K_XARRAY_MSI) !== 0 ? 1 : 0;
}

export const irqOf = (d: Pick<DeviceDescription, "irqs">, index: number): IrqDesc | undefined =>
  d.irqs.find((q) => q.index === index);

export function numIrqs(d: DeviceDescription): number {
  if (d.info?.numIrqs !== undefined) return d.info.numIrqs;
  switch (d.driver) {
    case "vfio-pci":
    case "libvfio-user":
      return 5;
    case "vfio-ccw":
      return 3;
    case "vfio-ap":
      return 2;
    default:
      return d.irqs.reduce((m, q) => Math.max(m, q.index + 1), 0);
  }
}

/**
 * The irq indexes vfio-pci reports for these vectors per index (INTx, MSI, MSI-X, ERR, REQ), with the
 * flags GET_IRQ_INFO gives (vfio_pci_ioctl_get_irq_info): INTx can be masked and is masked
 * automatically; the others carry NORESIZE, except MSI-X on kernels that allocate MSI-X vectors
 * dynamically (6.5 and later) when the device has MSI-X.
 */
export function vfioPciIrqs(counts: readonly number[], kernel: string = DEFAULT_KERNEL): IrqDesc[] {
  const growable = (kernelProfileBits(kernel) & K_XARRAY_MSI) !== 0;
  return counts.map((count, index) => {
    let flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
    if (index === VFIO_PCI_INTX_IRQ_INDEX)
      flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
    else if (index === VFIO_PCI_MSIX_IRQ_INDEX && growable && count > 0) flags = VFIO_IRQ_INFO_EVENTFD;
    return { index, count, flags };
  });
}

export function isPcie(d: DeviceDescription): boolean {
  return d.pcie ?? (irqOf(d, 3)?.count ?? 0) > 0;
}

/** vfio-pci has an ERR index: on PCI Express devices, and on every device from 7.3 on. */
export function hasErrIndex(d: DeviceDescription): boolean {
  return isPcie(d) || kernelBehaviours(d.kernel ?? DEFAULT_KERNEL).has("ERR_ALL_DEVICES");
}

/** errno number of a name ("EINVAL") or number. */
function errnoValue(e: string | number): number {
  const n = typeof e === "number" ? e : (ERRNO as Record<string, number>)[e];
  if (!Number.isInteger(n) || n <= 0 || n > 4095)
    throw new TypeError(
      `requestError must be an errno name (${Object.keys(ERRNO).join(", ")}) or number, not ${JSON.stringify(e)}`,
    );
  return n;
}

/**
 * vfio-platform/amba: the device block followed by the extended words (PLAT_WORDS in all) that
 * hold each line's request_irq errno and, kept by the oracle, its trigger, irqfds and mask;
 * PLAT_EXTENDED says they are there.
 */
export function platformBlock(d: DeviceDescription): Uint32Array {
  const b = new Uint32Array(PLAT.WORDS);
  b.set(deviceBlock(d));
  b[DEV.FEATURES] |= PLAT.EXTENDED;
  for (const q of d.irqs)
    if (q.requestError !== undefined && q.index >= 0 && q.index < 64)
      b[PLAT.IRQ_ERRNO + q.index] = errnoValue(q.requestError);
  return b;
}

/**
 * vfio-pci: the device block followed by the extended words (PCI_WORDS in all) in which the oracle
 * keeps which eventfd each trigger and vector holds; PCI_EXTENDED says they are there.
 */
export function pciBlock(d: DeviceDescription): Uint32Array {
  const b = new Uint32Array(PCI.WORDS);
  b.set(deviceBlock(d));
  b[DEV.FEATURES] |= PCI.EXTENDED;
  return b;
}

/** Initial state block (DEV_WORDS u32, the contract's DEV_* layout) for the wasm oracle. */
export function deviceBlock(d: DeviceDescription): Uint32Array {
  const b = new Uint32Array(DEV_WORDS);
  b[DEV.DRIVER] = driverOf(d);
  b[DEV.KERNEL] = kernelProfileBits(d.kernel ?? DEFAULT_KERNEL);
  b[DEV.NUM_IRQS] = numIrqs(d);
  const msix = irqOf(d, VFIO_PCI_MSIX_IRQ_INDEX);
  const dynMsix =
    (b[DEV.KERNEL] & KERN.XARRAY_MSI) !== 0 && msix && msix.count > 0 && (msix.flags & VFIO_IRQ_INFO_NORESIZE) === 0;
  b[DEV.FEATURES] =
    (isPcie(d) ? DEVF.PCIE : 0) | (d.intremap === false ? DEVF.MSI_SHORT : 0) | (dynMsix ? DEVF.DYN_MSIX : 0);
  b[DEV.MSI_ALLOC_MAX] = d.msiAllocMax ?? (d.intremap === false ? 1 : 0);
  // libvfio-user: the features word says which of the snapshot's bugs the server has
  if (d.driver === "libvfio-user") {
    const bug = (name: "LVU_BUG_DISABLE_RANGE" | "LVU_BUG_INTX_SHARED" | "LVU_BUG_ERR_REQ_ARRAY") =>
      d.fixed?.includes(name) ? 0 : LVU[name];
    b[DEV.FEATURES] = bug("LVU_BUG_DISABLE_RANGE") | bug("LVU_BUG_INTX_SHARED") | bug("LVU_BUG_ERR_REQ_ARRAY");
  }
  for (const q of d.irqs) {
    if (q.index < 0 || q.index >= DEV_IRQ_INDEXES) continue;
    b[DEV.IRQ_COUNT + q.index] = q.count >>> 0;
    b[DEV.IRQ_FLAGS + q.index] = q.flags >>> 0;
  }
  // before 7.3 vfio-pci reports ERR only on PCIe: keep the validator's count 0 otherwise
  if (b[DEV.DRIVER] === DRV.PCI && !hasErrIndex(d)) b[DEV.IRQ_COUNT + VFIO_PCI_ERR_IRQ_INDEX] = 0;
  const env = fdEnvOf(d);
  applyFdEnv(b, { files: env.files, eventfds: env.eventfds });
  return b;
}

/** Device-info flags the kernel reports for this description. */
export function deviceInfoFlags(d: DeviceDescription): number {
  if (d.info?.flags !== undefined) return d.info.flags;
  const bus = {
    "vfio-pci": VFIO_DEVICE_FLAGS_PCI,
    "vfio-platform": VFIO_DEVICE_FLAGS_PLATFORM,
    "vfio-amba": VFIO_DEVICE_FLAGS_AMBA,
    "vfio-ccw": VFIO_DEVICE_FLAGS_CCW,
    "vfio-ap": VFIO_DEVICE_FLAGS_AP,
    "libvfio-user": VFIO_DEVICE_FLAGS_PCI,
  }[d.driver];
  return bus | (d.reset ? VFIO_DEVICE_FLAGS_RESET : 0);
}

export function numRegions(d: DeviceDescription): number {
  if (d.info?.numRegions !== undefined) return d.info.numRegions;
  if (d.driver === "vfio-pci" || d.driver === "libvfio-user") return 9;
  return (d.regions ?? []).reduce((m, r) => Math.max(m, r.index + 1), 0);
}

export const big = (v: number | string | bigint | undefined, dflt: bigint): bigint =>
  v === undefined ? dflt : typeof v === "bigint" ? v : BigInt(v);

/** Check a parsed JSON value is a usable description (throws TypeError with the problem). */
export function checkDescription(v: unknown): DeviceDescription {
  const d = v as DeviceDescription;
  if (!d || typeof d !== "object") throw new TypeError("device must be an object");
  driverOf(d);
  kernelRules(d.kernel);
  if (!Array.isArray(d.irqs)) throw new TypeError("device.irqs must be an array of {index, count, flags}");
  for (const q of d.irqs) {
    if (!Number.isInteger(q.index) || !Number.isInteger(q.count) || !Number.isInteger(q.flags))
      throw new TypeError(`bad irq entry ${JSON.stringify(q)}`);
    if (q.requestError !== undefined) errnoValue(q.requestError);
  }
  for (const r of d.regions ?? [])
    if (!Number.isInteger(r.index) || !Number.isInteger(r.flags))
      throw new TypeError(`bad region entry ${JSON.stringify(r)}`);
  fdEnvOf(d); // throws on a bad fd list
  return d;
}
