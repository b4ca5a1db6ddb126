// vfio-abi wasm export ABI (see docs/wasm-abi.md). Plain C-like functions over exported memory:
// pointers and lengths in, status codes out. No allocation per call; no imports.

import { PROF_BIG, PROF_KNOWN, REC_SIZE, WASM_ABI_VERSION } from "./generated/wasm-abi";
import { buildCaps, encodeFields, encodeIrqSet } from "./encode";
import { ARENA, Arena, inArena, Mem, Prof } from "./mem";
import { parseStruct } from "./parse";
import {
  clearError,
  lastErrCode,
  lastErrField,
  lastErrOffset,
  lastErrValue,
  noteError,
  recCount,
  recOverflow,
  recReset,
  recWritten,
} from "./records";
import * as S from "./generated/status";
import {
  expandProposals,
  numStructs,
  capKnownSize as tblCapKnown,
  structSize as tblStructSize,
  validStruct,
} from "./tables";

/** Bumped when an export's signature or a record/status meaning changes. */
export const ABI_VERSION: i32 = WASM_ABI_VERSION;
export function abi_version(): i32 {
  return ABI_VERSION;
}

// ---- arena: everything from ARENA (after the static data and tables) to the end of memory belongs
// to the host; it grows only when a host asks for more.
export function arena_ptr(): usize {
  return ARENA;
}
export function arena_cap(): u32 {
  return (((memory.size() as u64) << 16) - (ARENA as u64)) as u32;
}
/** Make the arena at least n bytes. Returns OK or E_NO_MEMORY (arena_cap() tells the capacity). */
export function arena_reserve(n: u32): i32 {
  const need = (ARENA as u64) + (n as u64);
  const have = (memory.size() as u64) << 16;
  if (need > have) {
    const pages = ((need - have + 0xffff) >> 16) as i32;
    if (memory.grow(pages) < 0) return S.E_NO_MEMORY;
  }
  return S.OK;
}

function profileOk(prof: u32): bool {
  return (prof & ~PROF_KNOWN) == 0;
}

// ---- generic struct access
export function struct_count(): i32 {
  return numStructs();
}
export function struct_size(sid: i32, prof: u32): i32 {
  if (!validStruct(sid) || !profileOk(prof)) return S.E_BAD_ARG;
  return tblStructSize(sid, expandProposals(prof) | (prof & 0xff), Prof.variantOf(prof)) as i32;
}
export function cap_known_size(sid: i32, version: u32, prof: u32): i32 {
  if (!validStruct(sid) || !profileOk(prof)) return S.E_BAD_ARG;
  return tblCapKnown(sid, version, expandProposals(prof) | (prof & 0xff), Prof.variantOf(prof)) as i32;
}

/**
 * Parse src[0..len) as struct sid into records at out (capacity outCap records of 24 bytes).
 * Returns OK / NEEDS_ARGSZ / negative status. rec_count() tells how many records were written.
 */
export function parse(sid: i32, prof: u32, src: usize, len: u32, out: usize, outCap: u32, maxHops: i32): i32 {
  const r = parse_window(sid, prof, src, len, out, outCap, maxHops, 0);
  return recOverflow() ? S.E_OUT_FULL : r;
}
/**
 * parse() through a window: writes records first..first+outCap-1 of the stream to out and returns
 * the parse's status (never E_OUT_FULL). rec_total() is the length of the whole stream, so a host
 * reads any stream with a window of fixed size by calling again with first += outCap.
 */
export function parse_window(
  sid: i32,
  prof: u32,
  src: usize,
  len: u32,
  out: usize,
  outCap: u32,
  maxHops: i32,
  first: u32,
): i32 {
  clearError();
  recReset(out, 0);
  if (!validStruct(sid) || !profileOk(prof)) return S.E_BAD_ARG;
  if (!inArena(src, len as u64) || !inArena(out, (outCap as u64) * (REC_SIZE as u64))) return S.E_RANGE;
  recReset(out, outCap, first);
  return parseStruct(sid, expandProposals(prof) | (prof & 0xff), src, len, maxHops <= 0 ? 1024 : maxHops);
}
export function rec_count(): u32 {
  return recWritten();
}
export function rec_total(): u32 {
  return recCount();
}
export function err_code(): i32 {
  return lastErrCode();
}
export function err_offset(): u32 {
  return lastErrOffset();
}
export function err_field(): i32 {
  return lastErrField();
}
export function err_value(): u64 {
  return lastErrValue();
}

