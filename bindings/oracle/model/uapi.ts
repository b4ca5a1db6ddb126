// What vfio-pci in a type1 container answers to the ioctls beyond the IRQ side: VFIO_DEVICE_FEATURE
// (every feature index, GET / SET / PROBE), VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_GROUP_GET_STATUS,
// VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA. Each answer walks the kernel's own checks in order, as
// read in drivers/vfio (vfio_main.c, group.c, pci/vfio_pci_core.c, pci/vfio_pci_dmabuf.c,
// vfio_iommu_type1.c) of Linux 6.1, 6.12, 7.2 and 7.3, and is checked against those kernels under QEMU
// (tests/kernel/uapi). The model is for x86_64 (little-endian, lp64) and 4 KiB IOMMU pages.
import {
  O_VFIO_DEVICE_FEATURE__ARGSZ,
  O_VFIO_DEVICE_FEATURE__DATA,
  O_VFIO_DEVICE_FEATURE__FLAGS,
  O_VFIO_DEVICE_FEATURE_DMA_BUF__FLAGS,
  O_VFIO_DEVICE_FEATURE_DMA_BUF__NR_RANGES,
  O_VFIO_DEVICE_FEATURE_DMA_BUF__REGION_INDEX,
  O_VFIO_DEVICE_FEATURE_DMA_BUF__DMA_RANGES,
  O_VFIO_DEVICE_LOW_POWER_ENTRY_WITH_WAKEUP__WAKEUP_EVENTFD,
  O_VFIO_GROUP_STATUS__ARGSZ,
  O_VFIO_GROUP_STATUS__FLAGS,
  O_VFIO_IOMMU_TYPE1_DMA_MAP__ARGSZ,
  O_VFIO_IOMMU_TYPE1_DMA_MAP__FLAGS,
  O_VFIO_IOMMU_TYPE1_DMA_MAP__IOVA,
  O_VFIO_IOMMU_TYPE1_DMA_MAP__SIZE,
  O_VFIO_IOMMU_TYPE1_DMA_MAP__VADDR,
  O_VFIO_IOMMU_TYPE1_DMA_UNMAP__ARGSZ,
  O_VFIO_IOMMU_TYPE1_DMA_UNMAP__FLAGS,
  O_VFIO_IOMMU_TYPE1_DMA_UNMAP__IOVA,
  O_VFIO_IOMMU_TYPE1_DMA_UNMAP__SIZE,
  O_VFIO_PCI_DEPENDENT_DEVICE__BUS,
  O_VFIO_PCI_DEPENDENT_DEVICE__DEVFN,
  O_VFIO_PCI_DEPENDENT_DEVICE__GROUP_ID,
  O_VFIO_PCI_DEPENDENT_DEVICE__SEGMENT,
  O_VFIO_PCI_HOT_RESET__ARGSZ,
  O_VFIO_PCI_HOT_RESET__COUNT,
  O_VFIO_PCI_HOT_RESET__FLAGS,
  O_VFIO_PCI_HOT_RESET__GROUP_FDS,
  O_VFIO_PCI_HOT_RESET_INFO__ARGSZ,
  O_VFIO_PCI_HOT_RESET_INFO__COUNT,
  O_VFIO_PCI_HOT_RESET_INFO__DEVICES,
  O_VFIO_PCI_HOT_RESET_INFO__FLAGS,
  SIZEOF_VFIO_PCI_DEPENDENT_DEVICE,
  O_VFIO_REGION_DMA_RANGE__LENGTH,
  O_VFIO_REGION_DMA_RANGE__OFFSET,
  SIZEOF_VFIO_DEVICE_FEATURE,
  SIZEOF_VFIO_DEVICE_FEATURE_DMA_BUF,
  SIZEOF_VFIO_DEVICE_LOW_POWER_ENTRY_WITH_WAKEUP,
  SIZEOF_VFIO_GROUP_STATUS,
  SIZEOF_VFIO_IOMMU_TYPE1_DMA_MAP,
  SIZEOF_VFIO_IOMMU_TYPE1_DMA_UNMAP,
  SIZEOF_VFIO_REGION_DMA_RANGE,
  VFIO_DEVICE_FEATURE_DMA_BUF,
  VFIO_DEVICE_FEATURE_GET,
  VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
  VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
  VFIO_DEVICE_FEATURE_LOW_POWER_EXIT,
  VFIO_DEVICE_FEATURE_MASK,
  VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2,
  VFIO_DEVICE_FEATURE_PROBE,
  VFIO_DEVICE_FEATURE_SET,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_VADDR,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
  VFIO_DMA_UNMAP_FLAG_VADDR,
  VFIO_GROUP_FLAGS_CONTAINER_SET,
  VFIO_GROUP_FLAGS_VIABLE,
  VFIO_PCI_ROM_REGION_INDEX,
} from "../../generated/constants.js";
import { ERRNO, ERRNO_NAMES, type ErrnoName } from "../../generated/wasm-abi.js";
import { structByName } from "../../schema-index.js";
import { type DeviceDescription, fdEnvOf } from "./device.js";
import { DEFAULT_KERNEL, kernelBehaviours } from "./kernel.js";

