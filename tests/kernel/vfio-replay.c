/*
 * vfio-replay - replay VFIO ioctl request buffers inside a (QEMU) guest and
 * print the kernel's reply bytes, return value and errno.
 *
 * Protocol: see docs/kernel-harness.md sections 6-7 (request and reply lines).
 *
 *   usage: vfio-replay [IN [OUT]]      (IN/OUT default to stdin/stdout; "-" = std stream)
 *
 * Devices are named as in sysfs on the pci, platform or amba bus (0000:00:10.0,
 * 9010000.pl031); the container takes TYPE1v2, TYPE1 or NOIOMMU, whichever the
 * kernel offers first. READ_FILE <path> prints a guest file as hex, so a run
 * can record what the guest says about its devices (/proc/interrupts after OPEN).
 *
 * Build:  gcc -O2 -static -Wall -Wextra -o vfio-replay vfio-replay.c
 *
 * The few VFIO constants it needs are defined below so it does not depend on
 * the installed UAPI headers; the hex parser and printer are the ones of the
 * vfio-user replay client (native/replay-hex.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../../native/replay-hex.h"

/* ---- VFIO UAPI subset (generic _IO encoding; type ';', base 100) ---- */
#define VT ';'
#define VB 100
#define R_GET_API_VERSION        _IO(VT, VB + 0)
#define R_CHECK_EXTENSION        _IO(VT, VB + 1)
#define R_SET_IOMMU              _IO(VT, VB + 2)
#define R_GROUP_GET_STATUS       _IO(VT, VB + 3)
#define R_GROUP_SET_CONTAINER    _IO(VT, VB + 4)
#define R_GROUP_GET_DEVICE_FD    _IO(VT, VB + 6)
#define R_DEVICE_GET_INFO        _IO(VT, VB + 7)
#define R_DEVICE_GET_REGION_INFO _IO(VT, VB + 8)
#define R_DEVICE_GET_IRQ_INFO    _IO(VT, VB + 9)
#define R_DEVICE_SET_IRQS        _IO(VT, VB + 10)
#define R_DEVICE_RESET           _IO(VT, VB + 11)
#define R_DEVICE_GET_PCI_HOT_RESET_INFO _IO(VT, VB + 12)
#define R_DEVICE_FEATURE         _IO(VT, VB + 17)
/* iommufd (include/uapi/linux/iommufd.h): same type letter, commands from 0x80 */
#define IOMMUFD_CMD_IOAS_ALLOC   0x81
#define R_IOMMU_IOAS_ALLOC       _IO(VT, IOMMUFD_CMD_IOAS_ALLOC)
struct iommu_ioas_alloc { uint32_t size; uint32_t flags; uint32_t out_ioas_id; };

#define GROUP_FLAGS_VIABLE        (1u << 0)
#define GROUP_FLAGS_CONTAINER_SET (1u << 1)

#define EFD_BASE   100
#define NUM_EFD    32
#define GUARD_LEN  256
#define MAX_BUF    65536
#define MAX_DEV    16
#define MAX_LINE   (2 * MAX_BUF + 4096)
/* fds below ENV_FDS belong to the fd environment (FDS command); the program's own fds live above */
#define ENV_FDS    1024
#define OWN_FDS    4096

struct group_status { uint32_t argsz; uint32_t flags; };

/* ---- state ---- */
static FILE *out;
static int container_fd = -1;
static int iommufd = -1;     /* IOMMUFD_OPEN: /dev/iommu, the target 'i' */
static int iommu_set;

struct group { int num; int fd; };
struct device { char bdf[64]; int fd; int group_idx; };

static struct group groups[MAX_DEV];
static int ngroups;
static struct device devices[MAX_DEV];
static int ndevices;
static int cur_dev = -1;

static unsigned char iobuf[MAX_BUF + GUARD_LEN];

/* ---- helpers ---- */
static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case ENOSYS: return "ENOSYS";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENXIO: return "ENXIO";
	default: return "E?";
	}
}

static int compact;  /* MODE compact: no REQ echo, "=" for a reply equal to the request, buffered output */

static void end_block(void)
{
	fputs("END\n", out);
	if (!compact)
		fflush(out);  /* interactive use and crash diagnosis want every reply at once */
}

static const char *hex_error(long r)
{
	switch (r) {
	case HEX_BAD_DIGIT: return "bad hex digit";
	case HEX_ODD_DIGITS: return "odd hex digit count";
	case HEX_TOO_LONG: return "buffer longer than 65536 bytes";
	default: return "bad hex";
	}
}

