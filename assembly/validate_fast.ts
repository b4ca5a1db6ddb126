// Branch-free batch form of the kernel's vfio_set_irqs_validate_and_prepare (plus the PCI driver's
// "exactly one ACTION bit" dispatch check) for vfio_irq_set buffers: the generic stage every
// SET_IRQS goes through before a handler runs. Every check is computed for every buffer and the
// first failing rule (in the kernel's order) is picked with `select`, so a mixed corpus costs the
// same per buffer whatever the verdicts are (no branch mispredictions). Same rule ids and errnos as
// oracle.ts; tests/embed/validate-fast.test.mjs checks it against oracle_set_irqs.
import { inMem, PROF_BIG } from "./mem";
import { DEV_WORDS, DRV_PCI, R_OK, R_COPY_FAULT, R_ARGSZ_MIN, R_INDEX, R_COUNT_OVERFLOW, R_FLAGS_UNKNOWN, R_START,
  R_RANGE, R_DATA_TYPE, R_PAYLOAD_SHORT, R_ACTION } from "./oracle";

// -errno per rule id 0..10
const ERRNO: usize = memory.data<i32>([0, -14, -22, -22, -22, -22, -22, -22, -22, -22, -25]);

// @ts-ignore: decorator
@inline function ld(p: usize, big: bool): u32 { const x = load<u32>(p); return select<u32>(bswap<u32>(x), x, big); }

/**
 * Validate-stage verdicts for n vfio_irq_set buffers on a PCI device block (oracle.ts layout; only
 * words 0 and 8..12 are read): buffers at bufs + offset_i with `index` holding (u32 offset, u32 len)
 * pairs, verdicts (0 or -errno) to out[i] and rule ids to out[n + i]. A verdict of 0 means the
 * buffer passes validation and dispatch (the handler's state rules are not applied: use
 * oracle_set_irqs_batch for the full answer). Returns the number passing, E_BAD_ARG (-22) for a
 * non-PCI device block, or -1000 when an argument range lies outside memory.
 */
export function irq_set_validate_batch(prof: u32, bufs: usize, index: usize, n: u32, dev: usize, out: usize): i32 {
  if (!inMem(index, (n as u64) * 8) || !inMem(out, (n as u64) * 8) || !inMem(dev, (DEV_WORDS as u64) * 4)) return -1000;
  if (load<u32>(dev) != DRV_PCI) return -22;
  const big = (prof & PROF_BIG) != 0;
  const end: u64 = (memory.size() as u64) << 16;
  let ok: i32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const off = load<u32>(index + ((i as usize) << 3)), len = load<u32>(index + ((i as usize) << 3) + 4);
    const b = bufs + off;
    // the fixed header must be addressable even when len < 20 (its words are read, then ignored)
    if ((b as u64) + select<u64>(len as u64, 20, len >= 20) > end) {
      store<i32>(out + ((i as usize) << 2), -1000);
      store<u32>(out + (((n + i) as usize) << 2), R_OK);
      continue;
    }
    const argsz = ld(b, big), flags = ld(b + 4, big), idx = ld(b + 8, big), start = ld(b + 12, big), count = ld(b + 16, big);
    const nIrqs = select<u32>(load<u32>(dev + 32 + ((select<u32>(idx, 4, idx < 5) as usize) << 2)), 0, idx < 5);
    const dt = flags & 7, act = flags & 0x38;
    const esz: u64 = select<u64>(1, select<u64>(4, 0, dt == 4), dt == 2);
    const need: u64 = (count as u64) * esz;
    let r: u32 = R_OK;
    r = select<u32>(R_ACTION, r, (act != 0x08) & (act != 0x10) & (act != 0x20));
    r = select<u32>(R_COPY_FAULT, r, (esz != 0) & (20 + need > (len as u64)));
    r = select<u32>(R_PAYLOAD_SHORT, r, (esz != 0) & (((argsz - 20) as u64) < need));
    r = select<u32>(R_DATA_TYPE, r, (dt != 1) & (dt != 2) & (dt != 4));
    r = select<u32>(R_RANGE, r, start + count > nIrqs);
    r = select<u32>(R_START, r, start >= nIrqs);
    r = select<u32>(R_FLAGS_UNKNOWN, r, (flags & ~0x3f) != 0);
    r = select<u32>(R_COUNT_OVERFLOW, r, count >= 0xffffffff - start);
    r = select<u32>(R_INDEX, r, idx >= 5);
    r = select<u32>(R_ARGSZ_MIN, r, argsz < 20);
    r = select<u32>(R_COPY_FAULT, r, len < 20);
    const v = load<i32>(ERRNO + ((r as usize) << 2));
    store<i32>(out + ((i as usize) << 2), v);
    store<u32>(out + (((n + i) as usize) << 2), r);
    ok += i32(v == 0);
  }
  return ok;
}
