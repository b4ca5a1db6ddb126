// Golden bytes from gcc: every case below becomes a C static initialiser (generated here from the
// schema fields; values come from a deterministic pattern, so every byte of every field is
// distinct enough to catch offset and byte-order mistakes). Capability chains are laid out the way
// the kernel does it (vfio_info_cap_add / vfio_info_cap_shift): a packed struct of the fixed info
// struct followed by the caps in insertion order, with explicit zero padding to 8 bytes from 6.6.
// `argsz`, `cap_offset` and every `next` are C expressions (sizeof / offsetof), so the chain
// offsets are gcc's, and an extra table M_<case> exports them for the tests.
import { structs } from "../../schema/abi.mjs";
import { layout, versionCmp } from "../../schema/layout.mjs";
import { cType, cPath, units, inRelease } from "./units.mjs";

/** The cases. `units`: which compilation units build it (uapi61 = epoch 6.1, upstream = 6.6, or a proposal). */
export const CASES = [
  // ---- plain info structs, alone
  { name: "cap_header", units: ["uapi61"], struct: "vfio_info_cap_header" },
  {
    name: "device_info_nocaps",
    units: ["uapi61", "upstream"],
    struct: "vfio_device_info",
    fixed: { flags: 0x3, num_regions: 9, num_irqs: 5, cap_offset: 0 },
  },
  {
    name: "region_info_nocaps",
    units: ["uapi61", "upstream"],
    struct: "vfio_region_info",
    fixed: { flags: 0x7, index: 0, cap_offset: 0 },
  },
  { name: "irq_info_msix", units: ["uapi61"], struct: "vfio_irq_info", fixed: { argsz: 16, flags: 0x9, index: 2 } },
  {
    name: "type1_info_nocaps",
    units: ["uapi61", "upstream"],
    struct: "vfio_iommu_type1_info",
    fixed: { flags: 0x1, cap_offset: 0 },
  },
  { name: "sparse_area", units: ["uapi61", "upstream"], struct: "vfio_region_sparse_mmap_area" },
  { name: "iova_range", units: ["uapi61"], struct: "vfio_iova_range" },
  // ---- vfio_irq_set: the three DATA types
  {
    name: "irq_set_none",
    units: ["uapi61"],
    struct: "vfio_irq_set",
    fixed: { flags: 0x21, index: 1, start: 0, count: 0 },
    payload: [],
  },
  {
    name: "irq_set_bool",
    units: ["uapi61"],
    struct: "vfio_irq_set",
    fixed: { flags: 0x22, index: 2, start: 1, count: 3 },
    payload: [1, 0, 1],
  },
  {
    name: "irq_set_eventfd",
    units: ["uapi61"],
    struct: "vfio_irq_set",
    fixed: { flags: 0x24, index: 2, start: 0, count: 2 },
    payload: [0x11223344, -1],
  },
  // ---- every capability, alone (header + body as a standalone struct)
  ...[
    "vfio_region_info_cap_type",
    "vfio_region_info_cap_nvlink2_ssatgt",
    "vfio_region_info_cap_nvlink2_lnkspd",
    "vfio_device_info_cap_zpci_base",
    "vfio_device_info_cap_zpci_group",
    "vfio_iommu_type1_info_cap_migration",
    "vfio_iommu_type1_info_dma_avail",
  ].map((s) => ({ name: `alone_${s}`, units: ["uapi61", "upstream"], struct: s })),
  { name: "alone_atomic_comp", units: ["upstream"], struct: "vfio_device_info_cap_pci_atomic_comp", fixedHeader: true },
  // ---- chains
  {
    name: "region_sparse_type_msix",
    units: ["uapi61", "upstream"],
    host: "vfio_region_info",
    fixed: { flags: 0xf, index: 2, size: 0x8000n, offset: 0x20000000000n },
    caps: [
      { struct: "vfio_region_info_cap_sparse_mmap", n: 2 },
      { struct: "vfio_region_info_cap_type", values: { type: 0x80008086, subtype: 1 } },
      { struct: "vfio_region_info_cap_msix_mappable" },
    ],
  },
  {
    name: "region_nvlink2",
    units: ["uapi61", "upstream"],
    host: "vfio_region_info",
    fixed: { flags: 0xf, index: 9 },
    caps: [{ struct: "vfio_region_info_cap_nvlink2_ssatgt" }, { struct: "vfio_region_info_cap_nvlink2_lnkspd" }],
  },
  {
    name: "region_msix_only",
    units: ["uapi61", "upstream"],
    host: "vfio_region_info",
    fixed: { flags: 0xf, index: 3, size: 0x4000n, offset: 0x30000000000n },
    caps: [{ struct: "vfio_region_info_cap_msix_mappable" }],
  },
  {
    name: "device_zpci_all",
    units: ["uapi61", "upstream"],
    host: "vfio_device_info",
    fixed: { flags: 0x83, num_regions: 9, num_irqs: 5 },
    caps: [
      { struct: "vfio_device_info_cap_zpci_base", version: 2 },
      { struct: "vfio_device_info_cap_zpci_group", version: 2 },
      { struct: "vfio_device_info_cap_zpci_util", n: 64, ebcdic: "IBM ZPCI UTILITY STRING 0123456789" },
      { struct: "vfio_device_info_cap_zpci_pfip", n: 4 },
      { struct: "vfio_device_info_cap_pci_atomic_comp", values: { flags: 0x7, reserved: 0 }, upstreamOnly: true },
    ],
  },
  {
    name: "device_zpci_v1",
    units: ["uapi61", "upstream"],
    host: "vfio_device_info",
    fixed: { flags: 0x83, num_regions: 9, num_irqs: 5 },
    caps: [
      { struct: "vfio_device_info_cap_zpci_base", version: 1, ctype: "struct vfio_device_info_cap_zpci_base_v1" },
      { struct: "vfio_device_info_cap_zpci_group", version: 1, ctype: "struct vfio_device_info_cap_zpci_group_v1" },
    ],
  },
  {
    name: "device_zpci_base_v3",
    units: ["uapi61", "upstream"],
    host: "vfio_device_info",
    fixed: { flags: 0x83, num_regions: 9, num_irqs: 5 },
    kernel: false,
    caps: [
      {
        struct: "vfio_device_info_cap_zpci_base",
        version: 3,
        ctype: "struct vfio_device_info_cap_zpci_base_v3",
        extra: { ccdf_err_length: 0x5a5b5c5d },
      },
      { struct: "vfio_device_info_cap_zpci_pfip", n: 4 },
    ],
  },
  {
    name: "type1_mig_avail_iova",
    units: ["uapi61", "upstream"],
    host: "vfio_iommu_type1_info",
    fixed: { flags: 0x3, iova_pgsizes: 0x40201000n },
    caps: [
      { struct: "vfio_iommu_type1_info_cap_migration" },
      { struct: "vfio_iommu_type1_info_dma_avail" },
      { struct: "vfio_iommu_type1_info_cap_iova_range", n: 2 },
    ],
  },
  // ---- the rest of the uAPI (each in every header generation that has it; `units: "all"`)
  ...[
    "vfio_group_status",
    "vfio_iommu_type1_dma_map",
    "vfio_bitmap",
    "vfio_iommu_type1_dirty_bitmap_get",
    "vfio_iommu_spapr_tce_ddw_info",
    "vfio_iommu_spapr_tce_info",
    "vfio_eeh_pe_err",
    "vfio_eeh_pe_op",
    "vfio_iommu_spapr_register_memory",
    "vfio_iommu_spapr_tce_create",
    "vfio_iommu_spapr_tce_remove",
    "vfio_pci_dependent_device",
    "vfio_device_gfx_plane_info",
    "vfio_device_ioeventfd",
    "vfio_region_gfx_edid",
    "vfio_device_migration_info",
    "vfio_device_feature_migration",
    "vfio_device_feature_mig_state",
    "vfio_precopy_info",
    "vfio_device_low_power_entry_with_wakeup",
    "vfio_device_feature_dma_logging_control",
    "vfio_device_feature_dma_logging_range",
    "vfio_device_feature_dma_logging_report",
    "vfio_device_feature_mig_data_size",
    "vfio_device_feature_bus_master",
    "vfio_region_dma_range",
    "vfio_device_feature_zpci_err",
    "vfio_device_bind_iommufd",
    "vfio_device_attach_iommufd_pt",
    "vfio_device_detach_iommufd_pt",
  ].map((s) => ({
    name: `alone_${s}`,
    units: "all",
    struct: s,
    // flags that pick the union member the expectation names (gfx: region_index)
    ...(s === "vfio_device_gfx_plane_info" ? { fixed: { flags: 0x4 } } : {}),
  })),
  {
    name: "gfx_plane_dmabuf",
    units: "all",
    struct: "vfio_device_gfx_plane_info",
    fixed: { flags: 0x2, dmabuf_id: 0x1234 },
  },
  {
    name: "hot_reset_info_groups",
    units: "all",
    struct: "vfio_pci_hot_reset_info",
    fixed: { flags: 0 },
    tail: { n: 3 },
  },
  {
    name: "hot_reset_info_devids",
    units: "all",
    struct: "vfio_pci_hot_reset_info",
    since: "6.6",
    fixed: { flags: 0x3 },
    tail: { n: 2, values: [{ devid: 0xffffffff }, { devid: 0 }] },
  },
  { name: "hot_reset_groups", units: "all", struct: "vfio_pci_hot_reset", fixed: { flags: 0 }, tail: { n: 2 } },
  {
    name: "unmap_dirty",
    units: "all",
    struct: "vfio_iommu_type1_dma_unmap",
    fixed: { flags: 0x1 },
    tail: { struct: "vfio_bitmap" },
  },
  { name: "unmap_all", units: "all", struct: "vfio_iommu_type1_dma_unmap", fixed: { flags: 0x2 } },
  {
    name: "dirty_get_bitmap",
    units: "all",
    struct: "vfio_iommu_type1_dirty_bitmap",
    fixed: { flags: 0x4 },
    tail: { struct: "vfio_iommu_type1_dirty_bitmap_get" },
  },
  { name: "dirty_start", units: "all", struct: "vfio_iommu_type1_dirty_bitmap", fixed: { flags: 0x1 } },
  { name: "feature_probe_migration", units: "all", struct: "vfio_device_feature", fixed: { flags: 0x50001 } },
  {
    name: "feature_vf_token",
    units: "all",
    struct: "vfio_device_feature",
    fixed: { flags: 0x20000 },
    tail: { bytes: 16 },
  },
  ...[
    [1, "vfio_device_feature_migration", 0x10000],
    [2, "vfio_device_feature_mig_state", 0x20000],
    [4, "vfio_device_low_power_entry_with_wakeup", 0x20000],
    [6, "vfio_device_feature_dma_logging_control", 0x20000],
    [8, "vfio_device_feature_dma_logging_report", 0x10000],
    [9, "vfio_device_feature_mig_data_size", 0x10000],
    [10, "vfio_device_feature_bus_master", 0x20000],
    [13, "vfio_device_feature_zpci_err", 0x10000],
  ].map(([id, st, op]) => ({
    name: `feature_${id}`,
    units: "all",
    struct: "vfio_device_feature",
    since: structs[st].since,
    fixed: { flags: op | id },
    tail: { struct: st },
  })),
  {
    name: "feature_dma_buf",
    units: "all",
    struct: "vfio_device_feature",
    since: "6.19",
    fixed: { flags: 0x1000b },
    tail: { struct: "vfio_device_feature_dma_buf", n: 2, values: { flags: 0 } },
  },
  { name: "alone_dma_buf", units: "all", struct: "vfio_device_feature_dma_buf", tail: { n: 3 } },
  // ---- never-merged proposals (C copies of the postings), decoded under their profiles
  {
    name: "ea_irq_info_cap_type",
    units: ["irq-info-caps"],
    host: "vfio_irq_info",
    fixed: { flags: 0x11, index: 5, count: 1 },
    caps: [{ struct: "vfio_irq_info_cap_type", values: { type: 1, subtype: 1 } }],
  },
  {
    name: "vg2_irq_info_msi",
    units: ["platform-msi-v2"],
    host: "vfio_irq_info",
    fixed: { flags: 0x11, index: 2, count: 3 },
    caps: [
      { struct: "vfio_irq_info_cap_type", values: { type: 1, subtype: 0 } },
      { struct: "vfio_irq_info_cap_msi_v2", n: 3 },
    ],
  },
  {
    name: "vg3_irq_info_msi",
    units: ["platform-msi-v3"],
    host: "vfio_irq_info",
    fixed: { flags: 0x11, index: 2, count: 3 },
    caps: [
      { struct: "vfio_irq_info_cap_type", values: { type: 1, subtype: 0 } },
      { struct: "vfio_irq_info_cap_msi", n: 3 },
    ],
  },
  {
    name: "ea_region_dma_fault",
    units: ["dma-fault-region"],
    host: "vfio_region_info",
    fixed: { flags: 0xb, index: 9, size: 0x2000n, offset: 0x90000000000n },
    caps: [
      { struct: "vfio_region_info_cap_type", values: { type: 2, subtype: 1 } },
      { struct: "vfio_region_info_cap_fault", values: { version: 1 } },
    ],
  },
  {
    name: "ea_region_dma_fault_response",
    units: ["dma-fault-region"],
    host: "vfio_region_info",
    fixed: { flags: 0xb, index: 10, size: 0x2000n, offset: 0xa0000000000n },
    caps: [
      { struct: "vfio_region_info_cap_type", values: { type: 2, subtype: 2 } },
      {
        struct: "vfio_region_info_cap_fault",
        id: 7,
        idName: "VFIO_REGION_INFO_CAP_DMA_FAULT_RESPONSE",
        values: { version: 1 },
      },
    ],
  },
  { name: "ea_dma_fault_header", units: ["dma-fault-region"], struct: "vfio_region_dma_fault" },
  { name: "ea_dma_fault_response_header", units: ["dma-fault-region"], struct: "vfio_region_dma_fault_response" },
];

