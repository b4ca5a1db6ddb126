// SET_IRQS oracle: what Linux answers to a vfio_irq_set, in the kernel's order —
// vfio_set_irqs_validate_and_prepare (EINVAL) -> the driver's (index, action) dispatch (ENOTTY)
// -> the handler's state rules (EINVAL, EBADF). Sources: drivers/vfio/vfio_main.c,
// drivers/vfio/pci/vfio_pci_intrs.c, platform/ccw/ap drivers, libvfio-user lib/irq.c; confirmed
// against real 6.1 and 6.12 kernels (vfio-abi.md §3, §8.6).
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
import { rd32, PROF_BIG, inMem } from "./mem";
import { O_VFIO_IRQ_SET__FLAGS, O_VFIO_IRQ_SET__INDEX, O_VFIO_IRQ_SET__START, O_VFIO_IRQ_SET__COUNT, O_VFIO_IRQ_SET__DATA, SIZEOF_VFIO_IRQ_SET } from "./generated/layout";

/** minsz of vfio_irq_set: offsetofend(count), where data[] starts. */
const MINSZ: u32 = SIZEOF_VFIO_IRQ_SET;

export const DEV_WORDS: u32 = 200;
export const DRV_PCI: u32 = 0, DRV_PLATFORM: u32 = 1, DRV_AMBA: u32 = 2, DRV_CCW: u32 = 3, DRV_AP: u32 = 4, DRV_LIBVFIO_USER: u32 = 5;
export const T_NONE: u32 = 0, T_INTX: u32 = 1, T_MSI: u32 = 2, T_MSIX: u32 = 3;

export const EBADF: i32 = 9, EFAULT: i32 = 14, EBUSY: i32 = 16, EINVAL: i32 = 22, ENOTTY: i32 = 25, ERANGE: i32 = 34;

