// The uAPI model (bindings/oracle/model/uapi.ts) against answers real kernels gave: the transcripts
// tests/kernel/uapi.mjs --record wrote on Debian's 6.1, 6.12, 7.2 and 7.3 (tests/kernel/uapi-replies)
// are replayed through the model without QEMU. The plan is rebuilt by the same code, so request i of
// the plan is record i of the transcript; the requests the transcript echoes must be the plan's.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseTranscript } from "../kernel/lib/transcript.mjs";
import { check, memoryOf, plan } from "../kernel/uapi.mjs";

const { lookupIoctl } = await import("../../dist/bindings/ioctl.js");

const KERNELS = ["6.1", "6.12", "7.2", "7.3"];
const recorded = (k) => readFileSync(new URL(`../kernel/uapi-replies/${k}.txt`, import.meta.url), "utf8");

for (const kernel of KERNELS)
  test(`uAPI model = Linux ${kernel}: FEATURE, hot reset info and hot reset, group status, MAP/UNMAP_DMA (every recorded answer)`, (t) => {
    const text = recorded(kernel);
    const records = parseTranscript(text);
    assert.ok(records.done, "the recorded run finished");
    const r = check(kernel, plan(kernel, memoryOf(text)), records);
    t.diagnostic(`${kernel}: ${r.n} requests ${JSON.stringify(r.perIoctl)}`);
    assert.deepEqual(r.mismatches, []);
    assert.ok(r.n > 1000);
  });

test("the kernels differ where the model says they do (hot reset count 0 6.6, DMA_BUF 6.19, PRECOPY_INFOv2 7.1, type1 EOVERFLOW 7.2)", () => {
  const answers = (k) => {
    const recs = parseTranscript(recorded(k)).filter((r) => r.ret !== null && !["OPEN", "USE", "DUP"].includes(r.cmd));
    return recs.map((r) => ({ answer: `${r.ret}/${r.errnoName}` }));
  };
  const a = Object.fromEntries(KERNELS.map((k) => [k, answers(k)]));
  const differing = (x, y) => a[x].filter((v, i) => v.answer !== a[y][i].answer);
  const diff = (x, y) => differing(x, y).length;
  // 6.1 -> 6.12: only VFIO_DEVICE_PCI_HOT_RESET with count 0 on the devices without a slot or bus reset
  const hotResetNr = lookupIoctl("VFIO_DEVICE_PCI_HOT_RESET")[0].number;
  const old = differing("6.1", "6.12");
  assert.equal(old.length, 4, "one count-0 hot reset per reference device");
  for (const r of old) assert.equal(r.answer, "-1/ENODEV");
  const recs61 = parseTranscript(recorded("6.1")).filter(
    (r) => r.ret !== null && !["OPEN", "USE", "DUP"].includes(r.cmd),
  );
  for (const r of recs61.filter((_, i) => a["6.1"][i].answer !== a["6.12"][i].answer))
    assert.equal(r.extra.request, hotResetNr);
  assert.equal(diff("7.2", "7.3"), 0);
  assert.ok(diff("6.12", "7.2") > 20, `6.12 vs 7.2: ${diff("6.12", "7.2")} answers differ`);
});
