// Seeded, engine-independent PRNG for the fuzz generators: splitmix64 seeds each case from
// (seed, index), xorshift64* draws. Pure integer wasm ops, so every engine gives the same bytes.
let st: u64 = 1;

/** The generator's draws. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
export class Rng {
  @inline static mix(z: u64): u64 {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
  @inline static next64(): u64 {
    st = Rng.step(st);
    return Rng.out(st);
  }
  /** Uniform in [0, n) (n > 0; 0 for n == 0): `below`, inlined where the irq_set generator draws. */
  @inline static below(n: u32): u32 {
    return Rng.belowOf(Rng.next64(), n);
  }
  // Drawing from a local copy of the state: a wasm local stays in a register, while the global is a
  // store and a reload on every draw (a dependency through memory that TurboFan keeps). The irq_set
  // generator takes the state with Rng.get(), steps it (s = Rng.step(s)) and reads each draw with
  // Rng.out(s); it hands the state back (Rng.set) before anything that draws from the global.
  @inline static get(): u64 {
    return st;
  }
  @inline static set(s: u64): void {
    st = s;
  }
  /** xorshift64: the state after s. */
  @inline static step(x: u64): u64 {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return x;
  }
  /**
   * s stepped when c: a draw made only on one side of a coin flip, taken with a select rather than a
   * branch (a branch on a random draw is mispredicted as often as the flip comes out against it).
   */
  @inline static stepIf(s: u64, c: bool): u64 {
    return select<u64>(Rng.step(s), s, c);
  }
  /** xorshift64*: the draw of state s. */
  @inline static out(s: u64): u64 {
    return s * 0x2545f4914f6cdd1d;
  }
  /** Draw d reduced to [0, n). */
  @inline static belowOf(d: u64, n: u32): u32 {
    return (((d >> 32) * (n as u64)) >> 32) as u32;
  }
  /** Draw d is true with probability k/16. */
  @inline static chanceOf(d: u64, k: u32): bool {
    return ((d >> 60) as u32) < k;
  }
  /** True with probability k/16. */
  @inline static chance(k: u32): bool {
    return Rng.chanceOf(Rng.next64(), k);
  }
  @inline static put32(p: usize, v: u32): void {
    store<u32>(p, BIG ? bswap<u32>(v) : v);
  }
}
/** Position the generator on case `idx` of run `seed`. */
export function seedCase(seed: u32, idx: u32, salt: u32): void {
  st = Rng.mix((((seed as u64) << 32) | (idx as u64)) + 0x9e3779b97f4a7c15 * ((salt as u64) + 1));
  if (st == 0) st = 0x2545f4914f6cdd1d;
}
export function seedRaw(s: u64): void {
  st = Rng.mix(s + 0x9e3779b97f4a7c15);
  if (st == 0) st = 1;
}
export function r32(): u32 {
  return (Rng.next64() >> 32) as u32;
}
/** Uniform in [0, n) (n > 0; 0 for n == 0). */
export function below(n: u32): u32 {
  return Rng.below(n);
}
/** Small-biased value: often 0..16, sometimes anything. */
export function smallish(): u32 {
  return Rng.chance(12) ? below(17) : r32();
}

// Byte-order aware stores for the generators (one call instead of inlined swaps everywhere).
export let BIG: bool = false;
export function setBig(prof: u32): bool {
  BIG = (prof & 1) != 0;
  return BIG;
}
export function put16(p: usize, v: u32): void {
  store<u16>(p, BIG ? bswap<u16>(v as u16) : (v as u16));
}
export function get32(p: usize): u32 {
  const x = load<u32>(p);
  return BIG ? bswap<u32>(x) : x;
}
export function get16(p: usize): u32 {
  const x = load<u16>(p);
  return (BIG ? bswap<u16>(x) : x) as u32;
}
