/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The policy directory, watched with inotify: a change reloads it as SIGHUP does, once the
 * directory has been quiet for POLICY_WATCH_SETTLE_USEC, and never while a policy file is still
 * open for writing (up to POLICY_WATCH_MAX_WAIT_USEC after the first change; then the reload
 * runs anyway, and a half-written file is refused like any broken one while the old set stays).
 * A directory that keeps changing is reloaded POLICY_WATCH_MAX_DELAY_USEC after its first
 * change all the same. The layout of a Kubernetes ConfigMap volume is one: the kubelet renames a
 * "..data" symlink to switch every key (a symlink through it) at once; policy-set.c reads one
 * version of it.
 */

#include <stdbool.h>

#include <systemd/sd-event.h>

#define POLICY_WATCH_SETTLE_USEC    (300 * 1000ULL)
#define POLICY_WATCH_MAX_DELAY_USEC (2 * 1000000ULL)  /* from the first change, writers aside */
#define POLICY_WATCH_MAX_WAIT_USEC  (10 * 1000000ULL) /* for a file still open for writing */

struct policy_watch;

/* Called when the directory changed and has settled. */
typedef void (*policy_watch_fn)(void *userdata);

/* Returns 0 or a negative errno (logged). */
int policy_watch_new(sd_event *event, const char *dir, policy_watch_fn changed, void *userdata,
		     struct policy_watch **ret);
struct policy_watch *policy_watch_free(struct policy_watch *w);

/* Whether the watch is in place: false once the directory itself went away. */
bool policy_watch_active(const struct policy_watch *w);
