// SPDX-License-Identifier: GPL-2.0-or-later
/* The control requests (lib/control.h), one handler each, acting on the manager. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "container-bindings.h"
#include "control-server.h"
#include "enforcer.h"
#include "log.h"
#include "manager.h"
#include "policy.h"
#include "recording.h"
#include "util.h"

/* "seccomp-register NAME": the peer (by SO_PEERCRED) runs under policy NAME's filter from now
 * on; see seccomp-audit.h. */
static void control_seccomp_register(struct manager *m, struct control_conn *c, const char *name)
{
	_cleanup_free_ char *reply = NULL;
	pid_t pid = control_conn_peer_pid(c);

	if (seccomp_reader_register(m->seccomp, pid, name, &reply) < 0) {
		control_conn_reply(c, false, reply ? reply : "cannot register");
		return;
	}
	if (asprintf(&reply, "pid %d runs under policy %s\n", (int)pid, name) < 0)
		reply = NULL;
	control_conn_reply(c, true, reply);
}

/* The identity the hooks give the program open at @fd (the runtime's, from the hook); ino 0
 * when no descriptor came (a hook of an earlier version). */
static int runtime_identity(struct manager *m, int fd, struct file_identity *ret)
{
	struct file_identity_source ids = enforcer_identity_source(m->enforcer);
	struct stat st;
	int r;

	*ret = (struct file_identity){};
	if (fd < 0)
		return 0;
	r = ids.identify(ids.userdata, fd, "", AT_EMPTY_PATH, &st, ret);
	if (r < 0)
		return r;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

/* "container-bind ID POLICY CGROUP": from secagent-oci-hook at createRuntime, before the
 * container's process runs. The binding takes effect in the active set at once (one map
 * update) and goes into every set installed later. */
static void control_container_bind(struct manager *m, struct control_conn *c, const char *id,
				   const char *policy, const char *cgroup)
{
	_cleanup_free_ char *reply = NULL, *error = NULL;
	const struct compiled_policy *p;
	const struct container_binding *old;
	struct file_identity runtime;
	uint64_t cgroup_id;
	int r, root_fd;

	if (!container_cgroup_path_valid(cgroup)) {
		r = asprintf(&reply,
			     "cgroup '%s' is not a container's: the path must be absolute "
			     "and below the root, without empty, '.' or '..' components",
			     cgroup);
		goto fail;
	}
	/* The path is the requester's view of the cgroup tree: taken as the host's only when its
	 * cgroup namespace (the descriptor sent with the request) is the daemon's own. */
	r = cgroup_namespace_is_ours(control_conn_fd(c, CONTROL_FD_CGROUP_NS));
	if (r <= 0) {
		r = r == 0 ? asprintf(&reply,
				      "the requester is in another cgroup namespace, so cgroup "
				      "%s is not the host's; run the hook in the host's cgroup "
				      "namespace",
				      cgroup)
			   : asprintf(&reply,
				      "the request carries no cgroup namespace to check "
				      "cgroup %s against (%s); secagent-oci-hook sends one",
				      cgroup, strerror(-r));
		goto fail;
	}
	p = compiled_set_find_policy(m->gens.active, policy);
	if (!p) {
		r = asprintf(&reply, "no policy named '%s' in the active set (generation %u)",
			     policy, m->gens.active_seq);
		goto fail;
	}
	if (!p->containers) {
		r = asprintf(&reply,
			     "policy '%s' does not bind containers (its selector needs "
			     "containers: true)",
			     policy);
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
			control_conn_reply(c, true, "already bound\n");
			return;
		}
		r = asprintf(&reply, "container %s is already bound to policy '%s' (cgroup %s)", id,
			     old->policy, old->cgroup);
		goto fail;
	}
	root_fd = control_conn_fd(c, CONTROL_FD_CONTAINER_ROOT);
	if (root_fd < 0) {
		r = asprintf(&reply,
			     "the request carries no container root to resolve policy %s's "
			     "paths in; secagent-oci-hook sends one",
			     policy);
		goto fail;
	}
	r = runtime_identity(m, control_conn_fd(c, CONTROL_FD_RUNTIME_EXE), &runtime);
	if (r < 0) {
		r = asprintf(&reply,
			     "cannot identify the runtime's program sent with the request: %s",
			     strerror(-r));
		goto fail;
	}
	/* On disk first: a daemon restarted from here on binds it again. */
	r = container_bindings_add(m->bindings, id, policy, cgroup, cgroup_id, runtime.dev,
				   runtime.ino, root_fd);
	if (r < 0) {
		log_error_errno(r, "Failed to bind container %s to policy %s: %m", id, policy);
		r = asprintf(&reply, "cannot bind container %s: %s", id, strerror(-r));
		goto fail;
	}
	(void)control_conn_take_fd(c, CONTROL_FD_CONTAINER_ROOT); /* the binding's now */
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
	if (asprintf(&reply, "container %s bound to policy %s (cgroup %s)\n", id, policy, cgroup) <
	    0)
		reply = NULL;
	control_conn_reply(c, true, reply);
	return;
fail:
	if (r < 0)
		reply = NULL;
	control_conn_reply(c, false, reply ? reply : "out of memory");
}

