// SPDX-License-Identifier: GPL-2.0-or-later
/* The control socket: one request, one reply (lib/control.h). The server authorises the peer,
 * reads the request with the descriptors it carries, and dispatches through one table. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

#include "container-bindings.h"
#include "control.h"
#include "log.h"
#include "manager.h"
#include "seccomp-audit.h"
#include "util.h"


struct control_conn {
	struct manager *m;
	int fd;
	bool authorized;
	bool answered; /* replied; now only draining what the peer still sends */
	pid_t peer_pid; /* SO_PEERCRED, for seccomp-register */
	/* Descriptors sent with the request (SCM_RIGHTS, CONTROL_FD_*), or -1. */
	int passed_fds[CONTROL_MAX_FDS];
	sd_event_source *io, *timeout;
};

static void control_conn_free(struct control_conn *c)
{
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->timeout);
	closep(&c->fd);
	for (size_t i = 0; i < CONTROL_MAX_FDS; i++)
		closep(&c->passed_fds[i]);
	free(c);
}

static void control_reply(struct control_conn *c, bool ok, const char *body)
{
	_cleanup_free_ char *msg = NULL;

	if (asprintf(&msg, "%s\n%s", ok ? "ok" : "error", body ? body : "") < 0)
		return;
	if (strlen(msg) > CONTROL_MAX_MESSAGE)
		msg[CONTROL_MAX_MESSAGE] = '\0';
	(void)send(c->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* "seccomp-register NAME": the peer (by SO_PEERCRED) runs under policy NAME's filter from now
 * on; see seccomp-audit.h. */
static void control_seccomp_register(struct control_conn *c, const char *name)
{
	_cleanup_free_ char *reply = NULL;
	int r;

	if (c->m->audit_fd < 0) {
		if (asprintf(&reply, "cannot report seccomp events: the audit socket is not open "
				     "(%s)", strerror(c->m->audit_error)) < 0)
			reply = NULL;
		control_reply(c, false, reply ? reply : "cannot report seccomp events");
		return;
	}
	r = seccomp_registry_add(c->m->registry, c->peer_pid, name);
	if (r < 0) {
		if (asprintf(&reply, "cannot register pid %d: %s", (int)c->peer_pid,
			     strerror(-r)) < 0)
			reply = NULL;
		control_reply(c, false, reply ? reply : "cannot register");
		return;
	}
	log_debug("pid %d registered for seccomp policy %s.", (int)c->peer_pid, name);
	if (asprintf(&reply, "pid %d runs under policy %s\n", (int)c->peer_pid, name) < 0)
		reply = NULL;
	control_reply(c, true, reply);
}

/* "container-bind ID POLICY CGROUP": from secagent-oci-hook at createRuntime, before the
 * container's process runs. The binding takes effect in the active set at once (one map
 * update) and goes into every set installed later. */
static void control_container_bind(struct control_conn *c, const char *id, const char *policy,
				   const char *cgroup)
{
	struct manager *m = c->m;
	_cleanup_free_ char *reply = NULL, *error = NULL;
	const struct compiled_policy *p;
	const struct container_binding *old;
	uint64_t cgroup_id;
	int r, root_fd;

	if (!container_cgroup_path_valid(cgroup)) {
		r = asprintf(&reply, "cgroup '%s' is not a container's: the path must be absolute "
				     "and below the root, without empty, '.' or '..' components",
			     cgroup);
		goto fail;
	}
	/* The path is the requester's view of the cgroup tree: taken as the host's only when its
	 * cgroup namespace (the descriptor sent with the request) is the daemon's own. */
	r = cgroup_namespace_is_ours(c->passed_fds[CONTROL_FD_CGROUP_NS]);
	if (r <= 0) {
		r = r == 0 ? asprintf(&reply, "the requester is in another cgroup namespace, so cgroup "
					      "%s is not the host's; run the hook in the host's cgroup "
					      "namespace",
				      cgroup)
			   : asprintf(&reply, "the request carries no cgroup namespace to check "
					      "cgroup %s against (%s); secagent-oci-hook sends one",
				      cgroup, strerror(-r));
		goto fail;
	}
	p = find_policy(m->active, policy);
	if (!p) {
		r = asprintf(&reply, "no policy named '%s' in the active set (generation %u)",
			     policy, m->active_seq);
		goto fail;
	}
	if (!p->containers) {
		r = asprintf(&reply, "policy '%s' does not bind containers (its selector needs "
				     "containers: true)", policy);
		goto fail;
	}
	if (cgroup_path_levels(cgroup) > POLICY_CGROUP_MAX_LEVELS) {
		r = asprintf(&reply, "cgroup %s is %u levels deep; the hooks see at most %d",
			     cgroup, cgroup_path_levels(cgroup), POLICY_CGROUP_MAX_LEVELS);
		goto fail;
	}
	r = container_cgroup_id(cgroup, &cgroup_id);
	if (r < 0) {
		r = asprintf(&reply, "cannot use cgroup %s: %s", cgroup, strerror(-r));
		goto fail;
	}
	old = container_bindings_find(m->bindings, id);
	if (old) {
		if (streq(old->policy, policy) && old->cgroup_id == cgroup_id) {
			control_reply(c, true, "already bound\n");
			return;
		}
		r = asprintf(&reply, "container %s is already bound to policy '%s' (cgroup %s)", id,
			     old->policy, old->cgroup);
		goto fail;
	}
	root_fd = c->passed_fds[CONTROL_FD_CONTAINER_ROOT];
	if (root_fd < 0) {
		r = asprintf(&reply, "the request carries no container root to resolve policy %s's "
				     "paths in; secagent-oci-hook sends one", policy);
		goto fail;
	}
	/* On disk first: a daemon restarted from here on binds it again. */
	r = container_bindings_add(m->bindings, id, policy, cgroup, cgroup_id, root_fd);
	if (r < 0) {
		log_error_errno(r, "Failed to bind container %s to policy %s: %m", id, policy);
		r = asprintf(&reply, "cannot bind container %s: %s", id, strerror(-r));
		goto fail;
	}
	c->passed_fds[CONTROL_FD_CONTAINER_ROOT] = -1; /* the binding's now */
	/* The active policies again, with this container's paths resolved in its root: all of
	 * it or nothing, and the container does not start. */
	r = manager_recompile_active(m, &error);
	if (r < 0) {
		(void)container_bindings_remove(m->bindings, id);
		r = asprintf(&reply, "cannot resolve policy %s in container %s: %s", policy, id,
			     error ? error : strerror(-r));
		goto fail;
	}
	fdstore_add(id, container_bindings_find(m->bindings, id)->root_fd);
	log_info("Container %s bound to policy %s (cgroup %s, id %llu).", id, policy, cgroup,
		 (unsigned long long)cgroup_id);
	if (asprintf(&reply, "container %s bound to policy %s (cgroup %s)\n", id, policy,
		     cgroup) < 0)
		reply = NULL;
	control_reply(c, true, reply);
	return;
fail:
	if (r < 0)
		reply = NULL;
	control_reply(c, false, reply ? reply : "out of memory");
}

/* "container-unbind ID": from the hook at poststop. Unbinding a container that is not bound
 * succeeds: its createRuntime may have failed, and a poststop hook runs anyway. */
static void control_container_unbind(struct control_conn *c, const char *id)
{
	struct manager *m = c->m;
	const struct container_binding *x = container_bindings_find(m->bindings, id);
	const struct compiled_policy *p;
	bool shared = false;
	int r;

	if (!x) {
		control_reply(c, true, "not bound\n");
		return;
	}
	p = find_policy(m->active, x->policy);
	for (size_t i = 0; i < m->bindings->n; i++) {
		const struct container_binding *y = &m->bindings->items[i];

		if (y != x && y->cgroup_id == x->cgroup_id && streq(y->policy, x->policy))
			shared = true;
	}
	if (p && p->containers && !shared) {
		r = enforcer_update_bound_cgroup(m->enforcer, x->cgroup_id, 0, 1ULL << p->selector);
		if (r < 0) {
			log_error_errno(r, "Failed to unbind container %s: %m", id);
			control_reply(c, false, "cannot unbind: the map update failed");
			return;
		}
	}
	log_info("Container %s unbound from policy %s.", id, x->policy);
	fdstore_remove(id);
	(void)container_bindings_remove(m->bindings, id);
	/* Its resolved paths go with it. The cgroup is unbound already: entries that stay when
	 * this fails only ever match that cgroup's processes, or none. */
	if (p && p->containers && manager_recompile_active(m, NULL) < 0)
		log_warning("The entries of container %s's paths stay until the next reload.", id);
	control_reply(c, true, "unbound\n");
}

/* Text built by @write, for a reply; NULL when out of memory. */
static char *reply_text(struct manager *m, void (*write)(struct manager *m, FILE *f))
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	write(m, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text ? text : strdup("");
}

/* One line per bound container: id, policy, cgroup, whether the active set binds it. */
static void write_containers(struct manager *m, FILE *f)
{
	for (size_t i = 0; i < m->bindings->n; i++) {
		const struct container_binding *x = &m->bindings->items[i];
		const struct compiled_policy *p = find_policy(m->active, x->policy);

		fprintf(f, "%s\t%s\t%s\t%s\n", x->id, x->policy, x->cgroup,
			p && p->containers ? "bound" : "policy-missing");
	}
}

/* Sets @values[@key] to the formatted value (NULL when out of memory). */
static void status_set(char **values, enum status_key key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&values[key], fmt, ap) < 0)
		values[key] = NULL;
	va_end(ap);
}

