// Branch-free batch form of the kernel's vfio_set_irqs_validate_and_prepare (plus the PCI driver's
// "exactly one ACTION bit" dispatch check) for vfio_irq_set buffers: the generic stage every
// SET_IRQS goes through before a handler runs. Every check is computed for every buffer and the
// first failing rule (in the kernel's order) is picked with `select`, so a mixed corpus costs the
// same per buffer whatever the verdicts are (no branch mispredictions). Same rule ids and errnos as
// oracle.ts; tests/embed/validate-fast.test.mjs checks it against oracle_set_irqs.

import {
  DEV_WORDS,
  DRV_PCI,
  E_ORACLE_RANGE,
  PROF_BIG,
  R_ACTION,
  R_ARGSZ_MIN,
  R_COPY_FAULT,
  R_COUNT_OVERFLOW,
  R_DATA_TYPE,
  R_FLAGS_UNKNOWN,
  R_INDEX,
  R_OK,
  R_PAYLOAD_SHORT,
  R_RANGE,
  R_START,
} from "./generated/wasm-abi";
import {
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
  SIZEOF_VFIO_IRQ_SET,
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
} from "./generated/layout";
import { ARENA, Arena, inArena } from "./mem";

/** minsz of vfio_irq_set: offsetofend(count). */
const MINSZ: u32 = SIZEOF_VFIO_IRQ_SET;
/** The action field's shift: ACTION_TYPE_MASK >> ACTION_SHIFT is 3 bits, like DATA_TYPE_MASK. */
const ACTION_SHIFT: u32 = ctz<u32>(VFIO_IRQ_SET_ACTION_TYPE_MASK);
// Bit sets over a 3-bit field value v (tested as (SET >> v) & 1, a shift instead of compares):
// ONE_BIT holds the values with exactly one bit set (the kernel takes one data type and one action),
// WITH_DATA the data types that carry a payload (BOOL, EVENTFD).
const ONE_BIT: u32 = (1 << 1) | (1 << 2) | (1 << 4);
const WITH_DATA: u32 = (1 << VFIO_IRQ_SET_DATA_BOOL) | (1 << VFIO_IRQ_SET_DATA_EVENTFD);

// Failing checks become bits in the kernel's order (bit 0 = checked first); ctz picks the first
// failure. RULE_OF_BIT / ERRNO_OF_BIT map a bit (11 = none failed) to the rule id and -errno.
const RULE_OF_BIT: usize = memory.data<u32>([
  R_COPY_FAULT,
  R_ARGSZ_MIN,
  R_INDEX,
  R_COUNT_OVERFLOW,
  R_FLAGS_UNKNOWN,
  R_START,
  R_RANGE,
  R_DATA_TYPE,
  R_PAYLOAD_SHORT,
  R_COPY_FAULT,
  R_ACTION,
  R_OK,
  0,
  0,
  0,
  0,
]);
const ERRNO_OF_BIT: usize = memory.data<i32>([-14, -22, -22, -22, -22, -22, -22, -22, -22, -14, -25, 0, 0, 0, 0, 0]);

