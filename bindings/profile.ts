// Profile options -> the u32 profile word of the wasm ABI.
//   bit 0 big-endian, bit 1 ilp32 (i386), bit 2 the "6.7" layout epoch (any release from 6.6 on),
//   bits 8.. proposals (schema order).
import { SCHEMA } from "./generated/schema.js";
import type { ProfileOptions, Endian, DataModel } from "./types.js";
import { UsageError } from "./errors.js";
import { suggestion } from "./suggest.js";

import { PROF_BIG, PROF_EPOCH66, PROF_ILP32, PROF_MSG_REPLY, PROF_MSG_REQUEST } from "./generated/wasm-abi.js";

/** Profile bits (the contract's); PROF_MSG_*: the buffer is a vfio-user request / reply body. */
export { PROF_BIG, PROF_EPOCH66, PROF_ILP32, PROF_MSG_REPLY, PROF_MSG_REQUEST };

export interface ResolvedProfile {
  word: number;
  endian: Endian;
  model: DataModel;
  /** Layout epoch of the codec's tables: "6.1" (up to 6.5) or "6.7" (from 6.6 on; "6.6" is an alias). */
  epoch: "6.1" | "6.7";
  /** The release the profile names (sizes of argsz-extensible structs): the given epoch, or the newest. */
  kernel: string;
  proposals: string[];
}

/** Index of a profile's layout variant in the schema tables (lp64/6.1, lp64/6.7, ilp32/6.1, ilp32/6.7). */
export const variantIndex = (p: { model: DataModel; epoch: string }): number =>
  (p.model === "ilp32" ? 2 : 0) + (p.epoch === "6.1" ? 0 : 1);

/** The newest kernel release whose header the schema was checked against (the default epoch). */
const newest = (): string => SCHEMA.headers[SCHEMA.headers.length - 1];

/** Release order ("6.9" < "6.15" < "7.0"). */
export function versionCmp(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number),
    [bm, bn] = b.split(".").map(Number);
  return am !== bm ? am - bm : (an || 0) - (bn || 0);
}

/** sizeof(struct) in the profile's release (argsz-extensible structs shrink for older releases). */
export function sizeInRelease(
  s: { history: { from: string; until: string | null; lp64: number; ilp32: number }[] | null },
  p: ResolvedProfile,
): number | null {
  if (!s.history) return null;
  let hit = null;
  for (const h of s.history) if (versionCmp(p.kernel, h.from) >= 0) hit = h;
  return hit ? hit[p.model] : null;
}

/**
 * A Linux release as "MAJOR.MINOR", from "6.1", "6.12", "6.12.95" or a uname -r string such as
 * "6.12.95+deb12-cloud-amd64". Anything else ("6.6.junk", "6", 6.1 as a number) is a UsageError:
 * a release read loosely would silently pick a layout.
 */
const RELEASE = /^(\d{1,3})\.(\d{1,3})(?:\.\d{1,6}(?:[-+~][0-9A-Za-z.+~_-]*)?|-rc\d{1,3})?$/;
function releaseOf(epoch: unknown): string {
  const m = typeof epoch === "string" ? RELEASE.exec(epoch) : null;
  if (!m)
    throw new UsageError(
      "E_BAD_ARG",
      `epoch must be a Linux release such as "6.1", "6.12" or "6.12.95+deb12-cloud-amd64", not ${describeValue(epoch)}`,
      0,
      "epoch",
    );
  return `${Number(m[1])}.${Number(m[2])}`;
}
const describeValue = (v: unknown): string =>
  typeof v === "string" ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : typeof v;

/** Resolved profiles by their options; bounded (a caller cycling through options cannot grow it). */
const cache = new Map<string, ResolvedProfile>();
const CACHE_MAX = 256;

export function resolveProfile(o: ProfileOptions = {}): ResolvedProfile {
  if (o === null || typeof o !== "object")
    throw new UsageError("E_BAD_ARG", `options must be an object, not ${o === null ? "null" : typeof o}`, 0, null);
  if (o.proposals !== undefined && (!Array.isArray(o.proposals) || o.proposals.some((p) => typeof p !== "string")))
    throw new UsageError("E_BAD_ARG", "proposals must be an array of proposal names", 0, "proposals");
  for (const k of ["arch", "endian", "model", "epoch"] as const)
    if (o[k] !== undefined && typeof o[k] !== "string")
      throw new UsageError("E_BAD_ARG", `${k} must be a string, not ${describeValue(o[k])}`, 0, k);
  const key = `${o.arch}|${o.endian}|${o.model}|${o.epoch}|${o.proposals?.join(",")}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let endian: Endian = "little",
    model: DataModel = "lp64";
  if (o.arch !== undefined) {
    const arches = SCHEMA.arches as Record<string, { endian: Endian; model: DataModel }>;
    const a = Object.hasOwn(arches, o.arch) ? arches[o.arch] : undefined;
    if (!a)
      throw new UsageError(
        "E_BAD_ARG",
        `unknown arch ${describeValue(o.arch)}${suggestion(o.arch, Object.keys(arches))} (known: ${Object.keys(arches).join(", ")})`,
        0,
        "arch",
      );
    endian = a.endian;
    model = a.model;
  }
  if (o.endian !== undefined) {
    if (o.endian !== "little" && o.endian !== "big")
      throw new UsageError("E_BAD_ARG", `endian must be little or big, not ${describeValue(o.endian)}`, 0, "endian");
    endian = o.endian;
  }
  if (o.model !== undefined) {
    if (o.model !== "lp64" && o.model !== "ilp32")
      throw new UsageError("E_BAD_ARG", `model must be lp64 or ilp32, not ${describeValue(o.model)}`, 0, "model");
    model = o.model;
  }
  const rel = releaseOf(o.epoch ?? newest());
  const kernel = (SCHEMA.epochAliases as Record<string, string>)[rel] ?? rel;
  // older kernels share the packed 6.1 layout; 6.6 and later the aligned one
  const epoch = versionCmp(kernel, "6.6") >= 0 ? "6.7" : "6.1";
  let word =
    (endian === "big" ? PROF_BIG : 0) | (model === "ilp32" ? PROF_ILP32 : 0) | (epoch === "6.7" ? PROF_EPOCH66 : 0);
  const proposals: string[] = [];
  const add = (name: string) => {
    const p = SCHEMA.proposals.find((x) => x.name === name);
    if (!p)
      throw new UsageError(
        "E_BAD_ARG",
        `unknown proposal ${describeValue(name)} (known: ${SCHEMA.proposals.map((x) => x.name).join(", ")})`,
        0,
        "proposals",
      );
    if (proposals.includes(name)) return;
    proposals.push(name);
    word |= p.bit;
    for (const q of (p as { implies?: readonly string[] }).implies ?? []) add(q);
  };
  for (const p of o.proposals ?? []) add(p);
  const r: ResolvedProfile = { word, endian, model, epoch, kernel, proposals };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, r);
  return r;
}
