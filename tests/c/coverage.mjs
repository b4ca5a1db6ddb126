// What the newest real header defines, and whether the schema models it: every VFIO #define (by
// gcc -dM), every struct tag and every enum constant of <linux/vfio.h> + <linux/vfio_zdev.h>,
// each assigned to a group of the uAPI. Used by tests/c/coverage.test.mjs and printed by
// `node tests/c/coverage.mjs` (the per-group counts).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as abi from "../../schema/abi.mjs";
import { headerGenerations, TRIPLETS } from "./headers.mjs";

/** Names the schema models (constants, strings, struct tags, capability ids, ioctls, helpers). */
export function schemaNames() {
  const n = new Map();
  const add = (name, what) => n.set(name, what);
  for (const fs of Object.values(abi.flagSets)) for (const b of fs.bits) add(b.name, "flag");
  for (const k of Object.keys(abi.masks)) add(k, "mask");
  for (const k of Object.keys(abi.constants)) add(k, "constant");
  for (const k of Object.keys(abi.strings)) add(k, "string");
  for (const k of Object.keys(abi.helperMacros)) add(k, "helper macro");
  for (const e of Object.values(abi.enums)) {
    for (const v of e.values ?? []) {
      add(v.name, "enum");
      for (const a of v.aliases ?? []) add(a.name, "enum alias");
    }
    if (e.count) add(e.count.name, "enum count");
    if (e.vendorBit) {
      add(e.vendorBit.name, "enum");
      add(e.vendorBit.mask, "enum");
    }
    for (const vs of Object.values(e.byType ?? {})) for (const v of vs) add(v.name, "enum");
  }
  for (const [k, s] of Object.entries(abi.structs)) {
    if (s.proposal) continue;
    add(s.cName ?? `struct ${k}`, "struct");
    if (s.kind === "cap") add(s.name, "capability id");
  }
  for (const i of abi.ioctls) add(i.name, "ioctl");
  add("VFIO_TYPE", "ioctl base");
  add("VFIO_BASE", "ioctl base");
  return n;
}

/** Group of a header item, in the order of the issue. */
export function groupOf(name) {
  const g = [
    ["common", /^struct vfio_info_cap_header$|^VFIO_TYPE$|^VFIO_BASE$|API_VERSION/],
    ["irq", /irq/i],
    [
      "region info",
      /region|sparse|migration_info|DEVICE_STATE_V1|DEVICE_STATE_(MASK|VALID|IS_ERROR|SET_ERROR)|GFX_LINK|gfx_edid/i,
    ],
    [
      "feature",
      /feature|migration|mig_|precopy|device_state|low_power|dma_logging|bus_master|dma_buf|dma_range|zpci_err|master/i,
    ],
    ["hot reset", /hot_reset|devid|dependent_device/i],
    ["cdev/iommufd", /iommufd|pasid|bind/i],
    ["spapr/eeh", /spapr|eeh/i],
    ["display/ioeventfd", /gfx|ioeventfd/i],
    ["container/group/type1", /group|iommu|dma_|dirty|bitmap|iova|nesting|unmap_all|update_vaddr|check_ext/i],
    ["device info", /device_info|device_flags|device_api|zpci|atomic|device_get_info|device_reset|get_device_fd/i],
  ];
  for (const [k, re] of g) if (re.test(name)) return k;
  return "other";
}

const strip = (t) => t.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

/** Every VFIO item of the newest header: [{name, kind}] (kind: macro | struct | enumerator). */
export function headerItems() {
  const gens = headerGenerations();
  const g = gens[gens.length - 1];
  const r = spawnSync(
    "gcc",
    [
      "-dM",
      "-E",
      "-I",
      join(g.include, TRIPLETS.x86_64),
      "-I",
      g.include,
      "-include",
      "linux/vfio.h",
      "-include",
      "linux/vfio_zdev.h",
      "-x",
      "c",
      "/dev/null",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const items = [];
  for (const line of r.stdout.split("\n")) {
    const m = /^#define ((?:__)?VFIO_\w+)(\(?)/.exec(line);
    if (m && !/^VFIO_H$|^_VFIO_ZDEV_H_$/.test(m[1]))
      items.push({ name: m[1], kind: m[2] ? "function-like macro" : "macro" });
  }
  const text = ["vfio.h", "vfio_zdev.h"]
    .map((f) => strip(readFileSync(join(g.include, "linux", f), "utf8")))
    .join("\n");
  for (const m of text.matchAll(/struct (vfio_\w+)\s*\{/g)) items.push({ name: `struct ${m[1]}`, kind: "struct" });
  for (const m of text.matchAll(/enum\s*(\w*)\s*\{([^}]*)\}/g)) {
    for (const e of m[2].split(",")) {
      const n = /^\s*(\w+)/.exec(e.replace(/#define.*$/gm, ""))?.[1];
      if (n) items.push({ name: n, kind: "enumerator" });
    }
  }
  const seen = new Set();
  return { release: g.release, version: g.version, items: items.filter((x) => !seen.has(x.name) && seen.add(x.name)) };
}

/** Per-group coverage of the newest header by the schema. */
export function coverage() {
  const names = schemaNames();
  const { release, version, items } = headerItems();
  const groups = new Map();
  const missing = [];
  for (const it of items) {
    const k = groupOf(it.name);
    const gr = groups.get(k) ?? { group: k, total: 0, modelled: 0 };
    gr.total++;
    if (names.has(it.name)) gr.modelled++;
    else missing.push(it);
    groups.set(k, gr);
  }
  return {
    release,
    version,
    groups: [...groups.values()],
    total: items.length,
    modelled: items.length - missing.length,
    missing,
  };
}

if (process.argv[1]?.endsWith("coverage.mjs")) {
  const c = coverage();
  console.log(`Linux ${c.release} (${c.version}): ${c.modelled} of ${c.total} uAPI items modelled`);
  for (const g of c.groups) console.log(`  ${g.group.padEnd(24)} ${g.modelled}/${g.total}`);
  for (const m of c.missing) console.log(`  missing: ${m.name} (${m.kind})`);
}