/* Unsigned number: "0x..." hexadecimal, otherwise decimal. */
static int parse_num(const char *s, unsigned long long *v)
{
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		*v = strtoull(s + 2, &end, 16);
	else
		*v = strtoull(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	return 0;
}

static int parse_hexnum(const char *s, unsigned long long *v)
{
	char *end;
	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	errno = 0;
	*v = strtoull(s, &end, 16);
	if (errno || *end || end == s)
		return -1;
	return 0;
}

static void errno_field(long ret, int e)
{
	if (ret >= 0)
		e = 0;
	fprintf(out, "ret=%ld errno=%d(%s)", ret, e, errno_name(e));
}

/* ---- set-up ---- */

/* Move one of our own fds above the fd environment, so FDS can lay out 0..ENV_FDS-1 freely. */
static int own_fd(int fd)
{
	if (fd < 0 || fd >= ENV_FDS)
		return fd;
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, ENV_FDS);
	if (hi < 0)
		return fd;
	close(fd);
	return hi;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < OWN_FDS) {
		rl.rlim_cur = rl.rlim_max < OWN_FDS ? rl.rlim_max : OWN_FDS;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void setup_eventfds(void)
{
	for (int i = 0; i < NUM_EFD; i++) {
		int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fd < 0) {
			fprintf(out, "ERR eventfd %d: %s\n", i, strerror(errno));
			continue;
		}
		if (fd != EFD_BASE + i) {
			if (dup3(fd, EFD_BASE + i, O_CLOEXEC) < 0)
				fprintf(out, "ERR dup3 eventfd %d -> %d: %s\n", i, EFD_BASE + i, strerror(errno));
			close(fd);
		}
	}
}

static void make_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag |= OPOST | ONLCR;   /* keep output post-processing: "\n" -> "\r\n" */
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &t);
}

/* ---- devices ---- */
/* Buses whose devices VFIO drivers bind: vfio-pci, vfio-platform, vfio-amba. */
static const char *const buses[] = { "pci", "platform", "amba" };

static int read_group_number(const char *bdf, int *num)
{
	char path[256], link[PATH_MAX];
	ssize_t n = -1;
	for (size_t b = 0; n < 0 && b < sizeof(buses) / sizeof(buses[0]); b++) {
		snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/iommu_group", buses[b], bdf);
		n = readlink(path, link, sizeof(link) - 1);
	}
	if (n < 0)
		return -1;
	link[n] = 0;
	const char *base = strrchr(link, '/');
	base = base ? base + 1 : link;
	char *end;
	long v = strtol(base, &end, 10);
	if (*end || end == base || v < 0)
		return -1;
	*num = (int)v;
	return 0;
}

static int set_iommu_model(void)
{
	static const struct { unsigned long type; const char *name; } models[] = {
		{ 3, "TYPE1v2" }, { 1, "TYPE1" }, { 8, "NOIOMMU" },
	};
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		errno = 0;
		int c = ioctl(container_fd, R_CHECK_EXTENSION, models[i].type);
		if (c <= 0)
			continue;
		errno = 0;
		int r = ioctl(container_fd, R_SET_IOMMU, models[i].type);
		int e = errno;
		fprintf(out, "INFO SET_IOMMU model=%s type=%lu ", models[i].name, models[i].type);
		errno_field(r, e);
		fputc('\n', out);
		if (r == 0)
			return 0;
	}
	return -1;
}

static int open_group(const char *bdf, int num)
{
	for (int i = 0; i < ngroups; i++)
		if (groups[i].num == num)
			return i;
	if (ngroups >= MAX_DEV) {
		fprintf(out, "ERR OPEN %s: too many groups\n", bdf);
		return -1;
	}
	char path[64];
	snprintf(path, sizeof(path), "/dev/vfio/%d", num);
	int fd = own_fd(open(path, O_RDWR | O_CLOEXEC));
	if (fd < 0) {
		int e1 = errno;
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", num);
		fd = own_fd(open(path, O_RDWR | O_CLOEXEC));
		if (fd < 0) {
			fprintf(out, "ERR OPEN %s: open /dev/vfio/%d: %s; open %s: %s\n",
				bdf, num, strerror(e1), path, strerror(errno));
			return -1;
		}
	}
	struct group_status st = { sizeof(st), 0 };
	errno = 0;
	int r = ioctl(fd, R_GROUP_GET_STATUS, &st);
	int e = errno;
	fprintf(out, "INFO GROUP_GET_STATUS group=%d path=%s ", num, path);
	errno_field(r, e);
	fprintf(out, " flags=0x%x\n", st.flags);
	if (r == 0 && !(st.flags & GROUP_FLAGS_VIABLE)) {
		fprintf(out, "ERR OPEN %s: group %d not viable (all devices of the group must be bound to vfio-pci)\n", bdf, num);
		close(fd);
		return -1;
	}
	if (!(st.flags & GROUP_FLAGS_CONTAINER_SET)) {
		errno = 0;
		r = ioctl(fd, R_GROUP_SET_CONTAINER, &container_fd);
		e = errno;
		fprintf(out, "INFO GROUP_SET_CONTAINER group=%d ", num);
		errno_field(r, e);
		fputc('\n', out);
		if (r < 0) {
			fprintf(out, "ERR OPEN %s: GROUP_SET_CONTAINER failed: %s\n", bdf, strerror(e));
			close(fd);
			return -1;
		}
	}
	if (!iommu_set) {
		if (set_iommu_model() < 0) {
			fprintf(out, "ERR OPEN %s: no IOMMU model (TYPE1v2, TYPE1, NOIOMMU) accepted\n", bdf);
			close(fd);
			return -1;
		}
		iommu_set = 1;
	}
	groups[ngroups].num = num;
	groups[ngroups].fd = fd;
	return ngroups++;
}

