// Decode: run the wasm parser, then turn its record stream into a value (kernel field names),
// a flat list of byte spans (for inspectors) and diagnostics. inspect() never throws on bad
// bytes; decode() throws a typed error that carries the partial value.
import {
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
} from "./generated/constants.js";
import { K, REC, REC_NO_REF, REC_SIZE } from "./generated/wasm-abi.js";
import {
  MEMORY_POLICY,
  REGION,
  checkSize,
  copyIn,
  copyOut,
  describe,
  inputBytes,
  maxCapsOf,
  reserveCall,
} from "./memory.js";
import { resolveProfile, versionCmp, PROF_MSG_REQUEST, PROF_MSG_REPLY, type ResolvedProfile } from "./profile.js";
import {
  structByName,
  structById,
  fieldById,
  nameFlags,
  nameEnum,
  capEntry,
  flagValue,
  isStructName,
  type SchemaField,
  type SchemaStruct,
} from "./schema-index.js";
import type { SchemaAlt } from "./schema-types.js";
import { Status, statusName, errorClassFor, UsageError, VfioAbiError } from "./errors.js";
import { toHex } from "./hex.js";
import type { DecodeOptions, DecodeMeta, DecodedCap } from "./types.js";
import { SCHEMA, type StructTypes, type StructName } from "./generated/schema.js";
import { inspectMessage, type MessageDecodeOptions } from "./vfio-user.js";

export { K, REC_SIZE };

/** A raw record of the wasm parser (kinds the struct decoder does not turn into values, e.g. K.BODY). */
export interface RawRecord {
  kind: number;
  depth: number;
  ref: number;
  offset: number;
  size: number;
  aux: number;
  value: bigint;
}

/** How a buffer is framed: an ioctl argument (default) or the body of a vfio-user request or reply. */
export type BodyMode = "request" | "reply";
export interface StructDecodeOptions extends DecodeOptions {
  message?: BodyMode;
}

/** One step of a path in the decoded value: a key, or an index into an array. */
export type PathKey = string | number;

export interface SpanNode {
  /** Path in the decoded value, e.g. "argsz", "data[1]", "caps[0].header.next", "caps[0].areas[1].size". */
  path: string;
  /**
   * The same path as steps (["caps", 0, "header", "next"]), so callers never parse `path`. Spans
   * that are not values (slack, tail, gaps, needs argsz, the error) are one step: their path.
   */
  key: PathKey[];
  /** Schema field id of a field, or of the array or payload an element belongs to. */
  field?: number;
  kind: "struct" | "field" | "cap" | "elem" | "payload" | "slack" | "gap" | "tail" | "needs" | "error";
  offset: number;
  size: number;
  depth: number;
  value?: number | bigint;
  /** Flag bit names or enum name, when the field has them. */
  names?: string[];
  label?: string;
}

export interface Diagnostic {
  severity: "error" | "warning" | "info";
  code: string;
  message: string;
  offset: number;
  size: number;
  field: string | null;
}

export type Decoded<T> = T & { $: DecodeMeta; caps?: DecodedCap[] };

export interface InspectResult<T = Record<string, unknown>> {
  ok: boolean;
  status: number;
  value: Decoded<T>;
  nodes: SpanNode[];
  diagnostics: Diagnostic[];
  error?: VfioAbiError;
}

const hx = (n: number) => `0x${n.toString(16)}`;

/**
 * Copy bytes into the arena and run the parser through a record window of fixed size, handing each
 * record to `onRecord`: wasm memory holds the input and one window, however many records it makes.
 * Returns the parse status.
 */
