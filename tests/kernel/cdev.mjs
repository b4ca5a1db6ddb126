#!/usr/bin/env node
// The cdev / iommufd path on a real kernel: a device opened through /dev/vfio/devices/vfioN,
// VFIO_DEVICE_BIND_IOMMUFD (bad argsz, flags, iommufd; the token flag and its 24-byte size),
// VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH_IOMMUFD_PT (IOAS ids, unknown ids, the PASID flag and the
// 16- and 12-byte sizes), the hot reset ioctls of a cdev-opened device, and a second device bound
// to the same iommufd. Debian's x86 kernels have no CONFIG_IOMMUFD, so the guest is the minimal
// s390x kernel of the cross stage (IOMMUFD, VFIO_DEVICE_CDEV and the s390 IOMMU; zPCI functions on
// vfio-pci, big-endian). Every request comes from the codec's encoder in the guest's byte order.
// The guest first reads each function's sysfs files (the zPCI stage's facts, without opening the
// functions), so the device model knows what GET_INFO answers. checkCdev compares every answer
// with the models' predictions (CdevModel, IommufdContext, UapiModel, DeviceModel); the cross stage
// runs it on every s390x kernel (cdevStage), and tests/oracle/cdev.test.mjs on recorded transcripts.
//
//   node tests/kernel/cdev.mjs [--series 6.12|7.2] [--record FILE] [--work-dir DIR]
//
// Exit: 0 every answer matched; 1 a mismatch; 2 the guest could not be prepared or booted. A
// kernel that is not built yet is not built here (the cross stage builds it).
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const lib = await import(new URL("../../dist/bindings/index.js", import.meta.url).href);
const { lookupIoctl } = await import(new URL("../../dist/bindings/ioctl.js", import.meta.url).href);
const { ERRNO } = await import(new URL("../../dist/bindings/generated/wasm-abi.js", import.meta.url).href);
const { ZPCI_FUNCTIONS, qemuDevices, zpciFactLines, guestFacts, APERTURE_END } = await import("./cross/zpci.mjs");
const { parseTranscript } = await import("./lib/transcript.mjs");

/** Fixed fds of the plan: the iommufd, a closed fd and an eventfd (the replay program's layout). */
export const FD = { IOMMUFD: 210, CLOSED: 99, EVENTFD: 100 };
const nr = (name) =>
  lookupIoctl(name)
    .find((i) => i.name === name)
    .number.toString(16);
const hex = (b) => Buffer.from(b).toString("hex");

