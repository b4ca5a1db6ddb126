// Encode: values (kernel field names, as decode() returns them) -> bytes, through the wasm core.
// Two modes for capability chains:
//  * exact: every cap carries `offset` (as decoded) -> bytes are laid out where they were, with the
//    recorded gaps, slack and tail, so encode(decode(b)) reproduces b byte for byte;
//  * kernel: caps without offsets -> built like vfio_info_cap_add + vfio_info_cap_shift (back to
//    back, 8-aligned from 6.6, zero padding; "too small" replies when argsz cannot hold them).
import {
  SIZEOF_VFIO_IRQ_SET,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
} from "./generated/constants.js";
import { REGION, bytesAt, checkSize, dataAt, describe, reserveCall, u32At, u64At } from "./memory.js";
import {
  type Scalar,
  Spans,
  arrayOf,
  bytesOf,
  checkNested,
  intOf,
  isObject,
  objectOf,
  offsetOf,
  valueAt,
  variantOf,
} from "./encode-check.js";
import type { BodyMode } from "./decode.js";
import { type WasmExports, wasm } from "./loader.js";
import { resolveProfile, type ResolvedProfile } from "./profile.js";
import { structByName, structFields, capEntry, type SchemaField, type SchemaStruct } from "./schema-index.js";
import { SCHEMA, type StructName, type StructTypes } from "./generated/schema.js";
import { EncodeError, UsageError, Status, statusName } from "./errors.js";
import type { EncodeOptions, DecodedCap, DecodeMeta } from "./types.js";
import { encodeMessage } from "./vfio-user.js";

type Val = Record<string, unknown>;
const ARGSZ_AUTO = 0xffffffff;

