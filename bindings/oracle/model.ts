// The device-state model: feed it the ioctls one VFIO device receives, in order, and it predicts each
// answer — return value, errno, the rule that decided it, and the bytes the kernel writes back —
// tracking the state the kernel keeps: which IRQ type is enabled and with how many vectors, trigger
// and unmask eventfds, ERR/REQ eventfds, INTx masking, and what each eventfd has been signalled.
//
// Sources: drivers/vfio/vfio_main.c (validation), drivers/vfio/pci/vfio_pci_core.c and
// vfio_pci_intrs.c (6.1 array code; 6.5+ xarray code with dynamic MSI-X), vfio_platform_*.c,
// drivers/s390/cio/vfio_ccw_ops.c, drivers/s390/crypto/vfio_ap_ops.c; checked against real 6.1 and
// 6.12 kernels by tests/kernel (docs: vfio-abi.md §3, §8).
import { lookupIoctl } from "../ioctl.js";
import { normalizeDevice, atLeast, IRQ_INFO, type DeviceDescription, type NormalDevice } from "./device.js";
import { ERRNO, type ErrnoName } from "./errno.js";
import { KErr, type Stage } from "./kerr.js";
import { structPos, offsetofend } from "./layout.js";
import { UserBuf, packer, type Beyond } from "./userbuf.js";
import { validateAndPrepare, validateLibvfioUser, IRQ_SET, type IrqSetHeader } from "./validate.js";

export interface Prediction {
  /** The ioctl's return value: -1 on error, 0 or a positive count on success. */
  ret: number;
  errno: ErrnoName | null;
  /** Stable name of the rule that decided the answer, e.g. "validate.range", "dispatch.no-handler". */
  rule: string;
  reason: string;
  stage: Stage;
  /** The caller's buffer after the call (same length as the request), for ioctls that write back. */
  reply?: Uint8Array;
  /** Bytes the kernel writes past the end of the buffer supplied (it trusts argsz). */
  pastEnd?: { offset: number; bytes: Uint8Array };
  /** Eventfds signalled by this call (loopback triggers). */
  signalled?: number[];
  /** Not modelled: the answer depends on things the description does not say. */
  unknown?: boolean;
}

export interface IoctlRequest {
  /** Name (VFIO_DEVICE_SET_IRQS, DEVICE_SET_IRQS, SET_IRQS) or number (0x3b6e). */
  ioctl: string | number;
  bytes?: Uint8Array;
  /** What lies after the buffer: "fault" (default) or a fill byte (mapped memory). */
  beyond?: Beyond;
  /** libvfio-user profile: number of file descriptors that came with the message. */
  nrFds?: number;
}

type IrqType = "none" | "intx" | "msi" | "msix";
const TYPE_OF_INDEX: IrqType[] = ["intx", "msi", "msix"];
const INDEX_NAME = ["INTX", "MSI", "MSIX", "ERR", "REQ"];

/** State of one IRQ line with a trigger (platform lines, ccw/ap indexes, PCI ERR/REQ). */
interface Line { trigger: number | null; masked: boolean; maskFd: number | null; unmaskFd: number | null }
const newLine = (): Line => ({ trigger: null, masked: false, maskFd: null, unmaskFd: null });

type Virqfd = { kind: "intx-unmask" } | { kind: "line-mask" | "line-unmask"; index: number };

/**
 * The caller's eventfds: what each has been signalled since its last read, and the irqfds (unmask /
 * mask eventfds) that consume their signals. Shared by every device of one process.
 */
export class EventfdTable {
  readonly counts = new Map<number, bigint>();
  readonly hooks = new Map<number, () => void>();
  signal(fd: number): void {
    const h = this.hooks.get(fd);
    if (h) { h(); return; } // the irqfd wakeup reads (consumes) the count and runs its handler
    this.counts.set(fd, (this.counts.get(fd) ?? 0n) + 1n);
  }
}

const ok = (rule: string, reason: string, extra: Partial<Prediction> = {}): Prediction => ({ ret: 0, errno: null, rule, reason, stage: "done", ...extra });

export class DeviceModel {
  readonly dev: NormalDevice;
  private type: IrqType = "none";
  private intx = { trigger: null as number | null, masked: false, unmaskFd: null as number | null };
  /** MSI/MSI-X vector -> trigger eventfd. */
  private vectors = new Map<number, number>();
  /** 6.1: number of contexts allocated at enable (num_ctx). 6.5+: vectors with an allocated Linux IRQ. */
  private numCtx = 0;
  private allocated = new Set<number>();
  private err: number | null = null;
  private req: number | null = null;
  private lines: Line[] = [];
  private signalledNow: number[] = [];
  readonly fds: EventfdTable;

  constructor(desc: DeviceDescription | NormalDevice = {}, fds: EventfdTable = new EventfdTable()) {
    this.dev = "irqs" in desc && "littleEndian" in desc ? desc as NormalDevice : normalizeDevice(desc as DeviceDescription);
    this.lines = this.dev.irqs.map(newLine);
    this.fds = fds;
  }
  private get counts() { return this.fds.counts; }

