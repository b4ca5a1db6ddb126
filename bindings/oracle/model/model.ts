// The device-state model: feed it the ioctls of one device in order and it predicts each answer
// (ret, errno, the rule that decided it) and the bytes the kernel leaves in the caller's memory.
// SET_IRQS runs in the wasm oracle (assembly/oracle.ts: enabled irq type, vectors, ERR/REQ/INTx
// triggers, unmask irqfd, fd table); the INFO ioctls and RESET are answered here from the device
// description, as vfio_pci_core_ioctl builds them. For vfio-pci the wasm oracle keeps which eventfd each
// vector/index holds in the device block (PCI_FD_*, the vector table); the model reads it there and
// adds the world around the kernel - the device's line, the INTx mask that depends on it, eventfd
// counters and work-item timing - to predict the signals (eventfdRead); for vfio-platform/amba the
// block holds each line's trigger, mask state and mask/unmask irqfds (PLAT_*) the same way; big-endian
// (s390x) callers get big-endian replies. Checked request by request against real kernels by
// tests/kernel/run.mjs (x86 vfio-pci) and tests/kernel/cross (arm64 platform/amba, s390x zPCI).
import { fromHex } from "../../dump.js";
import { DEV, ERRNO_NAMES, E_ORACLE_RANGE, IRQ_TYPE, PCI, PLAT, PROF_BIG, R, TRIG } from "../../generated/wasm-abi.js";
import { REGION, copyIn, reserveCall, u32At } from "../../memory.js";
import {
  O_VFIO_DEVICE_INFO__ARGSZ,
  O_VFIO_IRQ_INFO__ARGSZ,
  O_VFIO_IRQ_INFO__INDEX,
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__DATA,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
  O_VFIO_REGION_INFO__ARGSZ,
  O_VFIO_REGION_INFO__CAP_OFFSET,
  O_VFIO_REGION_INFO__INDEX,
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
} from "../../generated/constants.js";
import { encode } from "../../encode.js";
import { buildCapsRaw } from "../../caps.js";
import { structByName } from "../../schema-index.js";
import { ruleName, ruleReason } from "../../oracle-rules.js";

const { INTX: T_INTX, MSI: T_MSI } = IRQ_TYPE;
const CONFIG_REGION = VFIO_PCI_CONFIG_REGION_INDEX;
// the PCI command register (include/uapi/linux/pci_regs.h), in the config region
const PCI_COMMAND = 0x04,
  PCI_COMMAND_MEMORY = 0x2,
  PCI_COMMAND_MASTER = 0x4;
/** SET_IRQS outcomes of an MSI enable that got as far as pci_alloc_irq_vectors (MSI was on, at least briefly). */
const MSI_ENABLED_RULES: ReadonlySet<number> = new Set([
  R.OK,
  R.PARTIAL_VECTORS,
  R.EMPTY_BLOCK,
  R.FD_CLOSED,
  R.FD_NOT_EVENTFD,
  R.VECTOR_UNALLOCATED,
]);
import {
  type DeviceDescription,
  DEV_WORDS,
  DEV_IRQ_INDEXES,
  deviceBlock,
  platformBlock,
  pciBlock,
  irqOf,
  numIrqs,
  numRegions,
  deviceInfoFlags,
  kernelRules,
  big,
  IRQ_TYPE_NAMES,
  hasErrIndex,
  applyFdEnv,
  fdEnvText,
  type FdEnv,
} from "./device.js";

export { ERRNO_NAMES };
export const errnoName = (n: number): string => ERRNO_NAMES[n] ?? `E${n}`;

export type IoctlName =
  | "VFIO_DEVICE_SET_IRQS"
  | "VFIO_DEVICE_GET_IRQ_INFO"
  | "VFIO_DEVICE_GET_REGION_INFO"
  | "VFIO_DEVICE_GET_INFO"
  | "VFIO_DEVICE_RESET";
export const IOCTL_NAMES: readonly IoctlName[] = [
  "VFIO_DEVICE_SET_IRQS",
  "VFIO_DEVICE_GET_IRQ_INFO",
  "VFIO_DEVICE_GET_REGION_INFO",
  "VFIO_DEVICE_GET_INFO",
  "VFIO_DEVICE_RESET",
];

export interface Prediction {
  /** The ioctl's return value: >= 0, or -1 with errno. */
  ret: number;
  /** errno name ("EINVAL", ...) or null on success. */
  errno: string | null;
  /** Rule name (SET_IRQS: the oracle's R_* name; other ioctls: a descriptive name). */
  rule: string;
  reason: string;
  /** Memory after the call (same length as the memory passed in, buffer + tail): reply bytes and any bytes written past the buffer. */
  after: Uint8Array;
  /** vfio-pci SET_IRQS: the eventfds (fd numbers) this call signals (loopback triggers, INTx), in order. */
  signalled?: number[];
  /** SET_IRQS: the payload element (0-based) whose fd or vector failed, else null. */
  element?: number | null;
}

/** The eventfds vfio-pci holds for one device (fd numbers). */
export interface Triggers {
  intx: number | null;
  /** INTx unmask irqfd: signals to this fd are consumed by the kernel. */
  intxUnmask: number | null;
  err: number | null;
  req: number | null;
  /** MSI/MSI-X vector -> trigger fd. */
  vectors: Map<number, number>;
}

/** What vfio-platform/amba holds for one line. */
export interface PlatformLine {
  /** Trigger eventfd (fd number) or null. */
  trigger: number | null;
  /** Masked: by MASK, or by the automasking handler of a level line; cleared by UNMASK. */
  masked: boolean;
  /** irqfds: a signal to this eventfd masks / unmasks the line (and is consumed by the kernel). */
  maskIrqfd: number | null;
  unmaskIrqfd: number | null;
}

