// SPDX-License-Identifier: GPL-2.0-or-later
/* The compiler: modes and precedence become verdicts, every name of a file becomes one entry,
 * and every error names its file, line and column. */

#include <fcntl.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "compile.h"
#include "test.h"
#include "util.h"

static char tmpdir[] = "/tmp/test-compile-XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static const struct file_identity_source *identity_source = &file_identity_stat;
static const struct compile_container *test_containers;
static size_t n_test_containers;

/* Compiles the given policy texts as files a.yaml, b.yaml ... in a fresh directory. */
static int compile_texts(const char *const *texts, size_t n, struct diag_list *diags,
			 struct compiled_set **ret)
{
	char dir[256], path[300];
	struct policy_set *set = NULL;
	static int counter;
	int r;

	snprintf(dir, sizeof(dir), "%s/set%d", tmpdir, counter++);
	if (mkdir(dir, 0755) < 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%c.yaml", dir, (char)('a' + i));
		write_file(path, texts[i]);
	}
	r = policy_set_load_dir(dir, diags, &set);
	if (r < 0)
		return r;
	return compile_policy_set(set, identity_source, test_containers, n_test_containers, diags,
				  ret);
}

static char *policy_text(const char *name, const char *mode, const char *rules)
{
	char *t;

	if (asprintf(&t,
		     "apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: %s}\n"
		     "spec:\n  mode: %s\n  files:\n%s",
		     name, mode, rules) < 0)
		abort();
	return t;
}

static const struct compiled_file_entry *find_entry(const struct compiled_set *c, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	for (size_t i = 0; i < c->n_files; i++)
		if (c->files[i].dev == kernel_dev_from_stat(st.st_dev) &&
		    c->files[i].ino == st.st_ino)
			return &c->files[i];
	return NULL;
}

/* Entries by inode, leaving out the ones by name. */
static size_t inode_entries(const struct compiled_set *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_files; i++)
		n += c->files[i].name[0] == '\0';
	return n;
}

static char file_a[300], file_b[300], link_a[300], dir_d[300], rules_buf[4096];

/* The verdict the exact (or, with @tree, the subtree) masks give access bit @bit; -1: none. */
static int verdict_of(const struct compiled_file_entry *e, bool tree, uint32_t bit)
{
	const __u32 *m = tree ? e->rule.tree : e->rule.exact;

	for (int v = SA_VERDICT_DENY; v >= SA_VERDICT_ALLOW; v--)
		if (m[v] & bit)
			return v;
	return -1;
}

static const char *policy_of(const struct compiled_set *c, const struct compiled_file_entry *e,
			     bool tree, unsigned bit_index)
{
	uint32_t ref = tree ? e->rule.tree_rule[bit_index] : e->rule.exact_rule[bit_index];

	return c->policies[SA_RULE_POLICY(ref)].name;
}

static const char *rules(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *rules(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rules_buf, sizeof(rules_buf), fmt, ap);
	va_end(ap);
	return rules_buf;
}

TEST(kernel_dev_encoding)
{
	ASSERT_EQ(kernel_dev_from_stat(makedev(8, 1)), (8u << 20) | 1);
	ASSERT_EQ(kernel_dev_from_stat(makedev(259, 70000)), (259u << 20) | 70000);
	ASSERT_EQ(kernel_dev_from_stat(makedev(0, 0)), 0);
}

TEST(enforce_deny_is_deny_audit_policy_turns_it_into_audit)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[2];

	texts[0] = policy_text("p-enforce", "enforce",
			       rules("    - paths: [%s]\n      action: deny\n", file_a));
	texts[1] = policy_text("p-audit", "audit",
			       rules("    - paths: [%s]\n      action: deny\n", file_b));
	ASSERT_OK(compile_texts(texts, 2, &d, &c));
	ASSERT_EQ(d.n, 0);
	ASSERT_EQ(c->n_policies, 2);
	ASSERT_EQ(inode_entries(c), 2);
	ASSERT_EQ(verdict_of(find_entry(c, file_a), false, SA_ACCESS_READ), SA_VERDICT_DENY);
	ASSERT_EQ(verdict_of(find_entry(c, file_a), false, SA_ACCESS_MMAP_EXEC), SA_VERDICT_DENY);
	ASSERT_EQ(verdict_of(find_entry(c, file_a), true, SA_ACCESS_READ), -1);
	ASSERT_EQ(verdict_of(find_entry(c, file_b), false, SA_ACCESS_WRITE), SA_VERDICT_AUDIT);
	ASSERT_STREQ(policy_of(c, find_entry(c, file_b), false, 1), "p-audit");
	ASSERT_TRUE(!c->has_tree_deny);
	ASSERT_TRUE(!c->has_tree); /* exact paths only: the hooks need not walk */
	ASSERT_EQ(find_entry(c, file_a)->rule.version, SA_LAYOUT_VERSION);
	compiled_set_free(c);
	free((void *)texts[0]);
	free((void *)texts[1]);
}

TEST(posture_sets_its_selector_bits_and_names_its_line)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[3] = {
		"apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: host}\n"
		"spec:\n  capabilities:\n    - {names: [CAP_SYS_MODULE], action: deny}\n",
		"apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: web}\n"
		"spec:\n  selector: {cgroups: [/system.slice/web.service]}\n"
		"  posture:\n    files: deny\n    network: audit\n",
		/* In audit mode a posture that denies audits. */
		"apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: learn}\n"
		"spec:\n  mode: audit\n  selector: {uids: [1000]}\n  posture: deny\n",
	};
	const struct sa_selector_table *t;
	const struct compiled_rule *r;
	unsigned web, learn;

	ASSERT_OK(compile_texts(texts, 3, &d, &c));
	ASSERT_EQ(d.n, 0);
	ASSERT_TRUE(c->has_posture);
	t = &c->selectors.table;
	web = c->policies[1].selector;
	learn = c->policies[2].selector;
	ASSERT_TRUE(web > 0 && learn > 0 && web != learn);
	ASSERT_EQ(t->posture_deny[SA_POSTURE_FILES], UINT64_C(1) << web);
	ASSERT_EQ(t->posture_audit[SA_POSTURE_NETWORK],
		  (UINT64_C(1) << web) | (UINT64_C(1) << learn));
	ASSERT_EQ(t->posture_deny[SA_POSTURE_EXEC], 0);
	ASSERT_EQ(t->posture_audit[SA_POSTURE_EXEC], UINT64_C(1) << learn);
	ASSERT_EQ(t->posture_audit[SA_POSTURE_KERNEL], UINT64_C(1) << learn);
	ASSERT_EQ(t->selector_policy[web], 1);
	ASSERT_EQ(t->selector_policy[learn], 2);
	/* Selector 0 (every process) never has a posture. */
	for (int k = 0; k < SA_POSTURE_SLOTS; k++)
		ASSERT_EQ((t->posture_deny[k] | t->posture_audit[k]) & 1, 0);
	/* An event's reference names the posture's line and column. */
	r = compiled_set_rule(c, SA_RULE_REF(1, SA_POSTURE_INDEX(SA_POSTURE_NETWORK)));
	ASSERT_NOT_NULL(r);
	ASSERT_EQ(r->line, 8);
	ASSERT_EQ(r->column, 14);
	ASSERT_TRUE(SA_RULE_IS_POSTURE(r->ref));
	ASSERT_EQ(SA_RULE_POSTURE_KIND(r->ref), SA_POSTURE_NETWORK);
	/* A kind that allows has no rule; nor has a policy without a posture. */
	ASSERT_NULL(compiled_set_rule(c, SA_RULE_REF(1, SA_POSTURE_INDEX(SA_POSTURE_EXEC))));
	ASSERT_NULL(compiled_set_rule(c, SA_RULE_REF(0, SA_POSTURE_INDEX(SA_POSTURE_FILES))));
	ASSERT_NOT_NULL(compiled_set_rule(c, SA_RULE_REF(0, 0)));
	compiled_set_free(c);
}

