import {
  K_CAP,
  K_ELEM,
  K_FIELD,
  K_GAP,
  K_NEEDS,
  K_NOTE,
  K_PAYLOAD,
  K_SLACK,
  K_STRUCT,
  K_TAIL,
  NOTE_CAPOFF_WITHOUT_FLAG,
  PROF_BIG,
  PROF_MSG_REPLY,
  PROF_MSG_REQUEST,
} from "./generated/wasm-abi";
import * as S from "./generated/status";
import { Mem, Prof, rdN } from "./mem";
import {
  firstField,
  numFields,
  structKind,
  minsz,
  capsFlag,
  capOffsetLocal,
  structAllowed,
  trailingLocal,
  trailingCountLocal,
  fieldType,
  fieldOffset,
  fieldVersion,
  fieldAux,
  fieldPresent,
  scalarSize,
  structSize,
  capLookup,
  capKnownSize,
  T_PAYLOAD,
  T_ARRAY,
  T_BYTES,
  T_S32,
  KIND_INFO,
  KIND_PLAIN,
  KIND_MESSAGE,
  isScalar,
  scalarSizeV,
  fieldShortNeeds,
  caseLookup,
  caseKind,
  caseElem,
  caseRef,
  CASE_SCALAR,
  CASE_STRUCT,
  CASE_BYTES,
} from "./tables";
import { parseMessage } from "./message";
import { rec, recMark, recRunEnd, recRunSkip, recRunStart, setError } from "./records";
import { F_VFIO_INFO_CAP_HEADER__ID, F_VFIO_INFO_CAP_HEADER__NEXT } from "./generated/layout";

/** Emit FIELD records for the scalar fields of `sid` at `base`; returns end of the last field read,
 *  or a negative status when a field below `must` does not fit in `limit`. */
export function emitFields(
  sid: i32,
  prof: u32,
  v: i32,
  src: usize,
  base: u32,
  limit: u32,
  depth: u32,
  version: u32,
  must: u32,
): i64 {
  const big = (prof & PROF_BIG) != 0;
  const first = firstField(sid),
    n = numFields(sid);
  let end: u32 = base;
  for (let i = 0; i < n; i++) {
    const fid = first + i;
    const t = fieldType(fid);
    if (!isScalar(t)) continue;
    if (!fieldPresent(fid, prof)) continue;
    if (version != 0 && fieldVersion(fid) > version) continue;
    const off = base + fieldOffset(fid, v);
    const sz = scalarSizeV(t, v) as u32;
    if ((off as u64) + (sz as u64) > (limit as u64)) {
      if (off - base < must) return setError(S.E_SHORT, off, fid, limit as u64) as i64;
      continue; // optional trailing field (e.g. cap_offset with argsz 16): absent, not an error
    }
    // a hole between fields (the 4 bytes before an 8-aligned u64 on lp64) is kept as a gap
    if (off > end) rec(K_GAP, depth, 0, end, off - end, 0, 0);
    let val = rdN(src + off, sz as i32, big);
    if (t == T_S32) val = val as i32 as i64 as u64;
    rec(K_FIELD, depth, fid as u32, off, sz, 0, val);
    if (off + sz > end) end = off + sz;
  }
  return end as i64;
}

/**
 * A struct's body at `base` inside [base, limit): its scalar fields (depth), then its trailing
 * array (elements at depth, their fields at depth + 1). Returns the end of what was read, or a
 * negative status. `needs`: an array that does not fit asks for a larger argsz (NEEDS_ARGSZ).
 */
function parseBody(sid: i32, prof: u32, v: i32, src: usize, base: u32, limit: u32, depth: u32, must: u32): i64 {
  const fe = emitFields(sid, prof, v, src, base, limit, depth, 0, must);
  if (fe < 0) return fe;
  let end = fe as u32;
  const tl = trailingLocal(sid);
  if (tl >= 0 && fieldType(firstField(sid) + tl) == T_ARRAY) {
    const r = parseArray(sid, prof, v, src, base, limit, depth);
    if (r < 0) return r;
    if ((r as u32) > end) end = r as u32;
  }
  return end as i64;
}

