/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The daemon's side of seccomp events: the kernel writes an audit record (AUDIT_SECCOMP, type
 * 1326) for what a filter logs (SECCOMP_FILTER_FLAG_LOG: denials; SECCOMP_RET_LOG: audits; kills
 * always). secagentd reads them from the audit netlink multicast group (AUDIT_NLGRP_READLOG,
 * CAP_AUDIT_READ, which works with or without auditd) and attributes each to a policy:
 *
 * `secagentctl exec --policy NAME` registers its own pid with the daemon before it applies the
 * filter and executes the command, which keeps that pid. The daemon trusts SO_PEERCRED for the
 * pid and keeps (pid, start time) -> NAME; the start time tells a reused pid from the registered
 * process. A record's pid is walked up its parents in /proc until a registered (pid, start time)
 * is found. What this cannot see: a process that has exited by the time its record is read (a
 * killed one, typically; it is still found when it is the registered process itself), and a
 * descendant whose parent died so that it was reparented to init or a subreaper. Those records are
 * logged all the same, saying that no policy could be named.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SECCOMP_REGISTRY_MAX 4096
#define SECCOMP_WALK_MAX     128 /* parents followed from a record's pid */

struct seccomp_record {
	uint32_t pid, uid, gid;
	uint32_t arch; /* AUDIT_ARCH_*, as libseccomp's SCMP_ARCH_* */
	int64_t syscall;
	uint32_t code; /* SECCOMP_RET_*: action | data (the errno) */
	int64_t sig;
	char comm[64]; /* decoded; may be empty */
	char exe[4096];
};

/* Parses the text of one AUDIT_SECCOMP record ("audit(...): auid=... pid=... comm=..."); comm and
 * exe may be quoted or hex-encoded. Returns 0, or -EBADMSG when pid, syscall or code is missing. */
int seccomp_record_parse(const char *text, size_t len, struct seccomp_record *ret);

/* "deny", "kill", "audit", or "other". */
const char *seccomp_record_action(const struct seccomp_record *rec);

struct seccomp_registry;

/* @proc_root is "/proc" (another root for tests). */
int seccomp_registry_new(const char *proc_root, struct seccomp_registry **ret);
struct seccomp_registry *seccomp_registry_free(struct seccomp_registry *reg);

/* Records @pid, as it runs now, under @policy. Returns 0, -ESRCH if @pid is gone, -ENOSPC when
 * the table is full of live processes, or another negative errno. */
int seccomp_registry_add(struct seccomp_registry *reg, pid_t pid, const char *policy);
size_t seccomp_registry_size(const struct seccomp_registry *reg);

/*
 * The policy @pid runs under: itself or its nearest registered ancestor. Returns 1 with the
 * policy (owned by @reg) and the registered pid it was found through, 0 when none, with a reason
 * in @ret_why ("process gone", "no registered ancestor").
 */
int seccomp_registry_attribute(struct seccomp_registry *reg, pid_t pid, const char **ret_policy,
			       pid_t *ret_via, const char **ret_why);

/* Reads the parent and the start time (clock ticks since boot) of @pid from PROC/PID/stat. */
int proc_stat_read(const char *proc_root, pid_t pid, pid_t *ret_ppid, uint64_t *ret_start);

/* Opens the audit netlink socket, bound to the read-only log multicast group. Needs
 * CAP_AUDIT_READ for the bind (and the initial network namespace: records are multicast there
 * only). */
int seccomp_audit_open(int *ret_fd);
