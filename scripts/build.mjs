#!/usr/bin/env node
// Build everything: generated files, the wasm module (debug + release), the TypeScript bindings,
// and any extra build steps in scripts/build/*.mjs (e.g. the wasm2js fallback, the inspector).
import { execFileSync } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const t0 = Date.now();

// What the package ships from the build (package.json "files", exports, bin, the inspector page).
// `--if-missing` (the "prepare" script: a git install, npm pack) builds only when one is absent.
export const OUTPUTS = ["dist/bindings/index.js", "dist/bindings/cli.js", "dist/bundle/index.js", "dist/bundle/fast-check.js",
  "build/release.wasm", "build/release.wasm2js.js", "inspector/dist/index.html"];
if (process.argv.includes("--if-missing") && OUTPUTS.every((f) => existsSync(join(root, f)))) {
  console.error("build: already built (npm run build rebuilds)");
  process.exit(0);
}
if (!existsSync(bin("asc")) || !existsSync(bin("tsc"))) {
  console.error("build: the compilers are missing (node_modules/.bin/asc, tsc): run npm ci first");
  process.exit(1);
}
const step = (name, fn) => { const t = Date.now(); fn(); console.log(`build: ${name} (${Date.now() - t} ms)`); };

step("gen", () => run(process.execPath, ["scripts/gen.mjs"]));
step("asc release", () => run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "release"]));
step("asc debug", () => run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "debug"]));
// dist/ is overwritten in place (not removed) so concurrent readers never see it missing.
step("tsc", () => run(bin("tsc"), ["-p", "tsconfig.json"]));
const extra = join(root, "scripts", "build");
if (existsSync(extra)) {
  for (const f of readdirSync(extra).filter((x) => x.endsWith(".mjs")).sort()) {
    const t = Date.now();
    const m = await import(pathToFileURL(join(extra, f)).href);
    await m.build({ root });
    console.log(`build: ${f} (${Date.now() - t} ms)`);
  }
}
console.log(`build: done in ${Date.now() - t0} ms`);
