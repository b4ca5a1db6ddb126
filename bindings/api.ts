// vfio-abi without the generated fast paths: bindings/index.ts adds them. The Node entry
// (scripts/build/split.mjs) builds this as one part and each struct's fast paths as their own.
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
export { MAX_EDIT_ELEMENTS } from "./edit.js";
export { CONFIDENT_GUESS, type StructGuess, type GuessOptions } from "./guess.js";
export { encode } from "./encode.js";
export { MEMORY_POLICY, memoryStats } from "./memory.js";
export type {
  CapSpan,
  CapChain,
  ChainLink,
  ChainEnd,
} from "./caps.js";
export type { ResolvedProfile } from "./profile.js";
export {
  DUMP_FORMATS,
  type Dump,
  type DumpFormat,
  type DumpOptions,
} from "./hex.js";
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
  DeviceModel,
  qemuDevices,
  UapiModel,
  CdevModel,
  IommufdContext,
  RULES as ORACLE_RULES,
  type DeviceDescription,
  type Prediction,
  type Topology,
} from "./oracle/index.js";
export {
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

// ---------------------------------------------------------------- checked entry points
// The functions below check their arguments in one place (args.ts): a wrong kind of argument is a
// UsageError naming it, never a TypeError from inside. decode, encode and inspect check their own.
import { guard } from "./args.js";
import * as spans from "./spans.js";
import * as edit from "./edit.js";
import * as guess from "./guess.js";
import * as exp from "./export.js";
import * as enc from "./encode.js";
import * as caps from "./caps.js";
import * as profile from "./profile.js";
import * as hex from "./hex.js";
import * as json from "./json.js";
import * as idx from "./schema-index.js";
import * as oracle from "./oracle/index.js";
import * as user from "./vfio-user.js";

export const byteOwners = guard("byteOwners", spans.byteOwners, "nodes:array", "length:integer");
export const nodeAt = guard("nodeAt", spans.nodeAt, "nodes:array", "key:array");
export const sameKey = guard("sameKey", spans.sameKey, "a:array", "b:array");
export const keyPath = guard("keyPath", spans.keyPath, "key:array");
export const setValue = guard(
  "setValue",
  edit.setValue,
  "structName:name",
  "bytes:bytes",
  "key:array",
  "value:int",
  "opts:options?",
);
export const patchBytes = guard(
  "patchBytes",
  edit.patchBytes,
  "bytes:bytes",
  "offset:integer",
  "size:integer",
  "value:int",
  "endian:text",
);
export const blankBytes = guard("blankBytes", edit.blankBytes, "structName:name", "opts:options?");
export const guessStruct = guard("guessStruct", guess.guessStruct, "bytes:bytes", "opts:options?");
export const formatHex = guard("formatHex", exp.formatHex, "bytes:bytes", "opts:options?");
export const formatC = guard("formatC", exp.formatC, "structName:name", "bytes:bytes", "opts:options?");
export const retryRequest = guard("retryRequest", enc.retryRequest, "structName:name", "reply:object", "opts:options?");
export const walkCaps = guard("walkCaps", caps.walkCaps, "host:name", "bytes:bytes", "opts:options?");
export const buildCaps = guard("buildCaps", caps.buildCaps, "host:name", "fixed:object", "caps:any", "opts:options?");
export const capChain = guard("capChain", caps.capChain, "result:object");
export const resolveProfile = guard("resolveProfile", profile.resolveProfile, "opts:options?");
export const toHex = guard("toHex", hex.toHex, "bytes:bytes");
export const fromHex = guard("fromHex", hex.fromHex, "text:text", "maxBytes:integer?");
export const parseDump = guard("parseDump", hex.parseDump, "text:text", "opts:options?");
export const detectFormat = guard("detectFormat", hex.detectFormat, "text:text");
export const toJSONValue = json.toJSONValue;
export const fromJSONValue = guard("fromJSONValue", json.fromJSONValue, "structName:name", "json:any");
export const structByName = guard("structByName", idx.structByName, "name:name");
export const nameFlags = guard("nameFlags", idx.nameFlags, "setName:name", "value:int", "proposals:array?");
export const nameEnum = guard(
  "nameEnum",
  idx.nameEnum,
  "enumName:name",
  "value:integer",
  "proposals:array?",
  "ctx:options?",
);
export const irqSetElementSize = guard("irqSetElementSize", idx.irqSetElementSize, "flags:integer");
export const predictSetIrqs = guard(
  "predictSetIrqs",
  oracle.predictSetIrqs,
  "device:object",
  "bytes:bytes",
  "opts:options?",
);
export const deviceBlock = guard("deviceBlock", oracle.deviceBlock, "device:object");
export const platformBlock = guard("platformBlock", oracle.platformBlock, "device:object");
export const irqTopology = guard("irqTopology", oracle.irqTopology, "device:object", "opts:options?");
export const formatTopology = guard("formatTopology", oracle.formatTopology, "topology:object");
export const qemuDevice = guard("qemuDevice", oracle.qemuDevice, "name:name", "kernel:text?");
export const predictUapi = guard("predictUapi", oracle.predictUapi, "ioctl:name", "bytes:bytes", "device:object");
export const inspectMessage = guard("inspectMessage", user.inspectMessage, "bytes:bytes", "opts:options?");
export const decodeMessage = guard("decodeMessage", user.decodeMessage, "bytes:bytes", "opts:options?");
export const encodeMessage = guard("encodeMessage", user.encodeMessage, "message:object", "opts:options?");
export const splitMessages = guard("splitMessages", user.splitMessages, "bytes:bytes", "opts:options?");
export const commandNumber = guard("commandNumber", user.commandNumber, "command:id");
export const commandName = guard("commandName", user.commandName, "command:integer");
export const commandInfo = guard("commandInfo", user.commandInfo, "command:integer");
export const bodyStructOf = guard("bodyStructOf", user.bodyStructOf, "command:integer", "reply:any", "error:any");
export const fdsAccept = guard("fdsAccept", user.fdsAccept, "expectation:object", "count:integer");
