// SPDX-License-Identifier: GPL-2.0-or-later
/* secagentctl: the operator's command line for secagent. Exit codes: 0 success, 1 failure,
 * 2 usage error. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "util.h"

static const char *arg_policy_dir = SECAGENT_POLICY_DIR;
static const char *arg_control_socket = SECAGENT_CONTROL_SOCKET;

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static int dispatch(const struct verb *verbs, size_t n, const char *what, int argc, char **argv);

/* Parses and compiles @files with the daemon's own code; prints every diagnostic. */
static int validate_files(char **files, size_t n, bool quiet, struct compiled_set **ret)
{
	struct diag_list diags = {};
	struct policy_set *set = NULL;
	struct compiled_set *c = NULL;
	int r;

	r = policy_set_load_files(files, n, &diags, &set);
	if (r >= 0)
		r = compile_policy_set(set, &diags, &c);
	diag_print(&diags, stderr);
	diag_list_clear(&diags);
	if (r == -ENOMEM)
		return log_error_errno(r, "Out of memory");
	if (r < 0)
		return r;
	if (!quiet)
		for (size_t i = 0; i < c->n_policies; i++)
			printf("%s: ok: policy '%s', %u rules\n", c->policies[i].file,
			       c->policies[i].name, c->policies[i].n_rules);
	if (ret)
		*ret = c;
	else
		compiled_set_free(c);
	return 0;
}

static int verb_policy_validate(int argc, char **argv)
{
	if (argc < 2) {
		log_error("policy validate: expected one or more FILEs");
		return 2;
	}
	return validate_files(argv + 1, argc - 1, false, NULL) < 0 ? 1 : 0;
}

static int read_whole_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (!f)
		return -errno;
	buf = malloc(POLICY_FILE_MAX_BYTES + 1);
	if (!buf)
		return -ENOMEM;
	len = fread(buf, 1, POLICY_FILE_MAX_BYTES + 1, f);
	if (ferror(f))
		return -EIO;
	if (len > POLICY_FILE_MAX_BYTES)
		return -EFBIG;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/* Writes @buf to @path through a temporary file and rename(), so the daemon never reads a
 * half-written policy. */
