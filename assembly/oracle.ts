// SET_IRQS oracle: what Linux answers to a vfio_irq_set, in the kernel's order —
// vfio_set_irqs_validate_and_prepare (EINVAL) -> the driver's (index, action) dispatch (ENOTTY)
// -> the handler's state rules (EINVAL, EBADF). Sources: drivers/vfio/vfio_main.c,
// drivers/vfio/pci/vfio_pci_intrs.c, platform/ccw/ap drivers, libvfio-user lib/irq.c; confirmed
// against real kernels (tests/kernel).
//
// The device description and state live in a block of DEV_WORDS u32 words at `dev`; its layout
// (DEV_*, DEVF_*, TRIG_*, KERN_*), the drivers, irq types and rule ids are the contract's
// (schema/wasm-abi.mjs). bindings/oracle/wasm/device.ts builds a block from a JSON description.

import {
  DEV_IRQ_ERRNO,
  DEV_MASK_IRQFD,
  DEV_UNMASK_IRQFD,
  DEV_WORDS,
  DRV_AP,
  DRV_CCW,
  DRV_LIBVFIO_USER,
  DRV_PCI,
  EBADF,
  EBUSY,
  EFAULT,
  EINVAL,
  ENOTTY,
  ERANGE,
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
  R_LVU_COUNT0,
  R_LVU_ERR_REQ,
  R_LVU_FDS,
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
  R_VECTOR_UNALLOCATED,
  R_VIRQFD_BUSY,
  R_ZERO_VECTORS,
  T_INTX,
  T_MSI,
  T_MSIX,
  T_NONE,
} from "./generated/wasm-abi";
import {
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__DATA,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
  SIZEOF_VFIO_IRQ_SET,
} from "./generated/layout";
import { inMem, Mem } from "./mem";

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
  if (fd >= 1024) return R_FD_CLOSED;
  const word = (fd as u32) >> 5,
    bit: u32 = 1 << ((fd as u32) & 31);
  if ((Dev.w(dev, 136 + word) & bit) != 0) return R_OK;
  if ((Dev.w(dev, 168 + word) & bit) != 0) return R_FD_NOT_EVENTFD;
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
  const drv = Dev.w(dev, 0);
  if (drv == DRV_LIBVFIO_USER) return lvu(dev, buf, len, (prof & PROF_BIG) != 0);
  if (len < MINSZ) return Rule.fail(R_COPY_FAULT, EFAULT);
  const big = (prof & PROF_BIG) != 0;
  const argsz = Mem.rd32(buf, big),
    flags = Mem.rd32(buf + O_VFIO_IRQ_SET__FLAGS, big),
    index = Mem.rd32(buf + O_VFIO_IRQ_SET__INDEX, big);
  const start = Mem.rd32(buf + O_VFIO_IRQ_SET__START, big),
    count = Mem.rd32(buf + O_VFIO_IRQ_SET__COUNT, big);
  const dt = flags & 7,
    act = flags & 0x38;

  // max_irq_type and the per-index irq count the driver passes to the validator
  let maxType: u32, nIrqs: u32;
  if (drv == DRV_PCI) {
    maxType = 5;
    nIrqs = index < 5 ? Dev.w(dev, 8 + index) : 0;
  } else if (drv == DRV_CCW) {
    maxType = 3;
    nIrqs = 1;
  } else if (drv == DRV_AP) {
    maxType = Dev.w(dev, 2);
    nIrqs = 1;
  } else {
    maxType = Dev.w(dev, 2);
    nIrqs = Dev.w(dev, 2);
  } // platform/amba pass num_irqs for both

  // vfio_set_irqs_validate_and_prepare
  if (argsz < MINSZ) return Rule.fail(R_ARGSZ_MIN, EINVAL);
  if (index >= maxType) return Rule.fail(R_INDEX, EINVAL);
  if (count >= 0xffffffff - start) return Rule.fail(R_COUNT_OVERFLOW, EINVAL);
  if ((flags & ~0x3f) != 0) return Rule.fail(R_FLAGS_UNKNOWN, EINVAL);
  if (start >= nIrqs) return Rule.fail(R_START, EINVAL);
  if (start + count > nIrqs) return Rule.fail(R_RANGE, EINVAL);
  let esz: u32 = 0;
  if (dt == 1) esz = 0;
  else if (dt == 2) esz = 1;
  else if (dt == 4) esz = 4;
  else return Rule.fail(R_DATA_TYPE, EINVAL);
  if (esz != 0 && ((argsz - MINSZ) as u64) < (count as u64) * (esz as u64)) return Rule.fail(R_PAYLOAD_SHORT, EINVAL);

  // ccw/ap read one element themselves (get_user at arg+20), after their own checks
  if (drv == DRV_CCW || drv == DRV_AP) return ccwAp(dev, buf, len, big, drv, flags, index, commit);
  // pci/platform memdup_user count x esz bytes; past the readable memory that is a fault
  if (esz != 0 && MINSZ + (count as u64) * (esz as u64) > (len as u64)) return Rule.fail(R_COPY_FAULT, EFAULT);

  // platform/amba: a request_irq that failed at open answers every SET_IRQS on its line, before the dispatch
  if (drv != DRV_PCI && index < 64) {
    const requestErrno = Dev.w(dev, DEV_IRQ_ERRNO + index) as i32;
    if (requestErrno != 0) return Rule.fail(R_REQUEST_IRQ, requestErrno);
  }
  // PCI and platform: dispatch on exactly one ACTION bit
  if (act != 0x08 && act != 0x10 && act != 0x20) return Rule.fail(R_ACTION, ENOTTY);
  if (drv == DRV_PCI) return pci(dev, buf, big, flags, index, start, count, commit);
  return platform(dev, buf, big, flags, index, start, count, commit);
}