/** The ioctls this model answers. */
export const UAPI_IOCTLS = [
  "VFIO_DEVICE_FEATURE",
  "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
  "VFIO_DEVICE_PCI_HOT_RESET",
  "VFIO_GROUP_GET_STATUS",
  "VFIO_IOMMU_MAP_DMA",
  "VFIO_IOMMU_UNMAP_DMA",
] as const;
export type UapiIoctl = (typeof UAPI_IOCTLS)[number];

export interface UapiPrediction {
  /** The ioctl's return value (0 or -errno); null when the model does not predict the path. */
  ret: number | null;
  errno: string | null;
  /** The kernel check that decided the answer. */
  rule: string;
  /** The caller's buffer after the call (same length as the request). */
  reply: Uint8Array;
  /** The memory after the buffer, as given, after the call (a kernel write past the buffer shows here). */
  after?: Uint8Array;
}

/** Bytes each ioctl's first copy_from_user reads: the model needs at least these. */
const COPY_IN: Record<UapiIoctl, number> = {
  VFIO_DEVICE_FEATURE: O_VFIO_DEVICE_FEATURE__DATA,
  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: O_VFIO_PCI_HOT_RESET_INFO__DEVICES,
  VFIO_DEVICE_PCI_HOT_RESET: O_VFIO_PCI_HOT_RESET__GROUP_FDS,
  VFIO_GROUP_GET_STATUS: SIZEOF_VFIO_GROUP_STATUS,
  VFIO_IOMMU_MAP_DMA: SIZEOF_VFIO_IOMMU_TYPE1_DMA_MAP,
  VFIO_IOMMU_UNMAP_DMA: SIZEOF_VFIO_IOMMU_TYPE1_DMA_UNMAP,
};

const PAGE = 4096n;
/** sizeof(struct vfio_bitmap) on x86_64 (layout variant lp64, 6.7), looked up on use: an import does not parse the schema. */
const sizeofBitmap = (): number => structByName("vfio_bitmap").size[1];
const U64 = (1n << 64n) - 1n;
/** IOMMU pages: the intel-iommu of the harness supports 4 KiB and up; type1 uses the smallest. */
const PGMASK = PAGE - 1n;

/** The features vfio-pci answers itself (vfio_pci_core_ioctl_feature) and what each supports. */
interface PciFeature {
  ops: number;
  /** minsz of vfio_check_feature: payload bytes the GET / SET needs. */
  minsz: number;
  since?: string;
}
const GET = VFIO_DEVICE_FEATURE_GET,
  SET = VFIO_DEVICE_FEATURE_SET,
  PROBE = VFIO_DEVICE_FEATURE_PROBE;
const PCI_FEATURES: Record<number, PciFeature> = {
  [VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY]: { ops: SET, minsz: 0 },
  [VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP]: {
    ops: SET,
    minsz: SIZEOF_VFIO_DEVICE_LOW_POWER_ENTRY_WITH_WAKEUP,
  },
  [VFIO_DEVICE_FEATURE_LOW_POWER_EXIT]: { ops: SET, minsz: 0 },
  [VFIO_DEVICE_FEATURE_DMA_BUF]: { ops: GET, minsz: SIZEOF_VFIO_DEVICE_FEATURE_DMA_BUF, since: "DMA_BUF" },
};

