/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The decision for files and exec: counters, the walk up a path, selector membership and the
 * filter in front of it. Global functions (verified once each, however many hooks call them)
 * are declared here and defined in lib/decision.bpf.c.
 */

#include "maps.bpf.h"

/*
 * An event is built in its own ring buffer record, reserved before the first field is written,
 * so a program that preempts another on this CPU never shares its memory. The daemon reads the
 * leading struct sa_event only; the rest is the writer's working space: the spill area lets the
 * path writer use a masked offset with a full-length read without the verifier seeing a
 * possible overrun, and the walk leaves the names it found for the writer.
 */
struct sa_event_record {
	struct sa_event ev;
	char spill[SA_PATH_LEN];
	const unsigned char *names[SA_PATH_DEPTH];
	/* Passed from the walk to the writer through memory on purpose: the verifier then sees
	 * one unknown value instead of one exact value per loop exit, and prunes the writer's
	 * states instead of verifying it once per possible depth. */
	__u32 n_names;
	__u32 walk_complete;
	__u32 off; /* the path writer's offset, through memory for the same reason */
};

/* The binary table's entry in @slot for the program in @file (NULL: no selector names it). */
static __always_inline struct sa_binary_value *sa_binary_entry(__u32 slot, struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct sa_binary_key k = {
		.slot = slot,
		.dev = sa_inode_dev(inode),
		.ino = BPF_CORE_READ(inode, i_ino),
	};

	return bpf_map_lookup_elem(&sa_binaries, &k);
}

