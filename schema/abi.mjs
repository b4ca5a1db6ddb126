// The VFIO ABI described once, as data. Everything else derives from this file:
// assembly/generated/layout.ts, bindings/generated/schema.ts, the C reference checks,
// the wasm C header, the syzlang description and the docs. Run `npm run gen` after editing.
//
// Names are the kernel header's (include/uapi/linux/vfio.h, vfio_zdev.h). Offsets are NOT written
// here: they are computed with C layout rules per ABI (lp64 / ilp32) and epoch by schema/layout.mjs
// and then checked against gcc on the real headers (tests/c). A hand-typed offset is not evidence.
//
// Field types: u8 u16 u32 s32 u64 (plain __u64: 4-aligned on i386), `aligned: true` = __aligned_u64,
// `aligned: "6.6"` = __aligned_u64 only from that epoch on. `since: "6.6"` = field exists from that
// epoch on. `version: N` (caps) = field exists from capability version N on. `proposal: P` = field
// exists only when proposal profile P is enabled (never by default: upstream Linux is the default).
// Trailing members: {type:"payload"} (vfio_irq_set data[]), {type:"array", of, count} (element
// count held in another field), {type:"bytes", length} (byte count held in another field).

export const epochs = ["6.1", "6.6"];

/** Named ABIs: byte order and data model. Big-endian s390x/ppc64; i386 aligns plain u64 to 4. */
export const arches = {
  x86_64: { endian: "little", model: "lp64", ioctl: "generic" },
  aarch64: { endian: "little", model: "lp64", ioctl: "generic" },
  i386: { endian: "little", model: "ilp32", ioctl: "generic" },
  s390x: { endian: "big", model: "lp64", ioctl: "generic" },
  ppc64: { endian: "big", model: "lp64", ioctl: "powerpc" },
  ppc64le: { endian: "little", model: "lp64", ioctl: "powerpc" },
  mips: { endian: "big", model: "ilp32", ioctl: "mips" },
};

/** Never-merged proposals (vfio-abi.md §5). Opt-in only; each names what it adds. */
export const proposals = {
  "irq-info-caps": {
    doc: "Eric Auger, SMMUv3 nested stage v10-v12 07/13 (2020-21): vfio_irq_info.cap_offset, VFIO_IRQ_INFO_FLAG_CAPS, VFIO_IRQ_INFO_CAP_TYPE; 09/13 VFIO_IRQ_TYPE_NESTED/VFIO_IRQ_SUBTYPE_DMA_FAULT",
    source: "EA10/EA11-7/EA12",
  },
  "dma-fault-region": {
    doc: "Eric Auger v10-v12: VFIO_REGION_TYPE_NESTED (2, collides with CCW), VFIO_REGION_INFO_CAP_DMA_FAULT (6) / _RESPONSE (7), struct vfio_region_dma_fault{,_response}",
    source: "EA-REGION/EA11-12",
  },
  "platform-msi-v2": {
    doc: "Vikas Gupta RFC v2 (24 Nov 2020): VFIO_IRQ_TYPE_MSI, VFIO_IRQ_INFO_CAP_MSI_DESCS with msgs at offset 12; implies irq-info-caps",
    source: "VG2",
    implies: ["irq-info-caps"],
  },
  "platform-msi-v3": {
    doc: "Vikas Gupta RFC v3 (14 Dec 2020): VFIO_IRQ_INFO_CAP_MSI_DESCS with a reserved u32, msgs at offset 16; implies irq-info-caps",
    source: "VG3",
    implies: ["irq-info-caps"],
  },
  "device-flags-msi": {
    doc: "Vikas Gupta RFC v0 (5 Nov 2020): VFIO_DEVICE_FLAGS_MSI (1 << 8); rejected, the bit is VFIO_DEVICE_FLAGS_CDX upstream",
    source: "VG0",
  },
  "irq-affinity": {
    doc: "Fred Griffoul v6 (Jun 2024): VFIO_IRQ_INFO_CPUSET (1 << 4), VFIO_IRQ_SET_DATA_CPUSET (1 << 6)",
    source: "AFF2",
  },
};

