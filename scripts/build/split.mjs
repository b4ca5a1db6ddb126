// The Node entry of the package (package.json exports, "node" condition): dist/node/index.js, a small ES
// module of the kernel's constants and thin stubs, over CommonJS parts that it loads synchronously on
// first use, so decode, encode, initSync and predictSetIrqs stay synchronous. V8's start-up cost
// follows what is imported (bench/notes.md, start-up): the one-file bundle compiles ~470 KB, this entry
// ~55 KB (one declaration per exported name), and a first decodeIrqInfoFast() adds only that struct's
// 3 KB part. A stub does not replace itself after loading: V8 inlines the indirection (a hot loop over
// decodeIrqInfoFast through a stub measured 19.4 ns per call against 19.1 direct).
//
// The parts, each module's state in exactly one of them:
//   base         the error classes and SCHEMA (a shell of getters): loaded by the entry, required by
//                every other part, so `instanceof` and SCHEMA's identity hold whichever part threw or read;
//   schema.json  the schema table as JSON text, read by SCHEMA's first read;
//   core         everything else of bindings/api.ts (wasm loader, decode, encode, oracle, tools);
//   fast-<S>     struct S's generated fast paths (tree-shaken from bindings/fast/generated.ts) and the
//                byte helpers; their fallbacks to the wasm core load core on first use;
//   fast-tables  the FAST_* tables over every struct's fast paths.
// Browsers and bundlers keep the one-file bundle (scripts/build/bundle.mjs, the "default" condition).
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

export const OUT = join("dist", "node");

/** Modules owned by the base part: other parts require it instead of bundling a copy. */
const BASE_OWNS = ["bindings/errors.ts", "bindings/generated/schema.ts"];
/** Imports a part makes through a stub that loads the owning part on first call: [module, part, names]. */
const TO_CORE = [
  ["bindings/decode.ts", "core", ["decode"]],
  ["bindings/encode.ts", "core", ["encode"]],
  ["bindings/profile.ts", "core", ["resolveProfile"]],
];
// The schema's JSON text is shipped as schema.json and read on first use: as a string literal in a
// part, V8 would scan its 180 KB when compiling the part and again when compiling the function.
const TO_TEXT = [["bindings/generated/schema-text.ts", "schema.json", ["schemaText"]]];

/** The stub module for a lazy edge: each name loads the part on its first call. */
const lazyModule = (part, names) =>
  part.endsWith(".json")
    ? `export function ${names[0]}() { return require("node:fs").readFileSync(\`\${__dirname}/${part}\`, "utf8"); }\n`
    : `let m;\nconst p = () => (m ??= require("./${part}.cjs"));\n${names
        .map((n) => `export function ${n}(...a) { return p().${n}(...a); }`)
        .join("\n")}\n`;

/** esbuild plugin: what this part bundles, what it requires from another part, and which of those lazily. */
function partsPlugin(root, { self, lazy = [] }) {
  const lazyOf = new Map(lazy.map(([m, part, names]) => [m, { part, names }]));
  return {
    name: "vfio-abi-parts",
    setup(b) {
      b.onResolve({ filter: /\.cjs$/ }, (a) => ({ path: a.path, external: true }));
      b.onResolve({ filter: /^\./ }, (a) => {
        if (a.namespace !== "file") return undefined;
        const ts = join(a.resolveDir, a.path.replace(/\.js$/, ".ts"));
        if (!existsSync(ts)) return undefined;
        const rel = relative(root, ts).split("\\").join("/");
        const l = lazyOf.get(rel);
        if (l) return { path: rel, namespace: "lazy", pluginData: l };
        if (self !== "base" && BASE_OWNS.includes(rel)) return { path: "./base.cjs", external: true };
        return undefined;
      });
      b.onLoad({ filter: /.*/, namespace: "lazy" }, (a) => ({
        contents: lazyModule(a.pluginData.part, a.pluginData.names),
        loader: "js",
        resolveDir: root,
      }));
      // entry points given as source text: `virtual:<name>` holds VIRTUAL[name]
      b.onResolve({ filter: /^virtual:/ }, (a) => ({ path: a.path.slice(8), namespace: "virtual" }));
      b.onLoad({ filter: /.*/, namespace: "virtual" }, (a) => ({
        contents: VIRTUAL.get(a.path),
        loader: "ts",
        resolveDir: root,
      }));
    },
  };
}
const VIRTUAL = new Map();

