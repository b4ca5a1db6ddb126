// The real uapi headers of newer Linux releases, for the gcc checks: Debian's linux-libc-dev from
// bookworm-backports (6.12), unstable (7.2) and experimental (7.3), downloaded with a private apt
// state (the host's apt configuration is never touched) and unpacked with dpkg -x into a cache:
//   VFIO_ABI_HEADERS_DIR (default tests/c/.headers, gitignored)/linux-libc-dev_<version>/usr/include
// The package is arch:all and carries every architecture's asm headers (<include>/<triplet>/asm),
// so one download serves x86_64, i386, s390x and ppc64. The 6.1 generation is the host's own
// linux-libc-dev (and its -cross packages). Versions rotate in Debian: the newest of each suite is
// resolved at run time, and a unit is named after the release it really is (7.3~rc7-1 -> "7.3").
// Set VFIO_ABI_APT_LOCK to a file to serialise apt with other users of the machine (flock).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { debianMirror } from "../kernel/harness.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE = process.env.VFIO_ABI_HEADERS_DIR ?? join(HERE, ".headers");

/** Suites that carry the newer headers. */
const SUITES = ["bookworm-backports", "sid", "experimental"];

function run(cmd, args, opts = {}) {
  const lock = process.env.VFIO_ABI_APT_LOCK;
  const [c, a] = lock && /^(apt-get|apt-cache|dpkg)/.test(cmd) ? ["flock", [lock, cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { encoding: "utf8", maxBuffer: 64 << 20, timeout: 600_000, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(-3).join(" ")} failed (${r.status}):\n${r.stderr}${r.stdout}`.slice(0, 4000));
  return r.stdout;
}

function aptOptions(dir, suite) {
  const A = join(dir, "apt", suite);
  for (const d of ["lists/partial", "archives/partial", "cache", "sources.list.d", "preferences.d", "debs"]) mkdirSync(join(A, d), { recursive: true });
  const m = debianMirror();
  const signed = m.signedBy && existsSync(m.signedBy) ? `[signed-by=${m.signedBy}] ` : "";
  writeFileSync(join(A, "sources.list"), `deb ${signed}${m.uri} ${suite} main\n`);
  if (!existsSync(join(A, "status"))) writeFileSync(join(A, "status"), "");
  const O = [
    "-o", `Dir::Etc::SourceList=${join(A, "sources.list")}`, "-o", `Dir::Etc::SourceParts=${join(A, "sources.list.d")}`,
    "-o", `Dir::Etc::PreferencesParts=${join(A, "preferences.d")}`, "-o", `Dir::State::Lists=${join(A, "lists")}`,
    "-o", `Dir::State::status=${join(A, "status")}`, "-o", `Dir::Cache=${join(A, "cache")}`,
    "-o", `Dir::Cache::Archives=${join(A, "archives")}`, "-o", "Acquire::Languages=none", "-o", "Acquire::Retries=3",
  ];
  if (process.getuid?.() === 0) O.push("-o", "APT::Sandbox::User=root");
  return { A, O };
}

/** "7.3~rc7-1~exp1" -> "7.3" */
export const releaseOf = (debVersion) => /^(\d+\.\d+)/.exec(debVersion)[1];

function fetchSuite(suite) {
  const { A, O } = aptOptions(CACHE, suite);
  run("apt-get", [...O, "-q", "update"]);
  const policy = run("apt-cache", [...O, "policy", "linux-libc-dev"]);
  const version = /Candidate:\s*(\S+)/.exec(policy)?.[1];
  if (!version || version === "(none)") throw new Error(`no linux-libc-dev in ${suite}`);
  const dest = join(CACHE, `linux-libc-dev_${version}`);
  if (!existsSync(join(dest, "usr", "include", "linux", "vfio.h"))) {
    const debs = join(A, "debs");
    for (const f of readdirSync(debs)) rmSync(join(debs, f), { force: true });
    run("apt-get", [...O, "-q", "download", `linux-libc-dev=${version}`], { cwd: debs });
    const deb = readdirSync(debs).find((f) => f.endsWith(".deb"));
    run("dpkg", ["-x", join(debs, deb), dest]);
  }
  return { suite, version, release: releaseOf(version), include: join(dest, "usr", "include") };
}

let memo = null;

/**
 * The newer header generations, oldest first: [{suite, version, release, include}], one per
 * release (the newest package wins when two suites carry the same release). Cached across runs in
 * CACHE/generations.json; VFIO_ABI_HEADERS_REFRESH=1 resolves the suites again.
 */
export function headerGenerations() {
  if (memo) return memo;
  const index = join(CACHE, "generations.json");
  if (!process.env.VFIO_ABI_HEADERS_REFRESH && existsSync(index)) {
    const gens = JSON.parse(readFileSync(index, "utf8"));
    if (gens.every((g) => existsSync(join(g.include, "linux", "vfio.h")))) return (memo = gens);
  }
  mkdirSync(CACHE, { recursive: true });
  const byRelease = new Map();
  for (const suite of SUITES) {
    const g = fetchSuite(suite);
    byRelease.set(g.release, g);
  }
  const gens = [...byRelease.values()].sort((a, b) => {
    const [am, an] = a.release.split(".").map(Number), [bm, bn] = b.release.split(".").map(Number);
    return am - bm || an - bn;
  });
  writeFileSync(index, JSON.stringify(gens, null, 2) + "\n");
  return (memo = gens);
}

/** gcc's multiarch directory names (where the package keeps each arch's asm headers). */
export const TRIPLETS = { x86_64: "x86_64-linux-gnu", i386: "i386-linux-gnu", s390x: "s390x-linux-gnu", ppc64: "powerpc64-linux-gnu" };