function runParse(
  s: SchemaStruct,
  prof: ResolvedProfile,
  bytes: Uint8Array,
  maxHops: number,
  mode: BodyMode | undefined,
  onRecord: (r: RawRecord) => void,
): number {
  const window = MEMORY_POLICY.recordWindow;
  const call = reserveCall(REGION.codec, 64 + bytes.length + 8 + window * REC_SIZE + 64, "decode");
  const w = call.w,
    src = call.at + 64;
  const out = (src + bytes.length + 7) & ~7;
  copyIn(w, src, bytes);
  const word = prof.word | (mode === "request" ? PROF_MSG_REQUEST : mode === "reply" ? PROF_MSG_REPLY : 0);
  let first = 0,
    status: number;
  while (true) {
    status = w.parse_window(s.id, word, src, bytes.length, out, window, maxHops, first);
    const n = w.rec_count() >>> 0;
    for (const r of readRecords(new DataView(copyOut(w, out, n * REC_SIZE).buffer), n)) onRecord(r);
    first += n;
    if (n === 0 || first >= w.rec_total() >>> 0) return status;
  }
}

/** Decode without throwing: value (possibly partial), spans and diagnostics. Never throws. */
export function inspect<N extends StructName>(
  structName: N | string,
  bytes: Uint8Array,
  opts: StructDecodeOptions & MessageDecodeOptions = {},
): InspectResult<N extends StructName ? StructTypes[N] : Record<string, unknown>> {
  try {
    const s = structByName(structName);
    if (s.kind === "message") return inspectMessage(bytes, opts) as never;
    return inspectStruct(s, bytes, opts) as never;
  } catch (e) {
    if (!(e instanceof VfioAbiError)) throw e;
    return failedInspect(structName, bytes, e) as never;
  }
}

/** What inspect() answers when the call itself is refused (unknown struct, bad options, too large). */
function failedInspect(
  structName: unknown,
  bytes: unknown,
  error: VfioAbiError,
): InspectResult<Record<string, unknown>> {
  const length = ArrayBuffer.isView(bytes) ? bytes.byteLength : 0;
  const meta: DecodeMeta = {
    struct: typeof structName === "string" ? structName : describe(structName),
    length,
    profile: { endian: "little", model: "lp64", epoch: "6.7", proposals: [] },
    flags: {},
    enums: {},
    gaps: [],
    notes: [],
  };
  const diagnostic: Diagnostic = {
    severity: "error",
    code: error.code,
    message: error.message,
    offset: error.offset,
    size: 0,
    field: error.field,
  };
  const status = (Status as Record<string, number>)[error.code] ?? Status.E_BAD_ARG;
  return { ok: false, status, value: { $: meta } as never, nodes: [], diagnostics: [diagnostic], error };
}

// ---------------------------------------------------------------- reading
/** The record stream of one parse, as plain objects (the contract's 24-byte little-endian records). */
export function readRecords(recs: DataView, n: number): RawRecord[] {
  const out: RawRecord[] = [];
  for (let i = 0; i < n; i++) {
    const p = i * REC_SIZE;
    out.push({
      kind: recs.getUint8(p + REC.kind),
      depth: recs.getUint8(p + REC.depth),
      ref: recs.getUint16(p + REC.ref, true),
      offset: recs.getUint32(p + REC.offset, true),
      size: recs.getUint32(p + REC.size, true),
      aux: recs.getUint32(p + REC.aux, true),
      value: recs.getBigUint64(p + REC.value, true),
    });
  }
  return out;
}

// ---------------------------------------------------------------- building
/** What the builder knows while it walks the records: the value tree, its spans and diagnostics. */
interface Build {
  s: SchemaStruct;
  prof: ResolvedProfile;
  bytes: Uint8Array;
  opts: StructDecodeOptions;
  meta: DecodeMeta;
  root: Record<string, unknown>;
  nodes: SpanNode[];
  diagnostics: Diagnostic[];
  /** the current capability (error messages name it) */
  cap: (DecodedCap & Record<string, unknown>) | null;
  capIndex: number;
  /**
   * Where the fields of each record depth go: depth 1 = the struct (or the current capability),
   * deeper levels = array elements and payload structs, with their value paths.
   */
  ctx: Ctx[];
  error?: VfioAbiError;
  extra?: RawRecord[];
}

