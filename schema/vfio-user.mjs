// The vfio-user protocol (QEMU docs/interop/vfio-user.rst) as data: the same VFIO structs travel
// over a UNIX socket, each behind a 16-byte message header, with file descriptors passed out of
// band (SCM_RIGHTS). scripts/gen.mjs merges this file with schema/abi.mjs; the kernel-header checks
// (tests/c) read schema/abi.mjs only, and the vfio-user structs are checked against gcc on
// libvfio-user's include/vfio-user.h by the peer stage instead.
//
// All vfio-user data is in the host's byte order; the structs below are packed in C, and every one
// of them is naturally aligned, so the C layout rules give the same offsets with or without packing.

export const protocol = {
  doc: "vfio-user protocol, QEMU docs/interop/vfio-user.rst; major 0, minor up to 2 in libvfio-user",
  headerSize: 16,
  /** VFIO_USER_F_TYPE values (flags bits 0-3). */
  types: { command: 0, reply: 1 },
};

/** The header flags: a 4-bit type field plus the No_reply and Error bits. */
export const flagSets = {
  vfio_user_header_flags: {
    fields: [
      {
        name: "VFIO_USER_F_TYPE",
        mask: 0xf,
        values: [
          { name: "VFIO_USER_F_TYPE_COMMAND", value: 0x0 },
          { name: "VFIO_USER_F_TYPE_REPLY", value: 0x1 },
        ],
      },
    ],
    bits: [
      { name: "VFIO_USER_F_NO_REPLY", value: 0x10, doc: "command: the sender wants no reply" },
      { name: "VFIO_USER_F_ERROR", value: 0x20, doc: "reply: the command failed; error_no holds the errno (may be 0)" },
    ],
    proposed: [],
  },
  vfio_user_dma_map_flags: {
    bits: [
      { name: "VFIO_USER_F_DMA_REGION_READ", value: 0x1 },
      { name: "VFIO_USER_F_DMA_REGION_WRITE", value: 0x2 },
      { name: "VFIO_USER_F_DMA_REGION_MMAP", value: 0x4, doc: "libvfio-user extension: the fd must be mmap()ed" },
      {
        name: "VFIO_USER_F_DMA_REGION_FILE_IO",
        value: 0x8,
        doc: "libvfio-user extension: the fd is read/written, not mapped",
      },
    ],
    proposed: [],
  },
  vfio_user_dma_unmap_flags: {
    bits: [
      { name: "VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP", value: 0x1 },
      { name: "VFIO_DMA_UNMAP_FLAG_ALL", value: 0x2 },
    ],
    proposed: [],
  },
};

export const enums = {
  vfio_user_command: {
    values: [
      { name: "VFIO_USER_VERSION", value: 1 },
      { name: "VFIO_USER_DMA_MAP", value: 2 },
      { name: "VFIO_USER_DMA_UNMAP", value: 3 },
      { name: "VFIO_USER_DEVICE_GET_INFO", value: 4 },
      { name: "VFIO_USER_DEVICE_GET_REGION_INFO", value: 5 },
      { name: "VFIO_USER_DEVICE_GET_REGION_IO_FDS", value: 6 },
      { name: "VFIO_USER_DEVICE_GET_IRQ_INFO", value: 7 },
      { name: "VFIO_USER_DEVICE_SET_IRQS", value: 8 },
      { name: "VFIO_USER_REGION_READ", value: 9 },
      { name: "VFIO_USER_REGION_WRITE", value: 10 },
      { name: "VFIO_USER_DMA_READ", value: 11 },
      { name: "VFIO_USER_DMA_WRITE", value: 12 },
      { name: "VFIO_USER_DEVICE_RESET", value: 13 },
      { name: "VFIO_USER_REGION_WRITE_MULTI", value: 15 },
      { name: "VFIO_USER_DEVICE_FEATURE", value: 16 },
      { name: "VFIO_USER_MIG_DATA_READ", value: 17 },
      { name: "VFIO_USER_MIG_DATA_WRITE", value: 18 },
    ],
  },
};

/**
 * Message bodies. `kind` as in schema/abi.mjs; "message" is the whole message: the header fields
 * followed by a body whose struct the command and the type bits choose (see `commands`).
 * {type:"bytes"} without `length` runs to the end of the message body.
 */
