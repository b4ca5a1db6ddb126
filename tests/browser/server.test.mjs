// `vfio-abi inspect`: static server on 127.0.0.1, right MIME types, CSP modes, no escape from the page folder.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { root, startServer } from "./helpers.mjs";

let def, strict, off;
before(async () => {
  def = startServer();
  strict = startServer(["--csp", "strict"]);
  off = startServer(["--csp", "off"]);
  await Promise.all([def.url, strict.url, off.url]);
});
after(async () => {
  await def?.stop();
  await strict?.stop();
  await off?.stop();
});

const get = (url, path) =>
  new Promise((resolve, reject) => {
    const req = request(new URL(url), { path, method: "GET" }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });

test("prints a 127.0.0.1 URL with the port it picked (--port 0)", async () => {
  const u = new URL(await def.url);
  assert.equal(u.hostname, "127.0.0.1");
  assert.ok(Number(u.port) > 0);
  assert.match(def.output(), /^vfio-abi inspector: http:\/\/127\.0\.0\.1:\d+\/\n/);
});

test("serves the page, the bindings, the wasm as application/wasm and the wasm2js module", async () => {
  const url = await def.url;
  const index = await get(url, "/");
  assert.equal(index.status, 200);
  assert.match(index.headers["content-type"], /text\/html/);
  assert.match(index.body.toString(), /VFIO struct inspector/);
  const wasm = await get(url, "/wasm/release.wasm");
  assert.equal(wasm.headers["content-type"], "application/wasm");
  // what is served is the assembled copy of the codec, a zero-import module of the bindings' ABI
  assert.deepEqual(wasm.body, readFileSync(join(root, "inspector", "dist", "wasm", "release.wasm")));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm.body), {});
  const { EXPECTED_ABI_VERSION } = await import(new URL("../../dist/bindings/loader.js", import.meta.url).href);
  assert.equal(inst.exports.abi_version(), EXPECTED_ABI_VERSION);
  const js = await get(url, "/wasm/release.wasm2js.js");
  assert.match(js.headers["content-type"], /text\/javascript/);
  assert.match(js.body.toString(), /export default ex;/);
  for (const p of [
    "/app.js",
    "/lib/index.js",
    "/lib/decode.js",
    "/lib/generated/schema.js",
    "/samples.js",
    "/style.css",
  ])
    assert.equal((await get(url, p)).status, 200, p);
  assert.equal((await get(url, "/nope.js")).status, 404);
});

test("CSP: default allows 'wasm-unsafe-eval', strict does not, off sends none", async () => {
  const d = (await get(await def.url, "/")).headers["content-security-policy"];
  const s = (await get(await strict.url, "/")).headers["content-security-policy"];
  assert.match(d, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(s, /script-src 'self'(;|$)/);
  assert.doesNotMatch(s, /wasm-unsafe-eval/);
  assert.equal((await get(await off.url, "/")).headers["content-security-policy"], undefined);
});

test("no path escapes the page folder", async () => {
  const url = await def.url;
  for (const p of ["/../package.json", "/%2e%2e/package.json", "/lib/../../package.json", "/..%2f..%2fpackage.json"]) {
    const r = await get(url, p);
    assert.ok(r.status === 403 || r.status === 404, `${p} -> ${r.status}`);
    assert.doesNotMatch(r.body.toString(), /"name": "vfio-abi"/);
  }
});

test("the assembled folder is self-contained: no import leaves it", () => {
  const dist = join(root, "inspector", "dist");
  assert.ok(existsSync(join(dist, "index.html")));
  for (const f of ["app.js", "lib/index.js", "lib/loader.js"]) {
    const src = readFileSync(join(dist, f), "utf8");
    for (const m of src.matchAll(/\bfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']/g)) {
      const spec = m[1] ?? m[2];
      assert.match(spec, /^\.\.?\//, `${f} imports ${spec}`);
    }
  }
  assert.doesNotMatch(
    readFileSync(join(dist, "index.html"), "utf8"),
    /<script(?![^>]*\bsrc=)[^>]*>/,
    "no inline scripts (CSP)",
  );
});

test("bad options are refused with usage", async () => {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.execPath, [join(root, "bin", "vfio-abi.js"), "inspect", "--port", "99999"], {
    encoding: "utf8",
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad --port/);
  const r2 = spawnSync(process.execPath, [join(root, "bin", "vfio-abi.js"), "inspect", "--csp", "weird"], {
    encoding: "utf8",
  });
  assert.equal(r2.status, 2);
});
