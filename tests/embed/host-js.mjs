// JS host for Node, Bun and Deno: `<runtime> tests/embed/host-js.mjs <module> <job>` where module is
// a .wasm file (raw exports, empty import object) or the wasm2js .js build. Prints the driver output.
import { readFileSync } from "node:fs";
import { runJob } from "./driver.mjs";

const [modPath, jobPath] = globalThis.Deno ? Deno.args : process.argv.slice(2);
let ex;
if (modPath.endsWith(".wasm")) {
  const mod = new WebAssembly.Module(readFileSync(modPath));
  if (WebAssembly.Module.imports(mod).length !== 0) throw new Error("module has imports");
  ex = new WebAssembly.Instance(mod, {}).exports;
} else {
  ex = (await import(new URL(modPath, `file://${process.cwd()}/`).href)).default;
}
process.stdout.write(runJob(ex, readFileSync(jobPath, "utf8")));