export interface PredictOptions {
  /** Bytes the kernel can read/write after the buffer (e.g. the replay program's 0xA5 guard). Default none. */
  tail?: Uint8Array;
  /** Big-endian caller (s390x): requests are read and replies written big-endian. */
  bigEndian?: boolean;
  /** fd environment change before the call (fds opened or closed since); it stays in effect. */
  fds?: FdEnv;
}

let lastElem = -1;
/** Run the wasm oracle once on a state block. Returns [ret, ruleId]; updates `state` when commit. */
export function oracleCall(state: Uint32Array, mem: Uint8Array, commit: boolean, bigEndian = false): [number, number] {
  const words = Math.max(state.length, DEV_WORDS); // a platform block carries its extended words
  // the state is copied in and out: a request too large for the long-lived instance runs on a fresh one
  const { w, at: dev } = reserveCall(REGION.oracle, words * 4 + 64 + mem.length, "vfio-abi oracle");
  const buf = dev + words * 4 + 64;
  u32At(w, dev, words).set(state);
  copyIn(w, buf, mem);
  const ret = w.oracle_set_irqs(bigEndian ? PROF_BIG : 0, buf, mem.length, dev, commit ? 1 : 0);
  const rule = w.oracle_last_rule();
  lastElem = w.oracle_last_elem();
  if (ret === E_ORACLE_RANGE) throw new Error("vfio-abi oracle: buffer outside wasm memory");
  if (commit) state.set(u32At(w, dev, state.length));
  return [ret, rule];
}

/** minsz of an INFO struct (offsetofend of its last required field), from the schema. */
const MINSZ = (name: string): number => structByName(name).minsz;
/** Offset of a field that sits at the same offset in every ABI and epoch (argsz, flags, index, ...). */
const SET = {
  flags: O_VFIO_IRQ_SET__FLAGS,
  index: O_VFIO_IRQ_SET__INDEX,
  start: O_VFIO_IRQ_SET__START,
  count: O_VFIO_IRQ_SET__COUNT,
  data: O_VFIO_IRQ_SET__DATA,
};

/** The index a SET_IRQS request names (-1 when the buffer is too short to name one). */
const requestIndex = (mem: Uint8Array, bigEndian: boolean): number =>
  mem.length < SET.index + 4
    ? -1
    : new DataView(mem.buffer, mem.byteOffset, mem.length).getUint32(SET.index, !bigEndian);

const result = (ret: number, rule: string, reason: string, after: Uint8Array): Prediction =>
  ret < 0 ? { ret: -1, errno: errnoName(-ret), rule, reason, after } : { ret, errno: null, rule, reason, after };

/** A buffer shorter than the INFO struct: the kernel faults (EFAULT); libvfio-user refuses it (EINVAL). */
const short = (d: DeviceDescription, minsz: number, mem: Uint8Array): Prediction =>
  d.driver === "libvfio-user"
    ? result(-22, "LVU_SHORT", `message body shorter than ${minsz} bytes (libvfio-user: EINVAL)`, mem)
    : result(-14, "COPY_FAULT", `fewer than ${minsz} bytes readable`, mem);

/** What SET_IRQS changes and the signals it sends depend on: the state before the call. */
interface Before {
  active: number;
  intx: number | null;
  unmask: number | null;
  /** vfio-platform/amba: the line the request names (a copy), when the block keeps it. */
  line: PlatformLine | null;
}

/** The state model of one device. */
export class DeviceModel {
  readonly device: DeviceDescription;
  readonly state: Uint32Array;
  readonly rules: 0 | 1;
  /** Predicted eventfd counters (signals since the last read), by fd. */
  readonly counts = new Map<number, number>();
  constructor(device: DeviceDescription) {
    this.device = device;
    const platform = device.driver === "vfio-platform" || device.driver === "vfio-amba";
    const pci = device.driver === "vfio-pci";
    this.state = platform ? platformBlock(device) : pci ? pciBlock(device) : deviceBlock(device);
    this.rules = kernelRules(device.kernel);
  }

  private get platform(): boolean {
    return this.device.driver === "vfio-platform" || this.device.driver === "vfio-amba";
  }

  /**
   * vfio-platform/amba: the state of each described line, by index, read from the device block
   * (the wasm oracle keeps trigger, irqfds and mask there: PLAT_*).
   */
  get platformLines(): Map<number, PlatformLine> {
    const lines = new Map<number, PlatformLine>();
    for (const q of this.device.irqs) {
      const l = this.platformLine(q.index);
      if (l) lines.set(q.index, l);
    }
    return lines;
  }

  /** Line `index` as the block holds it, or null (not a platform block, or a line the block does not keep). */
  private platformLine(index: number): PlatformLine | null {
    if (!this.platform || !(this.state[DEV.FEATURES] & PLAT.EXTENDED)) return null;
    if (!Number.isInteger(index) || index < 0 || index >= DEV_IRQ_INDEXES) return null;
    const fd = (base: number) => (this.state[base + index] ? this.state[base + index] - 1 : null);
    return {
      trigger: fd(PLAT.FD_TRIGGER),
      masked: (this.state[PLAT.MASKED + (index >> 5)] & (1 << (index & 31))) !== 0,
      maskIrqfd: fd(PLAT.FD_MASK),
      unmaskIrqfd: fd(PLAT.FD_UNMASK),
    };
  }

