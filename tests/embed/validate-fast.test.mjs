// irq_set_validate_batch (assembly/validate_fast.ts, the branch-free validate stage) against the
// SET_IRQS oracle: on a PCI device, every buffer the oracle rejects in the validate/dispatch stage
// (rules 1..10) gets the same verdict and rule; every other buffer passes (verdict 0, rule 0).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { irqSetCorpus, pciDevice, rng } from "../../bench/corpus.mjs";

const wasm = readFileSync(new URL("../../build/release.wasm", import.meta.url));
const ex = new WebAssembly.Instance(new WebAssembly.Module(wasm), {}).exports;
const VALIDATE_RULES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

function check(prof, bytes, index, dev) {
  const n = index.length / 2;
  const need = dev.byteLength + index.byteLength + n * 8 + bytes.length + 1024;
  assert.ok(ex.arena_reserve(need) === 0 && ex.arena_cap() >= need);
  const base = ex.arena_ptr() >>> 0;
  const pd = base + 64,
    pi = pd + 800,
    po = pi + n * 8,
    pb = po + n * 8;
  const m = () => new Uint8Array(ex.memory.buffer);
  m().set(new Uint8Array(dev.buffer, dev.byteOffset, dev.byteLength), pd);
  m().set(new Uint8Array(index.buffer, index.byteOffset, index.byteLength), pi);
  m().set(bytes, pb);
  const passed = ex.irq_set_validate_batch(prof, pb, pi, n, pd, po);
  const out = new Int32Array(ex.memory.buffer, po, n * 2).slice();
  let expectPassed = 0;
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    const r = ex.oracle_set_irqs(prof, pb + index[2 * i], index[2 * i + 1], pd, 0);
    const rule = ex.oracle_last_rule();
    const [er, erule] = VALIDATE_RULES.has(rule) ? [r, rule] : [0, 0];
    expectPassed += er === 0;
    seen.add(erule);
    if (out[i] !== er || out[n + i] !== erule) {
      const h = Buffer.from(bytes.subarray(index[2 * i], index[2 * i] + index[2 * i + 1])).toString("hex");
      assert.fail(`buffer ${i} (${h}, len ${index[2 * i + 1]}): fast ${out[i]}/${out[n + i]}, oracle ${r}/${rule}`);
    }
  }
  assert.equal(passed, expectPassed);
  return seen;
}

test("validate_fast agrees with oracle_set_irqs on the bench corpus (200k buffers, every validate rule)", () => {
  const { bytes, index } = irqSetCorpus(200_000, 7);
  const seen = check(0, bytes, index, pciDevice());
  for (const r of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) assert.ok(seen.has(r), `rule ${r} exercised`);
});

test("validate_fast agrees with the oracle on random bytes, big-endian profile and other seeds", () => {
  for (const seed of [1, 2, 3])
    check(0, irqSetCorpus(20_000, seed).bytes, irqSetCorpus(20_000, seed).index, pciDevice());
  const { bytes, index } = irqSetCorpus(20_000, 11);
  // byte-swap every header word: the same buffers as a big-endian host wrote them
  const be = bytes.slice();
  const dv = new DataView(be.buffer);
  for (let i = 0; i < index.length / 2; i++)
    if (index[2 * i + 1] >= 20)
      for (let w = 0; w < 20; w += 4)
        dv.setUint32(index[2 * i] + w, new DataView(bytes.buffer).getUint32(index[2 * i] + w, true), false);
  check(1, be, index, pciDevice());
  // fully random bytes (mostly rejected early) and random lengths
  const r = rng(99),
    n = 20_000,
    rb = new Uint8Array(n * 40),
    ri = new Uint32Array(n * 2);
  for (let i = 0; i < rb.length; i++) rb[i] = r() & 0xff;
  for (let i = 0; i < n; i++) {
    ri[2 * i] = i * 40;
    ri[2 * i + 1] = r() % 41;
  }
  check(0, rb, ri, pciDevice());
});

test("validate_fast: non-PCI device block is E_BAD_ARG, ranges outside memory are -1000", () => {
  const base = ex.arena_ptr() >>> 0;
  const dev = pciDevice();
  dev[0] = 1;
  new Uint8Array(ex.memory.buffer).set(new Uint8Array(dev.buffer), base + 64);
  assert.equal(ex.irq_set_validate_batch(0, base + 2048, base + 1024, 1, base + 64, base + 1536), -22);
  assert.equal(ex.irq_set_validate_batch(0, base, 0xfffffff0, 4, base + 64, base + 1536), -1000);
});
