// The two foreign guests of the real-kernel tests, on minimal kernels built from Debian's sources
// (lib/kbuild.mjs): arm64 on QEMU `virt` (vfio-platform and vfio-amba in no-IOMMU mode, a device
// tree with extra multi-line devices) and s390x on `s390-ccw-virtio` (zPCI functions on vfio-pci,
// big-endian). Each guest has one serial console, so the replies share it with /init's log lines
// (kernel messages are kept off with loglevel=1); the transcript parser skips everything that is
// not a reply.
//
//   const g = await prepareGuest({ arch: 'arm64', series: '7.2', log });
//   const r = await runGuest({ guest: g, script, append: 'vfio_platform=c000000.vfio-lel' });
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { GUEST_ARCHES, crossProgram, guestBusybox } from "../lib/cross.mjs";
import { customDtb } from "../lib/dtb.mjs";
import { buildBaseInitrd, withFiles } from "../lib/initramfs.mjs";
import { customKernel } from "../lib/kbuild.mjs";
import { kernelCacheDir } from "../lib/kernels.mjs";
import { bootWithRetries } from "../lib/qemu.mjs";
import { withLock } from "../lib/util.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const WORK_DIR = path.join(HERE, "..", ".work");
const REPLAY_SRC = path.join(HERE, "..", "vfio-replay.c");
const INIT_SRC = path.join(HERE, "..", "init.sh");
/** The repository's extra arm64 platform devices (run.mjs --dtsi FILE boots with another fragment). */
export const DT_FRAGMENT = path.join(HERE, "platform-devices.dtsi");

/** QEMU machine per guest arch; `console` is the guest's console device (also the reply sink). */
export const MACHINES = {
  arm64: {
    machine: "virt,gic-version=3",
    // pointer authentication with QEMU's own cheap algorithm: much faster under TCG, no VFIO effect
    shape: ["-cpu", "max,pauth-impdef=on", "-m", "256", "-smp", "1"],
    console: "ttyAMA0",
    append: "vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0",
  },
  s390x: {
    machine: "s390-ccw-virtio",
    shape: ["-cpu", "max", "-m", "512", "-smp", "1"],
    console: "ttysclp0",
    append: "",
  },
};

const cacheDirOf = (o) => path.resolve(o.cacheDir ?? kernelCacheDir(path.join(o.workDir ?? WORK_DIR, "cache")));
const prepared = new Map();

/**
 * Kernel (built or cached), busybox, replay program, base initramfs and (arm64) device tree.
 * @param {{arch: 'arm64'|'s390x', series: string, workDir?: string, cacheDir?: string, deadline?: number,
 *          dtFragment?: string, log?: (m: string) => void}} o
 */
export function prepareGuest(o) {
  const key = `${o.arch}\0${o.series}\0${cacheDirOf(o)}\0${o.dtFragment ?? DT_FRAGMENT}`;
  if (!prepared.has(key)) {
    const p = prepareOne(o);
    p.catch(() => prepared.delete(key));
    prepared.set(key, p);
  }
  return prepared.get(key);
}

async function prepareOne({
  arch,
  series,
  workDir = WORK_DIR,
  deadline,
  dtFragment = DT_FRAGMENT,
  log = () => {},
  ...rest
}) {
  const cacheDir = cacheDirOf({ workDir, ...rest });
  const m = MACHINES[arch];
  if (!m) throw new Error(`unknown guest arch "${arch}" (want ${Object.keys(MACHINES).join(", ")})`);
  const kernel = await customKernel({ arch, series, cacheDir, deadline, log });
  const [busybox, replay, init] = await Promise.all([
    guestBusybox({ arch, cacheDir, log }),
    crossProgram({ arch, src: REPLAY_SRC, outDir: path.join(workDir, "bin"), log }),
    fsp.readFile(INIT_SRC),
  ]);
  const outFile = path.join(
    workDir,
    "initrd",
    `${arch}-${kernel.release}-${kernel.key}.cpio.gz`.replace(/[^\w.+-]/g, "_"),
  );
  const baseInitrd = await withLock(workDir, `initrd-${arch}-${series}`, () =>
    buildBaseInitrd({
      outFile,
      busybox: busybox.data,
      init,
      programs: [{ name: "vfio-replay", data: replay }],
      modules: [],
      log,
    }),
  );
  const dt =
    arch === "arm64"
      ? await customDtb({
          qemu: GUEST_ARCHES[arch].qemu,
          machine: m.machine,
          machineArgs: m.shape,
          dtc: kernel.dtc,
          fragment: dtFragment,
          outDir: path.join(workDir, "dtb"),
          log,
        })
      : null;
  return {
    arch,
    series,
    kernel,
    baseInitrd,
    busyboxVersion: busybox.version,
    dtb: dt?.dtb,
    dts: dt?.dts,
    dtFragment: dt ? dtFragment : undefined,
  };
}

/** QEMU arguments: the machine, the kernel, one console written to runDir/replies.txt, devices. */
export function guestArgs({ guest, initrd, append = "", devices = [] }) {
  const m = MACHINES[guest.arch];
  const cmdline = [
    "rdinit=/init",
    `console=${m.console}`,
    "loglevel=1",
    "panic=-1",
    `vfio_out=/dev/${m.console}`,
    m.append,
    append,
  ]
    .filter(Boolean)
    .join(" ");
  return [
    "-nodefaults",
    "-M",
    m.machine,
    ...m.shape,
    "-display",
    "none",
    "-monitor",
    "none",
    "-no-reboot",
    "-kernel",
    guest.kernel.image,
    "-initrd",
    initrd,
    ...(guest.dtb ? ["-dtb", guest.dtb] : []),
    "-append",
    cmdline,
    "-serial",
    "file:replies.txt",
    ...devices,
  ];
}

/**
 * Boot the guest once (with retries for failed boots) and replay `script`.
 * @returns {Promise<{transcript: string, console: string, wallMs: number, attempts: number, attemptMs: number[]}>}
 */
export async function runGuest({
  guest,
  script,
  append = "",
  devices = [],
  workDir = WORK_DIR,
  timeoutMs = 600_000,
  bootTimeoutMs = 120_000,
  retries = 2,
  keepRunDir = false,
  log = () => {},
}) {
  const text = script.endsWith("\n") ? script : `${script}\n`;
  const initrd = withFiles(await fsp.readFile(guest.baseInitrd), { "req.txt": text });
  return bootWithRetries({
    label: `${guest.arch} ${guest.kernel.release}`,
    qemu: GUEST_ARCHES[guest.arch].qemu,
    files: { "initrd.gz": initrd },
    runsDir: path.join(workDir, "runs"),
    makeArgs: (dir) => {
      // one serial port: the console is the transcript (crash detection reads console.txt)
      fs.rmSync(path.join(dir, "console.txt"), { force: true });
      fs.symlinkSync("replies.txt", path.join(dir, "console.txt"));
      return guestArgs({ guest, initrd: path.join(dir, "initrd.gz"), append, devices });
    },
    retries,
    timeoutMs,
    bootTimeoutMs,
    keepRunDir,
    log,
  });
}