  /** An irqfd's handler ran on line `index` (vfio_platform_mask/unmask): the host's part of PLAT_MASKED. */
  private setPlatformMasked(index: number, masked: boolean): void {
    const word = PLAT.MASKED + (index >> 5),
      bit = 1 << (index & 31);
    this.state[word] = masked ? (this.state[word] | bit) >>> 0 : this.state[word] & ~bit;
  }

  /**
   * vfio-pci: which eventfds the kernel holds, read from the device block (the wasm oracle keeps
   * them on successful and failed SET_IRQS: PCI_FD_* and the vector table).
   */
  get triggers(): Triggers {
    const vectors = new Map<number, number>();
    const n = Math.max(irqOf(this.device, 1)?.count ?? 0, irqOf(this.device, 2)?.count ?? 0);
    for (let v = 0; v < Math.min(n, PCI.VECTORS); v++) {
      const fd = this.vectorFd(v);
      if (fd !== null) vectors.set(v, fd);
    }
    return {
      intx: this.fdOf(PCI.FD_INTX),
      intxUnmask: this.fdOf(PCI.FD_UNMASK),
      err: this.fdOf(PCI.FD_ERR),
      req: this.fdOf(PCI.FD_REQ),
      vectors,
    };
  }

  /** The eventfd a PCI_FD_* word of the block holds, or null (also for other drivers). */
  private fdOf(word: number): number | null {
    if (!this.pciExtended) return null;
    return this.state[word] ? this.state[word] - 1 : null;
  }

  private get pciExtended(): boolean {
    return this.device.driver === "vfio-pci" && (this.state[DEV.FEATURES] & PCI.EXTENDED) !== 0;
  }

  /** Entry of vector v in the block's vector table (u16 at byte 2v, read from its u32 word). */
  private vectorEntry(v: number): number {
    if (!this.pciExtended || v < 0 || v >= PCI.VECTORS) return 0;
    const word = this.state[PCI.VECTOR_TABLE + (v >> 1)];
    return v & 1 ? word >>> 16 : word & 0xffff;
  }

  private setVectorEntry(v: number, e: number): void {
    const i = PCI.VECTOR_TABLE + (v >> 1);
    const word = this.state[i];
    this.state[i] = v & 1 ? (word & 0xffff) | (e << 16) : (word & 0xffff0000) | e;
  }

  private vectorFd(v: number): number | null {
    const fd = this.vectorEntry(v) & PCI.VEC_FD;
    return fd ? fd - 1 : null;
  }

  /** Change the fd environment (fds the caller opened or closed): listed fds change kind. */
  setFds(env: FdEnv): void {
    applyFdEnv(this.state, env);
  }

  /** The current fd environment as text lists: { eventfds: "100-131", files: "0-2" }. */
  fdEnv(): { eventfds: string; files: string } {
    return fdEnvText(this.state);
  }

  /** What fd `fd` is in the device's fd environment. */
  fdKind(fd: number): "eventfd" | "file" | "closed" {
    if (!Number.isInteger(fd) || fd < 0 || fd >= 1024) return "closed";
    const bit = 1 << (fd & 31);
    if (this.state[DEV.EVENTFDS + (fd >> 5)] & bit) return "eventfd";
    if (this.state[DEV.OPEN_FDS + (fd >> 5)] & bit) return "file";
    return "closed";
  }

  /**
   * A non-blocking 8-byte read of `fd`: an eventfd gives its predicted counter (reset to 0) or EAGAIN
   * when nothing was signalled; another open file (the harness's /dev/null) reads 0 bytes; a closed
   * fd is EBADF. `maybe` > 0 says the kernel may have signalled up to that many more times by now:
   * signals it sends from a work item (the INTx unmask irqfd) arrive whenever the worker runs, so
   * the counter is anywhere in [count, count + maybe]. Pass what the kernel read as `observed` to
   * settle them.
   */
  eventfdRead(fd: number, observed?: number): { ret: number; errno: string | null; count: number; maybe: number } {
    const kind = this.fdKind(fd);
    if (kind === "closed") return { ret: -1, errno: "EBADF", count: 0, maybe: 0 };
    if (kind === "file") return { ret: 0, errno: null, count: 0, maybe: 0 };
    const c = this.counts.get(fd) ?? 0,
      maybe = this.maybe.get(fd) ?? 0;
    this.counts.delete(fd);
    if (observed !== undefined && maybe) {
      const arrived = Math.max(0, Math.min(maybe, observed - c));
      if (maybe - arrived) this.maybe.set(fd, maybe - arrived);
      else this.maybe.delete(fd);
      if (fd === this.fdOf(PCI.FD_INTX)) this.settleInjects(arrived);
    }
    return c > 0 ? { ret: 8, errno: null, count: c, maybe } : { ret: -1, errno: "EAGAIN", count: 0, maybe };
  }

  /** Signals the kernel may still send, by fd (see eventfdRead). */
  readonly maybe = new Map<number, number>();
  /**
   * virqfd inject work items not known to have run. `injects` were scheduled while the current INTx
   * trigger was set: they reach it. `strayInjects` were scheduled while there was no trigger
   * (vfio_send_intx_eventfd signals whatever ctx->trigger holds when the worker runs): lost if the
   * worker ran before a trigger was set, else they reach the trigger set since.
   */
  private injects = 0;
  private strayInjects = 0;
  /**
   * A run of the inject work is still due: set when the work is scheduled, cleared when a read sees
   * one of its signals. schedule_work() does not queue a work that is already pending, so several
   * schedules before the worker runs give one signal; a signal seen after the last schedule may have
   * been the only one. Only while no read has seen a signal since the last schedule is one more sure.
   */
  private injectDue = false;

