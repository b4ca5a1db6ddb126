// Look-ups over the generated schema: structs by name, fields by id, flag and enum naming.
import {
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
} from "./generated/constants.js";
import { SCHEMA } from "./generated/schema.js";
import { UsageError } from "./errors.js";

import type { SchemaStruct, SchemaField } from "./schema-types.js";
export type { SchemaStruct, SchemaField };

// Built on first use, so that importing the package does not parse the schema.
let byNameMap: Map<string, SchemaStruct> | undefined;
function byName(): Map<string, SchemaStruct> {
  if (byNameMap === undefined) {
    byNameMap = new Map();
    for (const s of SCHEMA.structs) byNameMap.set(s.name, s);
  }
  return byNameMap;
}

/** Struct by kernel name, with or without the vfio_ prefix ("irq_set" = "vfio_irq_set"). */
export function structByName(name: string): SchemaStruct {
  if (typeof name !== "string")
    throw new UsageError(
      "E_BAD_ARG",
      `a struct name must be a string, not ${name === null ? "null" : typeof name}`,
      0,
      null,
    );
  const n = name.trim().replace(/^struct\s+/, "");
  const s = byName().get(n) ?? byName().get(`vfio_${n}`);
  if (!s) throw new UsageError("E_BAD_ARG", `unknown struct ${name}`, 0, null);
  return s;
}
/** Whether a name is a struct of the schema (exactly, no prefix added). */
export const isStructName = (name: string): boolean => byName().has(name);
export const structById = (id: number): SchemaStruct => SCHEMA.structs[id];
export const fieldById = (id: number): SchemaField => SCHEMA.fields[id];
export const structFields = (s: SchemaStruct): SchemaField[] =>
  SCHEMA.fields.slice(s.firstField, s.firstField + s.nfields) as SchemaField[];

interface Bit {
  name: string;
  value: number;
  proposal?: string;
}
interface FlagSetDef {
  bits: readonly Bit[];
  proposed: readonly Bit[];
  fields?: readonly { name: string; mask: number; values: readonly Bit[] }[];
  valueMask?: { mask: string; enum: string };
}

let constMap: Map<string, number> | undefined;
function constValues(): Map<string, number> {
  if (constMap === undefined) {
    constMap = new Map();
    for (const fs of Object.values(SCHEMA.flagSets as unknown as Record<string, FlagSetDef>))
      for (const b of fs.bits) constMap.set(b.name, b.value);
    for (const [k, v] of Object.entries(SCHEMA.masks)) constMap.set(k, v as number);
  }
  return constMap;
}
/** Value of a flag or mask constant by its kernel name (null if unknown). */
export const flagValue = (name: string): number | null => constValues().get(name) ?? null;

/** Name the bits of a flags value; proposal bits count as known only when their proposal is on. */
export function nameFlags(setName: string, value: number | bigint, proposals: readonly string[]) {
  const set = (SCHEMA.flagSets as unknown as Record<string, FlagSetDef>)[setName];
  const v = BigInt(value);
  const names: string[] = [];
  let known = 0n;
  // multi-bit fields first (the vfio-user message type): named by value, never "unknown bits"
  for (const t of set.fields ?? []) {
    known |= BigInt(t.mask);
    const x = Number(v & BigInt(t.mask));
    names.push(t.values.find((e) => e.value === x)?.name ?? `${t.name}=${x}`);
  }
  for (const b of set.bits) {
    known |= BigInt(b.value);
    if (b.value === 0 ? v === 0n : (v & BigInt(b.value)) !== 0n) names.push(b.name);
  }
  // a field inside the flags (VFIO_DEVICE_FEATURE_MASK: the feature index), named by its enum
  if (set.valueMask) {
    const m = BigInt(constValues().get(set.valueMask.mask) ?? 0);
    known |= m;
    const n = nameEnum(set.valueMask.enum, Number(v & m), proposals).name;
    names.push(n ?? `${set.valueMask.mask} & ${Number(v & m)}`);
  }
  const active = set.proposed.filter((b) => proposals.includes(b.proposal!));
  const claims = new Map<number, string[]>();
  for (const b of active) {
    known |= BigInt(b.value);
    if (v & BigInt(b.value)) {
      names.push(b.name);
      claims.set(b.value, [...(claims.get(b.value) ?? []), b.name]);
    }
  }
  const unknown = v & ~known;
  const proposed: { bit: number; names: string[] }[] = [];
  for (const b of set.proposed) {
    if ((v & BigInt(b.value)) === 0n) continue;
    const e = proposed.find((x) => x.bit === b.value);
    const label = `${b.name} (proposal ${b.proposal}, never merged)`;
    if (e) e.names.push(label);
    else proposed.push({ bit: b.value, names: [label] });
  }
  const notes: string[] = [];
  for (const [bit, ns] of claims)
    if (ns.length > 1)
      notes.push(
        `bit 0x${bit.toString(16)} of ${setName} is claimed by ${ns.join(" and ")}: the enabled proposals collide`,
      );
  for (const b of set.bits) {
    const p = set.proposed.find((x) => x.value === b.value);
    if (p && v & BigInt(b.value))
      notes.push(`bit 0x${b.value.toString(16)} is ${b.name} upstream; proposal ${p.proposal} used it as ${p.name}`);
  }
  return { names, unknown: Number(unknown), proposed: proposed.length ? proposed : undefined, notes };
}

