// s390x zPCI stage: virtio PCI functions behind zPCI on QEMU's s390-ccw-virtio machine, bound to
// vfio-pci on minimal kernels built from Debian's sources. Everything is big-endian: the requests
// are encoded for s390x by the codec, the replies decoded and re-encoded for s390x, and GET_INFO
// carries the zPCI capability chain (ZPCI_BASE, ZPCI_GROUP, ZPCI_PFIP) the model predicts byte for
// byte. One boot per kernel: open every function, record what the guest says about it (config
// space, resources, zPCI attributes, DMA window), then replay the INFO queries, the fixed SET_IRQS
// script and a random stateful campaign per function; stage.mjs checks. Run by run.mjs.
import { cleanupItems, fixedItems, infoBuilders, randomItems } from "../gen.mjs";
import { scriptLines } from "./check.mjs";
import { AUXV, factLines, pageSizeOf, readFacts } from "./guest-facts.mjs";
import { zpciDescription } from "./zpci-facts.mjs";

const { DeviceModel, VFIO_IRQ_INFO_AUTOMASKED, VFIO_IRQ_INFO_EVENTFD, VFIO_IRQ_INFO_MASKABLE, VFIO_IRQ_INFO_NORESIZE } =
  await import("../../../dist/bindings/index.js");
const INTX_FLAGS = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED,
  VECTOR_FLAGS = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;

const PROF = { arch: "s390x", epoch: "6.6" };

/**
 * The functions: zPCI uid/fid and the virtio device behind it. `msix` (the MSI-X table size QEMU is
 * asked for) only sizes the requests; the model takes the guest's config space.
 */
export const ZPCI_FUNCTIONS = [
  { uid: 1, fid: 0x1, qemu: "virtio-rng-pci", msix: 2 },
  { uid: 2, fid: 0x20, qemu: "virtio-rng-pci-non-transitional,vectors=5", msix: 5 },
  { uid: 3, fid: 0x300, qemu: "virtio-rng-pci,vectors=1", msix: 1 },
].map((f) => ({ ...f, name: `${f.uid.toString(16).padStart(4, "0")}:00:00.0` }));

/** A first description for sizing the requests: zPCI has no INTx and (virtio) no MSI. */
const shapeOf = (f) => ({
  name: f.name,
  driver: "vfio-pci",
  kernel: "7.2",
  irqs: [
    { index: 0, count: 0, flags: INTX_FLAGS },
    { index: 1, count: 0, flags: VECTOR_FLAGS },
    { index: 2, count: f.msix, flags: VECTOR_FLAGS },
    { index: 4, count: 1, flags: VECTOR_FLAGS },
  ],
  regions: [],
});

export const qemuDevices = () =>
  ZPCI_FUNCTIONS.flatMap((f, i) => [
    "-device",
    `zpci,uid=${f.uid},fid=${f.fid},target=fn${i}`,
    "-device",
    `${f.qemu},id=fn${i}`,
  ]);

const ZPCI_ATTRS = [
  "function_id",
  "function_handle",
  "pchid",
  "pfgid",
  "vfn",
  "pft",
  "segment0",
  "segment1",
  "segment2",
  "segment3",
];
const deviceFiles = (f) => [
  `/sys/bus/pci/devices/${f.name}/config`,
  `/sys/bus/pci/devices/${f.name}/resource`,
  `/sys/bus/pci/devices/${f.name}/reset_method`,
  `/sys/bus/pci/devices/${f.name}/iommu_group/reserved_regions`,
  ...ZPCI_ATTRS.map((a) => `/sys/bus/pci/devices/${f.name}/${a}`),
];
/** The guest's own file: the replay program's auxiliary vector (the page size, for the BARs' MMAP flag). */
const FACTS = { guestFiles: [AUXV], deviceFiles };

/**
 * The function group QEMU presents to every emulated zPCI function (its default group): the CLP
 * "query PCI function group" answer the kernel copies into ZPCI_GROUP, and the function's
 * measurement-block length. sysfs does not show these; QEMU sets them in hw/s390x/s390-pci-bus.c
 * (s390_pci_init_default_group, set_pbdev_info).
 */
const QEMU_ZPCI_GROUP = {
  dasm: 0n,
  msiAddr: 0xfe00000000000000n,
  mui: 4000, // DEFAULT_MUI: the measurement-block update interval in ms
  noi: 128,
  maxstbl: 128,
  version: 0,
  imaxstbl: 0,
  fmbLength: 0,
};

/** The facts part of a script: the guest's and every function's files (`open`: OPEN each function first). */
export const zpciFactLines = (devs, { open = true } = {}) => factLines(devs, { ...FACTS, open });

/** The s390x guest's DMA aperture end (the s390 IOMMU's, as QEMU's zPCI presents it). */
export const APERTURE_END = (1n << 42n) - 1n;

/** Plan: requests sized by a first description (from the QEMU device list); predictions use the guest's. */
export function zpciPlan({ seed, random }) {
  const devs = ZPCI_FUNCTIONS.map((f, di) => {
    const shape = shapeOf(f);
    const items = [
      // GET_INFO large enough for the zPCI capability chain (128 bytes on 6.12+), and larger
      ...[128, 256].map((argsz) => ({
        ioctl: "DEVICE_GET_INFO",
        bytes: infoBuilders(PROF).deviceInfo(argsz),
        note: `get_info argsz ${argsz} (capability chain)`,
      })),
      ...fixedItems(shape, new DeviceModel(shape), PROF),
      ...randomItems(shape, seed + di * 7919, random, PROF),
      ...cleanupItems(PROF),
    ];
    return { ...f, items };
  });
  const lines = ["# vfio-abi s390x zPCI stage", ...zpciFactLines(devs)];
  for (const d of devs) lines.push(`USE ${d.name}`, ...scriptLines(d.items));
  lines.push("QUIT");
  return { devs, script: `${lines.join("\n")}\n` };
}

/** Descriptions from the facts part of the transcript; returns { descriptions, next } (index of the first USE). */
export function guestFacts(records, devs, kernel, { apertureEnd, open = true, at = 0 }) {
  const { guest, device, problems, next } = readFacts(records, devs, { ...FACTS, open, at });
  const pageSize = pageSizeOf(guest[0], { bigEndian: true });
  const descriptions = devs.map((d, k) => {
    const [config, resource, resetMethod, reservedRegions, ...attrs] = device[k];
    const zpci = Object.fromEntries(ZPCI_ATTRS.map((a, j) => [a, attrs[j].toString("latin1")]));
    return zpciDescription({
      name: d.name,
      kernel,
      config,
      resource: resource.toString("latin1"),
      resetMethod: resetMethod.toString("latin1"),
      zpci,
      reservedRegions: reservedRegions.toString("latin1"),
      group: QEMU_ZPCI_GROUP,
      pageSize,
      apertureEnd,
    });
  });
  return { descriptions, next, problems, pageSize };
}

/** The stage for stage.mjs. */
export const zpciStage = {
  name: "zpci",
  arch: "s390x",
  prof: PROF,
  plan(_guest, { seed, random }) {
    return {
      ...zpciPlan({ seed, random }),
      append: `vfio_bdfs=${ZPCI_FUNCTIONS.map((f) => f.name).join(",")}`,
      devices: qemuDevices(),
    };
  },
  facts: (records, devs, series) => guestFacts(records, devs, series, { apertureEnd: APERTURE_END }),
};
