/** Payload of vfio_irq_set: count x u8 (DATA_BOOL) or count x s32 eventfds (DATA_EVENTFD). */
export type IrqSetData = number[];
/** Layout epoch the codec's tables use for a profile: "6.1" (up to 6.5) or "6.7" (6.6 and later). */
export type LayoutEpoch = "6.1" | "6.7";

export type Endian = "little" | "big";
export type DataModel = "lp64" | "ilp32";
/** Layout epoch: "6.1" = capabilities packed back to back, vfio_device_info 20 bytes;
 *  "6.7" (and any release from 6.6 on, e.g. "6.12"; "6.6" is an alias) = capabilities 8-aligned,
 *  vfio_device_info 24 bytes, __aligned_u64. A release names the sizes of argsz-extensible structs
 *  too (epoch "6.12" encodes a 16-byte vfio_device_bind_iommufd). */
export type Epoch = "6.1" | "6.6" | (string & {});

export interface ProfileOptions {
  /** Named ABI: x86_64 (default), aarch64, i386, s390x, ppc64, ppc64le, mips. Sets endian and model. */
  arch?: string;
  endian?: Endian;
  model?: DataModel;
  epoch?: Epoch;
  /** Never-merged proposals to enable (see SCHEMA.proposals). Upstream Linux when empty. */
  proposals?: string[];
}

/** The memory policy's per-call limit (docs/wasm-abi.md, Memory policy). */
export interface SizeOptions {
  /**
   * Largest input (decode, inspect, walkCaps) or encoded output (encode) in bytes; default 4 MiB
   * (MEMORY_POLICY.defaultMaxInput). Larger ones fail with E_TOO_LARGE before any work is done.
   */
  maxInput?: number;
}

export interface DecodeOptions extends ProfileOptions, SizeOptions {
  /** Upper bound on capability-chain hops: an integer from 1 to 2^31 - 1 (default 1024). */
  maxCaps?: number;
  /**
   * Device type whose IRQ index space names vfio_irq_info / vfio_irq_set `index`: pci (the default),
   * ccw, ap, or platform / amba / fsl-mc / cdx, whose indexes are the device's own numbers.
   */
  device?: "pci" | "platform" | "amba" | "ccw" | "ap" | "fsl-mc" | "cdx";
}

export interface EncodeOptions extends ProfileOptions, SizeOptions {}

/** One decoded capability, in chain order. Fields are the kernel struct's, beside its header. */
export interface DecodedCap {
  offset: number;
  header: { id: number; version: number; next: number };
  /** Kernel constant name (VFIO_REGION_INFO_CAP_SPARSE_MMAP, ...) or null when the id is unknown. */
  name: string | null;
  /** Schema struct name, or null for an unknown id. */
  struct: string | null;
  /** Bytes of the known prefix (header + fields of this version + arrays). */
  knownSize: number;
  [field: string]: unknown;
}

export interface FlagInfo {
  names: string[];
  /** Bits set that this profile does not define (kept as they are). */
  unknown: number;
  /** Unknown bits claimed by never-merged proposals (bit collisions are reported here). */
  proposed?: { bit: number; names: string[] }[];
}

/** Metadata every decoded value carries under `$`. */
export interface DecodeMeta {
  struct: string;
  length: number;
  profile: Required<Pick<ProfileOptions, "endian" | "model" | "epoch">> & { proposals: string[] };
  flags: Record<string, FlagInfo>;
  enums: Record<string, string | null>;
  /** Bytes after the known content, up to argsz (forward-compatible slack). */
  slack?: Uint8Array;
  slackOffset?: number;
  /** Bytes after argsz up to the end of the buffer. */
  tail?: Uint8Array;
  tailOffset?: number;
  /** Bytes between known items: struct padding, cap alignment padding, unknown cap bodies, newer-version tails. */
  gaps: { offset: number; bytes: Uint8Array }[];
  /** Two-call protocol: the reply asks for a retry with this argsz (CAPS set and cap_offset 0, or a
   *  hot-reset count the devices[] of argsz cannot hold). */
  needsArgsz?: number;
  /** Struct of a selector-chosen payload (vfio_device_feature data[]: the feature's struct). */
  payload?: string;
  /** argsz-extensible structs: the releases whose sizeof equals argsz ("6.6-6.16", "6.17+"). */
  sizeOf?: string[];
  notes: string[];
}
