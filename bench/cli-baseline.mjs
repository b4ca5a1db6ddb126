#!/usr/bin/env node
// The CLI row's baseline: a hand-written Node script doing what `vfio-abi decode irq_info` does for
// kernel-style vfio_irq_info lines (argsz 16, the four upstream flag bits): hex line -> DataView
// decode -> the same JSON text (value and `$` metadata, its source line) -> batched stdout writes with backpressure.
// Names come from the schema, bound at load time. Lines it does not model are an error here.
import { SCHEMA } from "../dist/bindings/generated/schema.js";

const bits = SCHEMA.flagSets.vfio_irq_info_flags.bits;
const KNOWN = bits.reduce((m, b) => m | b.value, 0);
const NAMES = Array.from({ length: KNOWN + 1 }, (_, f) =>
  JSON.stringify(bits.filter((b) => f & b.value).map((b) => b.name)),
);
const IRQ_INDEX = SCHEMA.enums.vfio_pci_irq_index.values;
const INDEX = (i) => {
  const e = IRQ_INDEX.find((x) => x.value === i);
  return e ? `"${e.name}"` : "null";
};
const INDEX_TEXT = Array.from({ length: 16 }, (_, i) => INDEX(i));
const META =
  '"$":{"struct":"vfio_irq_info","length":16,"profile":{"endian":"little","model":"lp64","epoch":"6.7","proposals":[]},"flags":{"flags":{"names":';

let out = "",
  rest = "",
  lineNo = 0; // the CLI names each item's source: stdin and its line number
const flush = async () => {
  if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once("drain", r));
  out = "";
};
function line(hex, no) {
  const b = Buffer.from(hex, "hex");
  if (b.length !== 16 || hex.length !== 32) throw new Error(`baseline: unexpected line ${hex}`);
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const argsz = dv.getUint32(0, true),
    flags = dv.getUint32(4, true),
    index = dv.getUint32(8, true),
    count = dv.getUint32(12, true);
  if (argsz !== 16 || flags & ~KNOWN) throw new Error(`baseline: unexpected line ${hex}`);
  out += `{"argsz":${argsz},"flags":${flags},"index":${index},"count":${count},${META}${NAMES[flags]},"unknown":0}},"enums":{"index":${index < 16 ? INDEX_TEXT[index] : INDEX(index)}},"gaps":[],"notes":[],"source":"stdin:${no}"}}\n`;
}
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) {
  const text = rest + chunk;
  let start = 0;
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
    lineNo++;
    if (nl > start) line(text.slice(start, nl), lineNo);
    start = nl + 1;
    if (out.length >= 65536) await flush();
  }
  rest = text.slice(start);
}
if (rest) line(rest, lineNo + 1);
await flush();
