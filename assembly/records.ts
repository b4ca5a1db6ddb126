import { K_ERROR, REC_SIZE } from "./generated/wasm-abi";
// The record stream: a flat, fixed-size description of everything a parse saw, in byte order.
// Hosts (the TypeScript bindings, the inspector, wasm2c hosts) turn it into trees and spans.
//
// record (24 bytes): u8 kind | u8 depth | u16 ref | u32 offset | u32 size | u32 aux | u64 value

let outPtr: usize = 0;
let outCap: u32 = 0;
let outN: u32 = 0;
let overflow: bool = false;

export function recReset(ptr: usize, cap: u32): void {
  outPtr = ptr;
  outCap = cap;
  outN = 0;
  overflow = false;
}
export function recCount(): u32 {
  return outN;
}
export function recOverflow(): bool {
  return overflow;
}

export function rec(kind: u32, depth: u32, ref: u32, off: u32, size: u32, aux: u32, value: u64): void {
  if (outN >= outCap) {
    overflow = true;
    return;
  }
  const p = outPtr + (outN as usize) * REC_SIZE;
  store<u8>(p, kind as u8);
  store<u8>(p, depth as u8, 1);
  store<u16>(p, ref as u16, 2);
  store<u32>(p, off, 4);
  store<u32>(p, size, 8);
  store<u32>(p, aux, 12);
  store<u64>(p, value, 16);
  outN++;
}

// Last error, readable by hosts without parsing records.
let errCode: i32 = 0;
let errOffset: u32 = 0;
let errField: i32 = -1;
let errValue: u64 = 0;

export function setError(code: i32, off: u32, field: i32, value: u64, extra: u32 = 0): i32 {
  errCode = code;
  errOffset = off;
  errField = field;
  errValue = value;
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
