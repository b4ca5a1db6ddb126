// The bundled entry points (scripts/build/bundle.mjs) are what package.json exports: they must
// export what the unbundled modules export and behave the same (golden vectors, typed errors).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as unbundled from "../../dist/bindings/index.js";
import * as bundled from "../../dist/bundle/index.js";
import { vectors } from "../vectors/golden.mjs";
import { goldenOutcome } from "../helpers/golden-outcome.mjs";

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
  for (const v of vectors) assert.deepEqual(goldenOutcome(bundled, v), goldenOutcome(unbundled, v), v.name);
});

test("the fast-check bundle loads and generates", async () => {
  const fcb = await import("../../dist/bundle/fast-check.js");
  const fcu = await import("../../dist/bindings/fast-check.js");
  assert.deepEqual(Object.keys(fcb).sort(), Object.keys(fcu).sort());
});

// The schema (the whole uAPI as JSON text) is parsed on first use, not at import: a fresh process
// counts the JSON.parse calls on text longer than the schema's struct table could be.
test("importing the bundle and a fast-path decode do not parse the schema; SCHEMA parses it once", () => {
  const probe = `
    const parse = JSON.parse, big = [];
    JSON.parse = function (t, ...r) { if (typeof t === "string" && t.length > 65536) big.push(t.length); return parse.call(this, t, ...r); };
    const m = await import(${JSON.stringify(new URL("../../dist/bundle/index.js", import.meta.url).href)});
    const b = new Uint8Array(m.SIZEOF_VFIO_IRQ_INFO);
    b[m.O_VFIO_IRQ_INFO__ARGSZ] = m.SIZEOF_VFIO_IRQ_INFO; // little-endian argsz: the low byte
    const v = m.decodeIrqInfoFast(b);
    const before = big.length;
    const n = m.SCHEMA.structs.length + m.SCHEMA.fields.length + m.structNames().length;
    console.log(JSON.stringify({ argsz: v.argsz, before, after: big.length, n }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.argsz, bundled.SIZEOF_VFIO_IRQ_INFO);
  assert.equal(out.before, 0, "the schema was parsed at import");
  assert.equal(out.after, 1, "SCHEMA's keys share one parse");
  assert.ok(out.n > 0);
});
