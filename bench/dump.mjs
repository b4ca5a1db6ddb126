#!/usr/bin/env node
// node bench/dump.mjs: the dump parser on hostile and ordinary text, median of 11 runs. Every
// scanner is linear, so the time per character stays flat as the input grows (compare the rows).
import { parseDump } from "../dist/bindings/index.js";

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const time = (s) => {
  const t = [];
  for (let i = 0; i < 13; i++) {
    const a = performance.now();
    try {
      parseDump(s);
    } catch {}
    t.push(performance.now() - a);
  }
  return median(t.slice(2));
};
const cases = {
  "'|' x N (issue: 80,000 took 5.6 s)": (n) => "|".repeat(n),
  "hexdump -C offset + '|' x N": (n) => `00000000  ${"|".repeat(n)}`,
  "spaces then junk": (n) => `${" ".repeat(n)}x`,
  "'0x' x N/2": (n) => "0x".repeat(n / 2),
  "'[' x N (JSON nesting)": (n) => "[".repeat(n),
  "dmesg stamp + 'ab ' x N/3": (n) => `[ 1.0] ${"ab ".repeat(n / 3)}x`,
  "xxd line of N/3 groups": (n) => `00000000: ${"20 ".repeat(n / 3)}`,
  "plain hex, N digits": (n) => "20".repeat(n / 2),
};
console.log("input".padEnd(40), ["80k", "320k", "1.28M"].map((h) => h.padStart(12)).join(""), "   ns/char at 1.28M");
for (const [name, make] of Object.entries(cases)) {
  const ms = [80_000, 320_000, 1_280_000].map((n) => time(make(n)));
  console.log(
    name.padEnd(40),
    ms.map((m) => `${m.toFixed(2)} ms`.padStart(12)).join(""),
    `   ${((ms[2] * 1e6) / 1_280_000).toFixed(1)}`,
  );
}
