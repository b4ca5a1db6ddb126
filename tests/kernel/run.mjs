#!/usr/bin/env node
// Real-kernel stage (npm run test:kernel): replays requests on Linux 6.1, 6.12, 7.2 and 7.3 under
// QEMU and checks every answer against the device model (bindings/oracle): ret and errno, reply
// bytes, the 256 guard bytes after the buffer, eventfd counters, and that every reply decodes and
// re-encodes byte for byte. Per kernel:
//  * the fixed plan (gen.mjs: every INFO argsz variant, every invalid SET_IRQS class, INTx / MSI /
//    MSI-X / ERR / REQ cycles) and a short boot with interrupt remapping off;
//  * a differential campaign: stateful random segments (walk.mjs) per device and seed, in bounded
//    batches per boot, with a JSON summary; mismatches are shrunk to reproducer files (shrink.mjs).
//
//   node tests/kernel/run.mjs [--kernel 6.1|6.12|7.2|7.3|all|K,K] [--seed S | --seeds A..B]
//        [--random N] [--batch N] [--jobs N] [--no-fixed] [--no-intremap-run] [--summary FILE]
//        [--shrink N | --no-shrink] [--repro-dir DIR] [--work-dir DIR] [--verbose] [--dump DIR]
//   node tests/kernel/run.mjs --replay FILE... [--kernel K] [--record]
//     replay reproducer files on the kernel each names (or on --kernel) and check the model;
//     --record rewrites each file's "#>" lines with the kernel's answers (then the unit tests
//     check the model against them without QEMU)
//
// --random N: random requests per device and seed (default 2000); --batch N: requests per boot
// (default 20000); --jobs N: boots at a time (default 2, or VFIO_KERNEL_JOBS).
// Exit: 0 all matched; 1 a mismatch; 2 a kernel could not be prepared or booted after retries.
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_WORK_DIR, KERNELS, parseTranscript, prepareKernels, runScript } from "./harness.mjs";
import { runCampaign } from "./campaign.mjs";
import { buildScript, checkSegment, newStats, splitRecords } from "./check.mjs";
import { cleanupItems, fixedItems, intremapOffItems } from "./gen.mjs";
import { formatRepro, parseRepro } from "./repro.mjs";
import { shrinkMismatch, tailItems } from "./shrink.mjs";
import { DEFAULT_ENV } from "./walk.mjs";
import { intArg, listArg, parseOptions, seedArg, seedRange, usageError } from "../../scripts/lib/options.mjs";

if (!fs.existsSync(new URL("../../dist/bindings/index.js", import.meta.url))) {
  console.error("kernel stage: dist/bindings is missing - run `node scripts/build.mjs` first");
  process.exit(2);
}
const bindings = await import("../../dist/bindings/index.js");
const oracle = await import("../../dist/bindings/oracle/index.js");
const api = { ...bindings, kernelRules: oracle.kernelRules };
const harness = { runScript: (o) => runScript({ workDir, ...o }), parseTranscript };

// ---- options
const USAGE =
  "node tests/kernel/run.mjs [--kernel 6.1|6.12|7.2|7.3|all|K,K] [--seed S | --seeds A..B] [--random N] [--batch N]" +
  " [--jobs N] [--no-fixed] [--no-intremap-run] [--summary FILE] [--shrink N | --no-shrink] [--repro-dir DIR]" +
  " [--work-dir DIR] [--verbose] [--dump DIR]\n       node tests/kernel/run.mjs --replay FILE... [--kernel K] [--record]";
const string = { type: "string" },
  flag = { type: "boolean" };
const { values: args, positionals } = parseOptions("kernel stage", {
  usage: USAGE,
  allowPositionals: true,
  options: {
    kernel: string,
    seed: string,
    seeds: string,
    random: string,
    batch: string,
    jobs: string,
    "no-fixed": flag,
    "no-intremap-run": flag,
    summary: string,
    shrink: string,
    "no-shrink": flag,
    "repro-dir": string,
    "work-dir": string,
    verbose: flag,
    dump: string,
    replay: flag,
    record: flag,
  },
});
if (positionals.length && !args.replay) usageError("kernel stage", `unexpected argument ${positionals[0]}`, USAGE);
if (args.replay && !positionals.length) usageError("kernel stage", "--replay wants reproducer files", USAGE);
const kernels = listArg("kernel stage", "--kernel", args.kernel ?? "all", KERNELS);
const seeds = args.seeds
  ? seedRange("kernel stage", "--seeds", args.seeds)
  : [seedArg("kernel stage", "--seed", args.seed, 20240611)];