  /** Current IRQ state, for display and tests. */
  state() {
    return {
      irqType: this.type,
      intx: this.type === "intx" ? { ...this.intx } : null,
      vectors: Object.fromEntries(this.vectors),
      ...(this.dev.dynMsiCode ? { allocatedVectors: [...this.allocated].sort((a, b) => a - b) } : { numCtx: this.numCtx }),
      err: this.err, req: this.req,
      lines: this.dev.driver === "vfio-pci" ? undefined : this.lines.map((l) => ({ ...l })),
      eventfdCounts: Object.fromEntries([...this.counts].filter(([, c]) => c > 0n).map(([fd, c]) => [fd, c.toString()])),
    };
  }

  // ---- eventfds ---------------------------------------------------------------------------------

  /** eventfd_ctx_fdget(fd): EBADF when closed, EINVAL when the fd is not an eventfd. */
  private fdget(fd: number, what: string): number {
    if (this.dev.eventfds.has(fd)) return fd;
    if (this.dev.openFds.has(fd)) throw new KErr("EINVAL", "eventfd.not-eventfd", `${what}: fd ${fd} is open but is not an eventfd`);
    throw new KErr("EBADF", "eventfd.closed", `${what}: fd ${fd} is not an open file descriptor`);
  }

  private signal(fd: number | null): void {
    if (fd === null) return;
    this.signalledNow.push(fd);
    this.fds.signal(fd);
  }

  private runVirqfd(v: Virqfd): void {
    if (v.kind === "intx-unmask") { if (this.type === "intx") this.intx.masked = false; }
    else this.lines[v.index].masked = v.kind === "line-mask";
  }

  /** vfio_virqfd_enable: fdget, then EBUSY when one is already installed; a pending count runs the handler once. */
  private virqfdEnable(slotFd: number | null, fd: number, v: Virqfd, what: string): number {
    this.fdget(fd, what);
    if (slotFd !== null) throw new KErr("EBUSY", "virqfd.busy", `${what}: an irqfd is already installed (remove it with fd -1 first)`);
    this.fds.hooks.set(fd, () => this.runVirqfd(v));
    if ((this.counts.get(fd) ?? 0n) > 0n) this.runVirqfd(v);
    return fd;
  }
  private virqfdDisable(fd: number | null): null {
    if (fd !== null) this.fds.hooks.delete(fd);
    return null;
  }

  /** A non-blocking 8-byte read of an eventfd: its count, or EAGAIN at 0. */
  efdRead(fd: number): Prediction & { count?: bigint } {
    if (!this.dev.eventfds.has(fd)) return { ret: -1, errno: this.dev.openFds.has(fd) ? "EINVAL" : "EBADF", rule: "efd.not-eventfd", reason: `fd ${fd} is not an eventfd`, stage: "done" };
    const c = this.counts.get(fd) ?? 0n;
    if (c === 0n) return { ret: -1, errno: "EAGAIN", rule: "efd.empty", reason: `eventfd ${fd} has not been signalled since the last read`, stage: "done" };
    this.counts.set(fd, 0n);
    return { ret: 8, errno: null, rule: "efd.read", reason: `eventfd ${fd} was signalled ${c} time(s)`, stage: "done", count: c };
  }
  /** A write of 1 to an eventfd (as a device interrupt or a user would). */
  efdWrite(fd: number): Prediction {
    if (!this.dev.eventfds.has(fd)) return { ret: -1, errno: this.dev.openFds.has(fd) ? "EINVAL" : "EBADF", rule: "efd.not-eventfd", reason: `fd ${fd} is not an eventfd`, stage: "done" };
    this.fds.signal(fd);
    return { ret: 8, errno: null, rule: "efd.write", reason: `eventfd ${fd} signalled`, stage: "done" };
  }

  // ---- entry point ------------------------------------------------------------------------------

  /** Predict one ioctl on the device fd (and advance the state as the kernel would). */
  ioctl(req: IoctlRequest): Prediction {
    const name = resolveName(req.ioctl);
    const buf = new UserBuf(req.bytes ?? new Uint8Array(0), req.beyond ?? "fault", this.dev.littleEndian);
    this.signalledNow = [];
    let p: Prediction;
    try {
      switch (name) {
        case "VFIO_DEVICE_SET_IRQS": p = this.setIrqs(buf, req); break;
        case "VFIO_DEVICE_GET_IRQ_INFO": p = this.getIrqInfo(buf); break;
        case "VFIO_DEVICE_GET_INFO": p = this.getInfo(buf); break;
        case "VFIO_DEVICE_GET_REGION_INFO": p = this.getRegionInfo(buf); break;
        case "VFIO_DEVICE_RESET": p = this.reset(); break;
        case "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO": p = this.hotResetInfo(buf); break;
        default:
          if (name === null || !lookupIoctl(name).some((i) => i.fd === "device"))
            throw new KErr("ENOTTY", "ioctl.unknown", `${req.ioctl} is not a device-fd ioctl: the driver's ioctl switch has no case for it`, "dispatch");
          p = { ret: 0, errno: null, rule: "ioctl.not-modelled", reason: `${name} is not modelled`, stage: "done", unknown: true };
      }
    } catch (e) {
      if (!(e instanceof KErr)) throw e;
      p = { ret: -1, errno: e.errno, rule: e.rule, reason: e.reason, stage: e.stage };
    }
    if (buf.wrote) { p.reply = buf.out; const pe = buf.pastEnd(); if (pe) p.pastEnd = pe; }
    if (this.signalledNow.length) p.signalled = this.signalledNow;
    return p;
  }

