/*
 * vu-replay - replay codec-built vfio-user messages against a server socket and
 * print what comes back: reply bytes, the fds that came with them, eventfd
 * counters. `vfio-abi vfio-user` drives it (one script in, one transcript out,
 * one transcript line per script line) and compiles it with the system C
 * compiler on first use: Node cannot pass file descriptors over a UNIX socket
 * (SCM_RIGHTS), and a vfio-user client must.
 *
 *   usage: vu-replay [SCRIPT]          (default: standard input; transcript on stdout)
 *   build: cc -O2 -o vu-replay vu-replay.c      (Linux: eventfd, SCM_RIGHTS; replay-hex.h beside it)
 *
 * The fd environment, set up before the first line (the model is told the same
 * one: CLIENT_FD_ENV in the libvfio-user model; ENV reports what each fd is):
 *   100..131  eventfds (non-blocking), read back with EFD
 *   200       /dev/null opened read-only   (open, not an eventfd; write fails EBADF)
 *   201       read end of a pipe           (open, not an eventfd; write fails EBADF)
 *   202       /dev/null opened write-only  (open, not an eventfd, writable)
 *   99, 77, 150, 512, 1000                closed (sendmsg fails EBADF)
 *
 * Script lines (the transcript line each one produces):
 *   CONNECT <path> [ms]       CONNECT ok | CONNECT err <ERRNO>   (retries until ms, default 5000)
 *   SEND <hex> [fd,fd,...]    SEND <bytes> | SEND err <ERRNO>    (one sendmsg; the fds as SCM_RIGHTS)
 *   RECV [ms]                 RECV <hex> fds=<n> | RECV timeout | RECV eof | RECV short <hex> | RECV err <ERRNO>
 *   EFD <fd>                  EFD <fd> <count> | EFD <fd> EAGAIN | EFD <fd> err <ERRNO>
 *   ENV fd,fd,...             ENV fd:kind ...   kind: eventfd | writable | file | closed
 *   CLOSE                     CLOSE ok
 *   QUIT                      (ends the run)
 * Lines starting with '#' and empty lines are echoed as they are.
 *
 * RECV reads one message: the 16-byte header (the fds arrive with its first
 * byte), then msg_size - 16 more bytes. Received fds are counted and closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "replay-hex.h"

#define EFD_BASE  100
#define NUM_EFD   32
#define MAX_FDS   253            /* SCM_MAX_FD: the kernel refuses more in one message */
#define MAX_MSG   (2u << 20)     /* largest message RECV accepts (a 1 MiB region read + headers) */
#define HDR_SIZE  16
#define MAX_LINE  (2 * MAX_MSG + 8192)

static const int CLOSED_FDS[] = { 99, 77, 150, 512, 1000 };

static int sock = -1;
static char *line;
static unsigned char *buf;

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOSPC: return "ENOSPC";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ENOTSOCK: return "ENOTSOCK";
	case EMSGSIZE: return "EMSGSIZE";
	case ETOOMANYREFS: return "ETOOMANYREFS";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOTCONN: return "ENOTCONN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	default: return "E?";
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Move fd to a fixed number (the environment the oracle is told about). */
static void place(int fd, int at, const char *what)
{
	if (fd < 0) {
		fprintf(stderr, "vu-replay: %s: %s\n", what, strerror(errno));
		exit(2);
	}
	if (fd != at) {
		if (dup3(fd, at, O_CLOEXEC) < 0) {
			fprintf(stderr, "vu-replay: dup3 %s -> %d: %s\n", what, at, strerror(errno));
			exit(2);
		}
		close(fd);
	}
}

