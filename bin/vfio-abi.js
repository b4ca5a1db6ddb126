#!/usr/bin/env node
// the bundled command line: one module to load instead of the ~20 of dist/bindings/cli.js
import { main } from "../dist/bundle/cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`vfio-abi: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