function setPath(obj: Record<string, unknown>, path: string, v: unknown): void {
  const parts = path.split(".");
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    o[parts[i]] ??= {};
    o = o[parts[i]] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = v;
}

/** An object records go into, with its value path as text and as steps. */
interface Ctx {
  obj: Record<string, unknown>;
  path: string;
  key: PathKey[];
}

/** The object records of `depth` belong to, and its value path. */
function at(b: Build, depth: number): Ctx {
  return b.ctx[Math.min(depth, b.ctx.length - 1)];
}
/** Records deeper than `depth` - 1 now go into `obj` (a capability, an array element, a payload struct). */
function into(b: Build, depth: number, obj: Record<string, unknown>, path: string, key: PathKey[]): void {
  b.ctx[depth] = { obj, path, key };
  b.ctx.length = depth + 1;
}

function onField(b: Build, r: RawRecord): void {
  const f = fieldById(r.ref);
  const val: number | bigint =
    f.scalar === "u64" || f.scalar === "ptr"
      ? r.value
      : f.scalar === "s32"
        ? Number(BigInt.asIntN(32, r.value))
        : Number(r.value);
  const c = at(b, r.depth);
  const target = c.obj;
  const alt = pickAlt(f, b.root, b.s.name);
  const fpath = alt ? f.path.replace(/[^.]+$/, alt.name) : f.path;
  const path = (c.path ? `${c.path}.` : "") + fpath;
  setPath(target, fpath, val);
  const key = [...c.key, ...fpath.split(".")];
  const node: SpanNode = {
    path,
    key,
    field: f.id,
    kind: "field",
    offset: r.offset,
    size: r.size,
    depth: r.depth,
    value: val,
  };
  if (f.flags) {
    const fl = nameFlags(f.flags, val, b.prof.proposals);
    node.names = fl.names;
    b.meta.flags[path] = { names: fl.names, unknown: fl.unknown, ...(fl.proposed ? { proposed: fl.proposed } : {}) };
    b.meta.notes.push(...fl.notes);
    if (fl.unknown) b.diagnostics.push(unknownFlagsDiagnostic(f, path, fl.unknown, r));
  }
  const enumName = alt
    ? alt.enum
    : f.name === "index" && f.enum === "vfio_pci_irq_index"
      ? irqIndexEnum(b.opts.device)
      : f.enum;
  if (enumName) {
    const ctx = f.name === "subtype" && target.type !== undefined ? { type: Number(target.type) } : undefined;
    const en = nameEnum(enumName, Number(val), b.prof.proposals, ctx);
    b.meta.enums[path] = en.name;
    if (en.name) node.names = [en.name];
    b.meta.notes.push(...en.notes);
  }
  b.nodes.push(node);
}

function onCap(b: Build, r: RawRecord): void {
  const id = r.aux & 0xffff,
    version = r.aux >>> 16;
  const cs = r.ref === REC_NO_REF ? null : structById(r.ref);
  const entry = capEntry(b.s.name, id, b.prof.proposals);
  b.capIndex++;
  const cap = {
    offset: r.offset,
    header: { id, version, next: Number(r.value) },
    name: entry?.name ?? null,
    struct: cs?.name ?? null,
    knownSize: r.size,
  } as DecodedCap & Record<string, unknown>;
  b.cap = cap;
  b.root.caps ??= [];
  (b.root.caps as DecodedCap[]).push(cap);
  into(b, 1, cap, `caps[${b.capIndex}]`, ["caps", b.capIndex]);
  // trailing arrays exist even when empty (nr_areas 0), so values have a stable shape
  if (cs && cs.trailingLocal >= 0) {
    const tf = fieldById(cs.firstField + cs.trailingLocal);
    cap[tf.name] = tf.type === "bytes" ? new Uint8Array(0) : [];
  }
  const label = entry?.name ?? `unknown capability id ${id}`;
  b.nodes.push({
    path: `caps[${b.capIndex}]`,
    key: ["caps", b.capIndex],
    kind: "cap",
    offset: r.offset,
    size: r.size,
    depth: 1,
    label,
    value: id,
  });
  b.diagnostics.push(...capDiagnostics(b, cs, entry?.name, id, version, r));
}

