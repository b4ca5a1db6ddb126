// The kernel build's budget: a command stopped at the deadline is killed with everything it started
// (a stopped make must not leave compilers running), and the stop is a BuildBudgetError, which the
// cross stage reports as SKIPPED, not as a failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BuildBudgetError, KernelUnavailableError, runUntil } from "./kbuild.mjs";

/** Whether a process still runs (a zombie waiting for its new parent to reap it does not). */
const running = (pid) => {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "latin1").replace(/^.*\) /, "")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
};

test("a command stopped by the build budget is killed with its children", async () => {
  const pidFile = join(tmpdir(), `kbuild-budget-${process.pid}`);
  // the grandchild stands for a compiler started by make
  const script = `sleep 300 & echo $! > ${pidFile}; wait`;
  const t0 = Date.now();
  await assert.rejects(runUntil(Date.now() + 1500, "test build", "bash", ["-c", script]), (e) => {
    assert.ok(e instanceof BuildBudgetError && e instanceof KernelUnavailableError, e.message);
    return true;
  });
  assert.ok(Date.now() - t0 < 60_000);
  const grandchild = Number(readFileSync(pidFile, "utf8"));
  rmSync(pidFile, { force: true });
  for (let i = 0; i < 50 && running(grandchild); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(running(grandchild), false, `pid ${grandchild} survived the stop`);
});

test("a spent budget stops before starting anything", async () => {
  await assert.rejects(runUntil(Date.now() - 1, "test build", "true", []), BuildBudgetError);
});

test("a command that fails inside the budget is an ordinary error", async () => {
  await assert.rejects(runUntil(Date.now() + 60_000, "test build", "false", []), (e) => {
    assert.ok(!(e instanceof KernelUnavailableError), e.message);
    return true;
  });
});