  // ---- VFIO_DEVICE_SET_IRQS ---------------------------------------------------------------------

  private header(buf: UserBuf): IrqSetHeader {
    const P = structPos("vfio_irq_set", this.dev.epoch66);
    buf.read(0, P.minsz, "the struct vfio_irq_set header"); // copy_from_user(&hdr, arg, minsz)
    return {
      argsz: buf.u32(P.f.argsz.offset, "argsz"), flags: buf.u32(P.f.flags.offset, "flags"), index: buf.u32(P.f.index.offset, "index"),
      start: buf.u32(P.f.start.offset, "start"), count: buf.u32(P.f.count.offset, "count"),
    };
  }

  private setIrqs(buf: UserBuf, req: IoctlRequest): Prediction {
    const P = structPos("vfio_irq_set", this.dev.epoch66);
    const h = this.header(buf);
    const d = this.dev;
    if (d.profile === "libvfio-user") {
      validateLibvfioUser(h, buf.length, req.nrFds, { numIrqs: d.numIrqs, irqCount: (i) => d.irqs[i]?.count ?? 0, minsz: P.minsz });
      return ok("lvu.accepted", "libvfio-user accepts the request and hands it to the device's IRQ callbacks");
    }
    const dataOff = P.f.data.offset;
    switch (d.driver) {
      case "vfio-pci": {
        const size = validateAndPrepare(h, d.irqs[h.index]?.count ?? 0, d.numIrqs, P.minsz);
        const data = size ? buf.read(dataOff, size, "the payload") : new Uint8Array(0); // memdup_user
        return this.pciSetIrqs(h, data);
      }
      case "vfio-platform": case "vfio-amba": {
        const size = validateAndPrepare(h, d.numIrqs, d.numIrqs, P.minsz, "index (platform bounds start/count by the number of indexes)");
        const data = size ? buf.read(dataOff, size, "the payload") : new Uint8Array(0);
        return this.platformSetIrqs(h, data);
      }
      case "vfio-ccw": case "vfio-ap": {
        validateAndPrepare(h, 1, d.numIrqs, P.minsz);
        return this.s390SetIrqs(h, buf, dataOff);
      }
    }
  }

  private s32(data: Uint8Array, i: number): number {
    return new DataView(data.buffer, data.byteOffset, data.byteLength).getInt32(i * 4, this.dev.littleEndian);
  }

  private pciSetIrqs(h: IrqSetHeader, data: Uint8Array): Prediction {
    const action = h.flags & IRQ_SET.ACTION_TYPE_MASK;
    const idx = h.index;
    const noHandler = (why: string): never => { throw new KErr("ENOTTY", "dispatch.no-handler", why, "dispatch"); };
    const actName = action === IRQ_SET.ACTION_MASK ? "MASK" : action === IRQ_SET.ACTION_UNMASK ? "UNMASK" : action === IRQ_SET.ACTION_TRIGGER ? "TRIGGER" : null;
    if (actName === null) noHandler(`flags select ${action ? "several ACTION types" : "no ACTION type"}: vfio-pci's (index, action) switch finds no handler`);
    if (idx === 0) {
      if (actName === "MASK") return this.intxMask(h, data);
      if (actName === "UNMASK") return this.intxUnmask(h, data);
      return this.intxTrigger(h, data);
    }
    if (idx === 1 || idx === 2) {
      if (actName !== "TRIGGER") noHandler(`${actName} on ${INDEX_NAME[idx]} has no handler in vfio-pci ("XXX Need masking support exported")`);
      return this.msiTrigger(h, data, idx === 2);
    }
    if (actName !== "TRIGGER") noHandler(`${INDEX_NAME[idx]} takes only ACTION_TRIGGER`);
    if (idx === 3 && !this.dev.pcie) noHandler("ERR triggers exist only on PCI Express devices");
    return this.errReqTrigger(h, data, idx === 3 ? "err" : "req");
  }

  private intxMask(h: IrqSetHeader, data: Uint8Array): Prediction {
    if (this.type !== "intx" || h.start !== 0 || h.count !== 1) throw new KErr("EINVAL", "intx.mask.precondition", this.type !== "intx" ? "INTx MASK needs INTx enabled" : `INTx MASK needs start 0, count 1 (got ${h.start}, ${h.count})`);
    if (h.flags & IRQ_SET.DATA_EVENTFD) throw new KErr("ENOTTY", "intx.mask.eventfd", "INTx MASK with DATA_EVENTFD is not implemented in vfio-pci (\"XXX implement me\")");
    if ((h.flags & IRQ_SET.DATA_NONE) || data[0]) this.intx.masked = true;
    return ok("intx.mask", (h.flags & IRQ_SET.DATA_NONE) || data[0] ? "INTx masked" : "BOOL 0: nothing to do");
  }

