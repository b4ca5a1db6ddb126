// vfio-abi kernel oracle: what Linux answers to VFIO device ioctls (SET_IRQS in the wasm core,
// assembly/oracle.ts; INFO ioctls from the device description), a per-device state model, the
// IRQ topology labeller, and the QEMU harness devices as data.

export { RULES, type RuleInfo, ruleName, ruleReason } from "../oracle-rules.js";
export {
  type CapDesc,
  checkDescription,
  DEV_WORDS,
  type DeviceDescription,
  DRIVERS,
  type DriverName,
  deviceBlock,
  type IrqDesc,
  kernelRules,
  type RegionDesc,
} from "./wasm/device.js";
export {
  DeviceModel,
  errnoName,
  IOCTL_NAMES,
  type IoctlName,
  oracleCall,
  type Prediction,
  type PredictOptions,
  predictSetIrqs,
} from "./wasm/model.js";
export { QEMU_DEVICE_NAMES, QEMU_KERNELS, type QemuDevice, qemuDevice, qemuDevices } from "./wasm/qemu.js";
export {
  formatTopology,
  irqTopology,
  REASONS as TOPOLOGY_REASONS,
  type Topology,
  type TopologyOptions,
  type TopologyRow,
} from "./wasm/topology.js";