export const flagSets = {
  vfio_device_info_flags: {
    bits: [
      { name: "VFIO_DEVICE_FLAGS_RESET", value: 0x1 },
      { name: "VFIO_DEVICE_FLAGS_PCI", value: 0x2 },
      { name: "VFIO_DEVICE_FLAGS_PLATFORM", value: 0x4 },
      { name: "VFIO_DEVICE_FLAGS_AMBA", value: 0x8 },
      { name: "VFIO_DEVICE_FLAGS_CCW", value: 0x10 },
      { name: "VFIO_DEVICE_FLAGS_AP", value: 0x20 },
      { name: "VFIO_DEVICE_FLAGS_FSL_MC", value: 0x40 },
      { name: "VFIO_DEVICE_FLAGS_CAPS", value: 0x80 },
      { name: "VFIO_DEVICE_FLAGS_CDX", value: 0x100, doc: "not in the 6.1 header" },
    ],
    proposed: [{ name: "VFIO_DEVICE_FLAGS_MSI", value: 0x100, proposal: "device-flags-msi" }],
  },
  vfio_region_info_flags: {
    bits: [
      { name: "VFIO_REGION_INFO_FLAG_READ", value: 0x1 },
      { name: "VFIO_REGION_INFO_FLAG_WRITE", value: 0x2 },
      { name: "VFIO_REGION_INFO_FLAG_MMAP", value: 0x4 },
      { name: "VFIO_REGION_INFO_FLAG_CAPS", value: 0x8 },
    ],
    proposed: [],
  },
  vfio_irq_info_flags: {
    bits: [
      { name: "VFIO_IRQ_INFO_EVENTFD", value: 0x1 },
      { name: "VFIO_IRQ_INFO_MASKABLE", value: 0x2 },
      { name: "VFIO_IRQ_INFO_AUTOMASKED", value: 0x4 },
      { name: "VFIO_IRQ_INFO_NORESIZE", value: 0x8 },
    ],
    proposed: [
      { name: "VFIO_IRQ_INFO_FLAG_CAPS", value: 0x10, proposal: "irq-info-caps" },
      { name: "VFIO_IRQ_INFO_CPUSET", value: 0x10, proposal: "irq-affinity" },
    ],
  },
  vfio_irq_set_flags: {
    bits: [
      { name: "VFIO_IRQ_SET_DATA_NONE", value: 0x1 },
      { name: "VFIO_IRQ_SET_DATA_BOOL", value: 0x2 },
      { name: "VFIO_IRQ_SET_DATA_EVENTFD", value: 0x4 },
      { name: "VFIO_IRQ_SET_ACTION_MASK", value: 0x8 },
      { name: "VFIO_IRQ_SET_ACTION_UNMASK", value: 0x10 },
      { name: "VFIO_IRQ_SET_ACTION_TRIGGER", value: 0x20 },
    ],
    proposed: [{ name: "VFIO_IRQ_SET_DATA_CPUSET", value: 0x40, proposal: "irq-affinity" }],
  },
  vfio_iommu_type1_info_flags: {
    bits: [
      { name: "VFIO_IOMMU_INFO_PGSIZES", value: 0x1 },
      { name: "VFIO_IOMMU_INFO_CAPS", value: 0x2 },
    ],
    proposed: [],
  },
  vfio_device_info_zpci_flags: {
    bits: [{ name: "VFIO_DEVICE_INFO_ZPCI_FLAG_REFRESH", value: 0x1 }],
    proposed: [],
  },
  vfio_device_info_pci_atomic_comp_flags: {
    bits: [
      { name: "VFIO_PCI_ATOMIC_COMP32", value: 0x1 },
      { name: "VFIO_PCI_ATOMIC_COMP64", value: 0x2 },
      { name: "VFIO_PCI_ATOMIC_COMP128", value: 0x4 },
    ],
    proposed: [],
  },
};

/** Bit masks the kernel validates against (vfio_set_irqs_validate_and_prepare). */
export const masks = {
  VFIO_IRQ_SET_DATA_TYPE_MASK: 0x07,
  VFIO_IRQ_SET_ACTION_TYPE_MASK: 0x38,
};

