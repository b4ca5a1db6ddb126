// C layout rules applied to the schema: natural alignment, u64 4-aligned on ilp32 unless
// __aligned_u64, pointers 8 bytes on lp64 and 4 on ilp32, struct size rounded to its alignment,
// flexible array members after the last fixed field. Used by the generator and by tests; gcc
// checks the results (tests/c).
//
// A variant's `epoch` is a Linux release ("6.1", "6.12", "7.3"): the layout a header of that
// release gives. "6.6" is taken as "6.7" (the codec's second layout epoch; see schema/abi.mjs).
import { structs as abiStructs, proposals, epochAliases, headers } from "./abi.mjs";
import { structs as vfioUserStructs } from "./vfio-user.mjs";

/** Every struct the codec knows: the kernel ABI and the vfio-user message bodies. */
export const structs = { ...abiStructs, ...vfioUserStructs };

export const scalarSize = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, ptr: 8 };
const isScalar = (t) => t in scalarSize;

/** Compare two release strings ("6.9" < "6.15" < "7.0"). */
export function versionCmp(a, b) {
  const [am, an] = String(a).split(".").map(Number),
    [bm, bn] = String(b).split(".").map(Number);
  return am !== bm ? am - bm : (an || 0) - (bn || 0);
}

/** The release a variant's epoch stands for ("6.6" is an alias of "6.7"). */
export const normEpoch = (epoch) => epochAliases[epoch] ?? epoch;

/** Is a header of release `epoch` at least release `since`? (no `since`: always; `exact`: no alias) */
export const epochAtLeast = (epoch, since, exact = false) =>
  !since || versionCmp(exact ? epoch : normEpoch(epoch), since) >= 0;

/** The newest release the schema describes: the codec's "6.7" tables hold every field up to it. */
export const NEWEST = headers[headers.length - 1];

/** Proposals enabled by a list, with `implies` expanded. */
export function expandProposals(list = []) {
  const out = new Set();
  const add = (p) => {
    if (!proposals[p]) throw new Error(`unknown proposal profile ${p}`);
    if (out.has(p)) return;
    out.add(p);
    for (const q of proposals[p].implies ?? []) add(q);
  };
  for (const p of list) add(p);
  return out;
}

function scalarAlign(type, aligned, v) {
  if (type === "ptr") return v.model === "ilp32" ? 4 : 8;
  if (type === "u64") {
    const a = aligned === true || (typeof aligned === "string" && epochAtLeast(v.epoch, aligned, v.exact));
    return v.model === "ilp32" && !a ? 4 : 8;
  }
  return scalarSize[type];
}
const scalarBytes = (type, v) => (type === "ptr" && v.model === "ilp32" ? 4 : scalarSize[type]);

/** Is a field present in this variant (epoch, proposals)? Cap versions are handled separately. */
export function fieldPresent(f, v) {
  if (f.since && !epochAtLeast(v.epoch, f.since, v.exact)) return false;
  if (f.proposal && !(v.proposals ?? new Set()).has(f.proposal)) return false;
  return true;
}

/**
 * Layout of one struct in one variant {model, epoch, proposals:Set}.
 * Returns {name, size, align, fields:[{path, name, type, offset, size, align, ...schemaField}], trailing}.
 * Nested structs are flattened (header.id, header.version, header.next).
 */