static char *manager_status_text(struct manager *m)
{
	uint64_t counters[SA_COUNTER__MAX] = {};
	struct event_limiter_stats ls = event_limiter_stats(m->limiter);
	const struct compiled_set *a = m->active;
	char hooks[1024], *v[_STATUS_KEY_MAX] = {}, *text;

	(void)enforcer_read_counters(m->enforcer, counters);
	/* Here, not in secagentctl: self-protection refuses links' descriptors to anyone else. */
	if (enforcer_hooks_attached(m->enforcer, hooks, sizeof(hooks)) < 0)
		snprintf(hooks, sizeof(hooks), "?");
	status_set(v, STATUS_POLICY_DIR, "%s", m->cfg.policy_dir);
	status_set(v, STATUS_GENERATION, "%u", m->active_seq);
	status_set(v, STATUS_POLICIES, "%zu", a ? a->n_policies : 0);
	status_set(v, STATUS_RULES, "%zu", a ? a->n_rules : 0);
	status_set(v, STATUS_FILE_ENTRIES, "%zu", a ? a->n_files : 0);
	status_set(v, STATUS_NETWORK_ENTRIES, "%zu", a ? a->n_net : 0);
	status_set(v, STATUS_ADOPTED, "%s", enforcer_adopted(m->enforcer) ? "yes" : "no");
	status_set(v, STATUS_EVENTS_RECEIVED, "%" PRIu64, m->events_received);
	status_set(v, STATUS_EVENTS_LOGGED, "%" PRIu64, ls.emitted);
	status_set(v, STATUS_EVENTS_COALESCED, "%" PRIu64, ls.coalesced);
	status_set(v, STATUS_EVENTS_SUPPRESSED, "%" PRIu64, ls.suppressed);
	status_set(v, STATUS_EVENTS_DELIVERED, "%" PRIu64,
		   ls.emitted + ls.coalesced + ls.suppressed - m->events_journal_failed);
	status_set(v, STATUS_EVENTS_LOST_RINGBUF, "%" PRIu64, counters[SA_COUNTER_EVENTS_LOST]);
	status_set(v, STATUS_EVENTS_LOST_JOURNAL, "%" PRIu64, m->events_journal_failed);
	status_set(v, STATUS_DENIED, "%" PRIu64, counters[SA_COUNTER_DENIED]);
	status_set(v, STATUS_AUDITED, "%" PRIu64, counters[SA_COUNTER_AUDITED]);
	status_set(v, STATUS_FAIL_CLOSED, "%" PRIu64, counters[SA_COUNTER_FAIL_CLOSED]);
	status_set(v, STATUS_RELOADS_OK, "%" PRIu64, m->reloads_ok);
	status_set(v, STATUS_RELOADS_FAILED, "%" PRIu64, m->reloads_failed);
	status_set(v, STATUS_UPTIME_SEC, "%" PRIu64,
		   (now_usec(CLOCK_MONOTONIC) - m->started_usec) / 1000000);
	status_set(v, STATUS_SECCOMP_AUDIT, "%s", m->audit_fd >= 0 ? "yes" : "no");
	status_set(v, STATUS_SECCOMP_REGISTERED, "%zu", seccomp_registry_size(m->registry));
	status_set(v, STATUS_SECCOMP_EVENTS, "%" PRIu64, m->seccomp_events);
	status_set(v, STATUS_SECCOMP_UNATTRIBUTED, "%" PRIu64, m->seccomp_unattributed);
	status_set(v, STATUS_SECCOMP_SUPPRESSED, "%" PRIu64, m->seccomp_suppressed);
	status_set(v, STATUS_SECCOMP_OVERFLOWS, "%" PRIu64, m->seccomp_overflows);
	status_set(v, STATUS_HOOKS_OFF, "%s", enforcer_hooks_off(m->enforcer));
	status_set(v, STATUS_HOOKS_ATTACHED, "%s", hooks);
	status_set(v, STATUS_RULES_NOT_ENFORCED, "%zu", a ? a->n_not_enforced : 0);
	text = control_status_format(v);
	for (size_t k = 0; k < _STATUS_KEY_MAX; k++)
		free(v[k]);
	return text;
}

