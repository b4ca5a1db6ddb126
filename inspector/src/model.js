// The view model: everything the views show, derived from the state by lib.inspect() (value, byte
// spans, diagnostics), the kernel verdict and the capability chain. Rows are the spans in tree
// order, with a display depth, a name, a colour and marks; paths are compared, never parsed: the
// spans carry their path as steps (key).
import * as lib from "./lib.js";
import { assignColours } from "./palette.js";
import { profileOf } from "./state.js";

/** inspect() that never throws: a usage problem (unknown struct, bad profile) becomes a diagnostic. */
export function inspectState(s) {
  try {
    return lib.inspect(s.struct, s.bytes, profileOf(s));
  } catch (e) {
    const d = { severity: "error", code: "E_USAGE", message: e.message, offset: 0, size: 0, field: null };
    return { ok: false, status: -1, value: { $: { struct: s.struct } }, nodes: [], diagnostics: [d] };
  }
}

/** The value a key leads to inside a decoded value. */
export function valueAt(value, key) {
  let v = value;
  for (const k of key) v = v?.[k];
  return v;
}

/** Element spans of a scalar array at the top of a value (the vfio_irq_set payload): grouped in the tree. */
const isScalarElem = (n) => n.kind === "elem" && n.value !== undefined && typeof n.key[n.key.length - 1] === "number";

function payloadLabel(field, elems) {
  const f = lib.SCHEMA.fields[field];
  if (f?.type !== "payload") return `${f?.name ?? "array"}: ${elems.length} element${elems.length === 1 ? "" : "s"}`;
  const what = elems[0].size === 1 ? "bool byte" : "eventfd";
  return `payload: ${elems.length} ${what}${elems.length === 1 ? "" : "s"}`;
}

/** The spans in tree order, with a group row above each run of scalar array elements. */
function withGroups(nodes) {
  const rows = [];
  const grouped = new Set();
  for (const n of nodes) {
    if (isScalarElem(n) && !grouped.has(n.field)) {
      grouped.add(n.field);
      const elems = nodes.filter((x) => isScalarElem(x) && x.field === n.field);
      const end = Math.max(...elems.map((x) => x.offset + x.size));
      const key = n.key.slice(0, -1);
      rows.push({ path: lib.keyPath(key), key, kind: "group", offset: n.offset, size: end - n.offset, field: n.field });
      rows[rows.length - 1].label = payloadLabel(n.field, elems);
    }
    rows.push({ ...n, inGroup: isScalarElem(n) });
  }
  return rows;
}

function depthOf(row) {
  if (row.kind === "struct") return 0;
  const named = row.key.filter((k) => typeof k === "string" && k !== "header").length;
  return named + (row.inGroup ? 1 : 0);
}

const FIXED_NAMES = {
  needs: "needs argsz (call again with a bigger buffer)",
  gap: "padding / unknown bytes",
  slack: "slack (inside argsz, after the known fields)",
  tail: "past argsz (not part of the call)",
};

/** The words a row is shown with in the tree. */
function nameOf(row, s, value) {
  const key = row.key;
  const last = key[key.length - 1];
  switch (row.kind) {
    case "struct":
      return `struct ${s.struct}`;
    case "cap":
      return `capability #${last + 1}: ${row.label}`;
    case "group":
      return row.label;
    case "error":
      return `✖ problem: ${row.label}`;
    case "needs":
    case "gap":
    case "slack":
    case "tail":
      return FIXED_NAMES[row.kind];
  }
  if (row.kind === "elem" && typeof last === "number") {
    const array = key[key.length - 2];
    if (lib.SCHEMA.fields[row.field]?.type === "payload") {
      const start = Number(valueAt(value, key.slice(0, -2))?.start ?? 0);
      return `${array}[${last}]  ${row.size === 1 ? "bool" : "eventfd"} for vector ${start + last}`;
    }
    return `${array}[${last}]${row.label ? `  (${row.label})` : ""}`;
  }
  if (row.kind === "elem") return `${last}${row.label ? `  ${row.label}` : ""}`;
  return `${last}${key.includes("header") ? "  (header)" : ""}`;
}

/** A second line under a row: flag or enum names, or what an eventfd value means. */
function noteOf(row, s) {
  if (row.names?.length) return row.names.join(" | ");
  if (row.kind === "needs") return `argsz ${row.value} is larger than the ${s.bytes.length} bytes passed`;
  if (row.inGroup && lib.SCHEMA.fields[row.field]?.type === "payload" && row.size === 4) {
    if (row.value === -1) return "-1: no eventfd (clear this vector)";
    return row.value < -1 ? "negative: not a file descriptor" : `file descriptor ${row.value}`;
  }
  return null;
}

export const isEditable = (row) => (row.kind === "field" || row.kind === "elem") && row.value !== undefined;

/** Problems and notes: the codec's diagnostics, then the kernel's verdict when there is one. */
function problemsOf(result, verdict) {
  const list = result.diagnostics.map((d) => ({ ...d }));
  if (verdict?.available && !verdict.ok)
    list.push({
      severity: "error",
      code: "VERDICT",
      message:
        `The kernel would reject this request (Linux ${verdict.kernel}, ${verdict.device}): errno ${verdict.errno}, ` +
        `rule ${verdict.rule}${verdict.element !== null ? ` at payload element data[${verdict.element}]` : ""} — ${verdict.reason}`,
      offset: 0,
      size: 0,
      field: verdict.marks[verdict.marks.length - 1] ?? null,
      verdict: true,
    });
  return list;
}

/** Everything the views need, for one state and its verdict. */
export function buildModel(s, verdict) {
  const result = inspectState(s);
  const rows = withGroups(result.nodes);
  const owner = lib.byteOwners(rows, s.bytes.length);
  assignColours(rows, owner);
  const errBytes = new Set(),
    badPaths = new Set();
  for (const d of result.diagnostics) {
    if (d.severity !== "error") continue;
    for (let b = d.offset; b < Math.min(d.offset + d.size, s.bytes.length); b++) errBytes.add(b);
    if (d.field) badPaths.add(d.field);
  }
  const verdictPaths = new Set(verdict?.available ? verdict.marks : []);
  const verdictBytes = new Set();
  rows.forEach((r, i) => {
    r.i = i;
    r.depth = depthOf(r);
    r.name = nameOf(r, s, result.value);
    r.note = noteOf(r, s);
    r.bad = badPaths.has(r.path);
    r.rejected = verdictPaths.has(r.path);
    if (r.rejected) for (let b = r.offset; b < Math.min(r.offset + r.size, s.bytes.length); b++) verdictBytes.add(b);
  });
  const byPath = new Map(rows.map((r) => [r.path, r]));
  let chain = null;
  try {
    chain = lib.capChain(result);
  } catch {
    chain = null;
  }
  return {
    result,
    rows,
    byPath,
    owner,
    errBytes,
    verdictBytes,
    verdict,
    chain,
    problems: problemsOf(result, verdict),
  };
}
