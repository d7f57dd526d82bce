/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The control socket protocol: a SOCK_SEQPACKET socket, one request message, one reply message.
 * A request is a verb: "reload", "status" (key=value lines), "policies" (one line per active
 * policy: name, file, rules, mode, generation; tab-separated). A reply starts with "ok\n" or
 * "error\n", followed by text for the operator.
 */

#include <stddef.h>

#define CONTROL_MAX_MESSAGE 65536
#define CONTROL_TIMEOUT_SEC 30

/* Creates the listening socket at @path, mode 0600, replacing a stale one. */
int control_listen(const char *path, int *ret_fd);

/* Sends @request and waits for the reply. Returns 0 for "ok", 1 for "error" (the body in
 * @ret_body either way), or a negative errno when the daemon cannot be reached. */
int control_call(const char *path, const char *request, char **ret_body);

/* The same, passing descriptor @pass_fd with the request (SCM_RIGHTS) when it is not negative:
 * container-bind carries the requester's cgroup namespace (/proc/self/ns/cgroup), so that the
 * daemon takes its cgroup path as the host's only when the namespace is the daemon's own. */
int control_call_fd(const char *path, const char *request, int pass_fd, char **ret_body);
