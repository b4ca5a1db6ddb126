// The real uapi headers of newer Linux releases, for the gcc checks: Debian's linux-libc-dev from
// bookworm-backports (6.12), unstable (7.2) and experimental (7.3), downloaded with a private apt
// state (the host's apt configuration is never touched) and unpacked with dpkg -x into a cache:
//   VFIO_ABI_HEADERS_DIR (default tests/c/.headers, gitignored)/linux-libc-dev_<version>/usr/include
// The package is arch:all and carries every architecture's asm headers (<include>/<triplet>/asm),
// so one download serves x86_64, i386, s390x and ppc64. The 6.1 generation is the host's own
// linux-libc-dev (and its -cross packages). Versions rotate in Debian: the newest of each suite is
// resolved at run time, and a unit is named after the release it really is (7.3~rc7-1 -> "7.3").
// Fetches are serialised with flock on CACHE/.fetch.lock, or on VFIO_ABI_APT_LOCK when set (a file
// shared with the machine's other apt users).
// The private apt state is the kernel harness's (tests/kernel/lib/apt.mjs).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE = process.env.VFIO_ABI_HEADERS_DIR ?? join(HERE, ".headers");
const INDEX = join(CACHE, "generations.json");

/** Suites that carry the newer headers. */
const SUITES = ["bookworm-backports", "sid", "experimental"];

/** "7.3~rc7-1~exp1" -> "7.3" */
export const releaseOf = (debVersion) => /^(\d+\.\d+)/.exec(debVersion)[1];
const relCmp = (a, b) => {
  const [am, an] = a.split(".").map(Number),
    [bm, bn] = b.split(".").map(Number);
  return am - bm || an - bn;
};

/** Resolve and unpack the newest linux-libc-dev of each suite (the kernel harness's private apt). */
async function fetchAll() {
  const { PrivateApt, debianSource, extractDeb } = await import("../kernel/lib/apt.mjs");
  const byRelease = new Map();
  for (const suite of SUITES) {
    const apt = new PrivateApt({
      dir: join(CACHE, "apt", suite),
      sources: [debianSource(suite)],
      log: (m) => process.stderr.write(`${m}\n`),
    });
    await apt.update();
    const pkg = await apt.newest("linux-libc-dev");
    if (!pkg) throw new Error(`no linux-libc-dev in ${suite}`);
    const dest = join(CACHE, `linux-libc-dev_${pkg.version}`);
    if (!existsSync(join(dest, "usr", "include", "linux", "vfio.h"))) {
      const [deb] = await apt.download([`linux-libc-dev=${pkg.version}`], join(CACHE, "apt", suite, "debs"));
      await extractDeb(deb, dest);
    }
    byRelease.set(releaseOf(pkg.version), {
      suite,
      version: pkg.version,
      release: releaseOf(pkg.version),
      include: join(dest, "usr", "include"),
    });
  }
  const gens = [...byRelease.values()].sort((x, y) => relCmp(x.release, y.release));
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(INDEX, `${JSON.stringify(gens, null, 2)}\n`);
}

let memo = null;

/** The cache holds every generation its index names. */
const fresh = () =>
  existsSync(INDEX) &&
  JSON.parse(readFileSync(INDEX, "utf8")).every((g) => existsSync(join(g.include, "linux", "vfio.h")));

/**
 * The newer header generations, oldest first: [{suite, version, release, include}], one per
 * release (the newest package wins when two suites carry the same release). Cached across runs in
 * CACHE/generations.json; VFIO_ABI_HEADERS_REFRESH=1 resolves the suites again. The download runs
 * in a child process so that callers (the gcc reference, memoised and synchronous) stay synchronous.
 */
export function headerGenerations() {
  if (memo) return memo;
  if (process.env.VFIO_ABI_HEADERS_REFRESH || !fresh()) {
    // Test files run in parallel and share the cache: the fetch runs under a lock (the machine's
    // apt lock when given), and a process that waited finds the headers fetched and skips it.
    mkdirSync(CACHE, { recursive: true });
    const lock = process.env.VFIO_ABI_APT_LOCK ?? join(CACHE, ".fetch.lock");
    const r = spawnSync("flock", [lock, process.execPath, fileURLToPath(import.meta.url), "--fetch"], {
      stdio: ["ignore", "inherit", "inherit"],
      timeout: 1_800_000,
    });
    if (r.status !== 0)
      throw new Error(
        `downloading Debian's linux-libc-dev (6.12 / unstable / experimental) failed (status ${r.status}); see the output above`,
      );
  }
  return (memo = JSON.parse(readFileSync(INDEX, "utf8")));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { parseOptions } = await import("../../scripts/lib/options.mjs");
  const { values } = parseOptions("c headers", {
    usage: "node tests/c/headers.mjs --fetch",
    options: { fetch: { type: "boolean" } },
  });
  if (values.fetch && (process.env.VFIO_ABI_HEADERS_REFRESH || !fresh())) await fetchAll();
}

/** gcc's multiarch directory names (where the package keeps each arch's asm headers). */
export const TRIPLETS = {
  x86_64: "x86_64-linux-gnu",
  i386: "i386-linux-gnu",
  s390x: "s390x-linux-gnu",
  ppc64: "powerpc64-linux-gnu",
};
