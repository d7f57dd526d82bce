// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "compile.h"
#include "container-bindings.h"
#include "control.h"
#include "event-limiter.h"
#include "journal-event.h"
#include "log.h"
#include "manager.h"
#include "privileges.h"
#include "seccomp-audit.h"
#include "seccomp-filter.h"
#include "util.h"

/* Events handled per turn of the event loop before the control socket and the tick get theirs. */
#define EVENT_BATCH 256

/* Policy names of recent generations, so an event decided a few reloads ago (or reported late,
 * coalesced) still names its policy. Names only: rule locations are kept for two sets. */
#define NAME_HISTORY 64

struct generation_names {
	uint32_t seq;
	size_t n;
	char **names, **files;
};

struct manager {
	struct manager_config cfg;
	sd_event *event;
	struct enforcer *enforcer;
	struct ring_buffer *ringbuf;
	int control_fd;
	/* The active set and the one before it: events decided just before a switch still name
	 * the policy that decided them. */
	struct compiled_set *active, *previous;
	uint32_t active_seq, previous_seq;
	struct event_limiter *limiter;
	sd_event_source *tick;
	uint64_t lost_reported; /* ring buffer losses already reported to journald */
	uint64_t last_status_usec;
	uint64_t events_received, events_journal_failed, reloads_ok, reloads_failed;
	unsigned batch; /* events handled in this turn of the event loop */
	uint64_t started_usec;
	bool keep_pins; /* set by a "handover" request: the next stop leaves enforcement pinned */
	struct generation_names history[NAME_HISTORY]; /* indexed by seq % NAME_HISTORY */
	struct container_bindings *bindings; /* containers bound to container policies */

	/* seccomp: audit records of the filters `secagentctl exec` applies (seccomp-audit.h) */
	int audit_fd; /* -1: seccomp events are not reported */
	int audit_error;
	struct seccomp_registry *registry;
	uint64_t seccomp_events, seccomp_unattributed, seccomp_suppressed, seccomp_overflows;
	uint64_t seccomp_window_start, seccomp_window_count; /* rate limit, as the LSM events' */
	uint64_t seccomp_suppressed_reported, seccomp_overflows_reported;
};

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

static uint64_t now_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void manager_notify_status(struct manager *m)
{
	uint64_t counters[SA_COUNTER__MAX] = {};

	(void)enforcer_read_counters(m->enforcer, counters);
	sd_notifyf(false,
		   "STATUS=%zu policies, %zu file rules (generation %u); %llu events, %llu lost",
		   m->active ? m->active->n_policies : 0, m->active ? m->active->n_files : 0,
		   m->active_seq, (unsigned long long)m->events_received,
		   (unsigned long long)(counters[SA_COUNTER_EVENTS_LOST] +
					m->events_journal_failed));
}

/* The bound containers as the compiler takes them; NULL when out of memory. */
static struct compile_container *bound_containers(struct manager *m)
{
	struct compile_container *ctrs = calloc(m->bindings->n ? m->bindings->n : 1, sizeof(*ctrs));

	for (size_t i = 0; ctrs && i < m->bindings->n; i++)
		ctrs[i] = (struct compile_container){
			.id = m->bindings->items[i].id,
			.policy = m->bindings->items[i].policy,
			.root_fd = m->bindings->items[i].root_fd,
		};
	return ctrs;
}

/* Logs every diagnostic of a set that failed with @r, and gives them as text, one per line, in
 * @ret_error (if given). Returns @r. */
static int report_failed_set(struct diag_list *diags, int r, char **ret_error)
{
	_cleanup_free_ char *text = diags->n ? diag_join(diags) : NULL;

	for (size_t i = 0; i < diag_shown(diags); i++) {
		const struct diag *d = &diags->items[i];

		if (d->line)
			log_error("%s:%u:%u: %s", d->file, d->line, d->column, d->message);
		else
			log_error("%s: %s", d->file, d->message);
	}
	if (diags->n > diag_shown(diags))
		log_error("(%zu more errors not shown)", diags->n - diag_shown(diags));
	diag_list_clear(diags);
	if (ret_error)
		*ret_error = text ? TAKE_PTR(text) : strdup(strerror(-r));
	return r;
}

