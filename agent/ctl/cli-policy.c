// SPDX-License-Identifier: GPL-2.0-or-later
/* secagentctl policy VERB: validate, apply, list, show, delete. Files in the policy directory are
 * read with the daemon's own parser and compiler, so the CLI and the daemon never disagree. */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compile.h"
#include "control.h"
#include "json-util.h"
#include "log.h"
#include "policy-set.h"
#include "policy-syscalls.h"
#include "util.h"

/* Parses and compiles @files (or, with @buf, the one file @files[0] as read into @buf) with the
 * daemon's own code; prints every diagnostic. */
static int validate(char **files, size_t n, const char *buf, size_t len, bool quiet,
		    struct compiled_set **ret)
{
	struct diag_list diags = {};
	struct policy_set *set = NULL;
	struct compiled_set *c = NULL;
	int r;

	if (buf) {
		struct policy *p = NULL;

		r = policy_parse_buffer(files[0], buf, len, &diags, &p);
		if (r >= 0) {
			set = calloc(1, sizeof(*set));
			if (set)
				set->policies = calloc(1, sizeof(*set->policies));
			if (!set || !set->policies) {
				policy_set_free(set);
				policy_free(p);
				return log_error_errno(-ENOMEM, "Out of memory");
			}
			set->policies[set->n_policies++] = p;
		}
	} else
		r = policy_set_load_files(files, n, 0, &diags, &set);
	if (r >= 0)
		r = compile_policy_set(set, &file_identity_stat, NULL, 0, &diags, &c);
	diag_print(&diags, stderr);
	diag_list_clear(&diags);
	if (r == -ENOMEM)
		return log_error_errno(r, "Out of memory");
	if (r < 0)
		return r;
	if (!quiet)
		for (size_t i = 0; i < c->n_policies; i++) {
			const struct syscall_spec *sc = c->source->policies[i]->syscalls;

			printf("%s: ok: policy '%s', %u rules", c->policies[i].file,
			       c->policies[i].name, c->policies[i].n_rules);
			if (sc)
				printf(", seccomp filter of %zu rules (default %s)", sc->n_rules,
				       syscall_action_to_string(sc->default_action));
			putchar('\n');
		}
	if (ret)
		*ret = c;
	else
		compiled_set_free(c);
	return 0;
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
	buf[len] = '\0';
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

/* --- the policy directory and the active set --- */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* The policy files of the directory, listed and checked as the daemon does; problems printed. */
static int list_policy_files(const char *dir, char ***ret_files, size_t *ret_n)
{
	struct diag_list diags = {};
	int r = policy_dir_list(dir, &diags, ret_files, ret_n);

	diag_print(&diags, stderr);
	diag_list_clear(&diags);
	return r;
}

/* Finds the file of @dir whose metadata.name is @name. Returns 0 with its path and parsed policy,
 * -ENOENT if no file holds @name, or another negative errno. Unparseable files are skipped. */
static int find_policy(const char *dir, const char *name, char **ret_path,
		       struct policy **ret_policy)
{
	char **files = NULL;
	size_t n = 0;
	int r = list_policy_files(dir, &files, &n);

	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < n && r == -ENOENT; i++) {
		struct diag_list diags = {};
		struct policy *p = NULL;

		if (policy_parse_file_flags(files[i], POLICY_PARSE_TRUSTED, &diags, &p) >= 0 &&
		    streq(p->name, name)) {
			*ret_path = TAKE_PTR(files[i]);
			*ret_policy = p;
			r = 0;
		} else {
			policy_free(p);
		}
		diag_list_clear(&diags);
	}
	strv_free(files, n);
	return r;
}

struct active_policy {
	char *name, *file, *mode;
	unsigned long long rules, generation;
};

/* A rule path the active set lists as not enforced (onUnsupportedFilesystem: notEnforced). */
struct active_unenforced {
	char *policy, *where, *path, *reason;
};

struct active_set {
	char *text; /* the daemon's reply; the fields point into it */
	struct active_policy *policies;
	size_t n;
	struct active_unenforced *unenforced;
	size_t n_unenforced;
};

