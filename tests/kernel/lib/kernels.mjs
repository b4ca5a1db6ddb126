// Stock Debian x86 kernels for the guest, downloaded with a private apt state and unpacked into a
// cache directory (nothing is installed, nothing goes into /boot). Each entry follows one suite and
// takes the newest cloud-amd64 kernel it offers at run time, so the archive's rotation (6.1.0-56 ->
// -57, 7.2.13 -> 7.2.14) is picked up without code changes.
//
// Packaging: up to 6.x linux-image-<abi> holds boot/vmlinuz-<abi> and lib/modules/<abi>; from 7.x it
// is a small meta package and the image is in linux-binary-<abi> (usr/lib/modules/<abi>/vmlinuz),
// the modules in linux-modules-<abi> and modules.builtin in linux-base-<abi>.
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { PrivateApt, debianSource, debVersionCompare, dependsNames, extractDeb } from "./apt.mjs";
import { moduleOrder } from "./modules.mjs";
import { exists, findTool, readJson, run, withLock, writeAtomic } from "./util.mjs";

/** The x86 kernels the tests boot: id -> the suites it comes from and the series expected there. */
export const X86_KERNELS = {
  6.1: { series: "6.1", suites: ["bookworm", "bookworm-security"], label: "Debian 12 (bookworm)" },
  6.12: { series: "6.12", suites: ["bookworm-backports"], label: "bookworm-backports" },
  7.2: { series: "7.2", suites: ["sid"], label: "Debian unstable" },
  7.3: { series: "7.3", suites: ["experimental"], label: "Debian experimental" },
};
export const X86_KERNEL_IDS = Object.keys(X86_KERNELS);
const FLAVOUR = "cloud-amd64";

/** Kernel series ("7.3") of a Debian package version ("7.3~rc7-1~exp1", "6.12.57-1~bpo12+1"). */
export const seriesOf = (debVersion) => /^(?:\d+:)?(\d+\.\d+)/.exec(debVersion)?.[1] ?? null;

/** Cache root for downloaded kernels; VFIO_KERNEL_CACHE lets several checkouts share one. */
export function kernelCacheDir(fallback) {
  return path.resolve(process.env.VFIO_KERNEL_CACHE || fallback);
}

/**
 * The newest kernel of `id`'s suites: { abi, packageVersion, suite, packages: [names to download] }.
 * The meta package linux-image-cloud-amd64 names the ABI; when the suite has moved on to another
 * series the newest one is taken and `moved` says so.
 */
export async function resolveKernel(apt, id) {
  const want = X86_KERNELS[id];
  const metas = await apt.show(`linux-image-${FLAVOUR}`);
  const cands = [];
  for (const m of metas) {
    const img = dependsNames(m.depends).find(
      (n) => n.startsWith("linux-image-") && n.endsWith(`-${FLAVOUR}`) && n !== `linux-image-${FLAVOUR}`,
    );
    if (img) cands.push({ image: img, version: m.version, series: seriesOf(m.version) });
  }
  if (!cands.length) throw new Error(`kernel harness: linux-image-${FLAVOUR} not found in ${want.suites.join(" + ")}`);
  cands.sort((a, b) => debVersionCompare(a.version, b.version));
  const same = cands.filter((c) => c.series === want.series);
  const pick = (same.length ? same : cands).at(-1);
  const image = await apt.newest(pick.image);
  if (!image) throw new Error(`kernel harness: ${pick.image} is named by linux-image-${FLAVOUR} but not in the lists`);
  const abi = pick.image.slice("linux-image-".length);
  // 7.x: the image package is a meta package; the files are in linux-{binary,modules,base}-<abi>
  const split = dependsNames(image.depends).filter((n) =>
    new RegExp(`^linux-(binary|modules|base)-${abi.replace(/[.+]/g, "\\$&")}$`).test(n),
  );
  const packages = split.length ? split : [pick.image];
  return { abi, packageVersion: image.version, series: seriesOf(image.version), moved: !same.length, packages };
}

/**
 * Download (once) and unpack the newest kernel of `id`. Returns { id, abi, series, packageVersion,
 * suite, vmlinuz, modDir, config }. `modDir` holds modules.dep, modules.builtin and the vfio modules.
 */
