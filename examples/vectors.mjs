// Golden vectors: bytes a real kernel answered (Debian 6.1.0-56 and 6.12.95 under QEMU, replayed byte for
// byte), bytes gcc emitted for the uapi structs, and bytes built by following the kernel's own rules
// (the functions each source names). Hex is memory order, little-endian x86_64 unless arch says otherwise.
// The inspector ships them as samples; the node, CLI and embedding tests check the codec against them.
export const vectors = [
  // built by following the kernel's rules
  {
    name: "irq_set_msix_eventfd_3",
    struct: "vfio_irq_set",
    source:
      "built by the kernel's SET_IRQS rules (vfio_set_irqs_validate_and_prepare): MSI-X, eventfds 10, -1 (de-assign), 12",
    hex: "20000000 24000000 02000000 00000000 03000000 0a000000 ffffffff 0c000000",
    expect: { argsz: 32, flags: 0x24, index: 2, start: 0, count: 3, data: [10, -1, 12] },
  },
  {
    name: "irq_set_msi_disable",
    struct: "vfio_irq_set",
    source: "built by the kernel's SET_IRQS rules: DATA_NONE|ACTION_TRIGGER with count 0 disables MSI",
    hex: "14000000 21000000 01000000 00000000 00000000",
    expect: { argsz: 20, flags: 0x21, index: 1, start: 0, count: 0 },
  },
  {
    name: "irq_set_intx_bool_unmask",
    struct: "vfio_irq_set",
    source: "built by the kernel's SET_IRQS rules: a DATA_BOOL payload is one byte per vector",
    hex: "15000000 12000000 00000000 00000000 01000000 01",
    expect: { argsz: 21, flags: 0x12, index: 0, start: 0, count: 1, data: [1] },
  },
  {
    name: "region_info_sparse_mmap",
    struct: "vfio_region_info",
    source:
      "a chain as the kernel builds it (vfio_info_add_capability), values from libvfio-user's test_device_get_region_info_caps",
    hex: "50000000 0f000000 02000000 20000000 0080000000000000 0080000000000000 01000100 00000000 02000000 00000000 0020000000000000 0010000000000000 0040000000000000 0020000000000000",
    expect: {
      argsz: 80,
      flags: 0xf,
      index: 2,
      cap_offset: 32,
      size: 0x8000n,
      offset: 0x8000n,
      caps: [
        {
          offset: 32,
          name: "VFIO_REGION_INFO_CAP_SPARSE_MMAP",
          nr_areas: 2,
          areas: [
            { offset: 0x2000n, size: 0x1000n },
            { offset: 0x4000n, size: 0x2000n },
          ],
        },
      ],
    },
  },
  {
    name: "type1_info_packed_6.1",
    struct: "vfio_iommu_type1_info",
    epoch: "6.1",
    source:
      "the chain vfio_iommu_type1 builds on Linux up to 6.5: vfio_info_cap_add packs capabilities at 4-byte offsets",
    hex: "64000000 03000000 00102040 00000000 18000000 00000000 02000100 38000000 00000000 00000000 00100000 00000000 00000010 00000000 03000100 44000000 ffff0000 01000100 00000000 01000000 00000000 00000000 00000000 ffffdffe 00000000",
    expect: {
      argsz: 100,
      flags: 3,
      iova_pgsizes: 0x40201000n,
      cap_offset: 24,
      caps: [
        {
          offset: 24,
          name: "VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION",
          flags: 0,
          pgsize_bitmap: 0x1000n,
          max_dirty_bitmap_size: 0x10000000n,
        },
        { offset: 56, name: "VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL", avail: 65535 },
        {
          offset: 68,
          name: "VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE",
          nr_iovas: 1,
          iova_ranges: [{ start: 0n, end: 0xfedfffffn }],
        },
      ],
    },
  },
  {
    name: "type1_info_aligned_6.6",
    struct: "vfio_iommu_type1_info",
    epoch: "6.6",
    source:
      "the chain vfio_iommu_type1 builds on Linux 6.6 and later: vfio_info_cap_add aligns every capability to 8 bytes",
    hex: "68000000 03000000 00102040 00000000 18000000 00000000 02000100 38000000 00000000 00000000 00100000 00000000 00000010 00000000 03000100 48000000 ffff0000 00000000 01000100 00000000 01000000 00000000 00000000 00000000 ffffdffe 00000000",
    expect: {
      argsz: 104,
      flags: 3,
      cap_offset: 24,
      caps: [
        { offset: 24, name: "VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION" },
        { offset: 56, name: "VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL", avail: 65535 },
        { offset: 72, name: "VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE", nr_iovas: 1 },
      ],
    },
  },
  {
    name: "device_info_caps_do_not_fit",
    struct: "vfio_device_info",
    epoch: "6.6",
    source:
      "Linux 6.6 and later when the capabilities do not fit: argsz is raised to the size needed, CAPS is set and cap_offset stays 0",
    hex: "70000000 83000000 09000000 05000000 00000000 00000000",
    expect: { argsz: 112, flags: 0x83, num_regions: 9, num_irqs: 5, cap_offset: 0 },
    needsArgsz: 112,
  },
  // gcc static initialisers
  {
    name: "gcc_ref_irq_set_2fd",
    struct: "vfio_irq_set",
    source: "gcc 12.2 static initialiser with the Linux 6.1 uapi headers (x86_64)",
    hex: "1c000000 24000000 02000000 00000000 02000000 44332211 ffffffff",
    expect: { argsz: 28, flags: 0x24, index: 2, start: 0, count: 2, data: [0x11223344, -1] },
  },
  {
    name: "gcc_ref_irq_set_2fd_s390x",
    struct: "vfio_irq_set",
    arch: "s390x",
    source: "gcc static initialiser with the Linux 6.1 uapi headers for s390x (big-endian)",
    hex: "0000001c 00000024 00000002 00000000 00000002 11223344 ffffffff",
    expect: { argsz: 28, flags: 0x24, index: 2, start: 0, count: 2, data: [0x11223344, -1] },
  },
  // what real kernels answered (6.1.0-56-cloud-amd64 unless noted)
  {
    name: "kernel_device_info_e1000e_argsz24",
    struct: "vfio_device_info",
    epoch: "6.6",
    source: "Linux 6.1 under QEMU, e1000e: DEVICE_GET_INFO with argsz 24",
    hex: "18000000 03000000 09000000 05000000 00000000 00000000",
    expect: { argsz: 24, flags: 3, num_regions: 9, num_irqs: 5, cap_offset: 0, pad: 0 },
  },
  {
    name: "kernel_device_info_argsz16",
    struct: "vfio_device_info",
    source: "Linux 6.1 under QEMU: DEVICE_GET_INFO with argsz 16 is accepted and only 16 bytes are written",
    hex: "10000000 02000000 09000000 05000000",
    expect: { argsz: 16, flags: 2, num_regions: 9, num_irqs: 5 },
  },
  {
    name: "kernel_irq_info_edu_intx",
    struct: "vfio_irq_info",
    source: "Linux 6.1 under QEMU, edu: GET_IRQ_INFO for INTx",
    hex: "10000000 07000000 00000000 01000000",
    expect: { argsz: 16, flags: 7, index: 0, count: 1 },
  },
  {
    name: "kernel_irq_info_e1000e_msix_6.1",
    struct: "vfio_irq_info",
    source: "Linux 6.1 under QEMU, e1000e: GET_IRQ_INFO for MSI-X (NORESIZE set)",
    hex: "10000000 09000000 02000000 05000000",
    expect: { argsz: 16, flags: 9, index: 2, count: 5 },
  },
  {
    name: "kernel_irq_info_e1000e_msix_6.12",
    struct: "vfio_irq_info",
    source: "Linux 6.12 under QEMU, e1000e: GET_IRQ_INFO for MSI-X (no NORESIZE: vectors are allocated dynamically)",
    hex: "10000000 01000000 02000000 05000000",
    expect: { argsz: 16, flags: 1, index: 2, count: 5 },
  },
  {
    name: "kernel_irq_info_xhci_msi16",
    struct: "vfio_irq_info",
    source: "Linux 6.1 under QEMU, nec-usb-xhci: GET_IRQ_INFO for MSI, 16 vectors",
    hex: "10000000 09000000 01000000 10000000",
    expect: { argsz: 16, flags: 9, index: 1, count: 16 },
  },
  {
    name: "kernel_region3_argsz32",
    struct: "vfio_region_info",
    source:
      "Linux 6.1 under QEMU, e1000e: GET_REGION_INFO of the MSI-X BAR with argsz 32; the kernel raised argsz to 40",
    hex: "28000000 0f000000 03000000 00000000 0040000000000000 0000000000030000",
    expect: { argsz: 40, flags: 0xf, index: 3, cap_offset: 0, size: 0x4000n, offset: 0x30000000000n },
    needsArgsz: 40,
  },
  {
    name: "kernel_region3_argsz36",
    struct: "vfio_region_info",
    source:
      "Linux 6.1 under QEMU, e1000e: GET_REGION_INFO of the MSI-X BAR with argsz 36; argsz raised to 40, bytes 32..35 untouched",
    hex: "28000000 0f000000 03000000 00000000 0040000000000000 0000000000030000 00000000",
    expect: { argsz: 40, flags: 0xf, index: 3, cap_offset: 0 },
    needsArgsz: 40,
  },
  {
    name: "kernel_region3_argsz40",
    struct: "vfio_region_info",
    source:
      "Linux 6.1 under QEMU, e1000e: GET_REGION_INFO of the MSI-X BAR with argsz 40; one MSIX_MAPPABLE capability",
    hex: "28000000 0f000000 03000000 20000000 0040000000000000 0000000000030000 0300 0100 00000000",
    expect: {
      argsz: 40,
      flags: 0xf,
      index: 3,
      cap_offset: 32,
      caps: [{ offset: 32, name: "VFIO_REGION_INFO_CAP_MSIX_MAPPABLE", header: { id: 3, version: 1, next: 0 } }],
    },
  },
  {
    name: "kernel_region3_argsz64",
    struct: "vfio_region_info",
    source:
      "Linux 6.1 under QEMU, e1000e: GET_REGION_INFO of the MSI-X BAR with argsz 64; argsz kept, the tail stays zero",
    hex: `40000000 0f000000 03000000 20000000 0040000000000000 0000000000030000 0300010000000000${" 00".repeat(24)}`,
    expect: {
      argsz: 64,
      flags: 0xf,
      index: 3,
      cap_offset: 32,
      caps: [{ offset: 32, name: "VFIO_REGION_INFO_CAP_MSIX_MAPPABLE" }],
    },
  },
  {
    name: "kernel_region0_edu_argsz36",
    struct: "vfio_region_info",
    source:
      "Linux 6.1 under QEMU, edu: GET_REGION_INFO of BAR0 with argsz 36; a region without capabilities keeps its argsz",
    hex: "24000000 07000000 00000000 00000000 0010000000000000 0000000000000000 00000000",
    expect: { argsz: 36, flags: 7, index: 0, cap_offset: 0 },
  },
  {
    name: "kernel_set_irqs_msix_enable_3",
    struct: "vfio_irq_set",
    source: "Linux 6.1 under QEMU, e1000e: SET_IRQS enabling 3 MSI-X vectors, accepted",
    hex: "20000000 24000000 02000000 00000000 03000000 68000000 69000000 6a000000",
    expect: { argsz: 32, flags: 0x24, index: 2, count: 3, data: [104, 105, 106] },
  },
  {
    name: "kernel_set_irqs_bool_trigger_v0",
    struct: "vfio_irq_set",
    source: "Linux 6.1 under QEMU, e1000e: SET_IRQS DATA_BOOL trigger of vector 0 only, accepted",
    hex: "17000000 22000000 02000000 00000000 03000000 010000",
    expect: { argsz: 23, flags: 0x22, index: 2, count: 3, data: [1, 0, 0] },
  },
  {
    name: "kernel_set_irqs_slack_argsz64",
    struct: "vfio_irq_set",
    source: "Linux 6.1 under QEMU: SET_IRQS with argsz 64 for one eventfd (slack after the payload), accepted",
    hex: `40000000 24000000 01000000 00000000 01000000 72000000${" 00".repeat(40)}`,
    expect: { argsz: 64, flags: 0x24, index: 1, count: 1, data: [0x72] },
  },
];

