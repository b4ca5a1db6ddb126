// The CLI's per-line decode without the wasm core: the generated fast decoder gives the value, and
// the `$` metadata is written here as JSON text in the order decode() builds it (flag and enum
// names, gaps, slack, tail, notes), from per-struct plans worked out once. Only inputs the fast
// decoder accepts come here (no proposals; everything else, errors included, takes decode());
// tests/node/cli-fast.test.mjs checks the text against decode()'s for every struct on random and
// hostile buffers.
import { FAST_TRY, FAST_JSON_HEAD } from "./fast/generated.js";
import { SCHEMA } from "./generated/schema.js";
import {
  nameFlags,
  nameEnum,
  structByName,
  structFields,
  type SchemaStruct,
  type SchemaField,
} from "./schema-index.js";
import type { ResolvedProfile } from "./profile.js";

type Val = Record<string, unknown>;
const SIZE: Record<string, number> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8 };
const hx = (n: number) => `0x${n.toString(16)}`;

/** Layout variant index of the schema's offset tables (ilp32 ? 2 : 0) + (6.6 ? 1 : 0). */
const variantOf = (word: number) => ((word >> 1) & 1) * 2 + ((word >> 2) & 1);
const present = (f: SchemaField, word: number) => !f.proposal && (!f.since || (word & 4) !== 0);

// Flag and enum naming is pure: the JSON text of each (set, value) is built once.
interface Named {
  text: string;
  notes: string[];
}
const flagMemo = new Map<string, Map<number | bigint, Named>>();
function flagsText(set: string, value: number | bigint): Named {
  let memo = flagMemo.get(set);
  if (!memo) flagMemo.set(set, (memo = new Map()));
  let r = memo.get(value);
  if (!r) {
    const fl = nameFlags(set, value, []);
    r = {
      text: JSON.stringify({ names: fl.names, unknown: fl.unknown, ...(fl.proposed ? { proposed: fl.proposed } : {}) }),
      notes: fl.notes,
    };
    if (memo.size > 4096) memo.clear();
    memo.set(value, r);
  }
  return r;
}
const enumMemo = new Map<string, Map<number, Named>>();
function enumText(e: string, value: number, type: number | undefined): Named {
  const k = type === undefined ? e : `${e}|${type}`;
  let memo = enumMemo.get(k);
  if (!memo) enumMemo.set(k, (memo = new Map()));
  let r = memo.get(value);
  if (!r) {
    const en = nameEnum(e, value, [], type === undefined ? undefined : { type });
    r = { text: JSON.stringify(en.name), notes: en.notes };
    if (memo.size > 4096) memo.clear();
    memo.set(value, r);
  }
  return r;
}

const get = (o: Val, path: string): unknown => {
  if (!path.includes(".")) return o[path];
  let x: unknown = o;
  for (const p of path.split(".")) x = (x as Val)[p];
  return x;
};

/** What emitFields does for one struct in one layout and cap version, worked out once. */
interface Plan {
  /** fields with flag or enum names, in record order (key: the JSON key at the top level) */
  named: { path: string; nested: boolean; key: string; flags: string | null; enm: string | null; subtype: boolean }[];
  /** holes between fields (relative start, length), in record order */
  holes: [number, number][];
  /** end of the last field (relative) */
  end: number;
}
const plans: Plan[][] = [];
function planOf(s: SchemaStruct, word: number, version: number): Plan {
  const byVersion = (plans[s.id * 8 + (word & 7)] ??= []);
  let p = byVersion[version];
  if (p) return p;
  const v = variantOf(word);
  p = { named: [], holes: [], end: 0 };
  for (const f of fieldsOf(s)) {
    if (!f.scalar || !present(f, word)) continue;
    if (version !== 0 && f.version > version) continue;
    const off = f.offsets[v] as number;
    if (off > p.end) p.holes.push([p.end, off - p.end]);
    if (f.flags || f.enum)
      p.named.push({
        path: f.path,
        nested: f.path.includes("."),
        key: JSON.stringify(f.path),
        flags: f.flags,
        enm: f.enum,
        subtype: f.name === "subtype",
      });
    if (off + SIZE[f.scalar] > p.end) p.end = off + SIZE[f.scalar];
  }
  byVersion[version] = p;
  return p;
}

