// vfio_set_irqs_validate_and_prepare() (drivers/vfio/vfio_main.c), check for check, in the kernel's
// order, and libvfio-user's stricter server-side validation of the same header.
import { SCHEMA } from "../generated/schema.js";
import { KErr } from "./kerr.js";

const DATA_MASK = SCHEMA.masks.VFIO_IRQ_SET_DATA_TYPE_MASK;
const ACTION_MASK = SCHEMA.masks.VFIO_IRQ_SET_ACTION_TYPE_MASK;
const bit = (name: string): number => SCHEMA.flagSets.vfio_irq_set_flags.bits.find((b) => b.name === name)!.value;
export const IRQ_SET = {
  DATA_NONE: bit("VFIO_IRQ_SET_DATA_NONE"), DATA_BOOL: bit("VFIO_IRQ_SET_DATA_BOOL"), DATA_EVENTFD: bit("VFIO_IRQ_SET_DATA_EVENTFD"),
  ACTION_MASK: bit("VFIO_IRQ_SET_ACTION_MASK"), ACTION_UNMASK: bit("VFIO_IRQ_SET_ACTION_UNMASK"), ACTION_TRIGGER: bit("VFIO_IRQ_SET_ACTION_TRIGGER"),
  DATA_TYPE_MASK: DATA_MASK, ACTION_TYPE_MASK: ACTION_MASK,
} as const;
const U32_MAX = 0xffffffff;
const hx = (n: number) => `0x${n.toString(16)}`;

export interface IrqSetHeader { argsz: number; flags: number; index: number; start: number; count: number }

/** Element size of the payload the DATA bits select: 0 (NONE), 1 (BOOL), 4 (EVENTFD); null if not exactly one bit. */
export function dataElemSize(flags: number): 0 | 1 | 4 | null {
  switch (flags & DATA_MASK) {
    case IRQ_SET.DATA_NONE: return 0;
    case IRQ_SET.DATA_BOOL: return 1;
    case IRQ_SET.DATA_EVENTFD: return 4;
    default: return null;
  }
}

const dataNames = (flags: number) => ["NONE", "BOOL", "EVENTFD"].filter((_, i) => flags & (1 << i));

/**
 * The kernel's generic checks. numIrqs: the bound for start/count (vfio-pci: the index's count; ccw, ap: 1;
 * platform: the number of indexes). maxIrqType: the bound for index. Returns the payload size in bytes.
 * minsz is offsetofend(struct vfio_irq_set, count).
 */
export function validateAndPrepare(h: IrqSetHeader, numIrqs: number, maxIrqType: number, minsz: number, what = "index"): number {
  const v = (rule: string, reason: string): never => { throw new KErr("EINVAL", `validate.${rule}`, reason, "validate"); };
  if (h.argsz < minsz) v("argsz", `argsz ${h.argsz} is below minsz ${minsz} (offsetofend(struct vfio_irq_set, count))`);
  if (h.index >= maxIrqType) v("index", `index ${h.index} is not below the driver's ${maxIrqType} IRQ index types`);
  if (h.count >= U32_MAX - h.start) v("overflow", `count ${h.count} >= U32_MAX - start ${h.start}: start + count would overflow`);
  if (h.flags & ~(DATA_MASK | ACTION_MASK)) v("flags", `flags ${hx(h.flags)} has bits ${hx(h.flags & ~(DATA_MASK | ACTION_MASK))} outside DATA_TYPE_MASK|ACTION_TYPE_MASK (0x3f)`);
  if (h.start >= numIrqs) v("range", `start ${h.start} is not below the ${numIrqs} IRQs of ${what} ${h.index}${numIrqs === 0 ? " (the index has no IRQs, so even a disable is refused)" : ""}`);
  if (h.start + h.count > numIrqs) v("range", `start ${h.start} + count ${h.count} exceeds the ${numIrqs} IRQs of ${what} ${h.index}`);
  const elem = dataElemSize(h.flags);
  if (elem === null) {
    const n = dataNames(h.flags);
    v("data-type", n.length ? `flags select several DATA types (${n.join("|")}); exactly one of NONE, BOOL, EVENTFD is allowed` : "flags select no DATA type; exactly one of NONE, BOOL, EVENTFD is required");
  }
  const size = h.count * (elem as number);
  if (size && h.argsz - minsz < size) v("payload", `argsz ${h.argsz} leaves ${h.argsz - minsz} payload bytes but count ${h.count} x ${elem} needs ${size}`);
  return size;
}