export const enums = {
  vfio_pci_irq_index: {
    values: [
      { name: "VFIO_PCI_INTX_IRQ_INDEX", value: 0 },
      { name: "VFIO_PCI_MSI_IRQ_INDEX", value: 1 },
      { name: "VFIO_PCI_MSIX_IRQ_INDEX", value: 2 },
      { name: "VFIO_PCI_ERR_IRQ_INDEX", value: 3 },
      { name: "VFIO_PCI_REQ_IRQ_INDEX", value: 4 },
    ],
    count: { name: "VFIO_PCI_NUM_IRQS", value: 5 },
  },
  vfio_pci_region_index: {
    values: [
      { name: "VFIO_PCI_BAR0_REGION_INDEX", value: 0 },
      { name: "VFIO_PCI_BAR1_REGION_INDEX", value: 1 },
      { name: "VFIO_PCI_BAR2_REGION_INDEX", value: 2 },
      { name: "VFIO_PCI_BAR3_REGION_INDEX", value: 3 },
      { name: "VFIO_PCI_BAR4_REGION_INDEX", value: 4 },
      { name: "VFIO_PCI_BAR5_REGION_INDEX", value: 5 },
      { name: "VFIO_PCI_ROM_REGION_INDEX", value: 6 },
      { name: "VFIO_PCI_CONFIG_REGION_INDEX", value: 7 },
      { name: "VFIO_PCI_VGA_REGION_INDEX", value: 8 },
    ],
    count: { name: "VFIO_PCI_NUM_REGIONS", value: 9 },
  },
  vfio_ccw_irq_index: {
    values: [
      { name: "VFIO_CCW_IO_IRQ_INDEX", value: 0 },
      { name: "VFIO_CCW_CRW_IRQ_INDEX", value: 1 },
      { name: "VFIO_CCW_REQ_IRQ_INDEX", value: 2 },
    ],
    count: { name: "VFIO_CCW_NUM_IRQS", value: 3 },
  },
  vfio_ccw_region_index: {
    values: [{ name: "VFIO_CCW_CONFIG_REGION_INDEX", value: 0 }],
    count: { name: "VFIO_CCW_NUM_REGIONS", value: 1 },
  },
  vfio_ap_irq_index: {
    values: [
      { name: "VFIO_AP_REQ_IRQ_INDEX", value: 0 },
      { name: "VFIO_AP_CFG_CHG_IRQ_INDEX", value: 1, doc: "Linux 6.15" },
    ],
    count: { name: "VFIO_AP_NUM_IRQS", value: 2 },
  },
  vfio_region_type: {
    values: [
      { name: "VFIO_REGION_TYPE_GFX", value: 1 },
      { name: "VFIO_REGION_TYPE_CCW", value: 2 },
      { name: "VFIO_REGION_TYPE_MIGRATION_DEPRECATED", value: 3 },
    ],
    proposed: [{ name: "VFIO_REGION_TYPE_NESTED", value: 2, proposal: "dma-fault-region" }],
    // type = VFIO_REGION_TYPE_PCI_VENDOR_TYPE | vendor id
    vendorBit: {
      name: "VFIO_REGION_TYPE_PCI_VENDOR_TYPE",
      value: 0x80000000,
      mask: "VFIO_REGION_TYPE_PCI_VENDOR_MASK",
      maskValue: 0xffff,
    },
  },
  // Subtypes are scoped by type ("0x80008086" = Intel vendor type).
  vfio_region_subtype: {
    byType: {
      "0x80008086": [
        { name: "VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION", value: 1 },
        { name: "VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG", value: 2 },
        { name: "VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG", value: 3 },
      ],
      "0x800010de": [{ name: "VFIO_REGION_SUBTYPE_NVIDIA_NVLINK2_RAM", value: 1, doc: "deprecated" }],
      "0x80001014": [{ name: "VFIO_REGION_SUBTYPE_IBM_NVLINK2_ATSD", value: 1, doc: "deprecated" }],
      1: [{ name: "VFIO_REGION_SUBTYPE_GFX_EDID", value: 1 }],
      2: [
        { name: "VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD", value: 1 },
        { name: "VFIO_REGION_SUBTYPE_CCW_SCHIB", value: 2 },
        { name: "VFIO_REGION_SUBTYPE_CCW_CRW", value: 3 },
      ],
      3: [{ name: "VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED", value: 1 }],
    },
    proposedByType: {
      2: [
        { name: "VFIO_REGION_SUBTYPE_NESTED_DMA_FAULT", value: 1, proposal: "dma-fault-region" },
        { name: "VFIO_REGION_SUBTYPE_NESTED_DMA_FAULT_RESPONSE", value: 2, proposal: "dma-fault-region" },
      ],
    },
  },
  vfio_irq_type: {
    values: [],
    proposed: [
      { name: "VFIO_IRQ_TYPE_NESTED", value: 1, proposal: "irq-info-caps" },
      { name: "VFIO_IRQ_TYPE_MSI", value: 1, proposal: "platform-msi-v2" },
      { name: "VFIO_IRQ_TYPE_MSI", value: 1, proposal: "platform-msi-v3" },
    ],
  },
  vfio_irq_subtype: {
    values: [],
    proposed: [{ name: "VFIO_IRQ_SUBTYPE_DMA_FAULT", value: 1, proposal: "irq-info-caps", type: 1 }],
  },
  vfio_iommu_type: {
    values: [
      { name: "VFIO_TYPE1_IOMMU", value: 1 },
      { name: "VFIO_SPAPR_TCE_IOMMU", value: 2 },
      { name: "VFIO_TYPE1v2_IOMMU", value: 3 },
      { name: "VFIO_DMA_CC_IOMMU", value: 4 },
      { name: "VFIO_EEH", value: 5 },
      { name: "VFIO_TYPE1_NESTING_IOMMU", value: 6, doc: "__VFIO_RESERVED_TYPE1_NESTING_IOMMU upstream" },
      { name: "VFIO_SPAPR_TCE_v2_IOMMU", value: 7 },
      { name: "VFIO_NOIOMMU_IOMMU", value: 8 },
      { name: "VFIO_UNMAP_ALL", value: 9 },
      { name: "VFIO_UPDATE_VADDR", value: 10 },
    ],
  },
};