/* Compile @set (taking it) with the bound containers; on failure as report_failed_set(). */
static int manager_compile(struct manager *m, struct policy_set *set, struct compiled_set **ret,
			   char **ret_error)
{
	struct diag_list diags = {};
	_cleanup_free_ struct compile_container *ctrs = bound_containers(m);
	/* Before the programs are loaded (the check at start) stat(2) stands in for the probe. */
	struct file_identity_source ids = m->enforcer ? enforcer_identity_source(m->enforcer)
						      : file_identity_stat;
	int r;

	if (!ctrs) {
		policy_set_free(set);
		return report_failed_set(&diags, -ENOMEM, ret_error);
	}
	r = compile_policy_set(set, &ids, ctrs, m->bindings->n, &diags, ret);
	return r < 0 ? report_failed_set(&diags, r, ret_error) : 0;
}

/* Parse and compile the policy directory, with the bound containers; on failure as
 * report_failed_set(). */
static int manager_build_set(struct manager *m, struct compiled_set **ret, char **ret_error)
{
	struct diag_list diags = {};
	struct policy_set *set = NULL;
	int r;

	r = policy_set_load_dir(m->cfg.policy_dir, &diags, &set);
	if (r < 0)
		return report_failed_set(&diags, r, ret_error);
	return manager_compile(m, set, ret, ret_error);
}

static void generation_names_clear(struct generation_names *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->names[i]);
		free(g->files[i]);
	}
	free(g->names);
	free(g->files);
	*g = (struct generation_names){};
}

static void remember_names(struct manager *m, uint32_t seq, const struct compiled_set *c)
{
	struct generation_names *g = &m->history[seq % NAME_HISTORY];

	generation_names_clear(g);
	g->names = calloc(c->n_policies ? c->n_policies : 1, sizeof(char *));
	g->files = calloc(c->n_policies ? c->n_policies : 1, sizeof(char *));
	if (!g->names || !g->files) {
		generation_names_clear(g);
		return; /* events of this generation will name the policy by number */
	}
	for (size_t i = 0; i < c->n_policies; i++) {
		g->names[i] = strdup(c->policies[i].name);
		g->files[i] = strdup(c->policies[i].file);
		g->n = i + 1;
	}
	g->seq = seq;
}

static const struct compiled_policy *find_policy(const struct compiled_set *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_policies; i++)
		if (streq(c->policies[i].name, name))
			return &c->policies[i];
	return NULL;
}

/*
 * A bound container's root, kept in systemd's file descriptor store (FileDescriptorStoreMax=
 * in the unit) under the container's id: a restarted daemon resolves the policy's paths in the
 * same root again (container_roots_restore()). Without systemd, nothing is kept.
 */
static void fdstore_add(const char *id, int fd)
{
	char msg[64 + CONTAINER_ID_MAX];
	int r;

	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", id);
	r = sd_pid_notify_with_fds(0, false, msg, &fd, 1);
	if (r <= 0)
		log_warning("Cannot keep container %s's root in systemd's descriptor store (%s): a "
			    "restarted daemon will list its paths as not enforced.", id,
			    r < 0 ? strerror(-r) : "not run by systemd");
}

static void fdstore_remove(const char *id)
{
	(void)sd_notifyf(false, "FDSTOREREMOVE=1\nFDNAME=%s", id);
}

/* Gives the bindings read from disk their roots back, from systemd's descriptor store. */
static void container_roots_restore(struct manager *m)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(true, &names);

	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;

		if (!names || !names[i] || container_bindings_set_root(m->bindings, names[i], fd) < 0) {
			(void)close(fd);
			if (names && names[i])
				fdstore_remove(names[i]);
		}
	}
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	for (size_t i = 0; i < m->bindings->n; i++)
		if (m->bindings->items[i].root_fd < 0)
			log_error("Container %s is bound to policy %s, but its root was lost (the "
				  "daemon was stopped, not restarted): the policy's file and exec "
				  "paths are NOT enforced in it (secagentctl status lists them); "
				  "restart the container.",
				  m->bindings->items[i].id, m->bindings->items[i].policy);
}

