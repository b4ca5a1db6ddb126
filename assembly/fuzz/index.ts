// Entry of the fuzzing module (build/fuzz.wasm): its seeded generators, the structure-aware mutator
// and the campaign loop, with their own copy of the codec and the oracle they check against. A
// separate zero-import module so the core (build/release.wasm) stays small; hosts load it on demand.

export { ABI_VERSION, abi_version, arena_cap, arena_ptr, arena_reserve } from "../index";
export * from "./exports";
