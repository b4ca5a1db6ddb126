// Kernel modules for the guest: which files vfio-pci needs, in dependency order (from modules.dep),
// and their contents decompressed (Debian ships .ko.xz since 6.x; busybox insmod wants plain .ko).
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { exists, run } from "./util.mjs";

const KO_RE = /\.ko(\.(xz|zst|gz))?$/;
/** Module name as the kernel spells it ('-' and '_' are the same). */
export const moduleName = (rel) => path.basename(rel).replace(KO_RE, "").replace(/-/g, "_");

/** modules.dep -> Map(name -> { rel, file, deps: [names] }). */
export function parseModulesDep(text) {
  const map = new Map();
  for (const line of text.split("\n")) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    map.set(moduleName(m[1]), {
      rel: m[1],
      file: path.basename(m[1]).replace(KO_RE, ""),
      deps: m[2].split(/\s+/).filter(Boolean).map(moduleName),
    });
  }
  return map;
}

/** Names listed in modules.builtin (built into the kernel image: nothing to load). */
export function parseModulesBuiltin(text) {
  return new Set(text.split("\n").filter(Boolean).map(moduleName));
}

/**
 * Load order for `roots` and everything they depend on, dependencies first. Built-in modules are
 * skipped (vfio_virqfd is a module on 6.1 and built into vfio from 6.2 on); a module that is
 * neither in modules.dep nor built in is an error.
 */
export function moduleOrder(depText, builtinText, roots = ["vfio", "vfio_iommu_type1", "vfio_pci"]) {
  const dep = parseModulesDep(depText);
  const builtin = parseModulesBuiltin(builtinText);
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const e = dep.get(name);
    if (!e) {
      if (builtin.has(name)) return;
      throw new Error(`kernel harness: module ${name} is neither in modules.dep nor built in`);
    }
    for (const d of [...e.deps].reverse()) visit(d);
    order.push(e);
  };
  for (const r of roots) visit(r.replace(/-/g, "_"));
  return order;
}

/** Contents of a module file given without its compression suffix. */
export async function readModule(file) {
  const plain = file.replace(KO_RE, ".ko");
  if (exists(plain)) return fsp.readFile(plain);
  if (exists(`${plain}.xz`)) return (await run("xz", ["-dc", `${plain}.xz`], { encoding: "buffer" })).stdout;
  if (exists(`${plain}.zst`)) return (await run("zstd", ["-dcq", `${plain}.zst`], { encoding: "buffer" })).stdout;
  if (exists(`${plain}.gz`)) return gunzipSync(await fsp.readFile(`${plain}.gz`));
  throw new Error(`kernel harness: module file missing: ${plain}[.xz|.zst|.gz]`);
}