  /** `arrived` signals of pending inject work reached the current trigger (sure ones first: a wider range, never a wrong one). */
  private settleInjects(arrived: number): void {
    const sure = Math.min(this.injects, arrived);
    this.injects -= sure;
    this.strayInjects = Math.max(0, this.strayInjects - (arrived - sure));
    if (arrived > 0) this.injectDue = false;
  }

  /**
   * An 8-byte write of 1 to `fd` by the caller (eventfd_write). On the eventfd of the INTx unmask
   * irqfd the kernel consumes the count and runs the unmask (virqfd_wakeup); the INTx trigger it may
   * then signal is returned in `signalled`.
   */
  eventfdWrite(fd: number): { ret: number; errno: string | null; signalled: number[] } {
    const kind = this.fdKind(fd);
    if (kind === "closed") return { ret: -1, errno: "EBADF", signalled: [] };
    const signalled: number[] = [];
    if (kind === "eventfd") this.signal(fd, signalled);
    return { ret: 8, errno: null, signalled: signalled.filter((x) => x !== fd) };
  }

  /**
   * A write to a device region (pwrite on the device fd). The model follows the command register
   * (config space, region 7, offset 4: memory decoding and bus mastering; vfio-pci enables memory
   * when the device is opened, bus mastering is off) and, for devices whose description has
   * `irqSource` (QEMU's edu), the interrupt they raise from register writes. Returns the bytes
   * written (EIO on a BAR while memory decoding is off) and the eventfds signalled.
   */
  regionWrite(
    region: number,
    offset: number,
    bytes: Uint8Array,
  ): { ret: number; errno: string | null; signalled: number[] } {
    const out: number[] = [];
    if (region === CONFIG_REGION && offset === PCI_COMMAND && bytes.length >= 2) {
      const cmd = bytes[0] | (bytes[1] << 8);
      this.command.memory = (cmd & PCI_COMMAND_MEMORY) !== 0;
      this.command.busMaster = (cmd & PCI_COMMAND_MASTER) !== 0;
      return { ret: bytes.length, errno: null, signalled: out };
    }
    if (region < CONFIG_REGION - 1 && !this.command.memory) return { ret: -1, errno: "EIO", signalled: out }; // vfio_pci_bar_rw
    const src = this.device.irqSource;
    if (src && bytes.length === 4) {
      const v = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
      if (region === src.raise.region && offset === src.raise.offset) this.raiseLine(v, out);
      else if (region === src.lower.region && offset === src.lower.offset) this.lowerLine(v);
    }
    return { ret: bytes.length, errno: null, signalled: out };
  }

  /** The device's command register as far as the model needs it (vfio-pci state after open). */
  readonly command = { memory: true, busMaster: false };
  /** The device's own interrupt: status bits and the INTx level it drives. */
  readonly line = { status: 0, level: false };
  /** vfio-pci's INTx mask (ctx->masked): set by MASK and by the interrupt handler, cleared by UNMASK. */
  intxMasked = false;

  private raiseLine(v: number, out: number[]): void {
    this.line.status = (this.line.status | v) >>> 0;
    if (!this.line.status) return;
    if (this.state[DEV.ACTIVE_TYPE] === T_MSI) {
      // edu: with MSI enabled every raise sends MSI vector 0 - a memory write, dropped without bus mastering
      if (this.command.busMaster) this.msiInterrupt(0, out);
      return;
    }
    const rising = !this.line.level;
    this.line.level = true; // pci_set_irq(1); only a change of level reaches the interrupt controller
    // Only a rising level reaches vfio's handler: QEMU's IOAPIC latches a level interrupt when the
    // level changes, and a pin with no handler is masked in edge mode, where it ignores the level.
    // A line already up when INTx is enabled is found by the next UNMASK (status check) instead.
    if (rising) this.intxFire(out);
  }

  /**
   * An MSI on vector v: its trigger is signalled. With no trigger, an interrupt that was never
   * requested since MSI was enabled is only activated (pci_alloc_irq_vectors): the interrupt core
   * marks it pending and replays it when request_irq starts it (IRQS_PENDING, check_irq_resend); once
   * a trigger was freed the interrupt is deactivated and the message is lost.
   */
  private msiInterrupt(v: number, out: number[]): void {
    const fd = this.vectorFd(v);
    const e = this.vectorEntry(v);
    if (fd !== null) this.signal(fd, out);
    else if (this.pciExtended && !(e & PCI.VEC_FREED)) this.setVectorEntry(v, e | PCI.VEC_PENDING);
  }

  /** The pending interrupts the oracle replayed to triggers set on vectors start..start+count-1. */
  private replayed(start: number, count: number, out: number[]): void {
    for (let v = start; v < Math.min(start + count, PCI.VECTORS); v++) {
      const e = this.vectorEntry(v);
      if (!(e & PCI.VEC_REPLAYED)) continue;
      this.setVectorEntry(v, e & ~PCI.VEC_REPLAYED);
      this.signal(this.vectorFd(v), out);
    }
  }

  private lowerLine(v: number): void {
    this.line.status = (this.line.status & ~v) >>> 0;
    if (!this.line.status) this.line.level = false; // with MSI on, INTx is already down (see track)
  }

  /**
   * virqfd's inject work (vfio_send_intx_eventfd from schedule_work): it signals the INTx trigger
   * when the worker runs, which is not ordered with the caller's next system calls - a "may signal".
   */
  private injectLater(out: number[]): void {
    const fd = this.fdOf(PCI.FD_INTX);
    if (fd === null) {
      this.strayInjects++;
      return;
    }
    out.push(fd);
    this.injects++;
    this.injectDue = true;
    this.maybe.set(fd, (this.maybe.get(fd) ?? 0) + 1);
  }

