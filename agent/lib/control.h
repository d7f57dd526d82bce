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
	CONTROL_RELOAD,		  /* reload the policy directory */
	CONTROL_STATUS,		  /* key=value lines */
	CONTROL_POLICIES,	  /* one line per active policy */
	CONTROL_HANDOVER,	  /* the next stop leaves enforcement pinned (upgrades) */
	CONTROL_SECCOMP_REGISTER, /* NAME: the peer runs under policy NAME's seccomp filter */
	CONTROL_CONTAINER_BIND,	  /* ID POLICY CGROUP, with the requester's cgroup namespace fd */
	CONTROL_CONTAINER_UNBIND, /* ID */
	CONTROL_CONTAINERS,	  /* one line per bound container */
	CONTROL_RECORD_START,	  /* CGROUP, with the recording's log: record that cgroup */
	CONTROL_RECORD_STOP,	  /* end the recording; key=value lines of what it saw */
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

/* The request text for @verb: its name and its arguments (const char *, as many as the verb
 * takes), separated by spaces. NULL when out of memory. */
char *control_request_new(enum control_verb verb, ...);

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

/* Descriptors a request may carry (SCM_RIGHTS). container-bind carries three: the requester's
 * cgroup namespace (/proc/self/ns/cgroup), so that the daemon takes its cgroup path as the
 * host's only when the namespace is the daemon's own; the container's root as its entrypoint
 * will see it, where the policy's paths are resolved; and the program the container's process
 * runs at createRuntime, the runtime's own, whose processes the policy binds only in their
 * exec of the entrypoint (a hook of an earlier version sends none: the policy binds from the
 * binding on). */
#define CONTROL_MAX_FDS 3
enum {
	CONTROL_FD_CGROUP_NS,
	CONTROL_FD_CONTAINER_ROOT,
	CONTROL_FD_RUNTIME_EXE
};
/* record-start carries one: the recording's log, a file the daemon appends JSON lines to. */
#define CONTROL_FD_RECORDING_LOG 0

/* The same, passing @n_fds descriptors (at most CONTROL_MAX_FDS) with the request. */
int control_call_fds(const char *path, const char *request, const int *fds, size_t n_fds,
		     char **ret_body);

/*
 * The status reply: "key=value" lines, one per key, in this order. The daemon writes them
 * (daemon/control-server.c), secagentctl status reads them by these names; a client shows keys it
 * does not know too. docs/ describes each.
 */
#define CONTROL_STATUS_KEYS(X)                                                                     \
	X(POLICY_DIR, "policy_dir")                                                                \
	X(GENERATION, "generation")                                                                \
	X(POLICIES, "policies")                                                                    \
	X(RULES, "rules")                                                                          \
	X(FILE_ENTRIES, "file_entries")                                                            \
	X(NETWORK_ENTRIES, "network_entries")                                                      \
	X(ADOPTED, "adopted")                                                                      \
	X(EVENTS_RECEIVED, "events_received")                                                      \
	X(EVENTS_LOGGED, "events_logged")                                                          \
	X(EVENTS_COALESCED, "events_coalesced")                                                    \
	X(EVENTS_SUPPRESSED, "events_suppressed")                                                  \
	X(EVENTS_DELIVERED, "events_delivered")                                                    \
	X(EVENTS_LOST_RINGBUF, "events_lost_ringbuf")                                              \
	X(EVENTS_LOST_JOURNAL, "events_lost_journal")                                              \
	X(DENIED, "denied")                                                                        \
	X(AUDITED, "audited")                                                                      \
	X(FAIL_CLOSED, "fail_closed")                                                              \
	X(RELOADS_OK, "reloads_ok")                                                                \
	X(RELOADS_FAILED, "reloads_failed")                                                        \
	X(UPTIME_SEC, "uptime_sec")                                                                \
	X(SECCOMP_AUDIT, "seccomp_audit")                                                          \
	X(SECCOMP_REGISTERED, "seccomp_registered")                                                \
	X(SECCOMP_EVENTS, "seccomp_events")                                                        \
	X(SECCOMP_UNATTRIBUTED, "seccomp_unattributed")                                            \
	X(SECCOMP_SUPPRESSED, "seccomp_suppressed")                                                \
	X(SECCOMP_OVERFLOWS, "seccomp_overflows")                                                  \
	X(HOOKS_OFF, "hooks_off")                                                                  \
	X(HOOKS_ATTACHED, "hooks_attached")                                                        \
	X(RULES_NOT_ENFORCED, "rules_not_enforced")                                                \
	X(METRICS, "metrics")                                                                      \
	X(POLICY_WATCH, "policy_watch")                                                            \
	X(RECORDING, "recording")

enum status_key {
#define X(key, name) STATUS_##key,
	CONTROL_STATUS_KEYS(X)
#undef X
	_STATUS_KEY_MAX,
};
extern const char *const status_key_names[_STATUS_KEY_MAX];

/* The reply text from @values (one per key, every one set); NULL when out of memory. */
char *control_status_format(char *const values[_STATUS_KEY_MAX]);

/* The value of @key in the reply @body (parsed in place by control_status_parse), or NULL. */
struct control_status {
	size_t n;
	char *keys[64], *values[64];
};
void control_status_parse(char *body, struct control_status *ret);
const char *control_status_get(const struct control_status *s, enum status_key key);
