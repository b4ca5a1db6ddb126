// Shared pieces of the hostile-input suite: the modules (wasm and their wasm2js twins), a seeded
// PRNG, the memory map read from the module itself, and a per-class tally printed as TAP comments so
// CI logs show how many hostile calls each class made and what memory did.
import { readFileSync } from "node:fs";
import * as W from "../../schema/wasm-abi.mjs";

const root = new URL("../../", import.meta.url);
export const lib = await import(new URL("dist/bindings/index.js", root).href);
export const SCHEMA_ABI = W;

const bytes = (p) => readFileSync(new URL(p, root));
export const MODULES = {
  core: new WebAssembly.Module(bytes("build/release.wasm")),
  fuzz: new WebAssembly.Module(bytes("build/fuzz.wasm")),
};
/** A fresh instance of a module: "core" / "fuzz", as .wasm or as its wasm2js build ("js"). */
export async function instance(module, kind = "wasm") {
  if (kind === "wasm") return new WebAssembly.Instance(MODULES[module], {}).exports;
  const file = module === "core" ? "build/release.wasm2js.js" : "build/fuzz.wasm2js.js";
  const js = await import(new URL(file, root).href);
  return js.instantiate();
}

/** The contract's exports of one module, with their parameter lists. */
export const exportsOf = (module) =>
  W.exportedFunctions.filter((f) => f.modules.includes(module) && f.params.length > 0);

/** The suite's inputs are a function of the seed (the tests' one PRNG). */
export { rng } from "../helpers/rng.mjs";

/** The static part of memory (below arena_ptr): the module's tables. */
export const staticBytes = (ex) => new Uint8Array(ex.memory.buffer, 0, ex.arena_ptr() >>> 0).slice();
export const sameBytes = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Per-class tally: calls, failures, memory; report() prints one line per class and the total. */
export class Tally {
  classes = new Map();
  add(name, calls, extra = {}) {
    const c = this.classes.get(name) ?? { calls: 0 };
    c.calls += calls;
    Object.assign(c, extra);
    this.classes.set(name, c);
  }
  get total() {
    let n = 0;
    for (const c of this.classes.values()) n += c.calls;
    return n;
  }
  report(title) {
    for (const [name, c] of this.classes) {
      const { calls, ...rest } = c;
      const more = Object.entries(rest)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      console.log(
        `hostile ${title} / ${name}: ${calls.toLocaleString("en-US")} calls, 0 failures${more ? `, ${more}` : ""}`,
      );
    }
    console.log(
      `hostile ${title}: ${this.total.toLocaleString("en-US")} calls in ${this.classes.size} classes, 0 failures`,
    );
  }
}

/**
 * Scale of the random classes. The default, 7, gives over 10 million calls per run (the CI floor);
 * HOSTILE_SCALE=1 is a quick run while developing.
 */
export const SCALE = Number(process.env.HOSTILE_SCALE ?? 7);
