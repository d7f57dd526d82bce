/* SPDX-License-Identifier: GPL-2.0-or-later */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream(), asprintf() */
#endif

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "policy-network.h"
#include "policy.h"
#include "test.h"
#include "util.h"

/* Four lines; whatever follows starts on line 5. */
#define HEAD "apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: test\n"

/* Never a real policy: checks that ret_policy is left alone on failure. */
static struct policy sentinel_policy;
#define SENTINEL (&sentinel_policy)

static void print_diags(const char *what, const char *yaml, const struct diag_list *l)
{
	fprintf(stderr, "--- %s; input:\n%s\n--- diagnostics (%zu):\n", what, yaml, l->n);
	diag_print(l, stderr);
}

static struct policy *parse_ok(const char *yaml)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	int r;

	r = policy_parse_buffer("t.yaml", yaml, strlen(yaml), &diags, &p);
	if (r < 0 || diags.n > 0)
		print_diags("expected success", yaml, &diags);
	ASSERT_OK(r);
	ASSERT_EQ(diags.n, 0);
	ASSERT_NOT_NULL(p);
	return p;
}

/* Parses @yaml (of @len bytes), which must fail with exactly @n diagnostics, and returns them. */
static struct diag_list parse_fail_len(const char *yaml, size_t len, size_t n)
{
	struct diag_list diags = {};
	struct policy *p = SENTINEL;
	int r;

	r = policy_parse_buffer("t.yaml", yaml, len, &diags, &p);
	if (r != -EINVAL || diags.n != n)
		print_diags("unexpected result", yaml, &diags);
	ASSERT_ERROR(r, EINVAL);
	ASSERT_TRUE(p == SENTINEL);
	ASSERT_EQ(diags.n, n);
	for (size_t i = 0; i < diags.n; i++)
		ASSERT_STREQ(diags.items[i].file, "t.yaml");
	return diags;
}

static struct diag_list parse_fail(const char *yaml, size_t n)
{
	return parse_fail_len(yaml, strlen(yaml), n);
}

static bool has_diag(const struct diag_list *l, unsigned line, unsigned column, const char *text)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].line == line && l->items[i].column == column &&
		    strstr(l->items[i].message, text))
			return true;

	fprintf(stderr, "--- no diagnostic at %u:%u containing \"%s\"; got:\n", line, column, text);
	diag_print(l, stderr);
	return false;
}

#define ASSERT_DIAG(l, line, column, text) ASSERT_TRUE(has_diag(&(l), (line), (column), (text)))

#define ASSERT_ONE_ERROR(yaml, line, column, text)                                                 \
	do {                                                                                       \
		struct diag_list _l = parse_fail((yaml), 1);                                       \
		ASSERT_DIAG(_l, (line), (column), (text));                                         \
		diag_list_clear(&_l);                                                              \
	} while (0)