/** The branch-free validate stage. (Static methods: TypeScript tools accept `@inline` on a method, not on a function.) */
class Fast {
  @inline static ld(p: usize, big: bool): u32 {
    const x = load<u32>(p);
    // open-coded byte swap: the bswap<u32> builtin lowers to a polyfill call here, 5 calls a buffer
    return big ? rotl<u32>(x & 0xff00ff00, 8) | rotr<u32>(x & 0x00ff00ff, 8) : x;
  }
  /** The failing checks of one buffer as bits 0..10 in the kernel's order (bit 11 always set). */
  @inline static failBits(b: usize, len: u32, dev: usize, big: bool): u32 {
    const argsz = Fast.ld(b, big),
      flags = Fast.ld(b + O_VFIO_IRQ_SET__FLAGS, big),
      idx = Fast.ld(b + O_VFIO_IRQ_SET__INDEX, big),
      start = Fast.ld(b + O_VFIO_IRQ_SET__START, big),
      count = Fast.ld(b + O_VFIO_IRQ_SET__COUNT, big);
    const inRange = idx < 5;
    const nIrqs = select<u32>(load<u32>(dev + 32 + ((select<u32>(idx, 0, inRange) as usize) << 2)), 0, inRange);
    const dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
      act = (flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) >> ACTION_SHIFT;
    const hasData = (WITH_DATA >> dt) & 1;
    // element size as a shift: 2 for EVENTFD (4 bytes), 0 for BOOL (the other types have no payload)
    const shift = (dt >> 1) & 2;
    // count * esz > room  <=>  count > room >> shift (integers): no 64-bit arithmetic needed
    const m: u32 =
      u32(len < MINSZ) |
      (u32(argsz < MINSZ) << 1) |
      (u32(!inRange) << 2) |
      (u32(count >= 0xffffffff - start) << 3) |
      (u32((flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)) != 0) << 4) |
      (u32(start >= nIrqs) << 5) |
      (u32(start + count > nIrqs) << 6) |
      ((((ONE_BIT >> dt) & 1) ^ 1) << 7) |
      ((hasData & u32(count > (argsz - MINSZ) >> shift)) << 8) |
      ((hasData & u32(count > (len - MINSZ) >> shift)) << 9) |
      ((((ONE_BIT >> act) & 1) ^ 1) << 10) |
      (1 << 11);
    return m;
  }
  @inline static loop(bufs: usize, index: usize, n: u32, dev: usize, out: usize, big: bool): i32 {
    const toRules = (n as usize) << 2; // rule ids follow the n verdicts
    const lo = ARENA as u64,
      end = Arena.end();
    const stop = index + ((n as usize) << 3);
    let ok: i32 = 0;
    for (let p = index, o = out; p < stop; p += 8, o += 4) {
      const len = load<u32>(p, 4);
      const b64 = (bufs as u64) + (load<u32>(p) as u64); // 64 bits: bufs + offset must not wrap past 2^32
      // the fixed header must be addressable even when len < 20 (its words are read, then ignored);
      // b64 + len < 2^34 cannot wrap, so one sum tests both the start and the room
      if (!((b64 >= lo) & (b64 + select<u64>(len as u64, MINSZ, len >= MINSZ) <= end))) {
        store<i32>(o, E_ORACLE_RANGE);
        store<u32>(o + toRules, R_OK);
        continue;
      }
      const bit = ctz<u32>(Fast.failBits(b64 as usize, len, dev, big));
      const v = load<i32>(ERRNO_OF_BIT + ((bit as usize) << 2));
      store<i32>(o, v);
      store<u32>(o + toRules, load<u32>(RULE_OF_BIT + ((bit as usize) << 2)));
      ok += i32(v == 0);
    }
    return ok;
  }
}

/**
 * Validate-stage verdicts for n vfio_irq_set buffers on a PCI device block (oracle.ts layout; only
 * words 0 and 8..12 are read): buffers at bufs + offset_i with `index` holding (u32 offset, u32 len)
 * pairs, verdicts (0 or -errno) to out[i] and rule ids to out[n + i]. A verdict of 0 means the
 * buffer passes validation and dispatch (the handler's state rules are not applied: use
 * oracle_set_irqs_batch for the full answer). Returns the number passing, E_BAD_ARG (-22) for a
 * non-PCI device block, or -1000 when an argument range lies outside memory.
 */
export function irq_set_validate_batch(prof: u32, bufs: usize, index: usize, n: u32, dev: usize, out: usize): i32 {
  if (!inArena(index, (n as u64) * 8) || !inArena(out, (n as u64) * 8) || !inArena(dev, (DEV_WORDS as u64) * 4))
    return E_ORACLE_RANGE;
  if (load<u32>(dev) != DRV_PCI) return -22;
  // one loop per byte order: a loop holding both tests the flag at every load
  return (prof & PROF_BIG) != 0 ? loopBig(bufs, index, n, dev, out) : loopLittle(bufs, index, n, dev, out);
}
// Two functions, not two inline copies in one: the optimiser folds identical arms of an `if` into one
// loop that reads the flag back from a local before it propagates the constant into each copy.
function loopLittle(bufs: usize, index: usize, n: u32, dev: usize, out: usize): i32 {
  return Fast.loop(bufs, index, n, dev, out, false);
}
function loopBig(bufs: usize, index: usize, n: u32, dev: usize, out: usize): i32 {
  return Fast.loop(bufs, index, n, dev, out, true);
}
