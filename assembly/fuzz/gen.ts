// Seeded generators: valid and near-valid vfio_irq_set, vfio_irq_info (request/reply) and info
// replies with capability chains, each labelled with its mutation class and expected outcome
// (SET_IRQS: the oracle's ret/-errno + rule; others: the codec status the bytes must produce).

import {
  BUF_CAP,
  DEV_DRIVER,
  DEV_EVENTFDS,
  DEV_EVENTFDS_WORDS,
  DEV_IRQ_COUNT,
  DEV_IRQ_COUNT_WORDS,
  DEV_IRQ_FLAGS,
  DEV_IRQ_FLAGS_WORDS,
  DEV_NUM_IRQS,
  DEV_OPEN_FDS,
  DRV_AMBA,
  DRV_AP,
  DRV_CCW,
  DRV_LIBVFIO_USER,
  DRV_PCI,
  DRV_PLATFORM,
  EINVAL,
  MAX_FD,
  PROF_EPOCH66,
  R_ACTION,
  R_ARGSZ_MIN,
  R_CCW_NO_TRIGGER,
  R_COUNT_OVERFLOW,
  R_DATA_TYPE,
  R_FLAGS_UNKNOWN,
  R_INDEX,
  R_PAYLOAD_SHORT,
  R_RANGE,
  R_START,
  W_CAPS,
  W_MISC,
} from "../generated/wasm-abi";
import { buildCaps } from "../encode";
import {
  CAPREG,
  NUM_CAPREG,
  O_VFIO_IRQ_INFO__ARGSZ,
  O_VFIO_IRQ_INFO__COUNT,
  O_VFIO_IRQ_INFO__FLAGS,
  O_VFIO_IRQ_INFO__INDEX,
  O_VFIO_IRQ_SET__ARGSZ,
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__DATA,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
  O_VFIO_REGION_INFO__FLAGS,
  SIZEOF_VFIO_IRQ_INFO,
  SIZEOF_VFIO_IRQ_SET,
  S_VFIO_DEVICE_INFO,
  S_VFIO_IOMMU_TYPE1_INFO,
  S_VFIO_IRQ_INFO,
  S_VFIO_IRQ_SET,
  S_VFIO_REGION_INFO,
  VFIO_CCW_NUM_IRQS,
  VFIO_IRQ_INFO_FLAGS_KNOWN,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
  VFIO_IRQ_SET_FLAGS_KNOWN,
  VFIO_PCI_NUM_IRQS,
} from "../generated/layout";
import { Mem, Prof, wrN } from "../mem";
import { oracle_last_rule, oracleSetIrqs } from "../oracle";
import * as S from "../generated/status";
import {
  capKnownSize,
  capOffsetLocal,
  capsFlag,
  fieldAux,
  fieldOffset,
  fieldPresent,
  fieldType,
  fieldVersion,
  firstField,
  isScalar,
  minsz,
  numFields,
  scalarSizeV,
  structAllowed,
  structSize,
  T_ARRAY,
  trailingCountLocal,
  trailingLocal,
} from "../tables";
import * as C from "../generated/wasm-abi";
import { below, get16, get32, put16, Rng, r32, setBig } from "./rng";
import { genUapi, isUapi, uClass, uSid, uStatus } from "./uapi";

// Work area layout (the host passes `work`, WORK_SIZE bytes; see exports.ts).
const MAXCAPS: u32 = 5;
/** argsz and flags lead every info struct: flags is at the same offset in all of them. */
const INFO_FLAGS = O_VFIO_REGION_INFO__FLAGS;

// Label of the last generated case.
export let gClass: i32 = 0;
export let gSid: i32 = 0;
export let gRet: i32 = 0;
export let gRule: u32 = 0;
export let gStatus: i32 = 0;
export let gTarget: u32 = C.NO_RULE;
/** The SET_IRQS base case passed validation (the device has an index with irqs). */
export let gBaseOk: bool = true;

/** Word i of a device block. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
class Dev {
  @inline static dw(dev: usize, i: u32): u32 {
    return load<u32>(dev + ((i as usize) << 2));
  }
}

/** Choose the class: about 40% valid, the rest uniform over the near-valid classes of the family. */
function pickClass(first: i32, last: i32, valid2: i32): i32 {
  if (Rng.chance(6)) return valid2 >= 0 && Rng.chance(8) ? valid2 : first;
  return first + 1 + (Rng.below((last - first) as u32) as i32);
}