TEST(rule_mode_overrides_policy_mode)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[1];

	texts[0] = policy_text("p", "enforce",
			       rules("    - paths: [%s]\n      action: deny\n      mode: audit\n"
				     "    - paths: [%s]\n      action: deny\n",
				     file_a, file_b));
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(verdict_of(find_entry(c, file_a), false, SA_ACCESS_READ), SA_VERDICT_AUDIT);
	ASSERT_EQ(verdict_of(find_entry(c, file_b), false, SA_ACCESS_READ), SA_VERDICT_DENY);
	ASSERT_EQ(find_entry(c, file_b)->rule.exact_rule[0], SA_RULE_REF(0, 1));
	ASSERT_EQ(compiled_set_rule(c, SA_RULE_REF(0, 1))->line, 10);
	ASSERT_EQ(compiled_set_rule(c, SA_RULE_REF(0, 1))->column, 7);
	ASSERT_NULL(compiled_set_rule(c, SA_RULE_REF(0, 2)));
	ASSERT_NULL(compiled_set_rule(c, SA_RULE_REF(1, 0)));
	compiled_set_free(c);
	free((void *)texts[0]);
}

TEST(same_file_by_two_names_is_one_entry_strongest_verdict_wins)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[2];

	/* An allow and an audit in one policy, a deny of the hard link in another: deny wins. */
	texts[0] = policy_text("first", "enforce",
			       rules("    - paths: [%s]\n      action: allow\n"
				     "    - paths: [%s]\n      action: audit\n",
				     file_a, file_a));
	texts[1] = policy_text("second", "enforce",
			       rules("    - paths: [%s]\n      action: deny\n", link_a));
	ASSERT_OK(compile_texts(texts, 2, &d, &c));
	ASSERT_EQ(inode_entries(c), 1);
	ASSERT_EQ(verdict_of(find_entry(c, file_a), false, SA_ACCESS_READ), SA_VERDICT_DENY);
	ASSERT_STREQ(policy_of(c, find_entry(c, file_a), false, 0), "second");
	compiled_set_free(c);
	free((void *)texts[0]);
	free((void *)texts[1]);

	/* Without the deny, audit beats allow. */
	texts[0] = policy_text("only", "enforce",
			       rules("    - paths: [%s]\n      action: allow\n"
				     "    - paths: [%s]\n      action: audit\n",
				     file_a, link_a));
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(inode_entries(c), 1);
	ASSERT_EQ(verdict_of(find_entry(c, file_a), false, SA_ACCESS_READ), SA_VERDICT_AUDIT);
	compiled_set_free(c);
	free((void *)texts[0]);
}

TEST(missing_path_is_an_error_at_the_path)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[1];

	texts[0] = policy_text("p", "enforce",
			       rules("    - paths: [%s, /no/such/file]\n      action: deny\n",
				     file_a));
	ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
	ASSERT_NULL(c);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.items[0].line, 7);
	ASSERT_EQ(d.items[0].column, 15 + strlen(file_a) + 2); /* after "[<file_a>, " */
	ASSERT_STREQ(
		d.items[0].message,
		"'/no/such/file': neither the file nor its directory exists (a file that does not exist yet is bound by its name in an existing directory)");
	ASSERT_TRUE(strstr(d.items[0].file, "/a.yaml") != NULL);
	diag_list_clear(&d);
	free((void *)texts[0]);
}

/* stat(2), except that file_b lies on NFS and dir_d on a btrfs the hooks cannot read. */
static int identify_fake(void *userdata, int dirfd, const char *path, int at_flags, struct stat *st,
			 struct file_identity *id)
{
	int r = file_identity_stat.identify(userdata, dirfd, path, at_flags, st, id);
	struct stat b, dd;

	if (r < 0 || stat(file_b, &b) < 0 || stat(dir_d, &dd) < 0)
		return r;
	if (st->st_dev == b.st_dev && st->st_ino == b.st_ino)
		id->fs_magic = 0x6969;
	if (st->st_dev == dd.st_dev && st->st_ino == dd.st_ino) {
		id->fs_magic = 0x9123683e;
		id->inexact = "without the btrfs module's BTF";
	}
	return r;
}

TEST(paths_on_unsupported_file_systems_are_refused_or_listed)
{
	static const struct file_identity_source fake = { identify_fake, NULL };
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	_cleanup_free_ char *new_in_d = NULL;
	const char *texts[1];

	ASSERT_TRUE(asprintf(&new_in_d, "%s/not-yet", dir_d) > 0);
	identity_source = &fake;
	texts[0] =
		policy_text("p", "enforce",
			    rules("    - paths: [%s, %s]\n      action: deny\n", file_a, file_b));
	ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.items[0].line, 7);
	ASSERT_EQ(d.items[0].column, 15 + strlen(file_a) + 2);
	ASSERT_TRUE(strstr(d.items[0].message, "': on nfs, which secagent cannot enforce") != NULL);
	diag_list_clear(&d);
	free((void *)texts[0]);

	/* A name in a directory on it (the file does not exist yet), and a subtree. */
	texts[0] =
		policy_text("p", "enforce",
			    rules("    - paths: [%s, %s/]\n      action: deny\n", new_in_d, dir_d));
	ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 2);
	ASSERT_TRUE(strstr(d.items[0].message, "on btrfs without the btrfs module's BTF") != NULL);
	diag_list_clear(&d);
	free((void *)texts[0]);

	/* Accepted by the rule: no entries, listed with the reason; the other path is enforced. */
	texts[0] = policy_text("p", "enforce",
			       rules("    - paths: [%s, %s]\n      action: deny\n"
				     "      onUnsupportedFilesystem: notEnforced\n",
				     file_a, file_b));
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(c->n_not_enforced, 1);
	ASSERT_STREQ(c->not_enforced[0].path, file_b);
	ASSERT_STREQ(c->not_enforced[0].reason, "on nfs");
	ASSERT_EQ(c->not_enforced[0].line, 7);
	ASSERT_EQ(inode_entries(c), 1);
	ASSERT_NOT_NULL(find_entry(c, file_a));
	c = compiled_set_free(c);
	free((void *)texts[0]);
	identity_source = &file_identity_stat;
}

