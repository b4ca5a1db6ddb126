// The package as users get it: `npm pack`, then a fresh consumer project installs the tarball offline,
// imports every export, runs the CLI (decode, predict, inspect serving the page over HTTP); and an
// install from a local git URL, which builds the package on install (the "prepare" script). A fresh
// clone's bin says it is not built instead of crashing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "vfio-pkg-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
// The tarball installs offline: it has no dependencies (fast-check, an optional peer, comes from the
// project's own copy). The git install builds on install and so needs the development dependencies;
// npm takes them from its cache when it can (--prefer-offline).
/** npm pack --json's report (lifecycle scripts may print before it). */
const packJSON = (out) => JSON.parse(out.slice(out.search(/^\[/m)));
/**
 * The environment of a user's shell, not of `npm test`: npm run puts node_modules/.bin first on PATH
 * (where a development dependency brings its own npm 6, which knows no --pack-destination) and
 * exports npm_config_* (local_prefix names this project, not the consumer).
 */
const userEnv = () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  env.PATH = (env.PATH ?? "")
    .split(delimiter)
    .filter((d) => !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(d))
    .join(delimiter);
  return env;
};
const npm = (args, cwd, extra = {}) => {
  const opts = {
    cwd,
    encoding: "utf8",
    timeout: 900_000,
    ...extra,
    env: { ...userEnv(), npm_config_update_notifier: "false", ...extra.env },
  };
  const r = spawnSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], opts);
  const how = r.error
    ? ` (${r.error.code === "ETIMEDOUT" ? `timed out after ${opts.timeout / 1000} s` : r.error.message})`
    : "";
  assert.equal(r.status, 0, `npm ${args.join(" ")} in ${cwd}${how}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

function consumer(name) {
  const dir = join(work, name);
  spawnSync("mkdir", ["-p", dir]);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `consumer-${name}`, version: "1.0.0", private: true, type: "module" }),
  );
  return dir;
}

/** Every export of the installed package, imported from the consumer project. */
const CHECK = `
import * as lib from "vfio-abi";
import * as fc from "vfio-abi/fast-check";
import * as ABI from "vfio-abi/schema";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const bytes = lib.encodeIrqSet({ flags: 0x24, index: 2, data: [104, 105, 106] });
const d = lib.decodeIrqSet(bytes);
const wasm = readFileSync(require.resolve("vfio-abi/wasm"));
const version = JSON.parse(readFileSync(require.resolve("vfio-abi/package.json"), "utf8")).version;
const dump = lib.parseDump("00000000  14 00 00 00 21 00 00 00  01 00 00 00 00 00 00 00  |....!...........|\\n00000010  00 00 00 00                                       |....|\\n00000014\\n");
console.log(JSON.stringify({ count: d.count, argsz: d.argsz, wasm: WebAssembly.validate(wasm), version, structs: Object.keys(ABI.structs).length > 5 && ABI.ioctls.length > 5,
  arbitraries: typeof fc.irqSet === "function", dump: lib.toHex(dump.bytes), backend: lib.backend(),
  entry: import.meta.resolve("vfio-abi").split("/").slice(-3).join("/"), fast: lib.decodeIrqSetFast(bytes).count }));
`;

function checkInstalled(dir) {
  writeFileSync(join(dir, "check.mjs"), CHECK);
  const r = spawnSync(process.execPath, ["check.mjs"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j, {
    count: 3,
    argsz: 32,
    wasm: true,
    version: pkg.version,
    structs: true,
    arbitraries: true,
    dump: "1400000021000000010000000000000000000000",
    backend: "wasm",
    entry: "dist/node/index.js", // Node takes the split entry (exports, "node" condition)
    fast: 3,
  });
  const bin = join(dir, "node_modules", ".bin", "vfio-abi");
  const dec = spawnSync(
    bin,
    ["decode", "irq_set", "200000002400000002000000000000000300000068000000690000006a000000"],
    { encoding: "utf8" },
  );
  assert.equal(dec.status, 0, dec.stderr);
  assert.equal(JSON.parse(dec.stdout).count, 3);
  const pred = spawnSync(bin, ["predict", join(dir, "node_modules", "vfio-abi", "examples", "predict-e1000e.jsonl")], {
    encoding: "utf8",
  });
  assert.equal(pred.status, 0, pred.stderr);
  assert.ok(
    pred.stdout
      .trim()
      .split("\n")
      .every((l) => "line" in JSON.parse(l)),
  );
  return bin;
}

async function servesPage(bin) {
  const child = spawn(bin, ["inspect", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise((resolve, reject) => {
      let buf = "",
        err = "";
      child.stdout.on("data", (d) => {
        buf += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(buf);
        if (m) resolve(m[0]);
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("exit", (c) => reject(new Error(`inspect exited ${c}: ${err}`)));
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    for (const src of [...html.matchAll(/(?:src|href)="\.?\/?([^"#:]+\.(?:js|css))"/g)].map((m) => m[1]))
      assert.equal((await fetch(url + src)).status, 200, src);
    // the page script carries the codec (the .wasm bytes, base64) and the wasm2js fallback is served
    const script = await (await fetch(`${url}inspector.js`)).text();
    const wasm = readFileSync(join(root, "build", "release.wasm")).toString("base64");
    assert.ok(script.includes(wasm), "inspector.js carries the codec");
    assert.equal((await fetch(`${url}wasm2js.js`)).status, 200);
  } finally {
    child.kill("SIGTERM");
  }
}

test("npm pack: the tarball holds what the exports, the bin and the inspector need", () => {
  const out = packJSON(npm(["pack", "--json", "--pack-destination", work], root));
  const files = new Set(out[0].files.map((f) => f.path));
  for (const [, target] of Object.entries(pkg.exports)) {
    for (const t of typeof target === "string" ? [target] : Object.values(target))
      assert.ok(files.has(t.replace(/^\.\//, "")), `export ${t} is in the tarball`);
  }
  for (const f of [
    "bin/vfio-abi.js",
    "dist/bindings/cli.js",
    "dist/bindings/fuzz/worker.js",
    "build/release.wasm2js.js",
    "inspector/dist/index.html",
    "inspector/dist/inspector.js",
    "inspector/dist/wasm2js.js",
    "examples/predict-e1000e.jsonl",
    "README.md",
  ])
    assert.ok(files.has(f), f);
  assert.ok(
    ![...files].some((f) => f.startsWith("tests/") || f.startsWith("node_modules/") || f.startsWith("assembly/")),
    "no tests, sources of the build or modules",
  );
});

test("a consumer project installs the tarball offline, imports every export, runs the CLI and the inspector", async () => {
  const tgz =
    readdirSync(work).find((f) => f.endsWith(".tgz")) ??
    packJSON(npm(["pack", "--json", "--pack-destination", work], root))[0].filename;
  const dir = consumer("tarball");
  // fast-check is an optional peer dependency: the consumer brings its own (here, the project's copy)
  npm(["install", "--offline", join(work, tgz), join(root, "node_modules", "fast-check")], dir);
  const bin = checkInstalled(dir);
  await servesPage(bin);
});

test("a local git URL installs: npm clones, builds it on install (prepare), and it works", {
  timeout: 1_800_000,
}, async () => {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
  const dir = consumer("git");
  // the clone installs the development dependencies and builds: minutes on a loaded 2-core machine
  npm(["install", "--prefer-offline", `git+file://${root}#${head}`, join(root, "node_modules", "fast-check")], dir, {
    timeout: 1_700_000,
  });
  assert.ok(existsSync(join(dir, "node_modules", "vfio-abi", "dist", "bindings", "index.js")), "built on install");
  const bin = checkInstalled(dir);
  await servesPage(bin);
});

test("a fresh clone's bin says it is not built, without a stack trace", () => {
  const clone = join(work, "clone");
  assert.equal(spawnSync("git", ["clone", "-q", root, clone]).status, 0);
  const r = spawnSync(process.execPath, [join(clone, "bin", "vfio-abi.js"), "decode", "irq_set", "00"], {
    encoding: "utf8",
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^vfio-abi: this copy is not built yet .*npm ci && npm run build/);
  assert.doesNotMatch(r.stderr, /ERR_MODULE_NOT_FOUND|at .*:\d+:\d+/);
});