const hdr = { name: "header", type: "struct", struct: "vfio_info_cap_header" };

/**
 * Structs. `kind`: "info" (an ioctl argument starting with argsz/flags), "cap" (a capability body,
 * starting with vfio_info_cap_header), "plain" (a nested element or region body).
 */
export const structs = {
  vfio_info_cap_header: {
    kind: "plain",
    doc: "Header of every capability. next is relative to the start of the INFO buffer; 0 ends the chain.",
    fields: [
      { name: "id", type: "u16" },
      { name: "version", type: "u16" },
      { name: "next", type: "u32" },
    ],
  },
  vfio_device_info: {
    kind: "info",
    ioctl: "VFIO_DEVICE_GET_INFO",
    doc: "Reply of VFIO_DEVICE_GET_INFO. 20 bytes up to 6.5, 24 bytes (pad) from 6.6.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_device_info_flags" },
      { name: "num_regions", type: "u32" },
      { name: "num_irqs", type: "u32" },
      { name: "cap_offset", type: "u32" },
      { name: "pad", type: "u32", since: "6.6" },
    ],
    minsz: "num_irqs",
    caps: { host: "vfio_device_info", offsetField: "cap_offset", flag: 0x80 },
  },
  vfio_region_info: {
    kind: "info",
    ioctl: "VFIO_DEVICE_GET_REGION_INFO",
    doc: "Reply of VFIO_DEVICE_GET_REGION_INFO.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_region_info_flags" },
      { name: "index", type: "u32", enum: "vfio_pci_region_index" },
      { name: "cap_offset", type: "u32" },
      { name: "size", type: "u64", aligned: "6.6" },
      { name: "offset", type: "u64", aligned: "6.6" },
    ],
    minsz: "offset",
    caps: { host: "vfio_region_info", offsetField: "cap_offset", flag: 0x8 },
  },
  vfio_irq_info: {
    kind: "info",
    ioctl: "VFIO_DEVICE_GET_IRQ_INFO",
    doc: "Request and reply of VFIO_DEVICE_GET_IRQ_INFO. Upstream has no capability chain here.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_irq_info_flags" },
      { name: "index", type: "u32", enum: "vfio_pci_irq_index" },
      { name: "count", type: "u32" },
      { name: "cap_offset", type: "u32", proposal: "irq-info-caps" },
    ],
    minsz: "count",
    caps: { host: "vfio_irq_info", offsetField: "cap_offset", flag: 0x10, proposal: "irq-info-caps" },
  },
  vfio_irq_set: {
    kind: "info",
    ioctl: "VFIO_DEVICE_SET_IRQS",
    doc: "Request of VFIO_DEVICE_SET_IRQS: 20-byte header + payload chosen by the DATA flag (none, count x u8, count x s32).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_irq_set_flags" },
      { name: "index", type: "u32", enum: "vfio_pci_irq_index" },
      { name: "start", type: "u32" },
      { name: "count", type: "u32" },
      {
        name: "data",
        type: "payload",
        count: "count",
        selector: "flags",
        cases: [
          { flag: 0x1, elem: null },
          { flag: 0x2, elem: "u8" },
          { flag: 0x4, elem: "s32" },
        ],
      },
    ],
    minsz: "count",
  },
  vfio_iommu_type1_info: {
    kind: "info",
    ioctl: "VFIO_IOMMU_GET_INFO",
    doc: "Reply of VFIO_IOMMU_GET_INFO (type1). 20 bytes on i386 with the 6.1 header, 24 with pad.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_iommu_type1_info_flags" },
      { name: "iova_pgsizes", type: "u64", aligned: "6.6" },
      { name: "cap_offset", type: "u32" },
      { name: "pad", type: "u32", since: "6.6" },
    ],
    minsz: "iova_pgsizes",
    caps: { host: "vfio_iommu_type1_info", offsetField: "cap_offset", flag: 0x2 },
  },
  // ---- region-info capabilities
  vfio_region_sparse_mmap_area: {
    kind: "plain",
    fields: [
      { name: "offset", type: "u64", aligned: "6.6" },
      { name: "size", type: "u64", aligned: "6.6" },
    ],
  },
  vfio_region_info_cap_sparse_mmap: {
    kind: "cap",
    host: "vfio_region_info",
    id: 1,
    name: "VFIO_REGION_INFO_CAP_SPARSE_MMAP",
    versions: [1],
    fields: [
      hdr,
      { name: "nr_areas", type: "u32" },
      { name: "reserved", type: "u32" },
      { name: "areas", type: "array", of: "vfio_region_sparse_mmap_area", count: "nr_areas" },
    ],
  },
  vfio_region_info_cap_type: {
    kind: "cap",
    host: "vfio_region_info",
    id: 2,
    name: "VFIO_REGION_INFO_CAP_TYPE",
    versions: [1],
    fields: [
      hdr,
      { name: "type", type: "u32", enum: "vfio_region_type" },
      { name: "subtype", type: "u32", enum: "vfio_region_subtype" },
    ],
  },
  vfio_region_info_cap_msix_mappable: {
    kind: "cap",
    host: "vfio_region_info",
    id: 3,
    name: "VFIO_REGION_INFO_CAP_MSIX_MAPPABLE",
    versions: [1],
    cName: "struct vfio_info_cap_header",
    fields: [hdr],
  },
  vfio_region_info_cap_nvlink2_ssatgt: {
    kind: "cap",
    host: "vfio_region_info",
    id: 4,
    name: "VFIO_REGION_INFO_CAP_NVLINK2_SSATGT",
    versions: [1],
    doc: "deprecated, no longer provided",
    fields: [hdr, { name: "tgt", type: "u64", aligned: "6.6" }],
  },
  vfio_region_info_cap_nvlink2_lnkspd: {
    kind: "cap",
    host: "vfio_region_info",
    id: 5,
    name: "VFIO_REGION_INFO_CAP_NVLINK2_LNKSPD",
    versions: [1],
    doc: "deprecated, no longer provided",
    fields: [hdr, { name: "link_speed", type: "u32" }, { name: "__pad", type: "u32" }],
  },
  vfio_region_info_cap_fault: {
    kind: "cap",
    host: "vfio_region_info",
    id: 6,
    name: "VFIO_REGION_INFO_CAP_DMA_FAULT",
    versions: [1],
    proposal: "dma-fault-region",
    alsoIds: [{ id: 7, name: "VFIO_REGION_INFO_CAP_DMA_FAULT_RESPONSE" }],
    fields: [hdr, { name: "version", type: "u32" }],
  },
  vfio_region_dma_fault: {
    kind: "plain",
    proposal: "dma-fault-region",
    doc: "Header of the proposed DMA fault region (never merged).",
    fields: [
      { name: "tail", type: "u32" },
      { name: "entry_size", type: "u32" },
      { name: "nb_entries", type: "u32" },
      { name: "offset", type: "u32" },
      { name: "head", type: "u32" },
    ],
  },
  vfio_region_dma_fault_response: {
    kind: "plain",
    proposal: "dma-fault-region",
    doc: "Header of the proposed DMA fault response region (never merged).",
    fields: [
      { name: "head", type: "u32" },
      { name: "entry_size", type: "u32" },
      { name: "nb_entries", type: "u32" },
      { name: "offset", type: "u32" },
      { name: "tail", type: "u32" },
    ],
  },
  // ---- device-info capabilities (s390 zPCI, PCI atomics)
  vfio_device_info_cap_zpci_base: {
    kind: "cap",
    host: "vfio_device_info",
    id: 1,
    name: "VFIO_DEVICE_INFO_CAP_ZPCI_BASE",
    versions: [1, 2],
    fields: [
      hdr,
      { name: "start_dma", type: "u64" },
      { name: "end_dma", type: "u64" },
      { name: "pchid", type: "u16" },
      { name: "vfn", type: "u16" },
      { name: "fmb_length", type: "u16" },
      { name: "pft", type: "u8" },
      { name: "gid", type: "u8" },
      { name: "fh", type: "u32", version: 2 },
    ],
  },
  vfio_device_info_cap_zpci_group: {
    kind: "cap",
    host: "vfio_device_info",
    id: 2,
    name: "VFIO_DEVICE_INFO_CAP_ZPCI_GROUP",
    versions: [1, 2],
    fields: [
      hdr,
      { name: "dasm", type: "u64" },
      { name: "msi_addr", type: "u64" },
      { name: "flags", type: "u64", flags: "vfio_device_info_zpci_flags" },
      { name: "mui", type: "u16" },
      { name: "noi", type: "u16" },
      { name: "maxstbl", type: "u16" },
      { name: "version", type: "u8" },
      { name: "reserved", type: "u8", version: 2 },
      { name: "imaxstbl", type: "u16", version: 2 },
    ],
  },
  vfio_device_info_cap_zpci_util: {
    kind: "cap",
    host: "vfio_device_info",
    id: 3,
    name: "VFIO_DEVICE_INFO_CAP_ZPCI_UTIL",
    versions: [1],
    fields: [
      hdr,
      { name: "size", type: "u32" },
      { name: "util_str", type: "bytes", length: "size", encoding: "ebcdic" },
    ],
  },
  vfio_device_info_cap_zpci_pfip: {
    kind: "cap",
    host: "vfio_device_info",
    id: 4,
    name: "VFIO_DEVICE_INFO_CAP_ZPCI_PFIP",
    versions: [1],
    fields: [hdr, { name: "size", type: "u32" }, { name: "pfip", type: "bytes", length: "size" }],
  },
  vfio_device_info_cap_pci_atomic_comp: {
    kind: "cap",
    host: "vfio_device_info",
    id: 5,
    name: "VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP",
    versions: [1],
    doc: "not in the 6.1 header",
    fields: [
      hdr,
      { name: "flags", type: "u32", flags: "vfio_device_info_pci_atomic_comp_flags" },
      { name: "reserved", type: "u32" },
    ],
  },
  // ---- type1 IOMMU capabilities
  vfio_iova_range: {
    kind: "plain",
    fields: [
      { name: "start", type: "u64" },
      { name: "end", type: "u64" },
    ],
  },
  vfio_iommu_type1_info_cap_iova_range: {
    kind: "cap",
    host: "vfio_iommu_type1_info",
    id: 1,
    name: "VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE",
    versions: [1],
    fields: [
      hdr,
      { name: "nr_iovas", type: "u32" },
      { name: "reserved", type: "u32" },
      { name: "iova_ranges", type: "array", of: "vfio_iova_range", count: "nr_iovas" },
    ],
  },
  vfio_iommu_type1_info_cap_migration: {
    kind: "cap",
    host: "vfio_iommu_type1_info",
    id: 2,
    name: "VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION",
    versions: [1],
    fields: [
      hdr,
      { name: "flags", type: "u32" },
      { name: "pgsize_bitmap", type: "u64" },
      { name: "max_dirty_bitmap_size", type: "u64" },
    ],
  },
  vfio_iommu_type1_info_dma_avail: {
    kind: "cap",
    host: "vfio_iommu_type1_info",
    id: 3,
    name: "VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL",
    versions: [1],
    fields: [hdr, { name: "avail", type: "u32" }],
  },
  // ---- proposed irq-info capabilities (never merged)
  vfio_irq_info_cap_type: {
    kind: "cap",
    host: "vfio_irq_info",
    id: 3,
    name: "VFIO_IRQ_INFO_CAP_TYPE",
    versions: [1],
    proposal: "irq-info-caps",
    fields: [
      hdr,
      { name: "type", type: "u32", enum: "vfio_irq_type" },
      { name: "subtype", type: "u32", enum: "vfio_irq_subtype" },
    ],
  },
  vfio_irq_msi_msg: {
    kind: "plain",
    proposal: "platform-msi-v2",
    fields: [
      { name: "addr_lo", type: "u32" },
      { name: "addr_hi", type: "u32" },
      { name: "data", type: "u32" },
    ],
  },
  vfio_irq_info_cap_msi_v2: {
    kind: "cap",
    host: "vfio_irq_info",
    id: 4,
    name: "VFIO_IRQ_INFO_CAP_MSI_DESCS",
    versions: [1],
    proposal: "platform-msi-v2",
    cName: "struct vfio_irq_info_cap_msi",
    fields: [
      hdr,
      { name: "nr_msgs", type: "u32" },
      { name: "msgs", type: "array", of: "vfio_irq_msi_msg", count: "nr_msgs" },
    ],
  },
  vfio_irq_info_cap_msi: {
    kind: "cap",
    host: "vfio_irq_info",
    id: 4,
    name: "VFIO_IRQ_INFO_CAP_MSI_DESCS",
    versions: [1],
    proposal: "platform-msi-v3",
    fields: [
      hdr,
      { name: "nr_msgs", type: "u32" },
      { name: "reserved", type: "u32" },
      { name: "msgs", type: "array", of: "vfio_irq_msi_msg", count: "nr_msgs" },
    ],
  },
};