TEST(subtree_rules_and_access_sets)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[1];
	const struct compiled_file_entry *dir, *a;

	/* Deny writes below the directory; allow (carve out) writes to file-a; audit its reads. */
	texts[0] =
		policy_text("p", "enforce",
			    rules("    - paths: [%s/]\n      access: [write, unlink]\n"
				  "      action: deny\n"
				  "    - paths: [%s]\n      access: [write]\n      action: allow\n"
				  "    - paths: [%s]\n      access: [read]\n      action: audit\n",
				  dir_d, file_a, file_a));
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(inode_entries(c), 2);
	ASSERT_TRUE(c->has_tree_deny);
	ASSERT_TRUE(c->has_tree);
	dir = find_entry(c, dir_d);
	a = find_entry(c, file_a);
	ASSERT_NOT_NULL(dir);
	ASSERT_EQ(verdict_of(dir, true, SA_ACCESS_WRITE), SA_VERDICT_DENY);
	ASSERT_EQ(verdict_of(dir, true, SA_ACCESS_UNLINK), SA_VERDICT_DENY);
	ASSERT_EQ(verdict_of(dir, true, SA_ACCESS_READ), -1);
	ASSERT_EQ(verdict_of(dir, false, SA_ACCESS_WRITE), -1); /* the directory itself: no rule */
	ASSERT_EQ(verdict_of(a, false, SA_ACCESS_WRITE), SA_VERDICT_ALLOW);
	ASSERT_EQ(verdict_of(a, false, SA_ACCESS_READ), SA_VERDICT_AUDIT);
	ASSERT_EQ(verdict_of(a, false, SA_ACCESS_EXEC), -1);
	ASSERT_EQ(a->rule.exact_rule[1], SA_RULE_REF(0, 1));
	ASSERT_EQ(a->rule.exact_rule[0], SA_RULE_REF(0, 2));
	compiled_set_free(c);
	free((void *)texts[0]);
}

TEST(trailing_slash_on_a_file_is_an_error)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	char path[320];
	const char *texts[1];

	snprintf(path, sizeof(path), "%s/", file_a);
	texts[0] =
		policy_text("p", "enforce", rules("    - paths: [%s]\n      action: deny\n", path));
	ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.items[0].line, 7);
	ASSERT_EQ(d.items[0].column, 15);
	ASSERT_TRUE(strstr(d.items[0].message,
			   "a trailing '/' names a directory's subtree, but this "
			   "is not a directory") != NULL);
	diag_list_clear(&d);
	free((void *)texts[0]);
}

TEST(unknown_access_is_an_error_at_the_value)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[1];

	texts[0] = policy_text(
		"p", "enforce",
		rules("    - paths: [%s]\n      access: [read, fly]\n      action: deny\n",
		      file_a));
	ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.items[0].line, 8);
	ASSERT_EQ(d.items[0].column, 22);
	ASSERT_STREQ(d.items[0].message,
		     "invalid access 'fly' (expected one of: read, write, create, "
		     "unlink, rename, setattr, exec, mmap)");
	diag_list_clear(&d);
	free((void *)texts[0]);
}

TEST(duplicate_policy_names_across_files)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[2];

	texts[0] = policy_text("same", "enforce",
			       rules("    - paths: [%s]\n      action: deny\n", file_a));
	texts[1] = policy_text("same", "enforce",
			       rules("    - paths: [%s]\n      action: deny\n", file_b));
	ASSERT_ERROR(compile_texts(texts, 2, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 1);
	ASSERT_TRUE(strstr(d.items[0].file, "/b.yaml") != NULL);
	ASSERT_EQ(d.items[0].line, 3);
	ASSERT_EQ(d.items[0].column, 18);
	ASSERT_TRUE(strstr(d.items[0].message, "policy name 'same' is already used by ") != NULL);
	diag_list_clear(&d);
	free((void *)texts[0]);
	free((void *)texts[1]);
}

TEST(errors_in_several_files_are_all_reported)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[2] = {
		"apiVersion: secagent/v2\nkind: Policy\nmetadata: {name: a}\nspec: {}\n",
		"apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: b}\nspec: {mode: loud}\n",
	};

	ASSERT_ERROR(compile_texts(texts, 2, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 2);
	ASSERT_TRUE(strstr(d.items[0].message, "unsupported apiVersion 'secagent/v2'") != NULL);
	ASSERT_TRUE(strstr(d.items[1].message, "invalid mode 'loud'") != NULL);
	diag_list_clear(&d);
}

TEST(missing_directory_is_a_diagnostic)
{
	struct diag_list d = {};
	struct policy_set *set = NULL;

	ASSERT_ERROR(policy_set_load_dir("/no/such/dir", &d, &set), EINVAL);
	ASSERT_EQ(d.n, 1);
	ASSERT_STREQ(d.items[0].file, "/no/such/dir");
	ASSERT_STREQ(d.items[0].message, "cannot open policy directory: No such file or directory");
	diag_list_clear(&d);
}

/* The directory's files must be writable by root only: checked on the file the parser reads,
 * what a symlink points to included. */
TEST(untrusted_policy_files_are_refused)
{
	static const char text[] =
		"apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: t}\nspec:\n  files:\n"
		"    - {paths: [/etc/shadow], action: deny}\n";
	struct {
		const char *what;
		mode_t mode;
		uid_t uid;
		bool link;
		const char *message;
	} cases[] = {
		{ "world-writable", 0666, 0, false, "lets everyone write it" },
		{ "group-writable", 0664, 0, false, "lets its group write it" },
		{ "owned by uid 1000", 0644, 1000, false, "owned by uid 1000" },
		{ "a link to a world-writable file", 0666, 0, true, "lets everyone write it" },
		{ "a link to a root-only file", 0644, 0, true, NULL },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char dir[256], path[300], target[300];
		struct diag_list d = {};
		struct policy_set *set = NULL;
		int r;

		snprintf(dir, sizeof(dir), "%s/trust%zu", tmpdir, i);
		ASSERT_OK(mkdir(dir, 0755));
		snprintf(path, sizeof(path), "%s/p.yaml", dir);
		snprintf(target, sizeof(target), "%s/target-%zu", tmpdir, i);
		write_file(cases[i].link ? target : path, text);
		ASSERT_OK(chmod(cases[i].link ? target : path, cases[i].mode));
		ASSERT_OK(chown(cases[i].link ? target : path, cases[i].uid, 0));
		if (cases[i].link)
			ASSERT_OK(symlink(target, path));
		r = policy_set_load_dir(dir, &d, &set);
		if (cases[i].message) {
			test_check(r == -EINVAL && d.n == 1 &&
					   strstr(d.items[0].message, cases[i].message),
				   "%s: r=%d, %zu diagnostics, first '%s'", cases[i].what, r, d.n,
				   d.n ? d.items[0].message : "");
		} else {
			test_check(r == 0 && d.n == 0, "%s: r=%d, %zu diagnostics", cases[i].what,
				   r, d.n);
			policy_set_free(set);
		}
		diag_list_clear(&d);
	}
}