/** An fd: kind 0 eventfd (or -1 if none), 1 open non-eventfd, 2 closed. */
function pickFd(dev: usize, kind: u32): i32 {
  if (kind < 2) {
    for (let wi: u32 = 0; wi < DEV_EVENTFDS_WORDS; wi++) {
      let bits = Dev.dw(dev, (kind == 0 ? DEV_EVENTFDS : DEV_OPEN_FDS) + wi);
      if (kind == 1) bits &= ~Dev.dw(dev, DEV_EVENTFDS + wi);
      if (bits != 0) {
        const r = Rng.below(32);
        const rot = rotr<u32>(bits, r);
        return ((wi << 5) + ((ctz<u32>(rot) + r) & 31)) as i32;
      }
    }
    if (kind == 0) return -1;
  }
  for (let t = 0; t < 8; t++) {
    const fd = Rng.below(MAX_FD);
    if (((Dev.dw(dev, DEV_EVENTFDS + (fd >> 5)) | Dev.dw(dev, DEV_OPEN_FDS + (fd >> 5))) & (1 << (fd & 31))) == 0)
      return fd as i32;
  }
  return (MAX_FD + Rng.below(1 << 20)) as i32;
}

/** Expected oracle rule of a near-valid SET_IRQS class built on a valid base, or NO_RULE. */
function targetRule(cls: i32, drv: u32): u32 {
  const lvu = drv == DRV_LIBVFIO_USER,
    ccwap = drv == DRV_CCW || drv == DRV_AP;
  if (cls == C.C_ARGSZ_MIN) return R_ARGSZ_MIN;
  if (cls == C.C_ACTION_ZERO) return ccwap ? R_CCW_NO_TRIGGER : R_ACTION;
  if (lvu) return C.NO_RULE;
  if (cls == C.C_FLAGS_UNKNOWN) return R_FLAGS_UNKNOWN;
  if (cls == C.C_DATA_ZERO || cls == C.C_DATA_MULTI) return R_DATA_TYPE;
  if (cls == C.C_ACTION_MULTI) return ccwap ? C.NO_RULE : R_ACTION;
  if (cls == C.C_COUNT_OVERFLOW) return R_COUNT_OVERFLOW;
  if (cls == C.C_START_PAST) return R_START;
  if (cls == C.C_RANGE_PAST) return R_RANGE;
  if (cls == C.C_INDEX_PAST) return R_INDEX;
  if (cls == C.C_PAYLOAD_SHORT) return R_PAYLOAD_SHORT;
  return C.NO_RULE;
}

function maxIrqType(dev: usize, drv: u32): u32 {
  return drv == DRV_PCI ? VFIO_PCI_NUM_IRQS : drv == DRV_CCW ? VFIO_CCW_NUM_IRQS : Dev.dw(dev, DEV_NUM_IRQS);
}
/** The irq count vfio_set_irqs_validate_and_prepare is given for `index`. */
function valCount(dev: usize, drv: u32, index: u32): u32 {
  if (drv == DRV_CCW || drv == DRV_AP) return 1;
  if (drv == DRV_PLATFORM || drv == DRV_AMBA) return Dev.dw(dev, DEV_NUM_IRQS);
  return index < DEV_IRQ_COUNT_WORDS ? Dev.dw(dev, DEV_IRQ_COUNT + index) : 0;
}

/** Word index of the device's first eventfd (pickFd's kind 0 takes one from it), DEV_EVENTFDS_WORDS if none. */
function firstEventfdWord(dev: usize): u32 {
  let wi: u32 = 0;
  while (wi < DEV_EVENTFDS_WORDS && Dev.dw(dev, DEV_EVENTFDS + wi) == 0) wi++;
  return wi;
}

/**
 * The vfio_irq_set case under construction, field by field (one case at a time, like the labels).
 * Its parts draw from a local RNG state s (see Rng.get) and hand it on. (Static methods: TypeScript
 * tools accept `@inline` on a method, not on a function.)
 */
class IrqSetCase {
  static cls: i32 = 0;
  static drv: u32 = 0;
  static maxType: u32 = 0;
  static index: u32 = 0;
  static valN: u32 = 0;
  static act: u32 = 0;
  static dt: u32 = 0;
  static start: u32 = 0;
  static count: u32 = 0;
  static flags: u32 = 0;
  /** Payload elements written (the count, unless a class moves the count away from the payload). */
  static pc: u32 = 0;
  static len: u32 = 0;
  static argsz: u32 = 0;

  /** Two of three bits or all three (m in 0..3): a field that must hold exactly one of them. */
  @inline static twoOrAll(m: u32, a: u32, b: u32, c: u32): u32 {
    return m == 0 ? a | b : m == 1 ? a | c : m == 2 ? b | c : a | b | c;
  }

  /** The class: cls if >= 0, else drawn as pickClass draws it (about 40% valid). */
  @inline static pickClass(s: u64, cls: i32): u64 {
    if (cls < 0) {
      s = Rng.step(s);
      const valid = Rng.chanceOf(Rng.out(s), 6);
      s = Rng.stepIf(s, !valid);
      const near = C.SET_FIRST + 1 + (Rng.belowOf(Rng.out(s), (C.SET_LAST - C.SET_FIRST) as u32) as i32);
      cls = select<i32>(C.SET_FIRST, near, valid);
    }
    IrqSetCase.cls = cls;
    return s;
  }

