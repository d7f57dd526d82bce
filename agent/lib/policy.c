/* SPDX-License-Identifier: GPL-2.0-or-later */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* reallocarray() */
#endif

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "policy-network.h"
#include "posture.h"
#include "policy-parse.h"
#include "policy-syscalls.h"
#include "policy.h"
#include "seccomp-filter.h"
#include "secagent.h"
#include "util.h"

/* A policy file: its sections (metadata, selector, files, exec; network, capabilities, kernel and
 * syscalls from their own modules) on the YAML layer of policy-parse.c. */

static bool islower_ascii(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

static bool isdigit_ascii(char ch)
{
	return ch >= '0' && ch <= '9';
}

bool policy_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > POLICY_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(islower_ascii(name[i]) || isdigit_ascii(name[i]) || name[i] == '-'))
			return false;
	return true;
}

bool container_id_valid(const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len > CONTAINER_ID_MAX || id[0] == '.')
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

/* A DNS label: 1..63 of [a-z0-9-], starting and ending with a letter or digit. */
static int check_policy_name(struct parse_ctx *c, const struct ynode *n, const char *name)
{
	_cleanup_free_ char *e = NULL;
	size_t len = strlen(name);
	int r;

	if (len == 0)
		r = node_error(c, n, "policy name must not be empty");
	else if (len > POLICY_NAME_MAX)
		r = node_error(c, n, "policy name is too long (%zu characters, at most %d)", len,
			       POLICY_NAME_MAX);
	else {
		bool bad_char = false;

		for (size_t i = 0; i < len; i++)
			if (!(islower_ascii(name[i]) || isdigit_ascii(name[i]) || name[i] == '-'))
				bad_char = true;

		if (!bad_char && name[0] != '-' && name[len - 1] != '-')
			return 1;

		e = escape_value(name, len);
		if (!e)
			return -ENOMEM;
		if (bad_char)
			r = node_error(
				c, n,
				"invalid policy name '%s': only lowercase letters, digits and '-' are allowed",
				e);
		else
			r = node_error(
				c, n,
				"invalid policy name '%s': it must start and end with a lowercase letter or digit",
				e);
	}

	return r < 0 ? r : 0;
}

/*
 * Absolute, bounded, and in the one spelling the compiler will match: no "." or ".." and no empty
 * component, except that a trailing '/' stays as written (it will mean a directory's subtree).
 */
static int check_path(struct parse_ctx *c, const struct ynode *n, const char *path)
{
	_cleanup_free_ char *e = NULL;
	const char *problem = NULL;
	size_t len = strlen(path);
	int r;

	if (len == 0) {
		r = node_error(c, n, "path must not be empty");
		return r < 0 ? r : 0;
	}
	if (len > POLICY_PATH_MAX) {
		r = node_error(c, n, "path is too long (%zu bytes, at most %d)", len,
			       POLICY_PATH_MAX);
		return r < 0 ? r : 0;
	}

	if (path[0] != '/')
		problem = "is not absolute (it must start with '/')";
	else
		for (const char *p = path + 1;;) {
			size_t k = strcspn(p, "/");

			if (k == 0 && p[0] == '/') {
				problem = "contains an empty component ('//')";
				break;
			}
			if (k == 1 && p[0] == '.') {
				problem = "contains a '.' component";
				break;
			}
			if (k == 2 && p[0] == '.' && p[1] == '.') {
				problem = "contains a '..' component";
				break;
			}
			if (p[k] == '\0')
				break;
			p += k + 1;
		}

	if (!problem)
		return 1;

	e = escape_value(path, len);
	if (!e)
		return -ENOMEM;
	r = node_error(c, n, "path '%s' %s", e, problem);
	return r < 0 ? r : 0;
}

static int parse_api_version(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	return node_fixed_string(c, v, "apiVersion", "secagent/v1");
}

static int parse_kind(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	return node_fixed_string(c, v, "kind", "Policy");
}