/** The plan for a kernel series ("6.12": the structs before the token and PASID fields). */
export function cdevScript(series, bdfs) {
  const prof = { arch: "s390x", epoch: series };
  const enc = (struct, value, length) => hex(lib.encode(struct, { ...value, $: { length } }, prof));
  const ioctl = (name, struct, value, length) => `IOCTL d ${nr(name)} ${enc(struct, value, length)}`;
  const bind = (argsz, o = {}, length = Math.max(argsz, 16)) =>
    ioctl(
      "VFIO_DEVICE_BIND_IOMMUFD",
      "vfio_device_bind_iommufd",
      { argsz, flags: 0, iommufd: FD.IOMMUFD, out_devid: 0, ...o },
      length,
    );
  const attach = (argsz, o = {}, length = Math.max(argsz, 12)) =>
    ioctl(
      "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
      "vfio_device_attach_iommufd_pt",
      { argsz, flags: 0, pt_id: 1, ...o },
      length,
    );
  const detach = (argsz, o = {}, length = Math.max(argsz, 8)) =>
    ioctl("VFIO_DEVICE_DETACH_IOMMUFD_PT", "vfio_device_detach_iommufd_pt", { argsz, flags: 0, ...o }, length);
  const info = (argsz) =>
    `DEVICE_GET_PCI_HOT_RESET_INFO ${enc("vfio_pci_hot_reset_info", { argsz, flags: 0, count: 0 }, Math.max(argsz, 12))}`;
  const reset = (fds) =>
    ioctl(
      "VFIO_DEVICE_PCI_HOT_RESET",
      "vfio_pci_hot_reset",
      { argsz: 12 + 4 * fds.length, flags: 0, count: fds.length, group_fds: fds },
      12 + 4 * fds.length,
    );
  /** A bind with argsz 32: bytes past the 24-byte struct, the last one `tail` (6.17+ wants them zero). */
  const bindLong = (tail) => {
    const b = lib.encode(
      "vfio_device_bind_iommufd",
      { argsz: 32, flags: 0, iommufd: FD.IOMMUFD, $: { length: 32 } },
      { arch: "s390x", epoch: "7.2" },
    );
    b[b.length - 1] = tail;
    return `IOCTL d ${nr("VFIO_DEVICE_BIND_IOMMUFD")} ${hex(b)}`;
  };
  const getInfo = () => `DEVICE_GET_INFO ${enc("vfio_device_info", { argsz: 24 }, 24)}`;
  const TOKEN = lib.VFIO_DEVICE_BIND_FLAG_TOKEN;
  const PASID = lib.VFIO_DEVICE_ATTACH_PASID;
  return [
    "MODE full",
    `IOMMUFD_OPEN ${FD.IOMMUFD}`,
    "IOAS_ALLOC",
    "IOAS_ALLOC",
    `CDEV_OPEN ${bdfs[0]}`,
    getInfo(), // no access before the bind
    attach(12),
    bind(15),
    bind(16, { flags: TOKEN }),
    bind(16, { flags: TOKEN << 1 }),
    bind(16, { iommufd: -1 }),
    bind(16, { iommufd: FD.CLOSED }),
    bind(16, { iommufd: FD.EVENTFD }),
    bind(24, { flags: TOKEN, token_uuid_ptr: 0n }, 24),
    bindLong(1), // 6.17+: E2BIG; before, the first 16 bytes bind
    bind(16),
    bind(16), // bound already
    getInfo(),
    info(12),
    info(64),
    reset([]),
    reset([FD.EVENTFD]),
    detach(8), // nothing attached
    attach(11),
    attach(12, { flags: PASID }),
    attach(16, { flags: PASID, pasid: 5 }, 16),
    attach(16, { flags: PASID, pasid: 2 ** 31, pt_id: 999 }, 16), // above INT_MAX: 6.15+ ENOSPC (ida_alloc_range)
    attach(12, { pt_id: 999 }),
    attach(12, { pt_id: 3 }), // the device object, not a page table
    attach(12, { pt_id: 0 }),
    attach(12),
    attach(12), // the same IOAS again
    attach(12, { pt_id: 2 }), // replace
    attach(16, {}, 16),
    detach(7),
    detach(8, { flags: PASID }),
    detach(12, { flags: PASID, pasid: 5 }, 12),
    detach(8),
    detach(8),
    detach(12, {}, 12),
    `CDEV_OPEN ${bdfs[1]}`,
    bindLong(0), // zeros past the struct are fine everywhere
    attach(12, { pt_id: 1 }),
    "QUIT",
    "",
  ].join("\n");
}

/** The whole guest script: the functions' facts (files only), then the cdev plan. */
export function cdevPlan(series) {
  const devs = ZPCI_FUNCTIONS;
  const plan = cdevScript(
    series,
    devs.map((f) => f.name),
  );
  return {
    devs,
    script: `${["# vfio-abi s390x cdev / iommufd", ...zpciFactLines(devs, { open: false }), plan].join("\n")}`,
    append: `vfio_bdfs=${devs.map((f) => f.name).join(",")}`,
    devices: qemuDevices(),
  };
}

const GUARD = new Uint8Array(256).fill(0xa5);
const CDEV_IOCTLS = new Set([
  "VFIO_DEVICE_BIND_IOMMUFD",
  "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
  "VFIO_DEVICE_DETACH_IOMMUFD_PT",
]);
const PROF = (series) => ({ arch: "s390x", epoch: series });
/** Transcript names of the requests that are not IOCTL:d:<nr>. */
const NAMED = {
  DEVICE_GET_INFO: "VFIO_DEVICE_GET_INFO",
  DEVICE_GET_PCI_HOT_RESET_INFO: "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
};
/** The ioctl a record names ("IOCTL:d:3b76" -> VFIO_DEVICE_BIND_IOMMUFD). */
function ioctlOf(rec) {
  if (NAMED[rec.name]) return NAMED[rec.name];
  const n = rec.extra.request;
  const io = lookupIoctl(n, "s390x").find((i) => i.fd === "device");
  if (!io) throw new Error(`no device ioctl numbered ${n.toString(16)}`);
  return io.name;
}
const structOf = (name) => lookupIoctl(name).find((i) => i.name === name).arg;
const concat = (a, b) => {
  const m = new Uint8Array(a.length + b.length);
  m.set(a);
  m.set(b, a.length);
  return m;
};

