// The bindings this page uses, straight from their TypeScript source: the build bundles them into
// the page, so the inspector and the CLI run the same codec helpers.
export * from "../../bindings/index.ts";
export { ioctls, lookupIoctl } from "../../bindings/ioctl.ts";
export {
  DEFAULT_KERNEL,
  KNOWN_KERNELS,
  kernelBehaviours,
  QEMU_DEVICE_NAMES,
  qemuDevice,
  predictSetIrqs,
  RULES,
  vfioPciIrqs,
} from "../../bindings/oracle/index.ts";