TEST(empty_directory_compiles_to_an_empty_set)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;

	ASSERT_OK(compile_texts(NULL, 0, &d, &c));
	ASSERT_EQ(c->n_policies, 0);
	ASSERT_EQ(inode_entries(c), 0);
	compiled_set_free(c);
}

static char *selector_policy(const char *name, const char *selector, const char *rules_text)
{
	char *t;

	if (asprintf(&t,
		     "apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: %s}\n"
		     "spec:\n  selector:\n%s  files:\n%s",
		     name, selector, rules_text) < 0)
		abort();
	return t;
}

static const struct compiled_file_entry *
find_scoped(const struct compiled_set *c, const struct compiled_file_entry *e0, unsigned selector)
{
	for (size_t i = 0; i < c->n_files; i++)
		if (c->files[i].dev == e0->dev && c->files[i].ino == e0->ino &&
		    c->files[i].selector == selector)
			return &c->files[i];
	return NULL;
}

TEST(selector_rules_are_kept_apart_and_listed_on_the_inode)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const struct compiled_file_entry *e0, *e1;
	char sel[400];
	const char *texts[2];
	unsigned k;

	texts[0] =
		policy_text("everyone", "enforce",
			    rules("    - paths: [%s]\n      access: [write]\n      action: deny\n",
				  file_a));
	snprintf(sel, sizeof(sel), "    binaries: [%s]\n    uids: [0, \"1000-1999\"]\n", file_b);
	texts[1] = selector_policy("scoped", sel,
				   rules("    - paths: [%s]\n      action: deny\n", file_a));
	ASSERT_OK(compile_texts(texts, 2, &d, &c));
	k = c->policies[1].selector;
	ASSERT_EQ(c->policies[0].selector, 0);
	ASSERT_TRUE(k >= 1 && k < SA_MAX_SELECTORS);

	/* One entry per selector; the selector-0 one names the other. */
	e0 = find_entry(c, file_a);
	ASSERT_TRUE(e0 != NULL);
	ASSERT_EQ(e0->selector, 0);
	ASSERT_EQ(e0->rule.scoped, 1ULL << k);
	ASSERT_EQ(verdict_of(e0, false, SA_ACCESS_WRITE), SA_VERDICT_DENY);
	ASSERT_EQ(verdict_of(e0, false, SA_ACCESS_READ), -1);
	e1 = find_scoped(c, e0, k);
	ASSERT_TRUE(e1 != NULL);
	ASSERT_EQ(verdict_of(e1, false, SA_ACCESS_READ), SA_VERDICT_DENY);
	ASSERT_STREQ(policy_of(c, e1, false, 0), "scoped");

	/* Conditions combine with AND: no cgroups: condition, so any cgroup matches. */
	ASSERT_EQ(c->selectors.table.in_use, 1ULL << k);
	ASSERT_TRUE(c->selectors.table.any_cgroup & (1ULL << k));
	ASSERT_TRUE(!(c->selectors.table.any_binary & (1ULL << k)));
	ASSERT_TRUE(!(c->selectors.table.any_uid & (1ULL << k)));
	ASSERT_EQ(c->selectors.table.n_uid_ranges, 2);
	ASSERT_EQ(c->selectors.table.uid_ranges[1].lo, 1000);
	ASSERT_EQ(c->selectors.table.uid_ranges[1].hi, 1999);
	ASSERT_EQ(c->selectors.n_binaries, 1);
	ASSERT_EQ(c->selectors.binaries[0].value.selectors, 1ULL << k);
	compiled_set_free(c);
	free((void *)texts[0]);
	free((void *)texts[1]);
}

TEST(selector_cgroups_need_not_exist_and_except_binaries_exclude)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	char sel[400];
	const char *texts[2];
	unsigned k, k2;

	snprintf(sel, sizeof(sel),
		 "    cgroups: [/system.slice/not-running.service]\n    exceptBinaries: [%s]\n",
		 file_b);
	texts[0] = selector_policy("unit", sel,
				   rules("    - paths: [%s]\n      action: deny\n", file_a));
	/* A second unit's policy: the manager's entries carry both selectors. */
	texts[1] = selector_policy("other", "    cgroups: [/system.slice/other.service]\n",
				   rules("    - paths: [%s]\n      action: deny\n", file_a));
	ASSERT_OK(compile_texts(texts, 2, &d, &c));
	k = c->policies[0].selector;
	k2 = c->policies[1].selector;
	ASSERT_EQ(c->selectors.n_cgroups, 2);
	ASSERT_STREQ(c->selectors.cgroups[0].path, "/system.slice/not-running.service");
	ASSERT_EQ(c->selectors.cgroups[0].selectors, 1ULL << k);
	ASSERT_TRUE(!(c->selectors.table.any_cgroup & (1ULL << k)));
	/* exceptBinaries alone leaves every binary bound but the one named. */
	ASSERT_TRUE(c->selectors.table.any_binary & (1ULL << k));
	{
		struct stat b, manager, executor = {};
		size_t excluded = 0, until_exec = 0, expect_manager = 0;

		ASSERT_OK(stat(file_b, &b));
		expect_manager += stat("/usr/lib/systemd/systemd", &manager) == 0;
		expect_manager += stat("/usr/lib/systemd/systemd-executor", &executor) == 0;
		for (size_t i = 0; i < c->selectors.n_binaries; i++) {
			const struct compiled_binary *e = &c->selectors.binaries[i];

			if (e->value.excluded) {
				ASSERT_EQ(e->value.excluded, 1ULL << k);
				ASSERT_EQ(e->ino, (uint64_t)b.st_ino);
				excluded++;
			}
			/* A unit's policy binds the service manager's set-up only in its exec. */
			if (e->value.until_exec_from_init) {
				ASSERT_EQ(e->value.until_exec_from_init, 1ULL << k | 1ULL << k2);
				ASSERT_EQ(e->value.until_exec, 0);
				/* Only the executor keeps the set-up past an exec. */
				ASSERT_EQ(e->value.service_executor,
					  e->ino == (uint64_t)executor.st_ino);
				until_exec++;
			}
		}
		ASSERT_EQ(excluded, 1);
		ASSERT_EQ(until_exec, expect_manager);
	}
	compiled_set_free(c);
	free((void *)texts[0]);
	free((void *)texts[1]);
}

