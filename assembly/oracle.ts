// SET_IRQS oracle: what Linux answers to a vfio_irq_set, in the kernel's order —
// vfio_set_irqs_validate_and_prepare (EINVAL) -> the driver's (index, action) dispatch (ENOTTY)
// -> the handler's state rules (EINVAL, EBADF). Sources: drivers/vfio/vfio_main.c,
// drivers/vfio/pci/vfio_pci_intrs.c, platform/ccw/ap drivers, libvfio-user lib/irq.c; confirmed
// against real 6.1, 6.12, 7.2 and 7.3 kernels under QEMU (tests/kernel).
//
// Device description + state, DEV_WORDS little-endian u32 words at `dev` (docs/wasm-abi.md;
// bindings/oracle/device.ts builds it from a JSON device description):
//   0 driver (DRV_*)          1 kernel profile bits: bit0 6.5+ (xarray MSI contexts, no num_ctx checks)
//   2 num_irqs (indexes)      3 bit0 PCIe (ERR index exists), bit1 MSI multi-vector allocations may fall
//                               short (intremap off), bit2 dynamic MSI-X (has_dyn_msix: MSI-X irq_info
//                               without NORESIZE; only with 6.12 rules)
//   4 msi_alloc_max           5 active irq type (T_NONE, T_INTX, T_MSI, T_MSIX)
//   6 allocated vector count  7 bit0 ERR trigger set, bit1 REQ trigger set, bit2 INTx trigger set,
//                               pci: bit3 INTx unmask irqfd installed; platform/ccw/ap: bit 3+i = index i
//                               trigger set
//   8..71  per-index count     72..135 per-index vfio_irq_info flags
//   136..167 eventfd bitmap for fds 0..1023   168..199 open (non-eventfd) fd bitmap
// An fd >= 1024, or in neither bitmap, is closed (EBADF).
// vfio-pci blocks with PCI_EXTENDED in word 3 carry PCI_WORDS words: from word 200 the eventfd each
// trigger holds (INTx, unmask irqfd, ERR, REQ, each MSI/MSI-X vector), kept here on commit (class
// Pci) - the one place that state lives; hosts read it to follow the signals the kernel sends.
// vfio-platform/amba blocks with PLAT_EXTENDED carry PLAT_WORDS words: each line's request_irq errno,
// trigger eventfd, mask/unmask irqfds and mask (class Plat), kept the same way.
import {
  DEVF_DYN_MSIX,
  DEVF_MSI_SHORT,
  DEV_ACTIVE_TYPE,
  DEV_DRIVER,
  DEV_EVENTFDS,
  DEV_FEATURES,
  DEV_IRQ_COUNT,
  DEV_IRQ_COUNT_WORDS,
  DEV_IRQ_FLAGS,
  DEV_IRQ_FLAGS_WORDS,
  DEV_KERNEL,
  DEV_MSI_ALLOC_MAX,
  DEV_NUM_IRQS,
  DEV_OPEN_FDS,
  DEV_TRIGGERS,
  DEV_VECTORS,
  DEV_WORDS,
  DRV_AMBA,
  DRV_AP,
  DRV_CCW,
  DRV_LIBVFIO_USER,
  DRV_PCI,
  DRV_PLATFORM,
  EBADF,
  EBUSY,
  EFAULT,
  EINVAL,
  ENOTTY,
  ERANGE,
  E_ORACLE_RANGE,
  FD_EVENTFD,
  FD_READONLY,
  KERN_XARRAY_MSI,
  LVU_BUG_DISABLE_RANGE,
  LVU_BUG_ERR_REQ_ARRAY,
  LVU_BUG_INTX_SHARED,
  LVU_EXTENDED,
  LVU_MAX_FDS,
  LVU_MSG_KINDS,
  LVU_MSG_NFDS,
  LVU_SLOTS,
  LVU_SLOT_ERR,
  LVU_SLOT_INTX,
  LVU_SLOT_REQ,
  LVU_TABLE,
  LVU_WORDS,
  PLAT_EXTENDED,
  PLAT_IRQ_ERRNO,
  PLAT_FD_MASK,
  PLAT_FD_TRIGGER,
  PLAT_FD_UNMASK,
  PLAT_MASKED,
  PLAT_WORDS,
  PCI_EXTENDED,
  PCI_FD_ERR,
  PCI_FD_INTX,
  PCI_FD_REQ,
  PCI_FD_UNMASK,
  PCI_VECTORS,
  PCI_VECTOR_TABLE,
  PCI_VEC_FD,
  PCI_VEC_FREED,
  PCI_VEC_PENDING,
  PCI_VEC_REPLAYED,
  PCI_WORDS,
  MAX_FD,
  PROF_BIG,
  R_ACTION,
  R_AP_DATA,
  R_ARGSZ_MIN,
  R_CCW_NO_TRIGGER,
  R_COPY_FAULT,
  R_COUNT_OVERFLOW,
  R_COUNT_ZERO,
  R_CTX_UNSET,
  R_DATA_TYPE,
  R_FD_BELOW,
  R_FD_CLOSED,
  R_FD_NOT_EVENTFD,
  R_FLAGS_UNKNOWN,
  R_INDEX,
  R_INTX_MASK_EVENTFD,
  R_LOOPBACK_RANGE,
  R_LVU_BOOL_LEN,
  R_LVU_BUG_DISABLE_RANGE,
  R_LVU_BUG_ERR_REQ_ARRAY,
  R_LVU_BUG_INTX_SHARED,
  R_LVU_COUNT0,
  R_LVU_ERR_REQ,
  R_LVU_FDS,
  R_LVU_FDS_NOT_EVENTFD,
  R_LVU_SHORT,
  R_LVU_TRIGGER_FD,
  R_NORESIZE,
  R_NOT_ENABLED,
  R_NOT_MASKABLE,
  R_NO_HANDLER,
  R_OK,
  R_OTHER_TYPE,
  R_PARTIAL_VECTORS,
  R_PAYLOAD_SHORT,
  R_RANGE,
  R_REQUEST_IRQ,
  R_START,
  R_SUBINDEX,
  R_EMPTY_BLOCK,
  R_VECTOR_UNALLOCATED,
  R_VIRQFD_BUSY,
  R_ZERO_VECTORS,
  TRIG_ERR,
  TRIG_INDEX_SHIFT,
  TRIG_INTX,
  TRIG_INTX_UNMASK_FD,
  TRIG_REQ,
  T_INTX,
  T_MSI,
  T_MSIX,
  T_NONE,
} from "./generated/wasm-abi";
import { Mem, inArena } from "./mem";
import {
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__DATA,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
  SIZEOF_VFIO_IRQ_SET,
  VFIO_CCW_NUM_IRQS,
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_NUM_IRQS,
  VFIO_PCI_REQ_IRQ_INDEX,
} from "./generated/layout";

