// The tests' and benchmarks' seeded PRNG is the bindings' one (bindings/rng.ts, mulberry32): one
// implementation, so a seed printed by a failing test or campaign reproduces it anywhere.
export { rng } from "../../dist/bindings/rng.js";
