// Hostile input through the CLI: the audit's reproducers (a $.length of 10^9 that aborted node after
// 41 s at 6.2 GB, a u64 given as 2^64 + 3 that was written as 3) end in a typed error and a non-zero
// exit, never a signal; `fuzz --out` never writes through a symbolic link planted in its directory
// and never overwrites a file unless --force.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Tally } from "./helpers.mjs";

const bin = fileURLToPath(new URL("../../bin/vfio-abi.js", import.meta.url));
// a heap cap: a CLI that tried to build a 1 GB buffer would die of it (a signal), not answer
const cli = (args, input) =>
  spawnSync(process.execPath, ["--max-old-space-size=256", bin, ...args], {
    input,
    encoding: "utf8",
    timeout: 120_000,
  });
const tally = new Tally();

test("encode: huge lengths and offsets, out-of-range and wrong-type values are typed errors with a non-zero exit", () => {
  const cases = [
    ["irq_info", '{"argsz":16,"$":{"length":1000000000}}', /E_TOO_LARGE|maxInput/],
    ["irq_info", '{"argsz":16,"$":{"length":-1}}', /\$\.length/],
    ["irq_info", '{"argsz":16,"$":{"tail":"00","tailOffset":1099511627776}}', /E_TOO_LARGE|tailOffset/],
    ["region_info", '{"size":"18446744073709551619"}', /size/],
    ["region_info", '{"size":"18446744073709551616"}', /size/],
    ["region_info", '{"size":"-1"}', /size/],
    ["region_info", '{"flags":-1}', /flags/],
    ["region_info", '{"flags":4294967296}', /flags/],
    ["region_info", '{"size":"junk"}', /size/],
    ["region_info", '{"caps":[{"offset":4,"header":{"id":2,"version":1},"type":1,"subtype":1}]}', /caps\[0\]\.offset/],
    ["irq_set", '{"flags":36,"data":[4294967296]}', /data\[0\]/],
    ["irq_set", '{"flags":34,"data":[1,2,300]}', /data\[2\]/],
  ];
  for (const [struct, json, want] of cases) {
    const r = cli(["encode", struct, json]);
    assert.equal(r.signal, null, `${struct} ${json}: killed by ${r.signal}`);
    assert.notEqual(r.status, 0, `${struct} ${json}: exit ${r.status}, stdout ${r.stdout}`);
    assert.match(r.stderr, want, `${struct} ${json}`);
    assert.doesNotMatch(r.stderr, /RangeError|TypeError|SyntaxError|\n\s+at /, `${struct} ${json}: ${r.stderr}`);
  }
  // the same values in range are encoded
  const ok = cli(["encode", "region_info", '{"size":"18446744073709551615","flags":4294967295}']);
  assert.equal(ok.status, 0, ok.stderr);
  tally.add("CLI encode reproducers", cases.length + 1);
});

test("fuzz --out: a symbolic link in the directory is never written through; existing files need --force", () => {
  const dir = mkdtempSync(join(tmpdir(), "vfio-hostile-"));
  try {
    const out = join(dir, "out");
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    // the first case's files, as `fuzz --struct vfio_irq_set --seed 1` names them
    const first = join(out, "irq_set-1-000000");
    let r = cli(["fuzz", "--struct", "vfio_irq_set", "--count", "2", "--seed", "1", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(`${first}.bin`) && existsSync(`${first}.json`));
    // a rerun does not overwrite what is there
    r = cli(["fuzz", "--struct", "vfio_irq_set", "--count", "2", "--seed", "1", "--out", out]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /exists; pass --force/);
    // links planted where the next run writes: refused with and without --force
    rmSync(`${first}.bin`);
    symlinkSync(victim, `${first}.bin`);
    for (const force of [[], ["--force"]]) {
      r = cli(["fuzz", "--struct", "vfio_irq_set", "--count", "2", "--seed", "1", "--out", out, ...force]);
      assert.notEqual(r.status, 0, `--force ${force.length}: exit ${r.status}`);
      assert.equal(r.signal, null);
      assert.match(r.stderr, force.length ? /symbolic link/ : /exists|symbolic link/);
      assert.equal(readFileSync(victim, "utf8"), "precious\n", "the link's target is untouched");
      assert.ok(lstatSync(`${first}.bin`).isSymbolicLink());
    }
    // --force overwrites regular files
    rmSync(`${first}.bin`);
    r = cli(["fuzz", "--struct", "vfio_irq_set", "--count", "2", "--seed", "1", "--out", out, "--force"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(lstatSync(`${first}.bin`).isFile());
    tally.add("fuzz --out links and overwrites", 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("scripts that take a seed: --seed abc (or 1.5, -1, 2^32) is a usage error, not seed 0", () => {
  const scripts = [
    ["tests/kernel/run.mjs", "--kernel", "6.1"],
    ["tests/kernel/cross/run.mjs"],
    ["tests/vfio-user/run.mjs"],
    ["tests/hostile/long-run.mjs", "--calls", "1"],
  ];
  let calls = 0;
  for (const [script, ...rest] of scripts)
    for (const bad of ["abc", "1.5", "-1", "4294967296", ""]) {
      const path = fileURLToPath(new URL(`../../${script}`, import.meta.url));
      const r = spawnSync(process.execPath, [path, ...rest, "--seed", bad], { encoding: "utf8", timeout: 60_000 });
      assert.equal(r.status, 2, `${script} --seed ${JSON.stringify(bad)}: exit ${r.status} ${r.stderr}`);
      // parseArgs refuses a value that starts with a dash itself (write --seed=-1 to pass one)
      assert.match(r.stderr, /--seed wants a whole number|Option '--seed' argument is ambiguous/, script);
      calls++;
    }
  tally.add("script seeds", calls);
});

test("hostile CLI summary", () => {
  tally.report("CLI");
  assert.ok(tally.total > 0);
});