/** Trailing array of `sid` at `base` (count from its count field). Returns its end or a status. */
function parseArray(sid: i32, prof: u32, v: i32, src: usize, base: u32, limit: u32, depth: u32): i64 {
  const big = (prof & PROF_BIG) != 0;
  const first = firstField(sid);
  const af = first + trailingLocal(sid);
  const cf = first + trailingCountLocal(sid);
  const aoff = base + fieldOffset(af, v);
  const count = Mem.rd32(src + base + fieldOffset(cf, v), big);
  const aux = fieldAux(af);
  const scalarElem = (aux & 0x80) != 0;
  const et = (aux & 0x7f) as u32;
  const es: u32 = scalarElem ? (scalarSizeV(et, v) as u32) : structSize(aux, prof, v);
  const need = (count as u64) * (es as u64);
  if ((aoff as u64) + need > (limit as u64)) {
    if (fieldShortNeeds(af)) return NEEDS_AT + (aoff as i64) + (need as i64); // see parseStruct
    return setError(S.E_PAYLOAD_SHORT, aoff, af, need, limit > aoff ? limit - aoff : 0) as i64;
  }
  if (scalarElem) scalarElems(af, et, es, src, aoff, count, depth, big);
  else {
    const r = structElems(aux, prof, v, src, af, aoff, es, count, limit, depth);
    if (r < 0) return r;
  }
  return (aoff as i64) + (need as i64);
}

/** `count` scalar elements of type `et` (`es` bytes each) at `off`, as K_ELEM records of field `fid`. */
function scalarElems(fid: i32, et: u32, es: u32, src: usize, off: u32, count: u32, depth: u32, big: bool): void {
  // one record per element: only the elements in the host's record window are produced
  const lo = recRunStart(count, 1),
    hi = recRunEnd(lo, count, 1);
  for (let i: u32 = lo; i < hi; i++) {
    const eo = off + i * es;
    let val = rdN(src + eo, es as i32, big);
    if (et == T_S32) val = val as i32 as i64 as u64;
    rec(K_ELEM, depth, fid as u32, eo, es, i, val);
  }
  recRunSkip(count - hi, 1);
}

/** One element of an array of structs: its K_ELEM record (field fid) and its fields one level deeper. */
function structElem(
  esid: i32,
  prof: u32,
  v: i32,
  src: usize,
  fid: i32,
  eo: u32,
  es: u32,
  i: u32,
  limit: u32,
  depth: u32,
): i64 {
  rec(K_ELEM, depth, fid as u32, eo, es, i, 0);
  return emitFields(esid, prof, v, src, eo, limit, depth + 1, 0, es);
}

/**
 * `count` elements of struct esid (`es` bytes each) at `off`, which the caller checked lie inside
 * limit. Element 0 tells how many records each element makes; the others are produced only when
 * they touch the host's record window, so a window costs time in its own size. Returns 0 or a status.
 */
function structElems(
  esid: i32,
  prof: u32,
  v: i32,
  src: usize,
  fid: i32,
  off: u32,
  es: u32,
  count: u32,
  limit: u32,
  depth: u32,
): i64 {
  if (count == 0) return 0;
  const mark = recMark();
  const r0 = structElem(esid, prof, v, src, fid, off, es, 0, limit, depth);
  if (r0 < 0) return r0;
  const per = (recMark() - mark) as u32;
  const lo = 1 + recRunStart(count - 1, per),
    hi = recRunEnd(lo, count, per);
  for (let i: u32 = lo; i < hi; i++) {
    const r = structElem(esid, prof, v, src, fid, off + i * es, es, i, limit, depth);
    if (r < 0) return r;
  }
  recRunSkip(count - hi, per);
  return 0;
}

/**
 * Whether `target` is one of the capabilities from `start` up to (not including) `stop`. The chain
 * walked so far only moves forwards (every next > its cap), so following it from the start ends at
 * `stop`; this runs once per parse (on a backwards link, which ends it), without a table of visits.
 */
