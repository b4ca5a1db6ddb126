// The one owner of the wasm modules' memory on the TypeScript side (the core's and the fuzzing module's). Every binding reserves arena
// space, copies bytes in and out and makes typed views through these functions, so growth (which
// detaches earlier views), failed reservations and unsigned addresses are handled in one place.
import { UsageError } from "./errors.js";
import { type ArenaExports, MEMORY_POLICY, type WasmExports } from "./generated/wasm-abi.js";
import { freshInstance, wasm } from "./loader.js";
import type { SizeOptions } from "./types.js";

export { MEMORY_POLICY };
export type { SizeOptions };

/** Where each part of the bindings works in the arena, as byte offsets from arena_ptr(). */
export const REGION = {
  /** decode, encode and the capability helpers: scratch for one call at a time */
  codec: 0,
  /** fuzzing: work area, device blocks, profile words, campaign block (kept across calls) */
  fuzz: 0x4400,
  /** the oracle: device block and request */
  oracle: 1 << 20,
} as const;

/** Arena bytes available now. The export returns an i32; the capacity is unsigned. */
export const arenaCapacity = (w: ArenaExports): number => w.arena_cap() >>> 0;

/**
 * Make the arena hold `region + size` bytes and return the absolute address of `region`. Throws a
 * UsageError (E_NO_MEMORY) naming `what` when memory cannot grow that far.
 */
export function reserve(w: ArenaExports, region: number, size: number, what: string): number {
  const need = region + size;
  if (arenaCapacity(w) < need) {
    // arena_reserve's i32 answer cannot express every capacity: read the capacity back instead
    w.arena_reserve(need >>> 0);
    if (arenaCapacity(w) < need)
      throw new UsageError("E_NO_MEMORY", `${what}: cannot grow wasm memory to ${need} arena bytes`, 0, null);
  }
  return (w.arena_ptr() >>> 0) + region;
}

/** Copy `bytes` into memory at `at`. */
export function copyIn(w: ArenaExports, at: number, bytes: ArrayLike<number>): void {
  new Uint8Array(w.memory.buffer, at, bytes.length).set(bytes);
}
/** A copy of `n` bytes of memory at `at` (stays valid when memory grows). */
export function copyOut(w: ArenaExports, at: number, n: number): Uint8Array {
  return new Uint8Array(w.memory.buffer.slice(at, at + n));
}
/** Live views: valid until the next call that may grow memory. */
export const bytesAt = (w: ArenaExports, at: number, n: number): Uint8Array => new Uint8Array(w.memory.buffer, at, n);
export const u32At = (w: ArenaExports, at: number, n: number): Uint32Array => new Uint32Array(w.memory.buffer, at, n);
export const dataAt = (w: ArenaExports, at: number, n: number): DataView => new DataView(w.memory.buffer, at, n);
export const u64At = (w: ArenaExports, at: number, n: number): BigUint64Array =>
  new BigUint64Array(w.memory.buffer, at, n);

// ---------------------------------------------------------------- the memory policy
/** The most any call may ask for: what 32-bit wasm memory can hold beside the module's own data. */
const MAX_INPUT_LIMIT = 0xffff0000;

/** The call's maxInput, checked: an integer in 0 .. 2^32 - 2^16. */
export function maxInputOf(o: SizeOptions | undefined): number {
  const m = o?.maxInput;
  if (m === undefined) return MEMORY_POLICY.defaultMaxInput;
  if (typeof m !== "number" || !Number.isInteger(m) || m < 0 || m > MAX_INPUT_LIMIT)
    throw new UsageError(
      "E_BAD_ARG",
      `maxInput must be an integer from 0 to ${MAX_INPUT_LIMIT}, not ${describe(m)}`,
      0,
      "maxInput",
    );
  return m;
}

/** Throws UsageError E_TOO_LARGE when `n` bytes are more than the call allows. */
export function checkSize(n: number, o: SizeOptions | undefined, what: string): void {
  const max = maxInputOf(o);
  if (n > max)
    throw new UsageError(
      "E_TOO_LARGE",
      `${what}: ${n} bytes is more than maxInput (${max} bytes); pass { maxInput } to allow more`,
      0,
      null,
    );
}

/**
 * Where a call that needs `size` arena bytes from `region` runs: the long-lived instance when it
 * stays within MEMORY_POLICY.residentArena, otherwise a fresh instance the caller drops after the
 * call (so no input grows the long-lived one). Returns the instance and the absolute address of
 * `region` in it.
 */
export function reserveCall(region: number, size: number, what: string): { w: WasmExports; at: number } {
  const resident = wasm();
  const fits = region + size <= MEMORY_POLICY.residentArena;
  const w = fits ? resident : (freshInstance() ?? resident);
  const at = reserve(w, region, size, what);
  lastCallBytes = w.memory.buffer.byteLength;
  return { w, at };
}
let lastCallBytes = 0;

/** Wasm memory in use: the long-lived instance's, and that of the instance the last call ran on. */
export function memoryStats(): { residentBytes: number; lastCallBytes: number } {
  return { residentBytes: wasm().memory.buffer.byteLength, lastCallBytes };
}

/** A short description of a value for error messages (never throws, whatever the value). */
export function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === "function") return "a function";
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return `a ${Object.getPrototypeOf(v)?.constructor?.name ?? "null-prototype object"}`;
}

/**
 * The bytes of an input: a Uint8Array (or Buffer) as is; any other typed array or DataView as the
 * bytes it covers (its byteOffset and byteLength, never its element count); an ArrayBuffer or
 * SharedArrayBuffer whole. Anything else is a UsageError naming `what`.
 */
export function inputBytes(b: unknown, what: string): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer))
    return new Uint8Array(b);
  throw new UsageError("E_BAD_ARG", `${what} must be bytes (a Uint8Array), not ${describe(b)}`, 0, what);
}

/** Default of decode's maxCaps (capability-chain hops). */
export const DEFAULT_MAX_CAPS = 1024;
/** The call's maxCaps, checked: an integer from 1 to 2^31 - 1 (the chain itself ends after len / 8 hops). */
export function maxCapsOf(o: { maxCaps?: number } | undefined): number {
  const m = o?.maxCaps;
  if (m === undefined) return DEFAULT_MAX_CAPS;
  if (typeof m !== "number" || !Number.isInteger(m) || m < 1 || m > 0x7fffffff)
    throw new UsageError(
      "E_BAD_ARG",
      `maxCaps must be an integer from 1 to ${0x7fffffff}, not ${describe(m)}`,
      0,
      "maxCaps",
    );
  return m;
}
