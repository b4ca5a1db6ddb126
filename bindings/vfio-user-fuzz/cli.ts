// `vfio-abi vfio-user`: differential fuzzing of any vfio-user server against the libvfio-user
// model - campaign, shrinking, reproducers, replay.
import { parseArgs } from "node:util";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../generated/wasm-abi.js";
import { UsageError } from "../errors.js";
import { checkDescription } from "../oracle/model/device.js";
import { type VuDevice, VfioUserModel, vuServerDevice } from "../oracle/model/vfio-user.js";
import { checkClientEnv, ClientError, ensureClient } from "./client.js";
import { type ProbeResult, probe } from "./probe.js";
import {
  type CampaignResult,
  type Disagreement,
  explain,
  groupOf,
  runCampaign,
  runSegments,
  shrink,
  type Target,
  withBugs,
} from "./campaign.js";
import { describeStep, explain as explainMismatch } from "./script.js";
import { formatRepro, parseRepro, ReproError } from "./repro.js";

const bugRules = () => RULES.filter((r) => r.name.startsWith("LVU_BUG_")).map((r) => r.name);

export const USAGE = `usage:
  vfio-abi vfio-user --socket PATH [--requests N] [--seed S] [--segment N] [--out DIR]
                     [--max-shrink N] [--device FILE.json] [--fixed RULE]... [--client PATH] [--json]
      Fuzz the vfio-user server listening on PATH (SPDK's, QEMU's, any server built on libvfio-user)
      against the libvfio-user model: N random stateful requests (default 2000) on connections of
      --segment requests (default 200), each answer compared byte for byte, eventfd counters
      included. Each kind of disagreement is shrunk to a minimal message sequence (delta debugging,
      every attempt re-run on the server on a fresh connection) and saved to DIR (default
      ./vfio-user-repro) as a reproducer. The device (irq counts, regions) is probed from the
      server unless --device gives a description. --fixed RULE tells the model the server does not
      have one of the library bugs it knows: ${bugRules().join(", ")}.
      Exit status: 0 the server agrees with the model, 1 disagreements found, 2 usage or setup error.
  vfio-abi vfio-user --replay FILE [--socket PATH] [--fixed RULE]... [--client PATH] [--json]
      Replay a reproducer against the server and compare again (exit 1 when it still disagrees).
  vfio-abi vfio-user --probe --socket PATH [--client PATH]
      Print the device description the probe builds (JSON), and what the model will leave out.

The socket client is a small C program shipped with vfio-abi (Node cannot pass file descriptors over a
UNIX socket): it is compiled with $CC (default cc) on first use into $VFIO_ABI_CACHE, or
$XDG_CACHE_HOME/vfio-abi, or ~/.cache/vfio-abi. It passes 32 eventfds (fds 100-131), /dev/null and a
pipe (200-202) and closed fds the way a vfio-user client does (SCM_RIGHTS).`;

class Usage extends Error {}

