// fast-check properties over every non-capability struct of the schema (the ioctl arguments, their
// payloads and elements): values generated from the schema's fields (payload cases picked through
// the selector, arrays of any length, union members under either name), on the four gcc-checked
// ABIs and three releases (6.1, 6.12, the newest). encode -> decode gives the values back, and
// decode -> encode gives the bytes back. The layouts themselves are gcc's (tests/c).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { structs, headers } from "../../schema/abi.mjs";
import { layout } from "../../schema/layout.mjs";
import { ready, decode, encode, hex, SCHEMA } from "./helpers.mjs";

before(ready);

const ARCHES = ["x86_64", "i386", "s390x", "ppc64"];
const RELEASES = ["6.1", "6.12", headers[headers.length - 1]];
const RUNS = Number(process.env.VFIO_ABI_FC_RUNS ?? 200);
const MODEL = { x86_64: "lp64", i386: "ilp32", s390x: "lp64", ppc64: "lp64" };

const scalarArb = (type, model) =>
  ({
    u8: fc.integer({ min: 0, max: 0xff }),
    u16: fc.integer({ min: 0, max: 0xffff }),
    u32: fc.integer({ min: 0, max: 0xffffffff }),
    s32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    u64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    ptr: fc.bigInt({ min: 0n, max: model === "ilp32" ? 0xffffffffn : (1n << 64n) - 1n }),
  })[type];

/** Values of struct `name` in a variant: scalars (no argsz / count fields: encode fills them), trailing member. */
function structArb(name, v, skip = new Set(["argsz"]), flagsArb = null) {
  const l = layout(name, v);
  const count = l.trailing?.count;
  const rec = {};
  for (const f of l.fields) {
    if (skip.has(f.path) || f.path === count) continue;
    rec[f.path] = f.path === "flags" && flagsArb ? flagsArb : scalarArb(f.type, v.model);
  }
  let arb = fc.record(rec).map(nest);
  if (l.trailing?.kind === "array") {
    const el = l.trailing.elem.scalar
      ? scalarArb(l.trailing.elem.scalar, v.model)
      : structArb(l.trailing.of, v, new Set());
    arb = fc.tuple(arb, fc.array(el, { maxLength: 4 })).map(([o, xs]) => ({ ...o, [l.trailing.path]: xs }));
  }
  return arb;
}
const nest = (flat) => {
  const o = {};
  for (const [k, x] of Object.entries(flat)) {
    const parts = k.split(".");
    let t = o;
    for (const p of parts.slice(0, -1)) t = t[p] ??= {};
    t[parts.at(-1)] = x;
  }
  return o;
};

/** A struct value whose flags pick each payload case (and some that pick none). */
function withPayload(name, v) {
  const s = SCHEMA.structs.find((x) => x.name === name);
  const pf = SCHEMA.fields[s.firstField + s.trailingLocal];
  const cases = SCHEMA.cases.filter((c) => c.field === pf.id && c.kind !== "scalar");
  return fc.constantFrom(...cases).chain((c) => {
    const flags = fc.integer({ min: 0, max: 0xffffffff }).map((x) => ((x & ~c.mask) | c.value) >>> 0);
    const base = structArb(name, v, new Set(["argsz"]), flags);
    const data =
      c.kind === "struct"
        ? structArb(c.struct, v, new Set())
        : c.kind === "bytes"
          ? fc.uint8Array({ minLength: c.bytes, maxLength: c.bytes })
          : fc.constant(undefined);
    return fc.tuple(base, data).map(([b, d]) => (d === undefined ? b : { ...b, [pf.name]: d }));
  });
}

/** Every leaf of `want` equals the same path of `got` (bigint/number tolerant for u64 leaves). */
function assertLeaves(want, got, path = "") {
  if (want instanceof Uint8Array) return assert.equal(hex(got), hex(want), path);
  if (Array.isArray(want)) {
    assert.equal(got?.length, want.length, `${path} length`);
    want.forEach((w, i) => assertLeaves(w, got[i], `${path}[${i}]`));
    return;
  }
  if (want && typeof want === "object") {
    for (const [k, w] of Object.entries(want)) assertLeaves(w, got?.[k], `${path}.${k}`);
    return;
  }
  assert.equal(typeof want === "bigint" ? BigInt(got) : got, want, path);
}

// capability-chain hosts and vfio_irq_set have their own properties (tests/abi/property.test.mjs, tests/node)
const TARGETS = Object.keys(structs).filter(
  (n) => structs[n].kind !== "cap" && !structs[n].proposal && !structs[n].caps && n !== "vfio_irq_set",
);

/** Name union members the way the flags pick them (devid under VFIO_PCI_HOT_RESET_FLAG_DEV_ID, ...). */
function canon(name, value) {
  const flagBits = Object.fromEntries(
    Object.values(SCHEMA.flagSets).flatMap((fs) => fs.bits.map((b) => [b.name, b.value])),
  );
  const rename = (sname, obj) => {
    const st = SCHEMA.structs.find((x) => x.name === sname);
    for (const f of SCHEMA.fields.slice(st.firstField, st.firstField + st.nfields)) {
      for (const a of f.alt ?? []) {
        if ((a.when.in ?? sname) !== name || !(value.flags & flagBits[a.when.flag])) continue;
        if (f.name in obj) {
          obj[a.name] = obj[f.name];
          delete obj[f.name];
        }
      }
      if (f.type === "array" && Array.isArray(obj[f.name]) && SCHEMA.structs.some((x) => x.name === f.of))
        obj[f.name].forEach((e) => rename(f.of, e));
    }
  };
  const v = structuredClone(value);
  rename(name, v);
  return v;
}

for (const name of TARGETS) {
  test(`${name}: encode -> decode -> encode round trips (4 ABIs, releases ${RELEASES.join(", ")})`, () => {
    const s = SCHEMA.structs.find((x) => x.name === name);
    const hasPayload = s.trailingLocal >= 0 && SCHEMA.fields[s.firstField + s.trailingLocal].type === "payload";
    const gen = fc.constantFrom(...ARCHES).chain((arch) =>
      fc.constantFrom(...RELEASES).chain((epoch) => {
        const v = { model: MODEL[arch], epoch, proposals: new Set() };
        return (hasPayload ? withPayload(name, v) : structArb(name, v)).map((value) => ({ arch, epoch, value }));
      }),
    );
    fc.assert(
      fc.property(gen, ({ arch, epoch, value }) => {
        const prof = { arch, epoch };
        const b = encode(name, value, prof);
        const d = decode(name, b, prof);
        // union members come back under the name the flags pick; compare the rest
        assertLeaves(canon(name, value), d, name);
        assert.equal(hex(encode(name, d, prof)), hex(b));
      }),
      { numRuns: RUNS },
    );
  });
}