// ---- deterministic field values
class Pattern {
  constructor(seed, model = "lp64") {
    this.c = seed & 0xff;
    this.model = model;
  }
  next(type) {
    const n = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, ptr: this.model === "ilp32" ? 4 : 8 }[type];
    const k = (this.c = (this.c + 0x1d) & 0xff);
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt((k + i * 0x31 + 1) & 0xff); // most significant first
    if (type === "u64" || type === "ptr") return v;
    if (type === "s32") return Number(BigInt.asIntN(32, v));
    return Number(v);
  }
}
const seedOf = (s) => [...s].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) & 0xffff, 7);

// EBCDIC (code page 037) for the characters the util string uses
const EBCDIC = { " ": 0x40, ".": 0x4b, "-": 0x60 };
for (let i = 0; i < 9; i++) {
  EBCDIC["ABCDEFGHI"[i]] = 0xc1 + i;
  EBCDIC["JKLMNOPQR"[i]] = 0xd1 + i;
}
for (let i = 0; i < 8; i++) EBCDIC["STUVWXYZ"[i]] = 0xe2 + i;
for (let i = 0; i < 10; i++) EBCDIC[String(i)] = 0xf0 + i;
export const toEbcdic = (s, n) => Uint8Array.from({ length: n }, (_, i) => (i < s.length ? EBCDIC[s[i]] : 0x40));