function intOpt(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const t = String(v).trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new Usage(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

function withFixed(device: VuDevice, fixed: string[] | undefined): VuDevice {
  if (!fixed?.length) return device;
  const known = bugRules();
  for (const f of fixed)
    if (!known.includes(f)) throw new Usage(`--fixed ${f}: not a libvfio-user bug rule (known: ${known.join(", ")})`);
  return { ...device, fixed: [...new Set([...(device.fixed ?? []), ...fixed])] };
}

const options = {
  socket: { type: "string" },
  requests: { type: "string" },
  seed: { type: "string" },
  segment: { type: "string" },
  out: { type: "string" },
  "max-shrink": { type: "string" },
  device: { type: "string" },
  fixed: { type: "string", multiple: true },
  client: { type: "string" },
  replay: { type: "string" },
  probe: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function run(_cmd: string, argv: string[]): Promise<number> {
  let v: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; strict: true }>>["values"];
  try {
    ({ values: v } = parseArgs({ args: argv, options, strict: true }));
  } catch (e) {
    process.stderr.write(
      `vfio-abi vfio-user: ${(e as Error).message.split("\n")[0]}\nrun 'vfio-abi vfio-user --help' for usage\n`,
    );
    return 2;
  }
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (v.replay) return replay(v.replay, v);
    if (!v.socket) throw new Usage("--socket PATH is required (or --replay FILE)");
    if (v.probe) {
      const p = probe(ensureClient(v.client), v.socket);
      console.log(JSON.stringify({ device: p.device, leftOut: p.notes }, null, 2));
      return 0;
    }
    return campaign(v);
  } catch (e) {
    if (e instanceof Usage) {
      process.stderr.write(`vfio-abi vfio-user: ${e.message}\nrun 'vfio-abi vfio-user --help' for usage\n`);
      return 2;
    }
    // a device the model cannot follow (vuModelGap: the model refuses it) is a setup error as well
    if (e instanceof ClientError || e instanceof ReproError || e instanceof UsageError) {
      process.stderr.write(`vfio-abi vfio-user: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

type Values = Record<string, unknown> & { fixed?: string[] };

function campaign(v: Values): number {
  const requests = intOpt("requests", v.requests, 2000, 1, 10_000_000);
  const seed = intOpt("seed", v.seed, 1, 0, 0xffffffff);
  const segment = intOpt("segment", v.segment, 200, 1, 100_000);
  const maxShrink = intOpt("max-shrink", v["max-shrink"], 3, 0, 1000);
  const outDir = (v.out as string | undefined) ?? "vfio-user-repro";
  withFixed(vuServerDevice(), v.fixed); // a bad --fixed is refused before the server is asked anything
  const given = v.device ? readDevice(v.device as string) : null;
  const bin = ensureClient(v.client as string | undefined);
  const socket = v.socket as string;
  const probed = given ? null : probe(bin, socket);
  const device = withFixed(given ?? (probed as ProbeResult).device, v.fixed);
  const notes = probed?.notes ?? [];
  const source = given ? `from ${v.device}` : "probed";
  new VfioUserModel(device); // refuses a device it cannot follow before any request is sent
  checkClientEnv(bin, device);
  const t: Target = { bin, socket, device };
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const irqs = device.irqs.map((q) => q.count).join("/");
  log(
    `vfio-user: ${socket}: device ${source}: irqs ${irqs} (INTx/MSI/MSI-X/ERR/REQ), ${device.vuRegions.length} regions${device.fixed?.length ? `; model without ${device.fixed.join(", ")}` : ""}`,
  );
  for (const n of notes) log(`  not predicted, left out: ${n}`);
  const res = runCampaign(t, {
    requests,
    seed,
    segment,
    progress: (done, found) => log(`  ${done} requests, ${found} disagreeing connections`),
  });
  // one reproducer per group: the bugs that explain a disagreement, else what differed
  const groups = new Map<string, Disagreement[]>();
  for (const d of res.disagreements) groups.set(groupOf(d), [...(groups.get(groupOf(d)) ?? []), d]);
  const saved: Saved[] = [];
  for (const [group, list] of [...groups].slice(0, maxShrink)) {
    const d = list[0];
    log(`  shrinking "${group}" (connection ${d.segment}, ${d.steps.length} steps)`);
    saved.push(saveShrunk(t, d, group, { seed, segment, outDir }));
  }
  const summary = {
    socket,
    device: source,
    modelWithout: device.fixed ?? [],
    requests: res.requests,
    matched: res.matched,
    replies: res.replies,
    eventfdReads: res.efdReads,
    connections: res.segments,
    disagreeing: res.disagreements.length,
    groups: [...groups].map(([group, l]) => ({
      group,
      explainedBy: l[0].explainedBy,
      connections: l.length,
      signatures: [...new Set(l.map((d) => d.signature))],
    })),
    rules: Object.fromEntries([...res.rules].sort((a, b) => b[1] - a[1])),
    reproducers: saved,
    seconds: res.ms / 1000,
    requestsPerSecond: Math.round(res.requests / Math.max(res.ms / 1000, 1e-3)),
  };
  if (v.json) console.log(JSON.stringify(summary));
  else printSummary(summary, res);
  return res.disagreements.length ? 1 : 0;
}

interface Saved {
  file: string;
  group: string;
  /** The bugs that explain the shrunk reproducer (the model with them agrees with every answer). */
  explainedBy: string[];
  steps: number;
  from: number;
  runs: number;
  /** The shrunk sequence still disagrees with the model. */
  still: boolean;
}

/** Shrink one disagreement, check which bugs explain the result, save it as a reproducer file. */
function saveShrunk(
  t: Target,
  d: Disagreement,
  group: string,
  o: { seed: number; segment: number; outDir: string },
): Saved {
  const s = shrink(t, d);
  const shrunk: Disagreement = { ...d, steps: s.steps, explainedBy: [] };
  if (s.mismatches.length) explain(t, [shrunk]);
  mkdirSync(o.outDir, { recursive: true });
  const file = join(o.outDir, `vfio-user-${o.seed}-${d.segment}.txt`);
  const why = [
    `disagreement: ${d.signature}`,
    ...(shrunk.explainedBy.length
      ? [`explained by: ${shrunk.explainedBy.join(" + ")} (the model with this library bug agrees with every answer)`]
      : []),
    `found by: vfio-abi vfio-user --seed ${o.seed} --segment ${o.segment} (connection ${d.segment}, seed ${d.seed}); shrunk from ${d.steps.length} steps in ${s.runs} client runs`,
    `first seen: ${explainMismatch(d.mismatch)}`,
    `"#>" lines: the campaign's model${t.device.fixed?.length ? ` (without ${t.device.fixed.join(", ")})` : ""} and the server where they disagreed`,
  ];
  // the file's model has the bugs that explain it: replayed as it is, it agrees with such a server
  const device = withBugs(t.device, shrunk.explainedBy);
  if (!device.fixed?.length) delete device.fixed;
  writeFileSync(file, formatRepro({ device, steps: s.steps, why }, s.mismatches));
  return {
    file,
    group,
    explainedBy: shrunk.explainedBy,
    steps: s.steps.length,
    from: d.steps.length,
    runs: s.runs,
    still: s.mismatches.length > 0,
  };
}

function printSummary(
  summary: { groups: { group: string; connections: number }[]; reproducers: Saved[]; requestsPerSecond: number },
  res: CampaignResult,
): void {
  console.log(
    `vfio-user: ${res.matched}/${res.requests} requests matched, ${res.replies} replies, ${res.efdReads} eventfd reads; ${res.disagreements.length} of ${res.segments} connections disagreed (${(res.ms / 1000).toFixed(1)} s, ${summary.requestsPerSecond} req/s)`,
  );
  for (const g of summary.groups) console.log(`  ${g.connections}x ${g.group}`);
  for (const s of summary.reproducers) {
    const label = s.explainedBy.length ? `, server has ${s.explainedBy.join(" + ")}` : "";
    console.log(
      `reproducer ${s.file}: ${s.steps} steps (from ${s.from})${label}${s.still ? "" : " - did not fail again on its own"}`,
    );
    for (const step of parseRepro(readFileSync(s.file, "utf8"), s.file).steps) console.log(`  ${describeStep(step)}`);
  }
}

/** A file's text; a file that cannot be read is a usage error. */
function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Usage(`${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A device description file (JSON, a libvfio-user description). */
function readDevice(file: string): VuDevice {
  try {
    const d = checkDescription(JSON.parse(readText(file, "--device"))) as VuDevice;
    if (d.driver !== "libvfio-user" || !Array.isArray(d.vuRegions))
      throw new Error('want driver "libvfio-user" and vuRegions');
    return d;
  } catch (e) {
    if (e instanceof Usage) throw e;
    throw new Usage(`--device ${file}: not a libvfio-user device description: ${(e as Error).message}`);
  }
}

function replay(file: string, v: Values): number {
  const r = parseRepro(readText(file, "--replay"), file);
  const device = withFixed(r.device, v.fixed);
  const socket = v.socket as string | undefined;
  if (!socket) throw new Usage("--replay needs --socket PATH (the server to replay against)");
  const t: Target = { bin: ensureClient(v.client as string | undefined), socket, device };
  checkClientEnv(t.bin, device);
  const [res] = runSegments(t, [[...r.steps, { kind: "drain" }]]);
  if (v.json)
    console.log(JSON.stringify({ file, requests: res.requests, matched: res.matched, mismatches: res.mismatches }));
  else {
    for (const w of r.why) console.log(`# ${w}`);
    r.steps.forEach((s, i) => {
      const bad = res.mismatches.filter((m) => m.step === i);
      console.log(`${bad.length ? "DIFF" : "ok  "} ${describeStep(s)}`);
      for (const m of bad) console.log(`       ${explainMismatch(m)}`);
    });
    console.log(
      `vfio-user replay ${file}: ${res.matched}/${res.requests} requests matched, ${res.mismatches.length} lines differ from the model`,
    );
  }
  return res.mismatches.length ? 1 : 0;
}
