// SPDX-License-Identifier: GPL-2.0-or-later
/* Events from the kernel: the ring buffer, read in batches, through the event limiter, to
 * journald with the policy and rule that decided; losses reported as they happen. */
#include <errno.h>

#include <bpf/libbpf.h>
#include <systemd/sd-event.h>

#include "journal-event.h"
#include "log.h"
#include "manager.h"
#include "util.h"


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

void note_journal_result(struct manager *m, int r)
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
void report_lost_events(struct manager *m)
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

void events_drain(struct manager *m)
{
	do
		m->batch = 0;
	while (ring_buffer__consume(m->ringbuf) == -EAGAIN);
}

int events_open(struct manager *m)
{
	static const struct event_limiter_ops ops = {
		.repeated = on_events_repeated,
		.suppressed = on_events_suppressed,
	};
	int r;

	m->ringbuf = ring_buffer__new(enforcer_events_map_fd(m->enforcer), on_ringbuf_event, m, NULL);
	if (!m->ringbuf)
		return log_error_errno(-errno, "Failed to open the event ring buffer: %m");
	r = sd_event_add_io(m->event, NULL, ring_buffer__epoll_fd(m->ringbuf), EPOLLIN,
			    on_ringbuf_ready, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch the ring buffer: %m");
	r = event_limiter_new(&m->cfg.limiter, &ops, m, &m->limiter);
	if (r < 0)
		return log_error_errno(r, "Failed to set up event reporting: %m");
	/* Losses from before this start (an adopted ring buffer) are reported once. */
	m->lost_reported = 0;
	return 0;
}
