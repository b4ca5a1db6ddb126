// Field positions for the oracle, read from the generated schema (never typed in here).
import { structByName, structFields } from "../schema-index.js";

export interface FieldPos { offset: number; size: number }
export interface StructPos { size: number; minsz: number; f: Record<string, FieldPos> }

const cache = new Map<string, StructPos>();

/** Offsets of a struct's top-level fields for the LP64 layout of an epoch ("6.1" packed, "6.6" aligned). */
export function structPos(name: string, epoch66: boolean): StructPos {
  const key = `${name}|${epoch66}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const s = structByName(name);
  const v = epoch66 ? 1 : 0;
  const f: Record<string, FieldPos> = {};
  for (const fl of structFields(s)) {
    if (fl.path.includes(".") || fl.proposal) continue;
    if (fl.since && !epoch66) continue;
    f[fl.name] = { offset: fl.offsets[v], size: fl.size };
  }
  const r = { size: s.size[v], minsz: s.minsz, f };
  cache.set(key, r);
  return r;
}

/** offsetofend(struct, field). */
export const offsetofend = (p: StructPos, field: string): number => p.f[field].offset + p.f[field].size;
