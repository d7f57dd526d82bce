/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The generaliser of `secagentctl profile record`: from what a recorded workload did (its events,
 * in the schema of `secagentctl events --json`, and the system calls it made) to a policy that
 * allows that and, through its posture, nothing else. It generalises the way a person would, and
 * says why in a comment on each rule:
 * - a directory where the workload made, removed or renamed files, or touched at least
 *   PROFILE_DIR_FILES of them, becomes a subtree rule with the access kinds seen there;
 * - a file on a file system whose inode numbers secagent cannot rely on (proc, sysfs...) is
 *   covered by an allow rule for that whole file system, the only name secagent has for it;
 * - a path whose directory is gone by the end (a temporary directory) becomes its nearest
 *   existing ancestor's subtree;
 * - a listen on a port the kernel picked becomes the ephemeral port range;
 * - every rule says how often it was seen.
 * The result starts in `mode: audit`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define PROFILE_DIR_FILES                                                                          \
	8 /* distinct files touched in one directory before it becomes a subtree */

enum profile_target_kind {
	PROFILE_TARGET_UNIT,
	PROFILE_TARGET_CONTAINER,
	PROFILE_TARGET_COMMAND,
};

struct profile_target {
	enum profile_target_kind kind;
	const char *policy_name;
	const char *description; /* "unit web.service", for the header */
	const char *cgroup;	 /* PROFILE_TARGET_UNIT: its selector */
	const char *binary;	 /* PROFILE_TARGET_COMMAND: its selector, the program's path */
	double seconds;		 /* how long it was recorded */
};

/* What the generaliser asks of the file system the workload saw. */
struct profile_fs {
	/* Whether the directory @path exists. */
	bool (*dir_exists)(void *userdata, const char *path);
	/* For a path on a file system whose inode numbers secagent cannot rely on: 1 and the root
	 * of its mount in @ret_root (with its trailing '/'), and its type in @ret_type; 0 for a
	 * file system secagent names files on; < 0 when unknown. */
	int (*whole_fs)(void *userdata, const char *path, char *ret_root, size_t root_size,
			char *ret_type, size_t type_size);
	/* The ephemeral port range (ip_local_port_range). */
	unsigned port_lo, port_hi;
	void *userdata;
};

struct profile_stats {
	size_t events, rules, syscalls;
	size_t unplaced; /* events no rule could be written for (listed as comments) */
};

/*
 * Writes the policy for @target to @out from the @n_events events (JSON objects) and the
 * @n_syscalls system call names. Returns 0 or a negative errno (only -ENOMEM, -EIO).
 */
int profile_generate(const struct profile_target *target, json_t *const *events, size_t n_events,
		     const char *const *syscalls, size_t n_syscalls, const struct profile_fs *fs,
		     FILE *out, struct profile_stats *ret_stats);
