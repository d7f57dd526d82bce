// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "pins.h"
#include "util.h"

int pins_remove(const char *dir, pin_filter keep, pin_callback removed, void *userdata)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0, error = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.' || (keep && keep(de->d_name, userdata)))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
			if (!error)
				error = -errno;
			continue;
		}
		n++;
		if (removed)
			removed(de->d_name, userdata);
	}
	if (!error && errno)
		error = -errno;
	return error ? error : n;
}