/* Drops the bindings of containers whose cgroup is gone: they ended without a poststop. */
static void prune_bindings(struct manager *m)
{
	for (size_t i = 0; i < m->bindings->n;) {
		const struct container_binding *x = &m->bindings->items[i];
		uint64_t id;

		int r = container_cgroup_id(x->cgroup, &id);

		/* Only a cgroup that is gone, or made anew, ends a binding; any other error keeps
		 * it: dropping it would leave the container unconfined. */
		if ((r == 0 && id == x->cgroup_id) || (r < 0 && r != -ENOENT && r != -ENOTDIR)) {
			if (r < 0)
				log_warning_errno(r, "Cannot check the cgroup %s of container %s (%m); "
						     "keeping its binding.", x->cgroup, x->id);
			i++;
			continue;
		}
		log_info("Container %s has ended (cgroup %s is gone); its binding to policy %s is "
			 "dropped.", x->id, x->cgroup, x->policy);
		fdstore_remove(x->id);
		(void)container_bindings_remove(m->bindings, x->id);
	}
}

/* Adds the container bindings to @c, so that the set is installed with them. */
static int attach_bindings(struct manager *m, struct compiled_set *c)
{
	struct compiled_selectors *sel = &c->selectors;

	prune_bindings(m);
	free(sel->bound);
	sel->bound = calloc(m->bindings->n ? m->bindings->n : 1, sizeof(*sel->bound));
	sel->n_bound = 0;
	if (!sel->bound)
		return -ENOMEM;
	for (size_t i = 0; i < m->bindings->n; i++) {
		const struct container_binding *x = &m->bindings->items[i];
		const struct compiled_policy *p = find_policy(c, x->policy);

		if (!p || !p->containers) {
			log_warning("Container %s asked for policy %s, which the new set %s; the "
				    "container is not bound until the policy is back.",
				    x->id, x->policy,
				    p ? "has without selector containers: true" : "does not have");
			continue;
		}
		sel->bound[sel->n_bound++] = (struct compiled_bound_cgroup){
			.cgroup_id = x->cgroup_id,
			.selectors = 1ULL << p->selector,
		};
	}
	return 0;
}

/* Make @c the active set (taking it); on failure the active set stays. */
static int manager_activate(struct manager *m, struct compiled_set *c, char **ret_error)
{
	uint32_t seq;
	int r;

	r = attach_bindings(m, c);
	if (r >= 0)
		r = enforcer_install(m->enforcer, c, &seq);
	if (r < 0) {
		log_error_errno(r, "Failed to install the policy set; generation %u stays in force: %m",
				m->active_seq);
		if (ret_error && asprintf(ret_error, "installing the policy set failed: %s",
					  strerror(-r)) < 0)
			*ret_error = NULL;
		compiled_set_free(c);
		m->reloads_failed++;
		return r;
	}

	compiled_set_free(m->previous);
	m->previous = m->active;
	m->previous_seq = m->active_seq;
	m->active = c;
	m->active_seq = seq;
	remember_names(m, seq, c);
	m->reloads_ok++;
	log_info("Policy generation %u active: %zu policies, %zu rules, %zu file entries from %s.",
		 seq, c->n_policies, c->n_rules, c->n_files, m->cfg.policy_dir);
	return 0;
}

/* Compile the active set's policies again with the bindings as they are now (a container bound
 * or unbound), and switch to it; on any error the active set stays in force. */
static int manager_recompile_active(struct manager *m, char **ret_error)
{
	struct compiled_set *c = NULL;
	int r;

	if (!m->active)
		return -ESRCH;
	r = manager_compile(m, policy_set_ref(m->active->source), &c, ret_error);
	if (r < 0)
		return r;
	return manager_activate(m, c, ret_error);
}

/* Build the directory's set and switch to it; on any error the active set stays in force. */
static int manager_reload(struct manager *m, char **ret_error)
{
	struct compiled_set *c = NULL;
	int r;

	r = manager_build_set(m, &c, ret_error);
	if (r < 0) {
		m->reloads_failed++;
		log_error("Policy set in %s rejected; generation %u stays in force.",
			  m->cfg.policy_dir, m->active_seq);
		return r;
	}
	return manager_activate(m, c, ret_error);
}

