// The generated object-API fast paths (bindings/fast/generated.ts) against the wasm core, for every
// struct in the schema: decode<Struct>Fast(b) must equal decode(b) without `$` (or throw the same
// typed error), encode<Struct>Fast(v) must return encode(v)'s bytes (or throw the same error), on
// valid buffers built by the core from random values (every capability, both byte orders, every
// layout) and on hostile mutations of them: flipped bytes, truncation, argsz and link tampering,
// out-of-range and non-canonical values.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as lib from "../../dist/bindings/index.js";
import { rng } from "../../bench/corpus.mjs";
import { OPTS, randomValue, mutations, valueMutations } from "../helpers/struct-random.mjs";

await lib.init();
const { SCHEMA } = lib;
const byName = Object.fromEntries(SCHEMA.structs.map((s) => [s.name, s]));
const P = (s) =>
  s.name
    .replace(/^vfio_/, "")
    .split("_")
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");

const outcome = (fn) => {
  try {
    return { ok: fn() };
  } catch (e) {
    return { err: `${e.constructor.name} ${e.code} ${e.offset} ${e.field} ${e.message}` };
  }
};
const strip = (d) => {
  const { $, ...v } = d;
  return v;
};

for (const s of SCHEMA.structs) {
  const dec = lib[`decode${P(s)}Fast`],
    enc = lib[`encode${P(s)}Fast`];
  test(`${s.name}: decode${P(s)}Fast / encode${P(s)}Fast == the core on random and hostile inputs`, () => {
    assert.equal(typeof dec, "function");
    assert.equal(typeof enc, "function");
    const r = rng(1000 + s.id);
    let decoded = 0,
      encoded = 0;
    for (let i = 0; i < 150; i++) {
      const opts = OPTS[r() % OPTS.length];
      const value = randomValue(s, r);
      const built = outcome(() => lib.encode(s.name, value, opts));
      if (!built.ok) continue;
      for (const b of [built.ok, ...mutations(built.ok, r)]) {
        const want = outcome(() => strip(lib.decode(s.name, b, opts)));
        const got = outcome(() => dec(b, opts));
        assert.deepStrictEqual(
          got,
          want,
          `decode ${s.name} ${Buffer.from(b).toString("hex")} opts ${JSON.stringify(opts)}`,
        );
        if (!want.ok) continue;
        decoded++;
        for (const v of [want.ok, ...valueMutations(want.ok, r)]) {
          const e1 = outcome(() => Buffer.from(lib.encode(s.name, v, opts)).toString("hex"));
          const e2 = outcome(() => Buffer.from(enc(v, opts)).toString("hex"));
          assert.deepStrictEqual(e2, e1, `encode ${s.name} opts ${JSON.stringify(opts)}`);
          if (e1.ok) encoded++;
        }
      }
    }
    // random field values rarely make a valid vfio-user message (command, msg_size, body), nor a
    // random count an array that fits (hot reset group_fds, dma_buf ranges): no count there
    const counted =
      s.kind !== "cap" && s.trailingLocal >= 0 && SCHEMA.fields[s.firstField + s.trailingLocal].type === "array";
    if (!s.proposal && s.kind !== "message" && !counted)
      assert.ok(decoded > 50 && encoded > 50, `${decoded} decoded, ${encoded} encoded`);
  });
}

test("fast paths round-trip the golden vectors of every struct", async () => {
  const { vectors, bytesOf } = await import("../vectors/golden.mjs");
  for (const v of vectors.filter((x) => x.expect)) {
    const s = byName[v.struct],
      opts = { arch: v.arch, epoch: v.epoch };
    const b = bytesOf(v.hex);
    const d = lib[`decode${P(s)}Fast`](b, opts);
    assert.deepStrictEqual(d, strip(lib.decode(v.struct, b, opts)), v.name);
    assert.deepStrictEqual(lib[`encode${P(s)}Fast`](d, opts), lib.encode(v.struct, d, opts), v.name);
  }
});
