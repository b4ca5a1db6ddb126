#!/usr/bin/env node
// Real-kernel check of the ioctls beyond the IRQ side: VFIO_DEVICE_FEATURE (PROBE / GET / SET of
// every feature index, low-power entry and exit, DMA_BUF and wakeup-eventfd validation),
// VFIO_DEVICE_GET_PCI_HOT_RESET_INFO and VFIO_DEVICE_PCI_HOT_RESET (on the reference devices, which
// have no slot or bus reset, and on two functions behind one PCIe root port, which share a reset
// domain and an IOMMU group), VFIO_GROUP_GET_STATUS, VFIO_IOMMU_MAP_DMA and
// VFIO_IOMMU_UNMAP_DMA with good and bad arguments, on the four harness devices of each kernel.
// Every request is built with the codec's encoder; every answer is compared with the uAPI model
// (bindings/oracle/model/uapi.ts): ret, errno, the reply bytes and the guard after the buffer, and
// every reply must decode and re-encode byte for byte. The plan is its own boot (one per kernel),
// separate from the SET_IRQS campaign.
//
//   node tests/kernel/uapi.mjs [--kernel 6.1|6.12|7.2|7.3|all|K,K] [--record DIR] [--work-dir DIR]
//
// --record DIR writes each kernel's transcript to DIR/<kernel>.txt (the offline test
// tests/oracle/uapi.test.mjs replays the recorded answers through the model without QEMU).
// Exit: 0 every answer predicted; 1 a mismatch; 2 a kernel could not be prepared or booted.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { HOT_RESET_EXTRA } from "./harness.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const dist = (p) => new URL(`../../dist/bindings/${p}`, import.meta.url).href;
if (!fs.existsSync(fileURLToPath(dist("index.js")))) {
  console.error("kernel uapi: dist/bindings is missing - run `node scripts/build.mjs` first");
  process.exit(2);
}
const lib = await import(dist("index.js"));
const oracle = await import(dist("oracle/index.js"));
const { lookupIoctl } = await import(dist("ioctl.js"));

export const GUARD = new Uint8Array(256).fill(0xa5);
const HOT_RESET_BDFS = HOT_RESET_EXTRA.bdfs;
const C = lib;
const GET = C.VFIO_DEVICE_FEATURE_GET,
  SET = C.VFIO_DEVICE_FEATURE_SET,
  PROBE = C.VFIO_DEVICE_FEATURE_PROBE;
const FEATURE_IDS = 14; // 0..13 defined in 7.3, 14 is past every defined index
const EVENTFD = 100,
  NOT_EVENTFD = 1,
  CLOSED_FD = 99;
const PAGE = 0x1000n;

/** Replay command and struct of each ioctl (the others go through `IOCTL <target> <nr>`: c container, d device). */
export const IOCTLS = {
  VFIO_DEVICE_FEATURE: { cmd: "DEVICE_FEATURE", struct: "vfio_device_feature" },
  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: { cmd: "DEVICE_GET_PCI_HOT_RESET_INFO", struct: "vfio_pci_hot_reset_info" },
  VFIO_DEVICE_PCI_HOT_RESET: { target: "d", struct: "vfio_pci_hot_reset" },
  VFIO_GROUP_GET_STATUS: { cmd: "GROUP_GET_STATUS", struct: "vfio_group_status" },
  VFIO_IOMMU_MAP_DMA: { target: "c", struct: "vfio_iommu_type1_dma_map" },
  VFIO_IOMMU_UNMAP_DMA: { target: "c", struct: "vfio_iommu_type1_dma_unmap" },
};
const nrOf = (name) => lookupIoctl(name).find((i) => i.name === name).number;

/** A request through the encoder; `length` pads (or cuts) the buffer, argsz and counts stay as given
 *  (requests built for the kernel to reject). */
function req(ioctl, value, length) {
  const v = length === undefined ? value : { ...value, $: { length } };
  return { ioctl, bytes: lib.encode(IOCTLS[ioctl].struct, v, { keepCounts: true }) };
}
const feature = (flags, argsz = 8, data, length) =>
  req("VFIO_DEVICE_FEATURE", { argsz, flags, ...(data ? { data } : {}) }, length ?? Math.max(argsz, 8));

