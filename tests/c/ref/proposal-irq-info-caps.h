/*
 * NEVER MERGED. C copy of the UAPI hunk of Eric Auger, "[PATCH v10 07/11] vfio: Use capability
 * chains to handle device specific irq" (20 Mar 2020; identical in v11 07/13 and v12 07/13) and
 * "[PATCH v11 09/13] vfio: Add new IRQ for DMA fault reporting" (16 Nov 2020), as posted to kvm@.
 * Only the patched definitions (and the unchanged cap header they use) are copied.
 */
#include <linux/types.h>

struct vfio_info_cap_header {
	__u16	id;		/* Identifies capability */
	__u16	version;	/* Version specific to the capability ID */
	__u32	next;		/* Offset of next capability */
};

struct vfio_irq_info {
	__u32	argsz;
	__u32	flags;
#define VFIO_IRQ_INFO_EVENTFD		(1 << 0)
#define VFIO_IRQ_INFO_MASKABLE		(1 << 1)
#define VFIO_IRQ_INFO_AUTOMASKED	(1 << 2)
#define VFIO_IRQ_INFO_NORESIZE		(1 << 3)
#define VFIO_IRQ_INFO_FLAG_CAPS		(1 << 4) /* Info supports caps */
	__u32	index;		/* IRQ index */
	__u32	count;		/* Number of IRQs within this index */
	__u32	cap_offset;	/* Offset within info struct of first cap */
};

#define VFIO_IRQ_INFO_CAP_TYPE		3

struct vfio_irq_info_cap_type {
	struct vfio_info_cap_header header;
	__u32 type;     /* global per bus driver */
	__u32 subtype;  /* type specific */
};

#define VFIO_IRQ_TYPE_NESTED				(1)
#define VFIO_IRQ_SUBTYPE_DMA_FAULT			(1)