/** minsz of vfio_irq_set: offsetofend(count), where data[] starts. */
const MINSZ: u32 = SIZEOF_VFIO_IRQ_SET;

let lastRule: u32 = 0;
let lastElem: i32 = -1;
export function oracle_last_rule(): u32 {
  return lastRule;
}
/** Payload element (0-based) whose eventfd/vector failed in an MSI/MSI-X block, else -1. */
export function oracle_last_elem(): i32 {
  return lastElem;
}

/** Word i of a device block. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
class Dev {
  @inline static w(dev: usize, i: u32): u32 {
    return load<u32>(dev + ((i as usize) << 2));
  }
  @inline static setw(dev: usize, i: u32, v: u32): void {
    store<u32>(dev + ((i as usize) << 2), v);
  }
  /** Byte of the libvfio-user fd table for `slot`. */
  @inline static slotAt(dev: usize, slot: u32): usize {
    return dev + ((LVU_TABLE as usize) << 2) + (slot as usize);
  }
}
/**
 * vfio-pci's triggers in the extended block (PCI_EXTENDED): which eventfd each one holds, kept on
 * commit next to the DEV_TRIGGERS bits the rules read. Without the extended block nothing is kept.
 */
class Pci {
  @inline static on(dev: usize): bool {
    return (Dev.w(dev, DEV_FEATURES) & PCI_EXTENDED) != 0;
  }
  /** Word `word` (PCI_FD_*) holds fd (< 0: none). */
  static setFd(dev: usize, word: u32, fd: i32): void {
    if (Pci.on(dev)) Dev.setw(dev, word, fd >= 0 ? ((fd + 1) as u32) : 0);
  }
  @inline static vecAt(dev: usize, v: u32): usize {
    return dev + ((PCI_VECTOR_TABLE as usize) << 2) + ((v as usize) << 1);
  }
  /**
   * vfio_msi_set_vector_signal(v, fd): a trigger already there is freed (its interrupt deactivated),
   * then fd >= 0 gets one; an interrupt pending on the vector is replayed to it.
   */
  static setVector(dev: usize, v: u32, fd: i32): void {
    if (!Pci.on(dev) || v >= PCI_VECTORS) return;
    let e = load<u16>(Pci.vecAt(dev, v)) as u32;
    if ((e & PCI_VEC_FD) != 0) e = (e & ~PCI_VEC_FD) | PCI_VEC_FREED;
    if (fd >= 0) {
      e |= (fd + 1) as u32;
      if ((e & PCI_VEC_PENDING) != 0) e = (e & ~PCI_VEC_PENDING) | PCI_VEC_REPLAYED;
    }
    store<u16>(Pci.vecAt(dev, v), e as u16);
  }
  /** MSI/MSI-X enabled afresh or disabled: no vector holds anything. */
  static clearVectors(dev: usize): void {
    if (Pci.on(dev)) memory.fill(Pci.vecAt(dev, 0), 0, (PCI_VECTORS as usize) << 1);
  }
}

/**
 * vfio-platform/amba lines in the extended block (PLAT_EXTENDED): the trigger, the irqfds and the
 * mask of each line, kept on commit. Without the extended block nothing is kept.
 */
class Plat {
  @inline static on(dev: usize): bool {
    return (Dev.w(dev, DEV_FEATURES) & PLAT_EXTENDED) != 0;
  }
  /** Word `base` + index (PLAT_FD_*) holds fd (< 0: none). */
  static setFd(dev: usize, base: u32, index: u32, fd: i32): void {
    if (Plat.on(dev) && index < DEV_IRQ_FLAGS_WORDS) Dev.setw(dev, base + index, fd >= 0 ? ((fd + 1) as u32) : 0);
  }
  static setMasked(dev: usize, index: u32, masked: bool): void {
    if (!Plat.on(dev) || index >= DEV_IRQ_FLAGS_WORDS) return;
    const word = PLAT_MASKED + (index >> 5),
      bit: u32 = 1 << (index & 31);
    Dev.setw(dev, word, masked ? Dev.w(dev, word) | bit : Dev.w(dev, word) & ~bit);
  }
}