export async function fetchKernel(id, { cacheDir, log = () => {} }) {
  const want = X86_KERNELS[id];
  if (!want) throw new Error(`kernel harness: unknown kernel "${id}" (want ${X86_KERNEL_IDS.join(", ")})`);
  const pointer = path.join(cacheDir, "kernels", `${id}.json`);
  return withLock(cacheDir, `kernel-${id}`, async () => {
    const apt = new PrivateApt({
      dir: path.join(cacheDir, "apt", `x86-${id}`),
      sources: want.suites.map((s) => debianSource(s)),
      log,
    });
    let r;
    try {
      const refreshed = await apt.update();
      const last = await readJson(pointer);
      // unchanged package lists resolve to the same kernel: skip apt-cache (slow on unstable's index)
      if (!refreshed && last?.listsAt === apt.listsAt && exists(path.join(cacheDir, last.vmlinuz)))
        return absolute(cacheDir, last);
      r = await resolveKernel(apt, id);
    } catch (e) {
      const last = await readJson(pointer);
      if (last && exists(path.join(cacheDir, last.vmlinuz))) {
        log(
          `kernel ${id}: cannot resolve the newest kernel (${e.message.split("\n")[0]}); using the cached ${last.abi} ${last.packageVersion}`,
        );
        return absolute(cacheDir, last);
      }
      throw e;
    }
    if (r.moved)
      log(
        `kernel ${id}: ${want.suites.join(" + ")} no longer offers ${want.series}; using its newest, ${r.abi} (${r.packageVersion})`,
      );
    const dirName = `${r.abi}_${r.packageVersion}`.replace(/[^\w.+-]/g, "_");
    const infoFile = path.join(cacheDir, "kernels", dirName, "info.json");
    let info = await readJson(infoFile);
    if (!info || !exists(path.join(cacheDir, info.vmlinuz))) {
      info = await unpackKernel(apt, r, path.join(cacheDir, "kernels", dirName), cacheDir, log);
      info = { id, suite: want.suites.join("+"), ...info };
      await writeAtomic(infoFile, `${JSON.stringify(info, null, 2)}\n`);
    }
    await writeAtomic(pointer, `${JSON.stringify({ ...info, listsAt: apt.listsAt }, null, 2)}\n`);
    return absolute(cacheDir, info);
  });
}

const absolute = (root, info) => ({
  ...info,
  vmlinuz: path.join(root, info.vmlinuz),
  modDir: path.join(root, info.modDir),
  config: info.config && path.join(root, info.config),
});

async function unpackKernel(apt, r, keepDir, cacheDir, log) {
  const tmp = path.join(cacheDir, "tmp", `${r.abi}-${process.pid}`);
  await fsp.rm(tmp, { recursive: true, force: true });
  try {
    log(`apt: downloading ${r.packages.join(" ")} (${r.packageVersion})`);
    const debs = await apt.download(
      r.packages.map((p) => `${p}=${r.packageVersion}`),
      path.join(tmp, "debs"),
    );
    for (const deb of debs) await extractDeb(deb, path.join(tmp, "root"));
    const root = path.join(tmp, "root");
    const modRoot = [`lib/modules/${r.abi}`, `usr/lib/modules/${r.abi}`]
      .map((d) => path.join(root, d))
      .find((d) => exists(path.join(d, "kernel")));
    if (!modRoot) throw new Error(`kernel harness: ${r.packages.join(" ")} hold no module tree for ${r.abi}`);
    const vmlinuz = [path.join(root, "boot", `vmlinuz-${r.abi}`), path.join(modRoot, "vmlinuz")].find(exists);
    if (!vmlinuz) throw new Error(`kernel harness: ${r.packages.join(" ")} hold no kernel image for ${r.abi}`);
    const config = [path.join(root, "boot", `config-${r.abi}`), path.join(modRoot, "config")].find(exists);
    if (!exists(path.join(modRoot, "modules.dep"))) {
      // Debian packages do not ship modules.dep (postinst runs depmod): build it in the unpacked tree
      const base = modRoot.slice(0, modRoot.length - path.join("lib/modules", r.abi).length);
      await run(findTool("depmod"), ["-b", base, r.abi], { timeoutMs: 300_000 }).catch((e) => {
        throw new Error(`kernel harness: depmod failed for ${r.abi} (install kmod):\n${e.message}`);
      });
    }
    const depText = await fsp.readFile(path.join(modRoot, "modules.dep"), "utf8");
    const builtinText = await fsp.readFile(path.join(modRoot, "modules.builtin"), "utf8").catch(() => "");
    const order = moduleOrder(depText, builtinText);
    await fsp.rm(keepDir, { recursive: true, force: true });
    await fsp.mkdir(path.join(keepDir, "modules"), { recursive: true });
    await fsp.copyFile(vmlinuz, path.join(keepDir, "vmlinuz"));
    if (config) await fsp.copyFile(config, path.join(keepDir, "config"));
    await fsp.writeFile(path.join(keepDir, "modules", "modules.builtin"), builtinText);
    for (const m of order) {
      const dst = path.join(keepDir, "modules", m.rel);
      await fsp.mkdir(path.dirname(dst), { recursive: true });
      await fsp.copyFile(path.join(modRoot, m.rel), dst);
    }
    // a reduced modules.dep holding just the kept modules
    const kept = depText.split("\n").filter((l) => order.some((m) => l.startsWith(`${m.rel}:`)));
    await fsp.writeFile(path.join(keepDir, "modules", "modules.dep"), `${kept.join("\n")}\n`);
    log(`kernel ${r.abi} (${r.packageVersion}) unpacked`);
    const rel = (p) => path.relative(cacheDir, p);
    return {
      abi: r.abi,
      series: r.series,
      packageVersion: r.packageVersion,
      packages: r.packages,
      vmlinuz: rel(path.join(keepDir, "vmlinuz")),
      modDir: rel(path.join(keepDir, "modules")),
      config: config ? rel(path.join(keepDir, "config")) : undefined,
      fetchedAt: new Date().toISOString(),
    };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