/* A policy with @n_rules rules of @n_paths paths each, in flow style, one rule per line. */
static char *make_policy(size_t n_rules, size_t n_paths)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&buf, &size);
	ASSERT_NOT_NULL(f);
	fputs(HEAD "spec:\n  files:\n", f);
	for (size_t i = 0; i < n_rules; i++) {
		fputs("    - {action: deny, paths: [", f);
		for (size_t j = 0; j < n_paths; j++)
			fprintf(f, "%s/p%zu", j > 0 ? ", " : "", j);
		fputs("]}\n", f);
	}
	ASSERT_EQ(fclose(f), 0);
	return buf;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ASSERT_NOT_NULL(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- diag ---- */

TEST(diag_format)
{
	struct diag_list l = {};
	_cleanup_free_ char *joined = NULL, *printed = NULL;
	size_t size = 0;
	FILE *f;

	joined = diag_join(&l);
	ASSERT_STREQ(joined, "");
	free(TAKE_PTR(joined));

	ASSERT_OK(diag_add(&l, "a.yaml", 3, 7, "bad %s", "thing"));
	ASSERT_OK(diag_add(&l, "b.yaml", 0, 9, "cannot read: %s", "oops"));
	for (int i = 0; i < 20; i++) /* grows past the first allocation */
		ASSERT_OK(diag_add(&l, NULL, i + 1, 1, "n%d", i));
	ASSERT_EQ(l.n, 22);
	ASSERT_EQ(l.items[1].column, 0);
	ASSERT_STREQ(l.items[2].file, "<input>");
	ASSERT_STREQ(l.items[21].message, "n19");

	l.n = 2; /* only for printing; restored below */
	joined = diag_join(&l);
	ASSERT_STREQ(joined, "a.yaml:3:7: bad thing\nb.yaml: cannot read: oops");

	f = open_memstream(&printed, &size);
	ASSERT_NOT_NULL(f);
	diag_print(&l, f);
	ASSERT_EQ(fclose(f), 0);
	ASSERT_STREQ(printed, "a.yaml:3:7: bad thing\nb.yaml: cannot read: oops\n");
	l.n = 22;

	diag_list_clear(&l);
	ASSERT_EQ(l.n, 0);
	ASSERT_NULL(l.items);
	diag_list_clear(&l);
}

/* ---- accepted forms ---- */

TEST(parse_full_example)
{
	struct policy *p;

	p = parse_ok("apiVersion: secagent/v1\n"
		     "kind: Policy\n"
		     "metadata:\n"
		     "  name: protect-shadow          # a comment\n"
		     "  description: free text\n"
		     "spec:\n"
		     "  mode: enforce\n"
		     "  files:\n"
		     "    - paths: [/etc/shadow, /etc/gshadow]\n"
		     "      action: deny\n"
		     "      mode: audit\n"
		     "    - paths:\n"
		     "        - /etc/sudoers\n"
		     "        - /etc/sudoers.d/\n"
		     "      action: allow\n");

	ASSERT_STREQ(p->file, "t.yaml");
	ASSERT_STREQ(p->name, "protect-shadow");
	ASSERT_EQ(p->name_loc.line, 4);
	ASSERT_EQ(p->name_loc.column, 9);
	ASSERT_EQ(p->mode, POLICY_MODE_ENFORCE);
	ASSERT_EQ(p->n_file_rules, 2);

	ASSERT_EQ(p->file_rules[0].loc.line, 9);
	ASSERT_EQ(p->file_rules[0].loc.column, 7);
	ASSERT_EQ(p->file_rules[0].n_paths, 2);
	ASSERT_STREQ(p->file_rules[0].paths[0].path, "/etc/shadow");
	ASSERT_EQ(p->file_rules[0].paths[0].loc.line, 9);
	ASSERT_EQ(p->file_rules[0].paths[0].loc.column, 15);
	ASSERT_STREQ(p->file_rules[0].paths[1].path, "/etc/gshadow");
	ASSERT_EQ(p->file_rules[0].paths[1].loc.column, 28);
	ASSERT_EQ(p->file_rules[0].action, RULE_ACTION_DENY);
	ASSERT_TRUE(p->file_rules[0].has_mode);
	ASSERT_EQ(p->file_rules[0].mode, POLICY_MODE_AUDIT);

	ASSERT_EQ(p->file_rules[1].loc.line, 12);
	ASSERT_EQ(p->file_rules[1].n_paths, 2);
	ASSERT_STREQ(p->file_rules[1].paths[0].path, "/etc/sudoers");
	ASSERT_EQ(p->file_rules[1].paths[0].loc.line, 13);
	ASSERT_EQ(p->file_rules[1].paths[0].loc.column, 11);
	ASSERT_STREQ(p->file_rules[1].paths[1].path, "/etc/sudoers.d/"); /* trailing '/' kept */
	ASSERT_EQ(p->file_rules[1].action, RULE_ACTION_ALLOW);
	ASSERT_TRUE(!p->file_rules[1].has_mode);

	ASSERT_NULL(policy_free(p));
}

TEST(parse_minimal)
{
	struct policy *p = parse_ok(HEAD "spec: {}\n");

	ASSERT_STREQ(p->name, "test");
	ASSERT_EQ(p->mode, POLICY_MODE_ENFORCE);
	ASSERT_EQ(p->n_file_rules, 0);
	ASSERT_NULL(p->file_rules);
	policy_free(p);

	p = parse_ok(HEAD "spec:\n  files: []\n");
	ASSERT_EQ(p->n_file_rules, 0);
	policy_free(p);
}

TEST(parse_audit_modes_and_actions)
{
	struct policy *p = parse_ok(HEAD "spec:\n"
					 "  files:\n"
					 "    - {paths: [/a], action: audit, mode: enforce}\n"
					 "    - {paths: [/b], action: deny}\n"
					 "  mode: audit\n");

	ASSERT_EQ(p->mode, POLICY_MODE_AUDIT);
	ASSERT_EQ(p->n_file_rules, 2);
	ASSERT_EQ(p->file_rules[0].action, RULE_ACTION_AUDIT);
	ASSERT_TRUE(p->file_rules[0].has_mode);
	ASSERT_EQ(p->file_rules[0].mode, POLICY_MODE_ENFORCE);
	ASSERT_EQ(p->file_rules[0].loc.line, 7);
	ASSERT_EQ(p->file_rules[0].loc.column, 7);
	ASSERT_EQ(p->file_rules[1].action, RULE_ACTION_DENY);
	ASSERT_TRUE(!p->file_rules[1].has_mode);
	policy_free(p);
}

TEST(parse_posture)
{
	struct policy *p;

	/* One action for every kind, with a selector. */
	p = parse_ok(HEAD "spec:\n  selector: {cgroups: [/system.slice/web.service]}\n"
			  "  posture: deny\n");
	for (int k = 0; k < SA_POSTURE_KINDS; k++) {
		ASSERT_EQ(policy_posture_action(&p->posture, k), RULE_ACTION_DENY);
		ASSERT_EQ(p->posture.loc[k].line, 7);
		ASSERT_EQ(p->posture.loc[k].column, 12);
	}
	policy_free(p);

	/* Per kind; a kind not given allows; the selector may come after the posture. */
	p = parse_ok(HEAD "spec:\n  posture:\n    files: deny\n    network: audit\n"
			  "  selector: {uids: [1000]}\n");
	ASSERT_EQ(policy_posture_action(&p->posture, SA_POSTURE_FILES), RULE_ACTION_DENY);
	ASSERT_EQ(policy_posture_action(&p->posture, SA_POSTURE_NETWORK), RULE_ACTION_AUDIT);
	ASSERT_EQ(policy_posture_action(&p->posture, SA_POSTURE_EXEC), RULE_ACTION_ALLOW);
	ASSERT_EQ(policy_posture_action(&p->posture, SA_POSTURE_KERNEL), RULE_ACTION_ALLOW);
	ASSERT_EQ(p->posture.loc[SA_POSTURE_NETWORK].line, 8);
	policy_free(p);

	/* allow needs no selector: it is what every policy does. */
	p = parse_ok(HEAD "spec:\n  posture: {files: allow}\n");
	ASSERT_EQ(policy_posture_action(&p->posture, SA_POSTURE_FILES), RULE_ACTION_ALLOW);
	policy_free(p);

	/* Deny or audit without a selector would lock up (or flood) the host: refused. */
	ASSERT_ONE_ERROR(HEAD "spec:\n  posture:\n    exec: deny\n", 7, 11,
			 "posture exec: deny needs a selector");
	ASSERT_ONE_ERROR(HEAD "spec:\n  posture: audit\n", 6, 12,
			 "posture files: audit needs a selector");
	/* A selector of exceptions only binds nearly every process: the same. */
	ASSERT_ONE_ERROR(HEAD "spec:\n  selector: {exceptBinaries: [/usr/bin/true]}\n"
			      "  posture: {kernel: deny}\n",
			 7, 21, "posture kernel: deny needs a selector");
	ASSERT_ONE_ERROR(HEAD "spec:\n  selector: {uids: [0]}\n  posture: {files: block}\n", 7, 20,
			 "invalid action 'block'");
	ASSERT_ONE_ERROR(HEAD "spec:\n  selector: {uids: [0]}\n  posture: {sockets: deny}\n", 7, 13,
			 "sockets");
}

TEST(parse_flow_document_and_key_order)
{
	struct policy *p = parse_ok("{spec: {files: [{action: deny, paths: [\"/\", /root/]}]},\n"
				    " metadata: {name: a},\n"
				    " kind: Policy, apiVersion: secagent/v1}\n");

	ASSERT_STREQ(p->name, "a");
	ASSERT_EQ(p->n_file_rules, 1);
	ASSERT_EQ(p->file_rules[0].n_paths, 2);
	ASSERT_STREQ(p->file_rules[0].paths[0].path, "/");
	ASSERT_STREQ(p->file_rules[0].paths[1].path, "/root/");
	policy_free(p);
}

TEST(parse_scalars_are_plain_strings)
{
	struct policy *p;

	/* Quoting styles are all the same string; yes/no/numbers/null stay strings. */
	p = parse_ok("apiVersion: \"secagent/v1\"\n"
		     "kind: 'Policy'\n"
		     "metadata:\n"
		     "  name: no\n"
		     "  description: yes\n"
		     "spec:\n"
		     "  mode: \"audit\"\n");
	ASSERT_STREQ(p->name, "no");
	ASSERT_EQ(p->mode, POLICY_MODE_AUDIT);
	policy_free(p);

	p = parse_ok("apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: 0123\n"
		     "  description: null\nspec: {}\n");
	ASSERT_STREQ(p->name, "0123");
	policy_free(p);

	p = parse_ok("apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: null\n"
		     "  description: |\n    several\n    lines\nspec: {}\n");
	ASSERT_STREQ(p->name, "null");
	policy_free(p);
}

TEST(parse_document_markers_comments_anchors)
{
	struct policy *p;

	p = parse_ok("# a policy\n%YAML 1.1\n---\n" HEAD "spec: {}\n...\n# trailing comment\n");
	ASSERT_STREQ(p->name, "test");
	policy_free(p);

	/* An anchor alone expands nothing and is harmless. */
	p = parse_ok(HEAD "spec: &s {mode: audit}\n");
	ASSERT_EQ(p->mode, POLICY_MODE_AUDIT);
	policy_free(p);
}

TEST(parse_name_bounds)
{
	_cleanup_free_ char *name = repeat('a', POLICY_NAME_MAX), *yaml = NULL;
	struct policy *p;

	name[10] = '-';
	name[20] = '7';
	ASSERT_TRUE(asprintf(&yaml,
			     "apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: %s}\n"
			     "spec: {}\n",
			     name) > 0);
	p = parse_ok(yaml);
	ASSERT_STREQ(p->name, name);
	policy_free(p);

	p = parse_ok("apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: z}\nspec: {}\n");
	ASSERT_STREQ(p->name, "z");
	policy_free(p);
}

TEST(parse_path_bounds)
{
	_cleanup_free_ char *path = repeat('x', POLICY_PATH_MAX), *yaml = NULL;
	struct policy *p;

	path[0] = '/';
	path[100] = '/';
	ASSERT_TRUE(asprintf(&yaml, HEAD "spec: {files: [{paths: [%s], action: deny}]}\n", path) >
		    0);
	p = parse_ok(yaml);
	ASSERT_EQ(strlen(p->file_rules[0].paths[0].path), POLICY_PATH_MAX);
	policy_free(p);

	/* Dots inside a component are fine. */
	p = parse_ok(HEAD "spec: {files: [{paths: [/a/.b, /..c/d., /.../], action: deny}]}\n");
	ASSERT_EQ(p->file_rules[0].n_paths, 3);
	policy_free(p);
}

TEST(parse_max_rules_and_paths)
{
	_cleanup_free_ char *rules = make_policy(POLICY_MAX_FILE_RULES, 1);
	_cleanup_free_ char *paths = make_policy(1, POLICY_MAX_PATHS_PER_RULE);
	struct policy *p;

	p = parse_ok(rules);
	ASSERT_EQ(p->n_file_rules, POLICY_MAX_FILE_RULES);
	ASSERT_EQ(p->file_rules[POLICY_MAX_FILE_RULES - 1].loc.line, 7 + POLICY_MAX_FILE_RULES - 1);
	policy_free(p);

	p = parse_ok(paths);
	ASSERT_EQ(p->file_rules[0].n_paths, POLICY_MAX_PATHS_PER_RULE);
	ASSERT_STREQ(p->file_rules[0].paths[POLICY_MAX_PATHS_PER_RULE - 1].path, "/p4095");
	policy_free(p);
}

TEST(parse_keeps_earlier_diagnostics)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	const char *yaml = HEAD "spec: {}\n";

	ASSERT_OK(diag_add(&diags, "other.yaml", 1, 1, "an earlier problem"));
	ASSERT_OK(policy_parse_buffer("t.yaml", yaml, strlen(yaml), &diags, &p));
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(diags.n, 1);
	policy_free(p);
	diag_list_clear(&diags);
}

