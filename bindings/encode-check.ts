// What encode() checks in the values it is given, generically over the schema: every integer in its
// field's range (no silent wrap: 2n ** 64n + 3n and "18446744073709551619" are errors), every member
// of the type the schema says, and every offset and length inside the buffer and consistent with the
// rest (capabilities after the fixed struct, aligned, inside argsz, not overlapping, `next` and
// `cap_offset` agreeing; gaps, slack and tail clear of every placed field). Errors are EncodeError
// with the field path.
import { EncodeError } from "./errors.js";
import { describe } from "./memory.js";
import type { ResolvedProfile } from "./profile.js";
import type { SchemaField, SchemaStruct } from "./schema-types.js";

export type Scalar = "u8" | "u16" | "u32" | "s32" | "u64";
type Val = Record<string, unknown>;

/**
 * Inclusive range of each scalar type. Unsigned fields take no negative value (-1 is not 2^32 - 1
 * by accident); an s32 (an eventfd) also takes its 32 bits written as unsigned, as C callers do.
 */
export const RANGE: Record<Scalar, readonly [bigint, bigint]> = {
  u8: [0n, 0xffn],
  u16: [0n, 0xffffn],
  u32: [0n, 0xffffffffn],
  s32: [-0x80000000n, 0xffffffffn],
  u64: [0n, 0xffffffffffffffffn],
};
/** Longest integer text accepted ("0x" + 16 digits, or 20 decimal digits, a sign and leading zeros). */
const MAX_TEXT = 40;
const INT_TEXT = /^(-?)(0x[0-9a-f]+|\d+)$/i;

const valueError = (path: string, message: string, at = 0) => new EncodeError("E_VALUE", message, at, path);

/**
 * An integer value for a field of type `scalar`: a number (an integer), a bigint, or a decimal / 0x
 * string. Returns its bits as an unsigned bigint (s32: two's complement in 32 bits). Anything else,
 * or a value outside the type's range, is an EncodeError naming `path`.
 */
export function intOf(raw: unknown, scalar: Scalar, path: string, at = 0): bigint {
  let v: bigint;
  if (typeof raw === "bigint") v = raw;
  else if (typeof raw === "number") {
    if (!Number.isInteger(raw)) throw valueError(path, `${path} must be an integer, not ${describe(raw)}`, at);
    v = BigInt(raw);
  } else if (typeof raw === "string") {
    const m = raw.length <= MAX_TEXT ? INT_TEXT.exec(raw.trim()) : null;
    if (!m) throw valueError(path, `${path} must be an integer (decimal or 0x), not ${describe(raw)}`, at);
    v = m[1] ? -BigInt(m[2]) : BigInt(m[2]);
  } else
    throw valueError(path, `${path} must be an integer (a number, bigint or decimal string), not ${describe(raw)}`, at);
  const [lo, hi] = RANGE[scalar];
  if (v < lo || v > hi) throw valueError(path, `${path} = ${describe(raw)} is outside ${scalar} (${lo}..${hi})`, at);
  return v < 0n ? BigInt.asUintN(32, v) : v;
}

/** A byte offset or length: a non-negative safe integer no larger than `max`. */
export function offsetOf(raw: unknown, path: string, max: number): number {
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 0)
    throw valueError(path, `${path} must be a byte offset (a non-negative integer), not ${describe(raw)}`);
  if (raw > max) throw valueError(path, `${path} = ${raw} is beyond the largest buffer allowed (${max} bytes)`);
  return raw;
}

/** Bytes given as a Uint8Array (decode gives them so; JSON input is converted by fromJSONValue). */
export function bytesOf(raw: unknown, path: string): Uint8Array {
  if (!(raw instanceof Uint8Array)) throw valueError(path, `${path} must be a Uint8Array, not ${describe(raw)}`);
  return raw;
}

export const isObject = (v: unknown): v is Val =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** A member that must be a plain object (a struct value, a capability, `$`). */
export function objectOf(raw: unknown, path: string): Val {
  if (!isObject(raw)) throw valueError(path, `${path || "the value"} must be an object, not ${describe(raw)}`);
  return raw;
}

/** A member that must be an array (payload, trailing array, caps). */
export function arrayOf(raw: unknown, path: string): unknown[] {
  if (!Array.isArray(raw)) throw valueError(path, `${path} must be an array, not ${describe(raw)}`);
  return raw;
}

// ---------------------------------------------------------------- byte spans
/** Layout variant index of a profile: lp64/6.1, lp64/6.6, ilp32/6.1, ilp32/6.6. */
export const variantOf = (prof: ResolvedProfile): number =>
  (prof.model === "ilp32" ? 2 : 0) + (prof.epoch === "6.6" ? 1 : 0);

/** Whether a field exists under the profile (and, for a capability, at its version). */
export function fieldPresent(f: SchemaField, prof: ResolvedProfile, version = 0): boolean {
  if (f.proposal && !prof.proposals.includes(f.proposal)) return false;
  if (f.since === "6.6" && prof.epoch !== "6.6") return false;
  return !(version !== 0 && f.version > version);
}

interface Span {
  start: number;
  end: number;
  what: string;
}

/**
 * The byte spans an encode places: fields, payloads, capabilities, array elements, and the free-form
 * bytes of `$` (gaps, slack, tail). Two spans may not share a byte: a gap written over a field
 * would change the field behind the caller's back.
 */
export class Spans {
  private readonly list: Span[] = [];
  add(start: number, len: number, what: string): void {
    if (len > 0) this.list.push({ start, end: start + len, what });
  }
  /** The scalar fields of struct `s` placed at `base` (the holes between them stay free). */
  addFields(fields: readonly SchemaField[], base: number, prof: ResolvedProfile, prefix: string, version = 0): void {
    const v = variantOf(prof);
    for (const f of fields)
      if (f.scalar && fieldPresent(f, prof, version)) this.add(base + f.offsets[v], f.size, prefix + f.path);
  }
  /** End of the last span (0 when none). */
  end(): number {
    return this.list.reduce((a, s) => Math.max(a, s.end), 0);
  }
  /** Throws EncodeError naming both spans when two overlap. */
  check(): void {
    const l = this.list.sort((a, b) => a.start - b.start || a.end - b.end);
    let last: Span | null = null;
    for (const s of l) {
      if (last && s.start < last.end)
        throw valueError(
          s.what,
          `${s.what} (bytes ${s.start}..${s.end - 1}) overlaps ${last.what} (bytes ${last.start}..${last.end - 1})`,
          s.start,
        );
      if (!last || s.end > last.end) last = s;
    }
  }
}

/** The value of a field path ("header.next") inside a struct value. */
export function valueAt(value: Val, path: string): unknown {
  let raw: unknown = value;
  for (const part of path.split(".")) raw = isObject(raw) ? raw[part] : undefined;
  return raw;
}

/** Nested members (`header` of a capability) must be objects when given. */
export function checkNested(s: SchemaStruct, fields: readonly SchemaField[], value: Val, prefix: string): void {
  for (const f of fields) {
    const dot = f.path.indexOf(".");
    if (dot < 0) continue;
    const top = f.path.slice(0, dot);
    const x = value[top];
    if (x !== undefined && x !== null && !isObject(x))
      throw valueError(prefix + top, `${prefix}${top} must be an object (${s.name}), not ${describe(x)}`);
  }
}
