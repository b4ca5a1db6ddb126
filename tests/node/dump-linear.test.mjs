// The dump parser does work linear in its input, even on lines crafted to make a backtracking or
// rescanning parser quadratic (80,000 "|" characters took 5.6 s before). Work is counted, not timed:
// every string primitive the parser can loop over is wrapped to count the characters it touches
// (charCodeAt: one; indexOf: the span it scans; includes, split, trim...: the whole string they are
// called on; slice/substring: what they copy;
// regular expressions: the text they are run on). Each input is parsed at size n and 10n; the count
// must grow at most ~10x (and stay a small multiple of the input length).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDump, fromHex } from "../../dist/bindings/index.js";

let work = 0;
const P = String.prototype;
const R = RegExp.prototype;
const originals = {};
function meter() {
  const wrap = (obj, name, cost) => {
    const f = obj[name];
    originals[name] = [obj, f];
    obj[name] = function (...args) {
      const r = f.apply(this, args);
      work += cost(String(this), args, r);
      return r;
    };
  };
  // a search scans from its start to where it stops (the match, or the end)
  const scan = (s, from, r) => Math.max(1, (r >= 0 ? r + 1 : s.length) - (Number(from) || 0));
  wrap(P, "charCodeAt", () => 1);
  wrap(P, "indexOf", (s, a, r) => scan(s, a[1], r));
  wrap(P, "lastIndexOf", (s) => s.length);
  for (const n of ["includes", "startsWith", "endsWith", "search", "split", "trim", "trimStart", "trimEnd"])
    wrap(P, n, (s) => Math.max(1, s.length));
  for (const n of ["slice", "substring"]) wrap(P, n, (_s, _a, r) => Math.max(1, r.length));
  wrap(R, "exec", (_s, a) => Math.max(1, String(a[0]).length));
  wrap(R, "test", (_s, a) => Math.max(1, String(a[0]).length));
}
function unmeter() {
  for (const [name, [obj, f]] of Object.entries(originals)) obj[name] = f;
}

/** Work to parse `text`, whatever the outcome (a DumpError is an answer too). */
function cost(parse, text) {
  work = 0;
  meter();
  try {
    parse(text);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
  } finally {
    unmeter();
  }
  return work;
}

// Crafted inputs (n = number of repeated units); each is one "shape" a parser might rescan.
const crafted = {
  "80,000 '|' on one line": (n) => "|".repeat(n),
  "hexdump -C row with a huge ASCII column": (n) => `00000000  01 02 03 04  |${"|".repeat(n)}|\n`,
  "xxd row with a huge tail": (n) => `00000000: 0102 0304  ${".".repeat(n)}\n`,
  "many short hexdump -C rows": (n) => {
    const rows = [];
    for (let i = 0; i < n / 16; i++)
      rows.push(
        `${(i * 16).toString(16).padStart(8, "0")}  00 11 22 33 44 55 66 77  88 99 aa bb cc dd ee ff  |................|`,
      );
    return `${rows.join("\n")}\n`;
  },
  "plain hex with separators": (n) => "0a:".repeat(n),
  "spaces between hex digits": (n) => "0 ".repeat(n),
  "unclosed kernel timestamps": (n) => `${"[".repeat(n)} 12.0] 00000000: 01 02\n`,
  "C initialiser that never closes": (n) => `unsigned char b[] = { ${"0x01, ".repeat(n)}`,
  "C comment that never closes": (n) => `unsigned char b[] = { /* ${"*".repeat(n)}`,
  "JSON nesting": (n) => `${"[".repeat(Math.min(n, 900))}${" ".repeat(n)}`,
  "gdb address column only": (n) => `${"0x1000:\t0x01\n".repeat(n / 8)}`,
  "od offsets": (n) => `${"0000000 001 002\n".repeat(n / 8)}`,
};

for (const [name, make] of Object.entries(crafted)) {
  test(`linear work: ${name}`, () => {
    const n = 8_000;
    for (const [label, parse] of [
      ["parseDump", (t) => parseDump(t, { maxBytes: 1 << 24 })],
      ["fromHex", (t) => fromHex(t)],
    ]) {
      const small = make(n),
        big = make(n * 10);
      const a = cost(parse, small),
        b = cost(parse, big);
      // 10x the input: at most ~10x the work (12x leaves room for fixed costs and rounding)
      assert.ok(b <= 12 * a + 1000, `${label}: ${a} units for ${small.length} chars, ${b} for ${big.length}`);
      assert.ok(b <= 200 * big.length + 1000, `${label}: ${b} units for ${big.length} chars`);
    }
  });
}

test("the meter sees the parser's work (a counter that never moves could not fail)", () => {
  const a = cost((t) => parseDump(t), "00 11 22 33\n".repeat(100));
  const b = cost((t) => parseDump(t), "00 11 22 33\n".repeat(1000));
  assert.ok(a > 400 && b > 10 * 400, `${a} ${b}`);
});
