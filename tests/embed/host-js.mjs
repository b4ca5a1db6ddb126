// JS host for Node, Bun and Deno: `<runtime> tests/embed/host-js.mjs <core> <fuzz> <job>` where each
// module is a .wasm file (raw exports, empty import object) or its wasm2js .js build. Prints the
// driver output.
import { readFileSync } from "node:fs";
import { runJob } from "./driver.mjs";

const [corePath, fuzzPath, jobPath] = globalThis.Deno ? Deno.args : process.argv.slice(2);
async function load(path) {
  if (!path.endsWith(".wasm")) return (await import(new URL(path, `file://${process.cwd()}/`).href)).default;
  const mod = new WebAssembly.Module(readFileSync(path));
  if (WebAssembly.Module.imports(mod).length !== 0) throw new Error(`${path} has imports`);
  return new WebAssembly.Instance(mod, {}).exports;
}
process.stdout.write(runJob(await load(corePath), readFileSync(jobPath, "utf8"), await load(fuzzPath)));