function onElem(b: Build, r: RawRecord): void {
  const f = fieldById(r.ref);
  const { offset: off, size, depth } = r;
  const c = at(b, depth);
  const path = `${c.path ? `${c.path}.` : ""}${f.name}`;
  if (f.type === "payload" || (f.type === "array" && !isStructName(f.of!))) {
    // scalar elements: irq_set data[] (u8 / s32), hot reset group_fds[] (s32)
    const v = Number(BigInt.asIntN(size === 1 ? 64 : 32, r.value));
    c.obj[f.name] ??= [];
    (c.obj[f.name] as number[]).push(v);
    const key = [...c.key, f.name, r.aux];
    b.nodes.push({ path: `${path}[${r.aux}]`, key, field: f.id, kind: "elem", offset: off, size, depth, value: v });
  } else if (f.type === "bytes") {
    // a capability's byte array, or the trailing data of a vfio-user body (region data, VERSION JSON)
    c.obj[f.name] = b.bytes.slice(off, off + size);
    const d = c.path ? depth + 1 : depth;
    const key = [...c.key, f.name];
    b.nodes.push({ path, key, field: f.id, kind: "elem", offset: off, size, depth: d, label: `${size} bytes` });
  } else {
    const el: Record<string, unknown> = {};
    c.obj[f.name] ??= [];
    (c.obj[f.name] as unknown[]).push(el);
    const key = [...c.key, f.name, r.aux];
    into(b, depth + 1, el, `${path}[${r.aux}]`, key);
    const label = f.of ?? undefined;
    b.nodes.push({
      path: `${path}[${r.aux}]`,
      key,
      field: f.id,
      kind: "elem",
      offset: off,
      size,
      depth: depth + 1,
      label,
    });
  }
}

/** A payload picked by its selector: raw bytes (aux = no ref) or a struct whose fields follow. */
function onPayload(b: Build, r: RawRecord): void {
  const f = fieldById(r.ref);
  const { offset: off, size, depth } = r;
  const c = at(b, depth);
  const path = `${c.path ? `${c.path}.` : ""}${f.name}`;
  const key = [...c.key, f.name];
  if (r.aux === REC_NO_REF) {
    c.obj[f.name] = b.bytes.slice(off, off + size);
    b.nodes.push({ path, key, field: f.id, kind: "payload", offset: off, size, depth, label: `${size} bytes` });
    return;
  }
  const ps = structById(r.aux);
  const obj: Record<string, unknown> = {};
  c.obj[f.name] = obj;
  b.meta.payload = ps.name;
  // trailing arrays exist even when empty (nr_ranges 0), so values have a stable shape
  if (ps.trailingLocal >= 0) obj[fieldById(ps.firstField + ps.trailingLocal).name] = [];
  into(b, depth + 1, obj, path, key);
  b.nodes.push({ path, key, field: f.id, kind: "payload", offset: off, size, depth, label: ps.name });
}

/** Bytes the codec keeps without naming them: slack up to argsz, the tail past it, gaps between items. */
function onUnnamedBytes(b: Build, r: RawRecord): void {
  const { offset: off, size } = r;
  const bytes = b.bytes.slice(off, off + size);
  if (r.kind === K.SLACK) {
    b.meta.slack = bytes;
    b.meta.slackOffset = off;
    const label = `${size} bytes after the known fields, up to argsz`;
    b.nodes.push({ path: "$slack", key: ["$slack"], kind: "slack", offset: off, size, depth: 1, label });
  } else if (r.kind === K.TAIL) {
    b.meta.tail = bytes;
    b.meta.tailOffset = off;
    const label = `${size} bytes past argsz`;
    b.nodes.push({ path: "$tail", key: ["$tail"], kind: "tail", offset: off, size, depth: 1, label });
  } else {
    b.meta.gaps.push({ offset: off, bytes });
    const label = "padding / unknown bytes";
    const path = `$gap@${off}`;
    b.nodes.push({ path, key: [path], kind: "gap", offset: off, size, depth: r.depth + 1, label });
  }
}

