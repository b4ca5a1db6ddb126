// Encoders: generic field writer, vfio_irq_set / vfio_irq_info writers, and the kernel's
// capability-chain construction (vfio_info_cap_add + vfio_info_cap_shift).

import { PROF_BIG, PROF_EPOCH66 } from "./generated/wasm-abi";
import {
  O_VFIO_IRQ_SET__ARGSZ,
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__DATA,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
} from "./generated/layout";
import { Mem, Prof, wrN } from "./mem";
import * as S from "./generated/status";
import {
  capOffsetLocal,
  capsFlag,
  fieldOffset,
  fieldPresent,
  fieldType,
  fieldVersion,
  firstField,
  numFields,
  structSize,
  isScalar,
  scalarSizeV,
} from "./tables";

/**
 * Write the scalar fields of `sid` at dst from a value vector (one u64 per field, in field order;
 * trailing members are skipped). `version` limits capability fields (0 = all).
 * Returns the struct size under the profile, or E_SHORT if dstLen cannot hold a present field.
 */
export function encodeFields(sid: i32, prof: u32, dst: usize, dstLen: u32, vals: usize, version: u32): i32 {
  const v = Prof.variantOf(prof);
  const big = (prof & PROF_BIG) != 0;
  const first = firstField(sid),
    n = numFields(sid);
  for (let i = 0; i < n; i++) {
    const fid = first + i;
    const t = fieldType(fid);
    if (!isScalar(t) || !fieldPresent(fid, prof)) continue;
    if (version != 0 && fieldVersion(fid) > version) continue;
    const off = fieldOffset(fid, v);
    const sz = scalarSizeV(t, v);
    if (off + (sz as u32) > dstLen) return S.E_SHORT;
    wrN(dst + off, sz, load<u64>(vals + (i as usize) * 8), big);
  }
  return structSize(sid, prof, v) as i32;
}

/** vfio_irq_set: header + payload. argsz 0xffffffff = compute (20 + count x elem). Returns bytes written. */
export function encodeIrqSet(
  prof: u32,
  dst: usize,
  cap: u32,
  argsz: u32,
  flags: u32,
  index: u32,
  start: u32,
  count: u32,
  payload: usize,
  npayload: u32,
): i32 {
  const big = (prof & PROF_BIG) != 0;
  const dt = flags & 7;
  let elem: u32 = 0;
  if (dt == 2) elem = 1;
  else if (dt == 4) elem = 4;
  else if (npayload != 0) return S.E_VALUE; // payload without exactly one of DATA_BOOL / DATA_EVENTFD
  const need = (npayload as u64) * (elem as u64) + (O_VFIO_IRQ_SET__DATA as u64);
  if (need > (cap as u64)) return S.E_OUT_FULL;
  Mem.wr32(dst + O_VFIO_IRQ_SET__ARGSZ, argsz == 0xffffffff ? (need as u32) : argsz, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__FLAGS, flags, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__INDEX, index, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__START, start, big);
  Mem.wr32(dst + O_VFIO_IRQ_SET__COUNT, count, big);
  const data = dst + O_VFIO_IRQ_SET__DATA;
  if (elem == 1) memory.copy(data, payload, npayload as usize);
  else if (elem == 4)
    for (let i: u32 = 0; i < npayload; i++) Mem.wr32(data + i * 4, load<u32>(payload + (i as usize) * 4), big);
  return need as i32;
}

/**
 * Build a capability chain the way the kernel does. dst holds the encoded fixed info struct
 * (fixedLen bytes). list: n entries of (u32 ptr, u32 len) to encoded capabilities (header id and
 * version set; next is overwritten). Caps go back to back in list order, each padded to 8 bytes
 * (zero) from 6.6 on; next = offset relative to the info buffer; the last next is 0.
 * argszSupplied: the caller's argsz (0xffffffff = exactly enough). If it is too small the kernel
 * does not copy the caps: CAPS flag set, argsz raised to the full size, cap_offset 0.
 * Returns the number of bytes the reply holds (fixedLen + caps, or fixedLen when they did not fit).
 */
export function buildCaps(
  host: i32,
  prof: u32,
  dst: usize,
  dstCap: u32,
  fixedLen: u32,
  argszSupplied: u32,
  list: usize,
  n: u32,
): i32 {
  const big = (prof & PROF_BIG) != 0;
  const align8 = (prof & PROF_EPOCH66) != 0;
  const v = Prof.variantOf(prof);
  const col = capOffsetLocal(host);
  if (col < 0) return S.E_BAD_ARG;
  const capOffAt = fieldOffset(firstField(host) + col, v);
  // every VFIO info struct starts with argsz then flags (fields 0 and 1 of the schema entry)
  const argszAt = fieldOffset(firstField(host), v),
    flagsAt = fieldOffset(firstField(host) + 1, v);
  if (capOffAt + 4 > fixedLen || fixedLen > dstCap) return S.E_SHORT;
  // total size of the caps area
  let total: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let sz = load<u32>(list + (i as usize) * 8 + 4) as u64;
    if (sz < 8) return S.E_VALUE;
    if (align8) sz = (sz + 7) & ~7;
    total += sz;
  }
  const full = (fixedLen as u64) + total;
  if (full > 0xffffffff) return S.E_VALUE;
  const flags = Mem.rd32(dst + flagsAt, big);
  if (n == 0) return fixedLen as i32;
  Mem.wr32(dst + flagsAt, flags | capsFlag(host), big);
  if (argszSupplied != 0xffffffff && (argszSupplied as u64) < full) {
    Mem.wr32(dst + argszAt, full as u32, big);
    Mem.wr32(dst + capOffAt, 0, big);
    return fixedLen as i32;
  }
  if (full > (dstCap as u64)) return S.E_OUT_FULL;
  Mem.wr32(dst + argszAt, argszSupplied == 0xffffffff ? (full as u32) : argszSupplied, big);
  Mem.wr32(dst + capOffAt, fixedLen, big);
  let off = fixedLen;
  for (let i: u32 = 0; i < n; i++) {
    const p = load<u32>(list + (i as usize) * 8) as usize;
    const len = load<u32>(list + (i as usize) * 8 + 4);
    let sz = len;
    if (align8) sz = (sz + 7) & ~7;
    memory.copy(dst + off, p, len as usize);
    if (sz > len) memory.fill(dst + off + len, 0, (sz - len) as usize);
    Mem.wr32(dst + off + 4, i + 1 < n ? off + sz : 0, big);
    off += sz;
  }
  return off as i32;
}