/** Views of a request in the caller's byte order. */
class Buf {
  readonly dv: DataView;
  constructor(
    readonly b: Uint8Array,
    readonly le = true,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  has(off: number, n: number): boolean {
    return off + n <= this.b.length;
  }
  u32(off: number): number {
    return this.has(off, 4) ? this.dv.getUint32(off, this.le) : 0;
  }
  s32(off: number): number {
    return this.has(off, 4) ? this.dv.getInt32(off, this.le) : 0;
  }
  u64(off: number): bigint {
    return this.has(off, 8) ? this.dv.getBigUint64(off, this.le) : 0n;
  }
}

/** A prediction from a return value (negative: the errno's name) - shared by the uAPI and cdev models. */
export const answer = (ret: number | null, rule: string, reply: Uint8Array): UapiPrediction => ({
  ret,
  errno: ret !== null && ret < 0 ? (ERRNO_NAMES[-ret] ?? `E${-ret}`) : null,
  rule,
  reply,
});
export const fail = (name: ErrnoName, rule: string, reply: Uint8Array) => answer(-ERRNO[name], rule, reply);

/** A range of the calling process's memory that the kernel can pin (mapped, writable). */
export interface MemRange {
  vaddr: bigint;
  size: bigint;
}
/** A type1 DMA mapping (struct vfio_dma): vaddr invalid after UNMAP_DMA with VFIO_DMA_UNMAP_FLAG_VADDR. */
export interface DmaMapping {
  iova: bigint;
  size: bigint;
  vaddr: bigint;
  vaddrInvalid: boolean;
}

/**
 * One device in one container, with the state these ioctls change: low-power entry (engaged until
 * LOW_POWER_EXIT) and the container's DMA mappings. `memory` lists the caller's pinnable memory: a
 * MAP_DMA of any other vaddr fails to pin it (EFAULT).
 */
export class UapiModel {
  readonly kernel: string;
  private readonly has: Set<string>;
  private readonly fds: { eventfds: Set<number>; open: Set<number> };
  private readonly memory: MemRange[];
  /** The caller's byte order (s390x is big-endian). */
  private readonly le: boolean;
  /** Opened through its cdev (VFIO_DEVICE_BIND_IOMMUFD), not through a group. */
  private readonly cdevOpened: boolean;
  /** LOW_POWER_ENTRY done and not exited (vdev->pm_runtime_engaged). */
  lowPower = false;
  /** The container's mappings, by iova. */
  readonly dmas: DmaMapping[] = [];

  constructor(
    readonly device: DeviceDescription,
    opts: { memory?: MemRange[]; bigEndian?: boolean; cdevOpened?: boolean } = {},
  ) {
    this.memory = opts.memory ?? [];
    this.le = !opts.bigEndian;
    this.cdevOpened = opts.cdevOpened ?? false;
    this.kernel = device.kernel ?? DEFAULT_KERNEL;
    this.has = kernelBehaviours(this.kernel);
    const env = fdEnvOf(device);
    this.fds = { eventfds: new Set(env.eventfds), open: new Set([...env.eventfds, ...env.files]) };
  }

  /**
   * The kernel's answer to `ioctl` with `bytes` (the request, optionally followed by the bytes
   * behind it in the caller's memory; the reply has the request's length `length`).
   */
  predict(ioctl: UapiIoctl, bytes: Uint8Array, length = bytes.length): UapiPrediction {
    // the handlers write into a copy of the caller's memory: the reply is its first `length` bytes
    const mem = bytes.slice();
    const p =
      bytes.length < COPY_IN[ioctl]
        ? answer(null, "READS_PAST_BUFFER", mem) // copy_from_user reads caller memory the model was not given
        : this.dispatch(ioctl, new Buf(bytes, this.le), mem);
    return { ...p, reply: mem.slice(0, length), after: mem.slice(length) };
  }

