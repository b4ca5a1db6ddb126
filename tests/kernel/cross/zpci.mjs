#!/usr/bin/env node
// s390x zPCI stage: virtio PCI functions behind zPCI on QEMU's s390-ccw-virtio machine, bound to
// vfio-pci on minimal 6.12 and 7.2 kernels built from Debian's sources. Everything is big-endian:
// the requests are encoded for s390x by the codec, the replies decoded and re-encoded for s390x,
// and GET_INFO carries the zPCI capability chain (ZPCI_BASE, ZPCI_GROUP, ZPCI_PFIP) the model
// predicts byte for byte. One boot per kernel (both in parallel): open every function, record what
// the guest says about it (config space, resources, zPCI attributes, DMA window), then replay the
// INFO queries, the fixed SET_IRQS script and a random stateful campaign per function.
//
//   node tests/kernel/cross/zpci.mjs [--series 6.12|7.2] [--seed N] [--random N] [--verbose] [--dump DIR]
//
// Exit: 0 all matched; 1 a mismatch; 2 a kernel could not be built or booted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SERIES } from '../lib/kbuild.mjs';
import { parseTranscript } from '../lib/transcript.mjs';
import { cleanupItems, fixedItems, randomItems } from '../gen.mjs';
import { checkDevice, newStats, scriptLines } from './check.mjs';
import { prepareGuest, runGuest } from './machines.mjs';
import { hexToBuffer } from './platform-facts.mjs';
import { zpciDescription } from './zpci-facts.mjs';

if (!fs.existsSync(new URL('../../../dist/bindings/index.js', import.meta.url))) {
  console.error('zpci stage: dist/bindings is missing - run `node scripts/build.mjs` first');
  process.exit(2);
}
const { DeviceModel } = await import('../../../dist/bindings/index.js');

const PROF = { arch: 's390x', epoch: '6.6' };

/** The functions: zPCI uid/fid and the virtio device behind it (MSI-X table sizes 2, 5 and none). */
export const ZPCI_FUNCTIONS = [
  { uid: 1, fid: 0x1, qemu: 'virtio-rng-pci' },
  { uid: 2, fid: 0x20, qemu: 'virtio-rng-pci-non-transitional,vectors=5' },
  { uid: 3, fid: 0x300, qemu: 'virtio-balloon-pci,vectors=0' },
].map((f) => ({ ...f, name: `${f.uid.toString(16).padStart(4, '0')}:00:00.0` }));

export const qemuDevices = () => ZPCI_FUNCTIONS.flatMap((f, i) => ['-device', `zpci,uid=${f.uid},fid=${f.fid},target=fn${i}`, '-device', `${f.qemu},id=fn${i}`]);

const ZPCI_ATTRS = ['function_id', 'function_handle', 'pchid', 'pfgid', 'vfn', 'pft', 'segment0', 'segment1', 'segment2', 'segment3'];
const facts = (f) => [
  `/sys/bus/pci/devices/${f.name}/config`, `/sys/bus/pci/devices/${f.name}/resource`, `/sys/bus/pci/devices/${f.name}/reset_method`,
  `/sys/bus/pci/devices/${f.name}/iommu_group/reserved_regions`, ...ZPCI_ATTRS.map((a) => `/sys/bus/pci/devices/${f.name}/${a}`),
];

/**
 * The function group QEMU presents to every emulated zPCI function (its default group): the CLP
 * "query PCI function group" answer the kernel copies into ZPCI_GROUP, and the function's
 * measurement-block length. sysfs does not show these; QEMU sets them in hw/s390x/s390-pci-bus.c
 * (s390_pci_init_default_group, set_pbdev_info).
 */
const QEMU_ZPCI_GROUP = { dasm: 0n, msiAddr: 0xfe00000000000000n, mui: 0, noi: 128, maxstbl: 128, version: 0, imaxstbl: 0, fmbLength: 0 };

/** Plan: requests sized by a first description (from the QEMU device list); predictions use the guest's. */
export function zpciPlan({ seed, random, shapes }) {
  const devs = ZPCI_FUNCTIONS.map((f, di) => {
    const shape = shapes[di];
    const items = [...fixedItems(shape, new DeviceModel(shape), PROF), ...randomItems(shape, seed + di * 7919, random, PROF), ...cleanupItems(PROF)];
    return { ...f, items };
  });
  const lines = ['# vfio-abi s390x zPCI stage'];
  for (const d of devs) lines.push(`OPEN ${d.name}`);
  for (const d of devs) lines.push(...facts(d).map((p) => `READ_FILE ${p}`));
  for (const d of devs) lines.push(`USE ${d.name}`, ...scriptLines(d.items));
  lines.push('QUIT');
  return { devs, script: `${lines.join('\n')}\n` };
}

export function guestFacts(records, devs, kernel, { mmapBars, apertureEnd }) {
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
  const descriptions = devs.map((d) => {
    const [config, resource, resetMethod, reservedRegions, ...attrs] = facts(d).map(() => file());
    const zpci = Object.fromEntries(ZPCI_ATTRS.map((a, k) => [a, attrs[k].toString('latin1')]));
    return zpciDescription({ name: d.name, kernel, config, resource: resource.toString('latin1'), resetMethod: resetMethod.toString('latin1'),
      zpci, reservedRegions: reservedRegions.toString('latin1'), group: QEMU_ZPCI_GROUP, mmapBars, apertureEnd });
  });
  return { descriptions, next: i, problems };
}
