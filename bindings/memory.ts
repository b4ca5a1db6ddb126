// The one owner of the wasm modules' memory on the TypeScript side (the core's and the fuzzing module's). Every binding reserves arena
// space, copies bytes in and out and makes typed views through these functions, so growth (which
// detaches earlier views), failed reservations and unsigned addresses are handled in one place.
import { UsageError } from "./errors.js";
import type { ArenaExports } from "./generated/wasm-abi.js";

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
