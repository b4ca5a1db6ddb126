/*
 * vu-server - a small vfio-user PCI device on libvfio-user, for the peer stage.
 *
 *   usage: vu-server --socket PATH [--intx N] [--msi N] [--msix N] [--err N] [--req N] [--log FILE]
 *   build: gcc -O2 -Wall -Wextra -I<libvfio-user>/include vu-server.c -L<build>/lib -lvfio-user
 *
 * The device (tests/vfio-user/device.mjs describes the same one to the oracle):
 *   interrupts  INTx, MSI, MSI-X, ERR and REQ with the counts given (default 1, 4, 16, 1, 1)
 *   BAR0        4 KiB, read/write through a callback: a read returns byte (offset + i) * 7 + 3;
 *               a 4-byte write at offset 0 is a doorbell: vfu_irq_trigger(ctx, value)
 *   BAR2        32 KiB, mappable (a memfd), with two sparse mmap areas: [0, 4 KiB) and [16 KiB, 20 KiB)
 *   config      libvfio-user's default 256-byte config space; no DMA; no reset callback
 *
 * It prints "ready <socket>" once the socket listens, then serves one client at a time for ever:
 * when a client goes away (or breaks the framing) the library resets the context and the server
 * waits for the next one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libvfio-user.h"

static FILE *logf;

static void log_cb(vfu_ctx_t *ctx, int level, const char *msg)
{
	(void)ctx;
	if (logf) {
		fprintf(logf, "[%d] %s\n", level, msg);
		fflush(logf);
	}
}

static ssize_t bar0_access(vfu_ctx_t *ctx, char *buf, size_t count, loff_t offset, bool is_write)
{
	if (is_write) {
		if (offset == 0 && count == 4) {
			unsigned int subindex;
			memcpy(&subindex, buf, sizeof(subindex));
			(void)vfu_irq_trigger(ctx, subindex);
		}
		return (ssize_t)count;
	}
	for (size_t i = 0; i < count; i++)
		buf[i] = (char)(((size_t)offset + i) * 7 + 3);
	return (ssize_t)count;
}

static void die(const char *what)
{
	fprintf(stderr, "vu-server: %s: %s\n", what, strerror(errno));
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	unsigned counts[VFU_DEV_NUM_IRQS] = { 1, 4, 16, 1, 1 };
	static const char *names[VFU_DEV_NUM_IRQS] = { "--intx", "--msi", "--msix", "--err", "--req" };

	for (int i = 1; i < argc; i++) {
		int known = 0;
		if (i + 1 >= argc) {
			fprintf(stderr, "vu-server: %s needs a value\n", argv[i]);
			return 2;
		}
		if (!strcmp(argv[i], "--socket")) {
			path = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--log")) {
			if (!(logf = fopen(argv[++i], "a")))
				die("log");
			continue;
		}
		for (int t = 0; t < VFU_DEV_NUM_IRQS; t++) {
			if (!strcmp(argv[i], names[t])) {
				counts[t] = (unsigned)strtoul(argv[++i], NULL, 0);
				known = 1;
			}
		}
		if (!known) {
			fprintf(stderr, "vu-server: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: vu-server --socket PATH [--intx N] [--msi N] [--msix N] [--err N] [--req N] [--log FILE]\n");
		return 2;
	}

	unlink(path);
	vfu_ctx_t *ctx = vfu_create_ctx(VFU_TRANS_SOCK, path, 0, NULL, VFU_DEV_TYPE_PCI);
	if (!ctx)
		die("vfu_create_ctx");
	if (vfu_setup_log(ctx, log_cb, logf ? LOG_DEBUG : LOG_ERR) < 0)
		die("vfu_setup_log");
	if (vfu_pci_init(ctx, VFU_PCI_TYPE_EXPRESS, PCI_HEADER_TYPE_NORMAL, 0) < 0)
		die("vfu_pci_init");
	vfu_pci_set_id(ctx, 0x4e58, 0x0001, 0x4e58, 0x0001);
	if (vfu_setup_region(ctx, VFU_PCI_DEV_BAR0_REGION_IDX, 0x1000, bar0_access, VFU_REGION_FLAG_RW | VFU_REGION_FLAG_MEM, NULL, 0, -1, 0) < 0)
		die("BAR0");
	int mfd = memfd_create("vu-server-bar2", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, 0x8000) < 0)
		die("memfd");
	struct iovec sparse[2] = { { .iov_base = (void *)0, .iov_len = 0x1000 }, { .iov_base = (void *)0x4000, .iov_len = 0x1000 } };
	if (vfu_setup_region(ctx, VFU_PCI_DEV_BAR2_REGION_IDX, 0x8000, NULL, VFU_REGION_FLAG_RW | VFU_REGION_FLAG_MEM, sparse, 2, mfd, 0) < 0)
		die("BAR2");
	for (int t = 0; t < VFU_DEV_NUM_IRQS; t++)
		if (vfu_setup_device_nr_irqs(ctx, (enum vfu_dev_irq_type)t, counts[t]) < 0)
			die("vfu_setup_device_nr_irqs");
	if (vfu_realize_ctx(ctx) < 0)
		die("vfu_realize_ctx");
	printf("ready %s\n", path);
	fflush(stdout);

	for (;;) {
		if (vfu_attach_ctx(ctx) < 0) {
			if (logf)
				fprintf(logf, "attach: %s\n", strerror(errno));
			continue;
		}
		for (;;) {
			if (vfu_run_ctx(ctx) >= 0)
				continue;
			if (errno == ENOTCONN || errno == ESHUTDOWN || errno == ECONNRESET)
				break;
			if (logf)
				fprintf(logf, "run: %s\n", strerror(errno));
		}
	}
}