/** Struct fast-path names of bindings/fast/generated.ts, grouped by struct: Pascal name -> export names. */
function fastGroups(root) {
  const src = readFileSync(join(root, "bindings", "fast", "generated.ts"), "utf8");
  const groups = new Map();
  for (const [, kind, s] of src.matchAll(/^export function (decode|encode)(\w+)Fast\(/gm)) {
    if (!groups.has(s)) groups.set(s, []);
    groups.get(s).push(`${kind}${s}Fast`);
  }
  if (groups.size === 0) throw new Error("split: no fast paths found in bindings/fast/generated.ts");
  return groups;
}

/**
 * Which part exports each name of the package (the unbundled dist/bindings/index.js, built by tsc before
 * this step), and how the entry exports it: "literal" (a constant), "base" (as is), "function" (a stub
 * that loads its part), "class" or "object" (a proxy over the real one). Name -> { part, kind, value }.
 */
async function plan(root) {
  const load = (rel) => import(pathToFileURL(join(root, "dist", "bindings", rel)).href);
  const [all, errors, fast] = await Promise.all([load("index.js"), load("errors.js"), load("fast/generated.js")]);
  const fastPart = new Map();
  for (const [s, names] of fastGroups(root)) for (const n of names) fastPart.set(n, `fast-${s}`);
  const out = new Map();
  for (const [name, value] of Object.entries(all)) {
    const part =
      name in errors || name === "SCHEMA" ? "base" : (fastPart.get(name) ?? (name in fast ? "fast-tables" : "core"));
    out.set(name, { part, kind: exportKind(part, value), value });
  }
  return out;
}

/** Builds every part, each exporting the names the plan gives it (the entry has the constants). */
async function buildParts(root, outdir, names) {
  const esbuild = createRequire(join(root, "package.json"))("esbuild");
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const common = {
    absWorkingDir: root,
    outdir,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".cjs" },
    minify: true,
    keepNames: true, // error classes are told apart by name
    legalComments: "none",
    logLevel: "warning",
  };
  // the core finds the wasm next to the package root, two levels above it as above dist/bindings/x.js
  const withUrl = {
    define: { "import.meta.url": "__partUrl" },
    banner: { js: 'var __partUrl=require("node:url").pathToFileURL(__filename).href;' },
  };
  const exportsOf = (part) => [...names].filter(([, p]) => p.part === part && p.kind !== "literal").map(([n]) => n);
  // a part's entry re-exports its names from their module (esbuild keeps only what they reach)
  const entry = (part, from) => {
    VIRTUAL.set(part, `export { ${exportsOf(part).join(", ")} } from "${from}";\n`);
    return { in: `virtual:${part}`, out: part };
  };
  const build = (entryPoints, opts, more = {}) =>
    esbuild.build({ ...common, ...more, entryPoints, plugins: [partsPlugin(root, opts)] });
  VIRTUAL.set(
    "base",
    `export * from "./bindings/errors.ts";\nexport { SCHEMA } from "./bindings/generated/schema.ts";\n`,
  );
  await build([{ in: "virtual:base", out: "base" }], { self: "base", lazy: TO_TEXT });
  const text = await import(pathToFileURL(join(root, "dist", "bindings", "generated", "schema-text.js")).href);
  writeFileSync(join(outdir, "schema.json"), text.schemaText());
  await build([entry("core", "./bindings/api.ts")], { self: "core" }, withUrl);
  const fastParts = [...new Set([...names.values()].map((p) => p.part))].filter((p) => p.startsWith("fast"));
  await build(
    fastParts.map((p) => entry(p, "./bindings/fast/generated.ts")),
    { self: "fast", lazy: TO_CORE },
  );
}

/** How the entry exports a name: from base as is, a literal, a stub loading its part, or a forwarding proxy. */
function exportKind(part, value) {
  if (part === "base") return "base";
  const t = typeof value;
  if (t === "number" || t === "string" || t === "bigint" || t === "boolean") return "literal";
  if (t === "function") {
    const isClass = /^class\b/.test(Function.prototype.toString.call(value));
    return isClass || Object.getOwnPropertyNames(value.prototype ?? {}).length > 1 ? "class" : "function";
  }
  return "object";
}

