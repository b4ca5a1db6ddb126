// Mutation classes of the wasm generators (assembly/fuzz/classes.ts; ids are ABI, keep in sync).
export type Family = "vfio_irq_set" | "vfio_irq_info" | "info_caps";
export interface ClassInfo {
  id: number;
  name: string;
  family: Family;
  valid: boolean;
  doc: string;
}

const T: [number, string, Family, string][] = [
  [
    0,
    "valid",
    "vfio_irq_set",
    "well-formed request for the device: one DATA, one ACTION bit, start/count inside the index, exact payload",
  ],
  [1, "argsz-below-minsz", "vfio_irq_set", "argsz < 20"],
  [2, "argsz-slack", "vfio_irq_set", "argsz larger than header + payload, buffer carries the slack"],
  [3, "argsz-over-buffer", "vfio_irq_set", "argsz larger than the buffer"],
  [4, "flags-unknown", "vfio_irq_set", "a flag bit outside 0x3f"],
  [5, "data-none-set", "vfio_irq_set", "no DATA_* bit"],
  [6, "data-several", "vfio_irq_set", "two or three DATA_* bits"],
  [7, "action-none-set", "vfio_irq_set", "no ACTION_* bit"],
  [8, "action-several", "vfio_irq_set", "two or three ACTION_* bits"],
  [9, "count-overflow", "vfio_irq_set", "count >= U32_MAX - start (start + count wraps)"],
  [10, "start-past-index", "vfio_irq_set", "start >= the index's irq count"],
  [11, "range-past-index", "vfio_irq_set", "start + count > the index's irq count (payload consistent)"],
  [12, "index-past-max", "vfio_irq_set", "index >= the driver's max irq type"],
  [13, "payload-short", "vfio_irq_set", "argsz - 20 < count x element size (buffer cut to argsz)"],
  [14, "eventfd-minus-one", "vfio_irq_set", "an eventfd element is -1"],
  [15, "eventfd-below-minus-one", "vfio_irq_set", "an eventfd element is < -1"],
  [16, "eventfd-closed", "vfio_irq_set", "an eventfd element names a closed fd"],
  [17, "eventfd-not-eventfd", "vfio_irq_set", "an eventfd element names an open fd that is not an eventfd"],
  [18, "bool-not-0-1", "vfio_irq_set", "a DATA_BOOL byte in 2..255"],
  [20, "request", "vfio_irq_info", "GET_IRQ_INFO request (argsz 16, index, zero count)"],
  [21, "reply", "vfio_irq_info", "GET_IRQ_INFO reply for the device"],
  [22, "argsz-below-minsz", "vfio_irq_info", "argsz < 16"],
  [23, "argsz-slack", "vfio_irq_info", "argsz > 16 with slack bytes"],
  [24, "argsz-over-buffer", "vfio_irq_info", "argsz larger than the buffer"],
  [25, "index-past-max", "vfio_irq_info", "index >= the device's irq indexes"],
  [26, "flags-unknown", "vfio_irq_info", "reply with an undefined flag bit"],
  [
    30,
    "valid",
    "info_caps",
    "kernel-built reply with 0..4 caps (vfio_info_cap_add + cap_shift), every cap kind, both epochs and byte orders",
  ],
  [31, "too-small", "info_caps", "the kernel's too-small reply: CAPS set, argsz raised, cap_offset 0"],
  [32, "argsz-below-minsz", "info_caps", "argsz < minsz"],
  [33, "argsz-slack", "info_caps", "argsz larger than the chain, buffer carries the slack"],
  [34, "argsz-over-buffer", "info_caps", "argsz larger than the buffer with a chain"],
  [35, "next-zero-early", "info_caps", "a cap's next is 0 before the last cap"],
  [36, "next-past-end", "info_caps", "cap_offset or next points at or past argsz"],
  [37, "next-into-header", "info_caps", "cap_offset or next points into the fixed info struct"],
  [38, "next-misaligned", "info_caps", "cap_offset or next not 4-byte aligned"],
  [39, "next-self", "info_caps", "next points to the cap itself"],
  [40, "cycle", "info_caps", "next points back to an earlier cap (cycle of length 2+)"],
  [41, "overlap", "info_caps", "next points inside the current cap"],
  [42, "unknown-id", "info_caps", "a cap id no kernel defines for this ioctl"],
  [43, "wrong-version", "info_caps", "a cap version 0 or newer than any known"],
  [44, "caps-flag-clear", "info_caps", "CAPS flag clear while cap_offset is set"],
  [45, "array-overrun", "info_caps", "nr_areas / nr_iovas / zPCI size runs past the cap"],
];
export const CLASSES: readonly ClassInfo[] = T.map(([id, name, family, doc]) => ({
  id,
  name,
  family,
  doc,
  valid: id === 0 || id === 20 || id === 21 || id === 30 || id === 31,
}));
const byId = new Map(CLASSES.map((c) => [c.id, c]));
export const classInfo = (id: number): ClassInfo | undefined => byId.get(id);
export const className = (id: number): string => {
  const c = byId.get(id);
  return c ? `${c.family}/${c.name}` : `class-${id}`;
};
export function classByName(q: string): ClassInfo {
  const hit =
    CLASSES.find((c) => `${c.family}/${c.name}` === q || String(c.id) === q) ?? CLASSES.filter((c) => c.name === q)[0];
  if (!hit)
    throw new Error(
      `unknown mutation class ${q} (e.g. ${CLASSES.slice(0, 4)
        .map((c) => `${c.family}/${c.name}`)
        .join(", ")})`,
    );
  return hit;
}
/** Campaign failure kinds (assembly/fuzz/check.ts). */
export const FAILURE_KINDS: Record<number, string> = {
  1: "decoder status differs from the case's label",
  2: "valid/accepted generated case does not round-trip from its records",
  3: "SET_IRQS label differs from the oracle (incl. with other bytes behind the buffer)",
  4: "near-valid SET_IRQS case does not hit the rule its class targets",
  5: "valid SET_IRQS case fails kernel validation",
  6: "mutated input decodes but does not round-trip from its records",
  7: "decoder result depends on bytes behind the input (read outside the input)",
  8: "oracle result depends on bytes behind the input",
  9: "wasm memory grew during the run",
  10: "decoded input has bytes no record covers (lost by the record stream / exact encode)",
};