export const structs = {
  vfio_user_message: {
    kind: "message",
    cName: "struct vfio_user_header",
    doc: "A vfio-user message: the 16-byte header (msg_size counts the header) and the body its command selects.",
    fields: [
      { name: "msg_id", type: "u16" },
      { name: "command", type: "u16", enum: "vfio_user_command" },
      { name: "msg_size", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_user_header_flags" },
      { name: "error_no", type: "u32" },
      { name: "body", type: "body" },
    ],
  },
  vfio_user_version: {
    kind: "plain",
    doc: 'VFIO_USER_VERSION request and reply: version, then optional NUL-terminated UTF-8 JSON {"capabilities": {...}}.',
    fields: [
      { name: "major", type: "u16" },
      { name: "minor", type: "u16" },
      { name: "data", type: "bytes", encoding: "json" },
    ],
  },
  vfio_user_device_info: {
    kind: "info",
    doc: "VFIO_USER_DEVICE_GET_INFO request and reply: vfio_device_info without cap_offset (16 bytes).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_device_info_flags" },
      { name: "num_regions", type: "u32" },
      { name: "num_irqs", type: "u32" },
    ],
    minsz: "num_irqs",
  },
  vfio_user_dma_map: {
    kind: "info",
    doc: "VFIO_USER_DMA_MAP request; an fd (SCM_RIGHTS) when the region can be mapped.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_user_dma_map_flags" },
      { name: "offset", type: "u64" },
      { name: "addr", type: "u64" },
      { name: "size", type: "u64" },
    ],
    minsz: "size",
  },
  vfio_user_dma_unmap: {
    kind: "info",
    doc: "VFIO_USER_DMA_UNMAP request and reply (a dirty bitmap may follow with GET_DIRTY_BITMAP).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32", flags: "vfio_user_dma_unmap_flags" },
      { name: "addr", type: "u64" },
      { name: "size", type: "u64" },
    ],
    minsz: "size",
  },
  vfio_user_region_access: {
    kind: "plain",
    doc: "VFIO_USER_REGION_READ request and VFIO_USER_REGION_WRITE reply: no data.",
    fields: [
      { name: "offset", type: "u64" },
      { name: "region", type: "u32" },
      { name: "count", type: "u32" },
    ],
  },
  vfio_user_region_access_data: {
    kind: "plain",
    cName: "struct vfio_user_region_access",
    doc: "VFIO_USER_REGION_READ reply and VFIO_USER_REGION_WRITE request: count bytes of data follow.",
    fields: [
      { name: "offset", type: "u64" },
      { name: "region", type: "u32" },
      { name: "count", type: "u32" },
      { name: "data", type: "bytes", length: "count" },
    ],
  },
  vfio_user_dma_region_access: {
    kind: "plain",
    doc: "VFIO_USER_DMA_READ request (server to client): no data.",
    fields: [
      { name: "addr", type: "u64" },
      { name: "count", type: "u64" },
    ],
  },
  vfio_user_dma_region_access_data: {
    kind: "plain",
    cName: "struct vfio_user_dma_region_access",
    doc: "VFIO_USER_DMA_READ reply and VFIO_USER_DMA_WRITE request (server to client): the data follows.",
    fields: [
      { name: "addr", type: "u64" },
      { name: "count", type: "u64" },
      { name: "data", type: "bytes" },
    ],
  },
  vfio_user_region_io_fds_request: {
    kind: "info",
    doc: "VFIO_USER_DEVICE_GET_REGION_IO_FDS request (the reply adds the sub-region array).",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "index", type: "u32" },
      { name: "count", type: "u32" },
    ],
    minsz: "count",
  },
  vfio_user_device_feature: {
    kind: "plain",
    doc: "VFIO_USER_DEVICE_FEATURE request and reply: vfio_device_feature, the feature data follows.",
    fields: [
      { name: "argsz", type: "u32" },
      { name: "flags", type: "u32" },
      { name: "data", type: "bytes" },
    ],
  },
};

/**
 * Commands: the body struct of the request and of the reply (null: no body; "raw": bytes kept as
 * they are, not modelled) and how many fds travel with each (see `fdRules`).
 */
export const commands = [
  { name: "VFIO_USER_VERSION", request: "vfio_user_version", reply: "vfio_user_version", replyFds: "up_to_one" },
  { name: "VFIO_USER_DMA_MAP", request: "vfio_user_dma_map", reply: null, requestFds: "dma_map" },
  { name: "VFIO_USER_DMA_UNMAP", request: "vfio_user_dma_unmap", reply: "vfio_user_dma_unmap" },
  { name: "VFIO_USER_DEVICE_GET_INFO", request: "vfio_user_device_info", reply: "vfio_user_device_info" },
  {
    name: "VFIO_USER_DEVICE_GET_REGION_INFO",
    request: "vfio_region_info",
    reply: "vfio_region_info",
    replyFds: "up_to_one",
  },
  {
    name: "VFIO_USER_DEVICE_GET_REGION_IO_FDS",
    request: "vfio_user_region_io_fds_request",
    reply: "raw",
    replyFds: "any",
  },
  { name: "VFIO_USER_DEVICE_GET_IRQ_INFO", request: "vfio_irq_info", reply: "vfio_irq_info" },
  { name: "VFIO_USER_DEVICE_SET_IRQS", request: "vfio_irq_set", reply: null, requestFds: "set_irqs" },
  { name: "VFIO_USER_REGION_READ", request: "vfio_user_region_access", reply: "vfio_user_region_access_data" },
  { name: "VFIO_USER_REGION_WRITE", request: "vfio_user_region_access_data", reply: "vfio_user_region_access" },
  {
    name: "VFIO_USER_DMA_READ",
    request: "vfio_user_dma_region_access",
    reply: "vfio_user_dma_region_access_data",
    direction: "server",
  },
  { name: "VFIO_USER_DMA_WRITE", request: "vfio_user_dma_region_access_data", reply: "raw", direction: "server" },
  { name: "VFIO_USER_DEVICE_RESET", request: null, reply: null },
  { name: "VFIO_USER_REGION_WRITE_MULTI", request: "raw", reply: null },
  { name: "VFIO_USER_DEVICE_FEATURE", request: "vfio_user_device_feature", reply: "vfio_user_device_feature" },
  { name: "VFIO_USER_MIG_DATA_READ", request: "raw", reply: "raw" },
  { name: "VFIO_USER_MIG_DATA_WRITE", request: "raw", reply: "raw" },
];

/** How many fds (SCM_RIGHTS) the receiver expects with a message. */
export const fdRules = {
  none: { id: 0, doc: "no fds" },
  set_irqs: {
    id: 1,
    doc: "DATA_EVENTFD: one fd per vector in [start, start + count); none de-assigns the range. Other DATA types: no fds",
  },
  dma_map: {
    id: 2,
    doc: "one fd when the region can be mapped (required with the MMAP or FILE_IO flag), otherwise none",
  },
  up_to_one: { id: 3, doc: "at most one fd (a mappable region, the twin-socket fd of a VERSION reply)" },
  any: { id: 4, doc: "any number of fds (the sub-region fds of GET_REGION_IO_FDS)" },
};
