// JavaScriptCore shell host: `jsc -m tests/embed/host-jsc.mjs -- <module.wasm> <job>`. The jsc
// shell has no fs or fetch: readFile() and print() are its own globals. Raw exports only.
import { runJob } from "./driver.mjs";

const [modPath, jobPath] = globalThis.scriptArgs ?? globalThis.arguments;
const bytes = new Uint8Array(readFile(modPath, "binary"));
const mod = await WebAssembly.compile(bytes);
if (WebAssembly.Module.imports(mod).length !== 0) throw new Error("module has imports");
const { exports } = await WebAssembly.instantiate(mod, {});
print(runJob(exports, readFile(jobPath)).replace(/\n$/, ""));
