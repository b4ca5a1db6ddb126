// Compile-time checks of the published types (run by tests/types/types.test.mjs with tsc --noEmit).
import {
  CapChainError,
  type Decoded,
  decode,
  decodeIrqSet,
  decodeRegionInfo,
  encodeIrqSet,
  inspect,
  type SpanNode,
  VfioAbiError,
  type VfioIrqSet,
  walkCaps,
} from "../../dist/bindings/index.js";

const bytes = new Uint8Array(20);
const s: Decoded<VfioIrqSet> = decodeIrqSet(bytes);
const argsz: number = s.argsz;
const data: number[] | undefined = s.data;
const names: string[] | undefined = s.$.flags.flags?.names;

const r = decodeRegionInfo(bytes);
const size: bigint = r.size; // 64-bit fields are bigint
// @ts-expect-error: a bigint is not a number
const wrong: number = r.size;

const g = decode("vfio_irq_info", bytes);
const count: number = g.count;
// @ts-expect-error: vfio_irq_info has no start field
g.start;

encodeIrqSet({ flags: 0x24, index: 2, count: 1, data: [5] });
// @ts-expect-error: data is a number array
encodeIrqSet({ flags: 0x24, data: "5" });

const spans: SpanNode[] = inspect("vfio_irq_set", bytes).nodes;
const caps = walkCaps("vfio_region_info", bytes);
const firstId: number | undefined = caps[0]?.id;

try {
  decode("vfio_region_info", bytes);
} catch (e) {
  if (e instanceof CapChainError) {
    const off: number = e.offset;
    const f: string | null = e.field;
    void off;
    void f;
  }
  if (e instanceof VfioAbiError) {
    const code: string = e.code;
    void code;
  }
}
void [argsz, data, names, size, wrong, count, spans, firstId];
