// Capability-chain helpers over the wasm core: a fast header-only walk and the kernel-style build.

import { REGION, copyIn, copyOut, dataAt, reserve, u32At } from "./memory.js";
import { encode } from "./encode.js";
import { CapChainError, EncodeError, statusName, UsageError } from "./errors.js";
import { SCHEMA } from "./generated/schema.js";
import { wasm } from "./loader.js";
import { resolveProfile, variantIndex } from "./profile.js";
import { structByName } from "./schema-index.js";
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
  opts: ProfileOptions & { start?: number; maxCaps?: number } = {},
): CapSpan[] {
  const s = structByName(host);
  const prof = resolveProfile(opts);
  const w = wasm();
  const fixed = w.struct_size(s.id, prof.word);
  let start = opts.start;
  if (start === undefined) {
    if (s.capOffsetLocal < 0) throw new UsageError("E_BAD_ARG", `${s.name} has no capability chain`, 0, null);
    if (bytes.length < fixed) return [];
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const le = prof.endian === "little";
    const flags = dv.getUint32(4, le);
    if (!s.caps || !(flags & s.caps.flag)) return [];
    const v = variantIndex(prof);
    start = dv.getUint32(SCHEMA.fields[s.firstField + s.capOffsetLocal].offsets[v], le);
  }
  const max = opts.maxCaps ?? 1024;
  const src = reserve(w, REGION.codec, 64 + bytes.length + max * 12 + 64, "walkCaps") + 64;
  const out = (src + bytes.length + 15) & ~15;
  copyIn(w, src, bytes);
  const n = w.caps_walk(prof.word, src, bytes.length, fixed, start, out, max);
  if (n < 0) throw new CapChainError(statusName(n), `capability chain: ${statusName(n)}`, start, "cap_offset");
  const dv = dataAt(w, out, n * 12);
  const res: CapSpan[] = [];
  for (let i = 0; i < n; i++) {
    const hdr = dv.getUint32(i * 12, true);
    res.push({
      id: hdr & 0xffff,
      version: hdr >>> 16,
      offset: dv.getUint32(i * 12 + 4, true),
      length: dv.getUint32(i * 12 + 8, true),
    });
  }
  return res;
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
  opts: ProfileOptions = {},
): Uint8Array {
  const stripped = caps.map((c) => {
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
  opts: ProfileOptions = {},
): Uint8Array {
  const s = structByName(host);
  const prof = resolveProfile(opts);
  const w = wasm();
  const capsBytes = caps.reduce((a, c) => a + ((c.length + 15) & ~15), 0);
  const total = fixed.length + caps.reduce((a, c) => a + ((c.length + 7) & ~7), 0);
  const listBytes = (caps.length * 8 + 15) & ~15;
  const list = reserve(w, REGION.codec, 64 + listBytes + total + 16 + capsBytes, "buildCaps") + 64,
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
