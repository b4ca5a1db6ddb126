// `vfio-abi fuzz` (corpora, campaign) and `vfio-abi syzlang`.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  generate,
  FAMILIES,
  replayCase,
  campaignShard,
  FAILURE_KINDS,
  CLASSES,
  className,
  type ShardStats,
} from "./index.js";
import { syzlangCommand } from "./syzlang-cli.js";
import { checkDescription, deviceBlock, fdEnvText, type DeviceDescription } from "../oracle/model/device.js";
import { qemuDevice } from "../oracle/model/qemu.js";
import { DEFAULT_KERNEL, KNOWN_KERNELS } from "../oracle/model/kernel.js";
import { toHex } from "../hex.js";
import { CliUsageError, intOption, numberOption, parseCommandArgs } from "../cli-args.js";
import { writeNew } from "../cli-io.js";

const USAGE = `usage:
  vfio-abi fuzz --struct <name> --count N [--seed S] --out DIR [--force] [--class NAME] [--device NAME|FILE.json]
                [--kernel ${KNOWN_KERNELS.join("|")}] [--eventfds LIST] [--files LIST]
                [--arch A | --endian little|big] [--epoch 6.1|6.6]
      write N labelled cases: DIR/<struct>-<seed>-<i>.bin (raw bytes, libFuzzer/AFL style) and .json
      (mutation class, expected kernel outcome and codec outcome, the kernel and the fd environment
      the label assumes: eventfds and other open files, every other fd closed; default eventfds
      100-131, files 0-2, as in the kernel harness). Existing files are kept unless --force; symbolic
      links in DIR are never written through. struct: ${FAMILIES.join(", ")}
  vfio-abi fuzz --campaign [--seconds T | --count N] [--workers K] [--seed S] [--progress] [--failures DIR]
      generator -> mutator -> decoder -> validator -> round trip in wasm worker threads; JSON summary on
      stdout; failures saved with their seed and case index.
  vfio-abi syzlang      a syzkaller description of the VFIO ioctls (vfio-abi syzlang --help)`;

function loadDevice(spec: string | undefined, kernel: string | undefined): DeviceDescription {
  if (!spec) return qemuDevice("e1000e", kernel ?? DEFAULT_KERNEL);
  if (spec.endsWith(".json")) return checkDescription(JSON.parse(readFileSync(spec, "utf8")));
  return qemuDevice(spec, kernel ?? DEFAULT_KERNEL);
}

async function corpusCmd(v: Record<string, unknown>): Promise<number> {
  const count = intOption("count", v.count as string | undefined, 100, 0, 100_000_000);
  const seed = intOption("seed", v.seed as string | undefined, 1, 0, 0xffffffff);
  const outDir = v.out as string | undefined;
  if (!outDir) throw new CliUsageError("--out DIR is required (where the cases go)");
  const force = v.force === true;
  const struct = (v.struct as string) ?? "vfio_irq_set";
  let device = loadDevice(v.device as string | undefined, v.kernel as string | undefined);
  if (v.eventfds !== undefined || v.files !== undefined) {
    device = checkDescription({
      ...device,
      eventfds: undefined,
      openFds: undefined,
      fds: {
        eventfds: (v.eventfds as string | undefined) ?? "100-131",
        files: (v.files as string | undefined) ?? "0-2",
      },
    });
  }
  const env = fdEnvText(deviceBlock(device));
  mkdirSync(outDir, { recursive: true });
  const short = struct.replace(/^vfio_/, "");
  const profile = {
    arch: v.arch as string | undefined,
    endian: v.endian as "little" | "big" | undefined,
    epoch: v.epoch as string | undefined,
  };
  for (let i = 0; i < count; i++) {
    const c = generate({ ...profile, struct, seed, index: i, device, class: v.class as string | undefined });
    const base = join(outDir, `${short}-${seed}-${String(i).padStart(6, "0")}`);
    writeNew(`${base}.bin`, c.bytes, force);
    writeNew(
      `${base}.json`,
      `${JSON.stringify(
        {
          struct: c.struct,
          class: c.class,
          valid: c.valid,
          seed,
          index: i,
          profile: c.profile,
          device: device.name ?? device.driver ?? "device",
          kernel: device.kernel ?? DEFAULT_KERNEL,
          fds: env,
          expected: c.expected,
          hex: toHex(c.bytes),
          reproduce:
            `vfio-abi fuzz --struct ${struct} --seed ${seed} --count ${i + 1} --kernel ${device.kernel ?? DEFAULT_KERNEL} ` +
            `--eventfds ${env.eventfds} --files ${env.files}${v.device ? ` --device ${v.device}` : ""} --out DIR (case ${i})`,
        },
        null,
        1,
      )}\n`,
      force,
    );
  }
  process.stderr.write(`wrote ${count} cases to ${outDir}\n`);
  return 0;
}