// Rule ids (bindings/oracle-rules.ts names them; keep in sync).
export const R_OK: u32 = 0;
export const R_COPY_FAULT: u32 = 1;        // fewer than 20 bytes readable: copy_from_user fails
export const R_ARGSZ_MIN: u32 = 2;         // argsz < minsz (20)
export const R_INDEX: u32 = 3;             // index >= max_irq_type
export const R_COUNT_OVERFLOW: u32 = 4;    // count >= U32_MAX - start
export const R_FLAGS_UNKNOWN: u32 = 5;     // flag bits outside DATA|ACTION masks
export const R_START: u32 = 6;             // start >= number of irqs of the index
export const R_RANGE: u32 = 7;             // start + count > number of irqs
export const R_DATA_TYPE: u32 = 8;         // not exactly one DATA bit
export const R_PAYLOAD_SHORT: u32 = 9;     // argsz - 20 < count x element size
export const R_ACTION: u32 = 10;           // not exactly one ACTION bit: no handler (ENOTTY)
export const R_NO_HANDLER: u32 = 11;       // (index, action) has no handler: MASK/UNMASK on MSI/MSI-X, ERR/REQ non-trigger
export const R_INTX_MASK_EVENTFD: u32 = 12; // INTx MASK with DATA_EVENTFD: not implemented (ENOTTY)
export const R_NOT_ENABLED: u32 = 13;      // action needs the irq type enabled (loopback, mask, disable)
export const R_SUBINDEX: u32 = 14;         // handler needs start == 0 && count == 1 (INTx, platform, ERR/REQ count)
export const R_OTHER_TYPE: u32 = 15;       // another irq type is active
export const R_NORESIZE: u32 = 16;         // 6.1: an enabled MSI/MSI-X set cannot grow (NORESIZE)
export const R_FD_CLOSED: u32 = 17;        // eventfd fd not open (EBADF)
export const R_FD_NOT_EVENTFD: u32 = 18;   // fd open but not an eventfd (EINVAL)
export const R_CTX_UNSET: u32 = 19;        // ERR/REQ loopback with no trigger set
export const R_COUNT_ZERO: u32 = 20;       // ERR/REQ BOOL/EVENTFD with count 0
export const R_NOT_MASKABLE: u32 = 21;     // platform MASK/UNMASK on an index without MASKABLE
export const R_CCW_NO_TRIGGER: u32 = 22;   // ccw/ap: ACTION_TRIGGER bit missing
export const R_FD_BELOW: u32 = 23;         // eventfd < -1: ccw/ap, and PCI ERR/REQ with 6.12 rules
export const R_AP_DATA: u32 = 24;          // ap: only DATA_EVENTFD
export const R_LVU_BOOL_LEN: u32 = 25;     // libvfio-user: BOOL payload length != count
export const R_LVU_ERR_REQ: u32 = 26;      // libvfio-user: ERR/REQ non-trigger or count > 1
export const R_LVU_COUNT0: u32 = 27;       // libvfio-user: count 0 with start != 0 or not NONE|TRIGGER
export const R_PARTIAL_VECTORS: u32 = 28;  // positive return: fewer MSI vectors than asked (intremap off)
export const R_CCW_INDEX: u32 = 29;        // ccw: index not IO/CRW/REQ
export const R_VIRQFD_BUSY: u32 = 30;      // INTx UNMASK eventfd while an unmask irqfd is installed (EBUSY)
export const R_ZERO_VECTORS: u32 = 31;     // MSI/MSI-X enable with start+count == 0: pci_alloc_irq_vectors ERANGE
export const R_LOOPBACK_RANGE: u32 = 32;   // 6.1: loopback start+count beyond the enabled vectors
export const R_VECTOR_UNALLOCATED: u32 = 33; // 6.12: eventfd on a vector that was never allocated (MSI, static MSI-X)
export const R_LVU_FDS: u32 = 34;          // libvfio-user: number of fds passed != count
export const R_LVU_SHORT: u32 = 35;        // libvfio-user: message body shorter than the struct (EINVAL, not EFAULT)
export const R_LVU_FDS_NOT_EVENTFD: u32 = 36; // libvfio-user: fds passed with DATA_NONE / DATA_BOOL (EINVAL)
export const R_LVU_TRIGGER_FD: u32 = 37;   // libvfio-user: trigger writes to an installed fd that is not writable (EBADF)
export const R_LVU_BUG_DISABLE_RANGE: u32 = 38; // libvfio-user bug: disable closes [start, count), not [start, start + count)
export const R_LVU_BUG_INTX_SHARED: u32 = 39;   // libvfio-user bug: INTx and MSI/MSI-X vector 0 share one eventfd slot
export const NUM_RULES: u32 = 40;

let lastRule: u32 = 0;
let lastElem: i32 = -1;
export function oracle_last_rule(): u32 { return lastRule; }
/** Payload element (0-based) whose eventfd/vector failed in an MSI/MSI-X block, else -1. */
export function oracle_last_elem(): i32 { return lastElem; }

// @ts-ignore: decorator
@inline function w(dev: usize, i: u32): u32 { return load<u32>(dev + ((i as usize) << 2)); }
// @ts-ignore: decorator
@inline function setw(dev: usize, i: u32, v: u32): void { store<u32>(dev + ((i as usize) << 2), v); }
// @ts-ignore: decorator
@inline function fail(rule: u32, errno: i32): i32 { lastRule = rule; return -errno; }

