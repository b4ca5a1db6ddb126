// Mutation classes of the wasm generators (the contract's fuzz.classes: ids are ABI).
import { CLASSES as TABLE, type Family, FAILURE_KINDS } from "../generated/wasm-abi.js";

export { FAILURE_KINDS, type Family };
export interface ClassInfo {
  id: number;
  name: string;
  family: Family;
  valid: boolean;
  doc: string;
}
export const CLASSES: readonly ClassInfo[] = TABLE;
const byId = new Map(CLASSES.map((c) => [c.id, c]));
export const classInfo = (id: number): ClassInfo | undefined => byId.get(id);
export const className = (id: number): string => {
  const c = byId.get(id);
  return c ? `${c.family}/${c.name}` : `class-${id}`;
};
export function classByName(q: string): ClassInfo {
  const hit =
    CLASSES.find((c) => `${c.family}/${c.name}` === q || String(c.id) === q) ?? CLASSES.filter((c) => c.name === q)[0];
  if (!hit)
    throw new Error(
      `unknown mutation class ${q} (e.g. ${CLASSES.slice(0, 4)
        .map((c) => `${c.family}/${c.name}`)
        .join(", ")})`,
    );
  return hit;
}