TEST(to_string)
{
	ASSERT_STREQ(policy_mode_to_string(POLICY_MODE_ENFORCE), "enforce");
	ASSERT_STREQ(policy_mode_to_string(POLICY_MODE_AUDIT), "audit");
	ASSERT_NULL(policy_mode_to_string((enum policy_mode)42));
	ASSERT_STREQ(rule_action_to_string(RULE_ACTION_DENY), "deny");
	ASSERT_STREQ(rule_action_to_string(RULE_ACTION_AUDIT), "audit");
	ASSERT_STREQ(rule_action_to_string(RULE_ACTION_ALLOW), "allow");
	ASSERT_NULL(rule_action_to_string((enum rule_action) - 1));
	ASSERT_NULL(policy_free(NULL));
}

/* ---- YAML-level errors ---- */

TEST(error_yaml_syntax)
{
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind: Policy\nmetadata\nspec: {}\n", 4, 1,
			 "invalid YAML: could not find expected ':' "
			 "(while scanning a simple key at 3:1)");
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind:\n\tPolicy\n", 3, 1,
			 "invalid YAML: found character that cannot start any token");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [}\n", 5, 16,
			 "invalid YAML: did not find expected node");
	ASSERT_ONE_ERROR("apiVersion: \"secagent/v1\n", 2, 1,
			 "invalid YAML: found unexpected end of stream");
}

TEST(error_yaml_encoding)
{
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind: Pol\xfficy\n", 2, 10,
			 "invalid YAML: invalid leading UTF-8 octet (0xff)");
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind: \xc3\xa9\x01\n", 2, 8,
			 "invalid YAML: control characters are not allowed (0x01)");
}

