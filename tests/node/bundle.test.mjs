// The bundled entry points (scripts/build/bundle.mjs) are what package.json exports: they must
// export what the unbundled modules export and behave the same (golden vectors, typed errors).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as unbundled from "../../dist/bindings/index.js";
import * as bundled from "../../dist/bundle/index.js";
import { vectors, bytesOf } from "../vectors/golden.mjs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

test("package.json exports point at the bundles", () => {
  assert.equal(pkg.exports["."].default, "./dist/bundle/index.js");
  assert.equal(pkg.exports["./fast-check"].default, "./dist/bundle/fast-check.js");
});

test("the bundle exports the same names as dist/bindings/index.js", () => {
  assert.deepEqual(Object.keys(bundled).sort(), Object.keys(unbundled).sort());
});

test("the bundle decodes the golden vectors and throws the same typed errors", async () => {
  await bundled.init();
  for (const v of vectors) {
    const opts = { arch: v.arch, epoch: v.epoch };
    const b = bytesOf(v.hex);
    const out = (lib) => {
      try {
        return lib.toJSONValue(lib.decode(v.struct, b, opts));
      } catch (e) {
        return `${e.constructor.name} ${e.code} ${e.offset} ${e.field}`;
      }
    };
    assert.deepEqual(out(bundled), out(unbundled), v.name);
  }
});

test("the fast-check bundle loads and generates", async () => {
  const fcb = await import("../../dist/bundle/fast-check.js");
  const fcu = await import("../../dist/bindings/fast-check.js");
  assert.deepEqual(Object.keys(fcb).sort(), Object.keys(fcu).sort());
});
