/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Keeps a flood of events from flooding journald without losing count of any of them:
 * - identical events (same process, rule, file and verdict) within the coalescing window are
 *   counted into the first one and reported once as "repeated N times";
 * - past a per-policy burst within an interval, events are counted and reported as one
 *   "N suppressed" entry when the interval ends.
 * Every event is therefore either emitted, coalesced or suppressed, and the counts add up.
 * Memory is fixed: the tables are bounded (see EVENT_LIMITER_SLOTS).
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "loop-time.h"
#include "secagent.h"

#define EVENT_LIMITER_SLOTS    1024 /* coalescing groups tracked at once */
#define EVENT_LIMITER_POLICIES 1024 /* policy ids tracked apart; higher ids share the last */

struct event_limiter_config {
	uint64_t coalesce_usec; /* 0 turns coalescing off */
	uint32_t burst;		/* events per policy per interval; 0 turns rate limiting off */
	uint64_t interval_usec;
};

enum event_decision {
	EVENT_EMIT,
	EVENT_COALESCED,
	EVENT_SUPPRESSED,
};

struct event_limiter_ops {
	/* @first repeated @count more times after it was emitted. */
	void (*repeated)(void *userdata, const struct sa_event *first, uint64_t count,
			 uint64_t window_usec);
	/* @count events of the policy that decided @sample were suppressed. */
	void (*suppressed)(void *userdata, const struct sa_event *sample, uint64_t count);
};

struct event_limiter_stats {
	uint64_t emitted, coalesced, suppressed;
};

struct event_limiter;

/*
 * A rate window: at most @burst events per @interval_usec. The limiter keeps one per policy; the
 * seccomp reader one for all its records.
 */
struct rate_window {
	uint64_t started_usec;
	uint32_t admitted;
};

/* Whether @w's interval has ended by @now_usec. */
static inline bool rate_window_ended(const struct rate_window *w, uint64_t interval_usec,
				     uint64_t now_usec)
{
	return now_usec - w->started_usec >= interval_usec;
}

static inline void rate_window_start(struct rate_window *w, uint64_t now_usec)
{
	w->started_usec = now_usec;
	w->admitted = 0;
}

/* Admits one more event unless @w has had @burst already. */
static inline bool rate_window_admit(struct rate_window *w, uint32_t burst)
{
	if (w->admitted >= burst)
		return false;
	w->admitted++;
	return true;
}

int event_limiter_new(const struct event_limiter_config *cfg, const struct event_limiter_ops *ops,
		      void *userdata, struct event_limiter **ret);
struct event_limiter *event_limiter_free(struct event_limiter *l);

enum event_decision event_limiter_check(struct event_limiter *l, const struct sa_event *ev,
					uint64_t now_usec);

/* Reports every group and interval that has ended by @now_usec (all of them if @all). */
void event_limiter_flush(struct event_limiter *l, uint64_t now_usec, bool all);

struct event_limiter_stats event_limiter_stats(const struct event_limiter *l);