  /** A valid base: an index with irqs, one action, one data type, a range inside the index. */
  @inline static base(s: u64, dev: usize, cls: i32): u64 {
    const drv = IrqSetCase.drv,
      maxType = maxIrqType(dev, drv);
    let index: u32 = 0,
      valN: u32 = 0;
    const mt = maxType < DEV_IRQ_COUNT_WORDS ? maxType : DEV_IRQ_COUNT_WORDS;
    for (let t: u32 = 0; t < 4 + mt && valN == 0; t++) {
      if (t < 4) {
        s = Rng.step(s);
        index = Rng.belowOf(Rng.out(s), mt);
      } else index = t - 4;
      valN = valCount(dev, drv, index);
    }
    const ccwap = drv == DRV_CCW || drv == DRV_AP;
    s = Rng.step(s);
    const notTrigger = !Rng.chanceOf(Rng.out(s), 11) & !ccwap;
    s = Rng.stepIf(s, notTrigger);
    const maskOrUnmask = select<u32>(VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK, Rng.chanceOf(Rng.out(s), 8));
    const act = select<u32>(maskOrUnmask, VFIO_IRQ_SET_ACTION_TRIGGER, notTrigger);
    let dt = VFIO_IRQ_SET_DATA_EVENTFD;
    if (drv != DRV_AP) {
      s = Rng.step(s);
      const none = Rng.chanceOf(Rng.out(s), 5);
      s = Rng.stepIf(s, !none);
      const boolOrFd = select<u32>(VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_EVENTFD, Rng.chanceOf(Rng.out(s), 6));
      dt = select<u32>(VFIO_IRQ_SET_DATA_NONE, boolOrFd, none);
    }
    const fdCls = cls >= C.C_FD_MINUS1 && cls <= C.C_FD_NOT_EVENTFD;
    if (fdCls || (cls == C.C_PAYLOAD_SHORT && dt == VFIO_IRQ_SET_DATA_NONE)) dt = VFIO_IRQ_SET_DATA_EVENTFD;
    if (cls == C.C_BOOL_BYTE) dt = VFIO_IRQ_SET_DATA_BOOL;
    // handler-level count: platform/ccw/ap act on one irq per index
    const hN: u32 = drv == DRV_PLATFORM || drv == DRV_AMBA || ccwap ? (valN > 0 ? 1 : 0) : valN;
    let start: u32 = 0,
      count: u32 = 1;
    if (hN > 0) {
      s = Rng.step(s);
      const moved = !Rng.chanceOf(Rng.out(s), 11);
      s = Rng.stepIf(s, moved);
      start = select<u32>(Rng.belowOf(Rng.out(s), hN), 0, moved);
      const room = hN - start;
      s = Rng.step(s);
      count = 1 + Rng.belowOf(Rng.out(s), room < 16 ? room : 16);
      const mayBeZero = dt == VFIO_IRQ_SET_DATA_NONE && act == VFIO_IRQ_SET_ACTION_TRIGGER;
      s = Rng.stepIf(s, mayBeZero);
      count = select<u32>(0, count, mayBeZero & Rng.chanceOf(Rng.out(s), 2));
    }
    if (count == 0 && (fdCls || cls == C.C_BOOL_BYTE || cls == C.C_PAYLOAD_SHORT)) count = 1;
    IrqSetCase.maxType = maxType;
    IrqSetCase.index = index;
    IrqSetCase.valN = valN;
    IrqSetCase.act = act;
    IrqSetCase.dt = dt;
    IrqSetCase.start = start;
    IrqSetCase.count = count;
    return s;
  }

