// The guest's initramfs: busybox, /init, the static replay program and the kernel's modules in one
// gzipped cpio built once per kernel (cached by content hash); each run appends its request script
// as a second archive (the kernel unpacks concatenated archives in order).
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { S_IFCHR, S_IFDIR, S_IFREG, buildCpio } from "./cpio.mjs";
import { moduleOrder, readModule } from "./modules.mjs";
import { exists, run, sha256, writeAtomic } from "./util.mjs";

const BUSYBOX_CANDIDATES = ["/bin/busybox", "/usr/bin/busybox"];

/** A statically linked ELF (no PT_INTERP): what an initramfs without libc can run. */
export function isStaticElf(buf) {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = buf[4] === 2,
    le = buf[5] === 1;
  const r16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const r32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const phoff = is64 ? Number(le ? buf.readBigUInt64LE(32) : buf.readBigUInt64BE(32)) : r32(28);
  const phentsize = r16(is64 ? 54 : 42),
    phnum = r16(is64 ? 56 : 44);
  for (let i = 0; i < phnum; i++) if (r32(phoff + i * phentsize) === 3) return false; // PT_INTERP
  return true;
}

/** The host's busybox-static binary. */
export async function findBusybox(candidates = BUSYBOX_CANDIDATES) {
  for (const p of candidates) {
    if (!exists(p)) continue;
    const buf = await fsp.readFile(p);
    if (isStaticElf(buf)) return buf;
  }
  throw new Error("kernel harness: no statically linked busybox found (install busybox-static)");
}

/** The contents of the headers a C source includes with quotes (one level), so the cache follows them. */
async function localHeaders(src, text) {
  const names = [...text.toString("latin1").matchAll(/^#include\s+"([^"]+)"/gm)].map((m) => m[1]);
  return Promise.all(names.map((n) => fsp.readFile(path.resolve(path.dirname(src), n))));
}

/**
 * Compile a C program statically (cached by source, the headers it includes with quotes, compiler and flags).
 * @param {{src: string, outDir: string, name?: string, cc?: string, cflags?: string[], log?: (m: string) => void}} o
 */
export async function buildStatic({
  src,
  outDir,
  name = path.basename(src, ".c"),
  cc = "gcc",
  cflags = ["-O2", "-Wall", "-Wextra"],
  log = () => {},
}) {
  const text = await fsp.readFile(src);
  const headers = await localHeaders(src, text);
  const stamp = sha256(Buffer.concat([text, ...headers, Buffer.from(`\0${cc}\0${cflags.join(" ")}`)]));
  await fsp.mkdir(outDir, { recursive: true });
  const bin = path.join(outDir, `${name}-${stamp.slice(0, 16)}`);
  if (exists(bin)) return bin;
  const tmp = `${bin}.tmp-${process.pid}`;
  log(`building ${name} with ${cc}`);
  try {
    const { stderr } = await run(cc, [...cflags, "-static", "-o", tmp, src], { timeoutMs: 120_000 });
    if (stderr.trim()) log(`${cc}: ${stderr.trim()}`);
  } catch (e) {
    throw new Error(
      `kernel harness: cannot compile ${path.basename(src)} (need ${cc} and a libc for static linking):\n${e.message}`,
    );
  }
  await fsp.rename(tmp, bin);
  return bin;
}

/** The modules vfio-pci needs from an unpacked module tree, decompressed, in load order: [{ name, data }]. */
export async function vfioModules(modDir, roots) {
  const depText = await fsp.readFile(path.join(modDir, "modules.dep"), "utf8");
  const builtinText = await fsp.readFile(path.join(modDir, "modules.builtin"), "utf8").catch(() => "");
  const mods = [];
  for (const m of moduleOrder(depText, builtinText, roots))
    mods.push({ name: m.file, data: await readModule(path.join(modDir, m.rel)) });
  return mods;
}

/**
 * The base image: /bin/busybox, /init, /<program name> and lib/modules/<name>.ko plus
 * lib/modules/order (the load order /init follows). Rebuilt only when an input changes.
 * @param {{outFile: string, busybox: Buffer, init: Buffer, programs: {name: string, data: Buffer}[],
 *          modules: {name: string, data: Buffer}[], log?: (m: string) => void}} o
 */
export async function buildBaseInitrd({ outFile, busybox, init, programs, modules, log = () => {} }) {
  const parts = [
    busybox,
    init,
    ...programs.flatMap((p) => [Buffer.from(p.name), p.data]),
    ...modules.flatMap((m) => [Buffer.from(m.name), m.data]),
  ];
  const stamp = sha256(Buffer.concat(parts));
  if (exists(outFile) && (await fsp.readFile(`${outFile}.stamp`, "utf8").catch(() => "")) === stamp) return outFile;
  log(`building initramfs ${path.basename(outFile)} (modules: ${modules.map((m) => m.name).join(" ")})`);
  const D = S_IFDIR | 0o755,
    X = S_IFREG | 0o755,
    R = S_IFREG | 0o644;
  const entries = [
    { name: "bin", mode: D },
    { name: "dev", mode: D },
    { name: "dev/console", mode: S_IFCHR | 0o600, rdev: [5, 1] },
    { name: "lib", mode: D },
    { name: "lib/modules", mode: D },
    { name: "proc", mode: D },
    { name: "sys", mode: D },
    { name: "tmp", mode: D },
    { name: "bin/busybox", mode: X, data: busybox },
    { name: "init", mode: X, data: init },
    ...programs.map((p) => ({ name: p.name, mode: X, data: p.data })),
    ...modules.map((m) => ({ name: `lib/modules/${m.name}.ko`, mode: R, data: m.data })),
    { name: "lib/modules/order", mode: R, data: Buffer.from(`${modules.map((m) => m.name).join("\n")}\n`) },
  ];
  await fsp.mkdir(path.dirname(outFile), { recursive: true });
  await writeAtomic(outFile, gzipSync(buildCpio(entries), { level: 1 }));
  await fsp.writeFile(`${outFile}.stamp`, stamp);
  return outFile;
}

/** base image + a second archive holding `files` ({ name: text|Buffer }). */
export function withFiles(base, files) {
  const entries = Object.entries(files).map(([name, data]) => ({
    name,
    mode: S_IFREG | 0o644,
    data: Buffer.from(data),
  }));
  return Buffer.concat([base, gzipSync(buildCpio(entries), { level: 1 })]);
}
