// Minimal guest kernels built from Debian's kernel sources, for the drivers Debian does not build:
// vfio-platform/amba and no-IOMMU mode on arm64, vfio-pci with the zPCI capabilities on s390x.
//
// The source comes from the `linux-source-<series>` package of a suite (6.12 from bookworm-backports,
// 7.2 from unstable), downloaded with a private apt state and unpacked without the parts a cross
// build never reads (other architectures' code, most of Documentation and tools, the C files of
// large driver trees we never enable; their Kconfig files stay, Kconfig reads them all). The
// configuration is `make tinyconfig` plus a fragment from the repository; every option the fragment
// asks for must survive `olddefconfig`, or the build fails naming the options that did not.
//
// Products (the kernel image, its .config, the kernel's own dtc) are cached under
// <cache>/custom/products/<arch>-<source version>-<key>, where the key hashes the fragment, the
// recipe and the cross compiler; a later run with the same source and configuration skips the build.
//
//   const k = await customKernel({ arch: 'arm64', series: '6.12', cacheDir, log });
//   // k.image, k.config, k.dtc (arm64), k.release (uname -r), k.sourceVersion, k.buildMs, k.cached
//
// With a `deadline` (epoch ms) a build that would end after it is stopped (make and every compiler
// it started) and a BuildBudgetError thrown; the half-built tree stays, and the next run resumes
// it. A source or package that cannot be fetched (mirror unreachable, download failed or slower
// than the budget) is a SourceUnavailableError. Both are KernelUnavailableErrors: the caller skips
// what needs the kernel, loudly, instead of failing; a build that breaks is an ordinary error.
//
//   node tests/kernel/lib/kbuild.mjs [--arch arm64|s390x]... [--series 6.12|7.2]...   (build, print timings)
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PrivateApt, debianSource, debVersionCompare } from "./apt.mjs";
import { exists, readJson, run, sha256, withLock, writeAtomic } from "./util.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FRAGMENT_DIR = path.join(HERE, "..", "cross");
/** A kernel that is not available for a reason outside the repository: the stage is skipped, not failed. */
export class KernelUnavailableError extends Error {}
/** A kernel that could not be built (or waited for) before the caller's deadline. */
export class BuildBudgetError extends KernelUnavailableError {}
/** A source or package that could not be fetched (mirror unreachable, download failed). */
export class SourceUnavailableError extends KernelUnavailableError {}

/** Milliseconds left before `deadline`; throws BuildBudgetError when none are. */
function timeLeft(deadline, what) {
  const left = deadline - Date.now();
  if (left <= 0) throw new BuildBudgetError(`${what}: the build budget is spent`);
  return left;
}

/** Process groups of the commands runGroup started that are still running (killed when we exit). */
const liveGroups = new Set();
process.once("exit", () => {
  for (const pid of liveGroups) killGroup(pid);
});
function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* gone */
  }
}

/**
 * A command in a process group of its own, killed as a whole at its timeout (make's children,
 * the compilers, every stage of a shell pipeline), so a stopped build leaves nothing running.
 * Resolves { stdout }, rejects like run() with the tail of stderr.
 */