/** fd check as eventfd_ctx_fdget: 0 or -errno with lastRule set. */
function fdErr(dev: usize, fd: i32): i32 {
  const r = fdCheck(dev, fd);
  if (r == R_OK) return 0;
  return Rule.fail(r, r == R_FD_CLOSED ? EBADF : EINVAL);
}

function pci(dev: usize, buf: usize, big: bool, flags: u32, index: u32, start: u32, count: u32, commit: bool): i32 {
  const dt = flags & 7,
    act = flags & 0x38;
  const active = Dev.w(dev, 5);
  if (index == 0) {
    if (act == 0x08 || act == 0x10) {
      if (active != T_INTX) return Rule.fail(R_NOT_ENABLED, EINVAL);
      if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
      if (dt == 4) {
        if (act == 0x08) return Rule.fail(R_INTX_MASK_EVENTFD, ENOTTY);
        const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
        if (fd < 0) {
          if (commit) Dev.setw(dev, 7, Dev.w(dev, 7) & ~8);
          return 0;
        }
        // vfio_virqfd_enable: fdget (EBADF), eventfd_ctx_fileget (EINVAL), then *pvirqfd busy (EBUSY)
        const e = fdErr(dev, fd);
        if (e != 0) return e;
        if ((Dev.w(dev, 7) & 8) != 0) return Rule.fail(R_VIRQFD_BUSY, EBUSY);
        if (commit) Dev.setw(dev, 7, Dev.w(dev, 7) | 8);
      }
      return 0;
    }
    // TRIGGER
    if (active == T_INTX && count == 0 && dt == 1) {
      if (commit) disable(dev);
      return 0;
    }
    if (!(active == T_INTX || active == T_NONE)) return Rule.fail(R_OTHER_TYPE, EINVAL);
    if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
    if (dt == 4) {
      const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
      if (fd >= 0) {
        const e = fdErr(dev, fd);
        if (e != 0) return e;
      }
      if (commit) {
        Dev.setw(dev, 5, T_INTX);
        Dev.setw(dev, 6, 1);
        Dev.setw(dev, 7, fd >= 0 ? Dev.w(dev, 7) | 4 : Dev.w(dev, 7) & ~4);
      }
      return 0;
    }
    if (active != T_INTX) return Rule.fail(R_NOT_ENABLED, EINVAL);
    return 0;
  }
  if (index == 1 || index == 2) {
    if (act != 0x20) return Rule.fail(R_NO_HANDLER, ENOTTY);
    const type = index == 1 ? T_MSI : T_MSIX;
    if (active == type && count == 0 && dt == 1) {
      if (commit) disable(dev);
      return 0;
    }
    if (!(active == type || active == T_NONE)) return Rule.fail(R_OTHER_TYPE, EINVAL);
    const k612 = Dev.w(dev, 1) != 0;
    const dyn = k612 && type == T_MSIX && (Dev.w(dev, 3) & 4) != 0;
    const nvec = start + count;
    if (dt == 4) {
      let alloc = Dev.w(dev, 6);
      if (active != type) {
        // vfio_msi_enable(start + count): pci_alloc_irq_vectors(1, nvec)
        if (nvec == 0) return Rule.fail(R_ZERO_VECTORS, ERANGE);
        const maxAlloc = Dev.w(dev, 4);
        if (type == T_MSI && (Dev.w(dev, 3) & 2) != 0 && maxAlloc != 0 && nvec > maxAlloc) {
          lastRule = R_PARTIAL_VECTORS; // fewer vectors than asked: the kernel returns that number, MSI stays disabled
          return maxAlloc as i32;
        }
        alloc = nvec;
      } else if (!k612 && (start >= alloc || nvec > alloc)) {
        // 6.1 vfio_msi_set_block: the enabled set cannot grow (NORESIZE) - checked before any fd
        return Rule.fail(R_NORESIZE, EINVAL);
      }
      // vfio_msi_set_block: one vector after the other; the first failure wins
      for (let i: u32 = 0; i < count; i++) {
        const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA + (i << 2), big) as i32;
        if (fd < 0) continue;
        const v = start + i;
        if (k612 && v >= alloc) {
          lastElem = i as i32;
          if (!dyn) return Rule.fail(R_VECTOR_UNALLOCATED, EINVAL); // pci_irq_vector() -EINVAL, no dynamic allocation
          alloc = v + 1; // pci_msix_alloc_irq_at()
        }
        const e = fdErr(dev, fd);
        if (e != 0) {
          lastElem = i as i32;
          return e;
        }
        lastElem = -1;
      }
      if (commit) {
        Dev.setw(dev, 5, type);
        Dev.setw(dev, 6, alloc);
      }
      return 0;
    }
    if (active != type) return Rule.fail(R_NOT_ENABLED, EINVAL);
    if (!k612 && nvec > Dev.w(dev, 6)) return Rule.fail(R_LOOPBACK_RANGE, EINVAL);
    return 0;
  }
  // ERR (3) / REQ (4): single trigger context
  if (act != 0x20) return Rule.fail(R_NO_HANDLER, ENOTTY);
  const bit: u32 = index == 3 ? 1 : 2;
  const set = (Dev.w(dev, 7) & bit) != 0;
  if (start != 0 || count > 1) return Rule.fail(R_SUBINDEX, EINVAL);
  if (dt == 1) {
    if (!set) return Rule.fail(R_CTX_UNSET, EINVAL);
    if (count == 0 && commit) Dev.setw(dev, 7, Dev.w(dev, 7) & ~bit);
    return 0;
  }
  if (count == 0) return Rule.fail(R_COUNT_ZERO, EINVAL);
  if (dt == 2) return 0;
  const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
  if (fd == -1) {
    if (commit) Dev.setw(dev, 7, Dev.w(dev, 7) & ~bit);
    return 0;
  }
  // fd < -1: ignored (returns 0) by 6.1; EINVAL on 6.12 (observed)
  if (fd < -1) return Dev.w(dev, 1) != 0 ? Rule.fail(R_FD_BELOW, EINVAL) : 0;
  const e = fdErr(dev, fd);
  if (e != 0) return e;
  if (commit) Dev.setw(dev, 7, Dev.w(dev, 7) | bit);
  return 0;
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
  const dt = flags & 7,
    act = flags & 0x38;
  const bit: u32 = index < 29 ? (8 as u32) << index : 0;
  if (act == 0x08 || act == 0x10) {
    if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
    if (index >= 64 || (Dev.w(dev, 72 + index) & 2) == 0) return Rule.fail(R_NOT_MASKABLE, EINVAL);
    if (dt == 4) {
      // the mask or unmask irqfd of the line: vfio_virqfd_enable for fd >= 0, vfio_virqfd_disable below
      const irqfds = (act == 0x08 ? DEV_MASK_IRQFD : DEV_UNMASK_IRQFD) + (index >> 5);
      const irqfdBit: u32 = 1 << (index & 31);
      const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
      if (fd < 0) {
        if (commit) Dev.setw(dev, irqfds, Dev.w(dev, irqfds) & ~irqfdBit);
        return 0;
      }
      const e = fdErr(dev, fd);
      if (e != 0) return e;
      if ((Dev.w(dev, irqfds) & irqfdBit) != 0) return Rule.fail(R_VIRQFD_BUSY, EBUSY);
      if (commit) Dev.setw(dev, irqfds, Dev.w(dev, irqfds) | irqfdBit);
    }
    return 0;
  }
  if (count == 0 && dt == 1) {
    if (commit) Dev.setw(dev, 7, Dev.w(dev, 7) & ~bit);
    return 0;
  }
  if (start != 0 || count != 1) return Rule.fail(R_SUBINDEX, EINVAL);
  if (dt == 4) {
    const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
    if (fd >= 0) {
      const e = fdErr(dev, fd);
      if (e != 0) return e;
    }
    if (commit) Dev.setw(dev, 7, fd >= 0 ? Dev.w(dev, 7) | bit : Dev.w(dev, 7) & ~bit);
  }
  return 0;
}

