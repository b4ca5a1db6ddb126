// The CLI's fast per-line decode (bindings/cli-fast.ts: generated fast decoder + metadata written
// as JSON text) against decode(): the same JSON text, byte for byte, for every struct on valid
// buffers built by the core and hostile mutations of them, in every layout and byte order.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as lib from "../../dist/bindings/index.js";
import { decodeLineFast, fastStructs, toJSONText, plainHex, hexScratch } from "../../dist/bindings/cli-fast.js";
import { rng } from "../../bench/corpus.mjs";
import { OPTS, randomValue, mutations } from "../helpers/struct-random.mjs";

await lib.init();
const json = (v) => JSON.stringify(lib.toJSONValue(v));

for (const s of lib.SCHEMA.structs) {
  test(`${s.name}: the CLI's fast decode prints decode()'s JSON`, () => {
    const r = rng(2000 + s.id);
    let fast = 0;
    for (let i = 0; i < 120; i++) {
      const opts = OPTS[r() % OPTS.length];
      const built = (() => {
        try {
          return lib.encode(s.name, randomValue(s, r), opts);
        } catch {
          return null;
        }
      })();
      if (!built) continue;
      if (opts?.maxCaps !== undefined) continue; // no CLI option sets a hop limit
      const prof = lib.resolveProfile(opts ?? {});
      for (const b of [built, ...mutations(built, r)]) {
        let want;
        try {
          const d = lib.decode(s.name, b, opts);
          want = json(d);
          assert.equal(toJSONText(d), want, "toJSONText == JSON.stringify(toJSONValue(...))");
        } catch (e) {
          if (e.code === "ERR_ASSERTION") throw e;
          want = null;
        }
        assert.deepEqual(plainHex(Buffer.from(b).toString("hex")), b);
        const got = decodeLineFast(lib.structByName(s.name), b, prof);
        if (got === undefined) continue;
        assert.equal(got, want, `${s.name} ${Buffer.from(b).toString("hex")} opts ${JSON.stringify(opts)}`);
        // the stdin lane: bytes from the middle of a text into a reused buffer, the source written into "$"
        const text = Buffer.from(`zz${Buffer.from(b).toString("hex")}zz`);
        const j = JSON.parse(want);
        const sourced = JSON.stringify({ ...j, $: { ...j.$, source: `stdin:${i}` } });
        assert.equal(
          decodeLineFast(lib.structByName(s.name), hexScratch(text, 2, text.length - 2), prof, `"stdin:${i}"`),
          sourced,
        );
        fast++;
      }
    }
    if (fastStructs().includes(s.name)) assert.ok(fast > 20, `${fast} lines took the fast path`);
  });
}

test("hexScratch: the bytes of a run of hex digits, in a buffer reused for the next run of that length", () => {
  const text = (s) => Buffer.from(s, "latin1");
  const a = hexScratch(text("xx00ffA0yy"), 2, 8);
  assert.deepEqual(a, Uint8Array.of(0, 255, 160));
  const b = hexScratch(text("0a0B0c"), 0, 6);
  assert.equal(b, a);
  assert.deepEqual(b, Uint8Array.of(10, 11, 12));
  assert.deepEqual(hexScratch(text("ab".repeat(5000)), 0, 10000), new Uint8Array(5000).fill(0xab));
  const digits = "0123456789abcdefABCDEF";
  for (const hi of digits)
    for (const lo of digits)
      assert.deepEqual(hexScratch(text(`${hi}${lo}`), 0, 2), Uint8Array.of(parseInt(hi + lo, 16)));
});

test("plainHex takes only an even run of hex digits", () => {
  assert.deepEqual(plainHex("00ffA0"), Uint8Array.of(0, 255, 160));
  for (const bad of ["0", "0g", "00 11", "0x00", "é0", "\u0660\u0660"]) assert.equal(plainHex(bad), undefined, bad);
});