/* One line per active policy: name, file, rules, mode of the set's generation, tab-separated. */
static void write_policies(struct manager *m, FILE *f)
{
	for (size_t i = 0; m->active && i < m->active->n_policies; i++) {
		const struct compiled_policy *p = &m->active->policies[i];
		const struct policy *src = m->active->source->policies[i];

		fprintf(f, "%s\t%s\t%u\t%s\t%u\n", p->name, p->file, p->n_rules,
			policy_mode_to_string(src->mode), m->active_seq);
	}
	for (size_t i = 0; m->active && i < m->active->n_not_enforced; i++) {
		const struct compiled_not_enforced *ne = &m->active->not_enforced[i];
		const struct compiled_policy *p = &m->active->policies[ne->policy_id];

		fprintf(f, "!\t%s\t%s:%u:%u\t%s\t%s\n", p->name, p->file, ne->line, ne->column,
			ne->path, ne->reason);
	}
}

static void handle_reload(struct control_conn *c, const struct control_request *req)
{
	_cleanup_free_ char *error = NULL, *status = NULL;

	if (manager_reload_notify(c->m, &error) < 0) {
		control_reply(c, false, error ? error : "reload failed");
		return;
	}
	status = manager_status_text(c->m);
	control_reply(c, true, status);
}

static void handle_status(struct control_conn *c, const struct control_request *req)
{
	_cleanup_free_ char *status = manager_status_text(c->m);

	control_reply(c, status != NULL, status ? status : "out of memory");
}