function runGroup(cmd, args, { timeoutMs, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    liveGroups.add(child.pid);
    let stdout = "",
      stderr = "",
      killed = false;
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => {
      killed = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      liveGroups.delete(child.pid);
      reject(new Error(`${cmd}: ${e.code === "ENOENT" ? "command not found" : e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      killGroup(child.pid); // anything the command left behind in its group
      liveGroups.delete(child.pid);
      if (code === 0) return resolve({ stdout, stderr });
      const why = killed ? `timed out after ${timeoutMs} ms` : signal ? `killed by ${signal}` : `exit ${code}`;
      reject(new Error(`${cmd} ${args.join(" ")}: ${why}\n${stderr}`));
    });
  });
}

/** runGroup() bounded by the deadline: a timeout caused by the deadline becomes a BuildBudgetError. */
export async function runUntil(deadline, what, cmd, args, opts = {}) {
  const limit = opts.timeoutMs ?? 600_000;
  const left = timeLeft(deadline, what);
  try {
    return await runGroup(cmd, args, { ...opts, timeoutMs: Math.min(limit, left) });
  } catch (e) {
    if (left < limit && Date.now() >= deadline - 1000)
      throw new BuildBudgetError(`${what}: stopped at the end of the build budget (resumed by the next run)`);
    throw e;
  }
}

/** Bumped when the recipe below changes what a build produces. */
const RECIPE = "tinyconfig+fragment/1";

/** Kernel series -> the Debian suite and source package it is built from. */
export const SOURCES = {
  6.12: { suite: "bookworm-backports", package: "linux-source-6.12" },
  7.2: { suite: "sid", package: "linux-source-7.2" },
};
export const SERIES = Object.keys(SOURCES);

/** Guest architectures: kernel ARCH, cross compiler prefix, make target and the image it leaves. */
export const ARCHES = {
  arm64: {
    karch: "arm64",
    cross: "aarch64-linux-gnu-",
    target: "Image",
    image: "arch/arm64/boot/Image",
    dtc: true,
    fragment: "arm64.config",
  },
  s390x: {
    karch: "s390",
    cross: "s390x-linux-gnu-",
    target: "bzImage",
    image: "arch/s390/boot/bzImage",
    dtc: false,
    fragment: "s390x.config",
  },
};

const OTHER_ARCHES = [
  "alpha",
  "arc",
  "arm",
  "csky",
  "hexagon",
  "loongarch",
  "m68k",
  "microblaze",
  "mips",
  "nios2",
  "openrisc",
  "parisc",
  "powerpc",
  "riscv",
  "sh",
  "sparc",
  "um",
  "x86",
  "xtensa",
];
const UNUSED_TOOLS = [
  "perf",
  "testing",
  "power",
  "bpf",
  "net",
  "sched_ext",
  "tracing",
  "memory-model",
  "verification",
  "mm",
];
const UNUSED_DRIVER_CODE = [
  "drivers/gpu",
  "drivers/net",
  "drivers/media",
  "sound",
  "drivers/infiniband",
  "drivers/staging",
  "drivers/scsi",
];

/** tar --exclude patterns for the unpacked tree (top directory `top`). */
function excludes(top) {
  return [
    ...OTHER_ARCHES.flatMap((a) => [`${top}/arch/${a}/*.[chS]`, `${top}/arch/${a}/*.dts*`]),
    `${top}/arch/arm64/boot/dts`,
    ...UNUSED_TOOLS.map((t) => `${top}/tools/${t}`),
    ...UNUSED_DRIVER_CODE.map((d) => `${top}/${d}/*.[ch]`),
    `${top}/Documentation/[!K]*`, // keeps Documentation/Kconfig
  ].map((p) => `--exclude=${p}`);
}

/** The fragment's options: [{ name, value }] for `CONFIG_X=v` and `# CONFIG_X is not set` lines. */
export function parseFragment(text) {
  const out = [];
  for (const line of text.split("\n")) {
    let m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) {
      out.push({ name: m[1], value: m[2] });
      continue;
    }
    m = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line.trim());
    if (m) out.push({ name: m[1], value: "n" });
  }
  return out;
}

/** Options of the fragment that the final .config does not have as asked. */
export function missingOptions(fragmentText, configText) {
  const have = new Map();
  for (const { name, value } of parseFragment(configText)) have.set(name, value);
  return parseFragment(fragmentText)
    .filter(({ name, value }) => (have.get(name) ?? "n") !== value)
    .map(({ name, value }) => `${name}=${value} (got ${have.get(name) ?? "n"})`);
}

async function toolVersion(cmd) {
  try {
    return (await run(cmd, ["--version"], { timeoutMs: 30_000 })).stdout.split("\n")[0];
  } catch {
    return null;
  }
}

/** Fails loudly when a build tool is missing (scripts/install-system.sh installs them all). */
async function checkTools(arch) {
  const a = ARCHES[arch];
  const missing = [];
  for (const [cmd, pkg] of [
    [`${a.cross}gcc`, arch === "arm64" ? "gcc-aarch64-linux-gnu" : "gcc-s390x-linux-gnu"],
    ["make", "make"],
    ["bison", "bison"],
    ["flex", "flex"],
    ["bc", "bc"],
    ["xz", "xz-utils"],
    ["dpkg-deb", "dpkg"],
  ]) {
    if (!(await toolVersion(cmd))) missing.push(`${cmd} (${pkg})`);
  }
  if (missing.length)
    throw new Error(`kernel build: missing tools: ${missing.join(", ")} - run scripts/install-system.sh as root`);
}

/** The configuration key: fragment, recipe and cross compiler. */
async function configKey(arch) {
  const a = ARCHES[arch];
  const fragment = await fsp.readFile(path.join(FRAGMENT_DIR, a.fragment), "utf8");
  const cc = await toolVersion(`${a.cross}gcc`);
  return { fragment, key: sha256(`${RECIPE}\0${arch}\0${a.target}\0${cc}\0${fragment}`).slice(0, 16) };
}

/** Newest linux-source-<series> of its suite: { version, apt }. */
async function resolveSource(cacheDir, series, log) {
  const src = SOURCES[series];
  const apt = new PrivateApt({
    dir: path.join(cacheDir, "apt", `src-${src.suite}`),
    sources: [debianSource(src.suite)],
    log,
  });
  try {
    await apt.update();
  } catch (e) {
    throw new SourceUnavailableError(e.message);
  }
  const s = await apt.newest(src.package);
  // sid drops a series when the next one enters: skipped loudly until SOURCES names the new one
  if (!s)
    throw new SourceUnavailableError(
      `${src.package} is no longer in ${src.suite}: SOURCES in tests/kernel/lib/kbuild.mjs must name a series it has`,
    );
  return { version: s.version, apt };
}

/** apt download bounded by the deadline: stopped by it, a BuildBudgetError; failed, a SourceUnavailableError. */
async function downloadUntil(deadline, apt, pkg, dir) {
  const limit = 1_800_000;
  const left = timeLeft(deadline, `downloading ${pkg}`);
  try {
    return await apt.download([pkg], dir, { timeoutMs: Math.min(limit, left) });
  } catch (e) {
    if (left < limit && Date.now() >= deadline - 1000)
      throw new BuildBudgetError(`downloading ${pkg}: stopped at the end of the build budget`);
    throw new SourceUnavailableError(`downloading ${pkg}: ${e.message}`);
  }
}

/** Download and unpack linux-source-<series> <version> (once); returns the tree's path. */
async function unpackSource(cacheDir, series, version, apt, log, deadline = Infinity) {
  const src = SOURCES[series];
  const dir = path.join(cacheDir, "custom", "src", `${src.package}_${version.replace(/[^\w.+~-]/g, "_")}`);
  const top = src.package;
  const tree = path.join(dir, top);
  const stamp = path.join(dir, ".unpacked");
  return withLongLock(
    path.join(cacheDir, "custom"),
    `src-${series}`,
    async () => {
      if (exists(stamp)) return tree;
      const t0 = Date.now();
      await fsp.rm(dir, { recursive: true, force: true });
      await fsp.mkdir(dir, { recursive: true });
      const debDir = path.join(dir, "deb");
      const [deb] = await downloadUntil(deadline, apt, `${src.package}=${version}`, debDir);
      log(`kernel build: unpacking ${src.package} ${version}`);
      const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
      const pipeline =
        `set -o pipefail; dpkg-deb --fsys-tarfile ${q(deb)} | tar -xO ./usr/src/${top}.tar.xz | xz -dc -T0 | ` +
        `tar -x -C ${q(dir)} --wildcards ${excludes(top).map(q).join(" ")}`;
      await runUntil(deadline, `unpacking ${src.package}`, "bash", ["-c", pipeline], { timeoutMs: 1_800_000 });
      await fsp.rm(debDir, { recursive: true, force: true });
      if (!exists(path.join(tree, "Makefile")))
        throw new Error(`kernel build: ${src.package} ${version} holds no ${top}/Makefile`);
      await fsp.writeFile(stamp, `${Date.now() - t0}\n`);
      log(`kernel build: ${src.package} ${version} unpacked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return tree;
    },
    deadline,
  );
}

/**
 * tinyconfig + fragment + olddefconfig in buildDir, then the image (and dtc on arm64). A build dir
 * left by an interrupted build of the same configuration is reused: make picks up where it stopped.
 */
async function build({ tree, buildDir, arch, fragment, jobs, log, deadline = Infinity }) {
  const a = ARCHES[arch];
  // no practical limit: a cold build on a busy 2-core machine has taken more than an hour
  const make = (targets, timeoutMs = 6 * 3600_000) =>
    runUntil(
      deadline,
      `kernel build (${arch})`,
      "make",
      ["-s", `-j${jobs}`, "-C", tree, `O=${buildDir}`, `ARCH=${a.karch}`, `CROSS_COMPILE=${a.cross}`, ...targets],
      { timeoutMs },
    );
  const fragFile = path.join(buildDir, "vfio-abi.config");
  const configured =
    (await fsp.readFile(fragFile, "utf8").catch(() => null)) === fragment && exists(path.join(buildDir, ".config"));
  if (configured) log(`kernel build: resuming the interrupted build in ${path.basename(buildDir)}`);
  else {
    await fsp.rm(buildDir, { recursive: true, force: true });
    await fsp.mkdir(buildDir, { recursive: true });
    await make(["tinyconfig"]);
    await run(
      path.join(tree, "scripts/kconfig/merge_config.sh"),
      ["-m", "-O", buildDir, path.join(buildDir, ".config"), path.join(FRAGMENT_DIR, a.fragment)],
      { cwd: tree, timeoutMs: 300_000 },
    );
    await make(["olddefconfig"]);
  }
  const config = await fsp.readFile(path.join(buildDir, ".config"), "utf8");
  const missing = missingOptions(fragment, config);
  if (missing.length) {
    await fsp.rm(buildDir, { recursive: true, force: true });
    throw new Error(
      `kernel build (${arch}): options of ${a.fragment} lost by olddefconfig (a dependency is off): ${missing.join(", ")}`,
    );
  }
  // the fragment is written last: its presence says the configuration is complete
  await fsp.writeFile(fragFile, fragment);
  log(`kernel build: make ${a.target} (${arch}, -j${jobs})`);
  const cpuMs = await makeCpuMs(() => make([a.target, ...(a.dtc ? ["scripts_dtc"] : [])]));
  const release = (await make(["kernelrelease"])).stdout.trim();
  return { config, release, cpuMs };
}

/**
 * CPU time (user + system, ms) of the child processes reaped while `fn` ran (make and, through it,
 * the compilers): the build's cost without the machine's load. cutime/cstime of /proc/self/stat.
 */
async function makeCpuMs(fn) {
  const USER_HZ = 100;
  const children = () => {
    const fields = fs
      .readFileSync("/proc/self/stat", "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / USER_HZ;
  };
  const before = children();
  await fn();
  return Math.round(children() - before);
}

/**
 * withLock for work that can outlast its staleness limit (15 minutes): the lock's mtime is renewed
 * every minute while `fn` runs, and a waiter waits as long as a cold build under load can take.
 */
function withLongLock(dir, name, fn, deadline = Infinity) {
  return withLock(
    dir,
    name,
    async () => {
      const lock = path.join(dir, `.lock-${name}`);
      const beat = setInterval(() => {
        const now = new Date();
        fs.utimes(lock, now, now, () => {});
      }, 60_000);
      try {
        return await fn();
      } finally {
        clearInterval(beat);
      }
    },
    Math.min(4 * 3600_000, timeLeft(deadline, `waiting for ${name}`)),
  ).catch((e) => {
    if (Date.now() >= deadline && /timed out waiting for lock/.test(e.message))
      throw new BuildBudgetError(`waiting for ${name}: another run holds it past the build budget`);
    throw e;
  });
}

const productsOf = (cacheDir) => path.join(cacheDir, "custom", "products");

function absolute(cacheDir, info) {
  const p = (f) => (f ? path.join(productsOf(cacheDir), info.dir, f) : undefined);
  return { ...info, image: p(info.image), config: p("config"), dtc: p(info.dtc), cached: true };
}

/** The newest finished product for (arch, series, key), for runs that cannot reach the mirror. */
async function newestProduct(cacheDir, arch, series, key) {
  const all = [];
  for (const d of await fsp.readdir(productsOf(cacheDir)).catch(() => [])) {
    const info = await readJson(path.join(productsOf(cacheDir), d, "info.json"));
    if (info?.arch === arch && info.series === series && info.key === key) all.push(info);
  }
  return all.sort((x, y) => debVersionCompare(x.sourceVersion, y.sourceVersion)).at(-1) ?? null;
}

/**
 * The kernel for (arch, series), built when no cached build of the newest source with this
 * configuration exists.
 * @param {{arch: 'arm64'|'s390x', series: '6.12'|'7.2', cacheDir: string, jobs?: number, deadline?: number, log?: (m: string) => void}} o
 */
export async function customKernel({
  arch,
  series,
  cacheDir,
  jobs = availableParallelism(),
  deadline = Infinity,
  log = () => {},
}) {
  if (!ARCHES[arch]) throw new Error(`kernel build: unknown arch "${arch}" (want ${Object.keys(ARCHES).join(", ")})`);
  if (!SOURCES[series]) throw new Error(`kernel build: unknown series "${series}" (want ${SERIES.join(", ")})`);
  await checkTools(arch);
  const { fragment, key } = await configKey(arch);
  let version, apt;
  try {
    ({ version, apt } = await resolveSource(cacheDir, series, log));
  } catch (e) {
    const last = await newestProduct(cacheDir, arch, series, key);
    if (!last) throw e;
    log(
      `kernel build: cannot resolve ${SOURCES[series].package} (${e.message.split("\n")[0]}); using the cached build of ${last.sourceVersion}`,
    );
    return absolute(cacheDir, last);
  }
  const dirName = `${arch}-${version.replace(/[^\w.+~-]/g, "_")}-${key}`;
  const out = path.join(productsOf(cacheDir), dirName);
  const cached = await readJson(path.join(out, "info.json"));
  if (cached) return absolute(cacheDir, cached);
  return withLongLock(
    path.join(cacheDir, "custom"),
    `build-${arch}-${series}`,
    async () => {
      const again = await readJson(path.join(out, "info.json"));
      if (again) return absolute(cacheDir, again);
      const t0 = Date.now();
      const tree = await unpackSource(cacheDir, series, version, apt, log, deadline);
      const tBuild = Date.now();
      const buildDir = path.join(cacheDir, "custom", "build", dirName);
      const { config, release, cpuMs } = await build({ tree, buildDir, arch, fragment, jobs, log, deadline });
      await fsp.mkdir(out, { recursive: true });
      const a = ARCHES[arch];
      const image = path.basename(a.image);
      await fsp.copyFile(path.join(buildDir, a.image), path.join(out, image));
      await fsp.writeFile(path.join(out, "config"), config);
      if (a.dtc) await fsp.copyFile(path.join(buildDir, "scripts/dtc/dtc"), path.join(out, "dtc"));
      const info = {
        dir: dirName,
        arch,
        series,
        key,
        release,
        sourcePackage: SOURCES[series].package,
        sourceVersion: version,
        suite: SOURCES[series].suite,
        image,
        dtc: a.dtc ? "dtc" : undefined,
        imageBytes: (await fsp.stat(path.join(out, image))).size,
        buildMs: Date.now() - tBuild,
        makeCpuMs: cpuMs,
        totalMs: Date.now() - t0,
        jobs,
        builtAt: new Date().toISOString(),
      };
      await writeAtomic(path.join(out, "info.json"), `${JSON.stringify(info, null, 2)}\n`);
      // the object tree is only needed to rebuild this same configuration
      await fsp.rm(buildDir, { recursive: true, force: true });
      log(
        `kernel build: ${arch} ${release} (${SOURCES[series].package} ${version}) built in ${(info.buildMs / 1000).toFixed(0)} s`,
      );
      return { ...absolute(cacheDir, info), cached: false };
    },
    deadline,
  );
}

// ---- command line: build (or find) kernels and print the timings
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { kernelCacheDir } = await import("./kernels.mjs");
  const { listArg, parseOptions } = await import("../../../scripts/lib/options.mjs");
  const many = { type: "string", multiple: true, default: [] };
  const { values: args } = parseOptions("kernel build", {
    usage: "node tests/kernel/lib/kbuild.mjs [--arch arm64|s390x]... [--series 6.12|7.2]...",
    options: { arch: many, series: many },
  });
  const pick = (name, allowed) =>
    args[name].length ? listArg("kernel build", `--${name}`, args[name].join(","), allowed) : allowed;
  const arches = pick("arch", Object.keys(ARCHES));
  const series = pick("series", SERIES);
  const cacheDir = kernelCacheDir(path.join(HERE, "..", ".work", "cache"));
  for (const s of series) {
    for (const a of arches) {
      const t0 = Date.now();
      const k = await customKernel({ arch: a, series: s, cacheDir, log: (m) => console.log(`  ${m}`) });
      console.log(
        `${a} ${s}: ${k.release} from ${k.sourcePackage} ${k.sourceVersion}, ${k.cached ? "cached" : "built"} in ${Date.now() - t0} ms` +
          ` (image ${k.imageBytes} bytes${k.cached ? "" : `, make ${k.buildMs} ms wall, ${k.makeCpuMs} ms CPU`}) -> ${k.image}`,
      );
    }
  }
}
