// Accessors over the generated layout tables (assembly/generated/layout.ts).
import { PROF_EPOCH66 } from "./generated/wasm-abi";
import {
  CAPREG,
  CASES,
  FIELDS,
  IMPLIES_MASK,
  NUM_CAPREG,
  NUM_CASES,
  NUM_PROPOSALS,
  NUM_STRUCTS,
  STRUCTS,
  VAROFF,
  VARSIZE,
} from "./generated/layout";

export const FIELD_STRIDE: usize = 4;
export const STRUCT_STRIDE: usize = 12;
export const CAPREG_STRIDE: usize = 8;
export const CASE_STRIDE: usize = 8;
/** Rows of VAROFF / VARSIZE: one byte per layout variant. */
const VARIANT_ROW: usize = 4;

export const T_U8: u32 = 1;
export const T_U16: u32 = 2;
export const T_U32: u32 = 3;
export const T_S32: u32 = 4;
export const T_U64: u32 = 5;
export const T_PAYLOAD: u32 = 6;
export const T_ARRAY: u32 = 7;
export const T_BYTES: u32 = 8;
export const T_BODY: u32 = 9;
export const T_PTR: u32 = 10; // user pointer: 8 bytes on lp64, 4 on ilp32 (a scalar, listed after the trailing kinds)

export const CASE_NONE: u32 = 0;
export const CASE_SCALAR: u32 = 1;
export const CASE_STRUCT: u32 = 2;
export const CASE_BYTES: u32 = 3;

export const KIND_PLAIN: u32 = 0;
export const KIND_INFO: u32 = 1;
export const KIND_CAP: u32 = 2;
export const KIND_MESSAGE: u32 = 3;

/** Byte k of a row of the generated struct and field tables. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
class Tbl {
  @inline static sb(sid: i32, k: usize): u32 {
    return load<u8>(STRUCTS + (sid as usize) * STRUCT_STRIDE + k) as u32;
  }
  @inline static fb(fid: i32, k: usize): u32 {
    return load<u8>(FIELDS + (fid as usize) * FIELD_STRIDE + k) as u32;
  }
  /** Field attributes: 1 = absent in the 6.1 layout, 2 = proposal, 4 = array asks for argsz, 8 = offset per variant. */
  @inline static attrs(fid: i32): u32 {
    return Tbl.fb(fid, 0) >> 4;
  }
}

export function validStruct(sid: i32): bool {
  return sid >= 0 && sid < NUM_STRUCTS;
}
export function firstField(sid: i32): i32 {
  return (Tbl.sb(sid, 0) | (Tbl.sb(sid, 1) << 8)) as i32;
}
export function numFields(sid: i32): i32 {
  return Tbl.sb(sid, 2) as i32;
}
export function structKind(sid: i32): u32 {
  return Tbl.sb(sid, 3) & 0xf;
}
export function minsz(sid: i32): u32 {
  return Tbl.sb(sid, 6);
}
export function capsFlag(sid: i32): u32 {
  return Tbl.sb(sid, 7);
}
export function capOffsetLocal(sid: i32): i32 {
  const x = Tbl.sb(sid, 8);
  return x == 255 ? -1 : (x as i32);
}
export function structProposal(sid: i32): u32 {
  return Tbl.sb(sid, 9);
}
export function trailingLocal(sid: i32): i32 {
  const x = Tbl.sb(sid, 10);
  return x == 255 ? -1 : (x as i32);
}
export function trailingCountLocal(sid: i32): i32 {
  const x = Tbl.sb(sid, 11);
  return x == 255 ? -1 : (x as i32);
}

export function fieldType(fid: i32): u32 {
  return Tbl.fb(fid, 0) & 0xf;
}
export function fieldOffset(fid: i32, v: i32): u32 {
  const x = Tbl.fb(fid, 3);
  return (Tbl.attrs(fid) & 8) != 0 ? (load<u8>(VAROFF + (x as usize) * VARIANT_ROW + (v as usize)) as u32) : x;
}
export function fieldVersion(fid: i32): u32 {
  return Tbl.fb(fid, 1) & 0xf;
}
export function fieldAux(fid: i32): i32 {
  return Tbl.fb(fid, 2) as i32;
}
/** Array asks for a larger argsz when its elements do not fit (two-call INFO protocol). */
export function fieldShortNeeds(fid: i32): bool {
  return (Tbl.attrs(fid) & 4) != 0;
}
export function scalarSize(t: u32): i32 {
  if (t == T_U64 || t == T_PTR) return 8;
  if (t == T_U32 || t == T_S32) return 4;
  if (t == T_U16) return 2;
  return 1;
}
/** Size of a scalar type in a layout variant (pointers are 4 bytes on ilp32). */
export function scalarSizeV(t: u32, v: i32): i32 {
  if (t == T_PTR) return (v & 2) != 0 ? 4 : 8;
  return scalarSize(t);
}
/** Scalar (not a trailing member): u8 .. u64 and pointers. */
export function isScalar(t: u32): bool {
  return t < T_PAYLOAD || t == T_PTR;
}

