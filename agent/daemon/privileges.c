// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <sys/prctl.h>

#include <sys/capability.h>

#include "privileges.h"
#include "util.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* CAP_BPF: with unprivileged BPF disabled (Debian's default) the kernel refuses every bpf() call,
 * map updates through a held fd included, without it. CAP_DAC_READ_SEARCH: see privileges.h.
 * CAP_AUDIT_READ: reading seccomp audit records from the audit multicast group (the kernel checks
 * it when the socket is bound; kept so that the socket can be opened again). */
static const cap_value_t kept[] = { CAP_BPF, CAP_DAC_READ_SEARCH, CAP_AUDIT_READ };

static int is_kept(cap_value_t c)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i] == c)
			return 1;
	return 0;
}

int drop_privileges(void)
{
	cap_t caps;
	int r = 0;

	/* The bounding set first: dropping from it needs CAP_SETPCAP, which goes last. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		if (is_kept(c) || c == CAP_SETPCAP || CAP_IS_SUPPORTED(c) == 0)
			continue;
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return -errno;
	}
	if (cap_drop_bound(CAP_SETPCAP) < 0 && errno != EINVAL)
		return -errno;
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return -errno;

	caps = cap_init(); /* all clear */
	if (!caps)
		return -ENOMEM;
	if (cap_set_flag(caps, CAP_EFFECTIVE, ELEMENTSOF(kept), kept, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, ELEMENTSOF(kept), kept, CAP_SET) < 0 ||
	    cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	if (r < 0)
		return r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int as_running_daemon(int (*fn)(void *userdata), void *userdata)
{
	cap_t saved = cap_get_proc(), now = NULL;
	cap_flag_value_t v;
	int r;

	if (!saved)
		return -errno;
	now = cap_dup(saved);
	if (!now) {
		cap_free(saved);
		return -ENOMEM;
	}
	/* Only the effective set: the permitted one brings them back afterwards. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!is_kept(c) && cap_get_flag(now, c, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
			(void)cap_set_flag(now, CAP_EFFECTIVE, 1, &c, CAP_CLEAR);
	r = cap_set_proc(now) < 0 ? -errno : fn(userdata);
	if (cap_set_proc(saved) < 0 && r >= 0)
		r = -errno;
	cap_free(now);
	cap_free(saved);
	return r;
}
