// Encode: values (kernel field names, as decode() returns them) -> bytes, through the wasm core.
// Two modes for capability chains:
//  * exact: every cap carries `offset` (as decoded) -> bytes are laid out where they were, with the
//    recorded gaps, slack and tail, so encode(decode(b)) reproduces b byte for byte;
//  * kernel: caps without offsets -> built like vfio_info_cap_add + vfio_info_cap_shift (back to
//    back, 8-aligned from 6.6, zero padding; "too small" replies when argsz cannot hold them).
import { REGION, bytesAt, checkSize, dataAt, reserveCall, u32At, u64At } from "./memory.js";
import { type Scalar, arrayOf, bytesOf, intOf, objectOf, offsetOf } from "./encode-check.js";
import { type WasmExports, wasm } from "./loader.js";
import { resolveProfile, variantIndex, sizeInRelease, type ResolvedProfile } from "./profile.js";
import { structByName, structFields, capEntry, type SchemaStruct } from "./schema-index.js";
import { SCHEMA, type StructName, type StructTypes } from "./generated/schema.js";
import { EncodeError, UsageError, Status, statusName } from "./errors.js";
import type { EncodeOptions, DecodedCap, DecodeMeta } from "./types.js";
import { encodeMessage } from "./vfio-user.js";

type Val = Record<string, unknown>;
const ARGSZ_AUTO = 0xffffffff;

/**
 * A value for a field of type `scalar` (a pointer is 64 bits on lp64, 32 on ilp32), checked: no
 * wrap-around past the type, no negative unsigned value, only integers. Absent (undefined, null) is 0.
 */
function fieldInt(raw: unknown, scalar: string, what: string, model = "lp64"): bigint {
  if (raw === undefined || raw === null) return 0n;
  const t = (scalar === "ptr" ? (model === "lp64" ? "u64" : "u32") : scalar) as Scalar;
  return intOf(raw, t, what);
}

class Out {
  readonly w: WasmExports;
  readonly base: number;
  readonly vals: number;
  readonly list: number;
  readonly dst: number;
  readonly scratch: number;
  constructor(
    readonly size: number,
    scratchSize: number,
    ncaps = 0,
  ) {
    const listBytes = Math.max(1024, ncaps * 8);
    // a call too large for the long-lived instance runs on a fresh one (the memory policy)
    const call = reserveCall(REGION.codec, 1024 + listBytes + size + scratchSize + 64, "encode");
    this.w = call.w;
    this.base = call.at;
    this.vals = this.base; // 64 x u64
    this.list = this.base + 1024; // cap list: (ptr, len) per capability
    this.dst = this.list + listBytes;
    this.scratch = (this.dst + size + 15) & ~15;
    bytesAt(this.w, this.dst, size).fill(0);
  }
  bytes(at: number, n: number) {
    return bytesAt(this.w, this.dst + at, n);
  }
}

/** Write the scalar fields of struct s at absolute wasm address `at` (region of `room` bytes). */
function writeFields(
  o: Out,
  s: SchemaStruct,
  prof: ResolvedProfile,
  at: number,
  room: number,
  value: Val,
  version: number,
  pathPrefix: string,
) {
  const vals = u64At(o.w, o.vals, 64);
  const fields = structFields(s);
  fields.forEach((f, i) => {
    if (!f.scalar) {
      vals[i] = 0n;
      return;
    }
    let raw: unknown = value;
    for (const part of f.path.split(".")) raw = (raw as Val | undefined)?.[part];
    // a union member under another name (devid for group_id, dmabuf_id for region_index)
    for (const a of f.alt ?? []) if (raw === undefined) raw = (value as Val)[a.name];
    vals[i] = fieldInt(raw, f.scalar, pathPrefix + f.path, prof.model);
  });
  const r = o.w.encode_fields(s.id, prof.word, at, room, o.vals, version);
  if (r < 0)
    throw new EncodeError(
      statusName(r),
      `${s.name} does not fit in ${room} bytes at ${pathPrefix || "start"}`,
      0,
      pathPrefix || null,
    );
  return r;
}

