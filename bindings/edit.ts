// Change one value of a buffer and get the new bytes: what the inspector's editor and the CLI
// share. A buffer that decodes is re-encoded from its value, so everything that depends on the
// edit follows (a vfio_irq_set payload grows or shrinks with count and the DATA_* flag, and argsz
// with it when argsz matched the buffer). A buffer that does not decode is patched in place, so
// every other byte stays as it was.
import { inspect, type PathKey, type SpanNode } from "./decode.js";
import { encode } from "./encode.js";
import { EncodeError, UsageError } from "./errors.js";
import { resolveProfile } from "./profile.js";
import { irqSetElementSize, structByName, structFields } from "./schema-index.js";
import { keyPath, nodeAt } from "./spans.js";
import type { DecodeMeta, ProfileOptions } from "./types.js";
import { commandInfo, type MessageDecodeOptions } from "./vfio-user.js";

/** Largest payload the editor builds from a count (a typo like 1e9 must not allocate gigabytes). */
export const MAX_EDIT_ELEMENTS = 4096;

/** Payload elements a new vector gets: an eventfd slot starts as -1 (no eventfd), a bool as 0. */
const fillerOf = (elemSize: number) => (elemSize === 1 ? 0 : -1);

/** Write `value` into `size` bytes at `offset` in the given byte order; throws when it does not fit. */
export function patchBytes(
  bytes: Uint8Array,
  offset: number,
  size: number,
  value: bigint,
  endian: "little" | "big",
): Uint8Array {
  if (offset < 0 || offset + size > bytes.length)
    throw new UsageError("E_BAD_ARG", "the field runs past the end of the bytes", offset, null);
  const bits = BigInt(size * 8);
  if (value < -(1n << (bits - 1n)) || value >= 1n << bits)
    throw new EncodeError("E_VALUE", `${value} does not fit in ${size} bytes`, offset, null);
  const out = bytes.slice();
  let u = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    out[offset + (endian === "little" ? i : size - 1 - i)] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

type Obj = Record<string, unknown>;

function setIn(root: Obj, key: readonly PathKey[], v: unknown): void {
  let o = root as Record<PathKey, unknown>;
  for (const k of key.slice(0, -1)) o = o[k] as Record<PathKey, unknown>;
  o[key[key.length - 1]] = v;
}

/** The value a node takes: 64-bit fields as bigint (two's complement), others as numbers. */
const asValue = (n: SpanNode, v: bigint): number | bigint => (n.size === 8 ? BigInt.asUintN(64, v) : Number(v));

/**
 * A struct with a counted payload whose element size the flags choose (vfio_irq_set): after count
 * or flags changed, size the payload to match, keep the elements that stay (all of them start
 * afresh when the element type changed: an eventfd is not a bool), and let argsz follow when it
 * described the buffer exactly.
 */
function followPayload(structName: string, v: Obj, oldFlags: number, oldLength: number): void {
  const s = structByName(structName);
  const pf = structFields(s).find((f) => f.type === "payload");
  if (!pf?.count) return;
  const meta = v.$ as Partial<DecodeMeta>;
  const consistent = v.argsz === oldLength;
  const elem = irqSetElementSize(Number(v.flags));
  const n = elem ? Math.min(Number(v[pf.count]) >>> 0, MAX_EDIT_ELEMENTS) : 0;
  const old = elem === irqSetElementSize(oldFlags) ? ((v[pf.name] as number[] | undefined) ?? []) : [];
  v[pf.name] = Array.from({ length: n }, (_, i) => (i < old.length ? old[i] : fillerOf(elem)));
  const end = pf.offsets[0] + n * elem;
  delete meta.slack;
  delete meta.slackOffset;
  delete meta.tail;
  delete meta.tailOffset;
  meta.length = consistent ? end : Math.max(end, oldLength);
  if (consistent) v.argsz = end;
}

/**
 * The bytes with the value at `key` (a SpanNode's key) set to `value`. Throws EncodeError when the
 * value does not fit its field, UsageError when `key` names no value.
 */
export function setValue(
  structName: string,
  bytes: Uint8Array,
  key: readonly PathKey[],
  value: bigint | number,
  opts: ProfileOptions & MessageDecodeOptions = {},
): Uint8Array {
  const r = inspect(structName, bytes, opts);
  const node = nodeAt(r.nodes, key);
  if (!node || (node.kind !== "field" && node.kind !== "elem") || node.value === undefined)
    throw new UsageError("E_BAD_ARG", `${keyPath(key) || structName} is not a value of these bytes`, 0, keyPath(key));
  const big = BigInt(value);
  if (!r.ok) return patchBytes(bytes, node.offset, node.size, big, resolveProfile(opts).endian);
  const v = structuredClone(r.value) as unknown as Obj;
  const oldFlags = Number(v.flags);
  setIn(v, key, asValue(node, big));
  const payloadRule = key.length === 1 && (key[0] === "flags" || key[0] === "count");
  if (payloadRule) followPayload(structByName(structName).name, v, oldFlags, bytes.length);
  return encode(structName, v as never, opts);
}

/**
 * A small valid buffer of a struct: every field 0 except argsz. A vfio-user message is the first
 * command whose request has a body struct, with that body blank.
 */
export function blankBytes(structName: string, opts: ProfileOptions = {}): Uint8Array {
  const s = structByName(structName);
  if (s.kind !== "message") return encode(s.name, {}, opts);
  for (let c = 0; c < 256; c++) {
    const info = commandInfo(c);
    if (info?.request && info.request !== "raw") return encode(s.name, { command: c, body: {} } as never, opts);
  }
  return encode(s.name, { command: 1 } as never, opts);
}