  private dispatch(ioctl: UapiIoctl, b: Buf, mem: Uint8Array): UapiPrediction {
    switch (ioctl) {
      case "VFIO_DEVICE_FEATURE":
        return this.feature(b, mem);
      case "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO":
        return this.hotResetInfo(b, mem);
      case "VFIO_DEVICE_PCI_HOT_RESET":
        return this.hotReset(b, mem);
      case "VFIO_GROUP_GET_STATUS":
        return groupStatus(b, mem, this.le);
      case "VFIO_IOMMU_MAP_DMA":
        return this.mapDma(b, mem);
      case "VFIO_IOMMU_UNMAP_DMA":
        return this.unmapDma(b, mem);
    }
    throw new TypeError(`uapi model: no answer for ${ioctl} (known: ${UAPI_IOCTLS.join(", ")})`);
  }

  // ---- VFIO_DEVICE_FEATURE: vfio_ioctl_device_feature, then the core's or vfio-pci's handler
  private feature(b: Buf, reply: Uint8Array): UapiPrediction {
    const minsz = O_VFIO_DEVICE_FEATURE__DATA; // offsetofend(flags)
    const argsz = b.u32(O_VFIO_DEVICE_FEATURE__ARGSZ),
      flags = b.u32(O_VFIO_DEVICE_FEATURE__FLAGS);
    if (argsz < minsz) return fail("EINVAL", "FEATURE_ARGSZ", reply);
    if ((flags & ~(VFIO_DEVICE_FEATURE_MASK | GET | SET | PROBE)) !== 0)
      return fail("EINVAL", "FEATURE_FLAGS_UNKNOWN", reply);
    if (!(flags & PROBE) && flags & SET && flags & GET) return fail("EINVAL", "FEATURE_GET_AND_SET", reply);
    const id = flags & VFIO_DEVICE_FEATURE_MASK;
    const dataSize = argsz - SIZEOF_VFIO_DEVICE_FEATURE;
    // core features: migration and DMA logging need driver ops vfio-pci does not have
    if (id === VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 && this.has.has("PRECOPY_INFO_V2"))
      return fail("EINVAL", "FEATURE_PRECOPY_NO_PRE_COPY", reply); // migration_flags lack PRE_COPY
    const f = PCI_FEATURES[id];
    if (!f || (f.since && !this.has.has(f.since))) return fail("ENOTTY", "FEATURE_NOT_SUPPORTED", reply);
    // vfio_check_feature
    if (flags & (GET | SET) & ~f.ops) return fail("EINVAL", "FEATURE_OP", reply);
    if (flags & PROBE) return answer(0, "FEATURE_PROBE", reply);
    if (!(flags & (GET | SET))) return fail("EINVAL", "FEATURE_NO_OP", reply);
    if (dataSize < f.minsz) return fail("EINVAL", "FEATURE_DATA_SHORT", reply);
    const data = O_VFIO_DEVICE_FEATURE__DATA;
    switch (id) {
      case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
        return this.lowPowerEntry(reply);
      case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP: {
        const fd = b.s32(data + O_VFIO_DEVICE_LOW_POWER_ENTRY_WITH_WAKEUP__WAKEUP_EVENTFD);
        if (fd < 0) return fail("EINVAL", "WAKEUP_FD_NEGATIVE", reply);
        if (!this.fds.open.has(fd)) return fail("EBADF", "WAKEUP_FD_CLOSED", reply);
        if (!this.fds.eventfds.has(fd)) return fail("EINVAL", "WAKEUP_FD_NOT_EVENTFD", reply);
        if (this.lowPower) return fail("EINVAL", "LOW_POWER_ENGAGED", reply);
        // engaged with a wake eventfd: the next runtime resume signals it and exits (timing-dependent)
        return answer(null, "LOW_POWER_ENTRY_WAKEUP", reply);
      }
      case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:
        this.lowPower = false;
        return answer(0, "LOW_POWER_EXIT", reply);
      case VFIO_DEVICE_FEATURE_DMA_BUF:
        return this.dmaBuf(b, data, reply);
    }
    return fail("ENOTTY", "FEATURE_NOT_SUPPORTED", reply);
  }

