// The VFIO ABI described once, as data. Everything else derives from this file:
// assembly/generated/layout.ts, bindings/generated/schema.ts, the C reference checks,
// the wasm C header, the syzlang description and the docs. Run `npm run gen` after editing.
//
// Names are the kernel header's (include/uapi/linux/vfio.h, vfio_zdev.h). Offsets are NOT written
// here: they are computed with C layout rules per ABI (lp64 / ilp32) and epoch by schema/layout.mjs
// and then checked against gcc on the real headers (tests/c). A hand-typed offset is not evidence.
//
// Field types: u8 u16 u32 s32 u64 (plain __u64: 4-aligned on i386), ptr (a user pointer such as
// `__u64 __user *`: 8 bytes on lp64, 4 on ilp32), {type:"struct", struct} (an embedded struct).
// `aligned: true` = __aligned_u64, `aligned: "6.7"` = __aligned_u64 from Linux 6.7 on.
//
// Version history, as Linux releases ("6.15" = first release whose header carries the item):
//   `since` on a field: the struct grew by that field in that release (argsz-extensible: older callers
//   send the shorter size, and a decoder takes the field only when argsz covers it). On a struct,
//   flag bit, enum value, ioctl or constant: the release that added it. `until`: the last release
//   that carried an item that was later removed or renamed (the replacement says `since`).
//   `was: [{value, until}]` = earlier values of a count constant.
//   Items without `since` are in every header the project checks (Linux 6.1 and later).
//   The codec lays structs out with two rule sets ("layout epochs"): "6.1" (up to 6.5: plain
//   __u64, capabilities packed) and "6.7" (pad fields from 6.6, __aligned_u64 from 6.7,
//   capabilities 8-aligned). "6.6" is accepted as an alias of "6.7".
// `version: N` (caps) = field exists from capability version N on. `proposal: P` = field
// exists only when proposal profile P is enabled (never by default: upstream Linux is the default).
// Enums: `cEnum: true` = a C enum in the header (the others are #defines).
// `alt: [{name, when, enum}]` = other names of the same bytes (a C union): `when` {flag, in} picks
// the name from a flag of the ioctl argument (`in`, default the struct itself).
// Trailing members: {type:"payload", selector, cases} (bytes after the fixed part whose type a
// selector field picks: vfio_irq_set data[], vfio_device_feature data[]), {type:"array", of, count}
// (element count held in another field; `of` a struct or a scalar type; `short: "needs"` = a reply
// whose argsz cannot hold the elements asks for a larger argsz), {type:"bytes", length} (byte count
// held in another field).

/** Layout epochs of the codec's tables. Any release from 6.6 on selects "6.7"; "6.6" is an alias. */
export const epochs = ["6.1", "6.7"];
export const epochAliases = { 6.6: "6.7" };

/** The header generations the project checks with gcc (tests/c), oldest first. */
export const headers = ["6.1", "6.12", "7.2", "7.3"];

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

