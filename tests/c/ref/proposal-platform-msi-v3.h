/*
 * NEVER MERGED. C copy of the UAPI of Vikas Gupta (Broadcom), RFC v3, 14 Dec 2020, "[RFC, v3 0/2] msi support for platform devices", kvm@.
 * It carries Eric Auger's FLAG_CAPS / cap_offset / VFIO_IRQ_INFO_CAP_TYPE hunk and adds the
 * MSI descriptor capability (v3: a reserved u32 after nr_msgs "to have a 64b alignment").
 */
#include <linux/types.h>

struct vfio_info_cap_header {
	__u16	id;
	__u16	version;
	__u32	next;
};

struct vfio_irq_info {
	__u32	argsz;
	__u32	flags;
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

#define VFIO_IRQ_TYPE_MSI		(1)

#define VFIO_IRQ_INFO_CAP_MSI_DESCS	4

struct vfio_irq_msi_msg {
	__u32 addr_lo;
	__u32 addr_hi;
	__u32 data;
};

struct vfio_irq_info_cap_msi {
	struct vfio_info_cap_header header;
	__u32 nr_msgs;
	__u32 reserved;
	struct vfio_irq_msi_msg msgs[];
};
