// Profile options -> the u32 profile word of the wasm ABI.
//   bit 0 big-endian, bit 1 ilp32 (i386), bit 2 epoch >= 6.6, bits 8.. proposals (schema order).
import { SCHEMA } from "./generated/schema.js";
import type { ProfileOptions, Endian, DataModel } from "./types.js";
import { UsageError } from "./errors.js";

import { PROF_BIG, PROF_EPOCH66, PROF_ILP32, PROF_MSG_REPLY, PROF_MSG_REQUEST } from "./generated/wasm-abi.js";

/** Profile bits (the contract's); PROF_MSG_*: the buffer is a vfio-user request / reply body. */
export { PROF_BIG, PROF_EPOCH66, PROF_ILP32, PROF_MSG_REPLY, PROF_MSG_REQUEST };

export interface ResolvedProfile {
  word: number;
  endian: Endian;
  model: DataModel;
  epoch: "6.1" | "6.6";
  proposals: string[];
}

/** Resolved profiles by their options; bounded (a caller cycling through options cannot grow it). */
const cache = new Map<string, ResolvedProfile>();
const CACHE_MAX = 256;

export function resolveProfile(o: ProfileOptions = {}): ResolvedProfile {
  if (o === null || typeof o !== "object")
    throw new UsageError("E_BAD_ARG", `options must be an object, not ${o === null ? "null" : typeof o}`, 0, null);
  if (o.proposals !== undefined && (!Array.isArray(o.proposals) || o.proposals.some((p) => typeof p !== "string")))
    throw new UsageError("E_BAD_ARG", "proposals must be an array of proposal names", 0, "proposals");
  const key = `${o.arch}|${o.endian}|${o.model}|${o.epoch}|${o.proposals?.join(",")}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let endian: Endian = "little",
    model: DataModel = "lp64";
  if (o.arch !== undefined) {
    const a = (SCHEMA.arches as Record<string, { endian: Endian; model: DataModel }>)[o.arch];
    if (!a)
      throw new UsageError(
        "E_BAD_ARG",
        `unknown arch ${o.arch} (known: ${Object.keys(SCHEMA.arches).join(", ")})`,
        0,
        null,
      );
    endian = a.endian;
    model = a.model;
  }
  if (o.endian !== undefined) {
    if (o.endian !== "little" && o.endian !== "big")
      throw new UsageError("E_BAD_ARG", `endian must be little or big, not ${o.endian}`, 0, null);
    endian = o.endian;
  }
  if (o.model !== undefined) {
    if (o.model !== "lp64" && o.model !== "ilp32")
      throw new UsageError("E_BAD_ARG", `model must be lp64 or ilp32, not ${o.model}`, 0, null);
    model = o.model;
  }
  const ep = o.epoch ?? "6.6";
  const m = /^(\d+)\.(\d+)/.exec(String(ep));
  if (!m) throw new UsageError("E_BAD_ARG", `epoch must look like 6.1 or 6.6, not ${ep}`, 0, null);
  const ver = Number(m[1]) * 1000 + Number(m[2]);
  if (ver < 6000 && Number(m[1]) < 6) {
    /* older kernels share the packed 6.1 layout */
  }
  const epoch = ver >= 6006 ? "6.6" : "6.1";
  let word =
    (endian === "big" ? PROF_BIG : 0) | (model === "ilp32" ? PROF_ILP32 : 0) | (epoch === "6.6" ? PROF_EPOCH66 : 0);
  const proposals: string[] = [];
  const add = (name: string) => {
    const p = SCHEMA.proposals.find((x) => x.name === name);
    if (!p)
      throw new UsageError(
        "E_BAD_ARG",
        `unknown proposal ${name} (known: ${SCHEMA.proposals.map((x) => x.name).join(", ")})`,
        0,
        null,
      );
    if (proposals.includes(name)) return;
    proposals.push(name);
    word |= p.bit;
    for (const q of (p as { implies?: readonly string[] }).implies ?? []) add(q);
  };
  for (const p of o.proposals ?? []) add(p);
  const r: ResolvedProfile = { word, endian, model, epoch, proposals };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, r);
  return r;
}
