#!/usr/bin/env node
// The syzkaller stage: syzkaller's own compiler accepts `vfio-abi syzlang`, and syzkaller reads the
// corpus exported as programs.
//  1. `vfio-abi syzlang --out` writes the description and its .const file; a fuzz corpus of every
//     device-fd family is exported as seeds (--corpus).
//  2. ../shared/tools/syzlang-check/check.sh compiles the description with syzkaller's sys/linux for
//     all 9 linux arches (as syz-sysgen does), with constants it evaluates itself: gcc on each arch's
//     uapi headers. Our .const file must give the same value for every name on every arch (so the
//     compiler's answer holds for our file too). The text must be in syz-fmt's canonical form
//     (syzkaller's presubmit requires it).
//  3. seedcheck.go (built with the checker's Go and syzkaller source) deserializes every seed in strict
//     mode against a linux/amd64 target compiled from sys/linux plus the description.
// Exit 0: all of it holds. Exit 3: did not run (the checker, its syzkaller snapshot or a tool it needs is
// not there); it says why and how to enable it. Exit 1: a failure.
// The checker: VFIO_ABI_SYZLANG_CHECK (a directory holding check.sh), default ../shared/tools/syzlang-check
// beside the clone; it reads syzkaller's source from ../../peers/syzkaller-*-desc.tar.gz beside itself.
// Its work directory (about 500 MB, built once: Go from Debian through a private apt state, then syzkaller's
// compiler) is VFIO_ABI_SYZ_WORK, default tests/syzkaller/.work.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tool = resolve(process.env.VFIO_ABI_SYZLANG_CHECK || join(root, "..", "shared", "tools", "syzlang-check"));
const say = (s) => console.log(`syzkaller: ${s}`);
const ENABLE =
  "set VFIO_ABI_SYZLANG_CHECK to a syzlang-check directory (check.sh, setup.sh, genconst.sh) that has a syzkaller source snapshot at ../../peers/syzkaller-<commit>-desc.tar.gz";
const missing = whyNotRunnable();
if (missing) {
  say(`NOT RUN: ${missing}`);
  say(`  to enable it: ${ENABLE}`);
  process.exit(3);
}

/** Why the checker cannot run here, or null. */
function whyNotRunnable() {
  if (!existsSync(join(tool, "check.sh"))) return `syzkaller's compiler is not available (no check.sh in ${tool})`;
  const peers = join(tool, "..", "..", "peers");
  if (!existsSync(peers) || !readdirSync(peers).some((f) => /^syzkaller-.*-desc\.tar\.gz$/.test(f)))
    return `the syzkaller source snapshot is missing (no syzkaller-*-desc.tar.gz in ${peers})`;
  // the checker fetches Go through a private apt state and evaluates constants with gcc
  for (const cmd of ["apt-get", "dpkg", "gcc"])
    if (spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0)
      return `${cmd} is not installed (the checker fetches Go from Debian with apt-get and dpkg, and gcc evaluates the constants)`;
  if (!existsSync("/usr/share/keyrings/debian-archive-keyring.gpg"))
    return "debian-archive-keyring is not installed (the checker's private apt state verifies Debian's archive with it)";
  return null;
}
const work = resolve(process.env.VFIO_ABI_SYZ_WORK || join(root, "tests", "syzkaller", ".work"));
const tmp = mkdtempSync(join(tmpdir(), "vfio-syz-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const bin = join(root, "bin", "vfio-abi.js");
let failed = 0;
const fail = (s) => {
  failed++;
  say(`FAIL ${s}`);
};
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, ...opts });

// 1. the description, its constants, and a corpus as seeds
const out = join(tmp, "out");
const corpus = join(tmp, "corpus");
for (const struct of ["vfio_irq_set", "vfio_irq_info", "vfio_region_info", "vfio_device_info"]) {
  const r = sh(process.execPath, [bin, "fuzz", "--struct", struct, "--count", "150", "--seed", "11", "--out", corpus]);
  if (r.status !== 0) throw new Error(`fuzz --struct ${struct}: ${r.stderr}`);
}
const gen = sh(process.execPath, [bin, "syzlang", "--out", out, "--corpus", corpus]);
if (gen.status !== 0) throw new Error(`vfio-abi syzlang --out: ${gen.stderr}`);
say(gen.stderr.trim());