  private lowPowerEntry(reply: Uint8Array): UapiPrediction {
    if (this.lowPower) return fail("EINVAL", "LOW_POWER_ENGAGED", reply);
    this.lowPower = true;
    return answer(0, "LOW_POWER_ENTRY", reply);
  }

  /** vfio_pci_core_feature_dma_buf up to the export (which creates a dma-buf fd: not modelled). */
  private dmaBuf(b: Buf, data: number, reply: Uint8Array): UapiPrediction {
    const nr = b.u32(data + O_VFIO_DEVICE_FEATURE_DMA_BUF__NR_RANGES);
    if (nr === 0 || b.u32(data + O_VFIO_DEVICE_FEATURE_DMA_BUF__FLAGS) !== 0)
      return fail("EINVAL", "DMA_BUF_NO_RANGES_OR_FLAGS", reply);
    const bar = b.u32(data + O_VFIO_DEVICE_FEATURE_DMA_BUF__REGION_INDEX);
    if (bar >= VFIO_PCI_ROM_REGION_INDEX || !this.barSize(bar)) return fail("ENODEV", "DMA_BUF_NO_BAR", reply);
    let total = 0n;
    for (let i = 0; i < nr; i++) {
      const r = data + O_VFIO_DEVICE_FEATURE_DMA_BUF__DMA_RANGES + i * SIZEOF_VFIO_REGION_DMA_RANGE;
      if (!b.has(r, SIZEOF_VFIO_REGION_DMA_RANGE)) return answer(null, "DMA_BUF_RANGES_UNKNOWN", reply);
      const off = b.u64(r + O_VFIO_REGION_DMA_RANGE__OFFSET),
        len = b.u64(r + O_VFIO_REGION_DMA_RANGE__LENGTH);
      if (!len || off & PGMASK || len & PGMASK) return fail("EINVAL", "DMA_BUF_RANGE_ALIGN", reply);
      total += len;
      if (total > U64) return fail("EINVAL", "DMA_BUF_RANGE_ALIGN", reply);
    }
    return answer(null, "DMA_BUF_EXPORT", reply);
  }

  private barSize(index: number): bigint {
    const r = this.device.regions?.find((x) => x.index === index);
    return r ? BigInt(r.size) : 0n;
  }

  // ---- VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: vfio_pci_ioctl_get_pci_hot_reset_info (group-opened device)
  private hotResetInfo(b: Buf, reply: Uint8Array): UapiPrediction {
    const argsz = b.u32(O_VFIO_PCI_HOT_RESET_INFO__ARGSZ);
    if (argsz < O_VFIO_PCI_HOT_RESET_INFO__DEVICES) return fail("EINVAL", "HOT_RESET_ARGSZ", reply);
    const domain = this.device.resetDomain;
    if (!domain?.length) return fail("ENODEV", "HOT_RESET_NO_SLOT_OR_BUS_RESET", reply);
    // a cdev-opened device reports devids (VFIO_PCI_HOT_RESET_FLAG_DEV_ID): not modelled
    if (this.cdevOpened) return answer(null, "HOT_RESET_INFO_DEVIDS", reply);
    const out = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
    // the header goes back with flags 0 and the count, also when the array does not fit
    out.setUint32(O_VFIO_PCI_HOT_RESET_INFO__FLAGS, 0, this.le);
    out.setUint32(O_VFIO_PCI_HOT_RESET_INFO__COUNT, domain.length, this.le);
    const room = Math.floor((argsz - O_VFIO_PCI_HOT_RESET_INFO__DEVICES) / SIZEOF_VFIO_PCI_DEPENDENT_DEVICE);
    if (domain.length > room) return fail("ENOSPC", "HOT_RESET_INFO_ROOM", reply);
    const end = O_VFIO_PCI_HOT_RESET_INFO__DEVICES + domain.length * SIZEOF_VFIO_PCI_DEPENDENT_DEVICE;
    if (end > reply.length) return answer(null, "HOT_RESET_INFO_WRITES_PAST_BUFFER", reply);
    domain.forEach((d, i) => {
      const at = O_VFIO_PCI_HOT_RESET_INFO__DEVICES + i * SIZEOF_VFIO_PCI_DEPENDENT_DEVICE;
      const { segment, bus, devfn } = parseBdf(d.bdf);
      out.setUint32(at + O_VFIO_PCI_DEPENDENT_DEVICE__GROUP_ID, d.group, this.le);
      out.setUint16(at + O_VFIO_PCI_DEPENDENT_DEVICE__SEGMENT, segment, this.le);
      out.setUint8(at + O_VFIO_PCI_DEPENDENT_DEVICE__BUS, bus);
      out.setUint8(at + O_VFIO_PCI_DEPENDENT_DEVICE__DEVFN, devfn);
    });
    return answer(0, "HOT_RESET_INFO", reply);
  }