static void cmd_open(const char *bdf)
{
	if (!bdf) {
		fputs("ERR OPEN: missing BDF\n", out);
		return;
	}
	for (int i = 0; i < ndevices; i++) {
		if (!strcmp(devices[i].bdf, bdf)) {
			cur_dev = i;
			fprintf(out, "INFO OPEN %s group=%d devfd=%d (already open)\n", bdf,
				devices[i].group_idx < 0 ? -1 : groups[devices[i].group_idx].num, devices[i].fd);
			return;
		}
	}
	if (ndevices >= MAX_DEV) {
		fprintf(out, "ERR OPEN %s: too many devices\n", bdf);
		return;
	}
	if (strlen(bdf) >= sizeof(devices[0].bdf)) {
		fprintf(out, "ERR OPEN %s: BDF too long\n", bdf);
		return;
	}
	int num;
	if (read_group_number(bdf, &num) < 0) {
		fprintf(out, "ERR OPEN %s: no iommu_group in sysfs: %s\n", bdf, strerror(errno));
		return;
	}
	int g = open_group(bdf, num);
	if (g < 0)
		return;
	errno = 0;
	int fd = own_fd(ioctl(groups[g].fd, R_GROUP_GET_DEVICE_FD, bdf));
	if (fd < 0) {
		int e = errno;
		fprintf(out, "ERR OPEN %s: GROUP_GET_DEVICE_FD errno=%d(%s)\n", bdf, e, errno_name(e));
		return;
	}
	struct device *d = &devices[ndevices];
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->fd = fd;
	d->group_idx = g;
	cur_dev = ndevices++;
	fprintf(out, "INFO OPEN %s group=%d devfd=%d\n", bdf, num, fd);
}

/*
 * CDEV_OPEN <bdf>: open the device's cdev /dev/vfio/devices/vfioN (N from sysfs vfio-dev/) and make it
 * the current device; it has no group, and no access until VFIO_DEVICE_BIND_IOMMUFD.
 */
static void cmd_cdev_open(const char *bdf)
{
	if (!bdf || strlen(bdf) >= sizeof(devices[0].bdf) || ndevices >= MAX_DEV) {
		fputs("ERR CDEV_OPEN: want CDEV_OPEN <bdf> (and room for one more device)\n", out);
		return;
	}
	char dir[256], name[256] = "";
	for (size_t b = 0; !name[0] && b < sizeof(buses) / sizeof(buses[0]); b++) {
		snprintf(dir, sizeof(dir), "/sys/bus/%s/devices/%s/vfio-dev", buses[b], bdf);
		DIR *dp = opendir(dir);
		for (struct dirent *de; dp && (de = readdir(dp));)
			if (!strncmp(de->d_name, "vfio", 4))
				snprintf(name, sizeof(name), "%s", de->d_name);
		if (dp)
			closedir(dp);
	}
	if (!name[0]) {
		fprintf(out, "ERR CDEV_OPEN %s: no vfio-dev/vfioN in sysfs (no CONFIG_VFIO_DEVICE_CDEV?)\n", bdf);
		return;
	}
	char path[300];
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	int fd = own_fd(open(path, O_RDWR | O_CLOEXEC));
	if (fd < 0) {
		fprintf(out, "ERR CDEV_OPEN %s: open %s: %s\n", bdf, path, strerror(errno));
		return;
	}
	struct device *d = &devices[ndevices];
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->fd = fd;
	d->group_idx = -1;
	cur_dev = ndevices++;
	fprintf(out, "INFO CDEV_OPEN %s cdev=%s devfd=%d\n", bdf, name, fd);
}