/** Oracle verdicts. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
class Rule {
  @inline static fail(rule: u32, errno: i32): i32 {
    lastRule = rule;
    return -errno;
  }
}

/** 0 = eventfd, EBADF or EINVAL for an fd >= 0. */
function fdCheck(dev: usize, fd: i32): u32 {
  if (fd >= MAX_FD) return R_FD_CLOSED;
  const word = (fd as u32) >> 5,
    bit: u32 = 1 << ((fd as u32) & 31);
  if ((Dev.w(dev, DEV_EVENTFDS + word) & bit) != 0) return R_OK;
  if ((Dev.w(dev, DEV_OPEN_FDS + word) & bit) != 0) return R_FD_NOT_EVENTFD;
  return R_FD_CLOSED;
}

/**
 * Predict the kernel's answer to SET_IRQS with buf[0..len) on device `dev`. `len` is what the kernel
 * can read (buffer plus any readable bytes after it). Returns the ioctl's return value (>= 0) or
 * -errno; oracle_last_rule() names the rule. With commit != 0 a successful call updates the state
 * words (enable/disable, triggers) as the kernel would.
 */
export function oracleSetIrqs(prof: u32, buf: usize, len: u32, dev: usize, commit: bool): i32 {
  lastRule = R_OK;
  lastElem = -1;
  const drv = Dev.w(dev, DEV_DRIVER);
  if (drv == DRV_LIBVFIO_USER) return lvu(dev, buf, len, (prof & PROF_BIG) != 0, commit);
  if (len < MINSZ) return Rule.fail(R_COPY_FAULT, EFAULT);
  const big = (prof & PROF_BIG) != 0;
  const argsz = Mem.rd32(buf, big),
    flags = Mem.rd32(buf + O_VFIO_IRQ_SET__FLAGS, big),
    index = Mem.rd32(buf + O_VFIO_IRQ_SET__INDEX, big);
  const start = Mem.rd32(buf + O_VFIO_IRQ_SET__START, big),
    count = Mem.rd32(buf + O_VFIO_IRQ_SET__COUNT, big);
  const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
    act = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

  // max_irq_type and the per-index irq count the driver passes to the validator
  let maxType: u32, nIrqs: u32;
  if (drv == DRV_PCI) {
    maxType = VFIO_PCI_NUM_IRQS;
    nIrqs = index < VFIO_PCI_NUM_IRQS ? Dev.w(dev, DEV_IRQ_COUNT + index) : 0;
  } else if (drv == DRV_CCW) {
    maxType = VFIO_CCW_NUM_IRQS;
    nIrqs = 1;
  } else if (drv == DRV_AP) {
    maxType = Dev.w(dev, DEV_NUM_IRQS);
    nIrqs = 1;
  } else {
    maxType = Dev.w(dev, DEV_NUM_IRQS);
    nIrqs = Dev.w(dev, DEV_NUM_IRQS);
  } // platform/amba pass num_irqs for both

  // vfio_set_irqs_validate_and_prepare
  if (argsz < MINSZ) return Rule.fail(R_ARGSZ_MIN, EINVAL);
  if (index >= maxType) return Rule.fail(R_INDEX, EINVAL);
  if (count >= 0xffffffff - start) return Rule.fail(R_COUNT_OVERFLOW, EINVAL);
  if ((flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)) != 0)
    return Rule.fail(R_FLAGS_UNKNOWN, EINVAL);
  if (start >= nIrqs) return Rule.fail(R_START, EINVAL);
  if (start + count > nIrqs) return Rule.fail(R_RANGE, EINVAL);
  let esz: u32 = 0;
  if (dt == VFIO_IRQ_SET_DATA_NONE) esz = 0;
  else if (dt == VFIO_IRQ_SET_DATA_BOOL) esz = 1;
  else if (dt == VFIO_IRQ_SET_DATA_EVENTFD) esz = 4;
  else return Rule.fail(R_DATA_TYPE, EINVAL);
  if (esz != 0 && ((argsz - MINSZ) as u64) < (count as u64) * (esz as u64)) return Rule.fail(R_PAYLOAD_SHORT, EINVAL);

  // ccw/ap read one element themselves (get_user at arg+20), after their own checks
  if (drv == DRV_CCW || drv == DRV_AP) return ccwAp(dev, buf, len, big, drv, flags, index, commit);
  // pci/platform memdup_user count x esz bytes; past the readable memory that is a fault
  if (esz != 0 && MINSZ + (count as u64) * (esz as u64) > (len as u64)) return Rule.fail(R_COPY_FAULT, EFAULT);

  // platform/amba: a request_irq that failed at open answers every SET_IRQS on its line, before the dispatch
  if (drv != DRV_PCI && Plat.on(dev) && index < DEV_IRQ_FLAGS_WORDS) {
    const requestErrno = Dev.w(dev, PLAT_IRQ_ERRNO + index) as i32;
    if (requestErrno != 0) return Rule.fail(R_REQUEST_IRQ, requestErrno);
  }
  // PCI and platform: dispatch on exactly one ACTION bit
  if (act != VFIO_IRQ_SET_ACTION_MASK && act != VFIO_IRQ_SET_ACTION_UNMASK && act != VFIO_IRQ_SET_ACTION_TRIGGER)
    return Rule.fail(R_ACTION, ENOTTY);
  if (drv == DRV_PCI) return pci(dev, buf, big, flags, index, start, count, commit);
  return platform(dev, buf, big, flags, index, start, count, commit);
}

