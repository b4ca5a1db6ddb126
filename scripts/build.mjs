#!/usr/bin/env node
// Build everything: generated files, the wasm module (debug + release), the TypeScript bindings,
// and any extra build steps in scripts/build/*.mjs (e.g. the wasm2js fallback, the inspector).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const t0 = Date.now();
const step = (name, fn) => {
  const t = Date.now();
  fn();
  console.log(`build: ${name} (${Date.now() - t} ms)`);
};

step("gen", () => run(process.execPath, ["scripts/gen.mjs"]));
step("asc release", () => run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "release"]));
step("asc debug", () => run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "debug"]));
// dist/ is overwritten in place (not removed) so concurrent readers never see it missing.
step("tsc", () => run(bin("tsc"), ["-p", "tsconfig.json"]));
const extra = join(root, "scripts", "build");
if (existsSync(extra)) {
  for (const f of readdirSync(extra)
    .filter((x) => x.endsWith(".mjs"))
    .sort()) {
    const t = Date.now();
    const m = await import(pathToFileURL(join(extra, f)).href);
    await m.build({ root });
    console.log(`build: ${f} (${Date.now() - t} ms)`);
  }
}
console.log(`build: done in ${Date.now() - t0} ms`);
