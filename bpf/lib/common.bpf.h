/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Maps and decision logic the hooks share. Kept apart from the hooks so a test-only program can
 * exercise the decisions; the hooks themselves only gather facts and act on the verdict.
 */

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "secagent.h"
#include <linux/magic.h>

#ifndef EPERM
#define EPERM 1
#endif

#define READ_ONCE_U32(x) (*(volatile __u32 *)&(x))
#define READ_ONCE_U64(x) (*(volatile __u64 *)&(x))
#define barrier()	 asm volatile("" ::: "memory")

/*
 * A file's identity for every hook and for the compiler's probe: (sa_inode_dev(), i_ino). The
 * device is the superblock's, except on btrfs: inode numbers there are per subvolume, and each
 * subvolume or snapshot has its own anonymous device (the st_dev stat(2) reports), read from
 * btrfs' inode through the module's BTF. Without that BTF (Linux 5.10, or btrfs loaded after
 * the daemon started) the identity is not exact and the probe says so.
 */
struct btrfs_root___sa {
	dev_t anon_dev;
} __attribute__((preserve_access_index));

struct btrfs_inode___sa {
	struct btrfs_root___sa *root;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

static __always_inline bool sa_is_btrfs(const struct super_block *sb)
{
	return BPF_CORE_READ(sb, s_magic) == BTRFS_SUPER_MAGIC;
}

static __always_inline __u32 sa_inode_dev(const struct inode *inode)
{
	const struct super_block *sb = BPF_CORE_READ(inode, i_sb);

	if (bpf_core_type_exists(struct btrfs_inode___sa) && sa_is_btrfs(sb)) {
		const struct btrfs_inode___sa *bi =
			(const void *)inode -
			bpf_core_field_offset(struct btrfs_inode___sa, vfs_inode);

		return BPF_CORE_READ(bi, root, anon_dev);
	}
	return BPF_CORE_READ(sb, s_dev);
}

static __always_inline __u32 sa_identity_flags(const struct inode *inode)
{
	if (sa_is_btrfs(BPF_CORE_READ(inode, i_sb)) &&
	    !bpf_core_type_exists(struct btrfs_inode___sa))
		return 0;
	return SA_IDENTITY_EXACT;
}

/* Set by the daemon before load; a larger set of rules needs a larger map (two slots each). */
