// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <seccomp.h>

#include "events.h"
#include "journal-event.h"
#include "log.h"
#include "seccomp-audit.h"
#include "seccomp-events.h"
#include "seccomp-filter.h"
#include "util.h"

struct seccomp_reader {
	int audit_fd; /* -1: seccomp events are not reported */
	int audit_error;
	sd_event_source *source;
	struct seccomp_registry *registry;
	const struct generations *gens;
	struct event_limiter_config cfg;
	struct rate_window window; /* one for all records, as the LSM events' per policy */
	uint64_t events, unattributed, suppressed, overflows, journal_failed;
	uint64_t suppressed_reported, overflows_reported;
};

/*
 * The errno a denied call of @rec failed with: the record has the action only, so it is read
 * from the policy, as the active set has it (`secagentctl exec` read the same directory; a
 * policy changed since without a reload can make this differ). 0 when unknown.
 */
static int seccomp_errno(const struct seccomp_reader *r, const struct seccomp_record *rec,
			 const char *policy)
{
	const struct policy_set *set = r->gens->active ? r->gens->active->source : NULL;
	char *name = NULL;
	int e = 0;

	if (!policy || !set || !streq(seccomp_record_action(rec), "deny"))
		return 0;
	for (size_t i = 0; i < set->n_policies; i++) {
		const struct policy *p = set->policies[i];

		if (!streq(p->name, policy) || !p->syscalls)
			continue;
		if (rec->arch && rec->syscall >= 0 && rec->syscall <= INT32_MAX)
			name = seccomp_syscall_resolve_num_arch(rec->arch, (int)rec->syscall);
		e = seccomp_filter_deny_errno(p->syscalls, p->mode, name, rec->syscall);
		free(name);
		break;
	}
	return e;
}

/* Records of one turn of the event loop, as for the ring buffer. */
static int on_audit_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct seccomp_reader *r = userdata;
	/* A record is at most 8970 bytes (MAX_AUDIT_MESSAGE_LENGTH in libaudit) with its header. */
	char buf[8970 + NLMSG_HDRLEN + 1];

	for (unsigned i = 0; i < EVENT_BATCH; i++) {
		struct seccomp_record rec;
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		const char *policy = NULL, *why = NULL;
		pid_t via = 0;
		uint64_t now;
		ssize_t n;

		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				r->overflows++;
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				log_warning_errno(-errno, "Failed to read the audit socket: %m");
			break;
		}
		/* The kernel's multicast sends one record per message. */
		if ((size_t)n < NLMSG_HDRLEN || h->nlmsg_type != AUDIT_SECCOMP ||
		    h->nlmsg_len > (size_t)n || h->nlmsg_len < NLMSG_HDRLEN)
			continue;
		if (seccomp_record_parse(buf + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN, &rec) < 0)
			continue;

		r->events++;
		now = monotonic_usec();
		if (rate_window_ended(&r->window, r->cfg.interval_usec, now))
			rate_window_start(&r->window, now);
		if (r->cfg.burst && !rate_window_admit(&r->window, r->cfg.burst)) {
			r->suppressed++;
			continue;
		}
		if (seccomp_registry_attribute(r->registry, rec.pid, &policy, &via, &why) <= 0)
			r->unattributed++;
		journal_result_note(&r->journal_failed,
				    journal_send_seccomp(&rec, policy, via, why,
							 seccomp_errno(r, &rec, policy)));
	}
	return 0;
}

void seccomp_reader_flush(struct seccomp_reader *r)
{
	if (r->suppressed > r->suppressed_reported) {
		journal_result_note(&r->journal_failed,
				    journal_send_seccomp_dropped(r->suppressed -
									 r->suppressed_reported,
								 false, r->cfg.burst,
								 r->cfg.interval_usec));
		r->suppressed_reported = r->suppressed;
	}
	if (r->overflows > r->overflows_reported) {
		journal_result_note(&r->journal_failed,
				    journal_send_seccomp_dropped(r->overflows -
									 r->overflows_reported,
								 true, 0, 0));
		r->overflows_reported = r->overflows;
	}
}

int seccomp_reader_register(struct seccomp_reader *r, pid_t pid, const char *name, char **ret_why)
{
	int k;

	if (r->audit_fd < 0) {
		if (asprintf(ret_why,
			     "cannot report seccomp events: the audit socket is not open "
			     "(%s)",
			     strerror(r->audit_error)) < 0)
			*ret_why = NULL;
		return -r->audit_error;
	}
	k = seccomp_registry_add(r->registry, pid, name);
	if (k < 0) {
		if (asprintf(ret_why, "cannot register pid %d: %s", (int)pid, strerror(-k)) < 0)
			*ret_why = NULL;
		return k;
	}
	log_debug("pid %d registered for seccomp policy %s.", (int)pid, name);
	return 0;
}

struct seccomp_reader_stats seccomp_reader_stats(const struct seccomp_reader *r)
{
	return (struct seccomp_reader_stats){
		.reporting = r->audit_fd >= 0,
		.registered = seccomp_registry_size(r->registry),
		.events = r->events,
		.unattributed = r->unattributed,
		.suppressed = r->suppressed,
		.overflows = r->overflows,
		.journal_failed = r->journal_failed,
	};
}

struct seccomp_reader *seccomp_reader_free(struct seccomp_reader *r)
{
	if (!r)
		return NULL;
	sd_event_source_disable_unref(r->source);
	closep(&r->audit_fd);
	seccomp_registry_free(r->registry);
	free(r);
	return NULL;
}

int seccomp_reader_new(sd_event *event, const struct generations *gens,
		       const struct event_limiter_config *cfg, struct seccomp_reader **ret)
{
	struct seccomp_reader *r = calloc(1, sizeof(*r));
	int k;

	if (!r)
		return log_error_errno(-ENOMEM, "Out of memory");
	r->audit_fd = -1;
	r->gens = gens;
	r->cfg = *cfg;
	k = seccomp_registry_new("/proc", &r->registry);
	if (k < 0) {
		seccomp_reader_free(r);
		return log_error_errno(k, "Out of memory");
	}
	/* The bind needs CAP_AUDIT_READ. Without it the daemon still enforces; `secagentctl exec`
	 * is told so when it registers, and status says so. */
	k = seccomp_audit_open(&r->audit_fd);
	if (k < 0) {
		r->audit_error = -k;
		log_warning_errno(k, "Cannot read seccomp audit records (audit netlink multicast "
				     "group): %m; seccomp events will not be reported.");
	} else {
		k = sd_event_add_io(event, &r->source, r->audit_fd, EPOLLIN, on_audit_readable, r);
		if (k < 0) {
			seccomp_reader_free(r);
			return log_error_errno(k, "Failed to watch the audit socket: %m");
		}
	}
	*ret = r;
	return 0;
}
