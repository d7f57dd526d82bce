/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The control socket protocol: a SOCK_SEQPACKET socket, one request message, one reply message.
 * A request is a verb and its arguments, separated by spaces (enum control_verb lists them all).
 * A reply starts with "ok\n" or "error\n", followed by text for the operator.
 */

#include <stddef.h>

#define CONTROL_MAX_MESSAGE 65536
#define CONTROL_TIMEOUT_SEC 30

/* The requests, one table for the daemon's dispatch, its "unknown request" reply and the
 * fuzz target (control_verbs[], in control.c). */
enum control_verb {
	CONTROL_RELOAD,           /* reload the policy directory */
	CONTROL_STATUS,           /* key=value lines */
	CONTROL_POLICIES,         /* one line per active policy */
	CONTROL_HANDOVER,         /* the next stop leaves enforcement pinned (upgrades) */
	CONTROL_SECCOMP_REGISTER, /* NAME: the peer runs under policy NAME's seccomp filter */
	CONTROL_CONTAINER_BIND,   /* ID POLICY CGROUP, with the requester's cgroup namespace fd */
	CONTROL_CONTAINER_UNBIND, /* ID */
	CONTROL_CONTAINERS,       /* one line per bound container */
	_CONTROL_VERB_MAX,
};

struct control_verb_def {
	const char *name;
	unsigned n_args; /* the last one takes the rest of the request, spaces included */
	const char *usage;
};
extern const struct control_verb_def control_verbs[_CONTROL_VERB_MAX];

struct control_request {
	enum control_verb verb;
	const char *args[3]; /* into the parsed buffer */
};

/*
 * Parses the request in @buf (NUL-terminated; split in place): the verb, and its arguments
 * checked for what every handler needs (a policy name, a container id). Returns 0, or -EINVAL
 * with @ret_why, a reply for the peer (static, or into @why_buf of @why_size bytes).
 */
int control_request_parse(char *buf, struct control_request *ret, char *why_buf, size_t why_size,
			  const char **ret_why);

/* Creates the listening socket at @path, mode 0600, replacing a stale one. */
int control_listen(const char *path, int *ret_fd);

/* Sends @request and waits for the reply. Returns 0 for "ok", 1 for "error" (the body in
 * @ret_body either way), or a negative errno when the daemon cannot be reached. */
int control_call(const char *path, const char *request, char **ret_body);

/* Descriptors a request may carry (SCM_RIGHTS). container-bind carries two: the requester's
 * cgroup namespace (/proc/self/ns/cgroup), so that the daemon takes its cgroup path as the
 * host's only when the namespace is the daemon's own; and the container's root as its
 * entrypoint will see it, where the policy's paths are resolved. */
#define CONTROL_MAX_FDS 2
enum { CONTROL_FD_CGROUP_NS, CONTROL_FD_CONTAINER_ROOT };

/* The same, passing @n_fds descriptors (at most CONTROL_MAX_FDS) with the request. */
int control_call_fds(const char *path, const char *request, const int *fds, size_t n_fds,
		     char **ret_body);
