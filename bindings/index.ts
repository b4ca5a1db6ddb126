// vfio-abi: byte-exact codec for the Linux VFIO interrupt and capability ABI.

export { buildCaps, type CapSpan, walkCaps } from "./caps.js";
export {
  type Decoded,
  type Diagnostic,
  decode,
  type InspectResult,
  inspect,
  REC_SIZE,
  type SpanNode,
  structNames,
} from "./decode.js";
export { encode, retryRequest } from "./encode.js";
export * from "./errors.js";
export type * from "./generated/schema.js";
export { SCHEMA, type StructName, type StructTypes } from "./generated/schema.js";
export { fromHex, toHex } from "./hex.js";
export { fromJSONValue, toJSONValue } from "./json.js";
export {
  backend,
  EXPECTED_ABI_VERSION,
  init,
  initSync,
  initWithExports,
  type WasmExports,
  type WasmSource,
  wasm,
  wasmUrl,
} from "./loader.js";
export { type ResolvedProfile, resolveProfile } from "./profile.js";
export { nameEnum, nameFlags, structByName } from "./schema-index.js";
export * from "./types.js";

import { type Decoded, decode } from "./decode.js";
import { encode } from "./encode.js";
import type {
  VfioDeviceInfo,
  VfioIommuType1Info,
  VfioIrqInfo,
  VfioIrqSet,
  VfioRegionInfo,
} from "./generated/schema.js";
import type { DecodeOptions, EncodeOptions } from "./types.js";

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
export { decodeIrqInfoFast, encodeIrqInfoFast, type IrqInfoFields } from "./fast/generated.js";
export {
  type DeviceDescription,
  DeviceModel,
  deviceBlock,
  formatTopology,
  irqTopology,
  type Prediction,
  predictSetIrqs,
  qemuDevice,
  qemuDevices,
  RULES as ORACLE_RULES,
  type Topology,
} from "./oracle/index.js";