/** fd check as eventfd_ctx_fdget: 0 or -errno with lastRule set. */
function fdErr(dev: usize, fd: i32): i32 {
  const r = fdCheck(dev, fd);
  if (r == R_OK) return 0;
  return Rule.fail(r, r == R_FD_CLOSED ? EBADF : EINVAL);
}

/** vfio_pci_set_irqs_ioctl: the (index, action) dispatch to INTx, MSI/MSI-X or the ERR/REQ trigger. */
function pci(dev: usize, buf: usize, big: bool, flags: u32, index: u32, start: u32, count: u32, commit: bool): i32 {
  const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
    act = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
  const active = Dev.w(dev, DEV_ACTIVE_TYPE);
  if (index == VFIO_PCI_INTX_IRQ_INDEX) return pciIntx(dev, buf, big, dt, act, start, count, active, commit);
  if (index == VFIO_PCI_MSI_IRQ_INDEX || index == VFIO_PCI_MSIX_IRQ_INDEX)
    return pciMsi(dev, buf, big, index, dt, act, start, count, active, commit);
  return pciErrReq(dev, buf, big, index, dt, act, start, count, commit);
}

/** INTx: mask/unmask (NONE, BOOL, the unmask irqfd) and the trigger (vfio_pci_set_intx_*). */
function pciIntx(
  dev: usize,
  buf: usize,
  big: bool,
  dt: u32,
  act: u32,
  start: u32,
  count: u32,
  active: u32,
  commit: bool,
): i32 {
  if (act == VFIO_IRQ_SET_ACTION_MASK || act == VFIO_IRQ_SET_ACTION_UNMASK) {
    if (active != T_INTX) return Rule.fail(R_NOT_ENABLED, EINVAL);
    if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
    if (dt == VFIO_IRQ_SET_DATA_EVENTFD) {
      if (act == VFIO_IRQ_SET_ACTION_MASK) return Rule.fail(R_INTX_MASK_EVENTFD, ENOTTY);
      const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
      if (fd < 0) {
        if (commit) {
          Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) & ~TRIG_INTX_UNMASK_FD);
          Pci.setFd(dev, PCI_FD_UNMASK, -1);
        }
        return 0;
      }
      // vfio_virqfd_enable: fdget (EBADF), eventfd_ctx_fileget (EINVAL), then *pvirqfd busy (EBUSY)
      const e = fdErr(dev, fd);
      if (e != 0) return e;
      if ((Dev.w(dev, DEV_TRIGGERS) & TRIG_INTX_UNMASK_FD) != 0) return Rule.fail(R_VIRQFD_BUSY, EBUSY);
      if (commit) {
        Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) | TRIG_INTX_UNMASK_FD);
        Pci.setFd(dev, PCI_FD_UNMASK, fd);
      }
    }
    return 0;
  }
  // TRIGGER
  if (active == T_INTX && count == 0 && dt == VFIO_IRQ_SET_DATA_NONE) {
    if (commit) disable(dev);
    return 0;
  }
  if (!(active == T_INTX || active == T_NONE)) return Rule.fail(R_OTHER_TYPE, EINVAL);
  if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
  if (dt == VFIO_IRQ_SET_DATA_EVENTFD) {
    const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
    if (fd >= 0) {
      const e = fdErr(dev, fd);
      if (e != 0) return e;
    }
    if (commit) {
      Dev.setw(dev, DEV_ACTIVE_TYPE, T_INTX);
      Dev.setw(dev, DEV_VECTORS, 1);
      Dev.setw(
        dev,
        DEV_TRIGGERS,
        fd >= 0 ? Dev.w(dev, DEV_TRIGGERS) | TRIG_INTX : Dev.w(dev, DEV_TRIGGERS) & ~TRIG_INTX,
      );
      Pci.setFd(dev, PCI_FD_INTX, fd);
    }
    return 0;
  }
  if (active != T_INTX) return Rule.fail(R_NOT_ENABLED, EINVAL);
  return 0;
}