static void active_set_clear(struct active_set *s)
{
	free(s->text);
	free(s->policies);
	free(s->unenforced);
	*s = (struct active_set){};
}

static int active_set_add_unenforced(struct active_set *s, char *const f[5])
{
	struct active_unenforced *n = reallocarray(s->unenforced, s->n_unenforced + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->unenforced = n;
	n[s->n_unenforced++] = (struct active_unenforced){ f[1], f[2], f[3], f[4] };
	return 0;
}

/* Parses the daemon's reply to "policies": name, file, rules, mode, generation; tab-separated.
 * Lines "!", policy, file:line:column, path, reason list the paths not enforced. */
static int active_set_parse(char *text, struct active_set *ret)
{
	struct active_set s = { .text = text };
	size_t cap = 0;

	for (char *line = text, *next; line && *line; line = next) {
		char *f[5];
		size_t k = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (char *p = line; p && k < ELEMENTSOF(f); k++) {
			f[k] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (k != ELEMENTSOF(f))
			continue;
		if (streq(f[0], "!")) {
			if (active_set_add_unenforced(&s, f) < 0) {
				s.text = NULL;
				active_set_clear(&s);
				return -ENOMEM;
			}
			continue;
		}
		if (s.n == cap) {
			struct active_policy *np =
				reallocarray(s.policies, cap ? cap * 2 : 8, sizeof(*np));

			if (!np) {
				s.text = NULL;
				active_set_clear(&s);
				return -ENOMEM;
			}
			s.policies = np;
			cap = cap ? cap * 2 : 8;
		}
		s.policies[s.n] =
			(struct active_policy){ .name = f[0], .file = f[1], .mode = f[3] };
		(void)parse_uint(f[2], ULLONG_MAX, &s.policies[s.n].rules);
		(void)parse_uint(f[4], ULLONG_MAX, &s.policies[s.n].generation);
		s.n++;
	}
	*ret = s;
	return 0;
}

/* Asks the daemon for its active set. With @quiet, an unreachable daemon is not logged. */
static int fetch_active_set(bool quiet, struct active_set *ret)
{
	char *body = NULL;
	int r;

	if (quiet) {
		r = control_call(arg_control_socket, control_verbs[CONTROL_POLICIES].name, &body);
		if (r != 0) {
			free(body);
			return r < 0 ? r : -EBADMSG;
		}
	} else {
		r = cli_control(control_verbs[CONTROL_POLICIES].name, &body);
		if (r < 0)
			return r;
	}
	r = active_set_parse(body, ret);
	if (r < 0)
		free(body);
	return r;
}

static const struct active_policy *active_set_find(const struct active_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->policies[i].name, name))
			return &s->policies[i];
	return NULL;
}

int cli_print_not_enforced(const char *policy, const char *indent)
{
	struct active_set s = {};
	size_t n = 0;
	int r;

	r = fetch_active_set(true, &s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s.n_unenforced; i++) {
		const struct active_unenforced *u = &s.unenforced[i];

		if (policy && !streq(policy, u->policy))
			continue;
		printf("%s%s: '%s' %s (policy %s)\n", indent, u->where, u->path, u->reason,
		       u->policy);
		n++;
	}
	active_set_clear(&s);
	return (int)n;
}

/* --- verbs --- */

static int verb_policy_validate(const struct verb *v, int argc, char **argv)
{
	int r = verb_parse_options(v, false, NULL, argc, argv);

	if (r >= 0)
		return r;
	if (optind >= argc)
		return verb_bad_argument(v, "expected one or more FILEs");
	return validate(argv + optind, argc - optind, NULL, 0, false, NULL) < 0 ? 1 : 0;
}