export interface CampaignSummary {
  seed: number;
  workers: number;
  seconds: number;
  cases: number;
  inputs: number;
  casesPerSec: number;
  inputsPerSec: number;
  failures: number;
  failureKinds: Record<string, number>;
  valid: number;
  nearValid: number;
  mutatedDecoded: number;
  mutatedRejected: number;
  roundTrips: number;
  hash: string;
  memoryPages: { start: number; end: number };
  classes: Record<string, number>;
  failureFiles: string[];
}

/** The counters a campaign adds up over its workers' chunks. */
const COUNTERS = [
  "cases",
  "inputs",
  "failures",
  "valid",
  "nearValid",
  "mutatedDecoded",
  "mutatedRejected",
  "roundTrips",
] as const;
type ChunkStats = ShardStats & { hash: string };
type Tally = Record<(typeof COUNTERS)[number], number> & {
  hash: bigint;
  pages: number[];
  classes: number[];
  kinds: number[];
  failureList: { index: number; kind: number }[];
};

const newTally = (): Tally => ({
  ...(Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Record<(typeof COUNTERS)[number], number>),
  hash: 0n,
  pages: [Infinity, 0],
  classes: [],
  kinds: [],
  failureList: [],
});

/** Add one chunk's stats (the hash is a wrapping sum: the same total whatever the chunks' order). */
function addChunk(agg: Tally, r: ChunkStats): void {
  for (const k of COUNTERS) agg[k] += r[k];
  agg.hash = BigInt.asUintN(64, agg.hash + BigInt(r.hash));
  agg.pages[0] = Math.min(agg.pages[0], r.pages[0]);
  agg.pages[1] = Math.max(agg.pages[1], r.pages[1]);
  r.classes.forEach((c, i) => {
    agg.classes[i] = (agg.classes[i] ?? 0) + c;
  });
  r.kinds.forEach((c, i) => {
    agg.kinds[i] = (agg.kinds[i] ?? 0) + c;
  });
  if (agg.failureList.length < 64) agg.failureList.push(...r.failureList);
}

/** One worker over cases first .. first + count - 1, reporting each chunk; resolves when it exits cleanly. */
function runShard(
  seed: number,
  first: number,
  count: number,
  stop: Int32Array,
  onChunk: (r: ChunkStats) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const w = new Worker(new URL("./worker.js", import.meta.url), {
      workerData: { seed, first, count, chunk: 50_000, stop },
    });
    w.on("message", (m: { type: string; stats: ChunkStats }) => {
      if (m.type === "chunk") onChunk(m.stats);
    });
    w.on("error", reject);
    w.on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`fuzz worker exited with ${c}`))));
  });
}

/** Reproducer files for the first 32 failures (generated and mutated bytes, a JSON with how to replay): the JSON files. */
function writeFailures(seed: number, failures: { index: number; kind: number }[], dir: string): string[] {
  const files: string[] = [];
  mkdirSync(dir, { recursive: true });
  for (const f of failures.slice(0, 32)) {
    if (f.index === 0xffffffff) continue;
    const r = replayCase(seed, f.index);
    const base = join(dir, `fail-${seed}-${f.index}`);
    // a rerun of the same seed finds the same failures: replace its own files (never symlinks)
    writeNew(`${base}-generated.bin`, r.generated, true);
    writeNew(`${base}-mutated.bin`, r.mutated, true);
    const record = {
      seed,
      index: f.index,
      kind: f.kind,
      what: FAILURE_KINDS[f.kind],
      profile: r.profile,
      device: r.device,
      struct: r.case.struct,
      class: r.case.class,
      expected: r.case.expected,
      generated: toHex(r.generated),
      mutated: toHex(r.mutated),
      reproduce: `import { replayCase } from "vfio-abi/dist/bindings/fuzz/index.js"; replayCase(${seed}, ${f.index})`,
    };
    writeNew(`${base}.json`, `${JSON.stringify(record, null, 1)}\n`, true);
    files.push(`${base}.json`);
  }
  return files;
}

