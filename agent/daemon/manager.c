// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's manager: owns the event loop, the enforcer, the policy generations and the
 * container bindings; reloads, and the daemon's life cycle. It runs the event reader (events.c),
 * the seccomp reader (seccomp-events.c) and the control server (control-server.c), whose
 * requests act on it through control-handlers.c. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "compile.h"
#include "container-bindings.h"
#include "log.h"
#include "manager.h"
#include "metrics.h"
#include "privileges.h"
#include "recording.h"
#include "seccomp-filter.h"
#include "util.h"

static void manager_notify_status(struct manager *m)
{
	uint64_t counters[SA_COUNTER__MAX] = {};
	struct event_reader_stats es = {};

	(void)enforcer_read_counters(m->enforcer, counters);
	if (m->events)
		es = event_reader_stats(m->events);
	sd_notifyf(false,
		   "STATUS=%zu policies, %zu file rules (generation %u); %llu events, %llu lost",
		   m->gens.active ? m->gens.active->n_policies : 0,
		   m->gens.active ? m->gens.active->n_files : 0, m->gens.active_seq,
		   (unsigned long long)es.received,
		   (unsigned long long)(counters[SA_COUNTER_EVENTS_LOST] + es.journal_failed));
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
			.runtime_dev = m->bindings->items[i].runtime_dev,
			.runtime_ino = m->bindings->items[i].runtime_ino,
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
	struct file_identity_source ids =
		m->enforcer ? enforcer_identity_source(m->enforcer) : file_identity_stat;
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
	if (r >= 0 && m->recording) {
		r = recording_add_policy(m->recording, set, &diags);
		if (r < 0)
			policy_set_free(set);
	}
	if (r < 0)
		return report_failed_set(&diags, r, ret_error);
	return manager_compile(m, set, ret, ret_error);
}

/*
 * A bound container's root, kept in systemd's file descriptor store (FileDescriptorStoreMax=
 * in the unit) under the container's id: a restarted daemon resolves the policy's paths in the
 * same root again (container_roots_restore()). Without systemd, nothing is kept.
 */
void fdstore_add(const char *id, int fd)
{
	char msg[64 + CONTAINER_ID_MAX];
	int r;

	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", id);
	r = sd_pid_notify_with_fds(0, false, msg, &fd, 1);
	if (r <= 0)
		log_warning("Cannot keep container %s's root in systemd's descriptor store (%s): a "
			    "restarted daemon will list its paths as not enforced.",
			    id, r < 0 ? strerror(-r) : "not run by systemd");
}

void fdstore_remove(const char *id)
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

		if (!names || !names[i] ||
		    container_bindings_set_root(m->bindings, names[i], fd) < 0) {
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
				log_warning_errno(
					r,
					"Cannot check the cgroup %s of container %s (%m); "
					"keeping its binding.",
					x->cgroup, x->id);
			i++;
			continue;
		}
		log_info("Container %s has ended (cgroup %s is gone); its binding to policy %s is "
			 "dropped.",
			 x->id, x->cgroup, x->policy);
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
		const struct compiled_policy *p = compiled_set_find_policy(c, x->policy);

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
			.level = cgroup_path_levels(x->cgroup),
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
		log_error_errno(
			r, "Failed to install the policy set; generation %u stays in force: %m",
			m->gens.active_seq);
		if (ret_error &&
		    asprintf(ret_error, "installing the policy set failed: %s", strerror(-r)) < 0)
			*ret_error = NULL;
		compiled_set_free(c);
		m->reloads_failed++;
		return r;
	}

	if (m->rule_counts)
		(void)rule_counts_retire(m->rule_counts, &m->gens, seq);
	generations_push(&m->gens, c, seq);
	m->reloads_ok++;
	log_info("Policy generation %u active: %zu policies, %zu rules, %zu file entries from %s.",
		 seq, c->n_policies, c->n_rules, c->n_files, m->cfg.policy_dir);
	return 0;
}

/* Compile the active set's policies again with the bindings as they are now (a container bound
 * or unbound), and switch to it; on any error the active set stays in force. */
int manager_recompile_active(struct manager *m, char **ret_error)
{
	struct compiled_set *c = NULL;
	int r;

	if (!m->gens.active)
		return -ESRCH;
	r = manager_compile(m, policy_set_ref(m->gens.active->source), &c, ret_error);
	if (r < 0)
		return r;
	return manager_activate(m, c, ret_error);
}

static int manager_reload(struct manager *m, char **ret_error);

