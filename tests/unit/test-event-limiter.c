// SPDX-License-Identifier: GPL-2.0-or-later
/* The event limiter: every event is emitted, coalesced or suppressed, and the reports add up. */

#include "event-limiter.h"
#include "test.h"

struct seen {
	uint64_t repeated, repeated_calls, suppressed, suppressed_calls;
	uint32_t last_suppressed_policy;
};

static void on_repeated(void *u, const struct sa_event *first, uint64_t count, uint64_t window)
{
	struct seen *s = u;

	s->repeated += count;
	s->repeated_calls++;
}

static void on_suppressed(void *u, const struct sa_event *sample, uint64_t count)
{
	struct seen *s = u;

	s->suppressed += count;
	s->suppressed_calls++;
	s->last_suppressed_policy = SA_RULE_POLICY(sample->rule_ref);
}

static const struct event_limiter_ops ops = { on_repeated, on_suppressed };

static struct sa_event event(uint32_t policy, uint32_t tgid, uint64_t ino)
{
	return (struct sa_event){ .version = SA_LAYOUT_VERSION,
				  .kind = SA_EVENT_FILE_OPEN,
				  .verdict = SA_VERDICT_DENY,
				  .rule_ref = SA_RULE_REF(policy, 0),
				  .tgid = tgid,
				  .pid = tgid,
				  .ino = ino };
}

TEST(identical_events_within_the_window_are_coalesced)
{
	struct event_limiter_config cfg = { .coalesce_usec = 1000, .burst = 0 };
	struct event_limiter *l = NULL;
	struct seen s = {};
	struct sa_event ev = event(0, 100, 7);

	ASSERT_OK(event_limiter_new(&cfg, &ops, &s, &l));
	ASSERT_EQ(event_limiter_check(l, &ev, 10), EVENT_EMIT);
	for (int i = 0; i < 50; i++) {
		ev.pid = 100 + i; /* another thread of the same process is the same event */
		ASSERT_EQ(event_limiter_check(l, &ev, 20 + i), EVENT_COALESCED);
	}
	event_limiter_flush(l, 500, false);
	ASSERT_EQ(s.repeated_calls, 0); /* window still open */
	event_limiter_flush(l, 1010, false);
	ASSERT_EQ(s.repeated, 50);
	ASSERT_EQ(s.repeated_calls, 1);
	/* After the window the next one is emitted again. */
	ASSERT_EQ(event_limiter_check(l, &ev, 1100), EVENT_EMIT);
	ASSERT_EQ(event_limiter_stats(l).emitted, 2);
	ASSERT_EQ(event_limiter_stats(l).coalesced, 50);
	event_limiter_free(l);
}

TEST(different_process_or_file_is_not_coalesced)
{
	struct event_limiter_config cfg = { .coalesce_usec = 1000, .burst = 0 };
	struct event_limiter *l = NULL;
	struct seen s = {};
	struct sa_event a = event(0, 100, 7), b = event(0, 101, 7), c = event(0, 100, 8);

	ASSERT_OK(event_limiter_new(&cfg, &ops, &s, &l));
	ASSERT_EQ(event_limiter_check(l, &a, 1), EVENT_EMIT);
	ASSERT_EQ(event_limiter_check(l, &b, 2), EVENT_EMIT);
	ASSERT_EQ(event_limiter_check(l, &c, 3), EVENT_EMIT);
	event_limiter_free(l);
}

TEST(per_policy_rate_limit_counts_what_it_suppresses)
{
	struct event_limiter_config cfg = { .coalesce_usec = 0,
					    .burst = 10,
					    .interval_usec = 1000 };
	struct event_limiter *l = NULL;
	struct seen s = {};
	uint64_t emitted = 0, suppressed = 0;

	ASSERT_OK(event_limiter_new(&cfg, &ops, &s, &l));
	for (int i = 0; i < 100; i++) {
		struct sa_event ev = event(3, 1000 + i, i);
		enum event_decision d = event_limiter_check(l, &ev, 5000 + i);

		emitted += d == EVENT_EMIT;
		suppressed += d == EVENT_SUPPRESSED;
	}
	ASSERT_EQ(emitted, 10);
	ASSERT_EQ(suppressed, 90);
	/* Another policy has its own budget. */
	struct sa_event other = event(4, 1, 1);
	ASSERT_EQ(event_limiter_check(l, &other, 5200), EVENT_EMIT);
	event_limiter_flush(l, 6001, false);
	ASSERT_EQ(s.suppressed, 90);
	ASSERT_EQ(s.last_suppressed_policy, 3);
	event_limiter_free(l);
}

TEST(flush_all_reports_everything_and_counts_add_up)
{
	struct event_limiter_config cfg = { .coalesce_usec = 1000000,
					    .burst = 5,
					    .interval_usec = 1000000 };
	struct event_limiter *l = NULL;
	struct seen s = {};
	struct event_limiter_stats st;

	ASSERT_OK(event_limiter_new(&cfg, &ops, &s, &l));
	for (int i = 0; i < 10000; i++) {
		struct sa_event ev = event(i % 3, 1 + i % 17, i % 5);

		event_limiter_check(l, &ev, 10 + i);
	}
	event_limiter_flush(l, 20, true);
	st = event_limiter_stats(l);
	ASSERT_EQ(st.emitted + st.coalesced + st.suppressed, 10000);
	ASSERT_EQ(s.repeated, st.coalesced);
	ASSERT_EQ(s.suppressed, st.suppressed);
	event_limiter_free(l);
}

TEST(policy_ids_beyond_the_table_share_the_last_slot)
{
	struct event_limiter_config cfg = { .coalesce_usec = 0, .burst = 1, .interval_usec = 1000 };
	struct event_limiter *l = NULL;
	struct seen s = {};
	struct sa_event a = event(EVENT_LIMITER_POLICIES + 5, 1, 1);
	struct sa_event b = event(EVENT_LIMITER_POLICIES + 9, 2, 2);

	ASSERT_OK(event_limiter_new(&cfg, &ops, &s, &l));
	ASSERT_EQ(event_limiter_check(l, &a, 1), EVENT_EMIT);
	ASSERT_EQ(event_limiter_check(l, &b, 2), EVENT_SUPPRESSED);
	event_limiter_free(l);
}

TEST_MAIN()