static int write_file_atomic(const char *path, const char *buf, size_t len)
{
	_cleanup_free_ char *tmp = NULL, *dir = NULL;
	const char *base = strrchr(path, '/');
	_cleanup_close_ int fd = -1;
	ssize_t n;

	base = base ? base + 1 : path;
	dir = strndup(path, base - path);
	if (!dir || asprintf(&tmp, "%s.%s.tmp", dir, base) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0 || (size_t)n != len || fsync(fd) < 0) {
		int r = n < 0 ? -errno : -EIO;

		(void)unlink(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		int r = -errno;

		(void)unlink(tmp);
		return r;
	}
	return 0;
}

static int verb_policy_apply(int argc, char **argv)
{
	_cleanup_free_ char *buf = NULL, *old = NULL, *dest = NULL, *body = NULL;
	struct compiled_set *c = NULL;
	size_t len = 0, old_len = 0;
	bool had_old;
	int r;

	if (argc != 2) {
		log_error("policy apply: expected exactly one FILE");
		return 2;
	}
	if (validate_files(argv + 1, 1, true, &c) < 0) {
		log_error("%s: not applied.", argv[1]);
		return 1;
	}
	/* Installed under the policy's name, so applying a new version replaces the old one. */
	r = asprintf(&dest, "%s/%s.yaml", arg_policy_dir, c->policies[0].name);
	compiled_set_free(c);
	if (r < 0)
		return log_error_errno(-ENOMEM, "Out of memory"), 1;

	r = read_whole_file(argv[1], &buf, &len);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s: %m", argv[1]), 1;
	had_old = read_whole_file(dest, &old, &old_len) >= 0;

	r = write_file_atomic(dest, buf, len);
	if (r < 0)
		return log_error_errno(r, "Failed to install %s: %m", dest), 1;

	r = control_call(arg_control_socket, "reload", &body);
	if (r == 0) {
		printf("Applied %s as %s; the daemon reloaded.\n", argv[1], dest);
		return 0;
	}

	/* The daemon kept its previous set; put the directory back to match it. */
	if (had_old)
		(void)write_file_atomic(dest, old, old_len);
	else
		(void)unlink(dest);
	if (r < 0)
		log_error_errno(r, "Cannot reach secagentd at %s: %m. Policy not applied.",
				arg_control_socket);
	else
		log_error("secagentd rejected the policy set; the previous set stays in force and "
			  "%s was restored:\n%s",
			  dest, body);
	return 1;
}

static int verb_reload(int argc, char **argv)
{
	_cleanup_free_ char *body = NULL;
	int r = control_call(arg_control_socket, "reload", &body);

	if (r < 0)
		return log_error_errno(r, "Cannot reach secagentd at %s: %m", arg_control_socket), 1;
	fputs(body, r == 0 ? stdout : stderr);
	return r == 0 ? 0 : 1;
}

static int verb_status(int argc, char **argv)
{
	_cleanup_free_ char *body = NULL;
	int r = control_call(arg_control_socket, "status", &body);

	if (r < 0)
		return log_error_errno(r, "Cannot reach secagentd at %s: %m", arg_control_socket), 1;
	fputs(body, r == 0 ? stdout : stderr);
	return r == 0 ? 0 : 1;
}

static const struct verb policy_verbs[] = {
	{ "validate", verb_policy_validate, "validate FILE...  Check policies without a daemon" },
	{ "apply", verb_policy_apply, "apply FILE        Install a policy and reload the daemon" },
};

static int verb_policy(int argc, char **argv)
{
	return dispatch(policy_verbs, ELEMENTSOF(policy_verbs), "policy", argc - 1, argv + 1);
}

static const struct verb verbs[] = {
	{ "policy", verb_policy, "policy VERB ...   Validate and apply policies" },
	{ "status", verb_status, "status            Show the daemon's state and counters" },
	{ "reload", verb_reload, "reload            Make the daemon re-read its policy directory" },
};

static void help_verbs(const struct verb *v, size_t n, const char *prefix)
{
	printf("Usage: secagentctl [OPTIONS] %sVERB ...\n\nVerbs:\n", prefix);
	for (size_t i = 0; i < n; i++)
		printf("  %s%s\n", prefix, v[i].help);
}

static void help(void)
{
	help_verbs(verbs, ELEMENTSOF(verbs), "");
	printf("\nOptions:\n"
	       "  -h --help                 Show this help\n"
	       "     --version              Show the version\n"
	       "     --policy-dir=DIR       The daemon's policy directory (default: %s)\n"
	       "     --control-socket=PATH  The daemon's control socket (default: %s)\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error.\n",
	       SECAGENT_POLICY_DIR, SECAGENT_CONTROL_SOCKET);
}

static int dispatch(const struct verb *v, size_t n, const char *what, int argc, char **argv)
{
	if (argc < 1 || streq(argv[0], "--help") || streq(argv[0], "-h")) {
		help_verbs(v, n, what[0] ? (streq(what, "policy") ? "policy " : "") : "");
		return argc < 1 ? 2 : 0;
	}
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].name, argv[0])) {
			if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
				printf("Usage: secagentctl %s%s%s\n", what, what[0] ? " " : "",
				       v[i].help);
				return 0;
			}
			return v[i].run(argc, argv);
		}
	log_error("Unknown %s verb '%s'; see --help.", what[0] ? what : "", argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	enum { ARG_VERSION = 0x100, ARG_POLICY_DIR, ARG_CONTROL_SOCKET };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "policy-dir", required_argument, NULL, ARG_POLICY_DIR },
		{ "control-socket", required_argument, NULL, ARG_CONTROL_SOCKET },
		{}
	};
	int c;

	log_set_program("secagentctl");
	/* Stop at the first verb: what follows belongs to it. */
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return 0;
		case ARG_VERSION:
			printf("secagentctl %s\n", SECAGENT_VERSION);
			return 0;
		case ARG_POLICY_DIR:
			arg_policy_dir = optarg;
			break;
		case ARG_CONTROL_SOCKET:
			arg_control_socket = optarg;
			break;
		default:
			return 2;
		}
	}
	return dispatch(verbs, ELEMENTSOF(verbs), "", argc - optind, argv + optind);
}