static void handle_policies(struct control_conn *c, const struct control_request *req)
{
	_cleanup_free_ char *list = reply_text(c->m, write_policies);

	control_reply(c, list != NULL, list ? list : "out of memory");
}

static void handle_containers(struct control_conn *c, const struct control_request *req)
{
	_cleanup_free_ char *list = reply_text(c->m, write_containers);

	control_reply(c, list != NULL, list ? list : "out of memory");
}

static void handle_handover(struct control_conn *c, const struct control_request *req)
{
	/* For upgrades: the next stop keeps the pinned programs and maps enforcing until the next
	 * daemon adopts them. */
	c->m->keep_pins = true;
	log_info("Handover requested: the next stop leaves enforcement pinned.");
	control_reply(c, true, "the next stop leaves enforcement pinned\n");
}

static void handle_seccomp_register(struct control_conn *c, const struct control_request *req)
{
	control_seccomp_register(c, req->args[0]);
}

static void handle_container_bind(struct control_conn *c, const struct control_request *req)
{
	control_container_bind(c, req->args[0], req->args[1], req->args[2]);
}

static void handle_container_unbind(struct control_conn *c, const struct control_request *req)
{
	control_container_unbind(c, req->args[0]);
}

/* One handler per request of lib/control.h; the parser has checked the verb and its arguments. */
static void (*const control_handlers[_CONTROL_VERB_MAX])(struct control_conn *c,
							  const struct control_request *req) = {
	[CONTROL_RELOAD] = handle_reload,
	[CONTROL_STATUS] = handle_status,
	[CONTROL_POLICIES] = handle_policies,
	[CONTROL_HANDOVER] = handle_handover,
	[CONTROL_SECCOMP_REGISTER] = handle_seccomp_register,
	[CONTROL_CONTAINER_BIND] = handle_container_bind,
	[CONTROL_CONTAINER_UNBIND] = handle_container_unbind,
	[CONTROL_CONTAINERS] = handle_containers,
};

