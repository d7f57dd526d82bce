// SPDX-License-Identifier: GPL-2.0-or-later
/* The global functions of lib/decision.bpf.h: verified once each, whichever hooks call them. */

#include "decision.bpf.h"

const volatile __u32 sa_count_rules = 0;
__u64 sa_rule_counts_unrecorded = 0;

/* The id of the current process's ancestor @l levels below the root, 0 when the process is
 * above that level. Since 6.0 a helper reads it (it is not allowed to LSM programs on 5.10,
 * whose cgroups keep an array of ancestor ids instead). Not inlined: the compiler would hoist
 * the 5.10 field's relocation out of the loop, where 6.x kernels reach it. */
static __attribute__((noinline)) __u64 sa_ancestor_v5(__u64 task, __u64 l)
{
	struct cgroup *c = BPF_CORE_READ((struct task_struct *)task, cgroups, dfl_cgrp);
	__u64 id = 0;

	if ((int)l > BPF_CORE_READ(c, level))
		return 0;
	bpf_core_read(&id, sizeof(id),
		      &((struct cgroup___v5 *)c)->ancestor_ids[l & (SA_CGROUP_DEPTH - 1)]);
	return id;
}

/* The selectors of the cgroups among the current process's ancestors at @levels (bit L: L
 * levels below the root), in @slot. Ascending: the first level below the process ends it. */
static __always_inline __u64 sa_cgroup_selectors(__u32 slot, __u64 levels, __u64 task)
{
	__u64 cg = 0;

	for (int i = 0; i < SA_CGROUP_DEPTH && levels; i++) {
		struct sa_cgroup_key k = { .slot = slot };
		int l = (int)sa_lowest_bit64(levels) & (SA_CGROUP_DEPTH - 1);
		__u64 *m;

		levels &= levels - 1;
		if (bpf_core_field_exists(((struct cgroup___v6 *)0)->ancestors))
			k.cgroup_id = bpf_get_current_ancestor_cgroup_id(l);
		else
			k.cgroup_id = sa_ancestor_v5(task, l);
		if (!k.cgroup_id)
			break;
		m = bpf_map_lookup_elem(&sa_cgroups, &k);
		if (m)
			cg |= *m;
	}
	return cg;
}

/*
 * The selectors the current process matches in @slot, as a mask (bit 0, every process, always).
 * A global function, like the ones below: checked once per program. Bounded by
 * SA_CGROUP_DEPTH cgroup levels and SA_MAX_UID_RANGES ranges, never by the number of rules.
 */
__attribute__((noinline)) __u64 sa_membership(__u64 slot)
{
	__u32 idx = (__u32)slot & (SA_SLOTS - 1);
	struct sa_selector_table *t = bpf_map_lookup_elem(&sa_selectors, &idx);
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 cg, bin, uid, excluded = 0;
	struct file *exe;
	__u32 cur_uid, n;

	if (!t || !t->in_use)
		return 1;
	/* Only the levels where selectors' cgroups are (each at most SA_CGROUP_DEPTH - 1 deep, the
	 * daemon checks), however deep below them the process runs. */
	cg = t->any_cgroup;
	if (t->cgroup_levels)
		cg |= sa_cgroup_selectors(idx, t->cgroup_levels, (__u64)task);
	/* No selector but the host's can match: the rest cannot add one. */
	if (!(cg & ~1ULL))
		return 1;

	bin = t->any_binary;
	exe = t->has_binaries ? BPF_CORE_READ(task, mm, exe_file) : NULL;
	if (exe) {
		struct sa_binary_value *v = sa_binary_entry(idx, exe);

		if (v) {
			bin |= v->selectors;
			excluded = v->excluded;
			if (!(slot & SA_MEMBER_EXEC)) {
				excluded |= v->until_exec;
				if (v->until_exec_from_init &&
				    bpf_map_lookup_elem(&sa_init_children, &(__u64){ (__u64)task }))
					excluded |= v->until_exec_from_init;
			}
		}
	}

	uid = t->any_uid;
	cur_uid = (__u32)bpf_get_current_uid_gid();
	n = t->n_uid_ranges;
	for (int i = 0; i < SA_MAX_UID_RANGES; i++) {
		if (i >= n)
			break;
		if (cur_uid >= t->uid_ranges[i].lo && cur_uid <= t->uid_ranges[i].hi)
			uid |= t->uid_ranges[i].selectors;
	}
	return (cg & bin & uid & ~excluded) | 1;
}

