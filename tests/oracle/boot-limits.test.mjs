// The kernel harness's boot and run limits are budgets of QEMU CPU time: a guest that a loaded host
// starves keeps going (its wall time stretches), a guest that spins or waits forever is stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WALL_STRETCH, limitReached } from "../kernel/lib/qemu.mjs";

const LIMIT_MS = 60_000;

test("a starved guest is not stopped while its CPU time is within the budget", () => {
  assert.equal(limitReached(LIMIT_MS, 5 * LIMIT_MS, LIMIT_MS / 1000 / 4), false);
});

test("a guest that used up its CPU budget is stopped, whatever the wall clock says", () => {
  assert.equal(limitReached(LIMIT_MS, LIMIT_MS / 2, LIMIT_MS / 1000 + 1), true);
});

test("a guest that waits without using the CPU is stopped after the stretched wall time", () => {
  assert.equal(limitReached(LIMIT_MS, LIMIT_MS * WALL_STRETCH - 1, 1), false);
  assert.equal(limitReached(LIMIT_MS, LIMIT_MS * WALL_STRETCH + 1, 1), true);
});

test("without CPU accounting the wall clock decides at the limit", () => {
  assert.equal(limitReached(LIMIT_MS, LIMIT_MS - 1, null), false);
  assert.equal(limitReached(LIMIT_MS, LIMIT_MS + 1, null), true);
});
