// Accessors over the generated layout tables (assembly/generated/layout.ts).
import { PROF_EPOCH66 } from "./generated/wasm-abi";
import { CAPREG, FIELDS, IMPLIES_MASK, NUM_CAPREG, NUM_PROPOSALS, NUM_STRUCTS, STRUCTS } from "./generated/layout";

export const FIELD_STRIDE: usize = 8;
export const STRUCT_STRIDE: usize = 20;
export const CAPREG_STRIDE: usize = 8;

export const T_U8: u32 = 1;
export const T_U16: u32 = 2;
export const T_U32: u32 = 3;
export const T_S32: u32 = 4;
export const T_U64: u32 = 5;
export const T_PAYLOAD: u32 = 6;
export const T_ARRAY: u32 = 7;
export const T_BYTES: u32 = 8;
export const T_BODY: u32 = 9;

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
  return Tbl.sb(sid, 3);
}
export function minsz(sid: i32): u32 {
  return Tbl.sb(sid, 12);
}
export function capsFlag(sid: i32): u32 {
  return Tbl.sb(sid, 13);
}
export function capOffsetLocal(sid: i32): i32 {
  const x = Tbl.sb(sid, 14);
  return x == 255 ? -1 : (x as i32);
}
export function structProposal(sid: i32): u32 {
  return Tbl.sb(sid, 15);
}
export function trailingLocal(sid: i32): i32 {
  const x = Tbl.sb(sid, 16);
  return x == 255 ? -1 : (x as i32);
}
export function trailingCountLocal(sid: i32): i32 {
  const x = Tbl.sb(sid, 17);
  return x == 255 ? -1 : (x as i32);
}

export function fieldType(fid: i32): u32 {
  return Tbl.fb(fid, 0);
}
export function fieldOffset(fid: i32, v: i32): u32 {
  return Tbl.fb(fid, 4 + (v as usize));
}
export function fieldVersion(fid: i32): u32 {
  return Tbl.fb(fid, 2) & 0xf;
}
export function fieldAux(fid: i32): i32 {
  return Tbl.fb(fid, 3) as i32;
}
export function scalarSize(t: u32): i32 {
  if (t == T_U64) return 8;
  if (t == T_U32 || t == T_S32) return 4;
  if (t == T_U16) return 2;
  return 1;
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
  const attrs = Tbl.fb(fid, 1);
  if ((attrs & 1) != 0 && (prof & PROF_EPOCH66) == 0) return false;
  if ((attrs & 2) != 0) {
    const p = Tbl.fb(fid, 2) >> 4;
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
    if ((Tbl.fb(fid, 1) & 2) != 0 && fieldPresent(fid, prof)) return Tbl.sb(sid, 8 + (v as usize));
  }
  return Tbl.sb(sid, 4 + (v as usize));
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
    if (t >= T_PAYLOAD) {
      if (off > end) end = off;
      continue;
    }
    const fv = fieldVersion(fid);
    if (fv > version) continue;
    const e = off + (scalarSize(t) as u32);
    if (e > end) end = e;
  }
  return end;
}

export function numStructs(): i32 {
  return NUM_STRUCTS;
}