  /** The classes acting on the header fields (the payload follows the resulting count). */
  @inline static headerClass(s: u64, cls: i32): u64 {
    let flags = IrqSetCase.dt | IrqSetCase.act,
      start = IrqSetCase.start,
      count = IrqSetCase.count;
    const valN = IrqSetCase.valN;
    let pc = count;
    if (cls == C.C_FLAGS_UNKNOWN) {
      s = Rng.step(s);
      flags |= (1 as u32) << (ctz(~VFIO_IRQ_SET_FLAGS_KNOWN) + Rng.belowOf(Rng.out(s), 26));
    } else if (cls == C.C_DATA_ZERO) flags &= ~VFIO_IRQ_SET_DATA_TYPE_MASK;
    else if (cls == C.C_DATA_MULTI) {
      s = Rng.step(s);
      const m = Rng.belowOf(Rng.out(s), 4);
      const N = VFIO_IRQ_SET_DATA_NONE,
        B = VFIO_IRQ_SET_DATA_BOOL,
        E = VFIO_IRQ_SET_DATA_EVENTFD;
      flags = (flags & ~VFIO_IRQ_SET_DATA_TYPE_MASK) | IrqSetCase.twoOrAll(m, N, B, E);
    } else if (cls == C.C_ACTION_ZERO) flags &= ~VFIO_IRQ_SET_ACTION_TYPE_MASK;
    else if (cls == C.C_ACTION_MULTI) {
      s = Rng.step(s);
      const m = Rng.belowOf(Rng.out(s), 4);
      const M = VFIO_IRQ_SET_ACTION_MASK,
        U = VFIO_IRQ_SET_ACTION_UNMASK,
        T = VFIO_IRQ_SET_ACTION_TRIGGER;
      flags = (flags & ~VFIO_IRQ_SET_ACTION_TYPE_MASK) | IrqSetCase.twoOrAll(m, M, U, T);
    } else if (cls == C.C_COUNT_OVERFLOW) {
      s = Rng.step(s);
      if (Rng.chanceOf(Rng.out(s), 8)) {
        s = Rng.step(s);
        start = (Rng.out(s) >> 32) as u32;
      }
      s = Rng.step(s);
      count = 0xffffffff - start + Rng.belowOf(Rng.out(s), start + 1);
    } else if (cls == C.C_START_PAST) {
      s = Rng.step(s);
      start = valN + Rng.belowOf(Rng.out(s), 8);
      s = Rng.step(s);
      count = Rng.belowOf(Rng.out(s), 4);
      pc = count;
    } else if (cls == C.C_RANGE_PAST && valN > 0) {
      s = Rng.step(s);
      start = valN - 1 - Rng.belowOf(Rng.out(s), valN < 8 ? valN : 8);
      s = Rng.step(s);
      count = valN - start + 1 + Rng.belowOf(Rng.out(s), 4);
      pc = count;
    } else if (cls == C.C_INDEX_PAST) {
      s = Rng.step(s);
      if (Rng.chanceOf(Rng.out(s), 4)) IrqSetCase.index = 0xffffffff;
      else {
        s = Rng.step(s);
        IrqSetCase.index = IrqSetCase.maxType + Rng.belowOf(Rng.out(s), 8);
      }
    }
    IrqSetCase.flags = flags;
    IrqSetCase.start = start;
    IrqSetCase.count = count;
    IrqSetCase.pc = pc;
    return s;
  }

  /** The payload: pc elements of esz bytes, then the element the fd and bool classes spoil. */
  @inline static payload(s: u64, dev: usize, dst: usize, cls: i32, esz: u32, big: bool): u64 {
    const pc = IrqSetCase.pc,
      data = dst + O_VFIO_IRQ_SET__DATA;
    if (esz == 1)
      for (let i: u32 = 0; i < pc; i++) {
        s = Rng.step(s);
        store<u8>(data + i, Rng.belowOf(Rng.out(s), 2));
      }
    else if (esz == 4 && pc > 0) {
      // pickFd(dev, 0) per element, its device scan done once
      const wi = firstEventfdWord(dev),
        bits = wi < DEV_EVENTFDS_WORDS ? Dev.dw(dev, DEV_EVENTFDS + wi) : 0;
      for (let i: u32 = 0; i < pc; i++) {
        s = Rng.step(s);
        const live = Rng.chanceOf(Rng.out(s), 13) & (bits != 0);
        s = Rng.stepIf(s, live);
        const r = Rng.belowOf(Rng.out(s), 32);
        const fd = select<i32>(((wi << 5) + ((ctz<u32>(rotr<u32>(bits, r)) + r) & 31)) as i32, -1, live);
        Mem.wr32(data + (i << 2), fd as u32, big);
      }
    }
    const fdCls = cls >= C.C_FD_MINUS1 && cls <= C.C_FD_NOT_EVENTFD;
    if (pc > 0 && (fdCls || cls == C.C_BOOL_BYTE)) {
      s = Rng.step(s);
      const k = Rng.belowOf(Rng.out(s), pc);
      let v: i32 = 0;
      if (cls == C.C_FD_MINUS1) v = -1;
      else if (cls == C.C_FD_BELOW) {
        s = Rng.step(s);
        v = -2 - (Rng.belowOf(Rng.out(s), 0x7ffffff0) as i32);
      } else if (cls == C.C_FD_CLOSED || cls == C.C_FD_NOT_EVENTFD) {
        Rng.set(s);
        v = pickFd(dev, cls == C.C_FD_CLOSED ? 2 : 1);
        s = Rng.get();
      }
      if (cls == C.C_BOOL_BYTE) {
        s = Rng.step(s);
        store<u8>(data + k, 2 + Rng.belowOf(Rng.out(s), 254));
      } else Mem.wr32(data + (k << 2), v as u32, big);
    }
    return s;
  }