const literal = (v) =>
  typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : typeof v === "number" ? String(v) : JSON.stringify(v);

// The parts are CommonJS, evaluated here as Node's require would (a function of exports, require, module,
// __filename, compiled with the file's name for stack traces) but without its resolution and first-use
// set-up, which cost about 3 ms of a fresh process (createRequire ~1 ms, the first require ~2 ms);
// a part's require of another part goes through the same table, so each is evaluated once. Without
// process.getBuiltinModule (Node before 20.16) the parts go through createRequire, all of them alike.
const LOADER = `const G = process.getBuiltinModule, L = {};
let R;
const req = (s) => (s.startsWith("./") ? P(s.slice(2, -4)) : G ? process.getBuiltinModule(s) ?? (R ??= createRequire(import.meta.url))(s) : R(s));
function P(n) {
  if (L[n] !== undefined) return L[n];
  if (G === undefined) return (L[n] = (R ??= createRequire(import.meta.url))(\`./\${n}.cjs\`));
  const d = import.meta.dirname, f = \`\${d}/\${n}.cjs\`, m = { exports: {} };
  const src = process.getBuiltinModule("node:fs").readFileSync(f, "utf8");
  const params = ["exports", "require", "module", "__filename", "__dirname"];
  process.getBuiltinModule("node:vm").compileFunction(src, params, { filename: f })(m.exports, req, m, f, d);
  return (L[n] = m.exports);
}`;

/** The entry's source: every name of the package, as the plan says. */
function entrySource(names) {
  const by = { base: [], literal: [], function: [], class: [], object: [] };
  for (const [name, { part, kind, value }] of names) by[kind].push([name, part, value]);
  const parts = [...new Set([...names.values()].map((p) => p.part))].filter((p) => p !== "base");
  const id = (p) => parts.indexOf(p);
  const decl = [
    ...by.literal.map(([n, , v]) => `${n}=${literal(v)}`),
    ...by.function.map(([n, p]) => `${n}=S(${id(p)},"${n}")`),
    ...by.class.map(([n, p]) => `${n}=K(${id(p)},"${n}")`),
    ...by.object.map(([n, p, v]) => `${n}=O(${id(p)},"${n}",${Array.isArray(v) ? "[]" : "{}"})`),
  ];
  const lines = [
    "// GENERATED by scripts/build/split.mjs: the Node entry of vfio-abi. Constants are literals; a function",
    "// loads its part on its first call; classes and tables are proxies over the real ones. V8 compiles",
    "// this whole module at import, so it is kept short: one declaration per name.",
    'import { createRequire } from "node:module";',
    LOADER,
    `const N = ${JSON.stringify(parts)};`,
    "const S = (p, n) => { let f; return (...a) => (f ??= P(N[p])[n])(...a); };",
    "const fwd = (real) => ({ get: (_, k) => Reflect.get(real(), k), set: (_, k, v) => Reflect.set(real(), k, v), has: (_, k) => Reflect.has(real(), k), ownKeys: () => Reflect.ownKeys(real()), getOwnPropertyDescriptor: (_, k) => Reflect.getOwnPropertyDescriptor(real(), k), defineProperty: (_, k, d) => Reflect.defineProperty(real(), k, d), deleteProperty: (_, k) => Reflect.deleteProperty(real(), k), getPrototypeOf: () => Reflect.getPrototypeOf(real()) });",
    // a class: `new`, calls, statics and `instanceof` (through .prototype) reach the real class
    "const K = (p, n) => { const r = () => P(N[p])[n]; return new Proxy(function () {}, { get: (_, k) => Reflect.get(r(), k), set: (_, k, v) => Reflect.set(r(), k, v), has: (_, k) => Reflect.has(r(), k), construct: (_, a, t) => Reflect.construct(r(), a, t), apply: (_, t, a) => Reflect.apply(r(), t, a) }); };",
    "const O = (p, n, t) => new Proxy(t, fwd(() => P(N[p])[n]));",
    `export const { ${by.base.map(([n]) => n).join(", ")} } = P("base");`,
    `export const ${decl.join(",\n")};`,
  ];
  return `${lines.join("\n")}\n`;
}

export async function build({ root, out = join(root, OUT) }) {
  const names = await plan(root);
  await buildParts(root, out, names);
  writeFileSync(join(out, "index.js"), entrySource(names));
}