/** The cdev-opened device: its cdev state, its device model and its uAPI model. */
function openDevice(fds, description, series) {
  return {
    cdev: new lib.CdevModel(fds, { kernel: series, bigEndian: true }),
    device: new lib.DeviceModel(description),
    uapi: new lib.UapiModel(description, { bigEndian: true, cdevOpened: true }),
  };
}

/** One request's prediction: { ret (0 or -errno; null: not predicted), errno, rule, reply, guard }. */
function predictOne(dev, name, req) {
  const len = req.length;
  if (CDEV_IOCTLS.has(name)) {
    const p = dev.cdev.predict(name, concat(req, GUARD), len);
    return { ret: p.ret, rule: p.rule, reply: p.reply, after: p.after };
  }
  const gate = dev.cdev.gate(req);
  if (gate) return { ret: gate.ret, rule: gate.rule, reply: gate.reply, after: GUARD };
  if (name === "VFIO_DEVICE_GET_INFO") {
    const p = dev.device.predict(name, req, { tail: GUARD, bigEndian: true });
    const errno = p.ret < 0 ? -(ERRNO[p.errno] ?? 0) : p.ret;
    return { ret: errno, rule: p.rule, reply: p.after.subarray(0, len), after: p.after.subarray(len) };
  }
  const p = dev.uapi.predict(name, concat(req, GUARD), len);
  return { ret: p.ret, rule: p.rule, reply: p.reply, after: p.after };
}

/** The reply decodes and re-encodes byte for byte, or the codec refuses it as it refuses the request. */
function roundTrip(struct, reply, req, prof) {
  let v;
  try {
    v = lib.decode(struct, reply, prof);
  } catch (e) {
    try {
      lib.decode(struct, req, prof);
    } catch {
      return null;
    }
    return `reply rejected by decode (${e.message}) but the request decodes`;
  }
  const again = lib.toHex(lib.encode(struct, v, prof));
  return again === lib.toHex(reply) ? null : `re-encodes to ${again}`;
}

/**
 * Check a cdev transcript against the models: every ioctl's ret, errno, reply bytes and guard, the
 * IOAS ids, and the codec on every reply. Returns { counts: {ioctl: {requests, matched}}, requests,
 * matched, mismatches }.
 */
export function checkCdev(transcript, series) {
  const records = parseTranscript(transcript);
  const devs = ZPCI_FUNCTIONS;
  const facts = guestFacts(records, devs, series, { apertureEnd: APERTURE_END, open: false });
  const descriptions = new Map(devs.map((d, k) => [d.name, facts.descriptions[k]]));
  const out = { counts: {}, requests: 0, matched: 0, mismatches: [...facts.problems] };
  const count = (name, ok, why) => {
    const c = (out.counts[name] ??= { requests: 0, matched: 0 });
    c.requests++;
    out.requests++;
    if (ok) {
      c.matched++;
      out.matched++;
    } else out.mismatches.push(`${name}: ${why}`);
  };
  const fds = { iommufds: new Map(), open: new Set([FD.EVENTFD]) };
  let dev = null;
  for (const rec of records.slice(facts.next)) {
    const info = rec.extra.info[0]?.split(/\s+/) ?? [];
    if (rec.extra.err.length) out.mismatches.push(`guest: ${rec.extra.err.join("; ")}`);
    if (info[0] === "IOMMUFD_OPEN") fds.iommufds.set(Number(info[1]), new lib.IommufdContext());
    else if (info[0] === "IOAS_ALLOC") {
      const id = [...fds.iommufds.values()][0].ioasAlloc();
      const got = /\bid=(\d+)/.exec(rec.extra.info[0])?.[1];
      count("IOMMU_IOAS_ALLOC", String(id) === got, `predicted id ${id}, kernel ${rec.extra.info[0]}`);
    } else if (info[0] === "CDEV_OPEN") dev = openDevice(fds, descriptions.get(info[1]), series);
    if (rec.ret === null || rec.replyHex === null) continue;
    const name = ioctlOf(rec);
    const req = Buffer.from(rec.requestHex, "hex");
    const reply = Buffer.from(rec.replyHex, "hex");
    const p = predictOne(dev, name, new Uint8Array(req));
    const kernelRet = rec.ret < 0 ? -rec.errno : rec.ret;
    const bad = [];
    if (p.ret !== kernelRet) bad.push(`ret: predicted ${p.ret} (${p.rule}), kernel ${kernelRet} (${rec.errnoName})`);
    if (lib.toHex(p.reply) !== rec.replyHex) bad.push(`reply: predicted ${lib.toHex(p.reply)}, kernel ${rec.replyHex}`);
    const guardOk = p.after.every((x) => x === 0xa5);
    if ((rec.guard === "ok") !== guardOk) bad.push(`guard: kernel ${JSON.stringify(rec.guard)}`);
    const codec = roundTrip(structOf(name), new Uint8Array(reply), new Uint8Array(req), PROF(series));
    if (codec) bad.push(`codec: ${codec}`);
    count(name, !bad.length, `request ${rec.requestHex}: ${bad.join("; ")}`);
  }
  if (!dev) out.mismatches.push("no CDEV_OPEN in the transcript");
  return out;
}

