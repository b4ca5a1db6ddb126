// Kernel profiles: what changed in vfio-pci's answers between the kernels the oracle knows. Each
// behaviour is keyed by the first upstream release that has it; a kernel version selects every
// behaviour up to it, so a newer kernel than any listed gets the newest profile. Observed on
// Debian's 6.1, 6.12, 7.2 and 7.3 cloud kernels under QEMU (tests/kernel) and read in their source.
import { KERN } from "../../generated/wasm-abi.js";

/** The kernels the harness replays on, oldest first. */
export const KNOWN_KERNELS = ["6.1", "6.12", "7.2", "7.3"] as const;
export type KnownKernel = (typeof KNOWN_KERNELS)[number];
/** Default kernel of the oracle, the CLI and the fuzz labels: the newest known. */
export const DEFAULT_KERNEL: KnownKernel = "7.3";

export interface KernelBehaviour {
  /** Profile bit in device-block word 1 (0 = described in TypeScript only). */
  bit: number;
  /** First release with the behaviour ("major.minor"). */
  since: string;
  name: string;
  /** What changed and where, in the kernel's words. */
  what: string;
}

/** Device block word DEV_KERNEL bits (the contract's KERN_*; assembly/oracle.ts reads them). */
export const K_XARRAY_MSI = KERN.XARRAY_MSI;

export const KERNEL_BEHAVIOURS: readonly KernelBehaviour[] = [
  {
    bit: K_XARRAY_MSI,
    since: "6.5",
    name: "XARRAY_MSI",
    what:
      "MSI/MSI-X contexts in an xarray (vfio_pci_intrs.c): no num_ctx checks in vfio_msi_set_block, so an enabled " +
      "set grows (dynamic MSI-X via pci_msix_alloc_irq_at when the device has MSI-X: irq_info loses NORESIZE) and " +
      "loopback triggers skip absent vectors; ERR/REQ eventfd < -1 is EINVAL",
  },
  {
    bit: 0,
    since: "7.3",
    name: "ERR_ALL_DEVICES",
    what:
      "the ERR index exists on every device, not only PCI Express ones (vfio_pci_core.c vfio_pci_get_irq_count " +
      "and GET_IRQ_INFO, vfio_pci_intrs.c vfio_pci_set_irqs_ioctl no longer test pci_is_pcie)",
  },
  {
    bit: 0,
    since: "6.6",
    name: "HOT_RESET_CDEV",
    what:
      "VFIO_DEVICE_PCI_HOT_RESET (vfio_pci_core.c vfio_pci_ioctl_pci_hot_reset): a zero-length group fd array is " +
      "only for cdev-opened devices, refused (EINVAL) before the slot / bus reset probe; before, the probe came " +
      "first (ENODEV) and count 0 was refused with a count above the number of affected devices. Absent in " +
      "6.1's source, present in 6.12's",
  },
  {
    bit: 0,
    since: "6.19",
    name: "DMA_BUF",
    what:
      "VFIO_DEVICE_FEATURE_DMA_BUF on vfio-pci (vfio_pci_dmabuf.c, CONFIG_VFIO_PCI_DMABUF): GET only, " +
      "nr_ranges and flags checked, then the BAR, then every range page-aligned; before, ENOTTY",
  },
  {
    bit: 0,
    since: "7.1",
    name: "PRECOPY_INFO_V2",
    what:
      "VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2 in the core (vfio_main.c): EINVAL before any flag check when the " +
      "device cannot PRE_COPY; before, the index fell through to the driver (ENOTTY on vfio-pci)",
  },
  {
    bit: 0,
    since: "6.15",
    name: "S390_BAR_MMAP",
    what:
      "vfio-pci maps BARs on s390 (vfio_pci_core.c vfio_pci_probe_mmaps tests pdev->non_mappable_bars, which " +
      "arch/s390/pci/pci_fixup.c sets for ISM functions only; before, CONFIG_VFIO_PCI_MMAP was off on s390): " +
      "GET_REGION_INFO of a memory BAR has MMAP, and the MSI-X table's BAR the MSIX_MAPPABLE capability. " +
      "Upstream in 6.15 (s390/pci: Introduce pdev->non_mappable_bars and replace VFIO_PCI_MMAP); absent in " +
      "Debian's 6.12.95 source, present in its 7.2.13",
  },
  {
    bit: 0,
    since: "6.15",
    name: "CDEV_PASID",
    what:
      "VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH_IOMMUFD_PT take the PASID flag (device_cdev.c vfio_df_ioctl_attach_pt, " +
      "vfio_df_ioctl_detach_pt): another flag is EINVAL, and with the flag argsz must reach pasid (EINVAL). vfio-pci " +
      "attaches a PASID through vfio_iommufd_physical_pasid_attach_ioas (iommufd.c): the automatic domain of an IOAS " +
      "is allocated without IOMMU_HWPT_ALLOC_PASID, so iommufd_hwpt_pasid_compat (iommu/iommufd/device.c) refuses " +
      "it (EINVAL); detaching a PASID that is not attached returns 0 (ida_exists). Before, any flag was EINVAL. " +
      "Upstream in 6.15; absent in Debian's 6.12.95 source, present in its 7.2.13",
  },
  {
    bit: 0,
    since: "6.17",
    name: "CDEV_BIND_TOKEN",
    what:
      "VFIO_DEVICE_BIND_IOMMUFD (device_cdev.c vfio_df_ioctl_bind_iommufd) reads argsz first and the struct with " +
      "copy_struct_from_user (bytes past the kernel's struct must be zero: E2BIG), accepts VFIO_DEVICE_BIND_FLAG_TOKEN " +
      "and checks the token (vfio_df_check_token) before the iommufd fd: vfio-pci copies the 16-byte UUID (an " +
      "unreadable token_uuid_ptr is EFAULT) and refuses a token for a device that is neither PF nor VF (EINVAL, " +
      "vfio_pci_core_match_token_uuid). Before, argsz < 16, any flag or a negative iommufd was EINVAL. Upstream in " +
      "6.17; absent in Debian's 6.12.95 source, present in its 7.2.13",
  },
  {
    bit: 0,
    since: "7.2",
    name: "TYPE1_OVERFLOW",
    what:
      "vfio_iommu_type1.c MAP_DMA / UNMAP_DMA: a range that wraps the address space is EOVERFLOW (check_add_overflow), " +
      "and MAP_DMA checks size 0 and the wrap before the READ/WRITE/VADDR combination; before, EINVAL after it. " +
      "Absent in 6.12's source, present in 7.2's (the first kernel read that has it)",
  },
];

