// The device model against answers recorded from real kernels: every reproducer file in
// tests/kernel/repro (a request sequence replayed on Linux 6.1, 6.12, 7.2 or 7.3 under QEMU, with
// the kernel's reply lines recorded by `npm run test:kernel -- --replay FILE --record`) must be
// predicted item by item - ret, errno, reply and guard bytes, eventfd counters. Each file's "why"
// line names the kernel (or QEMU) behaviour it pins down; the same files are replayed on the real
// kernels by the kernel stage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { checkSegment, newStats } from "../kernel/check.mjs";
import { parseRepro, recordedTranscript } from "../kernel/repro.mjs";
import { parseTranscript } from "../kernel/lib/transcript.mjs";
import { decode, encode, toHex, DeviceModel, qemuDevice } from "../../dist/bindings/index.js";
import { kernelRules } from "../../dist/bindings/oracle/index.js";

const dir = fileURLToPath(new URL("../kernel/repro/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".txt"))
  .sort();
const api = { decode, encode, toHex, DeviceModel, kernelRules };

test("there are recorded reproducers for every known kernel", () => {
  for (const k of ["6.1", "6.12", "7.2", "7.3"])
    assert.ok(
      files.some((f) => f.endsWith(`@${k}.txt`)),
      k,
    );
});

for (const f of files) {
  const rep = parseRepro(readFileSync(join(dir, f), "utf8"));
  const why =
    rep.notes
      .find((n) => n.startsWith("why:"))
      ?.slice(4)
      .trim() ??
    rep.notes.find((n) => n.startsWith("mismatch:")) ??
    "";
  test(`${f}: ${why}`, () => {
    const segment = { device: qemuDevice(rep.deviceName, rep.kernel), env: rep.env, items: rep.items };
    const records = parseTranscript(recordedTranscript(rep));
    const bad = checkSegment(api, rep.kernel, segment, records, newStats());
    assert.deepEqual(
      bad.map((b) => `item ${b.itemIndex + 1}: ${b.kind}: ${b.detail}`),
      [],
    );
  });
}
