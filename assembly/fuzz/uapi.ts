// Seeded generator for the rest of the uAPI's ioctl arguments (VFIO_DEVICE_FEATURE and its payloads,
// PCI hot reset info / reset, cdev bind / attach / detach, group status, type1 map / unmap / dirty
// pages, GFX plane, ioeventfd, precopy info, SPAPR / EEH), driven by the schema tables: valid cases
// and named near-valid classes. The codec status label follows from the bytes by the argsz rules
// (checked on the host against an independent reading of the schema); kernel answers for these
// ioctls come from the host's model (bindings/oracle/model/uapi.ts), not from this generator.
import * as S from "../generated/status";
import { CASES, NUM_CASES, NUM_UAPI_SIDS, UAPI_SIDS, VFIO_DEVICE_FEATURE_MASK } from "../generated/layout";
import * as C from "../generated/wasm-abi";
import { Prof, wrN } from "../mem";
import {
  CASE_BYTES,
  CASE_SCALAR,
  CASE_STRIDE,
  CASE_STRUCT,
  caseKind,
  caseRef,
  fieldAux,
  fieldOffset,
  fieldPresent,
  fieldShortNeeds,
  fieldType,
  firstField,
  isScalar,
  minsz,
  numFields,
  scalarSizeV,
  structSize,
  T_ARRAY,
  T_PAYLOAD,
  trailingCountLocal,
  trailingLocal,
} from "../tables";
import { below, get32, Rng, setBig } from "./rng";

export let uSid: i32 = 0;
export let uStatus: i32 = 0;
export let uClass: i32 = 0;

/** A struct of the uAPI family (one of UAPI_SIDS). */
export function isUapi(sid: i32): bool {
  if (sid < 0) return false;
  for (let i: u32 = 0; i < NUM_UAPI_SIDS; i++) if ((load<u8>(UAPI_SIDS + i) as i32) == sid) return true;
  return false;
}

/** Random values for every present scalar field of `sid` at p. */
function fill(sid: i32, prof: u32, v: i32, p: usize, big: bool): void {
  const first = firstField(sid),
    n = numFields(sid);
  for (let i = 0; i < n; i++) {
    const fid = first + i,
      t = fieldType(fid);
    if (!isScalar(t) || !fieldPresent(fid, prof)) continue;
    wrN(p + fieldOffset(fid, v), scalarSizeV(t, v), Rng.chance(8) ? (below(256) as u64) : Rng.next64(), big);
  }
}

function hasArray(sid: i32): bool {
  const tl = trailingLocal(sid);
  return tl >= 0 && fieldType(firstField(sid) + tl) == T_ARRAY;
}
/** Element size of array field af: a scalar (aux | 0x80) or a struct. */
function elemSize(af: i32, prof: u32, v: i32): u32 {
  const aux = fieldAux(af);
  return (aux & 0x80) != 0 ? (scalarSizeV((aux & 0x7f) as u32, v) as u32) : structSize(aux, prof, v);
}

/** A struct body at p with its own counted array of n elements; returns its length. */
function body(sid: i32, prof: u32, v: i32, p: usize, n: u32, big: bool): u32 {
  fill(sid, prof, v, p, big);
  if (!hasArray(sid)) return structSize(sid, prof, v);
  const af = firstField(sid) + trailingLocal(sid),
    aux = fieldAux(af);
  const es = elemSize(af, prof, v),
    aoff = fieldOffset(af, v);
  Rng.put32(p + fieldOffset(firstField(sid) + trailingCountLocal(sid), v), n);
  for (let i: u32 = 0; i < n; i++) {
    const e = p + aoff + i * es;
    if ((aux & 0x80) != 0) wrN(e, es as i32, Rng.next64(), big);
    else fill(aux, prof, v, e, big);
  }
  return aoff + n * es;
}

