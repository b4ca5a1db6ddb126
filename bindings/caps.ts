// Capability-chain helpers over the wasm core: a fast header-only walk and the kernel-style build.

import {
  REGION,
  type SizeOptions,
  checkSize,
  copyIn,
  copyOut,
  dataAt,
  describe,
  inputBytes,
  maxCapsOf,
  reserveCall,
  u32At,
} from "./memory.js";
import { encode } from "./encode.js";
import { CapChainError, EncodeError, Status, statusName, UsageError } from "./errors.js";
import { SCHEMA } from "./generated/schema.js";
import { type WasmExports, wasm } from "./loader.js";
import { resolveProfile, variantIndex } from "./profile.js";
import { structByName } from "./schema-index.js";
import { SPAN, SPAN_SIZE } from "./generated/wasm-abi.js";
import { SIZEOF_VFIO_INFO_CAP_HEADER } from "./generated/constants.js";
import type { DecodedCap, ProfileOptions } from "./types.js";
import type { InspectResult } from "./decode.js";
import { nodeAt } from "./spans.js";

export interface CapSpan {
  id: number;
  version: number;
  offset: number;
  length: number;
}

/**
 * Walk the chain of an info buffer (vfio_region_info, vfio_device_info, vfio_iommu_type1_info, or
 * vfio_irq_info under the irq-info-caps proposal): bounded, cycle-safe, headers only. `length`
 * runs to `next` (or to the end of the buffer for the last cap). Throws CapChainError.
 */
export function walkCaps(
  host: string,
  bytes: Uint8Array,
  opts: ProfileOptions & SizeOptions & { start?: number; maxCaps?: number } = {},
): CapSpan[] {
  const s = structByName(host);
  const prof = resolveProfile(opts);
  bytes = inputBytes(bytes, "bytes");
  checkSize(bytes.length, opts, `walkCaps ${s.name}`);
  const max = maxCapsOf(opts);
  const w = wasm();
  const fixed = w.struct_size(s.id, prof.word);
  let start = opts.start;
  let startAt: number | null = null; // byte offset of cap_offset when the walk starts there
  if (start !== undefined && (typeof start !== "number" || !Number.isInteger(start) || start < 0 || start > 0xffffffff))
    throw new UsageError("E_BAD_ARG", `start must be a u32 byte offset, not ${describe(start)}`, 0, "start");
  if (start === undefined) {
    if (s.capOffsetLocal < 0) throw new UsageError("E_BAD_ARG", `${s.name} has no capability chain`, 0, null);
    if (bytes.length < fixed) return [];
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const le = prof.endian === "little";
    const flags = dv.getUint32(4, le);
    if (!s.caps || !(flags & s.caps.flag)) return [];
    const v = variantIndex(prof);
    startAt = SCHEMA.fields[s.firstField + s.capOffsetLocal].offsets[v];
    start = dv.getUint32(startAt, le);
  }
  if (start === 0) return []; // no chain
  // a chain moves forwards by at least one 8-byte header per hop: room for more caps is never used
  const room = Math.min(max, Math.floor(bytes.length / SIZEOF_VFIO_INFO_CAP_HEADER) + 1);
  const call = reserveCall(REGION.codec, 64 + bytes.length + 16 + room * SPAN_SIZE + 64, "walkCaps");
  const cw = call.w,
    src = call.at + 64;
  const out = (src + bytes.length + 15) & ~15;
  copyIn(cw, src, bytes);
  const n = cw.caps_walk(prof.word, src, bytes.length, fixed, start, out, room);
  if (n < 0) throw walkError(n, cw, start, startAt, max);
  const dv = dataAt(cw, out, n * SPAN_SIZE);
  const res: CapSpan[] = [];
  for (let i = 0, p = 0; i < n; i++, p += SPAN_SIZE) {
    res.push({
      id: dv.getUint16(p + SPAN.id, true),
      version: dv.getUint16(p + SPAN.version, true),
      offset: dv.getUint32(p + SPAN.offset, true),
      length: dv.getUint32(p + SPAN.length, true),
    });
  }
  return res;
}

/**
 * The walk's failure, at the link that failed: the failing cap's next, or the start (the
 * cap_offset field at byte startAt, or the caller's `start` when startAt is null).
 */
function walkError(code: number, w: WasmExports, start: number, startAt: number | null, limit: number): CapChainError {
  const at = w.err_offset() >>> 0,
    value = Number(w.err_value());
  const fromStart = at === 0xffffffff;
  const startField = startAt === null ? "start" : "cap_offset";
  const field = fromStart ? startField : "header.next";
  const where = fromStart ? `${startField} (${start})` : `next at 0x${at.toString(16)}`;
  const msg =
    code === Status.E_CAP_TOO_MANY
      ? `capability chain: more than ${limit} capabilities (maxCaps); ${where} leads to 0x${value.toString(16)}`
      : `capability chain: ${statusName(code)}: ${where} points to 0x${value.toString(16)}`;
  return new CapChainError(statusName(code), msg, fromStart ? (startAt ?? 0) : at, field);
}

/**
 * Build an info reply with a capability chain exactly as the kernel would (vfio_info_cap_add +
 * vfio_info_cap_shift): caps back to back in the given order, 8-aligned with zero padding from
 * epoch 6.6, first cap right after the fixed struct. With `argsz` smaller than the result the
 * reply is the kernel's "too small" answer (CAPS set, argsz raised, cap_offset 0).
 */
