// User space for foreign-architecture guests (arm64, s390x): Debian's busybox-static for that
// architecture, fetched with a private apt state that indexes the architecture (APT::Architectures;
// the host's dpkg is not told about it), and the replay program cross-compiled statically.
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { PrivateApt, debianSource, extractDeb } from "./apt.mjs";
import { buildStatic, isStaticElf } from "./initramfs.mjs";
import { SourceUnavailableError } from "./kbuild.mjs";
import { exists, readJson, withLock, writeAtomic } from "./util.mjs";

/** Debian architecture -> cross compiler, ELF machine number, QEMU system emulator. */
export const GUEST_ARCHES = {
  arm64: {
    cc: "aarch64-linux-gnu-gcc",
    elfMachine: 183,
    qemu: "qemu-system-aarch64",
    ccPackages: "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
  },
  s390x: {
    cc: "s390x-linux-gnu-gcc",
    elfMachine: 22,
    qemu: "qemu-system-s390x",
    ccPackages: "gcc-s390x-linux-gnu libc6-dev-s390x-cross",
  },
};

/** ELF e_machine (either byte order), or -1 when `buf` is not ELF. */
export function elfMachine(buf) {
  if (buf.length < 20 || buf.readUInt32BE(0) !== 0x7f454c46) return -1;
  return buf[5] === 2 ? buf.readUInt16BE(18) : buf.readUInt16LE(18);
}

function checkBinary(buf, arch, what) {
  const want = GUEST_ARCHES[arch].elfMachine;
  if (elfMachine(buf) !== want)
    throw new Error(`${what}: not an ${arch} ELF binary (e_machine ${elfMachine(buf)}, want ${want})`);
  if (!isStaticElf(buf)) throw new Error(`${what}: not statically linked`);
  return buf;
}

/** busybox-static for `arch` from Debian 12 (cached): { data, version }. */
export async function guestBusybox({ arch, cacheDir, suite = "bookworm", log = () => {} }) {
  if (!GUEST_ARCHES[arch]) throw new Error(`unknown guest arch "${arch}"`);
  const dir = path.join(cacheDir, "custom", "busybox", arch);
  const infoFile = path.join(dir, "info.json");
  return withLock(path.join(cacheDir, "custom"), `busybox-${arch}`, async () => {
    const info = await readJson(infoFile);
    if (info && exists(path.join(dir, "busybox")))
      return { data: await fsp.readFile(path.join(dir, "busybox")), version: info.version };
    // one state indexes every guest architecture, so both guests share one apt-get update
    const apt = new PrivateApt({
      dir: path.join(cacheDir, "apt", `guest-${suite}`),
      sources: [debianSource(suite)],
      architectures: Object.keys(GUEST_ARCHES),
      log,
    });
    const fetch = async (what, fn) => {
      try {
        return await fn();
      } catch (e) {
        throw new SourceUnavailableError(`${what}: ${e.message}`);
      }
    };
    await fetch("apt-get update", () => apt.update());
    const s = await apt.newest(`busybox-static:${arch}`);
    if (!s) throw new Error(`busybox-static:${arch} not found in ${suite}`);
    const tmp = path.join(dir, `tmp-${process.pid}`);
    await fsp.rm(tmp, { recursive: true, force: true });
    const pkg = `busybox-static:${arch}=${s.version}`;
    const [deb] = await fetch(`downloading ${pkg}`, () => apt.download([pkg], path.join(tmp, "deb")));
    await extractDeb(deb, path.join(tmp, "root"));
    const bin = [path.join(tmp, "root/bin/busybox"), path.join(tmp, "root/usr/bin/busybox")].find(exists);
    if (!bin) throw new Error(`busybox-static:${arch} ${s.version} holds no bin/busybox`);
    const data = checkBinary(await fsp.readFile(bin), arch, `busybox-static:${arch}`);
    await writeAtomic(path.join(dir, "busybox"), data);
    await writeAtomic(infoFile, `${JSON.stringify({ version: s.version, suite }, null, 2)}\n`);
    await fsp.rm(tmp, { recursive: true, force: true });
    log(`busybox-static:${arch} ${s.version} fetched`);
    return { data, version: s.version };
  });
}

/** A C program cross-compiled statically for `arch` (cached by source and compiler): its bytes. */
export async function crossProgram({ arch, src, outDir, log = () => {} }) {
  const g = GUEST_ARCHES[arch];
  if (!g) throw new Error(`unknown guest arch "${arch}"`);
  let bin;
  try {
    bin = await buildStatic({ src, outDir: path.join(outDir, arch), cc: g.cc, log });
  } catch (e) {
    throw new Error(`${e.message}\n(${arch} needs ${g.ccPackages}: run scripts/install-system.sh as root)`);
  }
  return checkBinary(await fsp.readFile(bin), arch, `${path.basename(src)} for ${arch}`);
}