static int verb_policy_apply(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *buf = NULL, *old = NULL, *dest = NULL, *body = NULL;
	struct compiled_set *c = NULL;
	size_t len = 0, old_len = 0;
	const char *file;
	bool had_old;
	int r;

	r = verb_parse_options(v, false, NULL, argc, argv);
	if (r >= 0)
		return r;
	if (argc - optind != 1)
		return verb_bad_argument(v, "expected exactly one FILE");
	file = argv[optind];
	/* One read: what is validated is what is installed. */
	r = read_whole_file(file, &buf, &len);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s: %m", file), 1;
	if (validate((char **)&file, 1, buf, len, true, &c) < 0) {
		log_error("%s: not applied.", file);
		return 1;
	}
	/* Installed under the policy's name, so applying a new version replaces the old one. */
	r = asprintf(&dest, "%s/%s.yaml", arg_policy_dir, c->policies[0].name);
	compiled_set_free(c);
	if (r < 0)
		return log_error_errno(-ENOMEM, "Out of memory"), 1;

	had_old = read_whole_file(dest, &old, &old_len) >= 0;

	r = write_file_atomic(dest, buf, len);
	if (r < 0)
		return log_error_errno(r, "Failed to install %s: %m", dest), 1;

	r = control_call(arg_control_socket, control_verbs[CONTROL_RELOAD].name, &body);
	if (r == 0) {
		printf("Applied %s as %s; the daemon reloaded.\n", file, dest);
		return 0;
	}

	/* The daemon kept its previous set; put the directory back to match it. */
	if (had_old)
		(void)write_file_atomic(dest, old, old_len);
	else
		(void)unlink(dest);
	if (r < 0) {
		cli_log_control_error(r);
		log_error("Policy not applied; %s %s.", dest, had_old ? "restored" : "removed");
	} else
		log_error("secagentd rejected the policy set; the previous set stays in force and "
			  "%s was restored:\n%s",
			  dest, body);
	return 1;
}

/* One entry of policy list --json; NULL when out of memory. */
static json_t *policy_json(const char *name, const char *mode, unsigned long long rules,
			   const char *file, long long generation)
{
	_cleanup_(json_decrefp) json_t *o = json_object();

	if (json_object_set_new(o, "name", json_string_lossy(name)) < 0 ||
	    json_object_set_new(o, "mode", json_string_lossy(mode)) < 0 ||
	    json_object_set_new(o, "rules", json_uint64(rules)) < 0 ||
	    json_object_set_new(o, "file", json_string_lossy(file)) < 0)
		return NULL;
	if (generation >= 0 && json_object_set_new(o, "generation", json_integer(generation)) < 0)
		return NULL;
	return TAKE_PTR(o);
}