TEST(error_empty)
{
	const char *const empty[] = {
		"", "\n\n", "# nothing but a comment\n", "---\n", "--- \n...\n",
	};

	for (size_t i = 0; i < ELEMENTSOF(empty); i++)
		ASSERT_ONE_ERROR(empty[i], 0, 0, "no policy in file (expected a mapping with");

	/* A NULL buffer of length 0 is an empty file too. */
	struct diag_list l = parse_fail_len(NULL, 0, 1);
	ASSERT_DIAG(l, 0, 0, "no policy in file");
	diag_list_clear(&l);
}

TEST(error_more_than_one_document)
{
	ASSERT_ONE_ERROR(HEAD "spec: {}\n---\n" HEAD "spec: {}\n", 6, 1,
			 "more than one YAML document (a policy file holds exactly one)");
	ASSERT_ONE_ERROR(HEAD "spec: {}\n...\n---\n", 7, 1, "more than one YAML document");

	/* The first document is still checked. */
	struct diag_list l = parse_fail(HEAD "spec: {mode: x}\n--- 1\n", 2);
	ASSERT_DIAG(l, 5, 14, "invalid mode 'x'");
	ASSERT_DIAG(l, 6, 1, "more than one YAML document");
	diag_list_clear(&l);
}

TEST(error_alias)
{
	ASSERT_ONE_ERROR(HEAD "spec:\n"
			      "  files:\n"
			      "    - paths: &p [/etc/shadow]\n"
			      "      action: deny\n"
			      "    - paths: *p\n"
			      "      action: audit\n",
			 9, 14,
			 "YAML aliases are not allowed (found '*p'); write the value out instead");

	/* The classic expansion bomb is refused at its first alias, without expanding anything. */
	struct diag_list l = parse_fail("a: &a [x, x, x, x, x, x, x, x, x]\n"
					"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
					"c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
					18 + 4 + 3);
	ASSERT_DIAG(l, 2, 8, "YAML aliases are not allowed (found '*a')");
	ASSERT_DIAG(l, 3, 5, "YAML aliases are not allowed (found '*b')");
	ASSERT_DIAG(l, 1, 1, "missing required key 'apiVersion' in policy");
	ASSERT_DIAG(l, 1, 1, "unknown key 'a' in policy");
	diag_list_clear(&l);

	/* An alias as a key. */
	ASSERT_ONE_ERROR(HEAD "spec: &k {}\n*k : 1\n", 6, 1,
			 "YAML aliases are not allowed (found '*k')");
}

TEST(error_nesting_too_deep)
{
	_cleanup_free_ char *open = repeat('[', 100), *close = repeat(']', 100), *yaml = NULL;

	ASSERT_TRUE(asprintf(&yaml, "a: %s%s\n", open, close) > 0);
	/* The mapping is level 0, the first '[' (column 4) level 1: level 64 is the 64th '['. */
	ASSERT_ONE_ERROR(yaml, 1, 4 + 63, "nesting is too deep (at most 64 levels)");
}

TEST(error_root_not_a_mapping)
{
	ASSERT_ONE_ERROR("- apiVersion\n- kind\n", 1, 1,
			 "expected a mapping for policy, found a sequence");
	ASSERT_ONE_ERROR("just a string\n", 1, 1, "expected a mapping for policy, found a string");
}

/* ---- mapping shape ---- */

TEST(error_unknown_keys)
{
	struct diag_list l;

	ASSERT_ONE_ERROR(HEAD "spec: {}\nextra: 1\n", 6, 1,
			 "unknown key 'extra' in policy "
			 "(expected one of: apiVersion, kind, metadata, spec)");
	ASSERT_ONE_ERROR(HEAD "  labels: {app: x}\nspec: {}\n", 5, 3,
			 "unknown key 'labels' in metadata (expected one of: name, description)");
	ASSERT_ONE_ERROR(
		HEAD "spec:\n  modes: audit\n", 6, 3,
		"unknown key 'modes' in spec (expected one of: mode, selector, files, exec, syscalls, network, capabilities, kernel, posture)");
	ASSERT_ONE_ERROR(HEAD "spec: {}\nyes: no\n", 6, 1, "unknown key 'yes' in policy");

	/* The example from the documentation, exactly as printed. */
	l = parse_fail(HEAD "spec:\n  files:\n    - paths: [/etc/shadow]\n      pathz: [/x]\n"
			    "      action: deny\n",
		       1);
	_cleanup_free_ char *s = diag_join(&l);
	ASSERT_STREQ(s, "t.yaml:8:7: unknown key 'pathz' in files rule "
			"(expected one of: paths, access, action, mode, onUnsupportedFilesystem)");
	diag_list_clear(&l);

	/* Long or odd keys are quoted shortened and escaped. */
	_cleanup_free_ char *key = repeat('k', 200), *yaml = NULL;
	ASSERT_TRUE(asprintf(&yaml, HEAD "spec: {}\n%s: 1\n\"a\\e[31m\\\\\": 2\n", key) > 0);
	l = parse_fail(yaml, 2);
	ASSERT_DIAG(
		l, 6, 1,
		"unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' in");
	ASSERT_DIAG(l, 7, 1, "unknown key 'a\\x1b[31m\\\\' in policy");
	diag_list_clear(&l);
}

TEST(error_key_not_a_string)
{
	ASSERT_ONE_ERROR(HEAD "spec:\n  ? [mode]\n  : audit\n", 6, 5,
			 "expected a string as key in spec, found a sequence");
	ASSERT_ONE_ERROR(HEAD "spec: {{a: 1}: 2}\n", 5, 8,
			 "expected a string as key in spec, found a mapping");
}

TEST(error_duplicate_keys)
{
	ASSERT_ONE_ERROR(HEAD "spec: {}\nkind: Policy\n", 6, 1,
			 "duplicate key 'kind' in policy (first given at 2:1)");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [{paths: [/a], action: deny, paths: [/b]}]}\n", 5, 44,
			 "duplicate key 'paths' in files rule (first given at 5:17)");

	/* A duplicate is reported even when its value is bad; the first one counts. */
	struct diag_list l = parse_fail(HEAD "spec: {mode: audit, mode: bogus}\n", 1);
	ASSERT_DIAG(l, 5, 21, "duplicate key 'mode' in spec (first given at 5:8)");
	diag_list_clear(&l);
}

