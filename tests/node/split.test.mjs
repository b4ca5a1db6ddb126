// The Node entry (scripts/build/split.mjs, package.json exports "node"): a module of constants and stubs
// over CommonJS parts loaded on first use. It must export what the bundle exports, behave the same, and
// keep one identity for what the parts share (error classes, SCHEMA, the wasm instance), whichever part
// is loaded first; importing it and a fast-path decode must not load the core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as unbundled from "../../dist/bindings/index.js";
import * as bundled from "../../dist/bundle/index.js";
import * as split from "../../dist/node/index.js";
import { vectors } from "../vectors/golden.mjs";
import { goldenOutcome } from "../helpers/golden-outcome.mjs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const ENTRY = new URL("../../dist/node/index.js", import.meta.url).href;

/** Runs `body` (an ES module's text, `m` the entry) in a fresh node and returns what it printed as JSON. */
function fresh(body, prelude = "") {
  const r = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `${prelude}\nconst m = await import(${JSON.stringify(ENTRY)});\n${body}`],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Every part file the loader reads, in order (it reads them through node:fs, looked up on each load).
const WATCH_READS = `
const fs = process.getBuiltinModule("node:fs"), read = fs.readFileSync, parts = [];
fs.readFileSync = function (p, ...r) {
  if (/[\\\\/]dist[\\\\/]node[\\\\/]/.test(String(p))) parts.push(String(p).split(/[\\\\/]/).pop());
  return read.call(this, p, ...r);
};`;

test("package.json gives Node the split entry and everything else the bundle", () => {
  assert.equal(pkg.exports["."].node, "./dist/node/index.js");
  assert.equal(pkg.exports["."].default, "./dist/bundle/index.js");
  assert.deepEqual(Object.keys(pkg.exports["."]), ["types", "node", "default"]);
});

test("the entry exports exactly the bundle's names, constants with the same values", () => {
  assert.deepEqual(Object.keys(split).sort(), Object.keys(bundled).sort());
  for (const [k, v] of Object.entries(unbundled)) {
    if (typeof v !== "function" && typeof v !== "object") assert.equal(split[k], v, k);
    else assert.equal(typeof split[k], typeof v, k);
  }
});

test("the entry decodes the golden vectors as the unbundled modules do, errors of the entry's classes", async () => {
  await split.init();
  for (const v of vectors) {
    const ofEntry = (e) => assert.ok(e instanceof split.VfioAbiError, `${v.name}: ${e}`);
    assert.deepEqual(goldenOutcome(split, v, ofEntry), goldenOutcome(unbundled, v), v.name);
  }
});

test("every fast path of the entry returns what the unbundled one returns", () => {
  const names = Object.keys(unbundled).filter((k) => /^decode\w+Fast$/.test(k));
  assert.ok(names.length > 20);
  for (const k of names) {
    for (const len of [0, 4, 16, 64]) {
      const b = new Uint8Array(len).fill(0);
      if (len >= 4) b[0] = len; // argsz (little-endian) where the struct has one
      const out = (lib) => {
        try {
          return lib.toJSONValue(lib[k](b));
        } catch (e) {
          if (lib === split) assert.ok(e instanceof split.VfioAbiError, `${k}: ${e}`);
          return `${e.constructor.name} ${e.code} ${e.offset}`;
        }
      };
      assert.deepEqual(out(split), out(unbundled), `${k} on ${len} bytes`);
    }
  }
});

test("import + decodeIrqInfoFast loads base and the irq_info part only; the core comes with a fallback", () => {
  const out = fresh(
    `const b = new Uint8Array(m.SIZEOF_VFIO_IRQ_INFO);
b[m.O_VFIO_IRQ_INFO__ARGSZ] = m.SIZEOF_VFIO_IRQ_INFO;
const v = m.decodeIrqInfoFast(b);
const first = [...parts];
let err;
try { m.decodeIrqInfoFast(b.subarray(0, 3)); } catch (e) {
  err = { name: e.constructor.name, base: e instanceof m.VfioAbiError, own: e instanceof m.TruncatedError, same: e.constructor === m.TruncatedError };
}
console.log(JSON.stringify({ argsz: v.argsz, first, then: parts.slice(first.length), err }));`,
    WATCH_READS,
  );
  assert.equal(out.argsz, split.SIZEOF_VFIO_IRQ_INFO);
  assert.deepEqual(out.first, ["base.cjs", "fast-IrqInfo.cjs"]);
  assert.ok(out.then.includes("core.cjs"), out.then.join());
  assert.deepEqual(out.err, { name: "TruncatedError", base: true, own: true, same: true });
});