static int manager_reload_notify(struct manager *m, char **ret_error)
{
	int r;

	sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading policies",
		   (unsigned long long)now_usec(CLOCK_MONOTONIC));
	r = manager_reload(m, ret_error);
	sd_notify(false, "READY=1");
	manager_notify_status(m);
	return r;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	log_info("SIGHUP: reloading policies from %s.", ((struct manager *)userdata)->cfg.policy_dir);
	(void)manager_reload_notify(userdata, NULL);
	return 0;
}

static void report_lost_events(struct manager *m);

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	sd_notify(false, "STOPPING=1");
	/* Report what is still in flight before going. */
	do
		m->batch = 0;
	while (ring_buffer__consume(m->ringbuf) == -EAGAIN);
	event_limiter_flush(m->limiter, now_usec(CLOCK_MONOTONIC), true);
	report_lost_events(m);
	if (m->keep_pins) {
		log_info("Stopping on signal %u; enforcement stays pinned in %s for the next daemon.",
			 si->ssi_signo, m->cfg.pin_dir);
	} else {
		static const struct compiled_set no_rules = {};
		uint32_t seq;
		int r;

		log_info("Stopping on signal %u; removing the pinned state, enforcement ends.",
			 si->ssi_signo);
		/* Switch to an empty set first, so that enforcement ends now: the kernel may detach
		 * the programs only after we are gone (seen on 5.10, up to a second later). */
		r = enforcer_install(m->enforcer, &no_rules, &seq);
		if (r < 0)
			log_warning_errno(r, "Failed to clear the rules before stopping; they hold "
					     "until the kernel detaches the programs: %m");
		enforcer_remove_pins(m->enforcer);
	}
	return sd_event_exit(m->event, 0);
}

static const struct compiled_set *set_for_seq(const struct manager *m, uint32_t seq)
{
	if (m->active && seq == m->active_seq)
		return m->active;
	if (m->previous && seq == m->previous_seq)
		return m->previous;
	return NULL;
}

static void resolve_origin(const struct manager *m, const struct sa_event *ev,
			   struct event_origin *ret)
{
	const struct compiled_set *c = set_for_seq(m, ev->seq);
	const struct compiled_rule *rule = c ? compiled_set_rule(c, ev->rule_ref) : NULL;
	uint32_t policy_id = SA_RULE_POLICY(ev->rule_ref);

	*ret = (struct event_origin){};
	if (rule) {
		ret->policy = c->policies[policy_id].name;
		ret->policy_file = c->policies[policy_id].file;
		ret->rule_line = rule->line;
		ret->rule_column = rule->column;
	} else {
		const struct generation_names *g = &m->history[ev->seq % NAME_HISTORY];

		if (g->names && g->seq == ev->seq && policy_id < g->n) {
			ret->policy = g->names[policy_id];
			ret->policy_file = g->files[policy_id];
		}
	}
}

static void note_journal_result(struct manager *m, int r)
{
	if (r < 0 && m->events_journal_failed++ == 0)
		log_error_errno(r, "Failed to write an event to journald (counted as lost): %m");
}

static int on_ringbuf_event(void *ctx, void *data, size_t size)
{
	struct manager *m = ctx;
	const struct sa_event *ev = data;
	struct event_origin origin;

	if (size < sizeof(*ev) || ev->version != SA_LAYOUT_VERSION) {
		m->events_journal_failed++;
		return 0;
	}
	m->events_received++;
	if (event_limiter_check(m->limiter, ev, now_usec(CLOCK_MONOTONIC)) == EVENT_EMIT) {
		resolve_origin(m, ev, &origin);
		note_journal_result(m, journal_send_event(ev, &origin));
	}
	/* Give the event loop back now and then: a deep backlog must not starve the control
	 * socket and the watchdog. libbpf has consumed this record already; the rest stays in the
	 * ring buffer, which stays readable. */
	return ++m->batch >= EVENT_BATCH ? -EAGAIN : 0;
}

static void on_events_repeated(void *userdata, const struct sa_event *first, uint64_t count,
			       uint64_t window_usec)
{
	struct manager *m = userdata;
	struct event_origin origin;

	resolve_origin(m, first, &origin);
	note_journal_result(m, journal_send_repeated(first, &origin, count, window_usec));
}