function onNeeds(b: Build, r: RawRecord): void {
  const argsz = Number(r.value);
  b.meta.needsArgsz = argsz;
  b.nodes.push({
    path: "$needsArgsz",
    key: ["$needsArgsz"],
    kind: "needs",
    offset: 0,
    size: 4,
    depth: 1,
    value: argsz,
  });
  b.diagnostics.push(needsDiagnostic(b, argsz));
}

function onNote(b: Build, r: RawRecord): void {
  const note = `cap_offset ${hx(Number(r.value))} is ignored: the CAPS flag is clear (the kernel echoes the caller's cap_offset in that case)`;
  b.meta.notes.push(note);
  const d: Diagnostic = {
    severity: "info",
    code: "CAP_OFFSET_WITHOUT_FLAG",
    message: note,
    offset: r.offset,
    size: r.size,
    field: "cap_offset",
  };
  b.diagnostics.push(d);
}

function onError(b: Build, r: RawRecord): void {
  const code = (r.aux << 16) >> 16,
    more = r.aux >>> 16;
  const field = r.ref === REC_NO_REF ? null : errFieldPath(r.ref, b.s.name, b.capIndex);
  const msg = errorMessage(code, b.s, r.offset, field, r.value, more, b.bytes.length, b.cap);
  const Cls = errorClassFor(code);
  b.error = new Cls(statusName(code), msg, r.offset, field);
  const size = errSpan(code, r.offset, b.cap, b.bytes.length);
  b.diagnostics.push({ severity: "error", code: statusName(code), message: msg, offset: r.offset, size, field });
  b.nodes.push({ path: "$error", key: ["$error"], kind: "error", offset: r.offset, size, depth: 1, label: msg });
}

/** One handler per record kind; vfio-user's K_FDS / K_BODY go to the caller's `extra`. */
const ON_RECORD: Record<number, (b: Build, r: RawRecord) => void> = {
  [K.STRUCT]: (b, r) => {
    b.nodes.push({ path: "", key: [], kind: "struct", offset: 0, size: r.size, depth: 0, label: b.s.name });
  },
  [K.FIELD]: onField,
  [K.CAP]: onCap,
  [K.ELEM]: onElem,
  [K.PAYLOAD]: onPayload,
  [K.SLACK]: onUnnamedBytes,
  [K.TAIL]: onUnnamedBytes,
  [K.GAP]: onUnnamedBytes,
  [K.NEEDS]: onNeeds,
  [K.NOTE]: onNote,
  [K.FDS]: (b, r) => b.extra?.push(r),
  [K.BODY]: (b, r) => b.extra?.push(r),
  [K.ERROR]: onError,
};

// ---------------------------------------------------------------- diagnostics
function unknownFlagsDiagnostic(f: SchemaField, path: string, unknown: number, r: RawRecord): Diagnostic {
  return {
    severity: "warning",
    code: "UNKNOWN_FLAGS",
    message: `${path} has bits ${hx(unknown)} that ${f.struct} does not define under this profile (kept as they are)`,
    offset: r.offset,
    size: r.size,
    field: path,
  };
}