export interface LvuLimits { numIrqs: number; irqCount: (index: number) => number; minsz: number }

/**
 * libvfio-user's device_set_irqs checks (lib/libvfio-user.c, lib/irq.c), all EINVAL. vfio-user passes
 * eventfds out of band (SCM_RIGHTS): `nrFds` is how many came with the message (default: the DATA_EVENTFD
 * payload's element count, else 0). Unknown flag bits are not checked.
 */
export function validateLibvfioUser(h: IrqSetHeader, msgLen: number, nrFds: number | undefined, lim: LvuLimits): void {
  const v = (rule: string, reason: string): never => { throw new KErr("EINVAL", `lvu.${rule}`, reason, "validate"); };
  if (msgLen < lim.minsz) v("msg-size", `message of ${msgLen} bytes is shorter than struct vfio_irq_set (${lim.minsz})`);
  if (h.argsz < lim.minsz) v("argsz", `argsz ${h.argsz} is below ${lim.minsz}`);
  if (h.index >= lim.numIrqs) v("index", `index ${h.index} is not below VFU_DEV_NUM_IRQS (${lim.numIrqs})`);
  const action = h.flags & ACTION_MASK, data = h.flags & DATA_MASK;
  if (action !== IRQ_SET.ACTION_MASK && action !== IRQ_SET.ACTION_UNMASK && action !== IRQ_SET.ACTION_TRIGGER) v("action", `flags ${hx(h.flags)} must select exactly one of MASK, UNMASK, TRIGGER`);
  if (data !== IRQ_SET.DATA_NONE && data !== IRQ_SET.DATA_BOOL && data !== IRQ_SET.DATA_EVENTFD) v("data-type", `flags ${hx(h.flags)} must select exactly one of DATA_NONE, DATA_BOOL, DATA_EVENTFD`);
  const n = lim.irqCount(h.index);
  if (h.start >= n || Math.min(h.start + h.count, U32_MAX) > n) v("range", `start ${h.start}, count ${h.count} fall outside the ${n} IRQs of index ${h.index} (saturating add)`);
  const errReq = h.index === 3 || h.index === 4;
  if (errReq && action !== IRQ_SET.ACTION_TRIGGER) v("err-req-action", `index ${h.index} (ERR/REQ) takes only ACTION_TRIGGER`);
  if (errReq && h.count > 1) v("err-req-count", `index ${h.index} (ERR/REQ) takes count 0 or 1, not ${h.count}`);
  if (h.count === 0 && h.start !== 0) v("count0-start", `count 0 requires start 0, not ${h.start}`);
  if (h.count === 0 && (action !== IRQ_SET.ACTION_TRIGGER || data !== IRQ_SET.DATA_NONE)) v("count0-flags", "count 0 is only valid with DATA_NONE|ACTION_TRIGGER (disable)");
  const payload = Math.max(0, msgLen - lim.minsz);
  const fds = nrFds ?? (data === IRQ_SET.DATA_EVENTFD ? Math.floor(payload / 4) : 0);
  if (fds !== 0 && data !== IRQ_SET.DATA_EVENTFD) v("fds-without-eventfd", `${fds} file descriptors passed without DATA_EVENTFD`);
  if (fds !== 0 && fds !== h.count) v("fd-count", `${fds} eventfds passed for count ${h.count}`);
  if (data === IRQ_SET.DATA_BOOL && payload !== h.count) v("bool-size", `DATA_BOOL payload is ${payload} bytes; libvfio-user wants exactly count (${h.count})`);
}