static void on_events_suppressed(void *userdata, const struct sa_event *sample, uint64_t count)
{
	struct manager *m = userdata;
	struct event_origin origin;

	resolve_origin(m, sample, &origin);
	note_journal_result(m, journal_send_suppressed(&origin, count, m->cfg.limiter.burst,
							m->cfg.limiter.interval_usec));
}

/* Report ring buffer losses as they happen: a loss that is only counted is not seen. */
static void report_lost_events(struct manager *m)
{
	uint64_t counters[SA_COUNTER__MAX] = {};

	if (enforcer_read_counters(m->enforcer, counters) < 0)
		return;
	if (counters[SA_COUNTER_EVENTS_LOST] > m->lost_reported) {
		note_journal_result(m, journal_send_lost(counters[SA_COUNTER_EVENTS_LOST] -
								 m->lost_reported,
							 counters[SA_COUNTER_EVENTS_LOST]));
		m->lost_reported = counters[SA_COUNTER_EVENTS_LOST];
	}
}

/*
 * The errno a denied call of @rec failed with: the record has the action only, so it is read
 * from the policy, as the active set has it (`secagentctl exec` read the same directory; a
 * policy changed since without a reload can make this differ). 0 when unknown.
 */
static int seccomp_errno(const struct manager *m, const struct seccomp_record *rec,
			 const char *policy)
{
	const struct policy_set *set = m->active ? m->active->source : NULL;
	char *name = NULL;
	int e = 0;

	if (!policy || !set || !streq(seccomp_record_action(rec), "deny"))
		return 0;
	for (size_t i = 0; i < set->n_policies; i++) {
		const struct policy *p = set->policies[i];

		if (!streq(p->name, policy) || !p->syscalls)
			continue;
		if (rec->arch && rec->syscall >= 0 && rec->syscall <= INT32_MAX)
			name = seccomp_syscall_resolve_num_arch(rec->arch, (int)rec->syscall);
		e = seccomp_filter_deny_errno(p->syscalls, p->mode, name, rec->syscall);
		free(name);
		break;
	}
	return e;
}

/* Records of one turn of the event loop, as for the ring buffer. */
static int on_audit_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	/* A record is at most 8970 bytes (MAX_AUDIT_MESSAGE_LENGTH in libaudit) with its header. */
	char buf[8970 + NLMSG_HDRLEN + 1];

	for (unsigned i = 0; i < EVENT_BATCH; i++) {
		struct seccomp_record rec;
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		const char *policy = NULL, *why = NULL;
		pid_t via = 0;
		uint64_t now;
		ssize_t n;

		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				m->seccomp_overflows++;
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				log_warning_errno(-errno, "Failed to read the audit socket: %m");
			break;
		}
		/* The kernel's multicast sends one record per message. */
		if ((size_t)n < NLMSG_HDRLEN || h->nlmsg_type != AUDIT_SECCOMP ||
		    h->nlmsg_len > (size_t)n || h->nlmsg_len < NLMSG_HDRLEN)
			continue;
		if (seccomp_record_parse(buf + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN, &rec) < 0)
			continue;

		m->seccomp_events++;
		now = now_usec(CLOCK_MONOTONIC);
		if (now - m->seccomp_window_start >= m->cfg.limiter.interval_usec) {
			m->seccomp_window_start = now;
			m->seccomp_window_count = 0;
		}
		if (m->cfg.limiter.burst && m->seccomp_window_count++ >= m->cfg.limiter.burst) {
			m->seccomp_suppressed++;
			continue;
		}
		if (seccomp_registry_attribute(m->registry, rec.pid, &policy, &via, &why) <= 0)
			m->seccomp_unattributed++;
		note_journal_result(m, journal_send_seccomp(&rec, policy, via, why,
							    seccomp_errno(m, &rec, policy)));
	}
	return 0;
}