/** Scalar layout fields of a struct present at this cap version (header included, trailing excluded). */
const scalarFields = (name, v, version) =>
  layout(name, v).fields.filter((f) => !f.version || f.version <= (version ?? 1e9));
const countFieldOf = (l) => l.trailing && (l.trailing.count ?? l.trailing.length);

function setPath(o, path, val) {
  const parts = path.split(".");
  let t = o;
  for (const p of parts.slice(0, -1)) t = t[p] ??= {};
  t[parts.at(-1)] = val;
}
const getPath = (o, path) => path.split(".").reduce((a, p) => a?.[p], o);

/** Fill a struct's scalar fields: given values win, then the pattern. Returns a nested object. */
function fill(name, v, version, given, pat, skip = new Set()) {
  const out = {};
  for (const f of scalarFields(name, v, version)) {
    if (skip.has(f.path)) continue;
    const alt = (f.alt ?? []).find((a) => getPath(given, a.name) !== undefined);
    const path = alt ? f.path.replace(/[^.]+$/, alt.name) : f.path;
    const g = getPath(given, path);
    setPath(out, path, g !== undefined ? g : pat.next(f.type));
  }
  return out;
}

// ---- C emission
const lit = (x, type) => {
  if (x && typeof x === "object" && "c" in x) return x.c;
  if (type === "u64") return `0x${BigInt(x).toString(16)}ULL`;
  if (type === "ptr") return `(void *)0x${BigInt(x).toString(16)}UL`;
  if (type === "s32") return `${x}`;
  return `0x${(Number(x) >>> 0).toString(16)}U`;
};
/** Designated initialiser for a nested value object following the schema's field order. */
function cInit(name, v, version, val, extra = {}) {
  const l = layout(name, v);
  const groups = new Map();
  for (const f of l.fields) {
    if (f.version && f.version > (version ?? 1e9)) continue;
    const alt = (f.alt ?? []).find((a) => getPath(val, f.path.replace(/[^.]+$/, a.name)) !== undefined);
    const fpath = alt ? f.path.replace(/[^.]+$/, alt.name) : f.path;
    const x = getPath(val, fpath);
    if (x === undefined) continue;
    const [head, ...rest] = cPath(name, fpath).split(".");
    if (!groups.has(head)) groups.set(head, []);
    groups.get(head).push(rest.length ? `.${rest.join(".")} = ${lit(x, f.type)}` : lit(x, f.type));
  }
  const parts = [...groups].map(([k, xs]) =>
    xs.length === 1 && !xs[0].startsWith(".") ? `.${k} = ${xs[0]}` : `.${k} = { ${xs.join(", ")} }`,
  );
  for (const [k, x] of Object.entries(extra)) if (!groups.has(k)) parts.push(`.${k} = ${lit(x, "u32")}`);
  return `{ ${parts.join(", ")} }`;
}

