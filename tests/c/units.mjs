// Compilation units of the C reference checks, and the layout / constant tables generated for each
// of them FROM THE SCHEMA (schema/abi.mjs): no field, offset or value is listed here by hand.
//
// Units:
//   uapi61      the real Linux 6.1 <linux/vfio.h> + <linux/vfio_zdev.h>     -> schema epoch 6.1
//   upstream    the same headers with the struct tags that changed since 6.1 renamed away and
//               redefined from ref/upstream.h (C copies of the upstream text) -> schema epoch 6.6
//   <proposal>  C copies of the never-merged postings (ref/proposal-*.h)     -> epoch 6.1 + proposal
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { enums, flagSets, ioctls, masks, proposals, structs } from "../../schema/abi.mjs";
import { expandProposals, layout } from "../../schema/layout.mjs";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REF = join(HERE, "ref");

/**
 * Names the 6.1 headers lack, with the release that brought them. They are checked in the
 * upstream unit against ref/upstream.h; the uapi61 unit proves (#ifdef probe / sizeof absence)
 * that they really are missing there. Anything else missing makes the uapi61 compile fail.
 */
export const NEWER_THAN_61 = {
  structs: { vfio_device_info_cap_pci_atomic_comp: "6.5" },
  fields: { "vfio_device_info.pad": "6.6", "vfio_iommu_type1_info.pad": "6.6" },
  macros: {
    VFIO_DEVICE_FLAGS_CDX: "6.5",
    VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP: "6.5",
    VFIO_PCI_ATOMIC_COMP32: "6.5",
    VFIO_PCI_ATOMIC_COMP64: "6.5",
    VFIO_PCI_ATOMIC_COMP128: "6.5",
    VFIO_DEVICE_BIND_IOMMUFD: "6.6",
    VFIO_DEVICE_ATTACH_IOMMUFD_PT: "6.6",
    VFIO_DEVICE_DETACH_IOMMUFD_PT: "6.6",
    VFIO_MIG_GET_PRECOPY_INFO: "6.3",
  },
  enumerators: { VFIO_AP_REQ_IRQ_INDEX: "6.2", VFIO_AP_CFG_CHG_IRQ_INDEX: "6.15", VFIO_AP_NUM_IRQS: "6.2" },
};
const newerName = (n) => n in NEWER_THAN_61.macros || n in NEWER_THAN_61.enumerators;

/** Struct tags the upstream unit renames away before including ref/upstream.h. */
const UPSTREAM_REDEFINED = [
  "vfio_device_info",
  "vfio_region_info",
  "vfio_region_sparse_mmap_area",
  "vfio_region_info_cap_sparse_mmap",
  "vfio_region_info_cap_nvlink2_ssatgt",
  "vfio_iommu_type1_info",
];

const PROPOSAL_HEADERS = {
  "irq-info-caps": "proposal-irq-info-caps.h",
  "dma-fault-region": "proposal-dma-fault-region.h",
  "platform-msi-v2": "proposal-platform-msi-v2.h",
  "platform-msi-v3": "proposal-platform-msi-v3.h",
  "device-flags-msi": "proposal-device-flags-msi.h",
  "irq-affinity": "proposal-irq-affinity.h",
};

export function units() {
  const list = [
    {
      id: "uapi61",
      epoch: "6.1",
      proposals: [],
      label: "Linux 6.1 uapi headers",
      preamble: '#include <linux/vfio.h>\n#include <linux/vfio_zdev.h>\n#include "zdev-versions.h"\n',
    },
    {
      id: "upstream",
      epoch: "6.6",
      proposals: [],
      label: "6.1 headers + upstream copies (ref/upstream.h)",
      preamble: [
        ...UPSTREAM_REDEFINED.map((t) => `#define ${t} ${t}__linux61`),
        "#include <linux/vfio.h>",
        "#include <linux/vfio_zdev.h>",
        ...UPSTREAM_REDEFINED.map((t) => `#undef ${t}`),
        '#include "upstream.h"',
        '#include "zdev-versions.h"',
        "",
      ].join("\n"),
    },
  ];
  for (const [p, h] of Object.entries(PROPOSAL_HEADERS)) {
    if (!proposals[p]) throw new Error(`schema has no proposal ${p}`);
    list.push({
      id: p,
      epoch: "6.1",
      proposals: [p],
      label: `${p} (${proposals[p].source}, never merged)`,
      preamble: `#include <stddef.h>\n#include "${h}"\n`,
    });
  }
  for (const p of Object.keys(proposals))
    if (!PROPOSAL_HEADERS[p]) throw new Error(`proposal ${p} has no C copy in tests/c/ref`);
  for (const u of list) u.pset = expandProposals(u.proposals);
  return list;
}

const cident = (s) => s.replace(/[^A-Za-z0-9_]/g, "_");
export const cType = (name) => structs[name].cName ?? `struct ${name}`;
/** Member designator in C: a cap that IS the bare header in C (MSIX_MAPPABLE) has no `header.` level. */
export const cPath = (name, path) =>
  structs[name].cName === "struct vfio_info_cap_header" && path.startsWith("header.") ? path.slice(7) : path;

