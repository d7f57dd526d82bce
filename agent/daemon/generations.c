// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "generations.h"
#include "util.h"

static void generation_names_clear(struct generation_names *n)
{
	for (size_t i = 0; i < n->n; i++) {
		free(n->names[i]);
		free(n->files[i]);
	}
	free(n->names);
	free(n->files);
	*n = (struct generation_names){};
}

static void remember_names(struct generations *g, uint32_t seq, const struct compiled_set *c)
{
	struct generation_names *n = &g->history[seq % GENERATIONS_NAME_HISTORY];

	generation_names_clear(n);
	n->names = calloc(c->n_policies ? c->n_policies : 1, sizeof(char *));
	n->files = calloc(c->n_policies ? c->n_policies : 1, sizeof(char *));
	if (!n->names || !n->files) {
		generation_names_clear(n);
		return; /* events of this generation will name the policy by number */
	}
	for (size_t i = 0; i < c->n_policies; i++) {
		n->names[i] = strdup(c->policies[i].name);
		n->files[i] = strdup(c->policies[i].file);
		n->n = i + 1;
	}
	n->seq = seq;
}

void generations_push(struct generations *g, struct compiled_set *c, uint32_t seq)
{
	compiled_set_free(g->previous);
	g->previous = g->active;
	g->previous_seq = g->active_seq;
	g->active = c;
	g->active_seq = seq;
	remember_names(g, seq, c);
}

void generations_clear(struct generations *g)
{
	compiled_set_free(g->active);
	compiled_set_free(g->previous);
	for (size_t i = 0; i < GENERATIONS_NAME_HISTORY; i++)
		generation_names_clear(&g->history[i]);
	*g = (struct generations){};
}

static const struct compiled_set *set_for_seq(const struct generations *g, uint32_t seq)
{
	if (g->active && seq == g->active_seq)
		return g->active;
	if (g->previous && seq == g->previous_seq)
		return g->previous;
	return NULL;
}

void generations_resolve_origin(const struct generations *g, const struct sa_event *ev,
				struct event_origin *ret)
{
	const struct compiled_set *c = set_for_seq(g, ev->seq);
	const struct compiled_rule *rule = c ? compiled_set_rule(c, ev->rule_ref) : NULL;
	uint32_t policy_id = SA_RULE_POLICY(ev->rule_ref);

	*ret = (struct event_origin){};
	if (rule) {
		ret->policy = c->policies[policy_id].name;
		ret->policy_file = c->policies[policy_id].file;
		ret->rule_line = rule->line;
		ret->rule_column = rule->column;
	} else {
		const struct generation_names *n = &g->history[ev->seq % GENERATIONS_NAME_HISTORY];

		if (n->names && n->seq == ev->seq && policy_id < n->n) {
			ret->policy = n->names[policy_id];
			ret->policy_file = n->files[policy_id];
		}
	}
}

const struct compiled_policy *compiled_set_find_policy(const struct compiled_set *c,
						       const char *name)
{
	for (size_t i = 0; c && i < c->n_policies; i++)
		if (streq(c->policies[i].name, name))
			return &c->policies[i];
	return NULL;
}