function ccwAp(dev: usize, buf: usize, len: u32, big: bool, drv: u32, flags: u32, index: u32, commit: bool): i32 {
  const dt = flags & 7;
  if ((flags & 0x20) == 0) return Rule.fail(R_CCW_NO_TRIGGER, EINVAL);
  if (drv == DRV_AP && dt != 4) return Rule.fail(R_AP_DATA, EINVAL);
  // one element is read at offset 20 (get_user) whatever count and argsz say
  if (dt != 1 && ((len < MINSZ + (dt == 2 ? 1 : 4)) as u32)) return Rule.fail(R_COPY_FAULT, EFAULT);
  const bit: u32 = (8 as u32) << index;
  if (dt == 1 || dt == 2) return 0;
  const fd = Mem.rd32(buf + O_VFIO_IRQ_SET__DATA, big) as i32;
  if (fd == -1) {
    if (commit) Dev.setw(dev, 7, Dev.w(dev, 7) & ~bit);
    return 0;
  }
  if (fd < -1) return Rule.fail(R_FD_BELOW, EINVAL);
  const e = fdErr(dev, fd);
  if (e != 0) return e;
  if (commit) Dev.setw(dev, 7, Dev.w(dev, 7) | bit);
  return 0;
}

/**
 * libvfio-user's device_set_irqs_validate (lib/irq.c): stricter, all EINVAL; unknown flag bits are
 * ignored. The message is buf[0..len); DATA_EVENTFD payload words stand for the fds passed with it.
 */