/**
 * Generate the C of every case for a unit and model. Returns {c, cases:[{...case, sym, metaSym,
 * expect}]} where expect holds the values written (C-expression fields are filled in from gcc's
 * M_ table by the test).
 */
export function goldenFor(unit, model) {
  const v = { model, epoch: unit.epoch, proposals: unit.pset };
  const align8 = versionCmp(unit.epoch, "6.6") >= 0;
  let c = "";
  const out = [];
  for (const cs of CASES.filter((x) => caseInUnit(x, unit))) {
    const sym = `G_${unit.id.replace(/-/g, "_")}_${cs.name}`;
    const metaSym = `M_${unit.id.replace(/-/g, "_")}_${cs.name}`;
    const pat = new Pattern(seedOf(cs.name), model);
    if (cs.tail) {
      c += tailCase(cs, v, sym, metaSym, pat, out);
      continue;
    }
    if (cs.struct) {
      // a single struct (maybe with a vfio_irq_set payload)
      const s = structs[cs.struct];
      const isCap = s.kind === "cap";
      const version = isCap ? Math.max(...s.versions) : undefined;
      const given = { ...(cs.fixed ?? {}) };
      if (isCap) given.header = { id: s.id, version, next: 0 };
      let sizeExpr = `sizeof(${sym})`;
      if (cs.struct === "vfio_irq_set") {
        const elem = cs.fixed.flags & 2 ? 1 : cs.fixed.flags & 4 ? 4 : 0;
        given.argsz = { c: `sizeof(struct vfio_irq_set) + ${cs.payload.length * elem}` };
        sizeExpr = `sizeof(struct vfio_irq_set) + ${cs.payload.length * elem}`; // sizeof ignores a flexible array initialiser
      } else if (s.fields[0].name === "argsz") given.argsz = { c: sizeExpr };
      const val = fill(cs.struct, v, version, given, pat);
      const t = cType(cs.struct);
      if (cs.struct === "vfio_irq_set" && cs.fixed.flags & 4) {
        c += `struct ${sym}_t { ${t} hdr; __s32 fds[${cs.payload.length}]; };\n`;
        c += `struct ${sym}_t ${sym} = { .hdr = ${cInit(cs.struct, v, version, val)}, .fds = { ${cs.payload.join(", ")} } };\n`;
      } else if (cs.struct === "vfio_irq_set" && cs.payload.length) {
        // flexible array member initialiser (GNU C): a 20 + n byte object
        c += `${t} ${sym} = ${cInit(cs.struct, v, version, val).replace(/ }$/, `, .data = { ${cs.payload.join(", ")} } }`)};\n`;
      } else {
        c += `${t} ${sym} = ${cInit(cs.struct, v, version, val)};\n`;
      }
      c += `unsigned long long ${metaSym}[] = { ${sizeExpr} };\n`;
      if (cs.payload?.length) val.data = cs.payload;
      out.push({ ...cs, sym, metaSym, struct: cs.struct, expect: val, caps: undefined, standalone: true });
      continue;
    }
    // a capability chain
    const host = cs.host;
    const T = `struct ${sym}_t`;
    const members = [];
    const inits = [];
    const capsExpect = [];
    const fixedGiven = { ...cs.fixed, argsz: { c: `sizeof(${T})` }, cap_offset: { c: `offsetof(${T}, c0)` } };
    const fixedVal = fill(host, v, undefined, fixedGiven, pat);
    members.push(`${cType(host)} info;`);
    inits.push(`.info = ${cInit(host, v, undefined, fixedVal)}`);
    const capsHere = cs.caps.filter((cap) => !unit.release || inRelease(unit.release, structs[cap.struct].since));
    capsHere.forEach((cap, i) => {
      const s = structs[cap.struct];
      const version = cap.version ?? Math.max(...s.versions);
      const l = layout(cap.struct, v);
      const idExpr = cap.idName ?? s.name;
      const next = i + 1 < capsHere.length ? { c: `offsetof(${T}, c${i + 1})` } : 0;
      const cf = countFieldOf(l);
      const skip = new Set();
      const given = { ...(cap.values ?? {}), header: { id: { c: idExpr }, version, next } };
      if (cf) given[cf] = cap.n;
      // extra bytes the unit's layout knows as a field are a field (zPCI base v3 in 7.3)
      const known = new Set(scalarFields(cap.struct, v, version).map((f) => f.path));
      for (const [k, x] of Object.entries(cap.extra ?? {})) if (known.has(k)) given[k] = x;
      const val = fill(cap.struct, v, version, given, pat, skip);
      const ct = cap.ctype ?? cType(cap.struct);
      let memberType = ct,
        init;
      const extra = {};
      for (const [k, x] of Object.entries(cap.extra ?? {})) extra[k] = x;
      if (l.trailing) {
        const wt = `struct ${sym}_c${i}_t`;
        let elems;
        if (l.trailing.kind === "bytes") {
          const bytes = cap.ebcdic
            ? toEbcdic(cap.ebcdic, cap.n)
            : Uint8Array.from({ length: cap.n }, () => pat.next("u8"));
          val[l.trailing.path] = bytes;
          c += `${wt} { ${ct} h; __u8 a[${cap.n}]; };\n`;
          elems = `{ ${[...bytes].map((b) => `0x${b.toString(16)}`).join(", ")} }`;
        } else {
          const arr = Array.from({ length: cap.n }, () => fill(l.trailing.of, v, undefined, {}, pat));
          val[l.trailing.path] = arr;
          c += `${wt} { ${ct} h; ${cType(l.trailing.of)} a[${cap.n}]; };\n`;
          elems = `{ ${arr.map((e) => cInit(l.trailing.of, v, undefined, e)).join(", ")} }`;
        }
        // the kernel's size is sizeof(cap) + n * sizeof(elem): no padding in the wrapper
        c += `_Static_assert(sizeof(${wt}) == sizeof(${ct}) + ${cap.n} * sizeof(((${wt} *)0)->a[0]), "wrapper adds padding");\n`;
        c += `_Static_assert(offsetof(${wt}, a) == offsetof(${ct}, ${l.trailing.path}), "trailing array not at its offset");\n`;
        memberType = wt;
        init = `{ .h = ${cInit(cap.struct, v, version, val, extra)}, .a = ${elems} }`;
      } else {
        init = cInit(cap.struct, v, version, val, extra);
      }
      members.push(`${memberType} c${i};`);
      if (align8) members.push(`unsigned char p${i}[(8 - sizeof(${memberType}) % 8) % 8];`);
      inits.push(`.c${i} = ${init}`);
      capsExpect.push({ value: val, struct: cap.struct, version, extra: cap.extra, id: cap.id ?? s.id });
    });
    c += `${T} {\n  ${members.join("\n  ")}\n} __attribute__((packed));\n`;
    c += `${T} ${sym} = {\n  ${inits.join(",\n  ")}\n};\n`;
    c += `unsigned long long ${metaSym}[] = { sizeof(${T}), ${capsHere.map((_, i) => `offsetof(${T}, c${i})`).join(", ")} };\n`;
    out.push({ ...cs, caps: capsHere, sym, metaSym, expect: fixedVal, capsExpect });
  }
  return { c, cases: out };
}