  /** The classes acting on argsz and the buffer's length. */
  @inline static length(s: u64, dst: usize, cls: i32, esz: u32): u64 {
    const pc = IrqSetCase.pc;
    let len: u32 = SIZEOF_VFIO_IRQ_SET + pc * esz;
    let argsz = len;
    if (cls == C.C_ARGSZ_MIN) {
      s = Rng.step(s);
      argsz = Rng.belowOf(Rng.out(s), SIZEOF_VFIO_IRQ_SET);
    } else if (cls == C.C_ARGSZ_SLACK) {
      s = Rng.step(s);
      const x: u32 = 1 + Rng.belowOf(Rng.out(s), 16);
      for (let i: u32 = 0; i < x; i++) {
        s = Rng.step(s);
        store<u8>(dst + len + i, (Rng.out(s) >> 32) as u32);
      }
      len += x;
      argsz = len;
    } else if (cls == C.C_ARGSZ_OVER) {
      s = Rng.step(s);
      argsz = len + 1 + Rng.belowOf(Rng.out(s), 64);
    } else if (cls == C.C_PAYLOAD_SHORT) {
      s = Rng.step(s);
      len -= 1 + Rng.belowOf(Rng.out(s), pc * esz);
      argsz = len;
    }
    IrqSetCase.len = len;
    IrqSetCase.argsz = argsz;
    return s;
  }
}

export function genIrqSet(prof: u32, dev: usize, dst: usize, cls: i32): u32 {
  const big = setBig(prof),
    drv = Dev.dw(dev, DEV_DRIVER);
  IrqSetCase.drv = drv;
  let s = IrqSetCase.pickClass(Rng.get(), cls);
  cls = IrqSetCase.cls;
  s = IrqSetCase.base(s, dev, cls);
  s = IrqSetCase.headerClass(s, cls);
  const dt = IrqSetCase.dt;
  const esz: u32 = dt == VFIO_IRQ_SET_DATA_BOOL ? 1 : dt == VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
  s = IrqSetCase.payload(s, dev, dst, cls, esz, big);
  Rng.set(IrqSetCase.length(s, dst, cls, esz));
  const len = IrqSetCase.len,
    flags = IrqSetCase.flags,
    valN = IrqSetCase.valN;
  Mem.wr32(dst + O_VFIO_IRQ_SET__ARGSZ, IrqSetCase.argsz, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__FLAGS, flags, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__INDEX, IrqSetCase.index, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__START, IrqSetCase.start, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__COUNT, IrqSetCase.count, big);
  // labels
  gBaseOk = valN > 0;
  gClass = cls;
  gSid = S_VFIO_IRQ_SET;
  gRet = oracleSetIrqs(prof, dst, len, dev, false);
  gRule = oracle_last_rule();
  gTarget = valN > 0 ? targetRule(cls, drv) : C.NO_RULE;
  const fdt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
  gStatus =
    cls == C.C_ARGSZ_MIN
      ? S.E_ARGSZ_MIN
      : cls == C.C_ARGSZ_OVER
        ? S.E_ARGSZ_OVER
        : cls == C.C_PAYLOAD_SHORT ||
            (cls == C.C_COUNT_OVERFLOW && (fdt == VFIO_IRQ_SET_DATA_BOOL || fdt == VFIO_IRQ_SET_DATA_EVENTFD))
          ? S.E_PAYLOAD_SHORT
          : S.OK;
  return len;
}

export function genIrqInfo(prof: u32, dev: usize, dst: usize, cls: i32): u32 {
  setBig(prof);
  const drv = Dev.dw(dev, DEV_DRIVER);
  if (cls < 0) cls = pickClass(C.II_FIRST, C.II_LAST, C.C_II_REPLY);
  const num = maxIrqType(dev, drv);
  let index = below(num < DEV_IRQ_COUNT_WORDS ? num : DEV_IRQ_COUNT_WORDS);
  const reply = cls == C.C_II_REPLY || cls == C.C_II_FLAGS_UNKNOWN || (cls != C.C_II_REQ && Rng.chance(8));
  let flags = reply && index < DEV_IRQ_FLAGS_WORDS ? Dev.dw(dev, DEV_IRQ_FLAGS + index) : 0;
  const count = reply && index < DEV_IRQ_COUNT_WORDS ? Dev.dw(dev, DEV_IRQ_COUNT + index) : 0;
  let len: u32 = SIZEOF_VFIO_IRQ_INFO,
    argsz: u32 = SIZEOF_VFIO_IRQ_INFO;
  if (cls == C.C_II_ARGSZ_MIN) argsz = below(SIZEOF_VFIO_IRQ_INFO);
  else if (cls == C.C_II_ARGSZ_SLACK) {
    const x: u32 = 1 + below(48);
    for (let i: u32 = 0; i < x; i++) store<u8>(dst + SIZEOF_VFIO_IRQ_INFO + i, r32());
    len += x;
    argsz = len;
  } else if (cls == C.C_II_ARGSZ_OVER) argsz = SIZEOF_VFIO_IRQ_INFO + 1 + below(64);
  else if (cls == C.C_II_INDEX_PAST) index = Rng.chance(4) ? 0xffffffff : num + below(8);
  else if (cls == C.C_II_FLAGS_UNKNOWN) flags |= (1 as u32) << (ctz(~VFIO_IRQ_INFO_FLAGS_KNOWN) + below(28));
  Rng.put32(dst + O_VFIO_IRQ_INFO__ARGSZ, argsz);
  Rng.put32(dst + O_VFIO_IRQ_INFO__FLAGS, flags);
  Rng.put32(dst + O_VFIO_IRQ_INFO__INDEX, index);
  Rng.put32(dst + O_VFIO_IRQ_INFO__COUNT, count);
  gClass = cls;
  gSid = S_VFIO_IRQ_INFO;
  gTarget = C.NO_RULE;
  // GET_IRQ_INFO: argsz < 16 or index >= NUM -> EINVAL (the kernel's check in vfio_pci_ioctl_get_irq_info)
  gRet = cls == C.C_II_ARGSZ_MIN || cls == C.C_II_INDEX_PAST ? -EINVAL : 0;
  gRule = cls == C.C_II_ARGSZ_MIN ? R_ARGSZ_MIN : cls == C.C_II_INDEX_PAST ? R_INDEX : 0;
  gStatus = cls == C.C_II_ARGSZ_MIN ? S.E_ARGSZ_MIN : cls == C.C_II_ARGSZ_OVER ? S.E_ARGSZ_OVER : S.OK;
  return len;
}