static void setup_fds(void)
{
	for (size_t i = 0; i < sizeof(CLOSED_FDS) / sizeof(CLOSED_FDS[0]); i++)
		close(CLOSED_FDS[i]);
	for (int i = 0; i < NUM_EFD; i++)
		place(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), EFD_BASE + i, "eventfd");
	place(open("/dev/null", O_RDONLY | O_CLOEXEC), 200, "/dev/null read-only");
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("vu-replay: pipe2");
		exit(2);
	}
	place(p[0], 201, "pipe read end");
	place(open("/dev/null", O_WRONLY | O_CLOEXEC), 202, "/dev/null write-only");
	/* the pipe's write end stays open (somewhere above 1000) so its read end never sees EOF */
	if (dup3(p[1], 1023, O_CLOEXEC) < 0 || close(p[1]) < 0) {
		perror("vu-replay: pipe write end");
		exit(2);
	}
}

static void cmd_connect(char *args)
{
	char *path = strtok(args, " ");
	char *ms = strtok(NULL, " ");
	long long deadline = now_ms() + (ms ? atol(ms) : 5000);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (!path || strlen(path) >= sizeof(addr.sun_path)) {
		printf("CONNECT err ENAMETOOLONG\n");
		return;
	}
	strcpy(addr.sun_path, path);
	if (sock >= 0)
		close(sock);
	for (;;) {
		sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0) {
			printf("CONNECT err %s\n", errno_name(errno));
			return;
		}
		if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
			printf("CONNECT ok\n");
			return;
		}
		int e = errno;
		close(sock);
		sock = -1;
		if ((e != ENOENT && e != ECONNREFUSED && e != EAGAIN) || now_ms() >= deadline) {
			printf("CONNECT err %s\n", errno_name(e));
			return;
		}
		usleep(10000);
	}
}

static void cmd_send(char *args)
{
	char *hex = strtok(args, " ");
	char *fdlist = strtok(NULL, " ");
	int fds[MAX_FDS + 8];
	size_t nfds = 0;
	long n = hex ? parse_hex(hex, buf, MAX_MSG) : -1;
	if (n <= 0) {
		printf("SEND err bad-hex\n");
		return;
	}
	for (char *f = fdlist ? strtok(fdlist, ",") : NULL; f; f = strtok(NULL, ",")) {
		if (nfds >= sizeof(fds) / sizeof(fds[0])) {
			printf("SEND err too-many-fds\n");
			return;
		}
		fds[nfds++] = atoi(f);
	}
	struct iovec iov = { .iov_base = buf, .iov_len = (size_t)n };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	char *control = NULL;
	if (nfds) {
		size_t size = nfds * sizeof(int);
		control = calloc(1, CMSG_SPACE(size));
		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(size);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(size);
		memcpy(CMSG_DATA(c), fds, size);
	}
	ssize_t r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	int e = errno;
	free(control);
	if (r < 0)
		printf("SEND err %s\n", errno_name(e));
	else
		printf("SEND %zd\n", r);
}

/* Wait until sock is readable; 0 ready, 1 timeout, -1 error (errno). */
static int wait_readable(long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd p = { .fd = sock, .events = POLLIN };
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return 1;
		if (errno != EINTR)
			return -1;
	}
}

/* Read exactly n bytes after what is in buf[0..have); fds come with the first read. */
static ssize_t read_exact(size_t have, size_t n, long long deadline, int *nfds)
{
	while (have < n) {
		int w = wait_readable(deadline);
		if (w)
			return w > 0 ? -2 : -1;
		struct iovec iov = { .iov_base = buf + have, .iov_len = n - have };
		union { char c[CMSG_SPACE(sizeof(int) * MAX_FDS)]; struct cmsghdr align; } control;
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.c, .msg_controllen = sizeof(control.c) };
		ssize_t r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int got[MAX_FDS];
			memcpy(got, CMSG_DATA(c), k * sizeof(int));
			for (size_t i = 0; i < k; i++)
				close(got[i]);
			*nfds += (int)k;
		}
		if (r == 0)
			return (ssize_t)have;
		have += (size_t)r;
	}
	return (ssize_t)have;
}