/** Case rows: field (u16), kind | elem << 4, struct id or byte length, mask (u16), value (u16). */
class Case {
  @inline static row(c: i32): usize {
    return CASES + (c as usize) * CASE_STRIDE;
  }
  @inline static mask(c: i32): u32 {
    return load<u16>(Case.row(c), 4) as u32;
  }
  @inline static value(c: i32): u32 {
    return load<u16>(Case.row(c), 6) as u32;
  }
}
/** The k-th payload case of payload field pf (-1 when it has fewer). */
function nthCase(pf: i32, k: i32): i32 {
  let seen = 0;
  for (let i = 0; i < NUM_CASES; i++) {
    if ((load<u16>(Case.row(i)) as i32) != pf) continue;
    if (seen == k) return i;
    seen++;
  }
  return -1;
}
function numCases(pf: i32): i32 {
  let n = 0;
  while (nthCase(pf, n) >= 0) n++;
  return n;
}
/** A payload case the class can use: with a counted array (count-past), with bytes (payload-partial), or any. */
function pickCase(pf: i32, cls: i32): i32 {
  const n = numCases(pf),
    start = below(n as u32) as i32;
  for (let k = 0; k < n; k++) {
    const c = nthCase(pf, (start + k) % n),
      kind = caseKind(c);
    if (cls == C.C_U_COUNT_PAST) {
      if (kind == CASE_STRUCT && hasArray(caseRef(c))) return c;
    } else if (cls == C.C_U_PAYLOAD_PARTIAL) {
      if ((kind == CASE_STRUCT && structSize(caseRef(c), 0, 0) > 1) || kind == CASE_BYTES) return c;
    } else if (kind != CASE_SCALAR) return c;
  }
  return -1;
}

/** Where a case's counted array is (for count-past): count field, element size, array offset. */
class Arr {
  static countAt: i32 = -1;
  static elem: u32 = 0;
  static at: u32 = 0;
  static needs: bool = false;
  static set(countAt: u32, elem: u32, at: u32, needs: bool): void {
    Arr.countAt = countAt as i32;
    Arr.elem = elem;
    Arr.at = at;
    Arr.needs = needs;
  }
}

/** The payload picked through the selector; returns the content length (cls may be downgraded). */
function genPayload(sid: i32, tf: i32, prof: u32, v: i32, dst: usize, cls: i32, big: bool): u32 {
  const first = firstField(sid);
  const selAt = dst + fieldOffset(first + fieldAux(tf), v),
    poff = fieldOffset(tf, v);
  const c = pickCase(tf, cls);
  const any = c < 0 ? nthCase(tf, 0) : c;
  const mask = Case.mask(any);
  const keep = get32(selAt) & ~mask;
  if (cls == C.C_U_SELECTOR_UNKNOWN) {
    // a feature index past every defined one selects no payload
    if (mask == VFIO_DEVICE_FEATURE_MASK) Rng.put32(selAt, keep | (0x100 + below(mask - 0x100)));
    else uClass = C.C_U_ARGSZ_SLACK;
    return poff;
  }
  if (c < 0) {
    uClass = C.C_U_ARGSZ_SLACK;
    Rng.put32(selAt, keep | Case.value(any));
    return poff;
  }
  Rng.put32(selAt, keep | Case.value(c));
  const kind = caseKind(c);
  if (kind == CASE_STRUCT) {
    const ps = caseRef(c);
    const n: u32 = hasArray(ps) ? below(4) : 0;
    const end = poff + body(ps, prof, v, dst + poff, n, big);
    if (hasArray(ps)) {
      const af = firstField(ps) + trailingLocal(ps);
      Arr.set(
        poff + fieldOffset(firstField(ps) + trailingCountLocal(ps), v),
        elemSize(af, prof, v),
        poff + fieldOffset(af, v),
        false,
      );
    }
    // argsz covers part of the payload: the rest is not part of the argument (slack to the codec)
    if (cls == C.C_U_PAYLOAD_PARTIAL) return poff + 1 + below(structSize(ps, prof, v) - 1);
    return end;
  }
  if (kind == CASE_BYTES) {
    const n = caseRef(c) as u32;
    for (let i: u32 = 0; i < n; i++) store<u8>(dst + poff + i, below(256) as u8);
    if (cls == C.C_U_PAYLOAD_PARTIAL) return poff + 1 + below(n - 1);
    return poff + n;
  }
  if (cls == C.C_U_PAYLOAD_PARTIAL) uClass = C.C_U_ARGSZ_SLACK;
  return poff;
}