const perDevice = intArg("kernel stage", "--random", args.random, 2000);
const batch = intArg("kernel stage", "--batch", args.batch, 20000, 1);
const jobs = intArg("kernel stage", "--jobs", args.jobs ?? process.env.VFIO_KERNEL_JOBS, 2, 1);
const workDir = path.resolve(args["work-dir"] ?? DEFAULT_WORK_DIR);
const shrinkMax = args["no-shrink"] ? 0 : intArg("kernel stage", "--shrink", args.shrink, 3);
const reproDir = path.resolve(args["repro-dir"] ?? path.join(workDir, "repro"));
const verbose = args.verbose;
const dump = args.dump;
const replayFiles = args.replay ? positionals : null;

/** A pool shared by every kernel: at most `jobs` boots at a time (each boot wants a core under TCG). */
function makePool(n) {
  let active = 0;
  const waiting = [];
  const acquire = () => {
    if (active < n) {
      active++;
      return Promise.resolve();
    }
    return new Promise((r) => waiting.push(r));
  };
  const release = () => {
    const w = waiting.shift();
    if (w) w();
    else active--;
  };
  return (items, fn) =>
    Promise.all(
      items.map(async (it, i) => {
        await acquire();
        try {
          return await fn(it, i);
        } finally {
          release();
        }
      }),
    );
}
const pool = makePool(jobs);
const summaries = [];
const log = (m) => console.log(`  [harness] ${m}`);
const t0 = Date.now();
let lastProgress = 0;
function progress(p) {
  const now = Date.now();
  if (now - lastProgress < 5000 && p.boots < p.of) return;
  lastProgress = now;
  const rate = p.requests / Math.max(1, p.ms / 1000);
  console.log(
    `  [${p.kernel}] boots ${p.boots}/${p.of}, requests ${p.requests} (${rate.toFixed(0)}/s wall), mismatches ${p.mismatches}, ${(p.ms / 1000).toFixed(0)} s`,
  );
}

// ---- prepare
let prepared;
try {
  prepared = await prepareKernels({
    workDir,
    kernels: replayFiles
      ? [
          ...new Set(
            replayFiles
              .map(kernelOfFile)
              .filter(Boolean)
              .concat(kernelArg === "all" ? [] : kernels),
          ),
        ]
      : kernels,
    log,
  });
} catch (e) {
  console.error(`kernel stage: ${e.message}`);
  process.exit(2);
}
for (const [k, v] of Object.entries(prepared))
  console.log(`kernel ${k}: ${v.version} (${v.packageVersion}, ${v.suite})`);

function kernelOfFile(f) {
  return /^#\s*kernel:\s*(\S+)/m.exec(fs.readFileSync(f, "utf8"))?.[1] ?? null;
}

const exit = replayFiles ? await replay(replayFiles) : await stage();
console.log(
  `kernel stage: ${exit === 0 ? "OK" : `FAILED (exit ${exit})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
process.exit(exit);

// ---- the fixed plan: one segment per device, and the interrupt-remapping-off boot
function fixedSegments(kernel) {
  return ["edu", "e1000e", "virtio-rng", "xhci"].map((name) => {
    const device = api.qemuDevice(name, kernel);
    return { device, env: DEFAULT_ENV, items: [...fixedItems(device, new api.DeviceModel(device)), ...cleanupItems()] };
  });
}

/**
 * With interrupt remapping off in the guest (intremap=off, vfio_iommu_type1 allow_unsafe_interrupts=1)
 * multi-vector MSI cannot be allocated: SET_IRQS returns the number of vectors it could get and
 * MSI stays disabled. The descriptions say intremap: false.
 */
function intremapOffSegments(kernel) {
  return ["xhci", "edu"].map((name) => {
    const device = { ...api.qemuDevice(name, kernel), intremap: false, msiAllocMax: 1 };
    return { device, env: DEFAULT_ENV, items: [...intremapOffItems(device), ...cleanupItems()] };
  });
}

/** The committed reproducers recorded on `kernel` (tests/kernel/repro/*@<kernel>.txt), as segments. */
function reproSegments(kernel) {
  const dir = new URL("./repro/", import.meta.url);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(`@${kernel}.txt`))
    .sort()
    .map((f) => {
      const rep = parseRepro(fs.readFileSync(new URL(f, dir), "utf8"));
      return { device: api.qemuDevice(rep.deviceName, kernel), env: rep.env, items: rep.items, note: f };
    });
}

/** Segments with a quieting tail after each (the tails are run but not checked). */
function withTails(segs) {
  return segs.flatMap((s) => [s, { ...s, items: tailItems(s.device), tail: true }]);
}

