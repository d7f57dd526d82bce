// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "file-identity.h"
#include "util.h"

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

const char file_identity_btrfs_without_btf[] =
	"without the btrfs module's BTF (Linux 5.11 or later built with "
	"CONFIG_DEBUG_INFO_BTF_MODULES, and btrfs loaded before secagentd starts)";

uint32_t kernel_dev_from_stat(uint64_t st_dev)
{
	return (uint32_t)(major(st_dev) << 20 | minor(st_dev));
}

static int identify_by_stat(void *userdata, int dirfd, const char *path, int at_flags,
			    struct stat *ret_st, struct file_identity *ret_id)
{
	_cleanup_close_ int fd = -EBADF;
	struct statfs sfs;

	(void)userdata;
	/* One object for both answers: O_PATH opens nothing (a FIFO or a device stays shut). */
	if ((at_flags & AT_EMPTY_PATH) && !*path)
		fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	else
		fd = openat(dirfd, path,
			    O_PATH | O_CLOEXEC | (at_flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -errno;
	if (fstat(fd, ret_st) < 0 || fstatfs(fd, &sfs) < 0)
		return -errno;
	*ret_id = (struct file_identity){
		.dev = kernel_dev_from_stat(ret_st->st_dev),
		.ino = ret_st->st_ino,
		.fs_magic = (uint64_t)sfs.f_type,
	};
	return 0;
}

/* A non-directory in the directory open at @dirfd, and whether its device is @dev: 1 yes, 0 no,
 * -ENOENT when the directory has none. */
static int sample_has_dev(int dirfd, dev_t dev)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	int fd = dup(dirfd);

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (de->d_type == DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode))
			continue;
		return st.st_dev == dev;
	}
	return -ENOENT;
}

/* How far up the overlay's tree a sample is looked for. */
#define OVERLAY_SAMPLE_DIRS 64

void file_identity_check_overlay(int fd, struct file_identity *id)
{
	static const char why[] = "with layers on different file systems and xino off (directory "
				  "inode numbers change when evicted, layers' numbers collide; "
				  "mount it with xino=on)";
	_cleanup_close_ int cur = -EBADF;
	struct stat st, up;

	if (id->fs_magic != OVERLAYFS_SUPER_MAGIC || id->inexact)
		return;
	if (fstat(fd, &st) < 0)
		goto unknown;
	if (!S_ISDIR(st.st_mode)) {
		if (kernel_dev_from_stat(st.st_dev) != id->dev)
			id->inexact = why;
		return;
	}
	/* Directories always report the overlay's device: compare a non-directory's with it,
	 * from this directory up to the overlay's root. */
	cur = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; cur >= 0 && i < OVERLAY_SAMPLE_DIRS; i++) {
		int r, parent;

		if (fstat(cur, &st) < 0)
			break;
		r = sample_has_dev(cur, st.st_dev);
		if (r >= 0) {
			if (r == 0)
				id->inexact = why;
			return;
		}
		parent = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) < 0 || up.st_dev != st.st_dev ||
		    up.st_ino == st.st_ino) {
			if (parent >= 0)
				close(parent);
			break; /* the overlay's root */
		}
		closep(&cur);
		cur = parent;
	}
unknown:
	/* An overlay without a single file on the way up: nothing to tell it by, and nothing
	 * whose number a layer could share yet. Its directories' numbers may still move. */
	id->inexact = "where no file tells whether its layers share one file system (a "
		      "directory's inode number may change when evicted)";
}

const struct file_identity_source file_identity_stat = { identify_by_stat, NULL };

/*
 * The file systems on which the key is proven to name one file for as long as it exists, by
 * the VM scenario 18-filesystems on every kernel of the matrix: inode numbers are stable and
 * unique per device (btrfs: per subvolume device, see sa_inode_dev()), and an inode evicted
 * from memory comes back with the same number. Anything else (NFS, FUSE, 9p, CIFS, procfs...)
 * gives no such promise: a rule there would silently do nothing, so it is refused.
 */
static const struct {
	uint64_t magic;
	const char *name;
	bool supported;
} fs_types[] = {
	{ EXT4_SUPER_MAGIC, "ext4", true }, /* also ext2 and ext3 */
	{ XFS_SUPER_MAGIC, "xfs", true },
	{ BTRFS_SUPER_MAGIC, "btrfs", true },
	{ TMPFS_MAGIC, "tmpfs", true }, /* also devtmpfs */
	{ OVERLAYFS_SUPER_MAGIC, "overlayfs", true },
	{ NFS_SUPER_MAGIC, "nfs", false },
	{ 0x65735546, "fuse", false },
	{ V9FS_MAGIC, "9p", false },
	{ 0xff534d42, "cifs", false },
	{ 0xfe534d42, "smb2", false },
	{ PROC_SUPER_MAGIC, "proc", false },
	{ SYSFS_MAGIC, "sysfs", false },
	{ RAMFS_MAGIC, "ramfs", false },
	{ MSDOS_SUPER_MAGIC, "vfat", false },
	{ SQUASHFS_MAGIC, "squashfs", false },
	{ BPF_FS_MAGIC, "bpf", false },
	{ CGROUP2_SUPER_MAGIC, "cgroup2", false },
	{ SECURITYFS_MAGIC, "securityfs", false },
	{ DEBUGFS_MAGIC, "debugfs", false },
	{ TRACEFS_MAGIC, "tracefs", false },
	{ DEVPTS_SUPER_MAGIC, "devpts", false },
	{ HUGETLBFS_MAGIC, "hugetlbfs", false },
	{ 0x5346544e, "ntfs", false },
	{ 0x7366746e, "ntfs3", false },
	{ 0x2011bab0, "exfat", false },
	{ 0xf2f52010, "f2fs", false },
	{ 0x9660, "iso9660", false },
};

const char *file_identity_unsupported(const struct file_identity *id, char *buf, size_t size)
{
	for (size_t i = 0; i < ELEMENTSOF(fs_types); i++) {
		if (fs_types[i].magic != id->fs_magic)
			continue;
		if (!fs_types[i].supported)
			return fs_types[i].name;
		if (id->inexact) {
			snprintf(buf, size, "%s %s", fs_types[i].name, id->inexact);
			return buf;
		}
		return NULL;
	}
	snprintf(buf, size, "a file system of type 0x%llx", (unsigned long long)id->fs_magic);
	return buf;
}