/** Every feature index with every GET / SET / PROBE combination, without and with 24 data bytes. */
function featureMatrix() {
  const out = [];
  const ops = [PROBE, PROBE | GET, PROBE | SET, PROBE | GET | SET, GET, SET, GET | SET, 0];
  for (let id = 0; id <= FEATURE_IDS; id++)
    for (const op of ops) out.push(feature(id | op), feature(id | op, 32, undefined, 32));
  out.push(feature(C.VFIO_DEVICE_FEATURE_LOW_POWER_EXIT | SET, 7, undefined, 8)); // argsz < minsz
  out.push(feature(C.VFIO_DEVICE_FEATURE_LOW_POWER_EXIT | SET, 0, undefined, 8));
  out.push(feature(C.VFIO_DEVICE_FEATURE_LOW_POWER_EXIT | SET | (PROBE << 1), 8)); // undefined flag bit
  out.push(feature(0xffffffff, 8));
  return out;
}

/** Low-power entry / exit and the wakeup eventfd checks (a valid wakeup entry is timing-dependent: never made). */
function lowPower() {
  const E = C.VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY | SET,
    X = C.VFIO_DEVICE_FEATURE_LOW_POWER_EXIT | SET,
    W = C.VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP | SET;
  const wake = (fd, argsz = 16) => feature(W, argsz, { wakeup_eventfd: fd, reserved: 0 }, 16);
  return [
    feature(E),
    feature(E), // already engaged
    wake(EVENTFD), // a good eventfd, but engaged
    feature(X),
    feature(X), // exit twice
    wake(-1),
    wake(CLOSED_FD),
    wake(NOT_EVENTFD),
    wake(EVENTFD, 11), // 3 data bytes < 8
    feature(E),
    feature(X),
  ];
}

/** DMA_BUF GET up to the export: no ranges, flags, no such BAR, unaligned ranges (never a valid export). */
function dmaBuf(device) {
  const G = C.VFIO_DEVICE_FEATURE_DMA_BUF | GET;
  const bar = device.regions.find((r) => r.index < C.VFIO_PCI_ROM_REGION_INDEX && BigInt(r.size) > 0n).index;
  const noBar = device.regions.find((r) => r.index < C.VFIO_PCI_ROM_REGION_INDEX && BigInt(r.size) === 0n)?.index;
  const buf = (region_index, flags, ranges, nr = ranges.length) => {
    const data = { region_index, open_flags: 0, flags, nr_ranges: nr, dma_ranges: ranges };
    const argsz = 8 + 16 + 16 * ranges.length;
    return feature(G, argsz, data, argsz);
  };
  const r = (offset, length) => ({ offset, length });
  const out = [
    buf(bar, 0, [], 0),
    buf(bar, 1, [r(0n, PAGE)]),
    buf(C.VFIO_PCI_ROM_REGION_INDEX, 0, [r(0n, PAGE)]),
    buf(C.VFIO_PCI_CONFIG_REGION_INDEX, 0, [r(0n, PAGE)]),
    buf(bar, 0, [r(1n, PAGE)]),
    buf(bar, 0, [r(0n, 0n)]),
    buf(bar, 0, [r(0n, PAGE), r(PAGE, 0x10n)]),
    feature(G, 20, { region_index: bar, open_flags: 0, flags: 0, nr_ranges: 1 }, 24), // data shorter than 16
  ];
  if (noBar !== undefined) out.push(buf(noBar, 0, [r(0n, PAGE)]));
  return out;
}

const hotInfo = (argsz, length) =>
  req("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", { argsz, flags: 0, count: 0 }, length ?? Math.max(argsz, 12));
/** A hot reset naming `fds`; argsz is the struct with its array unless given. */
const hotReset = (fds, { argsz = 12 + 4 * fds.length, flags = 0, count = fds.length } = {}) =>
  req("VFIO_DEVICE_PCI_HOT_RESET", { argsz, flags, count, group_fds: fds });

/** Group fds the hot reset requests name (DUP'd into place), a device fd, and the fds of the fd layout. */
const FD = { GROUP_A: 200, GROUP_B: 201, GROUP_OTHER: 202, DEVICE: 203 };

