// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile.h"
#include "container-bindings.h"
#include "log.h"
#include "util.h"

bool container_cgroup_path_valid(const char *path)
{
	const char *p = path;

	/* At least one component: binding "/" would put every process of the host under a
	 * container's policy. */
	if (p[0] != '/' || p[1] == '\0')
		return false;
	while (*p == '/') {
		size_t len = strcspn(p + 1, "/");

		if (len == 0 || (len == 1 && p[1] == '.') ||
		    (len == 2 && p[1] == '.' && p[2] == '.'))
			return false;
		p += 1 + len;
	}
	return *p == '\0';
}

int cgroup_namespace_is_ours(int ns_fd)
{
	struct stat ours, theirs;

	if (ns_fd < 0)
		return -EBADF;
	if (fstat(ns_fd, &theirs) < 0 || stat("/proc/self/ns/cgroup", &ours) < 0)
		return -errno;
	return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

int container_cgroup_id(const char *path, uint64_t *ret_id)
{
	_cleanup_free_ char *full = NULL;
	struct stat st;

	if (!container_cgroup_path_valid(path))
		return -EINVAL;
	if (asprintf(&full, "%s%s", COMPILED_CGROUP_ROOT, path) < 0)
		return -ENOMEM;
	if (stat(full, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* On cgroup2 the directory's inode number is the id bpf_get_current_cgroup_id() gives. */
	*ret_id = st.st_ino;
	return 0;
}

static void binding_clear(struct container_binding *x)
{
	if (x->root_fd >= 0)
		(void)close(x->root_fd);
	x->root_fd = -1;
	free(x->id);
	free(x->policy);
	free(x->cgroup);
}

struct container_bindings *container_bindings_free(struct container_bindings *b)
{
	if (!b)
		return NULL;
	for (size_t i = 0; i < b->n; i++)
		binding_clear(&b->items[i]);
	free(b->items);
	free(b->dir);
	free(b);
	return NULL;
}

const struct container_binding *container_bindings_find(const struct container_bindings *b,
							const char *id)
{
	for (size_t i = 0; i < b->n; i++)
		if (streq(b->items[i].id, id))
			return &b->items[i];
	return NULL;
}

static int append(struct container_bindings *b, const char *id, const char *policy,
		  const char *cgroup, uint64_t cgroup_id, uint32_t runtime_dev,
		  uint64_t runtime_ino)
{
	struct container_binding *items, *x;

	items = reallocarray(b->items, b->n + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	b->items = items;
	x = &items[b->n];
	*x = (struct container_binding){
		.id = strdup(id),
		.policy = strdup(policy),
		.cgroup = strdup(cgroup),
		.cgroup_id = cgroup_id,
		.runtime_dev = runtime_dev,
		.runtime_ino = runtime_ino,
		.root_fd = -1,
	};
	if (!x->id || !x->policy || !x->cgroup) {
		binding_clear(x);
		return -ENOMEM;
	}
	b->n++;
	return 0;
}

/* One file per container: "policy=NAME\ncgroup=PATH\ncgroup_id=N\nruntime=DEV:INO\n" (the
 * last one when known). */
static int read_binding_file(struct container_bindings *b, const char *id)
{
	_cleanup_free_ char *path = NULL, *line = NULL, *policy = NULL, *cgroup = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long cgroup_id = 0, runtime_ino = 0;
	unsigned runtime_dev = 0;
	uint64_t now_id;
	size_t size = 0;
	int fd, r;

	if (asprintf(&path, "%s/%s", b->dir, id) < 0)
		return -ENOMEM;
	/* The daemon's own regular files: never a link someone put there. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	while (getline(&line, &size, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "policy=", 7) == 0) {
			free(policy);
			policy = strdup(line + 7);
		} else if (strncmp(line, "cgroup=", 7) == 0) {
			free(cgroup);
			cgroup = strdup(line + 7);
		} else if (strncmp(line, "cgroup_id=", 10) == 0)
			cgroup_id = strtoull(line + 10, NULL, 10);
		else if (strncmp(line, "runtime=", 8) == 0 &&
			 sscanf(line + 8, "%u:%llu", &runtime_dev, &runtime_ino) != 2)
			return -EBADMSG;
	}
	if (!policy || !cgroup || !cgroup_id)
		return -EBADMSG;
	/* The same directory, not one made again under the same name. */
	r = container_cgroup_id(cgroup, &now_id);
	if (r == -ENOENT || r == -ENOTDIR || (r == 0 && now_id != cgroup_id))
		return -ESTALE;
	/* Cannot tell: keep the binding (fail closed), the next reload checks again. */
	if (r < 0)
		log_warning_errno(r,
				  "Cannot check the cgroup %s of container %s (%m); keeping its "
				  "binding.",
				  cgroup, id);
	return append(b, id, policy, cgroup, cgroup_id, runtime_dev, runtime_ino);
}

int container_bindings_load(const char *dir, struct container_bindings **ret)
{
	struct container_bindings *b;
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	b = calloc(1, sizeof(*b));
	if (!b || !(b->dir = strdup(dir))) {
		free(b);
		return -ENOMEM;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int r = -errno;

		container_bindings_free(b);
		return log_error_errno(r, "Failed to create %s: %m", dir);
	}
	d = opendir(dir);
	if (!d) {
		int r = -errno;

		container_bindings_free(b);
		return log_error_errno(r, "Failed to read %s: %m", dir);
	}
	while ((de = readdir(d))) {
		int r;

		if (!container_id_valid(de->d_name))
			continue;
		r = read_binding_file(b, de->d_name);
		if (r == -ENOMEM) {
			container_bindings_free(b);
			return r;
		}
		if (r < 0) {
			if (r == -ESTALE)
				log_info("Container %s has ended; its binding is dropped.",
					 de->d_name);
			else
				log_warning_errno(r, "Dropping the unreadable binding %s/%s: %m",
						  dir, de->d_name);
			(void)unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	*ret = b;
	return 0;
}

int container_bindings_add(struct container_bindings *b, const char *id, const char *policy,
			   const char *cgroup, uint64_t cgroup_id, uint32_t runtime_dev,
			   uint64_t runtime_ino, int root_fd)
{
	_cleanup_free_ char *path = NULL, *tmp = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	int fd, r;

	if (container_bindings_find(b, id))
		return -EEXIST;
	if (asprintf(&path, "%s/%s", b->dir, id) < 0 ||
	    asprintf(&tmp, "%s/.%s.tmp", b->dir, id) < 0)
		return -ENOMEM;
	/* Written whole, then renamed: a daemon that dies meanwhile leaves no half a binding. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	fprintf(f, "policy=%s\ncgroup=%s\ncgroup_id=%" PRIu64 "\n", policy, cgroup, cgroup_id);
	if (runtime_ino)
		fprintf(f, "runtime=%" PRIu32 ":%" PRIu64 "\n", runtime_dev, runtime_ino);
	if (fflush(f) != 0 || ferror(f) || rename(tmp, path) < 0) {
		r = errno ? -errno : -EIO;
		(void)unlink(tmp);
		return r;
	}
	r = append(b, id, policy, cgroup, cgroup_id, runtime_dev, runtime_ino);
	if (r < 0)
		(void)unlink(path);
	else
		b->items[b->n - 1].root_fd = root_fd;
	return r;
}

int container_bindings_set_root(struct container_bindings *b, const char *id, int root_fd)
{
	for (size_t i = 0; i < b->n; i++)
		if (streq(b->items[i].id, id)) {
			if (b->items[i].root_fd >= 0)
				(void)close(b->items[i].root_fd);
			b->items[i].root_fd = root_fd;
			return 0;
		}
	return -ENOENT;
}

int container_bindings_remove(struct container_bindings *b, const char *id)
{
	_cleanup_free_ char *path = NULL;

	for (size_t i = 0; i < b->n; i++) {
		if (!streq(b->items[i].id, id))
			continue;
		if (asprintf(&path, "%s/%s", b->dir, id) < 0)
			return -ENOMEM;
		if (unlink(path) < 0 && errno != ENOENT)
			log_warning_errno(-errno, "Failed to remove %s: %m", path);
		binding_clear(&b->items[i]);
		b->items[i] = b->items[--b->n];
		return 0;
	}
	return -ENOENT;
}