function capDiagnostics(
  b: Build,
  cs: SchemaStruct | null,
  name: string | undefined,
  id: number,
  version: number,
  r: RawRecord,
): Diagnostic[] {
  const at = `caps[${b.capIndex}]`;
  if (!cs) {
    const message = `capability id ${id} (version ${version}) at ${hx(r.offset)} is not defined for ${b.s.name} under this profile; its bytes are kept`;
    return [{ severity: "info", code: "UNKNOWN_CAP", message, offset: r.offset, size: 8, field: at }];
  }
  const out: Diagnostic[] = [];
  const max = Math.max(...((cs.versions as readonly number[] | null) ?? [1]));
  if (version > max) {
    const message = `${name} version ${version} is newer than the ${max} this codec knows: known prefix decoded, the rest kept`;
    const field = `${at}.header.version`;
    out.push({ severity: "info", code: "NEWER_CAP_VERSION", message, offset: r.offset, size: r.size, field });
  }
  if (version === 0) {
    const message = `${name} at ${hx(r.offset)} has version 0`;
    const field = `${at}.header.version`;
    out.push({ severity: "warning", code: "CAP_VERSION_ZERO", message, offset: r.offset + 2, size: 2, field });
  }
  return out;
}

function needsDiagnostic(b: Build, argsz: number): Diagnostic {
  const message = b.opts.message
    ? `the full reply needs argsz ${argsz} but the server sent ${b.bytes.length} bytes: ask again with argsz ${argsz}`
    : `reply asks for argsz ${argsz}: CAPS is set but cap_offset is 0, so the capabilities did not fit in the ${b.bytes.length} bytes supplied; call again with argsz ${argsz}`;
  return { severity: "info", code: "NEEDS_ARGSZ", message, offset: 0, size: 4, field: "argsz" };
}

/** After the records: a status without an error record, the empty payload, notes as diagnostics. */
function finish(b: Build, status: number): void {
  if (status < 0 && !b.error) {
    const msg =
      status === Status.E_OUT_FULL ? "internal: record buffer too small" : `decode failed: ${statusName(status)}`;
    b.error = new (errorClassFor(status))(statusName(status), msg, 0, null);
    b.diagnostics.push({ severity: "error", code: statusName(status), message: msg, offset: 0, size: 0, field: null });
  }
  // a struct's own trailing array exists even when empty (count 0), so values have a stable shape
  if (b.s.trailingLocal >= 0 && b.s.kind !== "cap" && status >= 0) {
    const tf = fieldById(b.s.firstField + b.s.trailingLocal);
    if (tf.type === "array" && b.meta.needsArgsz === undefined) b.root[tf.name] ??= [];
  }
  if (status >= 0) sizeNote(b.s, b.root, b.prof, b.meta, b.bytes.length);
  // DATA_BOOL / DATA_EVENTFD with count 0: an empty payload, not a missing one
  const dt = typeof b.root.flags === "number" ? b.root.flags & VFIO_IRQ_SET_DATA_TYPE_MASK : 0;
  const tf = b.s.trailingLocal >= 0 ? fieldById(b.s.firstField + b.s.trailingLocal) : null;
  const hasPayload = !!tf?.cases?.some((c) => c.elem);
  const counted = dt === VFIO_IRQ_SET_DATA_BOOL || (dt === VFIO_IRQ_SET_DATA_EVENTFD && !b.opts.message);
  if (counted && hasPayload && status >= 0) b.root.data ??= [];
  if (b.error) b.error.partial = b.root;
  for (const note of b.meta.notes)
    if (!b.diagnostics.some((d) => d.message === note))
      b.diagnostics.push({ severity: "info", code: "NOTE", message: note, offset: 0, size: 0, field: null });
}

/**
 * The record-stream decoder behind inspect(): read the records, build the value, its spans and
 * diagnostics. Records of kinds it does not turn into values (vfio-user K.FDS / K.BODY) go to
 * `extra` when given.
 */