/** Write struct sid's scalar fields from a u64 value vector. Returns sizeof or a negative status. */
export function encode_fields(sid: i32, prof: u32, dst: usize, dstLen: u32, vals: usize, version: u32): i32 {
  if (!validStruct(sid) || !profileOk(prof)) return S.E_BAD_ARG;
  if (!inArena(dst, dstLen as u64) || !inArena(vals, 8 * 64)) return S.E_RANGE;
  return encodeFields(sid, expandProposals(prof) | (prof & 0xff), dst, dstLen, vals, version);
}

/** Encode vfio_irq_set. payload: npayload u8 (BOOL) or s32 (EVENTFD, host order) values. */
export function irq_set_encode(
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
  if (!profileOk(prof)) return S.E_BAD_ARG;
  if (!inArena(dst, cap as u64) || !inArena(payload, (npayload as u64) * 4)) return S.E_RANGE;
  return encodeIrqSet(prof, dst, cap, argsz, flags, index, start, count, payload, npayload);
}

/** Kernel-style chain build on an encoded fixed struct (see encode.ts buildCaps). */
export function caps_build(
  host: i32,
  prof: u32,
  dst: usize,
  dstCap: u32,
  fixedLen: u32,
  argszSupplied: u32,
  list: usize,
  n: u32,
): i32 {
  if (!validStruct(host) || !profileOk(prof)) return S.E_BAD_ARG;
  if (!inArena(dst, dstCap as u64) || !inArena(list, (n as u64) * 8)) return S.E_RANGE;
  for (let i: u32 = 0; i < n; i++) {
    if (!inArena(load<u32>(list + (i as usize) * 8) as usize, load<u32>(list + (i as usize) * 8 + 4) as u64))
      return S.E_RANGE;
  }
  return buildCaps(host, expandProposals(prof) | (prof & 0xff), dst, dstCap, fixedLen, argszSupplied, list, n);
}

// ---- hot paths

/**
 * Batch decode of n vfio_irq_info structs (16 bytes each, contiguous) into n x 4 host-order u32
 * (argsz, flags, index, count). Returns how many have argsz < 16 (the kernel's EINVAL), or E_RANGE.
 */
export function irq_info_decode_batch(prof: u32, src: usize, n: u32, dst: usize): i32 {
  const bytes = (n as u64) * 16;
  if (!inArena(src, bytes) || !inArena(dst, bytes)) return S.E_RANGE;
  let bad: u32 = 0;
  if ((prof & PROF_BIG) == 0) {
    for (let i: usize = 0; i < (n as usize); i++) {
      const s = src + (i << 4),
        d = dst + (i << 4);
      const a = load<u64>(s),
        b = load<u64>(s, 8);
      store<u64>(d, a);
      store<u64>(d, b, 8);
      bad += u32((a as u32) < 16);
    }
  } else {
    for (let i: usize = 0; i < (n as usize); i++) {
      const s = src + (i << 4),
        d = dst + (i << 4);
      const argsz = bswap<u32>(load<u32>(s));
      store<u32>(d, argsz);
      store<u32>(d, bswap<u32>(load<u32>(s, 4)), 4);
      store<u32>(d, bswap<u32>(load<u32>(s, 8)), 8);
      store<u32>(d, bswap<u32>(load<u32>(s, 12)), 12);
      bad += u32(argsz < 16);
    }
  }
  return bad as i32;
}

/**
 * Bounded, cycle-safe walk of a capability chain starting at `start` inside buf[0..len), headers
 * only: writes (u16 id, u16 version, u32 offset, u32 length) = 12 bytes per cap to out. length runs
 * to next (or to len for the last cap). Returns the number of caps or a negative status; on failure
 * err_offset() is the byte offset of the failing next (0xffffffff: start itself), err_value() its value.
 */