/** VFIO ioctls: _IO(VFIO_TYPE, VFIO_BASE + nr). fd: container | group | device | mig. */
export const ioctlBase = { type: 0x3b, base: 100 };
export const ioctls = [
  { name: "VFIO_GET_API_VERSION", nr: 0, fd: "container", dir: "none", arg: null },
  { name: "VFIO_CHECK_EXTENSION", nr: 1, fd: "container", dir: "none", arg: "int" },
  { name: "VFIO_SET_IOMMU", nr: 2, fd: "container", dir: "none", arg: "int" },
  { name: "VFIO_GROUP_GET_STATUS", nr: 3, fd: "group", dir: "inout", arg: "vfio_group_status" },
  { name: "VFIO_GROUP_SET_CONTAINER", nr: 4, fd: "group", dir: "in", arg: "int *" },
  { name: "VFIO_GROUP_UNSET_CONTAINER", nr: 5, fd: "group", dir: "none", arg: null },
  { name: "VFIO_GROUP_GET_DEVICE_FD", nr: 6, fd: "group", dir: "in", arg: "char *" },
  { name: "VFIO_DEVICE_GET_INFO", nr: 7, fd: "device", dir: "inout", arg: "vfio_device_info" },
  { name: "VFIO_DEVICE_GET_REGION_INFO", nr: 8, fd: "device", dir: "inout", arg: "vfio_region_info" },
  { name: "VFIO_DEVICE_GET_IRQ_INFO", nr: 9, fd: "device", dir: "inout", arg: "vfio_irq_info" },
  { name: "VFIO_DEVICE_SET_IRQS", nr: 10, fd: "device", dir: "in", arg: "vfio_irq_set" },
  { name: "VFIO_DEVICE_RESET", nr: 11, fd: "device", dir: "none", arg: null },
  { name: "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", nr: 12, fd: "device", dir: "inout", arg: "vfio_pci_hot_reset_info" },
  { name: "VFIO_IOMMU_GET_INFO", nr: 12, fd: "container", dir: "inout", arg: "vfio_iommu_type1_info" },
  { name: "VFIO_IOMMU_SPAPR_TCE_GET_INFO", nr: 12, fd: "container", dir: "inout", arg: "vfio_iommu_spapr_tce_info" },
  { name: "VFIO_DEVICE_PCI_HOT_RESET", nr: 13, fd: "device", dir: "in", arg: "vfio_pci_hot_reset" },
  { name: "VFIO_IOMMU_MAP_DMA", nr: 13, fd: "container", dir: "in", arg: "vfio_iommu_type1_dma_map" },
  { name: "VFIO_DEVICE_QUERY_GFX_PLANE", nr: 14, fd: "device", dir: "inout", arg: "vfio_device_gfx_plane_info" },
  { name: "VFIO_IOMMU_UNMAP_DMA", nr: 14, fd: "container", dir: "inout", arg: "vfio_iommu_type1_dma_unmap" },
  { name: "VFIO_DEVICE_GET_GFX_DMABUF", nr: 15, fd: "device", dir: "in", arg: "__u32" },
  { name: "VFIO_IOMMU_ENABLE", nr: 15, fd: "container", dir: "none", arg: null },
  { name: "VFIO_DEVICE_IOEVENTFD", nr: 16, fd: "device", dir: "in", arg: "vfio_device_ioeventfd" },
  { name: "VFIO_IOMMU_DISABLE", nr: 16, fd: "container", dir: "none", arg: null },
  { name: "VFIO_DEVICE_FEATURE", nr: 17, fd: "device", dir: "inout", arg: "vfio_device_feature" },
  { name: "VFIO_IOMMU_DIRTY_PAGES", nr: 17, fd: "container", dir: "inout", arg: "vfio_iommu_type1_dirty_bitmap" },
  {
    name: "VFIO_IOMMU_SPAPR_REGISTER_MEMORY",
    nr: 17,
    fd: "container",
    dir: "in",
    arg: "vfio_iommu_spapr_register_memory",
  },
  {
    name: "VFIO_DEVICE_BIND_IOMMUFD",
    nr: 18,
    fd: "device",
    dir: "inout",
    arg: "vfio_device_bind_iommufd",
    since: "6.6",
  },
  {
    name: "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY",
    nr: 18,
    fd: "container",
    dir: "in",
    arg: "vfio_iommu_spapr_register_memory",
  },
  {
    name: "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
    nr: 19,
    fd: "device",
    dir: "inout",
    arg: "vfio_device_attach_iommufd_pt",
    since: "6.6",
  },
  { name: "VFIO_IOMMU_SPAPR_TCE_CREATE", nr: 19, fd: "container", dir: "inout", arg: "vfio_iommu_spapr_tce_create" },
  {
    name: "VFIO_DEVICE_DETACH_IOMMUFD_PT",
    nr: 20,
    fd: "device",
    dir: "in",
    arg: "vfio_device_detach_iommufd_pt",
    since: "6.6",
  },
  { name: "VFIO_IOMMU_SPAPR_TCE_REMOVE", nr: 20, fd: "container", dir: "in", arg: "vfio_iommu_spapr_tce_remove" },
  { name: "VFIO_EEH_PE_OP", nr: 21, fd: "container", dir: "in", arg: "vfio_eeh_pe_op" },
  { name: "VFIO_MIG_GET_PRECOPY_INFO", nr: 21, fd: "mig", dir: "inout", arg: "vfio_precopy_info", since: "6.6" },
];
