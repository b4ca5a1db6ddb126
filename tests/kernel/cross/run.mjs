#!/usr/bin/env node
// Foreign-architecture kernel stage (npm run test:cross): vfio-platform / vfio-amba on arm64 and
// zPCI (big-endian) on s390x, and the cdev / iommufd path (tests/kernel/cdev.mjs: bind, attach and
// detach through /dev/vfio/devices/vfioN, predicted by the cdev model) on every s390x kernel; the
// arm64 guest has no device a cdev exists for, which is SKIPPED loudly. The kernels are minimal ones
// built here from Debian's linux-source packages
// (6.12 from bookworm-backports, 7.2 from unstable). The kernels are built one after the other
// (cached: a later run reuses them), then every (stage, kernel) pair boots in parallel.
//
//   node tests/kernel/cross/run.mjs [--stage platform|zpci|cdev]... [--series 6.12|7.2]... [--seed N]
//        [--random N] [--verbose] [--tables] [--dump DIR] [--build-budget MINUTES] [--dtsi FILE]
//
// --dtsi: boot the arm64 guest with another device-tree fragment (default platform-devices.dtsi);
// its top-level name@address nodes are the platform devices opened, with virt's own.
//
// VFIO_KERNEL_CACHE: where sources, kernels and package lists are kept (default tests/kernel/.work/cache).
// --build-budget (or VFIO_CROSS_BUILD_BUDGET, minutes): kernels not cached yet are built only while
// the budget lasts (a build still running at its end is stopped, and resumed by the next run); the
// stages whose kernel is not ready are SKIPPED, loudly. 0 = use cached kernels only. Default: no limit.
// A kernel source or guest package the mirror cannot give (unreachable, download failed) skips its
// stages the same way. The last lines of the output say what each (stage, kernel) pair did.
// Exit: 0 all matched; 1 a mismatch; 2 a toolchain is missing or a kernel could not be built or
// booted; 3 nothing ran (every kernel skipped); 4 what ran matched, some were skipped.
import * as fs from "node:fs";
import * as path from "node:path";
import { BuildBudgetError, KernelUnavailableError, SERIES } from "../lib/kbuild.mjs";
import { prepareGuest } from "./machines.mjs";
import { intArg, listArg, parseOptions, seedArg, usageError } from "../../../scripts/lib/options.mjs";

if (!fs.existsSync(new URL("../../../dist/bindings/index.js", import.meta.url))) {
  console.error("cross stage: dist/bindings is missing - run `node scripts/build.mjs` first");
  process.exit(2);
}
const { platformStage } = await import("./platform.mjs");
const { zpciStage } = await import("./zpci.mjs");
const { cdevStage, CDEV_UNSUPPORTED } = await import("../cdev.mjs");
const { bootStage, report, seedFor } = await import("./stage.mjs");
const { irqTopology, formatTopology } = await import("../../../dist/bindings/index.js");

const STAGES = { platform: platformStage, zpci: zpciStage, cdev: cdevStage };
const USAGE =
  "node tests/kernel/cross/run.mjs [--stage platform|zpci|cdev]... [--series 6.12|7.2]... [--seed N] [--random N]" +
  " [--verbose] [--tables] [--dump DIR] [--build-budget MINUTES] [--dtsi FILE]";
const many = { type: "string", multiple: true, default: [] };
const { values: args } = parseOptions("cross stage", {
  usage: USAGE,
  options: {
    stage: many,
    series: many,
    seed: { type: "string" },
    random: { type: "string" },
    verbose: { type: "boolean" },
    tables: { type: "boolean" },
    dump: { type: "string" },
    "build-budget": { type: "string" },
    dtsi: { type: "string" },
  },
});
const stageNames = args.stage.length ? args.stage : Object.keys(STAGES);
const stages = listArg("cross stage", "--stage", stageNames.join(","), Object.keys(STAGES)).map((s) => STAGES[s]);
const series = args.series.length ? listArg("cross stage", "--series", args.series.join(","), SERIES) : SERIES;
const seed = seedArg("cross stage", "--seed", args.seed, 20201117);
const random = intArg("cross stage", "--random", args.random, 2000);
const { verbose, tables, dump } = args;
const dtFragment = args.dtsi ? path.resolve(args.dtsi) : undefined;
const budgetText = args["build-budget"] ?? (process.env.VFIO_CROSS_BUILD_BUDGET || undefined);
const budgetMin = budgetText === undefined ? Number.POSITIVE_INFINITY : Number(budgetText);
if (!(budgetMin >= 0))
  usageError("cross stage", "--build-budget wants a number of minutes (0: cached kernels only)", USAGE);