  private intxUnmask(h: IrqSetHeader, data: Uint8Array): Prediction {
    if (this.type !== "intx" || h.start !== 0 || h.count !== 1) throw new KErr("EINVAL", "intx.unmask.precondition", this.type !== "intx" ? "INTx UNMASK needs INTx enabled" : `INTx UNMASK needs start 0, count 1 (got ${h.start}, ${h.count})`);
    if (h.flags & IRQ_SET.DATA_EVENTFD) {
      const fd = this.s32(data, 0);
      if (fd >= 0) {
        this.intx.unmaskFd = this.virqfdEnable(this.intx.unmaskFd, fd, { kind: "intx-unmask" }, "INTx unmask irqfd");
        return ok("intx.unmask.irqfd", `eventfd ${fd} now unmasks INTx when signalled`);
      }
      this.intx.unmaskFd = this.virqfdDisable(this.intx.unmaskFd);
      return ok("intx.unmask.irqfd-removed", "INTx unmask irqfd removed (fd < 0)");
    }
    if ((h.flags & IRQ_SET.DATA_NONE) || data[0]) this.intx.masked = false;
    return ok("intx.unmask", "INTx unmasked (no interrupt pending, so nothing is re-sent)");
  }

  private intxTrigger(h: IrqSetHeader, data: Uint8Array): Prediction {
    if (this.type === "intx" && h.count === 0 && (h.flags & IRQ_SET.DATA_NONE)) { this.intxDisable(); return ok("intx.disable", "INTx disabled"); }
    if (!(this.type === "intx" || this.type === "none") || h.start !== 0 || h.count !== 1) {
      throw new KErr("EINVAL", "intx.trigger.precondition", this.type !== "intx" && this.type !== "none"
        ? `${this.type.toUpperCase()} is enabled: disable it before using INTx`
        : h.count === 0 ? `count 0 disables INTx only with DATA_NONE while INTx is enabled (INTx is ${this.type === "intx" ? "enabled" : "not enabled"})` : `INTx TRIGGER needs start 0, count 1 (got ${h.start}, ${h.count})`);
    }
    if (h.flags & IRQ_SET.DATA_EVENTFD) {
      const fd = this.s32(data, 0);
      const trig = fd >= 0 ? this.fdget(fd, "INTx trigger") : null;
      if (this.type === "intx") { this.intx.trigger = trig; return ok("intx.trigger.set", trig === null ? "INTx trigger removed (INTx stays enabled)" : `INTx now signals eventfd ${trig}`); }
      this.type = "intx";
      this.intx = { trigger: trig, masked: false, unmaskFd: null };
      return ok("intx.enable", trig === null ? "INTx enabled without a trigger (fd < 0)" : `INTx enabled, signalling eventfd ${trig}`);
    }
    if (this.type !== "intx") throw new KErr("EINVAL", "intx.loopback-inactive", "loopback trigger (DATA_NONE/DATA_BOOL) needs INTx enabled");
    if ((h.flags & IRQ_SET.DATA_NONE) || data[0]) this.signal(this.intx.trigger);
    return ok("intx.loopback", "INTx loopback trigger");
  }

  private intxDisable(): void {
    this.intx.unmaskFd = this.virqfdDisable(this.intx.unmaskFd);
    this.intx = { trigger: null, masked: false, unmaskFd: null };
    this.type = "none";
  }

  private msiTrigger(h: IrqSetHeader, data: Uint8Array, msix: boolean): Prediction {
    const me: IrqType = msix ? "msix" : "msi";
    const NAME = msix ? "MSI-X" : "MSI";
    if (this.type === me && h.count === 0 && (h.flags & IRQ_SET.DATA_NONE)) { this.msiDisable(); return ok("msi.disable", `${NAME} disabled`); }
    if (!(this.type === me || this.type === "none")) throw new KErr("EINVAL", "msi.other-type-active", `${this.type === "intx" ? "INTx" : this.type === "msi" ? "MSI" : "MSI-X"} is enabled: only one IRQ type at a time`);
    if (h.flags & IRQ_SET.DATA_EVENTFD) {
      const fds = Array.from({ length: h.count }, (_, i) => this.s32(data, i));
      if (this.type === me) { this.msiSetBlock(h.start, h.count, fds, msix); return ok("msi.set-vectors", `${NAME} vectors ${h.start}..${h.start + h.count - 1} updated`); }
      const nvec = h.start + h.count;
      const got = this.msiEnable(nvec, msix);
      if (got < nvec) return { ret: got, errno: null, rule: "msi.partial-allocation", reason: `only ${got} of ${nvec} ${NAME} vectors could be allocated: the kernel returns that number and leaves ${NAME} disabled`, stage: "handler" };
      try { this.msiSetBlock(h.start, h.count, fds, msix); } catch (e) { this.msiDisable(); throw e; }
      return ok("msi.enable", `${NAME} enabled with ${nvec} vector(s)`);
    }
    if (this.type !== me) throw new KErr("EINVAL", "msi.loopback-inactive", `loopback trigger (DATA_NONE/DATA_BOOL) needs ${NAME} enabled`);
    if (!this.dev.dynMsiCode && h.start + h.count > this.numCtx) throw new KErr("EINVAL", "msi.loopback-range", `start ${h.start} + count ${h.count} exceeds the ${this.numCtx} vectors enabled`);
    for (let i = h.start; i < h.start + h.count; i++) {
      const fd = this.vectors.get(i);
      if (fd === undefined) continue;
      if ((h.flags & IRQ_SET.DATA_NONE) || data[i - h.start]) this.signal(fd);
    }
    return ok("msi.loopback", `${NAME} loopback trigger`);
  }