/**
 * One case of a uAPI argument struct (sid < 0: any of them) of class cls (< 0: drawn). Writes it at
 * dst and returns its length; uSid / uClass / uStatus label it. A class the struct cannot carry
 * (count-past on vfio_group_status) becomes argsz-slack.
 */
export function genUapi(sid: i32, prof: u32, dst: usize, cls: i32): u32 {
  const big = setBig(prof),
    v = Prof.variantOf(prof);
  if (sid < 0) sid = load<u8>(UAPI_SIDS + below(NUM_UAPI_SIDS)) as i32;
  if (cls < 0) cls = Rng.chance(6) ? C.C_U_VALID : C.U_FIRST + 1 + (below((C.U_LAST - C.U_FIRST) as u32) as i32);
  uClass = cls;
  Arr.set(0xffffffff, 0, 0, false);
  const first = firstField(sid),
    size = structSize(sid, prof, v),
    ms = minsz(sid);
  memory.fill(dst, 0, C.BUF_CAP);
  fill(sid, prof, v, dst, big);
  let len = size;
  const tl = trailingLocal(sid),
    tf = tl >= 0 ? first + tl : -1;
  if (tf >= 0 && fieldType(tf) == T_PAYLOAD) len = genPayload(sid, tf, prof, v, dst, cls, big);
  else if (tf >= 0 && fieldType(tf) == T_ARRAY) {
    len = body(sid, prof, v, dst, below(5), big);
    Arr.set(
      fieldOffset(first + trailingCountLocal(sid), v),
      elemSize(tf, prof, v),
      fieldOffset(tf, v),
      fieldShortNeeds(tf),
    );
  } else if (cls == C.C_U_PAYLOAD_PARTIAL || cls == C.C_U_SELECTOR_UNKNOWN) uClass = C.C_U_ARGSZ_SLACK;
  if (len < size && uClass != C.C_U_PAYLOAD_PARTIAL) len = size;
  if (uClass == C.C_U_COUNT_PAST) {
    if (Arr.countAt < 0) uClass = C.C_U_ARGSZ_SLACK;
    else {
      // a count whose elements argsz cannot hold
      const room = len > Arr.at ? (len - Arr.at) / Arr.elem : 0;
      Rng.put32(dst + (Arr.countAt as usize), room + 1 + below(1000));
    }
  }
  let argsz = len;
  if (uClass == C.C_U_ARGSZ_SLACK) {
    const extra: u32 = 1 + below(24);
    len += extra;
    argsz = len;
  } else if (uClass == C.C_U_ARGSZ_MIN) argsz = below(ms);
  else if (uClass == C.C_U_ARGSZ_OVER) argsz = len + 1 + below(4096);
  Rng.put32(dst + fieldOffset(first, v), argsz);
  if (uClass == C.C_U_SHORT) len = 1 + below(ms - 1); // at least one byte: an empty case says nothing
  uSid = sid;
  uStatus = statusOf(uClass, Arr.needs);
  return len;
}

/** The codec status each class's bytes produce (the host re-derives it from the schema). */
function statusOf(cls: i32, needs: bool): i32 {
  if (cls == C.C_U_ARGSZ_MIN) return S.E_ARGSZ_MIN;
  if (cls == C.C_U_ARGSZ_OVER) return S.E_ARGSZ_OVER;
  if (cls == C.C_U_SHORT) return S.E_SHORT;
  if (cls == C.C_U_COUNT_PAST) return needs ? S.NEEDS_ARGSZ : S.E_PAYLOAD_SHORT;
  return S.OK;
}
