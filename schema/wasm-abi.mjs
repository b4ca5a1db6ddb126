// The contract between the wasm core and its hosts, as data: status codes, the record stream, profile
// bits, the SET_IRQS oracle (device block, rule ids), the fuzzing toolkit (classes, work area,
// campaign block), the modules and their export signatures. scripts/gen.mjs generates from this file the
// AssemblyScript constants (assembly/generated/wasm-abi.ts), the TypeScript tables and the
// WasmExports type (bindings/generated/wasm-abi.ts), the C header (vfio_abi_wasm.h) and the tables of
// docs/wasm-abi.md. Numbers here are ABI: a host compiled against one value must keep working.

/** abi_version() of a module built from this contract; bump it when a number below changes meaning. */
export const abiVersion = 3;

// ---------------------------------------------------------------- status codes
/** The typed errors the TypeScript bindings throw, by status code. */
export const errorClasses = {
  TruncatedError: "The buffer ends inside a required field.",
  ArgszError: "argsz is below minsz or above the bytes supplied.",
  PayloadError: "vfio_irq_set payload shorter than count x element size.",
  CapChainError:
    "Capability chain problems: into the header, backwards, self, loop, past the end, misaligned, overlap, arrays.",
  EncodeError: "Encode: inconsistent or out-of-range values.",
  UsageError: "Bad arguments to the API (unknown struct, profile).",
  FramingError: "vfio-user framing: msg_size, type bits, command, bytes past the message, number of fds.",
};
const status = (name, value, meaning, error = null) => ({ name, value, meaning, error });
/** Returned by every export: >= 0 is success, negative is an error with a typed error class. */
export const statusCodes = [
  status("OK", 0, "success (often a byte or record count)"),
  status("NEEDS_ARGSZ", 1, 'the argsz two-call protocol\'s "call again": argsz is too small for the reply'),
  status("E_SHORT", -1, "buffer ends inside a fixed field below minsz", "TruncatedError"),
  status("E_ARGSZ_MIN", -2, "argsz below minsz", "ArgszError"),
  status("E_ARGSZ_OVER", -3, "argsz larger than the buffer", "ArgszError"),
  status("E_PAYLOAD_SHORT", -4, "vfio_irq_set payload shorter than count x element size", "PayloadError"),
  status("E_CAP_INTO_HEADER", -5, "cap_offset/next points into the fixed info struct", "CapChainError"),
  status("E_CAP_BACKWARDS", -6, "next points before the current capability", "CapChainError"),
  status("E_CAP_SELF", -7, "next points to the capability itself", "CapChainError"),
  status("E_CAP_LOOP", -8, "next points to a capability already visited", "CapChainError"),
  status("E_CAP_PAST_END", -9, "header or known body crosses the end of valid data", "CapChainError"),
  status("E_CAP_MISALIGNED", -10, "offset not 4-byte aligned", "CapChainError"),
  status("E_CAP_TOO_MANY", -11, "more hops than allowed", "CapChainError"),
  status("E_CAP_ARRAY_OVERRUN", -12, "declared array/bytes length runs past the cap or buffer", "CapChainError"),
  status("E_CAP_OVERLAP", -13, "next points inside the current capability's known body", "CapChainError"),
  status("E_MSG_SIZE_MIN", -14, "vfio-user msg_size below the 16-byte header", "FramingError"),
  status("E_MSG_SIZE_OVER", -15, "vfio-user msg_size larger than the bytes supplied", "FramingError"),
  status("E_MSG_TYPE", -16, "vfio-user flags type bits neither command (0) nor reply (1)", "FramingError"),
  status("E_MSG_COMMAND", -17, "vfio-user command number the protocol does not define", "FramingError"),
  status("E_MSG_TRAILING", -18, "bytes after msg_size (another message, or msg_size lies)", "FramingError"),
  status(
    "E_MSG_FDS",
    -19,
    "the number of fds passed does not fit the message (checked by hosts from K_FDS)",
    "FramingError",
  ),
  status("E_RANGE", -20, "pointer/length arguments outside wasm memory", "UsageError"),
  status("E_OUT_FULL", -21, "output region too small", "EncodeError"),
  status("E_BAD_ARG", -22, "unknown struct id, profile bits, etc.", "UsageError"),
  status("E_VALUE", -23, "encode: inconsistent value (e.g. payload with two DATA bits)", "EncodeError"),
  status("E_NO_MEMORY", -24, "arena_reserve could not grow memory", "UsageError"),
  status(
    "E_TOO_LARGE",
    -25,
    "input larger than the maximum the caller allows (the bindings' maxInput; no export returns it)",
    "UsageError",
  ),
];
/** What the oracle and fast-validation exports answer when a pointer argument lies outside memory. */
export const outOfRange = status(
  "E_ORACLE_RANGE",
  -1000,
  "oracle_*: buffer or device block outside memory",
  "UsageError",
);

// ---------------------------------------------------------------- memory map and memory policy
/**
 * Which parts of the module's memory a host may point into. Every pointer argument of every export
 * (input or output) must lie inside the arena; the module checks each one in 64-bit arithmetic and
 * answers with a status code (`check`) instead of reading or writing outside it.
 */
export const memoryMap = {
  regions: [
    {
      name: "static",
      from: "0",
      to: "arena_ptr()",
      host: "never",
      meaning:
        "the module's static data and tables (layout, field and rule tables): a pointer into it is refused, so no call can change a later call's answer",
    },
    {
      name: "arena",
      from: "arena_ptr()",
      to: "memory.size × 65536",
      host: "read and write",
      meaning:
        "the host's scratch space: inputs, outputs, work areas and device blocks. The module writes only where an output pointer says",
    },
  ],
  /** arena_ptr() is aligned to this many bytes. */
  arenaAlign: 64,
  checks: [
    "`p` and `p + n` inside the arena for every pointer `p` with the byte length `n` the export reads or writes (a count times an element size, computed in 64 bits: a length that overflows is refused, never wrapped)",
    "batch entries: `bufs + offset_i` computed in 64 bits, so an offset cannot wrap around 2^32 to memory below `bufs`",
    "a refused pointer: `E_RANGE` (codec and fuzz exports), `E_ORACLE_RANGE` (oracle and validate exports, per batch entry when the entry alone is outside), `0` from `read_u32`",
    "unaligned pointers are allowed everywhere and read the same bytes as aligned ones (the wasm2js build too)",
  ],
};
/** What the TypeScript bindings promise about memory (the C host decides its own). */
export const memoryPolicy = {
  /**
   * Default largest input (decode / inspect / walkCaps bytes, encode output), in bytes; per call:
   * `maxInput`. Real ioctl buffers are a few KiB and a vfio-user message with the protocol's default
   * 1 MiB data transfer is just over 1 MiB; the limit keeps the worst case (one JavaScript object per
   * payload byte) near 1.5 GB of JavaScript heap.
   */
  defaultMaxInput: 4 << 20,
  /** Records in the window a decode reads the record stream through (24 bytes each). */
  recordWindow: 4096,
  /**
   * Arena bytes the long-lived instance may use; a call that needs more runs on a fresh instance
   * that is dropped after the call, so no input grows the long-lived one.
   */
  residentArena: 2 << 20,
};

