// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "map-keys.h"
#include "policy.h" /* cgroup_path_levels() */
#include "selector-maps.h"
#include "util.h"

/* Deletes every key of a hash map whose first 32 bits are @slot. */
static int clear_keys_of_slot(int fd, size_t key_size, uint32_t slot)
{
	return map_clear_slot(fd, key_size, 0, sizeof(uint32_t), slot);
}

static int clear_path_bits(int fd, uint32_t slot)
{
	_cleanup_free_ struct sa_cgroup_path_key *keys = NULL;
	size_t n = 0;
	int r;

	r = map_keys_collect(fd, sizeof(*keys), NULL, NULL, (void **)&keys, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct sa_cgroup_path_value v;

		if (bpf_map_lookup_elem(fd, &keys[i], &v) < 0)
			continue;
		v.selectors[slot] = 0;
		if (v.selectors[0] == 0 && v.selectors[1] == 0) {
			if (bpf_map_delete_elem(fd, &keys[i]) < 0 && errno != ENOENT)
				return -errno;
		} else if (bpf_map_update_elem(fd, &keys[i], &v, BPF_EXIST) < 0)
			return -errno;
	}
	return 0;
}

int selector_maps_clear_slot(const struct selector_map_fds *fds, uint32_t slot)
{
	struct sa_selector_table empty = { .version = SA_LAYOUT_VERSION };
	int r;

	if (bpf_map_update_elem(fds->table, &slot, &empty, BPF_ANY) < 0)
		return -errno;
	r = clear_path_bits(fds->cgroup_paths, slot);
	if (r == 0)
		r = clear_keys_of_slot(fds->cgroups, sizeof(struct sa_cgroup_key), slot);
	if (r == 0)
		r = clear_keys_of_slot(fds->binaries, sizeof(struct sa_binary_key), slot);
	return r;
}

static int bind_cgroup(const struct selector_map_fds *fds, const struct compiled_cgroup *cg,
		       uint32_t slot)
{
	struct sa_cgroup_path_key pkey = {};
	struct sa_cgroup_path_value pv = {};
	_cleanup_free_ char *dir = NULL;
	struct stat st;

	if (strlen(cg->path) >= sizeof(pkey.path))
		return -ENAMETOOLONG;
	strcpy(pkey.path, cg->path);
	(void)bpf_map_lookup_elem(fds->cgroup_paths, &pkey, &pv);
	pv.selectors[slot] = cg->selectors;
	if (bpf_map_update_elem(fds->cgroup_paths, &pkey, &pv, BPF_ANY) < 0)
		return -errno;

	/* Now the ones that exist already; one that does not exists yet binds when created. */
	if (asprintf(&dir, "%s%s", COMPILED_CGROUP_ROOT, cg->path) < 0)
		return -ENOMEM;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		struct sa_cgroup_key key = { .slot = slot, .cgroup_id = st.st_ino };
		uint64_t mask = cg->selectors;

		if (bpf_map_update_elem(fds->cgroups, &key, &mask, BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

int selector_maps_update_bound(const struct selector_map_fds *fds, uint32_t slot,
			       uint64_t cgroup_id, uint64_t set, uint64_t clear)
{
	struct sa_cgroup_key key = { .slot = slot, .cgroup_id = cgroup_id };
	uint64_t mask = 0;

	(void)bpf_map_lookup_elem(fds->cgroups, &key, &mask);
	mask = (mask | set) & ~clear;
	if (mask == 0) {
		if (bpf_map_delete_elem(fds->cgroups, &key) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	if (bpf_map_update_elem(fds->cgroups, &key, &mask, BPF_ANY) < 0)
		return -errno;
	return 0;
}

/* The inode of the initial cgroup namespace (the kernel's proc_ns.h; not in its UAPI). */
#define PROC_CGROUP_INIT_INO 0xEFFFFFFBU

/* Whether this process sees the whole cgroup2 hierarchy: only then are the levels of the paths
 * it names the kernel's. */
static bool in_initial_cgroup_namespace(void)
{
	struct stat st;

	return stat("/proc/self/ns/cgroup", &st) == 0 && st.st_ino == PROC_CGROUP_INIT_INO;
}

/* The table as the hooks read it: which levels hold a selector's cgroup, whether any selector
 * names a program. */
static struct sa_selector_table hook_table(const struct compiled_selectors *sel)
{
	struct sa_selector_table t = sel->table;
	bool levels_known = in_initial_cgroup_namespace();

	for (size_t i = 0; i < sel->n_cgroups; i++)
		t.cgroup_levels |=
			1ULL << (cgroup_path_levels(sel->cgroups[i].path) & (SA_CGROUP_DEPTH - 1));
	for (size_t i = 0; i < sel->n_bound; i++)
		t.cgroup_levels |= 1ULL << (sel->bound[i].level & (SA_CGROUP_DEPTH - 1));
	/* Elsewhere every level is looked at, as if each held one. */
	if (t.cgroup_levels && !levels_known)
		t.cgroup_levels = (1ULL << SA_CGROUP_DEPTH) - 1;
	t.has_binaries = sel->n_binaries > 0;
	return t;
}

int selector_maps_install(const struct selector_map_fds *fds, const struct compiled_selectors *sel,
			  uint32_t slot)
{
	struct sa_selector_table table = hook_table(sel);
	int r;

	for (size_t i = 0; i < sel->n_cgroups; i++) {
		r = bind_cgroup(fds, &sel->cgroups[i], slot);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < sel->n_bound; i++) {
		r = selector_maps_update_bound(fds, slot, sel->bound[i].cgroup_id,
					       sel->bound[i].selectors, 0);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < sel->n_binaries; i++) {
		struct sa_binary_key key = {
			.slot = slot,
			.dev = sel->binaries[i].dev,
			.ino = sel->binaries[i].ino,
		};

		if (bpf_map_update_elem(fds->binaries, &key, &sel->binaries[i].value, BPF_ANY) < 0)
			return -errno;
	}
	/* The table last: until it says a selector is in use, no hook looks at the rest. */
	if (bpf_map_update_elem(fds->table, &slot, &table, BPF_ANY) < 0)
		return -errno;
	return 0;
}
