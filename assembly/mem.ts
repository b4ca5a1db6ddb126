import { PROF_EPOCH66, PROF_ILP32 } from "./generated/wasm-abi";
// Byte-order aware loads/stores and the bounds helpers every export uses.
// Wasm is little-endian; big-endian profiles (s390x, ppc64) byte-swap every field.

/** Profile bits. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
export class Prof {
  /** Layout variant index: model * 2 + epoch (lp64/6.1, lp64/6.6, ilp32/6.1, ilp32/6.6). */
  @inline static variantOf(prof: u32): i32 {
    return (((prof & PROF_ILP32) != 0 ? 2 : 0) | ((prof & PROF_EPOCH66) != 0 ? 1 : 0)) as i32;
  }
}
/** Byte-order aware loads and stores. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
export class Mem {
  @inline static rd16(p: usize, big: bool): u32 {
    const x = load<u16>(p);
    return (big ? bswap<u16>(x) : x) as u32;
  }
  @inline static rd32(p: usize, big: bool): u32 {
    const x = load<u32>(p);
    return big ? bswap<u32>(x) : x;
  }
  @inline static rd64(p: usize, big: bool): u64 {
    const x = load<u64>(p);
    return big ? bswap<u64>(x) : x;
  }
  @inline static wr16(p: usize, v: u32, big: bool): void {
    const x = v as u16;
    store<u16>(p, big ? bswap<u16>(x) : x);
  }
  @inline static wr32(p: usize, v: u32, big: bool): void {
    store<u32>(p, big ? bswap<u32>(v) : v);
  }
  @inline static wr64(p: usize, v: u64, big: bool): void {
    store<u64>(p, big ? bswap<u64>(v) : v);
  }
}

/** Read a scalar of `size` bytes (1, 2, 4, 8). */
export function rdN(p: usize, size: i32, big: bool): u64 {
  if (size == 4) return Mem.rd32(p, big) as u64;
  if (size == 8) return Mem.rd64(p, big);
  if (size == 2) return Mem.rd16(p, big) as u64;
  return load<u8>(p) as u64;
}
export function wrN(p: usize, size: i32, v: u64, big: bool): void {
  if (size == 4) Mem.wr32(p, v as u32, big);
  else if (size == 8) Mem.wr64(p, v, big);
  else if (size == 2) Mem.wr16(p, v as u32, big);
  else store<u8>(p, v as u8);
}

// ---- the memory map (docs/wasm-abi.md): static data and tables below ARENA, the host's arena from
// ARENA to the end of memory. Hosts point only into the arena, so no call can change the tables.
// @ts-expect-error: builtin
export const ARENA: usize = (__heap_base + 63) & ~63;

/** True when [ptr, ptr+len) lies inside the arena (64-bit arithmetic: no wrap-around). */
export function inArena(ptr: u64, len: u64): bool {
  return Arena.within(ptr, len, Arena.end());
}
/** inArena in two steps for loops over many buffers: the memory's end read once (nothing in the loop
 *  grows it), then an inline test per buffer (a call per buffer cost a fifth of the validate loop). */
export class Arena {
  @inline static end(): u64 {
    return (memory.size() as u64) << 16;
  }
  @inline static within(ptr: u64, len: u64, end: u64): bool {
    return ptr >= (ARENA as u64) && ptr <= end && len <= end - ptr;
  }
}