function capStruct(host: SchemaStruct, cap: DecodedCap, prof: ResolvedProfile): SchemaStruct | null {
  if (cap.struct) return structByName(cap.struct);
  const e = capEntry(host.name, cap.header?.id, prof.proposals);
  return e ? structByName(e.struct) : null;
}

/** Encoded size of one capability (known prefix for its version + trailing array). */
function capLayout(cs: SchemaStruct | null, cap: DecodedCap & Val, prof: ResolvedProfile) {
  const w = wasm();
  if (!cs) {
    const body = (cap.body as Uint8Array | undefined) ?? new Uint8Array(0);
    return {
      size: 8 + body.length,
      known: 8,
      trailing: null as null | { f: (typeof SCHEMA.fields)[number]; off: number; elemSize: number; n: number },
      kernelSize: 8 + body.length,
    };
  }
  const version = cap.header?.version ?? Math.max(...((cs.versions as readonly number[] | null) ?? [1]));
  const known = w.cap_known_size(cs.id, version, prof.word);
  const fields = structFields(cs);
  const tf = fields.find((f) => f.type === "array" || f.type === "bytes");
  // What vfio_info_add_capability() copies: sizeof(struct) for this version, i.e. the known prefix
  // rounded up to the struct's alignment (zPCI base v2: 36 -> 40, group v1: 39 -> 40).
  const align = cs.align[variantIndex(prof)] as number;
  if (!tf) return { size: known, known, trailing: null, kernelSize: Math.ceil(known / align) * align };
  const off = tf.offsets[variantIndex(prof)];
  const items = cap[tf.name] as unknown[] | Uint8Array | undefined;
  const elemSize = tf.type === "bytes" ? 1 : w.struct_size(structByName(tf.of!).id, prof.word);
  const n = items ? items.length : 0;
  const size = Math.max(known, off + n * elemSize);
  return { size, known, trailing: { f: tf, off, elemSize, n }, kernelSize: size };
}

function writeCap(
  o: Out,
  host: SchemaStruct,
  cap: DecodedCap & Val,
  prof: ResolvedProfile,
  at: number,
  room: number,
  idx: number,
) {
  const cs = capStruct(host, cap, prof);
  const lay = capLayout(cs, cap, prof);
  const prefix = `caps[${idx}].`;
  if (lay.size > room)
    throw new EncodeError(
      "E_VALUE",
      `capability ${idx} (${lay.size} bytes) does not fit before the next one or the end (${room} bytes)`,
      0,
      `caps[${idx}]`,
    );
  if (!cs) {
    writeFields(
      o,
      SCHEMA.structs[0] as unknown as SchemaStruct,
      prof,
      at,
      room,
      cap.header as unknown as Val,
      0,
      `${prefix}header.`,
    );
    const body = cap.body as Uint8Array | undefined;
    if (body) bytesAt(o.w, at + 8, body.length).set(body);
    return lay.size;
  }
  const version = cap.header?.version ?? Math.max(...((cs.versions as readonly number[] | null) ?? [1]));
  const v: Val = { ...cap, header: { id: cap.header?.id ?? cs.capId, version, next: cap.header?.next ?? 0 } };
  if (lay.trailing) {
    const cf = structFields(cs).find((f) => f.name === lay.trailing!.f.count);
    if (cf && v[cf.name] === undefined) v[cf.name] = lay.trailing.n;
  }
  writeFields(o, cs, prof, at, room, v, version, prefix);
  if (lay.trailing) {
    const t = lay.trailing;
    const items = cap[t.f.name] ?? [];
    if (t.f.type === "bytes") bytesAt(o.w, at + t.off, t.n).set(items as Uint8Array);
    else {
      const es = structByName(t.f.of!);
      (items as Val[]).forEach((e, i) => {
        writeFields(o, es, prof, at + t.off + i * t.elemSize, t.elemSize, e, 0, `${prefix}${t.f.name}[${i}].`);
      });
    }
  }
  return lay.size;
}

type SField = ReturnType<typeof structFields>[number];
interface Trail {
  field: SField;
  offset: number;
  bytes: number;
  write: (o: Out, at: number) => void;
}