  /** vfio_msi_enable: pci_alloc_irq_vectors(1, nvec); returns the vectors granted (== nvec on success). */
  private msiEnable(nvec: number, msix: boolean): number {
    if (nvec === 0) throw new KErr("ERANGE", "msi.enable-zero", "enabling with start + count = 0 vectors: pci_alloc_irq_vectors(1, 0) gives ERANGE");
    const limit = msix ? Number.MAX_SAFE_INTEGER : this.dev.msiAllocMax;
    if (limit < 1) throw new KErr("ENOSPC", "msi.no-vectors", "no vectors can be allocated");
    const got = Math.min(nvec, limit);
    if (got < nvec) return got;
    this.type = msix ? "msix" : "msi";
    this.numCtx = nvec;
    this.allocated = new Set(Array.from({ length: nvec }, (_, i) => i));
    return nvec;
  }

  private msiDisable(): void {
    this.vectors.clear();
    this.allocated.clear();
    this.numCtx = 0;
    this.type = "none";
  }

  private msiSetBlock(start: number, count: number, fds: number[], msix: boolean): void {
    if (!this.dev.dynMsiCode && (start >= this.numCtx || start + count > this.numCtx)) {
      throw new KErr("EINVAL", "msi.block-range", `vectors ${start}..${start + count - 1} fall outside the ${this.numCtx} enabled; this kernel cannot resize an enabled set (NORESIZE): disable and re-enable`);
    }
    let j = start;
    try {
      for (let i = 0; i < count; i++, j++) this.msiSetVector(j, fds[i], msix);
    } catch (e) {
      for (let v = start; v <= j; v++) this.vectors.delete(v);
      throw e;
    }
  }

  private msiSetVector(v: number, fd: number, msix: boolean): void {
    this.vectors.delete(v);
    if (fd < 0) return;
    if (this.dev.dynMsiCode && !this.allocated.has(v)) {
      if (!(msix && this.dev.dynMsix)) throw new KErr("EINVAL", "msi.vector-unallocated", `vector ${v} was not allocated at enable (${this.allocated.size} were) and ${msix ? "this device has no dynamic MSI-X" : "MSI cannot grow"}`);
      this.allocated.add(v); // stays allocated until MSI-X is disabled
    }
    this.vectors.set(v, this.fdget(fd, `vector ${v}`));
  }

  private errReqTrigger(h: IrqSetHeader, data: Uint8Array, which: "err" | "req"): Prediction {
    const NAME = which.toUpperCase();
    if (h.start !== 0 || h.count > 1) throw new KErr("EINVAL", "errreq.range", `${NAME} takes start 0 and count 0 or 1 (got ${h.start}, ${h.count})`);
    const cur = this[which];
    if (h.flags & IRQ_SET.DATA_NONE) {
      if (cur === null) throw new KErr("EINVAL", "errreq.none-without-eventfd", `DATA_NONE on ${NAME} needs an eventfd set first`);
      if (h.count) { this.signal(cur); return ok("errreq.loopback", `${NAME} loopback trigger`); }
      this[which] = null;
      return ok("errreq.release", `${NAME} eventfd released (count 0)`);
    }
    if (h.count === 0) throw new KErr("EINVAL", "errreq.count0", `${h.flags & IRQ_SET.DATA_BOOL ? "DATA_BOOL" : "DATA_EVENTFD"} on ${NAME} needs count 1`);
    if (h.flags & IRQ_SET.DATA_BOOL) {
      if (data[0]) this.signal(cur);
      return ok("errreq.loopback", `${NAME} loopback trigger (BOOL ${data[0]})`);
    }
    const fd = this.s32(data, 0);
    if (fd === -1) { this[which] = null; return ok("errreq.clear", `${NAME} eventfd cleared`); }
    if (fd < -1) {
      // Observed: 6.1.0-56 ignores it (returns 0); 6.12.95 rejects it with EINVAL. Where between the two
      // the change landed is not known; 6.8 splits the bracket.
      if (atLeast(this.dev.kernel, 6, 8)) throw new KErr("EINVAL", "errreq.fd-below", `fd ${fd} < -1 is rejected for ${NAME} (6.12; 6.1 ignored it)`);
      return ok("errreq.ignored", `fd ${fd} < -1 is silently ignored for ${NAME} (6.1; 6.12 rejects it)`);
    }
    this[which] = this.fdget(fd, `${NAME} trigger`);
    return ok("errreq.set", `${NAME} now signals eventfd ${fd}`);
  }