TEST(error_missing_keys)
{
	struct diag_list l;

	ASSERT_ONE_ERROR("kind: Policy\nmetadata: {name: a}\nspec: {}\n", 1, 1,
			 "missing required key 'apiVersion' in policy");
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nmetadata: {name: a}\nspec: {}\n", 1, 1,
			 "missing required key 'kind' in policy");
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind: Policy\nspec: {}\n", 1, 1,
			 "missing required key 'metadata' in policy");
	ASSERT_ONE_ERROR(HEAD, 1, 1, "missing required key 'spec' in policy");
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  description: x\n"
			 "spec: {}\n",
			 4, 3, "missing required key 'name' in metadata");
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind: Policy\nmetadata: {}\nspec: {}\n", 3, 11,
			 "missing required key 'name' in metadata");
	ASSERT_ONE_ERROR(HEAD "spec:\n  files:\n    - action: deny\n", 7, 7,
			 "missing required key 'paths' in files rule");
	ASSERT_ONE_ERROR(HEAD "spec:\n  files:\n    - paths: [/a]\n", 7, 7,
			 "missing required key 'action' in files rule");

	l = parse_fail("{}\n", 4);
	ASSERT_DIAG(l, 1, 1, "missing required key 'apiVersion'");
	ASSERT_DIAG(l, 1, 1, "missing required key 'kind'");
	ASSERT_DIAG(l, 1, 1, "missing required key 'metadata'");
	ASSERT_DIAG(l, 1, 1, "missing required key 'spec'");
	diag_list_clear(&l);
}

TEST(error_wrong_types)
{
	ASSERT_ONE_ERROR("apiVersion: secagent/v1\nkind: Policy\nmetadata: a\nspec: {}\n", 3, 11,
			 "expected a mapping for metadata, found a string");
	ASSERT_ONE_ERROR(HEAD "spec: [a]\n", 5, 7, "expected a mapping for spec, found a sequence");
	ASSERT_ONE_ERROR(HEAD "spec:\n", 5, 6, "expected a mapping for spec, found an empty value");
	ASSERT_ONE_ERROR(HEAD "  description: [x]\nspec: {}\n", 5, 16,
			 "expected a string for description, found a sequence");
	ASSERT_ONE_ERROR(HEAD "  description:\nspec: {}\n", 5, 15,
			 "expected a string for description, found an empty value");
	ASSERT_ONE_ERROR(HEAD "spec: {mode: {}}\n", 5, 14,
			 "expected a string for mode, found a mapping");
	ASSERT_ONE_ERROR(HEAD "spec:\n  files: /etc/shadow\n", 6, 10,
			 "expected a sequence of file rules, found a string");
	ASSERT_ONE_ERROR(HEAD "spec:\n  files:\n", 6, 9,
			 "expected a sequence of file rules, found an empty value");
	ASSERT_ONE_ERROR(HEAD "spec:\n  files: {paths: [/a]}\n", 6, 10,
			 "expected a sequence of file rules, found a mapping");
	ASSERT_ONE_ERROR(HEAD "spec:\n  files:\n    - /etc/shadow\n", 7, 7,
			 "expected a mapping for files rule, found a string");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [{paths: /etc/shadow, action: deny}]}\n", 5, 24,
			 "expected a sequence of paths, found a string");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [{paths: [[/a]], action: deny}]}\n", 5, 25,
			 "expected a string for a path, found a sequence");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [{paths: [/a], action: [deny]}]}\n", 5, 38,
			 "expected a string for action, found a sequence");
}

/* ---- values ---- */

#define TYPED(v, k) "apiVersion: " v "\nkind: " k "\nmetadata: {name: a}\nspec: {}\n"

TEST(error_api_version_and_kind)
{
	ASSERT_ONE_ERROR(TYPED("secagent/v2", "Policy"), 1, 13,
			 "unsupported apiVersion 'secagent/v2' (expected 'secagent/v1')");
	ASSERT_ONE_ERROR(TYPED("Secagent/V1", "Policy"), 1, 13,
			 "unsupported apiVersion 'Secagent/V1'");
	ASSERT_ONE_ERROR(TYPED("secagent/v1", "policy"), 2, 7,
			 "unsupported kind 'policy' (expected 'Policy')");
	ASSERT_ONE_ERROR(TYPED("secagent/v1", "\"Policy\\0\""), 2, 7,
			 "kind must not contain a NUL byte");
	ASSERT_ONE_ERROR(TYPED("{v: 1}", "Policy"), 1, 13,
			 "expected a string for apiVersion, found a mapping");
	ASSERT_ONE_ERROR(TYPED("secagent/v1", "[Policy]"), 2, 7,
			 "expected a string for kind, found a sequence");
}

#define NAMED(n) "apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: " n "\nspec: {}\n"

TEST(error_policy_name)
{
	ASSERT_ONE_ERROR(NAMED("\"\""), 4, 9, "policy name must not be empty");
	ASSERT_ONE_ERROR(NAMED(""), 4, 8, "expected a string for name, found an empty value");
	ASSERT_ONE_ERROR(NAMED("[a]"), 4, 9, "expected a string for name, found a sequence");
	ASSERT_ONE_ERROR(NAMED("Protect"), 4, 9,
			 "invalid policy name 'Protect': only lowercase letters, digits and '-' "
			 "are allowed");
	ASSERT_ONE_ERROR(NAMED("a_b"), 4, 9, "invalid policy name 'a_b': only lowercase");
	ASSERT_ONE_ERROR(NAMED("a.b"), 4, 9, "invalid policy name 'a.b': only lowercase");
	ASSERT_ONE_ERROR(NAMED("\"a b\""), 4, 9, "invalid policy name 'a b': only lowercase");
	ASSERT_ONE_ERROR(NAMED("\"caf\\u00e9\""), 4, 9,
			 "invalid policy name 'caf\\xc3\\xa9': only lowercase");
	ASSERT_ONE_ERROR(NAMED("\"a\\e[2J\""), 4, 9, "invalid policy name 'a\\x1b[2J'");
	ASSERT_ONE_ERROR(NAMED("-ab"), 4, 9,
			 "invalid policy name '-ab': it must start and end with a lowercase letter "
			 "or digit");
	ASSERT_ONE_ERROR(NAMED("ab-"), 4, 9, "invalid policy name 'ab-': it must start and end");
	ASSERT_ONE_ERROR(NAMED("\"-\""), 4, 9, "invalid policy name '-': it must start and end");
	ASSERT_ONE_ERROR(NAMED("\"a\\0b\""), 4, 9, "name must not contain a NUL byte");

	_cleanup_free_ char *name = repeat('a', POLICY_NAME_MAX + 1), *yaml = NULL;
	ASSERT_TRUE(asprintf(&yaml, NAMED("%s"), name) > 0);
	ASSERT_ONE_ERROR(yaml, 4, 9, "policy name is too long (64 characters, at most 63)");
}

