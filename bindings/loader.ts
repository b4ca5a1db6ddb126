// One loader for Node, browsers and other engines. No top-level await: call init() (async, any
// host) or initSync() (bytes or a compiled module); in Node and Bun/Deno the packaged .wasm is
// found and loaded synchronously on first use. The fuzzing toolkit is a second module
// (build/fuzz.wasm) with the same kind of loader: it is loaded only when a fuzzing function first
// needs it (initFuzz() / initFuzzSync() where it cannot be read synchronously).

import { UsageError } from "./errors.js";
import { type FuzzExports, WASM_ABI_VERSION, type WasmExports } from "./generated/wasm-abi.js";

/** The raw C-like exports of the modules (generated from the contract; docs/wasm-abi.md). */
export type { FuzzExports, WasmExports };

/** ABI version these bindings were written for (the module's abi_version() must match). */
export const EXPECTED_ABI_VERSION = WASM_ABI_VERSION;

export type WasmSource = BufferSource | WebAssembly.Module;
type AsyncSource = WasmSource | Response | Promise<Response> | URL | string;

/** One module's instance, how to find its packaged file, and which backend runs it. */
class Slot<E extends { abi_version(): number }> {
  current: E | null = null;
  kind: "wasm" | "js" = "wasm";
  /** Makes another instance of the current module (for calls too large for the long-lived one). */
  create: (() => E) | null = null;
  constructor(
    readonly url: () => URL,
    readonly what: string,
  ) {}

  checked(exports: unknown): E {
    const ex = exports as E;
    const v = ex.abi_version();
    if (v !== EXPECTED_ABI_VERSION)
      throw new UsageError(
        "E_BAD_ARG",
        `vfio-abi: ${this.what} ABI version ${v}, bindings expect ${EXPECTED_ABI_VERSION}`,
        0,
        null,
      );
    return ex;
  }
  adopt(exports: unknown, kind: "wasm" | "js", create: (() => E) | null = null): E {
    const ex = this.checked(exports);
    this.current = ex;
    this.kind = kind;
    this.create = create;
    return ex;
  }
  initSync(source: WasmSource): E {
    const mod = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
    const make = () => new WebAssembly.Instance(mod, {}).exports as unknown as E;
    return this.adopt(make(), "wasm", make);
  }
  /** A new instance of the current module, or null when the host gave no way to make one. */
  fresh(): E | null {
    return this.create ? this.checked(this.create()) : null;
  }
  async init(source?: AsyncSource): Promise<E> {
    if (source === undefined) {
      const sync = this.tryNodeSync();
      if (sync) return sync;
      source = this.url();
    }
    if (typeof source === "string" || source instanceof URL) source = fetch(source);
    if (source instanceof Promise || (typeof Response !== "undefined" && source instanceof Response)) {
      const res = await source;
      const bytes = new Uint8Array(await res.arrayBuffer());
      return this.initSync(await WebAssembly.compile(bytes));
    }
    if (source instanceof WebAssembly.Module) return this.initSync(source);
    return this.initSync(await WebAssembly.compile(source as BufferSource));
  }
  tryNodeSync(): E | null {
    const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
    const getBuiltin = p?.getBuiltinModule;
    if (typeof getBuiltin !== "function") return null;
    const fs = getBuiltin("node:fs") as { readFileSync(u: URL): Uint8Array } | undefined;
    if (!fs) return null;
    try {
      return this.initSync(fs.readFileSync(this.url()));
    } catch {
      return null;
    }
  }
  get(init: string): E {
    if (this.current) return this.current;
    const sync = this.tryNodeSync();
    if (sync) return sync;
    throw new UsageError(
      "E_BAD_ARG",
      `vfio-abi: call \`await ${init}()\` (or ${init}Sync(bytes)) before using the ${this.what} in this host`,
      0,
      null,
    );
  }
}

/** URL of the packaged release module, relative to this file (dist/bindings/ or dist/bundle/ -> build/). */
export const wasmUrl = (): URL => new URL("../../build/release.wasm", import.meta.url);
/** URL of the packaged fuzzing module. */
export const fuzzWasmUrl = (): URL => new URL("../../build/fuzz.wasm", import.meta.url);

const core = new Slot<WasmExports>(wasmUrl, "codec");
const fuzz = new Slot<FuzzExports>(fuzzWasmUrl, "fuzzing module");

/** Instantiate synchronously from bytes or a compiled WebAssembly.Module (empty import object). */
export const initSync = (source: WasmSource): WasmExports => core.initSync(source);
/**
 * Instantiate asynchronously. Without an argument the packaged module is fetched (browsers) or
 * read from disk (Node, Bun, Deno). Accepts bytes, a Module, a Response (or its promise), or a URL.
 */
export const init = (source?: AsyncSource): Promise<WasmExports> => core.init(source);
/**
 * Use an already-instantiated exports object (e.g. the wasm2js build for hosts without wasm).
 * `instantiate` makes another instance of the same module (the wasm2js build exports one): calls
 * too large for the long-lived instance run on a fresh one. Without it they grow this instance.
 */
export const initWithExports = (
  ex: WasmExports,
  kind: "wasm" | "js" = "js",
  instantiate?: () => WasmExports,
): WasmExports => core.adopt(ex, kind, instantiate ?? null);
/** A new instance of the codec module, or null when the host gave no way to make one. */
export const freshInstance = (): WasmExports | null => core.fresh();
/** The current exports; auto-initialises synchronously where the host allows it. */
export const wasm = (): WasmExports => core.get("init");
/** "wasm" or "js" (the wasm2js fallback). */
export const backend = (): "wasm" | "js" => core.kind;

/** The fuzzing module, like initSync. */
export const initFuzzSync = (source: WasmSource): FuzzExports => fuzz.initSync(source);
/** The fuzzing module, like init (browsers: call it before the first fuzzing function). */
export const initFuzz = (source?: AsyncSource): Promise<FuzzExports> => fuzz.init(source);
/** The fuzzing module from an exports object (its wasm2js build, build/fuzz.wasm2js.js). */
export const initFuzzWithExports = (ex: FuzzExports, kind: "wasm" | "js" = "js"): FuzzExports => fuzz.adopt(ex, kind);
/** The fuzzing module's exports, loaded on first use where the host allows it. */
export const fuzzWasm = (): FuzzExports => fuzz.get("initFuzz");