export function buildCaps(
  host: string,
  fixed: Record<string, unknown>,
  caps: Partial<DecodedCap>[],
  opts: ProfileOptions & SizeOptions = {},
): Uint8Array {
  if (!Array.isArray(caps))
    throw new EncodeError("E_VALUE", `caps must be an array of capabilities, not ${describe(caps)}`, 0, "caps");
  // encode() reports a capability that is not an object, naming it
  const stripped = caps.map((c) => {
    if (c === null || typeof c !== "object") return c;
    const { offset: _o, ...rest } = c as DecodedCap;
    return rest;
  });
  return encode(host, { ...fixed, caps: stripped } as never, opts);
}

/**
 * The kernel's chain construction on raw capabilities: `fixed` is the encoded info struct, each entry
 * of `caps` a whole capability (header + body; `next` is overwritten). Same rules as buildCaps
 * (wasm `caps_build`): back to back, 8-aligned with zero padding from epoch 6.6; with `argszSupplied`
 * too small the reply is the "too small" answer (CAPS set, argsz raised, cap_offset 0, no caps).
 * Returns the bytes the kernel writes: the fixed struct, followed by the chain when it fits.
 */
export function buildCapsRaw(
  host: string,
  fixed: Uint8Array,
  caps: Uint8Array[],
  argszSupplied?: number,
  opts: ProfileOptions & SizeOptions = {},
): Uint8Array {
  const s = structByName(host);
  const prof = resolveProfile(opts);
  fixed = inputBytes(fixed, "fixed");
  if (!Array.isArray(caps))
    throw new UsageError("E_BAD_ARG", `caps must be an array of Uint8Array, not ${describe(caps)}`, 0, "caps");
  caps = caps.map((c, i) => inputBytes(c, `caps[${i}]`));
  if (
    argszSupplied !== undefined &&
    (typeof argszSupplied !== "number" ||
      !Number.isInteger(argszSupplied) ||
      argszSupplied < 0 ||
      argszSupplied > 0xffffffff)
  )
    throw new UsageError("E_BAD_ARG", `argszSupplied must be a u32, not ${describe(argszSupplied)}`, 0, "argsz");
  const capsBytes = caps.reduce((a, c) => a + ((c.length + 15) & ~15), 0);
  const total = fixed.length + caps.reduce((a, c) => a + ((c.length + 7) & ~7), 0);
  checkSize(total, opts, `buildCaps ${s.name}`);
  const listBytes = (caps.length * 8 + 15) & ~15;
  const call = reserveCall(REGION.codec, 64 + listBytes + total + 16 + capsBytes, "buildCaps");
  const w = call.w,
    list = call.at + 64,
    dst = list + listBytes;
  let at = (dst + total + 15) & ~15;
  const entries = u32At(w, list, caps.length * 2);
  copyIn(w, dst, fixed);
  caps.forEach((c, i) => {
    copyIn(w, at, c);
    entries[i * 2] = at;
    entries[i * 2 + 1] = c.length;
    at += (c.length + 15) & ~15;
  });
  const r = w.caps_build(s.id, prof.word, dst, total, fixed.length, argszSupplied ?? 0xffffffff, list, caps.length);
  if (r < 0) throw new EncodeError(statusName(r), `building the capability chain failed: ${statusName(r)}`, 0, "caps");
  return copyOut(w, dst, r);
}

/** One capability of a decoded chain, in chain order. */
export interface ChainLink {
  index: number;
  offset: number;
  /** Bytes of the capability the codec knows (header + fields + arrays). */
  size: number;
  id: number;
  version: number;
  name: string | null;
  next: number;
  /** Where the capability's `next` field sits. */
  nextAt: number;
}

/** How a chain stops: next 0, a pointer back to a capability already visited, or a bad pointer. */
export type ChainEnd =
  | { kind: "end" }
  | { kind: "loop"; target: number; to: number; code: string | null }
  | { kind: "broken"; target: number; code: string; message: string }
  | { kind: "none" };

/** The capability chain of a decoded buffer, as pointers: what a diagram of it needs. */
export interface CapChain {
  struct: string;
  /** The struct's pointer to the first capability (cap_offset) and where it sits. */
  start: number;
  startAt: number;
  startField: string;
  /** The struct's CAPS flag: without it the kernel ignores cap_offset. */
  enabled: boolean;
  caps: ChainLink[];
  end: ChainEnd;
}

/** The chain of an inspect() result, or null when the struct has no capability chain. */
export function capChain(r: InspectResult): CapChain | null {
  const v = r.value as Record<string, unknown> & { caps?: DecodedCap[]; $: { struct: string } };
  const s = structByName(v.$.struct);
  if (!s.caps) return null;
  const startField = s.caps.offsetField;
  const startNode = nodeAt(r.nodes, [startField]);
  if (!startNode) return null;
  const start = Number(v[startField]);
  const enabled = (Number(v.flags) & s.caps.flag) !== 0;
  const caps = (v.caps ?? []).map((c, index): ChainLink => {
    const nextNode = nodeAt(r.nodes, ["caps", index, "header", "next"]);
    const size = nodeAt(r.nodes, ["caps", index])?.size ?? c.knownSize;
    const { id, version, next } = c.header;
    return { index, offset: c.offset, size, id, version, name: c.name, next, nextAt: nextNode?.offset ?? c.offset + 4 };
  });
  return { struct: s.name, start, startAt: startNode.offset, startField, enabled, caps, end: chainEnd(r, start, caps) };
}

function chainEnd(r: InspectResult, start: number, caps: ChainLink[]): ChainEnd {
  const error = r.diagnostics.find((d) => d.severity === "error" && d.code.startsWith("E_CAP"));
  const last = caps[caps.length - 1];
  if (!error) return last ? { kind: "end" } : { kind: "none" };
  const target = last ? last.next : start;
  const to = caps.findIndex((c) => c.offset === target);
  if (to >= 0) return { kind: "loop", target, to, code: error.code };
  return { kind: "broken", target, code: error.code, message: error.message };
}