  /**
   * The unmask irqfd goes away (vfio_virqfd_disable: UNMASK eventfd -1, INTx disable): its
   * shutdown reads the eventfd's counter (eventfd_ctx_remove_wait_queue) and flushes the inject
   * work, so the run still due (injectDue) has reached the trigger by now: one sure signal, however
   * many schedules it answers (schedule_work does not queue a pending work twice). When a read has
   * seen a signal since the last schedule, that may have been the only run: the rest stay "may
   * signal". Stray work (scheduled with no trigger) may have run before the trigger was set: it
   * stays a "may signal" too.
   */
  private releaseUnmaskIrqfd(unmask: number | null, intx: number | null): void {
    if (unmask !== null) this.counts.delete(unmask);
    if (this.injects && this.injectDue && intx !== null) {
      this.counts.set(intx, (this.counts.get(intx) ?? 0) + 1);
      const m = (this.maybe.get(intx) ?? 0) - 1;
      if (m > 0) this.maybe.set(intx, m);
      else this.maybe.delete(intx);
    }
    this.injects = 0;
    this.strayInjects = 0;
    this.injectDue = false;
  }

  /** vfio_intx_handler: INTx enabled, unmasked and the line asserted -> mask and signal the trigger. */
  private intxFire(out: number[]): void {
    if (this.state[DEV.ACTIVE_TYPE] !== T_INTX || this.intxMasked || !this.line.level) return;
    this.intxMasked = true;
    this.signal(this.fdOf(PCI.FD_INTX), out);
  }

  /** vfio_pci_intx_unmask_handler: true when the line is still asserted (stays masked, signal due). */
  private intxUnmask(): boolean {
    if (this.state[DEV.ACTIVE_TYPE] !== T_INTX || !this.intxMasked) return false;
    if (this.line.level) return true;
    this.intxMasked = false;
    return false;
  }

  private signal(fd: number | null | undefined, out: number[], loop = true): void {
    if (fd === null || fd === undefined) return;
    out.push(fd);
    if (fd === this.fdOf(PCI.FD_UNMASK) && this.state[DEV.ACTIVE_TYPE] === T_INTX) {
      // the unmask irqfd reads the whole counter when woken (virqfd_wakeup), runs the unmask and,
      // with the line still asserted, signals the INTx trigger from its work item
      this.counts.delete(fd);
      if (this.intxUnmask() && loop) this.injectLater(out);
      return;
    }
    for (const [index, line] of this.platformLines) {
      if (fd !== line.maskIrqfd && fd !== line.unmaskIrqfd) continue;
      // a platform irqfd: virqfd_wakeup reads the counter and runs vfio_platform_mask/unmask
      this.counts.delete(fd);
      this.setPlatformMasked(index, fd === line.maskIrqfd);
      return;
    }
    this.counts.set(fd, (this.counts.get(fd) ?? 0) + 1);
  }

  /**
   * vfio_platform_irq.c after SET_IRQS answered `ret` on a line (the oracle has kept the line's
   * trigger, irqfds and mask in the block): the loopback handler of a level line (AUTOMASKED)
   * masks it and signals only when it was not masked, an edge line's handler always signals; an
   * irqfd installed on an eventfd that already counts runs its handler once (the count stays), and
   * removing an irqfd (vfio_virqfd_disable) reads its eventfd's count away. `before`: the line
   * before the call.
   */
  private trackPlatform(
    index: number,
    flags: number,
    count: number,
    value: number,
    ret: number,
    before: PlatformLine | null,
  ): number[] {
    const out: number[] = [];
    const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
      act = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    const q = irqOf(this.device, index);
    const line = this.platformLine(index);
    if (!q || !line || !before || ret < 0) return out;
    if (act === VFIO_IRQ_SET_ACTION_TRIGGER) {
      // a new trigger, or none: nothing is signalled; a loopback with BOOL 0 does not run the handler
      if (dt === VFIO_IRQ_SET_DATA_EVENTFD || (dt === VFIO_IRQ_SET_DATA_NONE && count === 0)) return out;
      if (dt === VFIO_IRQ_SET_DATA_BOOL && !value) return out;
      if ((q.flags & VFIO_IRQ_INFO_AUTOMASKED) === 0 || !before.masked) this.signal(line.trigger, out);
      return out;
    }
    if (dt !== VFIO_IRQ_SET_DATA_EVENTFD) return out;
    const mask = act === VFIO_IRQ_SET_ACTION_MASK;
    const fd = value >= 0 ? value : null;
    const old = mask ? before.maskIrqfd : before.unmaskIrqfd;
    if (fd === null && old !== null) this.counts.delete(old);
    if (fd !== null && (this.counts.get(fd) ?? 0) > 0) this.setPlatformMasked(index, mask);
    return out;
  }

