// SPDX-License-Identifier: GPL-2.0-or-later
/* seccomp events: the kernel's audit records of the filters `secagentctl exec` applies, attributed
 * to the policy their process registered under, rate-limited like the LSM events, to journald. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <seccomp.h>
#include <systemd/sd-event.h>

#include "journal-event.h"
#include "log.h"
#include "manager.h"
#include "seccomp-audit.h"
#include "seccomp-filter.h"
#include "util.h"


/*
 * The errno a denied call of @rec failed with: the record has the action only, so it is read
 * from the policy, as the active set has it (`secagentctl exec` read the same directory; a
 * policy changed since without a reload can make this differ). 0 when unknown.
 */
static int seccomp_errno(const struct manager *m, const struct seccomp_record *rec,
			 const char *policy)
{
	const struct policy_set *set = m->active ? m->active->source : NULL;
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
	struct manager *m = userdata;
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
				m->seccomp_overflows++;
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

		m->seccomp_events++;
		now = now_usec(CLOCK_MONOTONIC);
		if (rate_window_ended(&m->seccomp_window, m->cfg.limiter.interval_usec, now))
			rate_window_start(&m->seccomp_window, now);
		if (m->cfg.limiter.burst && !rate_window_admit(&m->seccomp_window, m->cfg.limiter.burst)) {
			m->seccomp_suppressed++;
			continue;
		}
		if (seccomp_registry_attribute(m->registry, rec.pid, &policy, &via, &why) <= 0)
			m->seccomp_unattributed++;
		note_journal_result(m, journal_send_seccomp(&rec, policy, via, why,
							    seccomp_errno(m, &rec, policy)));
	}
	return 0;
}

/* Counted drops of seccomp records, reported as they happen. */
void report_seccomp_drops(struct manager *m)
{
	if (m->seccomp_suppressed > m->seccomp_suppressed_reported) {
		note_journal_result(m, journal_send_seccomp_dropped(
					       m->seccomp_suppressed - m->seccomp_suppressed_reported,
					       false, m->cfg.limiter.burst,
					       m->cfg.limiter.interval_usec));
		m->seccomp_suppressed_reported = m->seccomp_suppressed;
	}
	if (m->seccomp_overflows > m->seccomp_overflows_reported) {
		note_journal_result(m, journal_send_seccomp_dropped(
					       m->seccomp_overflows - m->seccomp_overflows_reported,
					       true, 0, 0));
		m->seccomp_overflows_reported = m->seccomp_overflows;
	}
}

int seccomp_events_open(struct manager *m)
{
	int r;

	/* The bind needs CAP_AUDIT_READ. Without it the daemon still enforces; `secagentctl exec`
	 * is told so when it registers, and status says so. */
	r = seccomp_registry_new("/proc", &m->registry);
	if (r < 0)
		return log_error_errno(r, "Out of memory");
	r = seccomp_audit_open(&m->audit_fd);
	if (r < 0) {
		m->audit_error = -r;
		log_warning_errno(r, "Cannot read seccomp audit records (audit netlink multicast "
				     "group): %m; seccomp events will not be reported.");
		return 0;
	}
	r = sd_event_add_io(m->event, NULL, m->audit_fd, EPOLLIN, on_audit_readable, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch the audit socket: %m");
	return 0;
}