/** MSI / MSI-X (vfio_pci_set_msi_trigger): enable, vfio_msi_set_block, loopback, disable. */
function pciMsi(
  dev: usize,
  buf: usize,
  big: bool,
  index: u32,
  dt: u32,
  act: u32,
  start: u32,
  count: u32,
  active: u32,
  commit: bool,
): i32 {
  if (act != VFIO_IRQ_SET_ACTION_TRIGGER) return Rule.fail(R_NO_HANDLER, ENOTTY);
  const type = index == VFIO_PCI_MSI_IRQ_INDEX ? T_MSI : T_MSIX;
  if (active == type && count == 0 && dt == VFIO_IRQ_SET_DATA_NONE) {
    if (commit) disable(dev);
    return 0;
  }
  if (!(active == type || active == T_NONE)) return Rule.fail(R_OTHER_TYPE, EINVAL);
  const k612 = (Dev.w(dev, DEV_KERNEL) & KERN_XARRAY_MSI) != 0;
  const dyn = k612 && type == T_MSIX && (Dev.w(dev, DEV_FEATURES) & DEVF_DYN_MSIX) != 0;
  const nvec = start + count;
  if (dt == VFIO_IRQ_SET_DATA_EVENTFD) {
    let alloc = Dev.w(dev, DEV_VECTORS);
    if (active != type) {
      // vfio_msi_enable(start + count): pci_alloc_irq_vectors(1, nvec)
      if (nvec == 0) return Rule.fail(R_ZERO_VECTORS, ERANGE);
      const maxAlloc = Dev.w(dev, DEV_MSI_ALLOC_MAX);
      if (type == T_MSI && (Dev.w(dev, DEV_FEATURES) & DEVF_MSI_SHORT) != 0 && maxAlloc != 0 && nvec > maxAlloc) {
        lastRule = R_PARTIAL_VECTORS; // fewer vectors than asked: the kernel returns that number, MSI stays disabled
        return maxAlloc as i32;
      }
      alloc = nvec;
      // 6.1 vfio_msi_set_block checks start < num_ctx (= start + count) even for count 0; the
      // vectors just allocated are freed again (vfio_msi_disable)
      if (!k612 && count == 0) return Rule.fail(R_EMPTY_BLOCK, EINVAL);
    } else if (!k612 && (start >= alloc || nvec > alloc)) {
      // 6.1 vfio_msi_set_block: the enabled set cannot grow (NORESIZE) - checked before any fd
      return Rule.fail(R_NORESIZE, EINVAL);
    }
    // vfio_msi_set_block: one vector after the other; the first failure wins
    for (let i: u32 = 0; i < count; i++) {
      const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA + (i << 2), big) as i32;
      if (fd < 0) continue;
      const v = start + i;
      // an enabled set loses the triggers of start..v again when vector v fails
      const tearDown = commit && active == type;
      if (k612 && v >= alloc) {
        lastElem = i as i32;
        // pci_irq_vector() -EINVAL, no dynamic allocation
        if (!dyn) return blockFailed(dev, tearDown, start, v, R_VECTOR_UNALLOCATED, EINVAL);
        alloc = v + 1; // pci_msix_alloc_irq_at()
      }
      const r = fdCheck(dev, fd);
      if (r != R_OK) {
        lastElem = i as i32;
        return blockFailed(dev, tearDown, start, v, r, r == R_FD_CLOSED ? EBADF : EINVAL);
      }
      lastElem = -1;
    }
    if (commit) {
      if (active != type) Pci.clearVectors(dev);
      Dev.setw(dev, DEV_ACTIVE_TYPE, type);
      Dev.setw(dev, DEV_VECTORS, alloc);
      for (let i: u32 = 0; i < count; i++)
        Pci.setVector(dev, start + i, Mem.rd32(buf + O_VFIO_IRQ_SET__DATA + (i << 2), big) as i32);
    }
    return 0;
  }
  if (active != type) return Rule.fail(R_NOT_ENABLED, EINVAL);
  if (!k612 && nvec > Dev.w(dev, DEV_VECTORS)) return Rule.fail(R_LOOPBACK_RANGE, EINVAL);
  return 0;
}

/** ERR / REQ: a single trigger context (vfio_pci_set_err_trigger, vfio_pci_set_req_trigger). */
function pciErrReq(
  dev: usize,
  buf: usize,
  big: bool,
  index: u32,
  dt: u32,
  act: u32,
  start: u32,
  count: u32,
  commit: bool,
): i32 {
  if (act != VFIO_IRQ_SET_ACTION_TRIGGER) return Rule.fail(R_NO_HANDLER, ENOTTY);
  const bit: u32 = index == VFIO_PCI_ERR_IRQ_INDEX ? TRIG_ERR : TRIG_REQ;
  const set = (Dev.w(dev, DEV_TRIGGERS) & bit) != 0;
  if (start != 0 || count > 1) return Rule.fail(R_SUBINDEX, EINVAL);
  const fdWord = index == VFIO_PCI_ERR_IRQ_INDEX ? PCI_FD_ERR : PCI_FD_REQ;
  if (dt == VFIO_IRQ_SET_DATA_NONE) {
    if (!set) return Rule.fail(R_CTX_UNSET, EINVAL);
    if (count == 0 && commit) {
      Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) & ~bit);
      Pci.setFd(dev, fdWord, -1);
    }
    return 0;
  }
  if (count == 0) return Rule.fail(R_COUNT_ZERO, EINVAL);
  if (dt == VFIO_IRQ_SET_DATA_BOOL) return 0;
  const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
  if (fd == -1) {
    if (commit) {
      Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) & ~bit);
      Pci.setFd(dev, fdWord, -1);
    }
    return 0;
  }
  // fd < -1: ignored (returns 0) by 6.1; EINVAL on 6.12 (observed)
  if (fd < -1) return (Dev.w(dev, DEV_KERNEL) & KERN_XARRAY_MSI) != 0 ? Rule.fail(R_FD_BELOW, EINVAL) : 0;
  const e = fdErr(dev, fd);
  if (e != 0) return e;
  if (commit) {
    Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) | bit);
    Pci.setFd(dev, fdWord, fd);
  }
  return 0;
}

/**
 * vfio_msi_set_block stopped at vector `failed`: with `tearDown` (an enabled set) the vectors from
 * `start` up to and including it lose their triggers. Returns -errno for `rule`.
 */
function blockFailed(dev: usize, tearDown: bool, start: u32, failed: u32, rule: u32, errno: i32): i32 {
  if (tearDown) for (let v = start; v <= failed; v++) Pci.setVector(dev, v, -1);
  return Rule.fail(rule, errno);
}