TEST(error_enums)
{
	ASSERT_ONE_ERROR(HEAD "spec: {mode: enforcing}\n", 5, 14,
			 "invalid mode 'enforcing' (expected one of: enforce, audit)");
	ASSERT_ONE_ERROR(HEAD "spec: {mode: Audit}\n", 5, 14, "invalid mode 'Audit'");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [{paths: [/a], action: block}]}\n", 5, 38,
			 "invalid action 'block' (expected one of: deny, audit, allow)");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [{paths: [/a], action: deny, mode: true}]}\n", 5, 50,
			 "invalid mode 'true' (expected one of: enforce, audit)");
	ASSERT_ONE_ERROR(HEAD "spec: {files: [{paths: [/a], action: \"\"}]}\n", 5, 38,
			 "invalid action '' (expected one of: deny, audit, allow)");
}

#define PATHS(p) HEAD "spec:\n  files:\n    - action: deny\n      paths: [" p "]\n"

TEST(error_paths)
{
	ASSERT_ONE_ERROR(PATHS(""), 8, 14, "paths must list at least one path");
	ASSERT_ONE_ERROR(PATHS("etc/shadow"), 8, 15,
			 "path 'etc/shadow' is not absolute (it must start with '/')");
	ASSERT_ONE_ERROR(PATHS("\"~/x\""), 8, 15, "path '~/x' is not absolute");
	ASSERT_ONE_ERROR(PATHS("\"\""), 8, 15, "path must not be empty");
	ASSERT_ONE_ERROR(PATHS("/etc/./shadow"), 8, 15,
			 "path '/etc/./shadow' contains a '.' component");
	ASSERT_ONE_ERROR(PATHS("/etc/."), 8, 15, "path '/etc/.' contains a '.' component");
	ASSERT_ONE_ERROR(PATHS("/./"), 8, 15, "path '/./' contains a '.' component");
	ASSERT_ONE_ERROR(PATHS("/etc/../shadow"), 8, 15,
			 "path '/etc/../shadow' contains a '..' component");
	ASSERT_ONE_ERROR(PATHS("/.."), 8, 15, "path '/..' contains a '..' component");
	ASSERT_ONE_ERROR(PATHS("/etc//shadow"), 8, 15,
			 "path '/etc//shadow' contains an empty component ('//')");
	ASSERT_ONE_ERROR(PATHS("/etc//"), 8, 15, "path '/etc//' contains an empty component");
	ASSERT_ONE_ERROR(PATHS("//"), 8, 15, "path '//' contains an empty component");
	ASSERT_ONE_ERROR(PATHS("\"/etc/sha\\0dow\""), 8, 15, "a path must not contain a NUL byte");

	_cleanup_free_ char *path = repeat('x', POLICY_PATH_MAX + 1), *yaml = NULL;
	path[0] = '/';
	ASSERT_TRUE(asprintf(&yaml, PATHS("/ok, %s"), path) > 0);
	ASSERT_ONE_ERROR(yaml, 8, 20, "path is too long (4096 bytes, at most 4095)");
}

TEST(error_too_many)
{
	_cleanup_free_ char *rules = make_policy(POLICY_MAX_FILE_RULES + 1, 1);
	_cleanup_free_ char *paths = make_policy(1, POLICY_MAX_PATHS_PER_RULE + 1);
	struct diag_list l;

	ASSERT_ONE_ERROR(rules, 7 + POLICY_MAX_FILE_RULES, 7,
			 "too many file and exec rules (at most 4088 in one policy)");

	/* "    - {action: deny, paths: [" then "/p0, " ... : the 4097th path starts at a column
	 * we compute from the text itself. */
	const char *p = strstr(paths, "/p4096");
	const char *line = strstr(paths, "    - {");
	ASSERT_NOT_NULL(p);
	ASSERT_NOT_NULL(line);
	l = parse_fail(paths, 1);
	ASSERT_DIAG(l, 7, (unsigned)(p - line) + 1, "too many paths in one rule (at most 4096)");
	diag_list_clear(&l);
}

/* ---- several errors in one pass ---- */

TEST(error_collects_all)
{
	struct diag_list l;

	l = parse_fail("apiVersion: secagent/v0\n"
		       "kind: Policy\n"
		       "metadata:\n"
		       "  name: Bad_Name\n"
		       "spec:\n"
		       "  mode: strict\n"
		       "  files:\n"
		       "    - paths: [relative, /ok, /a/../b]\n"
		       "      action: deny\n"
		       "    - paths: [/etc/shadow]\n"
		       "      action: forbid\n"
		       "      pathz: []\n"
		       "    - action: allow\n",
		       8);
	ASSERT_DIAG(l, 1, 13, "unsupported apiVersion 'secagent/v0'");
	ASSERT_DIAG(l, 4, 9, "invalid policy name 'Bad_Name'");
	ASSERT_DIAG(l, 6, 9, "invalid mode 'strict'");
	ASSERT_DIAG(l, 8, 15, "path 'relative' is not absolute");
	ASSERT_DIAG(l, 8, 30, "path '/a/../b' contains a '..' component");
	ASSERT_DIAG(l, 11, 15, "invalid action 'forbid'");
	ASSERT_DIAG(l, 12, 7, "unknown key 'pathz' in files rule");
	ASSERT_DIAG(l, 13, 7, "missing required key 'paths' in files rule");

	/* In the order they were written. */
	for (size_t i = 1; i < l.n; i++)
		ASSERT_TRUE(l.items[i - 1].line <= l.items[i].line);
	diag_list_clear(&l);
}

/* ---- files ---- */

static char tmpdir[] = "/tmp/test-policy-XXXXXX";

static char *write_file(const char *name, const char *content, size_t len)
{
	char *path = NULL;
	int fd;

	ASSERT_TRUE(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, content, len), (ssize_t)len);
	ASSERT_EQ(close(fd), 0);
	return path;
}