static int parse_name(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;
	const char *s;
	char *name;
	int r;

	r = node_string(c, v, "name", &s);
	if (r <= 0)
		return r;
	r = check_policy_name(c, v, s);
	if (r <= 0)
		return r;

	name = strdup(s);
	if (!name)
		return -ENOMEM;
	free(p->name);
	p->name = name;
	p->name_loc = v->loc;
	return 0;
}

static int parse_description(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	const char *s;
	int r;

	/* Checked, not kept: the model has no use for it yet. */
	r = node_string(c, v, "description", &s);
	return r < 0 ? r : 0;
}

static int parse_policy_mode(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;
	int m, r;

	r = node_enum(c, v, "mode", policy_mode_names, policy_mode_n_names, &m);
	if (r <= 0)
		return r;
	p->mode = m;
	return 0;
}

/* A sequence of absolute paths into *@ret_paths (replacing what was there); @what names it. */
static int parse_path_list(struct parse_ctx *c, const struct ynode *v, const char *what,
			   const char *too_many, size_t max, struct policy_path **ret_paths,
			   size_t *ret_n)
{
	struct policy_path *paths;
	size_t n;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE) {
		r = node_error(c, v, "expected a sequence of %s, found %s", what, ynode_kind(v));
		return r < 0 ? r : 0;
	}
	if (v->n_items == 0) {
		r = node_error(c, v, "%s must list at least one path", what);
		return r < 0 ? r : 0;
	}

	n = v->n_items;
	if (n > max) {
		r = node_error(c, v->items[max], "too many %s (at most %zu)", too_many, max);
		if (r < 0)
			return r;
		n = max;
	}

	paths = calloc(n, sizeof(struct policy_path));
	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < *ret_n; i++)
		free((*ret_paths)[i].path);
	free(*ret_paths);
	*ret_paths = paths;
	*ret_n = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ynode *item = v->items[i];
		const char *s;
		char *path;

		r = node_string(c, item, "a path", &s);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		r = check_path(c, item, s);
		if (r < 0)
			return r;
		if (r == 0)
			continue;

		path = strdup(s);
		if (!path)
			return -ENOMEM;
		paths[(*ret_n)++] = (struct policy_path){
			.path = path,
			.loc = item->loc,
		};
	}

	return 0;
}

static int parse_rule_paths(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct file_rule_spec *rule = userdata;

	return parse_path_list(c, v, "paths", "paths in one rule", POLICY_MAX_PATHS_PER_RULE,
			       &rule->paths, &rule->n_paths);
}

static int parse_rule_action(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct file_rule_spec *rule = userdata;
	int r = node_action(c, v, &rule->action);

	return r < 0 ? r : 0;
}

static int parse_rule_mode(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct file_rule_spec *rule = userdata;
	int r = node_mode(c, v, &rule->mode);

	if (r > 0)
		rule->has_mode = true;
	return r < 0 ? r : 0;
}

static int parse_rule_access(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct file_rule_spec *rule = userdata;
	uint64_t mask;
	int r;

	if (v->type == YNODE_SEQUENCE && v->n_items == 0) {
		r = node_error(c, v, "access must list at least one access (or be left out: all)");
		return r < 0 ? r : 0;
	}
	r = node_enum_mask(c, v, "access", access_names, access_n_names, &mask);
	if (r > 0)
		rule->access = (uint32_t)mask;
	return r < 0 ? r : 0;
}

static int parse_rule_unsupported_fs(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	static const char *const values[] = { "refuse", "notEnforced" };
	struct file_rule_spec *rule = userdata;
	int value = 0, r;

	r = node_enum(c, v, "onUnsupportedFilesystem", values, ELEMENTSOF(values), &value);
	if (r > 0)
		rule->accept_unenforced = value == 1;
	return r < 0 ? r : 0;
}

static const struct key_def file_rule_keys[] = {
	{ "paths", true, parse_rule_paths },
	{ "access", false, parse_rule_access },
	{ "action", true, parse_rule_action },
	{ "mode", false, parse_rule_mode },
	{ "onUnsupportedFilesystem", false, parse_rule_unsupported_fs },
};