/** 0 = eventfd, EBADF or EINVAL for an fd >= 0. */
function fdCheck(dev: usize, fd: i32): u32 {
  if (fd >= 1024) return R_FD_CLOSED;
  const word = (fd as u32) >> 5, bit: u32 = 1 << ((fd as u32) & 31);
  if ((w(dev, 136 + word) & bit) != 0) return R_OK;
  if ((w(dev, 168 + word) & bit) != 0) return R_FD_NOT_EVENTFD;
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
  const drv = w(dev, 0);
  if (drv == DRV_LIBVFIO_USER) return lvu(dev, buf, len, (prof & PROF_BIG) != 0, commit);
  if (len < MINSZ) return fail(R_COPY_FAULT, EFAULT);
  const big = (prof & PROF_BIG) != 0;
  const argsz = rd32(buf, big), flags = rd32(buf + O_VFIO_IRQ_SET__FLAGS, big), index = rd32(buf + O_VFIO_IRQ_SET__INDEX, big);
  const start = rd32(buf + O_VFIO_IRQ_SET__START, big), count = rd32(buf + O_VFIO_IRQ_SET__COUNT, big);
  const dt = flags & 7, act = flags & 0x38;

  // max_irq_type and the per-index irq count the driver passes to the validator
  let maxType: u32, nIrqs: u32;
  if (drv == DRV_PCI) { maxType = 5; nIrqs = index < 5 ? w(dev, 8 + index) : 0; }
  else if (drv == DRV_CCW) { maxType = 3; nIrqs = 1; }
  else if (drv == DRV_AP) { maxType = w(dev, 2); nIrqs = 1; }
  else { maxType = w(dev, 2); nIrqs = w(dev, 2); } // platform/amba pass num_irqs for both

  // vfio_set_irqs_validate_and_prepare
  if (argsz < MINSZ) return fail(R_ARGSZ_MIN, EINVAL);
  if (index >= maxType) return fail(R_INDEX, EINVAL);
  if (count >= 0xffffffff - start) return fail(R_COUNT_OVERFLOW, EINVAL);
  if ((flags & ~0x3f) != 0) return fail(R_FLAGS_UNKNOWN, EINVAL);
  if (start >= nIrqs) return fail(R_START, EINVAL);
  if (start + count > nIrqs) return fail(R_RANGE, EINVAL);
  let esz: u32 = 0;
  if (dt == 1) esz = 0; else if (dt == 2) esz = 1; else if (dt == 4) esz = 4; else return fail(R_DATA_TYPE, EINVAL);
  if (esz != 0 && ((argsz - MINSZ) as u64) < (count as u64) * (esz as u64)) return fail(R_PAYLOAD_SHORT, EINVAL);

  // ccw/ap read one element themselves (get_user at arg+20), after their own checks
  if (drv == DRV_CCW || drv == DRV_AP) return ccwAp(dev, buf, len, big, drv, flags, index, commit);
  // pci/platform memdup_user count x esz bytes; past the readable memory that is a fault
  if (esz != 0 && (MINSZ + (count as u64) * (esz as u64)) > (len as u64)) return fail(R_COPY_FAULT, EFAULT);

  // PCI and platform: dispatch on exactly one ACTION bit
  if (act != 0x08 && act != 0x10 && act != 0x20) return fail(R_ACTION, ENOTTY);
  if (drv == DRV_PCI) return pci(dev, buf, big, flags, index, start, count, commit);
  return platform(dev, buf, big, flags, index, start, count, commit);
}

/** fd check as eventfd_ctx_fdget: 0 or -errno with lastRule set. */
function fdErr(dev: usize, fd: i32): i32 {
  const r = fdCheck(dev, fd);
  if (r == R_OK) return 0;
  return fail(r, r == R_FD_CLOSED ? EBADF : EINVAL);
}