/* Counted drops of seccomp records, reported as they happen. */
static void report_seccomp_drops(struct manager *m)
{
	if (m->seccomp_suppressed > m->seccomp_suppressed_reported) {
		note_journal_result(m, journal_send_seccomp_dropped(
					       m->seccomp_suppressed - m->seccomp_suppressed_reported,
					       false, m->cfg.limiter.burst,
					       m->cfg.limiter.interval_usec));
		m->seccomp_suppressed_reported = m->seccomp_suppressed;
	}
	if (m->seccomp_overflows > m->seccomp_overflows_reported) {
		note_journal_result(m, journal_send_seccomp_dropped(
					       m->seccomp_overflows - m->seccomp_overflows_reported,
					       true, 0, 0));
		m->seccomp_overflows_reported = m->seccomp_overflows;
	}
}

#define TICK_USEC (250 * 1000ULL)

/* Every tick: report ended coalescing groups and rate windows, losses, the watchdog, and now
 * and then the status line. */
static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	int r;

	event_limiter_flush(m->limiter, now, false);
	report_lost_events(m);
	report_seccomp_drops(m);
	sd_notify(false, "WATCHDOG=1");
	if (now - m->last_status_usec >= 5 * 1000000ULL) {
		manager_notify_status(m);
		m->last_status_usec = now;
	}
	r = sd_event_source_set_time_relative(s, TICK_USEC);
	if (r >= 0)
		/* Time sources are one-shot: without this the watchdog would starve. */
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return r;
}

static int on_ringbuf_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r;

	m->batch = 0;
	r = ring_buffer__consume(m->ringbuf);
	if (r < 0 && r != -EAGAIN)
		log_warning_errno(r, "Failed to read events from the ring buffer: %m");
	return 0;
}

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