__attribute__((noinline)) __u64 sa_posture(__u64 slot, __u64 kind, __u64 member)
{
	__u32 idx = (__u32)slot & (SA_SLOTS - 1);
	struct sa_selector_table *t = bpf_map_lookup_elem(&sa_selectors, &idx);
	__u64 deny, audit, bits;
	__u32 k = (__u32)kind & (SA_POSTURE_SLOTS - 1);

	if (!t)
		return 0;
	deny = t->posture_deny[k] & member;
	audit = t->posture_audit[k] & member;
	if (!(deny | audit))
		return 0;
	bits = deny ? deny : audit;
	return (__u64)SA_RULE_REF((__u32)t->selector_policy[sa_lowest_bit64(bits)],
				  SA_POSTURE_INDEX(k))
		       << 32 |
	       (deny ? SA_VERDICT_DENY + 1 : SA_VERDICT_AUDIT + 1);
}

/* The rules of one selector on the object at dentry @d_addr: by its inode, or with
 * SA_ENTRY_NAME by its name in its directory. The packed verdict for @access (exact rules
 * with SA_ENTRY_EXACT), 0 when there are none; with SA_ENTRY_SCOPED the `scoped` mask. */
__attribute__((noinline)) __u64 sa_entry(__u64 slot_selector, __u64 d_addr, __u64 access,
					 __u64 flags)
{
	struct dentry *d = (struct dentry *)d_addr;
	struct sa_file_rule *r;

	if (flags & SA_ENTRY_NAME) {
		struct dentry *dir = BPF_CORE_READ(d, d_parent);
		struct sa_name_key key = {
			.slot = (__u16)(slot_selector & 1),
			.selector = (__u16)(slot_selector >> 1),
			.dev = sa_inode_dev(BPF_CORE_READ(dir, d_inode)),
			.ino = BPF_CORE_READ(dir, d_inode, i_ino),
		};

		if (BPF_CORE_READ(d, d_name.len) >= SA_NAME_LEN)
			return 0;
		if (bpf_probe_read_kernel_str(key.name, sizeof(key.name),
					      BPF_CORE_READ(d, d_name.name)) < 0)
			return 0;
		r = bpf_map_lookup_elem(&sa_name_rules, &key);
	} else {
		struct sa_file_key key = {
			.slot = (__u16)(slot_selector & 1),
			.selector = (__u16)(slot_selector >> 1),
			.dev = sa_inode_dev(BPF_CORE_READ(d, d_inode)),
			.ino = BPF_CORE_READ(d, d_inode, i_ino),
		};

		r = bpf_map_lookup_elem(&sa_file_rules, &key);
	}
	if (!r)
		return 0;
	if (flags & SA_ENTRY_SCOPED)
		return r->scoped;
	if (flags & SA_ENTRY_EXACT)
		return sa_level_verdict(r->exact, r->exact_rule, access);
	return sa_level_verdict(r->tree, r->tree_rule, access);
}

/*
 * What the rules on dentry @d_addr say about @access for a process matching the selectors in
 * @member (@how: SA_ENTRY_EXACT for its own rules, otherwise those for the subtree below it;
 * SA_ENTRY_NAME for the rules on its name). Packed as sa_walk() returns it; 0 when they say
 * nothing. Across selectors, the strongest verdict wins.
 *
 * Global functions, so the verifier checks the lookups once per program instead of once per
 * step of every walk (the walk's 256 steps then cost a few instructions each); hence scalar
 * arguments, with every pointer read by BPF_CORE_READ. The selector loop learns nothing from
 * sa_entry() but an unknown value, so its iterations prune instead of multiplying.
 */
