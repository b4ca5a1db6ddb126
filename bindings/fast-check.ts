// fast-check arbitraries for users' own property tests (entry point "vfio-abi/fast-check";
// fast-check is an optional peer dependency and is imported only here).
// Structural arbitraries build bytes from shrinkable fields, so a failing property shrinks to a
// minimal buffer (count 0, empty payload, no slack, simplest flags, fewest caps).
import { MAX_FD } from "./generated/wasm-abi.js";
import {
  O_VFIO_IRQ_SET__ARGSZ,
  O_VFIO_IRQ_SET__COUNT,
  O_VFIO_IRQ_SET__DATA,
  O_VFIO_IRQ_SET__FLAGS,
  O_VFIO_IRQ_SET__INDEX,
  O_VFIO_IRQ_SET__START,
  SIZEOF_VFIO_IRQ_SET,
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
} from "./generated/constants.js";
import fc from "fast-check";
import { encode } from "./encode.js";
import {
  CLASSES,
  type FuzzCase,
  type FuzzDevice,
  type GenerateOptions,
  generate,
  labelSetIrqs,
  mutate,
} from "./fuzz/index.js";
import type { ProfileOptions } from "./types.js";

export interface IrqSetArbOptions extends ProfileOptions {
  /** Largest index / start / count generated (default 5 / 8 / 8). */
  maxIndex?: number;
  maxStart?: number;
  maxCount?: number;
  /** Also produce near-valid headers: unknown flag bits, 0 or 2+ DATA/ACTION bits, argsz off by some bytes, eventfds < -1. */
  nearValid?: boolean;
}
const DATA = [VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_EVENTFD] as const,
  ACTION = [VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK] as const;

/** vfio_irq_set fields (argsz consistent, or off by `argszDelta` when nearValid). */
export function irqSetFields(o: IrqSetArbOptions = {}) {
  const nv = o.nearValid ?? false;
  return fc.record({
    dataIdx: fc.integer({ min: 0, max: 2 }),
    actionIdx: fc.integer({ min: 0, max: 2 }),
    index: fc.nat(o.maxIndex ?? 5),
    start: fc.nat(o.maxStart ?? 8),
    count: fc.nat(o.maxCount ?? 8),
    fds: fc.array(nv ? fc.integer({ min: -0x80000000, max: MAX_FD - 1 }) : fc.integer({ min: -1, max: MAX_FD - 1 }), {
      maxLength: o.maxCount ?? 8,
    }),
    extraFlags: nv ? fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })) : fc.constant(0),
    argszDelta: nv ? fc.integer({ min: -24, max: 32 }) : fc.constant(0),
  });
}

/** vfio_irq_set request bytes. Shrinks towards `01 00 00 00 ...` minimal requests. */
export function irqSet(o: IrqSetArbOptions = {}): fc.Arbitrary<Uint8Array> {
  const little = (o.endian ?? "little") === "little" && o.arch !== "s390x" && o.arch !== "ppc64" && o.arch !== "mips";
  return irqSetFields(o).map((f) => {
    const dt = DATA[f.dataIdx],
      esz = dt === 2 ? 1 : dt === 4 ? 4 : 0;
    const count = esz ? Math.min(f.count, f.fds.length) : f.count;
    const len = SIZEOF_VFIO_IRQ_SET + count * esz;
    const b = new Uint8Array(Math.max(len, SIZEOF_VFIO_IRQ_SET + Math.max(0, f.argszDelta)));
    const dv = new DataView(b.buffer);
    const flags = ((dt | ACTION[f.actionIdx]) ^ f.extraFlags) >>> 0;
    dv.setUint32(O_VFIO_IRQ_SET__ARGSZ, Math.max(0, len + f.argszDelta) >>> 0, little);
    dv.setUint32(O_VFIO_IRQ_SET__FLAGS, flags, little);
    dv.setUint32(O_VFIO_IRQ_SET__INDEX, f.index, little);
    dv.setUint32(O_VFIO_IRQ_SET__START, f.start, little);
    dv.setUint32(O_VFIO_IRQ_SET__COUNT, count, little);
    for (let i = 0; i < (esz ? count : 0); i++) {
      if (esz === 1) b[O_VFIO_IRQ_SET__DATA + i] = f.fds[i] & 1;
      else dv.setInt32(O_VFIO_IRQ_SET__DATA + 4 * i, f.fds[i], little);
    }
    return b;
  });
}