/** Random scalar values for every present field of `sid` up to `ver` (0 = all). */
function fillRand(sid: i32, prof: u32, v: i32, p: usize, ver: u32, big: bool): void {
  const first = firstField(sid),
    n = numFields(sid);
  for (let i = 0; i < n; i++) {
    const fid = first + i,
      t = fieldType(fid);
    if (!isScalar(t) || !fieldPresent(fid, prof) || (ver != 0 && fieldVersion(fid) > ver)) continue;
    wrN(p + fieldOffset(fid, v), scalarSizeV(t, v), Rng.chance(8) ? (below(256) as u64) : Rng.next64(), big);
  }
}

/** Info reply (region / device / iommu type1 info) with a kernel-built capability chain. */
export function genInfo(sid: i32, prof: u32, dst: usize, work: usize, cls: i32): u32 {
  const big = setBig(prof),
    v = Prof.variantOf(prof);
  if (sid != S_VFIO_REGION_INFO && sid != S_VFIO_DEVICE_INFO && sid != S_VFIO_IOMMU_TYPE1_INFO) {
    const m = below(3);
    sid = m == 0 ? S_VFIO_REGION_INFO : m == 1 ? S_VFIO_DEVICE_INFO : S_VFIO_IOMMU_TYPE1_INFO;
  }
  if (cls < 0) cls = pickClass(C.CH_FIRST, C.CH_LAST, C.C_CH_TOO_SMALL);
  const fixed = structSize(sid, prof, v);
  memory.fill(dst, 0, fixed);
  fillRand(sid, prof, v, dst, 0, big);
  // every flag below CAPS (the chain sets CAPS itself)
  Rng.put32(dst + INFO_FLAGS, r32() & (capsFlag(sid) - 1));
  const col = firstField(sid) + capOffsetLocal(sid);
  Rng.put32(dst + fieldOffset(col, v), 0);
  Rng.put32(dst, fixed);
  const nk = capKinds(sid, prof, work + W_MISC + 96);
  const n: u32 =
    cls == C.C_CH_VALID ? below(MAXCAPS) : cls == C.C_CH_CYCLE ? 2 + below(MAXCAPS - 1) : 1 + below(MAXCAPS);
  const forceArr: i32 = cls == C.C_CH_ARRAY_OVERRUN ? (below(n) as i32) : -1;
  genCaps(cls, prof, v, big, work, nk, n, forceArr, fixed);
  const supplied: u32 = cls == C.C_CH_TOO_SMALL ? fixed : 0xffffffff;
  let len = buildCaps(sid, prof, dst, BUF_CAP, fixed, supplied, work + W_CAPS, n) as u32;
  // class mutations on the built reply
  let st = S.OK;
  if (cls == C.C_CH_TOO_SMALL) st = n > 0 ? S.NEEDS_ARGSZ : S.OK;
  else if (cls == C.C_CH_ARGSZ_MIN) {
    Rng.put32(dst, below(minsz(sid)));
    st = S.E_ARGSZ_MIN;
  } else if (cls == C.C_CH_ARGSZ_SLACK) {
    const x: u32 = 1 + below(32);
    for (let i: u32 = 0; i < x; i++) store<u8>(dst + len + i, r32());
    len += x;
    Rng.put32(dst, len);
  } else if (cls == C.C_CH_ARGSZ_OVER) {
    Rng.put32(dst, len + 1 + below(256));
    st = S.E_ARGSZ_OVER;
  } else if (cls == C.C_CH_FLAG_CLEAR) Rng.put32(dst + INFO_FLAGS, get32(dst + INFO_FLAGS) & ~capsFlag(sid));
  else if (cls > C.C_CH_ARGSZ_OVER && n > 0)
    st = mutateChain(cls, prof, v, dst, work, n, forceArr, fixed, len, dst + fieldOffset(col, v));
  gClass = cls;
  gSid = sid;
  gRet = 0;
  gRule = 0;
  gTarget = C.NO_RULE;
  gStatus = st;
  return len;
}

