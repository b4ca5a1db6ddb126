// Structure-aware mutator: parse -> change one field, payload element or chain link -> re-encode
// in place (vfio_irq_set: argsz and the payload follow count/flags unless argsz is the target);
// byte-level mutation when the input does not decode.

import { K_CAP, K_ELEM, K_FIELD, REC_CAP, REC_SIZE, W_MISC, W_REC } from "../generated/wasm-abi";
import { F_VFIO_IRQ_SET__COUNT, F_VFIO_IRQ_SET__FLAGS, S_VFIO_IRQ_SET } from "../generated/layout";
import { wrN } from "../mem";
import { parseStruct } from "../parse";
import { clearError, recWritten, recOverflow, recReset } from "../records";
import { expandProposals, fieldType, T_PAYLOAD } from "../tables";
import { below, get32, put16, Rng, r32, setBig } from "./rng";

/** Parse src[0..len) as `sid` into the work area's record buffer. */
export function parseInto(sid: i32, prof: u32, src: usize, len: u32, work: usize): i32 {
  clearError();
  recReset(work + W_REC, REC_CAP);
  return parseStruct(sid, expandProposals(prof) | (prof & 0xff), src, len, 1024);
}

function interesting(bits: u32, cur: u64): u64 {
  const m = below(10);
  if (m == 0) return 0;
  if (m == 1) return 1;
  if (m == 2) return 0xffffffffffffffff;
  if (m == 3) return cur + 1;
  if (m == 4) return cur - 1;
  if (m == 5) return cur ^ ((1 as u64) << below(bits));
  if (m == 6) return (1 as u64) << (bits - 1);
  if (m == 7) return below(64) as u64;
  if (m == 8) return ((1 as u64) << (bits - 1)) - 1;
  return Rng.next64();
}

/** Byte-level mutation of dst[0..len) (capacity cap). Returns the new length. */
export function byteMutate(dst: usize, len: u32, cap: u32): u32 {
  let op = below(7);
  if (len < 4) op = 4;
  const p = dst + below(len);
  const w = dst + (below(len >> 2) << 2);
  if (op == 0) store<u8>(p, (load<u8>(p) as u32) ^ ((1 as u32) << below(8)));
  else if (op == 1) store<u8>(p, r32());
  else if (op == 2) store<u32>(w, interesting(32, load<u32>(w)) as u32);
  else if (op == 3) len = below(len);
  else if (op == 4) {
    const x: u32 = 1 + below(16);
    if (len + x <= cap) {
      for (let i: u32 = 0; i < x; i++) store<u8>(dst + len + i, r32());
      len += x;
    }
  } else if (op == 5) store<u32>(w, r32());
  else store<u32>(w, load<u32>(dst + (below(len >> 2) << 2)));
  return len;
}

/**
 * Mutate src (already parsed by parseInto with status `st`) into dst. Returns the new length.
 */
export function mutateFrom(sid: i32, prof: u32, src: usize, len: u32, st: i32, dst: usize, cap: u32, work: usize): u32 {
  const big = setBig(prof);
  if (len > cap) {
    // the copy is cut short: the records describe bytes it does not hold, so mutate bytes only
    memory.copy(dst, src, cap);
    return byteMutate(dst, cap, cap);
  }
  memory.copy(dst, src, len);
  if (st < 0 || recOverflow() || Rng.chance(2)) return byteMutate(dst, len, cap);
  const recs = work + W_REC,
    cand = work + W_MISC + 256,
    caps = work + W_MISC + 1280;
  const n = recWritten();
  let nc: u32 = 0,
    ncap: u32 = 0;
  for (let i: u32 = 0; i < n && nc < 256; i++) {
    const r = recs + (i as usize) * REC_SIZE;
    const k = load<u8>(r) as u32;
    if (k == K_CAP && ncap < 16) {
      store<u32>(caps + (ncap << 2), load<u32>(r, 4));
      ncap++;
    }
    if (k == K_FIELD || k == K_CAP || (k == K_ELEM && fieldType(load<u16>(r, 2) as i32) == T_PAYLOAD)) {
      store<u32>(cand + (nc << 2), i);
      nc++;
    }
  }
  if (nc == 0) return byteMutate(dst, len, cap);
  const r = recs + (load<u32>(cand + (below(nc) << 2)) as usize) * REC_SIZE;
  const kind = load<u8>(r) as u32,
    ref = load<u16>(r, 2) as i32,
    off = load<u32>(r, 4),
    size = load<u32>(r, 8);
  // a record always lies inside the input; checked anyway, so no mutation can write past dst + len
  const span: u64 = kind == K_CAP ? 8 : (size as u64);
  if ((off as u64) + span > (len as u64)) return byteMutate(dst, len, cap);
  if (kind == K_CAP) {
    const m = below(10);
    if (m == 8) {
      put16(dst + off, Rng.chance(8) ? 1 + below(6) : r32());
      return len;
    }
    if (m == 9) {
      put16(dst + off + 2, Rng.chance(8) ? below(4) : r32());
      return len;
    }
    let v: u32;
    if (m == 0) v = 0;
    else if (m == 1)
      v = off; // self
    else if (m == 2)
      v = off + 4; // overlap
    else if (m == 3)
      v = load<u32>(caps + (below(ncap) << 2)); // cycle / backwards / forward
    else if (m == 4)
      v = ((len + 3) & ~3) + (below(4) << 2); // past the end
    else if (m == 5)
      v = off + 8 + 1 + below(3); // misaligned
    else if (m == 6)
      v = below(8) << 2; // into the header
    else v = r32();
    if (off + 8 <= len) Rng.put32(dst + off + 4, v);
    return len;
  }
  wrN(dst + off, size as i32, interesting(size << 3, load<u64>(r, 16)), big);
  if (
    sid == S_VFIO_IRQ_SET &&
    kind == K_FIELD &&
    (ref == F_VFIO_IRQ_SET__COUNT || ref == F_VFIO_IRQ_SET__FLAGS) &&
    get32(src) == len
  ) {
    // keep argsz and the payload consistent with the new count / data type
    const flags = get32(dst + 4),
      count = get32(dst + 16),
      dt = flags & 7;
    const esz: u64 = dt == 2 ? 1 : dt == 4 ? 4 : 0;
    const need = 20 + (count as u64) * esz;
    if (need <= (cap as u64)) {
      for (let b = len; (b as u64) < need; b++) store<u8>(dst + b, esz == 1 ? below(2) : 0xff);
      len = need as u32;
      Rng.put32(dst, len);
    }
  }
  return len;
}