function platform(
  dev: usize,
  buf: usize,
  big: bool,
  flags: u32,
  index: u32,
  start: u32,
  count: u32,
  commit: bool,
): i32 {
  const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
    act = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
  if (act == VFIO_IRQ_SET_ACTION_MASK || act == VFIO_IRQ_SET_ACTION_UNMASK) {
    if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
    if (index >= DEV_IRQ_FLAGS_WORDS || (Dev.w(dev, DEV_IRQ_FLAGS + index) & VFIO_IRQ_INFO_MASKABLE) == 0)
      return Rule.fail(R_NOT_MASKABLE, EINVAL);
    const mask = act == VFIO_IRQ_SET_ACTION_MASK;
    if (dt == VFIO_IRQ_SET_DATA_EVENTFD)
      return platformIrqfd(dev, buf, big, mask ? PLAT_FD_MASK : PLAT_FD_UNMASK, index, commit);
    // vfio_platform_set_irq_mask/unmask: DATA_NONE, or DATA_BOOL with a non-zero byte
    if (commit && (dt == VFIO_IRQ_SET_DATA_NONE || load<u8>(buf + O_VFIO_IRQ_SET__DATA) != 0))
      Plat.setMasked(dev, index, mask);
    return 0;
  }
  const bit: u32 = index < 32 - TRIG_INDEX_SHIFT ? ((1 as u32) << TRIG_INDEX_SHIFT) << index : 0;
  if (count == 0 && dt == VFIO_IRQ_SET_DATA_NONE) {
    if (commit) {
      Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) & ~bit);
      Plat.setFd(dev, PLAT_FD_TRIGGER, index, -1);
    }
    return 0;
  }
  if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
  if (dt == VFIO_IRQ_SET_DATA_EVENTFD) {
    const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
    // vfio_set_trigger frees the old trigger before it looks at the new fd
    if (commit) {
      Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) & ~bit);
      Plat.setFd(dev, PLAT_FD_TRIGGER, index, -1);
    }
    if (fd < 0) return 0;
    const e = fdErr(dev, fd);
    if (e != 0) return e;
    if (commit) {
      Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) | bit);
      Plat.setFd(dev, PLAT_FD_TRIGGER, index, fd);
    }
    return 0;
  }
  // loopback (DATA_NONE, or DATA_BOOL with a non-zero byte): the line's handler runs; the automasking
  // handler of a level line masks it (the host signals the trigger only when it was not masked yet)
  const automasked = index < DEV_IRQ_FLAGS_WORDS && (Dev.w(dev, DEV_IRQ_FLAGS + index) & VFIO_IRQ_INFO_AUTOMASKED) != 0;
  if (commit && automasked && (dt == VFIO_IRQ_SET_DATA_NONE || load<u8>(buf + O_VFIO_IRQ_SET__DATA) != 0))
    Plat.setMasked(dev, index, true);
  return 0;
}

/**
 * The line's mask or unmask irqfd (word `base` + index): vfio_virqfd_enable for fd >= 0 (fd checks,
 * then EBUSY when one is installed), vfio_virqfd_disable otherwise.
 */
function platformIrqfd(dev: usize, buf: usize, big: bool, base: u32, index: u32, commit: bool): i32 {
  const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
  if (fd < 0) {
    if (commit) Plat.setFd(dev, base, index, -1);
    return 0;
  }
  const e = fdErr(dev, fd);
  if (e != 0) return e;
  if (!Plat.on(dev)) return 0;
  if (Dev.w(dev, base + index) != 0) return Rule.fail(R_VIRQFD_BUSY, EBUSY);
  if (commit) Plat.setFd(dev, base, index, fd);
  return 0;
}

function ccwAp(dev: usize, buf: usize, len: u32, big: bool, drv: u32, flags: u32, index: u32, commit: bool): i32 {
  const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
  if ((flags & VFIO_IRQ_SET_ACTION_TRIGGER) == 0) return Rule.fail(R_CCW_NO_TRIGGER, EINVAL);
  if (drv == DRV_AP && dt != VFIO_IRQ_SET_DATA_EVENTFD) return Rule.fail(R_AP_DATA, EINVAL);
  // one element is read at offset 20 (get_user) whatever count and argsz say
  if (dt != VFIO_IRQ_SET_DATA_NONE && ((len < MINSZ + (dt == VFIO_IRQ_SET_DATA_BOOL ? 1 : 4)) as u32))
    return Rule.fail(R_COPY_FAULT, EFAULT);
  const bit: u32 = ((1 as u32) << TRIG_INDEX_SHIFT) << index;
  if (dt == VFIO_IRQ_SET_DATA_NONE || dt == VFIO_IRQ_SET_DATA_BOOL) return 0;
  const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
  if (fd == -1) {
    if (commit) Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) & ~bit);
    return 0;
  }
  if (fd < -1) return Rule.fail(R_FD_BELOW, EINVAL);
  const e = fdErr(dev, fd);
  if (e != 0) return e;
  if (commit) Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) | bit);
  return 0;
}

// ---- libvfio-user (lib/irq.c at efd091bc). The device block's word 3 holds the profile's flags;
// an extended block (LVU_WORDS words) adds the fds passed with the message and the server's fd table.

/** The table slot libvfio-user's irqs_get_efd() uses for (index, vector). */
function lvuSlot(dev: usize, index: u32, i: u32): u32 {
  if (index == VFIO_PCI_ERR_IRQ_INDEX) return LVU_SLOT_ERR;
  if (index == VFIO_PCI_REQ_IRQ_INDEX) return LVU_SLOT_REQ;
  if (index == VFIO_PCI_INTX_IRQ_INDEX && (Dev.w(dev, DEV_FEATURES) & LVU_BUG_INTX_SHARED) == 0) return LVU_SLOT_INTX;
  return i < LVU_SLOTS ? i : LVU_SLOTS - 1;
}

