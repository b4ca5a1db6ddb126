// Decode: run the wasm parser, then turn its record stream into a value (kernel field names),
// a flat list of byte spans (for inspectors) and diagnostics. inspect() never throws on bad
// bytes; decode() throws a typed error that carries the partial value.

import { errorClassFor, Status, statusName, UsageError, type VfioAbiError } from "./errors.js";
import { SCHEMA, type StructName, type StructTypes } from "./generated/schema.js";
import { K, REC_SIZE } from "./generated/wasm-abi.js";
import { toHex } from "./hex.js";
import { wasm } from "./loader.js";
import { type ResolvedProfile, resolveProfile } from "./profile.js";
import {
  capEntry,
  fieldById,
  nameEnum,
  nameFlags,
  type SchemaStruct,
  structById,
  structByName,
} from "./schema-index.js";
import type { DecodedCap, DecodeMeta, DecodeOptions } from "./types.js";

export { K, REC_SIZE } from "./generated/wasm-abi.js";

export interface SpanNode {
  /** Path in the decoded value, e.g. "argsz", "data[1]", "caps[0].header.next", "caps[0].areas[1].size". */
  path: string;
  kind: "struct" | "field" | "cap" | "elem" | "slack" | "gap" | "tail" | "needs" | "error";
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

/** Copy bytes into the arena and run the parser. Returns the raw records (a view copy). */
function runParse(s: SchemaStruct, prof: ResolvedProfile, bytes: Uint8Array, maxHops: number) {
  const w = wasm();
  const recCap = bytes.length + 64;
  const need = 64 + bytes.length + recCap * REC_SIZE + 64;
  if (w.arena_cap() < need && w.arena_reserve(need) < 0)
    throw new UsageError("E_NO_MEMORY", "cannot grow wasm memory", 0, null);
  const base = w.arena_ptr();
  const src = base + 64;
  const out = (src + bytes.length + 7) & ~7;
  new Uint8Array(w.memory.buffer, src, bytes.length).set(bytes);
  const status = w.parse(s.id, prof.word, src, bytes.length, out, recCap, maxHops);
  const n = w.rec_count();
  const recs = new DataView(w.memory.buffer.slice(out, out + n * REC_SIZE));
  return { status, n, recs };
}

/** Decode without throwing: value (possibly partial), spans and diagnostics. */
export function inspect<N extends StructName>(
  structName: N | string,
  bytes: Uint8Array,
  opts: DecodeOptions = {},
): InspectResult<N extends StructName ? StructTypes[N] : Record<string, unknown>> {
  const s = structByName(structName);
  const prof = resolveProfile(opts);
  const { status, n, recs } = runParse(s, prof, bytes, opts.maxCaps ?? 1024);
  const meta: DecodeMeta = {
    struct: s.name,
    length: bytes.length,
    profile: { endian: prof.endian, model: prof.model, epoch: prof.epoch, proposals: prof.proposals },
    flags: {},
    enums: {},
    gaps: [],
    notes: [],
  };
  const root: Record<string, unknown> = { $: meta };
  const nodes: SpanNode[] = [];
  const diagnostics: Diagnostic[] = [];
  let cap: (DecodedCap & Record<string, unknown>) | null = null;
  let elem: Record<string, unknown> | null = null;
  let elemPath = "";
  let capIndex = -1;
  let error: VfioAbiError | undefined;

  const setPath = (obj: Record<string, unknown>, path: string, v: unknown) => {
    const parts = path.split(".");
    let o = obj;
    for (let i = 0; i < parts.length - 1; i++) {
      o[parts[i]] ??= {};
      o = o[parts[i]] as Record<string, unknown>;
    }
    o[parts[parts.length - 1]] = v;
  };

  for (let i = 0; i < n; i++) {
    const p = i * REC_SIZE;
    const kind = recs.getUint8(p),
      depth = recs.getUint8(p + 1),
      ref = recs.getUint16(p + 2, true);
    const off = recs.getUint32(p + 4, true),
      size = recs.getUint32(p + 8, true),
      aux = recs.getUint32(p + 12, true);
    const raw = recs.getBigUint64(p + 16, true);
    switch (kind) {
      case K.STRUCT:
        nodes.push({ path: "", kind: "struct", offset: 0, size, depth: 0, label: s.name });
        break;
      case K.FIELD: {
        const f = fieldById(ref);
        const val: number | bigint =
          f.scalar === "u64" ? raw : f.scalar === "s32" ? Number(BigInt.asIntN(32, raw)) : Number(raw);
        let target: Record<string, unknown> = root;
        let prefix = "";
        if (depth >= 2 && elem) {
          target = elem;
          prefix = `${elemPath}.`;
        } else if (f.struct !== s.name && cap) {
          target = cap;
          prefix = `caps[${capIndex}].`;
        }
        setPath(target, f.path, val);
        const node: SpanNode = { path: prefix + f.path, kind: "field", offset: off, size, depth, value: val };
        if (f.flags) {
          const fl = nameFlags(f.flags, val, prof.proposals);
          node.names = fl.names;
          meta.flags[prefix + f.path] = {
            names: fl.names,
            unknown: fl.unknown,
            ...(fl.proposed ? { proposed: fl.proposed } : {}),
          };
          meta.notes.push(...fl.notes);
          if (fl.unknown)
            diagnostics.push({
              severity: "warning",
              code: "UNKNOWN_FLAGS",
              message: `${prefix + f.path} has bits ${hx(fl.unknown)} that ${f.struct} does not define under this profile (kept as they are)`,
              offset: off,
              size,
              field: prefix + f.path,
            });
        }
        if (f.enum) {
          const ctx = f.name === "subtype" && target.type !== undefined ? { type: Number(target.type) } : undefined;
          const en = nameEnum(f.enum, Number(val), prof.proposals, ctx);
          meta.enums[prefix + f.path] = en.name;
          if (en.name) node.names = [en.name];
          meta.notes.push(...en.notes);
        }
        nodes.push(node);
        break;
      }
      case K.CAP: {
        const id = aux & 0xffff,
          version = aux >>> 16;
        const cs = ref === 0xffff ? null : structById(ref);
        const entry = capEntry(s.name, id, prof.proposals);
        capIndex++;
        cap = {
          offset: off,
          header: { id, version, next: Number(raw) },
          name: entry?.name ?? null,
          struct: cs?.name ?? null,
          knownSize: size,
        } as DecodedCap & Record<string, unknown>;
        elem = null;
        root.caps ??= [];
        (root.caps as DecodedCap[]).push(cap);
        // trailing arrays exist even when empty (nr_areas 0), so values have a stable shape
        if (cs && cs.trailingLocal >= 0) {
          const tf = fieldById(cs.firstField + cs.trailingLocal);
          cap[tf.name] = tf.type === "bytes" ? new Uint8Array(0) : [];
        }
        nodes.push({
          path: `caps[${capIndex}]`,
          kind: "cap",
          offset: off,
          size,
          depth: 1,
          label: entry?.name ?? `unknown capability id ${id}`,
          value: id,
        });
        if (!cs)
          diagnostics.push({
            severity: "info",
            code: "UNKNOWN_CAP",
            message: `capability id ${id} (version ${version}) at ${hx(off)} is not defined for ${s.name} under this profile; its bytes are kept`,
            offset: off,
            size: 8,
            field: `caps[${capIndex}]`,
          });
        else {
          const max = Math.max(...((cs.versions as readonly number[] | null) ?? [1]));
          if (version > max)
            diagnostics.push({
              severity: "info",
              code: "NEWER_CAP_VERSION",
              message: `${entry?.name} version ${version} is newer than the ${max} this codec knows: known prefix decoded, the rest kept`,
              offset: off,
              size,
              field: `caps[${capIndex}].header.version`,
            });
          if (version === 0)
            diagnostics.push({
              severity: "warning",
              code: "CAP_VERSION_ZERO",
              message: `${entry?.name} at ${hx(off)} has version 0`,
              offset: off + 2,
              size: 2,
              field: `caps[${capIndex}].header.version`,
            });
        }
        break;
      }
      case K.ELEM: {
        const f = fieldById(ref);
        if (f.type === "payload") {
          root.data ??= [];
          (root.data as number[]).push(Number(BigInt.asIntN(size === 1 ? 64 : 32, raw)));
          nodes.push({
            path: `data[${aux}]`,
            kind: "elem",
            offset: off,
            size,
            depth: 1,
            value: Number(BigInt.asIntN(size === 1 ? 64 : 32, raw)),
          });
        } else if (f.type === "bytes" && cap) {
          cap[f.name] = bytes.slice(off, off + size);
          nodes.push({
            path: `caps[${capIndex}].${f.name}`,
            kind: "elem",
            offset: off,
            size,
            depth: 2,
            label: `${size} bytes`,
          });
        } else if (cap) {
          elem = {};
          cap[f.name] ??= [];
          (cap[f.name] as unknown[]).push(elem);
          elemPath = `caps[${capIndex}].${f.name}[${aux}]`;
          nodes.push({ path: elemPath, kind: "elem", offset: off, size, depth: 2, label: f.of ?? undefined });
        }
        break;
      }
      case K.SLACK:
        meta.slack = bytes.slice(off, off + size);
        meta.slackOffset = off;
        nodes.push({
          path: "$slack",
          kind: "slack",
          offset: off,
          size,
          depth: 1,
          label: `${size} bytes after the known fields, up to argsz`,
        });
        break;
      case K.TAIL:
        meta.tail = bytes.slice(off, off + size);
        meta.tailOffset = off;
        nodes.push({ path: "$tail", kind: "tail", offset: off, size, depth: 1, label: `${size} bytes past argsz` });
        break;
      case K.GAP:
        meta.gaps.push({ offset: off, bytes: bytes.slice(off, off + size) });
        nodes.push({
          path: `$gap@${off}`,
          kind: "gap",
          offset: off,
          size,
          depth: depth + 1,
          label: "padding / unknown bytes",
        });
        break;
      case K.NEEDS:
        meta.needsArgsz = Number(raw);
        nodes.push({ path: "$needsArgsz", kind: "needs", offset: 0, size: 4, depth: 1, value: Number(raw) });
        diagnostics.push({
          severity: "info",
          code: "NEEDS_ARGSZ",
          message: `reply asks for argsz ${Number(raw)}: CAPS is set but cap_offset is 0, so the capabilities did not fit in the ${bytes.length} bytes supplied; call again with argsz ${Number(raw)}`,
          offset: 0,
          size: 4,
          field: "argsz",
        });
        break;
      case K.NOTE:
        meta.notes.push(
          `cap_offset ${hx(Number(raw))} is ignored: the CAPS flag is clear (the kernel echoes the caller's cap_offset in that case)`,
        );
        diagnostics.push({
          severity: "info",
          code: "CAP_OFFSET_WITHOUT_FLAG",
          message: meta.notes[meta.notes.length - 1],
          offset: off,
          size,
          field: "cap_offset",
        });
        break;
      case K.ERROR: {
        const code = (aux << 16) >> 16,
          extra = aux >>> 16;
        const field = ref === 0xffff ? null : errFieldPath(ref, s.name, capIndex);
        const msg = errorMessage(code, s, off, field, raw, extra, bytes.length, cap);
        const Cls = errorClassFor(code);
        error = new Cls(statusName(code), msg, off, field);
        diagnostics.push({
          severity: "error",
          code: statusName(code),
          message: msg,
          offset: off,
          size: errSpan(code, off, cap, bytes.length),
          field,
        });
        nodes.push({
          path: "$error",
          kind: "error",
          offset: off,
          size: errSpan(code, off, cap, bytes.length),
          depth: 1,
          label: msg,
        });
        break;
      }
    }
  }
  if (status < 0 && !error) {
    const msg =
      status === Status.E_OUT_FULL ? "internal: record buffer too small" : `decode failed: ${statusName(status)}`;
    error = new (errorClassFor(status))(statusName(status), msg, 0, null);
    diagnostics.push({ severity: "error", code: statusName(status), message: msg, offset: 0, size: 0, field: null });
  }
  // DATA_BOOL / DATA_EVENTFD with count 0: an empty payload, not a missing one
  const dt = typeof root.flags === "number" ? root.flags & 7 : 0;
  if (
    (dt === 2 || dt === 4) &&
    s.trailingLocal >= 0 &&
    fieldById(s.firstField + s.trailingLocal).type === "payload" &&
    status >= 0
  )
    root.data ??= [];
  if (error) error.partial = root;
  for (const note of meta.notes)
    if (!diagnostics.some((d) => d.message === note))
      diagnostics.push({ severity: "info", code: "NOTE", message: note, offset: 0, size: 0, field: null });
  return { ok: status >= 0, status, value: root as Decoded<never>, nodes, diagnostics, error };
}

function errFieldPath(ref: number, root: string, capIndex: number): string {
  const f = fieldById(ref);
  if (f.struct === root) return f.path;
  if (f.struct === "vfio_info_cap_header") return capIndex >= 0 ? `caps[${capIndex}].header.${f.path}` : f.path;
  return capIndex >= 0 ? `caps[${capIndex}].${f.path}` : f.path;
}

function errSpan(code: number, off: number, cap: DecodedCap | null, len: number): number {
  if (code === Status.E_ARGSZ_MIN || code === Status.E_ARGSZ_OVER) return 4;
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
    default:
      return `${statusName(code)} at ${where}`;
  }
}

/** Decode a struct; throws a typed VfioAbiError (with .partial) on bad input. */
export function decode<N extends StructName>(
  structName: N | string,
  bytes: Uint8Array,
  opts: DecodeOptions = {},
): Decoded<N extends StructName ? StructTypes[N] : Record<string, unknown>> {
  const r = inspect(structName, bytes, opts);
  if (r.error) throw r.error;
  return r.value as never;
}

export { toHex };
export const structNames = (): string[] => SCHEMA.structs.map((s) => s.name);
