#!/usr/bin/env node
// The cdev / iommufd path on a real kernel: a device opened through /dev/vfio/devices/vfioN,
// VFIO_DEVICE_BIND_IOMMUFD (bad argsz, flags, iommufd; the token flag and its 24-byte size),
// VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH_IOMMUFD_PT (IOAS ids, unknown ids, the PASID flag and the
// 16- and 12-byte sizes), the hot reset ioctls of a cdev-opened device, and a second device bound
// to the same iommufd. Debian's x86 kernels have no CONFIG_IOMMUFD, so the guest is the minimal
// s390x kernel of the cross stage (IOMMUFD, VFIO_DEVICE_CDEV and the s390 IOMMU; zPCI functions on
// vfio-pci, big-endian). Every request comes from the codec's encoder in the guest's byte order;
// the transcript is recorded for the offline test (tests/oracle/cdev.test.mjs), which decodes and
// re-encodes every reply. The uAPI model does not predict these answers yet.
//
//   node tests/kernel/cdev.mjs [--series 6.12|7.2] [--record FILE] [--work-dir DIR]
//
// Exit: 0 the run finished; 2 the guest could not be prepared or booted. A kernel that is not
// built yet is not built here (the cross stage builds it).
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const lib = await import(new URL("../../dist/bindings/index.js", import.meta.url).href);
const { lookupIoctl } = await import(new URL("../../dist/bindings/ioctl.js", import.meta.url).href);

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
    attach(12, { pt_id: 999 }),
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
    bind(24, {}, 24),
    attach(12, { pt_id: 1 }),
    "QUIT",
    "",
  ].join("\n");
}

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
  const { ZPCI_FUNCTIONS, qemuDevices } = await import("./cross/zpci.mjs");
  const bdfs = ZPCI_FUNCTIONS.map((f) => f.name);
  let r;
  try {
    // a kernel the cache lacks is not built here: a one-minute budget stops any build
    const guest = await prepareGuest({ arch: "s390x", series, workDir, deadline: Date.now() + 60_000 });
    r = await runGuest({
      guest,
      script: cdevScript(series, bdfs),
      workDir,
      append: `vfio_bdfs=${bdfs.join(",")}`,
      devices: qemuDevices(),
    });
  } catch (e) {
    console.error(`kernel cdev s390x ${series}: ${e.message.split("\n")[0]}`);
    process.exit(2);
  }
  const lines = r.transcript.split("\n").filter((l) => /^(REQ|RSP|INFO|ERR|END|DONE)\b/.test(l));
  if (record) fs.writeFileSync(record, `${lines.join("\n")}\n`);
  else console.log(lines.join("\n"));
}
