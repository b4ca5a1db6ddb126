// One bundled ES module per package entry point (esbuild): dist/bundle/index.js for "vfio-abi",
// dist/bundle/fast-check.js for "vfio-abi/fast-check" and dist/bundle/cli.js for the vfio-abi command
// (its oracle, fuzzing and inspector commands load their unbundled modules from dist/bindings/ on
// demand). A single file loads in one module fetch and one parse instead of a graph of ~20 modules;
// V8 compiles each function on its first call, so the code a program never calls (oracle, fuzzing,
// the schema look-ups the fast paths do not need) costs only its pre-parse. dist/bundle/ sits two levels below the package root like
// dist/bindings/, so the loader finds build/release.wasm the same way.
import { join } from "node:path";
import { createRequire } from "node:module";

export const ENTRIES = { index: "bindings/index.ts", "fast-check": "bindings/fast-check.ts", cli: "bindings/cli.ts" };

export async function build({ root }) {
  const esbuild = createRequire(join(root, "package.json"))("esbuild");
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, join(root, v)])),
    outdir: join(root, "dist", "bundle"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["fast-check", "node:*"],
    minify: true,
    keepNames: true, // error classes are told apart by name
    legalComments: "none",
    logLevel: "warning",
  });
}
