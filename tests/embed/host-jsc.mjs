// JavaScriptCore shell host: `jsc -m tests/embed/host-jsc.mjs -- <core.wasm> <fuzz.wasm> <job>`. The
// jsc shell has no fs or fetch: readFile() and print() are its own globals. Raw exports only.
import { runJob } from "./driver.mjs";

const [corePath, fuzzPath, jobPath] = globalThis.scriptArgs ?? globalThis.arguments;
async function load(path) {
  const mod = await WebAssembly.compile(new Uint8Array(readFile(path, "binary")));
  if (WebAssembly.Module.imports(mod).length !== 0) throw new Error(`${path} has imports`);
  return (await WebAssembly.instantiate(mod, {})).exports;
}
print(runJob(await load(corePath), readFile(jobPath), await load(fuzzPath)).replace(/\n$/, ""));