/** Bytes of a struct body: its fixed part plus its own trailing array (dma_buf.dma_ranges). */
function bodyPlan(
  ps: SchemaStruct,
  value: Val,
  prof: ResolvedProfile,
  prefix: string,
): { bytes: number; write: (o: Out, at: number) => void } {
  const w = wasm();
  const size = w.struct_size(ps.id, prof.word);
  const fs = structFields(ps);
  const af = fs.find((f) => f.type === "array");
  const arr = af ? arrayPlan(ps, af, value, prof, prefix) : null;
  return {
    bytes: arr ? Math.max(size, arr.offset + arr.bytes) : size,
    write: (o, at) => {
      writeFields(o, ps, prof, at, size, value, 0, prefix);
      arr?.write(o, at + arr.offset);
    },
  };
}

/** A counted array member of `st`: elements from value[name]; the count field is filled when absent. */
function arrayPlan(st: SchemaStruct, af: SField, value: Val, prof: ResolvedProfile, prefix: string): Trail {
  const w = wasm();
  const items = (value[af.name] ?? []) as unknown[];
  if (!Array.isArray(items))
    throw new EncodeError("E_VALUE", `${prefix}${af.name} must be an array`, 0, prefix + af.name);
  const cf = structFields(st).find((f) => f.name === af.count);
  if (cf && value[cf.name] === undefined) value[cf.name] = items.length;
  const offset = af.offsets[variantIndex(prof)];
  const scalar = !SCHEMA.structs.some((x) => x.name === af.of);
  if (scalar) {
    const es = af.of === "s32" || af.of === "u32" ? 4 : af.of === "u16" ? 2 : af.of === "u8" ? 1 : 8;
    const vals = items.map((x, i) => fieldInt(x, af.of!, `${prefix}${af.name}[${i}]`, prof.model));
    return {
      field: af,
      offset,
      bytes: items.length * es,
      write: (o, at) => {
        const dv = dataAt(o.w, at, items.length * es);
        vals.forEach((x, i) => dv.setInt32(i * es, Number(BigInt.asIntN(32, x)), prof.endian === "little"));
      },
    };
  }
  const es = structByName(af.of!);
  const esz = w.struct_size(es.id, prof.word);
  return {
    field: af,
    offset,
    bytes: items.length * esz,
    write: (o, at) =>
      (items as Val[]).forEach((e, i) =>
        writeFields(o, es, prof, at + i * esz, esz, e, 0, `${prefix}${af.name}[${i}].`),
      ),
  };
}

/** The trailing member of `s` for this value: a selector-chosen payload or a counted array. */
function planTrailing(s: SchemaStruct, v: Val, prof: ResolvedProfile, opts: EncodeOptions): Trail | null {
  if (s.trailingLocal < 0 || s.kind === "cap") return null;
  const tf = structFields(s)[s.trailingLocal];
  if (tf.type === "array") return arrayPlan(s, tf, v, prof, "");
  if (tf.type !== "payload") return null;
  const offset = tf.offsets[variantIndex(prof)];
  const sf = structFields(s)[tf.selectorLocal];
  const sel = Number(fieldInt(v[sf.name], sf.scalar!, sf.name) & 0xffffffffn);
  const c = SCHEMA.cases.find((x) => x.field === tf.id && (sel & x.mask) >>> 0 === x.value);
  const data = v[tf.name];
  const flagsHex = `0x${sel.toString(16)}`;
  if (c?.kind === "scalar") {
    const given = data === undefined || data === null ? [] : arrayOf(data, tf.name);
    const elem = c.elem === "u8" ? 1 : 4;
    // sized before its elements are checked: a payload too large is refused at once
    checkSize(offset + given.length * elem, opts, `encode ${s.name}`);
    const vals = given.map((x, i) => Number(BigInt.asIntN(32, fieldInt(x, c.elem!, `${tf.name}[${i}]`))));
    return {
      field: tf,
      offset,
      bytes: vals.length * elem,
      write: (o, at) => {
        const dv = dataAt(o.w, at, vals.length * elem);
        vals.forEach((x, i) => (elem === 1 ? dv.setUint8(i, x) : dv.setInt32(i * 4, x | 0, prof.endian === "little")));
      },
    };
  }
  const empty = data === undefined || data === null || (Array.isArray(data) && data.length === 0);
  if (empty) return null;
  if (c?.kind === "struct") {
    if (typeof data !== "object" || data instanceof Uint8Array || Array.isArray(data))
      throw new EncodeError(
        "E_VALUE",
        `${tf.name} must be a ${c.struct} object for flags ${flagsHex}`,
        offset,
        tf.name,
      );
    const body = bodyPlan(structByName(c.struct!), data as Val, prof, `${tf.name}.`);
    return { field: tf, offset, ...body };
  }
  if (c?.kind === "bytes") {
    if (!(data instanceof Uint8Array) || data.length !== c.bytes)
      throw new EncodeError(
        "E_VALUE",
        `${tf.name} must be ${c.bytes} bytes (a Uint8Array) for flags ${flagsHex}`,
        offset,
        tf.name,
      );
    return {
      field: tf,
      offset,
      bytes: c.bytes,
      write: (o, at) => bytesAt(o.w, at, c.bytes).set(data),
    };
  }
  const what = Array.isArray(data) ? `${data.length} elements` : "a value";
  throw new EncodeError(
    "E_VALUE",
    `${tf.name} has ${what} but flags ${flagsHex} select no payload${s.name === "vfio_irq_set" ? " (exactly one of DATA_BOOL, DATA_EVENTFD)" : ""}`,
    offset,
    tf.name,
  );
}

