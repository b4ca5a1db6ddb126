/*
 * NEVER MERGED. C copy of the DMA-fault region UAPI of Eric Auger's "SMMUv3 Nested Stage Setup
 * (VFIO part)" v10-v12 ("vfio/pci: Register an iommu fault handler" / "vfio/pci: Register a DMA
 * fault response region", kvm@ 2020-2021). VFIO_REGION_TYPE_NESTED is (2) in these postings and
 * collides with VFIO_REGION_TYPE_CCW (2), as Kunkun Jiang's review pointed out.
 */
/* The posting only adds to <linux/vfio.h>; the 6.1 header supplies everything else. */
#include <linux/vfio.h>

#define VFIO_REGION_TYPE_NESTED			(2)
#define VFIO_REGION_SUBTYPE_NESTED_DMA_FAULT	(1)
#define VFIO_REGION_SUBTYPE_NESTED_DMA_FAULT_RESPONSE	(2)

#define VFIO_REGION_INFO_CAP_DMA_FAULT	6

struct vfio_region_info_cap_fault {
	struct vfio_info_cap_header header;
	__u32 version;
};

#define VFIO_REGION_INFO_CAP_DMA_FAULT_RESPONSE	7

struct vfio_region_dma_fault {
	/* Write-Only */
	__u32	tail;
	/* Read-Only */
	__u32	entry_size;
	__u32	nb_entries;
	__u32	offset;
	__u32	head;
};

struct vfio_region_dma_fault_response {
	/* Write-Only */
	__u32	head;
	/* Read-Only */
	__u32	entry_size;
	__u32	nb_entries;
	__u32	offset;
	__u32	tail;
};