static void expect_file_error(const char *path, const char *message)
{
	struct diag_list l = {};
	struct policy *p = SENTINEL;

	ASSERT_ERROR(policy_parse_file(path, &l, &p), EINVAL);
	ASSERT_TRUE(p == SENTINEL);
	ASSERT_EQ(l.n, 1);
	ASSERT_STREQ(l.items[0].file, path);
	ASSERT_EQ(l.items[0].line, 0);
	ASSERT_STREQ(l.items[0].message, message);
	diag_list_clear(&l);
}

TEST(file_good_and_syntax_error)
{
	const char *good = HEAD "spec: {}\n";
	_cleanup_free_ char *path = write_file("good.yaml", good, strlen(good));
	_cleanup_free_ char *bad = write_file("bad.yaml", "a: [\n", 5);
	struct diag_list l = {};
	struct policy *p = NULL;

	ASSERT_OK(policy_parse_file(path, &l, &p));
	ASSERT_EQ(l.n, 0);
	ASSERT_STREQ(p->file, path);
	ASSERT_STREQ(p->name, "test");
	policy_free(p);

	p = SENTINEL;
	ASSERT_ERROR(policy_parse_file(bad, &l, &p), EINVAL);
	ASSERT_TRUE(p == SENTINEL);
	ASSERT_EQ(l.n, 1);
	ASSERT_STREQ(l.items[0].file, bad);
	ASSERT_EQ(l.items[0].line, 2);
	diag_list_clear(&l);
}

TEST(file_size_limit)
{
	_cleanup_free_ char *buf = malloc(POLICY_FILE_MAX_BYTES + 1), *path = NULL, *big = NULL;
	const char *good = HEAD "spec: {}\n#";
	struct policy *p = NULL;
	struct diag_list l = {};

	/* Exactly at the limit: a policy padded with a long comment. */
	ASSERT_NOT_NULL(buf);
	memset(buf, 'x', POLICY_FILE_MAX_BYTES + 1);
	memcpy(buf, good, strlen(good));
	buf[POLICY_FILE_MAX_BYTES - 1] = '\n';
	path = write_file("max.yaml", buf, POLICY_FILE_MAX_BYTES);
	ASSERT_OK(policy_parse_file(path, &l, &p));
	policy_free(p);

	/* Over it, as a file (sparse: never read) and as a buffer. */
	ASSERT_TRUE(asprintf(&big, "%s/big.yaml", tmpdir) > 0);
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(ftruncate(fd, (off_t)POLICY_FILE_MAX_BYTES + 1), 0);
	ASSERT_EQ(close(fd), 0);
	expect_file_error(big, "file is too large (1048577 bytes, at most 1048576)");

	l = parse_fail_len(buf, POLICY_FILE_MAX_BYTES + 1, 1);
	ASSERT_DIAG(l, 0, 0, "file is too large (1048577 bytes, at most 1048576)");
	diag_list_clear(&l);
}