/** Schema structs a unit checks. */
export function unitStructs(u) {
  const names = Object.keys(structs);
  if (!u.proposals.length) {
    return names.filter((n) => !structs[n].proposal && !(u.id === "uapi61" && n in NEWER_THAN_61.structs));
  }
  const p = u.proposals[0];
  const out = new Set(names.filter((n) => structs[n].proposal === p));
  // structs whose fields the posting patches (vfio_irq_info.cap_offset, also copied by platform-msi)
  for (const n of names) if (structs[n].fields.some((f) => f.proposal && u.pset.has(f.proposal))) out.add(n);
  if (p.startsWith("platform-msi")) out.add("vfio_irq_info_cap_type");
  for (const n of [...out]) for (const f of structs[n].fields) if (f.type === "array") out.add(f.of);
  return [...out];
}

/** Layout variant of a unit for an ABI model. */
export const variantOf = (u, model) => ({ model, epoch: u.epoch, proposals: u.pset });

/** C source of a unit's layout tables: per struct [sizeof, _Alignof, offsetof(each field...), offsetof(trailing)]. */
export function layoutTables(u, model) {
  const entries = [];
  let c = "";
  for (const n of unitStructs(u)) {
    const l = layout(n, variantOf(u, model));
    const t = cType(n);
    const items = [`sizeof(${t})`, `_Alignof(${t})`, ...l.fields.map((f) => `offsetof(${t}, ${cPath(n, f.path)})`)];
    const keys = ["sizeof", "alignof", ...l.fields.map((f) => f.path)];
    if (l.trailing) {
      items.push(`offsetof(${t}, ${l.trailing.path})`);
      keys.push(l.trailing.path);
    }
    const sym = `L_${cident(u.id)}_${n}`;
    c += `unsigned long long ${sym}[] = {\n  ${items.map((x) => `(unsigned long long)(${x})`).join(",\n  ")}\n};\n`;
    entries.push({ struct: n, sym, keys, layout: l });
  }
  return { c, entries };
}

/** Every constant a unit must define, from the schema: [{name, value, kind}] (value may be null = computed by the codec). */
export function unitConstants(u) {
  const out = new Map();
  const add = (name, value, kind) => {
    if (!out.has(name)) out.set(name, { name, value, kind });
  };
  const base = !u.proposals.length;
  const mine = (p) => (base ? !p : u.proposals.includes(p));
  for (const fs of Object.values(flagSets)) {
    if (base) for (const b of fs.bits) add(b.name, b.value, "flag");
    for (const b of fs.proposed ?? []) if (!base && mine(b.proposal)) add(b.name, b.value, "flag");
  }
  if (base) for (const [k, v] of Object.entries(masks)) add(k, v, "mask");
  for (const e of Object.values(enums)) {
    if (base) {
      for (const v of e.values ?? []) add(v.name, v.value, "enum");
      if (e.count) add(e.count.name, e.count.value, "enum");
      if (e.vendorBit) {
        add(e.vendorBit.name, e.vendorBit.value, "enum");
        add(e.vendorBit.mask, e.vendorBit.maskValue, "enum");
      }
      for (const vs of Object.values(e.byType ?? {})) for (const v of vs) add(v.name, v.value, "enum");
    }
    for (const v of e.proposed ?? []) if (!base && mine(v.proposal)) add(v.name, v.value, "enum");
    for (const vs of Object.values(e.proposedByType ?? {}))
      for (const v of vs) if (!base && mine(v.proposal)) add(v.name, v.value, "enum");
  }
  for (const s of Object.values(structs)) {
    if (s.kind !== "cap" || !mine(s.proposal)) continue;
    add(s.name, s.id, "capid");
    for (const a of s.alsoIds ?? []) add(a.name, a.id, "capid");
  }
  // platform-msi postings also carry Eric's VFIO_IRQ_INFO_CAP_TYPE / FLAG_CAPS
  if (u.proposals[0]?.startsWith("platform-msi")) {
    add("VFIO_IRQ_INFO_CAP_TYPE", structs.vfio_irq_info_cap_type.id, "capid");
    add(
      "VFIO_IRQ_INFO_FLAG_CAPS",
      flagSets.vfio_irq_info_flags.proposed.find((b) => b.name === "VFIO_IRQ_INFO_FLAG_CAPS").value,
      "flag",
    );
  }
  if (base) for (const i of ioctls) add(i.name, null, "ioctl");
  let list = [...out.values()];
  if (u.id === "uapi61") list = list.filter((x) => !newerName(x.name));
  return list;
}

/** C source of a unit's constants table (same order as unitConstants). */
export function constantTables(u) {
  const list = unitConstants(u);
  const sym = `K_${cident(u.id)}`;
  // flag/enum constants are C ints ((1 << 31) is INT_MIN): compare them as the u32 the ABI carries
  let c = `unsigned long long ${sym}[] = {\n  ${list.map((k) => (k.kind === "ioctl" ? `(unsigned long long)(${k.name})` : `(unsigned long long)(unsigned int)(${k.name})`)).join(",\n  ")}\n};\n`;
  let probe = null;
  if (u.id === "uapi61") {
    // prove the NEWER_THAN_61 macros are absent from the real 6.1 headers (1 = defined)
    const names = Object.keys(NEWER_THAN_61.macros);
    probe = { sym: "P_uapi61_newer_macros", names };
    c += `unsigned char ${probe.sym}[] = {\n${names.map((n) => `#ifdef ${n}\n  1,\n#else\n  0,\n#endif`).join("\n")}\n  0xff };\n`;
  }
  return { c, sym, list, probe };
}
