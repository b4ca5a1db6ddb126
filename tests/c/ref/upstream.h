/*
 * C copies of upstream include/uapi/linux/vfio.h definitions that are NEWER than the Linux 6.1
 * headers this machine ships (linux-libc-dev 6.1.x and the *-cross 6.1.4 packages).
 * Included after the real 6.1 headers by the "upstream" unit of tests/c: the struct tags that
 * changed are renamed out of the way first (see RENAME_61 below), then redefined verbatim.
 *
 * Provenance (kernel version that carries each definition):
 *   vfio_device_info.pad, vfio_iommu_type1_info.pad + __aligned_u64 iova_pgsizes
 *       Linux 6.6 (a881b496941f "vfio: align capability structures")
 *   __aligned_u64 in vfio_region_info, vfio_region_sparse_mmap_area, vfio_region_info_cap_nvlink2_ssatgt
 *       Linux 6.7 ("vfio: trivially use __aligned_u64 for ioctl structs"); same LP64 layout, i386 alignment 8
 *   VFIO_DEVICE_FLAGS_CDX                       Linux 6.5 (vfio-cdx)
 *   VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP, struct vfio_device_info_cap_pci_atomic_comp, VFIO_PCI_ATOMIC_COMP*
 *                                               Linux 6.5 (present in the 6.6 headers)
 *   VFIO_AP_REQ_IRQ_INDEX / VFIO_AP_NUM_IRQS    Linux 6.2; VFIO_AP_CFG_CHG_IRQ_INDEX Linux 6.15
 *   VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT, VFIO_DEVICE_DETACH_IOMMUFD_PT  Linux 6.6
 *   VFIO_MIG_GET_PRECOPY_INFO                   Linux 6.3
 * The struct bodies below are the upstream text (comments trimmed).
 */
#ifndef VFIO_ABI_TEST_UPSTREAM_H
#define VFIO_ABI_TEST_UPSTREAM_H

#include <linux/types.h>

struct vfio_device_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_DEVICE_FLAGS_CDX	(1 << 8)	/* vfio-cdx device */
	__u32	num_regions;	/* Max region index + 1 */
	__u32	num_irqs;	/* Max IRQ index + 1 */
	__u32   cap_offset;	/* Offset within info struct of first cap */
	__u32   pad;
};

#include "upstream-atomic.h"

struct vfio_region_info {
	__u32	argsz;
	__u32	flags;
	__u32	index;		/* Region index */
	__u32	cap_offset;	/* Offset within info struct of first cap */
	__aligned_u64	size;	/* Region size (bytes) */
	__aligned_u64	offset;	/* Region offset from start of device fd */
};

struct vfio_region_sparse_mmap_area {
	__aligned_u64	offset;	/* Offset of mmap'able area within region */
	__aligned_u64	size;	/* Size of mmap'able area */
};

struct vfio_region_info_cap_sparse_mmap {
	struct vfio_info_cap_header header;
	__u32	nr_areas;
	__u32	reserved;
	struct vfio_region_sparse_mmap_area areas[];
};

struct vfio_region_info_cap_nvlink2_ssatgt {
	struct vfio_info_cap_header header;
	__aligned_u64 tgt;
};

struct vfio_iommu_type1_info {
	__u32	argsz;
	__u32	flags;
	__aligned_u64	iova_pgsizes;		/* Bitmap of supported page sizes */
	__u32   cap_offset;	/* Offset within info struct of first cap */
	__u32   pad;
};

enum {
	VFIO_AP_REQ_IRQ_INDEX,
	VFIO_AP_CFG_CHG_IRQ_INDEX,
	VFIO_AP_NUM_IRQS
};

#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT		_IO(VFIO_TYPE, VFIO_BASE + 19)
#define VFIO_DEVICE_DETACH_IOMMUFD_PT		_IO(VFIO_TYPE, VFIO_BASE + 20)
#define VFIO_MIG_GET_PRECOPY_INFO _IO(VFIO_TYPE, VFIO_BASE + 21)

#endif