/** The `$` object of decode(), written directly as JSON text in decode()'s key order. */
class MetaText {
  flags = "";
  enums = "";
  gaps = "";
  notes: string[] = [];
  b: Uint8Array = new Uint8Array(0);
  word = 0;
  reset(b: Uint8Array, word: number): this {
    this.flags = this.enums = this.gaps = "";
    this.b = b;
    this.word = word;
    if (this.notes.length) this.notes = [];
    return this;
  }
  gap(offset: number, size: number) {
    this.gaps += `${this.gaps ? "," : ""}{"offset":${offset},"bytes":"${hexOf(this.b, offset, offset + size)}"}`;
  }
  /** emitFields of the core for one struct at `base`: gaps, flag and enum names; returns the end. */
  fields(s: SchemaStruct, base: number, target: Val, prefix: string, version: number): number {
    const p = planOf(s, this.word, version);
    for (const [at, n] of p.holes) this.gap(base + at, n);
    for (const f of p.named) {
      if (f.flags) {
        const r = flagsText(f.flags, (f.nested ? get(target, f.path) : target[f.path]) as number | bigint);
        this.flags += `${this.flags ? "," : ""}${prefix ? JSON.stringify(prefix + f.path) : f.key}:${r.text}`;
        if (r.notes.length) this.notes.push(...r.notes);
      }
      if (f.enm) {
        const t = f.subtype && target.type !== undefined ? Number(target.type) : undefined;
        const r = enumText(f.enm, Number(f.nested ? get(target, f.path) : target[f.path]), t);
        this.enums += `${this.enums ? "," : ""}${prefix ? JSON.stringify(prefix + f.path) : f.key}:${r.text}`;
        if (r.notes.length) this.notes.push(...r.notes);
      }
    }
    return base + p.end;
  }
}

const meta = new MetaText();
const byName = new Map<string, SchemaStruct>();
const fieldsById: SchemaField[][] = [];
const structNamed = (n: string): SchemaStruct => {
  let s = byName.get(n);
  if (!s) {
    s = structByName(n);
    byName.set(n, s);
  }
  return s;
};
const fieldsOf = (s: SchemaStruct): SchemaField[] => (fieldsById[s.id] ??= structFields(s));

/**
 * The JSON text `vfio-abi decode` prints (compact), for the inputs the generated fast decoder
 * accepts; undefined for any other input (the caller then runs the core). `source`, if given, is
 * the JSON text of the item's source, written as the last member of "$" (where the CLI puts it).
 */
export function decodeLineFast(
  s: SchemaStruct,
  b: Uint8Array,
  prof: ResolvedProfile,
  source?: string,
): string | undefined {
  const fast = FAST_TRY[s.name];
  if (!fast || prof.proposals.length) return undefined;
  const v = fast(b, prof.word);
  if (v === undefined) return undefined;
  const m = meta.reset(b, prof.word);
  const V = variantOf(prof.word);
  const size = s.size[V] as number;
  let contentEnd = m.fields(s, 0, v, "", 0);
  let extra = "";
  if (s.kind !== "info") {
    if (contentEnd < b.length) extra = `,"slack":"${hexOf(b, contentEnd, b.length)}","slackOffset":${contentEnd}`;
    return finish(s, b, prof, v, m, extra, source);
  }
  const argsz = v.argsz as number,
    flags = v.flags as number;
  const padEnd = Math.min(size, argsz);
  if (contentEnd < padEnd) {
    m.gap(contentEnd, padEnd - contentEnd);
    contentEnd = padEnd;
  }
  const fs = fieldsOf(s);
  const t = s.trailingLocal >= 0 ? fs[s.trailingLocal] : null;
  if (t && t.type === "payload") {
    const poff = t.offsets[V] as number,
      dt = flags & 7;
    if (dt === 2 || dt === 4) contentEnd = poff + (v.count as number) * (dt === 4 ? 4 : 1);
    else if (contentEnd < poff) contentEnd = poff;
  }
  if (s.caps && !s.caps.proposal) {
    const cf = fs[s.capOffsetLocal];
    const co = cf.offsets[V] as number;
    const capOff = present(cf, prof.word) && co + 4 <= b.length && co + 4 <= argsz ? (v[cf.name] as number) : 0;
    if (capOff !== 0 && (flags & s.caps.flag) === 0)
      m.notes.push(
        `cap_offset ${hx(capOff)} is ignored: the CAPS flag is clear (the kernel echoes the caller's cap_offset in that case)`,
      );
    const caps = v.caps as Val[] | undefined;
    if (caps) {
      let prevEnd = size;
      for (let i = 0; i < caps.length; i++) {
        const cap = caps[i];
        const off = cap.offset as number,
          h = cap.header as { version: number; next: number };
        const cs = structNamed(cap.struct as string);
        if (off > prevEnd) m.gap(prevEnd, off - prevEnd);
        m.fields(cs, off, cap, `caps[${i}].`, h.version === 0 ? 1 : h.version);
        let capEnd = off + (cap.knownSize as number);
        if (cs.trailingLocal >= 0) {
          const ct = fieldsOf(cs)[cs.trailingLocal];
          const items = cap[ct.name] as Val[] | Uint8Array;
          const a0 = off + (ct.offsets[V] as number);
          if (ct.type === "array") {
            const es = structNamed(ct.of!),
              esz = es.size[V] as number;
            for (let j = 0; j < items.length; j++)
              m.fields(es, a0 + j * esz, (items as Val[])[j], `caps[${i}].${ct.name}[${j}].`, 0);
            capEnd = a0 + items.length * esz;
          } else capEnd = a0 + items.length;
        }
        if (h.next !== 0 && capEnd < h.next && capEnd <= argsz) m.gap(capEnd, Math.min(h.next, argsz) - capEnd);
        prevEnd = h.next;
        if (capEnd > contentEnd) contentEnd = capEnd;
      }
    }
  }
  if (contentEnd < argsz) extra += `,"slack":"${hexOf(b, contentEnd, argsz)}","slackOffset":${contentEnd}`;
  if (argsz < b.length) extra += `,"tail":"${hexOf(b, argsz, b.length)}","tailOffset":${argsz}`;
  return finish(s, b, prof, v, m, extra, source);
}

