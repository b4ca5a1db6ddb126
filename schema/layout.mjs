// C layout rules applied to the schema: natural alignment, u64 4-aligned on ilp32 unless
// __aligned_u64, struct size rounded to its alignment, flexible array members after the last
// fixed field. Used by the generator and by tests; gcc checks the results (tests/c).
import { structs as abiStructs, proposals } from "./abi.mjs";
import { structs as vfioUserStructs } from "./vfio-user.mjs";

/** Every struct the codec knows: the kernel ABI and the vfio-user message bodies. */
export const structs = { ...abiStructs, ...vfioUserStructs };

export const scalarSize = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8 };

export const epochAtLeast = (epoch, since) => !since || Number(epoch) >= Number(since);

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

function fieldAlign(f, v) {
  if (f.type === "u64") {
    const aligned = f.aligned === true || (typeof f.aligned === "string" && epochAtLeast(v.epoch, f.aligned));
    return v.model === "ilp32" && !aligned ? 4 : 8;
  }
  return scalarSize[f.type];
}

/** Is a field present in this variant (epoch, proposals)? Cap versions are handled separately. */
export function fieldPresent(f, v) {
  if (f.since && !epochAtLeast(v.epoch, f.since)) return false;
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
      const el = layout(f.of, v);
      off = roundUp(off, el.align);
      align = Math.max(align, el.align);
      trailing = { ...f, path: f.name, kind: "array", offset: off, elemSize: el.size, elem: el };
    } else if (f.type === "bytes") {
      trailing = { ...f, path: f.name, kind: "bytes", offset: off, elemSize: 1 };
    } else {
      const a = fieldAlign(f, v);
      off = roundUp(off, a);
      fields.push({ ...f, path: f.name, offset: off, size: scalarSize[f.type], align: a });
      off += scalarSize[f.type];
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

/** The four layout variants the codec distinguishes, in table order (index = model*2 + epoch). */
export const variants = [
  { model: "lp64", epoch: "6.1" },
  { model: "lp64", epoch: "6.6" },
  { model: "ilp32", epoch: "6.1" },
  { model: "ilp32", epoch: "6.6" },
];