/**
 * The fd-table slot a libvfio-user server uses for vector `vector` of irq index `index` on this
 * device block (hosts that follow which fd each slot holds ask here instead of repeating the rule).
 * E_ORACLE_RANGE when the block lies outside memory.
 */
export function oracle_lvu_slot(dev: usize, index: u32, vector: u32): i32 {
  if (!inArena(dev, (DEV_WORDS as u64) * 4)) return E_ORACLE_RANGE;
  return lvuSlot(dev, index, vector) as i32;
}

/**
 * libvfio-user's handle_device_set_irqs: device_set_irqs_validate (all EINVAL; unknown flag bits
 * ignored), then the action. buf[0..len) is the message body. With an extended block the fds that
 * came with the message are in LVU_MSG_*; without one, DATA_EVENTFD payload words stand for them.
 */
function lvu(dev: usize, buf: usize, len: u32, big: bool, commit: bool): i32 {
  const ext = (Dev.w(dev, DEV_FEATURES) & LVU_EXTENDED) != 0;
  if (len < MINSZ) return Rule.fail(ext ? R_LVU_SHORT : R_ARGSZ_MIN, EINVAL);
  const argsz = Mem.rd32(buf, big),
    flags = Mem.rd32(buf + O_VFIO_IRQ_SET__FLAGS, big),
    index = Mem.rd32(buf + O_VFIO_IRQ_SET__INDEX, big);
  const start = Mem.rd32(buf + O_VFIO_IRQ_SET__START, big),
    count = Mem.rd32(buf + O_VFIO_IRQ_SET__COUNT, big);
  const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
    act = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
  const nfds: u32 = ext ? Dev.w(dev, LVU_MSG_NFDS) : dt == VFIO_IRQ_SET_DATA_EVENTFD ? (len - MINSZ) >> 2 : 0;
  if (argsz < MINSZ) return Rule.fail(R_ARGSZ_MIN, EINVAL);
  if (dt == VFIO_IRQ_SET_DATA_BOOL && len - MINSZ != count) return Rule.fail(R_LVU_BOOL_LEN, EINVAL);
  if (index >= Dev.w(dev, DEV_NUM_IRQS)) return Rule.fail(R_INDEX, EINVAL);
  if (act != VFIO_IRQ_SET_ACTION_MASK && act != VFIO_IRQ_SET_ACTION_UNMASK && act != VFIO_IRQ_SET_ACTION_TRIGGER)
    return Rule.fail(R_ACTION, EINVAL);
  if (dt != VFIO_IRQ_SET_DATA_NONE && dt != VFIO_IRQ_SET_DATA_BOOL && dt != VFIO_IRQ_SET_DATA_EVENTFD)
    return Rule.fail(R_DATA_TYPE, EINVAL);
  const n = index < DEV_IRQ_COUNT_WORDS ? Dev.w(dev, DEV_IRQ_COUNT + index) : 0;
  if (start >= n) return Rule.fail(R_START, EINVAL);
  const sum = (start as u64) + (count as u64); // satadd_u32
  if (sum > (n as u64)) return Rule.fail(R_RANGE, EINVAL);
  if (
    (index == VFIO_PCI_ERR_IRQ_INDEX || index == VFIO_PCI_REQ_IRQ_INDEX) &&
    (act != VFIO_IRQ_SET_ACTION_TRIGGER || count > 1)
  )
    return Rule.fail(R_LVU_ERR_REQ, EINVAL);
  if (count == 0 && (start != 0 || dt != VFIO_IRQ_SET_DATA_NONE || act != VFIO_IRQ_SET_ACTION_TRIGGER))
    return Rule.fail(R_LVU_COUNT0, EINVAL);
  if (nfds != 0 && dt != VFIO_IRQ_SET_DATA_EVENTFD) return Rule.fail(R_LVU_FDS_NOT_EVENTFD, EINVAL);
  if (nfds != 0 && nfds != count) return Rule.fail(R_LVU_FDS, EINVAL);
  if (act != VFIO_IRQ_SET_ACTION_TRIGGER || !ext) return 0; // MASK / UNMASK: the irq state callback only
  if ((dt == VFIO_IRQ_SET_DATA_NONE && count == 0) || (dt == VFIO_IRQ_SET_DATA_EVENTFD && nfds == 0))
    return lvuDisable(dev, index, start, count, commit);
  if (dt == VFIO_IRQ_SET_DATA_EVENTFD) {
    if (commit)
      for (let j: u32 = 0; j < count; j++) {
        const kind = j < LVU_MAX_FDS ? Dev.w(dev, LVU_MSG_KINDS + j) & 3 : FD_EVENTFD;
        store<u8>(Dev.slotAt(dev, lvuSlot(dev, index, start + j)), (kind | (index << 2)) as u8);
      }
    return 0;
  }
  // DATA_NONE / DATA_BOOL trigger: eventfd_write on each installed fd (BOOL: where the byte is 1)
  let shared = false;
  for (let i: u32 = 0; i < count; i++) {
    if (dt == VFIO_IRQ_SET_DATA_BOOL && load<u8>(buf + MINSZ + i) != 1) continue;
    const slot = lvuSlot(dev, index, start + i);
    const b = load<u8>(Dev.slotAt(dev, slot)) as u32;
    if ((b & 3) == FD_READONLY) {
      lastElem = i as i32;
      return Rule.fail(R_LVU_TRIGGER_FD, EBADF);
    }
    // INTx signalling what MSI/MSI-X installed in slot 0, or the other way round
    if ((b & 3) != 0 && slot == 0 && (b >> 2 == 0) != (index == 0)) shared = true;
  }
  if (shared) lastRule = R_LVU_BUG_INTX_SHARED;
  return 0;
}