/* IOMMUFD_OPEN <fd>: open /dev/iommu as fd <fd> (below ENV_FDS, so requests can name it); target 'i' */
static void cmd_iommufd_open(const char *sfd)
{
	unsigned long long v;
	if (!sfd || parse_num(sfd, &v) < 0 || v >= ENV_FDS) {
		fprintf(out, "ERR IOMMUFD_OPEN: want IOMMUFD_OPEN <fd below %d>\n", ENV_FDS);
		return;
	}
	errno = 0;
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	int r = fd < 0 ? fd : dup3(fd, (int)v, O_CLOEXEC);
	int e = errno;
	if (fd >= 0 && fd != (int)v)
		close(fd);
	if (r >= 0)
		iommufd = r;
	fprintf(out, "INFO IOMMUFD_OPEN %llu ", v);
	errno_field(r, e);
	fputc('\n', out);
}

/* IOAS_ALLOC: a new IO address space in the iommufd (the pt_id an attach names) */
static void cmd_ioas_alloc(void)
{
	struct iommu_ioas_alloc a = { sizeof(a), 0, 0 };
	errno = 0;
	int r = ioctl(iommufd, R_IOMMU_IOAS_ALLOC, &a);
	int e = errno;
	fputs("INFO IOAS_ALLOC ", out);
	errno_field(r, e);
	fprintf(out, " id=%u\n", a.out_ioas_id);
}

static void cmd_use(const char *bdf)
{
	if (!bdf) {
		fputs("ERR USE: missing BDF\n", out);
		return;
	}
	for (int i = 0; i < ndevices; i++) {
		if (!strcmp(devices[i].bdf, bdf)) {
			cur_dev = i;
			fprintf(out, "INFO USE %s devfd=%d\n", bdf, devices[i].fd);
			return;
		}
	}
	fprintf(out, "ERR USE %s: device not opened\n", bdf);
}

/* CLOSE: close the current device fd; vfio resets its interrupt state on the last close. */
static void cmd_close(void)
{
	if (cur_dev < 0) {
		fputs("ERR CLOSE: no current device\n", out);
		return;
	}
	fprintf(out, "INFO CLOSE %s devfd=%d ret=%d\n", devices[cur_dev].bdf, devices[cur_dev].fd, close(devices[cur_dev].fd));
	devices[cur_dev] = devices[--ndevices];
	cur_dev = -1;
}

/* fd for a target letter: 'd' device, 'g' group of the current device, 'c' container, 'i' iommufd */
static int target_fd(char kind, const char *cmd)
{
	if (kind == 'c')
		return container_fd;
	if (kind == 'i')
		return iommufd;
	if (cur_dev < 0) {
		fprintf(out, "ERR %s: no current device\n", cmd);
		return -2;
	}
	if (kind == 'd')
		return devices[cur_dev].fd;
	if (kind == 'g' && devices[cur_dev].group_idx >= 0)
		return groups[devices[cur_dev].group_idx].fd;
	if (kind == 'g') {
		fprintf(out, "ERR %s: the current device was opened through its cdev (no group)\n", cmd);
		return -2;
	}
	fprintf(out, "ERR %s: bad target '%c' (want d, g or c)\n", cmd, kind);
	return -2;
}

/*
 * DUP <d|g|c> <fd>: make fd <fd> (below ENV_FDS) a duplicate of the current device's fd, its group's
 * fd or the container's, so a request can name it (the group fds of VFIO_DEVICE_PCI_HOT_RESET).
 */
static void cmd_dup(const char *kind, const char *sfd)
{
	unsigned long long v;
	if (!kind || strlen(kind) != 1 || !sfd || parse_num(sfd, &v) < 0 || v >= ENV_FDS) {
		fprintf(out, "ERR DUP: want DUP <d|g|c> <fd below %d>\n", ENV_FDS);
		return;
	}
	int fd = target_fd(kind[0], "DUP");
	if (fd == -2)
		return;
	errno = 0;
	int r = dup3(fd, (int)v, O_CLOEXEC);
	int e = errno;
	fprintf(out, "INFO DUP %c %llu ", kind[0], v);
	errno_field(r, e);
	fputc('\n', out);
}

