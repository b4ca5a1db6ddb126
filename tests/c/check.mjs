// Comparisons between what gcc produced (tests/c/reference.mjs) and the codec: schema layouts
// (schema/layout.mjs and the generated SCHEMA tables), constants and ioctl numbers, and the golden
// initialisers through decode / encode. Each function returns a list of mismatch strings (empty =
// all good) plus counts, so the tests can print per-arch numbers and fail with every difference.
import { layout, versionCmp } from "../../schema/layout.mjs";
import { structs } from "../../schema/abi.mjs";
import * as codec from "../../dist/bindings/index.js";
import { ioctlNumber, lookupIoctl } from "../../dist/bindings/ioctl.js";
import { variantOf } from "./units.mjs";

const { SCHEMA, decode, encode } = codec;
const fmt = (x) =>
  typeof x === "bigint"
    ? `0x${x.toString(16)}n`
    : typeof x === "number"
      ? `${x} (0x${(x >>> 0).toString(16)})`
      : String(x);

/** Layout tables: gcc vs layout.mjs vs the generated SCHEMA (per-variant offsets). */
export function checkLayouts(ref) {
  const bad = [];
  let structsChecked = 0,
    values = 0;
  for (const u of ref.units) {
    const newer = versionCmp(u.unit.epoch, "6.6") >= 0;
    const vIdx = (ref.model === "ilp32" ? 2 : 0) + (newer ? 1 : 0);
    for (const e of u.layouts) {
      const l = layout(e.struct, variantOf(u.unit, ref.model));
      const want = [l.size, l.align, ...l.fields.map((f) => f.offset), ...(l.trailing ? [l.trailing.offset] : [])];
      const ss = SCHEMA.structs.find((s) => s.name === e.struct);
      const sf = SCHEMA.fields.slice(ss.firstField, ss.firstField + ss.nfields);
      // sizeof: the release's own size from the generated history (argsz-extensible structs), or
      // the table's (caps, whose size is by version, are compared where the tables are exact)
      const era =
        ss.history && u.unit.release
          ? [...ss.history].reverse().find((h) => versionCmp(u.unit.release, h.from) >= 0)
          : null;
      const tableExact = !u.unit.release || u.unit.release === "6.1" || u.unit.id === "upstream";
      const genSize = era
        ? era[ref.model]
        : tableExact
          ? u.unit.proposals.length
            ? ss.sizeProp[vIdx]
            : ss.size[vIdx]
          : null;
      // _Alignof: the tables use the 6.7 rules from 6.6 on (a real 6.6 header differs on i386 only)
      const gen = [
        genSize,
        tableExact ? ss.align[vIdx] : null,
        ...e.keys.slice(2).map((k) => sf.find((f) => f.path === k.split("|")[0])?.offsets[vIdx]),
      ];
      const wantAt = (k, i) => (k.includes("|") ? want[e.keys.indexOf(k.split("|")[0])] : want[i]);
      e.keys.forEach((k, i) => {
        values++;
        const where = `${ref.arch} ${u.unit.id} ${e.struct}.${k}`;
        if (e.got[i] !== wantAt(k, i)) bad.push(`${where}: gcc ${e.got[i]}, schema/layout.mjs ${wantAt(k, i)}`);
        if (gen[i] !== null && e.got[i] !== gen[i]) bad.push(`${where}: gcc ${e.got[i]}, generated SCHEMA ${gen[i]}`);
      });
      structsChecked++;
    }
  }
  return { bad, structsChecked, values };
}

/** Constants: flag bits, enum values, cap ids, masks, ioctl numbers (codec's ioctlNumber / lookupIoctl). */
export function checkConstants(ref) {
  const bad = [];
  let n = 0;
  const ioctlsSeen = {};
  for (const u of ref.units) {
    u.consts.list.forEach((k, i) => {
      n++;
      const got = u.consts.got[i];
      let want;
      if (k.kind === "ioctl") {
        const def = SCHEMA.ioctls.find((x) => x.name === k.name);
        want = BigInt(ioctlNumber(def.nr, ref.arch));
        ioctlsSeen[k.name] = Number(got);
        const hits = lookupIoctl(Number(got), ref.arch).map((x) => x.name);
        if (!hits.includes(k.name))
          bad.push(`${ref.arch} lookupIoctl(0x${got.toString(16)}) = [${hits}] misses ${k.name}`);
        const byName = lookupIoctl(k.name, ref.arch);
        if (byName.length !== 1 || byName[0].number !== Number(got))
          bad.push(
            `${ref.arch} lookupIoctl(${k.name}) = ${JSON.stringify(byName.map((x) => x.hex))}, gcc 0x${got.toString(16)}`,
          );
      } else want = BigInt(k.value >>> 0);
      if (got !== want) bad.push(`${ref.arch} ${u.unit.id} ${k.name}: gcc ${fmt(got)}, schema ${fmt(want)}`);
    });
    if (u.probe)
      u.probe.names.forEach((name, i) => {
        n++;
        if (u.probe.got[i] !== 0)
          bad.push(
            `${ref.arch} ${u.unit.id}: ${name} IS defined by the Linux ${u.unit.release} header, but the schema dates it later (or retired)`,
          );
      });
    for (const x of u.strings ?? []) {
      n++;
      if (x.got !== x.value) bad.push(`${ref.arch} ${u.unit.id} ${x.name}: gcc "${x.got}", schema "${x.value}"`);
    }
  }
  return { bad, n, ioctlsSeen };
}

// ---- golden cases
const isObj = (x) => x && typeof x === "object" && !(x instanceof Uint8Array) && !Array.isArray(x);