TEST(container_policy_binds_no_cgroup_until_a_container_is_bound)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[2];
	unsigned k;

	texts[0] = selector_policy("web", "    containers: true\n",
				   rules("    - paths: [%s]\n      action: deny\n", file_a));
	texts[1] = selector_policy("off", "    containers: false\n    uids: [7]\n",
				   rules("    - paths: [%s]\n      action: deny\n", file_b));
	ASSERT_OK(compile_texts(texts, 2, &d, &c));
	k = c->policies[0].selector;
	ASSERT_TRUE(k >= 1);
	ASSERT_TRUE(c->policies[0].containers);
	ASSERT_TRUE(!c->policies[1].containers);
	/* No cgroup matches it: the daemon adds each bound container's cgroup by id. */
	ASSERT_TRUE(!(c->selectors.table.any_cgroup & (1ULL << k)));
	ASSERT_TRUE(c->selectors.table.any_binary & (1ULL << k));
	ASSERT_TRUE(c->selectors.table.any_uid & (1ULL << k));
	ASSERT_EQ(c->selectors.n_cgroups, 0);
	ASSERT_EQ(c->selectors.n_bound, 0);
	/* containers: false is the same as leaving it out. */
	ASSERT_TRUE(c->selectors.table.any_cgroup & (1ULL << c->policies[1].selector));
	compiled_set_free(c);
	free((void *)texts[0]);
	free((void *)texts[1]);
}

/* An entry for @name in the directory (@dir_fd's identity), or NULL. */
static const struct compiled_file_entry *find_name_entry(const struct compiled_set *c, int dir_fd,
							 const char *name)
{
	struct stat st;

	if (fstat(dir_fd, &st) < 0)
		return NULL;
	for (size_t i = 0; i < c->n_files; i++)
		if (c->files[i].dev == kernel_dev_from_stat(st.st_dev) &&
		    c->files[i].ino == st.st_ino && streq(c->files[i].name, name))
			return &c->files[i];
	return NULL;
}

static const struct compiled_file_entry *find_entry_at(const struct compiled_set *c, int dir_fd,
						       const char *path)
{
	struct stat st;

	if (fstatat(dir_fd, path, &st, 0) < 0)
		return NULL;
	for (size_t i = 0; i < c->n_files; i++)
		if (c->files[i].dev == kernel_dev_from_stat(st.st_dev) &&
		    c->files[i].ino == st.st_ino && !c->files[i].name[0])
			return &c->files[i];
	return NULL;
}

/*
 * A container policy's paths are resolved in each bound container's root, as the container
 * sees them: symlinks (absolute or with "..") never lead out of it, a missing file is bound by
 * its name, a missing directory is an error naming the container, and a lost root is listed as
 * not enforced. Host files of the same names are not touched.
 */
TEST(container_paths_resolve_in_the_container_root)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	char root[300], outside[300], path[400];
	int root_fd, etc_fd;
	const char *texts[1];
	struct compile_container ctr[2] = {
		{ "ctr-a", "web", -1 },
		{ "ctr-lost", "web", -1 },
	};

	snprintf(root, sizeof(root), "%s/ctr-root", tmpdir);
	snprintf(outside, sizeof(outside), "%s/outside-secret", tmpdir);
	write_file(outside, "host");
	ASSERT_OK(mkdir(root, 0755));
	snprintf(path, sizeof(path), "%s/etc", root);
	ASSERT_OK(mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/etc/secret", root);
	write_file(path, "container");
	/* Out of the root by "..", by an absolute link, and by a link to a directory. */
	snprintf(path, sizeof(path), "%s/etc/escape-dots", root);
	ASSERT_OK(symlink("../../../../../../outside-secret", path));
	snprintf(path, sizeof(path), "%s/etc/escape-abs", root);
	ASSERT_OK(symlink(outside, path));
	snprintf(path, sizeof(path), "%s/etc/shadow-link", root);
	ASSERT_OK(symlink("/etc/secret", path));
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_TRUE(root_fd >= 0);
	etc_fd = openat(root_fd, "etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_TRUE(etc_fd >= 0);
	ctr[0].root_fd = root_fd;

	texts[0] = selector_policy(
		"web", "    containers: true\n",
		rules("    - paths: [/etc/secret, /etc/escape-dots, /etc/escape-abs, /etc/shadow-link, "
		      "/etc/not-yet, /etc/]\n      action: deny\n"));
	test_containers = ctr;
	n_test_containers = 2;
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	/* The container's own file, also through a link inside it. */
	ASSERT_NOT_NULL(find_entry_at(c, root_fd, "etc/secret"));
	ASSERT_NOT_NULL(find_name_entry(c, etc_fd, "secret"));
	ASSERT_NOT_NULL(find_name_entry(c, etc_fd, "shadow-link"));
	ASSERT_NOT_NULL(find_entry_at(c, root_fd, "etc")); /* the subtree */
	/* Missing in the image: bound by its name in its directory. */
	ASSERT_NOT_NULL(find_name_entry(c, etc_fd, "not-yet"));
	/* The links out of the root stay in it: the host's file has no entry, the name the link
	 * leads to in the container's root is bound. */
	ASSERT_NULL(find_entry(c, outside));
	ASSERT_NOT_NULL(find_name_entry(c, etc_fd, "escape-dots"));
	ASSERT_NOT_NULL(find_name_entry(c, etc_fd, "escape-abs"));
	/* The host's files of those names are not the container's. */
	ASSERT_NULL(find_entry(c, "/etc"));
	/* The container whose root was lost: every path listed, none compiled. */
	ASSERT_EQ(c->n_not_enforced, 6);
	ASSERT_TRUE(strstr(c->not_enforced[0].reason, "in container ctr-lost: not resolved") !=
		    NULL);
	c = compiled_set_free(c);
	free((void *)texts[0]);

	/* A missing directory: an error naming the path and the container. A long missing
	 * name cannot be bound by name. */
	texts[0] = selector_policy(
		"web", "    containers: true\n",
		rules("    - paths: [/nope/file, /etc/%s]\n      action: deny\n",
		      "n123456789n123456789n123456789n123456789n123456789n123456789n1234"));
	n_test_containers = 1;
	ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 2);
	ASSERT_STREQ(
		d.items[0].message,
		"'/nope/file' in container ctr-a: neither the file nor its directory exists (a file that does not exist yet is bound by its name in an existing directory)");
	ASSERT_TRUE(strstr(d.items[1].message,
			   "in container ctr-a: does not exist, and its name is too long") != NULL);
	diag_list_clear(&d);
	free((void *)texts[0]);

	/* No container bound: nothing to resolve, and nothing resolved on the host. */
	texts[0] = selector_policy("web", "    containers: true\n",
				   rules("    - paths: [/nope/file]\n      action: deny\n"));
	n_test_containers = 0;
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(c->n_files, 0);
	c = compiled_set_free(c);
	free((void *)texts[0]);
	test_containers = NULL;
	close(etc_fd);
	close(root_fd);
}