function deviceItems(device) {
  const status = (argsz, length) => req("VFIO_GROUP_GET_STATUS", { argsz, flags: 0 }, length);
  return [
    status(8),
    status(4, 8),
    status(16, 16),
    hotInfo(12),
    hotInfo(8, 12),
    hotInfo(64),
    hotReset([]), // count 0: EINVAL first since 6.6, ENODEV (no slot or bus reset) before
    hotReset([EVENTFD]),
    hotReset([], { argsz: 8 }),
    hotReset([CLOSED_FD], { flags: 1 }),
    ...featureMatrix(),
    ...lowPower(),
    ...dmaBuf(device),
    feature(C.VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 | SET),
    feature(C.VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 | PROBE | SET),
  ];
}

/** MAP_DMA / UNMAP_DMA on the shared type1v2 container (vaddr 0x1000 is never mapped in the replay program). */
function containerItems() {
  const R = C.VFIO_DMA_MAP_FLAG_READ,
    W = C.VFIO_DMA_MAP_FLAG_WRITE,
    V = C.VFIO_DMA_MAP_FLAG_VADDR;
  const map = (flags, vaddr, iova, size, argsz = 32) =>
    req("VFIO_IOMMU_MAP_DMA", { argsz, flags, vaddr, iova, size }, 32);
  const unmap = (flags, iova, size, argsz = 24, length = 24) =>
    req("VFIO_IOMMU_UNMAP_DMA", { argsz, flags, iova, size }, length);
  const top = 0xfffffffffffff000n;
  const U = {
    DIRTY: C.VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
    ALL: C.VFIO_DMA_UNMAP_FLAG_ALL,
    VADDR: C.VFIO_DMA_UNMAP_FLAG_VADDR,
  };
  return [
    map(R | W, PAGE, 0x100000n, PAGE, 16),
    map(R | W | 8, PAGE, 0x100000n, PAGE),
    map(R | W, PAGE, 0x100000n, 0n),
    map(0, PAGE, 0x100000n, PAGE),
    map(R | V, PAGE, 0x100000n, PAGE),
    map(R | W, PAGE + 1n, 0x100000n, PAGE),
    map(R | W, PAGE, 0x100001n, PAGE),
    map(R | W, PAGE, 0x100000n, PAGE + 1n),
    map(R | W, PAGE, top, 2n * PAGE),
    map(0, PAGE, top, 2n * PAGE),
    map(R, top, 0x100000n, 2n * PAGE),
    map(V, PAGE, 0x100000n, PAGE),
    map(R | W, PAGE, 0xfee00000n, PAGE),
    map(R | W, PAGE, 0x100000n, PAGE),
    map(R, PAGE, 0x200000n, 4n * PAGE),
    unmap(0, 0x100000n, PAGE, 16),
    unmap(8, 0x100000n, PAGE),
    unmap(0, 0x100000n, 0n),
    unmap(0, 0x100001n, PAGE),
    unmap(0, 0x100000n, PAGE + 1n),
    unmap(0, top, 2n * PAGE),
    unmap(0, 0x100000n, PAGE),
    unmap(0, 0n, 1n << 40n),
    unmap(U.ALL, 0n, 0n),
    unmap(U.ALL, 0n, PAGE),
    unmap(U.ALL, PAGE, 0n),
    unmap(U.VADDR, 0x100000n, PAGE),
    unmap(U.DIRTY | U.ALL, 0n, 0n),
    unmap(U.DIRTY, 0x100000n, PAGE),
  ];
}

/**
 * Good mappings in the replay program's own memory (`mem`: page-aligned pages of its static I/O
 * buffer): map, overlap, bisecting unmaps, vaddr invalidation and update, unmap of a range and of all.
 */