async function runFixed(kernel, label, segments, append) {
  const all = withTails(segments);
  const r = await runScript({ kernel, script: buildScript(all, [`fixed plan ${label}`]), append, workDir, log });
  if (dump) {
    fs.mkdirSync(dump, { recursive: true });
    fs.writeFileSync(path.join(dump, `${label.replace(/[^\w.=-]/g, "_")}.txt`), r.transcript);
  }
  const stats = newStats();
  const bad = [];
  splitRecords(parseTranscript(r.transcript), all).forEach((recs, i) => {
    if (all[i].tail) return;
    for (const b of checkSegment(api, kernel, all[i], recs, stats))
      bad.push({ device: all[i].note ?? all[i].device.name, ...b, item: all[i].items[b.itemIndex] });
  });
  console.log(
    `kernel ${label} (${r.version}): fixed plan and reproducers: requests ${stats.requests}, ret/errno matched ${stats.retErrnoMatched}, ` +
      `reply+guard bytes matched ${stats.bytesMatched}, eventfd counters matched ${stats.eventfdMatched}/${stats.eventfdReads}, wall ${r.wallMs} ms`,
  );
  for (const b of bad) console.log(`  MISMATCH ${b.device} [${b.item?.note ?? b.itemIndex}] ${b.kind}: ${b.detail}`);
  return bad.length ? 1 : 0;
}

async function stage() {
  let status = 0;
  const worse = (s) => {
    status = Math.max(status, s);
  };
  const tasks = [];
  for (const kernel of kernels) {
    const fixed = args["no-fixed"] ? [] : withTails([...fixedSegments(kernel), ...reproSegments(kernel)]);
    if (!args["no-fixed"] && !args["no-intremap-run"]) {
      tasks.push(
        pool([0], () =>
          runFixed(kernel, `${kernel}/intremap=off`, intremapOffSegments(kernel), "intremap=off vfio_unsafe_irq=1"),
        ).then(
          ([s]) => worse(s),
          (e) => {
            console.log(`kernel ${kernel}/intremap=off: BOOT/HARNESS FAILURE\n${e.message}`);
            worse(2);
          },
        ),
      );
    }
    // the fixed plan and the reproducers run in the campaign's first boot
    tasks.push(
      runCampaign({ kernel, seeds, perDevice, batch, api, harness, pool, log, progress, prefix: fixed }).then(
        (res) => {
          worse(fixedDone(kernel, res.prefix, fixed));
          return campaignDone(kernel, res).then(worse);
        },
        (e) => {
          console.log(`kernel ${kernel}: BOOT/HARNESS FAILURE\n${e.message}`);
          worse(2);
        },
      ),
    );
  }
  await Promise.all(tasks);
  return status;
}

function fixedDone(kernel, { stats, mismatches }, segments) {
  if (!segments.length) return 0;
  console.log(
    `kernel ${kernel}: fixed plan and reproducers: requests ${stats.requests}, ret/errno matched ${stats.retErrnoMatched}, ` +
      `reply+guard bytes matched ${stats.bytesMatched}, eventfd counters matched ${stats.eventfdMatched}/${stats.eventfdReads}`,
  );
  for (const m of mismatches)
    console.log(
      `  MISMATCH ${m.segment.note ?? m.segment.device.name} [${m.segment.items[m.first.itemIndex]?.note ?? m.first.itemIndex}] ${m.first.kind}: ${m.first.detail}`,
    );
  return mismatches.length ? 1 : 0;
}