interface EnumVal {
  name: string;
  value: number;
  proposal?: string;
  type?: number;
}

/** Name an enum value (vendor region types, subtypes scoped by type, proposal values when enabled). */
export function nameEnum(
  enumName: string,
  value: number,
  proposals: readonly string[],
  ctx?: { type?: number },
): { name: string | null; notes: string[] } {
  const e = (
    SCHEMA.enums as unknown as Record<
      string,
      {
        values?: readonly EnumVal[];
        proposed?: readonly EnumVal[];
        vendorBit?: { value: number };
        byType?: Record<string, readonly EnumVal[]>;
        proposedByType?: Record<string, readonly EnumVal[]>;
      }
    >
  )[enumName];
  const notes: string[] = [];
  if (!e) return { name: null, notes };
  if (enumName === "vfio_region_subtype") {
    const t = ctx?.type ?? 0;
    const key = t >= 0x80000000 ? `0x${(t >>> 0).toString(16)}` : String(t);
    let hit = e.byType?.[key]?.find((x) => x.value === value)?.name ?? null;
    const prop = e.proposedByType?.[key]?.filter((x) => x.value === value) ?? [];
    for (const p of prop) {
      if (proposals.includes(p.proposal!)) {
        if (hit) notes.push(`subtype ${value} of type ${key}: ${hit} upstream, ${p.name} under proposal ${p.proposal}`);
        hit = hit ?? p.name;
      }
    }
    return { name: hit, notes };
  }
  let name =
    e.values?.find((x) => x.value === value)?.name ??
    (e as { labels?: { label: string; value: number }[] }).labels?.find((x) => x.value === value)?.label ??
    null;
  const props = (e.proposed ?? []).filter((x) => x.value === value);
  const enabled = props.filter((x) => proposals.includes(x.proposal!));
  if (enabled.length) {
    if (name)
      notes.push(
        `${enumName} ${value} is ${name} upstream but ${enabled.map((x) => `${x.name} (${x.proposal})`).join(", ")} in the enabled proposal`,
      );
    const distinct = [...new Set(enabled.map((x) => x.name))];
    if (distinct.length > 1)
      notes.push(`${enumName} ${value} is claimed by ${distinct.join(" and ")} in the enabled proposals`);
    name = name ?? distinct.join("|");
  } else if (!name && props.length) {
    notes.push(
      `${enumName} ${value} is ${[...new Set(props.map((x) => x.name))].join(" / ")} only in never-merged proposals`,
    );
  }
  if (!name && e.vendorBit && value >>> 0 >= e.vendorBit.value) {
    name = `VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x${(value & 0xffff).toString(16).padStart(4, "0")}`;
  }
  return { name, notes };
}

/** Capability registry lookup: (host struct, id) -> registry entry under the enabled proposals. */
export function capEntry(host: string, id: number, proposals: readonly string[]) {
  return (
    SCHEMA.capreg.find(
      (c) => c.host === host && c.id === id && (c.proposal === null || proposals.includes(c.proposal)),
    ) ?? null
  );
}

/** Bytes per vfio_irq_set payload element for these flags: 1 (DATA_BOOL), 4 (DATA_EVENTFD), else 0. */
export function irqSetElementSize(flags: number): number {
  const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
  return dt === VFIO_IRQ_SET_DATA_BOOL ? 1 : dt === VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
}
