// A device tree for QEMU's arm64 `virt` machine with extra nodes: QEMU writes the tree it would
// give the guest (-M virt,dumpdtb=), the kernel's own dtc decompiles it, the repository's fragment
// is appended (a second `/ { ... };` merges into the root) and dtc compiles the result, which the
// guest then boots with -dtb. Built at test time, cached by QEMU version, machine options, fragment
// and dtc.
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { exists, run, sha256, writeAtomic } from "./util.mjs";

/**
 * @param {{qemu: string, machine: string, machineArgs: string[], dtc: string, fragment: string, outDir: string,
 *          log?: (m: string) => void}} o
 *   machine: the -M value without dumpdtb (e.g. "virt,gic-version=3"); machineArgs: the rest of the
 *   machine's options that shape the tree (-cpu, -m, -smp, devices).
 * @returns {Promise<{dtb: string, dts: string}>} the compiled tree and its source (for reading and reports)
 */
export async function customDtb({ qemu, machine, machineArgs, dtc, fragment, outDir, log = () => {} }) {
  const qemuVersion = (await run(qemu, ["--version"], { timeoutMs: 60_000 })).stdout.split("\n")[0];
  const fragText = await fsp.readFile(fragment, "utf8");
  const key = sha256(
    [qemuVersion, machine, ...machineArgs, fragText, sha256(await fsp.readFile(dtc))].join("\0"),
  ).slice(0, 16);
  const dtb = path.join(outDir, `virt-${key}.dtb`),
    dts = path.join(outDir, `virt-${key}.dts`);
  if (exists(dtb) && exists(dts)) return { dtb, dts };
  await fsp.mkdir(outDir, { recursive: true });
  const tmp = await fsp.mkdtemp(path.join(outDir, "tmp-"));
  try {
    const base = path.join(tmp, "base.dtb");
    await run(qemu, ["-M", `${machine},dumpdtb=${base}`, ...machineArgs, "-nographic", "-nodefaults"], {
      timeoutMs: 120_000,
    });
    const { stdout: baseDts } = await run(dtc, ["-q", "-I", "dtb", "-O", "dts", base], { timeoutMs: 60_000 });
    const combined = path.join(tmp, "combined.dts");
    await fsp.writeFile(combined, `${baseDts}\n/* ---- ${path.basename(fragment)} ---- */\n${fragText}`);
    const out = path.join(tmp, "out.dtb");
    await run(dtc, ["-q", "-I", "dts", "-O", "dtb", "-o", out, combined], { timeoutMs: 60_000 });
    // the tree as the guest gets it, decompiled once more (labels and merges resolved)
    const { stdout: finalDts } = await run(dtc, ["-q", "-I", "dtb", "-O", "dts", out], { timeoutMs: 60_000 });
    await writeAtomic(dts, finalDts);
    await writeAtomic(dtb, await fsp.readFile(out));
    log(`device tree ${path.basename(dtb)}: QEMU's virt tree + ${path.basename(fragment)}`);
    return { dtb, dts };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