  // ---- VFIO_DEVICE_PCI_HOT_RESET: vfio_pci_ioctl_pci_hot_reset + _groups + vfio_pci_dev_set_hot_reset,
  // for a group-opened device, and a cdev-opened one up to the ownership check (it passes no fds)
  private hotReset(b: Buf, reply: Uint8Array): UapiPrediction {
    const argsz = b.u32(O_VFIO_PCI_HOT_RESET__ARGSZ),
      flags = b.u32(O_VFIO_PCI_HOT_RESET__FLAGS),
      count = b.u32(O_VFIO_PCI_HOT_RESET__COUNT);
    if (argsz < O_VFIO_PCI_HOT_RESET__GROUP_FDS || flags) return fail("EINVAL", "HOT_RESET_ARGSZ_FLAGS", reply);
    const cdevOrder = this.has.has("HOT_RESET_CDEV");
    // a zero-length group fd array is for cdev-opened devices only, and only for them
    if (cdevOrder && (count !== 0) === this.cdevOpened)
      return fail(
        "EINVAL",
        this.cdevOpened ? "HOT_RESET_GROUP_FDS_CDEV_OPENED" : "HOT_RESET_COUNT_ZERO_GROUP_OPENED",
        reply,
      );
    const domain = this.device.resetDomain;
    if (!domain?.length) return fail("ENODEV", "HOT_RESET_NO_SLOT_OR_BUS_RESET", reply);
    // the cdev path resets when the caller's iommufd owns every device of the set: not modelled
    if (this.cdevOpened) return answer(null, "HOT_RESET_CDEV_OWNERSHIP", reply);
    if (count === 0 || count > domain.length) return fail("EINVAL", "HOT_RESET_COUNT", reply);
    // each fd in order: fget (EBADF), then vfio_file_is_group (EINVAL); the array is read whatever argsz says
    const groups = new Set<number>();
    for (let i = 0; i < count; i++) {
      const at = O_VFIO_PCI_HOT_RESET__GROUP_FDS + 4 * i;
      if (!b.has(at, 4)) return answer(null, "HOT_RESET_READS_PAST_BUFFER", reply);
      const fd = b.s32(at);
      const group = this.device.groupFds?.[fd];
      if (group !== undefined) groups.add(group);
      else if (!this.fds.open.has(fd)) return fail("EBADF", "HOT_RESET_FD_CLOSED", reply);
      else return fail("EINVAL", "HOT_RESET_FD_NOT_GROUP", reply);
    }
    // every device of the reset domain must be in one of the groups given
    if (domain.some((d) => !groups.has(d.group))) return fail("EINVAL", "HOT_RESET_GROUP_MISSING", reply);
    return answer(0, "HOT_RESET", reply);
  }