static char *manager_status_text(struct manager *m)
{
	uint64_t counters[SA_COUNTER__MAX] = {};
	struct event_limiter_stats ls = event_limiter_stats(m->limiter);
	char hooks[1024], *text;

	(void)enforcer_read_counters(m->enforcer, counters);
	/* Here, not in secagentctl: self-protection refuses links' descriptors to anyone else. */
	if (enforcer_hooks_attached(m->enforcer, hooks, sizeof(hooks)) < 0)
		snprintf(hooks, sizeof(hooks), "?");
	if (asprintf(&text,
		     "policy_dir=%s\ngeneration=%u\npolicies=%zu\nrules=%zu\nfile_entries=%zu\n"
		     "network_entries=%zu\n"
		     "adopted=%s\nevents_received=%llu\nevents_logged=%llu\nevents_coalesced=%llu\n"
		     "events_suppressed=%llu\nevents_delivered=%llu\nevents_lost_ringbuf=%llu\n"
		     "events_lost_journal=%llu\ndenied=%llu\naudited=%llu\nfail_closed=%llu\n"
		     "reloads_ok=%llu\nreloads_failed=%llu\nuptime_sec=%llu\n"
		     "seccomp_audit=%s\nseccomp_registered=%zu\nseccomp_events=%llu\n"
		     "seccomp_unattributed=%llu\nseccomp_suppressed=%llu\nseccomp_overflows=%llu\n"
		     "hooks_off=%s\nhooks_attached=%s\nrules_not_enforced=%zu\n",
		     m->cfg.policy_dir, m->active_seq, m->active ? m->active->n_policies : 0,
		     m->active ? m->active->n_rules : 0, m->active ? m->active->n_files : 0,
		     m->active ? m->active->n_net : 0,
		     enforcer_adopted(m->enforcer) ? "yes" : "no",
		     (unsigned long long)m->events_received, (unsigned long long)ls.emitted,
		     (unsigned long long)ls.coalesced, (unsigned long long)ls.suppressed,
		     (unsigned long long)(ls.emitted + ls.coalesced + ls.suppressed -
					  m->events_journal_failed),
		     (unsigned long long)counters[SA_COUNTER_EVENTS_LOST],
		     (unsigned long long)m->events_journal_failed,
		     (unsigned long long)counters[SA_COUNTER_DENIED],
		     (unsigned long long)counters[SA_COUNTER_AUDITED],
		     (unsigned long long)counters[SA_COUNTER_FAIL_CLOSED],
		     (unsigned long long)m->reloads_ok, (unsigned long long)m->reloads_failed,
		     (unsigned long long)((now_usec(CLOCK_MONOTONIC) - m->started_usec) / 1000000),
		     m->audit_fd >= 0 ? "yes" : "no", seccomp_registry_size(m->registry),
		     (unsigned long long)m->seccomp_events,
		     (unsigned long long)m->seccomp_unattributed,
		     (unsigned long long)m->seccomp_suppressed,
		     (unsigned long long)m->seccomp_overflows, enforcer_hooks_off(m->enforcer), hooks,
		     m->active ? m->active->n_not_enforced : 0) <
	    0)
		return NULL;
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
	switch (req.verb) {
	case CONTROL_RELOAD: {
		_cleanup_free_ char *error = NULL;

		if (manager_reload_notify(c->m, &error) < 0)
			control_reply(c, false, error ? error : "reload failed");
		else {
			_cleanup_free_ char *status = manager_status_text(c->m);

			control_reply(c, true, status);
		}
		break;
	}
	case CONTROL_HANDOVER:
		/* For upgrades: the next stop keeps the pinned programs and maps enforcing until
		 * the next daemon adopts them. */
		c->m->keep_pins = true;
		log_info("Handover requested: the next stop leaves enforcement pinned.");
		control_reply(c, true, "the next stop leaves enforcement pinned\n");
		break;
	case CONTROL_POLICIES:
	case CONTROL_CONTAINERS: {
		_cleanup_free_ char *list = reply_text(c->m, req.verb == CONTROL_POLICIES
								     ? write_policies
								     : write_containers);

		control_reply(c, list != NULL, list ? list : "out of memory");
		break;
	}
	case CONTROL_SECCOMP_REGISTER:
		control_seccomp_register(c, req.args[0]);
		break;
	case CONTROL_CONTAINER_BIND:
		control_container_bind(c, req.args[0], req.args[1], req.args[2]);
		break;
	case CONTROL_CONTAINER_UNBIND:
		control_container_unbind(c, req.args[0]);
		break;
	case CONTROL_STATUS: {
		_cleanup_free_ char *status = manager_status_text(c->m);

		control_reply(c, status != NULL, status ? status : "out of memory");
		break;
	}
	default:
		control_reply(c, false, "unknown request");
		break;
	}
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

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	sd_event_source_disable_unref(m->tick);
	ring_buffer__free(m->ringbuf);
	event_limiter_free(m->limiter);
	enforcer_free(m->enforcer);
	closep(&m->control_fd);
	closep(&m->audit_fd);
	seccomp_registry_free(m->registry);
	if (m->cfg.control_socket)
		(void)unlink(m->cfg.control_socket);
	compiled_set_free(m->active);
	compiled_set_free(m->previous);
	container_bindings_free(m->bindings);
	for (size_t i = 0; i < NAME_HISTORY; i++)
		generation_names_clear(&m->history[i]);
	sd_event_unref(m->event);
	free(m);
	return NULL;
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

int manager_new(const struct manager_config *cfg, struct manager **ret)
{
	struct compiled_set *initial = NULL;
	struct manager *m;
	sigset_t mask;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return log_error_errno(-ENOMEM, "Out of memory");
	m->cfg = *cfg;
	m->control_fd = -1;
	m->audit_fd = -1;
	m->started_usec = now_usec(CLOCK_MONOTONIC);

	/* Containers bound before a restart are bound again by the first set. */
	r = container_bindings_load(cfg->containers_dir, &m->bindings);
	if (r < 0)
		goto fail;
	container_roots_restore(m);

	/* Check the policies before touching the kernel: a bad set changes nothing. */
	r = manager_build_set(m, &initial, NULL);
	if (r < 0) {
		log_error("Refusing to start without a valid policy set in %s.", cfg->policy_dir);
		goto fail;
	}
	/* The kernel verifies some 30 programs now: a second or two on hardware, minutes on an
	 * emulated or starved machine. Ask systemd for up to 5 minutes more than its start timeout
	 * (TimeoutStartSec=, 90 s by default), no more: a load that hangs still fails the start. */
	sd_notify(false, "EXTEND_TIMEOUT_USEC=300000000\n"
			 "STATUS=Loading and verifying the BPF programs");
	r = enforcer_new(&cfg->enforcer, &m->enforcer);
	compiled_set_free(initial);
	if (r < 0)
		goto fail;
	/* Again, now with the keys the loaded hooks compute (the identity probe). */
	r = manager_build_set(m, &initial, NULL);
	if (r < 0) {
		log_error("Refusing to start without a valid policy set in %s.", cfg->policy_dir);
		goto fail;
	}
	r = manager_activate(m, initial, NULL);
	if (r < 0)
		goto fail;
	r = enforcer_take_over(m->enforcer);
	if (r < 0)
		/* Enforcing, but a crash would end it: say so, do not pretend. */
		log_warning_errno(r, "Failed to pin the BPF state in %s; enforcement will not "
				     "survive a crash of the daemon: %m", cfg->pin_dir);

	r = sd_event_default(&m->event);
	if (r < 0) {
		log_error_errno(r, "Failed to create the event loop: %m");
		goto fail;
	}
	m->ringbuf = ring_buffer__new(enforcer_events_map_fd(m->enforcer), on_ringbuf_event, m, NULL);
	if (!m->ringbuf) {
		r = log_error_errno(-errno, "Failed to open the event ring buffer: %m");
		goto fail;
	}
	r = sd_event_add_io(m->event, NULL, ring_buffer__epoll_fd(m->ringbuf), EPOLLIN,
			    on_ringbuf_ready, m);
	if (r < 0) {
		log_error_errno(r, "Failed to watch the ring buffer: %m");
		goto fail;
	}

	{
		static const struct event_limiter_ops ops = {
			.repeated = on_events_repeated,
			.suppressed = on_events_suppressed,
		};

		r = event_limiter_new(&cfg->limiter, &ops, m, &m->limiter);
		if (r >= 0)
			r = sd_event_add_time_relative(m->event, &m->tick, CLOCK_MONOTONIC, TICK_USEC,
						       0, on_tick, m);
		if (r < 0) {
			log_error_errno(r, "Failed to set up event reporting: %m");
			goto fail;
		}
		/* Losses from before this start (an adopted ring buffer) are reported once. */
		m->lost_reported = 0;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGTERM, on_sigterm, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, on_sigterm, m);
	if (r < 0) {
		log_error_errno(r, "Failed to install signal handlers: %m");
		goto fail;
	}

	r = make_parent_dir(cfg->control_socket);
	if (r >= 0)
		r = control_listen(cfg->control_socket, &m->control_fd);
	if (r < 0) {
		log_error_errno(r, "Failed to listen on %s: %m", cfg->control_socket);
		goto fail;
	}
	r = sd_event_add_io(m->event, NULL, m->control_fd, EPOLLIN, on_control_accept, m);
	if (r < 0) {
		log_error_errno(r, "Failed to watch the control socket: %m");
		goto fail;
	}

	/* seccomp events: the bind needs CAP_AUDIT_READ. Without it the daemon still enforces;
	 * `secagentctl exec` is told so when it registers, and status says so. */
	r = seccomp_registry_new("/proc", &m->registry);
	if (r < 0) {
		log_error_errno(r, "Out of memory");
		goto fail;
	}
	r = seccomp_audit_open(&m->audit_fd);
	if (r < 0) {
		m->audit_error = -r;
		log_warning_errno(r, "Cannot read seccomp audit records (audit netlink multicast "
				     "group): %m; seccomp events will not be reported.");
	} else {
		r = sd_event_add_io(m->event, NULL, m->audit_fd, EPOLLIN, on_audit_readable, m);
		if (r < 0) {
			log_error_errno(r, "Failed to watch the audit socket: %m");
			goto fail;
		}
	}

	/* Everything that needed privileges is done: attached, pinned, socket bound. */
	r = drop_privileges();
	if (r < 0) {
		log_error_errno(r, "Failed to drop capabilities: %m");
		goto fail;
	}
	log_info("Dropped all capabilities but CAP_BPF, CAP_DAC_READ_SEARCH and CAP_AUDIT_READ; "
		 "no_new_privs set.");

	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

int manager_run(struct manager *m)
{
	sd_notify(false, "READY=1");
	manager_notify_status(m);
	log_info("secagentd running: policies from %s, control socket %s.", m->cfg.policy_dir,
		 m->cfg.control_socket);
	return sd_event_loop(m->event);
}