#define DEEP_8	"/a/b/c/d/e/f/g/h"
#define DEEP_32 DEEP_8 DEEP_8 DEEP_8 DEEP_8

TEST(selector_errors_name_the_value)
{
	static const struct {
		const char *selector;
		unsigned line, column;
		const char *message;
	} cases[] = {
		{ "    uids: [\"1999-1000\"]\n", 6, 12,
		  "invalid uid or uid range '1999-1000' (expected N or N-M with N <= M < 4294967295)" },
		{ "    uids: [root]\n", 6, 12,
		  "invalid uid or uid range 'root' (expected N or N-M with N <= M < 4294967295)" },
		{ "    binaries: [/nonexistent/sshd]\n", 6, 16,
		  "binary '/nonexistent/sshd': does not exist" },
		{ "    binaries: [/tmp]\n", 6, 16, "binary '/tmp': is not a regular file" },
		{ "    cgroups: [system.slice]\n", 6, 15,
		  "path 'system.slice' is not absolute (it must start with '/')" },
		{ "    cgroup: [/a]\n", 6, 5,
		  "unknown key 'cgroup' in selector (expected one of: containers, cgroups, "
		  "binaries, exceptBinaries, uids)" },
		{ "    cgroups: [" DEEP_32 "]\n", 6, 15,
		  "cgroup path is 32 levels deep (at most 31)" },
		{ "    cgroups: [" DEEP_32 "/]\n", 6, 15,
		  "cgroup path is 32 levels deep (at most 31)" },
		{ "    containers: yes\n", 6, 17,
		  "invalid containers 'yes' (expected one of: false, true)" },
		{ "    containers: true\n    cgroups: [/a]\n", 6, 17,
		  "containers: true cannot be combined with cgroups: a container policy binds the "
		  "cgroups of the containers that name it" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag_list d = {};
		struct compiled_set *c = NULL;
		const char *texts[1];

		texts[0] =
			selector_policy("p", cases[i].selector,
					rules("    - paths: [%s]\n      action: deny\n", file_a));
		ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
		ASSERT_TRUE(d.n >= 1);
		ASSERT_STREQ(d.items[0].message, cases[i].message);
		ASSERT_EQ(d.items[0].line, cases[i].line);
		ASSERT_EQ(d.items[0].column, cases[i].column);
		diag_list_clear(&d);
		free((void *)texts[0]);
	}
}

TEST(exec_rules_are_file_rules_for_exec_only)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const struct compiled_file_entry *e;
	char *text;

	if (asprintf(&text,
		     "apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: x}\n"
		     "spec:\n  exec:\n    - paths: [%s]\n      action: deny\n",
		     file_a) < 0)
		abort();
	ASSERT_OK(compile_texts((const char *const *)&text, 1, &d, &c));
	e = find_entry(c, file_a);
	ASSERT_TRUE(e != NULL);
	ASSERT_EQ(verdict_of(e, false, SA_ACCESS_EXEC), SA_VERDICT_DENY);
	ASSERT_EQ(verdict_of(e, false, SA_ACCESS_READ), -1);
	ASSERT_EQ(verdict_of(e, false, SA_ACCESS_MMAP_EXEC), -1);
	compiled_set_free(c);
	free(text);
}

TEST(a_file_is_also_bound_by_its_name_and_may_not_exist_yet)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const struct compiled_file_entry *by_name = NULL;
	char later[400];
	const char *texts[1];
	struct stat dir;

	snprintf(later, sizeof(later), "%s/later", tmpdir);
	texts[0] =
		policy_text("p", "enforce",
			    rules("    - paths: [%s]\n      access: [read]\n      action: deny\n",
				  later));
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(inode_entries(c), 0);
	ASSERT_EQ(c->n_files, 1);
	by_name = &c->files[0];
	ASSERT_STREQ(by_name->name, "later");
	ASSERT_OK(stat(tmpdir, &dir));
	ASSERT_EQ(by_name->ino, dir.st_ino);
	ASSERT_EQ(verdict_of(by_name, false, SA_ACCESS_READ), SA_VERDICT_DENY);
	compiled_set_free(c);
	free((void *)texts[0]);
}

#define NET_POLICY(name, body)                                                                     \
	"apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: " name "}\nspec:\n" body

static const struct compiled_net_entry *find_net(const struct compiled_set *c, uint8_t family,
						 const char *addr, unsigned prefix, uint32_t port)
{
	struct sa_net_key k = { .family = family, .prefixlen = SA_NET_FIXED_BITS + prefix };

	if (inet_pton(family == SA_NET_IPV4 ? AF_INET : AF_INET6, addr, k.addr) != 1)
		abort();
	k.port_class = port == UINT32_MAX ? 0 : c->port_class[port];
	for (size_t i = 0; i < c->n_net; i++)
		if (!memcmp(&c->net[i].key, &k, sizeof(k)))
			return &c->net[i];
	return NULL;
}

/* The verdict (or -1) and deciding prefix of one bit of an entry. */
#define NET_VERDICT(e, op, proto) ((int)(e)->rule.verdict[SA_NET_BIT(op, proto)] - 1)
#define NET_PREFIX(e, op, proto)  ((e)->rule.prefix[SA_NET_BIT(op, proto)])

