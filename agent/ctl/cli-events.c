// SPDX-License-Identifier: GPL-2.0-or-later
/* secagentctl events: the daemon's denial and audit entries, read back from journald. */

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "cli.h"
#include "journal-fields.h"
#include "journal-json.h"
#include "json-util.h"
#include "log.h"
#include "util.h"

#define EVENTS_DEFAULT_LINES 20
#define EVENTS_MAX_LINES     1000000
#define FIELD_MAX	     4096 /* the longest field value shown; event fields are far shorter */

struct event_fields {
	char action[16], policy[256], rule[512], pid[16], uid[16], gid[16], comm[64],
		path[FIELD_MAX], truncated[4], failed_closed[32], message[FIELD_MAX];
};

/* Copies the value of @field of the current entry into @buf (empty if absent). */
static void get_field(sd_journal *j, const char *field, char *buf, size_t size)
{
	size_t flen = strlen(field), len;
	const void *data;

	buf[0] = '\0';
	if (sd_journal_get_data(j, field, &data, &len) < 0 || len <= flen ||
	    ((const char *)data)[flen] != '=')
		return;
	len -= flen + 1;
	if (len >= size)
		len = size - 1;
	memcpy(buf, (const char *)data + flen + 1, len);
	buf[len] = '\0';
}

static void read_event(sd_journal *j, struct event_fields *e)
{
	get_field(j, SA_FIELD_ACTION, e->action, sizeof(e->action));
	get_field(j, SA_FIELD_POLICY, e->policy, sizeof(e->policy));
	get_field(j, SA_FIELD_RULE, e->rule, sizeof(e->rule));
	get_field(j, SA_FIELD_PID, e->pid, sizeof(e->pid));
	get_field(j, SA_FIELD_UID, e->uid, sizeof(e->uid));
	get_field(j, SA_FIELD_GID, e->gid, sizeof(e->gid));
	get_field(j, SA_FIELD_COMM, e->comm, sizeof(e->comm));
	get_field(j, SA_FIELD_PATH, e->path, sizeof(e->path));
	get_field(j, SA_FIELD_PATH_TRUNCATED, e->truncated, sizeof(e->truncated));
	get_field(j, SA_FIELD_FAILED_CLOSED, e->failed_closed, sizeof(e->failed_closed));
	get_field(j, "MESSAGE", e->message, sizeof(e->message));
	if (!e->path[0]) {
		/* Events that are not about a file: what they are about in the PATH column. */
		char addr[64], port[16], kind[32];

		get_field(j, SA_FIELD_ADDRESS, addr, sizeof(addr));
		get_field(j, SA_FIELD_PORT, port, sizeof(port));
		get_field(j, SA_FIELD_KIND, kind, sizeof(kind));
		if (addr[0])
			snprintf(e->path, sizeof(e->path), "%s %s%s%s:%s", kind,
				 strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "",
				 port);
		else {
			get_field(j, SA_FIELD_CAPABILITY, addr, sizeof(addr));
			if (!addr[0])
				get_field(j, SA_FIELD_OPERATION, addr, sizeof(addr));
			snprintf(e->path, sizeof(e->path), "%s%s%s", kind, addr[0] ? " " : "",
				 addr);
		}
	}
}

/* One entry as one JSON object on one line (lib/journal-json.h: docs/events-json.md). Returns 0
 * or a negative errno, logged. */