function lvu(dev: usize, buf: usize, len: u32, big: bool): i32 {
  if (len < MINSZ) return Rule.fail(R_ARGSZ_MIN, EINVAL);
  const argsz = Mem.rd32(buf, big),
    flags = Mem.rd32(buf + O_VFIO_IRQ_SET__FLAGS, big),
    index = Mem.rd32(buf + O_VFIO_IRQ_SET__INDEX, big);
  const start = Mem.rd32(buf + O_VFIO_IRQ_SET__START, big),
    count = Mem.rd32(buf + O_VFIO_IRQ_SET__COUNT, big);
  const dt = flags & 7,
    act = flags & 0x38;
  if (argsz < MINSZ) return Rule.fail(R_ARGSZ_MIN, EINVAL);
  if (dt == 2 && len - MINSZ != count) return Rule.fail(R_LVU_BOOL_LEN, EINVAL);
  if (index >= Dev.w(dev, 2)) return Rule.fail(R_INDEX, EINVAL);
  if (act != 0x08 && act != 0x10 && act != 0x20) return Rule.fail(R_ACTION, EINVAL);
  if (dt != 1 && dt != 2 && dt != 4) return Rule.fail(R_DATA_TYPE, EINVAL);
  const n = index < 64 ? Dev.w(dev, 8 + index) : 0;
  if (start >= n) return Rule.fail(R_START, EINVAL);
  const sum = (start as u64) + (count as u64); // satadd_u32
  if (sum > (n as u64)) return Rule.fail(R_RANGE, EINVAL);
  if ((index == 3 || index == 4) && (act != 0x20 || count > 1)) return Rule.fail(R_LVU_ERR_REQ, EINVAL);
  if (count == 0 && (start != 0 || dt != 1 || act != 0x20)) return Rule.fail(R_LVU_COUNT0, EINVAL);
  if (dt == 4) {
    const nfds = (len - MINSZ) >> 2;
    if (nfds != 0 && nfds != count) return Rule.fail(R_LVU_FDS, EINVAL);
  }
  return 0;
}

function disable(dev: usize): void {
  Dev.setw(dev, 5, T_NONE);
  Dev.setw(dev, 6, 0);
  Dev.setw(dev, 7, Dev.w(dev, 7) & ~12);
}

// ---- exports

/** Predict SET_IRQS; see oracleSetIrqs. Bounds-checked; never traps. */
export function oracle_set_irqs(prof: u32, buf: usize, len: u32, dev: usize, commit: u32): i32 {
  if (!inMem(buf, len as u64) || !inMem(dev, (DEV_WORDS as u64) * 4)) {
    lastRule = R_OK;
    return -1000;
  }
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
    const off = load<u32>(index + ((i as usize) << 3)),
      len = load<u32>(index + ((i as usize) << 3) + 4);
    let r: i32;
    if (!inMem(bufs + off, len as u64)) {
      r = -1000;
      lastRule = R_OK;
    } else r = oracleSetIrqs(prof, bufs + off, len, dev, false);
    store<i32>(out + ((i as usize) << 2), r);
    store<u32>(out + (((n + i) as usize) << 2), lastRule);
    ok += i32(r >= 0);
  }
  return ok;
}