  // ---- VFIO_IOMMU_MAP_DMA: vfio_iommu_type1_map_dma + vfio_dma_do_map
  private mapDma(b: Buf, reply: Uint8Array): UapiPrediction {
    const argsz = b.u32(O_VFIO_IOMMU_TYPE1_DMA_MAP__ARGSZ),
      flags = b.u32(O_VFIO_IOMMU_TYPE1_DMA_MAP__FLAGS);
    const known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;
    if (argsz < SIZEOF_VFIO_IOMMU_TYPE1_DMA_MAP || flags & ~known) return fail("EINVAL", "MAP_ARGSZ_OR_FLAGS", reply);
    const vaddr = b.u64(O_VFIO_IOMMU_TYPE1_DMA_MAP__VADDR),
      iova = b.u64(O_VFIO_IOMMU_TYPE1_DMA_MAP__IOVA),
      size = b.u64(O_VFIO_IOMMU_TYPE1_DMA_MAP__SIZE);
    const prot = (flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) !== 0,
      setVaddr = (flags & VFIO_DMA_MAP_FLAG_VADDR) !== 0;
    const wraps = (x: bigint) => size !== 0n && x + size - 1n > U64;
    if (this.has.has("TYPE1_OVERFLOW")) {
      if (!size) return fail("EINVAL", "MAP_SIZE_ZERO", reply);
      if (wraps(iova) || wraps(vaddr)) return fail("EOVERFLOW", "MAP_WRAP", reply);
      if (prot === setVaddr) return fail("EINVAL", "MAP_PROT", reply);
      if ((size | iova | vaddr) & PGMASK) return fail("EINVAL", "MAP_ALIGN", reply);
    } else {
      if (prot === setVaddr) return fail("EINVAL", "MAP_PROT", reply);
      if (!size || (size | iova | vaddr) & PGMASK) return fail("EINVAL", "MAP_ALIGN", reply);
      if (wraps(iova) || wraps(vaddr)) return fail("EINVAL", "MAP_WRAP", reply);
    }
    const dma = this.findDma(iova, size);
    if (setVaddr) {
      // a new vaddr for a mapping whose vaddr was invalidated, same iova and size
      if (!dma) return fail("ENOENT", "MAP_VADDR_NO_DMA", reply);
      if (!dma.vaddrInvalid || dma.iova !== iova || dma.size !== size)
        return fail("EINVAL", "MAP_VADDR_MISMATCH", reply);
      dma.vaddr = vaddr;
      dma.vaddrInvalid = false;
      return answer(0, "MAP_VADDR", reply);
    }
    if (dma) return fail("EEXIST", "MAP_OVERLAP", reply);
    if (!iovaValid(iova, size)) return fail("EINVAL", "MAP_IOVA_RESERVED", reply);
    if (!this.memory.some((m) => vaddr >= m.vaddr && vaddr + size <= m.vaddr + m.size))
      return fail("EFAULT", "MAP_PIN_FAULT", reply);
    this.dmas.push({ iova, size, vaddr, vaddrInvalid: false });
    this.dmas.sort((a, b) => (a.iova < b.iova ? -1 : 1));
    return answer(0, "MAP", reply);
  }

