#!/usr/bin/env node
// Build everything: generated files, the wasm modules (core release + debug, fuzz), the TypeScript bindings,
// the wasm2js fallback, the esbuild bundles and the Node entry's parts, then the inspector (which ships both modules). Steps run in this order.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build as buildBundle } from "./build/bundle.mjs";
import { build as buildInspector } from "./build/inspector.mjs";
import { build as buildSplit } from "./build/split.mjs";
import { build as buildWasm2js } from "./build/wasm2js.mjs";
import { parseOptions } from "./lib/options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const t0 = Date.now();

// What the package ships from the build (package.json "files", exports, bin, the inspector page).
// `--if-missing` (the "prepare" script: a git install, npm pack) builds only when one is absent.
export const OUTPUTS = [
  "dist/bindings/index.js",
  "dist/bindings/cli.js",
  "dist/bundle/index.js",
  "dist/bundle/fast-check.js",
  "dist/bundle/cli.js",
  "dist/node/index.js",
  "build/release.wasm",
  "build/fuzz.wasm",
  "build/release.wasm2js.js",
  "build/fuzz.wasm2js.js",
  "inspector/dist/index.html",
];
const { values: args } = parseOptions("build", {
  usage: "node scripts/build.mjs [--if-missing]",
  options: { "if-missing": { type: "boolean" } },
});
if (args["if-missing"] && OUTPUTS.every((f) => existsSync(join(root, f)))) {
  console.error("build: already built (npm run build rebuilds)");
  process.exit(0);
}
if (!existsSync(bin("asc")) || !existsSync(bin("tsc"))) {
  console.error("build: the compilers are missing (node_modules/.bin/asc, tsc): run npm ci first");
  process.exit(1);
}
const step = (name, fn) => {
  const t = Date.now();
  fn();
  console.log(`build: ${name} (${Date.now() - t} ms)`);
};

step("gen", () => run(process.execPath, ["scripts/gen.mjs"]));
step("asc release", () => run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "release"]));
step("asc fuzz", () => run(bin("asc"), ["assembly/fuzz/index.ts", "--config", "asconfig.json", "--target", "fuzz"]));
step("asc debug", () => run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "debug"]));
// dist/ is overwritten in place (not removed) so concurrent readers never see it missing.
step("tsc", () => run(bin("tsc"), ["-p", "tsconfig.json"]));
for (const [name, build] of [
  ["wasm2js", buildWasm2js],
  ["bundle", buildBundle],
  ["split", buildSplit],
  ["inspector", buildInspector],
]) {
  const t = Date.now();
  await build({ root });
  console.log(`build: ${name} (${Date.now() - t} ms)`);
}
console.log(`build: done in ${Date.now() - t0} ms`);
