/*
 * C copy of the upstream PCIe AtomicOp completer capability (include/uapi/linux/vfio.h, Linux 6.5;
 * present in the 6.6 headers, absent from 6.1). Kernels 6.5 still packed capabilities (no 8-byte
 * alignment before 6.6), so the 6.1-layout golden chain may carry it too.
 */
#ifndef VFIO_ABI_TEST_UPSTREAM_ATOMIC_H
#define VFIO_ABI_TEST_UPSTREAM_ATOMIC_H
#include <linux/types.h>

struct vfio_device_info_cap_pci_atomic_comp {
	struct vfio_info_cap_header header;
	__u32 flags;
#define VFIO_PCI_ATOMIC_COMP32	(1 << 0)
#define VFIO_PCI_ATOMIC_COMP64	(1 << 1)
#define VFIO_PCI_ATOMIC_COMP128	(1 << 2)
	__u32 reserved;
};
#define VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP		5

#endif
