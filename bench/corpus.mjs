// Seeded inputs shared by the benchmarks and the differential tests.
import { rng as seeded } from "../tests/helpers/rng.mjs";
/** A u32 draw function seeded with `seed` (the tests' one PRNG). */
export function rng(seed) {
  return seeded(seed).u32;
}

/** PCI device block (assembly/oracle.ts layout): 6.1 rules, nothing enabled, irq counts 1/16/64/1/1. */
export function pciDevice() {
  const w = new Uint32Array(200);
  w[2] = 5;
  w[3] = 1;
  [1, 16, 64, 1, 1].forEach((c, i) => {
    w[8 + i] = c;
  });
  for (let fd = 3; fd < 64; fd++) w[136 + (fd >> 5)] |= 1 << (fd & 31);
  return w;
}

/** n vfio_irq_info (16 B each): mostly kernel-like replies, ~10% with argsz < 16. */
export function irqInfoCorpus(n, seed = 1) {
  const r = rng(seed),
    u = new Uint32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const x = r();
    u[i * 4] = (x & 15) === 0 ? x >>> 28 : 16;
    u[i * 4 + 1] = r() & 0x3f;
    u[i * 4 + 2] = r() % 5;
    u[i * 4 + 3] = r() & 2047;
  }
  return new Uint8Array(u.buffer);
}

/**
 * n vfio_irq_set buffers, a mix the kernel's validation splits unpredictably (about half pass):
 * returns { bytes, index } with index = (u32 offset, u32 len) pairs, buffers 4-aligned.
 */
export function irqSetCorpus(n, seed = 7) {
  const r = rng(seed);
  const chunks = [],
    index = new Uint32Array(n * 2);
  let off = 0;
  for (let i = 0; i < n; i++) {
    const k = r();
    const dt = [1, 2, 4, 1, 2, 4, 3, 0][k & 7];
    const act = [0x08, 0x10, 0x20, 0x20, 0x20, 0x20, 0x18, 0][(k >>> 3) & 7];
    const flags = dt | act | ((k >>> 6) % 29 === 0 ? 0x40 : 0);
    const index_ = (k >>> 11) % 13 < 11 ? (k >>> 11) % 5 : 5 + ((k >>> 15) & 3);
    const start = (k >>> 17) % 7 === 0 ? r() & 31 : 0;
    const count = (k >>> 20) % 11 === 0 ? 0xffffffff - (r() & 3) : r() & 7;
    const esz = dt === 2 ? 1 : dt === 4 ? 4 : 0;
    const want = Math.min(count, 64) * esz;
    const pay = (k >>> 24) % 5 === 0 ? want >> 1 : want;
    const argsz = k >>> 27 === 0 ? 16 : 20 + pay + (k >>> 29 === 7 ? 8 : 0);
    const len = (k >>> 26) % 37 === 0 ? 12 : 20 + pay;
    const b = new Uint8Array((len + 3) & ~3);
    const dv = new DataView(b.buffer);
    if (len >= 20) {
      dv.setUint32(0, argsz, true);
      dv.setUint32(4, flags, true);
      dv.setUint32(8, index_, true);
      dv.setUint32(12, start, true);
      dv.setUint32(16, count, true);
    }
    for (let j = 20; j < len; j++) b[j] = esz === 1 ? r() & 1 : (j & 3) === 0 ? 3 + (r() & 63) : 0;
    chunks.push(b);
    index[i * 2] = off;
    index[i * 2 + 1] = len;
    off += b.length;
  }
  const bytes = new Uint8Array(off + 32);
  let p = 0;
  for (const c of chunks) {
    bytes.set(c, p);
    p += c.length;
  }
  return { bytes, index };
}

/**
 * n vfio_region_info buffers (6.6 layout, 32-byte fixed part) each with a chain of `caps` caps of
 * 16 bytes (8-byte header + 8-byte body): returns { bytes, stride }.
 */
export function regionCapsCorpus(n, caps = 8, seed = 3) {
  const r = rng(seed),
    stride = 32 + caps * 16,
    bytes = new Uint8Array(n * stride),
    dv = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const o = i * stride;
    dv.setUint32(o, stride, true);
    dv.setUint32(o + 4, 0xf, true);
    dv.setUint32(o + 8, r() % 9, true);
    dv.setUint32(o + 12, 32, true);
    for (let c = 0; c < caps; c++) {
      const co = o + 32 + c * 16;
      dv.setUint16(co, 1 + (r() % 5), true);
      dv.setUint16(co + 2, 1, true);
      dv.setUint32(co + 4, c + 1 < caps ? 32 + (c + 1) * 16 : 0, true);
      dv.setUint32(co + 8, r(), true);
    }
  }
  return { bytes, stride };
}