function visitedBefore(src: usize, big: bool, start: u32, stop: u32, target: u32): bool {
  let o = start;
  while (o < stop) {
    if (o == target) return true;
    o = Mem.rd32(src + o + 4, big);
  }
  return false;
}

// parseArray's "needs a larger argsz" answer: NEEDS_AT + the argsz needed (always > any offset).
const NEEDS_AT: i64 = 1 << 40;

/**
 * Trailing payload chosen by the selector field (vfio_irq_set data[], vfio_device_feature data[],
 * the vfio_bitmap of an unmap). Returns the end of the payload read (poff when there is none).
 * A struct or byte payload that argsz does not fully cover is left as slack: the kernel would
 * reject or ignore it, and the bytes survive a round trip.
 */
function parsePayload(sid: i32, prof: u32, v: i32, src: usize, limit: u32, msg: bool): i64 {
  const big = (prof & PROF_BIG) != 0;
  const first = firstField(sid);
  const pf = first + trailingLocal(sid);
  const poff = fieldOffset(pf, v);
  const sel = Mem.rd32(src + fieldOffset(first + fieldAux(pf), v), big);
  const c = caseLookup(pf, sel);
  if (c < 0) return poff as i64;
  const kind = caseKind(c);
  if (kind == CASE_SCALAR) {
    const et = caseElem(c);
    // vfio-user passes eventfds out of band (SCM_RIGHTS): only DATA_BOOL has an in-band payload
    if (msg && et == T_S32) return poff as i64;
    const elem = scalarSizeV(et, v) as u32;
    const count = Mem.rd32(src + fieldOffset(first + trailingCountLocal(sid), v), big);
    const need = (count as u64) * (elem as u64);
    if ((poff as u64) + need > (limit as u64)) return setError(S.E_PAYLOAD_SHORT, poff, pf, need, limit - poff) as i64;
    scalarElems(pf, et, elem, src, poff, count, 1, big);
    return (poff as i64) + (need as i64);
  }
  const room: u32 = limit > poff ? limit - poff : 0;
  if (kind == CASE_BYTES) {
    const n = caseRef(c) as u32;
    if (room < n) return poff as i64;
    rec(K_PAYLOAD, 1, pf as u32, poff, n, 0xffff, sel as u64);
    return (poff + n) as i64;
  }
  if (kind == CASE_STRUCT) {
    const ps = caseRef(c);
    const size = structSize(ps, prof, v);
    if (room < size) return poff as i64;
    rec(K_PAYLOAD, 1, pf as u32, poff, size, ps as u32, sel as u64);
    const r = parseBody(ps, prof, v, src, poff, limit, 2, size);
    if (r >= NEEDS_AT) return setError(S.E_PAYLOAD_SHORT, poff, pf, (r - NEEDS_AT) as u64, room) as i64;
    return r;
  }
  return poff as i64; // a feature without data
}

/**
 * Parse `len` bytes at `src` as struct `sid`. Records go to the record stream.
 * Returns OK, NEEDS_ARGSZ, or a negative status (records up to the failure remain: a partial tree).
 */
