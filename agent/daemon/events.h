/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Events from the kernel: the ring buffer, read in batches, through the event limiter, to
 * journald with the policy and rule that decided; losses reported as they happen.
 */

#include <stdint.h>

#include <systemd/sd-event.h>

#include "enforcer.h"
#include "event-limiter.h"
#include "generations.h"

/* Events handled per turn of the event loop before the control socket and the tick get theirs. */
#define EVENT_BATCH 256

struct event_reader_stats {
	uint64_t received;	 /* taken off the ring buffer */
	uint64_t journal_failed; /* journald refused them, or unreadable records */
	struct event_limiter_stats limiter;
};

struct event_reader;

/* Reads the events map of @enforcer; names rules from @gens (both outlive the reader). */
int event_reader_new(sd_event *event, struct enforcer *enforcer, const struct generations *gens,
		     const struct event_limiter_config *cfg, struct event_reader **ret);
struct event_reader *event_reader_free(struct event_reader *r);

/* Reports ended coalescing groups and rate windows (all with @all), and ring buffer losses. */
void event_reader_flush(struct event_reader *r, uint64_t now_usec, bool all);
/* Reads until the ring buffer is empty (at stop). */
void event_reader_drain(struct event_reader *r);
struct recording;
/* While @rec is set, the events its policy decides go to its log, not to the journal. */
void event_reader_set_recording(struct event_reader *r, struct recording *rec);
struct event_reader_stats event_reader_stats(const struct event_reader *r);

/* Counts a journald write that failed, saying so the first time. */
void journal_result_note(uint64_t *failed, int r);