  /**
   * The signals SET_IRQS sends and the interrupt state around vfio-pci, after the oracle answered
   * `ret` (rule id `rule`) and kept which eventfd each trigger holds in the device block. `before`:
   * the enabled type and the INTx eventfds before the call.
   */
  private track(mem: Uint8Array, ret: number, rule: number, before: Before, bigEndian: boolean): number[] {
    const out: number[] = [];
    const platform = this.platform;
    if ((this.device.driver !== "vfio-pci" && !platform) || mem.length < SET.data) return out;
    const dv = new DataView(mem.buffer, mem.byteOffset, mem.length);
    const le = !bigEndian;
    const flags = dv.getUint32(SET.flags, le),
      index = dv.getUint32(SET.index, le),
      start = dv.getUint32(SET.start, le),
      count = dv.getUint32(SET.count, le);
    const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
      act = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    const fdAt = (i: number) => (SET.data + 4 * i + 4 <= mem.length ? dv.getInt32(SET.data + 4 * i, le) : -1);
    const boolAt = (i: number) => (SET.data + i < mem.length ? mem[SET.data + i] : 0);
    if (platform)
      return this.trackPlatform(
        index,
        flags,
        count,
        dt === VFIO_IRQ_SET_DATA_EVENTFD ? fdAt(0) : boolAt(0),
        ret,
        before.line,
      );
    const yes = dt === VFIO_IRQ_SET_DATA_NONE || (dt === VFIO_IRQ_SET_DATA_BOOL && boolAt(0) !== 0); // NONE, or BOOL with a true first element
    // QEMU deasserts a device's INTx whenever MSI gets enabled (msi_write_config), also when vfio
    // frees the vectors again in the same call
    if (
      index === VFIO_PCI_MSI_IRQ_INDEX &&
      dt === VFIO_IRQ_SET_DATA_EVENTFD &&
      before.active !== T_MSI &&
      MSI_ENABLED_RULES.has(rule)
    )
      this.line.level = false;
    if (ret < 0 || rule === R.PARTIAL_VECTORS) return out;
    if (index === VFIO_PCI_INTX_IRQ_INDEX) return this.trackIntx(act, dt, count, yes, fdAt(0), before, out);
    if (index === VFIO_PCI_MSI_IRQ_INDEX || index === VFIO_PCI_MSIX_IRQ_INDEX) {
      // edu: MSI enabled with the line up sends nothing (MSI is edge: only a new raise notifies)
      if (dt === VFIO_IRQ_SET_DATA_EVENTFD) this.replayed(start, count, out);
      else if (count !== 0 || dt !== VFIO_IRQ_SET_DATA_NONE)
        for (let v = start; v < start + count; v++)
          if (dt === VFIO_IRQ_SET_DATA_NONE || boolAt(v - start)) this.signal(this.vectorFd(v), out);
      return out;
    }
    const fd = this.fdOf(index === VFIO_PCI_ERR_IRQ_INDEX ? PCI.FD_ERR : PCI.FD_REQ);
    if ((dt === VFIO_IRQ_SET_DATA_NONE && count) || (dt === VFIO_IRQ_SET_DATA_BOOL && boolAt(0))) this.signal(fd, out);
    return out;
  }

  private trackIntx(
    act: number,
    dt: number,
    count: number,
    yes: boolean,
    fd: number,
    before: Before,
    out: number[],
  ): number[] {
    const intx = this.fdOf(PCI.FD_INTX);
    if (act === VFIO_IRQ_SET_ACTION_MASK) {
      if (dt !== VFIO_IRQ_SET_DATA_EVENTFD && yes) this.intxMasked = true;
      return out;
    }
    if (act === VFIO_IRQ_SET_ACTION_UNMASK) {
      if (dt === VFIO_IRQ_SET_DATA_EVENTFD) {
        if (fd < 0) this.releaseUnmaskIrqfd(before.unmask, intx);
        // vfio_virqfd_enable: a count already pending on the eventfd runs the unmask once (not consumed)
        if (fd >= 0 && (this.counts.get(fd) ?? 0) > 0 && this.intxUnmask()) this.injectLater(out);
      } else if (yes && this.intxUnmask()) this.signal(intx, out); // __vfio_pci_intx_unmask
      return out;
    }
    if (count === 0 && dt === VFIO_IRQ_SET_DATA_NONE) {
      this.releaseUnmaskIrqfd(before.unmask, before.intx);
      this.intxMasked = false;
      return out;
    }
    if (dt === VFIO_IRQ_SET_DATA_EVENTFD) {
      // vfio_intx_set_signal switches ctx->trigger and, only when it held an old trigger, flushes
      // the inject work (vfio_virqfd_flush_thread): a pending signal went to the old or to the new
      // trigger. With no old trigger nothing is flushed: pending work reached nothing if the worker
      // already ran, else it signals the new trigger whenever the worker runs.
      const pending = this.injects + this.strayInjects;
      if (pending && intx !== null) this.maybe.set(intx, (this.maybe.get(intx) ?? 0) + pending);
      this.strayInjects = before.intx === null ? pending : 0;
      this.injects = 0;
      this.injectDue = false;
      // vfio_intx_enable starts unmasked; a line already asserted does not fire (see raiseLine)
      if (before.active !== T_INTX) this.intxMasked = false;
      return out;
    }
    if (yes) this.signal(intx, out);
    return out;
  }

  /** Human-readable state: enabled irq type, vectors, triggers. */
  describeState(): {
    irqType: string;
    vectors: number;
    err: boolean;
    req: boolean;
    intxTrigger: boolean;
    intxUnmaskFd: boolean;
  } {
    const s = this.state;
    const trig = s[DEV.TRIGGERS];
    return {
      irqType: IRQ_TYPE_NAMES[s[DEV.ACTIVE_TYPE]] ?? String(s[DEV.ACTIVE_TYPE]),
      vectors: s[DEV.VECTORS],
      err: !!(trig & TRIG.ERR),
      req: !!(trig & TRIG.REQ),
      intxTrigger: !!(trig & TRIG.INTX),
      intxUnmaskFd: !!(trig & TRIG.INTX_UNMASK_FD),
    };
  }

