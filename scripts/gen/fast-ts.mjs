// bindings/fast/generated.ts: per-struct object API fast paths, generated from the schema.
//
// decode<Struct>Fast(bytes, opts?) / encode<Struct>Fast(value, opts?) handle the common case in
// plain TypeScript (byte loads and stores at the schema's offsets, no wasm call, no copy) and hand
// everything else — short buffers, argsz out of range, proposals, values out of range — to the
// wasm core (decode()/encode()), so errors and edge cases are the core's by construction.
// tests/embed/fast.test.mjs differential-tests both against the core on random and broken buffers.
//
// Generated for info structs with only scalar fields and no upstream capability chain or trailing
// member (today: vfio_irq_info). Result: the struct's fields as a plain object (no `$` metadata).

const FAST = (s) => s.kind === "info" && s.trailingLocal < 0 && (!s.caps || s.caps.proposal);

export function outputs({ model, BANNER, pascal }) {
  const parts = [];
  const names = [];
  for (const s of model.structs.filter(FAST)) {
    const fields = model.fields
      .slice(s.firstField, s.firstField + s.nfields)
      .filter((f) => !f.proposal && !f.since && ["u8", "u16", "u32", "s32"].includes(f.type));
    if (fields.length !== model.fields.slice(s.firstField, s.firstField + s.nfields).filter((f) => !f.proposal).length)
      continue;
    const P = pascal(s.name.replace(/^vfio_/, ""));
    names.push(P);
    const same =
      s.size.every((x) => x === s.size[0]) && fields.every((f) => f.offsets.every((o) => o === f.offsets[0]));
    if (!same) continue; // per-variant offsets: not needed yet (every FAST struct is variant-free today)
    const size = s.size[0];
    const rd = (f, le) => {
      const o = f.offsets[0];
      const b = (k) => `b[${o + k}]`;
      if (f.type === "u8") return b(0);
      if (f.type === "u16") return le ? `(${b(0)} | ${b(1)} << 8)` : `(${b(0)} << 8 | ${b(1)})`;
      const x = le
        ? `(${b(0)} | ${b(1)} << 8 | ${b(2)} << 16 | ${b(3)} << 24)`
        : `(${b(0)} << 24 | ${b(1)} << 16 | ${b(2)} << 8 | ${b(3)})`;
      return f.type === "s32" ? x : `${x} >>> 0`;
    };
    const wr = (f, le) => {
      const o = f.offsets[0],
        n = f.type === "u8" ? 1 : f.type === "u16" ? 2 : 4;
      const out = [];
      for (let k = 0; k < n; k++) {
        const shift = le ? 8 * k : 8 * (n - 1 - k);
        out.push(`b[${o + k}] = ${shift ? `x.${f.name} >>> ${shift}` : `x.${f.name}`};`);
      }
      return out.join(" ");
    };
    const range = (f) =>
      f.type === "s32"
        ? `(x.${f.name} | 0) === x.${f.name}`
        : f.type === "u32"
          ? `x.${f.name} >>> 0 === x.${f.name}`
          : `x.${f.name} >>> 0 === x.${f.name} && x.${f.name} <= ${f.type === "u8" ? 0xff : 0xffff}`;
    const argsz = fields.find((f) => f.name === "argsz");
    parts.push(`/** ${s.cName}: the fields, without decode()'s \`$\` metadata. */
export interface ${P}Fields {
${fields.map((f) => `  ${f.name}: number;`).join("\n")}
}

/**
 * Decode ${s.cName} from the start of \`b\` like decode("${s.name}", b, opts), fields only. Fast path:
 * no proposals, ${size} bytes present${argsz ? `, ${s.minsz} <= argsz <= b.length` : ""}; anything else goes through the wasm core
 * (and throws its typed errors).
 */
export function decode${P}Fast(b: Uint8Array, opts?: ProfileOptions): ${P}Fields {
  const p = opts === undefined ? defaultProfile() : resolveProfile(opts);
  if (p.proposals.length === 0 && b.length >= ${size}) {
    if (p.endian === "little") {
      ${
        argsz
          ? `const argsz = ${rd(argsz, true)};
      if (argsz >= ${s.minsz} && argsz <= b.length) return { ${fields.map((f) => (f === argsz ? "argsz" : `${f.name}: ${rd(f, true)}`)).join(", ")} };`
          : `return { ${fields.map((f) => `${f.name}: ${rd(f, true)}`).join(", ")} };`
      }
    } else {
      ${
        argsz
          ? `const argsz = ${rd(argsz, false)};
      if (argsz >= ${s.minsz} && argsz <= b.length) return { ${fields.map((f) => (f === argsz ? "argsz" : `${f.name}: ${rd(f, false)}`)).join(", ")} };`
          : `return { ${fields.map((f) => `${f.name}: ${rd(f, false)}`).join(", ")} };`
      }
    }
  }
  const d = decode("${s.name}", b, opts) as unknown as Record<string, number>;
  return { ${fields.map((f) => `${f.name}: d.${f.name}`).join(", ")} };
}

/**
 * Encode ${s.cName} like encode("${s.name}", value, opts) for a value holding every field as an
 * in-range integer${argsz ? ` and argsz === ${size}` : ""}; anything else goes through the wasm core.
 */
export function encode${P}Fast(x: ${P}Fields, opts?: ProfileOptions): Uint8Array {
  const p = opts === undefined ? defaultProfile() : resolveProfile(opts);
  if (p.proposals.length === 0 && ${fields.map(range).join(" && ")}${argsz ? ` && x.argsz === ${size}` : ""}) {
    const b = new Uint8Array(${size});
    if (p.endian === "little") {
      ${fields.map((f) => wr(f, true)).join("\n      ")}
    } else {
      ${fields.map((f) => wr(f, false)).join("\n      ")}
    }
    return b;
  }
  return encode("${s.name}", x as never, opts);
}`);
  }
  const text = `${BANNER.trimEnd()} (scripts/gen/fast-ts.mjs)
// Object API fast paths: plain TypeScript at the schema's offsets for the common case, the wasm core
// for everything else. Differential-tested against the core (tests/embed/fast.test.mjs).
import { decode } from "../decode.js";
import { encode } from "../encode.js";
import { resolveProfile, type ResolvedProfile } from "../profile.js";
import type { ProfileOptions } from "../types.js";

let dflt: ResolvedProfile | null = null;
const defaultProfile = (): ResolvedProfile => (dflt ??= resolveProfile({}));

${parts.join("\n\n")}
`;
  return { "bindings/fast/generated.ts": text };
}