function dmaItems(mem) {
  const R = C.VFIO_DMA_MAP_FLAG_READ,
    W = C.VFIO_DMA_MAP_FLAG_WRITE,
    V = C.VFIO_DMA_MAP_FLAG_VADDR,
    UV = C.VFIO_DMA_UNMAP_FLAG_VADDR,
    ALL = C.VFIO_DMA_UNMAP_FLAG_ALL;
  const map = (flags, vaddr, iova, size) => req("VFIO_IOMMU_MAP_DMA", { argsz: 32, flags, vaddr, iova, size }, 32);
  const unmap = (flags, iova, size) => req("VFIO_IOMMU_UNMAP_DMA", { argsz: 24, flags, iova, size }, 24);
  const A = 0x100000n,
    B = 0x200000n,
    P = PAGE;
  return [
    map(R | W, mem, A, 4n * P),
    map(R | W, mem, A, 4n * P), // exists
    map(R | W, mem, A + 2n * P, 4n * P), // overlaps
    map(R, mem + 4n * P, B, 2n * P),
    unmap(0, A + P, P), // bisects the first mapping
    unmap(0, A, 2n * P), // ends inside it
    unmap(UV, A, 4n * P), // vaddr invalidated, still mapped
    unmap(UV, A, 4n * P), // already invalid
    map(R | W, mem, A, 4n * P), // still mapped
    map(V, mem, A, 2n * P), // not the same size
    map(V, mem + 8n * P, A, 4n * P), // a new vaddr
    unmap(0, A, 0x200000n), // both mappings
    unmap(0, A, 0x200000n), // nothing left
    map(R | W, mem + P, 0x300000n, P),
    map(W, mem + 2n * P, 0x400000n, 2n * P),
    unmap(ALL, 0n, 0n),
  ];
}

/**
 * The reset domain behind the root port (harness HOT_RESET_EXTRA): function 0 and function 1 share it
 * and their group. Function 0 gets the reference e1000e's group fd too (GROUP_OTHER), which does not
 * cover the domain; the devices' groups come from the transcript (INFO OPEN), not from the plan.
 */
function hotResetSegments(kernel, [bdfA, bdfB], otherBdf) {
  const { GROUP_A, GROUP_B, GROUP_OTHER, DEVICE } = FD;
  const device = (bdf) => ({ ...oracle.qemuDevice("e1000e", kernel), name: `e1000e@${bdf}`, bdf });
  const info = [12, 16, 20, 28, 64].map((argsz) => hotInfo(argsz));
  const a = {
    device: device(bdfA),
    setup: [`DUP g ${GROUP_A}`, `DUP d ${DEVICE}`, `OPEN ${otherBdf}`, `DUP g ${GROUP_OTHER}`, `USE ${bdfA}`],
    groupFds: { [GROUP_A]: bdfA, [GROUP_OTHER]: otherBdf },
    files: [DEVICE],
    items: [
      ...info,
      hotInfo(27, 28),
      hotReset([]),
      hotReset([], { argsz: 11, count: 1 }),
      hotReset([GROUP_A], { flags: 1 }),
      hotReset([GROUP_A]),
      hotReset([GROUP_A, GROUP_A]),
      hotReset([GROUP_A, GROUP_A, GROUP_A]), // more fds than devices in the domain
      hotReset([CLOSED_FD]),
      hotReset([EVENTFD]),
      hotReset([DEVICE]),
      hotReset([GROUP_OTHER]), // a group, not the domain's
      hotReset([GROUP_OTHER, GROUP_A]),
      hotReset([GROUP_A, CLOSED_FD]),
      hotReset([GROUP_A], { argsz: 12 }), // argsz without the array: the kernel reads it anyway
    ],
  };
  const b = {
    device: device(bdfB),
    setup: [`DUP g ${GROUP_B}`],
    groupFds: { [GROUP_A]: bdfA, [GROUP_B]: bdfB, [GROUP_OTHER]: otherBdf },
    files: [DEVICE],
    items: [hotInfo(64), hotReset([GROUP_A, GROUP_B]), hotReset([GROUP_B]), hotReset([GROUP_OTHER, EVENTFD])],
  };
  return [a, b];
}

const hex = (b) => Buffer.from(b).toString("hex");
function line(it) {
  const io = IOCTLS[it.ioctl];
  return io.target
    ? `IOCTL ${io.target} ${nrOf(it.ioctl).toString(16)} ${hex(it.bytes)}`
    : `${io.cmd} ${hex(it.bytes)}`;
}

/**
 * The plan: per device OPEN + its items; the container items after the last device is open.
 * `memory`: pinnable pages of the replay program ({ vaddr, size }; none: no good mapping is made).
 */