/** Encode a struct value. See the module comment for the two chain modes. */
export function encode<N extends StructName>(
  structName: N | string,
  value: Partial<N extends StructName ? StructTypes[N] : Val> & {
    $?: Partial<DecodeMeta>;
    caps?: Partial<DecodedCap>[];
  },
  opts: EncodeOptions = {},
): Uint8Array {
  const s = structByName(structName);
  if (value === null || typeof value !== "object")
    throw new UsageError("E_BAD_ARG", `encode ${s.name}: value must be an object`, 0, null);
  if (s.kind === "message") return encodeMessage(value as never, opts);
  return encodeStruct(s, value as Val, opts);
}

/** The checked `$` of a value: free-form bytes (gaps, slack, tail), where they go, and the length. */
interface Meta {
  gaps: { offset: number; bytes: Uint8Array }[];
  slack?: Uint8Array;
  slackOffset?: number;
  tail?: Uint8Array;
  tailOffset?: number;
  length?: number;
}
/** Offsets and lengths beyond this cannot be a buffer (checkSize refuses the total later, typed). */
const MAX_OFFSET = 2 ** 48;
function metaOf(v: Val): Meta {
  const m = v.$ === undefined || v.$ === null ? {} : objectOf(v.$, "$");
  const given = (k: string) => m[k] !== undefined && m[k] !== null;
  const off = (k: string) => (given(k) ? offsetOf(m[k], `$.${k}`, MAX_OFFSET) : undefined);
  const bytes = (k: string) => (given(k) ? bytesOf(m[k], `$.${k}`) : undefined);
  const gaps = given("gaps") ? arrayOf(m.gaps, "$.gaps") : [];
  return {
    gaps: gaps.map((g, i) => {
      const o = objectOf(g, `$.gaps[${i}]`);
      return {
        offset: offsetOf(o.offset, `$.gaps[${i}].offset`, MAX_OFFSET),
        bytes: bytesOf(o.bytes, `$.gaps[${i}].bytes`),
      };
    }),
    slack: bytes("slack"),
    slackOffset: off("slackOffset"),
    tail: bytes("tail"),
    tailOffset: off("tailOffset"),
    length: off("length"),
  };
}

/**
 * Exact layout: each capability where its `offset` says. The offsets must describe a chain the
 * decoder reads back: after the fixed struct, 4-aligned, in increasing order without overlaps and
 * inside argsz; `next` and `cap_offset`, when given, must agree with them, and are filled in when
 * not (in `caps` and `fixedVal`). Anything else would overwrite the struct or another capability.
 */