export function parseStruct(sid: i32, prof: u32, src: usize, len: u32, maxHops: i32): i32 {
  const kind = structKind(sid);
  if (kind == KIND_MESSAGE) return parseMessage(sid, prof, src, len);
  const v = Prof.variantOf(prof);
  const big = (prof & PROF_BIG) != 0;
  // a vfio-user message body: msg_size bounds it; argsz is the reply size asked for / needed
  const msg = (prof & (PROF_MSG_REQUEST | PROF_MSG_REPLY)) != 0;
  const size = structSize(sid, prof, v);
  const ms = kind == KIND_INFO ? minsz(sid) : size;
  rec(K_STRUCT, 0, sid as u32, 0, len < size ? len : size, 0, size as u64);
  // Fields past argsz are not part of the argument (an older, shorter struct: bind_iommufd of 16
  // bytes in a larger buffer); read them only when argsz covers them.
  let fieldLimit = len;
  if (!msg && kind == KIND_INFO && len >= 4) {
    const a = Mem.rd32(src + fieldOffset(firstField(sid), v), big);
    if (a >= ms && a < len) fieldLimit = a;
  }
  const fe = emitFields(sid, prof, v, src, 0, fieldLimit, 1, 0, ms);
  if (fe < 0) return fe as i32;
  let contentEnd = fe as u32;
  if (kind != KIND_INFO) {
    const tl = trailingLocal(sid);
    if (msg && tl >= 0 && fieldType(firstField(sid) + tl) == T_BYTES) {
      const r = bodyBytes(sid, prof, v, src, len, firstField(sid) + tl);
      if (r < 0) return r as i32;
      contentEnd = r as u32;
    }
    // a plain struct's own trailing array (vfio_device_feature_dma_buf.dma_ranges)
    if (kind == KIND_PLAIN && tl >= 0 && fieldType(firstField(sid) + tl) == T_ARRAY) {
      const r = parseArray(sid, prof, v, src, 0, len, 1);
      if (r >= NEEDS_AT) return setError(S.E_PAYLOAD_SHORT, 0, firstField(sid) + tl, (r - NEEDS_AT) as u64, len);
      if (r < 0) return r as i32;
      if ((r as u32) > contentEnd) contentEnd = r as u32;
    }
    if (contentEnd < len) rec(K_SLACK, 0, 0, contentEnd, len - contentEnd, 0, 0);
    return S.OK;
  }
  const first = firstField(sid);
  // every VFIO info struct starts with argsz then flags (fields 0 and 1 of the schema entry)
  const argsz = Mem.rd32(src + fieldOffset(first, v), big);
  if (argsz < ms) return setError(S.E_ARGSZ_MIN, 0, first, argsz as u64, ms);
  const flags = Mem.rd32(src + fieldOffset(first + 1, v), big);

  // Capability chain host?
  const col = capOffsetLocal(sid);
  let capOff: u32 = 0;
  let hasCapField = false;
  if (col >= 0 && structAllowed(sid, prof)) {
    const cf = first + col;
    const o = fieldOffset(cf, v);
    if (fieldPresent(cf, prof) && o + 4 <= len && o + 4 <= argsz) {
      capOff = Mem.rd32(src + o, big);
      hasCapField = true;
    }
    // Two-call protocol: CAPS set, cap_offset 0, argsz raised above what was supplied.
    if (!msg && (flags & capsFlag(sid)) != 0 && capOff == 0 && argsz > len) {
      rec(K_NEEDS, 0, first as u32, 0, 4, 0, argsz as u64);
      if (contentEnd < len) rec(K_SLACK, 0, 0, contentEnd, len - contentEnd, 0, 0);
      return S.NEEDS_ARGSZ;
    }
  }
  if (!msg && argsz > len) return setError(S.E_ARGSZ_OVER, 0, first, argsz as u64, len);
  // vfio-user: a reply's argsz is the size the full reply needs; more than was sent means "ask again"
  const needs = (prof & PROF_MSG_REPLY) != 0 && argsz > len;
  const limit = msg ? len : argsz;
  // implicit tail padding of the fixed struct (lp64 vfio_iommu_type1_info in the 6.1 layout: 20..23)
  const padEnd = size < limit ? size : limit;
  if (contentEnd < padEnd) {
    rec(K_GAP, 0, 0, contentEnd, padEnd - contentEnd, 0, 0);
    contentEnd = padEnd;
  }

  // Trailing member: a payload picked by the selector, or an array counted by a field.
  const tl = trailingLocal(sid);
  if (tl >= 0) {
    const tt = fieldType(first + tl);
    let r: i64 = contentEnd as i64;
    if (tt == T_PAYLOAD) r = parsePayload(sid, prof, v, src, limit, msg);
    else if (tt == T_ARRAY) r = parseArray(sid, prof, v, src, 0, limit, 1);
    if (r >= NEEDS_AT) {
      // two-call protocol without a CAPS flag (hot reset info): count says how many, argsz too small
      rec(K_NEEDS, 0, first as u32, 0, 4, 0, (r - NEEDS_AT) as u64);
      if (contentEnd < limit) rec(K_SLACK, 0, 0, contentEnd, limit - contentEnd, 0, 0);
      if (limit < len) rec(K_TAIL, 0, 0, limit, len - limit, 0, 0);
      return S.NEEDS_ARGSZ;
    }
    if (r < 0) return r as i32;
    if ((r as u32) > contentEnd) contentEnd = r as u32;
  }

  if (hasCapField && capOff != 0) {
    if ((flags & capsFlag(sid)) == 0) {
      rec(K_NOTE, 0, (first + col) as u32, fieldOffset(first + col, v), 4, NOTE_CAPOFF_WITHOUT_FLAG, capOff as u64);
    } else {
      const r = walkChain(sid, prof, v, src, size, limit, capOff, fieldOffset(first + col, v), first + col, maxHops);
      if (r < 0) return r as i32;
      if ((r as u32) > contentEnd) contentEnd = r as u32;
    }
  }
  if (contentEnd < limit) rec(K_SLACK, 0, 0, contentEnd, limit - contentEnd, 0, 0);
  if (limit < len) rec(K_TAIL, 0, 0, limit, len - limit, 0, 0);
  if (needs) {
    rec(K_NEEDS, 0, first as u32, 0, 4, 0, argsz as u64);
    return S.NEEDS_ARGSZ;
  }
  return S.OK;
}