/** irqs_disable: count 0 means the whole index; the snapshot's loop runs i = start .. count - 1. */
function lvuDisable(dev: usize, index: u32, start: u32, count: u32, commit: bool): i32 {
  const n = count == 0 ? Dev.w(dev, DEV_IRQ_COUNT + index) : count;
  const buggy = (Dev.w(dev, DEV_FEATURES) & LVU_BUG_DISABLE_RANGE) != 0;
  const end = buggy ? n : start + n;
  // the rule names the bug when the snapshot closes other slots than [start, start + count)
  if (buggy && count != 0 && start > 0) lastRule = R_LVU_BUG_DISABLE_RANGE;
  const errReq = index == VFIO_PCI_ERR_IRQ_INDEX || index == VFIO_PCI_REQ_IRQ_INDEX;
  if (errReq && (Dev.w(dev, DEV_FEATURES) & LVU_BUG_ERR_REQ_ARRAY) != 0)
    return lvuDisableErrReq(dev, index, start, end, commit);
  if (commit) for (let i = start; i < end; i++) store<u8>(Dev.slotAt(dev, lvuSlot(dev, index, i)), 0);
  return 0;
}

/**
 * The snapshot's irqs_disable on ERR or REQ: it closes entries start..end-1 of an "array" that
 * begins at the index's one eventfd. The server keeps REQ's eventfd right after ERR's, so ERR's
 * entry 1 is REQ's eventfd; entries past REQ's are not fds at all (the host model refuses devices
 * whose ERR count is above 2 or REQ count above 1: their server breaks at the first disconnect).
 */
function lvuDisableErrReq(dev: usize, index: u32, start: u32, end: u32, commit: bool): i32 {
  const first: u32 = index == VFIO_PCI_ERR_IRQ_INDEX ? 0 : 1; // position in [ERR, REQ]
  for (let i = start; i < end && first + i < 2; i++) {
    const slot = first + i == 0 ? LVU_SLOT_ERR : LVU_SLOT_REQ;
    if (slot != lvuSlot(dev, index, i)) lastRule = R_LVU_BUG_ERR_REQ_ARRAY;
    if (commit) store<u8>(Dev.slotAt(dev, slot), 0);
  }
  return 0;
}

function disable(dev: usize): void {
  if (Dev.w(dev, DEV_ACTIVE_TYPE) != T_INTX) Pci.clearVectors(dev);
  Dev.setw(dev, DEV_ACTIVE_TYPE, T_NONE);
  Dev.setw(dev, DEV_VECTORS, 0);
  Dev.setw(dev, DEV_TRIGGERS, Dev.w(dev, DEV_TRIGGERS) & ~(TRIG_INTX | TRIG_INTX_UNMASK_FD));
  Pci.setFd(dev, PCI_FD_INTX, -1);
  Pci.setFd(dev, PCI_FD_UNMASK, -1);
}

// ---- exports

/** The device block and any extended block its driver and features announce are in memory. */
function blockInArena(dev: usize): bool {
  if (!inArena(dev, (DEV_WORDS as u64) * 4)) return false;
  const drv = Dev.w(dev, DEV_DRIVER),
    features = Dev.w(dev, DEV_FEATURES);
  if (drv == DRV_LIBVFIO_USER && (features & LVU_EXTENDED) != 0) return inArena(dev, (LVU_WORDS as u64) * 4);
  if ((drv == DRV_PLATFORM || drv == DRV_AMBA) && (features & PLAT_EXTENDED) != 0)
    return inArena(dev, (PLAT_WORDS as u64) * 4);
  if (drv == DRV_PCI && (features & PCI_EXTENDED) != 0) return inArena(dev, (PCI_WORDS as u64) * 4);
  return true;
}

/** Predict SET_IRQS; see oracleSetIrqs. Bounds-checked; never traps. */
export function oracle_set_irqs(prof: u32, buf: usize, len: u32, dev: usize, commit: u32): i32 {
  if (!inArena(buf, len as u64) || !blockInArena(dev)) {
    lastRule = R_OK;
    return E_ORACLE_RANGE;
  }
  return oracleSetIrqs(prof, buf, len, dev, commit != 0);
}

/**
 * Batch prediction without state changes: n buffers at bufs + offsets[i] (u32 pairs offset,len in
 * `index`), verdicts to out[i] as i32 (ret or -errno) and rule ids to out[n + i].
 * Returns the number of accepted buffers.
 */
export function oracle_set_irqs_batch(prof: u32, bufs: usize, index: usize, n: u32, dev: usize, out: usize): i32 {
  if (!inArena(index, (n as u64) * 8) || !inArena(out, (n as u64) * 8) || !blockInArena(dev)) return E_ORACLE_RANGE;
  let ok: i32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const off = load<u32>(index + ((i as usize) << 3)),
      len = load<u32>(index + ((i as usize) << 3) + 4);
    let r: i32;
    const b = (bufs as u64) + (off as u64); // 64 bits: bufs + offset must not wrap past 2^32
    if (!inArena(b, len as u64)) {
      r = E_ORACLE_RANGE;
      lastRule = R_OK;
    } else r = oracleSetIrqs(prof, b as usize, len, dev, false);
    store<i32>(out + ((i as usize) << 2), r);
    store<u32>(out + (((n + i) as usize) << 2), lastRule);
    ok += i32(r >= 0);
  }
  return ok;
}
