// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * open-via: make one attempt to open or execute PATH by a chosen route, for tests of file and
 * exec protection that must cover every way into a file.
 *
 *   open-via openat PATH [r|w]
 *   open-via openat2 PATH [r|w] [RESOLVE,...]   RESOLVE: no-xdev no-magiclinks no-symlinks
 *                                              beneath in-root cached
 *   open-via io_uring PATH [r|w]                IORING_OP_OPENAT on a ring of our own
 *   open-via exec PATH                          fork + execve(PATH), the child's errno
 *   open-via mmap-exec PATH                     open read-only, mmap PROT_READ|PROT_EXEC
 *   open-via mprotect-exec PATH                 open read-only, mmap PROT_READ, mprotect +EXEC
 *
 * Prints "ok" or the errno name of the step that failed (EPERM, ENOENT, ...) and exits 0: the
 * attempt was made. When mmap-exec or mprotect-exec fail before their last step, stderr says
 * which ("open-via: open: EPERM"), so a denied open is not taken for a denied mapping. Exit 3 with
 * "io_uring-unavailable: ERRNO" when io_uring_setup() fails with ENOSYS or EPERM (kernel
 * without io_uring, or kernel.io_uring_disabled); exit 1 when the attempt itself could not be
 * made (fork, pipe, other io_uring setup errors); exit 2 on a usage error.
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426
#endif

#define EXIT_USAGE		  2
#define EXIT_IO_URING_UNAVAILABLE 3

extern char **environ;

static const char *errno_name(int e)
{
	static char buf[16];
	const char *name = strerrorname_np(e);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno-%d", e);
	return buf;
}

/* The attempt was made: print its outcome, exit 0. */
static int report(int e)
{
	puts(e ? errno_name(e) : "ok");
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: open-via openat|openat2|io_uring PATH [r|w] (openat2: [RESOLVE,...])\n"
		"       open-via exec|mmap-exec|mprotect-exec PATH\n");
	return EXIT_USAGE;
}

/* "r" (default) or "w" to open flags; -1 for anything else. */
static int parse_access(const char *s)
{
	if (!s || !strcmp(s, "r"))
		return O_RDONLY;
	if (!strcmp(s, "w"))
		return O_WRONLY;
	return -1;
}

static int parse_resolve(const char *s, uint64_t *ret_resolve)
{
	static const struct {
		const char *name;
		uint64_t flag;
	} names[] = {
		{ "no-xdev", RESOLVE_NO_XDEV },		{ "no-magiclinks", RESOLVE_NO_MAGICLINKS },
		{ "no-symlinks", RESOLVE_NO_SYMLINKS }, { "beneath", RESOLVE_BENEATH },
		{ "in-root", RESOLVE_IN_ROOT },		{ "cached", RESOLVE_CACHED },
	};
	uint64_t resolve = 0;

	while (*s) {
		size_t len = strcspn(s, ",");
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && !strncmp(s, names[i].name, len))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "open-via: unknown RESOLVE flag '%.*s'\n", (int)len, s);
			return -EINVAL;
		}
		resolve |= names[i].flag;
		s += len;
		if (*s == ',')
			s++;
	}
	*ret_resolve = resolve;
	return 0;
}

static int via_openat(const char *path, int acc)
{
	int fd = openat(AT_FDCWD, path, acc | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return report(errno);
	close(fd);
	return report(0);
}

static int via_openat2(const char *path, int acc, uint64_t resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(acc | O_CLOEXEC | O_NOCTTY),
		.resolve = resolve,
	};
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd < 0)
		return report(errno);
	close((int)fd);
	return report(0);
}