/** "$":{"struct":..,"length": and ..,"profile":..,"flags":{ : the same for every line of a run. */
const heads: [string, string][] = [];
function headOf(s: SchemaStruct, prof: ResolvedProfile): [string, string] {
  return (heads[s.id * 8 + (prof.word & 7)] ??= [
    `"$":{"struct":${JSON.stringify(s.name)},"length":`,
    `,"profile":${JSON.stringify({ endian: prof.endian, model: prof.model, epoch: prof.epoch, proposals: [] })},"flags":{`,
  ]);
}

function finish(
  s: SchemaStruct,
  b: Uint8Array,
  prof: ResolvedProfile,
  v: Val,
  m: MetaText,
  extra: string,
  source: string | undefined,
): string {
  const [head, pt] = headOf(s, prof);
  // the value's scalar fields through the struct's generated JSON shape; payload and caps generically
  const jh = FAST_JSON_HEAD[s.name];
  let out: string;
  if (jh) {
    out = jh(v, prof.word);
    // the vfio_irq_set payload (a scalar field may be called data too: vfio_device_ioeventfd)
    if (Array.isArray(v.data)) out += `,"data":${toJSONText(v.data)}`;
    if (v.caps !== undefined) out += `,"caps":${toJSONText(v.caps)}`;
    out += ",";
  } else {
    const body = toJSONText(v);
    out = body.length > 2 ? `${body.slice(0, -1)},` : "{";
  }
  return `${out}${head}${b.length}${pt}${m.flags}},"enums":{${m.enums}},"gaps":[${m.gaps}],"notes":${m.notes.length ? JSON.stringify(m.notes) : "[]"}${extra}${source === undefined ? "" : `,"source":${source}`}}}`;
}

// ---------------------------------------------------------------- line input and JSON output

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/** Bytes of a line that is nothing but an even number of hex digits; undefined for anything else. */
export function plainHex(line: string): Uint8Array | undefined {
  const n = line.length;
  if (n & 1) return undefined;
  const out = new Uint8Array(n >> 1);
  for (let i = 0, j = 0; i < n; i += 2, j++) {
    const a = line.charCodeAt(i),
      b = line.charCodeAt(i + 1);
    const hi = a < 128 ? NIBBLE[a] : -1,
      lo = b < 128 ? NIBBLE[b] : -1;
    if ((hi | lo) < 0) return undefined;
    out[j] = (hi << 4) | lo;
  }
  return out;
}

/** Scratch buffers of the stdin lane by length (the decoded line is turned into text before the next). */
const scratch: Uint8Array[] = [];
/** Values of the bytes "0"-"9", "a"-"f", "A"-"F" (others are never looked up). */
const NIBBLE8 = new Uint8Array(256);
for (let i = 0; i < 128; i++) NIBBLE8[i] = Math.max(NIBBLE[i], 0);
/**
 * The bytes of hex digits b[start, end), which hold nothing but an even number of them (the caller
 * checked), in a buffer reused for the next line of the same length: valid until the next call.
 */
export function hexScratch(b: Uint8Array, start: number, end: number): Uint8Array {
  const n = (end - start) >> 1;
  const out = n <= 4096 ? (scratch[n] ??= new Uint8Array(n)) : new Uint8Array(n);
  for (let i = start, j = 0; j < n; i += 2, j++) out[j] = (NIBBLE8[b[i]] << 4) | NIBBLE8[b[i + 1]];
  return out;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function hexOf(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += HEX2[b[i]];
  return s;
}
const keyText = new Map<string, string>();
const key = (k: string) => {
  let t = keyText.get(k);
  if (t === undefined) {
    t = `${JSON.stringify(k)}:`;
    keyText.set(k, t);
  }
  return t;
};

/** JSON.stringify(toJSONValue(v)) without the intermediate copy (compact form only). */
export function toJSONText(v: unknown): string {
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "bigint":
      return `"${v}"`;
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (v === null) return "null";
      if (v instanceof Uint8Array) return `"${hexOf(v, 0, v.length)}"`;
      if (Array.isArray(v)) {
        let s = "[";
        for (let i = 0; i < v.length; i++) s += (i ? "," : "") + (v[i] === undefined ? "null" : toJSONText(v[i]));
        return `${s}]`;
      }
      let s = "{",
        first = true;
      const o = v as Val;
      for (const k in o) {
        const x = o[k];
        if (x === undefined || k === "$" || typeof x === "function") continue;
        s += (first ? "" : ",") + key(k) + toJSONText(x);
        first = false;
      }
      if (o.$ !== undefined) s += `${first ? "" : ","}"$":${toJSONText(o.$)}`;
      return `${s}}`;
    }
    default:
      return "null";
  }
}

/** Structs with a generated fast decoder (the others always take the core). */
export const fastStructs = (): string[] => SCHEMA.structs.filter((s) => FAST_TRY[s.name]).map((s) => s.name);