export function caps_walk(prof: u32, buf: usize, len: u32, fixedSize: u32, start: u32, out: usize, maxCaps: u32): i32 {
  clearError();
  if (!profileOk(prof)) return S.E_BAD_ARG;
  if (!inArena(buf, len as u64) || !inArena(out, (maxCaps as u64) * 12)) return S.E_RANGE;
  const end = out + (maxCaps as usize) * 12;
  return Chain.walk((prof & PROF_BIG) != 0, buf, len, fixedSize, start, out, end);
}

/**
 * The walk behind caps_walk and caps_walk_batch. On failure err_offset() is the byte offset of the
 * link that failed (start's own position is unknown here: 0xffffffff for start itself) and
 * err_value() its value. Inlined into both callers: in caps_walk_batch's loop a call per buffer cost
 * about as much as a one-cap walk. `end` is where out's room ends (the batch's is fixed for all buffers).
 */
class Chain {
  @inline static walk(big: bool, buf: usize, len: u32, fixedSize: u32, start: u32, out: usize, end: usize): i32 {
    if (start == 0) return 0;
    const START: u32 = 0xffffffff;
    if (start < fixedSize) return noteError(S.E_CAP_INTO_HEADER, START, -1, start);
    if (len < 8) return noteError((start & 3) != 0 ? S.E_CAP_MISALIGNED : S.E_CAP_PAST_END, START, -1, start);
    const last = len - 8; // highest offset a header fits at
    if ((start & 3) != 0) return noteError(S.E_CAP_MISALIGNED, START, -1, start);
    if (start > last) return noteError(S.E_CAP_PAST_END, START, -1, start);
    if (out >= end) return noteError(S.E_CAP_TOO_MANY, START, -1, start);
    let o = out;
    let off = start,
      next: u32 = 0;
    // room left in out after the tuple being written, in bytes, less one (negative: full)
    let spare = (end as i64) - (out as i64) - 13;
    // The hop loop does only what every hop needs and leaves on one test; the end of the chain, a
    // refused link and a full `out` are told apart below (each hop's load of next waits for the
    // previous one: the fewer instructions between them, the sooner it issues).
    while (true) {
      // invariant: off is 4-aligned and a header fits at off (off <= last)
      const h = load<u32>(buf + off);
      next = Mem.rd32(buf + off + 4, big);
      const d = next - off;
      // id and version are u16 each: swap them separately on big-endian; offset and length (to next,
      // rewritten for the last cap) in one store
      store<u32>(o, big ? (bswap<u32>(h) >>> 16) | (bswap<u32>(h) << 16) : h);
      store<u64>(o, (off as u64) | ((d as u64) << 32), 4);
      o += 12;
      // Go on only to an aligned header further on that still fits, off + 8 <= next <= last, and with
      // room in out: the offsets strictly increase, so self-loops, cycles and backwards links end
      // here, and so does next = 0. With off aligned that is (next - off - 8) / 4 <= (last - off - 8) / 4
      // for a multiple of 4: rotating right by 2 moves a misaligned next's low bits to the top, and a
      // next below off + 8 wraps to a value above any bound; a negative bound (no header fits past
      // off + 8) refuses every next. One branch per hop on the sign of both.
      const fits = (((last as i64) - (off as i64) - 8) >> 2) - (rotr<u32>(d - 8, 2) as i64);
      if ((fits | spare) < 0) break;
      spare -= 12;
      off = next;
    }
    if (next == 0) {
      store<u32>(o - 4, len - off);
      return ((o - out) / 12) as i32;
    }
    const d = next - off;
    if (d < 8 || d > last - off || (next & 3) != 0) return noteError(linkError(next, off, d), off + 4, -1, next);
    return noteError(S.E_CAP_TOO_MANY, off + 4, -1, next);
  }
  /** caps_walk_batch's loop over the buffers, for one byte order. */
  @inline static batch(
    big: bool,
    bufs: usize,
    index: usize,
    n: u32,
    fixedSize: u32,
    capOffAt: u32,
    capFlag: u32,
    counts: usize,
    tuples: usize,
    tuplesCap: u32,
  ): i32 {
    const lo = ARENA as i64,
      span = (Arena.end() as i64) - lo;
    const stop = index + ((n as usize) << 3),
      tEnd = tuples + (tuplesCap as usize) * 12;
    // a chain is read when the flags word and the cap offset word lie inside the buffer
    const minLen = max<u64>((capOffAt as u64) + 4, 8);
    let t = tuples; // where the next buffer's tuples go
    for (let p = index, c = counts; p < stop; p += 8, c += 4) {
      const len = load<u32>(p, 4);
      const b64 = (bufs as u64) + (load<u32>(p) as u64); // 64 bits: bufs + offset must not wrap past 2^32
      const b = b64 as usize;
      let r: i32 = 0;
      // inside the arena: 0 <= b64 - lo and b64 - lo + len <= end - lo (all below 2^34: no wrap), one sign
      const rel = (b64 as i64) - lo;
      if ((rel | (span - rel - (len as i64))) < 0) r = S.E_RANGE;
      else if ((len as u64) >= minLen && (Mem.rd32(b + 4, big) & capFlag) != 0) {
        r = Chain.walk(big, b, len, fixedSize, Mem.rd32(b + capOffAt, big), t, tEnd);
        if (r > 0) t += (r as usize) * 12;
        else if (r == S.E_CAP_TOO_MANY) {
          store<i32>(c, r);
          return S.E_OUT_FULL; // the walk's room was what is left of tuples
        }
      }
      store<i32>(c, r);
    }
    return ((t - tuples) / 12) as i32;
  }
}
/** The status of a link the walk refuses (see walk). */
function linkError(next: u32, off: u32, d: u32): i32 {
  if (next <= off) return next == off ? S.E_CAP_SELF : S.E_CAP_BACKWARDS;
  if (d < 8) return S.E_CAP_OVERLAP;
  return (next & 3) != 0 ? S.E_CAP_MISALIGNED : S.E_CAP_PAST_END;
}