export function plan(kernel, memory) {
  const devices = oracle.QEMU_DEVICE_NAMES.map((n) => oracle.qemuDevice(n, kernel));
  const segments = devices.map((device) => ({ device, items: deviceItems(device) }));
  segments.at(-1).items.push(...containerItems(), ...(memory ? dmaItems(memory.vaddr) : []));
  segments.at(-1).memory = memory;
  const other = devices.find((d) => d.name === "e1000e").bdf;
  return [...segments, ...hotResetSegments(kernel, HOT_RESET_BDFS, other)];
}

/**
 * Pinnable memory of the replay program: the whole pages inside its static I/O buffer (`iobuf`, a
 * static non-PIE binary: the address is the link-time one, read with nm).
 */
export function replayMemory(binary) {
  const out = spawnSync("nm", ["-S", binary], { encoding: "utf8" }).stdout ?? "";
  const m = /^([0-9a-f]+) ([0-9a-f]+) [bBdD] iobuf$/m.exec(out);
  if (!m) throw new Error(`kernel uapi: no iobuf symbol in ${binary}`);
  const start = BigInt(`0x${m[1]}`),
    end = start + BigInt(`0x${m[2]}`);
  const vaddr = (start + PAGE - 1n) & ~(PAGE - 1n);
  return { vaddr, size: (end - vaddr) & ~(PAGE - 1n) };
}
/** The memory line a recorded transcript starts with (the offline test rebuilds the same plan). */
export const memoryLine = (m) => `# memory vaddr=0x${m.vaddr.toString(16)} size=0x${m.size.toString(16)}`;
export function memoryOf(transcript) {
  const m = /^# memory vaddr=0x([0-9a-f]+) size=0x([0-9a-f]+)$/m.exec(transcript);
  return m ? { vaddr: BigInt(`0x${m[1]}`), size: BigInt(`0x${m[2]}`) } : undefined;
}
export function script(segments) {
  // compact replies ("=" when the kernel left the buffer as sent): the guest's serial port is slow under TCG
  const body = segments.flatMap((s) => [`OPEN ${s.device.bdf}`, ...(s.setup ?? []), ...s.items.map(line)]);
  return ["MODE compact", ...body, "QUIT", ""].join("\n");
}

/**
 * Compare a transcript's records with the model, item by item. Returns { n, perIoctl, mismatches }.
 * Records for OPEN are skipped; every other record is one item, in order.
 */
export function check(kernel, segments, records) {
  const perIoctl = {},
    mismatches = [];
  const recs = records.filter((r) => !["OPEN", "USE", "DUP", "MODE", "QUIT", null].includes(r.cmd));
  const groups = groupsOf(records);
  let k = 0;
  for (const seg of segments) {
    const model = new oracle.UapiModel(withGroups(seg, groups), { memory: seg.memory ? [seg.memory] : [] });
    for (const it of seg.items) {
      const rec = recs[k++];
      const where = `${kernel} ${seg.device.name} #${k} ${line(it).slice(0, 120)}`;
      const bad = compare(model, it, rec);
      perIoctl[it.ioctl] = (perIoctl[it.ioctl] ?? 0) + 1;
      if (bad) mismatches.push(`${where}: ${bad}`);
    }
  }
  if (recs.length !== k) mismatches.push(`${kernel}: ${recs.length} records for ${k} requests`);
  return { n: k, perIoctl, mismatches };
}

/** The IOMMU group of each device the transcript opened (INFO OPEN <bdf> group=N). */
function groupsOf(records) {
  const out = {};
  for (const r of records) if (r.cmd === "OPEN" && r.extra.group !== undefined) out[r.extra.bdf] = r.extra.group;
  return out;
}

/** A hot-reset segment's device with its reset domain, group fds and extra open files, groups as the kernel gave them. */
function withGroups(seg, groups) {
  if (!seg.groupFds) return seg.device;
  const group = (bdf) => groups[bdf] ?? -1;
  return {
    ...seg.device,
    resetDomain: HOT_RESET_BDFS.map((bdf) => ({ bdf, group: group(bdf) })),
    groupFds: Object.fromEntries(Object.entries(seg.groupFds).map(([fd, bdf]) => [fd, group(bdf)])),
    openFds: [...(seg.device.openFds ?? [0, 1, 2]), ...seg.files],
  };
}

