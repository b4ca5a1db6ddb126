// The device-state model: feed it the ioctls of one device in order and it predicts each answer
// (ret, errno, the rule that decided it) and the bytes the kernel leaves in the caller's memory.
// SET_IRQS runs in the wasm oracle (assembly/oracle.ts: enabled irq type, vectors, ERR/REQ/INTx
// triggers, unmask irqfd, fd table); the INFO ioctls and RESET are answered here from the device
// description (vfio-abi.md §3.3, §3.5, §8). For vfio-pci the model also follows which eventfd each
// vector/index holds and predicts the eventfd counters loopback triggers leave (eventfdRead).
// Checked request by request against real 6.1 and 6.12 kernels by tests/kernel/run.mjs.
import { fromHex } from "../../dump.js";
import { DEV, ERRNO_NAMES, E_ORACLE_RANGE, PROF_BIG, R } from "../../generated/wasm-abi.js";
import { REGION, copyIn, reserve, u32At } from "../../memory.js";
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
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
} from "../../generated/constants.js";
import { wasm } from "../../loader.js";
import { encode } from "../../encode.js";
import { buildCapsRaw } from "../../caps.js";
import { structByName } from "../../schema-index.js";
import { ruleName, ruleReason } from "../../oracle-rules.js";
import {
  type DeviceDescription,
  DEV_WORDS,
  deviceBlock,
  irqOf,
  numIrqs,
  numRegions,
  deviceInfoFlags,
  kernelRules,
  big,
  IRQ_TYPE_NAMES,
  hasErrIndex,
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
  /** vfio-pci SET_IRQS: the eventfds (fd numbers) this call signals (loopback triggers), in order. */
  signalled?: number[];
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

export interface PredictOptions {
  /** Bytes the kernel can read/write after the buffer (e.g. the replay program's 0xA5 guard). Default none. */
  tail?: Uint8Array;
  /** Big-endian request (s390x); SET_IRQS only. */
  bigEndian?: boolean;
}

const DEV_BYTES = DEV_WORDS * 4;

let lastElem = -1;
/** Run the wasm oracle once on a state block. Returns [ret, ruleId]; updates `state` when commit. */
export function oracleCall(state: Uint32Array, mem: Uint8Array, commit: boolean, bigEndian = false): [number, number] {
  const w = wasm();
  const dev = reserve(w, REGION.oracle, DEV_BYTES + 64 + mem.length, "vfio-abi oracle"),
    buf = dev + DEV_BYTES + 64;
  u32At(w, dev, DEV_WORDS).set(state);
  copyIn(w, buf, mem);
  const ret = w.oracle_set_irqs(bigEndian ? PROF_BIG : 0, buf, mem.length, dev, commit ? 1 : 0);
  const rule = w.oracle_last_rule();
  lastElem = w.oracle_last_elem();
  if (ret === E_ORACLE_RANGE) throw new Error("vfio-abi oracle: buffer outside wasm memory");
  if (commit) state.set(u32At(w, dev, DEV_WORDS));
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

const result = (ret: number, rule: string, reason: string, after: Uint8Array): Prediction =>
  ret < 0 ? { ret: -1, errno: errnoName(-ret), rule, reason, after } : { ret, errno: null, rule, reason, after };

/** A buffer shorter than the INFO struct: the kernel faults (EFAULT); libvfio-user refuses it (EINVAL). */
const short = (d: DeviceDescription, minsz: number, mem: Uint8Array): Prediction =>
  d.driver === "libvfio-user"
    ? result(-22, "LVU_SHORT", `message body shorter than ${minsz} bytes (libvfio-user: EINVAL)`, mem)
    : result(-14, "COPY_FAULT", `fewer than ${minsz} bytes readable`, mem);

/** The state model of one device. */
export class DeviceModel {
  readonly device: DeviceDescription;
  readonly state: Uint32Array;
  readonly rules: 0 | 1;
  /** vfio-pci: which eventfds the kernel holds (tracked on successful and failed SET_IRQS). */
  readonly triggers: Triggers = { intx: null, intxUnmask: null, err: null, req: null, vectors: new Map() };
  /** Predicted eventfd counters (signals since the last read), by fd. */
  readonly counts = new Map<number, number>();

  constructor(device: DeviceDescription) {
    this.device = device;
    this.state = deviceBlock(device);
    this.rules = kernelRules(device.kernel);
  }

  /** A non-blocking read of eventfd `fd`: the predicted counter (reset to 0), or EAGAIN when nothing was signalled. */
  eventfdRead(fd: number): { ret: number; errno: string | null; count: number } {
    const c = this.counts.get(fd) ?? 0;
    this.counts.delete(fd);
    return c > 0 ? { ret: 8, errno: null, count: c } : { ret: -1, errno: "EAGAIN", count: 0 };
  }

  private signal(fd: number | null | undefined, out: number[]): void {
    if (fd === null || fd === undefined) return;
    out.push(fd);
    // an INTx unmask irqfd on the same eventfd reads the whole counter when woken (virqfd_wakeup)
    if (fd === this.triggers.intxUnmask) {
      this.counts.delete(fd);
      return;
    }
    this.counts.set(fd, (this.counts.get(fd) ?? 0) + 1);
  }

  /** Follow the eventfds vfio-pci keeps, after SET_IRQS answered `ret` (oracle rule id `rule`). */
  private track(mem: Uint8Array, ret: number, rule: number, activeBefore: number, bigEndian: boolean): number[] {
    const out: number[] = [];
    if (this.device.driver !== "vfio-pci" || mem.length < SET.data) return out;
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
    const t = this.triggers;
    const typeOf = index === 1 ? 2 : 3;
    if (ret < 0) {
      if (
        (index === 1 || index === 2) &&
        dt === VFIO_IRQ_SET_DATA_EVENTFD &&
        activeBefore === typeOf &&
        lastElem >= 0
      ) {
        for (let v = start; v <= start + lastElem; v++) t.vectors.delete(v); // set_block tears down start..failed
      }
      // 6.1 vfio_intx_set_signal frees the old trigger before it looks at the new fd
      if (
        index === 0 &&
        act === VFIO_IRQ_SET_ACTION_TRIGGER &&
        dt === VFIO_IRQ_SET_DATA_EVENTFD &&
        activeBefore === 1 &&
        this.rules === 0 &&
        (rule === R.FD_CLOSED || rule === R.FD_NOT_EVENTFD)
      )
        t.intx = null;
      return out;
    }
    if (rule === R.PARTIAL_VECTORS) return out;
    if (index === 0) {
      if (act === VFIO_IRQ_SET_ACTION_UNMASK && dt === VFIO_IRQ_SET_DATA_EVENTFD)
        t.intxUnmask = fdAt(0) >= 0 ? fdAt(0) : null;
      if (act !== VFIO_IRQ_SET_ACTION_TRIGGER) return out;
      if (count === 0 && dt === VFIO_IRQ_SET_DATA_NONE) {
        t.intx = null;
        t.intxUnmask = null;
        return out;
      }
      if (dt === VFIO_IRQ_SET_DATA_EVENTFD) {
        t.intx = fdAt(0) >= 0 ? fdAt(0) : null;
        return out;
      }
      if (dt === VFIO_IRQ_SET_DATA_NONE || boolAt(0)) this.signal(t.intx, out);
      return out;
    }
    if (index === 1 || index === 2) {
      if (count === 0 && dt === VFIO_IRQ_SET_DATA_NONE) {
        t.vectors.clear();
        return out;
      }
      if (activeBefore !== typeOf) t.vectors.clear();
      if (dt === VFIO_IRQ_SET_DATA_EVENTFD) {
        for (let i = 0; i < count; i++) {
          const fd = fdAt(i);
          if (fd >= 0) t.vectors.set(start + i, fd);
          else t.vectors.delete(start + i);
        }
        return out;
      }
      for (let v = start; v < start + count; v++)
        if (dt === VFIO_IRQ_SET_DATA_NONE || boolAt(v - start)) this.signal(t.vectors.get(v), out);
      return out;
    }
    const key = index === 3 ? "err" : "req";
    if (dt === VFIO_IRQ_SET_DATA_NONE) {
      if (count) this.signal(t[key], out);
      else t[key] = null;
    } else if (dt === VFIO_IRQ_SET_DATA_BOOL) {
      if (boolAt(0)) this.signal(t[key], out);
    } else {
      const fd = fdAt(0);
      if (fd === -1) t[key] = null;
      else if (fd >= 0) t[key] = fd;
    }
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
    return {
      irqType: IRQ_TYPE_NAMES[s[5]] ?? String(s[5]),
      vectors: s[6],
      err: !!(s[7] & 1),
      req: !!(s[7] & 2),
      intxTrigger: !!(s[7] & 4),
      intxUnmaskFd: !!(s[7] & 8),
    };
  }

  /** Predict one ioctl on `bytes` (the caller's buffer; RESET ignores it) and advance the state. */
  predict(ioctl: IoctlName | string, bytes: Uint8Array = new Uint8Array(0), opts: PredictOptions = {}): Prediction {
    const tail = opts.tail ?? new Uint8Array(0);
    const mem = new Uint8Array(bytes.length + tail.length);
    mem.set(bytes);
    mem.set(tail, bytes.length);
    const name = ioctl.startsWith("VFIO_") ? ioctl : `VFIO_${ioctl}`;
    switch (name) {
      case "VFIO_DEVICE_SET_IRQS": {
        const before = this.state[DEV.ACTIVE_TYPE];
        const [ret, rule] = oracleCall(this.state, mem, true, opts.bigEndian);
        const signalled = this.track(mem, ret, rule, before, !!opts.bigEndian);
        return { ...result(ret, ruleName(rule), ruleReason(rule), mem), signalled };
      }
      case "VFIO_DEVICE_GET_IRQ_INFO":
        return this.irqInfo(mem);
      case "VFIO_DEVICE_GET_REGION_INFO":
        return this.regionInfo(mem);
      case "VFIO_DEVICE_GET_INFO":
        return this.deviceInfo(mem);
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

  private irqInfo(mem: Uint8Array): Prediction {
    const d = this.device;
    const minsz = MINSZ("vfio_irq_info");
    if (mem.length < minsz) return short(d, minsz, mem);
    const dv = new DataView(mem.buffer, mem.byteOffset, mem.length);
    const argsz = dv.getUint32(O_VFIO_IRQ_INFO__ARGSZ, true),
      index = dv.getUint32(O_VFIO_IRQ_INFO__INDEX, true);
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
    const reply = encode("vfio_irq_info", {
      argsz: lvu ? minsz : argsz,
      flags: lvu ? 1 : q.flags >>> 0,
      index,
      count: q.count >>> 0,
    });
    const out = mem.slice();
    out.set(reply);
    return result(0, "OK", `${reply.length} bytes copied back: flags and count`, out);
  }

  private deviceInfo(mem: Uint8Array): Prediction {
    const d = this.device;
    const minsz = MINSZ("vfio_device_info");
    if (mem.length < minsz) return short(d, minsz, mem);
    const dv = new DataView(mem.buffer, mem.byteOffset, mem.length);
    const argsz = dv.getUint32(O_VFIO_DEVICE_INFO__ARGSZ, true);
    if (argsz < minsz)
      return result(-22, "ARGSZ_MIN", `argsz < ${minsz} (offsetofend(struct vfio_device_info, num_irqs))`, mem);
    // the struct as the kernel fills it (zeroed, no caps on these devices), in its epoch's layout
    const img = encode(
      "vfio_device_info",
      {
        argsz: d.driver === "libvfio-user" ? minsz : argsz,
        flags: deviceInfoFlags(d),
        num_regions: numRegions(d),
        num_irqs: numIrqs(d),
        cap_offset: 0,
        pad: 0,
      },
      { epoch: this.epoch },
    );
    // bytes copied back: 6.1 vfio-pci 16, or sizeof (20) once argsz >= 20 (its capsz check);
    // 6.6+ vfio-pci min(argsz, sizeof = 24); other drivers minsz
    let n = minsz;
    if (d.driver === "vfio-pci")
      n = this.rules === 0 ? (argsz >= img.length ? img.length : minsz) : Math.min(argsz, img.length);
    if (n > mem.length)
      return result(-14, "COPY_FAULT", `the kernel writes ${n} bytes, only ${mem.length} writable`, mem);
    const out = mem.slice();
    out.set(img.subarray(0, n));
    return result(0, "OK", `${n} bytes copied back`, out);
  }

  private regionInfo(mem: Uint8Array): Prediction {
    const d = this.device;
    const minsz = MINSZ("vfio_region_info");
    if (mem.length < minsz) return short(d, minsz, mem);
    const dv = new DataView(mem.buffer, mem.byteOffset, mem.length);
    const argsz = dv.getUint32(O_VFIO_REGION_INFO__ARGSZ, true),
      index = dv.getUint32(O_VFIO_REGION_INFO__INDEX, true);
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
    const epoch = this.epoch;
    const fixed = encode(
      "vfio_region_info",
      {
        argsz,
        flags: r.flags >>> 0,
        index,
        cap_offset: dv.getUint32(O_VFIO_REGION_INFO__CAP_OFFSET, true),
        size: big(r.size, 0n),
        offset: big(r.offset, d.driver === "vfio-pci" ? BigInt(index) << 40n : 0n),
      },
      { epoch },
    );
    // the chain as vfio_info_cap_add + vfio_info_cap_shift build it (the codec's caps_build)
    const caps = (r.caps ?? []).map((c) => {
      const body = c.body ? fromHex(c.body) : new Uint8Array(0);
      const b = new Uint8Array(8 + body.length);
      const bv = new DataView(b.buffer);
      bv.setUint16(0, c.id, true);
      bv.setUint16(2, c.version, true);
      b.set(body, 8);
      return b;
    });
    const reply = buildCapsRaw("vfio_region_info", fixed, caps, argsz, { epoch });
    const raised = new DataView(reply.buffer).getUint32(O_VFIO_REGION_INFO__ARGSZ, true);
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
): { ret: number; errno: string | null; rule: string; reason: string } {
  const model = device instanceof DeviceModel ? device : new DeviceModel(device);
  const mem = new Uint8Array(bytes.length + (opts.tail?.length ?? 0));
  mem.set(bytes);
  if (opts.tail) mem.set(opts.tail, bytes.length);
  const state = opts.commit ? model.state : model.state.slice();
  const [ret, rule] = oracleCall(state, mem, true, opts.bigEndian);
  const { ret: r, errno, rule: n, reason } = result(ret, ruleName(rule), ruleReason(rule), mem);
  return { ret: r, errno, rule: n, reason };
}
