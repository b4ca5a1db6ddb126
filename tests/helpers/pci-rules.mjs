// The vfio-pci SET_IRQS rules a request plan must exercise on a kernel's rules: the stateful walks
// (walk.test.mjs) and the fixed plan (gen.test.mjs) are both held to them. 6.1 has the num_ctx
// checks (NORESIZE, LOOPBACK_RANGE, EMPTY_BLOCK); 6.5+ allocate vectors on demand and refuse fd < -1.
export function pciSetIrqsRules(kernel) {
  return [
    "OK",
    "ARGSZ_MIN",
    "INDEX",
    "COUNT_OVERFLOW",
    "FLAGS_UNKNOWN",
    "START",
    "RANGE",
    "DATA_TYPE",
    "PAYLOAD_SHORT",
    "ACTION",
    "NO_HANDLER",
    "INTX_MASK_EVENTFD",
    "NOT_ENABLED",
    "SUBINDEX",
    "OTHER_TYPE",
    "FD_CLOSED",
    "FD_NOT_EVENTFD",
    "CTX_UNSET",
    "COUNT_ZERO",
    "VIRQFD_BUSY",
    "ZERO_VECTORS",
    ...(kernel === "6.1" ? ["NORESIZE", "LOOPBACK_RANGE", "EMPTY_BLOCK"] : ["VECTOR_UNALLOCATED", "FD_BELOW"]),
  ];
}
