import {
  VFIO_DEVICE_INFO_ZPCI_FLAG_REFRESH,
  VFIO_IRQ_INFO_AUTOMASKED,
  VFIO_IRQ_INFO_EVENTFD,
  VFIO_IRQ_INFO_MASKABLE,
  VFIO_IRQ_INFO_NORESIZE,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from "../../../dist/bindings/index.js";
import { kernelBehaviours } from "../../../dist/bindings/oracle/index.js";
import { structs } from "../../../schema/abi.mjs";

const ZPCI_BASE = structs.vfio_device_info_cap_zpci_base.id,
  ZPCI_GROUP = structs.vfio_device_info_cap_zpci_group.id,
  ZPCI_PFIP = structs.vfio_device_info_cap_zpci_pfip.id,
  MSIX_MAPPABLE = structs.vfio_region_info_cap_msix_mappable.id;

// Device descriptions for zPCI functions on vfio-pci (s390x), built from what the guest reports in
// sysfs, never from the replies being checked:
//  * config space (READ_FILE .../config): the MSI and MSI-X capabilities (vector counts), PCI
//    Express or not (the ERR index), the interrupt pin, the config size;
//  * .../resource: BAR and ROM sizes and types; .../reset_method: whether a reset exists;
//  * the zPCI attributes (function_id, function_handle, pchid, pfgid, vfn, pft, segment0..3) and
//    the IOMMU group's reserved_regions (the DMA window: below start_dma and above end_dma).
// Kernel rules encoded here (drivers/vfio/pci/vfio_pci_core.c, vfio_pci_zdev.c, Kconfig):
//  * on s390 there is no INTx (VFIO_PCI_INTX is off): count 0, flags EVENTFD|MASKABLE|AUTOMASKED;
//  * MSI and MSI-X report NORESIZE (s390's MSI domain cannot add MSI-X vectors while enabled);
//  * ERR exists only on PCI Express; REQ always (count 1);
//  * BARs are READ|WRITE when they have a size; MMAP (with the MSIX_MAPPABLE capability on the
//    MSI-X table's BAR) only from the kernel profile S390_BAR_MMAP on (6.15: vfio_pci_probe_mmaps
//    tests pdev->non_mappable_bars, set for ISM only; before, VFIO_PCI_MMAP was off on s390), and
//    then for a memory BAR of at least a page, or a smaller one starting on a page boundary;
//  * GET_INFO carries ZPCI_BASE v2, ZPCI_GROUP v2 and ZPCI_PFIP v1 (no UTIL string under QEMU).

const PCI_CAP_MSI = 0x05,
  PCI_CAP_MSIX = 0x11,
  PCI_CAP_EXP = 0x10;
const IORESOURCE_IO = 0x100,
  IORESOURCE_MEM = 0x200;
/** arch/s390/include/asm/pci_io.h: what ZPCI_GROUP's maxstbl always says (the function's own is imaxstbl). */
const ZPCI_MAX_WRITE_SIZE = 128;

/** Capabilities of a PCI config space (little-endian whatever the CPU). */
export function pciConfigFacts(cfg) {
  const out = { msi: 0, msix: 0, msixBar: null, pcie: false, pin: cfg[0x3d] ?? 0, size: cfg.length };
  if (!(cfg.readUInt16LE(0x06) & 0x10)) return out; // no capability list
  const seen = new Set();
  for (let p = cfg[0x34] & 0xfc; p && !seen.has(p) && p + 4 <= cfg.length; p = cfg[p + 1] & 0xfc) {
    seen.add(p);
    const id = cfg[p],
      ctl = cfg.readUInt16LE(p + 2);
    if (id === PCI_CAP_MSI) out.msi = 1 << ((ctl >> 1) & 7);
    else if (id === PCI_CAP_MSIX) {
      out.msix = (ctl & 0x7ff) + 1;
      out.msixBar = cfg.readUInt32LE(p + 4) & 7;
    } else if (id === PCI_CAP_EXP) out.pcie = true;
  }
  return out;
}

/** sysfs `resource`: one "start end flags" line (hex) per resource -> [{ start: bigint, size: bigint, flags }]. */
export function pciResources(text) {
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [start, end, flags] = line
        .trim()
        .split(/\s+/)
        .map((x) => BigInt(x));
      return { start, size: end === 0n && start === 0n ? 0n : end - start + 1n, flags: Number(flags) };
    });
}