/* ---- buffer ioctl ---- */
static void buffer_ioctl(const char *name, int fd, unsigned long req, const char *hex)
{
	if (!hex) {
		fprintf(out, "ERR %s: missing hex buffer\n", name);
		return;
	}
	long n = parse_hex(hex, iobuf, MAX_BUF);
	if (n < 0) {
		fprintf(out, "ERR %s: %s\n", name, hex_error(n));
		return;
	}
	static unsigned char before[MAX_BUF];
	memset(iobuf + n, 0xA5, GUARD_LEN);
	if (compact) {
		memcpy(before, iobuf, (size_t)n);
	} else {
		fprintf(out, "REQ %s ", name);
		put_hex(out, iobuf, (size_t)n);
		fputc('\n', out);
		fflush(out);  /* the request is visible even if the ioctl brings the guest down */
	}

	errno = 0;
	long ret = ioctl(fd, req, iobuf);
	int e = errno;

	fprintf(out, "RSP %s ", name);
	errno_field(ret, e);
	fputc(' ', out);
	if (compact && !memcmp(before, iobuf, (size_t)n))
		fputc('=', out);
	else
		put_hex(out, iobuf, (size_t)n);
	const unsigned char *g = iobuf + n;
	int first = -1, last = -1;
	for (int i = 0; i < GUARD_LEN; i++) {
		if (g[i] != 0xA5) {
			if (first < 0)
				first = i;
			last = i;
		}
	}
	if (first < 0) {
		fputs(" guard=ok\n", out);
	} else {
		fprintf(out, " guard=clobbered@%d:", first);
		put_hex(out, g + first, (size_t)(last - first + 1));
		fputc('\n', out);
	}
}

static const struct { const char *name; char kind; unsigned long req; } named[] = {
	{ "DEVICE_GET_INFO", 'd', R_DEVICE_GET_INFO },
	{ "DEVICE_GET_REGION_INFO", 'd', R_DEVICE_GET_REGION_INFO },
	{ "DEVICE_GET_IRQ_INFO", 'd', R_DEVICE_GET_IRQ_INFO },
	{ "DEVICE_SET_IRQS", 'd', R_DEVICE_SET_IRQS },
	{ "DEVICE_GET_PCI_HOT_RESET_INFO", 'd', R_DEVICE_GET_PCI_HOT_RESET_INFO },
	{ "DEVICE_FEATURE", 'd', R_DEVICE_FEATURE },
	{ "GROUP_GET_STATUS", 'g', R_GROUP_GET_STATUS },
};

/* ---- other commands ---- */
static int efd_index(const char *cmd, const char *s, int *idx)
{
	unsigned long long v;
	if (parse_num(s, &v) < 0 || v >= NUM_EFD) {
		fprintf(out, "ERR %s: eventfd index must be 0..%d\n", cmd, NUM_EFD - 1);
		return -1;
	}
	*idx = (int)v;
	return 0;
}

static void cmd_efd_read(const char *arg)
{
	int i;
	if (efd_index("EFD_READ", arg, &i) < 0)
		return;
	uint64_t count = 0;
	errno = 0;
	ssize_t r = read(EFD_BASE + i, &count, sizeof(count));
	int e = errno;
	if (r != (ssize_t)sizeof(count))
		count = 0;
	fprintf(out, "RSP EFD_READ %d ", i);
	errno_field(r, e);
	fprintf(out, " count=%llu\n", (unsigned long long)count);
}

static void cmd_efd_write(const char *arg)
{
	int i;
	if (efd_index("EFD_WRITE", arg, &i) < 0)
		return;
	uint64_t one = 1;
	errno = 0;
	ssize_t r = write(EFD_BASE + i, &one, sizeof(one));
	fprintf(out, "RSP EFD_WRITE %d ret=%ld\n", i, (long)r);
}

/* ---- the fd environment ---- */

/* One number or range of a list like "100-131,40": 1 and the range, 0 at the end, -1 on bad input. */
static int next_range(const char **s, long *lo, long *hi)
{
	char *end;
	if (!**s)
		return 0;
	*lo = strtol(*s, &end, 10);
	if (end == *s || *lo < 0)
		return -1;
	*hi = *lo;
	if (*end == '-') {
		const char *p = end + 1;
		*hi = strtol(p, &end, 10);
		if (end == p || *hi < *lo)
			return -1;
	}
	if (*end == ',')
		end++;
	else if (*end)
		return -1;
	*s = end;
	return 1;
}

static int mark_fds(const char *list, unsigned char *kind, unsigned char k)
{
	long lo, hi;
	int r;
	if (!strcmp(list, "-"))
		return 0;
	while ((r = next_range(&list, &lo, &hi)) > 0) {
		if (hi >= ENV_FDS)
			return -1;
		for (long fd = lo; fd <= hi; fd++)
			kind[fd] = k;
	}
	return r;
}

/*
 * FDS <eventfds> <files>: lay out fds 0..ENV_FDS-1. Listed eventfd numbers get fresh eventfds
 * (counter 0), listed file numbers /dev/null, every other fd below ENV_FDS is closed. "-" = none.
 */