  /** Predict one ioctl on `bytes` (the caller's buffer; RESET ignores it) and advance the state. */
  predict(ioctl: IoctlName | string, bytes: Uint8Array = new Uint8Array(0), opts: PredictOptions = {}): Prediction {
    const tail = opts.tail ?? new Uint8Array(0);
    const mem = new Uint8Array(bytes.length + tail.length);
    mem.set(bytes);
    mem.set(tail, bytes.length);
    const name = ioctl.startsWith("VFIO_") ? ioctl : `VFIO_${ioctl}`;
    if (opts.fds) this.setFds(opts.fds);
    switch (name) {
      case "VFIO_DEVICE_SET_IRQS": {
        const before: Before = {
          active: this.state[DEV.ACTIVE_TYPE],
          intx: this.fdOf(PCI.FD_INTX),
          unmask: this.fdOf(PCI.FD_UNMASK),
          line: this.platformLine(requestIndex(mem, !!opts.bigEndian)),
        };
        const [ret, rule] = oracleCall(this.state, mem, true, opts.bigEndian);
        const element = failedElement(ret, rule);
        const signalled = this.track(mem, ret, rule, before, !!opts.bigEndian);
        return { ...result(ret, ruleName(rule), ruleReason(rule), mem), signalled, element };
      }
      case "VFIO_DEVICE_GET_IRQ_INFO":
        return this.irqInfo(mem, !!opts.bigEndian);
      case "VFIO_DEVICE_GET_REGION_INFO":
        return this.regionInfo(mem, !!opts.bigEndian);
      case "VFIO_DEVICE_GET_INFO":
        return this.deviceInfo(mem, !!opts.bigEndian);
      case "VFIO_DEVICE_RESET":
        return this.device.reset
          ? result(0, "RESET", "the device has a reset method", mem)
          : result(-22, "NO_RESET", "no reset method (reset_works is false)", mem);
      default:
        throw new TypeError(`predict: unsupported ioctl ${ioctl} (want ${IOCTL_NAMES.join(", ")})`);
    }
  }

  /** The layout epoch whose kernel code builds the replies (6.12 rules -> 6.6+ layout). */
  private get epoch(): "6.1" | "6.6" {
    return this.rules === 1 ? "6.6" : "6.1";
  }

  /** Codec profile of the replies: the kernel's epoch, the caller's byte order. */
  private profile(bigEndian: boolean): { epoch: "6.1" | "6.6"; endian: "big" | "little" } {
    return { epoch: this.epoch, endian: bigEndian ? "big" : "little" };
  }

  private irqInfo(mem: Uint8Array, bigEndian: boolean): Prediction {
    const d = this.device;
    const minsz = MINSZ("vfio_irq_info");
    if (mem.length < minsz) return short(d, minsz, mem);
    const dv = new DataView(mem.buffer, mem.byteOffset, mem.length);
    const argsz = dv.getUint32(O_VFIO_IRQ_INFO__ARGSZ, !bigEndian),
      index = dv.getUint32(O_VFIO_IRQ_INFO__INDEX, !bigEndian);
    if (argsz < minsz)
      return result(-22, "ARGSZ_MIN", `argsz < ${minsz} (offsetofend(struct vfio_irq_info, count))`, mem);
    if (index >= numIrqs(d)) return result(-22, "INDEX", "index >= number of irq indexes", mem);
    const q = irqOf(d, index);
    const errNotPcie = d.driver === "vfio-pci" && index === 3 && !hasErrIndex(d);
    if (!q || errNotPcie)
      return result(
        -22,
        "NO_INDEX",
        errNotPcie ? "ERR index on a device that is not PCI Express" : "index not described",
        mem,
      );
    // libvfio-user replies argsz 16 and flags EVENTFD only; the kernel echoes argsz and index
    const lvu = d.driver === "libvfio-user";
    const reply = encode(
      "vfio_irq_info",
      {
        argsz: lvu ? minsz : argsz,
        flags: lvu ? 1 : q.flags >>> 0,
        index,
        count: q.count >>> 0,
      },
      this.profile(bigEndian),
    );
    const out = mem.slice();
    out.set(reply);
    return result(0, "OK", `${reply.length} bytes copied back: flags and count`, out);
  }

  private deviceInfo(mem: Uint8Array, bigEndian: boolean): Prediction {
    const d = this.device;
    const minsz = MINSZ("vfio_device_info");
    if (mem.length < minsz) return short(d, minsz, mem);
    const dv = new DataView(mem.buffer, mem.byteOffset, mem.length);
    const argsz = dv.getUint32(O_VFIO_DEVICE_INFO__ARGSZ, !bigEndian);
    if (argsz < minsz)
      return result(-22, "ARGSZ_MIN", `argsz < ${minsz} (offsetofend(struct vfio_device_info, num_irqs))`, mem);
    // the struct as the kernel fills it (zeroed), in its epoch's layout, with the device's
    // capability chain (s390 zPCI) as vfio_info_cap_add + vfio_info_cap_shift build it
    const prof = this.profile(bigEndian);
    const fields = {
      flags: deviceInfoFlags(d),
      num_regions: numRegions(d),
      num_irqs: numIrqs(d),
      cap_offset: 0,
    };
    const img0 = encode("vfio_device_info", { argsz: d.driver === "libvfio-user" ? minsz : argsz, ...fields }, prof);
    const caps = (d.infoCaps ?? []).map((c) =>
      encode("vfio_device_info", { ...fields, caps: [c] } as never, prof).slice(img0.length),
    );
    const img = caps.length ? buildCapsRaw("vfio_device_info", img0, caps, argsz, prof) : img0;
    // bytes copied back: 6.1 vfio-pci 16, or sizeof (20) once argsz >= 20 (its capsz check);
    // 6.6+ vfio-pci min(argsz, sizeof = 24), then the chain when it fits; other drivers minsz
    let n = minsz;
    if (d.driver === "vfio-pci")
      n = this.rules === 0 ? (argsz >= img0.length ? img0.length : minsz) : Math.min(argsz, img0.length);
    const chain = img.length - img0.length;
    if (n > mem.length || (chain && img.length > mem.length))
      return result(-14, "COPY_FAULT", `the kernel writes past the ${mem.length} writable bytes`, mem);
    const out = mem.slice();
    out.set(img.subarray(0, n));
    if (chain) out.set(img.subarray(img0.length), img0.length);
    const what = !caps.length
      ? ""
      : chain
        ? `, capability chain (${chain} bytes) at ${img0.length}`
        : ", argsz too small for the capability chain: raised, cap_offset 0";
    return result(0, "OK", `${n} bytes copied back${what}`, out);
  }

