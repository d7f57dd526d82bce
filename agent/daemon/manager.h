/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The daemon's state: the event loop, the enforcer, the active policy set, the control socket. */

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
