/* NEVER MERGED (rejected). Vikas Gupta, "[RFC, v0 1/3] vfio/platform: add support for msi",
 * 5 Nov 2020, kvm@. Upstream later gave bit 8 to VFIO_DEVICE_FLAGS_CDX. */
#define VFIO_DEVICE_FLAGS_MSI	(1 << 8)