// ---------------------------------------------------------------- profile word
export const profile = {
  bits: [
    { name: "PROF_BIG", value: 1, meaning: "big-endian (s390x, ppc64, mips)" },
    { name: "PROF_ILP32", value: 2, meaning: "ILP32 data model (i386: plain __u64 4-aligned)" },
    {
      name: "PROF_EPOCH66",
      value: 4,
      meaning: "epoch >= 6.6 (__aligned_u64 layout, 8-aligned caps); clear = 6.1 rules",
    },
    {
      name: "PROF_MSG_REQUEST",
      value: 8,
      meaning: "parse only: the buffer is the body of a vfio-user request (bounded by msg_size, not argsz)",
    },
    { name: "PROF_MSG_REPLY", value: 16, meaning: "parse only: the buffer is the body of a vfio-user reply" },
  ],
  /** Proposal i (schema/abi.mjs order) is bit proposalShift + i. */
  proposalShift: 8,
  /** Every bit a module accepts; others give E_BAD_ARG. */
  known: 0xff1f,
};

// ---------------------------------------------------------------- caps_walk output
/** One capability as caps_walk / caps_walk_batch write it: little-endian, in order. */
export const capSpan = {
  size: 12,
  fields: [
    { name: "id", type: "u16", offset: 0, meaning: "the header's id" },
    { name: "version", type: "u16", offset: 2, meaning: "the header's version" },
    { name: "offset", type: "u32", offset: 4, meaning: "byte offset of the header in the buffer" },
    { name: "length", type: "u32", offset: 8, meaning: "bytes to the next header (the last cap: to the buffer's end)" },
  ],
};

// ---------------------------------------------------------------- record stream of parse()
export const record = {
  size: 24,
  /** Little-endian fields of one record, in order. */
  fields: [
    { name: "kind", type: "u8", offset: 0, meaning: "K_*" },
    { name: "depth", type: "u8", offset: 1, meaning: "" },
    { name: "ref", type: "u16", offset: 2, meaning: "struct / field / cap struct id, 0xffff none" },
    { name: "offset", type: "u32", offset: 4, meaning: "byte offset in the input" },
    { name: "size", type: "u32", offset: 8, meaning: "" },
    { name: "aux", type: "u32", offset: 12, meaning: "" },
    { name: "value", type: "u64", offset: 16, meaning: "" },
  ],
  /** ref of a record that names no struct or field. */
  noRef: 0xffff,
  kinds: [
    { name: "K_STRUCT", value: 1, meaning: "ref = struct id; size = known fixed size present" },
    { name: "K_FIELD", value: 2, meaning: "ref = field id; value = field value (zero-extended; s32 sign-extended)" },
    {
      name: "K_CAP",
      value: 3,
      meaning: "ref = cap struct id (0xffff unknown); aux = id | version << 16; value = next",
    },
    {
      name: "K_ELEM",
      value: 4,
      meaning: "ref = array/payload field id; aux = element index; value = scalar element value",
    },
    { name: "K_SLACK", value: 5, meaning: "bytes after the known content, up to argsz" },
    {
      name: "K_GAP",
      value: 6,
      meaning: "bytes between known items (alignment padding, unknown cap body, newer-version tail)",
    },
    {
      name: "K_ERROR",
      value: 7,
      meaning: "ref = field id or 0xffff; aux = (status code & 0xffff) | (u16 extra << 16); value = bad value",
    },
    { name: "K_NEEDS", value: 8, meaning: "value = argsz the caller must supply (two-call protocol)" },
    { name: "K_TAIL", value: 10, meaning: "bytes beyond argsz up to the buffer end" },
    { name: "K_NOTE", value: 11, meaning: "aux = note code; informational, not an error" },
    {
      name: "K_FDS",
      value: 12,
      meaning: "vfio-user: aux = fds the receiver expects; value = FDS_OR_NONE | FDS_UP_TO | FDS_ANY",
    },
    {
      name: "K_BODY",
      value: 13,
      meaning: "vfio-user: ref = body struct id (0xffff raw bytes); aux = PROF_MSG_* to parse it with",
    },
    {
      name: "K_PAYLOAD",
      value: 14,
      meaning: "ref = payload field id; aux = case struct id (0xffff: raw bytes); size = bytes; value = selector",
    },
  ],
  /** value bits of a K_FDS record. */
  fds: [
    { name: "FDS_OR_NONE", value: 1, meaning: "no fds is also valid (SET_IRQS DATA_EVENTFD: de-assign the range)" },
    { name: "FDS_UP_TO", value: 2, meaning: "any number from 0 up to aux" },
    { name: "FDS_ANY", value: 4, meaning: "any number" },
  ],
  /** aux of a K_NOTE record. */
  notes: [
    {
      name: "NOTE_CAPOFF_WITHOUT_FLAG",
      value: 1,
      meaning: "cap_offset non-zero while the CAPS flag is clear (ignored)",
    },
    { name: "NOTE_ARGSZ_SLACK", value: 2, meaning: "argsz larger than the known content" },
  ],
};

