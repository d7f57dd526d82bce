// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secagentctl policy test FILE... (--journal [--since T] | --events FILE): replays recorded events
 * against candidate policies without a kernel (lib/replay.h). The candidates join the installed
 * policy directory as `policy apply` would put them there (replacing policies of the same name),
 * since every policy that binds a process takes part in its decisions; --only tests them alone.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "journal-fields.h"
#include "json-util.h"
#include "log.h"
#include "policy-set.h"
#include "policy.h"
#include "posture.h"
#include "replay.h"
#include "util.h"

/* journalctl's --since forms this accepts: "@EPOCH[.FRACTION]", "YYYY-MM-DD[ HH:MM[:SS]]",
 * "today", "yesterday", "now", and "-N[smhd]" (that long ago). */
static int parse_since(const char *s, uint64_t *ret_usec)
{
	struct tm tm = {};
	time_t now = time(NULL), t;
	char *end;
	double v;

	if (s[0] == '@') {
		errno = 0;
		v = strtod(s + 1, &end);
		if (errno || end == s + 1 || *end || v < 0)
			return -EINVAL;
		*ret_usec = (uint64_t)(v * 1e6);
		return 0;
	}
	if (streq(s, "now")) {
		*ret_usec = (uint64_t)now * 1000000;
		return 0;
	}
	if (streq(s, "today") || streq(s, "yesterday")) {
		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_mday -= streq(s, "yesterday");
		*ret_usec = (uint64_t)mktime(&tm) * 1000000;
		return 0;
	}
	if (s[0] == '-') {
		long n = strtol(s + 1, &end, 10);
		long unit = streq(end, "s") || !*end ? 1
			    : streq(end, "m")	     ? 60
			    : streq(end, "h")	     ? 3600
			    : streq(end, "d")	     ? 86400
						     : 0;

		if (end == s + 1 || n < 0 || !unit)
			return -EINVAL;
		*ret_usec = (uint64_t)(now - n * unit) * 1000000;
		return 0;
	}
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end && *end == ' ')
		end = strptime(end + 1,
			       strchr(end + 1, ':') == strrchr(end + 1, ':') ? "%H:%M" : "%H:%M:%S",
			       &tm);
	if (!end || *end)
		return -EINVAL;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret_usec = (uint64_t)t * 1000000;
	return 0;
}

struct event_list {
	json_t **items;
	size_t n;
};

static int event_list_add(struct event_list *l, json_t *ev)
{
	json_t **grown = reallocarray(l->items, l->n + 1, sizeof(*grown));

	if (!grown) {
		json_decref(ev);
		return -ENOMEM;
	}
	l->items = grown;
	l->items[l->n++] = ev;
	return 0;
}

static void event_list_clear(struct event_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_decref(l->items[i]);
	free(l->items);
}

/* The denials and audits logged since @since_usec. */
static int read_journal(uint64_t since_usec, struct event_list *ret)
{
	static const char *const ids[] = { SECAGENT_MESSAGE_DENIED, SECAGENT_MESSAGE_AUDITED };
	sd_journal *j = NULL;
	char match[64];
	int r;

	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0)
		return log_error_errno(r, "Cannot open the journal: %m");
	for (size_t i = 0; i < ELEMENTSOF(ids) && r >= 0; i++) {
		snprintf(match, sizeof(match), "MESSAGE_ID=%s", ids[i]);
		r = sd_journal_add_match(j, match, 0);
		if (r >= 0)
			r = sd_journal_add_disjunction(j);
	}
	if (r >= 0)
		r = since_usec ? sd_journal_seek_realtime_usec(j, since_usec)
			       : sd_journal_seek_head(j);
	while (r >= 0 && (r = sd_journal_next(j)) > 0) {
		uint64_t usec = 0;
		json_t *o;

		if (sd_journal_get_realtime_usec(j, &usec) < 0 || usec < since_usec)
			continue;
		o = cli_journal_entry_json(j, usec);
		r = o ? event_list_add(ret, o) : -ENOMEM;
	}
	sd_journal_close(j);
	if (r < 0)
		return log_error_errno(r, "Cannot read the journal: %m");
	return 0;
}

/* JSON lines: the recorder's log, or what `events --json` wrote. */
static int read_events_file(const char *path, struct event_list *ret)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;
	unsigned lineno = 0;
	ssize_t n;
	FILE *f = fopen(path, "re");
	int r = 0;

	if (!f)
		return log_error_errno(-errno, "Cannot read the events file %s: %m", path);
	while (r >= 0 && (n = getline(&line, &size, f)) > 0) {
		json_error_t err;
		json_t *o;

		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue;
		o = json_loadb(line, (size_t)n, 0, &err);
		if (!o || !json_is_object(o)) {
			json_decref(o);
			r = log_error_errno(-EINVAL, "%s:%u:%d: not a JSON object: %s", path,
					    lineno, err.column,
					    o ? "another JSON value" : err.text);
			break;
		}
		r = event_list_add(ret, o);
	}
	if (r >= 0 && ferror(f))
		r = log_error_errno(-EIO, "Cannot read the events file %s: %m", path);
	fclose(f);
	return r;
}