export function inspectStruct(
  s: SchemaStruct,
  bytes: Uint8Array,
  opts: StructDecodeOptions = {},
  extra?: RawRecord[],
): InspectResult<Record<string, unknown>> {
  const prof = resolveProfile(opts);
  bytes = inputBytes(bytes, "bytes");
  checkSize(bytes.length, opts, `decode ${s.name}`);
  const maxHops = maxCapsOf(opts);
  const meta: DecodeMeta = {
    struct: s.name,
    length: bytes.length,
    profile: { endian: prof.endian, model: prof.model, epoch: prof.epoch, proposals: prof.proposals },
    flags: {},
    enums: {},
    gaps: [],
    notes: [],
  };
  const b: Build = {
    s,
    prof,
    bytes,
    opts,
    meta,
    root: { $: meta },
    nodes: [],
    diagnostics: [],
    cap: null,
    capIndex: -1,
    ctx: [],
    extra,
  };
  b.ctx = [
    { obj: b.root, path: "", key: [] },
    { obj: b.root, path: "", key: [] },
  ];
  const status = runParse(s, prof, bytes, maxHops, opts.message, (r) => ON_RECORD[r.kind]?.(b, r));
  finish(b, status);
  const value = b.root as Decoded<never>;
  return { ok: status >= 0, status, value, nodes: b.nodes, diagnostics: b.diagnostics, error: b.error };
}

/** The union member name a field takes (hot reset devid vs group_id, gfx dmabuf_id vs region_index). */
function pickAlt(f: { alt: SchemaAlt[] | null }, root: Record<string, unknown>, rootName: string): SchemaAlt | null {
  if (!f.alt) return null;
  for (const a of f.alt) {
    if (a.when.in && a.when.in !== rootName) continue;
    const bit = flagValue(a.when.flag);
    if (bit !== null && typeof root.flags === "number" && (root.flags & bit) !== 0) return a;
  }
  return null;
}

/** Enum of an IRQ index for a device type (null = device-defined numbers). Default: PCI. */
export function irqIndexEnum(device?: string): string | null {
  if (device === undefined) return "vfio_pci_irq_index";
  const d = (SCHEMA.irqIndexByDevice as Record<string, { enum: string | null }>)[device];
  if (!d) {
    const known = Object.keys(SCHEMA.irqIndexByDevice).join(", ");
    throw new UsageError("E_BAD_ARG", `unknown device type ${device} (known: ${known})`, 0, null);
  }
  return d.enum;
}

/**
 * Which releases' sizeof an argument of argsz bytes matches (argsz-extensible structs). Only for
 * structs that grew after the 6.7 layout epoch (bind / attach / detach): for the others the
 * profile's layout epoch already says which sizeof applies.
 */
function sizeNote(
  s: SchemaStruct,
  root: Record<string, unknown>,
  prof: ResolvedProfile,
  meta: DecodeMeta,
  len: number,
) {
  if (!s.history || s.kind !== "info" || !s.history.some((h) => versionCmp(h.from, "6.7") > 0)) return;
  const argsz = typeof root.argsz === "number" ? root.argsz : len;
  const eras = s.history.filter((h) => h[prof.model] === argsz);
  if (eras.length) meta.sizeOf = eras.map((h) => (h.until ? `${h.from}-${h.until}` : `${h.from}+`));
}

function errFieldPath(ref: number, root: string, capIndex: number): string {
  const f = fieldById(ref);
  if (f.struct === root) return f.path;
  if (f.struct === "vfio_info_cap_header") return capIndex >= 0 ? `caps[${capIndex}].header.${f.path}` : f.path;
  return capIndex >= 0 ? `caps[${capIndex}].${f.path}` : f.path;
}

function errSpan(code: number, off: number, cap: DecodedCap | null, len: number): number {
  if (
    code === Status.E_ARGSZ_MIN ||
    code === Status.E_ARGSZ_OVER ||
    code === Status.E_MSG_SIZE_MIN ||
    code === Status.E_MSG_SIZE_OVER ||
    code === Status.E_MSG_TYPE
  )
    return 4;
  if (code === Status.E_MSG_COMMAND) return 2;
  if (code === Status.E_MSG_TRAILING) return Math.max(0, len - off);
  if (code === Status.E_PAYLOAD_SHORT || code === Status.E_SHORT) return Math.max(0, len - off);
  if (code === Status.E_CAP_PAST_END && cap && cap.offset === off) return Math.max(0, len - off);
  return 4;
}