/** Never-merged proposals (posted upstream, never in a kernel). Opt-in only; each names what it adds. */
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
      { name: "VFIO_DEVICE_FLAGS_CDX", value: 0x100, since: "6.5" },
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
      { name: "VFIO_PCI_ATOMIC_COMP32", value: 0x1, since: "6.5" },
      { name: "VFIO_PCI_ATOMIC_COMP64", value: 0x2, since: "6.5" },
      { name: "VFIO_PCI_ATOMIC_COMP128", value: 0x4, since: "6.5" },
    ],
    proposed: [],
  },
  vfio_group_status_flags: {
    bits: [
      { name: "VFIO_GROUP_FLAGS_VIABLE", value: 0x1 },
      { name: "VFIO_GROUP_FLAGS_CONTAINER_SET", value: 0x2 },
    ],
    proposed: [],
  },
  vfio_pci_hot_reset_info_flags: {
    bits: [
      {
        name: "VFIO_PCI_HOT_RESET_FLAG_DEV_ID",
        value: 0x1,
        since: "6.6",
        doc: "devices[] carry devids (cdev), not group ids",
      },
      {
        name: "VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED",
        value: 0x2,
        since: "6.6",
        doc: "every affected device is owned by the caller's iommufd",
      },
    ],
    proposed: [],
  },
  vfio_gfx_plane_flags: {
    bits: [
      { name: "VFIO_GFX_PLANE_TYPE_PROBE", value: 0x1 },
      { name: "VFIO_GFX_PLANE_TYPE_DMABUF", value: 0x2 },
      { name: "VFIO_GFX_PLANE_TYPE_REGION", value: 0x4 },
    ],
    proposed: [],
  },
  vfio_device_ioeventfd_flags: {
    bits: [
      { name: "VFIO_DEVICE_IOEVENTFD_8", value: 0x1 },
      { name: "VFIO_DEVICE_IOEVENTFD_16", value: 0x2 },
      { name: "VFIO_DEVICE_IOEVENTFD_32", value: 0x4 },
      { name: "VFIO_DEVICE_IOEVENTFD_64", value: 0x8 },
    ],
    proposed: [],
  },
  // The low 16 bits are the feature index (VFIO_DEVICE_FEATURE_MASK), named by the enum.
  vfio_device_feature_flags: {
    bits: [
      { name: "VFIO_DEVICE_FEATURE_GET", value: 0x10000 },
      { name: "VFIO_DEVICE_FEATURE_SET", value: 0x20000 },
      { name: "VFIO_DEVICE_FEATURE_PROBE", value: 0x40000 },
    ],
    valueMask: { mask: "VFIO_DEVICE_FEATURE_MASK", enum: "vfio_device_feature_id" },
    proposed: [],
  },
  vfio_device_bind_iommufd_flags: {
    bits: [
      {
        name: "VFIO_DEVICE_BIND_FLAG_TOKEN",
        value: 0x1,
        since: "6.17",
        doc: "token_uuid_ptr points to the 16-byte VF token",
      },
    ],
    proposed: [],
  },
  vfio_device_attach_iommufd_pt_flags: {
    bits: [
      {
        name: "VFIO_DEVICE_ATTACH_PASID",
        value: 0x1,
        since: "6.15",
        doc: "attach the PASID in pasid (argsz must cover it)",
      },
    ],
    proposed: [],
  },
  vfio_device_detach_iommufd_pt_flags: {
    bits: [
      {
        name: "VFIO_DEVICE_DETACH_PASID",
        value: 0x1,
        since: "6.15",
        doc: "detach the PASID in pasid (argsz must cover it)",
      },
    ],
    proposed: [],
  },
  vfio_migration_flags: {
    bits: [
      { name: "VFIO_MIGRATION_STOP_COPY", value: 0x1 },
      { name: "VFIO_MIGRATION_P2P", value: 0x2 },
      { name: "VFIO_MIGRATION_PRE_COPY", value: 0x4, since: "6.3" },
    ],
    proposed: [],
  },
  vfio_precopy_info_flags: {
    bits: [
      {
        name: "VFIO_PRECOPY_INFO_REINIT",
        value: 0x1,
        since: "7.1",
        doc: "initial_bytes grew again (reported only after the MIG_PRECOPY_INFOv2 opt-in)",
      },
    ],
    proposed: [],
  },
  vfio_dma_map_flags: {
    bits: [
      { name: "VFIO_DMA_MAP_FLAG_READ", value: 0x1 },
      { name: "VFIO_DMA_MAP_FLAG_WRITE", value: 0x2 },
      { name: "VFIO_DMA_MAP_FLAG_VADDR", value: 0x4 },
    ],
    proposed: [],
  },
  vfio_dma_unmap_flags: {
    bits: [
      { name: "VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP", value: 0x1 },
      { name: "VFIO_DMA_UNMAP_FLAG_ALL", value: 0x2 },
      { name: "VFIO_DMA_UNMAP_FLAG_VADDR", value: 0x4 },
    ],
    proposed: [],
  },
  vfio_iommu_dirty_pages_flags: {
    bits: [
      { name: "VFIO_IOMMU_DIRTY_PAGES_FLAG_START", value: 0x1 },
      { name: "VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP", value: 0x2 },
      { name: "VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP", value: 0x4 },
    ],
    proposed: [],
  },
  vfio_iommu_spapr_info_flags: {
    bits: [{ name: "VFIO_IOMMU_SPAPR_INFO_DDW", value: 0x1 }],
    proposed: [],
  },
  // Migration v1 (deprecated) device_state: a bit set whose empty value has a name.
  vfio_device_state_v1: {
    bits: [
      { name: "VFIO_DEVICE_STATE_V1_STOP", value: 0x0 },
      { name: "VFIO_DEVICE_STATE_V1_RUNNING", value: 0x1 },
      { name: "VFIO_DEVICE_STATE_V1_SAVING", value: 0x2 },
      { name: "VFIO_DEVICE_STATE_V1_RESUMING", value: 0x4 },
    ],
    proposed: [],
  },
};

/** Bit masks the kernel validates against (vfio_set_irqs_validate_and_prepare). */
export const masks = {
  VFIO_IRQ_SET_DATA_TYPE_MASK: 0x07,
  VFIO_IRQ_SET_ACTION_TYPE_MASK: 0x38,
  VFIO_DEVICE_FEATURE_MASK: 0xffff,
  VFIO_DEVICE_IOEVENTFD_SIZE_MASK: 0xf,
  VFIO_DEVICE_STATE_MASK: 0x7,
};

/** Other named values of the header. */
export const constants = {
  VFIO_API_VERSION: { value: 0, doc: "what VFIO_GET_API_VERSION returns" },
};

