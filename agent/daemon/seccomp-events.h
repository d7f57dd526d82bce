/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * seccomp events: the kernel's audit records of the filters `secagentctl exec` applies,
 * attributed to the policy their process registered under, rate-limited like the LSM events
 * (one rate window for all records), to journald.
 */

#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "event-limiter.h"
#include "generations.h"

struct seccomp_reader_stats {
	bool reporting; /* the audit socket is open */
	size_t registered;
	uint64_t events, unattributed, suppressed, overflows, journal_failed;
};

struct seccomp_reader;

/* Opens the audit socket; without CAP_AUDIT_READ the reader exists but reports nothing (and
 * says so: stats, seccomp_reader_register). The errno of a denial is read from @gens' active
 * set. Returns 0 or a negative errno (out of memory, the event loop). */
int seccomp_reader_new(sd_event *event, const struct generations *gens,
		       const struct event_limiter_config *cfg, struct seccomp_reader **ret);
struct seccomp_reader *seccomp_reader_free(struct seccomp_reader *r);

/* @pid runs under policy @name's filter from now on. Returns 0, or a negative errno with
 * @ret_why (allocated) for the requester. */
int seccomp_reader_register(struct seccomp_reader *r, pid_t pid, const char *name, char **ret_why);

/* Reports counted drops of records as they happen. */
void seccomp_reader_flush(struct seccomp_reader *r);
struct seccomp_reader_stats seccomp_reader_stats(const struct seccomp_reader *r);