static __always_inline void sa_count(__u32 counter)
{
	__u64 *v = bpf_map_lookup_elem(&sa_counters, &counter);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* Set by the daemon before load: count decisions per rule (sa_rule_counts). Read-only once
 * loaded, so without metrics the verifier drops the counting altogether. */
extern const volatile __u32 sa_count_rules;
/* Decisions sa_rule_counts had no room for. */
extern __u64 sa_rule_counts_unrecorded;

/* Where a walk starts: the object itself (its exact rules apply first) or, for an object that
 * does not exist yet, the directory it is being created in. */
enum sa_walk_start {
	SA_WALK_OBJECT,
	SA_WALK_NEW, /* a name being created: only rules on its name, then its directory up */
};

struct sa_decision {
	__u32 verdict; /* enum sa_verdict; ALLOW when nothing decided */
	__u32 rule_ref;
	__u32 seq;
	__u32 flags; /* SA_EVENT_*_FAIL_CLOSED */
	int decided;
};

/* Counts a decision by its rule, when the daemon asked for it. Decisions that failed closed
 * have no rule: sa_counters holds them. */
static __always_inline void sa_count_rule(const struct sa_decision *dec, __u32 kind)
{
	struct sa_rule_count_key key;
	__u64 one = 1, *v;

	if (!sa_count_rules || !dec->decided || dec->flags)
		return;
	key.seq = dec->seq;
	key.rule_ref = dec->rule_ref;
	key.kind = kind;
	key.verdict = dec->verdict;
	v = bpf_map_lookup_elem(&sa_rule_counts, &key);
	if (!v && bpf_map_update_elem(&sa_rule_counts, &key, &one, BPF_NOEXIST) == 0)
		return;
	if (!v) /* another CPU made the entry first, or the map is full */
		v = bpf_map_lookup_elem(&sa_rule_counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		__sync_fetch_and_add(&sa_rule_counts_unrecorded, 1);
}

/* sa_walk()'s result, packed into the one scalar a global function may return. */
#define SA_WALK_COMPLETE   (1ULL << 0)
#define SA_WALK_DECIDED	   (1ULL << 1)
#define SA_WALK_VERDICT(r) (((r) >> 2) & 3)
#define SA_WALK_REF(r)	   ((__u32)((r) >> 32))

/* The index of the lowest set bit of @bits (< 256), without branches the verifier must
 * follow: each step compares by unsigned wrap-around. */
static __always_inline __u64 sa_lowest_bit_index(__u64 bits)
{
	__u64 low = bits & (~bits + 1), hi4, hi2, hi1;

	hi4 = (0xfULL - low) >> 63;
	low >>= hi4 << 2;
	hi2 = (0x3ULL - low) >> 63;
	low >>= hi2 << 1;
	hi1 = (0x1ULL - low) >> 63;
	low = hi4 << 2 | hi2 << 1 | hi1;
	/* In asm so that clang keeps the bound the verifier needs for the array index. */
	asm volatile("%0 &= %1" : "+r"(low) : "i"(SA_ACCESS_BITS - 1));
	return low;
}

/* The verdict one level's masks give @access, packed as sa_walk() returns it, or 0. */
static __always_inline __u64 sa_level_verdict(const __u32 *masks, const __u32 *refs, __u64 access)
{
	__u64 d = masks[SA_VERDICT_DENY] & access, a = masks[SA_VERDICT_AUDIT] & access;
	__u64 l = masks[SA_VERDICT_ALLOW] & access, verdict, bits;

	if (!(d | a | l))
		return 0;
	verdict = d ? SA_VERDICT_DENY : a ? SA_VERDICT_AUDIT : SA_VERDICT_ALLOW;
	bits = d ? d : a ? a : l;
	return SA_WALK_COMPLETE | SA_WALK_DECIDED | verdict << 2 |
	       (__u64)refs[sa_lowest_bit_index(bits)] << 32;
}

/* The index of the lowest set bit of @bits (nonzero), by the same unsigned wrap-around steps. */
static __always_inline __u64 sa_lowest_bit64(__u64 bits)
{
	__u64 low = bits & (~bits + 1), idx = 0, step;

	step = (0xffffffffULL - low) >> 63;
	low >>= step << 5;
	idx |= step << 5;
	step = (0xffffULL - low) >> 63;
	low >>= step << 4;
	idx |= step << 4;
	step = (0xffULL - low) >> 63;
	low >>= step << 3;
	idx |= step << 3;
	step = (0xfULL - low) >> 63;
	low >>= step << 2;
	idx |= step << 2;
	step = (0x3ULL - low) >> 63;
	low >>= step << 1;
	idx |= step << 1;
	idx |= (0x1ULL - low) >> 63;
	asm volatile("%0 &= %1" : "+r"(idx) : "i"(SA_MAX_SELECTORS - 1));
	return idx;
}

/*
 * What the postures of the selectors in @member (of slot @slot) give an operation of posture kind
 * @kind that no rule decided: (rule reference << 32) | (verdict + 1), or 0 when every posture
 * allows it. Deny beats audit; among equals the lowest selector names the rule. Global: checked
 * once per program.
 */
__u64 sa_posture(__u64 slot, __u64 kind, __u64 member);

/* The posture kind of a file access: exec for running a program, files for the rest. */
static __always_inline __u32 sa_file_posture_kind(__u32 access)
{
	return access == SA_ACCESS_EXEC ? SA_POSTURE_EXEC : SA_POSTURE_FILES;
}

#define SA_ENTRY_EXACT	1
#define SA_ENTRY_SCOPED 2
#define SA_ENTRY_NAME	4

/* How strong a packed verdict is: 0 when it says nothing, then allow < audit < deny. */
static __always_inline __u64 sa_strength(__u64 w)
{
	return ((w >> 1) & 1) * (SA_WALK_VERDICT(w) + 1);
}

/*
 * The stronger of two packed verdicts (@a on a tie). Without branches on purpose: a branch on
 * a value the verifier knows (the first `best` is 0) makes it track that value exactly, and
 * the selector loop then no longer prunes: every combination of outcomes gets verified.
 */
static __always_inline __u64 sa_stronger(__u64 a, __u64 b)
{
	__u64 b_wins = (sa_strength(a) - sa_strength(b)) >> 63;

	return a ^ ((a ^ b) & (0 - b_wins));
}

/* struct cgroup before and after 6.0 replaced the ids of the ancestors with pointers to them. */
struct cgroup___v5 {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

struct cgroup___v6 {
	int level;
	struct cgroup *ancestors[];
} __attribute__((preserve_access_index));

/*
 * The selectors the current process matches in @slot, as a mask (bit 0, every process, always);
 * with SA_MEMBER_EXEC, for an exec it makes. A global function, like the ones below: checked
 * once per program. Bounded by SA_CGROUP_DEPTH cgroup levels and SA_MAX_UID_RANGES ranges,
 * never by the number of rules.
 */
#define SA_MEMBER_EXEC (1u << 8)
__u64 sa_membership(__u64 slot);

static __always_inline __u64 sa_member_flags(__u32 access)
{
	return access == SA_ACCESS_EXEC ? SA_MEMBER_EXEC : 0;
}

/* The rules of one selector on the object at dentry @d_addr: by its inode, or with
 * SA_ENTRY_NAME by its name in its directory. The packed verdict for @access (exact rules
 * with SA_ENTRY_EXACT), 0 when there are none; with SA_ENTRY_SCOPED the `scoped` mask. */
__u64 sa_entry(__u64 slot_selector, __u64 d_addr, __u64 access, __u64 flags);

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
__u64 sa_level(__u64 slot, __u64 d_addr, __u64 how, __u64 access, __u64 member);

/* sa_walk()'s first argument: the slot, where to start, whether the set has subtree rules and
 * the access, in one scalar (a global function takes at most five). */
#define SA_HOW(slot, start, tree, access)                                                          \
	((slot) | (__u64)(start) << 1 | (__u64) !!(tree) << 2 | (__u64)(access) << 8)

/*
 * One walk from dentry @d_addr (in mount @mnt_addr, or 0 when the hook has no mount: then only
 * the file system's own tree is walked) towards the root, asking each level's rules; the first
 * level that has a verdict decides. Returns SA_WALK_COMPLETE when the root was reached without
 * a verdict, and 0 when SA_TREE_DEPTH steps did not reach it. Global for the same reason as
 * sa_level(): checked once per program, not once per retry and call site.
 */
__u64 sa_walk(__u64 how, __u64 d_addr, __u64 mnt_addr, __u64 member);

/* The verifier does not let a typed kernel pointer into a global function: pass its value. */
static __always_inline __u64 sa_addr(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/*
 * A mount that no namespace holds (the kernel's MNT_NS_INTERNAL, ERR_PTR(-EINVAL)): one that a
 * stacking file system (overlayfs) opens its layers' files through, on behalf of an operation
 * on its own file that the hooks decided already. Rules hold there too; postures do not: the
 * operation was the overlay file's, and a profile names that one.
 */
static __always_inline int sa_mount_internal(struct mount *mnt)
{
	return (long)BPF_CORE_READ(mnt, mnt_ns) == -22;
}

/*
 * Decide @access to the object at @d by the active policy set. The set is switched by bumping
 * sa_state.seq after the new slot is complete; the old slot is emptied only after the switch.
 * Reading seq before and after the walk (a seqlock) guarantees the decision came wholly from
 * one set: if seq moved, decide again. A decision that cannot complete fails closed: after
 * SA_DECIDE_RETRIES switches in a row, or a walk deeper than SA_TREE_DEPTH while the set denies
 * some subtree.
 */
static __always_inline void sa_decide(struct dentry *d, struct mount *mnt, enum sa_walk_start start,
				      __u32 access, struct sa_decision *dec)
{
	__u32 zero = 0;

	for (int i = 0; i < SA_DECIDE_RETRIES; i++) {
		struct sa_state *st = bpf_map_lookup_elem(&sa_state, &zero);
		__u32 seq, slot, slot_flags;
		__u64 w, member;
		int complete;

		if (!st)
			break;
		seq = READ_ONCE_U32(st->seq);
		barrier();
		slot = seq % SA_SLOTS;
		slot_flags = READ_ONCE_U32(st->slot_flags[slot]);
		*dec = (struct sa_decision){ .verdict = SA_VERDICT_ALLOW, .seq = seq };
		member = sa_membership(slot | sa_member_flags(access));
		w = sa_walk(SA_HOW(slot, start, slot_flags & SA_SLOT_HAS_TREE, access), (__u64)d,
			    (__u64)mnt, member);
		complete = w & SA_WALK_COMPLETE;
		if (w & SA_WALK_DECIDED) {
			dec->decided = 1;
			dec->verdict = SA_WALK_VERDICT(w);
			dec->rule_ref = SA_WALK_REF(w);
		} else if ((slot_flags & SA_SLOT_HAS_POSTURE) && !sa_mount_internal(mnt)) {
			/* No rule decided (or the walk could not finish): the postures do. */
			__u64 p = sa_posture(slot, sa_file_posture_kind(access), member);

			if (p) {
				dec->decided = 1;
				dec->verdict = (p & 3) - 1;
				dec->rule_ref = p >> 32;
			}
		}
		barrier();
		if (READ_ONCE_U32(st->seq) != seq)
			continue;
		if (!complete && (slot_flags & SA_SLOT_HAS_TREE_DENY)) {
			dec->verdict = SA_VERDICT_DENY;
			dec->flags = SA_EVENT_DEPTH_FAIL_CLOSED;
			dec->decided = 1;
			sa_count(SA_COUNTER_FAIL_CLOSED);
		}
		return;
	}
	*dec = (struct sa_decision){ .verdict = SA_VERDICT_DENY,
				     .flags = SA_EVENT_RACE_FAIL_CLOSED,
				     .decided = 1 };
	sa_count(SA_COUNTER_FAIL_CLOSED);
}

/*
 * The filter's fast path: most files have no entry, and finding that out by the lookups above
 * costs a dozen probe reads and hash lookups per open. sa_file_unruled() asks the slot's filter
 * instead, reading the hook's own pointers directly.
 */
#define SA_FAST_DEPTH 32 /* levels the fast path climbs before it leaves the answer to the walk */

/* The struct mount around a vfsmount read with BPF_CORE_READ (a plain value, not one the
 * verifier lets a program dereference). */
static __always_inline struct mount *sa_real_mount(struct vfsmount *vfsmnt)
{
	return (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
}

static __always_inline __u64 sa_filter_has(const struct sa_file_filter *f, __u64 h)
{
	__u64 b0 = SA_FILTER_BIT0(h), b1 = SA_FILTER_BIT1(h);

	return (f->words[(b0 >> 6) & (SA_FILTER_WORDS - 1)] >> (b0 & 63)) &
	       (f->words[(b1 >> 6) & (SA_FILTER_WORDS - 1)] >> (b1 & 63)) & 1;
}

/*
 * The directories above the file system root reached in mount @mnt_addr, across mounts up to
 * the root of the namespace, each by (@dev of its file system, inode): 1 when every one misses
 * slot @slot's filter. With probe reads, like sa_walk(), whose steps it repeats; global, so it
 * is checked once per program.
 */
int sa_filter_walk_mounts(__u64 slot, __u64 mnt_addr);

/* struct dentry before 6.14 kept a short name in d_iname; since then in d_shortname. */
struct dentry___iname {
	unsigned char d_iname[32] __attribute__((aligned(8))); /* it follows a pointer */
} __attribute__((preserve_access_index));

/*
 * The first 16 bytes of the name of @d (whose length is @len) into @head, zero past its end; 0,
 * or nonzero when the name cannot be read. A name kept inside the dentry (any name shorter than
 * 32 bytes) is read directly, others with a probe read: a helper call costs about as much as
 * the rest of the fast path.
 */
static __always_inline int sa_name_head(struct dentry *d, __u32 len, __u64 head[2])
{
	const unsigned char *name = d->d_name.name;

	if (bpf_core_field_exists(d->d_shortname)) {
		if ((void *)name == (void *)d->d_shortname.string) {
			head[0] = d->d_shortname.words[0];
			head[1] = d->d_shortname.words[1];
		} else if (bpf_probe_read_kernel(head, 2 * sizeof(__u64), name) < 0) {
			return -1;
		}
	} else {
		struct dentry___iname *old = (void *)d;

		if ((void *)name == (void *)old->d_iname) {
			head[0] = *(__u64 *)&old->d_iname[0];
			head[1] = *(__u64 *)&old->d_iname[8];
		} else if (bpf_probe_read_kernel(head, 2 * sizeof(__u64), name) < 0) {
			return -1;
		}
	}
	if (len < 8) {
		head[0] &= (1ULL << (len * 8)) - 1;
		head[1] = 0;
	} else if (len < 16) {
		head[1] &= (1ULL << ((len - 8) * 8)) - 1;
	}
	return 0;
}

/*
 * Whether no file entry of the active slot can apply to @d, the dentry of @file:
 * the filter has a clear bit for its inode, for its name in its directory, and (when the slot
 * has subtree rules) for every directory up to the root; and no posture denies or audits
 * @access for the process. Nothing can then decide, and the full decision would allow. Any doubt
 * answers 0 and the full decision runs: a bit set, a policy switch meanwhile, an unreadable name, a
 * walk longer than SA_FAST_DEPTH steps.
 */
static __always_inline int sa_file_unruled(struct dentry *d, struct file *file, __u32 access)
{
	struct sa_state *st;
	const struct sa_file_filter *f;
	struct inode *inode = d->d_inode;
	struct dentry *dir = d->d_parent;
	__u32 zero = 0, seq, slot, flags, len = d->d_name.len;
	/* The file system of the file, its directory and every directory up to its root (the
	 * inode's i_sb, which the lookups read, is the dentry's d_sb). */
	__u32 dev = d->d_sb->s_dev;
	__u64 head[2] = {};

	st = bpf_map_lookup_elem(&sa_state, &zero);
	/* btrfs keys differ per subvolume (sa_inode_dev): the full decision reads each one. */
	if (!st || !inode || d->d_sb->s_magic == BTRFS_SUPER_MAGIC)
		return 0;
	seq = READ_ONCE_U32(st->seq);
	barrier();
	slot = seq % SA_SLOTS;
	flags = READ_ONCE_U32(st->slot_flags[slot]);
	f = bpf_map_lookup_elem(&sa_file_filter, &slot);
	if (!f)
		return 0;
	if (sa_filter_has(f, sa_filter_inode_hash(dev, inode->i_ino)))
		return 0;
	/* Its name, as sa_entry() would look it up (longer names have no name entries), if its
	 * directory has name entries at all. */
	if (len < SA_NAME_LEN) {
		struct inode *di = dir->d_inode;

		if (!di)
			return 0;
		if (!sa_filter_has(f, sa_filter_names_dir_hash(dev, di->i_ino)))
			goto names_done;
		if (sa_name_head(d, len, head))
			return 0;
		if (sa_filter_has(f, sa_filter_name_hash(dev, di->i_ino, len, head[0], head[1])))
			return 0;
	}
names_done:
	if (flags & SA_SLOT_HAS_TREE) {
		/* The directories up to the file system's root, then those above its mounts. */
		int i;

		for (i = 0; i < SA_FAST_DEPTH; i++) {
			struct inode *ii = dir->d_inode;
			struct dentry *parent = dir->d_parent;

			if (!ii || sa_filter_has(f, sa_filter_inode_hash(dev, ii->i_ino)))
				return 0;
			if (parent == dir)
				break;
			dir = parent;
		}
		if (i == SA_FAST_DEPTH ||
		    !sa_filter_walk_mounts(slot,
					   (__u64)sa_real_mount(BPF_CORE_READ(file, f_path.mnt))))
			return 0;
	}
	/* A posture that may bind the process decides what no rule does: the full decision. Only
	 * policies with a selector have one, never the host's selector 0. */
	if (flags & SA_SLOT_HAS_POSTURE) {
		__u64 member = sa_membership(slot | sa_member_flags(access));

		/* The mount last: most processes have no posture, and need not read it. */
		if (member != 1 && sa_posture(slot, sa_file_posture_kind(access), member) &&
		    !sa_mount_internal(sa_real_mount(file->f_path.mnt)))
			return 0;
	}
	barrier();
	return READ_ONCE_U32(st->seq) == seq;
}