int manager_record_start(struct manager *m, const char *cgroup, int log_fd, pid_t recorder,
			 char **ret_error)
{
	uint64_t counters[SA_COUNTER__MAX] = {}, cgroup_id = 0;
	_cleanup_free_ char *full = NULL;
	struct stat st;
	int r;

	if (m->recording) {
		close(log_fd);
		*ret_error = strdup("a recording is already running (one at a time)");
		return -EBUSY;
	}
	r = recording_new(cgroup, log_fd, recorder, &m->recording);
	if (r < 0)
		return r;
	event_reader_drain(m->events);
	if (enforcer_read_counters(m->enforcer, counters) == 0)
		m->recording->lost_at_start = counters[SA_COUNTER_EVENTS_LOST];
	r = manager_reload(m, ret_error);
	if (r < 0) {
		m->recording = recording_free(m->recording);
		return r;
	}
	/* On cgroup2 a directory's inode number is its id; one made later takes over itself. */
	if (asprintf(&full, COMPILED_CGROUP_ROOT "%s", cgroup) >= 0 && stat(full, &st) == 0)
		cgroup_id = st.st_ino;
	r = enforcer_record_start(m->enforcer, cgroup, cgroup_id);
	if (r < 0) {
		struct recording_result res;

		if (asprintf(ret_error, "cannot record system calls: %s", strerror(-r)) < 0)
			*ret_error = NULL;
		(void)manager_record_stop(m, &res, NULL);
		return r;
	}
	event_reader_set_recording(m->events, m->recording);
	log_info("Recording cgroup %s for pid %d (generation %u).", cgroup, (int)recorder,
		 m->gens.active_seq);
	return 0;
}

int manager_record_stop(struct manager *m, struct recording_result *ret, char **ret_error)
{
	uint64_t counters[SA_COUNTER__MAX] = {};
	struct recording *rec = m->recording;
	int r;

	if (!rec)
		return -ENOENT;
	*ret = (struct recording_result){};
	(void)enforcer_record_stop(m->enforcer, ret->syscalls, &ret->syscalls_out_of_range);
	/* The set without the recording's policy: from then on no event is the recording's. */
	m->recording = NULL;
	r = manager_reload(m, ret_error);
	m->recording = rec;
	if (r < 0)
		log_error("The recording ended, but its policy stays in the active set until the "
			  "policy directory compiles again.");
	/* What its policy decided until the switch is in the ring buffer: into its log. */
	event_reader_drain(m->events);
	event_reader_set_recording(m->events, NULL);
	if (enforcer_read_counters(m->enforcer, counters) == 0)
		ret->lost = counters[SA_COUNTER_EVENTS_LOST] - rec->lost_at_start;
	ret->events = rec->events;
	ret->log_failed = rec->log_failed;
	ret->policy_removed = r >= 0;
	log_info("Recording of cgroup %s ended: %" PRIu64 " events, %" PRIu64 " lost.", rec->cgroup,
		 ret->events, ret->lost);
	m->recording = recording_free(rec);
	return 0;
}

/* For the metrics: when the reload that began at @start_usec (monotonic) ended, and how. */
static void reload_done(struct manager *m, uint64_t start_usec, int r)
{
	m->last_reload_duration_usec = monotonic_usec() - start_usec;
	m->last_reload_realtime_usec = realtime_usec();
	m->last_reload_ok = r >= 0;
}

/* Build the directory's set and switch to it; on any error the active set stays in force. */
static int manager_reload(struct manager *m, char **ret_error)
{
	struct compiled_set *c = NULL;
	uint64_t start = monotonic_usec();
	int r;

	r = manager_build_set(m, &c, ret_error);
	if (r < 0) {
		m->reloads_failed++;
		log_error("Policy set in %s rejected; generation %u stays in force.",
			  m->cfg.policy_dir, m->gens.active_seq);
	} else
		r = manager_activate(m, c, ret_error);
	reload_done(m, start, r);
	return r;
}

int manager_reload_notify(struct manager *m, char **ret_error)
{
	int r;

	sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading policies",
		   (unsigned long long)monotonic_usec());
	r = manager_reload(m, ret_error);
	sd_notify(false, "READY=1");
	manager_notify_status(m);
	return r;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	log_info("SIGHUP: reloading policies from %s.",
		 ((struct manager *)userdata)->cfg.policy_dir);
	(void)manager_reload_notify(userdata, NULL);
	return 0;
}