function versionNumber(kernel: string): number {
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  if (!m)
    throw new TypeError(
      `kernel must look like "6.1", "6.12", "7.3" or "6.12.95+deb12-cloud-amd64", not ${JSON.stringify(kernel)}`,
    );
  return Number(m[1]) * 1000 + Number(m[2]);
}

/** The behaviours (by name) a kernel version has. */
export function kernelBehaviours(kernel: string = DEFAULT_KERNEL): Set<string> {
  const v = versionNumber(kernel);
  return new Set(KERNEL_BEHAVIOURS.filter((b) => v >= versionNumber(b.since)).map((b) => b.name));
}

/** Device-block word 1 for a kernel version. */
export function kernelProfileBits(kernel: string = DEFAULT_KERNEL): number {
  const has = kernelBehaviours(kernel);
  return KERNEL_BEHAVIOURS.reduce((bits, b) => (has.has(b.name) ? bits | b.bit : bits), 0);
}

/** The known kernel a version belongs to for presets ("6.12.95+deb12" -> "6.12"; newer -> newest known). */
export function knownKernel(kernel: string = DEFAULT_KERNEL): KnownKernel {
  const v = versionNumber(kernel);
  let pick: KnownKernel = KNOWN_KERNELS[0];
  for (const k of KNOWN_KERNELS) if (v >= versionNumber(k)) pick = k;
  return pick;
}
