// JSON form of decoded values: kernel field names; 64-bit values as decimal strings; byte arrays
// and slack as lowercase hex; enough of `$` that fromJSON + encode gives the original bytes back.
import { toHex, fromHex } from "./hex.js";
import { structByName, structFields, capEntry } from "./schema-index.js";
import { SCHEMA } from "./generated/schema.js";
import { UsageError } from "./errors.js";
import { bodyStructOf, commandNumber } from "./vfio-user.js";

export function toJSONValue(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && k !== "$") o[k] = toJSONValue(x);
    if ((v as Record<string, unknown>).$ !== undefined) o.$ = toJSONValue((v as Record<string, unknown>).$); // metadata last
    return o;
  }
  return v;
}

/**
 * A u64 given as text ("18446744073709551615", "0x10"): a bigint, or the text itself when it is not
 * a plain integer, so encode() reports it as an E_VALUE naming the field (BigInt() would throw a
 * SyntaxError).
 */
const u64Text = (t: string): bigint | string => (/^(0x[0-9a-f]{1,40}|\d{1,40})$/i.test(t) ? BigInt(t) : t);

let bytesFields: Set<string> | undefined;
const bytesFieldNames = (): Set<string> =>
  (bytesFields ??= new Set(SCHEMA.fields.filter((f) => f.type === "bytes").map((f) => f.name)));

/** Convert a JSON value (as printed by `vfio-abi decode`) back to what encode() takes. */
export function fromJSONValue(structName: string, j: unknown): Record<string, unknown> {
  if (!j || typeof j !== "object" || Array.isArray(j))
    throw new UsageError("E_BAD_ARG", "expected a JSON object", 0, null);
  const s = structByName(structName);
  const v = { ...(j as Record<string, unknown>) };
  for (const f of structFields(s)) {
    if ((f.scalar === "u64" || f.scalar === "ptr") && typeof v[f.name] === "string")
      v[f.name] = u64Text(v[f.name] as string);
    // a raw payload (the VF token of VFIO_DEVICE_FEATURE_PCI_VF_TOKEN) travels as hex; nested
    // 64-bit values stay decimal strings, which encode() accepts
    if ((f.type === "payload" || f.type === "bytes") && typeof v[f.name] === "string")
      v[f.name] = fromHex(v[f.name] as string);
  }
  // a vfio-user message: the body is its command's struct (or hex bytes)
  if (s.kind === "message" && v.body !== undefined) {
    if (typeof v.body === "string") v.body = fromHex(v.body);
    else {
      const flags = Number(v.flags ?? 0);
      const name = bodyStructOf(
        commandNumber(v.command as string | number),
        (flags & 0xf) === 1,
        (flags & 0xf) === 1 && !!(flags & 0x20),
      );
      if (name && name !== "raw") v.body = fromJSONValue(name, v.body);
    }
  }
  if (Array.isArray(v.caps)) {
    v.caps = v.caps.map((c: Record<string, unknown>) => {
      const cc = { ...c };
      const e = cc.struct
        ? structByName(cc.struct as string)
        : (() => {
            const r = capEntry(s.name, (cc.header as { id: number })?.id, []);
            return r ? structByName(r.struct) : null;
          })();
      if (e)
        for (const f of structFields(e)) {
          if (f.scalar === "u64" && typeof cc[f.name] === "string") cc[f.name] = u64Text(cc[f.name] as string);
          if (f.type === "array" && Array.isArray(cc[f.name])) {
            const es = structByName(f.of!);
            cc[f.name] = (cc[f.name] as Record<string, unknown>[]).map((x) => {
              const y = { ...x };
              for (const g of structFields(es))
                if (g.scalar === "u64" && typeof y[g.name] === "string") y[g.name] = u64Text(y[g.name] as string);
              return y;
            });
          }
        }
      for (const k of Object.keys(cc))
        if ((bytesFieldNames().has(k) || k === "body") && typeof cc[k] === "string") cc[k] = fromHex(cc[k] as string);
      return cc;
    });
  }
  const m = v.$ as Record<string, unknown> | undefined;
  if (m) {
    const mm = { ...m };
    if (typeof mm.slack === "string") mm.slack = fromHex(mm.slack);
    if (typeof mm.tail === "string") mm.tail = fromHex(mm.tail);
    if (Array.isArray(mm.gaps))
      mm.gaps = (mm.gaps as { offset: number; bytes: string }[]).map((g) => ({
        offset: g.offset,
        bytes: fromHex(g.bytes),
      }));
    v.$ = mm;
  }
  return v;
}