// ---------------------------------------------------------------- SET_IRQS oracle
const rule = (name, errno, reason) => ({ name, errno, reason });
export const oracle = {
  /** Size of a device block in little-endian u32 words. */
  devWords: 200,
  drivers: [
    { name: "DRV_PCI", value: 0, label: "PCI" },
    { name: "DRV_PLATFORM", value: 1, label: "platform" },
    { name: "DRV_AMBA", value: 2, label: "AMBA" },
    { name: "DRV_CCW", value: 3, label: "CCW" },
    { name: "DRV_AP", value: 4, label: "AP" },
    { name: "DRV_LIBVFIO_USER", value: 5, label: "libvfio-user" },
  ],
  /** The irq type a PCI device has enabled (device word DEV_ACTIVE_TYPE). */
  irqTypes: [
    { name: "T_NONE", value: 0, label: "none" },
    { name: "T_INTX", value: 1, label: "INTx" },
    { name: "T_MSI", value: 2, label: "MSI" },
    { name: "T_MSIX", value: 3, label: "MSI-X" },
  ],
  /** Linux errno values (asm-generic numbering) the oracle, the models and the transcripts name. */
  errno: [
    { name: "EPERM", value: 1 },
    { name: "ENOENT", value: 2 },
    { name: "EIO", value: 5 },
    { name: "ENXIO", value: 6 },
    { name: "E2BIG", value: 7 },
    { name: "EBADF", value: 9 },
    { name: "EAGAIN", value: 11 },
    { name: "ENOMEM", value: 12 },
    { name: "EACCES", value: 13 },
    { name: "EFAULT", value: 14 },
    { name: "EBUSY", value: 16 },
    { name: "EEXIST", value: 17 },
    { name: "ENODEV", value: 19 },
    { name: "EINVAL", value: 22 },
    { name: "ENOTTY", value: 25 },
    { name: "ENOSPC", value: 28 },
    { name: "ERANGE", value: 34 },
    { name: "ENOSYS", value: 38 },
    { name: "EOVERFLOW", value: 75 },
    { name: "EBADFD", value: 77 },
    { name: "EOPNOTSUPP", value: 95 },
  ],
  /**
   * Rule ids (R_<name> = index): which kernel check decided. errno is the usual answer (null: none,
   * the call succeeds or returns a count); libvfio-user answers EINVAL where the kernel says ENOTTY.
   */
  rules: [
    rule("OK", null, "accepted"),
    rule(
      "COPY_FAULT",
      "EFAULT",
      "the kernel cannot read the bytes it copies from user memory (copy_from_user/memdup_user/get_user: EFAULT)",
    ),
    rule("ARGSZ_MIN", "EINVAL", "argsz < 20 (offsetofend(struct vfio_irq_set, count))"),
    rule("INDEX", "EINVAL", "index >= the driver's max_irq_type"),
    rule("COUNT_OVERFLOW", "EINVAL", "count >= U32_MAX - start (overflow guard)"),
    rule("FLAGS_UNKNOWN", "EINVAL", "flag bits outside DATA_TYPE_MASK|ACTION_TYPE_MASK (0x3f)"),
    rule(
      "START",
      "EINVAL",
      "start >= number of irqs of the index (also when count is 0, and for an index with 0 irqs)",
    ),
    rule("RANGE", "EINVAL", "start + count > number of irqs of the index"),
    rule("DATA_TYPE", "EINVAL", "not exactly one of DATA_NONE/DATA_BOOL/DATA_EVENTFD"),
    rule("PAYLOAD_SHORT", "EINVAL", "argsz - 20 < count x element size"),
    rule("ACTION", "ENOTTY", "not exactly one of ACTION_MASK/UNMASK/TRIGGER: the driver's dispatch finds no handler"),
    rule(
      "NO_HANDLER",
      "ENOTTY",
      "no handler for this (index, action): MASK/UNMASK on MSI/MSI-X, non-TRIGGER on ERR/REQ",
    ),
    rule("INTX_MASK_EVENTFD", "ENOTTY", 'INTx MASK with DATA_EVENTFD is not implemented ("XXX implement me")'),
    rule("NOT_ENABLED", "EINVAL", "the action needs this irq type enabled (loopback trigger, mask/unmask)"),
    rule("SUBINDEX", "EINVAL", "the handler needs start == 0 and count == 1 (count <= 1 for ERR/REQ)"),
    rule("OTHER_TYPE", "EINVAL", "another irq type is enabled"),
    rule("NORESIZE", "EINVAL", "6.1: an enabled MSI/MSI-X set cannot grow or be addressed past its vectors (NORESIZE)"),
    rule("FD_CLOSED", "EBADF", "eventfd is not an open file descriptor"),
    rule("FD_NOT_EVENTFD", "EINVAL", "file descriptor is open but not an eventfd"),
    rule("CTX_UNSET", "EINVAL", "ERR/REQ DATA_NONE with no eventfd set"),
    rule("COUNT_ZERO", "EINVAL", "ERR/REQ DATA_BOOL/DATA_EVENTFD with count 0"),
    rule("NOT_MASKABLE", "EINVAL", "platform MASK/UNMASK on an index without VFIO_IRQ_INFO_MASKABLE"),
    rule("CCW_NO_TRIGGER", "EINVAL", "ccw/ap: ACTION_TRIGGER bit missing"),
    rule("FD_BELOW", "EINVAL", "eventfd < -1 (ccw/ap; PCI ERR/REQ under 6.12 rules, where 6.1 ignored it)"),
    rule("AP_DATA", "EINVAL", "ap: only DATA_EVENTFD is accepted"),
    rule("LVU_BOOL_LEN", "EINVAL", "libvfio-user: DATA_BOOL payload length != count"),
    rule("LVU_ERR_REQ", "EINVAL", "libvfio-user: ERR/REQ with an action other than TRIGGER or count > 1"),
    rule("LVU_COUNT0", "EINVAL", "libvfio-user: count 0 needs start 0 and DATA_NONE|ACTION_TRIGGER"),
    rule(
      "PARTIAL_VECTORS",
      null,
      "pci_alloc_irq_vectors allocated fewer MSI vectors: the kernel returns that number, MSI stays disabled",
    ),
    rule("CCW_INDEX", "EINVAL", "ccw: index is not IO/CRW/REQ"),
    rule(
      "VIRQFD_BUSY",
      "EBUSY",
      "an irqfd is already installed for this action: PCI INTx UNMASK, platform MASK/UNMASK eventfd (vfio_virqfd_enable: EBUSY)",
    ),
    rule(
      "ZERO_VECTORS",
      "ERANGE",
      "MSI/MSI-X enable with start + count == 0: pci_alloc_irq_vectors(1, 0) fails with ERANGE",
    ),
    rule("LOOPBACK_RANGE", "EINVAL", "6.1: loopback trigger past the enabled vectors (start + count > num_ctx)"),
    rule(
      "VECTOR_UNALLOCATED",
      "EINVAL",
      "6.12: eventfd for a vector that is not allocated and cannot be allocated dynamically (pci_irq_vector: EINVAL)",
    ),
    rule("LVU_FDS", "EINVAL", "libvfio-user: number of fds passed != count"),
    rule(
      "LVU_SHORT",
      "EINVAL",
      "libvfio-user: the message body is shorter than the struct (a kernel would fault with EFAULT)",
    ),
    rule("LVU_FDS_NOT_EVENTFD", "EINVAL", "libvfio-user: fds passed with DATA_NONE or DATA_BOOL"),
    rule(
      "LVU_TRIGGER_FD",
      "EBADF",
      "libvfio-user: the trigger writes to an installed fd that is not an eventfd and not writable; install accepted any fd",
    ),
    rule(
      "LVU_BUG_DISABLE_RANGE",
      null,
      "libvfio-user bug (efd091bc): a disable closes [start, count) instead of [start, start + count): nothing when start >= count",
    ),
    rule(
      "LVU_BUG_INTX_SHARED",
      null,
      "libvfio-user bug (efd091bc): INTx and MSI/MSI-X share one fd table, so an INTx trigger signals MSI/MSI-X vector 0's eventfd (and back)",
    ),
    rule(
      "EMPTY_BLOCK",
      "EINVAL",
      "6.1: MSI/MSI-X enable with count 0 and start > 0: vfio_msi_set_block finds start >= num_ctx (EINVAL) and the vectors just allocated are freed",
    ),
    rule(
      "REQUEST_IRQ",
      null,
      "platform/amba: request_irq failed for this line when the device was opened; every SET_IRQS on the index returns that errno (EINVAL, EBUSY, ...) after validation, before the action dispatch",
    ),
    rule(
      "LVU_BUG_ERR_REQ_ARRAY",
      null,
      "libvfio-user bug (efd091bc): a disable of the whole ERR index walks ERR's one eventfd as an array of its count: with ERR count 2 it closes REQ's eventfd too (past REQ's it closes what is not an fd: ERR count 3 or REQ count 2 crash the server at the first disconnect)",
    ),
  ],
  /**
   * The vfio_irq_set fields each rule judges (rules not named judge none): what a tool marks when
   * the rule fails. "data" is the payload; the oracle names the failing element when there is one.
   */
  ruleFields: {
    COPY_FAULT: ["argsz"],
    ARGSZ_MIN: ["argsz"],
    INDEX: ["index"],
    COUNT_OVERFLOW: ["start", "count"],
    FLAGS_UNKNOWN: ["flags"],
    START: ["start"],
    RANGE: ["start", "count"],
    DATA_TYPE: ["flags"],
    PAYLOAD_SHORT: ["argsz", "count"],
    ACTION: ["flags"],
    NO_HANDLER: ["index", "flags"],
    INTX_MASK_EVENTFD: ["index", "flags"],
    NOT_ENABLED: ["index", "flags"],
    SUBINDEX: ["start", "count"],
    OTHER_TYPE: ["index"],
    NORESIZE: ["start", "count"],
    FD_CLOSED: ["data"],
    FD_NOT_EVENTFD: ["data"],
    CTX_UNSET: ["index", "flags"],
    COUNT_ZERO: ["count"],
    NOT_MASKABLE: ["index", "flags"],
    CCW_NO_TRIGGER: ["flags"],
    FD_BELOW: ["data"],
    AP_DATA: ["flags"],
    LVU_BOOL_LEN: ["count", "data"],
    LVU_ERR_REQ: ["flags", "count"],
    LVU_COUNT0: ["start", "flags"],
    PARTIAL_VECTORS: ["count"],
    CCW_INDEX: ["index"],
    VIRQFD_BUSY: ["data"],
    ZERO_VECTORS: ["start", "count"],
    LOOPBACK_RANGE: ["start", "count"],
    VECTOR_UNALLOCATED: ["data"],
    LVU_FDS: ["count"],
    LVU_SHORT: ["argsz"],
    LVU_FDS_NOT_EVENTFD: ["flags"],
    LVU_TRIGGER_FD: ["data"],
    EMPTY_BLOCK: ["start", "count"],
  },
  /** Layout of the device block: word index, number of words, meaning. */
  device: [
    { name: "DEV_DRIVER", word: 0, words: 1, meaning: "driver (DRV_*)" },
    {
      name: "DEV_KERNEL",
      word: 1,
      words: 1,
      meaning:
        "kernel profile bits (KERN_*; 0 = 6.1 rules). Behaviours that only change the device's facts (7.3: ERR index on every device) are applied by the host when it fills words 2..135",
    },
    { name: "DEV_NUM_IRQS", word: 2, words: 1, meaning: "num_irqs (indexes)" },
    { name: "DEV_FEATURES", word: 3, words: 1, meaning: "DEVF_* bits" },
    { name: "DEV_MSI_ALLOC_MAX", word: 4, words: 1, meaning: "msi_alloc_max" },
    { name: "DEV_ACTIVE_TYPE", word: 5, words: 1, meaning: "active irq type (T_*)" },
    { name: "DEV_VECTORS", word: 6, words: 1, meaning: "allocated vector count" },
    { name: "DEV_TRIGGERS", word: 7, words: 1, meaning: "TRIG_* bits" },
    { name: "DEV_IRQ_COUNT", word: 8, words: 64, meaning: "per-index irq count" },
    { name: "DEV_IRQ_FLAGS", word: 72, words: 64, meaning: "per-index vfio_irq_info flags" },
    { name: "DEV_EVENTFDS", word: 136, words: 32, meaning: "eventfd bitmap, fds 0..1023" },
    {
      name: "DEV_OPEN_FDS",
      word: 168,
      words: 32,
      meaning: "open non-eventfd fd bitmap (an fd in neither bitmap, or >= 1024, is closed: EBADF)",
    },
  ],
  /** Bits of DEV_KERNEL: kernel behaviours the oracle's rules depend on. */
  kernelBits: [
    {
      name: "KERN_XARRAY_MSI",
      value: 1,
      meaning:
        "6.5+: MSI/MSI-X contexts in an xarray (no num_ctx checks, dynamic MSI-X), ERR/REQ eventfd < -1 is EINVAL",
    },
  ],
  /** Bits of DEV_FEATURES. */
  features: [
    { name: "DEVF_PCIE", value: 1, meaning: "PCIe (the ERR index exists)" },
    { name: "DEVF_MSI_SHORT", value: 2, meaning: "MSI multi-vector allocations may fall short (intremap off)" },
    {
      name: "DEVF_DYN_MSIX",
      value: 4,
      meaning: "dynamic MSI-X (has_dyn_msix: MSI-X irq_info without NORESIZE; only with 6.12 rules)",
    },
  ],
  /** Bits of DEV_TRIGGERS. */
  triggers: [
    { name: "TRIG_ERR", value: 1, meaning: "ERR trigger set" },
    { name: "TRIG_REQ", value: 2, meaning: "REQ trigger set" },
    { name: "TRIG_INTX", value: 4, meaning: "INTx trigger set" },
    {
      name: "TRIG_INTX_UNMASK_FD",
      value: 8,
      meaning: "PCI: INTx unmask irqfd installed; platform/ccw/ap: bit TRIG_INDEX_SHIFT + i = index i trigger set",
    },
  ],
  /** platform/ccw/ap: index i has a trigger when DEV_TRIGGERS bit (TRIG_INDEX_SHIFT + i) is set. */
  triggerIndexShift: 3,
  /**
   * libvfio-user (lib/irq.c at efd091bc): DEV_FEATURES holds the profile's LVU_* flags; an extended
   * block (LVU_WORDS words) adds the fds passed with the message and the server's fd table.
   */
  libvfioUser: [
    { name: "LVU_BUG_DISABLE_RANGE", value: 1, meaning: "the snapshot's disable loop: closes [start, count)" },
    { name: "LVU_BUG_INTX_SHARED", value: 2, meaning: "INTx uses MSI/MSI-X slot 0 (one table for the three)" },
    {
      name: "LVU_BUG_ERR_REQ_ARRAY",
      value: 4,
      meaning: "a whole-index disable walks ERR's (REQ's) eventfd as an array: ERR's entry 1 is REQ's eventfd",
    },
    { name: "LVU_EXTENDED", value: 0x80000000, meaning: "words LVU_MSG_NFDS.. are present" },
    { name: "LVU_MSG_NFDS", value: 200, meaning: "word: fds passed with this message (SCM_RIGHTS)" },
    { name: "LVU_MSG_KINDS", value: 201, meaning: "words: their kinds, one word each (FD_*), at most LVU_MAX_FDS" },
    { name: "LVU_MAX_FDS", value: 253, meaning: "SCM_MAX_FD" },
    { name: "LVU_TABLE", value: 456, meaning: "word: fd table, one byte per slot, kind | owner index << 2" },
    { name: "LVU_SLOTS", value: 2048, meaning: "vectors; then the ERR, REQ and separate-INTx slots" },
    { name: "LVU_SLOT_ERR", value: 2048, meaning: "table slot of the ERR eventfd" },
    { name: "LVU_SLOT_REQ", value: 2049, meaning: "table slot of the REQ eventfd" },
    { name: "LVU_SLOT_INTX", value: 2050, meaning: "table slot of the INTx eventfd (without LVU_BUG_INTX_SHARED)" },
    { name: "LVU_WORDS", value: 969, meaning: "LVU_TABLE + (LVU_SLOTS + 3) bytes, in words" },
    { name: "FD_EVENTFD", value: 1, meaning: "fd kind: an eventfd" },
    { name: "FD_READONLY", value: 2, meaning: "fd kind: open, not an eventfd, not writable" },
    { name: "FD_WRITABLE", value: 3, meaning: "fd kind: open, not an eventfd, writable" },
  ],
  /**
   * vfio-platform/amba (drivers/vfio/platform/vfio_platform_irq.c): with PLAT_EXTENDED in
   * DEV_FEATURES an extended block (PLAT_WORDS words) adds what the device holds per line (lines
   * 0..DEV_IRQ_FLAGS_WORDS-1; higher ones are not kept): the errno of the request_irq made when the
   * device was opened, the trigger eventfd and the mask/unmask irqfds (vfio_set_trigger,
   * vfio_virqfd_enable; stored fds are fd + 1, 0: none) and whether the line is masked. The oracle
   * keeps them on commit, including the trigger a failed SET_IRQS drops; the host sets or clears
   * PLAT_MASKED when an irqfd's handler runs (a signal on its eventfd).
   */
  platform: [
    { name: "PLAT_EXTENDED", value: 0x80000000, meaning: "words PLAT_IRQ_ERRNO.. are present" },
    {
      name: "PLAT_IRQ_ERRNO",
      value: 200,
      meaning:
        "words: per index, the errno of request_irq at open (0: the line is requested), DEV_IRQ_FLAGS_WORDS of them",
    },
    { name: "PLAT_FD_TRIGGER", value: 264, meaning: "words: per index, the trigger eventfd + 1 (0: none)" },
    { name: "PLAT_FD_MASK", value: 328, meaning: "words: per index, the eventfd of the mask irqfd + 1 (0: none)" },
    { name: "PLAT_FD_UNMASK", value: 392, meaning: "words: per index, the eventfd of the unmask irqfd + 1 (0: none)" },
    {
      name: "PLAT_MASKED",
      value: 456,
      meaning: "words: per-index bitmap (2 words), the line is masked (by MASK, an irqfd or the automasking handler)",
    },
    { name: "PLAT_WORDS", value: 458, meaning: "size of the extended block, in words" },
  ],
  /**
   * vfio-pci (drivers/vfio/pci/vfio_pci_intrs.c): with PCI_EXTENDED in DEV_FEATURES an extended
   * block (PCI_WORDS words) says which eventfd each trigger holds, so the host can follow the
   * signals the kernel sends. The oracle keeps them on commit: the INTx trigger and unmask irqfd,
   * ERR and REQ (vfio_pci_set_*_trigger), each MSI/MSI-X vector (vfio_msi_set_vector_signal),
   * including the vectors a failed vfio_msi_set_block tears down again. Stored fds are fd + 1 (0:
   * none). The host sets PCI_VEC_PENDING when an interrupt reaches a vector without a trigger and
   * clears PCI_VEC_REPLAYED once it has signalled the replayed interrupt.
   */
  pci: [
    { name: "PCI_EXTENDED", value: 0x80000000, meaning: "words PCI_FD_INTX.. are present" },
    { name: "PCI_FD_INTX", value: 200, meaning: "word: INTx trigger eventfd + 1 (0: none)" },
    { name: "PCI_FD_UNMASK", value: 201, meaning: "word: eventfd of the INTx unmask irqfd + 1 (0: none)" },
    { name: "PCI_FD_ERR", value: 202, meaning: "word: ERR trigger eventfd + 1 (0: none)" },
    { name: "PCI_FD_REQ", value: 203, meaning: "word: REQ trigger eventfd + 1 (0: none)" },
    {
      name: "PCI_VECTOR_TABLE",
      value: 204,
      meaning: "word: MSI/MSI-X vector table, one u16 entry per vector (vector v at byte 2v)",
    },
    { name: "PCI_VECTORS", value: 2048, meaning: "vectors in the table (the MSI-X maximum); higher ones are not kept" },
    { name: "PCI_VEC_FD", value: 0x7ff, meaning: "entry bits: trigger eventfd + 1 (0: none)" },
    {
      name: "PCI_VEC_REPLAYED",
      value: 0x2000,
      meaning: "entry bit: a trigger was set on a pending vector and its interrupt replayed (check_irq_resend)",
    },
    {
      name: "PCI_VEC_PENDING",
      value: 0x4000,
      meaning: "entry bit: an interrupt arrived while the vector had no trigger (IRQS_PENDING); set by the host",
    },
    {
      name: "PCI_VEC_FREED",
      value: 0x8000,
      meaning: "entry bit: a trigger was freed since the type was enabled: the interrupt is deactivated",
    },
    { name: "PCI_WORDS", value: 1228, meaning: "PCI_VECTOR_TABLE + PCI_VECTORS / 2: size of the extended block" },
  ],
  /** First fd number the bitmaps cannot describe: such an fd is closed. */
  maxFd: 1024,
};

