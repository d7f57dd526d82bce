/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A file's identity: the (device, inode) key the BPF hooks compute for it (sa_inode_dev() in
 * bpf/lib/common.bpf.h), and whether that key is one secagent can enforce on its file system.
 * The daemon asks the loaded programs themselves (the identity probe); where no programs are
 * loaded (`policy validate`, the unit tests) stat(2) answers, which agrees with the hooks on
 * every file system listed in file_identity_unsupported().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct file_identity {
	uint32_t dev; /* kernel dev_t encoding */
	uint64_t ino;
	uint64_t fs_magic; /* statfs(2) f_type */
	/* NULL, or why the hooks cannot tell this file from others on its file system: "without
	 * the btrfs module's BTF ...", "with layers on different file systems and xino off ..." */
	const char *inexact;
};

/*
 * Resolves @path (relative to @dirfd, fstatat(2) @at_flags) to its identity and its stat. 0, or
 * a negative errno from the lookup.
 */
typedef int (*file_identify_fn)(void *userdata, int dirfd, const char *path, int at_flags,
				struct stat *ret_st, struct file_identity *ret_id);

struct file_identity_source {
	file_identify_fn identify;
	void *userdata;
};

/* Why a btrfs file's key is not exact: the probe's answer without the module's BTF. */
extern const char file_identity_btrfs_without_btf[];

/* stat(2) and statfs(2): what user space sees. */
extern const struct file_identity_source file_identity_stat;

/*
 * An overlayfs whose layers lie on different file systems, mounted without xino, gives its
 * directories inode numbers that change when they are evicted from memory, and files of
 * different layers can share one (Documentation/filesystems/overlayfs.rst, "Inode properties").
 * stat(2) tells: a non-directory there reports its layer's own device, not the overlay's (the
 * key's, from the probe). Sets @id->inexact for such an overlay, given the file or directory
 * open at @fd and its identity; a directory is judged by a file found below or above it.
 */
void file_identity_check_overlay(int fd, struct file_identity *id);

/* The kernel's dev_t from a user-space st_dev: the kernel keeps major << 20 | minor. */
uint32_t kernel_dev_from_stat(uint64_t st_dev);

/*
 * NULL when rules for this file are enforced. Otherwise why not, for "... on <why>, which
 * secagent cannot enforce": the file system's name (a file system not in the supported list),
 * or what is missing for it.
 */
const char *file_identity_unsupported(const struct file_identity *id, char *buf, size_t size);
