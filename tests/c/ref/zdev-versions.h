/*
 * Other versions of the zPCI device-info capabilities, for the version-handling golden cases.
 *
 * _v1: Linux 5.8 include/uapi/linux/vfio_zdev.h (first version; the 6.1 header marks the same
 *      fields "End of version 1"). Version 2 (fh, reserved + imaxstbl) is the 6.1 header's struct.
 * _v3: POSTED PATCH, not in any release seen: s390/pci 2025 series adding ccdf_err_length to the
 *      zPCI base capability as version 3 (vfio-abi.md §2.2). Kept here only to show that a newer
 *      version's extra bytes survive decode -> encode.
 */
#include <linux/types.h>

struct vfio_device_info_cap_zpci_base_v1 {
	struct vfio_info_cap_header header;
	__u64 start_dma;	/* Start of available DMA addresses */
	__u64 end_dma;		/* End of available DMA addresses */
	__u16 pchid;		/* Physical Channel ID */
	__u16 vfn;		/* Virtual function number */
	__u16 fmb_length;	/* Measurement Block Length (in bytes) */
	__u8 pft;		/* PCI Function Type */
	__u8 gid;		/* PCI function group ID */
};

struct vfio_device_info_cap_zpci_group_v1 {
	struct vfio_info_cap_header header;
	__u64 dasm;		/* DMA Address space mask */
	__u64 msi_addr;		/* MSI address */
	__u64 flags;
	__u16 mui;		/* Measurement Block Update Interval */
	__u16 noi;		/* Maximum number of MSIs */
	__u16 maxstbl;		/* Maximum Store Block Length */
	__u8 version;		/* Supported PCI Version */
};

struct vfio_device_info_cap_zpci_base_v3 {
	struct vfio_info_cap_header header;
	__u64 start_dma;
	__u64 end_dma;
	__u16 pchid;
	__u16 vfn;
	__u16 fmb_length;
	__u8 pft;
	__u8 gid;
	/* End of version 1 */
	__u32 fh;
	/* End of version 2 */
	__u32 ccdf_err_length;
	/* End of version 3 */
};
