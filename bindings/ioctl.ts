// VFIO ioctl numbers: _IO(';', 100 + nr). Generic encoding (x86, arm, arm64, s390, riscv):
// (type << 8) | nr with direction and size 0. powerpc and mips put _IOC_NONE = 1 at bit 29,
// so every VFIO number gains 0x20000000 there.

import { UsageError } from "./errors.js";
import { SCHEMA } from "./generated/schema.js";
import type { SchemaIoctl } from "./schema-types.js";

export interface IoctlInfo extends SchemaIoctl {
  number: number;
  hex: string;
  arch: string;
}

const archEncoding = (arch: string): "generic" | "powerpc" | "mips" => {
  const a = SCHEMA.arches[arch];
  if (!a)
    throw new UsageError(
      "E_BAD_ARG",
      `unknown arch ${arch} (known: ${Object.keys(SCHEMA.arches).join(", ")})`,
      0,
      null,
    );
  return a.ioctl as "generic" | "powerpc" | "mips";
};

export function ioctlNumber(nr: number, arch = "x86_64"): number {
  const base = (SCHEMA.ioctlBase.type << 8) | (SCHEMA.ioctlBase.base + nr);
  return archEncoding(arch) === "generic" ? base : (base | 0x20000000) >>> 0;
}

const info = (i: SchemaIoctl, arch: string): IoctlInfo => {
  const number = ioctlNumber(i.nr, arch);
  return { ...i, number, hex: `0x${number.toString(16)}`, arch };
};

/** Every ioctl with its number for an arch. */
export const ioctls = (arch = "x86_64"): IoctlInfo[] => SCHEMA.ioctls.map((i) => info(i, arch));

/**
 * Look up by name (with or without the VFIO_ prefix) or by number (0x3b6e, 15214, or the
 * powerpc/mips form). A number used on several fd types returns every ioctl it names.
 */
export function lookupIoctl(q: string | number, arch = "x86_64"): IoctlInfo[] {
  if (typeof q === "string" && !/^(0x[0-9a-f]+|\d+)$/i.test(q.trim())) {
    // Accept the kernel name with or without VFIO_ and the fd-kind prefix: "SET_IRQS" = VFIO_DEVICE_SET_IRQS.
    const n = q
      .trim()
      .toUpperCase()
      .replace(/^VFIO_/, "");
    let hit = SCHEMA.ioctls.filter((i) => i.name === `VFIO_${n}`);
    if (!hit.length)
      hit = SCHEMA.ioctls.filter((i) => ["DEVICE_", "GROUP_", "IOMMU_"].some((p) => i.name === `VFIO_${p}${n}`));
    return hit.map((i) => info(i, arch));
  }
  const num = typeof q === "number" ? q : Number(q);
  const candidates = ioctls(arch).filter((i) => i.number === num);
  if (candidates.length) return candidates;
  // A number from another arch's encoding: try them all.
  for (const a of Object.keys(SCHEMA.arches)) {
    const c = ioctls(a).filter((i) => i.number === num);
    if (c.length) return c;
  }
  return [];
}
