// Names and reasons of the SET_IRQS oracle's rule ids (assembly/oracle.ts R_*; keep in sync).
export interface RuleInfo { id: number; name: string; reason: string }

const R: [string, string][] = [
  ["OK", "accepted"],
  ["COPY_FAULT", "the kernel cannot read the bytes it copies from user memory (copy_from_user/memdup_user/get_user: EFAULT)"],
  ["ARGSZ_MIN", "argsz < 20 (offsetofend(struct vfio_irq_set, count))"],
  ["INDEX", "index >= the driver's max_irq_type"],
  ["COUNT_OVERFLOW", "count >= U32_MAX - start (overflow guard)"],
  ["FLAGS_UNKNOWN", "flag bits outside DATA_TYPE_MASK|ACTION_TYPE_MASK (0x3f)"],
  ["START", "start >= number of irqs of the index (also when count is 0, and for an index with 0 irqs)"],
  ["RANGE", "start + count > number of irqs of the index"],
  ["DATA_TYPE", "not exactly one of DATA_NONE/DATA_BOOL/DATA_EVENTFD"],
  ["PAYLOAD_SHORT", "argsz - 20 < count x element size"],
  ["ACTION", "not exactly one of ACTION_MASK/UNMASK/TRIGGER: the driver's dispatch finds no handler"],
  ["NO_HANDLER", "no handler for this (index, action): MASK/UNMASK on MSI/MSI-X, non-TRIGGER on ERR/REQ"],
  ["INTX_MASK_EVENTFD", "INTx MASK with DATA_EVENTFD is not implemented (\"XXX implement me\")"],
  ["NOT_ENABLED", "the action needs this irq type enabled (loopback trigger, mask/unmask)"],
  ["SUBINDEX", "the handler needs start == 0 and count == 1 (count <= 1 for ERR/REQ)"],
  ["OTHER_TYPE", "another irq type is enabled"],
  ["NORESIZE", "6.1: an enabled MSI/MSI-X set cannot grow or be addressed past its vectors (NORESIZE)"],
  ["FD_CLOSED", "eventfd is not an open file descriptor (EBADF)"],
  ["FD_NOT_EVENTFD", "file descriptor is open but not an eventfd (EINVAL)"],
  ["CTX_UNSET", "ERR/REQ DATA_NONE with no eventfd set"],
  ["COUNT_ZERO", "ERR/REQ DATA_BOOL/DATA_EVENTFD with count 0"],
  ["NOT_MASKABLE", "platform MASK/UNMASK on an index without VFIO_IRQ_INFO_MASKABLE"],
  ["CCW_NO_TRIGGER", "ccw/ap: ACTION_TRIGGER bit missing"],
  ["FD_BELOW", "eventfd < -1 (ccw/ap; PCI ERR/REQ under 6.12 rules, where 6.1 ignored it)"],
  ["AP_DATA", "ap: only DATA_EVENTFD is accepted"],
  ["LVU_BOOL_LEN", "libvfio-user: DATA_BOOL payload length != count"],
  ["LVU_ERR_REQ", "libvfio-user: ERR/REQ with an action other than TRIGGER or count > 1"],
  ["LVU_COUNT0", "libvfio-user: count 0 needs start 0 and DATA_NONE|ACTION_TRIGGER"],
  ["PARTIAL_VECTORS", "pci_alloc_irq_vectors allocated fewer MSI vectors: the kernel returns that number, MSI stays disabled"],
  ["CCW_INDEX", "ccw: index is not IO/CRW/REQ"],
  ["VIRQFD_BUSY", "INTx UNMASK eventfd while an unmask irqfd is already installed (vfio_virqfd_enable: EBUSY)"],
  ["ZERO_VECTORS", "MSI/MSI-X enable with start + count == 0: pci_alloc_irq_vectors(1, 0) fails with ERANGE"],
  ["LOOPBACK_RANGE", "6.1: loopback trigger past the enabled vectors (start + count > num_ctx)"],
  ["VECTOR_UNALLOCATED", "6.12: eventfd for a vector that is not allocated and cannot be allocated dynamically (pci_irq_vector: EINVAL)"],
  ["LVU_FDS", "libvfio-user: number of fds passed != count"],
  ["LVU_SHORT", "libvfio-user: the message body is shorter than the struct (EINVAL; a kernel would fault with EFAULT)"],
  ["LVU_FDS_NOT_EVENTFD", "libvfio-user: fds passed with DATA_NONE or DATA_BOOL (EINVAL)"],
  ["LVU_TRIGGER_FD", "libvfio-user: the trigger writes to an installed fd that is not an eventfd and not writable (EBADF); install accepted any fd"],
  ["LVU_BUG_DISABLE_RANGE", "libvfio-user bug (efd091bc): a disable closes [start, count) instead of [start, start + count): nothing when start >= count"],
  ["LVU_BUG_INTX_SHARED", "libvfio-user bug (efd091bc): INTx and MSI/MSI-X share one fd table, so an INTx trigger signals MSI/MSI-X vector 0's eventfd (and back)"],
];

export const RULES: readonly RuleInfo[] = R.map(([name, reason], id) => ({ id, name, reason }));
export const ruleName = (id: number): string => RULES[id]?.name ?? `RULE_${id}`;
export const ruleReason = (id: number): string => RULES[id]?.reason ?? `rule ${id}`;
