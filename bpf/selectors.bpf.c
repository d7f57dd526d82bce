// SPDX-License-Identifier: GPL-2.0-or-later
/* Selectors: binding the cgroups a policy names as they are created. */

#include "lib/maps.bpf.h"

static __always_inline int sa_same_cgroup_path(const char *a, const char *b)
{
	for (int i = 0; i < SA_CGROUP_PATH_LEN; i++) {
		if (a[i] != b[i])
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

/*
 * A cgroup named by a selector may be created after the policy was applied (a unit starts or
 * restarts, and gets a new cgroup with a new id). Bind it here, as it is created and before any
 * process can be moved into it, so there is no moment it runs unbound.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(sa_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct sa_cgroup_path_key key = {};
	struct sa_cgroup_path_value *v;
	__u64 id;

	/* Only the unified (cgroup2) hierarchy, whose hierarchy id is 0. */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	if (bpf_probe_read_kernel_str(key.path, sizeof(key.path), path) < 0)
		return 0;
	v = bpf_map_lookup_elem(&sa_cgroup_paths, &key);
	if (!v)
		return 0;
	id = BPF_CORE_READ(cgrp, kn, id);
	/* The recording's cgroup, made anew (its selector names its path too). */
	if (sa_record_cgroup_id && sa_same_cgroup_path(key.path, sa_record_cgroup_path))
		sa_record_cgroup_id = id;
	for (__u32 slot = 0; slot < SA_SLOTS; slot++) {
		struct sa_cgroup_key k = { .slot = slot, .cgroup_id = id };
		__u64 mask = v->selectors[slot];

		if (mask)
			bpf_map_update_elem(&sa_cgroups, &k, &mask, BPF_ANY);
	}
	return 0;
}
