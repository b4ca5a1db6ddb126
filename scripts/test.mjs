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
// Select stages with --only=a,b or skip with --skip=a,b (e.g. --skip=kernel on a laptop: it skips
// both QEMU stages, kernel and cross).
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
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
const run = (name, cmd, args, env = {}) => {
  if (!want(name)) {
    console.log(`\n=== ${name}: not selected`);
    return;
  }
  console.log(`\n=== ${name}: ${[cmd === process.execPath ? "node" : cmd, ...args].join(" ")}`);
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  // exit 3: the stage did not run (a peer or tool is missing); it said why and how to enable it.
  // exit 4: it ran in part (what ran passed); it said what was skipped and why
  results.push({
    name,
    ok: r.status === 0 || r.status === 3 || r.status === 4,
    notRun: r.status === 3,
    partial: r.status === 4,
    ms: Date.now() - t,
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
run("lint", join(root, "node_modules", ".bin", "biome"), ["ci", "--colors=off", "."]);
run("build", process.execPath, ["scripts/build.mjs"]);
run("gen", process.execPath, ["scripts/gen.mjs", "--check"]);
run("as", join(root, "node_modules", ".bin", "asp"), ["--summary", "--no-logo"]);
const files = walk(join(root, "tests")).sort();
run("node", process.execPath, ["--test", "--test-concurrency=2", ...files]);
if (existsSync(join(root, "tests", "kernel", "run.mjs"))) run("kernel", process.execPath, ["tests/kernel/run.mjs"]);
run("kernel-uapi", process.execPath, ["tests/kernel/uapi.mjs"]);
// the cross stage is a QEMU stage too: --skip=kernel leaves it out as well (--only=cross runs it)
if (skip.includes("kernel") && !only?.includes("cross")) skip.push("cross");
run("cross", process.execPath, [
  "tests/kernel/cross/run.mjs",
  "--build-budget",
  process.env.VFIO_CROSS_BUILD_BUDGET || String(CROSS_BUILD_BUDGET_MIN),
]);
run("vfio-user", process.execPath, ["tests/vfio-user/run.mjs"]);

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