/** The capability registry entries (indexes) this host `sid` takes under `prof`, as bytes at `kinds`: their count. */
function capKinds(sid: i32, prof: u32, kinds: usize): u32 {
  let nk: u32 = 0;
  for (let i = 0; i < NUM_CAPREG; i++) {
    const p = CAPREG + (i as usize) * 8;
    if ((load<u8>(p) as i32) != sid) continue;
    const prop = load<u8>(p, 3) as u32;
    if (prop != 0 && (prof & (1 << (8 + prop - 1))) == 0) continue;
    store<u8>(kinds + nk, i as u8);
    nk++;
  }
  return nk;
}

/**
 * `n` random caps of the `nk` kinds at work + W_MISC + 96, each into its own scratch slot, listed at
 * work + W_CAPS (address, length) for buildCaps; their offsets in the reply (from `fixed`), lengths
 * and struct ids go to work + W_MISC (+0, +32, +64) for the mutations. Cap `forceArr` (-1: none)
 * gets a kind with a trailing array where the host has one; class C_CH_WRONG_VERSION gives every cap
 * its newest version (the mutation then changes one).
 */
function genCaps(
  cls: i32,
  prof: u32,
  v: i32,
  big: bool,
  work: usize,
  nk: u32,
  n: u32,
  forceArr: i32,
  fixed: u32,
): void {
  const kinds = work + W_MISC + 96;
  const list = work + W_CAPS;
  const offs = work + W_MISC,
    lens = work + W_MISC + 32,
    sids = work + W_MISC + 64;
  let capAt = list + 64;
  const align8 = (prof & PROF_EPOCH66) != 0;
  let off = fixed;
  for (let i: u32 = 0; i < n; i++) {
    let e: u32 = 0;
    for (let t = 0; t < 16; t++) {
      e = load<u8>(kinds + below(nk)) as u32;
      if ((i as i32) != forceArr || trailingLocal(load<u8>(CAPREG + (e as usize) * 8, 2) as i32) >= 0) break;
    }
    const p = CAPREG + (e as usize) * 8;
    const csid = load<u8>(p, 2) as i32;
    const maxV = load<u8>(p, 4) as u32;
    const ver: u32 = cls == C.C_CH_WRONG_VERSION ? maxV : 1 + below(maxV);
    const clen = genCap(prof, v, big, capAt, load<u8>(p, 1) as u32, ver, csid, maxV);
    store<u32>(list + (i << 3), capAt as u32);
    store<u32>(list + (i << 3) + 4, clen);
    store<u32>(offs + (i << 2), off);
    store<u32>(lens + (i << 2), clen);
    store<u8>(sids + i, csid as u8);
    off += align8 ? (clen + 7) & ~7 : clen;
    capAt += (clen + 15) & ~15;
  }
}

/** One cap of struct `csid` (cap id `id`, version `ver` of `maxV`) at `capAt`, random fields and array: its length. */
function genCap(prof: u32, v: i32, big: bool, capAt: usize, id: u32, ver: u32, csid: i32, maxV: u32): u32 {
  const ssz = structSize(csid, prof, v);
  memory.fill(capAt, 0, 512);
  fillRand(csid, prof, v, capAt, ver, big);
  let clen = ver >= maxV ? ssz : capKnownSize(csid, ver, prof, v);
  const tl = trailingLocal(csid);
  if (tl >= 0) {
    const af = firstField(csid) + tl,
      cf = firstField(csid) + trailingCountLocal(csid);
    const isArr = fieldType(af) == T_ARRAY;
    const cnt: u32 = isArr ? below(4) : Rng.chance(8) ? 64 : 4 * below(5);
    const esz: u32 = isArr ? structSize(fieldAux(af), prof, v) : 1;
    Rng.put32(capAt + fieldOffset(cf, v), cnt);
    const ao = fieldOffset(af, v);
    for (let b: u32 = 0; b < cnt * esz; b++) store<u8>(capAt + ao + b, r32());
    clen = ao + cnt * esz;
    if (clen < ssz) clen = ssz;
  }
  clen = (clen + 3) & ~3;
  put16(capAt, id);
  put16(capAt + 2, ver);
  return clen;
}

/**
 * The link and cap mutations of class `cls` on a built chain of `n` caps (reply `len` bytes, header
 * `fixed` bytes, cap_offset at `capOffAt`): one cap k's link, id, version or array count changes.
 * The status the decoder must answer.
 */
