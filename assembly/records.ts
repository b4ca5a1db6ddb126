import { K_ERROR, REC_SIZE } from "./generated/wasm-abi";
// The record stream: a flat, fixed-size description of everything a parse saw, in byte order.
// Hosts (the TypeScript bindings, the inspector, wasm2c hosts) turn it into trees and spans.
//
// record (24 bytes): u8 kind | u8 depth | u16 ref | u32 offset | u32 size | u32 aux | u64 value
//
// A parse numbers every record of the stream but writes only those of a window [winFirst,
// winFirst + outCap): a host can read a stream of any length through a window of fixed size, so
// its memory does not grow with the number of records. Runs of array elements outside the window
// are counted without being produced (recSkip), so a window costs time in its own size.

let outPtr: usize = 0;
let outCap: u32 = 0;
let winFirst: u64 = 0;
let outN: u64 = 0;
let overflow: bool = false;

export function recReset(ptr: usize, cap: u32, first: u32 = 0): void {
  outPtr = ptr;
  outCap = cap;
  winFirst = first as u64;
  outN = 0;
  overflow = false;
}
/** Records in the whole stream so far (written or not), saturated at u32. */
export function recCount(): u32 {
  return outN > 0xffffffff ? 0xffffffff : (outN as u32);
}
/** Records written into the window. */
export function recWritten(): u32 {
  if (outN <= winFirst) return 0;
  const n = outN - winFirst;
  return n > (outCap as u64) ? outCap : (n as u32);
}
/** True when the stream has records past the window. */
export function recOverflow(): bool {
  return overflow;
}

export function rec(kind: u32, depth: u32, ref: u32, off: u32, size: u32, aux: u32, value: u64): void {
  const i = outN++;
  if (i < winFirst) return;
  const j = i - winFirst;
  if (j >= (outCap as u64)) {
    overflow = true;
    return;
  }
  const p = outPtr + (j as usize) * REC_SIZE;
  store<u8>(p, kind as u8);
  store<u8>(p, depth as u8, 1);
  store<u16>(p, ref as u16, 2);
  store<u32>(p, off, 4);
  store<u32>(p, size, 8);
  store<u32>(p, aux, 12);
  store<u64>(p, value, 16);
}

/** Count n records that lie outside the window without producing them. */
function recSkip(n: u64): void {
  outN += n;
  if (outN > winFirst + (outCap as u64)) overflow = true;
}

/**
 * Elements [lo, hi) of a run of `count` elements of `per` records each, starting at the current
 * record number, are the ones that touch the window. `recRun` skips the elements before lo and
 * returns lo; `recRunEnd` returns hi. After emitting lo..hi-1, call recRunSkip(count - hi, per).
 */
export function recRunStart(count: u32, per: u32): u32 {
  if (per == 0 || winFirst <= outN) return 0;
  let lo = (winFirst - outN) / (per as u64);
  if (lo > (count as u64)) lo = count as u64;
  recSkip(lo * (per as u64));
  return lo as u32;
}
export function recRunEnd(first: u32, count: u32, per: u32): u32 {
  const end = winFirst + (outCap as u64);
  if (per == 0 || outN >= end) return first;
  const more = (end - outN + (per as u64) - 1) / (per as u64);
  const hi = (first as u64) + more;
  return hi > (count as u64) ? count : (hi as u32);
}
export function recRunSkip(n: u32, per: u32): void {
  if (n > 0) recSkip((n as u64) * (per as u64));
}
/** The current record number (to measure how many records one element produces). */
export function recMark(): u64 {
  return outN;
}

// Last error, readable by hosts without parsing records.
let errCode: i32 = 0;
let errOffset: u32 = 0;
let errField: i32 = -1;
let errValue: u64 = 0;

/** Note the error for err_* without a record (exports that write no record stream). */
export function noteError(code: i32, off: u32, field: i32, value: u64): i32 {
  errCode = code;
  errOffset = off;
  errField = field;
  errValue = value;
  return code;
}
export function setError(code: i32, off: u32, field: i32, value: u64, extra: u32 = 0): i32 {
  noteError(code, off, field, value);
  rec(K_ERROR, 0, field < 0 ? 0xffff : (field as u32), off, 0, ((code as u32) & 0xffff) | (extra << 16), value);
  return code;
}
export function clearError(): void {
  errCode = 0;
  errOffset = 0;
  errField = -1;
  errValue = 0;
}
export function lastErrCode(): i32 {
  return errCode;
}
export function lastErrOffset(): u32 {
  return errOffset;
}
export function lastErrField(): i32 {
  return errField;
}
export function lastErrValue(): u64 {
  return errValue;
}
