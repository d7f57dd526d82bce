// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsm.h"
#include "util.h"

int lsm_read_active(const char *root, char **ret_list)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t size = 0;
	ssize_t n;

	if (asprintf(&path, "%s%s", root && !streq(root, "/") ? root : "", LSM_LIST_FILE) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = getline(&line, &size, f);
	if (n < 0)
		return feof(f) ? -ENODATA : -errno;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ',' || line[n - 1] == ' '))
		line[--n] = '\0';
	*ret_list = TAKE_PTR(line);
	return 0;
}

bool lsm_list_contains(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, ", \t\n");

		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s += len;
		s += strspn(s, ", \t\n");
	}
	return false;
}