  private platformSetIrqs(h: IrqSetHeader, data: Uint8Array): Prediction {
    const action = h.flags & IRQ_SET.ACTION_TYPE_MASK;
    const line = this.lines[h.index];
    const irq = this.dev.irqs[h.index];
    if (action === IRQ_SET.ACTION_MASK || action === IRQ_SET.ACTION_UNMASK) {
      const mask = action === IRQ_SET.ACTION_MASK;
      const A = mask ? "MASK" : "UNMASK";
      if (h.start !== 0 || h.count !== 1) throw new KErr("EINVAL", "platform.mask.range", `${A} needs start 0, count 1`);
      if (!(irq.flags & IRQ_INFO.MASKABLE)) throw new KErr("EINVAL", "platform.mask.not-maskable", `index ${h.index} is not MASKABLE (edge-triggered line)`);
      if (h.flags & IRQ_SET.DATA_EVENTFD) {
        const fd = this.s32(data, 0);
        const slot = mask ? "maskFd" : "unmaskFd";
        if (fd >= 0) { line[slot] = this.virqfdEnable(line[slot], fd, { kind: mask ? "line-mask" : "line-unmask", index: h.index }, `${A} irqfd`); return ok("platform.mask.irqfd", `eventfd ${fd} now ${mask ? "masks" : "unmasks"} line ${h.index}`); }
        line[slot] = this.virqfdDisable(line[slot]);
        return ok("platform.mask.irqfd-removed", `${A} irqfd removed`);
      }
      if ((h.flags & IRQ_SET.DATA_NONE) || data[0]) line.masked = mask;
      return ok("platform.mask", `line ${h.index} ${mask ? "masked" : "unmasked"}`);
    }
    if (action !== IRQ_SET.ACTION_TRIGGER) throw new KErr("ENOTTY", "dispatch.no-handler", `flags select ${action ? "several ACTION types" : "no ACTION type"}: vfio-platform finds no handler`, "dispatch");
    if (h.count === 0 && (h.flags & IRQ_SET.DATA_NONE)) { line.trigger = null; return ok("platform.disable", `line ${h.index} disabled`); }
    if (h.start !== 0 || h.count !== 1) throw new KErr("EINVAL", "platform.trigger.range", `TRIGGER needs start 0, count 1 (got ${h.start}, ${h.count})`);
    if (h.flags & IRQ_SET.DATA_EVENTFD) {
      const fd = this.s32(data, 0);
      line.trigger = fd < 0 ? null : this.fdget(fd, `line ${h.index} trigger`);
      return ok("platform.trigger.set", fd < 0 ? `line ${h.index} disabled (fd < 0)` : `line ${h.index} signals eventfd ${fd}`);
    }
    if ((h.flags & IRQ_SET.DATA_NONE) || data[0]) {
      if (irq.flags & IRQ_INFO.AUTOMASKED) line.masked = true;
      this.signal(line.trigger);
    }
    return ok("platform.loopback", `line ${h.index} loopback trigger`);
  }

  private s390SetIrqs(h: IrqSetHeader, buf: UserBuf, dataOff: number): Prediction {
    const ap = this.dev.driver === "vfio-ap";
    if (!(h.flags & IRQ_SET.ACTION_TRIGGER)) throw new KErr("EINVAL", "s390.no-trigger", "vfio-ccw/vfio-ap accept only requests with ACTION_TRIGGER set");
    const line = this.lines[h.index];
    if (!line) throw new KErr("EINVAL", "s390.index", `index ${h.index} has no trigger`);
    const dt = h.flags & IRQ_SET.DATA_TYPE_MASK;
    if (ap && dt !== IRQ_SET.DATA_EVENTFD) throw new KErr("EINVAL", "ap.data-type", "vfio-ap takes only DATA_EVENTFD");
    if (dt === IRQ_SET.DATA_NONE) { this.signal(line.trigger); return ok("ccw.loopback", "signals the eventfd if one is set (count 0 does not disable on vfio-ccw)"); }
    if (dt === IRQ_SET.DATA_BOOL) {
      const b = buf.read(dataOff, 1, "one BOOL byte (get_user, whatever count says)")[0];
      if (b) this.signal(line.trigger);
      return ok("ccw.loopback", `BOOL ${b}`);
    }
    const fd = this.s32(buf.read(dataOff, 4, "one eventfd (get_user, whatever count says)"), 0);
    if (fd === -1) { line.trigger = null; return ok("s390.clear", "trigger cleared"); }
    if (fd < -1) throw new KErr("EINVAL", "s390.fd", `fd ${fd} < -1`);
    line.trigger = this.fdget(fd, "trigger");
    return ok("s390.set", `index ${h.index} signals eventfd ${fd}`);
  }

  // ---- INFO ioctls --------------------------------------------------------------------------------

