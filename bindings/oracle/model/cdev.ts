// The cdev / iommufd path of vfio-pci: a device opened through /dev/vfio/devices/vfioN answers
// nothing but VFIO_DEVICE_BIND_IOMMUFD until it is bound to an iommufd, then attaches to and detaches
// from I/O address spaces (VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH_IOMMUFD_PT, with or without a
// PASID). Each answer walks the kernel's checks in order, as read in drivers/vfio/device_cdev.c,
// drivers/vfio/iommufd.c, drivers/iommu/iommufd/device.c and hw_pagetable.c of Linux 6.12 and 7.2, and
// is checked against those kernels under QEMU (s390x, zPCI functions on vfio-pci). Which flags a
// kernel knows and how large it thinks each struct is come from the schema's version history; what
// changed beyond that is a kernel behaviour (kernel.ts: CDEV_PASID, CDEV_BIND_TOKEN).
import {
  O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__ARGSZ,
  O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__FLAGS,
  O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__PASID,
  O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__PT_ID,
  O_VFIO_DEVICE_BIND_IOMMUFD__ARGSZ,
  O_VFIO_DEVICE_BIND_IOMMUFD__FLAGS,
  O_VFIO_DEVICE_BIND_IOMMUFD__IOMMUFD,
  O_VFIO_DEVICE_BIND_IOMMUFD__OUT_DEVID,
  O_VFIO_DEVICE_BIND_IOMMUFD__TOKEN_UUID_PTR,
  O_VFIO_DEVICE_DETACH_IOMMUFD_PT__ARGSZ,
  O_VFIO_DEVICE_DETACH_IOMMUFD_PT__FLAGS,
  O_VFIO_DEVICE_DETACH_IOMMUFD_PT__PASID,
  VFIO_DEVICE_ATTACH_PASID,
  VFIO_DEVICE_BIND_FLAG_TOKEN,
  VFIO_DEVICE_DETACH_PASID,
} from "../../generated/constants.js";
import { SCHEMA } from "../../generated/schema.js";
import { resolveProfile, sizeInRelease, versionCmp } from "../../profile.js";
import { structByName } from "../../schema-index.js";
import { DEFAULT_KERNEL, kernelBehaviours } from "./kernel.js";
import { answer, fail, type MemRange, type UapiPrediction } from "./uapi.js";

/** The ioctls of the cdev path this model answers. */
export const CDEV_IOCTLS = [
  "VFIO_DEVICE_BIND_IOMMUFD",
  "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
  "VFIO_DEVICE_DETACH_IOMMUFD_PT",
] as const;
export type CdevIoctl = (typeof CDEV_IOCTLS)[number];

const STRUCT: Record<CdevIoctl, string> = {
  VFIO_DEVICE_BIND_IOMMUFD: "vfio_device_bind_iommufd",
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: "vfio_device_attach_iommufd_pt",
  VFIO_DEVICE_DETACH_IOMMUFD_PT: "vfio_device_detach_iommufd_pt",
};
const FLAG_SET: Record<CdevIoctl, string> = {
  VFIO_DEVICE_BIND_IOMMUFD: "vfio_device_bind_iommufd_flags",
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: "vfio_device_attach_iommufd_pt_flags",
  VFIO_DEVICE_DETACH_IOMMUFD_PT: "vfio_device_detach_iommufd_pt_flags",
};
/** offsetofend of the last field each handler copies first (its minsz). */
const MINSZ: Record<CdevIoctl, number> = {
  VFIO_DEVICE_BIND_IOMMUFD: O_VFIO_DEVICE_BIND_IOMMUFD__OUT_DEVID + 4,
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__PT_ID + 4,
  VFIO_DEVICE_DETACH_IOMMUFD_PT: O_VFIO_DEVICE_DETACH_IOMMUFD_PT__FLAGS + 4,
};

/** The flags of a flag set a kernel release knows (the schema's `since` of each bit). */
export function knownFlags(setName: string, kernel: string): number {
  const set = (SCHEMA.flagSets as unknown as Record<string, { bits: { value: number; since?: string }[] }>)[setName];
  return set.bits.reduce((m, b) => (!b.since || versionCmp(kernel, b.since) >= 0 ? m | b.value : m), 0);
}

/** sizeof(struct) as a kernel release declares it (the schema's size history of the argsz-extensible struct). */
export function kernelSizeof(struct: string, kernel: string): number {
  const size = sizeInRelease(structByName(struct), resolveProfile({ epoch: kernel }));
  if (size === null) throw new TypeError(`cdev model: ${struct} has no size history in the schema`);
  return size;
}

