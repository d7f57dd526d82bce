/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Time on the daemon's event loop: its clocks, and re-arming its one-shot timers. */

#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

/* CLOCK_MONOTONIC in microseconds: the clock of the limiter, its rate windows and the daemon. */
static inline uint64_t monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CLOCK_REALTIME in microseconds: for timestamps an operator reads (metrics). */
static inline uint64_t realtime_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Fires time source @s again @usec from now: sd-event's time sources fire once, and one left
 * alone after it fired never fires again. */
static inline int time_source_rearm(sd_event_source *s, uint64_t usec)
{
	int r = sd_event_source_set_time_relative(s, usec);

	return r < 0 ? r : sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}