/* The directory's set with @candidates in it, replacing policies of their names. */
static int build_set(char **files, size_t n, bool only, struct policy_set **ret)
{
	struct policy_set *cand = NULL, *dir = NULL, *set;
	struct diag_list diags = {};
	int r;

	r = policy_set_load_files(files, n, 0, &diags, &cand);
	if (r >= 0 && !only) {
		r = policy_set_load_dir(arg_policy_dir, &diags, &dir);
		if (r < 0)
			log_error("The policy directory %s does not load (pass --only to test the "
				  "files alone):",
				  arg_policy_dir);
	}
	diag_print(&diags, stderr);
	diag_list_clear(&diags);
	if (r < 0) {
		policy_set_free(cand);
		return r;
	}
	set = calloc(1, sizeof(*set));
	if (!set || !(set->policies = calloc(cand->n_policies + (dir ? dir->n_policies : 0) + 1,
					     sizeof(*set->policies)))) {
		free(set);
		policy_set_free(cand);
		policy_set_free(dir);
		return -ENOMEM;
	}
	for (size_t i = 0; dir && i < dir->n_policies; i++) {
		bool replaced = false;

		for (size_t k = 0; k < cand->n_policies; k++)
			replaced |= streq(dir->policies[i]->name, cand->policies[k]->name);
		if (replaced)
			policy_free(dir->policies[i]);
		else
			set->policies[set->n_policies++] = dir->policies[i];
	}
	for (size_t k = 0; k < cand->n_policies; k++)
		set->policies[set->n_policies++] = cand->policies[k];
	/* The policies are the new set's now. */
	if (dir)
		dir->n_policies = 0;
	cand->n_policies = 0;
	policy_set_free(dir);
	policy_set_free(cand);
	*ret = set;
	return 0;
}

static void print_event(json_t *ev, const struct replay_decision *d)
{
	const char *kind = json_string_value(json_object_get(ev, "kind"));
	const char *what = json_string_value(json_object_get(ev, "path"));
	char buf[128] = "";

	if (!what && json_object_get(ev, "port")) {
		snprintf(buf, sizeof(buf), "%s:%" JSON_INTEGER_FORMAT,
			 json_string_value(json_object_get(ev, "address")) ?: "unix",
			 json_integer_value(json_object_get(ev, "port")));
		what = buf;
	}
	if (!what)
		what = json_string_value(json_object_get(ev, "capability"))
			       ?: json_string_value(json_object_get(ev, "operation"))
			       ?: json_string_value(json_object_get(ev, "family")) ?: "";
	printf("%-7s %s %s", replay_verdict_name(d->verdict), kind ? kind : "?", what);
	if (json_string_value(json_object_get(ev, "access")))
		printf(" (%s)", json_string_value(json_object_get(ev, "access")));
	printf(" by %s[%" JSON_INTEGER_FORMAT "]",
	       json_string_value(json_object_get(ev, "comm")) ?: "?",
	       json_integer_value(json_object_get(ev, "pid")));
	if (d->verdict == REPLAY_UNKNOWN)
		printf(": %s", d->why);
	else if (d->policy)
		printf(": policy %s, %s:%u:%u%s%s", d->policy->name, d->policy->file, d->loc.line,
		       d->loc.column, d->posture >= 0 ? ", posture " : "",
		       d->posture >= 0 ? posture_kind_names[d->posture] : "");
	else
		printf(": no rule");
	if (json_string_value(json_object_get(ev, "action")) &&
	    !streq(json_string_value(json_object_get(ev, "policy")) ?: "", "secagent-recording"))
		printf("; logged: %s by %s", json_string_value(json_object_get(ev, "action")),
		       json_string_value(json_object_get(ev, "policy")) ?: "?");
	putchar('\n');
}

static json_t *decision_json(json_t *ev, const struct replay_decision *d)
{
	json_t *o = json_object();
	char rule[4200];

	if (!o)
		return NULL;
	json_object_set_new(o, "verdict", json_string(replay_verdict_name(d->verdict)));
	if (d->policy) {
		snprintf(rule, sizeof(rule), "%s:%u:%u", d->policy->file, d->loc.line,
			 d->loc.column);
		json_object_set_new(o, "policy", json_string_lossy(d->policy->name));
		json_object_set_new(o, "rule", json_string_lossy(rule));
		json_object_set_new(o, "line", json_integer(d->loc.line));
		json_object_set_new(o, "column", json_integer(d->loc.column));
	}
	if (d->posture >= 0)
		json_object_set_new(o, "posture", json_string(posture_kind_names[d->posture]));
	if (d->verdict == REPLAY_UNKNOWN)
		json_object_set_new(o, "why", json_string_lossy(d->why));
	json_object_set(o, "event", ev);
	return o;
}