/** Payload case of field `pf` whose (selector & mask) == value; -1 when none matches. */
export function caseLookup(pf: i32, selector: u32): i32 {
  for (let i = 0; i < NUM_CASES; i++) {
    const p = CASES + (i as usize) * CASE_STRIDE;
    if ((load<u16>(p) as i32) != pf) continue;
    if ((selector & (load<u16>(p, 4) as u32)) == (load<u16>(p, 6) as u32)) return i;
  }
  return -1;
}
export function caseKind(c: i32): u32 {
  return (load<u8>(CASES + (c as usize) * CASE_STRIDE, 2) as u32) & 0xf;
}
export function caseElem(c: i32): u32 {
  return (load<u8>(CASES + (c as usize) * CASE_STRIDE, 2) as u32) >> 4;
}
/** Struct id (CASE_STRUCT) or byte length (CASE_BYTES). */
export function caseRef(c: i32): i32 {
  return load<u8>(CASES + (c as usize) * CASE_STRIDE, 3) as i32;
}

/** Proposal mask with `implies` expanded (bits 8..). */
export function expandProposals(prof: u32): u32 {
  let m = prof & 0xff00;
  for (let i = 0; i < NUM_PROPOSALS; i++) {
    if ((m & (1 << (8 + i))) != 0) m |= unchecked(IMPLIES_MASK[i]);
  }
  return m;
}

/** Is a field present under this profile (epoch gate, proposal gate)? Versions are checked by callers. */
export function fieldPresent(fid: i32, prof: u32): bool {
  const attrs = Tbl.attrs(fid);
  if ((attrs & 1) != 0 && (prof & PROF_EPOCH66) == 0) return false;
  if ((attrs & 2) != 0) {
    const p = Tbl.fb(fid, 1) >> 4;
    if ((prof & (1 << (8 + p))) == 0) return false;
  }
  return true;
}

/** sizeof(struct) under the profile: proposal fields change it (vfio_irq_info 16 -> 20). */
export function structSize(sid: i32, prof: u32, v: i32): u32 {
  const first = firstField(sid),
    n = numFields(sid);
  for (let i = 0; i < n; i++) {
    const fid = first + i;
    if ((Tbl.attrs(fid) & 2) != 0 && fieldPresent(fid, prof)) return baseSize(sid, v) + Tbl.sb(sid, 5);
  }
  return baseSize(sid, v);
}
/** sizeof(struct) without proposal fields in layout variant v. */
function baseSize(sid: i32, v: i32): u32 {
  const x = Tbl.sb(sid, 4);
  return (Tbl.sb(sid, 3) & 0x10) != 0 ? (load<u8>(VARSIZE + (x as usize) * VARIANT_ROW + (v as usize)) as u32) : x;
}

/** Proposal gate of a struct (caps of irq_info, proposed caps): true when allowed. */
export function structAllowed(sid: i32, prof: u32): bool {
  const p = structProposal(sid);
  return p == 0 || (prof & (1 << (8 + p - 1))) != 0;
}

/** Capability registry lookup for (host struct, id) under the profile's proposals; -1 if unknown. */
export function capLookup(host: i32, id: u32, prof: u32): i32 {
  for (let i = 0; i < NUM_CAPREG; i++) {
    const p = CAPREG + (i as usize) * CAPREG_STRIDE;
    if ((load<u8>(p) as i32) != host || (load<u8>(p, 1) as u32) != id) continue;
    const prop = load<u8>(p, 3) as u32;
    if (prop != 0 && (prof & (1 << (8 + prop - 1))) == 0) continue;
    return load<u8>(p, 2) as i32;
  }
  return -1;
}

/** Known prefix of a capability of `version` (fields up to that version, up to its trailing array). */
export function capKnownSize(sid: i32, version: u32, prof: u32, v: i32): u32 {
  const first = firstField(sid),
    n = numFields(sid);
  let end: u32 = 0;
  for (let i = 0; i < n; i++) {
    const fid = first + i;
    if (!fieldPresent(fid, prof)) continue;
    const t = fieldType(fid);
    const off = fieldOffset(fid, v);
    if (!isScalar(t)) {
      if (off > end) end = off;
      continue;
    }
    const fv = fieldVersion(fid);
    if (fv > version) continue;
    const e = off + (scalarSizeV(t, v) as u32);
    if (e > end) end = e;
  }
  return end;
}

export function numStructs(): i32 {
  return NUM_STRUCTS;
}