function compare(model, it, rec) {
  if (!rec || rec.ret === null) return `no answer (${rec?.extra?.err?.join("; ") ?? "missing"})`;
  const p = model.predict(it.ioctl, concat(it.bytes, GUARD), it.bytes.length);
  const errs = [];
  const replyHex = rec.replyHex === "=" ? hex(it.bytes) : rec.replyHex;
  const ret = rec.errno ? -rec.errno : rec.ret;
  if (p.ret === null) return `kernel ret=${rec.ret} errno=${rec.errnoName}: the model does not predict ${p.rule}`;
  if (ret !== p.ret) errs.push(`ret ${ret} (${rec.errnoName}), model ${p.ret} (${p.errno}, ${p.rule})`);
  if (replyHex !== hex(p.reply)) errs.push(`reply ${replyHex}, model ${hex(p.reply)}`);
  if (rec.guard !== "ok") errs.push(`guard ${JSON.stringify(rec.guard)}`);
  const rt = roundTrip(it.ioctl, Buffer.from(replyHex, "hex"));
  if (rt) errs.push(rt);
  return errs.join("; ");
}

/** The reply decodes and re-encodes to the same bytes (or the codec rejects what the kernel also rejected). */
function roundTrip(ioctl, bytes) {
  let v;
  try {
    v = lib.decode(IOCTLS[ioctl].struct, new Uint8Array(bytes));
  } catch (e) {
    return lib.inspect(IOCTLS[ioctl].struct, new Uint8Array(bytes)).status < 0 ? null : `decode: ${e.message}`;
  }
  const again = lib.encode(IOCTLS[ioctl].struct, v);
  return hex(again) === hex(bytes) ? null : `re-encode ${hex(again)} != ${hex(bytes)}`;
}

const concat = (a, b) => {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
};

// ---- command line
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { KERNELS, parseTranscript, prepareKernels, runScript, DEFAULT_WORK_DIR } = await import("./harness.mjs");
  const { listArg, parseOptions } = await import("../../scripts/lib/options.mjs");
  const { values: args } = parseOptions("kernel uapi", {
    usage: "node tests/kernel/uapi.mjs [--kernel 6.1|6.12|7.2|7.3|all|K,K] [--record DIR] [--work-dir DIR]",
    options: { kernel: { type: "string", default: "all" }, record: { type: "string" }, "work-dir": { type: "string" } },
  });
  const kernels = listArg("kernel uapi", "--kernel", args.kernel, KERNELS);
  const record = args.record;
  const workDir = path.resolve(args["work-dir"] ?? DEFAULT_WORK_DIR);
  let failed = false,
    broken = false;
  const summary = {};
  // two boots at a time (each TCG guest wants a core); every kernel is reported
  await prepareKernels({ kernels, workDir });
  const bin = fs.readdirSync(path.join(workDir, "bin")).filter((f) => f.startsWith("vfio-replay"));
  const newest = bin
    .map((f) => path.join(workDir, "bin", f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  const memory = replayMemory(newest);
  const queue = [...kernels];
  const one = async () => {
    for (let kernel = queue.shift(); kernel; kernel = queue.shift()) {
      const segments = plan(kernel, memory);
      let r;
      try {
        r = await runScript({
          kernel,
          script: script(segments),
          workDir,
          timeoutMs: 600_000,
          retries: 2,
          extra: HOT_RESET_EXTRA,
        });
      } catch (e) {
        console.error(`kernel uapi ${kernel}: ${e.message.split("\n")[0]}`);
        broken = true;
        continue;
      }
      if (record) {
        fs.mkdirSync(record, { recursive: true });
        fs.writeFileSync(path.join(record, `${kernel}.txt`), `${memoryLine(memory)}\n${r.transcript}`);
      }
      const c = check(kernel, segments, parseTranscript(r.transcript));
      summary[kernel] = { version: r.version, requests: c.n, perIoctl: c.perIoctl, mismatches: c.mismatches.length };
      for (const m of c.mismatches.slice(0, 40)) console.log(`MISMATCH ${m}`);
      if (c.mismatches.length) failed = true;
    }
  };
  await Promise.all([one(), one()]);
  console.log(JSON.stringify(summary, null, 1));
  process.exit(failed ? 1 : broken ? 2 : 0);
}
export { HERE };