const log = (m) => console.log(`  [cross] ${m}`);
const t0 = Date.now();

// kernels first, one at a time (a cold build takes minutes; two at once only share the cores)
const guests = [];
/** What each (stage, kernel) pair did, for the last lines of the output: { tag, summary }. */
const outcomes = [];
const skipped = [];
const deadline = t0 + budgetMin * 60_000;
let exit = 0;
for (const s of series) {
  for (const stage of stages) {
    const t = Date.now();
    const tag = `${stage.name} ${stage.arch} ${s}`;
    try {
      const g = await prepareGuest({ arch: stage.arch, series: s, deadline, dtFragment, log });
      const k = g.kernel;
      console.log(
        `cross: ${stage.arch} ${s} kernel ${k.release} (${k.sourcePackage} ${k.sourceVersion}): ` +
          `${k.cached ? "cached" : `built: make ${Math.round(k.buildMs / 1000)} s wall, ${Math.round(k.makeCpuMs / 1000)} s CPU`}, ready in ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
      guests.push({ stage, guest: g });
    } catch (e) {
      const first = e.message.split("\n")[0];
      if (e instanceof KernelUnavailableError) {
        const why =
          e instanceof BuildBudgetError
            ? `kernel not built within the ${budgetMin}-minute build budget (${first})`
            : `kernel source or guest package unavailable (${first})`;
        skipped.push(tag);
        outcomes.push({ tag, summary: `SKIPPED: ${why}` });
        console.log(`cross: ${stage.arch} ${s}: SKIPPED, ${why}`);
        continue;
      }
      console.log(`cross: ${stage.arch} ${s}: KERNEL/TOOLCHAIN FAILURE\n${e.message}`);
      outcomes.push({ tag, summary: `KERNEL/TOOLCHAIN FAILURE: ${first}` });
      exit = 2;
    }
  }
}
console.log(`cross: kernels ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// the cdev plan where a guest has no device with a cdev: said on every run, never passed in silence
if (stages.includes(cdevStage))
  for (const s of series)
    for (const [arch, why] of Object.entries(CDEV_UNSUPPORTED)) {
      const tag = `cdev ${arch} ${s}`;
      outcomes.push({ tag, summary: `SKIPPED (cdev / iommufd not replayed): ${why}` });
      console.log(
        `${"!".repeat(100)}\ncross: ${tag}: SKIPPED, cdev / iommufd not replayed: ${why}\n${"!".repeat(100)}`,
      );
    }

const t1 = Date.now();
const runs = await Promise.all(
  guests.map(({ stage, guest }) => bootStage(stage, guest, { seed: seedFor(seed, guest.series), random, log })),
);
for (const run of runs) {
  if (dump && run.r) {
    fs.mkdirSync(dump, { recursive: true });
    const f = `${run.stage.name}-${run.series}`;
    fs.writeFileSync(path.join(dump, `${f}.txt`), run.r.transcript);
    fs.writeFileSync(path.join(dump, `${f}.req.txt`), run.plan.script);
  }
  const describe = tables ? (run.stage.describe ?? ((p) => formatTopology(irqTopology(p.device)))) : null;
  const { code, summary } = run.stage.report ? run.stage.report(run) : report(run, { random, verbose, describe });
  outcomes.push({ tag: `${run.stage.name} ${run.stage.arch} ${run.series}`, summary });
  exit = Math.max(exit, code);
}
if (skipped.length) {
  const bar = "!".repeat(100);
  console.log(
    `${bar}\ncross stage: SKIPPED ${skipped.length} of ${skipped.length + guests.length} (stage, kernel) pairs: ${skipped.join("; ")}\n` +
      "  their kernels were not built (build budget) or their sources could not be fetched. Build them once\n" +
      "  with `npm run test:cross` (no budget) or `node tests/kernel/lib/kbuild.mjs`, keeping VFIO_KERNEL_CACHE\n" +
      `  between runs so later runs find them cached.\n${bar}`,
  );
  if (exit === 0) exit = guests.length ? 4 : 3;
}
// the last lines: one per (stage, kernel) pair, then the verdict (a failing run's summary repeats them)
console.log("cross stage summary:");
for (const o of outcomes) console.log(`  ${o.tag.padEnd(20)} ${o.summary}`);
const verdict = { 0: "OK", 1: "FAILED (a reply did not match)", 2: "FAILED (a kernel could not be built or booted)" };
console.log(
  `cross stage: ${verdict[exit] ?? (exit === 4 ? "PARTIAL (what ran matched; the rest SKIPPED)" : "NOT RUN (every kernel SKIPPED)")} (exit ${exit}); ` +
    `boots+replays ${((Date.now() - t1) / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
process.exit(exit);
