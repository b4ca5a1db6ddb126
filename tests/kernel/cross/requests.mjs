// Request builders for the foreign-architecture stages: every buffer comes from the codec's encoder
// in the guest's byte order (s390x is big-endian), never from hand-typed hex.
import { infoBuilders, irqSet } from "../gen.mjs";

export { EFD, NOT_EVENTFD, CLOSED, rng, efdReads } from "../gen.mjs";

export const TRIGGER = 0x20,
  MASK = 0x08,
  UNMASK = 0x10,
  NONE = 1,
  BOOL = 2,
  EVENTFD = 4;

/** Encoders for one codec profile ({ arch: 's390x' } for big-endian). Items: { ioctl, bytes, note }. */
export function builders(profile = {}) {
  const prof = { epoch: "6.6", ...profile };
  return { prof, irqSet: (o) => irqSet(o, prof), ...infoBuilders(prof) };
}

/** The INFO part every stage replays: GET_INFO argsz variants, GET_IRQ_INFO and GET_REGION_INFO around the device's indexes. */
export function infoItems(dev, b, { extraRegions = 2, extraIrqs = 2 } = {}) {
  const out = [];
  const add = (ioctl, bytes, note) => out.push({ ioctl, bytes, note });
  for (const [argsz, length] of [[24], [20], [16], [8, 16], [24, 20], [32]]) {
    add(
      "DEVICE_GET_INFO",
      b.deviceInfo(argsz, length),
      `get_info argsz ${argsz}${length ? `, ${length}-byte buffer` : ""}`,
    );
  }
  const nIrqs = dev.info?.numIrqs ?? dev.irqs.length;
  for (let i = 0; i < nIrqs + extraIrqs; i++) add("DEVICE_GET_IRQ_INFO", b.irqInfo(i), `irq_info index ${i}`);
  add("DEVICE_GET_IRQ_INFO", b.irqInfo(0, 12, 16), "irq_info argsz 12");
  add("DEVICE_GET_IRQ_INFO", b.irqInfo(0xffffffff), "irq_info index 0xffffffff");
  add("DEVICE_GET_IRQ_INFO", b.irqInfo(0, 64, 64), "irq_info argsz 64");
  add("DEVICE_GET_IRQ_INFO", b.irqInfo(0, 32, 16), "irq_info argsz 32, 16-byte buffer");
  const nRegions = dev.info?.numRegions ?? (dev.regions ?? []).length;
  for (let i = 0; i < nRegions + extraRegions; i++) {
    add("DEVICE_GET_REGION_INFO", b.regionInfo(i, 32), `region ${i} argsz 32`);
    add("DEVICE_GET_REGION_INFO", b.regionInfo(i, 64), `region ${i} argsz 64`);
    add("DEVICE_GET_REGION_INFO", b.regionInfo(i, 48, 32), `region ${i} argsz 48, 32-byte buffer`);
  }
  add("DEVICE_GET_REGION_INFO", b.regionInfo(0, 16, 32), "region argsz 16");
  add("DEVICE_GET_REGION_INFO", b.regionInfo(0xffffffff), "region index 0xffffffff");
  add("DEVICE_RESET", new Uint8Array(0), "reset");
  return out;
}