json_t *cli_journal_entry_json(sd_journal *j, uint64_t usec)
{
	struct journal_datum *data = NULL;
	size_t n = 0, cap = 0;
	const void *d;
	size_t len;
	json_t *o = NULL;
	bool oom = false;

	/* Copied: a datum is valid only until the next one is read. */
	SD_JOURNAL_FOREACH_DATA(j, d, len)
	{
		void *copy = malloc(len ? len : 1);

		if (n == cap) {
			struct journal_datum *nd =
				reallocarray(data, cap ? cap * 2 : 32, sizeof(*data));

			if (!nd) {
				free(copy);
				copy = NULL;
			} else {
				data = nd;
				cap = cap ? cap * 2 : 32;
			}
		}
		if (!copy) {
			oom = true;
			break;
		}
		memcpy(copy, d, len);
		data[n++] = (struct journal_datum){ copy, len };
	}
	if (!oom)
		o = journal_entry_json(data, n, usec);
	for (size_t i = 0; i < n; i++)
		free((void *)data[i].data);
	free(data);
	return o;
}

static int print_entry_json(sd_journal *j, uint64_t usec)
{
	_cleanup_(json_decrefp) json_t *o = cli_journal_entry_json(j, usec);

	if (!o)
		return log_error_errno(-ENOMEM, "Out of memory");
	if (json_dumpf_unsigned(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
	    putchar('\n') == EOF)
		return -EIO; /* the reader went away: the caller sees it on stdout */
	return 0;
}

/* Writes @s for a terminal: paths and command names are chosen by whoever opened the file, so
 * control characters (C0, DEL, C1) and bytes that are not UTF-8 are shown as \xNN and never reach
 * the terminal; a backslash is doubled so the output stays unambiguous. */
static void print_safe(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	int col = 0;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_sequence_len(p + i, n - i);

		if (p[i] == '\\') {
			col += printf("\\\\");
			i++;
		} else if (len == 0 || p[i] < 0x20 || p[i] == 0x7f ||
			   (p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			/* one byte at a time, also each byte of a C1 control */
			col += printf("\\x%02x", p[i]);
			i++;
		} else {
			fwrite(p + i, 1, len, stdout);
			col++;
			i += len;
		}
	}
	for (; col < width; col++)
		putchar(' ');
}

static void print_header(void)
{
	printf("%-19s %-6s %-20s %7s %6s %-15s %s\n", "TIME", "ACTION", "POLICY", "PID", "UID",
	       "COMM", "PATH");
}

static int print_entry(sd_journal *j)
{
	struct event_fields e;
	uint64_t usec = 0;
	char time_buf[64] = "-";
	struct tm tm;
	time_t t;

	if (sd_journal_get_realtime_usec(j, &usec) < 0)
		usec = 0;
	if (arg_json)
		return print_entry_json(j, usec);
	read_event(j, &e);
	if (usec) {
		t = (time_t)(usec / 1000000);
		if (localtime_r(&t, &tm))
			strftime(time_buf, sizeof(time_buf), "%Y-%m-%d %H:%M:%S", &tm);
	}

	{
		printf("%-19s %-6s ", time_buf, e.action[0] ? e.action : "-");
		print_safe(e.policy, 20);
		printf(" %7s %6s ", e.pid, e.uid);
		print_safe(e.comm, 15);
		putchar(' ');
		print_safe(e.path, 0);
		if (streq(e.truncated, "1"))
			fputs(" (truncated)", stdout);
		/* "0", or why the decision failed closed: "depth", "policy-switching". */
		if (e.failed_closed[0] && !streq(e.failed_closed, "0"))
			printf(" (failed closed: %s)", e.failed_closed);
		putchar('\n');
	}
	return 0;
}

/* Matches (MESSAGE_ID=denied [∧ SECAGENT_POLICY=p]) ∨ (MESSAGE_ID=audited [∧ ...]); with
 * @all, every secagent entry type: JSON lines carry repeated, suppressed, lost and seccomp
 * entries too, for log shippers that count them. */
static int add_matches(sd_journal *j, const char *policy, bool all)
{
	static const char *const ids[] = { SECAGENT_MESSAGE_DENIED,   SECAGENT_MESSAGE_AUDITED,
					   SECAGENT_MESSAGE_REPEATED, SECAGENT_MESSAGE_SUPPRESSED,
					   SECAGENT_MESSAGE_LOST,     SECAGENT_MESSAGE_SECCOMP };
	_cleanup_free_ char *pmatch = NULL;
	char match[64];
	int r;

	if (policy && asprintf(&pmatch, SA_FIELD_POLICY "=%s", policy) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < (all ? ELEMENTSOF(ids) : 2); i++) {
		snprintf(match, sizeof(match), "MESSAGE_ID=%s", ids[i]);
		r = sd_journal_add_match(j, match, 0);
		if (r >= 0 && pmatch)
			r = sd_journal_add_match(j, pmatch, 0);
		if (r >= 0)
			r = sd_journal_add_disjunction(j);
		if (r < 0)
			return r;
	}
	return 0;
}

int verb_events(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' },
						 { "json", no_argument, NULL, 'j' },
						 { "follow", no_argument, NULL, 'f' },
						 { "lines", required_argument, NULL, 'n' },
						 { "policy", required_argument, NULL, 'p' },
						 {} };
	unsigned long long lines = EVENTS_DEFAULT_LINES;
	const char *policy = NULL;
	bool follow = false;
	sd_journal *j = NULL;
	size_t shown = 0;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hjfn:p:", options, NULL)) >= 0)
		switch (c) {
		case 'h':
			verb_help(v);
			return 0;
		case 'j':
			arg_json = true;
			break;
		case 'f':
			follow = true;
			break;
		case 'n':
			if (parse_uint(optarg, EVENTS_MAX_LINES, &lines) < 0) {
				log_error("events: invalid -n '%s' (expected 0..%d).", optarg,
					  EVENTS_MAX_LINES);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (!*optarg || strlen(optarg) > 255 || strchr(optarg, '\n')) {
				log_error("events: invalid policy name '%s'.", optarg);
				return EXIT_USAGE;
			}
			policy = optarg;
			break;
		default:
			return verb_bad_option(v, argc, argv);
		}
	if (optind < argc)
		return verb_bad_argument(v, "unexpected argument");

	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0)
		return log_error_errno(r, "Failed to open the journal: %m"), 1;
	r = add_matches(j, policy, arg_json);
	if (r < 0) {
		sd_journal_close(j);
		return log_error_errno(r, "Failed to filter the journal: %m"), 1;
	}

	/* Watch before the first read, so that nothing logged in between is missed. */
	if (follow && (r = sd_journal_get_fd(j)) < 0) {
		sd_journal_close(j);
		return log_error_errno(r, "Failed to watch the journal: %m"), 1;
	}
	if (!arg_json)
		print_header();
	fflush(stdout);

	/* The last @lines entries: step back from the end, then forward. With 0, start at the
	 * newest existing entry without showing it. */
	r = sd_journal_seek_tail(j);
	if (r >= 0)
		r = sd_journal_previous_skip(j, lines ? lines : 1);
	if (r > 0 && lines > 0)
		for (;;) {
			print_entry(j);
			shown++;
			r = sd_journal_next(j);
			if (r <= 0)
				break;
		}
	if (r < 0) {
		sd_journal_close(j);
		return log_error_errno(r, "Failed to read the journal: %m"), 1;
	}
	fflush(stdout);

	while (follow) {
		r = sd_journal_wait(j, UINT64_MAX);
		if (r < 0)
			break;
		while ((r = sd_journal_next(j)) > 0) {
			print_entry(j);
			shown++;
		}
		if (r < 0)
			break;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			r = 0; /* the reader went away, e.g. the end of a pipe */
			break;
		}
	}
	sd_journal_close(j);
	if (r < 0)
		return log_error_errno(r, "Failed to read the journal: %m"), 1;

	if (shown == 0 && !arg_json && !follow) {
		printf("(no events)\n");
		if (geteuid() != 0)
			log_warning(
				"Only root and members of the 'systemd-journal' or 'adm' groups "
				"see the system journal, where events are logged.");
	}
	return 0;
}
