// Real-Linux-kernel replay harness for vfio-abi on x86 (Node >= 20, no dependencies).
//
// Boots stock Debian cloud kernels (6.1 bookworm, 6.12 bookworm-backports, the newest of unstable
// and of experimental) in QEMU/TCG with an emulated IOMMU, binds four emulated PCI devices to
// vfio-pci, replays a request script with the static `vfio-replay` program and returns the reply
// transcript. Kernels are downloaded with a private apt state into a cache directory
// (VFIO_KERNEL_CACHE, default tests/kernel/.work/cache); nothing is installed on the host.
//
//   import { prepareKernels, runScript, parseTranscript } from './harness.mjs';
//   await prepareKernels({ kernels: ['7.3'] });
//   const r = await runScript({ kernel: '7.3', script: 'GET_API_VERSION\nQUIT\n' });
//   const records = parseTranscript(r.transcript);
//
// The pieces live in lib/ and are reusable for other architectures: apt.mjs (private apt state),
// kernels.mjs (Debian x86 kernels), modules.mjs (modules.dep order), initramfs.mjs + cpio.mjs,
// qemu.mjs (boot with retries), transcript.mjs (reply decoder).
//
// Host requirements (scripts/install-system.sh): qemu-system-x86 (+ ipxe-qemu for the e1000e
// option ROM), busybox-static, gcc + libc6-dev, xz-utils, kmod (depmod), apt-get and dpkg-deb,
// and network access to a Debian mirror on the first run.
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { X86_KERNELS, X86_KERNEL_IDS, fetchKernel, kernelCacheDir } from "./lib/kernels.mjs";
import { buildBaseInitrd, buildStatic, findBusybox, vfioModules, withFiles } from "./lib/initramfs.mjs";
import { bootWithRetries } from "./lib/qemu.mjs";
import { withLock } from "./lib/util.mjs";

export { parseTranscript } from "./lib/transcript.mjs";
export { READY_RE } from "./lib/qemu.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WORK_DIR = path.join(HERE, ".work");
const REPLAY_SRC = path.join(HERE, "vfio-replay.c");
const INIT_SRC = path.join(HERE, "init.sh");
const QEMU = process.env.VFIO_QEMU || "qemu-system-x86_64";

/** Kernel ids, oldest first; the default is the newest. */
export const KERNELS = X86_KERNEL_IDS;
export const DEFAULT_KERNEL = KERNELS.at(-1);
export const KERNEL_SOURCES = X86_KERNELS;
export const BDFS = ["0000:00:10.0", "0000:00:11.0", "0000:00:12.0", "0000:00:13.0"];
export const DEVICES = { edu: BDFS[0], e1000e: BDFS[1], virtioRng: BDFS[2], xhci: BDFS[3] };

// 6.1 boots reliably; the newer kernels on QEMU 7.2 TCG crash in early boot now and then (SLUB's
// cmpxchg16b fast path). Hiding CX16 makes the kernel take the locked slow path and boot reliably;
// it changes no VFIO reply. Retries cover the rest.
export const DEFAULT_RETRIES = { 6.1: 2 };
export const DEFAULT_CPU = { 6.1: "max" };
const retriesOf = (k) => DEFAULT_RETRIES[k] ?? 5;
const cpuOf = (k) => DEFAULT_CPU[k] ?? "max,cx16=off";

export function checkKernel(k) {
  if (!KERNELS.includes(k)) throw new Error(`kernel harness: unknown kernel "${k}" (want ${KERNELS.join(", ")})`);
  return k;
}

const EXTRA_NONE = { qemu: [], bdfs: [] };

/**
 * A PCIe root port at 00:14.0 holding a two-function device (e1000e, functions 0 and 1): one reset
 * domain with two dependent functions, for the PCI hot reset requests. Its BDFs sit on the bus the
 * firmware gives the port's secondary side (the first bridge gets bus 1), after every reference
 * device, so the reference devices keep their addresses and groups.
 */
export const HOT_RESET_EXTRA = {
  qemu: [
    "-device",
    "pcie-root-port,id=hrp,bus=pcie.0,addr=0x14,chassis=1,x-speed=2_5,x-width=1",
    "-device",
    "e1000e,bus=hrp,addr=0x0.0,multifunction=on",
    "-device",
    "e1000e,bus=hrp,addr=0x0.1",
  ],
  bdfs: ["0000:01:00.0", "0000:01:00.1"],
};

/** QEMU arguments of the reference machine: q35, intel-iommu, edu + e1000e + virtio-rng + xhci. */
export function qemuArgs({
  kernel,
  initrd,
  append = "",
  consoleFile = "console.txt",
  repliesFile = "replies.txt",
  memoryMb = 512,
  cpu = "max",
  extra = EXTRA_NONE,
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
    // no_timer_check: on a loaded TCG host the IO-APIC timer check can miss its window and panic
    // ("timer doesn't work through Interrupt-remapped IO-APIC"); the check tests the emulator, not VFIO.
    // loglevel=3: errors such as the IOMMU faults of an MSI sent without a vector stay off the slow
    // serial console (panics and oopses still print)
    `console=ttyS0 intel_iommu=on loglevel=3 panic=-1 no_timer_check vfio_bdfs=${[...BDFS, ...extra.bdfs].join(",")}${append ? ` ${append}` : ""}`,
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
    ...extra.qemu,
    "-serial",
    `file:${consoleFile}`,
    "-serial",
    `file:${repliesFile}`,
  ];
}

const prepared = new Map(); // workDir + cacheDir + kernel -> Promise<info>