/** Replace the C-expression placeholders {c: "..."} of a case's values with gcc's numbers. */
function resolveCase(cs) {
  const fixed = structuredClone(cs.expect);
  const meta = cs.meta;
  if (cs.standalone) {
    if (isObj(fixed.argsz)) fixed.argsz = meta[0];
    return { fixed, caps: [] };
  }
  fixed.argsz = meta[0];
  fixed.cap_offset = meta[1];
  const caps = cs.capsExpect.map((c, i) => {
    const v = structuredClone(c.value);
    v.header = { id: c.id, version: c.version, next: i + 1 < cs.capsExpect.length ? meta[2 + i] : 0 };
    return { ...c, value: v, offset: meta[1 + i] };
  });
  return { fixed, caps };
}

/** Every leaf of `want` must equal the same path in `got`. */
function compareLeaves(want, got, path, bad) {
  if (want instanceof Uint8Array) {
    const g = got instanceof Uint8Array ? got : null;
    if (!g || g.length !== want.length || g.some((b, i) => b !== want[i]))
      bad.push(`${path}: bytes differ (got ${g ? Buffer.from(g).toString("hex") : typeof got})`);
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) {
      bad.push(`${path}: array length ${got?.length} vs ${want.length}`);
      return;
    }
    want.forEach((w, i) => compareLeaves(w, got[i], `${path}[${i}]`, bad));
    return;
  }
  if (isObj(want)) {
    for (const [k, w] of Object.entries(want)) compareLeaves(w, got?.[k], `${path}.${k}`, bad);
    return;
  }
  const g = typeof want === "bigint" && typeof got === "number" ? BigInt(got) : got;
  if (g !== want) bad.push(`${path}: decoded ${fmt(got)}, gcc initialiser ${fmt(want)}`);
}

const hex = (b) => Buffer.from(b).toString("hex");
function sameBytes(a, b, what, bad) {
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
    let i = 0;
    while (i < Math.min(a.length, b.length) && a[i] === b[i]) i++;
    bad.push(
      `${what}: ${a.length} bytes vs gcc ${b.length}, first difference at ${i}\n      codec ${hex(a)}\n      gcc   ${hex(b)}`,
    );
  }
}

/**
 * Decode each gcc object under the matching profile; compare values; re-encode (exact mode from
 * the decoded value; from plain values for single structs; kernel-chain mode from caps without
 * offsets when the case follows the kernel's layout). Returns mismatches and counts.
 */
export function checkGolden(ref) {
  const bad = [];
  const counts = { cases: 0, decoded: 0, exact: 0, values: 0, kernel: 0 };
  for (const u of ref.units) {
    const prof = { arch: ref.arch, epoch: u.unit.epoch, proposals: u.unit.proposals };
    for (const cs of u.golden) {
      counts.cases++;
      const where = `${ref.arch} ${u.unit.id} ${cs.name}`;
      const struct = cs.standalone ? cs.struct : cs.host;
      if (cs.meta[0] !== cs.bytes.length) bad.push(`${where}: nm -S size ${cs.bytes.length} != sizeof ${cs.meta[0]}`);
      const { fixed, caps } = resolveCase(cs);
      let d;
      try {
        d = decode(struct, cs.bytes, prof);
      } catch (e) {
        bad.push(`${where}: decode threw ${e.code ?? ""} ${e.message}\n      gcc ${hex(cs.bytes)}`);
        continue;
      }
      counts.decoded++;
      const before = bad.length;
      compareLeaves(fixed, d, `${where} value`, bad);
      if (caps.length) {
        if ((d.caps ?? []).length !== caps.length)
          bad.push(`${where}: ${d.caps?.length ?? 0} caps decoded, gcc wrote ${caps.length}`);
        caps.forEach((c, i) => {
          const dc = d.caps?.[i];
          if (!dc) return;
          if (dc.offset !== c.offset) bad.push(`${where} caps[${i}].offset: decoded ${dc.offset}, gcc ${c.offset}`);
          if (dc.struct !== c.struct)
            bad.push(`${where} caps[${i}].struct: decoded ${dc.struct}, expected ${c.struct}`);
          compareLeaves(c.value, dc, `${where} caps[${i}]`, bad);
        });
      }
      if (d.$.needsArgsz !== undefined) bad.push(`${where}: decode asks for argsz ${d.$.needsArgsz}`);
      // exact re-encode
      try {
        sameBytes(encode(struct, d, prof), cs.bytes, `${where} encode(decode(gcc)) exact`, bad);
        counts.exact++;
      } catch (e) {
        bad.push(`${where}: exact encode threw ${e.code ?? ""} ${e.message}`);
      }
      // from plain values (single structs)
      if (cs.standalone) {
        try {
          sameBytes(encode(struct, fixed, prof), cs.bytes, `${where} encode(values)`, bad);
          counts.values++;
        } catch (e) {
          bad.push(`${where}: encode(values) threw ${e.code ?? ""} ${e.message}`);
        }
      } else if (cs.kernel !== false) {
        const { cap_offset: _co, ...fx } = fixed;
        const kcaps = caps.map((c) => {
          const { header, ...body } = c.value;
          return { struct: c.struct, header: { id: header.id, version: header.version }, ...body };
        });
        try {
          sameBytes(codec.buildCaps(struct, fx, kcaps, prof), cs.bytes, `${where} buildCaps (kernel chain)`, bad);
          counts.kernel++;
        } catch (e) {
          bad.push(`${where}: kernel-mode encode threw ${e.code ?? ""} ${e.message}`);
        }
      }
      if (bad.length > before && !bad.slice(before).some((x) => x.includes("gcc   ")))
        bad.push(`      gcc bytes ${hex(cs.bytes)}`);
    }
  }
  return { bad, counts };
}

export { structs };
