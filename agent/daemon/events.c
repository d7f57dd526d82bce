// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include <bpf/libbpf.h>

#include "events.h"
#include "journal-event.h"
#include "log.h"
#include "process-info.h"
#include "recording.h"
#include "util.h"

struct event_reader {
	struct ring_buffer *ringbuf;
	struct event_limiter *limiter;
	struct event_limiter_config cfg;
	struct enforcer *enforcer;
	const struct generations *gens;
	uint64_t received, journal_failed;
	uint64_t lost_reported; /* ring buffer losses already reported to journald */
	struct recording *recording;
	unsigned batch; /* events handled in this turn of the event loop */
	struct process_info procs;
};

/* The rule that decided @ev and who made it. */
static void resolve(struct event_reader *r, const struct sa_event *ev, struct event_origin *ret)
{
	generations_resolve_origin(r->gens, ev, ret);
	ret->cgroup = process_info_cgroup(&r->procs, ev->cgroup_id);
	ret->exe = process_info_exe(&r->procs, (pid_t)ev->tgid);
}

void journal_result_note(uint64_t *failed, int r)
{
	if (r < 0 && (*failed)++ == 0)
		log_error_errno(r, "Failed to write an event to journald (counted as lost): %m");
}

static int on_ringbuf_event(void *ctx, void *data, size_t size)
{
	struct event_reader *r = ctx;
	const struct sa_event *ev = data;
	struct event_origin origin;

	if (size < sizeof(*ev) || ev->version != SA_LAYOUT_VERSION) {
		r->journal_failed++;
		return 0;
	}
	r->received++;
	if (r->recording) {
		resolve(r, ev, &origin);
		if (origin.policy && streq(origin.policy, RECORDING_POLICY_NAME)) {
			recording_log_event(r->recording, ev, &origin);
			goto next;
		}
	}
	if (event_limiter_check(r->limiter, ev, monotonic_usec()) == EVENT_EMIT) {
		resolve(r, ev, &origin);
		journal_result_note(&r->journal_failed, journal_send_event(ev, &origin));
	}
next:
	/* Give the event loop back now and then: a deep backlog must not starve the control
	 * socket and the watchdog. libbpf has consumed this record already; the rest stays in the
	 * ring buffer, which stays readable. */
	return ++r->batch >= EVENT_BATCH ? -EAGAIN : 0;
}

static void on_events_repeated(void *userdata, const struct sa_event *first, uint64_t count,
			       uint64_t window_usec)
{
	struct event_reader *r = userdata;
	struct event_origin origin;

	resolve(r, first, &origin);
	journal_result_note(&r->journal_failed,
			    journal_send_repeated(first, &origin, count, window_usec));
}

static void on_events_suppressed(void *userdata, const struct sa_event *sample, uint64_t count)
{
	struct event_reader *r = userdata;
	struct event_origin origin;

	generations_resolve_origin(r->gens, sample, &origin);
	journal_result_note(&r->journal_failed,
			    journal_send_suppressed(&origin, count, r->cfg.burst,
						    r->cfg.interval_usec));
}

/* Report ring buffer losses as they happen: a loss that is only counted is not seen. */
static void report_lost_events(struct event_reader *r)
{
	uint64_t counters[SA_COUNTER__MAX] = {};
	uint64_t lost;

	if (enforcer_read_counters(r->enforcer, counters) < 0)
		return;
	lost = counters[SA_COUNTER_EVENTS_LOST];
	if (lost > r->lost_reported) {
		journal_result_note(&r->journal_failed,
				    journal_send_lost(lost - r->lost_reported, lost));
		r->lost_reported = lost;
	}
}

static int on_ringbuf_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct event_reader *r = userdata;
	int k;

	r->batch = 0;
	k = ring_buffer__consume(r->ringbuf);
	if (k < 0 && k != -EAGAIN)
		log_warning_errno(k, "Failed to read events from the ring buffer: %m");
	return 0;
}

void event_reader_drain(struct event_reader *r)
{
	do
		r->batch = 0;
	while (ring_buffer__consume(r->ringbuf) == -EAGAIN);
}

void event_reader_set_recording(struct event_reader *r, struct recording *rec)
{
	r->recording = rec;
}

void event_reader_flush(struct event_reader *r, uint64_t now_usec, bool all)
{
	event_limiter_flush(r->limiter, now_usec, all);
	report_lost_events(r);
}

struct event_reader_stats event_reader_stats(const struct event_reader *r)
{
	return (struct event_reader_stats){
		.received = r->received,
		.journal_failed = r->journal_failed,
		.limiter = event_limiter_stats(r->limiter),
	};
}

struct event_reader *event_reader_free(struct event_reader *r)
{
	if (!r)
		return NULL;
	ring_buffer__free(r->ringbuf);
	event_limiter_free(r->limiter);
	process_info_done(&r->procs);
	free(r);
	return NULL;
}

int event_reader_new(sd_event *event, struct enforcer *enforcer, const struct generations *gens,
		     const struct event_limiter_config *cfg, struct event_reader **ret)
{
	static const struct event_limiter_ops ops = {
		.repeated = on_events_repeated,
		.suppressed = on_events_suppressed,
	};
	struct event_reader *r = calloc(1, sizeof(*r));
	int k;

	if (!r)
		return log_error_errno(-ENOMEM, "Out of memory");
	r->enforcer = enforcer;
	r->gens = gens;
	process_info_init(&r->procs);
	r->cfg = *cfg;
	/* Losses from before this start (an adopted ring buffer) are reported once. */
	r->lost_reported = 0;
	k = event_limiter_new(cfg, &ops, r, &r->limiter);
	if (k < 0) {
		log_error_errno(k, "Failed to set up event reporting: %m");
		goto fail;
	}
	r->ringbuf = ring_buffer__new(enforcer_events_map_fd(enforcer), on_ringbuf_event, r, NULL);
	if (!r->ringbuf) {
		k = log_error_errno(-errno, "Failed to open the event ring buffer: %m");
		goto fail;
	}
	/* The reader lives as long as the event loop: the source goes with the loop. */
	k = sd_event_add_io(event, NULL, ring_buffer__epoll_fd(r->ringbuf), EPOLLIN,
			    on_ringbuf_ready, r);
	if (k < 0) {
		log_error_errno(k, "Failed to watch the ring buffer: %m");
		goto fail;
	}
	*ret = r;
	return 0;
fail:
	event_reader_free(r);
	return k;
}
