#!/usr/bin/env node
// arm64 platform stage: vfio-platform and vfio-amba devices of QEMU's virt machine (virtio-mmio
// transports with edge lines, the PL031 RTC and PL061 GPIO with level lines, the per-CPU PMU, the
// fw-cfg device without lines) plus the multi-line, mixed-trigger devices of platform-devices.dtsi,
// on minimal 6.12 and 7.2 kernels built from Debian's sources, in no-IOMMU mode. One boot per
// kernel (both in parallel) opens every device, records what the guest says about them, then
// replays the INFO queries, a fixed SET_IRQS script per line and a random stateful campaign per
// device, and checks every answer against the device-state model built from the guest's report.
//
//   node tests/kernel/cross/platform.mjs [--series 6.12|7.2] [--seed N] [--random N] [--verbose] [--dump DIR] [--tables]
//
// Exit: 0 all matched; 1 a mismatch; 2 a kernel could not be built or booted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTranscript } from '../lib/transcript.mjs';
import { SERIES } from '../lib/kbuild.mjs';
import { checkDevice, newStats, scriptLines } from './check.mjs';
import { prepareGuest, runGuest } from './machines.mjs';
import { hexToBuffer, parseProcInterrupts, platformDescription } from './platform-facts.mjs';
import { platformCleanupItems, platformFixedItems, platformRandomItems } from './platform-gen.mjs';
import { builders } from './requests.mjs';

if (!fs.existsSync(new URL('../../../dist/bindings/index.js', import.meta.url))) {
  console.error('platform stage: dist/bindings is missing - run `node scripts/build.mjs` first');
  process.exit(2);
}
const { irqTopology, formatTopology } = await import('../../../dist/bindings/index.js');

/** The devices, in OPEN order (c000000.vfio-lel before c030000.vfio-shared: the shared line goes to the first). */
export const PLATFORM_DEVICES = [
  { bus: 'platform', name: 'a000000.virtio_mmio', node: 'virtio_mmio@a000000' },
  { bus: 'platform', name: 'a003e00.virtio_mmio', node: 'virtio_mmio@a003e00' },
  { bus: 'platform', name: 'c000000.vfio-lel', node: 'vfio-lel@c000000' },
  { bus: 'platform', name: 'c010000.vfio-gap', node: 'vfio-gap@c010000' },
  { bus: 'platform', name: 'c030000.vfio-shared', node: 'vfio-shared@c030000' },
  { bus: 'platform', name: 'pmu', node: 'pmu' },
  { bus: 'platform', name: '9020000.fw-cfg', node: 'fw-cfg@9020000' },
  { bus: 'amba', name: '9010000.pl031', node: 'pl031@9010000' },
  { bus: 'amba', name: '9030000.pl061', node: 'pl061@9030000' },
];

/** Cells of a property of a top-level node in decompiled dts text (for sizing the requests only). */
function dtsCells(dts, node, prop) {
  const start = dts.indexOf(`\n\t${node} {\n`);
  if (start < 0) throw new Error(`device tree has no node ${node}`);
  const body = dts.slice(start, dts.indexOf('\n\t};', start));
  const m = new RegExp(`\\n\\t\\t${prop} = <([^>]*)>;`).exec(body);
  return m ? m[1].trim().split(/\s+/).length : 0;
}

/** What the requests are sized by: index counts from the device tree the guest boots with. */
function planShape(dts, d) {
  const irqs = dtsCells(dts, d.node, 'interrupts') / 3;
  const regs = dtsCells(dts, d.node, 'reg') / 4;
  return { name: d.name, irqs: Array.from({ length: irqs }, (_, index) => ({ index, count: 1, flags: 0 })),
    info: { numIrqs: irqs, numRegions: d.bus === 'amba' ? Math.min(regs, 1) : regs } };
}

const sysfs = (d, prop) => `/sys/bus/${d.bus}/devices/${d.name}/of_node/${prop}`;

export function platformPlan({ dts, seed, random }) {
  const b = builders();
  const devs = PLATFORM_DEVICES.map((d, di) => {
    const shape = planShape(dts, d);
    const items = [...platformFixedItems(shape, b), ...platformRandomItems(shape, b, seed + di * 7919, random), ...platformCleanupItems(shape, b)];
    return { ...d, items };
  });
  const lines = ['# vfio-abi arm64 platform stage'];
  for (const d of devs) lines.push(`OPEN ${d.name}`);
  lines.push('READ_FILE /proc/interrupts', 'READ_FILE /proc/self/auxv');
  for (const d of devs) lines.push(`READ_FILE ${sysfs(d, 'interrupts')}`, `READ_FILE ${sysfs(d, 'reg')}`);
  for (const d of devs) lines.push(`USE ${d.name}`, ...scriptLines(d.items));
  lines.push('QUIT');
  return { devs, script: `${lines.join('\n')}\n` };
}

/** AT_PAGESZ from the replay program's auxiliary vector (little-endian u64 pairs on arm64). */
function pageSizeOf(auxv) {
  for (let o = 0; o + 16 <= auxv.length; o += 16) if (auxv.readBigUInt64LE(o) === 6n) return Number(auxv.readBigUInt64LE(o + 8));
  throw new Error('no AT_PAGESZ in /proc/self/auxv');
}