/**
 * Fetch the kernels (newest of their suites), build vfio-replay and a base initramfs per kernel.
 * @param {{workDir?: string, cacheDir?: string, kernels?: string[], log?: (msg: string) => void}} [opts]
 * @returns {Promise<Record<string, {kernel: string, baseInitrd: string, version: string, packageVersion: string,
 *   series: string, suite: string, modules: string[]}>>}  version: the kernel ABI (uname -r)
 */
export async function prepareKernels(opts = {}) {
  const workDir = path.resolve(opts.workDir ?? DEFAULT_WORK_DIR);
  const cacheDir = path.resolve(opts.cacheDir ?? kernelCacheDir(path.join(workDir, "cache")));
  const kernels = (opts.kernels ?? KERNELS).map(checkKernel);
  const log = opts.log ?? (() => {});
  const out = {};
  await Promise.all(
    kernels.map(async (k) => {
      const key = `${workDir}\0${cacheDir}\0${k}`;
      if (!prepared.has(key)) {
        const p = prepareOne(k, workDir, cacheDir, log);
        p.catch(() => prepared.delete(key));
        prepared.set(key, p);
      }
      try {
        out[k] = await prepared.get(key);
      } catch (e) {
        throw new Error(`kernel harness: kernel ${k} could not be prepared: ${e.message}`, { cause: e });
      }
    }),
  );
  return out;
}

const replays = new Map(); // workDir -> Promise<path of the vfio-replay binary>
function replayBinary(workDir, log) {
  if (!replays.has(workDir))
    replays.set(workDir, buildStatic({ src: REPLAY_SRC, outDir: path.join(workDir, "bin"), log }));
  return replays.get(workDir);
}

async function prepareOne(k, workDir, cacheDir, log) {
  const kinfo = await fetchKernel(k, { cacheDir, log });
  return withLock(workDir, `initrd-${k}`, async () => {
    const replay = await replayBinary(workDir, log);
    const [busybox, init, replayBin, modules] = await Promise.all([
      findBusybox(),
      fsp.readFile(INIT_SRC),
      fsp.readFile(replay),
      vfioModules(kinfo.modDir),
    ]);
    const baseInitrd = await buildBaseInitrd({
      outFile: path.join(workDir, "initrd", `${kinfo.abi}_${kinfo.packageVersion}.cpio.gz`.replace(/[^\w.+-]/g, "_")),
      busybox,
      init,
      programs: [{ name: "vfio-replay", data: replayBin }],
      modules,
      log,
    });
    return {
      kernel: kinfo.vmlinuz,
      baseInitrd,
      version: kinfo.abi,
      packageVersion: kinfo.packageVersion,
      series: kinfo.series,
      suite: kinfo.suite,
      config: kinfo.config,
      modules: modules.map((m) => m.name),
    };
  });
}

/**
 * Replay a request script on one kernel.
 * @param {{kernel: string, script: string|string[], workDir?: string, cacheDir?: string, timeoutMs?: number,
 *          bootTimeoutMs?: number, retries?: number, append?: string, keepRunDir?: boolean, cpu?: string,
 *          qemu?: string, memoryMb?: number, extra?: {qemu: string[], bdfs: string[]}, log?: (msg: string) => void}} opts
 *   timeoutMs: per attempt, boot + replay (default 120 s); bootTimeoutMs: until the ready line (default
 *   60 s; a boot takes 5-10 s). Both are budgets of QEMU CPU time: a loaded host that gives QEMU a
 *   fraction of a core stretches them in wall time (up to WALL_STRETCH times, lib/qemu.mjs);
 *   retries: extra attempts after a failed boot or an incomplete run (2 for 6.1, 5 for the others);
 *   extra: more QEMU devices and the BDFs to bind (HOT_RESET_EXTRA); append: extra kernel parameters; cpu: QEMU -cpu model (DEFAULT_CPU); qemu: binary ($VFIO_QEMU).
 * @returns {Promise<{transcript: string, console: string, wallMs: number, attempts: number, version: string,
 *   packageVersion: string, attemptMs: number[]}>}
 */
export async function runScript(opts) {
  const {
    kernel,
    timeoutMs = 120_000,
    bootTimeoutMs = 60_000,
    append = "",
    keepRunDir = false,
    qemu = QEMU,
    memoryMb = 512,
    extra = EXTRA_NONE,
  } = opts;
  checkKernel(kernel);
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const workDir = path.resolve(opts.workDir ?? DEFAULT_WORK_DIR);
  const info = (await prepareKernels({ workDir, cacheDir: opts.cacheDir, kernels: [kernel], log }))[kernel];
  let script = Array.isArray(opts.script) ? opts.script.join("\n") : String(opts.script ?? "");
  if (!script.endsWith("\n")) script += "\n";
  const initrd = withFiles(await fsp.readFile(info.baseInitrd), { "req.txt": script });
  const cpu = opts.cpu ?? cpuOf(kernel);
  const r = await bootWithRetries({
    label: `kernel ${kernel} (${info.version})`,
    qemu,
    files: { "initrd.gz": initrd },
    runsDir: path.join(workDir, "runs"),
    makeArgs: (dir) =>
      qemuArgs({ kernel: info.kernel, initrd: path.join(dir, "initrd.gz"), append, cpu, memoryMb, extra }),
    retries: opts.retries ?? retriesOf(kernel),
    timeoutMs,
    bootTimeoutMs,
    keepRunDir,
    log,
  });
  return { ...r, wallMs: Date.now() - t0, version: info.version, packageVersion: info.packageVersion };
}
