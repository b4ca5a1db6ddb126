// The one seeded PRNG of the TypeScript tools and the JavaScript tests (mulberry32): small, fast and
// the same sequence in every engine, so a seed printed by a failing campaign reproduces it anywhere.
// The fuzzing generators have their own in the wasm module (assembly/fuzz/rng.ts), where the bytes
// must not depend on the host; property tests use fast-check's, which also shrinks.

export interface Rng {
  /** Next 32-bit unsigned draw. */
  u32(): number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A byte (the draw's top 8 bits). */
  byte(): number;
}

/** A generator seeded with `seed` (any integer; taken modulo 2^32). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const u32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = () => u32() / 4294967296;
  const int = (n: number) => Math.floor(next() * n);
  return {
    u32,
    next,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
    chance: (p: number) => next() < p,
    byte: () => u32() >>> 24,
  };
}