// ---------------------------------------------------------------- fuzzing
const cls = (id, name, label, doc, valid = false) => ({ id, name: `C_${name}`, label, doc, valid });
const VALID = true;
export const fuzz = {
  /** Class id ranges of the four families (<prefix>_FIRST.._LAST; ids are ABI: corpora and reports name them). */
  families: [
    { name: "vfio_irq_set", prefix: "SET", first: 0, last: 18 },
    { name: "vfio_irq_info", prefix: "II", first: 20, last: 26 },
    { name: "info_caps", prefix: "CH", first: 30, last: 45 },
    { name: "uapi", prefix: "U", first: 50, last: 57 },
  ],
  /** Mutation classes: id, AssemblyScript name, label (family/label in reports), what the case is. */
  classes: [
    cls(
      0,
      "VALID",
      "valid",
      "well-formed request for the device: one DATA, one ACTION bit, start/count inside the index, exact payload",
      VALID,
    ),
    cls(1, "ARGSZ_MIN", "argsz-below-minsz", "argsz < 20"),
    cls(2, "ARGSZ_SLACK", "argsz-slack", "argsz larger than header + payload, buffer carries the slack"),
    cls(3, "ARGSZ_OVER", "argsz-over-buffer", "argsz larger than the buffer"),
    cls(4, "FLAGS_UNKNOWN", "flags-unknown", "a flag bit outside 0x3f"),
    cls(5, "DATA_ZERO", "data-none-set", "no DATA_* bit"),
    cls(6, "DATA_MULTI", "data-several", "two or three DATA_* bits"),
    cls(7, "ACTION_ZERO", "action-none-set", "no ACTION_* bit"),
    cls(8, "ACTION_MULTI", "action-several", "two or three ACTION_* bits"),
    cls(9, "COUNT_OVERFLOW", "count-overflow", "count >= U32_MAX - start (start + count wraps)"),
    cls(10, "START_PAST", "start-past-index", "start >= the index's irq count"),
    cls(11, "RANGE_PAST", "range-past-index", "start + count > the index's irq count (payload consistent)"),
    cls(12, "INDEX_PAST", "index-past-max", "index >= the driver's max irq type"),
    cls(13, "PAYLOAD_SHORT", "payload-short", "argsz - 20 < count x element size (buffer cut to argsz)"),
    cls(14, "FD_MINUS1", "eventfd-minus-one", "an eventfd element is -1"),
    cls(15, "FD_BELOW", "eventfd-below-minus-one", "an eventfd element is < -1"),
    cls(16, "FD_CLOSED", "eventfd-closed", "an eventfd element names a closed fd"),
    cls(17, "FD_NOT_EVENTFD", "eventfd-not-eventfd", "an eventfd element names an open fd that is not an eventfd"),
    cls(18, "BOOL_BYTE", "bool-not-0-1", "a DATA_BOOL byte in 2..255"),
    cls(20, "II_REQ", "request", "GET_IRQ_INFO request (argsz 16, index, zero count)", VALID),
    cls(21, "II_REPLY", "reply", "GET_IRQ_INFO reply for the device", VALID),
    cls(22, "II_ARGSZ_MIN", "argsz-below-minsz", "argsz < 16"),
    cls(23, "II_ARGSZ_SLACK", "argsz-slack", "argsz > 16 with slack bytes"),
    cls(24, "II_ARGSZ_OVER", "argsz-over-buffer", "argsz larger than the buffer"),
    cls(25, "II_INDEX_PAST", "index-past-max", "index >= the device's irq indexes"),
    cls(26, "II_FLAGS_UNKNOWN", "flags-unknown", "reply with an undefined flag bit"),
    cls(
      30,
      "CH_VALID",
      "valid",
      "kernel-built reply with 0..4 caps (vfio_info_cap_add + cap_shift), every cap kind, both epochs and byte orders",
      VALID,
    ),
    cls(31, "CH_TOO_SMALL", "too-small", "the kernel's too-small reply: CAPS set, argsz raised, cap_offset 0", VALID),
    cls(32, "CH_ARGSZ_MIN", "argsz-below-minsz", "argsz < minsz"),
    cls(33, "CH_ARGSZ_SLACK", "argsz-slack", "argsz larger than the chain, buffer carries the slack"),
    cls(34, "CH_ARGSZ_OVER", "argsz-over-buffer", "argsz larger than the buffer with a chain"),
    cls(35, "CH_NEXT_ZERO", "next-zero-early", "a cap's next is 0 before the last cap"),
    cls(36, "CH_PAST_END", "next-past-end", "cap_offset or next points at or past argsz"),
    cls(37, "CH_INTO_HEADER", "next-into-header", "cap_offset or next points into the fixed info struct"),
    cls(38, "CH_MISALIGNED", "next-misaligned", "cap_offset or next not 4-byte aligned"),
    cls(39, "CH_SELF", "next-self", "next points to the cap itself"),
    cls(40, "CH_CYCLE", "cycle", "next points back to an earlier cap (cycle of length 2+)"),
    cls(41, "CH_OVERLAP", "overlap", "next points inside the current cap"),
    cls(42, "CH_UNKNOWN_ID", "unknown-id", "a cap id no kernel defines for this ioctl"),
    cls(43, "CH_WRONG_VERSION", "wrong-version", "a cap version 0 or newer than any known"),
    cls(44, "CH_FLAG_CLEAR", "caps-flag-clear", "CAPS flag clear while cap_offset is set"),
    cls(45, "CH_ARRAY_OVERRUN", "array-overrun", "nr_areas / nr_iovas / zPCI size runs past the cap"),
    cls(
      50,
      "U_VALID",
      "valid",
      "an argument of the rest of the uAPI (VFIO_DEVICE_FEATURE with every feature's payload, hot reset, cdev, group status, type1 DMA, GFX, ioeventfd, precopy info, SPAPR / EEH): fields random, payload picked through the selector, counted arrays filled, argsz exact",
      VALID,
    ),
    cls(51, "U_ARGSZ_MIN", "argsz-below-minsz", "argsz < the struct's minsz"),
    cls(
      52,
      "U_ARGSZ_SLACK",
      "argsz-slack",
      "argsz larger than the content, the buffer carries the slack (also any class the struct cannot carry)",
    ),
    cls(53, "U_ARGSZ_OVER", "argsz-over-buffer", "argsz larger than the buffer"),
    cls(54, "U_SHORT", "buffer-short", "the buffer ends before minsz"),
    cls(
      55,
      "U_COUNT_PAST",
      "count-past",
      "a count (hot reset devices / group fds, DMA_BUF ranges, ...) whose elements argsz cannot hold: an error, or the hot-reset info 'call again' answer",
    ),
    cls(56, "U_PAYLOAD_PARTIAL", "payload-partial", "argsz covers only part of the feature payload"),
    cls(57, "U_SELECTOR_UNKNOWN", "selector-unknown", "a feature index no kernel defines: no payload"),
  ],
  /** The rule label of a case the oracle does not judge. */
  noRule: 0xff,
  /** Campaign failure kinds (value = index + 1). */
  failureKinds: [
    { value: 1, meaning: "decoder status differs from the case's label" },
    { value: 2, meaning: "valid/accepted generated case does not round-trip from its records" },
    { value: 3, meaning: "SET_IRQS label differs from the oracle (incl. with other bytes behind the buffer)" },
    { value: 4, meaning: "near-valid SET_IRQS case does not hit the rule its class targets" },
    { value: 5, meaning: "valid SET_IRQS case fails kernel validation" },
    { value: 6, meaning: "mutated input decodes but does not round-trip from its records" },
    { value: 7, meaning: "decoder result depends on bytes behind the input (read outside the input)" },
    { value: 8, meaning: "oracle result depends on bytes behind the input" },
    { value: 9, meaning: "wasm memory grew during the run" },
    { value: 10, meaning: "decoded input has bytes no record covers (lost by the record stream / exact encode)" },
  ],
  /** The host work area of fuzz_work_size() bytes: byte offsets of its regions. */
  work: [
    { name: "W_A", offset: 0, meaning: "generated case (4 KiB)" },
    { name: "W_B", offset: 4096, meaning: "mutated case" },
    { name: "W_C", offset: 8192, meaning: "re-encoded copy" },
    { name: "W_CAPS", offset: 12288, meaning: "cap list (8 x ptr,len) + encoded caps" },
    { name: "W_MISC", offset: 14336, meaning: "cap offsets/lengths, mutator candidates" },
    { name: "W_REC", offset: 16384, meaning: "parse records (REC_CAP records)" },
  ],
  recCap: 1024,
  /** Longest case; 64 bytes of poison room stay behind it in its 4 KiB region. */
  bufCap: 4000,
  /** fuzz_campaign's statistics block: fuzz_out_words() u32 words; byte offsets of its fields. */
  campaign: {
    words: 160,
    fields: [
      { name: "OUT_CASES", offset: 0, meaning: "cases run" },
      { name: "OUT_INPUTS", offset: 4, meaning: "inputs decoded (generated + mutated)" },
      { name: "OUT_FAILS", offset: 8, meaning: "failures" },
      { name: "OUT_VALID", offset: 12, meaning: "valid cases" },
      { name: "OUT_NEAR", offset: 16, meaning: "near-valid cases" },
      { name: "OUT_MUT_OK", offset: 20, meaning: "mutated inputs that decode" },
      { name: "OUT_MUT_REJ", offset: 24, meaning: "mutated inputs rejected" },
      { name: "OUT_ROUNDTRIPS", offset: 28, meaning: "exact round trips" },
      { name: "OUT_HASH", offset: 32, meaning: "u64 order-independent hash of the cases" },
      { name: "OUT_PAGES0", offset: 44, meaning: "memory pages before the run" },
      { name: "OUT_PAGES1", offset: 48, meaning: "memory pages after the run" },
      { name: "OUT_LEN_A", offset: 52, meaning: "length of the last generated case (at W_A)" },
      { name: "OUT_LEN_B", offset: 56, meaning: "length of the last mutated case (at W_B)" },
      { name: "OUT_NLIST", offset: 60, meaning: "failures recorded in OUT_FAIL_LIST" },
      { name: "OUT_CLASS", offset: 64, meaning: "u32 per class id: cases generated" },
      { name: "OUT_FAIL_LIST", offset: 320, meaning: "up to maxFailList (case index, kind) u32 pairs" },
      { name: "OUT_KINDS", offset: 576, meaning: "u32 per failure kind (16): failures" },
    ],
    maxFailList: 32,
  },
};