function pci(dev: usize, buf: usize, big: bool, flags: u32, index: u32, start: u32, count: u32, commit: bool): i32 {
  const dt = flags & 7, act = flags & 0x38;
  const active = w(dev, 5);
  if (index == 0) {
    if (act == 0x08 || act == 0x10) {
      if (active != T_INTX) return fail(R_NOT_ENABLED, EINVAL);
      if (start != 0 || count != 1) return fail(R_SUBINDEX, EINVAL);
      if (dt == 4) {
        if (act == 0x08) return fail(R_INTX_MASK_EVENTFD, ENOTTY);
        const fd = rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
        if (fd < 0) { if (commit) setw(dev, 7, w(dev, 7) & ~8); return 0; }
        // vfio_virqfd_enable: fdget (EBADF), eventfd_ctx_fileget (EINVAL), then *pvirqfd busy (EBUSY)
        const e = fdErr(dev, fd); if (e != 0) return e;
        if ((w(dev, 7) & 8) != 0) return fail(R_VIRQFD_BUSY, EBUSY);
        if (commit) setw(dev, 7, w(dev, 7) | 8);
      }
      return 0;
    }
    // TRIGGER
    if (active == T_INTX && count == 0 && dt == 1) { if (commit) disable(dev); return 0; }
    if (!(active == T_INTX || active == T_NONE)) return fail(R_OTHER_TYPE, EINVAL);
    if (start != 0 || count != 1) return fail(R_SUBINDEX, EINVAL);
    if (dt == 4) {
      const fd = rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
      if (fd >= 0) { const e = fdErr(dev, fd); if (e != 0) return e; }
      if (commit) { setw(dev, 5, T_INTX); setw(dev, 6, 1); setw(dev, 7, fd >= 0 ? (w(dev, 7) | 4) : (w(dev, 7) & ~4)); }
      return 0;
    }
    if (active != T_INTX) return fail(R_NOT_ENABLED, EINVAL);
    return 0;
  }
  if (index == 1 || index == 2) {
    if (act != 0x20) return fail(R_NO_HANDLER, ENOTTY);
    const type = index == 1 ? T_MSI : T_MSIX;
    if (active == type && count == 0 && dt == 1) { if (commit) disable(dev); return 0; }
    if (!(active == type || active == T_NONE)) return fail(R_OTHER_TYPE, EINVAL);
    const k612 = w(dev, 1) != 0;
    const dyn = k612 && type == T_MSIX && (w(dev, 3) & 4) != 0;
    const nvec = start + count;
    if (dt == 4) {
      let alloc = w(dev, 6);
      if (active != type) {
        // vfio_msi_enable(start + count): pci_alloc_irq_vectors(1, nvec)
        if (nvec == 0) return fail(R_ZERO_VECTORS, ERANGE);
        const maxAlloc = w(dev, 4);
        if (type == T_MSI && (w(dev, 3) & 2) != 0 && maxAlloc != 0 && nvec > maxAlloc) {
          lastRule = R_PARTIAL_VECTORS; // fewer vectors than asked: the kernel returns that number, MSI stays disabled
          return maxAlloc as i32;
        }
        alloc = nvec;
      } else if (!k612 && (start >= alloc || nvec > alloc)) {
        // 6.1 vfio_msi_set_block: the enabled set cannot grow (NORESIZE) - checked before any fd
        return fail(R_NORESIZE, EINVAL);
      }
      // vfio_msi_set_block: one vector after the other; the first failure wins
      for (let i: u32 = 0; i < count; i++) {
        const fd = rd32(buf + O_VFIO_IRQ_SET__DATA + (i << 2), big) as i32;
        if (fd < 0) continue;
        const v = start + i;
        if (k612 && v >= alloc) {
          lastElem = i as i32;
          if (!dyn) return fail(R_VECTOR_UNALLOCATED, EINVAL); // pci_irq_vector() -EINVAL, no dynamic allocation
          alloc = v + 1;                                       // pci_msix_alloc_irq_at()
        }
        const e = fdErr(dev, fd); if (e != 0) { lastElem = i as i32; return e; }
        lastElem = -1;
      }
      if (commit) { setw(dev, 5, type); setw(dev, 6, alloc); }
      return 0;
    }
    if (active != type) return fail(R_NOT_ENABLED, EINVAL);
    if (!k612 && nvec > w(dev, 6)) return fail(R_LOOPBACK_RANGE, EINVAL);
    return 0;
  }
  // ERR (3) / REQ (4): single trigger context
  if (act != 0x20) return fail(R_NO_HANDLER, ENOTTY);
  const bit: u32 = index == 3 ? 1 : 2;
  const set = (w(dev, 7) & bit) != 0;
  if (start != 0 || count > 1) return fail(R_SUBINDEX, EINVAL);
  if (dt == 1) {
    if (!set) return fail(R_CTX_UNSET, EINVAL);
    if (count == 0 && commit) setw(dev, 7, w(dev, 7) & ~bit);
    return 0;
  }
  if (count == 0) return fail(R_COUNT_ZERO, EINVAL);
  if (dt == 2) return 0;
  const fd = rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
  if (fd == -1) { if (commit) setw(dev, 7, w(dev, 7) & ~bit); return 0; }
  // fd < -1: ignored (returns 0) by 6.1; EINVAL on 6.12 (observed)
  if (fd < -1) return w(dev, 1) != 0 ? fail(R_FD_BELOW, EINVAL) : 0;
  const e = fdErr(dev, fd); if (e != 0) return e;
  if (commit) setw(dev, 7, w(dev, 7) | bit);
  return 0;
}

