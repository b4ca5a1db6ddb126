#!/usr/bin/env node
// The one test command (npm test): build, then every stage. Stages:
//   lint     Biome: formatting and lint rules (npm run format fixes what it can)
//   gen      generated files are up to date (regenerating would not change them)
//   as       as-pect specs for the AssemblyScript internals
//   node     node:test suites: tests/**/*.test.mjs (bindings, CLI, C reference, oracle, fuzz,
//            embedding, browser e2e) - each suite skips nothing silently
//   kernel   real Linux 6.1 / 6.12 / 7.2 / 7.3 under QEMU (npm run test:kernel)
//   kernel-uapi  the same kernels answer VFIO_DEVICE_FEATURE, hot reset info and hot reset, group status and
//            type1 MAP/UNMAP_DMA; the uAPI model predicts every answer (runs and skips with kernel)
//   cross    vfio-platform/amba on arm64 and zPCI on s390x, on minimal kernels built from Debian's
//            sources (npm run test:cross); kernels not cached are built within a budget of
//            VFIO_CROSS_BUILD_BUDGET minutes (default 30), the rest is skipped loudly (exit 4: ran
//            in part; exit 3: nothing ran)
//   vfio-user  a real libvfio-user server built from its source snapshot answers codec-built
//            messages; the libvfio-user model predicts every answer (exit 3 = did not run: no
//            snapshot; the summary says so)
//   syzkaller  syzkaller's own compiler accepts `vfio-abi syzlang` on its 9 linux arches, in syz-fmt's
//            canonical form; the .const values match gcc on each arch's uapi headers; syzkaller reads
//            the fuzz corpus exported as programs (exit 3 = did not run: no checker beside the clone;
//            the first run builds it into VFIO_ABI_SYZ_WORK, default tests/syzkaller/.work)
// Select stages with --only=a,b or skip with --skip=a,b (e.g. --skip=kernel on a laptop: it skips
// both QEMU stages, kernel and cross).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseOptions } from "./lib/options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseOptions("test", {
  usage: "node scripts/test.mjs [--only=STAGE,STAGE] [--skip=STAGE,STAGE] [--no-install]",
  options: { only: { type: "string" }, skip: { type: "string" }, "no-install": { type: "boolean" } },
});
const only = args.only?.split(",") ?? null,
  skip = args.skip?.split(",") ?? [];
/** A stage that belongs to another one: selected and skipped with it. */
const PARENT = { "kernel-uapi": "kernel" };
const want = (s) =>
  (!only || only.includes(s) || only.includes(PARENT[s])) && !skip.includes(s) && !skip.includes(PARENT[s]);
const results = [];
/** Minutes the cross stage may spend building kernels that are not cached (CI's time limit). */
const CROSS_BUILD_BUDGET_MIN = 30;
/** What a failed stage printed last, repeated under the summary (a CI log is often read from its end). */
const TAIL_BYTES = 6000;
const run = async (name, cmd, args, env = {}) => {
  if (!want(name)) {
    console.log(`\n=== ${name}: not selected`);
    return;
  }
  console.log(`\n=== ${name}: ${[cmd === process.execPath ? "node" : cmd, ...args].join(" ")}`);
  const t = Date.now();
  let tail = "";
  const child = spawn(cmd, args, { cwd: root, stdio: ["inherit", "pipe", "pipe"], env: { ...process.env, ...env } });
  const keep = (out) => (chunk) => {
    out.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-TAIL_BYTES);
  };
  child.stdout.on("data", keep(process.stdout));
  child.stderr.on("data", keep(process.stderr));
  const status = await new Promise((resolve) => {
    child.on("error", (e) => {
      tail += `\n${e.message}`;
      resolve(127);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  // exit 3: the stage did not run (a peer or tool is missing); it said why and how to enable it.
  // exit 4: it ran in part (what ran passed); it said what was skipped and why
  results.push({
    name,
    ok: status === 0 || status === 3 || status === 4,
    notRun: status === 3,
    partial: status === 4,
    ms: Date.now() - t,
    status,
    tail,
  });
};
const walk = (d) =>
  readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    if (f === "node_modules" || f.startsWith(".")) return [];
    return statSync(p).isDirectory() ? walk(p) : f.endsWith(".test.mjs") ? [relative(root, p)] : [];
  });

// A fresh clone: install what is missing (npm packages; Debian packages when root).
if (!existsSync(join(root, "node_modules", ".bin", "asc"))) {
  console.log("=== npm ci (node_modules missing)");
  if (spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" }).status !== 0)
    process.exit(1);
}
if (!args["no-install"]) {
  const r = spawnSync("bash", [join(root, "scripts", "install-system.sh")], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) console.log("warning: some Debian packages are missing; the stages that need them will fail");
}
await run("lint", join(root, "node_modules", ".bin", "biome"), ["ci", "--colors=off", "."]);
await run("build", process.execPath, ["scripts/build.mjs"]);
await run("gen", process.execPath, ["scripts/gen.mjs", "--check"]);
await run("as", join(root, "node_modules", ".bin", "asp"), ["--summary", "--no-logo"]);
const files = walk(join(root, "tests")).sort();
await run("node", process.execPath, ["--test", "--test-concurrency=2", ...files]);
if (existsSync(join(root, "tests", "kernel", "run.mjs")))
  await run("kernel", process.execPath, ["tests/kernel/run.mjs"]);
await run("kernel-uapi", process.execPath, ["tests/kernel/uapi.mjs"]);
// the cross stage is a QEMU stage too: --skip=kernel leaves it out as well (--only=cross runs it)
if (skip.includes("kernel") && !only?.includes("cross")) skip.push("cross");
await run("cross", process.execPath, [
  "tests/kernel/cross/run.mjs",
  "--build-budget",
  process.env.VFIO_CROSS_BUILD_BUDGET || String(CROSS_BUILD_BUDGET_MIN),
]);
await run("vfio-user", process.execPath, ["tests/vfio-user/run.mjs"]);
await run("syzkaller", process.execPath, ["tests/syzkaller/run.mjs"]);

for (const r of results.filter((r) => !r.ok)) {
  const lines = r.tail.split("\n").slice(-60).join("\n");
  console.log(`\n=== ${r.name} FAILED (exit ${r.status}); the last lines it printed:\n${lines}`);
}
console.log("\n=== summary");
const status = (r) => (r.notRun ? "NOT RUN" : r.partial ? "PARTIAL" : r.ok ? "ok  " : "FAIL");
const why = (r) =>
  r.notRun
    ? ": did not run (see its output for how to enable it)"
    : r.partial
      ? ": passed what ran, SKIPPED the rest (see its output for what and why)"
      : "";
for (const r of results) console.log(`${status(r)} ${r.name} (${(r.ms / 1000).toFixed(1)} s)${why(r)}`);
const failed = results.filter((r) => !r.ok).length,
  notRun = results.filter((r) => r.notRun).length,
  partial = results.filter((r) => r.partial).length;
console.log(
  `stages: ${results.length - failed - notRun} passed${partial ? ` (${partial} in part)` : ""}, ${failed} failed${notRun ? `, ${notRun} did not run` : ""}`,
);
process.exit(failed ? 1 : 0);