/** Inputs that must be rejected with a typed error at a byte offset (the kernel refuses them too). */
export const badVectors = [
  {
    name: "argsz_below_minsz",
    struct: "vfio_irq_set",
    hex: "10000000 21000000 01000000 00000000 00000000",
    code: "E_ARGSZ_MIN",
    offset: 0,
    field: "argsz",
  },
  {
    name: "eventfd_count2_one_fd",
    struct: "vfio_irq_set",
    hex: "18000000 24000000 02000000 00000000 02000000 64000000",
    code: "E_PAYLOAD_SHORT",
    offset: 20,
    field: "data",
  },
  {
    name: "bool_count3_two_bytes",
    struct: "vfio_irq_set",
    hex: "16000000 22000000 02000000 00000000 03000000 0101",
    code: "E_PAYLOAD_SHORT",
    offset: 20,
    field: "data",
  },
  {
    name: "argsz_larger_than_buffer",
    struct: "vfio_irq_set",
    hex: "30000000 24000000 02000000 00000000 01000000 64000000",
    code: "E_ARGSZ_OVER",
    offset: 0,
    field: "argsz",
  },
  {
    name: "irq_info_short",
    struct: "vfio_irq_info",
    hex: "10000000 07000000 00000000",
    code: "E_SHORT",
    offset: 12,
    field: "count",
  },
  { name: "empty", struct: "vfio_irq_info", hex: "", code: "E_SHORT", offset: 0, field: "argsz" },
  {
    name: "cap_into_header",
    struct: "vfio_region_info",
    hex: "28000000 0f000000 03000000 10000000 0040000000000000 0000000000030000 0300 0100 00000000",
    code: "E_CAP_INTO_HEADER",
    offset: 12,
    field: "cap_offset",
  },
  {
    name: "cap_self_loop",
    struct: "vfio_region_info",
    hex: "30000000 0f000000 03000000 20000000 0040000000000000 0000000000030000 0300 0100 20000000 00000000 00000000",
    code: "E_CAP_SELF",
    offset: 36,
    field: "caps[0].header.next",
  },
  {
    name: "cap_cycle_2",
    struct: "vfio_region_info",
    hex: "30000000 0f000000 03000000 20000000 0040000000000000 0000000000030000 0300 0100 28000000 0300 0100 20000000",
    code: "E_CAP_LOOP",
    offset: 44,
    field: "caps[1].header.next",
  },
  {
    name: "cap_backwards",
    struct: "vfio_region_info",
    hex: "38000000 0f000000 03000000 28000000 0040000000000000 0000000000030000 00000000 00000000 0300 0100 30000000 0300 0100 24000000",
    code: "E_CAP_BACKWARDS",
    offset: 52,
    field: "caps[1].header.next",
  },
  {
    name: "cap_past_end",
    struct: "vfio_region_info",
    hex: "28000000 0f000000 03000000 20000000 0040000000000000 0000000000030000 0300 0100 40000000",
    code: "E_CAP_PAST_END",
    offset: 36,
    field: "caps[0].header.next",
  },
  {
    name: "cap_misaligned",
    struct: "vfio_region_info",
    hex: "30000000 0f000000 03000000 22000000 0040000000000000 0000000000030000 0000 0300 0100 00000000 000000000000",
    code: "E_CAP_MISALIGNED",
    offset: 12,
    field: "cap_offset",
  },
  {
    name: "sparse_array_overrun",
    struct: "vfio_region_info",
    hex: "40000000 0f000000 03000000 20000000 0040000000000000 0000000000030000 0100 0100 00000000 e8030000 00000000 0000000000000000 0000000000000000",
    code: "E_CAP_ARRAY_OVERRUN",
    offset: 40,
    field: "caps[0].nr_areas",
  },
];

export const bytesOf = (hex) => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