  private regionInfo(mem: Uint8Array, bigEndian: boolean): Prediction {
    const d = this.device;
    const minsz = MINSZ("vfio_region_info");
    if (mem.length < minsz) return short(d, minsz, mem);
    const dv = new DataView(mem.buffer, mem.byteOffset, mem.length);
    const argsz = dv.getUint32(O_VFIO_REGION_INFO__ARGSZ, !bigEndian),
      index = dv.getUint32(O_VFIO_REGION_INFO__INDEX, !bigEndian);
    if (argsz < minsz)
      return result(-22, "ARGSZ_MIN", `argsz < ${minsz} (offsetofend(struct vfio_region_info, offset))`, mem);
    const r = (d.regions ?? []).find((x) => x.index === index);
    if (!r || index >= numRegions(d))
      return result(
        -22,
        "NO_REGION",
        "region index not implemented (e.g. VGA without VFIO_PCI_VGA, index >= num_regions)",
        mem,
      );
    const prof = this.profile(bigEndian);
    // vfio-pci and vfio-platform/amba place region i at file offset i << 40
    const indexOffset = ["vfio-pci", "vfio-platform", "vfio-amba"].includes(d.driver) ? BigInt(index) << 40n : 0n;
    const fixed = encode(
      "vfio_region_info",
      {
        argsz,
        flags: r.flags >>> 0,
        index,
        cap_offset: dv.getUint32(O_VFIO_REGION_INFO__CAP_OFFSET, !bigEndian),
        size: big(r.size, 0n),
        offset: big(r.offset, indexOffset),
      },
      prof,
    );
    // the chain as vfio_info_cap_add + vfio_info_cap_shift build it (the codec's caps_build)
    const caps = (r.caps ?? []).map((c) => {
      const body = c.body ? fromHex(c.body) : new Uint8Array(0);
      const b = new Uint8Array(8 + body.length);
      const bv = new DataView(b.buffer);
      bv.setUint16(0, c.id, !bigEndian);
      bv.setUint16(2, c.version, !bigEndian);
      b.set(body, 8);
      return b;
    });
    const reply = buildCapsRaw("vfio_region_info", fixed, caps, argsz, prof);
    const raised = new DataView(reply.buffer).getUint32(O_VFIO_REGION_INFO__ARGSZ, !bigEndian);
    let wrote = `${fixed.length} bytes copied back`;
    if (caps.length && reply.length === fixed.length) wrote = `argsz too small: raised to ${raised}, cap_offset 0`;
    else if (caps.length) {
      if (reply.length > mem.length)
        return result(-14, "COPY_FAULT", "capability chain written past the writable memory", mem);
      wrote = `capability chain (${reply.length - fixed.length} bytes) written at ${fixed.length}`;
    }
    const out = mem.slice();
    out.set(reply);
    return result(0, "OK", wrote, out);
  }
}

/**
 * Predict SET_IRQS: {ret, errno, rule, reason}. `device` is a description (fresh state: nothing
 * enabled) or a DeviceModel (its current state; advanced only with `commit: true`).
 */
export function predictSetIrqs(
  device: DeviceDescription | DeviceModel,
  bytes: Uint8Array,
  opts: PredictOptions & { commit?: boolean } = {},
): { ret: number; errno: string | null; rule: string; reason: string; element: number | null } {
  const model = device instanceof DeviceModel ? device : new DeviceModel(device);
  const mem = new Uint8Array(bytes.length + (opts.tail?.length ?? 0));
  mem.set(bytes);
  if (opts.tail) mem.set(opts.tail, bytes.length);
  const state = opts.commit ? model.state : model.state.slice();
  if (opts.fds) applyFdEnv(state, opts.fds);
  const [ret, rule] = oracleCall(state, mem, true, opts.bigEndian);
  const { ret: r, errno, rule: n, reason } = result(ret, ruleName(rule), ruleReason(rule), mem);
  return { ret: r, errno, rule: n, reason, element: failedElement(ret, rule) };
}

/** Rules decided by one payload element (an fd or a vector). */
const ELEMENT_RULES: ReadonlySet<number> = new Set([
  R.FD_CLOSED,
  R.FD_NOT_EVENTFD,
  R.FD_BELOW,
  R.VIRQFD_BUSY,
  R.VECTOR_UNALLOCATED,
]);

/** The payload element a failed SET_IRQS names: the vector block's failing element, or 0 for single-fd handlers. */
function failedElement(ret: number, rule: number): number | null {
  if (ret >= 0 || !ELEMENT_RULES.has(rule)) return null;
  return Math.max(lastElem, 0);
}
