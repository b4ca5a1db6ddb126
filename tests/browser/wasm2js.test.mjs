// The wasm2js build (build/release.wasm2js.js) must behave exactly like build/release.wasm:
// same records, same errors, same encodings, on every golden and bad vector.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { badVectors, bytesOf, vectors } from "../vectors/golden.mjs";

const root = new URL("../../", import.meta.url);
const lib = await import(new URL("dist/bindings/index.js", root).href);
const js = await import(new URL("build/release.wasm2js.js", root).href);
const wasmBytes = readFileSync(fileURLToPath(new URL("build/release.wasm", root)));
const wasmEx = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}).exports;

const useWasm = () => lib.initWithExports(wasmEx, "wasm");
const useJs = () => lib.initWithExports(js.default, "js");
const all = [...vectors.map((v) => ({ ...v, bad: false })), ...badVectors.map((v) => ({ ...v, bad: true }))];
const optsOf = (v) => ({ epoch: v.epoch, arch: v.arch });
const snapshot = (v) => {
  const r = lib.inspect(v.struct, bytesOf(v.hex), optsOf(v));
  return JSON.stringify(
    lib.toJSONValue({ ok: r.ok, status: r.status, value: r.value, nodes: r.nodes, diagnostics: r.diagnostics }),
  );
};

test("the wasm2js module has zero imports and the wasm's export names, memory with a buffer", () => {
  const src = readFileSync(fileURLToPath(new URL("build/release.wasm2js.js", root)), "utf8");
  assert.doesNotMatch(src, /^\s*import\b/m);
  const wasmNames = WebAssembly.Module.exports(new WebAssembly.Module(wasmBytes))
    .map((e) => e.name)
    .sort();
  assert.deepEqual(Object.keys(js.default).sort(), wasmNames);
  for (const n of wasmNames) assert.equal(js[n], js.default[n], `named export ${n}`);
  assert.ok(js.memory.buffer instanceof ArrayBuffer);
  assert.equal(js.abi_version(), wasmEx.abi_version());
  assert.equal(js.ABI_VERSION.value, wasmEx.ABI_VERSION.value);
});

test(`inspect() gives identical values, spans and diagnostics on all ${all.length} golden and bad vectors`, () => {
  for (const v of all) {
    useWasm();
    const a = snapshot(v);
    useJs();
    assert.equal(lib.backend(), "js");
    const b = snapshot(v);
    assert.equal(b, a, v.name);
  }
  useWasm();
});

test("raw parse records and err_* (incl. the i64 err_value) match on every vector", () => {
  for (const v of all) {
    const bytes = bytesOf(v.hex);
    const s = lib.structByName(v.struct);
    const prof = lib.resolveProfile(optsOf(v)).word;
    const run = (ex) => {
      const base = ex.arena_ptr(),
        src = base + 64,
        out = (src + bytes.length + 7) & ~7,
        cap = bytes.length + 64;
      new Uint8Array(ex.memory.buffer, src, bytes.length).set(bytes);
      const st = ex.parse(s.id, prof, src, bytes.length, out, cap, 1024);
      const n = ex.rec_count();
      return {
        st,
        n,
        recs: Buffer.from(ex.memory.buffer.slice(out, out + n * 24)).toString("hex"),
        code: ex.err_code(),
        off: ex.err_offset(),
        field: ex.err_field(),
        value: ex.err_value(),
      };
    };
    const a = run(wasmEx),
      b = run(js.default);
    assert.equal(typeof b.value, "bigint");
    assert.deepEqual(b, a, v.name);
    if (v.bad) assert.ok(a.st < 0, `${v.name} is rejected`);
  }
});

test("encode(decode(b)) reproduces every golden vector on the JS backend, byte-identical to wasm", () => {
  for (const v of vectors) {
    const bytes = bytesOf(v.hex);
    useWasm();
    const ew = lib.toHex(lib.encode(v.struct, lib.decode(v.struct, bytes, optsOf(v)), optsOf(v)));
    useJs();
    const ej = lib.toHex(lib.encode(v.struct, lib.decode(v.struct, bytes, optsOf(v)), optsOf(v)));
    assert.equal(ej, ew, v.name);
    assert.equal(ej, lib.toHex(bytes), v.name);
  }
  useWasm();
});

test("memory growth works in the JS build (arena_reserve beyond the first page)", () => {
  const before = js.memory.buffer.byteLength;
  const r = js.default.arena_reserve(before * 2);
  assert.ok(r >= 0);
  assert.ok(js.memory.buffer.byteLength > before);
  useJs();
  const big = new Uint8Array(70000);
  big[0] = 16; // irq_info with a long tail past argsz
  const r2 = lib.inspect("vfio_irq_info", big);
  assert.equal(r2.value.argsz, 16);
  useWasm();
  assert.equal(
    JSON.stringify(lib.toJSONValue(lib.inspect("vfio_irq_info", big).nodes)),
    JSON.stringify(lib.toJSONValue(r2.nodes)),
  );
});
