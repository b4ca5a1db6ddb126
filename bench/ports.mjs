// Plain JavaScript baselines, written the way a library would: a DataView decoder for vfio_irq_info,
// the kernel's SET_IRQS validate stage (same rules and order as assembly/validate_fast.ts and
// bench/native.c, with ordinary branches), and a capability-chain walker with caps_walk's checks.

/** n x 16-byte vfio_irq_info from a Uint8Array into out (Uint32Array n*4); returns count of argsz < 16. */
export function decodeIrqInfoDV(u8, out) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const n = u8.byteLength >>> 4;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const o = i << 4,
      a = dv.getUint32(o, true);
    out[i * 4] = a;
    out[i * 4 + 1] = dv.getUint32(o + 4, true);
    out[i * 4 + 2] = dv.getUint32(o + 8, true);
    out[i * 4 + 3] = dv.getUint32(o + 12, true);
    bad += a < 16 ? 1 : 0;
  }
  return bad;
}

const ERR = [0, -14, -22, -22, -22, -22, -22, -22, -22, -22, -25];
/** Validate stage for n buffers (bytes + (offset,len) index) on a PCI device (irq counts nirqs[5]). */
export function validateIrqSets(bytes, index, n, nirqs, out) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const o = index[2 * i],
      len = index[2 * i + 1];
    let rule = 0;
    if (len < 20) rule = 1;
    else {
      const argsz = dv.getUint32(o, true),
        flags = dv.getUint32(o + 4, true),
        idx = dv.getUint32(o + 8, true);
      const start = dv.getUint32(o + 12, true),
        count = dv.getUint32(o + 16, true);
      const nI = idx < 5 ? nirqs[idx] : 0,
        dt = flags & 7,
        act = flags & 0x38;
      const esz = dt === 2 ? 1 : dt === 4 ? 4 : 0;
      if (argsz < 20) rule = 2;
      else if (idx >= 5) rule = 3;
      else if (count >= 0xffffffff - start) rule = 4;
      else if ((flags & ~0x3f) !== 0) rule = 5;
      else if (start >= nI) rule = 6;
      else if (start + count > nI) rule = 7;
      else if (dt !== 1 && dt !== 2 && dt !== 4) rule = 8;
      else if (esz !== 0 && argsz - 20 < count * esz) rule = 9;
      else if (esz !== 0 && 20 + count * esz > len) rule = 1;
      else if (act !== 0x08 && act !== 0x10 && act !== 0x20) rule = 10;
    }
    out[i] = ERR[rule];
    out[n + i] = rule;
    ok += rule === 0 ? 1 : 0;
  }
  return ok;
}

/** caps_walk's rules over a DataView: writes (id|version<<16, offset, length) per cap; returns n or < 0. */
export function walkCapsDV(dv, base, len, fixed, start, out, max) {
  let off = start,
    n = 0;
  if (off === 0) return 0;
  if (off < fixed) return -5;
  for (;;) {
    if ((off & 3) !== 0) return -10;
    if (off + 8 > len) return -9;
    if (n >= max) return -11;
    const h = dv.getUint32(base + off, true),
      next = dv.getUint32(base + off + 4, true);
    out[n * 3] = h;
    out[n * 3 + 1] = off;
    n++;
    if (next === 0) {
      out[n * 3 - 1] = len - off;
      return n;
    }
    if (next <= off) return next === off ? -7 : -6;
    if (next - off < 8) return -13;
    out[n * 3 - 1] = next - off;
    off = next;
  }
}
