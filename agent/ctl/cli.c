// SPDX-License-Identifier: GPL-2.0-or-later
/* What the verbs of secagentctl share (cli.h): the global options, the verb table's dispatch and
 * help, and the control socket call with messages an operator can act on. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "util.h"

const char *arg_policy_dir = SECAGENT_POLICY_DIR;
const char *arg_control_socket = SECAGENT_CONTROL_SOCKET;
bool arg_json;

int parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !(*s >= '0' && *s <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int cli_log_control_error(int r)
{
	switch (r) {
	case -EACCES:
	case -EPERM:
		return log_error_errno(r,
				       "Permission denied: only root may talk to secagentd "
				       "(control socket %s). Run this command as root.",
				       arg_control_socket);
	case -ENOENT:
	case -ECONNREFUSED:
		return log_error_errno(r,
				       "secagentd is not running (nothing listens on %s: %m). "
				       "Start it with 'systemctl start secagent'.",
				       arg_control_socket);
	case -ENOMSG:
		return log_error_errno(r, "secagentd at %s closed the connection without a reply.",
				       arg_control_socket);
	default:
		return log_error_errno(r, "Cannot reach secagentd at %s: %m", arg_control_socket);
	}
}

int cli_control(const char *request, char **ret_body)
{
	_cleanup_free_ char *body = NULL;
	int r = control_call(arg_control_socket, request, &body);

	if (r < 0)
		return cli_log_control_error(r);
	if (r > 0) {
		size_t len = strlen(body);

		while (len > 0 && body[len - 1] == '\n')
			body[--len] = '\0';
		/* The daemon refuses callers that are not root even when the socket let them in. */
		if (strstr(body, "permission denied"))
			return log_error_errno(-EPERM,
					       "secagentd refused '%s': %s. Run this command as "
					       "root.",
					       request, body);
		return log_error_errno(-EBADMSG, "secagentd refused '%s': %s", request, body);
	}
	*ret_body = TAKE_PTR(body);
	return 0;
}

void verb_help(const struct verb *v)
{
	printf("Usage: secagentctl [OPTIONS] %s\n\n%s\n", v->usage, v->summary);
	if (v->options)
		printf("\nOptions:\n%s", v->options);
	printf("  -h --help        Show this help\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error. See secagentctl(8).\n");
}

/* The words before the running verb's name ("policy "), for messages. */
static const char *verb_prefix = "";

int verb_bad_option(const struct verb *v, int argc, char **argv)
{
	const char *opt = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	log_error("%s%s: unknown option or missing argument '%s'; see 'secagentctl %s%s --help'.",
		  verb_prefix, v->name, opt, verb_prefix, v->name);
	return EXIT_USAGE;
}

int verb_bad_argument(const struct verb *v, const char *what)
{
	log_error("%s%s: %s; see 'secagentctl %s%s --help'.", verb_prefix, v->name, what,
		  verb_prefix, v->name);
	return EXIT_USAGE;
}

void help_verbs(const struct verb *v, size_t n, const char *prefix)
{
	printf("Usage: secagentctl [OPTIONS] %sVERB [ARGS...]\n\nVerbs:\n", prefix);
	for (size_t i = 0; i < n; i++)
		printf("  %-34s %s\n", v[i].usage, v[i].summary);
	printf("\nSee 'secagentctl %sVERB --help' for each verb's options.\n", prefix);
}

int verb_dispatch(const struct verb *v, size_t n, const char *prefix, int argc, char **argv)
{
	if (argc < 1) {
		log_error("Missing %sverb; see 'secagentctl %s--help'.", prefix, prefix);
		return EXIT_USAGE;
	}
	if (streq(argv[0], "--help") || streq(argv[0], "-h") || streq(argv[0], "help")) {
		help_verbs(v, n, prefix);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].name, argv[0])) {
			verb_prefix = prefix;
			optind = 0; /* every verb parses its own options from argv[1] */
			return v[i].run(&v[i], argc, argv);
		}
	log_error("Unknown %sverb '%s'; see 'secagentctl %s--help'.", prefix, argv[0], prefix);
	return EXIT_USAGE;
}

int verb_parse_options(const struct verb *v, bool json, bool *offline, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' },
						 { "json", no_argument, NULL, 'j' },
						 { "offline", no_argument, NULL, 'o' },
						 {} };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, json ? "hj" : "h", options, NULL)) >= 0)
		switch (c) {
		case 'h':
			verb_help(v);
			return 0;
		case 'j':
			if (!json)
				return verb_bad_option(v, argc, argv);
			arg_json = true;
			break;
		case 'o':
			if (!offline)
				return verb_bad_option(v, argc, argv);
			*offline = true;
			break;
		default:
			return verb_bad_option(v, argc, argv);
		}
	return -1;
}