/** One line per ioctl: "VFIO_DEVICE_BIND_IOMMUFD 11/11". */
export const formatCounts = (counts) =>
  Object.entries(counts)
    .map(([n, c]) => `${n} ${c.matched}/${c.requests}`)
    .join(", ");

/**
 * Where a cross kernel cannot run the cdev plan, and why (printed as a SKIP). Both guest configs
 * enable IOMMUFD and VFIO_DEVICE_CDEV, but vfio creates no cdev for a no-IOMMU device
 * (vfio_device_add), and the arm64 guest's vfio devices are platform devices in no-IOMMU mode.
 */
export const CDEV_UNSUPPORTED = {
  arm64:
    "no vfio device with an IOMMU: the arm64 guest's platform devices are in no-IOMMU mode, and vfio " +
    "creates no /dev/vfio/devices node for a no-IOMMU device",
};

/** The cross stage's cdev run on an s390x kernel (run.mjs boots it like the other stages). */
export const cdevStage = {
  name: "cdev",
  arch: "s390x",
  prof: { arch: "s390x" },
  plan: (guest) => cdevPlan(guest.series),
  /** Print the per-ioctl counts; { code, summary } as stage.mjs report(). */
  report(run) {
    const tag = `cdev s390x ${run.series}`;
    if (run.error) {
      console.log(`${tag}: BOOT FAILURE\n${run.error.message}`);
      return { code: 2, summary: `BOOT FAILURE: ${run.error.message.split("\n")[0]}` };
    }
    const res = checkCdev(run.r.transcript, run.series);
    const k = run.guest.kernel;
    console.log(
      `${tag} (${k.release}): cdev / iommufd requests ${res.requests}, predictions matched ${res.matched}/${res.requests}, boot+replay ${run.r.wallMs} ms`,
    );
    for (const [n, c] of Object.entries(res.counts))
      console.log(
        `    ${n.padEnd(36)} ${String(c.requests).padStart(3)} requests, ${c.requests - c.matched} mismatches`,
      );
    for (const m of res.mismatches.slice(0, 40)) console.log(`  MISMATCH ${m}`);
    const counts = `${res.requests} requests (${formatCounts(res.counts)})`;
    return res.mismatches.length
      ? { code: 1, summary: `MISMATCH: ${res.mismatches.length} of ${counts}; first: ${res.mismatches[0]}` }
      : { code: 0, summary: `ok: ${counts}, 0 mismatches` };
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { parseOptions } = await import("../../scripts/lib/options.mjs");
  const { values: args } = parseOptions("kernel cdev", {
    usage: "node tests/kernel/cdev.mjs [--series 6.12|7.2] [--work-dir DIR] [--record FILE]",
    options: {
      series: { type: "string", default: "6.12" },
      "work-dir": { type: "string" },
      record: { type: "string" },
    },
  });
  const series = args.series;
  const workDir = path.resolve(args["work-dir"] ?? path.join(HERE, ".work"));
  const record = args.record;
  const { prepareGuest, runGuest } = await import("./cross/machines.mjs");
  let r;
  try {
    // a kernel the cache lacks is not built here: a one-minute budget stops any build
    const guest = await prepareGuest({ arch: "s390x", series, workDir, deadline: Date.now() + 60_000 });
    r = await runGuest({ guest, workDir, ...cdevPlan(series) });
  } catch (e) {
    console.error(`kernel cdev s390x ${series}: ${e.message.split("\n")[0]}`);
    process.exit(2);
  }
  const lines = r.transcript.split("\n").filter((l) => /^(REQ|RSP|INFO|ERR|END|DONE)\b/.test(l));
  if (record) fs.writeFileSync(record, `${lines.join("\n")}\n`);
  const res = checkCdev(r.transcript, series);
  console.log(`cdev s390x ${series}: ${res.matched}/${res.requests} predicted (${formatCounts(res.counts)})`);
  for (const m of res.mismatches) console.log(`  MISMATCH ${m}`);
  process.exit(res.mismatches.length ? 1 : 0);
}