/** Descriptions from the facts part of the transcript; returns { descriptions, next } (index of the first USE). */
export function guestFacts(records, devs, kernel) {
  let i = 0;
  const problems = [];
  for (const d of devs) {
    const r = records[i++];
    if (r?.cmd !== 'OPEN' || r.extra.failed || r.extra.err.length) problems.push(`OPEN ${d.name} failed: ${r?.extra.err.join('; ') || r?.extra.lines.join(' | ')}`);
  }
  const file = () => {
    const r = records[i++];
    if (r?.cmd !== 'READ_FILE') throw new Error(`expected a READ_FILE record, got ${r?.cmd}: ${r?.extra.lines.join(' | ')}`);
    return r.ret >= 0 ? hexToBuffer(r.replyHex) : Buffer.alloc(0);
  };
  const procText = file().toString('latin1');
  const procInterrupts = parseProcInterrupts(procText);
  const pageSize = pageSizeOf(file());
  const descriptions = devs.map((d) => {
    const interrupts = file(), reg = file();
    return platformDescription({ name: d.name, bus: d.bus, kernel, interrupts, reg, procInterrupts, pageSize });
  });
  return { descriptions, next: i, problems, procText, pageSize };
}

async function runKernel(series, { seed, random, log }) {
  const guest = await prepareGuest({ arch: 'arm64', series, log });
  const dts = fs.readFileSync(guest.dts, 'utf8');
  const plan = platformPlan({ dts, seed: seed + (series === '7.2' ? 104729 : 0), random });
  const bus = (name) => plan.devs.filter((d) => d.bus === name).map((d) => d.name).join(',');
  const r = await runGuest({ guest, script: plan.script, append: `vfio_platform=${bus('platform')} vfio_amba=${bus('amba')}`, log });
  return { series, guest, plan, r };
}

function check({ series, guest, plan, r }) {
  const records = parseTranscript(r.transcript);
  const facts = guestFacts(records, plan.devs, series);
  const stats = newStats();
  stats.mismatches.push(...facts.problems);
  const perDevice = [];
  let at = facts.next;
  plan.devs.forEach((d, k) => {
    const use = records[at++];
    if (use?.cmd !== 'USE' || use.extra.err.length) stats.mismatches.push(`USE ${d.name}: ${use?.extra.lines.join(' | ')}`);
    const before = stats.requests, mism = stats.mismatches.length;
    at = checkDevice({ device: { ...facts.descriptions[k], name: d.name }, items: d.items, records, at, prof: { epoch: '6.6' }, stats });
    perDevice.push({ name: d.name, requests: stats.requests - before, mismatches: stats.mismatches.length - mism });
  });
  return { stats, perDevice, facts, release: guest.kernel.release };
}

// ---- main
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const argv = process.argv.slice(2);
  const opt = (name, d) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : d; };
  const series = opt('--series') ? [opt('--series')] : SERIES;
  const seed = Number(opt('--seed', '20201117'));
  const random = Number(opt('--random', '2000'));
  const verbose = argv.includes('--verbose'), dump = opt('--dump'), tables = argv.includes('--tables');
  const log = (m) => console.log(`  [arm64] ${m}`);
  const t0 = Date.now();
  let exit = 0;
  const runs = await Promise.all(series.map((s) => runKernel(s, { seed, random, log }).catch((error) => ({ series: s, error }))));
  for (const run of runs) {
    if (run.error) { console.log(`arm64 ${run.series}: BUILD/BOOT FAILURE\n${run.error.message}`); exit = 2; continue; }
    if (dump) {
      fs.mkdirSync(dump, { recursive: true });
      fs.writeFileSync(path.join(dump, `arm64-${run.series}.txt`), run.r.transcript);
      fs.writeFileSync(path.join(dump, `arm64-${run.series}.req.txt`), run.plan.script);
    }
    let res;
    try { res = check(run); } catch (e) { console.log(`arm64 ${run.series}: cannot read the guest's report: ${e.message}`); exit = Math.max(exit, 1); continue; }
    const { stats, perDevice, facts } = res;
    console.log(`arm64 ${run.series} (${res.release}, ${run.guest.kernel.sourcePackage} ${run.guest.kernel.sourceVersion}): requests ${stats.requests}, ` +
      `predictions matched ${stats.matched}/${stats.requests}, reply+guard bytes matched ${stats.bytesMatched}/${stats.requests}, ` +
      `replies decoded+re-encoded ${stats.decoded} (rejected like the request: ${stats.rejected}), SET_IRQS ${stats.setIrqs}, ` +
      `eventfd counters matched ${stats.efdMatched}/${stats.efdReads}, wall ${run.r.wallMs} ms, boot attempts ${run.r.attempts}`);
    for (const p of perDevice) console.log(`    ${p.name.padEnd(22)} ${String(p.requests).padStart(5)} requests, ${p.mismatches} mismatches`);
    if (verbose) for (const [k, v] of [...stats.byRule].sort((a, b) => b[1] - a[1])) console.log(`    ${String(v).padStart(5)}  ${k}`);
    if (tables) {
      for (const dsc of facts.descriptions) console.log(`\n  ${dsc.name} (${dsc.driver}): ${dsc.irqs.map((q) => `irq ${q.index} ${q.source}${q.requestError ? ` request_irq ${q.requestError}` : ''}`).join('; ') || 'no irqs'}\n${formatTopology(irqTopology(dsc)).replace(/^/gm, '    ')}`);
    }
    const few = perDevice.filter((p) => p.requests < random);
    if (few.length) stats.mismatches.push(`fewer than ${random} requests on ${few.map((p) => p.name).join(', ')}`);
    for (const m of stats.mismatches.slice(0, 60)) console.log(`  MISMATCH ${m}`);
    if (stats.mismatches.length > 60) console.log(`  ... ${stats.mismatches.length - 60} more mismatches`);
    if (stats.mismatches.length) exit = Math.max(exit, 1);
  }
  console.log(`platform stage: ${exit === 0 ? 'OK' : `FAILED (exit ${exit})`} in ${Date.now() - t0} ms`);
  process.exit(exit);
}
