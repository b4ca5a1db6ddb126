// Plain-word explanations shown next to fields, so the page reads without the kernel headers.
// Structs and capabilities without words here use their schema doc.
import * as lib from "./lib.js";

export const STRUCT_HELP = {
  vfio_irq_set:
    "A request (VFIO_DEVICE_SET_IRQS) telling the kernel how to wire a device's interrupts: which interrupt kind (index), which vectors (start, count), what to do (flags: one DATA_* and one ACTION_* bit), followed by a payload of one byte per vector (BOOL) or one eventfd per vector (EVENTFD).",
  vfio_irq_info:
    "A reply (VFIO_DEVICE_GET_IRQ_INFO) describing one interrupt kind of a device: how many vectors it has and what it supports.",
  vfio_region_info:
    "A reply (VFIO_DEVICE_GET_REGION_INFO) describing one memory or config region of a device (size, where to mmap it), optionally followed by a chain of capabilities with extra details.",
  vfio_device_info:
    "A reply (VFIO_DEVICE_GET_INFO) describing the device: its kind (PCI, platform, ...), how many regions and interrupt kinds it has, optionally followed by capabilities.",
  vfio_iommu_type1_info:
    "A reply (VFIO_IOMMU_GET_INFO) describing the IOMMU container: supported page sizes, optionally followed by capabilities (usable IOVA ranges, migration, DMA mappings left).",
};

const FIELD_HELP = {
  argsz:
    "argsz: the size of the whole buffer in bytes, as the caller tells the kernel. The kernel never reads or writes past it. In a reply it can come back larger: then the kernel needs a bigger buffer (call again with that argsz).",
  flags: "flags: a bit set; each set bit is named on the right.",
  index:
    "index: which interrupt kind (INTx, MSI, MSI-X, ERR, REQ) or which region (BAR0..5, ROM, config space, VGA) this is about.",
  start: "start: the first vector (interrupt number within the index) the request applies to.",
  count: "count: how many vectors, from start on. The payload holds one element per vector.",
  cap_offset:
    "cap_offset: where the first capability starts, in bytes from the start of the buffer. 0 means there are none (or they did not fit in argsz).",
  size: "size: the size of the region in bytes.",
  offset: "offset: where the region lives in the device file (the offset to pread/pwrite/mmap at).",
  num_regions: "num_regions: how many regions the device has (call GET_REGION_INFO for each).",
  num_irqs: "num_irqs: how many interrupt kinds (indexes) the device has (call GET_IRQ_INFO for each).",
  iova_pgsizes: "iova_pgsizes: bit set of the IOMMU page sizes supported (bit n = 2^n bytes).",
  id: "id: which capability this is (its meaning depends on the struct the chain hangs off).",
  version: "version: the layout version of this capability.",
  next: "next: offset of the next capability from the start of the buffer; 0 ends the chain. It must point forward, past this capability.",
  nr_areas: "nr_areas: how many mmap-able areas follow.",
  reserved: "reserved: unused, should be 0.",
  pad: "pad: padding the kernel added for alignment.",
  type: "type: capability type (with subtype, names a device-specific region or interrupt).",
  subtype: "subtype: the specific region/interrupt within the type.",
};

const SPAN_HELP = {
  group: "The payload after the 20-byte header: count elements, one per vector.",
  slack:
    "Slack: bytes after the known fields that argsz still covers. The kernel ignores them; they are kept as they are.",
  tail: "Past argsz: bytes in the buffer the kernel does not look at.",
  gap: "Padding or bytes the codec does not know (alignment between capabilities, unknown capability bodies). Kept as they are.",
  needs:
    "Needs argsz: the reply says the capabilities did not fit in the buffer passed. Call the ioctl again with argsz set to this value to get them.",
  error: "The decoder stopped here: everything above decoded, this span is where the bytes break the rules.",
  cap: "A capability: an optional block after the fixed struct, found by following offsets (cap_offset, then each header's next). Each starts with an 8-byte header (id, version, next) and carries extra information.",
};
const PAYLOAD_ELEMENT =
  "A payload element: one per vector from start. EVENTFD: a file descriptor the kernel signals for that vector (-1 = remove). BOOL: 1 = act on that vector, 0 = skip it.";

const structDoc = (name) => lib.SCHEMA.structs.find((s) => s.name === name)?.doc ?? null;

/** Plain words for a tree row (a view-model row: kind, key, field). */
export function fieldHelp(row, struct) {
  if (row.kind === "struct") return STRUCT_HELP[struct] ?? structDoc(struct) ?? `struct ${struct}.`;
  const field = lib.SCHEMA.fields[row.field];
  if (row.kind === "elem" && field?.type === "payload") return PAYLOAD_ELEMENT;
  if (row.kind === "cap") {
    const cap = lib.SCHEMA.capreg.find((c) => c.name === row.label);
    const doc = cap ? structDoc(cap.struct) : null;
    return doc ? `${SPAN_HELP.cap} This one: ${doc}` : SPAN_HELP.cap;
  }
  if (SPAN_HELP[row.kind]) return SPAN_HELP[row.kind];
  if (row.kind === "elem" && field?.of) return structDoc(field.of) ?? `One ${field.of}.`;
  const name = row.key.findLast((k) => typeof k === "string");
  if (struct === "vfio_irq_set" && name === "flags" && row.key.length === 1)
    return "flags: what to do. Exactly one DATA_* bit says what the payload is (NONE: no payload, BOOL: one byte per vector, EVENTFD: one s32 fd per vector) and one ACTION_* bit says what happens (MASK, UNMASK, TRIGGER).";
  if (struct === "vfio_irq_info" && name === "count")
    return "count: how many vectors this interrupt kind has on the device (0 = not available).";
  return FIELD_HELP[name] ?? null;
}

export const GLOSSARY = [
  ["argsz", "the size of the buffer the caller passes; the kernel reads and writes at most that many bytes."],
  [
    "capability",
    "an optional extra block after the fixed struct, linked by byte offsets into a chain (cap_offset → next → … → 0).",
  ],
  [
    "needs argsz",
    "a reply whose argsz is larger than what you passed: the kernel had more to say and asks you to call again with that size.",
  ],
  [
    "slack / past argsz",
    "bytes after the known fields: inside argsz they are slack (ignored), beyond argsz they are not part of the call at all.",
  ],
];
