// The shape of a value given to encode(): every key must be a field of the struct (in this
// profile), a capability, or decode's metadata under "$". A misspelt key ("cout") would otherwise
// be ignored and its field encoded as 0, so it is an error that names the closest field.
import { structByName, structFields, capEntry, type SchemaStruct } from "./schema-index.js";
import { type ResolvedProfile, versionCmp } from "./profile.js";
import { EncodeError } from "./errors.js";
import { suggestion } from "./suggest.js";

type Val = Record<string, unknown>;

/** What decode() puts under "$" (and "source", which the CLI adds); encode reads slack, tail, gaps and length. */
const META_KEYS = [
  "struct",
  "length",
  "profile",
  "flags",
  "enums",
  "slack",
  "slackOffset",
  "tail",
  "tailOffset",
  "gaps",
  "needsArgsz",
  "payload",
  "sizeOf",
  "notes",
  "source",
];
/** What decode() puts beside a capability's fields. */
const CAP_KEYS = ["offset", "header", "name", "struct", "knownSize", "body"];
const HEADER_KEYS = ["id", "version", "next"];

/** Element types of counted arrays that are plain numbers, not structs. */
const SCALARS = new Set(["u8", "u16", "u32", "s32", "u64", "s64", "ptr"]);

const isObject = (v: unknown): v is Val =>
  !!v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array);

function unknownKey(key: string, known: string[], where: string, path: string): never {
  throw new EncodeError(
    "E_BAD_ARG",
    `unknown key "${key}" in ${where}${suggestion(key, known, (s) => s)}`,
    0,
    path + key,
  );
}

/** Keys a struct value may have in this profile: its fields (the first part of nested paths). */
function fieldKeys(s: SchemaStruct, prof: ResolvedProfile): Map<string, { nested: boolean; of: string | null }> {
  const keys = new Map<string, { nested: boolean; of: string | null }>();
  for (const f of structFields(s)) {
    const top = f.path.split(".")[0];
    if (f.proposal && !prof.proposals.includes(f.proposal)) {
      keys.set(top, { nested: false, of: `proposal:${f.proposal}` });
      continue;
    }
    // fields added from 6.6 on are not in the 6.1 layout epoch (releases up to 6.5)
    if (f.since && prof.epoch === "6.1" && versionCmp(f.since, "6.6") >= 0) {
      keys.set(top, { nested: false, of: `since:${f.since}` });
      continue;
    }
    const of = f.type === "array" && f.of && !SCALARS.has(f.of) ? f.of : null;
    keys.set(top, { nested: f.path.includes("."), of });
    // other names of the same bytes (a C union member), as decode may give them
    for (const a of (f as { alt?: readonly { name: string }[] }).alt ?? [])
      keys.set(a.name, { nested: false, of: null });
  }
  return keys;
}

function checkStruct(s: SchemaStruct, v: Val, prof: ResolvedProfile, path: string, extra: readonly string[]) {
  const keys = fieldKeys(s, prof);
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || x === null || extra.includes(k)) continue; // null: left out, as the core reads it
    const f = keys.get(k);
    if (!f) unknownKey(k, [...keys.keys(), ...extra], s.name, path);
    if (f.of?.startsWith("proposal:"))
      throw new EncodeError(
        "E_BAD_ARG",
        `${path}${k} belongs to the never-merged proposal ${f.of.slice(9)}, which this profile does not enable (proposals: ["${f.of.slice(9)}"])`,
        0,
        path + k,
      );
    if (f.of?.startsWith("since:"))
      throw new EncodeError(
        "E_BAD_ARG",
        `${path}${k} is not in the ${prof.epoch} layout of ${s.name} (it exists from ${f.of.slice(6)})`,
        0,
        path + k,
      );
    if (f.nested) {
      if (!isObject(x)) throw new EncodeError("E_BAD_ARG", `${path}${k} must be an object`, 0, path + k);
      const sub = structFields(s)
        .filter((g) => g.path.startsWith(`${k}.`))
        .map((g) => g.path.slice(k.length + 1));
      for (const kk of Object.keys(x))
        if (x[kk] !== undefined && !sub.includes(kk)) unknownKey(kk, sub, `${s.name}.${k}`, `${path}${k}.`);
    } else if (f.of) {
      if (!Array.isArray(x)) throw new EncodeError("E_BAD_ARG", `${path}${k} must be an array of ${f.of}`, 0, path + k);
      const es = structByName(f.of);
      x.forEach((e, i) => {
        if (!isObject(e))
          throw new EncodeError("E_BAD_ARG", `${path}${k}[${i}] must be an object (${f.of})`, 0, `${path}${k}[${i}]`);
        checkStruct(es, e, prof, `${path}${k}[${i}].`, []);
      });
    }
  }
}

/** Throws EncodeError (code E_BAD_ARG, field = the key's path) for a key encode() would not use. */
export function checkShape(s: SchemaStruct, v: Val, prof: ResolvedProfile): void {
  const extra = ["$", ...(s.caps && (!s.caps.proposal || prof.proposals.includes(s.caps.proposal)) ? ["caps"] : [])];
  checkStruct(s, v, prof, "", extra);
  if (v.$ !== undefined) {
    if (!isObject(v.$)) throw new EncodeError("E_BAD_ARG", `"$" must be an object (decode's metadata)`, 0, "$");
    for (const k of Object.keys(v.$))
      if (!META_KEYS.includes(k)) unknownKey(k, META_KEYS, `"$" (decode's metadata)`, "$.");
  }
  if (v.caps === undefined) return;
  if (!Array.isArray(v.caps)) throw new EncodeError("E_BAD_ARG", "caps must be an array", 0, "caps");
  v.caps.forEach((c, i) => {
    const p = `caps[${i}].`;
    if (!isObject(c)) throw new EncodeError("E_BAD_ARG", `caps[${i}] must be an object`, 0, `caps[${i}]`);
    const h = c.header;
    if (h !== undefined) {
      if (!isObject(h))
        throw new EncodeError("E_BAD_ARG", `${p}header must be an object ({id, version, next})`, 0, `${p}header`);
      for (const k of Object.keys(h))
        if (!HEADER_KEYS.includes(k)) unknownKey(k, HEADER_KEYS, "a capability header", `${p}header.`);
    }
    const named = typeof c.struct === "string" ? structByName(c.struct) : null;
    const e =
      named ??
      (() => {
        const r = capEntry(s.name, (h as Val | undefined)?.id as number, prof.proposals);
        return r ? structByName(r.struct) : null;
      })();
    if (!e) {
      // an unknown capability: header and body bytes only (decode repeats the header's fields beside it)
      const known = [...CAP_KEYS, ...HEADER_KEYS];
      for (const k of Object.keys(c))
        if (!known.includes(k)) unknownKey(k, known, `caps[${i}] (an unknown capability: header and body)`, p);
      return;
    }
    checkStruct(e, c, prof, p, CAP_KEYS);
  });
}
