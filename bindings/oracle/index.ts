// vfio-abi kernel oracle: what Linux answers to VFIO device ioctls (SET_IRQS in the wasm core,
// assembly/oracle.ts; INFO ioctls from the device description; VFIO_DEVICE_FEATURE, hot reset info,
// group status and type1 MAP/UNMAP_DMA in model/uapi.ts; the cdev / iommufd bind, attach and detach in
// model/cdev.ts), a per-device state model, the
// IRQ topology labeller, and the QEMU harness devices as data.
export {
  type DeviceDescription,
  type IrqDesc,
  type RegionDesc,
  type CapDesc,
  type DriverName,
  DEV_WORDS,
  DRIVERS,
  deviceBlock,
  platformBlock,
  kernelRules,
  checkDescription,
  hasErrIndex,
  vfioPciIrqs,
  type FdEnv,
  type FdList,
  DEFAULT_FD_ENV,
  parseFdList,
  formatFdList,
  fdEnvOf,
  applyFdEnv,
  fdEnvText,
} from "./model/device.js";
export {
  KNOWN_KERNELS,
  DEFAULT_KERNEL,
  KERNEL_BEHAVIOURS,
  kernelBehaviours,
  kernelProfileBits,
  knownKernel,
  type KnownKernel,
  type KernelBehaviour,
} from "./model/kernel.js";
export {
  DeviceModel,
  predictSetIrqs,
  oracleCall,
  errnoName,
  IOCTL_NAMES,
  type Prediction,
  type PredictOptions,
  type IoctlName,
} from "./model/model.js";
export {
  irqTopology,
  formatTopology,
  REASONS as TOPOLOGY_REASONS,
  type Topology,
  type TopologyRow,
  type TopologyOptions,
} from "./model/topology.js";
export { qemuDevice, qemuDevices, QEMU_DEVICE_NAMES, QEMU_KERNELS, type QemuDevice } from "./model/qemu.js";
export { UapiModel, predictUapi, UAPI_IOCTLS, type UapiIoctl, type UapiPrediction } from "./model/uapi.js";
export {
  CdevModel,
  IommufdContext,
  CDEV_IOCTLS,
  cdevStruct,
  knownFlags,
  kernelSizeof,
  type CdevIoctl,
  type CdevFds,
} from "./model/cdev.js";
export { RULES, ruleName, ruleReason, type RuleInfo } from "../oracle-rules.js";
