// Shrinking a mismatch: delta debugging (ddmin) over the items before the mismatching one, every
// candidate re-run on the real kernel. All candidates of one ddmin round run in a single boot, each
// as its own segment (OPEN .. CLOSE, so each starts from a freshly opened device) followed by a
// cleanup tail that leaves the device quiet for the next one. A candidate still fails when its last
// item mismatches with the same kind and rule as the original.
import { buildScript, checkSegment, newStats, splitRecords } from "./check.mjs";
import { EVENTFD, NONE, T, irqSet } from "./gen.mjs";

/** Items that leave the device with nothing enabled and its own interrupt line down. */
export function tailItems(dev) {
  const out = [];
  for (const index of [0, 1, 2])
    out.push({ ioctl: "DEVICE_SET_IRQS", bytes: irqSet({ flags: NONE | T, index, count: 0 }), note: "tail" });
  for (const index of [3, 4])
    out.push({
      ioctl: "DEVICE_SET_IRQS",
      bytes: irqSet({ flags: EVENTFD | T, index, count: 1, data: [-1] }),
      note: "tail",
    });
  if (dev.irqSource)
    out.push({
      ioctl: "REGION_WRITE",
      region: dev.irqSource.lower.region,
      offset: dev.irqSource.lower.offset,
      bytes: Uint8Array.of(255, 255, 255, 255),
      note: "tail",
    });
  return out;
}

const sameFailure = (a, b) => a.kind === b.kind && a.rule === b.rule;

/**
 * Run candidate item lists (each ending with the target item) in one boot. Returns, per candidate,
 * { failure (the target item's mismatch or null), records }.
 */
async function runCandidates(ctx, candidates) {
  const { api, harness, kernel, segment, log } = ctx;
  const segs = candidates.map((items) => ({ ...segment, items: [...items, ...tailItems(segment.device)] }));
  const r = await harness.runScript({
    kernel,
    script: buildScript(segs, [`shrink ${candidates.length} candidate(s)`]),
    timeoutMs: 30 * 60_000,
    log,
  });
  ctx.boots++;
  ctx.version = r.version;
  ctx.packageVersion = r.packageVersion;
  const parts = splitRecords(harness.parseTranscript(r.transcript), segs);
  return segs.map((seg, i) => {
    const target = candidates[i].length - 1;
    const bad = checkSegment(api, kernel, seg, parts[i], newStats());
    return { failure: bad.find((b) => b.itemIndex === target) ?? null, records: parts[i] };
  });
}

function split(list, n) {
  const out = [];
  const size = list.length / n;
  for (let i = 0; i < n; i++) out.push(list.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out.filter((x) => x.length);
}

/**
 * Shrink a mismatch { segment, first } on `kernel`. Returns { items, failure, records, boots, from }
 * or null when the truncated segment no longer fails (a mismatch that needs what came after it, or
 * one that does not reproduce).
 */
export async function shrinkMismatch({ api, harness, kernel, mismatch, log = () => {} }) {
  const { segment, first } = mismatch;
  const target = segment.items[first.itemIndex];
  const prefix = segment.items.slice(0, first.itemIndex);
  const ctx = { api, harness, kernel, segment, log, boots: 0 };
  const fails = (res) => res.failure && sameFailure(res.failure, first);
  const [orig] = await runCandidates(ctx, [[...prefix, target]]);
  if (!fails(orig)) return null;
  let c = prefix,
    n = 2;
  while (c.length >= 1) {
    const subsets = c.length === 1 ? [[]] : split(c, Math.min(n, c.length));
    const complements = subsets.length > 1 ? subsets.map((_, i) => subsets.filter((__, j) => j !== i).flat()) : [];
    const cands = [...subsets, ...complements];
    const res = await runCandidates(
      ctx,
      cands.map((x) => [...x, target]),
    );
    const hit = res.findIndex(fails);
    log(
      `shrink: ${c.length} items, granularity ${n}: ${hit < 0 ? "no smaller failing candidate" : `candidate of ${cands[hit].length} fails`}`,
    );
    if (hit >= 0 && hit < subsets.length) {
      c = cands[hit];
      n = 2;
      continue;
    }
    if (hit >= 0) {
      c = cands[hit];
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= c.length) break;
    n = Math.min(2 * n, c.length);
  }
  // confirm the result twice in one boot (a mismatch that only shows sometimes is reported as such)
  const final = [...c, target];
  const confirm = await runCandidates(ctx, [final, final]);
  const stable = confirm.every(fails);
  return {
    items: final,
    failure: confirm[0].failure,
    records: confirm[0].records,
    stable,
    boots: ctx.boots,
    from: segment.items.length,
    version: ctx.version,
    packageVersion: ctx.packageVersion,
  };
}
