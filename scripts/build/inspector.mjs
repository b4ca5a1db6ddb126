// Assemble the browser struct inspector as a self-contained static folder, inspector/dist/:
//   index.html, style.css      the page (inspector/src/)
//   inspector.js               one classic script (esbuild): the page's modules, the bindings from
//                              their TypeScript source, the golden vectors as samples, and the
//                              codec's .wasm bytes, so it runs from a web server and from disk alike
//   wasm2js.js                 the same codec as plain JavaScript (binaryen wasm2js), a classic
//                              script loaded only where WebAssembly is blocked (a strict CSP)
// Classic scripts because browsers refuse ES modules from file:// pages.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { build as buildWasm2js, OUT as WASM2JS } from "./wasm2js.mjs";

/** The global wasm2js.js defines (inspector/src/codec.js reads it). */
const WASM2JS_GLOBAL = "vfioAbiWasm2js";
const STATIC = ["index.html", "style.css"];

export async function build({ root }) {
  await buildWasm2js({ root });
  const esbuild = createRequire(join(root, "package.json"))("esbuild");
  const out = join(root, "inspector", "dist");
  // the folder holds exactly what this step writes (older layouts had lib/, wasm/, app.js)
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out, { withFileTypes: true }))
    if (![...STATIC, "inspector.js", "wasm2js.js"].includes(f.name))
      rmSync(join(out, f.name), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const f of STATIC) copyFileSync(join(root, "inspector", "src", f), join(out, f));
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    keepNames: true, // error classes are told apart by name
    legalComments: "none",
    logLevel: "warning",
  };
  await esbuild.build({
    ...common,
    entryPoints: [join(root, "inspector", "src", "main.js")],
    outfile: join(out, "inspector.js"),
    loader: { ".wasm": "binary" },
    // the loader's default URL (import.meta.url) is never used: the page hands init() the bytes
    logOverride: { "empty-import-meta": "silent" },
  });
  await esbuild.build({
    ...common,
    entryPoints: [join(root, WASM2JS)],
    outfile: join(out, "wasm2js.js"),
    globalName: WASM2JS_GLOBAL,
  });
}