/** reserved_regions of the IOMMU group -> the DMA window { startDma, endDma } around the reserved ranges. */
export function dmaWindow(text, apertureEnd) {
  let startDma = 0n,
    endDma = apertureEnd;
  for (const line of text.trim().split("\n").filter(Boolean)) {
    // "start end type" (type: reserved, msi, direct...)
    const [lo, hi] = line
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .map((x) => BigInt(x));
    if (lo === 0n) startDma = hi + 1n;
    else endDma = lo - 1n;
  }
  return { startDma, endDma };
}

const attr = (text) => Number(String(text).trim());

/**
 * @param {{name: string, kernel: string, config: Buffer, resource: string, resetMethod: string,
 *          zpci: Record<string, string>, reservedRegions: string, group: object, pageSize: number,
 *          apertureEnd: bigint}} o
 *   zpci: sysfs attribute texts; group: the function group's CLP answers (dasm, msiAddr, mui, noi,
 *   version, maxstbl) and fmbLength.
 */
export function zpciDescription({
  name,
  kernel,
  config,
  resource,
  resetMethod,
  zpci,
  reservedRegions,
  group,
  pageSize,
  apertureEnd,
}) {
  const mmapBars = kernelBehaviours(kernel).has("S390_BAR_MMAP");
  const page = BigInt(pageSize);
  const c = pciConfigFacts(config);
  const res = pciResources(resource);
  const intx = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED,
    vectors = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE,
    rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
  const irqs = [
    { index: 0, count: 0, flags: intx },
    { index: 1, count: c.msi, flags: vectors },
    { index: 2, count: c.msix, flags: vectors },
    ...(c.pcie ? [{ index: 3, count: 1, flags: vectors }] : []),
    { index: 4, count: 1, flags: vectors },
  ];
  const regions = [];
  for (let i = 0; i < 6; i++) {
    const r = res[i] ?? { start: 0n, size: 0n, flags: 0 };
    const mem = (r.flags & IORESOURCE_MEM) !== 0;
    // a sub-page BAR is mapped when it starts a page (the kernel reserves the rest of the page)
    const mmap = mmapBars && mem && r.size > 0n && (r.size >= page || r.start % page === 0n);
    regions.push({
      index: i,
      size: r.size,
      flags: r.size ? rw | (mmap ? VFIO_REGION_INFO_FLAG_MMAP : 0) : 0,
      ...(mmap && c.msixBar === i ? { caps: [{ id: MSIX_MAPPABLE, version: 1 }] } : {}),
    });
    if (r.size && !mem && !(r.flags & IORESOURCE_IO))
      throw new Error(`${name} BAR ${i}: neither memory nor I/O (flags 0x${r.flags.toString(16)})`);
  }
  if ((res[6]?.size ?? 0n) !== 0n) throw new Error(`${name}: an expansion ROM is not modelled here`);
  regions.push({ index: 6, size: 0, flags: 0 }, { index: 7, size: c.size, flags: rw });
  const { startDma, endDma } = dmaWindow(reservedRegions, apertureEnd);
  const pfip = [0, 1, 2, 3].map((i) => attr(zpci[`segment${i}`]));
  return {
    name,
    driver: "vfio-pci",
    kernel,
    info: { numRegions: 9, numIrqs: 5 },
    reset: resetMethod.trim().length > 0,
    pcie: c.pcie,
    irqs,
    regions,
    // GET_INFO's chain, in vfio_pci_info_zdev_add_caps' order, as decode() shows capabilities
    infoCaps: [
      {
        header: { id: ZPCI_BASE, version: 2 },
        start_dma: startDma,
        end_dma: endDma,
        pchid: attr(zpci.pchid),
        vfn: attr(zpci.vfn),
        fmb_length: group.fmbLength,
        pft: attr(zpci.pft),
        gid: attr(zpci.pfgid),
        fh: attr(zpci.function_handle),
      },
      {
        header: { id: ZPCI_GROUP, version: 2 },
        dasm: group.dasm,
        msi_addr: group.msiAddr,
        flags: VFIO_DEVICE_INFO_ZPCI_FLAG_REFRESH,
        mui: group.mui,
        noi: group.noi,
        maxstbl: ZPCI_MAX_WRITE_SIZE,
        version: group.version,
        reserved: 0,
        imaxstbl: group.maxstbl,
      },
      { header: { id: ZPCI_PFIP, version: 1 }, size: pfip.length, pfip },
    ],
    eventfds: Array.from({ length: 32 }, (_, i) => 100 + i),
    openFds: [0, 1, 2],
  };
}