static void cmd_recv(char *args)
{
	char *ms = strtok(args, " ");
	long long deadline = now_ms() + (ms ? atol(ms) : 2000);
	int nfds = 0;
	if (sock < 0) {
		printf("RECV err ENOTCONN\n");
		return;
	}
	ssize_t r = read_exact(0, HDR_SIZE, deadline, &nfds);
	if (r == -2) {
		printf("RECV timeout\n");
		return;
	}
	if (r < 0) {
		printf("RECV err %s\n", errno_name(errno));
		return;
	}
	if (r == 0) {
		printf("RECV eof\n");
		return;
	}
	if (r < HDR_SIZE) {
		printf("RECV short ");
		put_hex(stdout, buf, (size_t)r);
		putchar('\n');
		return;
	}
	uint32_t size;
	memcpy(&size, buf + 4, sizeof(size));
	if (size > HDR_SIZE && size <= MAX_MSG) {
		r = read_exact(HDR_SIZE, size, deadline, &nfds);
		if (r < 0 || (size_t)r < size) {
			printf("RECV short ");
			put_hex(stdout, buf, r < 0 ? HDR_SIZE : (size_t)r);
			putchar('\n');
			return;
		}
	}
	printf("RECV ");
	put_hex(stdout, buf, size > HDR_SIZE && size <= MAX_MSG ? size : HDR_SIZE);
	printf(" fds=%d\n", nfds);
}

static void cmd_efd(char *args)
{
	int fd = args ? atoi(args) : -1;
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));
	if (r == (ssize_t)sizeof(v))
		printf("EFD %d %llu\n", fd, (unsigned long long)v);
	else if (r < 0 && errno == EAGAIN)
		printf("EFD %d EAGAIN\n", fd);
	else
		printf("EFD %d err %s\n", fd, r < 0 ? errno_name(errno) : "short");
}

/* What fd is: closed, an eventfd, an open file we may write to, another open file. */
static const char *fd_kind(int fd)
{
	char link[64], target[64];
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return "closed";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = 0;
		if (!strcmp(target, "anon_inode:[eventfd]"))
			return "eventfd";
	}
	return (flags & O_ACCMODE) == O_RDONLY ? "file" : "writable";
}

static void cmd_env(char *args)
{
	printf("ENV");
	for (char *f = args ? strtok(args, ",") : NULL; f; f = strtok(NULL, ","))
		printf(" %d:%s", atoi(f), fd_kind(atoi(f)));
	putchar('\n');
}

int main(int argc, char **argv)
{
	FILE *in = stdin;
	if (argc > 1 && strcmp(argv[1], "-") != 0 && !(in = fopen(argv[1], "r"))) {
		perror(argv[1]);
		return 2;
	}
	line = malloc(MAX_LINE);
	buf = malloc(MAX_MSG);
	if (!line || !buf)
		return 2;
	setup_fds();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, MAX_LINE, in)) {
		line[strcspn(line, "\r\n")] = 0;
		char *args = strchr(line, ' ');
		if (args)
			*args++ = 0;
		if (line[0] == 0 || line[0] == '#')
			printf("%s%s%s\n", line, args ? " " : "", args ? args : "");
		else if (!strcmp(line, "CONNECT"))
			cmd_connect(args ? args : (char *)"");
		else if (!strcmp(line, "SEND"))
			cmd_send(args ? args : (char *)"");
		else if (!strcmp(line, "RECV"))
			cmd_recv(args ? args : (char *)"");
		else if (!strcmp(line, "EFD"))
			cmd_efd(args);
		else if (!strcmp(line, "ENV"))
			cmd_env(args);
		else if (!strcmp(line, "CLOSE")) {
			if (sock >= 0)
				close(sock);
			sock = -1;
			printf("CLOSE ok\n");
		} else if (!strcmp(line, "QUIT"))
			break;
		else
			printf("ERR unknown command %s\n", line);
	}
	return 0;
}
