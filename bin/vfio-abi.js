#!/usr/bin/env node
// The vfio-abi command, bundled: one module to load instead of the ~20 of dist/bindings/cli.js. Its code
// is built into dist/ and build/ (npm run build; a git install runs the build itself); a checkout that
// has not been built says so instead of failing to load.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const missing = ["dist/bundle/cli.js", "build/release.wasm"].filter((f) => !existsSync(new URL(f, root)));
if (missing.length) {
  process.stderr.write(
    `vfio-abi: this copy is not built yet (${missing.join(", ")} missing in ${fileURLToPath(root)}): run npm ci && npm run build there\n`,
  );
  process.exit(1);
}
const { main } = await import(new URL("dist/bundle/cli.js", root).href);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`vfio-abi: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