function exactChain(
  s: SchemaStruct,
  fixedVal: Val,
  caps: (DecodedCap & Val)[],
  sizes: { size: number }[],
  fixed: number,
  argsz: bigint | null,
): void {
  if (!s.caps) throw new EncodeError("E_VALUE", `${s.name} has no capability chain`, 0, "caps");
  const offs = caps.map((c, i) => offsetOf(c.offset, `caps[${i}].offset`, MAX_OFFSET));
  let prevEnd = fixed;
  offs.forEach((off, i) => {
    const path = `caps[${i}].offset`;
    const fail = (msg: string, at = off, field = path) => {
      throw new EncodeError("E_VALUE", msg, at, field);
    };
    if (off < fixed) fail(`${path} ${off} is inside the ${fixed}-byte fixed ${s.name}`);
    if (off % 4 !== 0) fail(`${path} ${off} is not 4-byte aligned (the chain's links must be)`);
    if (off < prevEnd)
      fail(`${path} ${off} overlaps the capability before it (it ends at ${prevEnd}); caps go in chain order`);
    prevEnd = off + sizes[i].size;
    if (argsz !== null && BigInt(prevEnd) > argsz)
      fail(`caps[${i}] ends at ${prevEnd}, past argsz ${argsz}`, off, `caps[${i}]`);
    const next = i + 1 < offs.length ? offs[i + 1] : 0;
    const h = (caps[i].header ?? {}) as Val;
    if (h.next !== undefined && h.next !== null && fieldInt(h.next, "u32", `caps[${i}].header.next`) !== BigInt(next))
      fail(
        `caps[${i}].header.next is ${h.next} but ${i + 1 < offs.length ? `the next capability is at ${next}` : "it is the last capability (0)"}`,
        off + 4,
        `caps[${i}].header.next`,
      );
    caps[i] = { ...caps[i], header: { ...h, next } } as DecodedCap & Val;
  });
  const field = s.caps!.offsetField;
  const given = fixedVal[field];
  if (given !== undefined && given !== null && fieldInt(given, "u32", field) !== BigInt(offs[0]))
    throw new EncodeError("E_VALUE", `${field} is ${given} but the first capability is at ${offs[0]}`, 0, field);
  fixedVal[field] = offs[0];
}

