import {
  K_CAP,
  K_ELEM,
  K_FIELD,
  K_GAP,
  K_NEEDS,
  K_NOTE,
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
  KIND_MESSAGE,
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
    if (t >= T_PAYLOAD) continue;
    if (!fieldPresent(fid, prof)) continue;
    if (version != 0 && fieldVersion(fid) > version) continue;
    const off = base + fieldOffset(fid, v);
    const sz = scalarSize(t) as u32;
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
  const fe = emitFields(sid, prof, v, src, 0, len, 1, 0, ms);
  if (fe < 0) return fe as i32;
  let contentEnd = fe as u32;
  if (kind != KIND_INFO) {
    const tl = trailingLocal(sid);
    if (msg && tl >= 0 && fieldType(firstField(sid) + tl) == T_BYTES) {
      const r = bodyBytes(sid, prof, v, src, len, firstField(sid) + tl);
      if (r < 0) return r as i32;
      contentEnd = r as u32;
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

  // Trailing payload (vfio_irq_set data[]).
  const tl = trailingLocal(sid);
  if (tl >= 0 && fieldType(first + tl) == T_PAYLOAD) {
    const pf = first + tl;
    const poff = fieldOffset(pf, v);
    const dt = flags & 7;
    let elem: u32 = 0;
    // vfio-user passes eventfds out of band (SCM_RIGHTS): only DATA_BOOL has an in-band payload
    if (dt == 2) elem = 1;
    else if (dt == 4 && !msg) elem = 4;
    if (elem != 0) {
      const count = Mem.rd32(src + fieldOffset(first + trailingCountLocal(sid), v), big);
      const need = (count as u64) * (elem as u64);
      if ((poff as u64) + need > (limit as u64)) return setError(S.E_PAYLOAD_SHORT, poff, pf, need, limit - poff);
      // one record per element: only the elements in the host's record window are produced
      const lo = recRunStart(count, 1),
        hi = recRunEnd(lo, count, 1);
      for (let i: u32 = lo; i < hi; i++) {
        const eo = poff + i * elem;
        const val: u64 = elem == 1 ? (load<u8>(src + eo) as u64) : (Mem.rd32(src + eo, big) as i32 as i64 as u64);
        rec(K_ELEM, 1, pf as u32, eo, elem, i, val);
      }
      recRunSkip(count - hi, 1);
      contentEnd = poff + (need as u32);
    } else if (contentEnd < poff) contentEnd = poff;
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

/** One element of a capability's array of structs: its K_ELEM record and its fields. */
function arrayElem(sid: i32, prof: u32, v: i32, src: usize, eo: u32, es: u32, i: u32, limit: u32, arrField: i32): i64 {
  rec(K_ELEM, 1, arrField as u32, eo, es, i, 0);
  return emitFields(sid, prof, v, src, eo, limit, 2, 0, es);
}

/**
 * Whether `target` is one of the capabilities from `start` up to (not including) `stop`. The chain
 * walked so far only moves forwards (every next > its cap), so following it from the start ends at
 * `stop`; a backwards link is an error, so this runs once per parse, without a table of visits.
 */
function visitedBefore(src: usize, big: bool, start: u32, stop: u32, target: u32): bool {
  let o = start;
  while (o < stop) {
    if (o == target) return true;
    o = Mem.rd32(src + o + 4, big);
  }
  return false;
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
      if (elemSid >= 0 && count > 0) {
        const es = structSize(elemSid, prof, v);
        // element 0 tells how many records each element produces; the others are produced only
        // when they touch the host's record window (the array end was checked against limit above)
        const mark = recMark();
        const r0 = arrayElem(elemSid, prof, v, src, off + arrOff, es, 0, limit, arrField);
        if (r0 < 0) return r0;
        const per = (recMark() - mark) as u32;
        const lo = 1 + recRunStart(count - 1, per),
          hi = recRunEnd(lo, count, per);
        for (let i: u32 = lo; i < hi; i++) {
          const r = arrayElem(elemSid, prof, v, src, off + arrOff + i * es, es, i, limit, arrField);
          if (r < 0) return r;
        }
        recRunSkip(count - hi, per);
      } else if (elemSid >= 0) {
        // an empty array of structs: nothing to produce
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