static void cmd_fds(const char *efds, const char *files)
{
	static unsigned char kind[ENV_FDS]; /* 0 closed, 1 eventfd, 2 file */
	memset(kind, 0, sizeof(kind));
	if (!efds || !files || mark_fds(efds, kind, 1) < 0 || mark_fds(files, kind, 2) < 0) {
		fprintf(out, "ERR FDS: want FDS <eventfd list> <file list> (lists like 100-131,7 below %d, or -)\n", ENV_FDS);
		return;
	}
	int neventfd = 0, nfile = 0;
	for (int fd = 0; fd < ENV_FDS; fd++) {
		close(fd);
		int nfd = kind[fd] == 1 ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : kind[fd] == 2 ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1;
		if (nfd < 0)
			continue;
		if (nfd != fd) {
			dup3(nfd, fd, O_CLOEXEC);
			close(nfd);
		}
		neventfd += kind[fd] == 1;
		nfile += kind[fd] == 2;
	}
	fprintf(out, "INFO FDS eventfds=%d files=%d\n", neventfd, nfile);
}

static int fd_arg(const char *cmd, const char *s, int *fd)
{
	unsigned long long v;
	if (parse_num(s, &v) < 0 || v >= ENV_FDS) {
		fprintf(out, "ERR %s: fd must be 0..%d\n", cmd, ENV_FDS - 1);
		return -1;
	}
	*fd = (int)v;
	return 0;
}

/* FD_READ <fd> / FD_WRITE <fd>: EFD_READ / EFD_WRITE by fd number. */
static void cmd_fd_read(const char *arg)
{
	int fd;
	if (fd_arg("FD_READ", arg, &fd) < 0)
		return;
	uint64_t count = 0;
	errno = 0;
	ssize_t r = read(fd, &count, sizeof(count));
	int e = errno;
	if (r != (ssize_t)sizeof(count))
		count = 0;
	fprintf(out, "RSP FD_READ %d ", fd);
	errno_field(r, e);
	fprintf(out, " count=%llu\n", (unsigned long long)count);
}

static void cmd_fd_write(const char *arg)
{
	int fd;
	if (fd_arg("FD_WRITE", arg, &fd) < 0)
		return;
	uint64_t one = 1;
	errno = 0;
	ssize_t r = write(fd, &one, sizeof(one));
	int e = errno;
	fprintf(out, "RSP FD_WRITE %d ", fd);
	errno_field(r, e);
	fputc('\n', out);
}

static int region_offset(const char *cmd, const char *sidx, const char *soff, off_t *pos)
{
	unsigned long long idx, off;
	if (parse_num(sidx, &idx) < 0 || idx > 0xffffff) {
		fprintf(out, "ERR %s: bad region index\n", cmd);
		return -1;
	}
	if (parse_num(soff, &off) < 0 || off >= (1ULL << 40)) {
		fprintf(out, "ERR %s: bad offset\n", cmd);
		return -1;
	}
	*pos = (off_t)((idx << 40) + off);
	return 0;
}

static void cmd_region_read(const char *sidx, const char *soff, const char *slen)
{
	off_t pos;
	unsigned long long len;
	if (cur_dev < 0) {
		fputs("ERR REGION_READ: no current device\n", out);
		return;
	}
	if (region_offset("REGION_READ", sidx, soff, &pos) < 0)
		return;
	if (parse_num(slen, &len) < 0 || len > MAX_BUF) {
		fprintf(out, "ERR REGION_READ: bad length (max %d)\n", MAX_BUF);
		return;
	}
	errno = 0;
	ssize_t r = pread(devices[cur_dev].fd, iobuf, (size_t)len, pos);
	int e = errno;
	fputs("RSP REGION_READ ", out);
	errno_field(r, e);
	fputc(' ', out);
	if (r > 0)
		put_hex(out, iobuf, (size_t)r);
	fputc('\n', out);
}

static void cmd_region_write(const char *sidx, const char *soff, const char *hex)
{
	off_t pos;
	if (cur_dev < 0) {
		fputs("ERR REGION_WRITE: no current device\n", out);
		return;
	}
	if (region_offset("REGION_WRITE", sidx, soff, &pos) < 0)
		return;
	if (!hex) {
		fputs("ERR REGION_WRITE: missing hex data\n", out);
		return;
	}
	long n = parse_hex(hex, iobuf, MAX_BUF);
	if (n < 0) {
		fprintf(out, "ERR REGION_WRITE: %s\n", hex_error(n));
		return;
	}
	errno = 0;
	ssize_t r = pwrite(devices[cur_dev].fd, iobuf, (size_t)n, pos);
	int e = errno;
	fputs("RSP REGION_WRITE ", out);
	errno_field(r, e);
	fputc('\n', out);
}