function platform(dev: usize, buf: usize, big: bool, flags: u32, index: u32, start: u32, count: u32, commit: bool): i32 {
  const dt = flags & 7, act = flags & 0x38;
  const bit: u32 = index < 29 ? (8 as u32) << index : 0;
  if (act == 0x08 || act == 0x10) {
    if (start != 0 || count != 1) return fail(R_SUBINDEX, EINVAL);
    if (index >= 64 || (w(dev, 72 + index) & 2) == 0) return fail(R_NOT_MASKABLE, EINVAL);
    if (dt == 4) {
      const fd = rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
      if (fd >= 0) { const e = fdErr(dev, fd); if (e != 0) return e; }
    }
    return 0;
  }
  if (count == 0 && dt == 1) { if (commit) setw(dev, 7, w(dev, 7) & ~bit); return 0; }
  if (start != 0 || count != 1) return fail(R_SUBINDEX, EINVAL);
  if (dt == 4) {
    const fd = rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
    if (fd >= 0) { const e = fdErr(dev, fd); if (e != 0) return e; }
    if (commit) setw(dev, 7, fd >= 0 ? (w(dev, 7) | bit) : (w(dev, 7) & ~bit));
  }
  return 0;
}

function ccwAp(dev: usize, buf: usize, len: u32, big: bool, drv: u32, flags: u32, index: u32, commit: bool): i32 {
  const dt = flags & 7;
  if ((flags & 0x20) == 0) return fail(R_CCW_NO_TRIGGER, EINVAL);
  if (drv == DRV_AP && dt != 4) return fail(R_AP_DATA, EINVAL);
  // one element is read at offset 20 (get_user) whatever count and argsz say
  if (dt != 1 && len < MINSZ + (dt == 2 ? 1 : 4) as u32) return fail(R_COPY_FAULT, EFAULT);
  const bit: u32 = (8 as u32) << index;
  if (dt == 1 || dt == 2) return 0;
  const fd = rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
  if (fd == -1) { if (commit) setw(dev, 7, w(dev, 7) & ~bit); return 0; }
  if (fd < -1) return fail(R_FD_BELOW, EINVAL);
  const e = fdErr(dev, fd); if (e != 0) return e;
  if (commit) setw(dev, 7, w(dev, 7) | bit);
  return 0;
}

// ---- libvfio-user (lib/irq.c at efd091bc). The device block's word 3 holds the profile's flags;
// an extended block (LVU_WORDS words) adds the fds passed with the message and the server's fd table.
export const LVU_BUG_DISABLE_RANGE: u32 = 1; // the snapshot's disable loop: closes [start, count)
export const LVU_BUG_INTX_SHARED: u32 = 2;   // INTx uses MSI/MSI-X slot 0 (one table for the three)
export const LVU_EXTENDED: u32 = 0x80000000; // words LVU_MSG_NFDS.. are present
export const LVU_MSG_NFDS: u32 = 200;        // fds passed with this message (SCM_RIGHTS)
export const LVU_MSG_KINDS: u32 = 201;       // their kinds, one word each (FD_*), at most LVU_MAX_FDS
export const LVU_MAX_FDS: u32 = 253;         // SCM_MAX_FD
export const LVU_TABLE: u32 = 456;           // fd table: one byte per slot, kind | owner index << 2
export const LVU_SLOTS: u32 = 2048;          // vectors; then the ERR, REQ and separate-INTx slots
export const LVU_SLOT_ERR: u32 = 2048, LVU_SLOT_REQ: u32 = 2049, LVU_SLOT_INTX: u32 = 2050;
export const LVU_WORDS: u32 = 969;           // LVU_TABLE + (LVU_SLOTS + 3) bytes, in words
/** Kinds of fds, in the message and in the table (0 = no fd). */
export const FD_EVENTFD: u32 = 1, FD_READONLY: u32 = 2, FD_WRITABLE: u32 = 3;

