// vfio-abi: byte-exact codec for the Linux VFIO interrupt and capability ABI.
export * from "./api.js";
export * from "./fast/generated.js";