function mutateChain(
  cls: i32,
  prof: u32,
  v: i32,
  dst: usize,
  work: usize,
  n: u32,
  forceArr: i32,
  fixed: u32,
  len: u32,
  capOffAt: usize,
): i32 {
  const offs = work + W_MISC,
    lens = work + W_MISC + 32,
    sids = work + W_MISC + 64;
  let st = S.OK;
  // k = the cap whose link (or id/version/array) changes; the head link is cap_offset
  const k = below(n) as i32;
  const ok = load<u32>(offs + (k << 2)),
    kEnd = ok + load<u32>(lens + (k << 2));
  const link = k == 0 && Rng.chance(5) ? capOffAt : dst + ok + 4;
  const linkIsHead = link == capOffAt;
  if (cls == C.C_CH_NEXT_ZERO) {
    if ((k as u32) + 1 < n) Rng.put32(dst + ok + 4, 0);
  } else if (cls == C.C_CH_PAST_END) {
    Rng.put32(link, ((len + 3) & ~3) + 4 * below(16));
    st = S.E_CAP_PAST_END;
  } else if (cls == C.C_CH_INTO_HEADER) {
    Rng.put32(link, 4 * (1 + below(fixed / 4 - 1)));
    st = S.E_CAP_INTO_HEADER;
  } else if (cls == C.C_CH_MISALIGNED) {
    Rng.put32(link, linkIsHead ? fixed + 1 + below(3) : ((kEnd + 3) & ~3) + 1 + below(3));
    st = S.E_CAP_MISALIGNED;
  } else if (cls == C.C_CH_SELF) {
    Rng.put32(dst + ok + 4, ok);
    st = S.E_CAP_SELF;
  } else if (cls == C.C_CH_CYCLE) {
    const kk = 1 + below(n - 1),
      j = below(kk);
    Rng.put32(dst + load<u32>(offs + (kk << 2)) + 4, load<u32>(offs + (j << 2)));
    st = S.E_CAP_LOOP;
  } else if (cls == C.C_CH_OVERLAP) {
    // a cap with a trailing array reports the array running past `next` first
    Rng.put32(dst + ok + 4, ok + 4);
    st = trailingLocal(load<u8>(sids + k) as i32) >= 0 ? S.E_CAP_ARRAY_OVERRUN : S.E_CAP_OVERLAP;
  } else if (cls == C.C_CH_UNKNOWN_ID) put16(dst + ok, 0x100 + below(0xff00));
  else if (cls == C.C_CH_WRONG_VERSION) put16(dst + ok + 2, Rng.chance(4) ? 0 : get16(dst + ok + 2) + 1 + below(200));
  else if (cls == C.C_CH_ARRAY_OVERRUN) {
    const ka = forceArr as u32;
    const csid = load<u8>(sids + ka) as i32;
    const ao = load<u32>(offs + (ka << 2));
    if (trailingLocal(csid) >= 0) {
      const af = firstField(csid) + trailingLocal(csid),
        cf = firstField(csid) + trailingCountLocal(csid);
      const esz: u32 = fieldType(af) == T_ARRAY ? structSize(fieldAux(af), prof, v) : 1;
      const capLimit = ka + 1 < n ? load<u32>(offs + ((ka + 1) << 2)) : len;
      const room = capLimit - ao - fieldOffset(af, v);
      Rng.put32(dst + ao + fieldOffset(cf, v), Rng.chance(4) ? 0x10000000 + (r32() >> 4) : room / esz + 1 + below(3));
      st = S.E_CAP_ARRAY_OVERRUN;
    }
  }
  return st;
}

/** Generate one case of family `sid` (-1 = mixed). Returns its length; labels in g*. */
export function genCase(sid: i32, prof: u32, dev: usize, dst: usize, work: usize, cls: i32): u32 {
  if (sid < 0) {
    const f = below(18);
    sid = f < 9 ? S_VFIO_IRQ_SET : f < 11 ? S_VFIO_IRQ_INFO : f < 16 ? -2 : MIXED_UAPI;
  }
  const uapi = sid == MIXED_UAPI || isUapi(sid);
  if (cls >= C.U_FIRST) sid = uapi ? sid : MIXED_UAPI;
  else if (cls >= 0)
    sid =
      cls <= C.SET_LAST
        ? S_VFIO_IRQ_SET
        : cls <= C.II_LAST
          ? S_VFIO_IRQ_INFO
          : sid == S_VFIO_IRQ_SET || sid == S_VFIO_IRQ_INFO || uapi
            ? -2
            : sid;
  if (sid == S_VFIO_IRQ_SET) return genIrqSet(prof, dev, dst, cls);
  if (sid == S_VFIO_IRQ_INFO) return genIrqInfo(prof, dev, dst, cls);
  if (sid == MIXED_UAPI || isUapi(sid)) return genUapiCase(sid == MIXED_UAPI ? -1 : sid, prof, dst, cls);
  return genInfo(sid, prof, dst, work, cls);
}
/** genCase's "any struct of the uAPI family". */
const MIXED_UAPI: i32 = -3;

function genUapiCase(sid: i32, prof: u32, dst: usize, cls: i32): u32 {
  const len = genUapi(sid, prof, dst, cls);
  gClass = uClass;
  gSid = uSid;
  gRet = 0;
  gRule = 0;
  gTarget = C.NO_RULE;
  gStatus = uStatus;
  gBaseOk = true;
  return len;
}
// keep the import list honest for tree-shaken builds
export function _genTouch(): bool {
  return structAllowed(0, 0);
}
