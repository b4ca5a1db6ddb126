// One stage on one kernel: boot the guest with the stage's plan, read the guest's facts back from
// the transcript, and check every reply of every device against a device-state model built from
// those facts (check.mjs). A stage is { name, arch, prof, plan(guest, opts), facts(records, devs, series) }.
import { parseTranscript } from "../lib/transcript.mjs";
import { checkDevice, newStats } from "./check.mjs";
import { runGuest } from "./machines.mjs";

/** The campaign seed of a kernel series: each series gets its own random requests. */
export const seedFor = (seed, series) => seed + (series === "7.2" ? 104729 : 0);

/** Boot and replay; resolves { stage, series, guest, plan, r } or { stage, series, error }. */
export async function bootStage(stage, guest, { seed, random, log }) {
  try {
    const plan = stage.plan(guest, { seed, random });
    const r = await runGuest({ guest, script: plan.script, append: plan.append, devices: plan.devices, log });
    return { stage, series: guest.series, guest, plan, r };
  } catch (error) {
    return { stage, series: guest.series, guest, error };
  }
}

/** Check one run: { stats, perDevice, facts }. Throws when the guest's report cannot be read. */
export function checkRun({ stage, series, plan, r }) {
  const records = parseTranscript(r.transcript);
  const facts = stage.facts(records, plan.devs, series);
  const stats = newStats();
  stats.mismatches.push(...facts.problems);
  const perDevice = [];
  let at = facts.next;
  plan.devs.forEach((d, k) => {
    const use = records[at++];
    if (use?.cmd !== "USE" || use.extra.err.length)
      stats.mismatches.push(`USE ${d.name}: ${use?.extra.lines.join(" | ")}`);
    const before = stats.requests,
      mism = stats.mismatches.length;
    const device = { ...facts.descriptions[k], name: d.name };
    const replies = new Map();
    at = checkDevice({ device, items: d.items, records, at, prof: stage.prof, stats, replies });
    perDevice.push({
      name: d.name,
      device,
      replies,
      requests: stats.requests - before,
      mismatches: stats.mismatches.length - mism,
    });
  });
  return { stats, perDevice, facts };
}

/**
 * Print one run's result; returns { code, summary }: code 0 ok, 1 mismatch, 2 boot failure, and a
 * one-line summary for the end of the output (what failed, first mismatch).
 */
export function report(run, { random, verbose, describe }) {
  const tag = `${run.stage.name} ${run.stage.arch} ${run.series}`;
  if (run.error) {
    console.log(`${tag}: BOOT FAILURE\n${run.error.message}`);
    return { code: 2, summary: `BOOT FAILURE: ${run.error.message.split("\n")[0]}` };
  }
  let res;
  try {
    res = checkRun(run);
  } catch (e) {
    console.log(`${tag}: cannot read the guest's report: ${e.message}`);
    return { code: 1, summary: `UNREADABLE guest report: ${e.message.split("\n")[0]}` };
  }
  const { stats, perDevice } = res;
  if (run.stage.afterCheck) stats.mismatches.push(...run.stage.afterCheck(perDevice, run));
  const k = run.guest.kernel;
  console.log(
    `${tag} (${k.release}, ${k.sourcePackage} ${k.sourceVersion}): requests ${stats.requests}, ` +
      `predictions matched ${stats.matched}/${stats.requests}, reply+guard bytes matched ${stats.bytesMatched}/${stats.requests}, ` +
      `replies decoded+re-encoded ${stats.decoded} (rejected like the request: ${stats.rejected}), SET_IRQS ${stats.setIrqs}, ` +
      `eventfd counters matched ${stats.efdMatched}/${stats.efdReads}, boot+replay ${run.r.wallMs} ms, boot attempts ${run.r.attempts}`,
  );
  for (const p of perDevice) {
    console.log(`    ${p.name.padEnd(22)} ${String(p.requests).padStart(5)} requests, ${p.mismatches} mismatches`);
    if (describe) console.log(describe(p).replace(/^/gm, "      "));
  }
  if (verbose)
    for (const [rule, n] of [...stats.byRule].sort((a, b) => b[1] - a[1]))
      console.log(`    ${String(n).padStart(5)}  ${rule}`);
  const few = perDevice.filter((p) => p.requests < random);
  if (few.length) stats.mismatches.push(`fewer than ${random} requests on ${few.map((p) => p.name).join(", ")}`);
  for (const m of stats.mismatches.slice(0, 60)) console.log(`  MISMATCH ${m}`);
  if (stats.mismatches.length > 60) console.log(`  ... ${stats.mismatches.length - 60} more mismatches`);
  const counts = `${stats.requests} requests on ${perDevice.length} devices (${k.release}), boot+replay ${(run.r.wallMs / 1000).toFixed(1)} s`;
  if (!stats.mismatches.length) return { code: 0, summary: `ok: ${counts}, 0 mismatches` };
  const first = stats.mismatches[0];
  return {
    code: 1,
    summary: `MISMATCH: ${stats.mismatches.length} of ${counts}; first: ${first.length > 300 ? `${first.slice(0, 300)}...` : first}`,
  };
}
