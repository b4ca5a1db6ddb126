// Real-Linux-kernel replay harness for vfio-abi (Node >= 20, no dependencies).
//
// Boots stock Debian kernels (6.1 cloud from the host's installed package, 6.12 cloud from
// bookworm-backports) in QEMU/TCG with an emulated IOMMU, binds four emulated PCI devices to
// vfio-pci, replays a request script with the static `vfio-replay` program and returns the
// reply transcript. Recipe: docs/kernel-harness.md; observed replies: docs/vfio-abi.md §8.
//
//   import { prepareKernels, runScript, parseTranscript } from './harness.mjs';
//   await prepareKernels({ workDir });                       // once; cached in workDir
//   const r = await runScript({ kernel: '6.1', script: 'GET_API_VERSION\nQUIT\n' });
//   const records = parseTranscript(r.transcript);
//
// Host requirements (tests/kernel/install.sh): qemu-system-x86 (+ seabios, ipxe-qemu for the
// e1000e option ROM), busybox-static, gcc + libc6-dev, xz-utils, linux-image-cloud-amd64, and
// apt-get/dpkg-deb plus network access to a Debian mirror for the 6.12 kernel (first call only).

import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WORK_DIR = path.join(HERE, ".work");
const REPLAY_SRC = path.join(HERE, "vfio-replay.c");
const INIT_SRC = path.join(HERE, "init.sh");

export const KERNELS = ["6.1", "6.12"];
export const BDFS = ["0000:00:10.0", "0000:00:11.0", "0000:00:12.0", "0000:00:13.0"];
export const DEVICES = {
  edu: "0000:00:10.0",
  e1000e: "0000:00:11.0",
  virtioRng: "0000:00:12.0",
  xhci: "0000:00:13.0",
};
export const READY_RE = /^INFO vfio-replay ready\b/m;
const DONE_RE = /^DONE\r?$/m;
// Console patterns meaning the guest died before the replay program started.
const BOOT_CRASH_RE = /Kernel panic|double fault|Oops:|general protection fault|BUG: unable to handle/;

const QEMU = process.env.VFIO_QEMU || "qemu-system-x86_64";
const BUSYBOX_CANDIDATES = ["/bin/busybox", "/usr/bin/busybox"];
const BACKPORTS_SUITE = "bookworm-backports";
const MAIN_SUITE = "bookworm";
const META_PACKAGE = "linux-image-cloud-amd64";

// ---------------------------------------------------------------------------------------------
// small utilities

function run(cmd, args, opts = {}) {
  const { timeoutMs = 600_000, cwd, maxBuffer = 256 * 1024 * 1024, encoding = "utf8", env } = opts;
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd, timeout: timeoutMs, maxBuffer, encoding, env, killSignal: "SIGKILL" },
      (err, stdout, stderr) => {
        if (err) {
          const why = err.killed
            ? `timed out after ${timeoutMs} ms`
            : err.code === "ENOENT"
              ? "command not found"
              : `exit ${err.code}`;
          const e = new Error(`${cmd} ${args.join(" ")}: ${why}\n${String(stderr || "").slice(-4000)}`);
          e.stdout = stdout;
          e.stderr = stderr;
          e.code = err.code;
          reject(e);
        } else resolve({ stdout, stderr });
      },
    );
  });
}