/* Prints @list (taking it) as one line; returns 0 or -EIO. NULL @list: out of memory. */
static int print_json_line(json_t *list)
{
	_cleanup_(json_decrefp) json_t *l = list;

	if (!l)
		return log_error_errno(-ENOMEM, "Out of memory");
	if (json_dumpf_unsigned(l, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
	    putchar('\n') == EOF)
		return log_error_errno(-EIO, "Cannot write the output: %m");
	return 0;
}

static int list_offline(void)
{
	_cleanup_(json_decrefp) json_t *list = NULL;
	char **files = NULL;
	size_t n = 0, shown = 0;
	bool failed = false;
	int r = list_policy_files(arg_policy_dir, &files, &n);

	if (r < 0) {
		if (r != -EINVAL) /* -EINVAL: what is wrong is printed already */
			log_error_errno(r, "Cannot read the policy directory %s: %m",
					arg_policy_dir);
		return 1;
	}
	if (arg_json)
		list = json_array(); /* NULL: out of memory, said when printing */
	else
		printf("%-24s %-8s %5s  %s\n", "NAME", "MODE", "RULES", "FILE");
	for (size_t i = 0; i < n; i++) {
		struct diag_list diags = {};
		struct policy *p = NULL;

		r = policy_parse_file_flags(files[i], POLICY_PARSE_TRUSTED, &diags, &p);
		diag_print(&diags, stderr);
		diag_list_clear(&diags);
		if (r < 0) {
			failed = true;
			continue;
		}
		if (arg_json) {
			if (json_array_append_new(list,
						  policy_json(p->name,
							      policy_mode_to_string(p->mode),
							      p->n_file_rules, files[i], -1)) < 0)
				json_decref(TAKE_PTR(list));
		} else
			printf("%-24s %-8s %5zu  %s\n", p->name, policy_mode_to_string(p->mode),
			       p->n_file_rules, files[i]);
		shown++;
		policy_free(p);
	}
	strv_free(files, n);
	if (arg_json) {
		if (print_json_line(TAKE_PTR(list)) < 0)
			return 1;
	} else if (shown == 0 && !failed)
		printf("(no policy files in %s)\n", arg_policy_dir);
	if (failed)
		log_error("Some files in %s are not valid policies (see above); secagentd would "
			  "refuse this set.",
			  arg_policy_dir);
	return failed ? 1 : 0;
}

static int verb_policy_list(const struct verb *v, int argc, char **argv)
{
	struct active_set s = {};
	bool offline = false;
	int r;

	r = verb_parse_options(v, true, &offline, argc, argv);
	if (r >= 0)
		return r;
	if (optind < argc)
		return verb_bad_argument(v, "unexpected argument");
	if (offline)
		return list_offline();

	if (fetch_active_set(false, &s) < 0) {
		log_error("Cannot list the active policies; 'secagentctl policy list --offline' "
			  "lists the files in %s.",
			  arg_policy_dir);
		return 1;
	}
	if (arg_json) {
		json_t *list = json_array();

		for (size_t i = 0; list && i < s.n; i++)
			if (json_array_append_new(list, policy_json(s.policies[i].name,
								    s.policies[i].mode,
								    s.policies[i].rules,
								    s.policies[i].file,
								    s.policies[i].generation)) < 0)
				json_decref(TAKE_PTR(list));
		if (print_json_line(list) < 0) {
			active_set_clear(&s);
			return 1;
		}
	} else {
		printf("%-24s %-8s %5s  %s\n", "NAME", "MODE", "RULES", "FILE");
		for (size_t i = 0; i < s.n; i++)
			printf("%-24s %-8s %5llu  %s\n", s.policies[i].name, s.policies[i].mode,
			       s.policies[i].rules, s.policies[i].file);
		if (s.n == 0)
			printf("(no active policies)\n");
	}
	active_set_clear(&s);
	return 0;
}

/* The file rules of @p for policy show --json; NULL when out of memory. */
static json_t *rules_json(const struct policy *p)
{
	_cleanup_(json_decrefp) json_t *rules = json_array();

	for (size_t i = 0; rules && i < p->n_file_rules; i++) {
		const struct file_rule_spec *r = &p->file_rules[i];
		json_t *rule = json_object(), *paths;

		if (json_array_append_new(rules, rule) < 0 ||
		    json_object_set_new(rule, "line", json_integer(r->loc.line)) < 0 ||
		    json_object_set_new(rule, "column", json_integer(r->loc.column)) < 0 ||
		    json_object_set_new(rule, "action",
					json_string_lossy(rule_action_to_string(r->action))) < 0 ||
		    json_object_set_new(rule, "mode",
					json_string_lossy(policy_mode_to_string(
						r->has_mode ? r->mode : p->mode))) < 0 ||
		    json_object_set_new(rule, "paths", paths = json_array()) < 0)
			return NULL;
		for (size_t j = 0; j < r->n_paths; j++)
			if (json_array_append_new(paths, json_string_lossy(r->paths[j].path)) < 0)
				return NULL;
	}
	return TAKE_PTR(rules);
}

/* policy show --json: one object on one line. NULL when out of memory. */
static json_t *policy_show_json(const struct policy *p, const char *path, int r_active,
				const struct active_policy *a, const struct active_set *s,
				const char *name, const char *content, size_t len)
{
	_cleanup_(json_decrefp) json_t *o = json_object();

	if (json_object_set_new(o, "name", json_string_lossy(p->name)) < 0 ||
	    json_object_set_new(o, "file", json_string_lossy(path)) < 0 ||
	    json_object_set_new(o, "active", r_active < 0 ? json_null() : json_boolean(a)) < 0)
		return NULL;
	if (a) {
		json_t *not_enforced;

		if (json_object_set_new(o, "generation", json_uint64(a->generation)) < 0 ||
		    json_object_set_new(o, "not_enforced", not_enforced = json_array()) < 0)
			return NULL;
		for (size_t i = 0; i < s->n_unenforced; i++) {
			const struct active_unenforced *u = &s->unenforced[i];
			json_t *entry;

			if (!streq(u->policy, name))
				continue;
			if (json_array_append_new(not_enforced, entry = json_object()) < 0 ||
			    json_object_set_new(entry, "where", json_string_lossy(u->where)) < 0 ||
			    json_object_set_new(entry, "path", json_string_lossy(u->path)) < 0 ||
			    json_object_set_new(entry, "reason", json_string_lossy(u->reason)) < 0)
				return NULL;
		}
	}
	if (json_object_set_new(o, "mode", json_string_lossy(policy_mode_to_string(p->mode))) < 0 ||
	    json_object_set_new(o, "rules", rules_json(p)) < 0 ||
	    json_object_set_new(o, "content", json_stringn_lossy(content, len)) < 0)
		return NULL;
	return TAKE_PTR(o);
}

static int verb_policy_show(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *path = NULL, *content = NULL;
	struct active_set s = {};
	const struct active_policy *a = NULL;
	struct policy *p = NULL;
	const char *name;
	size_t len = 0;
	int r, r_active;

	r = verb_parse_options(v, true, NULL, argc, argv);
	if (r >= 0)
		return r;
	if (argc - optind != 1)
		return verb_bad_argument(v, "expected exactly one NAME");
	name = argv[optind];

	r_active = fetch_active_set(true, &s);
	if (r_active >= 0)
		a = active_set_find(&s, name);

	r = find_policy(arg_policy_dir, name, &path, &p);
	if (r == -ENOENT) {
		if (a)
			log_error(
				"No file in %s holds policy '%s', but secagentd still enforces it "
				"from %s; run 'secagentctl reload'.",
				arg_policy_dir, name, a->file);
		else
			log_error("No policy named '%s' in %s; see 'secagentctl policy list'.",
				  name, arg_policy_dir);
		active_set_clear(&s);
		return 1;
	}
	if (r < 0) {
		active_set_clear(&s);
		return log_error_errno(r, "Cannot read the policy directory %s: %m",
				       arg_policy_dir),
		       1;
	}
	r = read_whole_file(path, &content, &len);
	if (r < 0) {
		policy_free(p);
		active_set_clear(&s);
		return log_error_errno(r, "Failed to read %s: %m", path), 1;
	}

	if (arg_json) {
		if (print_json_line(
			    policy_show_json(p, path, r_active, a, &s, name, content, len)) < 0) {
			policy_free(p);
			active_set_clear(&s);
			return 1;
		}
	} else {
		printf("# Policy: %s\n# File:   %s\n", p->name, path);
		if (r_active < 0)
			printf("# Active: unknown (secagentd not reachable: %s)\n",
			       strerror(-r_active));
		else if (a)
			printf("# Active: yes (generation %llu, %s, %llu rules)\n", a->generation,
			       a->mode, a->rules);
		else
			printf("# Active: no (run 'secagentctl reload')\n");
		if (a && s.n_unenforced) {
			bool header = false;

			for (size_t i = 0; i < s.n_unenforced; i++) {
				const struct active_unenforced *u = &s.unenforced[i];

				if (!streq(u->policy, name))
					continue;
				if (!header)
					printf("# Not enforced (onUnsupportedFilesystem: notEnforced):\n");
				header = true;
				printf("#   %s: '%s' %s\n", u->where, u->path, u->reason);
			}
		}
		fwrite(content, 1, len, stdout);
		if (len > 0 && content[len - 1] != '\n')
			fputc('\n', stdout);
	}
	policy_free(p);
	active_set_clear(&s);
	return 0;
}

static int verb_policy_delete(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *path = NULL, *content = NULL, *body = NULL;
	struct policy *p = NULL;
	const char *name;
	size_t len = 0;
	int r;

	r = verb_parse_options(v, false, NULL, argc, argv);
	if (r >= 0)
		return r;
	if (argc - optind != 1)
		return verb_bad_argument(v, "expected exactly one NAME");
	name = argv[optind];

	r = find_policy(arg_policy_dir, name, &path, &p);
	if (r == -ENOENT) {
		log_error("No policy named '%s' in %s; nothing deleted. See 'secagentctl policy "
			  "list'.",
			  name, arg_policy_dir);
		return 1;
	}
	if (r < 0)
		return log_error_errno(r, "Cannot read the policy directory %s: %m",
				       arg_policy_dir),
		       1;
	policy_free(p);

	/* Keep the content: if the daemon rejects the set without it, it goes back. */
	r = read_whole_file(path, &content, &len);
	if (r < 0)
		return log_error_errno(r, "Failed to read %s: %m", path), 1;
	if (unlink(path) < 0)
		return log_error_errno(-errno, "Failed to remove %s: %m", path), 1;

	r = control_call(arg_control_socket, control_verbs[CONTROL_RELOAD].name, &body);
	if (r == 0) {
		printf("Deleted policy '%s' (%s); the daemon reloaded.\n", name, path);
		return 0;
	}

	/* The daemon kept its previous set, which still holds the policy: put the file back. */
	if (write_file_atomic(path, content, len) < 0)
		log_error("Failed to restore %s: the directory no longer matches the active set.",
			  path);
	if (r < 0) {
		cli_log_control_error(r);
		log_error("Policy '%s' not deleted; %s restored.", name, path);
	} else
		log_error("secagentd rejected the policy set without '%s'; the previous set stays "
			  "in force and %s was restored:\n%s",
			  name, path, body);
	return 1;
}

static const struct verb policy_verbs[] = {
	{ "validate", verb_policy_validate, "policy validate FILE...",
	  "Check policy files with the daemon's code", NULL },
	{ "apply", verb_policy_apply, "policy apply FILE", "Install a policy and reload the daemon",
	  NULL },
	{ "list", verb_policy_list, "policy list [--json] [--offline]",
	  "List the active (or installed) policies",
	  "  -j --json        Print a JSON array\n"
	  "     --offline     List the files of the policy directory; no daemon needed\n" },
	{ "show", verb_policy_show, "policy show [--json] NAME",
	  "Show a policy's file and whether it is active",
	  "  -j --json        Print one JSON object: name, file, active, mode, rules, content\n" },
	{ "delete", verb_policy_delete, "policy delete NAME",
	  "Remove a policy and reload the daemon", NULL },
	{ "test", verb_policy_test,
	  "policy test FILE... (--journal [--since TIME] | --events FILE) [--enforce] [--only]",
	  "Replay recorded events against policies, without a kernel: what each would decide",
	  "     --journal       The denials and audits in the journal\n"
	  "     --since=TIME    From TIME on (@EPOCH, YYYY-MM-DD [HH:MM[:SS]], today, -1h)\n"
	  "  -e --events=FILE  JSON lines: profile record's --events, or events --json\n"
	  "     --enforce       The FILEs as if their mode were enforce\n"
	  "     --only          The FILEs alone, not with the installed policy directory\n"
	  "  -j --json         One JSON object per event: verdict, policy, rule, posture, event\n"
	  "Exit status 1 when an event would be denied or cannot be decided.\n" },
	{ "export", verb_policy_export, "policy export --format oci-seccomp NAME",
	  "Write a policy's syscalls: section as an OCI seccomp profile (runc, crun, podman)",
	  "  -f --format=oci-seccomp  The output format\n" },
};

int verb_policy(const struct verb *v, int argc, char **argv)
{
	return verb_dispatch(policy_verbs, ELEMENTSOF(policy_verbs), "policy ", argc - 1, argv + 1);
}
