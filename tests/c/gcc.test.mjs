// The codec against gcc on the real uapi headers, for x86_64 (gcc), i386 (i686-linux-gnu-gcc),
// s390x and ppc64 (big-endian cross compilers). Everything compared here is generated from the
// schema (tests/c/units.mjs, tests/c/golden-c.mjs), compiled, and read back with the arch's own
// nm -S / objcopy (tests/c/toolchain.mjs). Nothing is executed and no expected byte is typed in.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { init } from "../../dist/bindings/index.js";
import { checkConstants, checkGolden, checkLayouts } from "./check.mjs";
import { CASES } from "./golden-c.mjs";
import { gccReference } from "./reference.mjs";
import { missing, TOOLCHAINS } from "./toolchain.mjs";

const summary = [];
const fail = (bad) =>
  assert.fail(`${bad.length} mismatch(es):\n  ${bad.slice(0, 60).join("\n  ")}${bad.length > 60 ? "\n  ..." : ""}`);

before(async () => {
  await init?.();
});

for (const arch of Object.keys(TOOLCHAINS)) {
  const why = missing(arch);
  describe(`gcc ${arch}`, { skip: why && !process.env.CI ? `toolchain missing: ${why}` : false }, () => {
    let ref;
    before(() => {
      if (why) throw new Error(`CI must install the ${arch} toolchain: ${why}`);
      ref = gccReference(arch);
    });

    test("the generated C compiles without warnings", () => {
      assert.deepEqual(ref.warnings, []);
    });

    test("sizeof / _Alignof / offsetof of every schema struct and field = schema/layout.mjs = generated SCHEMA", (t) => {
      const r = checkLayouts(ref);
      t.diagnostic(`${arch}: ${r.structsChecked} struct layouts, ${r.values} values checked`);
      summary.push({ arch, what: "layouts", n: r.structsChecked, values: r.values });
      if (r.bad.length) fail(r.bad);
      // every unit contributed (6.1 header, upstream copies, every proposal posting with structs)
      const per = Object.fromEntries(ref.units.map((u) => [u.unit.id, u.layouts.length]));
      assert.ok(per.uapi61 >= 20 && per.upstream >= 21, JSON.stringify(per));
    });

    test("VFIO_* constants: flag bits, enum values, cap ids, masks, ioctl numbers", (t) => {
      const r = checkConstants(ref);
      t.diagnostic(`${arch}: ${r.n} constants checked`);
      summary.push({ arch, what: "constants", n: r.n });
      if (r.bad.length) fail(r.bad);
      const setIrqs = r.ioctlsSeen.VFIO_DEVICE_SET_IRQS;
      assert.equal(setIrqs, arch === "ppc64" ? 0x20003b6e : 0x3b6e);
    });

    test("golden initialisers decode to the values gcc wrote and re-encode byte for byte", (t) => {
      const r = checkGolden(ref);
      t.diagnostic(
        `${arch}: ${r.counts.cases} golden objects, ${r.counts.exact} exact re-encodes, ${r.counts.values} encodes from values, ${r.counts.kernel} kernel-chain builds`,
      );
      summary.push({ arch, what: "golden", n: r.counts.cases, ...r.counts });
      if (r.bad.length) fail(r.bad);
      assert.equal(r.counts.decoded, r.counts.cases);
    });
  });
}

test("every schema capability and struct appears in at least one golden case", async () => {
  const { structs } = await import("../../schema/abi.mjs");
  const used = new Set();
  for (const cs of CASES) {
    if (cs.struct) used.add(cs.struct);
    if (cs.host) used.add(cs.host);
    if (cs.tail?.struct) used.add(cs.tail.struct);
    for (const c of cs.caps ?? []) used.add(c.struct);
  }
  // element structs travel inside their caps
  for (const s of Object.values(structs))
    for (const f of s.fields)
      if (f.type === "array" && f.of in structs && [...used].some((u) => structs[u].fields.includes(f))) used.add(f.of);
  const missingCases = Object.keys(structs).filter((n) => !used.has(n));
  assert.deepEqual(missingCases, []);
});

test("summary", () => {
  for (const s of summary) {
    const extra =
      s.what === "layouts"
        ? ` structs (${s.values} sizeof/alignof/offsetof values)`
        : s.what === "golden"
          ? ` objects (exact re-encode ${s.exact}, encode from values ${s.values}, kernel-chain build ${s.kernel})`
          : "";
    console.log(`gcc ${s.arch}: ${s.what} ${s.n}${extra}`);
  }
});