static const struct section file_rule_section = {
	"files rule",
	file_rule_keys,
	ELEMENTSOF(file_rule_keys),
};

static const struct key_def exec_rule_keys[] = {
	{ "paths", true, parse_rule_paths },
	{ "action", true, parse_rule_action },
	{ "mode", false, parse_rule_mode },
	{ "onUnsupportedFilesystem", false, parse_rule_unsupported_fs },
};

static const struct section exec_rule_section = {
	"exec rule",
	exec_rule_keys,
	ELEMENTSOF(exec_rule_keys),
};

/* files: and exec: rules share one list; an exec rule is a file rule for the exec access. */
static int append_rules(struct parse_ctx *c, const struct ynode *v, struct policy *p, bool exec)
{
	struct file_rule_spec *rules;
	size_t n;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE) {
		r = node_error(c, v, "expected a sequence of %s rules, found %s",
			       exec ? "exec" : "file", ynode_kind(v));
		return r < 0 ? r : 0;
	}

	n = v->n_items;
	if (p->n_file_rules + n > POLICY_MAX_FILE_RULES) {
		size_t room = POLICY_MAX_FILE_RULES - p->n_file_rules;

		r = node_error(c, v->items[room],
			       "too many file and exec rules (at most %d in one policy)",
			       POLICY_MAX_FILE_RULES);
		if (r < 0)
			return r;
		n = room;
	}
	if (n == 0)
		return 0;

	rules = reallocarray(p->file_rules, p->n_file_rules + n, sizeof(struct file_rule_spec));
	if (!rules)
		return -ENOMEM;
	p->file_rules = rules;

	for (size_t i = 0; i < n; i++) {
		struct file_rule_spec *rule = &p->file_rules[p->n_file_rules++];

		*rule = (struct file_rule_spec){ .loc = v->items[i]->loc };
		r = parse_section(c, v->items[i], exec ? &exec_rule_section : &file_rule_section,
				  rule);
		if (r < 0)
			return r;
		if (exec)
			rule->access = SA_ACCESS_EXEC;
	}
	return 0;
}

static int parse_files(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	return append_rules(c, v, userdata, false);
}

static int parse_exec(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	return append_rules(c, v, userdata, true);
}