/**
 * Batch walk of n info buffers at bufs + offset_i (`index` holds u32 offset, u32 len pairs). Each
 * buffer's chain starts at the u32 at capOffAt when its flags (u32 at 4) have capFlag set.
 * counts[i] = caps found or a negative status; the (id, version, offset, length) tuples of all
 * buffers go to `tuples` one after the other (12 bytes each, tuplesCap at most).
 * Returns the total number of caps, E_OUT_FULL when tuples ran out, or E_RANGE.
 */
export function caps_walk_batch(
  prof: u32,
  bufs: usize,
  index: usize,
  n: u32,
  fixedSize: u32,
  capOffAt: u32,
  capFlag: u32,
  counts: usize,
  tuples: usize,
  tuplesCap: u32,
): i32 {
  clearError();
  if (!profileOk(prof)) return S.E_BAD_ARG;
  if (!inArena(index, (n as u64) * 8) || !inArena(counts, (n as u64) * 4) || !inArena(tuples, (tuplesCap as u64) * 12))
    return S.E_RANGE;
  // one loop per byte order (two functions: see validate_fast.ts)
  return (prof & PROF_BIG) != 0
    ? batchBig(bufs, index, n, fixedSize, capOffAt, capFlag, counts, tuples, tuplesCap)
    : batchLittle(bufs, index, n, fixedSize, capOffAt, capFlag, counts, tuples, tuplesCap);
}
function batchLittle(
  bufs: usize,
  index: usize,
  n: u32,
  fixedSize: u32,
  capOffAt: u32,
  capFlag: u32,
  counts: usize,
  tuples: usize,
  tuplesCap: u32,
): i32 {
  return Chain.batch(false, bufs, index, n, fixedSize, capOffAt, capFlag, counts, tuples, tuplesCap);
}
function batchBig(
  bufs: usize,
  index: usize,
  n: u32,
  fixedSize: u32,
  capOffAt: u32,
  capFlag: u32,
  counts: usize,
  tuples: usize,
  tuplesCap: u32,
): i32 {
  return Chain.batch(true, bufs, index, n, fixedSize, capOffAt, capFlag, counts, tuples, tuplesCap);
}

/** Read helper for hosts that want one u32 with the profile's byte order (0 outside the arena). */
export function read_u32(prof: u32, p: usize): u32 {
  if (!inArena(p, 4)) return 0;
  return Mem.rd32(p, (prof & PROF_BIG) != 0);
}
export { oracle_set_irqs, oracle_set_irqs_batch, oracle_last_rule, oracle_last_elem, oracle_lvu_slot } from "./oracle";

export { irq_set_validate_batch } from "./validate_fast";