  // ---- VFIO_IOMMU_UNMAP_DMA: vfio_iommu_type1_unmap_dma + vfio_dma_do_unmap (no mappings exist)
  private unmapDma(b: Buf, reply: Uint8Array): UapiPrediction {
    const argsz = b.u32(O_VFIO_IOMMU_TYPE1_DMA_UNMAP__ARGSZ),
      flags = b.u32(O_VFIO_IOMMU_TYPE1_DMA_UNMAP__FLAGS);
    const known = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL;
    const minsz = SIZEOF_VFIO_IOMMU_TYPE1_DMA_UNMAP;
    if (argsz < minsz || flags & ~known) return fail("EINVAL", "UNMAP_ARGSZ_OR_FLAGS", reply);
    const dirty = (flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) !== 0;
    if (dirty && flags & (VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR))
      return fail("EINVAL", "UNMAP_DIRTY_WITH_ALL_OR_VADDR", reply);
    if (dirty && argsz < minsz + sizeofBitmap()) return fail("EINVAL", "UNMAP_BITMAP_ARGSZ", reply);
    if (dirty) return answer(null, "UNMAP_BITMAP", reply); // bitmap pointer checks: not modelled
    const iova = b.u64(O_VFIO_IOMMU_TYPE1_DMA_UNMAP__IOVA),
      size = b.u64(O_VFIO_IOMMU_TYPE1_DMA_UNMAP__SIZE);
    if (iova & PGMASK) return fail("EINVAL", "UNMAP_ALIGN", reply);
    if (flags & VFIO_DMA_UNMAP_FLAG_ALL) {
      if (iova || size) return fail("EINVAL", "UNMAP_ALL_RANGE", reply);
    } else {
      if (!size || size & PGMASK) return fail("EINVAL", "UNMAP_ALIGN", reply);
      if (iova + size - 1n > U64)
        return this.has.has("TYPE1_OVERFLOW")
          ? fail("EOVERFLOW", "UNMAP_WRAP", reply)
          : fail("EINVAL", "UNMAP_WRAP", reply);
    }
    const all = (flags & VFIO_DMA_UNMAP_FLAG_ALL) !== 0;
    const end = all ? U64 : iova + size - 1n;
    if (!all) {
      // type1v2: the range may not bisect a mapping
      const first = this.findDma(iova, 1n),
        last = this.findDma(end, 1n);
      if ((first && first.iova !== iova) || (last && last.iova + last.size - 1n !== end))
        return fail("EINVAL", "UNMAP_BISECTS", reply);
    }
    const hit = this.dmas.filter((d) => d.iova <= end && d.iova + d.size - 1n >= iova);
    let unmapped = 0n;
    if (flags & VFIO_DMA_UNMAP_FLAG_VADDR) {
      if (hit.some((d) => d.vaddrInvalid)) return fail("EINVAL", "UNMAP_VADDR_ALREADY_INVALID", reply);
      for (const d of hit) d.vaddrInvalid = true;
    } else for (const d of hit) this.dmas.splice(this.dmas.indexOf(d), 1);
    for (const d of hit) unmapped += d.size;
    // the kernel reports the size unmapped in the caller's struct
    new DataView(reply.buffer, reply.byteOffset, reply.byteLength).setBigUint64(
      O_VFIO_IOMMU_TYPE1_DMA_UNMAP__SIZE,
      unmapped,
      this.le,
    );
    return answer(0, hit.length ? "UNMAP" : "UNMAP_NOTHING_MAPPED", reply);
  }

  /** vfio_find_dma: a mapping overlapping [start, start + size). */
  private findDma(start: bigint, size: bigint): DmaMapping | undefined {
    return this.dmas.find((d) => start < d.iova + d.size && d.iova < start + size);
  }
}

/** VFIO_GROUP_GET_STATUS of a group set in a container (the harness's open path). */
function groupStatus(b: Buf, reply: Uint8Array, le: boolean): UapiPrediction {
  if (b.u32(O_VFIO_GROUP_STATUS__ARGSZ) < SIZEOF_VFIO_GROUP_STATUS) return fail("EINVAL", "GROUP_STATUS_ARGSZ", reply);
  new DataView(reply.buffer, reply.byteOffset, reply.byteLength).setUint32(
    O_VFIO_GROUP_STATUS__FLAGS,
    VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
    le,
  );
  return answer(0, "GROUP_STATUS", reply);
}

/** The harness's intel-iommu: 39-bit IOVA space less the MSI window (vfio_iommu_iova_dma_valid). */
function iovaValid(iova: bigint, size: bigint): boolean {
  const end = iova + size - 1n;
  const MSI_LO = 0xfee00000n,
    MSI_HI = 0xfeefffffn;
  return end < 1n << 39n && (end < MSI_LO || iova > MSI_HI);
}

/** Stateless: the answer of a fresh device (no low-power entry, no mappings, no pinnable memory). */
/** "0000:01:00.1" -> segment 0, bus 1, devfn (slot << 3 | function) 1. */
function parseBdf(bdf: string): { segment: number; bus: number; devfn: number } {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(bdf);
  if (!m) throw new TypeError(`uapi model: a PCI address looks like 0000:01:00.1, not ${JSON.stringify(bdf)}`);
  const hex = (x: string) => Number.parseInt(x, 16);
  return { segment: hex(m[1]), bus: hex(m[2]), devfn: (hex(m[3]) << 3) | Number(m[4]) };
}

export function predictUapi(ioctl: UapiIoctl, bytes: Uint8Array, device: DeviceDescription): UapiPrediction {
  return new UapiModel(device).predict(ioctl, bytes);
}