/** vfio_region_info replies with a kernel-built chain (TYPE, SPARSE_MMAP, MSIX_MAPPABLE caps), optionally one broken link. */
export function regionInfoReply(o: ProfileOptions & { brokenLink?: boolean } = {}): fc.Arbitrary<Uint8Array> {
  const cap = fc.oneof(
    fc
      .record({ type: fc.nat(0xffffffff), subtype: fc.nat(0xffffffff) })
      .map((c) => ({ header: { id: 2, version: 1 }, ...c })),
    fc
      .array(
        fc.record({
          offset: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          size: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        }),
        { maxLength: 3 },
      )
      .map((areas) => ({ header: { id: 1, version: 1 }, nr_areas: areas.length, areas })),
    fc.constant({ header: { id: 3, version: 1 } }),
  );
  return fc
    .record({
      flags: fc.nat(7),
      index: fc.nat(9),
      size: fc.bigInt({ min: 0n, max: 1n << 40n }),
      caps: fc.array(cap, { maxLength: 4 }),
      link: o.brokenLink
        ? fc.option(fc.record({ cap: fc.nat(3), next: fc.nat(0xffff) }), { nil: null })
        : fc.constant(null),
    })
    .map((r) => {
      const b = encode(
        "vfio_region_info",
        { flags: r.flags, index: r.index, size: r.size, offset: BigInt(r.index) << 40n, caps: r.caps } as never,
        o,
      );
      if (r.link && r.caps.length) {
        // patch one next field: walk the kernel-built chain (first cap at 32)
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength),
          le = (o.endian ?? "little") === "little";
        let off = 32;
        for (let i = 0; i < r.link.cap % r.caps.length; i++) off = dv.getUint32(off + 4, le);
        dv.setUint32(off + 4, r.link.next, le);
      }
      return b;
    });
}

/** Labelled cases from the wasm generators (class, expected kernel and codec outcome). */
export function fuzzCase(
  o: Omit<GenerateOptions, "seed" | "index"> & { classes?: (string | number)[] } = {},
): fc.Arbitrary<FuzzCase> {
  const fam =
    (o.struct ?? "vfio_irq_set") === "vfio_irq_set"
      ? "vfio_irq_set"
      : o.struct === "vfio_irq_info"
        ? "vfio_irq_info"
        : "info_caps";
  const ids = o.classes ?? CLASSES.filter((c) => c.family === fam).map((c) => c.id);
  return fc
    .record({ seed: fc.nat(0xffffffff), index: fc.nat(0xffffff), cls: fc.constantFrom(...ids) })
    .map(({ seed, index, cls }) => generate({ ...o, seed, index, class: cls }));
}

/** Mutated inputs: structure-aware mutations of another arbitrary's bytes. */
export function mutated(
  base: fc.Arbitrary<Uint8Array>,
  o: ProfileOptions & { struct?: string; rounds?: number } = {},
): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(base, fc.array(fc.nat(0xffffffff), { minLength: 1, maxLength: o.rounds ?? 3 }))
    .map(([b, seeds]) => seeds.reduce((acc, s) => mutate(acc, s, o), b));
}

/** The oracle's expected answer for a SET_IRQS buffer (for properties against a driver/mock). */
export const expectedSetIrqs = (bytes: Uint8Array, device?: FuzzDevice, o: ProfileOptions = {}) =>
  labelSetIrqs(bytes, device, o);