test("SCHEMA is one object, parsed once, whichever part reads it first", () => {
  const out = fresh(
    `const big = [], parse = JSON.parse;
JSON.parse = function (t, ...r) { if (typeof t === "string" && t.length > 65536) big.push(t.length); return parse.call(this, t, ...r); };
const byCore = m.structByName("vfio_irq_info"); // the core reads SCHEMA first
const own = m.SCHEMA.structs.find((s) => s.name === "vfio_irq_info");
console.log(JSON.stringify({ same: byCore === own, parses: big.length }));`,
  );
  assert.deepEqual(out, { same: true, parses: 1 });
});

test("the wasm core is instantiated once, shared by every part", () => {
  const out = fresh(
    `await m.init();
const w = m.wasm();
try { m.decodeIrqInfoFast(new Uint8Array(3)); } catch {} // the fast part's fallback
m.decode("vfio_irq_info", m.encodeIrqInfo({ count: 1 }));
m.predictSetIrqs(m.qemuDevice("e1000e"), m.encodeIrqSet({ flags: m.VFIO_IRQ_SET_DATA_NONE | m.VFIO_IRQ_SET_ACTION_TRIGGER, index: 0, start: 0, count: 0 }));
console.log(JSON.stringify({ instances, same: m.wasm() === w }));`,
    `let instances = 0;
const I = WebAssembly.Instance;
WebAssembly.Instance = new Proxy(I, { construct(t, a, nt) { instances++; return Reflect.construct(t, a, nt); } });
const inst = WebAssembly.instantiate;
WebAssembly.instantiate = function (...a) { instances++; return inst.apply(this, a); };`,
  );
  assert.deepEqual(out, { instances: 1, same: true });
});

test("the oracle classes and tables of the entry are the real ones behind a proxy", () => {
  const dev = split.qemuDevice("e1000e");
  const a = new split.DeviceModel(dev);
  const b = new unbundled.DeviceModel(unbundled.qemuDevice("e1000e"));
  assert.ok(a instanceof split.DeviceModel);
  assert.equal(a.constructor.name, "DeviceModel");
  assert.deepEqual([...a.state], [...b.state]);
  class Sub extends split.DeviceModel {}
  const s = new Sub(dev);
  assert.ok(s instanceof Sub && s instanceof split.DeviceModel);
  assert.deepEqual(Object.keys(split.FAST_DECODERS).sort(), Object.keys(unbundled.FAST_DECODERS).sort());
  assert.deepEqual(Object.keys(split.ORACLE_RULES), Object.keys(unbundled.ORACLE_RULES));
  assert.deepEqual(JSON.parse(JSON.stringify(split.MEMORY_POLICY)), unbundled.MEMORY_POLICY);
});

test("without process.getBuiltinModule (Node before 20.16) the parts load through require alike", () => {
  const wasm = new URL("../../build/release.wasm", import.meta.url);
  const out = fresh(
    `const b = new Uint8Array(m.SIZEOF_VFIO_IRQ_INFO);
b[m.O_VFIO_IRQ_INFO__ARGSZ] = m.SIZEOF_VFIO_IRQ_INFO;
const v = m.decodeIrqInfoFast(b);
m.initSync(readFileSync(new URL(${JSON.stringify(wasm.href)}))); // init() reads the file through getBuiltinModule too
let own;
try { m.decodeIrqInfoFast(b.subarray(0, 3)); } catch (e) { own = e instanceof m.TruncatedError; }
const d = m.decode("vfio_irq_info", b);
const schema = m.structByName("vfio_irq_info") === m.SCHEMA.structs.find((s) => s.name === "vfio_irq_info");
console.log(JSON.stringify({ argsz: v.argsz, own, argsz2: d.argsz, schema }));`,
    'import { readFileSync } from "node:fs";\ndelete process.getBuiltinModule;',
  );
  assert.deepEqual(out, {
    argsz: split.SIZEOF_VFIO_IRQ_INFO,
    own: true,
    argsz2: split.SIZEOF_VFIO_IRQ_INFO,
    schema: true,
  });
});