// @ts-ignore: decorator
@inline function slotAt(dev: usize, slot: u32): usize { return dev + ((LVU_TABLE as usize) << 2) + (slot as usize); }

/** The table slot libvfio-user's irqs_get_efd() uses for (index, vector). */
function lvuSlot(dev: usize, index: u32, i: u32): u32 {
  if (index == 3) return LVU_SLOT_ERR;
  if (index == 4) return LVU_SLOT_REQ;
  if (index == 0 && (w(dev, 3) & LVU_BUG_INTX_SHARED) == 0) return LVU_SLOT_INTX;
  return i < LVU_SLOTS ? i : LVU_SLOTS - 1;
}

/**
 * libvfio-user's handle_device_set_irqs: device_set_irqs_validate (all EINVAL; unknown flag bits
 * ignored), then the action. buf[0..len) is the message body. With an extended block the fds that
 * came with the message are in LVU_MSG_*; without one, DATA_EVENTFD payload words stand for them.
 */
function lvu(dev: usize, buf: usize, len: u32, big: bool, commit: bool): i32 {
  const ext = (w(dev, 3) & LVU_EXTENDED) != 0;
  if (len < MINSZ) return fail(ext ? R_LVU_SHORT : R_ARGSZ_MIN, EINVAL);
  const argsz = rd32(buf, big), flags = rd32(buf + O_VFIO_IRQ_SET__FLAGS, big), index = rd32(buf + O_VFIO_IRQ_SET__INDEX, big);
  const start = rd32(buf + O_VFIO_IRQ_SET__START, big), count = rd32(buf + O_VFIO_IRQ_SET__COUNT, big);
  const dt = flags & 7, act = flags & 0x38;
  const nfds: u32 = ext ? w(dev, LVU_MSG_NFDS) : dt == 4 ? (len - MINSZ) >> 2 : 0;
  if (argsz < MINSZ) return fail(R_ARGSZ_MIN, EINVAL);
  if (dt == 2 && (len - MINSZ) != count) return fail(R_LVU_BOOL_LEN, EINVAL);
  if (index >= w(dev, 2)) return fail(R_INDEX, EINVAL);
  if (act != 0x08 && act != 0x10 && act != 0x20) return fail(R_ACTION, EINVAL);
  if (dt != 1 && dt != 2 && dt != 4) return fail(R_DATA_TYPE, EINVAL);
  const n = index < 64 ? w(dev, 8 + index) : 0;
  if (start >= n) return fail(R_START, EINVAL);
  const sum = (start as u64) + (count as u64); // satadd_u32
  if (sum > (n as u64)) return fail(R_RANGE, EINVAL);
  if ((index == 3 || index == 4) && (act != 0x20 || count > 1)) return fail(R_LVU_ERR_REQ, EINVAL);
  if (count == 0 && (start != 0 || dt != 1 || act != 0x20)) return fail(R_LVU_COUNT0, EINVAL);
  if (nfds != 0 && dt != 4) return fail(R_LVU_FDS_NOT_EVENTFD, EINVAL);
  if (nfds != 0 && nfds != count) return fail(R_LVU_FDS, EINVAL);
  if (act != 0x20 || !ext) return 0; // MASK / UNMASK: the irq state callback only
  if ((dt == 1 && count == 0) || (dt == 4 && nfds == 0)) return lvuDisable(dev, index, start, count, commit);
  if (dt == 4) {
    if (commit) for (let j: u32 = 0; j < count; j++) {
      const kind = j < LVU_MAX_FDS ? w(dev, LVU_MSG_KINDS + j) & 3 : FD_EVENTFD;
      store<u8>(slotAt(dev, lvuSlot(dev, index, start + j)), (kind | (index << 2)) as u8);
    }
    return 0;
  }
  // DATA_NONE / DATA_BOOL trigger: eventfd_write on each installed fd (BOOL: where the byte is 1)
  let shared = false;
  for (let i: u32 = 0; i < count; i++) {
    if (dt == 2 && load<u8>(buf + MINSZ + i) != 1) continue;
    const slot = lvuSlot(dev, index, start + i);
    const b = load<u8>(slotAt(dev, slot)) as u32;
    if ((b & 3) == FD_READONLY) { lastElem = i as i32; return fail(R_LVU_TRIGGER_FD, EBADF); }
    // INTx signalling what MSI/MSI-X installed in slot 0, or the other way round
    if ((b & 3) != 0 && slot == 0 && ((b >> 2) == 0) != (index == 0)) shared = true;
  }
  if (shared) lastRule = R_LVU_BUG_INTX_SHARED;
  return 0;
}