export function layout(name, v) {
  const s = structs[name];
  if (!s) throw new Error(`unknown struct ${name}`);
  let off = 0,
    align = 1;
  const fields = [];
  let trailing = null;
  for (const f of s.fields) {
    if (!fieldPresent(f, v)) continue;
    if (f.type === "struct") {
      const sub = layout(f.struct, v);
      off = roundUp(off, sub.align);
      for (const sf of sub.fields)
        fields.push({ ...sf, path: `${f.name}.${sf.path}`, offset: off + sf.offset, parent: f.name });
      off += sub.size;
      align = Math.max(align, sub.align);
    } else if (f.type === "payload" || f.type === "body") {
      trailing = { ...f, path: f.name, kind: f.type, offset: off };
    } else if (f.type === "array") {
      const el = isScalar(f.of)
        ? { size: scalarBytes(f.of, v), align: scalarAlign(f.of, false, v), scalar: f.of }
        : layout(f.of, v);
      off = roundUp(off, el.align);
      align = Math.max(align, el.align);
      trailing = { ...f, path: f.name, kind: "array", offset: off, elemSize: el.size, elem: el };
    } else if (f.type === "bytes") {
      trailing = { ...f, path: f.name, kind: "bytes", offset: off, elemSize: 1 };
    } else {
      const a = scalarAlign(f.type, f.aligned, v);
      const size = scalarBytes(f.type, v);
      off = roundUp(off, a);
      fields.push({ ...f, path: f.name, offset: off, size, align: a });
      off += size;
      align = Math.max(align, a);
    }
  }
  return { name, size: roundUp(off, align), align, fields, trailing, minsz: minsz(s, fields) };
}

function minsz(s, fields) {
  if (!s.minsz) return undefined;
  const f = fields.find((x) => x.path === s.minsz);
  return f.offset + f.size;
}

/** Byte length of the known prefix of a capability of a given version (fields up to that version). */
export function capKnownSize(name, v, version) {
  const l = layout(name, v);
  let end = 0;
  for (const f of l.fields) if (!f.version || f.version <= version) end = Math.max(end, f.offset + f.size);
  if (l.trailing) end = Math.max(end, l.trailing.offset);
  return end;
}

export const roundUp = (x, a) => Math.ceil(x / a) * a;

/** Every release at which some struct's layout can change (the schema's since / aligned values). */
export function historyPoints() {
  const pts = new Set(["6.1"]);
  for (const s of Object.values(structs)) {
    if (s.since) pts.add(s.since);
    for (const f of s.fields) {
      if (f.since) pts.add(f.since);
      if (typeof f.aligned === "string") pts.add(f.aligned);
    }
  }
  return [...pts].sort(versionCmp);
}

/**
 * sizeof(struct) through the releases, per data model: [{from, until, lp64, ilp32}] with one entry
 * per distinct pair of sizes (until = last release of that entry, null = still current). Starts at
 * the struct's own `since` (or 6.1). Caps are sized at their newest version.
 */
export function sizeHistory(name, props = new Set()) {
  const s = structs[name];
  const start = s.since && versionCmp(s.since, "6.1") > 0 ? s.since : "6.1";
  const pts = historyPoints().filter((p) => versionCmp(p, start) >= 0);
  if (!pts.includes(start)) pts.unshift(start);
  const out = [];
  for (const p of pts) {
    // exact releases here: a real 6.6 header has the pad fields but not yet __aligned_u64
    const lp64 = layout(name, { model: "lp64", epoch: p, proposals: props, exact: true }).size;
    const ilp32 = layout(name, { model: "ilp32", epoch: p, proposals: props, exact: true }).size;
    const last = out[out.length - 1];
    if (last && last.lp64 === lp64 && last.ilp32 === ilp32) continue;
    if (last) last.until = prevRelease(p);
    out.push({ from: p, until: null, lp64, ilp32 });
  }
  return out;
}

/** The release before `v` as the schema can name it ("6.15" -> "6.14", "7.0" -> "6.19"). */
export function prevRelease(v) {
  const [m, n] = v.split(".").map(Number);
  if (n > 0) return `${m}.${n - 1}`;
  return m === 7 ? "6.19" : `${m - 1}.x`;
}

/** The four layout variants the codec distinguishes, in table order (index = model*2 + epoch). */
export const variants = [
  { model: "lp64", epoch: "6.1" },
  { model: "lp64", epoch: NEWEST },
  { model: "ilp32", epoch: "6.1" },
  { model: "ilp32", epoch: NEWEST },
];
