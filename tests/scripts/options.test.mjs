// The command lines of the scripts, test runners and benches (node:util parseArgs, strict): a bad
// command line is a usage error - exit 2, a message naming the option, no stack trace - before any
// work starts (no kernel is fetched, no guest booted, nothing built). The command lines other
// scripts and people run (the offline campaign's, the one it gives each chunk) keep parsing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = (script, args) =>
  spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });

/** [script, arguments, what the message must say] */
const USAGE_ERRORS = [
  ["scripts/test.mjs", ["--bogus"], /Unknown option '--bogus'/],
  ["scripts/build.mjs", ["--if-missing=yes"], /'--if-missing' does not take an argument/],
  ["scripts/gen.mjs", ["--chek"], /Unknown option '--chek'/],
  ["scripts/function-lengths.mjs", ["--top", "0"], /--top wants a whole number from 1/],
  ["tests/kernel/run.mjs", ["--seed", "abc"], /--seed wants a whole number/],
  ["tests/kernel/run.mjs", ["--seeds", "9..3"], /--seeds wants A\.\.B/],
  ["tests/kernel/run.mjs", ["--kernel", "6.1,5.4"], /--kernel: unknown "5\.4"/],
  ["tests/kernel/run.mjs", ["--batch", "0"], /--batch wants a whole number from 1/],
  ["tests/kernel/run.mjs", ["stray.txt"], /unexpected argument stray\.txt/],
  ["tests/kernel/run.mjs", ["--replay"], /--replay wants reproducer files/],
  ["tests/kernel/run.mjs", ["--verbose=yes"], /'--verbose' does not take an argument/],
  ["tests/kernel/offline.mjs", ["--kernels", "7.2"], /--out DIR is required/],
  ["tests/kernel/offline.mjs", ["--out"], /'--out <value>' argument missing/],
  ["tests/kernel/offline.mjs", ["--out", "x", "--seeds", "1-20"], /--seeds wants A\.\.B/],
  ["tests/kernel/offline.mjs", ["--out", "x", "--random", "0"], /--random wants a whole number from 1/],
  ["tests/kernel/offline.mjs", ["--out", "x", "--stop-at", "soon"], /--stop-at wants an ISO time/],
  ["tests/kernel/offline.mjs", ["--out", "x", "--kernel", "7.2"], /Unknown option '--kernel'/],
  ["tests/kernel/uapi.mjs", ["--kernel", "2.6"], /--kernel: unknown "2\.6"/],
  ["tests/kernel/smoke.mjs", ["--kernels", "6.1"], /Unknown option '--kernels'/],
  ["tests/kernel/cdev.mjs", ["--record"], /'--record <value>' argument missing/],
  ["tests/kernel/cross/run.mjs", ["--stage", "pci"], /--stage: unknown "pci"/],
  ["tests/kernel/cross/run.mjs", ["--series", "6.1"], /--series: unknown "6\.1"/],
  ["tests/kernel/cross/run.mjs", ["--build-budget", "soon"], /--build-budget wants a number of minutes/],
  ["tests/kernel/cross/repro.mjs", ["--dump", "d", "--stage", "zpci", "--series", "7.2"], /--device is required/],
  ["tests/kernel/lib/kbuild.mjs", ["--arch", "mips"], /--arch: unknown "mips"/],
  ["tests/kernel/repro/cases.mjs", ["no-such-case"], /unknown "no-such-case"/],
  ["tests/vfio-user/run.mjs", ["--corpus", "many"], /--corpus wants a whole number/],
  ["tests/c/reference.mjs", ["uapi61", "lp64", "extra"], /unexpected argument extra/],
  ["tests/c/headers.mjs", ["--fetch", "now"], /Unexpected argument 'now'/],
  ["tests/hostile/long-run.mjs", ["--seed", "1"], /--calls is required/],
  ["tests/hostile/long-run.mjs", ["--calls", "1e3", "--state"], /'--state <value>' argument missing/],
  ["bench/run.mjs", ["--md", "--only=P5"], /--md needs the full run/],
  ["bench/fuzz.mjs", ["--fast"], /Unknown option '--fast'/],
];

for (const [script, args, message] of USAGE_ERRORS)
  test(`${script} ${args.join(" ")}: a usage error naming the option`, () => {
    const r = run(script, args);
    assert.equal(r.status, 2, `exit status (stderr: ${r.stderr})`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

test("--help prints the usage and exits 0", () => {
  for (const script of ["tests/kernel/run.mjs", "tests/kernel/offline.mjs", "scripts/gen.mjs"]) {
    const r = run(script, ["--help"]);
    assert.equal(r.status, 0, script);
    assert.match(r.stdout, new RegExp(`^usage: .*${script.replace(/[./]/g, "\\$&")}`), script);
  }
});

// Every option the offline campaign hands each chunk parses: the one bad value at the end (--jobs 0,
// checked after all the others) is the only complaint.
test("the kernel stage accepts the offline campaign's chunk command line", () => {
  const chunk = ["--kernel", "7.2", "--seeds", "3..3", "--random", "12500", "--batch", "50000"];
  const rest = ["--no-fixed", "--summary", "s.json.partial", "--repro-dir", "repro-7.2", "--jobs", "0"];
  const r = run("tests/kernel/run.mjs", [...chunk, ...rest]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^kernel stage: --jobs wants a whole number from 1 .* not "0"\n$/);
});

// The offline campaign command of issue 10, stopped before its first chunk: it only writes the totals.
test("the offline campaign's command line keeps working (stopped before the first chunk: totals only)", () => {
  const out = mkdtempSync(join(tmpdir(), "vfio-offline-"));
  try {
    const args = ["--out", out, "--kernels", "7.2,6.1", "--seeds", "1..20", "--random", "12500"];
    const empty = run("tests/kernel/offline.mjs", [...args, "--stop-at", "2000-01-01T00:00:00Z"]);
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stdout, /stopped at .*\n {2}7\.2: seeds -, requests 0, .*\n {2}6\.1: seeds -, requests 0/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
