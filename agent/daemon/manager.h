/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's state: the event loop, the enforcer, the active policy set, the control socket. */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "compile.h"
#include "enforcer.h"
#include "event-limiter.h"

struct manager_config {
	const char *policy_dir;
	const char *control_socket;
	const char *pin_dir;
	const char *containers_dir; /* container bindings, one file each (container-bindings.h) */
	struct enforcer_config enforcer;
	struct event_limiter_config limiter;
};

struct manager;

int manager_new(const struct manager_config *cfg, struct manager **ret);
struct manager *manager_free(struct manager *m);

/* Runs until SIGTERM or SIGINT; returns 0 or a negative errno. */
int manager_run(struct manager *m);

/*
 * Within the daemon: the manager's state and what its parts (manager.c, events.c,
 * seccomp-events.c, control-server.c) call in each other.
 */
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
	struct rate_window seccomp_window; /* rate limit, as the LSM events' */
	uint64_t seccomp_suppressed_reported, seccomp_overflows_reported;
};

uint64_t now_usec(clockid_t clock);
void manager_notify_status(struct manager *m);
const struct compiled_policy *find_policy(const struct compiled_set *c, const char *name);
int manager_reload_notify(struct manager *m, char **ret_error);
int manager_recompile_active(struct manager *m, char **ret_error);
/* Container roots in systemd's file descriptor store, so a restarted daemon has them again. */
void fdstore_add(const char *id, int fd);
void fdstore_remove(const char *id);

/* events.c: the ring buffer and the event limiter's reports. */
int events_open(struct manager *m);
void note_journal_result(struct manager *m, int r);
void report_lost_events(struct manager *m);
/* Reads until the ring buffer is empty (at stop). */
void events_drain(struct manager *m);

/* seccomp-events.c */
int seccomp_events_open(struct manager *m);
void report_seccomp_drops(struct manager *m);

/* control-server.c */
int control_server_open(struct manager *m);