/** Does a case run in a unit? "all" = every header generation whose release has its structs. */
function caseInUnit(cs, unit) {
  if (cs.units !== "all") return cs.units.includes(unit.id);
  if (!unit.release) return false;
  const need = [cs.since, structs[cs.struct].since, cs.tail?.struct && structs[cs.tail.struct].since];
  return need.every((x) => inRelease(unit.release, x));
}

/**
 * A single struct with its trailing member: a payload struct (VFIO_DEVICE_FEATURE data, the
 * vfio_bitmap of an unmap), raw payload bytes (a VF token), or an array (hot reset devices or group
 * fds, dma_buf ranges), laid out in a packed wrapper whose member sits at the flexible member's
 * offsetof (asserted). Returns the C text; pushes the expectation to `out`.
 */
function tailCase(cs, v, sym, metaSym, pat, out) {
  const t = cType(cs.struct);
  const l = layout(cs.struct, v);
  const T = `struct ${sym}_t`;
  const tr = l.trailing;
  let c = "";
  const given = { ...(cs.fixed ?? {}) };
  if (structs[cs.struct].fields[0].name === "argsz") given.argsz = { c: `sizeof(${T})` };
  let tailMember, tailInit, tailVal;
  const arrayOf = (lt, n, values = []) => {
    // elements of a counted array: structs or scalars
    if (lt.elem.scalar) {
      const xs = Array.from({ length: n }, (_, i) => values[i] ?? pat.next(lt.elem.scalar));
      return {
        member: `__${lt.elem.scalar === "s32" ? "s32" : "u32"} a[${n}];`,
        init: `{ ${xs.map((x) => lit(x, lt.elem.scalar)).join(", ")} }`,
        val: xs,
      };
    }
    const es = Array.from({ length: n }, (_, i) => fill(lt.of, v, undefined, values[i] ?? {}, pat));
    return {
      member: `${cType(lt.of)} a[${n}];`,
      init: `{ ${es.map((e) => cInit(lt.of, v, undefined, e)).join(", ")} }`,
      val: es,
    };
  };
  if (tr.kind === "array") {
    given[tr.count] = cs.tail.n;
    const a = arrayOf(tr, cs.tail.n, cs.tail.values);
    [tailMember, tailInit, tailVal] = [a.member, a.init, a.val];
  } else if (cs.tail.bytes) {
    const bytes = Uint8Array.from({ length: cs.tail.bytes }, () => pat.next("u8"));
    [tailMember, tailInit, tailVal] = [
      `__u8 a[${cs.tail.bytes}];`,
      `{ ${[...bytes].map((b) => `0x${b.toString(16)}`).join(", ")} }`,
      bytes,
    ];
  } else {
    const ps = cs.tail.struct;
    const pl = layout(ps, v);
    const pgiven = { ...(Array.isArray(cs.tail.values) ? {} : (cs.tail.values ?? {})) };
    if (pl.trailing) pgiven[pl.trailing.count] = cs.tail.n;
    const pval = fill(ps, v, undefined, pgiven, pat);
    if (pl.trailing) {
      const a = arrayOf(pl.trailing, cs.tail.n);
      pval[pl.trailing.path] = a.val;
      const PT = `struct ${sym}_p_t`;
      c += `${PT} { ${cType(ps)} h; ${a.member} } __attribute__((packed));\n`;
      c += `_Static_assert(offsetof(${PT}, a) == offsetof(${cType(ps)}, ${pl.trailing.path}), "payload array not at its offset");\n`;
      [tailMember, tailInit] = [`${PT} a;`, `{ .h = ${cInit(ps, v, undefined, pval)}, .a = ${a.init} }`];
    } else [tailMember, tailInit] = [`${cType(ps)} a;`, cInit(ps, v, undefined, pval)];
    tailVal = pval;
  }
  const val = fill(cs.struct, v, undefined, given, pat);
  c += `${T} { ${t} h; ${tailMember} } __attribute__((packed));\n`;
  c += `_Static_assert(offsetof(${T}, a) == offsetof(${t}, ${tr.path}), "trailing member not at its offset");\n`;
  c += `${T} ${sym} = { .h = ${cInit(cs.struct, v, undefined, val)}, .a = ${tailInit} };\n`;
  c += `unsigned long long ${metaSym}[] = { sizeof(${T}) };\n`;
  val[tr.path] = tailVal;
  out.push({ ...cs, sym, metaSym, expect: val, caps: undefined, standalone: true });
  return c;
}

export const goldenUnits = () => units().filter((u) => CASES.some((cs) => caseInUnit(cs, u)));
