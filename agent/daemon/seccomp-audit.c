// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "seccomp-audit.h"
#include "util.h"

#ifndef AUDIT_NLGRP_READLOG
#define AUDIT_NLGRP_READLOG 1
#endif

/* ---- records ---- */

/* The value of " KEY=" in @text, and its length; NULL if absent. */
static const char *find_field(const char *text, size_t len, const char *key, size_t *ret_len)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i + klen + 1 < len; i++) {
		if ((i == 0 || text[i - 1] == ' ') && strncmp(text + i, key, klen) == 0 &&
		    text[i + klen] == '=') {
			const char *v = text + i + klen + 1, *end = text + len;
			size_t n;

			if (*v == '"') {
				const char *q = memchr(v + 1, '"', end - v - 1);

				n = q ? (size_t)(q - v + 1) : (size_t)(end - v);
			} else {
				n = 0;
				while (v + n < end && v[n] != ' ' && v[n] != '\n' && v[n] != '\0')
					n++;
			}
			*ret_len = n;
			return v;
		}
	}
	return NULL;
}

static int field_int(const char *text, size_t len, const char *key, int base, int64_t *ret)
{
	char buf[32];
	const char *v;
	size_t n;
	char *end;

	v = find_field(text, len, key, &n);
	if (!v || n == 0 || n >= sizeof(buf))
		return -EBADMSG;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	*ret = strtoll(buf, &end, base);
	if (errno || *end)
		return -EBADMSG;
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

/* The kernel writes an untrusted string quoted, or hex-encoded when it holds a quote, a space or
 * a control character; "(null)" when there is none. */
static void field_string(const char *text, size_t len, const char *key, char *buf, size_t size)
{
	const char *v;
	size_t n, k = 0;

	buf[0] = '\0';
	v = find_field(text, len, key, &n);
	if (!v || n == 0)
		return;
	if (v[0] == '"') {
		n = n >= 2 && v[n - 1] == '"' ? n - 2 : n - 1;
		v++;
		k = n < size - 1 ? n : size - 1;
		memcpy(buf, v, k);
	} else if (n % 2 == 0 && !(n == 6 && strncmp(v, "(null)", 6) == 0)) {
		for (size_t i = 0; i + 1 < n && k < size - 1; i += 2) {
			int hi = hexval(v[i]), lo = hexval(v[i + 1]);

			if (hi < 0 || lo < 0) {
				k = 0;
				break;
			}
			buf[k++] = (char)(hi << 4 | lo);
		}
	}
	buf[k] = '\0';
}

int seccomp_record_parse(const char *text, size_t len, struct seccomp_record *ret)
{
	struct seccomp_record rec = {};
	int64_t v;
	int r;

	r = field_int(text, len, "pid", 10, &v);
	if (r < 0 || v <= 0 || v > INT32_MAX)
		return -EBADMSG;
	rec.pid = (uint32_t)v;
	r = field_int(text, len, "syscall", 10, &rec.syscall);
	if (r < 0)
		return r;
	r = field_int(text, len, "code", 16, &v);
	if (r < 0)
		return r;
	rec.code = (uint32_t)v;
	if (field_int(text, len, "uid", 10, &v) >= 0)
		rec.uid = (uint32_t)v;
	if (field_int(text, len, "gid", 10, &v) >= 0)
		rec.gid = (uint32_t)v;
	if (field_int(text, len, "arch", 16, &v) >= 0)
		rec.arch = (uint32_t)v;
	if (field_int(text, len, "sig", 10, &v) >= 0)
		rec.sig = v;
	field_string(text, len, "comm", rec.comm, sizeof(rec.comm));
	field_string(text, len, "exe", rec.exe, sizeof(rec.exe));
	*ret = rec;
	return 0;
}

const char *seccomp_record_action(const struct seccomp_record *rec)
{
	switch (rec->code & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO:
		return "deny";
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
		return "kill";
	case SECCOMP_RET_LOG:
		return "audit";
	default:
		return "other";
	}
}

/* ---- /proc ---- */

int proc_stat_read(const char *proc_root, pid_t pid, pid_t *ret_ppid, uint64_t *ret_start)
{
	char path[256], buf[1024];
	_cleanup_close_ int fd = -1;
	unsigned long long start = 0;
	const char *p;
	ssize_t n;
	int ppid = 0, field = 3;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	buf[n] = '\0';

	/* "pid (comm) state ppid ...": comm may hold anything, ')' too; it ends at the last. */
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	p++;
	while (*p && field <= 22) {
		while (*p == ' ')
			p++;
		if (field == 4)
			ppid = atoi(p);
		else if (field == 22)
			start = strtoull(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
		field++;
	}
	if (field <= 22)
		return -EBADMSG;
	*ret_ppid = ppid;
	*ret_start = start;
	return 0;
}

/* ---- the registry ---- */

struct registration {
	pid_t pid;
	uint64_t start;
	char policy[64];
};

struct seccomp_registry {
	char *proc_root;
	struct registration *items;
	size_t n;
};

int seccomp_registry_new(const char *proc_root, struct seccomp_registry **ret)
{
	struct seccomp_registry *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return -ENOMEM;
	reg->proc_root = strdup(proc_root);
	reg->items = calloc(SECCOMP_REGISTRY_MAX, sizeof(struct registration));
	if (!reg->proc_root || !reg->items) {
		seccomp_registry_free(reg);
		return -ENOMEM;
	}
	*ret = reg;
	return 0;
}

struct seccomp_registry *seccomp_registry_free(struct seccomp_registry *reg)
{
	if (!reg)
		return NULL;
	free(reg->proc_root);
	free(reg->items);
	free(reg);
	return NULL;
}

size_t seccomp_registry_size(const struct seccomp_registry *reg)
{
	return reg->n;
}

/* Drops registrations whose process is gone (or whose pid now belongs to another process). */
static void registry_prune(struct seccomp_registry *reg)
{
	size_t k = 0;

	for (size_t i = 0; i < reg->n; i++) {
		pid_t ppid;
		uint64_t start;

		if (proc_stat_read(reg->proc_root, reg->items[i].pid, &ppid, &start) >= 0 &&
		    start == reg->items[i].start)
			reg->items[k++] = reg->items[i];
	}
	reg->n = k;
}

static struct registration *registry_find(struct seccomp_registry *reg, pid_t pid)
{
	for (size_t i = 0; i < reg->n; i++)
		if (reg->items[i].pid == pid)
			return &reg->items[i];
	return NULL;
}

int seccomp_registry_add(struct seccomp_registry *reg, pid_t pid, const char *policy)
{
	struct registration *e;
	uint64_t start;
	pid_t ppid;
	int r;

	if (strlen(policy) >= sizeof(e->policy))
		return -EINVAL;
	r = proc_stat_read(reg->proc_root, pid, &ppid, &start);
	if (r < 0)
		return r;

	/* A pid registered before belongs to a process that is gone (the start time differs) or
	 * registers again (a second exec): either way the new registration replaces it. */
	e = registry_find(reg, pid);
	if (!e) {
		if (reg->n == SECCOMP_REGISTRY_MAX)
			registry_prune(reg);
		if (reg->n == SECCOMP_REGISTRY_MAX)
			return -ENOSPC;
		e = &reg->items[reg->n++];
	}
	e->pid = pid;
	e->start = start;
	snprintf(e->policy, sizeof(e->policy), "%s", policy);
	return 0;
}

int seccomp_registry_attribute(struct seccomp_registry *reg, pid_t pid, const char **ret_policy,
			       pid_t *ret_via, const char **ret_why)
{
	pid_t cur = pid;

	for (unsigned depth = 0; depth < SECCOMP_WALK_MAX && cur > 0; depth++) {
		struct registration *e = registry_find(reg, cur);
		uint64_t start;
		pid_t ppid;
		int r;

		r = proc_stat_read(reg->proc_root, cur, &ppid, &start);
		if (r < 0) {
			/* Gone already (a killed process, typically). If it is the registered
			 * process itself, its registration still names it: a pid is not reused
			 * before the registration's process has exited, and that is this one. */
			if (depth == 0 && e) {
				*ret_policy = e->policy;
				*ret_via = e->pid;
				return 1;
			}
			*ret_why = depth == 0 ? "the process exited before its record was read"
					      : "an ancestor exited before the record was read";
			return 0;
		}
		if (e && e->start == start) {
			*ret_policy = e->policy;
			*ret_via = e->pid;
			return 1;
		}
		if (cur == 1)
			break;
		cur = ppid;
	}
	*ret_why = "no ancestor was started by secagentctl exec (or it was reparented)";
	return 0;
}

/* ---- the audit socket ---- */

int seccomp_audit_open(int *ret_fd)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1),
	};
	_cleanup_close_ int fd = -1;
	int size = 4 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	/* Records come in bursts; what does not fit is lost (and counted: ENOBUFS). */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}