// 2. syzkaller's compiler, with its own constants (gcc on uapi headers), then with ours
const check = join(tmp, "check");
mkdirSync(check);
copyFileSync(join(out, "vfio_abi.txt"), join(check, "vfio_abi.txt"));
const t0 = Date.now();
const c = sh("bash", [join(tool, "check.sh"), work, join(check, "vfio_abi.txt")]);
const report = `${c.stdout}${c.stderr}`;
const oks = report.split("\n").filter((l) => /^ok linux\//.test(l));
if (c.status !== 0 || !/^PASS$/m.test(report)) fail(`syzkaller's compiler rejects the description:\n${report}`);
else say(`syzkaller's compiler accepts the description on ${oks.length} arches (${Date.now() - t0} ms)`);
if (/not in syz-fmt canonical form/.test(report)) fail("the description is not in syz-fmt's canonical form");
else if (c.status === 0) say("the description is in syz-fmt's canonical form");

/** A .const file as name -> arch -> value. */
function readConsts(text) {
  const lines = text.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
  const arches = lines
    .find((l) => l.startsWith("arches ="))
    .slice(8)
    .split(",")
    .map((a) => a.trim());
  const m = new Map();
  for (const l of lines) {
    if (l.startsWith("arches =")) continue;
    const [name, rest] = l.split("=").map((x) => x.trim());
    const [dflt, ...others] = rest.split(",").map((x) => x.trim());
    const per = new Map(arches.map((a) => [a, BigInt(dflt)]));
    for (const o of others) {
      const parts = o.split(":");
      const v = BigInt(parts.pop());
      for (const a of parts) per.set(a, v);
    }
    m.set(name, per);
  }
  return m;
}
if (c.status === 0) {
  const theirs = readConsts(readFileSync(join(check, "vfio_abi.txt.const"), "utf8"));
  const ours = readConsts(readFileSync(join(out, "vfio_abi.txt.const"), "utf8"));
  let compared = 0;
  for (const [name, per] of theirs) {
    const mine = ours.get(name);
    if (!mine) {
      fail(`.const: ${name} is used by the description but missing from ours`);
      continue;
    }
    for (const [arch, v] of per) {
      compared++;
      if (mine.get(arch) !== v)
        fail(`.const: ${name} on ${arch} is ${mine.get(arch)}, gcc on the uapi headers says ${v}`);
    }
  }
  say(
    `.const: ${theirs.size} names x ${compared / Math.max(1, theirs.size)} arches match gcc on each arch's uapi headers`,
  );
}

// 3. the seeds, read the way syzkaller reads programs
const seeds = readdirSync(join(out, "seeds")).map((f) => join(out, "seeds", f));
if (c.status === 0) {
  const seedcheck = buildSeedcheck();
  const r = sh(seedcheck, [
    "-base",
    join(work, "syzkaller", "sys", "linux"),
    "-consts",
    join(out, "vfio_abi.txt.const"),
    join(out, "vfio_abi.txt"),
    "--",
    ...seeds,
  ]);
  const bad = r.stdout.split("\n").filter((l) => l.startsWith("BAD"));
  if (r.status !== 0 || seeds.length === 0)
    fail(`syzkaller rejects ${bad.length} of ${seeds.length} seeds:\n${bad.slice(0, 10).join("\n")}\n${r.stderr}`);
  else say(`syzkaller reads all ${seeds.length} seeds (strict mode, linux/amd64)`);
}

/** seedcheck.go built with the checker's Go toolchain and syzkaller source, cached by its hash. */
function buildSeedcheck() {
  const src = readFileSync(join(root, "tests", "syzkaller", "seedcheck.go"));
  const hash = createHash("sha1").update(src).digest("hex").slice(0, 12);
  const exe = join(work, "bin", `vfio-abi-seedcheck-${hash}`);
  if (existsSync(exe)) return exe;
  const dir = join(work, "syzkaller", "tools", "vfio-abi-seedcheck");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(root, "tests", "syzkaller", "seedcheck.go"), join(dir, "main.go"));
  const goroot = join(work, "goroot", "usr", "lib", "go-1.26");
  const env = {
    ...process.env,
    GOROOT: goroot,
    PATH: `${join(goroot, "bin")}:${process.env.PATH}`,
    GOPATH: join(work, "gopath"),
    GOCACHE: join(work, "gocache"),
    GOMODCACHE: join(work, "gopath", "pkg", "mod"),
    GOFLAGS: "-mod=mod",
    GOPROXY: "off",
    GOTOOLCHAIN: "local",
    GOSUMDB: "off",
    GOTELEMETRY: "off",
  };
  const t = Date.now();
  const r = sh("go", ["build", `-modfile=${join(work, "check.mod")}`, "-o", exe, "./tools/vfio-abi-seedcheck"], {
    cwd: join(work, "syzkaller"),
    env,
  });
  if (r.status !== 0) throw new Error(`building seedcheck failed:\n${r.stdout}${r.stderr}`);
  say(`built the seed checker (${Date.now() - t} ms)`);
  return exe;
}

say(failed ? `${failed} failures` : "all checks hold");
process.exit(failed ? 1 : 0);
