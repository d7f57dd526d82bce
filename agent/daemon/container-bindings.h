/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Container bindings: which running container's cgroup is bound to which container policy
 * (selector: containers: true). secagent-oci-hook asks for them at createRuntime and drops them
 * at poststop. Each is also a file in the bindings directory (under /run), so that a restarted
 * or upgraded daemon binds the same containers again before it installs its first set.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h" /* container_id_valid() */

struct container_binding {
	char *id;     /* the runtime's container id */
	char *policy; /* policy name */
	char *cgroup; /* cgroup2 path, relative to the cgroup2 mount */
	uint64_t cgroup_id;
	/* The runtime's program (the container's process ran it at createRuntime): the policy
	 * binds no process while it runs that, only from the entrypoint's exec on. ino 0: none
	 * known (a hook of an earlier version). */
	uint32_t runtime_dev;
	uint64_t runtime_ino;
	/* The container's root as its entrypoint sees it (a directory descriptor from the hook),
	 * where its policy's paths are resolved; -1 when lost (kept across restarts in systemd's
	 * file descriptor store, not across a stop). */
	int root_fd;
};

struct container_bindings {
	char *dir;
	struct container_binding *items;
	size_t n;
};

/*
 * Reads the bindings kept in @dir (created if missing). A binding whose cgroup is gone (the
 * container ended while no daemon ran) or whose file is unreadable is dropped and logged.
 */
int container_bindings_load(const char *dir, struct container_bindings **ret);
struct container_bindings *container_bindings_free(struct container_bindings *b);

/* The binding of container @id, or NULL. */
const struct container_binding *container_bindings_find(const struct container_bindings *b,
							const char *id);

/* Records a binding, in memory and on disk, taking @root_fd on success. -EEXIST if @id is
 * bound already. */
int container_bindings_add(struct container_bindings *b, const char *id, const char *policy,
			   const char *cgroup, uint64_t cgroup_id, uint32_t runtime_dev,
			   uint64_t runtime_ino, int root_fd);

/* Gives the binding of @id its root back (taking @root_fd); -ENOENT if there is none. */
int container_bindings_set_root(struct container_bindings *b, const char *id, int root_fd);

/* Forgets the binding of @id (memory and disk); -ENOENT if there is none. */
int container_bindings_remove(struct container_bindings *b, const char *id);

/* The id of the cgroup at @path (relative to the cgroup2 mount), or a negative errno. */
int container_cgroup_id(const char *path, uint64_t *ret_id);

/* A container's cgroup as the host names it: absolute, below the root (never "/" itself), no
 * empty, "." or ".." component, no trailing "/". */
bool container_cgroup_path_valid(const char *path);

/* 1 when @ns_fd (an open /proc/PID/ns/cgroup) is the daemon's own cgroup namespace, 0 when it
 * is another (cgroup paths seen there are relative to its root, not the host's), or a negative
 * errno (-EBADF for none). */
int cgroup_namespace_is_ours(int ns_fd);
