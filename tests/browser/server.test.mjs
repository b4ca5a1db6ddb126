// `vfio-abi inspect`: static server on 127.0.0.1, right MIME types, CSP modes, no escape from the page folder.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
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

test("serves the page: index.html, the stylesheet, the page script with the codec inside, the wasm2js script", async () => {
  const url = await def.url;
  const index = await get(url, "/");
  assert.equal(index.status, 200);
  assert.match(index.headers["content-type"], /text\/html/);
  assert.match(index.body.toString(), /VFIO struct inspector/);
  const page = await get(url, "/inspector.js");
  assert.match(page.headers["content-type"], /text\/javascript/);
  // the codec in the page is the built module, a zero-import module of the bindings' ABI
  const wasm = readFileSync(join(root, "build", "release.wasm"));
  assert.ok(page.body.toString().includes(wasm.toString("base64")), "inspector.js carries build/release.wasm");
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const { EXPECTED_ABI_VERSION } = await import(new URL("../../dist/bindings/loader.js", import.meta.url).href);
  assert.equal(inst.exports.abi_version(), EXPECTED_ABI_VERSION);
  const js = await get(url, "/wasm2js.js");
  assert.match(js.headers["content-type"], /text\/javascript/);
  assert.match(js.body.toString(), /vfioAbiWasm2js/);
  assert.equal((await get(url, "/style.css")).status, 200);
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

test("the assembled folder is self-contained classic scripts: no import, no inline script, no module", () => {
  const dist = join(root, "inspector", "dist");
  assert.deepEqual(readdirSync(dist).sort(), ["index.html", "inspector.js", "style.css", "wasm2js.js"]);
  const html = readFileSync(join(dist, "index.html"), "utf8");
  assert.deepEqual(
    [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]),
    ['<script src="inspector.js" defer>'],
    "one classic script (browsers refuse modules from file://), nothing inline (CSP)",
  );
  for (const f of ["inspector.js", "wasm2js.js"]) {
    const src = readFileSync(join(dist, f), "utf8");
    assert.doesNotMatch(src, /^\s*(import|export)\b/m, `${f} is a classic script`);
    assert.doesNotMatch(src, /\bimport\s*\(/, `${f} loads no module`);
  }
});

test("bad options are refused with usage", async () => {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.execPath, [join(root, "bin", "vfio-abi.js"), "inspect", "--port", "99999"], {
    encoding: "utf8",
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--port must be an integer from 0 to 65535/);
  const r2 = spawnSync(process.execPath, [join(root, "bin", "vfio-abi.js"), "inspect", "--csp", "weird"], {
    encoding: "utf8",
  });
  assert.equal(r2.status, 2);
});
