/* NEVER MERGED. Fred Griffoul, "[PATCH v6 2/2] vfio/pci: add interrupt affinity support",
 * 11 Jun 2024, kvm@. */
#define VFIO_IRQ_INFO_CPUSET		(1 << 4)
#define VFIO_IRQ_SET_DATA_CPUSET	(1 << 6)