/* "container-unbind ID": from the hook at poststop. Unbinding a container that is not bound
 * succeeds: its createRuntime may have failed, and a poststop hook runs anyway. */
static void control_container_unbind(struct manager *m, struct control_conn *c, const char *id)
{
	const struct container_binding *x = container_bindings_find(m->bindings, id);
	const struct compiled_policy *p;
	bool shared = false;
	int r;

	if (!x) {
		control_conn_reply(c, true, "not bound\n");
		return;
	}
	p = compiled_set_find_policy(m->gens.active, x->policy);
	for (size_t i = 0; i < m->bindings->n; i++) {
		const struct container_binding *y = &m->bindings->items[i];

		if (y != x && y->cgroup_id == x->cgroup_id && streq(y->policy, x->policy))
			shared = true;
	}
	if (p && p->containers && !shared) {
		r = enforcer_update_bound_cgroup(m->enforcer, x->cgroup_id, 0, 1ULL << p->selector);
		if (r < 0) {
			log_error_errno(r, "Failed to unbind container %s: %m", id);
			control_conn_reply(c, false, "cannot unbind: the map update failed");
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
	control_conn_reply(c, true, "unbound\n");
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
		const struct compiled_policy *p =
			compiled_set_find_policy(m->gens.active, x->policy);

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
	struct event_reader_stats es = event_reader_stats(m->events);
	struct event_limiter_stats ls = es.limiter;
	struct seccomp_reader_stats ss = seccomp_reader_stats(m->seccomp);
	uint64_t journal_failed = es.journal_failed + ss.journal_failed;
	const struct compiled_set *a = m->gens.active;
	char hooks[1024], *v[_STATUS_KEY_MAX] = {}, *text;

	(void)enforcer_read_counters(m->enforcer, counters);
	/* Here, not in secagentctl: self-protection refuses links' descriptors to anyone else. */
	if (enforcer_hooks_attached(m->enforcer, hooks, sizeof(hooks)) < 0)
		snprintf(hooks, sizeof(hooks), "?");
	status_set(v, STATUS_POLICY_DIR, "%s", m->cfg.policy_dir);
	status_set(v, STATUS_GENERATION, "%u", m->gens.active_seq);
	status_set(v, STATUS_POLICIES, "%zu", a ? a->n_policies : 0);
	status_set(v, STATUS_RULES, "%zu", a ? a->n_rules : 0);
	status_set(v, STATUS_FILE_ENTRIES, "%zu", a ? a->n_files : 0);
	status_set(v, STATUS_NETWORK_ENTRIES, "%zu", a ? a->n_net : 0);
	status_set(v, STATUS_ADOPTED, "%s", enforcer_adopted(m->enforcer) ? "yes" : "no");
	status_set(v, STATUS_EVENTS_RECEIVED, "%" PRIu64, es.received);
	status_set(v, STATUS_EVENTS_LOGGED, "%" PRIu64, ls.emitted);
	status_set(v, STATUS_EVENTS_COALESCED, "%" PRIu64, ls.coalesced);
	status_set(v, STATUS_EVENTS_SUPPRESSED, "%" PRIu64, ls.suppressed);
	status_set(v, STATUS_EVENTS_DELIVERED, "%" PRIu64,
		   ls.emitted + ls.coalesced + ls.suppressed - es.journal_failed);
	status_set(v, STATUS_EVENTS_LOST_RINGBUF, "%" PRIu64, counters[SA_COUNTER_EVENTS_LOST]);
	status_set(v, STATUS_EVENTS_LOST_JOURNAL, "%" PRIu64, journal_failed);
	status_set(v, STATUS_DENIED, "%" PRIu64, counters[SA_COUNTER_DENIED]);
	status_set(v, STATUS_AUDITED, "%" PRIu64, counters[SA_COUNTER_AUDITED]);
	status_set(v, STATUS_FAIL_CLOSED, "%" PRIu64, counters[SA_COUNTER_FAIL_CLOSED]);
	status_set(v, STATUS_RELOADS_OK, "%" PRIu64, m->reloads_ok);
	status_set(v, STATUS_RELOADS_FAILED, "%" PRIu64, m->reloads_failed);
	status_set(v, STATUS_UPTIME_SEC, "%" PRIu64,
		   (monotonic_usec() - m->started_usec) / 1000000);
	status_set(v, STATUS_SECCOMP_AUDIT, "%s", ss.reporting ? "yes" : "no");
	status_set(v, STATUS_SECCOMP_REGISTERED, "%zu", ss.registered);
	status_set(v, STATUS_SECCOMP_EVENTS, "%" PRIu64, ss.events);
	status_set(v, STATUS_SECCOMP_UNATTRIBUTED, "%" PRIu64, ss.unattributed);
	status_set(v, STATUS_SECCOMP_SUPPRESSED, "%" PRIu64, ss.suppressed);
	status_set(v, STATUS_SECCOMP_OVERFLOWS, "%" PRIu64, ss.overflows);
	status_set(v, STATUS_HOOKS_OFF, "%s", enforcer_hooks_off(m->enforcer));
	status_set(v, STATUS_HOOKS_ATTACHED, "%s", hooks);
	status_set(v, STATUS_RULES_NOT_ENFORCED, "%zu", a ? a->n_not_enforced : 0);
	status_set(v, STATUS_POLICY_WATCH, "%s",
		   !m->watch			   ? "off"
		   : policy_watch_active(m->watch) ? "on"
						   : "stopped (the directory went away)");
	status_set(v, STATUS_METRICS, "%s%s%s%s%s", m->cfg.metrics.listen ? "http://" : "",
		   m->cfg.metrics.listen ? m->cfg.metrics.listen : "",
		   m->cfg.metrics.listen && m->cfg.metrics.textfile ? " " : "",
		   m->cfg.metrics.textfile ? m->cfg.metrics.textfile : "",
		   m->cfg.metrics.listen || m->cfg.metrics.textfile ? "" : "off");
	status_set(v, STATUS_RECORDING, "%s", m->recording ? m->recording->cgroup : "none");
	text = control_status_format(v);
	for (size_t k = 0; k < _STATUS_KEY_MAX; k++)
		free(v[k]);
	return text;
}

/* One line per active policy: name, file, rules, mode of the set's generation, tab-separated. */
static void write_policies(struct manager *m, FILE *f)
{
	for (size_t i = 0; m->gens.active && i < m->gens.active->n_policies; i++) {
		const struct compiled_policy *p = &m->gens.active->policies[i];
		const struct policy *src = m->gens.active->source->policies[i];

		fprintf(f, "%s\t%s\t%u\t%s\t%u\n", p->name, p->file, p->n_rules,
			policy_mode_to_string(src->mode), m->gens.active_seq);
	}
	for (size_t i = 0; m->gens.active && i < m->gens.active->n_not_enforced; i++) {
		const struct compiled_not_enforced *ne = &m->gens.active->not_enforced[i];
		const struct compiled_policy *p = &m->gens.active->policies[ne->policy_id];

		fprintf(f, "!\t%s\t%s:%u:%u\t%s\t%s\n", p->name, p->file, ne->line, ne->column,
			ne->path, ne->reason);
	}
}

static void handle_reload(void *userdata, struct control_conn *c, const struct control_request *req)
{
	struct manager *m = userdata;

	_cleanup_free_ char *error = NULL, *status = NULL;

	if (manager_reload_notify(m, &error) < 0) {
		control_conn_reply(c, false, error ? error : "reload failed");
		return;
	}
	status = manager_status_text(m);
	control_conn_reply(c, true, status);
}

static void handle_status(void *userdata, struct control_conn *c, const struct control_request *req)
{
	struct manager *m = userdata;

	_cleanup_free_ char *status = manager_status_text(m);

	control_conn_reply(c, status != NULL, status ? status : "out of memory");
}

static void handle_policies(void *userdata, struct control_conn *c,
			    const struct control_request *req)
{
	struct manager *m = userdata;

	_cleanup_free_ char *list = reply_text(m, write_policies);

	control_conn_reply(c, list != NULL, list ? list : "out of memory");
}

static void handle_containers(void *userdata, struct control_conn *c,
			      const struct control_request *req)
{
	struct manager *m = userdata;

	_cleanup_free_ char *list = reply_text(m, write_containers);

	control_conn_reply(c, list != NULL, list ? list : "out of memory");
}

static void handle_handover(void *userdata, struct control_conn *c,
			    const struct control_request *req)
{
	struct manager *m = userdata;

	/* For upgrades: the next stop keeps the pinned programs and maps enforcing until the next
	 * daemon adopts them. */
	m->keep_pins = true;
	log_info("Handover requested: the next stop leaves enforcement pinned.");
	control_conn_reply(c, true, "the next stop leaves enforcement pinned\n");
}

static void handle_seccomp_register(void *userdata, struct control_conn *c,
				    const struct control_request *req)
{
	struct manager *m = userdata;

	control_seccomp_register(m, c, req->args[0]);
}

static void handle_container_bind(void *userdata, struct control_conn *c,
				  const struct control_request *req)
{
	struct manager *m = userdata;

	control_container_bind(m, c, req->args[0], req->args[1], req->args[2]);
}

static void handle_container_unbind(void *userdata, struct control_conn *c,
				    const struct control_request *req)
{
	struct manager *m = userdata;

	control_container_unbind(m, c, req->args[0]);
}

/* "record-start CGROUP" with the log's descriptor: records the processes of CGROUP (a path
 * relative to the cgroup2 root, as a selector names it) for the requester; see recording.h. */
static void handle_record_start(void *userdata, struct control_conn *c,
				const struct control_request *req)
{
	struct manager *m = userdata;
	const char *cgroup = req->args[0];
	_cleanup_free_ char *reply = NULL, *error = NULL;
	int log_fd, r;

	if (!container_cgroup_path_valid(cgroup) || strpbrk(cgroup, "'\\\n\t") ||
	    strlen(cgroup) >= SA_CGROUP_PATH_LEN ||
	    cgroup_path_levels(cgroup) > POLICY_CGROUP_MAX_LEVELS) {
		r = asprintf(
			&reply,
			"cannot record cgroup '%s': it must be an absolute path below the root "
			"of at most %d levels and %d bytes, without empty, '.' or '..' "
			"components or quotes",
			cgroup, POLICY_CGROUP_MAX_LEVELS, SA_CGROUP_PATH_LEN - 1);
		control_conn_reply(c, false, r < 0 ? "invalid cgroup" : reply);
		return;
	}
	log_fd = control_conn_take_fd(c, CONTROL_FD_RECORDING_LOG);
	if (log_fd < 0) {
		control_conn_reply(c, false, "the request carries no log to write the events to");
		return;
	}
	r = manager_record_start(m, cgroup, log_fd, control_conn_peer_pid(c), &error);
	if (r < 0) {
		if (asprintf(&reply, "cannot record: %s", error ? error : strerror(-r)) < 0)
			reply = NULL;
		control_conn_reply(c, false, reply ? reply : "cannot record");
		return;
	}
	if (asprintf(&reply, "policy=%s\ngeneration=%u\n", RECORDING_POLICY_NAME,
		     m->gens.active_seq) < 0)
		reply = NULL;
	control_conn_reply(c, true, reply);
}

/* "record-stop": key=value lines, the system calls as numbers separated by commas. */
static void handle_record_stop(void *userdata, struct control_conn *c,
			       const struct control_request *req)
{
	struct manager *m = userdata;
	_cleanup_free_ struct recording_result *res = calloc(1, sizeof(*res));
	_cleanup_free_ char *error = NULL, *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!res) {
		control_conn_reply(c, false, "out of memory");
		return;
	}
	/* Only its recorder ends a recording (or the daemon, when the recorder is gone). */
	if (m->recording && m->recording->recorder_pid != control_conn_peer_pid(c)) {
		char why[96];

		snprintf(why, sizeof(why), "the recording belongs to pid %d",
			 (int)m->recording->recorder_pid);
		control_conn_reply(c, false, why);
		return;
	}
	if (manager_record_stop(m, res, &error) < 0) {
		control_conn_reply(c, false, "no recording is running");
		return;
	}
	f = open_memstream(&text, &size);
	if (!f) {
		control_conn_reply(c, false, "out of memory");
		return;
	}
	fprintf(f, "events=%" PRIu64 "\nlost=%" PRIu64 "\nlog_failed=%" PRIu64 "\n", res->events,
		res->lost, res->log_failed);
	fprintf(f, "syscalls_out_of_range=%" PRIu64 "\npolicy_removed=%s\nsyscalls=",
		res->syscalls_out_of_range, res->policy_removed ? "yes" : "no");
	for (unsigned i = 0, n = 0; i < SA_RECORD_SYSCALLS; i++)
		if (res->syscalls[i])
			fprintf(f, "%s%u", n++ ? "," : "", i);
	fputc('\n', f);
	if (!res->policy_removed)
		fprintf(f, "error=%s\n", error ? error : "the policy directory did not compile");
	if (fclose(f) != 0) {
		control_conn_reply(c, false, "out of memory");
		return;
	}
	control_conn_reply(c, true, text);
}

/* One handler per request of lib/control.h; the parser has checked the verb and its arguments. */
const control_handler control_handlers[_CONTROL_VERB_MAX] = {
	[CONTROL_RELOAD] = handle_reload,
	[CONTROL_STATUS] = handle_status,
	[CONTROL_POLICIES] = handle_policies,
	[CONTROL_HANDOVER] = handle_handover,
	[CONTROL_SECCOMP_REGISTER] = handle_seccomp_register,
	[CONTROL_CONTAINER_BIND] = handle_container_bind,
	[CONTROL_CONTAINER_UNBIND] = handle_container_unbind,
	[CONTROL_CONTAINERS] = handle_containers,
	[CONTROL_RECORD_START] = handle_record_start,
	[CONTROL_RECORD_STOP] = handle_record_stop,
};