function errorMessage(
  code: number,
  s: SchemaStruct,
  off: number,
  field: string | null,
  raw: bigint,
  extra: number,
  len: number,
  cap: DecodedCap | null,
): string {
  const v = Number(raw);
  const where = field ? `${field} at ${hx(off)}` : `offset ${hx(off)}`;
  switch (code) {
    case Status.E_SHORT:
      return `buffer of ${len} bytes ends inside ${where}: ${s.name} needs at least ${s.minsz || s.size[0]} bytes`;
    case Status.E_ARGSZ_MIN:
      return `argsz ${v} below minsz ${extra} of ${s.name}`;
    case Status.E_ARGSZ_OVER:
      return `argsz ${v} larger than the ${len} bytes supplied`;
    case Status.E_PAYLOAD_SHORT:
      return `payload at ${hx(off)} needs ${v} bytes (count x element size) but argsz leaves ${extra}`;
    case Status.E_CAP_INTO_HEADER:
      return `${where} points to ${hx(v)}, inside the ${extra}-byte fixed ${s.name}`;
    case Status.E_CAP_BACKWARDS:
      return `next at ${hx(off)} points backwards to ${hx(v)}`;
    case Status.E_CAP_SELF:
      return `next at ${hx(off)} points to its own capability at ${hx(v)}`;
    case Status.E_CAP_LOOP:
      return `next at ${hx(off)} points back to ${hx(v)}, a capability already visited: the chain loops`;
    case Status.E_CAP_PAST_END:
      return cap && cap.offset === off
        ? `capability ${cap.name ?? `id ${cap.header.id}`} at ${hx(off)} (${cap.knownSize} bytes) runs past the end of valid data at ${hx(Math.min(len, extra || len))}`
        : `${where} points to ${hx(v)}: a capability header there would run past the end of valid data (${hx(extra || len)})`;
    case Status.E_CAP_MISALIGNED:
      return `${where} points to ${hx(v)}, which is not 4-byte aligned`;
    case Status.E_CAP_TOO_MANY:
      return `more capabilities than the limit at ${hx(v)}`;
    case Status.E_CAP_ARRAY_OVERRUN:
      return `${where} declares ${v} elements, which run past the capability or the buffer (${extra} bytes available)`;
    case Status.E_CAP_OVERLAP:
      return `next at ${hx(off)} points to ${hx(v)}, inside the current capability (its known body ends at ${hx(extra)})`;
    case Status.E_MSG_SIZE_MIN:
      return `msg_size ${v} is smaller than the ${extra}-byte header it counts`;
    case Status.E_MSG_SIZE_OVER:
      return `msg_size ${v} is larger than the ${len} bytes supplied: the message is truncated (or msg_size lies)`;
    case Status.E_MSG_TYPE:
      return `flags ${hx(v)}: type ${v & 0xf} is neither command (0) nor reply (1)`;
    case Status.E_MSG_COMMAND:
      return `command ${v} is not a vfio-user command`;
    case Status.E_MSG_TRAILING:
      return `msg_size ${v} ends the message before the ${extra} bytes supplied: ${extra - v} bytes follow it (another message, or msg_size lies)`;
    default:
      return `${statusName(code)} at ${where}`;
  }
}

/** Decode a struct; throws a typed VfioAbiError (with .partial) on bad input. */
export function decode<N extends StructName>(
  structName: N | string,
  bytes: Uint8Array,
  opts: StructDecodeOptions & MessageDecodeOptions = {},
): Decoded<N extends StructName ? StructTypes[N] : Record<string, unknown>> {
  const r = inspect(structName, bytes, opts);
  if (r.error) throw r.error;
  return r.value as never;
}

export { toHex };
export const structNames = (): string[] => SCHEMA.structs.map((s) => s.name);