  private getIrqInfo(buf: UserBuf): Prediction {
    const P = structPos("vfio_irq_info", this.dev.epoch66);
    const d = this.dev;
    buf.read(0, P.minsz, "struct vfio_irq_info");
    const argsz = buf.u32(P.f.argsz.offset, "argsz"), index = buf.u32(P.f.index.offset, "index");
    const lvu = d.profile === "libvfio-user";
    if (lvu && buf.length < P.minsz) throw new KErr("EINVAL", "lvu.msg-size", `message shorter than ${P.minsz} bytes`, "validate");
    if (argsz < P.minsz) throw new KErr("EINVAL", "irqinfo.argsz", `argsz ${argsz} is below minsz ${P.minsz}`, "validate");
    if (index >= d.numIrqs) throw new KErr("EINVAL", "irqinfo.index", `index ${index} is not below num_irqs ${d.numIrqs}`, "validate");
    const irq = d.irqs[index];
    if (!lvu && d.driver === "vfio-pci" && index === 3 && !d.pcie) throw new KErr("EINVAL", "irqinfo.err-not-pcie", "the ERR index exists only on PCI Express devices", "validate");
    const o = packer(P.minsz, d.littleEndian);
    o.u32(P.f.argsz.offset, lvu ? P.minsz : argsz);
    o.u32(P.f.flags.offset, lvu ? IRQ_INFO.EVENTFD : irq.flags);
    o.u32(P.f.index.offset, index);
    o.u32(P.f.count.offset, irq.count);
    buf.write(0, o.bytes, "struct vfio_irq_info");
    return ok("irqinfo.ok", `${d.driver === "vfio-pci" ? INDEX_NAME[index] ?? index : `index ${index}`}: count ${irq.count}, flags 0x${irq.flags.toString(16)}`);
  }

