// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop-time.h"
#include "log.h"
#include "policy-set.h"
#include "policy-watch.h"
#include "util.h"

/* Files being written that a reload waits for; past it, the reload does not wait. */
#define POLICY_WATCH_MAX_WRITERS 64

#define WATCH_EVENTS                                                                               \
	(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |        \
	 IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct policy_watch {
	char *dir;
	int fd;
	sd_event_source *io, *timer;
	policy_watch_fn changed;
	void *userdata;
	bool active;
	uint64_t pending_since; /* monotonic usec of the first change not reloaded yet; 0: none */
	char *writing[POLICY_WATCH_MAX_WRITERS]; /* policy files open for writing */
	size_t n_writing;
};

static bool name_matters(const char *name)
{
	return policy_file_name_valid(name) || streq(name, POLICY_DIR_DATA_LINK);
}

static void writing_remove(struct policy_watch *w, const char *name)
{
	for (size_t i = 0; i < w->n_writing; i++)
		if (streq(w->writing[i], name)) {
			free(w->writing[i]);
			w->writing[i] = w->writing[--w->n_writing];
			return;
		}
}

static void writing_add(struct policy_watch *w, const char *name)
{
	char *copy;

	for (size_t i = 0; i < w->n_writing; i++)
		if (streq(w->writing[i], name))
			return;
	if (w->n_writing == POLICY_WATCH_MAX_WRITERS || !(copy = strdup(name)))
		return; /* the reload then waits for the others, or for the bound */
	w->writing[w->n_writing++] = copy;
}

/* A name created in the directory: a regular file is written after it is created; a symlink
 * or a directory is complete at once. */
static bool is_regular_file(const struct policy_watch *w, const char *name)
{
	struct stat st;
	int dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool r;

	if (dfd < 0)
		return false;
	r = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
	close(dfd);
	return r;
}

static void schedule(struct policy_watch *w)
{
	uint64_t now = monotonic_usec(), deadline;

	if (!w->pending_since)
		w->pending_since = now;
	/* Each change moves the reload on, so that it runs once the directory is quiet; but not
	 * past POLICY_WATCH_MAX_DELAY_USEC, or a file rewritten over and over would hold it off. */
	deadline = w->pending_since + POLICY_WATCH_MAX_DELAY_USEC;
	if (deadline <= now)
		deadline = now;
	(void)time_source_rearm(w->timer, deadline - now < POLICY_WATCH_SETTLE_USEC
						  ? deadline - now
						  : POLICY_WATCH_SETTLE_USEC);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct policy_watch *w = userdata;

	if (w->n_writing > 0 && monotonic_usec() - w->pending_since < POLICY_WATCH_MAX_WAIT_USEC)
		return time_source_rearm(s, POLICY_WATCH_SETTLE_USEC);
	if (w->n_writing > 0)
		log_warning("%s is still open for writing after %llu s; reloading all the same.",
			    w->writing[0], POLICY_WATCH_MAX_WAIT_USEC / 1000000);
	for (size_t i = 0; i < w->n_writing; i++)
		free(w->writing[i]);
	w->n_writing = 0;
	w->pending_since = 0;
	w->changed(w->userdata);
	return 0;
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct policy_watch *w = userdata;
	char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return 0; /* EAGAIN: all read */
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			const char *name = ev->len ? ev->name : "";

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				schedule(w); /* changes were dropped: read the directory again */
			} else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
				if (w->active)
					log_warning(
						"The policy directory %s was removed or moved: no "
						"longer watched; the active set stays. Restart the "
						"daemon once it is back.",
						w->dir);
				w->active = false;
			} else if (name_matters(name)) {
				if (ev->mask & IN_CLOSE_WRITE ||
				    ev->mask & (IN_DELETE | IN_MOVED_FROM))
					writing_remove(w, name);
				else if (ev->mask & IN_MODIFY ||
					 (ev->mask & IN_CREATE && is_regular_file(w, name)))
					writing_add(w, name);
				schedule(w);
			}
		}
	}
}

int policy_watch_new(sd_event *event, const char *dir, policy_watch_fn changed, void *userdata,
		     struct policy_watch **ret)
{
	struct policy_watch *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return log_error_errno(-ENOMEM, "Out of memory");
	w->fd = -EBADF;
	w->changed = changed;
	w->userdata = userdata;
	w->dir = strdup(dir);
	if (!w->dir) {
		r = log_error_errno(-ENOMEM, "Out of memory");
		goto fail;
	}
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		r = log_error_errno(-errno, "Failed to watch %s (inotify): %m", dir);
		goto fail;
	}
	/* The directory itself: a symlinked key lives in it, and the ConfigMap switch is a rename
	 * in it; what a link points to changes only through such a rename. */
	if (inotify_add_watch(w->fd, dir, WATCH_EVENTS) < 0) {
		r = log_error_errno(-errno, "Failed to watch %s: %m", dir);
		goto fail;
	}
	w->active = true;
	r = sd_event_add_io(event, &w->io, w->fd, EPOLLIN, on_inotify, w);
	if (r >= 0)
		r = sd_event_add_time_relative(event, &w->timer, CLOCK_MONOTONIC,
					       POLICY_WATCH_SETTLE_USEC, 0, on_timer, w);
	if (r >= 0)
		r = sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
	if (r < 0) {
		log_error_errno(r, "Failed to watch %s: %m", dir);
		goto fail;
	}
	*ret = w;
	return 0;
fail:
	policy_watch_free(w);
	return r;
}

struct policy_watch *policy_watch_free(struct policy_watch *w)
{
	if (!w)
		return NULL;
	sd_event_source_disable_unref(w->io);
	sd_event_source_disable_unref(w->timer);
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->n_writing; i++)
		free(w->writing[i]);
	free(w->dir);
	free(w);
	return NULL;
}

bool policy_watch_active(const struct policy_watch *w)
{
	return w && w->active;
}