TEST(network_longest_prefix_inherits_what_it_does_not_say)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[] = { NET_POLICY(
		"n",
		"  network:\n"
		"    - {operations: [connect], addresses: [10.0.0.0/8], protocols: [tcp], action: deny}\n"
		"    - {operations: [bind], addresses: [10.1.0.0/16], action: audit}\n"
		"    - {operations: [connect], addresses: [10.1.2.0/24], action: allow}\n"
		"    - {operations: [connect], addresses: [\"::ffff:10.9.0.0/112\"], action: deny}\n"
		"    - {operations: [listen], action: deny, mode: audit}\n") };
	const struct compiled_net_entry *e8, *e16, *e24, *any;

	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(d.n, 0);
	e8 = find_net(c, SA_NET_IPV4, "10.0.0.0", 8, UINT32_MAX);
	e16 = find_net(c, SA_NET_IPV4, "10.1.0.0", 16, UINT32_MAX);
	e24 = find_net(c, SA_NET_IPV4, "10.1.2.0", 24, UINT32_MAX);
	any = find_net(c, SA_NET_IPV6, "::", 0, UINT32_MAX);
	ASSERT_NOT_NULL(e8);
	ASSERT_NOT_NULL(e16);
	ASSERT_NOT_NULL(e24);
	ASSERT_NOT_NULL(any);
	ASSERT_NOT_NULL(find_net(c, SA_NET_IPV4, "10.9.0.0", 16, UINT32_MAX));
	ASSERT_NULL(c->port_class);
	ASSERT_EQ(NET_VERDICT(e8, SA_NET_CONNECT, SA_NET_TCP), SA_VERDICT_DENY);
	ASSERT_EQ(NET_VERDICT(e8, SA_NET_CONNECT, SA_NET_UDP), -1);
	/* The /16 says nothing of connect: it carries the /8's deny, with the /8's prefix. */
	ASSERT_EQ(NET_VERDICT(e16, SA_NET_CONNECT, SA_NET_TCP), SA_VERDICT_DENY);
	ASSERT_EQ(NET_PREFIX(e16, SA_NET_CONNECT, SA_NET_TCP), 8);
	ASSERT_EQ(NET_VERDICT(e16, SA_NET_BIND, SA_NET_UDP), SA_VERDICT_AUDIT);
	ASSERT_EQ(NET_PREFIX(e16, SA_NET_BIND, SA_NET_UDP), 16);
	/* The /24 allows connect (any protocol) and inherits bind from the /16. */
	ASSERT_EQ(NET_VERDICT(e24, SA_NET_CONNECT, SA_NET_TCP), SA_VERDICT_ALLOW);
	ASSERT_EQ(NET_PREFIX(e24, SA_NET_CONNECT, SA_NET_TCP), 24);
	ASSERT_EQ(NET_VERDICT(e24, SA_NET_BIND, SA_NET_TCP), SA_VERDICT_AUDIT);
	/* Every address inherits the any-address listen rule (audit: its mode). */
	ASSERT_EQ(NET_VERDICT(e24, SA_NET_LISTEN, SA_NET_OTHER), SA_VERDICT_AUDIT);
	ASSERT_EQ(NET_PREFIX(e24, SA_NET_LISTEN, SA_NET_OTHER), 0);
	ASSERT_EQ(NET_VERDICT(any, SA_NET_LISTEN, SA_NET_TCP), SA_VERDICT_AUDIT);
	ASSERT_EQ(NET_VERDICT(any, SA_NET_CONNECT, SA_NET_TCP), -1);
	ASSERT_EQ(SA_RULE_INDEX(e24->rule.rule[SA_NET_BIT(SA_NET_CONNECT, SA_NET_TCP)]), 2);
	ASSERT_EQ(compiled_set_rule(c, e24->rule.rule[0])->line, 8);
	compiled_set_free(c);
}

TEST(network_port_ranges_become_classes)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[] = { NET_POLICY(
		"p", "  network:\n"
		     "    - {operations: [connect], ports: [\"100-200\"], action: deny}\n"
		     "    - {operations: [connect], ports: [\"150-250\", 80], action: audit}\n") };
	uint32_t *pc;

	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	pc = c->port_class;
	ASSERT_NOT_NULL(pc);
	ASSERT_EQ(pc[79], 0);
	ASSERT_TRUE(pc[80] != 0);
	ASSERT_EQ(pc[81], 0);
	ASSERT_EQ(pc[99], 0);
	ASSERT_EQ(pc[100], pc[149]);
	ASSERT_TRUE(pc[150] != pc[149]);
	ASSERT_EQ(pc[150], pc[200]);
	ASSERT_TRUE(pc[201] != pc[200]);
	ASSERT_EQ(pc[201], pc[250]);
	ASSERT_EQ(pc[251], 0);
	/* 100-200 spans two classes, 150-250 two, 80 one; each for ipv4 and ipv6. */
	ASSERT_EQ(c->n_net, 2 * 4);
	ASSERT_EQ(NET_VERDICT(find_net(c, SA_NET_IPV4, "0.0.0.0", 0, 175), SA_NET_CONNECT,
			      SA_NET_TCP),
		  SA_VERDICT_DENY);
	ASSERT_EQ(NET_VERDICT(find_net(c, SA_NET_IPV6, "::", 0, 225), SA_NET_CONNECT, SA_NET_UDP),
		  SA_VERDICT_AUDIT);
	compiled_set_free(c);
}

TEST(network_create_and_capabilities)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[] = {
		NET_POLICY(
			"c",
			"  network:\n"
			"    - {operations: [create], families: [packet], action: deny}\n"
			"    - {operations: [create], families: [netlink], netlinkProtocols: [audit, route], action: audit}\n"
			"    - {operations: [create], families: [ipv4, ipv6], types: [raw], action: deny}\n"
			"  capabilities:\n"
			"    - {names: [CAP_SYS_MODULE, CAP_NET_RAW], action: audit}\n"
			"    - {names: [CAP_SYS_MODULE], action: deny}\n"
			"  kernel:\n"
			"    - {operations: [kexec, setuid_root], action: deny, mode: audit}\n"),
	};

	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	ASSERT_EQ(c->n_create, 1 + 2 + 2);
	ASSERT_EQ(c->create[0].key.family, 2);
	ASSERT_EQ(c->create[0].key.type, 3);
	ASSERT_EQ(c->create[0].key.protocol, SA_ANY);
	for (size_t i = 0; i < c->n_create; i++)
		if (c->create[i].key.family == 17) {
			ASSERT_EQ(c->create[i].key.type, SA_ANY);
			ASSERT_EQ(c->create[i].rule.verdict, SA_VERDICT_DENY);
		} else if (c->create[i].key.family == 16) {
			ASSERT_TRUE(c->create[i].key.protocol == 9 ||
				    c->create[i].key.protocol == 0);
			ASSERT_EQ(c->create[i].rule.verdict, SA_VERDICT_AUDIT);
		}
	/* The deny of the second rule wins over the audit of the first for CAP_SYS_MODULE. */
	ASSERT_EQ(c->n_caps, 4);
	ASSERT_EQ(c->caps[0].key.cap, 13);
	ASSERT_EQ(c->caps[0].rule.verdict, SA_VERDICT_AUDIT);
	ASSERT_EQ(c->caps[1].key.cap, 16);
	ASSERT_EQ(c->caps[1].rule.verdict, SA_VERDICT_DENY);
	ASSERT_EQ(SA_RULE_INDEX(c->caps[1].rule.rule), 4);
	/* kernel: rules are keys past the capabilities; mode audit turns deny into audit. */
	ASSERT_EQ(c->caps[2].key.cap, SA_KERNEL_KEY(SA_KERNEL_KEXEC));
	ASSERT_EQ(c->caps[2].rule.verdict, SA_VERDICT_AUDIT);
	ASSERT_EQ(c->caps[3].key.cap, SA_KERNEL_KEY(SA_KERNEL_SETUID_ROOT));
	ASSERT_EQ(SA_RULE_INDEX(c->caps[3].rule.rule), 5);
	compiled_set_free(c);
}