int verb_policy_test(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' },
						 { "journal", no_argument, NULL, 'J' },
						 { "since", required_argument, NULL, 'S' },
						 { "events", required_argument, NULL, 'e' },
						 { "enforce", no_argument, NULL, 'E' },
						 { "only", no_argument, NULL, 'O' },
						 { "json", no_argument, NULL, 'j' },
						 {} };
	const char *events_path = NULL, *since = NULL;
	bool journal = false, enforce = false, only = false;
	struct event_list events = {};
	struct policy_set *set = NULL;
	struct replay_ctx *x = NULL;
	size_t n_deny = 0, n_audit = 0, n_unknown = 0, n_as_logged = 0, n_logged = 0;
	uint64_t since_usec = 0;
	int c, r, exit_code = 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "he:j", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			verb_help(v);
			return 0;
		case 'J':
			journal = true;
			break;
		case 'S':
			since = optarg;
			break;
		case 'e':
			events_path = optarg;
			break;
		case 'E':
			enforce = true;
			break;
		case 'O':
			only = true;
			break;
		case 'j':
			arg_json = true;
			break;
		default:
			return verb_bad_option(v, argc, argv);
		}
	}
	if (optind >= argc)
		return verb_bad_argument(v, "expected at least one policy FILE");
	if (journal == !!events_path)
		return verb_bad_argument(v, "give one of --journal or --events FILE");
	if (since && !journal)
		return verb_bad_argument(v, "--since goes with --journal");
	if (since && parse_since(since, &since_usec) < 0)
		return verb_bad_argument(v, "--since takes @EPOCH, YYYY-MM-DD [HH:MM[:SS]], today, "
					    "yesterday, now or -N[smhd]");

	r = build_set(argv + optind, (size_t)(argc - optind), only, &set);
	if (r < 0)
		return 1;
	/* --enforce: the candidates as they would enforce (the installed ones as they are). */
	if (enforce) {
		struct policy_set *cand = NULL;
		struct diag_list diags = {};

		r = policy_set_load_files(argv + optind, (size_t)(argc - optind), 0, &diags, &cand);
		diag_list_clear(&diags);
		if (r >= 0) {
			char **names = calloc(cand->n_policies + 1, sizeof(char *));

			for (size_t i = 0; names && i < cand->n_policies; i++)
				names[i] = cand->policies[i]->name;
			r = names ? replay_ctx_new(set, true, names, cand->n_policies, &x)
				  : -ENOMEM;
			free(names);
			policy_set_free(cand);
		}
	} else
		r = replay_ctx_new(set, false, NULL, 0, &x);
	if (r < 0) {
		log_error_errno(r, "Out of memory");
		goto out;
	}
	r = journal ? read_journal(since_usec, &events) : read_events_file(events_path, &events);
	if (r < 0)
		goto out;

	for (size_t i = 0; i < events.n; i++) {
		json_t *ev = events.items[i];
		const char *logged = json_string_value(json_object_get(ev, "action"));
		const char *by = json_string_value(json_object_get(ev, "policy"));
		struct replay_decision d;

		replay_decide(x, ev, &d);
		n_deny += d.verdict == REPLAY_DENY;
		n_audit += d.verdict == REPLAY_AUDIT;
		n_unknown += d.verdict == REPLAY_UNKNOWN;
		/* What the kernel decided with the set then in force, beside this one's. */
		if (logged && by && !streq(by, "secagent-recording")) {
			n_logged++;
			n_as_logged += streq(logged, replay_verdict_name(d.verdict)) && d.policy &&
				       streq(d.policy->name, by);
		}
		if (arg_json) {
			_cleanup_(json_decrefp) json_t *o = decision_json(ev, &d);

			if (!o || json_dumpf_unsigned(o, stdout, JSON_COMPACT) < 0 ||
			    putchar('\n') == EOF) {
				r = -EIO;
				goto out;
			}
		} else
			print_event(ev, &d);
	}
	fprintf(arg_json ? stderr : stdout,
		"%zu events, %zu would be denied, %zu audited, %zu undecidable", events.n, n_deny,
		n_audit, n_unknown);
	if (n_logged)
		fprintf(arg_json ? stderr : stdout,
			"; of the %zu decisions logged, %zu as this set decides", n_logged,
			n_as_logged);
	fputc('\n', arg_json ? stderr : stdout);
	exit_code = n_deny || n_unknown ? 1 : 0;
out:
	replay_ctx_free(x);
	policy_set_free(set);
	event_list_clear(&events);
	return exit_code;
}
