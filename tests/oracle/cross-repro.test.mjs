// The cross stages' models against answers recorded from real foreign-architecture kernels: every
// reproducer in tests/kernel/cross/repro (the facts the guest reported and a few requests, with the
// lines an arm64 or s390x kernel built by the cross stage answered) must be predicted request by
// request: ret, errno, reply and guard bytes, and every reply must round-trip through the codec.
// A reproducer marked "differs-from: K" pins a kernel-specific behaviour: checked as kernel K, some
// answer must not match.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { platformStage } from "../kernel/cross/platform.mjs";
import { checkCrossRepro, parseCrossRepro } from "../kernel/cross/repro.mjs";
import { zpciStage } from "../kernel/cross/zpci.mjs";

const STAGES = { platform: platformStage, zpci: zpciStage };
const dir = fileURLToPath(new URL("../kernel/cross/repro/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".txt"))
  .sort();

test("there are cross reproducers", () => assert.ok(files.length > 0));

for (const f of files) {
  const rep = parseCrossRepro(readFileSync(join(dir, f), "utf8"));
  const stage = STAGES[rep.stage];
  test(`${f}: ${rep.why}`, () => {
    assert.ok(stage, `unknown stage ${rep.stage}`);
    const { stats } = checkCrossRepro(stage, rep);
    assert.deepEqual(stats.mismatches, []);
    const count = (keep) => rep.devs.reduce((n, d) => n + d.items.filter(keep).length, 0);
    assert.equal(
      stats.requests,
      count((it) => it.ioctl !== "EFD_READ"),
    );
    // every reply went through the codec (decoded and re-encoded, or rejected like its request)
    assert.equal(
      stats.decoded + stats.rejected,
      count((it) => it.ioctl.startsWith("DEVICE_GET") || it.ioctl === "DEVICE_SET_IRQS"),
    );
    if (rep.differsFrom) {
      const other = checkCrossRepro(stage, rep, rep.differsFrom);
      assert.ok(other.stats.mismatches.length > 0, `as kernel ${rep.differsFrom}, every answer still matches`);
    }
  });
}
