// One loader for Node, browsers and other engines. No top-level await: call init() (async, any
// host) or initSync() (bytes or a compiled module); in Node and Bun/Deno the packaged .wasm is
// found and loaded synchronously on first use.

import { UsageError } from "./errors.js";
import { WASM_ABI_VERSION, type WasmExports } from "./generated/wasm-abi.js";

/** The raw C-like exports of the module (generated from the contract; docs/wasm-abi.md). */
export type { WasmExports };

/** ABI version these bindings were written for (the module's abi_version() must match). */
export const EXPECTED_ABI_VERSION = WASM_ABI_VERSION;

let current: WasmExports | null = null;
let currentKind: "wasm" | "js" = "wasm";
/** Makes another instance of the current module (for calls too large for the long-lived one). */
let create: (() => WasmExports) | null = null;

export type WasmSource = BufferSource | WebAssembly.Module;

function checkVersion(ex: WasmExports): WasmExports {
  const v = ex.abi_version();
  if (v !== EXPECTED_ABI_VERSION)
    throw new UsageError(
      "E_BAD_ARG",
      `vfio-abi: module ABI version ${v}, bindings expect ${EXPECTED_ABI_VERSION}`,
      0,
      null,
    );
  return ex;
}

function adopt(ex: WasmExports, kind: "wasm" | "js", make: (() => WasmExports) | null): WasmExports {
  checkVersion(ex);
  current = ex;
  currentKind = kind;
  create = make;
  return ex;
}

/** Instantiate synchronously from bytes or a compiled WebAssembly.Module (empty import object). */
export function initSync(source: WasmSource): WasmExports {
  const mod = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  const make = () => new WebAssembly.Instance(mod, {}).exports as unknown as WasmExports;
  return adopt(make(), "wasm", make);
}

/** URL of the packaged release module, relative to this file (dist/bindings/ -> build/). */
export const wasmUrl = (): URL => new URL("../../build/release.wasm", import.meta.url);

/**
 * Instantiate asynchronously. Without an argument the packaged module is fetched (browsers) or
 * read from disk (Node, Bun, Deno). Accepts bytes, a Module, a Response (or its promise), or a URL.
 */
export async function init(source?: WasmSource | Response | Promise<Response> | URL | string): Promise<WasmExports> {
  if (source === undefined) {
    const sync = tryNodeSync();
    if (sync) return sync;
    source = wasmUrl();
  }
  if (typeof source === "string" || source instanceof URL) source = fetch(source);
  if (source instanceof Promise || (typeof Response !== "undefined" && source instanceof Response)) {
    const res = await source;
    const bytes = new Uint8Array(await res.arrayBuffer());
    return initSync(await WebAssembly.compile(bytes));
  }
  if (source instanceof WebAssembly.Module) return initSync(source);
  return initSync(await WebAssembly.compile(source as BufferSource));
}

/**
 * Use an already-instantiated exports object (e.g. the wasm2js build for hosts without wasm).
 * `instantiate` makes another instance of the same module (the wasm2js build exports one): calls
 * too large for the long-lived instance run on a fresh one. Without it they grow this instance.
 */
export function initWithExports(
  ex: WasmExports,
  kind: "wasm" | "js" = "js",
  instantiate?: () => WasmExports,
): WasmExports {
  return adopt(ex, kind, instantiate ?? null);
}

/** A new instance of the current module, or null when the host gave no way to make one. */
export function freshInstance(): WasmExports | null {
  return create ? checkVersion(create()) : null;
}

function tryNodeSync(): WasmExports | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown; versions?: { node?: string } } })
    .process;
  const getBuiltin = p?.getBuiltinModule;
  if (typeof getBuiltin !== "function") return null;
  const fs = getBuiltin("node:fs") as { readFileSync(u: URL): Uint8Array } | undefined;
  if (!fs) return null;
  try {
    return initSync(fs.readFileSync(wasmUrl()));
  } catch {
    return null;
  }
}

/** The current exports; auto-initialises synchronously where the host allows it. */
export function wasm(): WasmExports {
  if (current) return current;
  const sync = tryNodeSync();
  if (sync) return sync;
  throw new UsageError(
    "E_BAD_ARG",
    "vfio-abi: call `await init()` (or initSync(bytes)) before using the codec in this host",
    0,
    null,
  );
}

/** "wasm" or "js" (the wasm2js fallback). */
export const backend = (): "wasm" | "js" => currentKind;