type ObjectType = "ioas" | "device" | "hwpt";
interface IommufdObject {
  type: ObjectType;
  /** hwpt: the IOAS its automatic domain maps. */
  ioas?: number;
  /** hwpt: the (device, pasid) attachments holding it. */
  users: number;
}

/**
 * One iommufd context (an open /dev/iommu): its objects by id. The kernel allocates ids with
 * xa_alloc from 1, so a new object takes the lowest free id, and an automatic domain (hwpt) is
 * destroyed when its last attachment goes.
 */
export class IommufdContext {
  readonly objects = new Map<number, IommufdObject>();

  alloc(type: ObjectType, ioas?: number): number {
    let id = 1;
    while (this.objects.has(id)) id++;
    this.objects.set(id, { type, ioas, users: 0 });
    return id;
  }
  /** IOMMU_IOAS_ALLOC: the new IOAS's id. */
  ioasAlloc(): number {
    return this.alloc("ioas");
  }
  /** iommufd_device_auto_get_domain: an automatic domain of the IOAS, or a new one (its id). */
  autoDomain(ioas: number): number {
    for (const [id, o] of this.objects) if (o.type === "hwpt" && o.ioas === ioas) return id;
    return this.alloc("hwpt", ioas);
  }
  hold(hwpt: number): void {
    const o = this.objects.get(hwpt);
    if (o) o.users++;
  }
  /** An attachment goes: the automatic domain is destroyed with its last user. */
  release(hwpt: number): void {
    const o = this.objects.get(hwpt);
    if (o && --o.users <= 0) this.objects.delete(hwpt);
  }
}

/** What the caller's fds are, for the iommufd fd of a bind (iommufd_ctx_from_fd). */
export interface CdevFds {
  /** fd -> the iommufd context it opens. */
  iommufds: Map<number, IommufdContext>;
  /** Other open fds (eventfds, files): a bind with one of them is EBADFD. */
  open: Set<number>;
}

/** Views of a request in the guest's byte order. */
class Buf {
  readonly dv: DataView;
  constructor(
    readonly b: Uint8Array,
    readonly le: boolean,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u32(off: number): number {
    return off + 4 <= this.b.length ? this.dv.getUint32(off, this.le) : 0;
  }
  s32(off: number): number {
    return off + 4 <= this.b.length ? this.dv.getInt32(off, this.le) : 0;
  }
  u64(off: number): bigint {
    return off + 8 <= this.b.length ? this.dv.getBigUint64(off, this.le) : 0n;
  }
}

/**
 * One device file opened through its cdev (a vfio-pci device that is neither an SR-IOV PF nor VF),
 * with the state these ioctls change: bound (devid) and its attachments (the no-PASID one and one
 * per PASID, each holding an automatic domain of the context).
 */
export class CdevModel {
  readonly kernel: string;
  private readonly has: Set<string>;
  private readonly le: boolean;
  private readonly memory: MemRange[];
  /** The context the device is bound to, and its devid (0: not bound). */
  ctx: IommufdContext | null = null;
  devid = 0;
  /** The hwpt of the no-PASID attachment (0: not attached). */
  hwpt = 0;
  /** PASID -> hwpt of its attachment. */
  readonly pasids = new Map<number, number>();

  constructor(
    private readonly fds: CdevFds,
    opts: { kernel?: string; bigEndian?: boolean; memory?: MemRange[] } = {},
  ) {
    this.kernel = opts.kernel ?? DEFAULT_KERNEL;
    this.has = kernelBehaviours(this.kernel);
    this.le = !opts.bigEndian;
    this.memory = opts.memory ?? [];
  }

  /**
   * vfio_device_fops_unl_ioctl for every other ioctl: a cdev-opened device answers EINVAL until it
   * is bound; null when the ioctl goes on to the device (another model answers it).
   */
  gate(bytes: Uint8Array): UapiPrediction | null {
    return this.ctx ? null : fail("EINVAL", "CDEV_NOT_BOUND", bytes.slice());
  }