__attribute__((noinline)) __u64 sa_level(__u64 slot, __u64 d_addr, __u64 how, __u64 access,
					 __u64 member)
{
	__u64 best, extra;

	how &= SA_ENTRY_EXACT | SA_ENTRY_NAME;
	best = sa_entry(slot, d_addr, access, how);
	extra = member & ~1ULL;
	if (extra)
		extra &= sa_entry(slot, d_addr, access, how | SA_ENTRY_SCOPED);
	for (int i = 1; i < SA_MAX_SELECTORS; i++) {
		if (!(extra >> i))
			break;
		if (!((extra >> i) & 1))
			continue;
		best = sa_stronger(best, sa_entry(slot | (__u64)i << 1, d_addr, access, how));
	}
	return best;
}

/*
 * One walk from dentry @d_addr (in mount @mnt_addr, or 0 when the hook has no mount: then only
 * the file system's own tree is walked) towards the root, asking each level's rules; the first
 * level that has a verdict decides. Returns SA_WALK_COMPLETE when the root was reached without
 * a verdict, and 0 when SA_TREE_DEPTH steps did not reach it. Global for the same reason as
 * sa_level(): checked once per program, not once per retry and call site.
 */
__attribute__((noinline)) __u64 sa_walk(__u64 how, __u64 d_addr, __u64 mnt_addr, __u64 member)
{
	struct dentry *d = (struct dentry *)d_addr;
	struct mount *mnt = (struct mount *)mnt_addr;
	__u64 slot = how & 1, start = (how >> 1) & 1, access = (how >> 8) & SA_ACCESS_ALL;
	__u64 w;

	/* The object's own rules first, by inode (unless it does not exist yet) and by name;
	 * from there on, the subtree rules of each directory. */
	w = sa_level(slot, (__u64)d, SA_ENTRY_EXACT | SA_ENTRY_NAME, access, member);
	if (start == SA_WALK_OBJECT)
		w = sa_stronger(w, sa_level(slot, (__u64)d, SA_ENTRY_EXACT, access, member));
	if (w)
		return w;
	/* Without subtree rules in the set no directory above can have a say. */
	if (!(how & 4))
		return SA_WALK_COMPLETE;
	d = BPF_CORE_READ(d, d_parent);
	for (int i = 0; i < SA_TREE_DEPTH; i++) {
		struct dentry *parent;

		w = sa_level(slot, (__u64)d, 0, access, member);
		if (w)
			return w;
		parent = BPF_CORE_READ(d, d_parent);
		if (d == parent) {
			/* The root of this file system: continue at its mount point, if any. */
			struct mount *up = mnt ? BPF_CORE_READ(mnt, mnt_parent) : NULL;

			if (!mnt || up == mnt)
				return SA_WALK_COMPLETE;
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		d = parent;
	}
	return 0;
}

/*
 * The directories above the file system root reached in mount @mnt_addr, across mounts up to
 * the root of the namespace, each by (@dev of its file system, inode): 1 when every one misses
 * slot @slot's filter. With probe reads, like sa_walk(), whose steps it repeats; global, so it
 * is checked once per program.
 */
__attribute__((noinline)) int sa_filter_walk_mounts(__u64 slot, __u64 mnt_addr)
{
	struct mount *mnt = (struct mount *)mnt_addr;
	__u32 idx = (__u32)slot & (SA_SLOTS - 1);
	const struct sa_file_filter *f = bpf_map_lookup_elem(&sa_file_filter, &idx);
	struct dentry *d = NULL;
	__u32 dev = 0;

	if (!f || !mnt)
		return 0;
	for (int i = 0; i < SA_FAST_DEPTH; i++) {
		struct dentry *parent;

		if (d) {
			if (sa_filter_has(f, sa_filter_inode_hash(dev, BPF_CORE_READ(d, d_inode,
										     i_ino))))
				return 0;
			parent = BPF_CORE_READ(d, d_parent);
			if (d != parent) {
				d = parent;
				continue;
			}
		}
		/* A file system root: on to the mount point below it, unless it is the top. */
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt)
			return 1;
		d = BPF_CORE_READ(mnt, mnt_mountpoint);
		mnt = up;
		/* btrfs keys differ per subvolume (sa_inode_dev): no fast answer there. */
		if (sa_is_btrfs(BPF_CORE_READ(d, d_sb)))
			return 0;
		dev = BPF_CORE_READ(d, d_inode, i_sb, s_dev);
	}
	return 0;
}