/** A field's value checked against its type (absent is 0), before the field is written. */
function fieldValue(v: Val, f: SchemaField): bigint {
  const raw = v[f.name];
  return raw === undefined || raw === null ? 0n : intOf(raw, f.scalar as Scalar, f.name);
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
  checkNested(s, fields, value, pathPrefix);
  fields.forEach((f, i) => {
    const raw = f.scalar ? valueAt(value, f.path) : undefined;
    vals[i] = raw === undefined || raw === null ? 0n : intOf(raw, f.scalar as Scalar, pathPrefix + f.path);
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

function capStruct(host: SchemaStruct, cap: Val, prof: ResolvedProfile, idx: number): SchemaStruct | null {
  if (cap.struct !== undefined && cap.struct !== null) {
    if (typeof cap.struct !== "string")
      throw new EncodeError("E_VALUE", `caps[${idx}].struct must be a struct name`, 0, `caps[${idx}].struct`);
    return structByName(cap.struct);
  }
  const h = cap.header === undefined || cap.header === null ? {} : objectOf(cap.header, `caps[${idx}].header`);
  const id = h.id === undefined ? undefined : Number(intOf(h.id, "u16", `caps[${idx}].header.id`));
  const e = capEntry(host.name, id as number, prof.proposals);
  return e ? structByName(e.struct) : null;
}

interface Trailing {
  f: SchemaField;
  off: number;
  elemSize: number;
  n: number;
}
interface CapLayout {
  cs: SchemaStruct | null;
  version: number;
  size: number;
  known: number;
  trailing: Trailing | null;
  kernelSize: number;
}

/** Encoded size of one capability (known prefix for its version + trailing array), its values checked. */
function capLayout(host: SchemaStruct, cap: Val, prof: ResolvedProfile, idx: number): CapLayout {
  const w = wasm();
  const prefix = `caps[${idx}].`;
  const cs = capStruct(host, cap, prof, idx);
  const h = cap.header === undefined || cap.header === null ? {} : objectOf(cap.header, `${prefix}header`);
  if (!cs) {
    const body = cap.body === undefined || cap.body === null ? new Uint8Array(0) : bytesOf(cap.body, `${prefix}body`);
    return { cs, version: 0, size: 8 + body.length, known: 8, trailing: null, kernelSize: 8 + body.length };
  }
  const latest = Math.max(...((cs.versions as readonly number[] | null) ?? [1]));
  const version =
    h.version === undefined || h.version === null ? latest : Number(intOf(h.version, "u16", `${prefix}header.version`));
  const known = w.cap_known_size(cs.id, version, prof.word);
  const fields = structFields(cs);
  const tf = fields.find((f) => f.type === "array" || f.type === "bytes");
  // What vfio_info_add_capability() copies: sizeof(struct) for this version, i.e. the known prefix
  // rounded up to the struct's alignment (zPCI base v2: 36 -> 40, group v1: 39 -> 40).
  const align = cs.align[variantOf(prof)] as number;
  if (!tf) return { cs, version, size: known, known, trailing: null, kernelSize: Math.ceil(known / align) * align };
  const off = tf.offsets[variantOf(prof)];
  const raw = cap[tf.name];
  let n = 0;
  if (raw !== undefined && raw !== null) {
    if (tf.type === "bytes") n = bytesOf(raw, prefix + tf.name).length;
    else n = arrayOf(raw, prefix + tf.name).map((e, i) => objectOf(e, `${prefix}${tf.name}[${i}]`)).length;
  }
  const elemSize = tf.type === "bytes" ? 1 : w.struct_size(structByName(tf.of!).id, prof.word);
  const size = Math.max(known, off + n * elemSize);
  return { cs, version, size, known, trailing: { f: tf, off, elemSize, n }, kernelSize: size };
}

/** The spans one capability at `at` places: header and fields of its version, array elements or body bytes. */
function capSpans(spans: Spans, lay: CapLayout, prof: ResolvedProfile, at: number, idx: number, fine: boolean) {
  const prefix = `caps[${idx}].`;
  if (!lay.cs) {
    spans.addFields(structFields(SCHEMA.structs[0] as unknown as SchemaStruct), at, prof, prefix);
    spans.add(at + 8, lay.size - 8, `${prefix}body`);
    return;
  }
  if (!fine) {
    spans.add(at, lay.size, `caps[${idx}]`);
    return;
  }
  spans.addFields(structFields(lay.cs), at, prof, prefix, lay.version === 0 ? 1 : lay.version);
  const t = lay.trailing;
  if (!t || t.n === 0) return;
  if (t.f.type === "bytes") spans.add(at + t.off, t.n, prefix + t.f.name);
  else {
    const es = structFields(structByName(t.f.of!));
    for (let i = 0; i < t.n; i++) spans.addFields(es, at + t.off + i * t.elemSize, prof, `${prefix}${t.f.name}[${i}].`);
  }
}

function writeCap(o: Out, lay: CapLayout, cap: Val, prof: ResolvedProfile, at: number, room: number, idx: number) {
  const cs = lay.cs;
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
      (cap.header ?? {}) as Val,
      0,
      `${prefix}header.`,
    );
    const body = cap.body as Uint8Array | undefined;
    if (body) bytesAt(o.w, at + 8, body.length).set(body);
    return lay.size;
  }
  const h = (cap.header ?? {}) as Val;
  const v: Val = { ...cap, header: { id: h.id ?? cs.capId, version: lay.version, next: h.next ?? 0 } };
  if (lay.trailing) {
    const cf = structFields(cs).find((f) => f.name === lay.trailing!.f.count);
    // left out, the count is the array's; given, it is written as given (a count that lies is a
    // legitimate test input for a kernel or a decoder, and changes no byte's position)
    if (cf && v[cf.name] === undefined) v[cf.name] = lay.trailing.n;
  }
  writeFields(o, cs, prof, at, room, v, lay.version === 0 ? 1 : lay.version, prefix);
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
  if (!isObject(value))
    throw new UsageError("E_BAD_ARG", `encode ${s.name}: value must be an object, not ${describe(value)}`, 0, null);
  if (s.kind === "message") return encodeMessage(value as never, opts);
  return encodeStruct(s, value as Val, opts);
}

/** The payload of a struct with one (vfio_irq_set data[]): element size and checked values. */
interface Payload {
  field: SchemaField;
  offset: number;
  elem: number;
  values: bigint[];
}
function payloadOf(s: SchemaStruct, v: Val, prof: ResolvedProfile, opts: EncodeOptions): Payload | null {
  const pf = structFields(s).find((f) => f.type === "payload");
  if (!pf) return null;
  const given = v[pf.name];
  const data = given === undefined || given === null ? [] : arrayOf(given, pf.name);
  const flags = fieldValue(v, structFields(s).find((f) => f.name === "flags")!);
  const dt = Number(flags & BigInt(VFIO_IRQ_SET_DATA_TYPE_MASK));
  const elem = dt === VFIO_IRQ_SET_DATA_BOOL ? 1 : dt === VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
  const offset = pf.offsets[variantOf(prof)];
  if (!elem && data.length)
    throw new EncodeError(
      "E_VALUE",
      `data has ${data.length} elements but flags 0x${flags.toString(16)} select no payload (exactly one of DATA_BOOL, DATA_EVENTFD)`,
      offset,
      pf.name,
    );
  // sized before its elements are checked: a payload too large is refused at once
  checkSize(offset + data.length * elem, opts, `encode ${s.name}`);
  const values = data.map((x, i) => intOf(x, elem === 1 ? "u8" : "s32", `${pf.name}[${i}]`, offset));
  return { field: pf, offset, elem, values };
}

/** The checked `$` of a value: where its free-form bytes (gaps, slack, tail) go, and its length. */
interface Meta {
  gaps: { offset: number; bytes: Uint8Array }[];
  slack: Uint8Array | null;
  slackOffset: number | undefined;
  tail: Uint8Array | null;
  tailOffset: number | undefined;
  length: number | undefined;
}
/** Offsets and lengths beyond this cannot be a buffer (checkSize refuses the total later). */
const MAX_OFFSET = 2 ** 48;
function metaOf(v: Val): Meta {
  const m = v.$ === undefined || v.$ === null ? {} : objectOf(v.$, "$");
  const opt = (k: string, f: (raw: unknown, path: string) => unknown) =>
    m[k] === undefined || m[k] === null ? undefined : f(m[k], `$.${k}`);
  const off = (raw: unknown, path: string) => offsetOf(raw, path, MAX_OFFSET);
  const gaps = (opt("gaps", arrayOf) as unknown[] | undefined) ?? [];
  return {
    gaps: gaps.map((g, i) => {
      const o = objectOf(g, `$.gaps[${i}]`);
      return { offset: off(o.offset, `$.gaps[${i}].offset`), bytes: bytesOf(o.bytes, `$.gaps[${i}].bytes`) };
    }),
    slack: (opt("slack", bytesOf) as Uint8Array | undefined) ?? null,
    slackOffset: opt("slackOffset", off) as number | undefined,
    tail: (opt("tail", bytesOf) as Uint8Array | undefined) ?? null,
    tailOffset: opt("tailOffset", off) as number | undefined,
    length: opt("length", off) as number | undefined,
  };
}

/**
 * Exact layout: each capability where its `offset` says. The offsets must describe a chain the
 * decoder reads back: after the fixed struct, 4-aligned, in increasing order without overlaps,
 * inside argsz (outside a vfio-user body); `next` and `cap_offset`, when given, must agree with
 * them, and are filled in when not. Returns the offsets.
 */
function exactChain(
  s: SchemaStruct,
  v: Val,
  caps: Val[],
  lays: CapLayout[],
  fixed: number,
  argsz: bigint | null,
): number[] {
  const offs = caps.map((c, i) => offsetOf(c.offset, `caps[${i}].offset`, MAX_OFFSET));
  let prevEnd = fixed;
  offs.forEach((off, i) => {
    const path = `caps[${i}].offset`;
    if (off < fixed)
      throw new EncodeError("E_VALUE", `${path} ${off} is inside the ${fixed}-byte fixed ${s.name}`, off, path);
    if (off % 4 !== 0)
      throw new EncodeError("E_VALUE", `${path} ${off} is not 4-byte aligned (the chain's links must be)`, off, path);
    if (off < prevEnd)
      throw new EncodeError(
        "E_VALUE",
        `${path} ${off} overlaps the capability before it (it ends at ${prevEnd}); capabilities go in chain order, at increasing offsets`,
        off,
        path,
      );
    prevEnd = off + lays[i].size;
    if (argsz !== null && BigInt(prevEnd) > argsz)
      throw new EncodeError("E_VALUE", `caps[${i}] ends at ${prevEnd}, past argsz ${argsz}`, off, `caps[${i}]`);
    const next = i + 1 < offs.length ? offs[i + 1] : 0;
    const h = (caps[i].header ?? {}) as Val;
    if (h.next !== undefined && h.next !== null && intOf(h.next, "u32", `caps[${i}].header.next`) !== BigInt(next))
      throw new EncodeError(
        "E_VALUE",
        `caps[${i}].header.next is ${h.next} but ${i + 1 < offs.length ? `the next capability is at ${next}` : "it is the last capability (0)"}`,
        off + 4,
        `caps[${i}].header.next`,
      );
    caps[i] = { ...caps[i], header: { ...h, next } };
  });
  const chain = s.caps!;
  const given = v[chain.offsetField];
  if (given !== undefined && given !== null && intOf(given, "u32", chain.offsetField) !== BigInt(offs[0]))
    throw new EncodeError(
      "E_VALUE",
      `${chain.offsetField} is ${given} but the first capability is at ${offs[0]}`,
      0,
      chain.offsetField,
    );
  return offs;
}

/** encode() for one struct (a vfio-user message header is one too: its fields, without the body). */
export function encodeStruct(
  s: SchemaStruct,
  value: Val & { $?: Partial<DecodeMeta>; caps?: Partial<DecodedCap>[] },
  opts: EncodeOptions = {},
  message?: BodyMode,
): Uint8Array {
  const prof = resolveProfile(opts);
  const w = wasm();
  const v = objectOf(value, "");
  const meta = metaOf(v);
  const fixed = w.struct_size(s.id, prof.word);
  const fields = structFields(s);
  const caps = (v.caps === undefined || v.caps === null ? [] : arrayOf(v.caps, "caps")).map((c, i) =>
    objectOf(c, `caps[${i}]`),
  );
  if (caps.length && (!s.caps || (s.caps.proposal && !prof.proposals.includes(s.caps.proposal))))
    throw new EncodeError(
      "E_VALUE",
      `${s.name} has no capability chain${s.caps?.proposal ? ` unless the proposal ${s.caps.proposal} is enabled` : ""}`,
      0,
      "caps",
    );
  // vfio_irq_set's count is written as given, even when the payload disagrees: the kernel tests
  // send such requests on purpose (the payload's bytes are placed by data, not by count)
  const payload = payloadOf(s, v, prof, opts);
  const fixedVal: Val = { ...v };
  const argszGiven = v.argsz !== undefined && v.argsz !== null;
  const argsz = argszGiven ? intOf(v.argsz, "u32", "argsz") : null;
  const withOffset = caps.filter((c) => c.offset !== undefined && c.offset !== null).length;
  if (withOffset && withOffset < caps.length)
    throw new EncodeError(
      "E_VALUE",
      "either every capability has an offset (exact layout, as decoded) or none (kernel layout)",
      0,
      `caps[${caps.findIndex((c) => c.offset === undefined || c.offset === null)}].offset`,
    );
  const exact = caps.length > 0 && withOffset === caps.length;
  const lays = caps.map((c, i) => capLayout(s, c, prof, i));
  const offs = exact ? exactChain(s, fixedVal, caps, lays, fixed, message ? null : argsz) : [];
  // flags are written as given (a chain without the CAPS flag is a reply a decoder must handle)
  if (exact) fixedVal[s.caps!.offsetField] = offs[0];

  // Where everything goes: spans of the fixed fields, payload, capabilities and free-form bytes.
  const payloadBytes = payload ? payload.values.length * payload.elem : 0;
  const free = meta.gaps.length > 0 || meta.slack !== null || meta.tail !== null;
  const spans = new Spans();
  spans.addFields(fields, 0, prof, "");
  if (payload) spans.add(payload.offset, payloadBytes, payload.field.name);
  let end = fixed;
  lays.forEach((lay, i) => {
    if (!exact) return;
    capSpans(spans, lay, prof, offs[i], i, free);
    end = Math.max(end, offs[i] + lay.size);
  });
  let kernelCapsTotal = 0;
  if (!exact && caps.length) {
    const align8 = prof.epoch === "6.6";
    kernelCapsTotal = lays.reduce((a, c) => a + (align8 ? (c.kernelSize + 7) & ~7 : c.kernelSize), 0);
    spans.add(fixed, kernelCapsTotal, "caps"); // where the kernel layout puts them
  }
  end = Math.max(end, spans.end());
  meta.gaps.forEach((g, i) => {
    spans.add(g.offset, g.bytes.length, `$.gaps[${i}]`);
  });
  end = Math.max(end, spans.end());
  const slackAt = meta.slackOffset ?? (!exact && caps.length ? fixed + kernelCapsTotal : end);
  if (meta.slack) spans.add(slackAt, meta.slack.length, "$.slack");
  end = Math.max(end, spans.end());
  const tailAt = meta.tailOffset ?? end;
  if (meta.tail) spans.add(tailAt, meta.tail.length, "$.tail");
  end = Math.max(end, spans.end());
  spans.check();
  const total = Math.max(end, meta.length ?? 0, fixed + kernelCapsTotal);
  checkSize(total, opts, `encode ${s.name}`);

  const o = new Out(total + 8, kernelCapsTotal + caps.length * 16 + 64, caps.length);
  if (!argszGiven) fixedVal.argsz = payload ? SIZEOF_VFIO_IRQ_SET + payloadBytes : total;
  writeFields(o, s, prof, o.dst, Math.max(fixed, total), fixedVal, 0, "");
  if (payload?.elem) {
    const dv = dataAt(o.w, o.dst + payload.offset, payloadBytes);
    const little = prof.endian === "little";
    payload.values.forEach((x, i) => {
      if (payload.elem === 1) dv.setUint8(i, Number(x));
      else dv.setUint32(i * 4, Number(x), little);
    });
  }
  let length = total;
  if (exact) {
    caps.forEach((c, i) => {
      writeCap(o, lays[i], c, prof, o.dst + offs[i], total - offs[i], i);
    });
  } else if (caps.length) {
    // kernel mode: encode each cap into scratch, then let the wasm core chain them
    let at = o.scratch;
    const list = u32At(o.w, o.list, caps.length * 2);
    caps.forEach((c, i) => {
      const size = lays[i].kernelSize;
      bytesAt(o.w, at, size).fill(0);
      writeCap(o, lays[i], c, prof, at, size, i);
      list[i * 2] = at;
      list[i * 2 + 1] = size;
      at = (at + size + 15) & ~15;
    });
    const argszSupplied = argsz === null ? ARGSZ_AUTO : Number(argsz);
    const r = o.w.caps_build(s.id, prof.word, o.dst, o.size, fixed, argszSupplied, o.list, caps.length);
    if (r < 0)
      throw new EncodeError(statusName(r), `building the capability chain failed: ${statusName(r)}`, 0, "caps");
    length = Math.max(r, argsz === null ? r : Math.min(Number(argsz), total));
    if (r === fixed && argszSupplied !== ARGSZ_AUTO && argszSupplied < fixed + kernelCapsTotal)
      length = Math.max(fixed, Math.min(argszSupplied, total));
  }
  meta.gaps.forEach((g) => {
    o.bytes(g.offset, g.bytes.length).set(g.bytes);
  });
  if (meta.slack) o.bytes(slackAt, meta.slack.length).set(meta.slack);
  if (meta.tail) o.bytes(tailAt, meta.tail.length).set(meta.tail);
  if (meta.length !== undefined) length = meta.length; // shorter: a truncated buffer on purpose
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
