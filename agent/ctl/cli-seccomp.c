// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp verbs of secagentctl:
 *   exec --policy NAME -- CMD [ARGS...]    apply the policy's filter (no_new_privs), exec CMD
 *   policy export --format oci-seccomp NAME   the filter as an OCI runtime-spec profile
 * Policies are read from the policy directory the way the daemon reads it (policy-set.c: root
 * owned, not group/other writable, the whole set valid), so what runs is what the daemon checks.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "log.h"
#include "policy-set.h"
#include "policy-syscalls.h"
#include "seccomp-filter.h"
#include "util.h"

static void policy_set_freep(struct policy_set **s)
{
	policy_set_free(*s);
}

/* Loads the policy directory and finds @name in it; logs why not. Returns 0 or a negative errno;
 * the policy stays owned by @ret_set. */
static int load_named_policy(const char *name, struct policy_set **ret_set,
			     const struct policy **ret_policy)
{
	_cleanup_(policy_set_freep) struct policy_set *set = NULL;
	struct diag_list diags = {};
	int r;

	r = policy_set_load_dir(arg_policy_dir, &diags, &set);
	diag_print(&diags, stderr);
	diag_list_clear(&diags);
	if (r == -ENOMEM)
		return log_error_errno(r, "Out of memory");
	if (r < 0)
		return log_error_errno(r,
				       "The policy directory %s is not valid (see above); "
				       "the daemon would refuse it too.",
				       arg_policy_dir);

	for (size_t i = 0; i < set->n_policies; i++) {
		const struct policy *p = set->policies[i];

		if (!streq(p->name, name))
			continue;
		if (!p->syscalls)
			return log_error_errno(
				-ENOENT,
				"Policy '%s' (%s) has no syscalls: section; there is "
				"no seccomp filter to apply.",
				name, p->file);
		*ret_policy = p;
		*ret_set = TAKE_PTR(set);
		return 0;
	}
	return log_error_errno(-ENOENT,
			       "No policy named '%s' in %s; see 'secagentctl policy list'.", name,
			       arg_policy_dir);
}

/*
 * Tells the daemon that this process (the daemon reads our pid from SO_PEERCRED) runs under
 * @name, so that the audit records of the filter, of this process and its descendants, name the
 * policy. Returns 0 or a negative errno; logs nothing.
 */
static int register_with_daemon(const char *name, char **ret_error)
{
	_cleanup_free_ char *request = NULL, *body = NULL;
	int r;

	request = control_request_new(CONTROL_SECCOMP_REGISTER, name);
	if (!request)
		return -ENOMEM;
	r = control_call(arg_control_socket, request, &body);
	if (r > 0) {
		size_t len = strlen(body);

		while (len > 0 && body[len - 1] == '\n')
			body[--len] = '\0';
		*ret_error = TAKE_PTR(body);
		return -EBADMSG;
	}
	return r;
}

int verb_exec(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' },
						 { "policy", required_argument, NULL, 'p' },
						 {} };
	_cleanup_(policy_set_freep) struct policy_set *set = NULL;
	_cleanup_free_ char *refusal = NULL;
	const struct policy *p = NULL;
	const char *name = NULL;
	scmp_filter_ctx ctx = NULL;
	struct seccomp_filter_error fe = {};
	int c, r;

	opterr = 0;
	/* '+': stop at CMD, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+hp:", options, NULL)) >= 0)
		switch (c) {
		case 'h':
			verb_help(v);
			return 0;
		case 'p':
			name = optarg;
			break;
		default:
			return verb_bad_option(v, argc, argv);
		}
	if (!name)
		return verb_bad_argument(v, "--policy NAME is required");
	if (optind >= argc)
		return verb_bad_argument(v,
					 "expected a command after the options ('-- CMD ARGS...')");

	if (load_named_policy(name, &set, &p) < 0)
		return 1;
	r = seccomp_filter_build(p->syscalls, p->mode, &ctx, &fe);
	if (r < 0)
		return log_error_errno(r, "Cannot build the seccomp filter of policy '%s': %m",
				       name),
		       1;

	/* Fail closed: without the daemon the filter is applied all the same; only its events
	 * lose their policy's name. */
	r = register_with_daemon(name, &refusal);
	if (r < 0)
		log_warning("warning: secagentd %s; the filter of policy '%s' is applied, but its "
			    "events will be logged without the policy's name.",
			    refusal				 ? refusal
			    : r == -ENOENT || r == -ECONNREFUSED ? "is not running"
			    : r == -EACCES || r == -EPERM
				    ? "refused this user (only root may register)"
				    : "could not be reached",
			    name);

	/* no_new_privs first, then the filter. Nothing runs without the filter: a failure here
	 * ends the command. */
	r = seccomp_filter_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return log_error_errno(r, "Cannot apply the seccomp filter of policy '%s': %m",
				       name),
		       1;

	execvp(argv[optind], argv + optind);
	r = -errno;
	log_error_errno(r, "Cannot execute %s: %m%s", argv[optind],
			r == -EPERM || r == -EACCES ? " (does the policy allow execve?)" : "");
	return r == -ENOENT ? 127 : 126;
}

int verb_policy_export(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' },
						 { "format", required_argument, NULL, 'f' },
						 {} };
	_cleanup_(policy_set_freep) struct policy_set *set = NULL;
	const struct policy *p = NULL;
	const char *format = NULL;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hf:", options, NULL)) >= 0)
		switch (c) {
		case 'h':
			verb_help(v);
			return 0;
		case 'f':
			format = optarg;
			break;
		default:
			return verb_bad_option(v, argc, argv);
		}
	if (!format)
		return verb_bad_argument(v, "--format is required (oci-seccomp)");
	if (!streq(format, "oci-seccomp"))
		return verb_bad_argument(v, "unknown --format (expected oci-seccomp)");
	if (argc - optind != 1)
		return verb_bad_argument(v, "expected exactly one NAME");

	if (load_named_policy(argv[optind], &set, &p) < 0)
		return 1;
	r = seccomp_filter_export_oci(p->syscalls, p->mode, stdout);
	if (r >= 0 && fflush(stdout) != 0)
		r = -errno;
	if (r < 0)
		return log_error_errno(r, "Cannot export policy '%s': %m", argv[optind]), 1;
	return 0;
}
