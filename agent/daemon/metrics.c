// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "config.h"
#include "container-bindings.h"
#include "journal-event.h"
#include "manager.h"
#include "metrics.h"
#include "rule-counts.h"
#include "util.h"

/* The help and type lines of a family; its samples follow. */
static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the format says: backslash, double quote and line feed. */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void sample(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

/* One family of one sample. */
static void metric(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
	family(f, name, type, help);
	sample(f, name, v);
}

static void metric_seconds(FILE *f, const char *name, const char *help, uint64_t usec)
{
	family(f, name, "gauge", help);
	fprintf(f, "%s %" PRIu64 ".%06" PRIu64 "\n", name, usec / 1000000, usec % 1000000);
}

/* A sample with one label. */
static void sample1(FILE *f, const char *name, const char *label, const char *value, uint64_t v)
{
	fprintf(f, "%s{%s=\"", name, label);
	label_value(f, value);
	fprintf(f, "\"} %" PRIu64 "\n", v);
}

static void write_rule_decisions(struct manager *m, FILE *f)
{
	struct rule_count *a = NULL;
	size_t n = 0;

	family(f, "secagent_rule_decisions_total", "counter",
	       "Decisions by policy, rule (file:line:column), kind of operation and verdict, "
	       "counted in the kernel before any coalescing or rate limit.");
	if (!m->rule_counts || rule_counts_snapshot(m->rule_counts, &m->gens, &a, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		/* Labels in name order, as Prometheus' own libraries write them. */
		fprintf(f, "secagent_rule_decisions_total{kind=\"%s\",policy=\"",
			event_kind_to_string(a[i].kind));
		label_value(f, a[i].policy);
		fputs("\",rule=\"", f);
		label_value(f, a[i].rule);
		fprintf(f, "\",verdict=\"%s\"} %" PRIu64 "\n",
			event_verdict_to_string(a[i].verdict), a[i].count);
	}
	rule_count_array_free(a, n);
}

static void write_maps(struct manager *m, FILE *f)
{
	const struct compiled_set *a = m->gens.active;
	const struct {
		const char *map;
		size_t entries, max;
	} maps[] = {
		{ "sa_file_rules", a ? a->n_files : 0, m->cfg.enforcer.max_file_rules },
		{ "sa_net_rules", a ? a->n_net : 0, COMPILED_MAX_NET_ENTRIES },
		{ "sa_create_rules", a ? a->n_create : 0, COMPILED_MAX_CREATE_ENTRIES },
		{ "sa_cap_rules", a ? a->n_caps : 0, COMPILED_MAX_CAP_ENTRIES },
		{ "sa_rule_counts", m->rule_counts ? rule_counts_map_entries(m->rule_counts) : 0,
		  SA_RULE_COUNTS_MAX },
	};

	family(f, "secagent_map_entries", "gauge",
	       "Entries the active policy set has in each BPF map (sa_rule_counts: decisions "
	       "counted per rule, as of this scrape).");
	for (size_t i = 0; i < ELEMENTSOF(maps); i++)
		sample1(f, "secagent_map_entries", "map", maps[i].map, maps[i].entries);
	family(f, "secagent_map_entries_max", "gauge",
	       "The bound of each map's entries for one policy set.");
	for (size_t i = 0; i < ELEMENTSOF(maps); i++)
		sample1(f, "secagent_map_entries_max", "map", maps[i].map, maps[i].max);
}

/* Hooks named in a comma-separated list ("none": none), one sample each. */
static size_t write_hook_list(FILE *f, const char *name, const char *list)
{
	char buf[1024];
	size_t n = 0;

	if (!list || streq(list, "none") || streq(list, "?"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *h = strtok_r(buf, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
		sample1(f, name, "hook", h, 1);
		n++;
	}
	return n;
}

/* Run time and count of each program, which the kernel keeps while kernel.bpf_stats_enabled
 * is 1. */
static void write_program_stats(struct manager *m, FILE *f)
{
	struct enforcer_program_stats *ps = NULL;
	size_t n = 0;

	if (enforcer_program_stats(m->enforcer, &ps, &n) < 0)
		return;
	family(f, "secagent_bpf_program_run_seconds_total", "counter",
	       "Time spent in each BPF program, while kernel.bpf_stats_enabled is 1.");
	for (size_t i = 0; i < n; i++) {
		fprintf(f,
			"secagent_bpf_program_run_seconds_total{program=\"%s\"} %" PRIu64
			".%09" PRIu64 "\n",
			ps[i].name, ps[i].run_time_ns / 1000000000, ps[i].run_time_ns % 1000000000);
	}
	family(f, "secagent_bpf_program_runs_total", "counter",
	       "Runs of each BPF program, while kernel.bpf_stats_enabled is 1.");
	for (size_t i = 0; i < n; i++)
		sample1(f, "secagent_bpf_program_runs_total", "program", ps[i].name,
			ps[i].run_count);
	free(ps);
}

int metrics_write(struct manager *m, FILE *f)
{
	uint64_t counters[SA_COUNTER__MAX] = {};
	struct event_reader_stats es = event_reader_stats(m->events);
	struct event_limiter_stats ls = es.limiter;
	struct seccomp_reader_stats ss = seccomp_reader_stats(m->seccomp);
	const struct compiled_set *a = m->gens.active;
	char hooks[1024];
	size_t n;

	if (enforcer_read_counters(m->enforcer, counters) < 0)
		return -EIO;

	family(f, "secagent_build_info", "gauge", "The daemon's version, as a label.");
	sample1(f, "secagent_build_info", "version", SECAGENT_VERSION, 1);
	metric_seconds(f, "secagent_start_time_seconds",
		       "When the daemon started, in seconds since the epoch.",
		       m->started_realtime_usec);

	metric(f, "secagent_policy_generation", "gauge",
	       "The active policy set's generation: one more at every switch.", m->gens.active_seq);
	metric(f, "secagent_policies", "gauge", "Policies in the active set.",
	       a ? a->n_policies : 0);
	metric(f, "secagent_rules", "gauge", "Rules in the active set.", a ? a->n_rules : 0);
	metric(f, "secagent_rules_not_enforced", "gauge",
	       "Rules of the active set this kernel cannot enforce (secagentctl status lists "
	       "them).",
	       a ? a->n_not_enforced : 0);
	metric(f, "secagent_reloads_total", "counter",
	       "Policy sets made active, the first one included.", m->reloads_ok);
	metric(f, "secagent_reload_failures_total", "counter",
	       "Reloads refused (a broken policy, a failed install): the set before stayed.",
	       m->reloads_failed);
	if (m->last_reload_realtime_usec) {
		metric_seconds(f, "secagent_last_reload_timestamp_seconds",
			       "When the last reload ended, in seconds since the epoch.",
			       m->last_reload_realtime_usec);
		metric_seconds(f, "secagent_last_reload_duration_seconds",
			       "How long the last reload took, reading to switch.",
			       m->last_reload_duration_usec);
		metric(f, "secagent_last_reload_success", "gauge",
		       "1 when the last reload made its set active, 0 when it was refused.",
		       m->last_reload_ok);
	}

	family(f, "secagent_decisions_total", "counter",
	       "Operations denied or audited, by verdict, policies and self-protection alike.");
	sample1(f, "secagent_decisions_total", "verdict", "deny", counters[SA_COUNTER_DENIED]);
	sample1(f, "secagent_decisions_total", "verdict", "audit", counters[SA_COUNTER_AUDITED]);
	metric(f, "secagent_decisions_failed_closed_total", "counter",
	       "Decisions that could not complete and denied (also in the deny count).",
	       counters[SA_COUNTER_FAIL_CLOSED]);
	write_rule_decisions(m, f);
	metric(f, "secagent_rule_decisions_unrecorded_total", "counter",
	       "Decisions not counted by rule because sa_rule_counts was full.",
	       enforcer_rule_counts_unrecorded(m->enforcer));

	metric(f, "secagent_events_received_total", "counter",
	       "Events the daemon took from the ring buffer.", es.received);
	metric(f, "secagent_events_delivered_total", "counter",
	       "Events delivered to journald: one by one, or counted in a repeated or "
	       "suppressed entry.",
	       ls.emitted + ls.coalesced + ls.suppressed - es.journal_failed);
	metric(f, "secagent_events_logged_total", "counter",
	       "Events journald received one entry each for.", ls.emitted);
	metric(f, "secagent_events_coalesced_total", "counter",
	       "Events counted in a repeated entry (identical within the coalescing window).",
	       ls.coalesced);
	metric(f, "secagent_events_suppressed_total", "counter",
	       "Events counted in a suppressed entry (over a policy's rate limit).", ls.suppressed);
	family(f, "secagent_events_lost_total", "counter",
	       "Events lost, by reason: the ring buffer was full, or journald refused them. "
	       "Each loss is also reported in the journal.");
	sample1(f, "secagent_events_lost_total", "reason", "ringbuf",
		counters[SA_COUNTER_EVENTS_LOST]);
	sample1(f, "secagent_events_lost_total", "reason", "journal",
		es.journal_failed + ss.journal_failed);

	write_maps(m, f);
	metric(f, "secagent_container_bindings", "gauge", "Containers bound to container policies.",
	       m->bindings ? m->bindings->n : 0);
	metric(f, "secagent_seccomp_registrations", "gauge",
	       "Processes registered for seccomp event attribution.", ss.registered);
	metric(f, "secagent_seccomp_events_total", "counter", "seccomp audit records reported.",
	       ss.events);
	metric(f, "secagent_seccomp_events_unattributed_total", "counter",
	       "seccomp audit records no registered process explains.", ss.unattributed);
	metric(f, "secagent_seccomp_events_suppressed_total", "counter",
	       "seccomp audit records over the rate limit, counted in one entry.", ss.suppressed);
	metric(f, "secagent_seccomp_audit_overflows_total", "counter",
	       "Times the audit socket's buffer overflowed (records lost).", ss.overflows);

	family(f, "secagent_hook_attached", "gauge", "LSM hooks the programs are attached to.");
	if (enforcer_hooks_attached(m->enforcer, hooks, sizeof(hooks)) < 0)
		hooks[0] = '\0';
	n = write_hook_list(f, "secagent_hook_attached", hooks);
	metric(f, "secagent_hooks_attached", "gauge", "How many LSM hooks are attached.", n);
	family(f, "secagent_hook_not_enforced", "gauge",
	       "LSM hooks this kernel lacks: rules that need them are not enforced.");
	n = write_hook_list(f, "secagent_hook_not_enforced", enforcer_hooks_off(m->enforcer));
	metric(f, "secagent_hooks_not_enforced", "gauge", "How many LSM hooks this kernel lacks.",
	       n);
	write_program_stats(m, f);
	return ferror(f) ? -EIO : 0;
}