const exists = (p) => fs.existsSync(p);
/** A tool from PATH or the sbin directories (often missing from an unprivileged user's PATH). */
function findTool(name) {
  for (const d of [...(process.env.PATH || "").split(":").filter(Boolean), "/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return name;
}
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function writeAtomic(file, data) {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

async function readJson(file) {
  try {
    return JSON.parse(await fsp.readFile(file, "utf8"));
  } catch {
    return null;
  }
}

/** Natural version compare ("6.1.0-9" < "6.1.0-56"). */
function versionCompare(a, b) {
  const pa = a.split(/(\d+)/),
    pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "",
      y = pb[i] ?? "";
    if (x === y) continue;
    const nx = /^\d+$/.test(x),
      ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Cross-process lock on workDir (mkdir is atomic); stale when its owner is gone or after 15 minutes. */
async function withLock(dir, name, fn, waitMs = 20 * 60_000) {
  const lock = path.join(dir, `.lock-${name}`);
  const t0 = Date.now();
  for (;;) {
    try {
      await fsp.mkdir(lock);
      await fsp.writeFile(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      try {
        const st = await fsp.stat(lock);
        const pid = Number(await fsp.readFile(path.join(lock, "pid"), "utf8").catch(() => "0"));
        let dead = false;
        if (pid > 0 && pid !== process.pid) {
          try {
            process.kill(pid, 0);
          } catch (k) {
            dead = k.code === "ESRCH";
          }
        }
        if (dead || Date.now() - st.mtimeMs > 15 * 60_000) {
          await fsp.rm(lock, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() - t0 > waitMs)
        throw new Error(`vfio harness: timed out waiting for lock ${lock} (remove it if no other run is active)`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// cpio (newc) writer, so building initramfs images needs no external cpio

function cpioEntry(name, mode, data = Buffer.alloc(0), ino = 0, rdev = [0, 0]) {
  const nameBuf = Buffer.from(`${name}\0`);
  const f = (n) => (n >>> 0).toString(16).padStart(8, "0");
  const nlink = (mode & 0o170000) === 0o040000 ? 2 : 1;
  const hdr =
    "070701" +
    f(ino) +
    f(mode) +
    f(0) +
    f(0) +
    f(nlink) +
    f(0) +
    f(data.length) +
    f(0) +
    f(0) +
    f(rdev[0]) +
    f(rdev[1]) +
    f(nameBuf.length) +
    f(0);
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const head = Buffer.concat([Buffer.from(hdr, "ascii"), nameBuf]);
  return Buffer.concat([head, pad(head.length), data, pad(data.length)]);
}

/** entries: [{ name, mode, data?, rdev? }] -> Buffer (cpio newc with trailer). */
export function buildCpio(entries) {
  const parts = entries.map((e, i) => cpioEntry(e.name, e.mode, e.data, i + 1, e.rdev));
  parts.push(cpioEntry("TRAILER!!!", 0, Buffer.alloc(0), 0));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// host apt configuration -> mirror URI

function parseDeb822(text) {
  const stanzas = [];
  for (const block of text.split(/\n\s*\n/)) {
    const s = {};
    let key = null;
    for (const line of block.split("\n")) {
      if (/^\s*#/.test(line) || !line.trim()) continue;
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) {
        key = m[1].toLowerCase();
        s[key] = m[2].trim();
      } else if (key && /^\s/.test(line)) s[key] += ` ${line.trim()}`;
    }
    if (Object.keys(s).length) stanzas.push(s);
  }
  return stanzas;
}

/**
 * Debian archive sources configured on the host: [{ uri, suites: [], signedBy? }].
 * Reads /etc/apt/sources.list.d/*.sources (deb822) and /etc/apt/sources.list + *.list.
 */
export function hostDebianSources(etc = "/etc/apt") {
  const out = [];
  const dir = path.join(etc, "sources.list.d");
  let files = [];
  try {
    files = fs.readdirSync(dir).map((f) => path.join(dir, f));
  } catch {
    /* none */
  }
  for (const f of files.filter((f) => f.endsWith(".sources"))) {
    let text;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const s of parseDeb822(text)) {
      if (!s.types?.split(/\s+/).includes("deb") || !s.uris) continue;
      if (s.enabled && s.enabled.toLowerCase() === "no") continue;
      const signedBy =
        s["signed-by"] && !s["signed-by"].includes("\n") && s["signed-by"].startsWith("/") ? s["signed-by"] : undefined;
      for (const uri of s.uris.split(/\s+/)) out.push({ uri, suites: (s.suites || "").split(/\s+/), signedBy });
    }
  }
  const listFiles = [path.join(etc, "sources.list"), ...files.filter((f) => f.endsWith(".list"))];
  for (const f of listFiles) {
    let text;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (!m) continue;
      const sb = /signed-by=(\S+)/.exec(m[1] || "");
      out.push({ uri: m[2], suites: [m[3]], signedBy: sb ? sb[1] : undefined });
    }
  }
  return out;
}

/** The mirror of the main Debian archive (not security), e.g. http://deb.debian.org/debian. */
export function debianMirror() {
  if (process.env.VFIO_DEBIAN_MIRROR) return { uri: process.env.VFIO_DEBIAN_MIRROR };
  const srcs = hostDebianSources().filter((s) => /^(https?|file):/.test(s.uri));
  const isMain = (s) => s.suites.some((x) => /^[a-z]+(-updates|-backports)?$/.test(x)) && !/security/.test(s.uri);
  const pick = srcs.find((s) => isMain(s) && /\/debian\/?$/.test(s.uri)) || srcs.find(isMain);
  if (!pick) {
    throw new Error(
      "vfio harness: no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources " +
        "(set VFIO_DEBIAN_MIRROR=http://<mirror>/debian to override)",
    );
  }
  return pick;
}

// ---------------------------------------------------------------------------------------------
// private apt state (never touches the host's apt configuration)

async function privateApt(workDir, suite) {
  const A = path.join(workDir, "apt", suite);
  for (const d of ["lists/partial", "archives/partial", "cache", "sources.list.d", "preferences.d", "debs"]) {
    await fsp.mkdir(path.join(A, d), { recursive: true });
  }
  const mirror = debianMirror();
  const opt = mirror.signedBy && exists(mirror.signedBy) ? `[signed-by=${mirror.signedBy}] ` : "";
  await fsp.writeFile(path.join(A, "sources.list"), `deb ${opt}${mirror.uri} ${suite} main\n`);
  if (!exists(path.join(A, "status"))) await fsp.writeFile(path.join(A, "status"), "");
  const O = [
    "-o",
    `Dir::Etc::SourceList=${path.join(A, "sources.list")}`,
    "-o",
    `Dir::Etc::SourceParts=${path.join(A, "sources.list.d")}`,
    "-o",
    `Dir::Etc::PreferencesParts=${path.join(A, "preferences.d")}`,
    "-o",
    `Dir::State::Lists=${path.join(A, "lists")}`,
    "-o",
    `Dir::State::status=${path.join(A, "status")}`,
    "-o",
    `Dir::Cache=${path.join(A, "cache")}`,
    "-o",
    `Dir::Cache::Archives=${path.join(A, "archives")}`,
    "-o",
    "Acquire::Languages=none",
    "-o",
    "Acquire::Retries=3",
    "-o",
    "APT::Get::List-Cleanup=true",
  ];
  if (process.getuid && process.getuid() === 0) O.push("-o", "APT::Sandbox::User=root");
  return { A, O, mirror };
}

/** apt-get update + resolve META_PACKAGE's kernel image dependency + download it. Returns the .deb path. */
async function downloadKernelDeb(workDir, suite, versionPrefix, log) {
  const { A, O, mirror } = await privateApt(workDir, suite);
  log(`apt: ${mirror.uri} ${suite} (private state in ${path.relative(process.cwd(), A) || "."})`);
  try {
    await run("apt-get", [...O, "-q", "update"], { timeoutMs: 300_000 });
  } catch (e) {
    throw new Error(`vfio harness: apt-get update for ${suite} failed (mirror ${mirror.uri}):\n${e.message}`);
  }
  let pkg = process.env[`VFIO_KERNEL_${versionPrefix.replace(".", "_")}_PACKAGE`];
  if (!pkg) {
    const { stdout } = await run("apt-cache", [...O, "show", META_PACKAGE], { timeoutMs: 120_000 }).catch((e) => {
      throw new Error(`vfio harness: ${META_PACKAGE} not found in ${suite}: ${e.message}`);
    });
    const cands = [];
    for (const s of parseDeb822(stdout)) {
      const re = /linux-image-(\d+\.\d+[^\s,|()]*?-cloud-amd64)(?=[\s,|(]|$)/g;
      for (const m of (s.depends || "").matchAll(re))
        if (m[1].startsWith(`${versionPrefix}.`)) cands.push(`linux-image-${m[1]}`);
    }
    cands.sort(versionCompare);
    pkg = cands.at(-1);
    if (!pkg)
      throw new Error(`vfio harness: ${META_PACKAGE} in ${suite} does not depend on a ${versionPrefix} kernel image`);
  }
  const debDir = path.join(A, "debs");
  for (const f of await fsp.readdir(debDir))
    if (f.endsWith(".deb")) await fsp.rm(path.join(debDir, f), { force: true });
  log(`apt: downloading ${pkg}`);
  try {
    await run("apt-get", [...O, "-q", "download", pkg], { cwd: debDir, timeoutMs: 900_000 });
  } catch (e) {
    throw new Error(`vfio harness: apt-get download ${pkg} from ${suite} failed:\n${e.message}`);
  }
  const deb = (await fsp.readdir(debDir)).find((f) => f.endsWith(".deb"));
  if (!deb) throw new Error(`vfio harness: apt-get download ${pkg} produced no .deb`);
  return { deb: path.join(debDir, deb), pkg };
}

// ---------------------------------------------------------------------------------------------
// modules

/** Parse modules.dep into Map(name -> { rel, deps: [names] }); names use '_' for '-'. */
function parseModulesDep(text) {
  const map = new Map();
  const norm = (rel) =>
    path
      .basename(rel)
      .replace(/\.ko(\.(xz|zst|gz))?$/, "")
      .replace(/-/g, "_");
  for (const line of text.split("\n")) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    map.set(norm(m[1]), {
      rel: m[1],
      file: path.basename(m[1]).replace(/\.ko(\.(xz|zst|gz))?$/, ""),
      deps: m[2].split(/\s+/).filter(Boolean).map(norm),
    });
  }
  return map;
}

/** Load order for vfio-pci + vfio_iommu_type1 (dependencies first). */
function vfioModuleOrder(depText, builtinText) {
  const dep = parseModulesDep(depText);
  const builtin = new Set(
    builtinText
      .split("\n")
      .filter(Boolean)
      .map((l) => path.basename(l).replace(/\.ko$/, "").replace(/-/g, "_")),
  );
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const e = dep.get(name);
    if (!e) {
      if (builtin.has(name)) return;
      throw new Error(`vfio harness: module ${name} is neither in modules.dep nor built in`);
    }
    for (const d of [...e.deps].reverse()) visit(d);
    order.push(e);
  };
  for (const root of ["vfio", "vfio_iommu_type1", "vfio_pci"]) visit(root);
  return order;
}

async function readModule(file) {
  if (exists(file)) return fsp.readFile(file);
  if (exists(`${file}.xz`)) return (await run("xz", ["-dc", `${file}.xz`], { encoding: "buffer" })).stdout;
  if (exists(`${file}.zst`)) return (await run("zstd", ["-dcq", `${file}.zst`], { encoding: "buffer" })).stdout;
  if (exists(`${file}.gz`)) return gunzipSync(await fsp.readFile(`${file}.gz`));
  throw new Error(`vfio harness: module file missing: ${file}[.xz|.zst|.gz]`);
}

// ---------------------------------------------------------------------------------------------
// replay program, busybox, base initramfs

function isStaticElf(buf) {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2) return false;
  const phoff = Number(buf.readBigUInt64LE(32)),
    phentsize = buf.readUInt16LE(54),
    phnum = buf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) if (buf.readUInt32LE(phoff + i * phentsize) === 3) return false; // PT_INTERP
  return true;
}

async function buildReplay(workDir, log) {
  const src = await fsp.readFile(REPLAY_SRC);
  const binDir = path.join(workDir, "bin");
  await fsp.mkdir(binDir, { recursive: true });
  const bin = path.join(binDir, "vfio-replay");
  const stampFile = `${bin}.stamp`;
  const stamp = sha256(src);
  if (exists(bin) && (await fsp.readFile(stampFile, "utf8").catch(() => "")) === stamp) return bin;
  const tmp = `${bin}.tmp-${process.pid}`;
  log("building vfio-replay");
  try {
    const { stderr } = await run("gcc", ["-O2", "-static", "-Wall", "-Wextra", "-o", tmp, REPLAY_SRC], {
      timeoutMs: 120_000,
    });
    if (stderr.trim()) log(`gcc: ${stderr.trim()}`);
  } catch (e) {
    throw new Error(
      `vfio harness: cannot compile vfio-replay.c (need gcc and libc6-dev for static linking):\n${e.message}`,
    );
  }
  await fsp.rename(tmp, bin);
  await fsp.writeFile(stampFile, stamp);
  return bin;
}

async function findBusybox() {
  for (const p of BUSYBOX_CANDIDATES) {
    if (!exists(p)) continue;
    const buf = await fsp.readFile(p);
    if (isStaticElf(buf)) return buf;
  }
  throw new Error("vfio harness: no statically linked busybox found (install busybox-static)");
}

async function buildBaseInitrd(workDir, k, replayBin, log) {
  const depText = await fsp.readFile(path.join(k.modDir, "modules.dep"), "utf8");
  const builtinText = await fsp.readFile(path.join(k.modDir, "modules.builtin"), "utf8").catch(() => "");
  const order = vfioModuleOrder(depText, builtinText);
  const [busybox, init, replay] = await Promise.all([findBusybox(), fsp.readFile(INIT_SRC), fsp.readFile(replayBin)]);
  const mods = [];
  for (const m of order) {
    const srcPath = path.join(k.modDir, m.rel).replace(/\.ko(\.(xz|zst|gz))?$/, ".ko");
    mods.push({ name: m.file, data: await readModule(srcPath) });
  }
  const stamp = sha256(
    Buffer.concat([busybox, init, replay, ...mods.map((m) => Buffer.concat([Buffer.from(m.name), m.data]))]),
  );
  const dir = path.join(workDir, "initrd");
  await fsp.mkdir(dir, { recursive: true });
  const out = path.join(dir, `${k.version}.cpio.gz`);
  if (exists(out) && (await fsp.readFile(`${out}.stamp`, "utf8").catch(() => "")) === stamp)
    return { baseInitrd: out, modules: mods.map((m) => m.name) };
  log(`building base initramfs for ${k.version} (modules: ${mods.map((m) => m.name).join(" ")})`);
  const D = 0o040755,
    X = 0o100755,
    R = 0o100644;
  const entries = [
    { name: "bin", mode: D },
    { name: "dev", mode: D },
    { name: "dev/console", mode: 0o020600, rdev: [5, 1] },
    { name: "lib", mode: D },
    { name: "lib/modules", mode: D },
    { name: "proc", mode: D },
    { name: "sys", mode: D },
    { name: "tmp", mode: D },
    { name: "bin/busybox", mode: X, data: busybox },
    { name: "init", mode: X, data: init },
    { name: "vfio-replay", mode: X, data: replay },
    ...mods.map((m) => ({ name: `lib/modules/${m.name}.ko`, mode: R, data: m.data })),
    { name: "lib/modules/order", mode: R, data: Buffer.from(`${mods.map((m) => m.name).join("\n")}\n`) },
  ];
  await writeAtomic(out, gzipSync(buildCpio(entries), { level: 1 }));
  await fsp.writeFile(`${out}.stamp`, stamp);
  return { baseInitrd: out, modules: mods.map((m) => m.name) };
}

// ---------------------------------------------------------------------------------------------
// kernels

/** 6.1: the installed linux-image-6.1.*-cloud-amd64 (highest), else download from bookworm. */
async function kernel61(workDir, log) {
  const versions = (await fsp.readdir("/boot").catch(() => []))
    .map((f) => /^vmlinuz-(6\.1\.\d+-\d+-cloud-amd64)$/.exec(f)?.[1])
    .filter(Boolean)
    .filter((v) => exists(`/lib/modules/${v}/modules.dep`))
    .sort(versionCompare);
  const v = versions.at(-1);
  if (v) {
    const kernel = `/boot/vmlinuz-${v}`;
    try {
      await fsp.access(kernel, fs.constants.R_OK);
    } catch {
      throw new Error(`vfio harness: ${kernel} is not readable by this user`);
    }
    let packageVersion;
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
      const query = ["-W", "-f", "${Version}", `linux-image-${v}`];
      packageVersion = (await run("dpkg-query", query, { timeoutMs: 30_000 })).stdout.trim() || undefined;
    } catch {
      /* not from dpkg */
    }
    return { kernel, modDir: `/lib/modules/${v}`, version: v, packageVersion, source: "installed" };
  }
  log("no installed 6.1 cloud kernel found; downloading from bookworm");
  return extractedKernel(workDir, "6.1", MAIN_SUITE, log);
}

/** Download + extract a kernel package; keeps only vmlinuz, modules.dep/.builtin and vfio-related modules. */
async function extractedKernel(workDir, series, suite, log) {
  const cacheFile = path.join(workDir, "kernels", `${series}.json`);
  const cached = await readJson(cacheFile);
  const rel = (p) => path.join(workDir, p);
  if (cached && exists(rel(cached.kernel)) && exists(path.join(rel(cached.modDir), "modules.dep"))) {
    return { ...cached, kernel: rel(cached.kernel), modDir: rel(cached.modDir) };
  }
  const { deb, pkg } = await downloadKernelDeb(workDir, suite, series, log);
  const tmp = path.join(workDir, "kernels", `extract-${series}-${process.pid}`);
  await fsp.rm(tmp, { recursive: true, force: true });
  await fsp.mkdir(tmp, { recursive: true });
  try {
    await run("dpkg-deb", ["-x", deb, tmp], { timeoutMs: 300_000 });
    const bootFiles = await fsp.readdir(path.join(tmp, "boot")).catch(() => []);
    const vmlinuz = bootFiles.find((f) => f.startsWith("vmlinuz-"));
    if (!vmlinuz) throw new Error(`vfio harness: ${pkg} contains no boot/vmlinuz-*`);
    const version = vmlinuz.slice("vmlinuz-".length);
    const modRoot = [path.join(tmp, "lib/modules", version), path.join(tmp, "usr/lib/modules", version)].find((d) =>
      exists(path.join(d, "kernel")),
    );
    if (!modRoot) throw new Error(`vfio harness: ${pkg} contains no module tree for ${version}`);
    if (!exists(path.join(modRoot, "modules.dep"))) {
      // Debian packages do not ship modules.dep (postinst runs depmod); generate it in the extracted tree.
      const base = modRoot.slice(0, modRoot.length - path.join("lib/modules", version).length);
      await run(findTool("depmod"), ["-b", base, version], { timeoutMs: 300_000 }).catch((e) => {
        throw new Error(`vfio harness: depmod failed for ${version} (install kmod):\n${e.message}`);
      });
      if (!exists(path.join(modRoot, "modules.dep")))
        throw new Error(`vfio harness: depmod produced no modules.dep for ${version}`);
    }
    const keepDir = path.join(workDir, "kernels", version);
    await fsp.rm(keepDir, { recursive: true, force: true });
    await fsp.mkdir(path.join(keepDir, "modules"), { recursive: true });
    await fsp.copyFile(path.join(tmp, "boot", vmlinuz), path.join(keepDir, vmlinuz));
    const depText = await fsp.readFile(path.join(modRoot, "modules.dep"), "utf8");
    const builtinText = await fsp.readFile(path.join(modRoot, "modules.builtin"), "utf8").catch(() => "");
    await fsp.writeFile(path.join(keepDir, "modules", "modules.builtin"), builtinText);
    const order = vfioModuleOrder(depText, builtinText);
    for (const m of order) {
      const dst = path.join(keepDir, "modules", m.rel);
      await fsp.mkdir(path.dirname(dst), { recursive: true });
      await fsp.copyFile(path.join(modRoot, m.rel), dst);
    }
    // a reduced modules.dep holding just the kept modules
    await fsp.writeFile(
      path.join(keepDir, "modules", "modules.dep"),
      `${depText
        .split("\n")
        .filter((l) => order.some((m) => l.startsWith(`${m.rel}:`)))
        .join("\n")}\n`,
    );
    const debVersion = /_([^_]+)_[^_]+\.deb$/.exec(path.basename(deb))?.[1]?.replace(/%3a/gi, ":");
    const info = {
      kernel: path.relative(workDir, path.join(keepDir, vmlinuz)),
      modDir: path.relative(workDir, path.join(keepDir, "modules")),
      version,
      package: pkg,
      packageVersion: debVersion,
      source: suite,
    };
    await writeAtomic(cacheFile, `${JSON.stringify(info, null, 2)}\n`);
    log(`kernel ${version} (${pkg} ${debVersion}) extracted`);
    return { ...info, kernel: rel(info.kernel), modDir: rel(info.modDir) };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
    await fsp.rm(deb, { force: true });
  }
}

const prepared = new Map(); // resolved workDir -> Map(series -> Promise<info>)

/**
 * Obtain the kernels, build vfio-replay and a base initramfs per kernel. Cached in workDir.
 * @param {{workDir?: string, kernels?: string[], log?: (msg: string) => void}} [opts]
 * @returns {Promise<Record<string, {kernel: string, baseInitrd: string, version: string, packageVersion?: string, modules: string[]}>>}
 */
export async function prepareKernels(opts = {}) {
  const workDir = path.resolve(opts.workDir ?? DEFAULT_WORK_DIR);
  const kernels = opts.kernels ?? KERNELS;
  const log = opts.log ?? (() => {});
  for (const k of kernels)
    if (!KERNELS.includes(k)) throw new Error(`vfio harness: unknown kernel "${k}" (want ${KERNELS.join(" or ")})`);
  await fsp.mkdir(workDir, { recursive: true });
  let memo = prepared.get(workDir);
  if (!memo) {
    memo = new Map();
    prepared.set(workDir, memo);
  }
  const todo = kernels.filter((k) => !memo.has(k));
  if (todo.length) {
    const job = withLock(workDir, "prepare", async () => {
      const replay = await buildReplay(workDir, log);
      const res = {};
      for (const series of todo) {
        try {
          const k =
            series === "6.1"
              ? await kernel61(workDir, log)
              : await extractedKernel(workDir, "6.12", BACKPORTS_SUITE, log);
          if (!k.version.startsWith(`${series}.`))
            throw new Error(`vfio harness: expected a ${series} kernel, got ${k.version}`);
          const { baseInitrd, modules } = await buildBaseInitrd(workDir, k, replay, log);
          res[series] = { kernel: k.kernel, baseInitrd, version: k.version, packageVersion: k.packageVersion, modules };
        } catch (e) {
          res[series] = { error: e };
        }
      }
      return res;
    });
    for (const k of todo) {
      const p = job.then((r) => {
        if (r[k].error) throw r[k].error;
        return r[k];
      });
      p.catch(() => memo.delete(k));
      memo.set(k, p);
    }
  }
  const out = {};
  for (const k of kernels) {
    try {
      out[k] = await memo.get(k);
    } catch (e) {
      throw new Error(`vfio harness: kernel ${k} could not be prepared: ${e.message}`, { cause: e });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// running QEMU

const liveChildren = new Set();
process.once("exit", () => {
  for (const c of liveChildren) {
    try {
      c.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }
});

let runSeq = 0;
// 6.12 on QEMU 7.2 TCG: ~35-40% of boots die early (slab/text-poke Oops, double fault; measured 35 of 92).
// Five retries make a spurious failure unlikely (~0.3%); a failed attempt costs 1-4 s.
export const DEFAULT_RETRIES = { 6.1: 2, 6.12: 5 };
// The 6.12 early-boot crashes are in SLUB's cmpxchg16b fast path (kmem_cache_alloc); with CX16 hidden
// the kernel takes the locked slow path and boots reliably on QEMU 7.2 TCG (0 crashes in 8+ boots
// under load, against 3-6 of 6 with plain -cpu max). CX16 does not affect any VFIO reply.
export const DEFAULT_CPU = { 6.1: "max", 6.12: "max,cx16=off" };

export function qemuArgs({
  kernel,
  initrd,
  append = "",
  consoleFile = "console.txt",
  repliesFile = "replies.txt",
  memoryMb = 512,
  cpu = "max",
}) {
  return [
    "-nodefaults",
    "-machine",
    "q35,accel=tcg",
    "-cpu",
    cpu,
    "-m",
    String(memoryMb),
    "-smp",
    "1",
    "-display",
    "none",
    "-monitor",
    "none",
    "-no-reboot",
    "-kernel",
    kernel,
    "-initrd",
    initrd,
    "-append",
    `console=ttyS0 intel_iommu=on loglevel=4 panic=-1 vfio_bdfs=${BDFS.join(",")}${append ? ` ${append}` : ""}`,
    "-device",
    "intel-iommu",
    "-device",
    "edu,addr=0x10",
    "-device",
    "e1000e,addr=0x11",
    "-device",
    "virtio-rng-pci,addr=0x12",
    "-device",
    "nec-usb-xhci,addr=0x13",
    "-serial",
    `file:${consoleFile}`,
    "-serial",
    `file:${repliesFile}`,
  ];
}

function readText(file) {
  try {
    return fs.readFileSync(file, "latin1");
  } catch {
    return "";
  }
}

/** One boot. Resolves { transcript, console, ms, exitCode, signal, timedOut, bootTimedOut, crashedEarly, stderr }. */
function bootOnce({ qemu, info, initrd, runDir, timeoutMs, bootTimeoutMs, append, cpu }) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const args = qemuArgs({ kernel: info.kernel, initrd, append, cpu });
    const child = spawn(qemu, args, { cwd: runDir, stdio: ["ignore", "ignore", "pipe"] });
    liveChildren.add(child);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
      if (stderr.length > 65536) stderr = stderr.slice(-65536);
    });
    const state = { timedOut: false, bootTimedOut: false, crashedEarly: false };
    let crashSeenAt = 0;
    const kill = () => {
      try {
        child.kill("SIGKILL");
      } catch {
        /* gone */
      }
    };
    const poll = setInterval(() => {
      const el = Date.now() - t0;
      const ready = READY_RE.test(readText(path.join(runDir, "replies.txt")));
      if (!ready) {
        if (!crashSeenAt && BOOT_CRASH_RE.test(readText(path.join(runDir, "console.txt")))) crashSeenAt = Date.now();
        if (crashSeenAt && Date.now() - crashSeenAt > 1500) {
          state.crashedEarly = true;
          kill();
        }
        if (el > bootTimeoutMs) {
          state.bootTimedOut = true;
          kill();
        }
      }
      if (el > timeoutMs) {
        state.timedOut = true;
        kill();
      }
    }, 100);
    child.on("error", (e) => {
      clearInterval(poll);
      liveChildren.delete(child);
      reject(new Error(`vfio harness: cannot start ${qemu}: ${e.message} (install qemu-system-x86)`));
    });
    child.on("exit", (exitCode, signal) => {
      clearInterval(poll);
      liveChildren.delete(child);
      resolve({
        transcript: readText(path.join(runDir, "replies.txt")),
        console: readText(path.join(runDir, "console.txt")),
        ms: Date.now() - t0,
        exitCode,
        signal,
        stderr,
        ...state,
      });
    });
  });
}

/**
 * Replay a request script on one kernel.
 * @param {{kernel: '6.1'|'6.12', script: string|string[], workDir?: string, timeoutMs?: number,
 *          bootTimeoutMs?: number, retries?: number, append?: string, keepRunDir?: boolean, cpu?: string, qemu?: string,
 *          log?: (msg: string) => void}} opts
 *   timeoutMs: per attempt, whole boot + replay (default 120 s); bootTimeoutMs: until the ready line (default 60 s);
 *   retries: extra attempts after a failed boot or an incomplete run (default 2 for 6.1, 5 for 6.12: on QEMU 7.2
 *   TCG about a third of 6.12 boots crash in early boot); append: extra kernel parameters;
 *   cpu: QEMU -cpu model (default DEFAULT_CPU: 'max' as in the reference runs, 'max,cx16=off' for 6.12); qemu: QEMU binary or wrapper
 *   (default $VFIO_QEMU or qemu-system-x86_64).
 * @returns {Promise<{transcript: string, console: string, wallMs: number, attempts: number, version: string, attemptMs: number[]}>}
 */
export async function runScript(opts) {
  const {
    kernel,
    workDir: wd,
    timeoutMs = 120_000,
    bootTimeoutMs = 60_000,
    append = "",
    keepRunDir = false,
    qemu = QEMU,
  } = opts;
  const cpu = opts.cpu ?? DEFAULT_CPU[kernel] ?? "max";
  const retries = opts.retries ?? DEFAULT_RETRIES[kernel] ?? 2;
  const log = opts.log ?? (() => {});
  if (!KERNELS.includes(kernel))
    throw new Error(`vfio harness: unknown kernel "${kernel}" (want ${KERNELS.join(" or ")})`);
  const t0 = Date.now();
  const workDir = path.resolve(wd ?? DEFAULT_WORK_DIR);
  const info = (await prepareKernels({ workDir, kernels: [kernel], log }))[kernel];
  let script = Array.isArray(opts.script) ? opts.script.join("\n") : String(opts.script ?? "");
  if (!script.endsWith("\n")) script += "\n";

  const runsDir = path.join(workDir, "runs");
  await fsp.mkdir(runsDir, { recursive: true });
  const base = await fsp.readFile(info.baseInitrd);
  const req = gzipSync(buildCpio([{ name: "req.txt", mode: 0o100644, data: Buffer.from(script) }]), { level: 1 });
  const initrdData = Buffer.concat([base, req]);

  const attemptMs = [];
  const problems = [];
  let last = null,
    lastDir = null;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const runDir = path.join(runsDir, `${kernel}-${process.pid}-${++runSeq}-a${attempt}`);
    await fsp.rm(runDir, { recursive: true, force: true });
    await fsp.mkdir(runDir, { recursive: true });
    const initrd = path.join(runDir, "initrd.gz");
    await fsp.writeFile(initrd, initrdData);
    let r;
    try {
      r = await bootOnce({ qemu, info, initrd, runDir, timeoutMs, bootTimeoutMs, append, cpu });
    } catch (e) {
      await fsp.rm(runDir, { recursive: true, force: true });
      throw e;
    }
    attemptMs.push(r.ms);
    last = r;
    if (lastDir && !keepRunDir) await fsp.rm(lastDir, { recursive: true, force: true });
    lastDir = runDir;
    const ready = READY_RE.test(r.transcript);
    const done = DONE_RE.test(r.transcript);
    if (ready && done) {
      if (!keepRunDir) await fsp.rm(runDir, { recursive: true, force: true });
      return {
        transcript: r.transcript,
        console: r.console,
        wallMs: Date.now() - t0,
        attempts: attempt,
        version: info.version,
        attemptMs,
      };
    }
    // QEMU refused to start (bad option, missing ROM, ...): retrying will not help.
    if (r.exitCode && r.exitCode !== 0 && !r.console && !r.signal) {
      await fsp.rm(runDir, { recursive: true, force: true });
      throw new Error(
        `vfio harness: ${qemu} exited with ${r.exitCode} before the guest produced output:\n${r.stderr.trim()}`,
      );
    }
    const crash = (BOOT_CRASH_RE.exec(r.console) || [])[0];
    const why = !ready
      ? `boot failure (no "INFO vfio-replay ready" line${crash ? `; console shows "${crash}"` : ""}${r.bootTimedOut ? `; nothing after ${bootTimeoutMs} ms` : ""})`
      : `incomplete run (no DONE line${crash ? `; console shows "${crash}"` : ""}${r.timedOut ? `; killed after ${timeoutMs} ms` : ""})`;
    problems.push(`attempt ${attempt}: ${why}`);
    log(`kernel ${kernel}: attempt ${attempt}: ${why}${attempt <= retries ? ", retrying" : ""}`);
  }
  await fsp.rm(path.join(lastDir, "initrd.gz"), { force: true }); // keep console.txt + replies.txt for inspection
  const tail = (s, n) => s.split("\n").slice(-n).join("\n");
  const err = new Error(
    `vfio harness: kernel ${info.version} failed after ${retries + 1} attempt(s): ${problems.join("; ")}\n` +
      `run directory: ${lastDir}\n--- console (tail) ---\n${tail(last.console, 40)}\n--- transcript (tail) ---\n${tail(last.transcript, 10)}` +
      (last.stderr.trim() ? `\n--- qemu stderr ---\n${last.stderr.trim()}` : ""),
  );
  Object.assign(err, { transcript: last.transcript, console: last.console, attempts: retries + 1, attemptMs });
  throw err;
}

// ---------------------------------------------------------------------------------------------
// transcript decoder

const BUFFER_NAMES = new Set([
  "DEVICE_GET_INFO",
  "DEVICE_GET_REGION_INFO",
  "DEVICE_GET_IRQ_INFO",
  "DEVICE_SET_IRQS",
  "DEVICE_GET_PCI_HOT_RESET_INFO",
  "DEVICE_FEATURE",
  "GROUP_GET_STATUS",
]);

function kv(tokens) {
  const o = {};
  for (const t of tokens) {
    const i = t.indexOf("=");
    if (i > 0) o[t.slice(0, i)] = t.slice(i + 1);
  }
  return o;
}

function parseErrno(s) {
  const m = /^(-?\d+)\(([^)]*)\)$/.exec(s ?? "");
  return m ? { errno: Number(m[1]), errnoName: m[2] } : { errno: null, errnoName: null };
}

function parseGuard(s) {
  if (s === undefined) return null;
  if (s === "ok") return "ok";
  const m = /^clobbered@(\d+):([0-9a-f]*)$/i.exec(s);
  return m ? { clobberedAt: Number(m[1]), bytesHex: m[2].toLowerCase() } : { clobberedAt: null, bytesHex: s };
}

function finishRecord(lines, incomplete) {
  const rec = {
    cmd: null,
    name: null,
    requestHex: null,
    ret: null,
    errno: null,
    errnoName: null,
    replyHex: null,
    guard: null,
    extra: { info: [], err: [], lines },
  };
  if (incomplete) rec.extra.incomplete = true;
  for (const line of lines) {
    const t = line.split(/\s+/).filter(Boolean);
    const [kind, first] = t;
    if (kind === "REQ") {
      rec.name = first;
      rec.requestHex = t[2] ?? "";
      rec.cmd = first.startsWith("IOCTL:") ? "IOCTL" : first;
    } else if (kind === "RSP") {
      rec.name = first;
      rec.cmd = first.startsWith("IOCTL:") ? "IOCTL" : first;
      const rest = t.slice(2);
      const o = kv(rest);
      const bare = rest.filter((x) => !x.includes("="));
      if (o.ret !== undefined) rec.ret = Number(o.ret);
      if (o.errno !== undefined) Object.assign(rec, parseErrno(o.errno));
      else if (rec.ret !== null) Object.assign(rec, rec.ret >= 0 ? { errno: 0, errnoName: "OK" } : {});
      if (BUFFER_NAMES.has(rec.cmd) || rec.cmd === "IOCTL") {
        rec.replyHex = (bare[0] ?? "").toLowerCase();
        rec.guard = parseGuard(o.guard);
      } else if (rec.cmd === "REGION_READ") {
        rec.replyHex = (bare[0] ?? "").toLowerCase();
      } else if (rec.cmd === "CHECK_EXTENSION") {
        rec.extra.extension = Number(bare[0]);
      } else if (rec.cmd === "EFD_READ" || rec.cmd === "EFD_WRITE") {
        rec.extra.index = Number(bare[0]);
        if (o.count !== undefined) rec.extra.count = Number(o.count);
      }
      if (rec.cmd === "IOCTL") {
        const [, target, nr] = first.split(":");
        Object.assign(rec.extra, { target, request: parseInt(nr, 16) });
      }
    } else if (kind === "INFO") {
      const text = line.slice(5);
      rec.extra.info.push(text);
      if ((first === "OPEN" || first === "USE") && !rec.cmd) {
        rec.cmd = first;
        const o = kv(t.slice(3));
        rec.extra.bdf = t[2];
        if (o.group !== undefined) rec.extra.group = Number(o.group);
        if (o.devfd !== undefined) rec.extra.devfd = Number(o.devfd);
      } else if (first === "SLEEP" && !rec.cmd) {
        rec.cmd = "SLEEP";
        rec.extra.ms = Number(t[2]);
      }
    } else if (kind === "ERR") {
      rec.extra.err.push(line.slice(4));
      if (!rec.cmd && first) {
        const c = first.replace(/:$/, "");
        rec.cmd = c;
        rec.name = c;
        if (["OPEN", "USE"].includes(c) && t[2]) rec.extra.bdf = t[2].replace(/:$/, "");
      }
    } else {
      rec.extra.other ??= [];
      rec.extra.other.push(line);
    }
  }
  if (!rec.name) rec.name = rec.cmd;
  if (rec.cmd === "OPEN" && rec.extra.err.length) rec.extra.failed = true;
  return rec;
}

/**
 * Decode a vfio-replay transcript into one record per command (blocks ending with END).
 * Returned array also carries: `.ready` ({api, efdBase, numEfd, guard} or null), `.done` (DONE seen),
 * `.preamble` (lines before the ready line).
 * Record: { cmd, name, requestHex, ret, errno, errnoName, replyHex, guard: 'ok'|{clobberedAt, bytesHex}|null, extra }.
 */
export function parseTranscript(text) {
  const records = [];
  records.ready = null;
  records.done = false;
  records.preamble = [];
  let block = [];
  for (const raw of String(text).split("\n")) {
    const line = raw.replace(/\r+$/, "").replace(/^\r+/, "");
    if (!line.trim()) continue;
    if (READY_RE.test(line)) {
      const o = kv(line.split(/\s+/));
      records.ready = {
        api: Number(o.api),
        efdBase: Number(o.efd_base),
        numEfd: Number(o.num_efd),
        guard: Number(o.guard),
      };
      records.preamble.push(...block);
      block = [];
      continue;
    }
    if (line === "DONE") {
      if (block.length) records.push(finishRecord(block, true));
      block = [];
      records.done = true;
      continue;
    }
    if (line === "END") {
      records.push(finishRecord(block, false));
      block = [];
      continue;
    }
    block.push(line);
  }
  if (block.length) {
    if (!records.ready) records.preamble.push(...block);
    else records.push(finishRecord(block, true));
  }
  return records;
}