/** encode() for one struct (a vfio-user message header is one too: its fields, without the body). */
export function encodeStruct(
  s: SchemaStruct,
  value: Val & { $?: Partial<DecodeMeta>; caps?: Partial<DecodedCap>[] },
  opts: EncodeOptions = {},
): Uint8Array {
  const prof = resolveProfile(opts);
  const w = wasm();
  const v = objectOf(value, "");
  const meta = metaOf(v);
  const fixed = w.struct_size(s.id, prof.word);
  const caps = (v.caps === undefined || v.caps === null ? [] : arrayOf(v.caps, "caps")).map((c, i) =>
    objectOf(c, `caps[${i}]`),
  ) as (DecodedCap & Val)[];

  // trailing member: payload picked by the selector, or a counted array
  const tv: Val = { ...v };
  const trail = planTrailing(s, tv, prof, opts);
  const pf = trail?.field;
  const withOffset = caps.filter((c) => c.offset !== undefined && c.offset !== null).length;
  if (withOffset && withOffset < caps.length)
    throw new EncodeError(
      "E_VALUE",
      "either every capability has an offset (exact layout, as decoded) or none (kernel layout)",
      0,
      `caps[${caps.findIndex((c) => c.offset === undefined || c.offset === null)}].offset`,
    );
  const exact = caps.length > 0 && withOffset === caps.length;
  const argszGiven = v.argsz !== undefined && v.argsz !== null;
  // Extent of what we know how to place.
  // argsz-extensible structs are as long as in the profile's release (bind_iommufd: 16 before 6.17)
  const eraFixed = sizeInRelease(s, prof) ?? fixed;
  let end = eraFixed;
  if (trail) end = Math.max(end, trail.offset + trail.bytes);
  const capSizes = caps.map((c) => capLayout(capStruct(s, c, prof), c, prof));
  if (exact) exactChain(s, tv, caps, capSizes, fixed, argszGiven ? fieldInt(v.argsz, "u32", "argsz") : null);
  if (exact)
    caps.forEach((c, i) => {
      end = Math.max(end, c.offset + capSizes[i].size);
    });
  for (const g of meta.gaps ?? []) end = Math.max(end, g.offset + g.bytes.length);
  if (meta.slack) end = Math.max(end, (meta.slackOffset ?? end) + meta.slack.length);
  if (meta.tail) end = Math.max(end, (meta.tailOffset ?? end) + meta.tail.length);
  let kernelCapsTotal = 0;
  if (!exact && caps.length) {
    const align8 = prof.epoch === "6.7";
    kernelCapsTotal = capSizes.reduce((a, c) => a + (align8 ? (c.kernelSize + 7) & ~7 : c.kernelSize), 0);
  }
  const total = Math.max(
    end,
    meta.length ?? 0,
    eraFixed + kernelCapsTotal + (meta.slack && !exact && caps.length ? meta.slack.length : 0),
  );
  checkSize(total, opts, `encode ${s.name}`); // before any memory is asked for
  const o = new Out(Math.max(total, fixed) + 8, kernelCapsTotal + caps.length * 16 + 64, caps.length);
  const fixedVal: Val = tv;
  if (!argszGiven)
    fixedVal.argsz = trail && pf?.type === "payload" ? Math.max(eraFixed, trail.offset + trail.bytes) : total;
  writeFields(o, s, prof, o.dst, Math.max(fixed, total), fixedVal, 0, "");
  trail?.write(o, o.dst + trail.offset);
  let length = total;
  if (caps.length && exact) {
    caps.forEach((c, i) => {
      writeCap(o, s, c, prof, o.dst + c.offset, total - c.offset, i); // placed by exactChain
    });
  } else if (caps.length) {
    // kernel mode: encode each cap into scratch, then let the wasm core chain them
    let at = o.scratch;
    const list = u32At(w, o.list, caps.length * 2);
    caps.forEach((c, i) => {
      const size = capSizes[i].kernelSize;
      bytesAt(w, at, size).fill(0);
      writeCap(o, s, c, prof, at, size, i);
      list[i * 2] = at;
      list[i * 2 + 1] = size;
      at = (at + size + 15) & ~15;
    });
    const argszSupplied = argszGiven ? Number(fieldInt(v.argsz, "u32", "argsz")) : ARGSZ_AUTO;
    const r = w.caps_build(s.id, prof.word, o.dst, o.size, fixed, argszSupplied, o.list, caps.length);
    if (r < 0)
      throw new EncodeError(statusName(r), `building the capability chain failed: ${statusName(r)}`, 0, "caps");
    length = Math.max(r, argszGiven ? Math.min(argszSupplied, total) : r);
    if (r === fixed && argszSupplied !== ARGSZ_AUTO && argszSupplied < fixed + kernelCapsTotal)
      length = Math.max(fixed, Math.min(argszSupplied, total));
  }
  for (const g of meta.gaps ?? []) o.bytes(g.offset, g.bytes.length).set(g.bytes);
  if (meta.slack) o.bytes(meta.slackOffset ?? length, meta.slack.length).set(meta.slack);
  if (meta.tail) o.bytes(meta.tailOffset ?? length, meta.tail.length).set(meta.tail);
  if (meta.length !== undefined) length = meta.length;
  return o.bytes(0, length).slice();
}

/** The argsz two-call protocol: a request for the retry with the size the reply asked for. */
export function retryRequest(
  structName: string,
  reply: { argsz?: number; index?: number; $?: Partial<DecodeMeta> },
  opts: EncodeOptions = {},
): Uint8Array {
  const need = reply.$?.needsArgsz;
  if (need === undefined) throw new UsageError("E_BAD_ARG", "the reply does not ask for a larger argsz", 0, "argsz");
  const s = structByName(structName);
  const req: Val = { argsz: need, $: { length: need } };
  if (structFields(s).some((f) => f.name === "index")) req.index = reply.index ?? 0;
  return encode(s.name, req as never, opts);
}

export { Status };