  /** Kernel-side capability chain: vfio_info_cap_add (8-aligned from 6.6) + vfio_info_cap_shift. */
  private chain(caps: { id: number; version: number; body: Uint8Array }[], shift: number): Uint8Array {
    const sizes = caps.map((c) => this.dev.epoch66 ? (8 + c.body.length + 7) & ~7 : 8 + c.body.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    const o = packer(total, this.dev.littleEndian);
    let at = 0;
    caps.forEach((c, i) => {
      o.u16(at, c.id); o.u16(at + 2, c.version);
      o.u32(at + 4, i + 1 < caps.length ? shift + at + sizes[i] : 0);
      o.bytes.set(c.body, at + 8);
      at += sizes[i];
    });
    return o.bytes;
  }

  private getInfo(buf: UserBuf): Prediction {
    const d = this.dev;
    const P = structPos("vfio_device_info", d.epoch66);
    const minsz = P.minsz; // offsetofend(num_irqs)
    buf.read(0, minsz, "struct vfio_device_info");
    let argsz = buf.u32(P.f.argsz.offset, "argsz");
    if (d.profile === "libvfio-user" && buf.length < minsz) throw new KErr("EINVAL", "lvu.msg-size", `message shorter than ${minsz} bytes`, "validate");
    if (argsz < minsz) throw new KErr("EINVAL", "info.argsz", `argsz ${argsz} is below minsz ${minsz}`, "validate");
    let flags = d.infoFlags;
    let capOffset = 0;
    const pci = d.driver === "vfio-pci" && d.profile === "linux";
    // How many bytes of the struct go back: 6.6+ min(argsz, sizeof); 6.1 PCI 20 when argsz >= 20
    // (offsetofend(struct vfio_iommu_type1_info, cap_offset), "for backward compatibility"), else minsz.
    let writeLen = minsz;
    if (pci) {
      if (d.epoch66) writeLen = Math.min(argsz, P.size);
      else {
        const capsz = offsetofend(structPos("vfio_iommu_type1_info", false), "cap_offset");
        if (argsz >= capsz) writeLen = capsz;
      }
    }
    let capBytes: Uint8Array | null = null;
    if (pci && d.infoCaps.length) {
      flags |= 0x80;
      const chain = this.chain(d.infoCaps, P.size);
      if (argsz < P.size + chain.length) argsz = P.size + chain.length;
      else { capBytes = chain; capOffset = P.size; }
    }
    const o = packer(P.size, d.littleEndian);
    if (!d.epoch66 || !pci) o.bytes.set(buf.read(0, Math.min(P.size, Math.max(minsz, writeLen)), "struct vfio_device_info"));
    o.u32(P.f.argsz.offset, d.profile === "libvfio-user" ? minsz : argsz);
    o.u32(P.f.flags.offset, flags);
    o.u32(P.f.num_regions.offset, d.numRegions);
    o.u32(P.f.num_irqs.offset, d.numIrqs);
    if (writeLen > P.f.cap_offset.offset) o.u32(P.f.cap_offset.offset, capOffset);
    if (capBytes) buf.write(P.size, capBytes, "device-info capabilities");
    buf.write(0, o.bytes.subarray(0, writeLen), "struct vfio_device_info");
    return ok("info.ok", `flags 0x${flags.toString(16)}, ${d.numRegions} regions, ${d.numIrqs} IRQ indexes; ${writeLen} bytes written${flags & 0x80 && !capBytes ? `; capabilities need argsz ${argsz}` : ""}`);
  }

  private getRegionInfo(buf: UserBuf): Prediction {
    const d = this.dev;
    const P = structPos("vfio_region_info", d.epoch66);
    const minsz = P.minsz; // offsetofend(offset) = 32
    const info = buf.read(0, minsz, "struct vfio_region_info");
    const argsz = buf.u32(P.f.argsz.offset, "argsz"), index = buf.u32(P.f.index.offset, "index");
    const lvu = d.profile === "libvfio-user";
    if (lvu && buf.length < minsz) throw new KErr("EINVAL", "lvu.msg-size", `message shorter than ${minsz} bytes`, "validate");
    if (argsz < minsz) throw new KErr("EINVAL", "region.argsz", `argsz ${argsz} is below minsz ${minsz}`, "validate");
    const r = d.regions.find((x) => x.index === index);
    if (!r || index >= d.numRegions) {
      throw new KErr("EINVAL", "region.index", d.driver === "vfio-pci" && index === 8 ? "region 8 (VGA) exists only for VGA devices with CONFIG_VFIO_PCI_VGA" : `no region ${index} (num_regions ${d.numRegions})`, "validate");
    }
    const o = packer(minsz, d.littleEndian);
    o.bytes.set(info); // the whole struct was copied in: argsz and cap_offset are echoed unless changed
    let flags = r.flags, outArgsz = argsz, capOffset: number | null = null;
    let capBytes: Uint8Array | null = null;
    if (r.caps.length) {
      const chain = this.chain(r.caps, minsz);
      if (lvu) {
        outArgsz = minsz + chain.length;
        if (argsz >= minsz + chain.length) { flags |= 0x8; capOffset = minsz; capBytes = chain; } else capOffset = 0;
      } else {
        flags |= 0x8;
        if (argsz < minsz + chain.length) { outArgsz = minsz + chain.length; capOffset = 0; }
        else { capBytes = chain; capOffset = minsz; }
      }
    } else if (lvu) { outArgsz = minsz; capOffset = 0; }
    o.u32(P.f.argsz.offset, outArgsz);
    o.u32(P.f.flags.offset, flags);
    if (capOffset !== null) o.u32(P.f.cap_offset.offset, capOffset);
    o.u64(P.f.size.offset, r.size);
    o.u64(P.f.offset.offset, r.offset);
    if (capBytes) buf.write(minsz, capBytes, "region capabilities");
    buf.write(0, o.bytes, "struct vfio_region_info");
    return ok("region.ok", `region ${index}: flags 0x${flags.toString(16)}, size 0x${r.size.toString(16)}${r.caps.length ? capBytes ? `, ${r.caps.length} capability(ies) at ${minsz}` : `; capabilities need argsz ${outArgsz} (cap_offset 0)` : ""}`);
  }

  private reset(): Prediction {
    if (!this.dev.reset) throw new KErr("EINVAL", "reset.unsupported", "the device has no reset method (VFIO_DEVICE_FLAGS_RESET is clear)");
    return ok("reset.ok", "device reset (IRQ state is kept)");
  }

  private hotResetInfo(buf: UserBuf): Prediction {
    if (this.dev.driver !== "vfio-pci") throw new KErr("ENOTTY", "ioctl.unknown", "GET_PCI_HOT_RESET_INFO exists only for vfio-pci", "dispatch");
    // struct vfio_pci_hot_reset_info { argsz, flags, count } is not in the schema: minsz = offsetofend(count) = 12.
    const minsz = 12;
    buf.read(0, minsz, "struct vfio_pci_hot_reset_info");
    const argsz = buf.u32(0, "argsz");
    if (argsz < minsz) throw new KErr("EINVAL", "hotreset.argsz", `argsz ${argsz} is below minsz ${minsz}`, "validate");
    if (!this.dev.hotReset) throw new KErr("ENODEV", "hotreset.none", "neither a slot nor a bus reset is possible for this device");
    return { ret: 0, errno: null, rule: "hotreset.not-modelled", reason: "the list of affected devices is not modelled", stage: "done", unknown: true };
  }
}

/** Canonical VFIO ioctl name for a name or number ("SET_IRQS", "DEVICE_SET_IRQS", 0x3b6e). Null when unknown. */
export function resolveName(q: string | number): string | null {
  if (typeof q === "string" && !/^(0x[0-9a-f]+|\d+)$/i.test(q.trim())) {
    const n = q.trim().toUpperCase().replace(/^VFIO_/, "");
    for (const cand of [`VFIO_${n}`, `VFIO_DEVICE_${n}`]) if (lookupIoctl(cand).length) return cand;
    return null;
  }
  const hits = lookupIoctl(typeof q === "number" ? q : Number(q)).filter((i) => i.fd === "device");
  return hits[0]?.name ?? null;
}

/** errno number for a name (null for success). */
export const errnoNumber = (n: ErrnoName | null): number => (n ? ERRNO[n] : 0);
