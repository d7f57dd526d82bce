// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "compile.h"
#include "util.h"

uint32_t kernel_dev_from_stat(uint64_t st_dev)
{
	return (uint32_t)(major(st_dev) << 20 | minor(st_dev));
}

struct compiled_set *compiled_set_free(struct compiled_set *c)
{
	if (!c)
		return NULL;
	policy_set_free(c->source);
	free(c->policies);
	free(c->rules);
	free(c->files);
	free(c);
	return NULL;
}

static void compiled_set_freep(struct compiled_set **c)
{
	compiled_set_free(*c);
}

/* What a rule does once the policy's mode and the rule's own mode are applied. */
static uint32_t rule_verdict(const struct policy *p, const struct file_rule_spec *rule)
{
	enum policy_mode mode = rule->has_mode ? rule->mode : p->mode;

	switch (rule->action) {
	case RULE_ACTION_DENY:
		return mode == POLICY_MODE_ENFORCE ? SA_VERDICT_DENY : SA_VERDICT_AUDIT;
	case RULE_ACTION_AUDIT:
		return SA_VERDICT_AUDIT;
	case RULE_ACTION_ALLOW:
	default:
		return SA_VERDICT_ALLOW;
	}
}

static int cmp_file_entry(const void *a, const void *b)
{
	const struct compiled_file_entry *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	/* Stronger verdicts first, then the earlier rule, so the merge keeps the winner. */
	if (x->rule.verdict != y->rule.verdict)
		return x->rule.verdict > y->rule.verdict ? -1 : 1;
	return x->rule.rule_id < y->rule.rule_id ? -1 : x->rule.rule_id > y->rule.rule_id;
}

/*
 * Several rules may name the same file (by the same or another name). The strongest verdict
 * wins: deny over audit over allow, whichever policy it comes from; on a tie the earlier rule
 * (policy files in name order) is the one reported.
 */
static size_t merge_same_files(struct compiled_file_entry *files, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(files, n, sizeof(*files), cmp_file_entry);
	for (size_t i = 1; i < n; i++) {
		if (files[i].dev == files[out].dev && files[i].ino == files[out].ino)
			continue;
		files[++out] = files[i];
	}
	return out + 1;
}

static int compile_file_path(const struct policy *p, const struct policy_path *pp,
			     uint32_t verdict, uint32_t policy_id, uint32_t rule_id,
			     struct compiled_set *c, struct diag_list *diags)
{
	size_t len = strlen(pp->path);
	struct compiled_file_entry *e;
	struct stat st;

	if (len > 1 && pp->path[len - 1] == '/')
		return diag_add(diags, p->file, pp->loc.line, pp->loc.column,
				"'%s': directory subtree rules are not supported yet", pp->path) < 0
			       ? -ENOMEM
			       : -EINVAL;
	/* stat() follows symlinks on purpose: a rule naming a link protects the file it points
	 * to, under every name. */
	if (stat(pp->path, &st) < 0)
		return diag_add(diags, p->file, pp->loc.line, pp->loc.column, "'%s': %s",
				pp->path,
				errno == ENOENT ? "path does not exist" : strerror(errno)) < 0
			       ? -ENOMEM
			       : -EINVAL;
	if (c->n_files >= COMPILED_MAX_FILE_ENTRIES)
		return diag_add(diags, p->file, pp->loc.line, pp->loc.column,
				"too many file entries in the policy set (at most %d)",
				COMPILED_MAX_FILE_ENTRIES) < 0
			       ? -ENOMEM
			       : -EINVAL;

	e = &c->files[c->n_files++];
	e->dev = kernel_dev_from_stat(st.st_dev);
	e->ino = st.st_ino;
	e->path = pp->path;
	e->rule = (struct sa_file_rule){
		.version = SA_LAYOUT_VERSION,
		.verdict = verdict,
		.policy_id = policy_id,
		.rule_id = rule_id,
	};
	return 0;
}

int compile_policy_set(struct policy_set *set, struct diag_list *diags,
		       struct compiled_set **ret_compiled)
{
	struct compiled_set *c _cleanup_(compiled_set_freep) = NULL;
	size_t n_rules = 0, n_paths = 0, n_before = diags->n;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		policy_set_free(set);
		return -ENOMEM;
	}
	c->source = set;

	for (size_t i = 0; i < set->n_policies; i++)
		for (size_t j = 0; j < set->policies[i]->n_file_rules; j++) {
			n_rules++;
			n_paths += set->policies[i]->file_rules[j].n_paths;
		}
	if (n_paths > COMPILED_MAX_FILE_ENTRIES)
		n_paths = COMPILED_MAX_FILE_ENTRIES;

	c->policies = calloc(set->n_policies ? set->n_policies : 1, sizeof(*c->policies));
	c->rules = calloc(n_rules ? n_rules : 1, sizeof(*c->rules));
	c->files = calloc(n_paths ? n_paths : 1, sizeof(*c->files));
	if (!c->policies || !c->rules || !c->files)
		return -ENOMEM;

	for (size_t i = 0; i < set->n_policies; i++) {
		const struct policy *p = set->policies[i];
		uint32_t policy_id = c->n_policies++;

		c->policies[policy_id] = (struct compiled_policy){
			.name = p->name,
			.file = p->file,
			.n_rules = p->n_file_rules,
		};
		for (size_t j = 0; j < p->n_file_rules; j++) {
			const struct file_rule_spec *rule = &p->file_rules[j];
			uint32_t rule_id = c->n_rules++;
			uint32_t verdict = rule_verdict(p, rule);

			c->rules[rule_id] = (struct compiled_rule){
				.policy_id = policy_id,
				.path = rule->n_paths ? rule->paths[0].path : "",
				.line = rule->loc.line,
				.column = rule->loc.column,
			};
			for (size_t k = 0; k < rule->n_paths; k++) {
				r = compile_file_path(p, &rule->paths[k], verdict, policy_id,
						      rule_id, c, diags);
				if (r == -ENOMEM)
					return r;
				if (r == -EINVAL && c->n_files >= COMPILED_MAX_FILE_ENTRIES)
					goto done;
			}
		}
	}
done:
	if (diags->n > n_before)
		return -EINVAL;

	c->n_files = merge_same_files(c->files, c->n_files);
	*ret_compiled = TAKE_PTR(c);
	return 0;
}
