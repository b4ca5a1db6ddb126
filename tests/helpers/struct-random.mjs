// Random values and hostile mutations for any struct of the schema, shared by the differential
// tests of the fast paths (tests/embed/fast.test.mjs, tests/node/cli-fast.test.mjs).
import * as lib from "../../dist/bindings/index.js";

const { SCHEMA } = lib;
const fieldsOf = (s) => SCHEMA.fields.slice(s.firstField, s.firstField + s.nfields);
const byName = Object.fromEntries(SCHEMA.structs.map((s) => [s.name, s]));
export const OPTS = [
  undefined,
  {},
  { arch: "s390x" },
  { arch: "i386", epoch: "6.1" },
  { arch: "i386" },
  { epoch: "6.1" },
  { arch: "ppc64", epoch: "6.1" },
  { proposals: ["irq-info-caps"] },
  { maxCaps: 1 },
];

/** Random values for struct s (its scalar fields; caps and payload for the structs that have them). */
export function randomValue(s, r, depth = 0) {
  const v = {};
  const pick = (t) => {
    const k = r() % 8;
    if (t === "u64") return k < 3 ? BigInt(r() & 0xffff) : k < 6 ? (BigInt(r()) << 32n) | BigInt(r()) : BigInt(r());
    const bits = { u8: 8, u16: 16, u32: 32, s32: 32 }[t];
    const x = k < 4 ? r() & 0xff : r();
    return t === "s32" ? x | 0 : bits === 32 ? x >>> 0 : x & ((1 << bits) - 1);
  };
  for (const f of fieldsOf(s)) {
    if (f.proposal || f.path === "argsz") continue;
    if (["u8", "u16", "u32", "s32", "u64"].includes(f.type)) {
      const parts = f.path.split(".");
      let o = v;
      for (const p of parts.slice(0, -1)) o = o[p] ??= {};
      o[parts[parts.length - 1]] = pick(f.type);
    } else if (f.type === "payload") {
      const dt = [1, 2, 4][r() % 3];
      v.flags = (v.flags & ~7) | dt;
      const n = r() % 5;
      // the count field, where the payload has one (vfio_irq_set); encode refuses keys a struct lacks
      if (f.count) v[f.count] = dt === 1 ? r() % 3 : n;
      v.data = dt === 1 ? [] : Array.from({ length: n }, () => (dt === 2 ? r() & 1 : r() % 4 === 0 ? -1 : r() & 1023));
    } else if (f.type === "array" && depth > 0) {
      v[f.name] = Array.from({ length: r() % 4 }, () => randomValue(byName[f.of], r, depth + 1));
      delete v[f.count];
    } else if (f.type === "bytes" && depth > 0) {
      v[f.name] = Uint8Array.from({ length: r() % 9 }, () => r() & 0xff);
      delete v[f.count];
    }
  }
  if (s.caps && !s.caps.proposal && depth === 0) {
    const regs = SCHEMA.capreg.filter((c) => c.host === s.name && !c.proposal);
    v.flags = (v.flags ?? 0) | (r() % 6 ? s.caps.flag : 0);
    delete v[s.caps.offsetField];
    if (regs.length && v.flags & s.caps.flag) {
      v.caps = Array.from({ length: 1 + (r() % 3) }, () => {
        const c = regs[r() % regs.length];
        const cv = randomValue(byName[c.struct], r, 1);
        cv.header = { id: c.id, version: 1 + (r() % c.maxVersion) };
        return cv;
      });
    }
  }
  return v;
}

/** Hostile variants of a valid buffer. */
export function mutations(b, r) {
  const out = [];
  const dv = (x) => new DataView(x.buffer, x.byteOffset, x.byteLength);
  for (let k = 0; k < 6; k++) {
    const m = b.slice();
    const kind = r() % 7;
    if (kind === 0 && m.length) m[r() % m.length] ^= 1 << (r() % 8);
    else if (kind === 1 && m.length >= 4) {
      const o = (r() % (m.length >> 2)) << 2;
      dv(m).setUint32(o, [0, 1, 4, 8, 16, 24, 32, 40, 0xffffffff, m.length, m.length + 8][r() % 11], r() & 1);
    } else if (kind === 2) {
      out.push(m.slice(0, r() % (m.length + 1)));
      continue;
    } else if (kind === 3) {
      const x = new Uint8Array(m.length + 1 + (r() % 16));
      x.set(m);
      out.push(x);
      continue;
    } else if (kind === 4 && m.length >= 4) dv(m).setUint32(0, r() % (m.length + 16), r() & 1);
    else if (kind === 5 && m.length >= 2) {
      const o = (r() % (m.length >> 1)) << 1;
      dv(m).setUint16(o, r() & 7, r() & 1);
    } else for (let i = 0; i < m.length; i++) m[i] = r() & 0xff;
    out.push(m);
  }
  return out;
}

/** Hostile variants of a decoded value (encode side). */
export function valueMutations(v, r) {
  const out = [];
  const weird = [-1, 2 ** 32, 1.5, "7", 10n, null, undefined, NaN, -(2 ** 31), 2 ** 53, 2n ** 64n, -1n, {}];
  const clone = (x) => structuredClone(x);
  for (let k = 0; k < 5; k++) {
    const m = clone(v);
    const kind = r() % 6;
    const keys = Object.keys(m).filter((x) => x !== "caps");
    if (kind === 0 && keys.length) m[keys[r() % keys.length]] = weird[r() % weird.length];
    else if (kind === 1 && m.caps?.length) {
      const c = m.caps[r() % m.caps.length];
      const ck = Object.keys(c);
      c[ck[r() % ck.length]] = weird[r() % weird.length];
    } else if (kind === 2 && m.caps?.length) {
      for (const c of m.caps) delete c.offset;
    } else if (kind === 3 && m.caps?.length > 1) m.caps.reverse();
    else if (kind === 4 && m.caps?.length) m.caps[0].header.version = [0, 1, 2, 3, 9][r() % 5];
    else if (kind === 5 && Array.isArray(m.data)) m.data.push(weird[r() % weird.length]);
    else delete m.argsz;
    out.push(m);
  }
  return out;
}
