// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "event-limiter.h"

struct group {
	bool used;
	struct sa_event first;
	uint64_t started_usec;
	uint64_t count; /* repeats after the first */
};

struct policy_window {
	struct rate_window rate;
	uint64_t suppressed;
	struct sa_event sample; /* the first suppressed event, to name the policy */
};

struct event_limiter {
	struct event_limiter_config cfg;
	struct event_limiter_ops ops;
	void *userdata;
	struct group groups[EVENT_LIMITER_SLOTS];
	struct policy_window policies[EVENT_LIMITER_POLICIES];
	struct event_limiter_stats stats;
};

int event_limiter_new(const struct event_limiter_config *cfg, const struct event_limiter_ops *ops,
		      void *userdata, struct event_limiter **ret)
{
	struct event_limiter *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	l->ops = *ops;
	l->userdata = userdata;
	*ret = l;
	return 0;
}

struct event_limiter *event_limiter_free(struct event_limiter *l)
{
	free(l);
	return NULL;
}

/* Two events are the same if only their time and thread differ. */
static bool same_event(const struct sa_event *a, const struct sa_event *b)
{
	return a->kind == b->kind && a->verdict == b->verdict && a->seq == b->seq &&
	       a->rule_ref == b->rule_ref && a->access == b->access && a->tgid == b->tgid &&
	       a->uid == b->uid && a->dev == b->dev && a->ino == b->ino && a->flags == b->flags &&
	       a->family == b->family && a->protocol == b->protocol && a->port == b->port &&
	       a->arg == b->arg && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static uint32_t event_hash(const struct sa_event *ev)
{
	const uint32_t words[] = {
		ev->kind, ev->verdict, ev->seq, ev->rule_ref,	   ev->access,
		ev->tgid, ev->uid,     ev->dev, (uint32_t)ev->ino, (uint32_t)(ev->ino >> 32),
		ev->port, ev->arg
	};
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		h ^= words[i];
		h *= 16777619u;
	}
	return h;
}

static void group_close(struct event_limiter *l, struct group *g, uint64_t now_usec)
{
	if (g->used && g->count > 0)
		l->ops.repeated(l->userdata, &g->first, g->count, now_usec - g->started_usec);
	g->used = false;
	g->count = 0;
}

static void window_close(struct event_limiter *l, struct policy_window *w, uint64_t now_usec)
{
	if (w->suppressed > 0)
		l->ops.suppressed(l->userdata, &w->sample, w->suppressed);
	rate_window_start(&w->rate, now_usec);
	w->suppressed = 0;
}

enum event_decision event_limiter_check(struct event_limiter *l, const struct sa_event *ev,
					uint64_t now_usec)
{
	struct group *g = &l->groups[event_hash(ev) % EVENT_LIMITER_SLOTS];
	struct policy_window *w = &l->policies[SA_RULE_POLICY(ev->rule_ref) < EVENT_LIMITER_POLICIES
						       ? SA_RULE_POLICY(ev->rule_ref)
						       : EVENT_LIMITER_POLICIES - 1];

	if (l->cfg.coalesce_usec > 0 && g->used && same_event(&g->first, ev) &&
	    now_usec - g->started_usec < l->cfg.coalesce_usec) {
		g->count++;
		l->stats.coalesced++;
		return EVENT_COALESCED;
	}

	if (l->cfg.burst > 0) {
		if (rate_window_ended(&w->rate, l->cfg.interval_usec, now_usec))
			window_close(l, w, now_usec);
		if (!rate_window_admit(&w->rate, l->cfg.burst)) {
			if (w->suppressed++ == 0)
				w->sample = *ev;
			l->stats.suppressed++;
			return EVENT_SUPPRESSED;
		}
	}

	/* A new group takes the slot; whatever it held is reported first. */
	group_close(l, g, now_usec);
	if (l->cfg.coalesce_usec > 0) {
		g->used = true;
		g->first = *ev;
		g->started_usec = now_usec;
	}
	l->stats.emitted++;
	return EVENT_EMIT;
}

void event_limiter_flush(struct event_limiter *l, uint64_t now_usec, bool all)
{
	for (size_t i = 0; i < EVENT_LIMITER_SLOTS; i++) {
		struct group *g = &l->groups[i];

		if (g->used && (all || now_usec - g->started_usec >= l->cfg.coalesce_usec))
			group_close(l, g, now_usec);
	}
	for (size_t i = 0; i < EVENT_LIMITER_POLICIES; i++) {
		struct policy_window *w = &l->policies[i];

		if (w->suppressed > 0 &&
		    (all || rate_window_ended(&w->rate, l->cfg.interval_usec, now_usec)))
			window_close(l, w, now_usec);
	}
}

struct event_limiter_stats event_limiter_stats(const struct event_limiter *l)
{
	return l->stats;
}
