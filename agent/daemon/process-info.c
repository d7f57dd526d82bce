// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiled.h"
#include "process-info.h"
#include "util.h"

/* A kernfs file handle is the node's 64-bit id (FILEID_KERNFS). */
#define FILEID_KERNFS 0xfe

void process_info_init(struct process_info *p)
{
	*p = (struct process_info){};
	p->cgroup_root_fd = open(COMPILED_CGROUP_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void process_info_done(struct process_info *p)
{
	if (p->cgroup_root_fd >= 0)
		close(p->cgroup_root_fd);
	for (size_t i = 0; i < PROCESS_INFO_CGROUPS; i++)
		free(p->cgroups[i].path);
	*p = (struct process_info){ .cgroup_root_fd = -1 };
}

static char *resolve_cgroup(int root_fd, uint64_t id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS } };
	char link[64], target[4096];
	const char *rel;
	ssize_t n;
	int fd;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	if (strncmp(target, COMPILED_CGROUP_ROOT, strlen(COMPILED_CGROUP_ROOT)) != 0)
		return NULL;
	rel = target + strlen(COMPILED_CGROUP_ROOT);
	return strdup(*rel ? rel : "/");
}

const char *process_info_cgroup(struct process_info *p, uint64_t id)
{
	char *path;

	if (!id || p->cgroup_root_fd < 0)
		return NULL;
	for (size_t i = 0; i < PROCESS_INFO_CGROUPS; i++)
		if (p->cgroups[i].path && p->cgroups[i].id == id)
			return p->cgroups[i].path;
	path = resolve_cgroup(p->cgroup_root_fd, id);
	if (!path)
		return NULL;
	free(p->cgroups[p->next].path);
	p->cgroups[p->next].id = id;
	p->cgroups[p->next].path = path;
	p->next = (p->next + 1) % PROCESS_INFO_CGROUPS;
	return path;
}

const char *process_info_exe(struct process_info *p, pid_t tgid)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)tgid);
	n = readlink(link, p->exe, sizeof(p->exe) - 1);
	if (n <= 0)
		return NULL;
	p->exe[n] = '\0';
	return p->exe;
}