async function campaignDone(kernel, { summary, mismatches }) {
  summaries.push(summary);
  const s = summary;
  console.log(
    `kernel ${kernel} (${s.version}): campaign seeds ${Array.isArray(s.seeds) ? s.seeds.join(",") : s.seeds}: requests ${s.requests}, ` +
      `ret/errno matched ${s.retErrnoMatched}, reply+guard bytes matched ${s.bytesMatched}, eventfd counters matched ${s.eventfdMatched}/${s.eventfdReads}, ` +
      `mismatches ${s.mismatches}; ${s.boots} boot(s) in ${s.bootAttempts} attempt(s), ${s.requestsPerSecond} requests/s per booted kernel (${s.requestsPerReplaySecond ?? "?"}/s while replaying; ${s.requestsPerCpuSecond ?? "?"} per QEMU CPU second)`,
  );
  for (const why of s.bootRetries) console.log(`  retried: ${why}`);
  if (verbose) console.log(JSON.stringify(s, null, 2));
  writeSummaries();
  for (const m of mismatches.slice(0, verbose ? 50 : 10)) {
    const it = m.segment.items[m.first.itemIndex];
    console.log(
      `  MISMATCH seed ${m.seed} ${m.device} segment ${m.segment.desc.index} item ${m.first.itemIndex} [${it?.note ?? ""}] ${m.first.kind} (${m.first.rule}): ${m.first.detail}`,
    );
  }
  if (!mismatches.length) return summary.requests || !perDevice ? 0 : 1;
  // shrink the first mismatch of each (kind, rule), at most shrinkMax of them
  const seen = new Set();
  const todo = mismatches
    .filter((m) => {
      const k = `${m.first.kind}/${m.first.rule}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .slice(0, shrinkMax);
  await Promise.all(todo.map((m) => shrinkAndWrite(kernel, m)));
  return 1;
}

async function shrinkAndWrite(kernel, m) {
  try {
    const r = await shrinkMismatch({
      api,
      harness: { runScript: (o) => pool([0], () => harness.runScript(o)).then(([x]) => x), parseTranscript },
      kernel,
      mismatch: m,
      log,
    });
    if (!r) {
      console.log(
        `  shrink: seed ${m.seed} ${m.device} item ${m.first.itemIndex}: the truncated segment does not fail again`,
      );
      return;
    }
    fs.mkdirSync(reproDir, { recursive: true });
    const file = path.join(
      reproDir,
      `${kernel}-${m.device}-${m.first.kind}-${m.first.rule}-${m.seed}-${m.segment.desc.index}-${m.first.itemIndex}.txt`.replace(
        /[^\w.=-]/g,
        "_",
      ),
    );
    fs.writeFileSync(
      file,
      formatRepro({
        kernel,
        version: r.version,
        packageVersion: r.packageVersion,
        segment: { ...m.segment, items: r.items },
        records: r.records,
        notes: [
          `found: seed ${m.seed}, ${m.device} segment ${m.segment.desc.index}; shrunk from ${r.from} to ${r.items.length} items in ${r.boots} boots${r.stable ? "" : " (NOT stable: failed in only one of two confirming runs)"}`,
          `mismatch: ${r.failure?.kind} (${r.failure?.rule}): ${(r.failure?.detail ?? "")
            .split("\n")
            .map((x) => x.trim())
            .join("; ")}`,
        ],
      }),
    );
    console.log(
      `  shrink: ${path.relative(process.cwd(), file)}: ${r.items.length} items (from ${r.from}), ${r.boots} boots`,
    );
  } catch (e) {
    console.log(`  shrink failed: ${e.message.split("\n")[0]}`);
  }
}

function writeSummaries() {
  const file = args.summary;
  if (file) fs.writeFileSync(file, `${JSON.stringify({ kernels: summaries }, null, 2)}\n`);
}

// ---- --replay FILE...: replay reproducers (each on its own kernel, or --kernel), check the model
async function replay(files) {
  let status = 0;
  const byKernel = new Map();
  for (const f of files) {
    const rep = parseRepro(fs.readFileSync(f, "utf8"));
    for (const k of kernelArg === "all" ? [rep.kernel] : kernels) {
      const device = api.qemuDevice(rep.deviceName, k);
      if (!byKernel.has(k)) byKernel.set(k, []);
      byKernel.get(k).push({ file: f, rep, segment: { device, env: rep.env, items: rep.items } });
    }
  }
  await Promise.all(
    [...byKernel].map(async ([kernel, list]) => {
      const segs = list.map((x) => x.segment);
      // each reproducer is followed by a tail that leaves the device quiet for the next one
      const all = withTails(segs);
      let r;
      try {
        [r] = await pool([0], () =>
          runScript({ kernel, script: buildScript(all, ["replay of reproducers"]), workDir, log }),
        );
      } catch (e) {
        console.log(`kernel ${kernel}: BOOT/HARNESS FAILURE\n${e.message}`);
        status = 2;
        return;
      }
      splitRecords(parseTranscript(r.transcript), all)
        .filter((_, j) => j % 2 === 0)
        .forEach((recs, i) => {
          if (args.record) {
            const { rep, file } = list[i];
            const notes = rep.notes.filter((n) => !/^vfio-abi kernel reproducer/.test(n));
            fs.writeFileSync(
              file,
              formatRepro({
                kernel,
                version: r.version,
                packageVersion: r.packageVersion,
                segment: segs[i],
                records: recs,
                notes,
              }),
            );
          }
          const bad = checkSegment(api, kernel, segs[i], recs, newStats());
          console.log(
            `${path.relative(process.cwd(), list[i].file)} on ${kernel} (${r.version}): ${bad.length ? `${bad.length} MISMATCH(ES)` : `all ${segs[i].items.length} items match`}`,
          );
          for (const b of bad) console.log(`  MISMATCH item ${b.itemIndex} ${b.kind} (${b.rule}): ${b.detail}`);
          if (bad.length) status = 1;
        });
    }),
  );
  return status;
}