/* A guest file (e.g. /proc/interrupts after OPEN) as hex, up to MAX_BUF bytes. */
static void cmd_read_file(const char *file)
{
	if (!file) {
		fputs("ERR READ_FILE: missing path\n", out);
		return;
	}
	errno = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t total = fd < 0 ? -1 : 0;
	int e = errno;
	while (fd >= 0 && total < MAX_BUF) {
		ssize_t r = read(fd, iobuf + total, (size_t)(MAX_BUF - total));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0) {
				e = errno;
				total = -1;
			}
			break;
		}
		total += r;
	}
	if (fd >= 0)
		close(fd);
	fputs("RSP READ_FILE ", out);
	errno_field(total, e);
	fputc(' ', out);
	if (total > 0)
		put_hex(out, iobuf, (size_t)total);
	fputc('\n', out);
}

static void cmd_sleep(const char *arg)
{
	unsigned long long ms;
	if (parse_num(arg, &ms) < 0 || ms > 600000) {
		fputs("ERR SLEEP: bad duration (ms, max 600000)\n", out);
		return;
	}
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	fprintf(out, "INFO SLEEP %llu\n", ms);
}

/* CAT <path>: print a (proc/sys) file as INFO lines, for looking at the guest while debugging. */
static void cmd_cat(const char *p)
{
	FILE *f = p ? fopen(p, "r") : NULL;
	if (!f) {
		fprintf(out, "ERR CAT %s: %s\n", p ? p : "", strerror(errno));
		return;
	}
	char buf[512];
	while (fgets(buf, sizeof(buf), f))
		fprintf(out, "INFO CAT %s", buf);
	fclose(f);
}

/* Returns 1 when the run should stop. */
static int handle_line(char *line)
{
	char *tok[8];
	int nt = 0;
	char *save = NULL;
	for (char *p = strtok_r(line, " \t\r\n", &save); p && nt < 8; p = strtok_r(NULL, " \t\r\n", &save))
		tok[nt++] = p;
	if (nt == 0 || tok[0][0] == '#')
		return 0;
	for (int i = nt; i < 8; i++)
		tok[i] = NULL;
	const char *c = tok[0];

	if (!strcmp(c, "QUIT"))
		return 1;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (!strcmp(c, named[i].name)) {
			int fd = target_fd(named[i].kind, c);
			if (fd != -2)
				buffer_ioctl(c, fd, named[i].req, tok[1]);
			end_block();
			return 0;
		}
	}

	if (!strcmp(c, "IOCTL")) {
		unsigned long long req;
		if (!tok[1] || strlen(tok[1]) != 1) {
			fputs("ERR IOCTL: want IOCTL <d|g|c> <nr-hex> <HEX>\n", out);
		} else if (parse_hexnum(tok[2], &req) < 0 || req > 0xffffffffULL) {
			fputs("ERR IOCTL: bad request number (hex)\n", out);
		} else {
			int fd = target_fd(tok[1][0], "IOCTL");
			if (fd != -2) {
				char name[48];
				snprintf(name, sizeof(name), "IOCTL:%c:%llx", tok[1][0], req);
				buffer_ioctl(name, fd, (unsigned long)req, tok[3]);
			}
		}
	} else if (!strcmp(c, "CDEV_OPEN")) {
		cmd_cdev_open(tok[1]);
	} else if (!strcmp(c, "IOMMUFD_OPEN")) {
		cmd_iommufd_open(tok[1]);
	} else if (!strcmp(c, "IOAS_ALLOC")) {
		cmd_ioas_alloc();
	} else if (!strcmp(c, "DUP")) {
		cmd_dup(tok[1], tok[2]);
	} else if (!strcmp(c, "DEVICE_RESET")) {
		int fd = target_fd('d', c);
		if (fd != -2) {
			errno = 0;
			int r = ioctl(fd, R_DEVICE_RESET);
			int e = errno;
			fputs("RSP DEVICE_RESET ", out);
			errno_field(r, e);
			fputc('\n', out);
		}
	} else if (!strcmp(c, "GET_API_VERSION")) {
		errno = 0;
		int r = ioctl(container_fd, R_GET_API_VERSION);
		fprintf(out, "RSP GET_API_VERSION ret=%d\n", r);
	} else if (!strcmp(c, "CHECK_EXTENSION")) {
		unsigned long long v;
		if (parse_num(tok[1], &v) < 0) {
			fputs("ERR CHECK_EXTENSION: bad extension number\n", out);
		} else {
			errno = 0;
			int r = ioctl(container_fd, R_CHECK_EXTENSION, (unsigned long)v);
			int e = errno;
			fprintf(out, "RSP CHECK_EXTENSION %llu ", v);
			errno_field(r, e);
			fputc('\n', out);
		}
	} else if (!strcmp(c, "OPEN")) {
		cmd_open(tok[1]);
	} else if (!strcmp(c, "USE")) {
		cmd_use(tok[1]);
	} else if (!strcmp(c, "CAT")) {
		cmd_cat(tok[1]);
	} else if (!strcmp(c, "CLOSE")) {
		cmd_close();
	} else if (!strcmp(c, "EFD_READ")) {
		cmd_efd_read(tok[1]);
	} else if (!strcmp(c, "EFD_WRITE")) {
		cmd_efd_write(tok[1]);
	} else if (!strcmp(c, "FD_READ")) {
		cmd_fd_read(tok[1]);
	} else if (!strcmp(c, "FD_WRITE")) {
		cmd_fd_write(tok[1]);
	} else if (!strcmp(c, "FDS")) {
		cmd_fds(tok[1], tok[2]);
	} else if (!strcmp(c, "MODE")) {
		if (tok[1] && (!strcmp(tok[1], "compact") || !strcmp(tok[1], "full"))) {
			compact = !strcmp(tok[1], "compact");
			fprintf(out, "INFO MODE %s\n", tok[1]);
		} else {
			fputs("ERR MODE: want MODE compact|full\n", out);
		}
	} else if (!strcmp(c, "REGION_READ")) {
		cmd_region_read(tok[1], tok[2], tok[3]);
	} else if (!strcmp(c, "REGION_WRITE")) {
		cmd_region_write(tok[1], tok[2], tok[3]);
	} else if (!strcmp(c, "READ_FILE")) {
		cmd_read_file(tok[1]);
	} else if (!strcmp(c, "SLEEP")) {
		cmd_sleep(tok[1]);
	} else {
		fprintf(out, "ERR %s: unknown command\n", c);
	}
	end_block();
	return 0;
}