/* One submission queue entry, one completion: the rings of io_uring_setup(2), mapped by hand. */
static int via_io_uring(const char *path, int acc)
{
	struct io_uring_params p = { 0 };
	size_t sq_len, cq_len, sqes_len;
	void *sq = MAP_FAILED, *cq = MAP_FAILED;
	struct io_uring_sqe *sqes = MAP_FAILED;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask, tail, head;
	struct io_uring_cqe *cqes;
	int ring, r = 1, res;

	ring = (int)syscall(SYS_io_uring_setup, 1, &p);
	if (ring < 0) {
		int e = errno;

		if (e == ENOSYS || e == EPERM) {
			printf("io_uring-unavailable: %s\n", errno_name(e));
			return EXIT_IO_URING_UNAVAILABLE;
		}
		fprintf(stderr, "open-via: io_uring_setup: %s\n", strerror(e));
		return 1;
	}

	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (cq_len > sq_len)
			sq_len = cq_len;
		cq_len = sq_len;
	}
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED) {
		fprintf(stderr, "open-via: mmap of the submission ring: %m\n");
		goto out;
	}
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		cq = sq;
	else
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
			  IORING_OFF_CQ_RING);
	if (cq == MAP_FAILED) {
		fprintf(stderr, "open-via: mmap of the completion ring: %m\n");
		goto out;
	}
	sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	sqes = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		    IORING_OFF_SQES);
	if (sqes == MAP_FAILED) {
		fprintf(stderr, "open-via: mmap of the submission entries: %m\n");
		goto out;
	}

	sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);

	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_OPENAT;
	sqes[0].fd = AT_FDCWD;
	sqes[0].addr = (uint64_t)(uintptr_t)path;
	sqes[0].open_flags = (uint32_t)(acc | O_CLOEXEC | O_NOCTTY);
	sqes[0].user_data = 1;

	tail = __atomic_load_n(sq_tail, __ATOMIC_RELAXED);
	sq_array[tail & *sq_mask] = 0;
	/* The kernel reads the entry once it sees the new tail. */
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);

	if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
		fprintf(stderr, "open-via: io_uring_enter: %m\n");
		goto out;
	}
	head = __atomic_load_n(cq_head, __ATOMIC_RELAXED);
	if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "open-via: io_uring_enter returned without a completion\n");
		goto out;
	}
	res = cqes[head & *cq_mask].res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	if (res >= 0)
		close(res);
	r = report(res < 0 ? -res : 0);
out:
	if (sqes != MAP_FAILED)
		munmap(sqes, sqes_len);
	if (cq != MAP_FAILED && cq != sq)
		munmap(cq, cq_len);
	if (sq != MAP_FAILED)
		munmap(sq, sq_len);
	close(ring);
	return r;
}

/* The child reports execve's errno through a close-on-exec pipe: end of file means it ran. */
static int via_exec(const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	int fds[2], e = 0, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "open-via: pipe: %m\n");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "open-via: fork: %m\n");
		close(fds[0]);
		close(fds[1]);
		return 1;
	}
	if (pid == 0) {
		close(fds[0]);
		execve(path, argv, environ);
		e = errno;
		if (write(fds[1], &e, sizeof(e)) != sizeof(e))
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	do
		n = read(fds[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n < 0) {
		fprintf(stderr, "open-via: read from the child: %m\n");
		return 1;
	}
	if (n != 0 && n != sizeof(e)) {
		fprintf(stderr, "open-via: short report from the child (%zd bytes)\n", n);
		return 1;
	}
	return report(n ? e : 0);
}

/* The attempt failed at STEP, before the route's own last step: say which, on stderr. */
static int report_step(const char *step, int e)
{
	fprintf(stderr, "open-via: %s: %s\n", step, errno_name(e));
	return report(e);
}

/* Map one page of PATH executable, directly or by mprotect() of a read-only mapping. */
static int via_map_exec(const char *path, int by_mprotect)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *addr;
	int fd, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return report_step("open", errno);
	addr = mmap(NULL, page, by_mprotect ? PROT_READ : PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
		    0);
	if (addr == MAP_FAILED) {
		e = errno;
		close(fd);
		return by_mprotect ? report_step("mmap", e) : report(e);
	}
	if (by_mprotect && mprotect(addr, page, PROT_READ | PROT_EXEC) < 0)
		e = errno;
	munmap(addr, page);
	close(fd);
	return report(e);
}

int main(int argc, char **argv)
{
	const char *route, *path;
	uint64_t resolve = 0;
	int acc;

	if (argc < 3)
		return usage();
	route = argv[1];
	path = argv[2];

	if (!strcmp(route, "openat") || !strcmp(route, "openat2") || !strcmp(route, "io_uring")) {
		if (argc > (!strcmp(route, "openat2") ? 5 : 4))
			return usage();
		acc = parse_access(argc > 3 ? argv[3] : NULL);
		if (acc < 0)
			return usage();
		if (!strcmp(route, "openat"))
			return via_openat(path, acc);
		if (!strcmp(route, "io_uring"))
			return via_io_uring(path, acc);
		if (argc > 4 && parse_resolve(argv[4], &resolve) < 0)
			return EXIT_USAGE;
		return via_openat2(path, acc, resolve);
	}
	if (argc != 3)
		return usage();
	if (!strcmp(route, "exec"))
		return via_exec(path);
	if (!strcmp(route, "mmap-exec"))
		return via_map_exec(path, 0);
	if (!strcmp(route, "mprotect-exec"))
		return via_map_exec(path, 1);
	return usage();
}
