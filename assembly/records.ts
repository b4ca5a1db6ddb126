// The record stream: a flat, fixed-size description of everything a parse saw, in byte order.
// Hosts (the TypeScript bindings, the inspector, wasm2c hosts) turn it into trees and spans.
//
// record (24 bytes): u8 kind | u8 depth | u16 ref | u32 offset | u32 size | u32 aux | u64 value
export const REC_SIZE: usize = 24;

export const K_STRUCT: u32 = 1;  // ref = struct id; size = known fixed size present
export const K_FIELD: u32 = 2;   // ref = field id; value = field value (zero-extended; s32 sign-extended)
export const K_CAP: u32 = 3;     // ref = cap struct id (0xffff unknown); aux = id | version << 16; value = next
export const K_ELEM: u32 = 4;    // ref = array/payload field id; aux = element index; value = scalar element value
export const K_SLACK: u32 = 5;   // bytes after the known content, up to argsz
export const K_GAP: u32 = 6;     // bytes between known items (alignment padding, unknown cap body, newer-version tail)
export const K_ERROR: u32 = 7;   // ref = field id or 0xffff; aux = (status code & 0xffff) | (u16 extra << 16); value = bad value
export const K_NEEDS: u32 = 8;   // value = argsz the caller must supply (two-call protocol)
export const K_TAIL: u32 = 10;   // bytes beyond argsz up to the buffer end
export const K_NOTE: u32 = 11;   // aux = note code; informational, not an error
export const K_FDS: u32 = 12;    // vfio-user: aux = fds the receiver expects; value = FDS_OR_NONE | FDS_UP_TO | FDS_ANY
export const K_BODY: u32 = 13;   // vfio-user: ref = body struct id (0xffff raw bytes); aux = PROF_MSG_* to parse it with

export const FDS_OR_NONE: u32 = 1; // no fds is also valid (SET_IRQS DATA_EVENTFD: de-assign the range)
export const FDS_UP_TO: u32 = 2;   // any number from 0 up to aux
export const FDS_ANY: u32 = 4;     // any number
export const K_PAYLOAD: u32 = 14; // ref = payload field id; aux = case struct id (0xffff: raw bytes); size = bytes; value = selector

export const NOTE_CAPOFF_WITHOUT_FLAG: u32 = 1; // cap_offset non-zero while the CAPS flag is clear (ignored)
export const NOTE_ARGSZ_SLACK: u32 = 2;         // argsz larger than the known content

let outPtr: usize = 0;
let outCap: u32 = 0;
let outN: u32 = 0;
let overflow: bool = false;

export function recReset(ptr: usize, cap: u32): void {
  outPtr = ptr; outCap = cap; outN = 0; overflow = false;
}
export function recCount(): u32 { return outN; }
export function recOverflow(): bool { return overflow; }

export function rec(kind: u32, depth: u32, ref: u32, off: u32, size: u32, aux: u32, value: u64): void {
  if (outN >= outCap) { overflow = true; return; }
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
  errCode = code; errOffset = off; errField = field; errValue = value;
  rec(K_ERROR, 0, field < 0 ? 0xffff : (field as u32), off, 0, ((code as u32) & 0xffff) | (extra << 16), value);
  return code;
}
export function clearError(): void { errCode = 0; errOffset = 0; errField = -1; errValue = 0; }
export function lastErrCode(): i32 { return errCode; }
export function lastErrOffset(): u32 { return errOffset; }
export function lastErrField(): i32 { return errField; }
export function lastErrValue(): u64 { return errValue; }