/** Function-like macros of the header (computations, not values): what each tests. */
export const helperMacros = {
  VFIO_DEVICE_STATE_VALID: "migration v1: a RESUMING state has no other bit set",
  VFIO_DEVICE_STATE_IS_ERROR: "migration v1: SAVING | RESUMING together means the device is in error",
  VFIO_DEVICE_STATE_SET_ERROR: "migration v1: the state with SAVING | RESUMING set",
};

/** Strings of the header: the mdev `device_api` sysfs attribute (not ioctl data). */
export const strings = {
  VFIO_DEVICE_API_PCI_STRING: "vfio-pci",
  VFIO_DEVICE_API_PLATFORM_STRING: "vfio-platform",
  VFIO_DEVICE_API_AMBA_STRING: "vfio-amba",
  VFIO_DEVICE_API_CCW_STRING: "vfio-ccw",
  VFIO_DEVICE_API_AP_STRING: "vfio-ap",
};

/**
 * What an IRQ index means depends on the device type (VFIO_DEVICE_FLAGS_*): PCI, CCW and AP have
 * enums; platform, AMBA and fsl-mc indexes are the device's own interrupt numbers; vfio-cdx has one
 * MSI index (0) whose count is the number of vectors. `null` = device-defined, shown as a number.
 */
export const irqIndexByDevice = {
  pci: { flag: "VFIO_DEVICE_FLAGS_PCI", enum: "vfio_pci_irq_index" },
  platform: { flag: "VFIO_DEVICE_FLAGS_PLATFORM", enum: null },
  amba: { flag: "VFIO_DEVICE_FLAGS_AMBA", enum: null },
  ccw: { flag: "VFIO_DEVICE_FLAGS_CCW", enum: "vfio_ccw_irq_index" },
  ap: { flag: "VFIO_DEVICE_FLAGS_AP", enum: "vfio_ap_irq_index" },
  "fsl-mc": { flag: "VFIO_DEVICE_FLAGS_FSL_MC", enum: null },
  cdx: { flag: "VFIO_DEVICE_FLAGS_CDX", enum: "vfio_cdx_irq_index" },
};

