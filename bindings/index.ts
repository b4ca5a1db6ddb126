// vfio-abi: byte-exact codec for the Linux VFIO interrupt and capability ABI.
export {
  init,
  initSync,
  initWithExports,
  wasm,
  backend,
  wasmUrl,
  initFuzz,
  initFuzzSync,
  initFuzzWithExports,
  fuzzWasm,
  fuzzWasmUrl,
  EXPECTED_ABI_VERSION,
  type WasmExports,
  type FuzzExports,
  type WasmSource,
} from "./loader.js";
export {
  decode,
  inspect,
  structNames,
  REC_SIZE,
  type Decoded,
  type SpanNode,
  type Diagnostic,
  type InspectResult,
  type PathKey,
} from "./decode.js";
export { byteOwners, nodeAt, sameKey, keyPath } from "./spans.js";
export { setValue, patchBytes, blankBytes, MAX_EDIT_ELEMENTS } from "./edit.js";
export { guessStruct, CONFIDENT_GUESS, type StructGuess, type GuessOptions } from "./guess.js";
export { formatHex, formatC } from "./export.js";
export { encode, retryRequest } from "./encode.js";
export { MEMORY_POLICY, memoryStats } from "./memory.js";
export {
  walkCaps,
  buildCaps,
  capChain,
  type CapSpan,
  type CapChain,
  type ChainLink,
  type ChainEnd,
} from "./caps.js";
export { resolveProfile, type ResolvedProfile } from "./profile.js";
export {
  toHex,
  fromHex,
  parseDump,
  detectFormat,
  DUMP_FORMATS,
  type Dump,
  type DumpFormat,
  type DumpOptions,
} from "./hex.js";
export { toJSONValue, fromJSONValue } from "./json.js";
export { structByName, nameFlags, nameEnum, irqSetElementSize } from "./schema-index.js";
/** The kernel's names (flags, masks, enums) and layout constants (struct/field ids, fixed offsets, sizes). */
export * from "./generated/constants.js";
export * from "./errors.js";
export * from "./types.js";
export { SCHEMA, type StructName, type StructTypes } from "./generated/schema.js";
export type * from "./generated/schema.js";

import { decode, type Decoded } from "./decode.js";
import { encode } from "./encode.js";
import type { DecodeOptions, EncodeOptions } from "./types.js";
import type {
  VfioIrqInfo,
  VfioIrqSet,
  VfioRegionInfo,
  VfioDeviceInfo,
  VfioIommuType1Info,
} from "./generated/schema.js";

type In<T> = Partial<T> & Record<string, unknown>;

export const decodeIrqInfo = (b: Uint8Array, o?: DecodeOptions): Decoded<VfioIrqInfo> =>
  decode("vfio_irq_info", b, o) as Decoded<VfioIrqInfo>;
export const encodeIrqInfo = (v: In<VfioIrqInfo>, o?: EncodeOptions): Uint8Array =>
  encode("vfio_irq_info", v as never, o);
export const decodeIrqSet = (b: Uint8Array, o?: DecodeOptions): Decoded<VfioIrqSet> =>
  decode("vfio_irq_set", b, o) as Decoded<VfioIrqSet>;
export const encodeIrqSet = (v: In<VfioIrqSet>, o?: EncodeOptions): Uint8Array => encode("vfio_irq_set", v as never, o);
export const decodeRegionInfo = (b: Uint8Array, o?: DecodeOptions): Decoded<VfioRegionInfo> =>
  decode("vfio_region_info", b, o) as Decoded<VfioRegionInfo>;
export const encodeRegionInfo = (v: In<VfioRegionInfo>, o?: EncodeOptions): Uint8Array =>
  encode("vfio_region_info", v as never, o);
export const decodeDeviceInfo = (b: Uint8Array, o?: DecodeOptions): Decoded<VfioDeviceInfo> =>
  decode("vfio_device_info", b, o) as Decoded<VfioDeviceInfo>;
export const encodeDeviceInfo = (v: In<VfioDeviceInfo>, o?: EncodeOptions): Uint8Array =>
  encode("vfio_device_info", v as never, o);
export const decodeIommuType1Info = (b: Uint8Array, o?: DecodeOptions): Decoded<VfioIommuType1Info> =>
  decode("vfio_iommu_type1_info", b, o) as Decoded<VfioIommuType1Info>;
export const encodeIommuType1Info = (v: In<VfioIommuType1Info>, o?: EncodeOptions): Uint8Array =>
  encode("vfio_iommu_type1_info", v as never, o);
export {
  predictSetIrqs,
  DeviceModel,
  deviceBlock,
  platformBlock,
  irqTopology,
  formatTopology,
  qemuDevice,
  qemuDevices,
  UapiModel,
  predictUapi,
  RULES as ORACLE_RULES,
  type DeviceDescription,
  type Prediction,
  type Topology,
} from "./oracle/index.js";
export * from "./fast/generated.js";
export {
  inspectMessage,
  decodeMessage,
  encodeMessage,
  splitMessages,
  commandNumber,
  commandName,
  commandInfo,
  bodyStructOf,
  fdsAccept,
  MESSAGE_STRUCT,
  HEADER_SIZE as VFIO_USER_HEADER_SIZE,
  VFIO_USER_F_TYPE_COMMAND,
  VFIO_USER_F_TYPE_REPLY,
  VFIO_USER_F_NO_REPLY,
  VFIO_USER_F_ERROR,
  type FdExpectation,
  type MessageMeta,
  type MessageDecodeOptions,
  type MessageValue,
} from "./vfio-user.js";