  /** The kernel's answer to `ioctl` with `bytes` (the request, optionally followed by the caller's memory behind it). */
  predict(ioctl: CdevIoctl, bytes: Uint8Array, length = bytes.length): UapiPrediction {
    const mem = bytes.slice();
    const b = new Buf(bytes, this.le);
    let p: UapiPrediction;
    // the access gate comes before the handlers read anything
    if (ioctl !== "VFIO_DEVICE_BIND_IOMMUFD" && !this.ctx) p = fail("EINVAL", "CDEV_NOT_BOUND", mem);
    else if (bytes.length < MINSZ[ioctl]) p = answer(null, "READS_PAST_BUFFER", mem);
    else if (ioctl === "VFIO_DEVICE_BIND_IOMMUFD") p = this.bind(b, mem);
    else if (ioctl === "VFIO_DEVICE_ATTACH_IOMMUFD_PT") p = this.attach(b, mem);
    else if (ioctl === "VFIO_DEVICE_DETACH_IOMMUFD_PT") p = this.detach(b, mem);
    else throw new TypeError(`cdev model: no answer for ${ioctl} (known: ${CDEV_IOCTLS.join(", ")})`);
    return { ...p, reply: mem.slice(0, length), after: mem.slice(length) };
  }

  private put32(mem: Uint8Array, off: number, v: number): void {
    new DataView(mem.buffer, mem.byteOffset, mem.byteLength).setUint32(off, v, this.le);
  }

  // ---- VFIO_DEVICE_BIND_IOMMUFD: vfio_df_ioctl_bind_iommufd
  private bind(b: Buf, mem: Uint8Array): UapiPrediction {
    const ioctl = "VFIO_DEVICE_BIND_IOMMUFD";
    const minsz = MINSZ[ioctl],
      valid = knownFlags(FLAG_SET[ioctl], this.kernel);
    const argsz = b.u32(O_VFIO_DEVICE_BIND_IOMMUFD__ARGSZ);
    const token = this.has.has("CDEV_BIND_TOKEN");
    if (argsz < minsz) return fail("EINVAL", "BIND_ARGSZ", mem);
    if (token) {
      // copy_struct_from_user: what lies past the kernel's struct must be zero
      const ksize = kernelSizeof(STRUCT[ioctl], this.kernel);
      if (argsz > b.b.length) return answer(null, "BIND_READS_PAST_BUFFER", mem);
      if (b.b.subarray(ksize, argsz).some((x) => x !== 0)) return fail("E2BIG", "BIND_TRAILING_NONZERO", mem);
    }
    const flags = b.u32(O_VFIO_DEVICE_BIND_IOMMUFD__FLAGS),
      fd = b.s32(O_VFIO_DEVICE_BIND_IOMMUFD__IOMMUFD);
    if (fd < 0 || flags & ~valid) return fail("EINVAL", "BIND_FLAGS_OR_FD", mem);
    if (this.ctx) return fail("EINVAL", "BIND_TWICE", mem);
    if (token) {
      // vfio_df_check_token -> vfio_pci_core_match_token_uuid (an argsz short of the pointer reads it as 0)
      const ptr =
        argsz >= O_VFIO_DEVICE_BIND_IOMMUFD__TOKEN_UUID_PTR + 8
          ? b.u64(O_VFIO_DEVICE_BIND_IOMMUFD__TOKEN_UUID_PTR)
          : 0n;
      if (flags & VFIO_DEVICE_BIND_FLAG_TOKEN) {
        if (!this.readable(ptr, 16n))
          return ptr === 0n ? fail("EFAULT", "BIND_TOKEN_FAULT", mem) : answer(null, "BIND_TOKEN_PTR_UNKNOWN", mem);
        return fail("EINVAL", "BIND_TOKEN_NOT_PF_OR_VF", mem);
      }
    }
    const ctx = this.fds.iommufds.get(fd);
    if (!ctx)
      return this.fds.open.has(fd) ? fail("EBADFD", "BIND_NOT_IOMMUFD", mem) : fail("EBADF", "BIND_FD_CLOSED", mem);
    this.ctx = ctx;
    this.devid = ctx.alloc("device");
    this.put32(mem, O_VFIO_DEVICE_BIND_IOMMUFD__OUT_DEVID, this.devid);
    return answer(0, "BIND", mem);
  }

  private readable(ptr: bigint, n: bigint): boolean {
    return ptr !== 0n && this.memory.some((m) => ptr >= m.vaddr && ptr + n <= m.vaddr + m.size);
  }