TEST(file_not_readable)
{
	_cleanup_free_ char *missing = NULL, *notdir = NULL, *fifo = NULL, *secret = NULL;

	ASSERT_TRUE(asprintf(&missing, "%s/missing.yaml", tmpdir) > 0);
	expect_file_error(missing, "cannot read: No such file or directory");

	free(write_file("plain", "x", 1));
	ASSERT_TRUE(asprintf(&notdir, "%s/plain/x", tmpdir) > 0);
	expect_file_error(notdir, "cannot read: Not a directory");

	expect_file_error(tmpdir, "is a directory, not a policy file");

	ASSERT_TRUE(asprintf(&fifo, "%s/fifo", tmpdir) > 0);
	ASSERT_EQ(mkfifo(fifo, 0600), 0);
	expect_file_error(fifo, "not a regular file");

	secret = write_file("secret.yaml", "x", 1);
	ASSERT_EQ(chmod(secret, 0), 0);
	if (geteuid() != 0) /* root reads it anyway */
		expect_file_error(secret, "cannot read: Permission denied");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) < 0)
		fprintf(stderr, "cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

#define NET(rule) HEAD "spec:\n  network:\n    - " rule "\n"

TEST(network_rules_parse)
{
	struct policy *p = parse_ok(
		HEAD
		"spec:\n  network:\n"
		"    - operations: [connect, sendmsg]\n"
		"      addresses: [10.0.0.0/8, \"fd00::/8\", \"::ffff:192.0.2.0/120\", 192.0.2.7]\n"
		"      ports: [22, \"8000-8999\"]\n"
		"      protocols: [tcp]\n"
		"      action: deny\n"
		"      mode: audit\n"
		"    - operations: [create]\n"
		"      families: [netlink]\n"
		"      netlinkProtocols: [audit, route]\n"
		"      action: deny\n"
		"  capabilities:\n"
		"    - names: [CAP_SYS_MODULE, CAP_BPF]\n"
		"      action: audit\n");
	const struct net_rule_spec *r = &p->net_rules[0];

	ASSERT_EQ(p->n_net_rules, 2);
	ASSERT_EQ(p->n_cap_rules, 1);
	ASSERT_EQ(policy_n_rules(p), 3);
	ASSERT_EQ(r->ops, 1u << NET_OP_CONNECT | 1u << NET_OP_SENDMSG);
	ASSERT_EQ(r->n_addrs, 4);
	ASSERT_EQ(r->addrs[0].family, SA_NET_IPV4);
	ASSERT_EQ(r->addrs[0].prefix, 8);
	ASSERT_EQ(r->addrs[0].addr[0], 10);
	ASSERT_EQ(r->addrs[1].family, SA_NET_IPV6);
	ASSERT_EQ(r->addrs[1].prefix, 8);
	ASSERT_EQ(r->addrs[1].addr[0], 0xfd);
	/* IPv4-mapped IPv6 is IPv4. */
	ASSERT_EQ(r->addrs[2].family, SA_NET_IPV4);
	ASSERT_EQ(r->addrs[2].prefix, 24);
	ASSERT_EQ(r->addrs[2].addr[0], 192);
	ASSERT_EQ(r->addrs[2].addr[2], 2);
	ASSERT_EQ(r->addrs[3].prefix, 32);
	ASSERT_EQ(r->families, 1u << SA_NET_IPV4 | 1u << SA_NET_IPV6);
	ASSERT_EQ(r->n_ports, 2);
	ASSERT_EQ(r->ports[1].lo, 8000);
	ASSERT_EQ(r->ports[1].hi, 8999);
	ASSERT_EQ(r->protocols, 1u << SA_NET_TCP);
	ASSERT_TRUE(r->head.has_mode);
	ASSERT_EQ(p->net_rules[1].netlink, 1u << 9 | 1u << 0);
	ASSERT_EQ(p->cap_rules[0].caps, 1ULL << 16 | 1ULL << 39);
	ASSERT_STREQ(capability_to_string(21), "CAP_SYS_ADMIN");
	policy_free(p);
}

TEST(error_network)
{
	ASSERT_ONE_ERROR(NET("{operations: [connect], addresses: [10.1.2.3/8], action: deny}"), 7,
			 43, "address '10.1.2.3/8' has bits set past its prefix length");
	ASSERT_ONE_ERROR(NET("{operations: [connect], addresses: [300.1.1.1], action: deny}"), 7,
			 43, "invalid address '300.1.1.1' (expected an IPv4 or IPv6 address");
	ASSERT_ONE_ERROR(NET("{operations: [connect], addresses: [\"::1/129\"], action: deny}"), 7,
			 43, "invalid prefix length in '::1/129' (expected 0 to 128)");
	ASSERT_ONE_ERROR(NET("{operations: [connect], addresses: [10.0.0.0/33], action: deny}"), 7,
			 43, "invalid prefix length in '10.0.0.0/33' (expected 0 to 32)");
	ASSERT_ONE_ERROR(
		NET("{operations: [connect], ports: [65536], action: deny}"), 7, 39,
		"invalid port or port range '65536' (expected N or N-M with N <= M <= 65535)");
	ASSERT_ONE_ERROR(NET("{operations: [connect], ports: [\"90-80\"], action: deny}"), 7, 39,
			 "invalid port or port range '90-80'");
	ASSERT_ONE_ERROR(
		NET("{operations: [fly], action: deny}"), 7, 21,
		"invalid operation 'fly' (expected one of: connect, bind, listen, sendmsg, "
		"create)");
	ASSERT_ONE_ERROR(NET("{operations: [connect], protocols: [sctp], action: deny}"), 7, 43,
			 "invalid protocol 'sctp' (expected one of: tcp, udp)");
	ASSERT_ONE_ERROR(NET("{operations: [connect], action: block}"), 7, 39,
			 "invalid action 'block'");
	ASSERT_ONE_ERROR(NET("{action: deny}"), 7, 7,
			 "missing required key 'operations' in network rule");
	ASSERT_ONE_ERROR(NET("{operations: [create, connect], families: [packet], action: deny}"),
			 7, 7, "operation create cannot share a rule with connect");
	ASSERT_ONE_ERROR(NET("{operations: [create], ports: [80], families: [ipv4], action: deny}"),
			 7, 7, "a create rule matches families, types and netlinkProtocols");
	ASSERT_ONE_ERROR(NET("{operations: [create], action: deny}"), 7, 7,
			 "a create rule must name the families it applies to");
	ASSERT_ONE_ERROR(NET("{operations: [create], families: [ipv4], netlinkProtocols: [audit], "
			     "action: deny}"),
			 7, 7, "netlinkProtocols needs families: [netlink] only");
	ASSERT_ONE_ERROR(NET("{operations: [bind], types: [raw], action: deny}"), 7, 7,
			 "types and netlinkProtocols apply to the create operation only");
	ASSERT_ONE_ERROR(
		NET("{operations: [bind], families: [packet], action: deny}"), 7, 7,
		"connect, bind, listen and sendmsg rules take families ipv4, ipv6 and unix");
	ASSERT_ONE_ERROR(NET("{operations: [bind], families: [unix], ports: [1], action: deny}"), 7,
			 7, "unix sockets have no addresses, ports or protocols to match");
	ASSERT_ONE_ERROR(NET("{operations: [bind], families: [ipv4], addresses: [\"::1\"], "
			     "action: deny}"),
			 7, 58, "address is ipv6, but families does not list it");
	ASSERT_ONE_ERROR(HEAD "spec:\n  capabilities:\n    - {names: [CAP_FLY], action: deny}\n", 7,
			 16, "invalid capability 'CAP_FLY' (expected one of: CAP_CHOWN,");
	ASSERT_ONE_ERROR(HEAD "spec:\n  capabilities:\n    - {names: CAP_BPF, action: deny}\n", 7,
			 15, "expected a non-empty sequence of capability, found a string");
	ASSERT_ONE_ERROR(HEAD "spec:\n  kernel:\n    - {operations: [reboot], action: deny}\n", 7,
			 21,
			 "invalid kernel operation 'reboot' (expected one of: module_load, "
			 "module_request, kexec, bpf_load, ptrace, mount, remount, setuid_root)");
	ASSERT_ONE_ERROR(HEAD "spec:\n  kernel:\n    - {action: deny}\n", 7, 7,
			 "missing required key 'operations' in kernel rule");
	ASSERT_ONE_ERROR(HEAD "spec:\n  network: {}\n", 6, 12,
			 "expected a sequence of rules, found a mapping");
}

/* A file cannot make an unbounded stream of diagnostics: past DIAG_MAX_SHOWN they are counted. */
TEST(diagnostics_are_capped)
{
	struct diag_list l = {};
	char *text;

	for (int i = 0; i < DIAG_MAX_SHOWN + 500; i++)
		ASSERT_OK(diag_add(&l, "f.yaml", i + 1, 1, "error %d", i));
	ASSERT_EQ(l.n, (size_t)DIAG_MAX_SHOWN + 500);
	ASSERT_EQ(diag_shown(&l), (size_t)DIAG_MAX_SHOWN);
	text = diag_join(&l);
	ASSERT_NOT_NULL(text);
	ASSERT_TRUE(strstr(text, "f.yaml:1000:1: error 999\n(500 more errors not shown)") != NULL);
	ASSERT_TRUE(strstr(text, "error 1000") == NULL);
	free(text);
	diag_list_clear(&l);
}

int main(int argc, char **argv)
{
	int r;

	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	r = test_run_all(argc, argv);
	nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return r;
}