export const enums = {
  vfio_pci_irq_index: {
    cEnum: true,
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
    cEnum: true,
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
    cEnum: true,
    values: [
      { name: "VFIO_CCW_IO_IRQ_INDEX", value: 0 },
      { name: "VFIO_CCW_CRW_IRQ_INDEX", value: 1 },
      { name: "VFIO_CCW_REQ_IRQ_INDEX", value: 2 },
    ],
    count: { name: "VFIO_CCW_NUM_IRQS", value: 3 },
  },
  vfio_ccw_region_index: {
    cEnum: true,
    values: [{ name: "VFIO_CCW_CONFIG_REGION_INDEX", value: 0 }],
    count: { name: "VFIO_CCW_NUM_REGIONS", value: 1 },
  },
  vfio_ap_irq_index: {
    cEnum: true,
    values: [
      { name: "VFIO_AP_REQ_IRQ_INDEX", value: 0, since: "6.2" },
      { name: "VFIO_AP_CFG_CHG_IRQ_INDEX", value: 1, since: "6.15" },
    ],
    count: { name: "VFIO_AP_NUM_IRQS", value: 2, since: "6.2", was: [{ value: 1, until: "6.14" }] },
  },
  // vfio-cdx has no header enum: index 0 is MSI, its count the number of vectors (a label only).
  vfio_cdx_irq_index: {
    values: [],
    labels: [{ label: "MSI (vfio-cdx)", value: 0 }],
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
      {
        name: "__VFIO_RESERVED_TYPE1_NESTING_IOMMU",
        value: 6,
        since: "6.13",
        aliases: [{ name: "VFIO_TYPE1_NESTING_IOMMU", until: "6.12" }],
        doc: "nesting moved to iommufd; the number stays reserved",
      },
      { name: "VFIO_SPAPR_TCE_v2_IOMMU", value: 7 },
      { name: "VFIO_NOIOMMU_IOMMU", value: 8 },
      { name: "VFIO_UNMAP_ALL", value: 9 },
      { name: "VFIO_UPDATE_VADDR", value: 10 },
    ],
  },
  // VFIO_DEVICE_FEATURE indexes (flags & VFIO_DEVICE_FEATURE_MASK). `ops`: what the kernel supports
  // (PROBE works with each); the payload struct is in vfio_device_feature.data's cases.
  vfio_device_feature_id: {
    values: [
      { name: "VFIO_DEVICE_FEATURE_PCI_VF_TOKEN", value: 0, ops: "SET", doc: "data: the 16-byte VF token UUID" },
      { name: "VFIO_DEVICE_FEATURE_MIGRATION", value: 1, ops: "GET" },
      { name: "VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", value: 2, ops: "GET|SET" },
      { name: "VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY", value: 3, ops: "SET", doc: "no data" },
      { name: "VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP", value: 4, ops: "SET" },
      { name: "VFIO_DEVICE_FEATURE_LOW_POWER_EXIT", value: 5, ops: "SET", doc: "no data" },
      { name: "VFIO_DEVICE_FEATURE_DMA_LOGGING_START", value: 6, ops: "SET" },
      { name: "VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP", value: 7, ops: "SET", doc: "no data" },
      { name: "VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT", value: 8, ops: "GET" },
      { name: "VFIO_DEVICE_FEATURE_MIG_DATA_SIZE", value: 9, ops: "GET", since: "6.2" },
      { name: "VFIO_DEVICE_FEATURE_BUS_MASTER", value: 10, ops: "SET", since: "6.7", doc: "vfio-cdx only" },
      { name: "VFIO_DEVICE_FEATURE_DMA_BUF", value: 11, ops: "GET", since: "6.19", doc: "returns a dma-buf fd" },
      {
        name: "VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2",
        value: 12,
        ops: "SET",
        since: "7.1",
        doc: "opt-in to VFIO_PRECOPY_INFO_REINIT; no data",
      },
      {
        name: "VFIO_DEVICE_FEATURE_ZPCI_ERROR",
        value: 13,
        ops: "GET",
        since: "7.3",
        doc: "s390 zPCI; -ENOMSG when no error is pending",
      },
    ],
  },
  vfio_device_mig_state: {
    cEnum: true,
    values: [
      { name: "VFIO_DEVICE_STATE_ERROR", value: 0 },
      { name: "VFIO_DEVICE_STATE_STOP", value: 1 },
      { name: "VFIO_DEVICE_STATE_RUNNING", value: 2 },
      { name: "VFIO_DEVICE_STATE_STOP_COPY", value: 3 },
      { name: "VFIO_DEVICE_STATE_RESUMING", value: 4 },
      { name: "VFIO_DEVICE_STATE_RUNNING_P2P", value: 5 },
      { name: "VFIO_DEVICE_STATE_PRE_COPY", value: 6, since: "6.3" },
      { name: "VFIO_DEVICE_STATE_PRE_COPY_P2P", value: 7, since: "6.3" },
    ],
    count: { name: "VFIO_DEVICE_STATE_NR", value: 8, since: "6.3" },
  },
  vfio_device_feature_bus_master_op: {
    values: [
      { name: "VFIO_DEVICE_FEATURE_CLEAR_MASTER", value: 0, since: "6.7" },
      { name: "VFIO_DEVICE_FEATURE_SET_MASTER", value: 1, since: "6.7" },
    ],
  },
  vfio_pci_devid: {
    values: [
      {
        name: "VFIO_PCI_DEVID_OWNED",
        value: 0,
        since: "6.6",
        doc: "owned, but the caller's iommufd has no devid for it",
      },
      { name: "VFIO_PCI_DEVID_NOT_OWNED", value: 0xffffffff, since: "6.6", doc: "-1: not owned by the caller" },
    ],
  },
  vfio_gfx_link_state: {
    values: [
      { name: "VFIO_DEVICE_GFX_LINK_STATE_UP", value: 1 },
      { name: "VFIO_DEVICE_GFX_LINK_STATE_DOWN", value: 2 },
    ],
  },
  vfio_eeh_pe_op: {
    values: [
      { name: "VFIO_EEH_PE_DISABLE", value: 0 },
      { name: "VFIO_EEH_PE_ENABLE", value: 1 },
      { name: "VFIO_EEH_PE_UNFREEZE_IO", value: 2 },
      { name: "VFIO_EEH_PE_UNFREEZE_DMA", value: 3 },
      { name: "VFIO_EEH_PE_GET_STATE", value: 4 },
      { name: "VFIO_EEH_PE_RESET_DEACTIVATE", value: 5 },
      { name: "VFIO_EEH_PE_RESET_HOT", value: 6 },
      { name: "VFIO_EEH_PE_RESET_FUNDAMENTAL", value: 7 },
      { name: "VFIO_EEH_PE_CONFIGURE", value: 8 },
      { name: "VFIO_EEH_PE_INJECT_ERR", value: 9 },
    ],
  },
  // What VFIO_EEH_PE_OP with VFIO_EEH_PE_GET_STATE returns (the ioctl's return value).
  vfio_eeh_pe_state: {
    values: [
      { name: "VFIO_EEH_PE_STATE_NORMAL", value: 0 },
      { name: "VFIO_EEH_PE_STATE_RESET", value: 1 },
      { name: "VFIO_EEH_PE_STATE_STOPPED", value: 2 },
      { name: "VFIO_EEH_PE_STATE_STOPPED_DMA", value: 4 },
      { name: "VFIO_EEH_PE_STATE_UNAVAIL", value: 5 },
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
      { name: "size", type: "u64", aligned: "6.7" },
      { name: "offset", type: "u64", aligned: "6.7" },
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
          { mask: 0x7, value: 0x1 },
          { mask: 0x7, value: 0x2, elem: "u8" },
          { mask: 0x7, value: 0x4, elem: "s32" },
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
      { name: "iova_pgsizes", type: "u64", aligned: "6.7" },
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
      { name: "offset", type: "u64", aligned: "6.7" },
      { name: "size", type: "u64", aligned: "6.7" },
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
    fields: [hdr, { name: "tgt", type: "u64", aligned: "6.7" }],
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
    versions: [1, 2, 3],
    doc: "version 3 (Linux 7.3) adds ccdf_err_length, the buffer size VFIO_DEVICE_FEATURE_ZPCI_ERROR needs",
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
      { name: "ccdf_err_length", type: "u32", version: 3, since: "7.3" },
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
    since: "6.5",
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

  // ---- container and group
  vfio_group_status: {
    kind: "info",
    ioctl: "VFIO_GROUP_GET_STATUS",
    doc: "Reply of VFIO_GROUP_GET_STATUS: is the group viable (all devices bound to vfio), is a container set.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_group_status_flags" },
    ],
    minsz: "flags",
  },
  vfio_iommu_type1_dma_map: {
    kind: "info",
    ioctl: "VFIO_IOMMU_MAP_DMA",
    doc: "Request of VFIO_IOMMU_MAP_DMA (type1): map size bytes of process memory at vaddr to iova.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_dma_map_flags" },
      { name: "vaddr", type: "u64" },
      { name: "iova", type: "u64" },
      { name: "size", type: "u64" },
    ],
    minsz: "size",
  },
  vfio_bitmap: {
    kind: "plain",
    doc: "A dirty-page bitmap in process memory: one bit per pgsize page, size bytes at data (a user pointer: 4 bytes on i386).",
    fields: [
      { name: "pgsize", type: "u64" },
      { name: "size", type: "u64" },
      { name: "data", type: "ptr" },
    ],
  },
  vfio_iommu_type1_dma_unmap: {
    kind: "info",
    ioctl: "VFIO_IOMMU_UNMAP_DMA",
    doc: "Request and reply of VFIO_IOMMU_UNMAP_DMA (the kernel writes back the unmapped size). With GET_DIRTY_BITMAP, data[] holds a struct vfio_bitmap.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_dma_unmap_flags" },
      { name: "iova", type: "u64" },
      { name: "size", type: "u64" },
      { name: "data", type: "payload", selector: "flags", cases: [{ mask: 0x1, value: 0x1, struct: "vfio_bitmap" }] },
    ],
    minsz: "size",
  },
  vfio_iommu_type1_dirty_bitmap: {
    kind: "info",
    ioctl: "VFIO_IOMMU_DIRTY_PAGES",
    doc: "Request of VFIO_IOMMU_DIRTY_PAGES: START / STOP dirty tracking, or GET_BITMAP with a vfio_iommu_type1_dirty_bitmap_get in data[].",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_iommu_dirty_pages_flags" },
      {
        name: "data",
        type: "payload",
        selector: "flags",
        cases: [{ mask: 0x4, value: 0x4, struct: "vfio_iommu_type1_dirty_bitmap_get" }],
      },
    ],
    minsz: "flags",
  },
  vfio_iommu_type1_dirty_bitmap_get: {
    kind: "plain",
    doc: "GET_BITMAP range: the bitmap of [iova, iova + size). 36 bytes on i386 (the bitmap's data pointer).",
    fields: [
      { name: "iova", type: "u64" },
      { name: "size", type: "u64" },
      { name: "bitmap", type: "struct", struct: "vfio_bitmap" },
    ],
  },
  // ---- SPAPR TCE and EEH (ppc64)
  vfio_iommu_spapr_tce_ddw_info: {
    kind: "plain",
    fields: [
      { name: "pgsizes", type: "u64" },
      { name: "max_dynamic_windows_supported", type: "u32" },
      { name: "levels", type: "u32" },
    ],
  },
  vfio_iommu_spapr_tce_info: {
    kind: "info",
    ioctl: "VFIO_IOMMU_SPAPR_TCE_GET_INFO",
    doc: "Reply of VFIO_IOMMU_SPAPR_TCE_GET_INFO. ddw is filled (and VFIO_IOMMU_SPAPR_INFO_DDW set) only when argsz covers it.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_iommu_spapr_info_flags" },
      { name: "dma32_window_start", type: "u32" },
      { name: "dma32_window_size", type: "u32" },
      { name: "ddw", type: "struct", struct: "vfio_iommu_spapr_tce_ddw_info" },
    ],
    minsz: "dma32_window_size",
  },
  vfio_eeh_pe_err: {
    kind: "plain",
    fields: [
      { name: "type", type: "u32" },
      { name: "func", type: "u32" },
      { name: "addr", type: "u64" },
      { name: "mask", type: "u64" },
    ],
  },
  vfio_eeh_pe_op: {
    kind: "info",
    ioctl: "VFIO_EEH_PE_OP",
    doc: "Request of VFIO_EEH_PE_OP. err (a one-member union in C) is read for VFIO_EEH_PE_INJECT_ERR; 36 bytes on i386.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "op", type: "u32", enum: "vfio_eeh_pe_op" },
      { name: "err", type: "struct", struct: "vfio_eeh_pe_err" },
    ],
    minsz: "op",
  },
  vfio_iommu_spapr_register_memory: {
    kind: "info",
    ioctl: "VFIO_IOMMU_SPAPR_REGISTER_MEMORY",
    doc: "Request of VFIO_IOMMU_SPAPR_REGISTER_MEMORY and _UNREGISTER_MEMORY (flags must be 0).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "vaddr", type: "u64" },
      { name: "size", type: "u64" },
    ],
    minsz: "size",
  },
  vfio_iommu_spapr_tce_create: {
    kind: "info",
    ioctl: "VFIO_IOMMU_SPAPR_TCE_CREATE",
    doc: "Request and reply (start_addr) of VFIO_IOMMU_SPAPR_TCE_CREATE.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "page_shift", type: "u32" },
      { name: "__resv1", type: "u32" },
      { name: "window_size", type: "u64" },
      { name: "levels", type: "u32" },
      { name: "__resv2", type: "u32" },
      { name: "start_addr", type: "u64" },
    ],
    minsz: "start_addr",
  },
  vfio_iommu_spapr_tce_remove: {
    kind: "info",
    ioctl: "VFIO_IOMMU_SPAPR_TCE_REMOVE",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "start_addr", type: "u64" },
    ],
    minsz: "start_addr",
  },
  // ---- PCI hot reset
  vfio_pci_dependent_device: {
    kind: "plain",
    doc: "One device a hot reset affects: its group id, or (VFIO_PCI_HOT_RESET_FLAG_DEV_ID, cdev) its devid.",
    fields: [
      {
        name: "group_id",
        type: "u32",
        alt: [
          {
            name: "devid",
            since: "6.6",
            enum: "vfio_pci_devid",
            when: { flag: "VFIO_PCI_HOT_RESET_FLAG_DEV_ID", in: "vfio_pci_hot_reset_info" },
          },
        ],
      },
      { name: "segment", type: "u16" },
      { name: "bus", type: "u8" },
      { name: "devfn", type: "u8" },
    ],
  },
  vfio_pci_hot_reset_info: {
    kind: "info",
    ioctl: "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
    doc: "Reply of VFIO_DEVICE_GET_PCI_HOT_RESET_INFO. Too small an argsz: -ENOSPC with count filled and no devices (call again with 12 + 8 x count).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_pci_hot_reset_info_flags" },
      { name: "count", type: "u32" },
      { name: "devices", type: "array", of: "vfio_pci_dependent_device", count: "count", short: "needs" },
    ],
    minsz: "count",
  },
  vfio_pci_hot_reset: {
    kind: "info",
    ioctl: "VFIO_DEVICE_PCI_HOT_RESET",
    doc: "Request of VFIO_DEVICE_PCI_HOT_RESET: the group fds proving ownership (flags 0; cdev callers pass count 0).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "count", type: "u32" },
      { name: "group_fds", type: "array", of: "s32", count: "count" },
    ],
    minsz: "count",
  },
  // ---- display and ioeventfd
  vfio_device_gfx_plane_info: {
    kind: "info",
    ioctl: "VFIO_DEVICE_QUERY_GFX_PLANE",
    doc: "Request and reply of VFIO_DEVICE_QUERY_GFX_PLANE. i386: 60 bytes up to 6.6, 64 from 6.7 (__aligned_u64 and reserved).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_gfx_plane_flags" },
      { name: "drm_plane_type", type: "u32" },
      { name: "drm_format", type: "u32" },
      { name: "drm_format_mod", type: "u64", aligned: "6.7" },
      { name: "width", type: "u32" },
      { name: "height", type: "u32" },
      { name: "stride", type: "u32" },
      { name: "size", type: "u32" },
      { name: "x_pos", type: "u32" },
      { name: "y_pos", type: "u32" },
      { name: "x_hot", type: "u32" },
      { name: "y_hot", type: "u32" },
      { name: "region_index", type: "u32", alt: [{ name: "dmabuf_id", when: { flag: "VFIO_GFX_PLANE_TYPE_DMABUF" } }] },
      { name: "reserved", type: "u32", since: "6.7" },
    ],
    minsz: "region_index",
  },
  vfio_device_ioeventfd: {
    kind: "info",
    ioctl: "VFIO_DEVICE_IOEVENTFD",
    doc: "Request of VFIO_DEVICE_IOEVENTFD: signal fd on a write of data (size from flags) at offset. i386: 28 bytes up to 6.6, 32 from 6.7.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_device_ioeventfd_flags" },
      { name: "offset", type: "u64", aligned: "6.7" },
      { name: "data", type: "u64", aligned: "6.7" },
      { name: "fd", type: "s32" },
      { name: "reserved", type: "u32", since: "6.7" },
    ],
    minsz: "fd",
  },
  // ---- region bodies
  vfio_region_gfx_edid: {
    kind: "plain",
    doc: "Start of the VFIO_REGION_SUBTYPE_GFX_EDID region; the EDID blob is at edid_offset.",
    fields: [
      { name: "edid_offset", type: "u32" },
      { name: "edid_max_size", type: "u32" },
      { name: "edid_size", type: "u32" },
      { name: "max_xres", type: "u32" },
      { name: "max_yres", type: "u32" },
      { name: "link_state", type: "u32", enum: "vfio_gfx_link_state" },
    ],
  },
  vfio_device_migration_info: {
    kind: "plain",
    doc: "Start of the migration v1 region (VFIO_REGION_TYPE_MIGRATION_DEPRECATED; replaced by VFIO_DEVICE_FEATURE migration).",
    fields: [
      { name: "device_state", type: "u32", flags: "vfio_device_state_v1" },
      { name: "reserved", type: "u32" },
      { name: "pending_bytes", type: "u64", aligned: "6.7" },
      { name: "data_offset", type: "u64", aligned: "6.7" },
      { name: "data_size", type: "u64", aligned: "6.7" },
    ],
  },
  // ---- VFIO_DEVICE_FEATURE
  vfio_device_feature: {
    kind: "info",
    ioctl: "VFIO_DEVICE_FEATURE",
    doc: "Request and reply of VFIO_DEVICE_FEATURE: flags = feature index | GET / SET / PROBE; data[] is the feature's payload.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_device_feature_flags" },
      {
        name: "data",
        type: "payload",
        selector: "flags",
        cases: [
          { mask: 0xffff, value: 0, bytes: 16 },
          { mask: 0xffff, value: 1, struct: "vfio_device_feature_migration" },
          { mask: 0xffff, value: 2, struct: "vfio_device_feature_mig_state" },
          { mask: 0xffff, value: 3 },
          { mask: 0xffff, value: 4, struct: "vfio_device_low_power_entry_with_wakeup" },
          { mask: 0xffff, value: 5 },
          { mask: 0xffff, value: 6, struct: "vfio_device_feature_dma_logging_control" },
          { mask: 0xffff, value: 7 },
          { mask: 0xffff, value: 8, struct: "vfio_device_feature_dma_logging_report" },
          { mask: 0xffff, value: 9, struct: "vfio_device_feature_mig_data_size" },
          { mask: 0xffff, value: 10, struct: "vfio_device_feature_bus_master" },
          { mask: 0xffff, value: 11, struct: "vfio_device_feature_dma_buf" },
          { mask: 0xffff, value: 12 },
          { mask: 0xffff, value: 13, struct: "vfio_device_feature_zpci_err" },
        ],
      },
    ],
    minsz: "flags",
  },
  vfio_device_feature_migration: {
    kind: "plain",
    doc: "GET payload of VFIO_DEVICE_FEATURE_MIGRATION.",
    fields: [{ name: "flags", type: "u64", aligned: true, flags: "vfio_migration_flags" }],
  },
  vfio_device_feature_mig_state: {
    kind: "plain",
    doc: "GET / SET payload of VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE; data_fd is the migration data fd SET returns (or -1).",
    fields: [
      { name: "device_state", type: "u32", enum: "vfio_device_mig_state" },
      { name: "data_fd", type: "s32" },
    ],
  },
  vfio_precopy_info: {
    kind: "info",
    ioctl: "VFIO_MIG_GET_PRECOPY_INFO",
    since: "6.3",
    doc: "Reply of VFIO_MIG_GET_PRECOPY_INFO on the migration data fd (PRE_COPY states).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_precopy_info_flags" },
      { name: "initial_bytes", type: "u64", aligned: true },
      { name: "dirty_bytes", type: "u64", aligned: true },
    ],
    minsz: "dirty_bytes",
  },
  vfio_device_low_power_entry_with_wakeup: {
    kind: "plain",
    doc: "SET payload of VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP.",
    fields: [
      { name: "wakeup_eventfd", type: "s32" },
      { name: "reserved", type: "u32" },
    ],
  },
  vfio_device_feature_dma_logging_control: {
    kind: "plain",
    doc: "SET payload of VFIO_DEVICE_FEATURE_DMA_LOGGING_START; ranges points to num_ranges vfio_device_feature_dma_logging_range.",
    fields: [
      { name: "page_size", type: "u64", aligned: true },
      { name: "num_ranges", type: "u32" },
      { name: "__reserved", type: "u32" },
      { name: "ranges", type: "u64", aligned: true },
    ],
  },
  vfio_device_feature_dma_logging_range: {
    kind: "plain",
    doc: "One IOVA range to track (an element of the array dma_logging_control.ranges points to).",
    fields: [
      { name: "iova", type: "u64", aligned: true },
      { name: "length", type: "u64", aligned: true },
    ],
  },
  vfio_device_feature_dma_logging_report: {
    kind: "plain",
    doc: "GET payload of VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT; bitmap points to the caller's bitmap.",
    fields: [
      { name: "iova", type: "u64", aligned: true },
      { name: "length", type: "u64", aligned: true },
      { name: "page_size", type: "u64", aligned: true },
      { name: "bitmap", type: "u64", aligned: true },
    ],
  },
  vfio_device_feature_mig_data_size: {
    kind: "plain",
    since: "6.2",
    doc: "GET payload of VFIO_DEVICE_FEATURE_MIG_DATA_SIZE.",
    fields: [{ name: "stop_copy_length", type: "u64", aligned: true }],
  },
  vfio_device_feature_bus_master: {
    kind: "plain",
    since: "6.7",
    doc: "SET payload of VFIO_DEVICE_FEATURE_BUS_MASTER (vfio-cdx).",
    fields: [{ name: "op", type: "u32", enum: "vfio_device_feature_bus_master_op" }],
  },
  vfio_region_dma_range: {
    kind: "plain",
    since: "6.19",
    doc: "A range of a region to export (plain __u64: 4-aligned on i386).",
    fields: [
      { name: "offset", type: "u64" },
      { name: "length", type: "u64" },
    ],
  },
  vfio_device_feature_dma_buf: {
    kind: "plain",
    since: "6.19",
    doc: "GET payload of VFIO_DEVICE_FEATURE_DMA_BUF (the ioctl returns a dma-buf fd); flags must be 0.",
    fields: [
      { name: "region_index", type: "u32" },
      { name: "open_flags", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "nr_ranges", type: "u32" },
      { name: "dma_ranges", type: "array", of: "vfio_region_dma_range", count: "nr_ranges" },
    ],
  },
  vfio_device_feature_zpci_err: {
    kind: "plain",
    since: "7.3",
    doc: "GET payload of VFIO_DEVICE_FEATURE_ZPCI_ERROR: data points to a buffer of ccdf_err_length bytes (ZPCI_BASE v3).",
    fields: [{ name: "data", type: "u64", aligned: true }],
  },
  // ---- cdev / iommufd (argsz-extensible: each grew by a field)
  vfio_device_bind_iommufd: {
    kind: "info",
    ioctl: "VFIO_DEVICE_BIND_IOMMUFD",
    since: "6.6",
    doc: "Request and reply (out_devid) of VFIO_DEVICE_BIND_IOMMUFD on a cdev fd. 16 bytes in 6.6-6.16, 24 from 6.17 (token_uuid_ptr).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_device_bind_iommufd_flags" },
      { name: "iommufd", type: "s32" },
      { name: "out_devid", type: "u32" },
      { name: "token_uuid_ptr", type: "u64", aligned: true, since: "6.17" },
    ],
    minsz: "out_devid",
  },
  vfio_device_attach_iommufd_pt: {
    kind: "info",
    ioctl: "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
    since: "6.6",
    doc: "Request and reply (pt_id) of VFIO_DEVICE_ATTACH_IOMMUFD_PT. 12 bytes in 6.6-6.14, 16 from 6.15 (pasid).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_device_attach_iommufd_pt_flags" },
      { name: "pt_id", type: "u32" },
      { name: "pasid", type: "u32", since: "6.15" },
    ],
    minsz: "pt_id",
  },
  vfio_device_detach_iommufd_pt: {
    kind: "info",
    ioctl: "VFIO_DEVICE_DETACH_IOMMUFD_PT",
    since: "6.6",
    doc: "Request of VFIO_DEVICE_DETACH_IOMMUFD_PT. 8 bytes in 6.6-6.14, 12 from 6.15 (pasid).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_device_detach_iommufd_pt_flags" },
      { name: "pasid", type: "u32", since: "6.15" },
    ],
    minsz: "flags",
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
  { name: "VFIO_MIG_GET_PRECOPY_INFO", nr: 21, fd: "mig", dir: "inout", arg: "vfio_precopy_info", since: "6.3" },
];