  // ---- VFIO_DEVICE_ATTACH_IOMMUFD_PT: vfio_df_ioctl_attach_pt -> vfio_iommufd_physical_(pasid_)attach_ioas
  private attach(b: Buf, mem: Uint8Array): UapiPrediction {
    const ioctl = "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
    const argsz = b.u32(O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__ARGSZ),
      flags = b.u32(O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__FLAGS);
    if (argsz < MINSZ[ioctl] || flags & ~knownFlags(FLAG_SET[ioctl], this.kernel))
      return fail("EINVAL", "ATTACH_ARGSZ_OR_FLAGS", mem);
    const pasidFlag = (flags & VFIO_DEVICE_ATTACH_PASID) !== 0;
    if (pasidFlag) {
      // xend = offsetofend(pasid): the struct as this kernel declares it
      if (argsz < kernelSizeof(STRUCT[ioctl], this.kernel)) return fail("EINVAL", "ATTACH_PASID_ARGSZ", mem);
      if (b.b.length < O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__PASID + 4) return answer(null, "ATTACH_READS_PAST_BUFFER", mem);
    }
    const ctx = this.ctx as IommufdContext;
    const pt = b.u32(O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__PT_ID);
    const obj = ctx.objects.get(pt);
    if (pasidFlag) {
      const pasid = b.u32(O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__PASID);
      // ida_alloc_range(pasid, pasid): an id above INT_MAX is ENOSPC
      if (!this.pasids.has(pasid) && pasid > 0x7fffffff) return fail("ENOSPC", "ATTACH_PASID_RANGE", mem);
      if (!obj) return fail("ENOENT", "ATTACH_NO_OBJECT", mem);
      if (obj.type === "device") return fail("EINVAL", "ATTACH_NOT_A_PAGE_TABLE", mem);
      // an automatic domain lacks IOMMU_HWPT_ALLOC_PASID: iommufd_hwpt_pasid_compat refuses it
      return fail("EINVAL", "ATTACH_PASID_AUTO_DOMAIN", mem);
    }
    if (!obj) return fail("ENOENT", "ATTACH_NO_OBJECT", mem);
    if (obj.type === "device") return fail("EINVAL", "ATTACH_NOT_A_PAGE_TABLE", mem);
    const ioas = obj.type === "ioas" ? pt : (obj.ioas as number);
    const hwpt = obj.type === "hwpt" ? pt : ctx.autoDomain(ioas);
    if (hwpt !== this.hwpt) {
      // attach, or replace: the new domain is held before the old one is let go
      ctx.hold(hwpt);
      if (this.hwpt) ctx.release(this.hwpt);
      this.hwpt = hwpt;
    }
    this.put32(mem, O_VFIO_DEVICE_ATTACH_IOMMUFD_PT__PT_ID, hwpt);
    return answer(0, "ATTACH", mem);
  }

  // ---- VFIO_DEVICE_DETACH_IOMMUFD_PT: vfio_df_ioctl_detach_pt (always 0 once the checks pass)
  private detach(b: Buf, mem: Uint8Array): UapiPrediction {
    const ioctl = "VFIO_DEVICE_DETACH_IOMMUFD_PT";
    const argsz = b.u32(O_VFIO_DEVICE_DETACH_IOMMUFD_PT__ARGSZ),
      flags = b.u32(O_VFIO_DEVICE_DETACH_IOMMUFD_PT__FLAGS);
    if (argsz < MINSZ[ioctl] || flags & ~knownFlags(FLAG_SET[ioctl], this.kernel))
      return fail("EINVAL", "DETACH_ARGSZ_OR_FLAGS", mem);
    const ctx = this.ctx as IommufdContext;
    if (flags & VFIO_DEVICE_DETACH_PASID) {
      if (argsz < kernelSizeof(STRUCT[ioctl], this.kernel)) return fail("EINVAL", "DETACH_PASID_ARGSZ", mem);
      if (b.b.length < O_VFIO_DEVICE_DETACH_IOMMUFD_PT__PASID + 4) return answer(null, "DETACH_READS_PAST_BUFFER", mem);
      const pasid = b.u32(O_VFIO_DEVICE_DETACH_IOMMUFD_PT__PASID);
      const hwpt = this.pasids.get(pasid);
      if (hwpt === undefined) return answer(0, "DETACH_PASID_NOT_ATTACHED", mem);
      this.pasids.delete(pasid);
      ctx.release(hwpt);
      return answer(0, "DETACH_PASID", mem);
    }
    if (!this.hwpt) return answer(0, "DETACH_NOT_ATTACHED", mem);
    ctx.release(this.hwpt);
    this.hwpt = 0;
    return answer(0, "DETACH", mem);
  }
}

/** The struct each cdev ioctl carries (for decoding requests and replies). */
export const cdevStruct = (ioctl: CdevIoctl): string => STRUCT[ioctl];