static int on_control_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct control_conn *c = userdata;
	_cleanup_free_ char *buf = malloc(CONTROL_MAX_MESSAGE + 1);
	struct control_request req;
	const char *reason = NULL;
	char why[512];
	ssize_t n;
	int r;

	if (!buf) {
		control_conn_free(c);
		return 0;
	}
	/* MSG_TRUNC makes recvmsg() return the real size, so an oversized request is seen. A
	 * descriptor may come with it (container-bind: the requester's cgroup namespace); any
	 * other ancillary data is dropped by the kernel (MSG_CTRUNC). */
	{
		struct iovec iov = { .iov_base = buf, .iov_len = CONTROL_MAX_MESSAGE };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(CONTROL_MAX_FDS * sizeof(int))];
		} cm;
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
				      .msg_controllen = sizeof(cm.buf) };
		struct cmsghdr *h;

		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
		for (h = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; h; h = CMSG_NXTHDR(&msg, h)) {
			size_t k = h->cmsg_len >= CMSG_LEN(0)
					   ? (h->cmsg_len - CMSG_LEN(0)) / sizeof(int)
					   : 0;

			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < k; i++) {
				int passed;

				memcpy(&passed, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				if (i < CONTROL_MAX_FDS) {
					closep(&c->passed_fds[i]);
					c->passed_fds[i] = passed;
				} else
					(void)close(passed);
			}
		}
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		control_conn_free(c);
		return 0;
	}
	if (c->answered)
		return 0; /* discarded; the peer hangs up or the timeout ends it */
	if (!c->authorized || n > CONTROL_MAX_MESSAGE) {
		/* The peer may still be sending. Closing now would reset the connection and lose
		 * the reply; instead answer, end our side, and drain until the peer hangs up. */
		control_reply(c, false, !c->authorized
						? "permission denied: only root may control secagentd"
						: "request too large");
		(void)shutdown(fd, SHUT_WR);
		c->answered = true;
		return 0;
	}
	buf[n] = '\0';

	r = control_request_parse(buf, &req, why, sizeof(why), &reason);
	if (r < 0) {
		control_reply(c, false, reason);
		return 0;
	}
	if (control_handlers[req.verb])
		control_handlers[req.verb](c, &req);
	else
		control_reply(c, false, "unknown request");
	control_conn_free(c);
	return 0;
}

static int on_control_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	control_reply(userdata, false, "request timed out");
	control_conn_free(userdata);
	return 0;
}

static int on_control_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct control_conn *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->m = m;
	c->fd = cfd;
	for (size_t i = 0; i < CONTROL_MAX_FDS; i++)
		c->passed_fds[i] = -1;

	/* The socket is 0600, but authorise by the peer's credentials too: fail closed. A refused
	 * peer still gets its request read and answered, so that it sees the refusal rather than a
	 * reset connection. */
	c->authorized = getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) >= 0 && cred.uid == 0;
	c->peer_pid = c->authorized ? cred.pid : 0;
	r = sd_event_add_io(m->event, &c->io, cfd, EPOLLIN, on_control_readable, c);
	if (r >= 0)
		r = sd_event_add_time_relative(m->event, &c->timeout, CLOCK_MONOTONIC,
					       CONTROL_TIMEOUT_SEC * 1000000ULL, 0,
					       on_control_timeout, c);
	if (r < 0)
		control_conn_free(c);
	return 0;
}

static int make_parent_dir(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int control_server_open(struct manager *m)
{
	int r;

	r = make_parent_dir(m->cfg.control_socket);
	if (r >= 0)
		r = control_listen(m->cfg.control_socket, &m->control_fd);
	if (r < 0)
		return log_error_errno(r, "Failed to listen on %s: %m", m->cfg.control_socket);
	r = sd_event_add_io(m->event, NULL, m->control_fd, EPOLLIN, on_control_accept, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch the control socket: %m");
	return 0;
}