static void on_policy_dir_changed(void *userdata)
{
	struct manager *m = userdata;

	log_info("The policy directory %s changed: reloading.", m->cfg.policy_dir);
	(void)manager_reload_notify(m, NULL);
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	sd_notify(false, "STOPPING=1");
	/* Report what is still in flight before going. */
	event_reader_drain(m->events);
	event_reader_flush(m->events, monotonic_usec(), true);
	if (m->keep_pins) {
		log_info(
			"Stopping on signal %u; enforcement stays pinned in %s for the next daemon.",
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

#define TICK_USEC (250 * 1000ULL)

/* Every tick: report ended coalescing groups and rate windows, losses, the watchdog, and now
 * and then the status line. */
static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	uint64_t now = monotonic_usec();

	event_reader_flush(m->events, now, false);
	seccomp_reader_flush(m->seccomp);
	if (m->recording && !recording_recorder_alive(m->recording)) {
		struct recording_result res;

		log_warning("The recorder (pid %d) is gone; ending its recording.",
			    (int)m->recording->recorder_pid);
		(void)manager_record_stop(m, &res, NULL);
	}
	sd_notify(false, "WATCHDOG=1");
	if (now - m->last_status_usec >= 5 * 1000000ULL) {
		manager_notify_status(m);
		m->last_status_usec = now;
	}
	/* Without this the watchdog would starve. */
	return time_source_rearm(s, TICK_USEC);
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	sd_event_source_disable_unref(m->tick);
	recording_free(m->recording);
	metrics_export_free(m->metrics);
	rule_counts_free(m->rule_counts);
	policy_watch_free(m->watch);
	event_reader_free(m->events);
	seccomp_reader_free(m->seccomp);
	control_server_free(m->control);
	enforcer_free(m->enforcer);
	generations_clear(&m->gens);
	container_bindings_free(m->bindings);
	sd_event_unref(m->event);
	free(m);
	return NULL;
}

static int render_metrics(void *userdata, FILE *f)
{
	return metrics_write(userdata, f);
}

int manager_new(const struct manager_config *cfg, struct manager **ret)
{
	struct compiled_set *initial = NULL;
	uint64_t start;
	struct manager *m;
	sigset_t mask;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return log_error_errno(-ENOMEM, "Out of memory");
	m->cfg = *cfg;
	m->started_usec = monotonic_usec();
	m->started_realtime_usec = realtime_usec();

	r = sd_event_default(&m->event);
	if (r < 0) {
		log_error_errno(r, "Failed to create the event loop: %m");
		goto fail;
	}
	/* Before anything else: a metrics address or file that cannot be used fails the start
	 * at once, never a daemon that runs without what it was asked for. */
	if (cfg->metrics.listen || cfg->metrics.textfile) {
		r = metrics_export_new(m->event, &cfg->metrics, render_metrics, m, &m->metrics);
		if (r < 0)
			goto fail;
	}

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
	if (cfg->enforcer.count_rules) {
		m->rule_counts = rule_counts_new(enforcer_rule_counts_fd(m->enforcer));
		if (!m->rule_counts) {
			r = log_error_errno(-ENOMEM, "Out of memory");
			goto fail;
		}
	}
	/* Again, now with the keys the loaded hooks compute (the identity probe). */
	r = manager_build_set(m, &initial, NULL);
	if (r < 0) {
		log_error("Refusing to start without a valid policy set in %s.", cfg->policy_dir);
		goto fail;
	}
	start = monotonic_usec();
	r = manager_activate(m, initial, NULL);
	reload_done(m, start, r);
	if (r < 0)
		goto fail;
	r = enforcer_take_over(m->enforcer);
	if (r < 0)
		/* Enforcing, but a crash would end it: say so, do not pretend. */
		log_warning_errno(r,
				  "Failed to pin the BPF state in %s; enforcement will not "
				  "survive a crash of the daemon: %m",
				  cfg->pin_dir);

	r = event_reader_new(m->event, m->enforcer, &m->gens, &cfg->limiter, &m->events);
	if (r < 0)
		goto fail;
	r = sd_event_add_time_relative(m->event, &m->tick, CLOCK_MONOTONIC, TICK_USEC, 0, on_tick,
				       m);
	if (r < 0) {
		log_error_errno(r, "Failed to set up the tick: %m");
		goto fail;
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

	/* Changes from now on reload; the set built above is the directory as it was. */
	if (cfg->watch_policy_dir) {
		r = policy_watch_new(m->event, cfg->policy_dir, on_policy_dir_changed, m,
				     &m->watch);
		if (r < 0)
			goto fail;
	}
	r = control_server_new(m->event, cfg->control_socket, cfg->control_handlers, m,
			       &m->control);
	if (r >= 0)
		r = seccomp_reader_new(m->event, &m->gens, &cfg->limiter, &m->seccomp);
	if (r < 0)
		goto fail;

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