TEST(network_entries_are_bounded)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	char *text = NULL, *ports = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&ports, &size);

	/* 250 ports (250 classes) for 300 addresses: 75,000 entries, beyond the bound. */
	ASSERT_NOT_NULL(f);
	for (unsigned i = 0; i < 250; i++)
		fprintf(f, "%s%u", i ? ", " : "", 1000 + 2 * i);
	ASSERT_EQ(fclose(f), 0);
	f = open_memstream(&text, &size);
	ASSERT_NOT_NULL(f);
	fprintf(f,
		NET_POLICY("big", "  network:\n    - operations: [connect]\n      ports: [%s]\n"
				  "      action: deny\n      addresses: ["),
		ports);
	for (unsigned i = 0; i < 300; i++)
		fprintf(f, "%s10.%u.%u.0/24", i ? ", " : "", i / 256, i % 256);
	fputs("]\n", f);
	ASSERT_EQ(fclose(f), 0);
	const char *texts[] = { text };
	ASSERT_ERROR(compile_texts(texts, 1, &d, &c), EINVAL);
	ASSERT_EQ(d.n, 1);
	ASSERT_EQ(d.items[0].line, 6);
	ASSERT_EQ(d.items[0].column, 7);
	ASSERT_TRUE(strstr(d.items[0].message, "network entries with this rule, at most 65536") !=
		    NULL);
	diag_list_clear(&d);
	free(text);
	free(ports);
}

static bool filter_has(const struct sa_file_filter *f, uint64_t h)
{
	uint64_t b0 = SA_FILTER_BIT0(h), b1 = SA_FILTER_BIT1(h);

	return (f->words[b0 / 64] >> (b0 % 64)) & (f->words[b1 / 64] >> (b1 % 64)) & 1;
}

/* The hooks skip the lookups for a file whose key misses the filter: every entry's key must hit. */
TEST(file_filter_holds_every_entry)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	struct sa_file_filter *f = calloc(1, sizeof(*f));
	const char *texts[1];
	uint64_t head[2];
	size_t names = 0, bits = 0;
	struct stat st;

	ASSERT_TRUE(f != NULL);
	texts[0] =
		policy_text("p", "enforce",
			    rules("    - paths: [%s, %s/]\n      action: deny\n", file_a, dir_d));
	ASSERT_OK(compile_texts(texts, 1, &d, &c));
	compiled_file_filter(c, f);
	for (size_t i = 0; i < c->n_files; i++) {
		const struct compiled_file_entry *e = &c->files[i];

		if (!e->name[0]) {
			ASSERT_TRUE(filter_has(f, sa_filter_inode_hash(e->dev, e->ino)));
			continue;
		}
		names++;
		ASSERT_TRUE(filter_has(f, sa_filter_names_dir_hash(e->dev, e->ino)));
		compiled_name_head(e->name, head);
		ASSERT_TRUE(filter_has(f, sa_filter_name_hash(e->dev, e->ino, strlen(e->name),
							      head[0], head[1])));
	}
	ASSERT_TRUE(names > 0);
	/* file-b has no rule: its inode misses (two bits of 2^22 that no entry set). */
	ASSERT_EQ(stat(file_b, &st), 0);
	ASSERT_TRUE(
		!filter_has(f, sa_filter_inode_hash(kernel_dev_from_stat(st.st_dev), st.st_ino)));
	for (size_t w = 0; w < SA_FILTER_WORDS; w++)
		bits += __builtin_popcountll(f->words[w]);
	ASSERT_TRUE(bits > 0 && bits <= 4 * c->n_files);
	compiled_set_free(c);
	free(f);
	free((char *)texts[0]);
}

/* The name's first 16 bytes, zero past its end, as the hooks mask what they read. */
TEST(file_filter_name_head)
{
	uint64_t head[2];

	compiled_name_head("ab", head);
	ASSERT_EQ(head[0], 0x6261ULL);
	ASSERT_EQ(head[1], 0ULL);
	compiled_name_head("0123456789abcdefXYZ", head);
	ASSERT_EQ(head[0], 0x3736353433323130ULL);
	ASSERT_EQ(head[1], 0x6665646362613938ULL);
}

/*
 * A bound container's runtime (the program its process ran at createRuntime) is excluded from
 * the container policy's selector: the policy binds the container's processes from the
 * entrypoint's exec on. A container that shares the runtime adds its bit to the same entry; one
 * bound by a hook that sent no runtime adds none.
 */
TEST(container_runtime_is_excluded_until_exec)
{
	struct diag_list d = {};
	struct compiled_set *c = NULL;
	const char *texts[2];
	struct compile_container ctr[3] = {
		{ .id = "ctr-a",
		  .policy = "web",
		  .root_fd = -1,
		  .runtime_dev = 7,
		  .runtime_ino = 42 },
		{ .id = "ctr-b",
		  .policy = "db",
		  .root_fd = -1,
		  .runtime_dev = 7,
		  .runtime_ino = 42 },
		{ .id = "ctr-old", .policy = "web", .root_fd = -1 },
	};
	unsigned web, db;

	texts[0] = selector_policy("web", "    containers: true\n",
				   rules("    - paths: [/etc/secret]\n      action: deny\n"));
	texts[1] = selector_policy("db", "    containers: true\n",
				   rules("    - paths: [/etc/secret]\n      action: deny\n"));
	test_containers = ctr;
	n_test_containers = 3;
	ASSERT_OK(compile_texts(texts, 2, &d, &c));
	web = c->policies[0].selector;
	db = c->policies[1].selector;
	ASSERT_TRUE(web > 0 && db > 0 && web != db);
	ASSERT_EQ(c->selectors.n_binaries, 1);
	ASSERT_EQ(c->selectors.binaries[0].dev, 7);
	ASSERT_EQ(c->selectors.binaries[0].ino, 42);
	ASSERT_EQ(c->selectors.binaries[0].value.until_exec,
		  (UINT64_C(1) << web) | (UINT64_C(1) << db));
	ASSERT_EQ(c->selectors.binaries[0].value.excluded, 0);
	ASSERT_EQ(c->selectors.binaries[0].value.selectors, 0);
	/* Neither policy names a program: the runtime's exclusion is their only binary entry. */
	ASSERT_TRUE(c->selectors.table.any_binary >> web & 1);
	c = compiled_set_free(c);
	free((void *)texts[0]);
	free((void *)texts[1]);
	test_containers = NULL;
	n_test_containers = 0;
}

int main(int argc, char **argv)
{
	int r;

	if (!mkdtemp(tmpdir))
		return 1;
	snprintf(file_a, sizeof(file_a), "%s/file-a", tmpdir);
	snprintf(file_b, sizeof(file_b), "%s/file-b", tmpdir);
	snprintf(link_a, sizeof(link_a), "%s/link-a", tmpdir);
	snprintf(dir_d, sizeof(dir_d), "%s/dir-d", tmpdir);
	write_file(file_a, "a");
	write_file(file_b, "b");
	if (link(file_a, link_a) < 0 || mkdir(dir_d, 0755) < 0)
		return 1;
	r = test_run_all(argc, argv);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
	return r;
}
