/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the modules of secagentctl share: the verb table entry, the global options and the
 * control socket call with the operator-facing error messages. Exit codes of every verb:
 * 0 success, 1 failure, 2 usage error.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <systemd/sd-journal.h>

#define EXIT_USAGE 2

struct verb {
	const char *name;
	int (*run)(const struct verb *v, int argc, char **argv);
	const char *usage;   /* the whole command line after "secagentctl " */
	const char *summary; /* one line for the verb list */
	const char *options; /* option lines for the verb's --help, or NULL */
};

extern const char *arg_policy_dir;
extern const char *arg_control_socket;
extern bool arg_json;

/* Prints the --help text of @v. */
void verb_help(const struct verb *v);

/* Prints the list of the @n verbs of @v, after "secagentctl @prefix". */
void help_verbs(const struct verb *v, size_t n, const char *prefix);

/* Runs the verb of @v named by argv[0]; "--help" or no verb prints the list of @v. */
int verb_dispatch(const struct verb *v, size_t n, const char *prefix, int argc, char **argv);

/* For getopt_long() loops of verbs: reports the option getopt rejected and returns EXIT_USAGE. */
int verb_bad_option(const struct verb *v, int argc, char **argv);

/* Parses a verb's options: --help, --json if @json, --offline if @offline. Returns an exit code,
 * or -1 to go on with the arguments from optind. */
int verb_parse_options(const struct verb *v, bool json, bool *offline, int argc, char **argv);

/* Reports a wrong positional argument (@what says how) and returns EXIT_USAGE. */
int verb_bad_argument(const struct verb *v, const char *what);

/* Parses a decimal unsigned number; returns 0 or -EINVAL. */
int parse_uint(const char *s, unsigned long long max, unsigned long long *ret);

/*
 * Sends @request to secagentd and returns 0 with its reply in @ret_body. Every failure is logged
 * here in words an operator can act on (daemon not running, not root, request refused) and
 * returned as a negative errno.
 */
int cli_control(const char *request, char **ret_body);

/* Logs why control_call() returned @r (< 0) and returns @r. */
int cli_log_control_error(int r);

/* "policy" and "events" verbs, in cli-policy.c and cli-events.c. */
int verb_policy(const struct verb *v, int argc, char **argv);
/* Prints the active set's paths not enforced (of @policy, or all), one per line after @indent;
 * how many, or a negative errno when the daemon cannot be asked. */
int cli_print_not_enforced(const char *policy, const char *indent);
int verb_events(const struct verb *v, int argc, char **argv);
/* The journal's current entry as `events --json` writes it; NULL when out of memory. */
json_t *cli_journal_entry_json(sd_journal *j, uint64_t usec);

/* "exec" and "policy export", in cli-seccomp.c. */
int verb_exec(const struct verb *v, int argc, char **argv);
int verb_policy_export(const struct verb *v, int argc, char **argv);

/* "policy test", in cli-replay.c. */
int verb_policy_test(const struct verb *v, int argc, char **argv);

/* "profile record", in cli-profile.c. */
int verb_profile(const struct verb *v, int argc, char **argv);