unsigned cgroup_path_levels(const char *path)
{
	unsigned n = 0;

	for (const char *p = path; *p; p++)
		if (p[0] == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

static int parse_selector_cgroups(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy_selector *sel = userdata;
	int r;

	r = parse_path_list(c, v, "cgroups", "cgroups", POLICY_MAX_SELECTOR_ITEMS, &sel->cgroups,
			    &sel->n_cgroups);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sel->n_cgroups; i++) {
		size_t len = strlen(sel->cgroups[i].path);

		unsigned levels = cgroup_path_levels(sel->cgroups[i].path);

		if (len > POLICY_CGROUP_PATH_MAX) {
			r = diag_add(c->diags, c->file, sel->cgroups[i].loc.line,
				     sel->cgroups[i].loc.column,
				     "cgroup path is too long (%zu bytes, at most %d)", len,
				     POLICY_CGROUP_PATH_MAX);
			if (r < 0)
				return r;
		} else if (levels > POLICY_CGROUP_MAX_LEVELS) {
			r = diag_add(c->diags, c->file, sel->cgroups[i].loc.line,
				     sel->cgroups[i].loc.column,
				     "cgroup path is %u levels deep (at most %d)", levels,
				     POLICY_CGROUP_MAX_LEVELS);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_selector_binaries(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy_selector *sel = userdata;

	return parse_path_list(c, v, "binaries", "binaries", POLICY_MAX_SELECTOR_ITEMS,
			       &sel->binaries, &sel->n_binaries);
}

static int parse_selector_except_binaries(struct parse_ctx *c, const struct ynode *v,
					  void *userdata)
{
	struct policy_selector *sel = userdata;

	return parse_path_list(c, v, "exceptBinaries", "binaries", POLICY_MAX_SELECTOR_ITEMS,
			       &sel->except_binaries, &sel->n_except_binaries);
}

/* "1000", 1000 or "1000-1999"; uids are 32-bit and (uid_t)-1 is never a real uid. */
static int parse_uid_item(struct parse_ctx *c, const struct ynode *n, struct uid_range *ret)
{
	const char *s;
	unsigned long long lo, hi;
	char *end;
	int r;

	r = node_string(c, n, "a uid or uid range", &s);
	if (r <= 0)
		return r;
	errno = 0;
	lo = strtoull(s, &end, 10);
	hi = lo;
	if (end != s && *end == '-' && end[1] >= '0' && end[1] <= '9')
		hi = strtoull(end + 1, &end, 10);
	if (errno || end == s || *end || s[0] < '0' || s[0] > '9' || lo > hi || hi >= UINT32_MAX) {
		_cleanup_free_ char *e = escape_value(s, strlen(s));

		if (!e)
			return -ENOMEM;
		r = node_error(c, n,
			       "invalid uid or uid range '%s' (expected N or N-M with N <= M < %u)",
			       e, UINT32_MAX);
		return r < 0 ? r : 0;
	}
	*ret = (struct uid_range){ .lo = lo, .hi = hi, .loc = n->loc };
	return 1;
}

static int parse_selector_uids(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy_selector *sel = userdata;
	size_t n;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE || v->n_items == 0) {
		r = node_error(c, v,
			       "expected a non-empty sequence of uids or uid ranges, found %s",
			       ynode_kind(v));
		return r < 0 ? r : 0;
	}
	n = v->n_items;
	if (n > POLICY_MAX_SELECTOR_ITEMS) {
		r = node_error(c, v->items[POLICY_MAX_SELECTOR_ITEMS],
			       "too many uid ranges (at most %d)", POLICY_MAX_SELECTOR_ITEMS);
		if (r < 0)
			return r;
		n = POLICY_MAX_SELECTOR_ITEMS;
	}
	free(sel->uids);
	sel->n_uids = 0;
	sel->uids = calloc(n, sizeof(*sel->uids));
	if (!sel->uids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = parse_uid_item(c, v->items[i], &sel->uids[sel->n_uids]);
		if (r < 0)
			return r;
		if (r > 0)
			sel->n_uids++;
	}
	return 0;
}

/* "containers: true": the policy binds the cgroups of containers that name it in their
 * io.secagent.policy annotation (secagent-oci-hook), and nothing else. */
static int parse_selector_containers(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	static const char *const values[] = { "false", "true" };
	struct policy_selector *sel = userdata;
	int value = 0, r;

	r = node_enum(c, v, "containers", values, ELEMENTSOF(values), &value);
	if (r > 0) {
		sel->containers = value;
		sel->containers_loc = v->loc;
	}
	return r < 0 ? r : 0;
}

static const struct key_def selector_keys[] = {
	{ "containers", false, parse_selector_containers },
	{ "cgroups", false, parse_selector_cgroups },
	{ "binaries", false, parse_selector_binaries },
	{ "exceptBinaries", false, parse_selector_except_binaries },
	{ "uids", false, parse_selector_uids },
};

static const struct section selector_section = {
	"selector",
	selector_keys,
	ELEMENTSOF(selector_keys),
};

static int parse_selector(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;
	int r;

	p->selector.present = true;
	p->selector.loc = v->loc;
	r = parse_section(c, v, &selector_section, &p->selector);
	if (r < 0)
		return r;
	if (v->type == YNODE_MAPPING && !p->selector.n_cgroups && !p->selector.n_binaries &&
	    !p->selector.n_except_binaries && !p->selector.n_uids && !p->selector.containers) {
		r = node_error(c, v,
			       "selector must name containers, cgroups, binaries, "
			       "exceptBinaries or uids (leave it out to bind every process)");
		return r < 0 ? r : 0;
	}
	if (p->selector.containers && p->selector.n_cgroups) {
		r = diag_add(c->diags, c->file, p->selector.containers_loc.line,
			     p->selector.containers_loc.column,
			     "containers: true cannot be combined with cgroups: a container policy "
			     "binds the cgroups of the containers that name it");
		return r < 0 ? r : 0;
	}
	return 0;
}

static const struct key_def metadata_keys[] = {
	{ "name", true, parse_name },
	{ "description", false, parse_description },
};

static const struct section metadata_section = {
	"metadata",
	metadata_keys,
	ELEMENTSOF(metadata_keys),
};

/* The syscalls: section (policy-syscalls.c), and the filter it makes must build. */
static int parse_syscalls(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;
	size_t n_before = c->diags->n;
	int r = policy_parse_syscalls(c, v, userdata);

	if (r < 0 || c->diags->n > n_before || !p->syscalls)
		return r;
	return seccomp_filter_check(p->syscalls, c->file, c->diags);
}

static const struct key_def spec_keys[] = {
	{ "mode", false, parse_policy_mode },
	{ "selector", false, parse_selector },
	{ "files", false, parse_files },
	{ "exec", false, parse_exec },
	{ "syscalls", false, parse_syscalls },
	{ "network", false, policy_parse_network },
	{ "capabilities", false, policy_parse_capabilities },
	{ "kernel", false, policy_parse_kernel },
	{ "posture", false, policy_parse_posture },
};

static const struct section spec_section = {
	"spec",
	spec_keys,
	ELEMENTSOF(spec_keys),
};

static int parse_metadata(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	return parse_section(c, v, &metadata_section, userdata);
}

static int parse_spec(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	return parse_section(c, v, &spec_section, userdata);
}

static const struct key_def policy_keys[] = {
	{ "apiVersion", true, parse_api_version },
	{ "kind", true, parse_kind },
	{ "metadata", true, parse_metadata },
	{ "spec", true, parse_spec },
};

static const struct section policy_section = {
	"policy",
	policy_keys,
	ELEMENTSOF(policy_keys),
};

struct policy *policy_free(struct policy *p)
{
	if (!p)
		return NULL;

	for (size_t i = 0; i < p->n_file_rules; i++) {
		struct file_rule_spec *rule = &p->file_rules[i];

		for (size_t j = 0; j < rule->n_paths; j++)
			free(rule->paths[j].path);
		free(rule->paths);
	}
	free(p->file_rules);
	for (size_t i = 0; i < p->selector.n_cgroups; i++)
		free(p->selector.cgroups[i].path);
	free(p->selector.cgroups);
	for (size_t i = 0; i < p->selector.n_binaries; i++)
		free(p->selector.binaries[i].path);
	free(p->selector.binaries);
	for (size_t i = 0; i < p->selector.n_except_binaries; i++)
		free(p->selector.except_binaries[i].path);
	free(p->selector.except_binaries);
	free(p->selector.uids);
	syscall_spec_free(p->syscalls);
	policy_free_network(p);
	free(p->name);
	free(p->file);
	free(p);
	return NULL;
}

static void policy_freep(struct policy **p)
{
	policy_free(*p);
}

int policy_parse_buffer(const char *file, const char *buf, size_t len, struct diag_list *diags,
			struct policy **ret_policy)
{
	_cleanup_(ynode_freep) struct ynode *root = NULL;
	_cleanup_(policy_freep) struct policy *p = NULL;
	struct parse_ctx c;
	size_t n_diags;
	int r;

	assert(buf || len == 0);
	assert(diags);
	assert(ret_policy);

	n_diags = diags->n; /* earlier ones are not ours to count */

	file = file ?: "<input>";

	if (len > POLICY_FILE_MAX_BYTES) {
		r = diag_add(diags, file, 0, 0, "file is too large (%zu bytes, at most %d)", len,
			     POLICY_FILE_MAX_BYTES);
		return r < 0 ? r : -EINVAL;
	}

	r = yaml_load(file, buf ?: "", len, diags, &root);
	if (r < 0)
		return r;

	if (!root || ynode_is_empty(root)) {
		r = diag_add(
			diags, file, 0, 0,
			"no policy in file (expected a mapping with apiVersion, kind, metadata and spec)");
		return r < 0 ? r : -EINVAL;
	}

	p = calloc(1, sizeof(struct policy));
	if (!p)
		return -ENOMEM;
	p->file = strdup(file);
	if (!p->file)
		return -ENOMEM;
	p->mode = POLICY_MODE_ENFORCE;

	c = (struct parse_ctx){
		.file = file,
		.diags = diags,
	};
	r = parse_section(&c, root, &policy_section, p);
	if (r < 0)
		return r;
	r = policy_check_posture(&c, p);
	if (r < 0)
		return r;
	if (policy_n_rules(p) > POLICY_MAX_RULES) {
		r = diag_add(diags, file, root->loc.line, root->loc.column,
			     "too many rules (%zu files, exec, network and capabilities rules; at "
			     "most %u in one policy)",
			     policy_n_rules(p), POLICY_MAX_RULES);
		if (r < 0)
			return r;
	}
	if (diags->n > n_diags)
		return -EINVAL;

	*ret_policy = TAKE_PTR(p);
	return 0;
}

#define file_error(diags, path, ...)                                                               \
	({                                                                                         \
		int _r = diag_add((diags), (path), 0, 0, __VA_ARGS__);                             \
		_r < 0 ? _r : -EINVAL;                                                             \
	})

int policy_check_trusted(const char *path, const struct stat *st, struct diag_list *diags)
{
	if (st->st_uid != 0)
		return diag_add(diags, path, 0, 0,
				"refusing it: owned by uid %u, not root (policies must be writable "
				"by root only)",
				(unsigned)st->st_uid) < 0
			       ? -ENOMEM
			       : 1;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return diag_add(diags, path, 0, 0,
				"refusing it: mode %04o lets %s write it (policies must be "
				"writable by root only)",
				(unsigned)(st->st_mode & 07777),
				st->st_mode & S_IWOTH ? "everyone" : "its group") < 0
			       ? -ENOMEM
			       : 1;
	return 0;
}

int policy_parse_file(const char *path, struct diag_list *diags, struct policy **ret_policy)
{
	return policy_parse_file_flags(path, 0, diags, ret_policy);
}

int policy_parse_file_flags(const char *path, unsigned flags, struct diag_list *diags,
			    struct policy **ret_policy)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t n = 0;

	assert(path);
	assert(diags);
	assert(ret_policy);

	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return file_error(diags, path, "cannot read: %s", strerror(errno));
	if (fstat(fd, &st) < 0)
		return file_error(diags, path, "cannot read: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return file_error(diags, path, "is a directory, not a policy file");
	if (!S_ISREG(st.st_mode))
		return file_error(diags, path, "not a regular file");
	/* Checked on the descriptor that is then read: what was checked is what is parsed,
	 * even if the name is replaced meanwhile. */
	if (flags & POLICY_PARSE_TRUSTED) {
		int r = policy_check_trusted(path, &st, diags);

		if (r != 0)
			return r < 0 ? r : -EINVAL;
	}
	if (st.st_size > POLICY_FILE_MAX_BYTES)
		return file_error(diags, path, "file is too large (%jd bytes, at most %d)",
				  (intmax_t)st.st_size, POLICY_FILE_MAX_BYTES);

	/* One byte more than allowed, to notice a file that grew since fstat(). */
	buf = malloc(POLICY_FILE_MAX_BYTES + 1);
	if (!buf)
		return -ENOMEM;

	for (;;) {
		ssize_t k;

		k = read(fd, buf + n, POLICY_FILE_MAX_BYTES + 1 - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return file_error(diags, path, "cannot read: %s", strerror(errno));
		}
		if (k == 0)
			break;
		n += k;
		if (n > POLICY_FILE_MAX_BYTES)
			return file_error(diags, path, "file is too large (more than %d bytes)",
					  POLICY_FILE_MAX_BYTES);
	}

	return policy_parse_buffer(path, buf, n, diags, ret_policy);
}