/** irqs_disable: count 0 means the whole index; the snapshot's loop runs i = start .. count - 1. */
function lvuDisable(dev: usize, index: u32, start: u32, count: u32, commit: bool): i32 {
  const n = count == 0 ? w(dev, 8 + index) : count;
  const buggy = (w(dev, 3) & LVU_BUG_DISABLE_RANGE) != 0;
  const end = buggy ? n : start + n;
  // the rule names the bug when the snapshot closes other slots than [start, start + count)
  if (buggy && count != 0 && start > 0) lastRule = R_LVU_BUG_DISABLE_RANGE;
  if (commit) for (let i = start; i < end; i++) store<u8>(slotAt(dev, lvuSlot(dev, index, i)), 0);
  return 0;
}

function disable(dev: usize): void { setw(dev, 5, T_NONE); setw(dev, 6, 0); setw(dev, 7, w(dev, 7) & ~12); }

// ---- exports

/** Predict SET_IRQS; see oracleSetIrqs. Bounds-checked; never traps. */
export function oracle_set_irqs(prof: u32, buf: usize, len: u32, dev: usize, commit: u32): i32 {
  if (!inMem(buf, len as u64) || !inMem(dev, (DEV_WORDS as u64) * 4)) { lastRule = R_OK; return -1000; }
  if (w(dev, 0) == DRV_LIBVFIO_USER && (w(dev, 3) & LVU_EXTENDED) != 0 && !inMem(dev, (LVU_WORDS as u64) * 4)) { lastRule = R_OK; return -1000; }
  return oracleSetIrqs(prof, buf, len, dev, commit != 0);
}

/**
 * Batch prediction without state changes: n buffers at bufs + offsets[i] (u32 pairs offset,len in
 * `index`), verdicts to out[i] as i32 (ret or -errno) and rule ids to out[n + i].
 * Returns the number of accepted buffers.
 */
export function oracle_set_irqs_batch(prof: u32, bufs: usize, index: usize, n: u32, dev: usize, out: usize): i32 {
  if (!inMem(index, (n as u64) * 8) || !inMem(out, (n as u64) * 8) || !inMem(dev, (DEV_WORDS as u64) * 4)) return -1000;
  let ok: i32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const off = load<u32>(index + ((i as usize) << 3)), len = load<u32>(index + ((i as usize) << 3) + 4);
    let r: i32;
    if (!inMem(bufs + off, len as u64)) { r = -1000; lastRule = R_OK; }
    else r = oracleSetIrqs(prof, bufs + off, len, dev, false);
    store<i32>(out + ((i as usize) << 2), r);
    store<u32>(out + (((n + i) as usize) << 2), lastRule);
    ok += i32(r >= 0);
  }
  return ok;
}
