// The wasm<->host contract (schema/wasm-abi.mjs) against the built modules: each module's export table
// with its wasm types, the sizes the fuzz exports report, and the errno each oracle rule is documented
// with against the answers the oracle gives on generated SET_IRQS cases for every driver.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { campaignDevices, generate } from "../../dist/bindings/fuzz/index.js";
import * as W from "../../schema/wasm-abi.mjs";
import { wasmInfo } from "../embed/wasm-info.mjs";

const bytesOf = (m) => readFileSync(new URL(`../../${W.modules.find((x) => x.name === m).file}`, import.meta.url));
const instance = (bytes) => new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
const ex = instance(bytesOf("core"));
const fx = instance(bytesOf("fuzz"));

// AssemblyScript types as the module's value types (an independent reading of the schema's types)
const VALUE = { i32: "i32", u32: "i32", usize: "i32", bool: "i32", i64: "i64", u64: "i64", void: "" };
const sigOf = (f) => `${VALUE[f.ret] || "void"}(${f.params.map((p) => VALUE[p.type]).join(",")})`;

test("each module exports exactly the contract's functions for it (with their wasm types), memory and globals", () => {
  assert.deepEqual(
    W.modules.map((m) => m.name),
    ["core", "fuzz"],
  );
  for (const m of W.modules) {
    const real = new Map(wasmInfo(bytesOf(m.name)).exports.map((e) => [e.name, e]));
    const mine = (x) => x.modules.includes(m.name);
    const fns = W.exportedFunctions.filter(mine);
    const want = new Map([
      ...(mine(W.exportedMemory) ? [[W.exportedMemory.name, "memory"]] : []),
      ...W.exportedGlobals.filter(mine).map((g) => [g.name, "global"]),
      ...fns.map((f) => [f.name, "function"]),
    ]);
    assert.deepEqual([...real.keys()].sort(), [...want.keys()].sort(), m.name);
    for (const f of fns) assert.equal(real.get(f.name).sig, sigOf(f), `${m.name}: ${f.name}`);
    for (const [name, kind] of want) assert.equal(real.get(name).kind, kind, `${m.name}: ${name}`);
  }
});

test("sizes and counts the module reports are the contract's", () => {
  for (const m of [ex, fx]) {
    assert.equal(m.abi_version(), W.abiVersion);
    assert.equal(m.ABI_VERSION.value, W.abiVersion);
  }
  assert.equal(fx.fuzz_out_words(), W.fuzz.campaign.words);
  assert.equal(fx.fuzz_num_classes(), Math.max(...W.fuzz.classes.map((c) => c.id)) + 1);
  const last = W.fuzz.work.at(-1);
  assert.equal(fx.fuzz_work_size(), last.offset + W.fuzz.recCap * W.record.size);
  // the statistics fields fit the block, the work regions are in order inside the area
  for (const f of W.fuzz.campaign.fields) assert.ok(f.offset < W.fuzz.campaign.words * 4, f.name);
  W.fuzz.work.forEach((r, i) => {
    if (i) assert.ok(r.offset > W.fuzz.work[i - 1].offset, r.name);
  });
});

test("every oracle verdict on generated SET_IRQS cases carries the errno its rule is documented with", () => {
  const errnoOf = Object.fromEntries(W.oracle.errno.map((e) => [e.name, e.value]));
  const seen = new Set();
  const bad = [];
  const set = W.fuzz.families.find((f) => f.name === "vfio_irq_set");
  for (const device of campaignDevices()) {
    for (let cls = set.first; cls <= set.last; cls++) {
      for (let index = 0; index < 12; index++) {
        const c = generate({ struct: "vfio_irq_set", class: cls, index, seed: 7, device });
        const k = c.expected.kernel;
        const rule = W.oracle.rules.find((r) => r.name === k.rule);
        assert.ok(rule, `unknown rule ${k.rule}`);
        seen.add(k.rule);
        // libvfio-user answers EINVAL where the kernel's dispatch says ENOTTY
        const lvu = device.driver === "libvfio-user" && rule.errno === "ENOTTY";
        const want = k.ok ? null : lvu ? "EINVAL" : rule.errno;
        if (k.errno !== want || (!k.ok && -k.ret !== errnoOf[want]))
          bad.push(`${device.driver} ${c.class}#${index}: ${k.rule} answered ${k.errno ?? k.ret}, documented ${want}`);
        if (k.ok && rule.errno !== null) bad.push(`${k.rule} accepted`);
      }
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(seen.size >= 15, `only ${seen.size} rules reached: ${[...seen].join(" ")}`);
});