/** The summary of a finished campaign. */
function summary(seed: number, workers: number, seconds: number, agg: Tally, failureFiles: string[]): CampaignSummary {
  const failureKinds: Record<string, number> = {};
  agg.kinds.forEach((n, k) => {
    if (n) failureKinds[`${k}: ${FAILURE_KINDS[k] ?? "?"}`] = n;
  });
  const classes: Record<string, number> = {};
  for (const c of CLASSES) classes[className(c.id)] = agg.classes[c.id] ?? 0;
  return {
    seed,
    workers,
    seconds: +seconds.toFixed(3),
    cases: agg.cases,
    inputs: agg.inputs,
    casesPerSec: Math.round(agg.cases / seconds),
    inputsPerSec: Math.round(agg.inputs / seconds),
    failures: agg.failures,
    failureKinds,
    valid: agg.valid,
    nearValid: agg.nearValid,
    mutatedDecoded: agg.mutatedDecoded,
    mutatedRejected: agg.mutatedRejected,
    roundTrips: agg.roundTrips,
    hash: agg.hash.toString(16).padStart(16, "0"),
    memoryPages: { start: agg.pages[0], end: agg.pages[1] },
    classes,
    failureFiles,
  };
}

/** Run a campaign with K worker threads (sharded by case-index range). */
export async function runCampaign(o: {
  seed?: number;
  seconds?: number;
  count?: number;
  workers?: number;
  progress?: boolean;
  failuresDir?: string;
}): Promise<CampaignSummary> {
  const seed = (o.seed ?? 1) >>> 0,
    K = Math.max(1, o.workers ?? 2);
  const total = o.count ?? (o.seconds !== undefined ? 0x7fffffff : 1_000_000);
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const agg = newTally();
  const t0 = performance.now();
  const progress = o.progress ?? false;
  const line = () => {
    const s = (performance.now() - t0) / 1000;
    process.stderr.write(
      `\rfuzz: ${agg.cases} cases, ${(agg.cases / s / 1e6).toFixed(2)} M cases/s, ${agg.failures} failures, ${s.toFixed(1)} s   `,
    );
  };
  const timer = o.seconds !== undefined ? setTimeout(() => Atomics.store(stop, 0, 1), o.seconds * 1000) : null;
  await Promise.all(
    Array.from({ length: K }, (_, k) => {
      const first = Math.floor((total / K) * k),
        count = Math.floor((total / K) * (k + 1)) - first;
      return runShard(seed, first, count, stop, (r) => {
        addChunk(agg, r);
        if (progress) line();
      });
    }),
  );
  if (timer) clearTimeout(timer);
  if (progress) {
    line();
    process.stderr.write("\n");
  }
  const seconds = (performance.now() - t0) / 1000;
  const failureFiles =
    agg.failureList.length && o.failuresDir ? writeFailures(seed, agg.failureList, o.failuresDir) : [];
  return summary(seed, K, seconds, agg, failureFiles);
}

export async function run(cmd: string, argv: string[]): Promise<number> {
  if (cmd === "syzlang") return syzlangCommand(argv);
  const { values: v, positionals } = parseCommandArgs(argv, {
    struct: { type: "string" },
    count: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    class: { type: "string" },
    device: { type: "string" },
    kernel: { type: "string" },
    eventfds: { type: "string" },
    files: { type: "string" },
    arch: { type: "string" },
    endian: { type: "string" },
    epoch: { type: "string" },
    campaign: { type: "boolean" },
    seconds: { type: "string" },
    workers: { type: "string" },
    progress: { type: "boolean" },
    failures: { type: "string" },
    force: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length) throw new CliUsageError(`unexpected argument ${positionals[0]} (options start with --)`);
  if (!v.campaign) return corpusCmd(v);
  const seconds = numberOption("seconds", v.seconds as string | undefined, undefined, 0, 86_400 * 365);
  const s = await runCampaign({
    seed: intOption("seed", v.seed as string | undefined, 1, 0, 0xffffffff),
    seconds,
    count:
      v.count === undefined
        ? seconds === undefined
          ? 1_000_000
          : undefined
        : intOption("count", v.count as string | undefined, 0, 1, 0x7fffffff),
    workers: intOption("workers", v.workers as string | undefined, 2, 1, 256),
    progress: v.progress || process.stderr.isTTY,
    failuresDir: v.failures ?? "fuzz-failures",
  });
  process.stdout.write(`${JSON.stringify(s, null, 1)}\n`);
  const real =
    s.failures -
    Object.entries(s.failureKinds)
      .filter(([k]) => k.startsWith("10:"))
      .reduce((a, [, n]) => a + n, 0);
  return real > 0 ? 1 : 0;
}
// keep campaignShard reachable for embedders importing the CLI module
export { campaignShard };
