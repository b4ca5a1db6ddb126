// What encode() checks in the values it is given: every integer in its field's range (no silent
// wrap: 2n ** 64n + 3n and "18446744073709551619" are errors, and so is -1 for an unsigned field),
// every member of the type it must have, every offset a safe non-negative integer. Errors are
// EncodeError with the field path.
import { EncodeError } from "./errors.js";
import { describe } from "./memory.js";

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
