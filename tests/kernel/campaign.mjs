// Differential campaigns: stateful random segments (walk.mjs) for every device and seed, packed into
// bounded batches per boot, replayed on the real kernels (two boots at a time by default) and
// checked against the model (check.mjs). Produces a JSON summary per kernel and the mismatches with
// everything needed to shrink them.
import { buildScript, checkSegment, isRequest, newStats, splitRecords } from "./check.mjs";
import { rng } from "./gen.mjs";
import { walkSegment } from "./walk.mjs";

export const CAMPAIGN_DEVICES = ["edu", "e1000e", "virtio-rng", "xhci"];

/** A deterministic 32-bit seed for (campaign seed, device, segment). */
export function segmentSeed(seed, device, index) {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const c of `${device}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
}

/** Segment lengths vary (40..400 requests) so both short fresh-state walks and long ones happen. */
const segmentLength = (s) => 40 + rng(s ^ 0x9e3779b9).int(361);

/**
 * The segment descriptors of a campaign: for every seed and device, segments until `perDevice`
 * requests; generated lazily by makeSegment.
 */
export function planSegments({ seeds, devices = CAMPAIGN_DEVICES, perDevice }) {
  const out = [];
  for (const seed of seeds) {
    for (const device of devices) {
      let total = 0;
      for (let i = 0; total < perDevice; i++) {
        const s = segmentSeed(seed, device, i);
        const n = Math.min(segmentLength(s), perDevice - total);
        out.push({ seed, device, index: i, segSeed: s, n });
        total += n;
      }
    }
  }
  return out;
}

export function makeSegment(api, kernel, d) {
  const dev = api.qemuDevice(d.device, kernel);
  const seg = walkSegment(dev, { seed: d.segSeed, n: d.n, models: api });
  return { ...seg, desc: d };
}

/** Pack segment descriptors into boots of at most `batch` requests (a segment is never split). */
export function packBoots(descs, batch) {
  const boots = [];
  let cur = [],
    size = 0;
  for (const d of descs) {
    if (cur.length && size + d.n > batch) {
      boots.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(d);
    size += d.n;
  }
  if (cur.length) boots.push(cur);
  return boots;
}

/** Seconds of guest time the replay program ran (init logs the uptime before and after it). */
function replaySeconds(consoleText) {
  const up = [...consoleText.matchAll(/init: uptime ([\d.]+)/g)].map((m) => Number(m[1]));
  return up.length >= 2 ? up[up.length - 1] - up[0] : null;
}

/**
 * Run a campaign on one kernel. `harness`: { runScript, parseTranscript }; `api`: the bindings
 * (DeviceModel, qemuDevice, decode, encode, toHex, kernelRules). Returns { summary, mismatches }.
 * mismatches: [{ seed, device, segment: { desc, env, items }, first: { itemIndex, kind, rule, detail } }].
 */
export async function runCampaign({
  kernel,
  seeds,
  perDevice,
  devices,
  batch = 20000,
  api,
  harness,
  pool,
  log = () => {},
  progress = () => {},
  prefix = [],
}) {
  const descs = planSegments({ seeds, devices, perDevice });
  const boots = packBoots(descs, batch);
  if (!boots.length && prefix.length) boots.push([]);
  const stats = newStats();
  // segments run first in the first boot and checked apart from the campaign (the fixed plan)
  const prefixStats = newStats();
  const prefixMismatches = [];
  const mismatches = [];
  const t0 = Date.now();
  const timing = { boots: boots.length, attempts: 0, retried: [], bootWallMs: 0, replaySeconds: 0, cpuSeconds: 0 };
  let done = 0,
    version = null,
    packageVersion = null;
  await pool(boots, async (boot, bi) => {
    const own = bi === 0 ? prefix : [];
    const segments = [...own, ...boot.map((d) => makeSegment(api, kernel, d))];
    const script = buildScript(segments, [`campaign kernel ${kernel} boot ${bi + 1}/${boots.length}`]);
    const r = await harness.runScript({ kernel, script, timeoutMs: 30 * 60_000, log });
    version = r.version;
    packageVersion = r.packageVersion;
    timing.attempts += r.attempts;
    for (const why of r.retried ?? []) timing.retried.push(`boot ${bi + 1}: ${why}`);
    timing.bootWallMs += r.attemptMs.at(-1);
    timing.replaySeconds += replaySeconds(r.console) ?? 0;
    timing.cpuSeconds += r.cpuSeconds ?? 0;
    checkBoot(api, kernel, harness.parseTranscript(r.transcript), segments, own.length, {
      stats,
      mismatches,
      prefixStats,
      prefixMismatches,
    });
    done++;
    progress({
      kernel,
      boots: done,
      of: boots.length,
      requests: stats.requests,
      mismatches: stats.mismatches,
      ms: Date.now() - t0,
    });
  });
  const run = { kernel, version, packageVersion, seeds, devices, perDevice, wallMs: Date.now() - t0 };
  const summary = campaignSummary(run, stats, mismatches, timing);
  return { summary, mismatches, prefix: { stats: prefixStats, mismatches: prefixMismatches } };
}

/**
 * Check one boot's records segment by segment: the first `fixedCount` segments (the fixed plan) into
 * prefixStats / prefixMismatches, the campaign's into stats / mismatches (one entry per segment, its first difference).
 */
function checkBoot(api, kernel, records, segments, fixedCount, { stats, mismatches, prefixStats, prefixMismatches }) {
  splitRecords(records, segments).forEach((recs, si) => {
    const seg = segments[si];
    if (si < fixedCount) {
      if (seg.tail) return;
      for (const b of checkSegment(api, kernel, seg, recs, prefixStats))
        prefixMismatches.push({ segment: seg, first: b });
      return;
    }
    const bad = checkSegment(api, kernel, seg, recs, stats);
    if (bad.length)
      mismatches.push({
        seed: seg.desc.seed,
        device: seg.desc.device,
        segment: seg,
        first: bad[0],
        count: bad.length,
      });
  });
}

/** The JSON summary of one kernel's campaign: what ran, what matched, per rule and kind, and the timings. */
function campaignSummary(
  { kernel, version, packageVersion, seeds, devices, perDevice, wallMs },
  stats,
  mismatches,
  timing,
) {
  return {
    kernel,
    version,
    packageVersion,
    seeds: seeds.length > 3 ? `${seeds[0]}..${seeds.at(-1)}` : seeds,
    devices: devices ?? CAMPAIGN_DEVICES,
    perDevice,
    requests: stats.requests,
    retErrnoMatched: stats.retErrnoMatched,
    bytesMatched: stats.bytesMatched,
    repliesDecoded: stats.decoded,
    eventfdReads: stats.eventfdReads,
    eventfdMatched: stats.eventfdMatched,
    eventfdMayRange: stats.eventfdMaybe,
    otherOps: stats.otherOps,
    otherMatched: stats.otherMatched,
    mismatches: stats.mismatches,
    mismatchesByRule: Object.fromEntries(
      Object.entries(stats.byRule)
        .filter(([, v]) => v.mismatches)
        .map(([k, v]) => [k, v.mismatches]),
    ),
    mismatchesByKind: countBy(mismatches, (m) => m.first.kind),
    requestsByRule: Object.fromEntries(Object.entries(stats.byRule).map(([k, v]) => [k, v.requests])),
    statesVisited: Object.keys(stats.states).length,
    states: Object.fromEntries(Object.entries(stats.states).sort((a, b) => b[1] - a[1])),
    boots: timing.boots,
    bootAttempts: timing.attempts,
    // every failed attempt that a retry replaced, with why it failed (a retry is never silent)
    bootRetries: timing.retried,
    wallMs,
    bootWallMs: timing.bootWallMs,
    replaySeconds: Number(timing.replaySeconds.toFixed(2)),
    requestsPerSecond: Math.round(stats.requests / (timing.bootWallMs / 1000)),
    requestsPerReplaySecond: timing.replaySeconds ? Math.round(stats.requests / timing.replaySeconds) : null,
    // QEMU's own CPU time (boot included): on a shared host this is the rate with a core to itself
    qemuCpuSeconds: Number(timing.cpuSeconds.toFixed(1)),
    requestsPerCpuSecond: timing.cpuSeconds ? Math.round(stats.requests / timing.cpuSeconds) : null,
  };
}

/** { key: count } over a list. */
function countBy(list, key) {
  const out = {};
  for (const x of list) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

/** Requests in a segment (device ioctls; eventfd and region accesses are not counted). */
export const segmentRequests = (seg) => seg.items.filter(isRequest).length;