// ---------------------------------------------------------------- modules and exports
/**
 * The modules built from this contract. Both have zero imports and one exported memory. The fuzzing
 * toolkit is its own module, with its own copy of the codec and the oracle it checks against, so the
 * core stays small; hosts load it only when they fuzz.
 */
export const modules = [
  {
    name: "core",
    file: "build/release.wasm",
    entry: "assembly/index.ts",
    summary: "the codec: decode, encode, capability chains, batch decode, the SET_IRQS oracle",
  },
  {
    name: "fuzz",
    file: "build/fuzz.wasm",
    entry: "assembly/fuzz/index.ts",
    summary: "the fuzzing toolkit: seeded generators, structure-aware mutator, campaign loop",
  },
];
const CORE = ["core"];
const FUZZ = ["fuzz"];
const BOTH = ["core", "fuzz"];
/**
 * An exported function: name, parameters ("name: type, ..."), return type (AssemblyScript types), a
 * one-line summary (the export table of docs/wasm-abi.md), optional details (C header, TS type) and
 * the modules that export it.
 */
const fn = (name, params, ret, summary, doc = "", mods = CORE) => ({
  name,
  params: params
    ? params.split(", ").map((p) => {
        const [n, t] = p.split(": ");
        return { name: n, type: t };
      })
    : [],
  ret,
  summary,
  doc,
  modules: mods,
});
/** The same, exported by both modules (version and arena: every host needs them). */
const both = (name, params, ret, summary, doc = "") => fn(name, params, ret, summary, doc, BOTH);
/** The same, exported by the fuzzing module only. */
const fuzzFn = (name, params, ret, summary, doc = "") => fn(name, params, ret, summary, doc, FUZZ);
/** Every exported function, in export order. The export-types test checks them against the built module. */
export const exportedFunctions = [
  both("abi_version", "", "i32", "ABI version"),
  both("arena_ptr", "", "usize", "start of the host scratch arena"),
  both("arena_cap", "", "u32", "arena bytes available now"),
  both(
    "arena_reserve",
    "n: u32",
    "i32",
    "grow so the arena holds \u2265 n bytes; `OK` or `E_NO_MEMORY` (`arena_cap` tells the capacity)",
    "Make the arena at least n bytes. Returns OK or E_NO_MEMORY (arena_cap() tells the capacity).",
  ),
  fn("struct_count", "", "i32", "number of struct ids"),
  fn("struct_size", "sid: i32, prof: u32", "i32", "sizeof the fixed part under a profile"),
  fn(
    "cap_known_size",
    "sid: i32, version: u32, prof: u32",
    "i32",
    "known size of a capability struct at a cap version",
  ),
  fn(
    "parse",
    "sid: i32, prof: u32, src: usize, len: u32, out: usize, outCap: u32, maxHops: i32",
    "i32",
    "decode one buffer into records",
    "Parse src[0..len) as struct sid into records at out (capacity outCap records of 24 bytes). Returns OK / NEEDS_ARGSZ / negative status. rec_count() tells how many records were written.",
  ),
  fn(
    "parse_window",
    "sid: i32, prof: u32, src: usize, len: u32, out: usize, outCap: u32, maxHops: i32, first: u32",
    "i32",
    "`parse` through a record window: writes records first..first+outCap-1",
    "parse() through a window: writes records first..first+outCap-1 of the stream to out and returns the parse's status (never E_OUT_FULL). rec_total() is the length of the whole stream, so a host reads any stream with a window of fixed size by calling again with first += outCap.",
  ),
  fn("rec_count", "", "u32", "records written by the last `parse` / `parse_window`"),
  fn("rec_total", "", "u32", "records in the whole stream of the last `parse` / `parse_window`"),
  fn("err_code", "", "i32", "last parse error status (0 none)"),
  fn("err_offset", "", "u32", "its byte offset"),
  fn("err_field", "", "i32", "its field id (-1 none)"),
  fn("err_value", "", "u64", "the offending value"),
  fn(
    "encode_fields",
    "sid: i32, prof: u32, dst: usize, dstLen: u32, vals: usize, version: u32",
    "i32",
    "write a struct's scalar fields",
    "Write struct sid's scalar fields from a u64 value vector. Returns sizeof or a negative status.",
  ),
  fn(
    "irq_set_encode",
    "prof: u32, dst: usize, cap: u32, argsz: u32, flags: u32, index: u32, start: u32, count: u32, payload: usize, npayload: u32",
    "i32",
    "encode vfio_irq_set",
    "Encode vfio_irq_set. payload: npayload u8 (BOOL) or s32 (EVENTFD, host order) values.",
  ),
  fn(
    "caps_build",
    "host: i32, prof: u32, dst: usize, dstCap: u32, fixedLen: u32, argszSupplied: u32, list: usize, n: u32",
    "i32",
    "kernel-style capability chain build",
    "Kernel-style chain build on an encoded fixed struct (see encode.ts buildCaps).",
  ),
  fn(
    "irq_info_decode_batch",
    "prof: u32, src: usize, n: u32, dst: usize",
    "i32",
    "batch decode vfio_irq_info",
    "Batch decode of n vfio_irq_info structs (16 bytes each, contiguous) into n x 4 host-order u32 (argsz, flags, index, count). Returns how many have argsz < 16 (the kernel's EINVAL), or E_RANGE.",
  ),
  fn(
    "caps_walk",
    "prof: u32, buf: usize, len: u32, fixedSize: u32, start: u32, out: usize, maxCaps: u32",
    "i32",
    "headers-only chain walk",
    "Bounded, cycle-safe walk of a capability chain starting at `start` inside buf[0..len), headers only: writes (u16 id, u16 version, u32 offset, u32 length) = 12 bytes per cap to out. length runs to next (or to len for the last cap). Returns the number of caps or a negative status; on failure err_offset() is the byte offset of the failing next (0xffffffff: start itself) and err_value() the offset it named.",
  ),
  fn(
    "caps_walk_batch",
    "prof: u32, bufs: usize, index: usize, n: u32, fixedSize: u32, capOffAt: u32, capFlag: u32, counts: usize, tuples: usize, tuplesCap: u32",
    "i32",
    "chain walk of n buffers in one call",
    "Batch walk of n info buffers at bufs + offset_i (`index` holds u32 offset, u32 len pairs). Each buffer's chain starts at the u32 at capOffAt when its flags (u32 at 4) have capFlag set. counts[i] = caps found or a negative status; the (id, version, offset, length) tuples of all buffers go to `tuples` one after the other (12 bytes each, tuplesCap at most). Returns the total number of caps, E_OUT_FULL when tuples ran out, or E_RANGE.",
  ),
  fn(
    "read_u32",
    "prof: u32, p: usize",
    "u32",
    "one u32 in the profile's byte order (0 if out of range)",
    "Read helper for hosts that want one u32 with the profile's byte order.",
  ),
  fn(
    "oracle_set_irqs",
    "prof: u32, buf: usize, len: u32, dev: usize, commit: u32",
    "i32",
    "predict the kernel's SET_IRQS answer",
    "Predict SET_IRQS; see oracleSetIrqs. Bounds-checked; never traps.",
  ),
  fn(
    "oracle_set_irqs_batch",
    "prof: u32, bufs: usize, index: usize, n: u32, dev: usize, out: usize",
    "i32",
    "the same for n buffers, no state change",
    "Batch prediction without state changes: n buffers at bufs + offsets[i] (u32 pairs offset,len in `index`), verdicts to out[i] as i32 (ret or -errno) and rule ids to out[n + i]. Returns the number of accepted buffers.",
  ),
  fn("oracle_last_rule", "", "u32", "rule id of the last oracle verdict"),
  fn(
    "oracle_last_elem",
    "",
    "i32",
    "payload element whose eventfd/vector failed in the last MSI/MSI-X block, or -1",
    "Payload element (0-based) whose eventfd/vector failed in an MSI/MSI-X block, else -1.",
  ),
  fn(
    "oracle_lvu_slot",
    "dev: usize, index: u32, vector: u32",
    "i32",
    "libvfio-user fd-table slot of (index, vector) on a device block",
    "The fd-table slot (LVU_TABLE byte) a libvfio-user server uses for vector `vector` of irq index `index` on device block `dev`: ERR and REQ have their own slots, INTx shares MSI/MSI-X slot 0 under LVU_BUG_INTX_SHARED. E_ORACLE_RANGE when the block lies outside memory.",
  ),
  fuzzFn("fuzz_work_size", "", "u32", "bytes of the work area every fuzz export needs"),
  fuzzFn("fuzz_out_words", "", "u32", "u32 words `fuzz_campaign` writes to `out`"),
  fuzzFn("fuzz_num_classes", "", "i32", "number of generator classes"),
  fuzzFn(
    "fuzz_gen",
    "sid: i32, seed: u32, idx: u32, prof: u32, dev: usize, work: usize, cls: i32",
    "i32",
    "generate case idx of run seed at work+0; returns its length",
    "Generate case `idx` of run `seed` for family sid (a struct id, -1 = mixed) and class cls (-1 = random) on device block `dev`. Bytes at work+0; returns the length. Labels: fuzz_label_*.",
  ),
  fuzzFn("fuzz_label_class", "", "i32", "label of the last generated case: class"),
  fuzzFn("fuzz_label_struct", "", "i32", "\u2026 struct id"),
  fuzzFn("fuzz_label_ret", "", "i32", "\u2026 expected oracle return"),
  fuzzFn("fuzz_label_rule", "", "u32", "\u2026 expected oracle rule"),
  fuzzFn("fuzz_label_status", "", "i32", "\u2026 expected parse status"),
  fuzzFn("fuzz_label_target", "", "u32", "\u2026 targeted field/offset"),
  fuzzFn(
    "fuzz_mutate",
    "sid: i32, prof: u32, src: usize, len: u32, dst: usize, cap: u32, seed: u64, work: usize",
    "i32",
    "structure-aware mutation of src into dst (u64 seed); new length",
    "Structure-aware mutation of src[0..len) (struct sid) into dst (capacity cap), seeded by seed. Returns the new length or a negative status.",
  ),
  fuzzFn(
    "fuzz_case_env",
    "seed: u32, idx: u32, nprof: u32, ndev: u32",
    "u32",
    "profile index \\| device index << 16 a campaign uses for case idx",
    "Profile index | device index << 16 that the campaign picks for case idx (to replay it).",
  ),
  fuzzFn(
    "fuzz_campaign",
    "seed: u32, first: u32, n: u32, profs: usize, nprof: u32, devs: usize, ndev: u32, work: usize, out: usize",
    "i32",
    "generate + check cases first..first+n-1; stats to out",
    "Campaign over cases first..first+n-1 (see check.ts); stats to out (fuzz_out_words() u32).",
  ),
  fuzzFn(
    "fuzz_gen_batch",
    "sid: i32, seed: u32, first: u32, n: u32, prof: u32, dev: usize, work: usize, out: usize",
    "i32",
    "generation + labelling only; accepted count, u64 hash to out",
    "Generation + labelling only (benchmarks, corpus hashes): n cases of family sid from `first`. Returns the number the oracle/codec accepts; the order-independent hash sum goes to out (u64).",
  ),
  fn(
    "irq_set_validate_batch",
    "prof: u32, bufs: usize, index: usize, n: u32, dev: usize, out: usize",
    "i32",
    "branch-free validate stage for n vfio_irq_set buffers (PCI)",
    "Validate-stage verdicts for n vfio_irq_set buffers on a PCI device block (oracle.ts layout; only words 0 and 8..12 are read): buffers at bufs + offset_i with `index` holding (u32 offset, u32 len) pairs, verdicts (0 or -errno) to out[i] and rule ids to out[n + i]. A verdict of 0 means the buffer passes validation and dispatch (the handler's state rules are not applied: use oracle_set_irqs_batch for the full answer). Returns the number passing, E_BAD_ARG (-22) for a non-PCI device block, or -1000 when an argument range lies outside memory.",
  ),
];
/** Exported immutable globals. */
export const exportedGlobals = [
  { name: "ABI_VERSION", type: "i32", summary: "immutable global, same value as `abi_version()`", modules: BOTH },
];
/** The exported memory. */
export const exportedMemory = {
  name: "memory",
  modules: BOTH,
  summary: "the module's memory (initial size from the static data; grows by `arena_reserve`)",
};
