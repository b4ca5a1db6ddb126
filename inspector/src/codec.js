// Start the codec. The WebAssembly module's bytes are part of this script (no fetch), so the page
// works the same from a web server and from a file on disk. Where a Content-Security-Policy (or
// the browser) refuses WebAssembly, the same codec compiled to JavaScript by binaryen's wasm2js is
// loaded as a plain script next to this one; results are identical.
import wasmBytes from "../../build/release.wasm";
import * as lib from "./lib.js";

/** Global the wasm2js script defines (scripts/build/inspector.mjs builds it with this name). */
const WASM2JS_GLOBAL = "vfioAbiWasm2js";
const WASM2JS_FILE = "wasm2js.js";

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

/** Resolves with {backend: "wasm"} or {backend: "js", why}. */
export async function startCodec() {
  try {
    await lib.init(wasmBytes);
    return { backend: "wasm", why: "" };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    await loadScript(WASM2JS_FILE);
    const js = globalThis[WASM2JS_GLOBAL];
    // instantiate() gives calls too large for the page's instance a fresh one (the memory policy)
    lib.initWithExports(js.default, "js", js.instantiate);
    return { backend: "js", why };
  }
}