int main(int argc, char **argv)
{
	const char *in_path = argc > 1 ? argv[1] : "-";
	const char *out_path = argc > 2 ? argv[2] : "-";
	FILE *in;

	raise_fd_limit();
	if (!strcmp(out_path, "-")) {
		out = fdopen(own_fd(dup(1)), "w");
	} else {
		out = fdopen(own_fd(open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)), "w");
		if (!out) {
			fprintf(stderr, "vfio-replay: open %s: %s\n", out_path, strerror(errno));
			return 2;
		}
	}
	if (!strcmp(in_path, "-")) {
		in = fdopen(own_fd(dup(0)), "r");
	} else {
		in = fdopen(own_fd(open(in_path, O_RDONLY | O_CLOEXEC)), "r");
		if (!in) {
			fprintf(out, "ERR open %s: %s\n", in_path, strerror(errno));
			fputs("DONE\n", out);
			fflush(out);
			return 2;
		}
	}
	static char outbuf[1 << 16];
	setvbuf(out, outbuf, _IOFBF, sizeof(outbuf));

	int in_tty = isatty(fileno(in)), out_tty = isatty(fileno(out));
	if (in_tty)
		make_raw(fileno(in));
	if (out_tty && !(in_tty && !strcmp(in_path, out_path)))
		make_raw(fileno(out));

	setup_eventfds();

	int api = -1;
	container_fd = own_fd(open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC));
	if (container_fd < 0) {
		fprintf(out, "ERR open /dev/vfio/vfio: %s\n", strerror(errno));
	} else {
		api = ioctl(container_fd, R_GET_API_VERSION);
	}
	fprintf(out, "INFO vfio-replay ready api=%d efd_base=%d num_efd=%d guard=%d\n",
		api, EFD_BASE, NUM_EFD, GUARD_LEN);
	fflush(out);

	char *line = malloc(MAX_LINE);
	if (!line) {
		fputs("ERR out of memory\nDONE\n", out);
		fflush(out);
		return 2;
	}
	while (fgets(line, MAX_LINE, in)) {
		size_t len = strlen(line);
		if (len == MAX_LINE - 1 && line[len - 1] != '\n') {
			/* over-long line: report and skip its remainder */
			int ch;
			while ((ch = fgetc(in)) != EOF && ch != '\n')
				;
			fprintf(out, "ERR line longer than %d characters\n", MAX_LINE - 2);
			end_block();
			continue;
		}
		if (handle_line(line))
			break;
	}
	fputs("DONE\n", out);
	fflush(out);
	return 0;
}
