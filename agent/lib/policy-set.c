// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "policy-set.h"
#include "util.h"

struct policy_set *policy_set_ref(struct policy_set *s)
{
	s->extra_refs++;
	return s;
}

struct policy_set *policy_set_free(struct policy_set *s)
{
	if (!s)
		return NULL;
	if (s->extra_refs) {
		s->extra_refs--;
		return NULL;
	}
	for (size_t i = 0; i < s->n_policies; i++)
		policy_free(s->policies[i]);
	free(s->policies);
	free(s);
	return NULL;
}

static void policy_set_freep(struct policy_set **s)
{
	policy_set_free(*s);
}

bool policy_file_name_valid(const char *name)
{
	size_t len = strlen(name);

	/* Dot files are editors' and `policy apply`'s temporary files, never policies. */
	return name[0] != '.' && len > 5 && streq(name + len - 5, ".yaml");
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names must be unique: they are how operators and events refer to a policy. */
static int check_unique_names(const struct policy_set *s, struct diag_list *diags)
{
	int r = 0;

	for (size_t i = 0; i < s->n_policies; i++)
		for (size_t j = 0; j < i; j++) {
			const struct policy *a = s->policies[j], *b = s->policies[i];

			if (!streq(a->name, b->name))
				continue;
			if (diag_add(diags, b->file, b->name_loc.line, b->name_loc.column,
				     "policy name '%s' is already used by %s:%u:%u", b->name,
				     a->file, a->name_loc.line, a->name_loc.column) < 0)
				return -ENOMEM;
			r = -EINVAL;
		}
	return r;
}

int policy_set_append(struct policy_set *s, struct policy *p, struct diag_list *diags)
{
	struct policy **grown = reallocarray(s->policies, s->n_policies + 1, sizeof(*grown));
	int r;

	if (!grown) {
		policy_free(p);
		return -ENOMEM;
	}
	s->policies = grown;
	s->policies[s->n_policies++] = p;
	r = check_unique_names(s, diags);
	if (r < 0)
		policy_free(s->policies[--s->n_policies]);
	return r;
}

int policy_set_load_files(char *const *files, size_t n_files, unsigned flags,
			  struct diag_list *diags, struct policy_set **ret_set)
{
	struct policy_set *s _cleanup_(policy_set_freep) = NULL;
	size_t n_before = diags->n;
	int r;

	if (n_files > POLICY_SET_MAX_FILES)
		return diag_add(diags, files[0], 0, 0, "too many policy files (%zu, at most %d)",
				n_files, POLICY_SET_MAX_FILES) < 0
			       ? -ENOMEM
			       : -EINVAL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->policies = calloc(n_files ? n_files : 1, sizeof(*s->policies));
	if (!s->policies)
		return -ENOMEM;

	for (size_t i = 0; i < n_files; i++) {
		struct policy *p = NULL;

		r = policy_parse_file_flags(files[i], flags, diags, &p);
		if (r == -ENOMEM)
			return r;
		if (r >= 0)
			s->policies[s->n_policies++] = p;
	}

	r = check_unique_names(s, diags);
	if (r == -ENOMEM)
		return r;
	if (diags->n > n_before)
		return -EINVAL;

	*ret_set = TAKE_PTR(s);
	return 0;
}

int policy_dir_list(const char *dir, struct diag_list *diags, char ***ret_files, size_t *ret_n)
{
	char **files = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r;

	d = opendir(dir);
	if (!d)
		return diag_add(diags, dir, 0, 0, "cannot open policy directory: %s",
				strerror(errno)) < 0
			       ? -ENOMEM
			       : -EINVAL;
	{
		struct stat dst;

		struct statvfs vfs;

		if (fstat(dirfd(d), &dst) < 0)
			r = diag_add(diags, dir, 0, 0, "cannot stat: %s", strerror(errno)) < 0
				    ? -ENOMEM
				    : 1;
		else if ((dst.st_mode & (S_IWGRP | S_IWOTH)) && dst.st_uid == 0 &&
			 fstatvfs(dirfd(d), &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
			/* A directory on a read-only mount: whatever its mode says, no one adds a
			 * file to it here. A Kubernetes ConfigMap volume is one: a tmpfs of mode
			 * 1777 the kubelet writes, mounted read-only into the daemon's container.
			 * Each file is still checked for itself. */
			r = 0;
		else
			r = policy_check_trusted(dir, &dst, diags);
		if (r != 0) {
			closedir(d);
			return r == -ENOMEM ? r : -EINVAL;
		}
	}

	r = 0;
	while ((errno = 0, de = readdir(d))) {
		char *path;

		if (!policy_file_name_valid(de->d_name))
			continue;
		if (n == POLICY_SET_MAX_FILES) {
			r = diag_add(diags, dir, 0, 0, "too many policy files (more than %d)",
				     POLICY_SET_MAX_FILES) < 0
				    ? -ENOMEM
				    : -EINVAL;
			break;
		}
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		/* Symlinks are followed (an operator may link policies in); that the file is
		 * regular and only root may write it is checked on the descriptor the parser
		 * reads (POLICY_PARSE_TRUSTED), never on a name that could change meanwhile. */
		if (n == cap) {
			char **nf = reallocarray(files, cap ? cap * 2 : 16, sizeof(*files));

			if (!nf) {
				free(path);
				r = -ENOMEM;
				break;
			}
			files = nf;
			cap = cap ? cap * 2 : 16;
		}
		files[n++] = path;
	}
	if (r == 0 && errno != 0)
		r = diag_add(diags, dir, 0, 0, "cannot read policy directory: %s",
			     strerror(errno)) < 0
			    ? -ENOMEM
			    : -EINVAL;
	closedir(d);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(files[i]);
		free(files);
		return r;
	}
	if (n > 0)
		qsort(files, n, sizeof(*files), cmp_strp);
	*ret_files = files;
	*ret_n = n;
	return 0;
}

static int load_dir_once(const char *dir, struct diag_list *diags, struct policy_set **ret_set)
{
	char **files = NULL;
	size_t n = 0;
	int r;

	r = policy_dir_list(dir, diags, &files, &n);
	if (r < 0)
		return r;
	r = policy_set_load_files(files, n, POLICY_PARSE_TRUSTED, diags, ret_set);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return r;
}

/* Where @dir's POLICY_DIR_DATA_LINK points now, in @ret (malloc'ed; NULL when @dir has none).
 * Returns 0 or a negative errno: a link that cannot be read never passes for a steady one. */
static int data_link_target(const char *dir, char **ret)
{
	_cleanup_free_ char *path = NULL;
	char buf[PATH_MAX];
	ssize_t n;

	*ret = NULL;
	if (asprintf(&path, "%s/" POLICY_DIR_DATA_LINK, dir) < 0)
		return -ENOMEM;
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ENOENT || errno == EINVAL ? 0 : -errno; /* none, or not a link */
	buf[n] = '\0';
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int policy_set_load_dir(const char *dir, struct diag_list *diags, struct policy_set **ret_set)
{
	size_t n_before = diags->n;

	for (int attempt = 1; attempt <= POLICY_DIR_READ_ATTEMPTS; attempt++) {
		_cleanup_free_ char *before = NULL, *after = NULL;
		struct policy_set *set = NULL;
		int r, rb, ra;

		rb = data_link_target(dir, &before);
		r = load_dir_once(dir, diags, &set);
		ra = data_link_target(dir, &after);
		if (rb < 0 || ra < 0) {
			policy_set_free(set);
			diag_list_truncate(diags, n_before);
			return diag_add(diags, dir, 0, 0, "cannot read its %s link: %s",
					POLICY_DIR_DATA_LINK, strerror(-(rb < 0 ? rb : ra))) < 0
				       ? -ENOMEM
				       : -EINVAL;
		}
		if (before ? after && streq(before, after) : !after) {
			/* One version throughout. */
			if (r >= 0)
				*ret_set = set;
			return r;
		}
		policy_set_free(set);
		diag_list_truncate(diags, n_before);
	}
	return diag_add(diags, dir, 0, 0,
			"%s switched while the directory was read, %d times in a row; refusing a "
			"mix of versions",
			POLICY_DIR_DATA_LINK, POLICY_DIR_READ_ATTEMPTS) < 0
		       ? -ENOMEM
		       : -EINVAL;
}
