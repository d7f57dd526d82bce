/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Who made an event, beyond what the kernel put in it: the path of its cgroup (from the id the
 * kernel gives, through the cgroup2 file system's file handles; cached) and its program (from
 * /proc, while the process is there). Events carry both (SECAGENT_CGROUP, SECAGENT_EXE), so a
 * replay (`secagentctl policy test`) can tell which selectors bound the process.
 */

#include <stdint.h>
#include <sys/types.h>

#define PROCESS_INFO_CGROUPS 64 /* cgroup paths remembered */

struct process_info {
	int cgroup_root_fd; /* /sys/fs/cgroup, or -1 */
	struct {
		uint64_t id;
		char *path;
	} cgroups[PROCESS_INFO_CGROUPS];
	unsigned next; /* the slot replaced next */
	char exe[4096];
};

void process_info_init(struct process_info *p);
void process_info_done(struct process_info *p);

/* The path of cgroup @id relative to the cgroup2 root ("/system.slice/x.service"), or NULL. */
const char *process_info_cgroup(struct process_info *p, uint64_t id);
/* The program process @tgid runs, or NULL when it is gone; valid until the next call. */
const char *process_info_exe(struct process_info *p, pid_t tgid);