/**
 * Trailing bytes of a vfio-user body (REGION_READ reply / WRITE request data, VERSION JSON):
 * `count` bytes when a length field names them, otherwise the rest of the body. Returns the end.
 */
function bodyBytes(sid: i32, prof: u32, v: i32, src: usize, len: u32, bf: i32): i64 {
  const off = fieldOffset(bf, v);
  if (off > len) return len as i64;
  const cl = trailingCountLocal(sid);
  let n: u64 = (len - off) as u64;
  if (cl >= 0) {
    const cf = firstField(sid) + cl;
    n = rdN(src + fieldOffset(cf, v), scalarSize(fieldType(cf)), (prof & PROF_BIG) != 0);
    if ((off as u64) + n > (len as u64)) return setError(S.E_PAYLOAD_SHORT, off, bf, n, len - off) as i64;
  }
  if (n > 0) rec(K_ELEM, 1, bf as u32, off, n as u32, 0, 0);
  return (off as u64) + n;
}

/** Walk a capability chain; returns the end of the last capability or a negative status. */
function walkChain(
  host: i32,
  prof: u32,
  v: i32,
  src: usize,
  fixedSize: u32,
  limit: u32,
  start: u32,
  linkAt: u32,
  linkField: i32,
  maxHops: i32,
): i64 {
  const big = (prof & PROF_BIG) != 0;
  let off = start;
  let prevEnd = fixedSize;
  let hops: i32 = 0;
  if (off < fixedSize) return setError(S.E_CAP_INTO_HEADER, linkAt, linkField, off as u64, fixedSize) as i64;
  while (true) {
    if ((off & 3) != 0) return setError(S.E_CAP_MISALIGNED, linkAt, linkField, off as u64) as i64;
    if ((off as u64) + 8 > (limit as u64))
      return setError(S.E_CAP_PAST_END, linkAt, linkField, off as u64, limit) as i64;
    if (hops >= maxHops) return setError(S.E_CAP_TOO_MANY, linkAt, linkField, off as u64) as i64;
    if (off > prevEnd) rec(K_GAP, 0, 0, prevEnd, off - prevEnd, 0, 0);
    const id = Mem.rd16(src + off, big);
    const ver = Mem.rd16(src + off + 2, big);
    const next = Mem.rd32(src + off + 4, big);
    const csid = capLookup(host, id, prof);
    let known: u32 = 8;
    let arrBytes: u64 = 0;
    let arrField: i32 = -1,
      cntField: i32 = -1,
      elemSid: i32 = -1;
    let arrOff: u32 = 0,
      count: u32 = 0;
    if (csid >= 0) {
      known = capKnownSize(csid, ver, prof, v);
      const tl = trailingLocal(csid);
      if (tl >= 0) {
        arrField = firstField(csid) + tl;
        cntField = firstField(csid) + trailingCountLocal(csid);
        arrOff = fieldOffset(arrField, v);
        if ((off as u64) + (fieldOffset(cntField, v) as u64) + 4 <= (limit as u64)) {
          count = Mem.rd32(src + off + fieldOffset(cntField, v), big);
          let esz: u64 = 1;
          if (fieldType(arrField) == T_ARRAY) {
            elemSid = fieldAux(arrField);
            esz = structSize(elemSid, prof, v) as u64;
          }
          arrBytes = (count as u64) * esz;
        }
      }
    }
    rec(K_CAP, 0, csid < 0 ? 0xffff : (csid as u32), off, known + (arrBytes as u32), id | (ver << 16), next as u64);
    hops++;
    const capLimit: u64 = next > off ? (next as u64) : (limit as u64);
    if ((off as u64) + (known as u64) > (limit as u64))
      return setError(
        S.E_CAP_PAST_END,
        off,
        csid >= 0 ? firstField(csid) : F_VFIO_INFO_CAP_HEADER__ID,
        (off + known) as u64,
        limit,
      ) as i64;
    const fe = emitFields(
      csid >= 0 ? csid : 0,
      prof,
      v,
      src,
      off,
      limit,
      1,
      csid >= 0 ? (ver == 0 ? 1 : ver) : 0,
      known,
    );
    if (fe < 0) return fe;
    let capEnd: u64 = (off as u64) + (known as u64);
    if (arrField >= 0) {
      const aEnd = (off as u64) + (arrOff as u64) + arrBytes;
      if (aEnd > capLimit || aEnd > (limit as u64))
        return setError(
          S.E_CAP_ARRAY_OVERRUN,
          off + fieldOffset(cntField, v),
          cntField,
          count as u64,
          (capLimit - (off as u64) - (arrOff as u64)) as u32,
        ) as i64;
      if (elemSid >= 0) {
        const r = structElems(
          elemSid,
          prof,
          v,
          src,
          arrField,
          off + arrOff,
          structSize(elemSid, prof, v),
          count,
          limit,
          1,
        );
        if (r < 0) return r;
      } else if (count > 0) {
        rec(K_ELEM, 1, arrField as u32, off + arrOff, count, 0, 0); // byte array: one span
      }
      capEnd = aEnd;
    }
    if (next == 0) return capEnd as i64;
    // Link checks, in the order that names the most specific problem.
    const nextAt = off + 4;
    if (next == off) return setError(S.E_CAP_SELF, nextAt, F_VFIO_INFO_CAP_HEADER__NEXT, next as u64, off) as i64;
    if (next < off) {
      if (visitedBefore(src, big, start, off, next))
        return setError(S.E_CAP_LOOP, nextAt, F_VFIO_INFO_CAP_HEADER__NEXT, next as u64, off) as i64;
      if (next < fixedSize)
        return setError(S.E_CAP_INTO_HEADER, nextAt, F_VFIO_INFO_CAP_HEADER__NEXT, next as u64, fixedSize) as i64;
      return setError(S.E_CAP_BACKWARDS, nextAt, F_VFIO_INFO_CAP_HEADER__NEXT, next as u64, off) as i64;
    }
    if ((next as u64) < capEnd)
      return setError(S.E_CAP_OVERLAP, nextAt, F_VFIO_INFO_CAP_HEADER__NEXT, next as u64, capEnd as u32) as i64;
    if (capEnd < (next as u64) && capEnd <= (limit as u64)) {
      const gapEnd = next < limit ? next : limit;
      if ((gapEnd as u64) > capEnd) rec(K_GAP, 1, 0, capEnd as u32, gapEnd - (capEnd as u32), 0, 0);
    }
    prevEnd = next; // the gap up to next was emitted above
    linkAt = nextAt;
    linkField = F_VFIO_INFO_CAP_HEADER__NEXT;
    off = next;
  }
  // biome-ignore lint/correctness/noUnreachable: the loop only leaves by return, but AssemblyScript wants one here
  return 0;
}
