/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's state: the event loop, the enforcer, the active policy set, the control socket. */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "compile.h"
#include "control-server.h"
#include "enforcer.h"
#include "event-limiter.h"
#include "events.h"
#include "generations.h"
#include "metrics-export.h"
#include "policy-watch.h"
#include "rule-counts.h"
#include "seccomp-events.h"

struct manager_config {
	const char *policy_dir;
	const char *control_socket;
	const char *pin_dir;
	const char *containers_dir; /* container bindings, one file each (container-bindings.h) */
	struct enforcer_config enforcer;
	struct event_limiter_config limiter;
	const control_handler *control_handlers; /* what the control requests do */
	struct metrics_export_config metrics;	 /* both outputs NULL: no metrics */
	bool watch_policy_dir;			 /* reload when the directory changes */
};

struct manager;

int manager_new(const struct manager_config *cfg, struct manager **ret);
struct manager *manager_free(struct manager *m);

/* Runs until SIGTERM or SIGINT; returns 0 or a negative errno. */
int manager_run(struct manager *m);

/*
 * Within the daemon: the manager's state, for the handlers of control requests
 * (control-handlers.c), and what they ask of it.
 */
struct manager {
	struct manager_config cfg;
	sd_event *event;
	struct enforcer *enforcer;
	struct generations gens;
	struct event_reader *events;
	struct seccomp_reader *seccomp;
	struct control_server *control;
	sd_event_source *tick;
	uint64_t last_status_usec;
	uint64_t reloads_ok, reloads_failed;
	uint64_t last_reload_realtime_usec, last_reload_duration_usec; /* 0: none yet */
	bool last_reload_ok;
	uint64_t started_usec, started_realtime_usec;
	struct metrics_export *metrics;
	struct rule_counts *rule_counts; /* with metrics only */
	struct policy_watch *watch;	 /* NULL: --no-watch */
	bool keep_pins; /* set by a "handover" request: the next stop leaves enforcement pinned */
	struct container_bindings *bindings; /* containers bound to container policies */
	struct recording *recording;	     /* the running recording, or NULL (recording.h) */
};

int manager_reload_notify(struct manager *m, char **ret_error);
int manager_recompile_active(struct manager *m, char **ret_error);

/* What a recording saw beyond its log. */
struct recording_result {
	uint64_t events, lost, log_failed;
	uint8_t syscalls[SA_RECORD_SYSCALLS]; /* nonzero: the call number was made */
	uint64_t syscalls_out_of_range;
	bool policy_removed; /* false: the directory did not compile, its policy is still in force
			      */
};
/* Starts recording @cgroup for the process @recorder, its events to @log_fd (taken): a set with
 * the recording's policy, then the system call recorder. */
int manager_record_start(struct manager *m, const char *cgroup, int log_fd, pid_t recorder,
			 char **ret_error);
/* Ends it: every event its policy decided is in the log when this returns. */
int manager_record_stop(struct manager *m, struct recording_result *ret, char **ret_error);
/* Container roots in systemd's file descriptor store, so a restarted daemon has them again. */
void fdstore_add(const char *id, int fd);
void fdstore_remove(const char *id);
