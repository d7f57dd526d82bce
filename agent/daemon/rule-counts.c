// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "map-keys.h"
#include "rule-counts.h"
#include "util.h"

struct rule_counts {
	int fd;
	struct rule_count *totals; /* of retired generations, sorted and merged */
	size_t n_totals;
	size_t map_entries;
};

struct rule_counts *rule_counts_new(int map_fd)
{
	struct rule_counts *rc = calloc(1, sizeof(*rc));

	if (rc)
		rc->fd = map_fd;
	return rc;
}

void rule_count_array_free(struct rule_count *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].policy);
		free(a[i].rule);
	}
	free(a);
}

struct rule_counts *rule_counts_free(struct rule_counts *rc)
{
	if (rc)
		rule_count_array_free(rc->totals, rc->n_totals);
	free(rc);
	return NULL;
}

static int rule_count_cmp(const void *a, const void *b)
{
	const struct rule_count *x = a, *y = b;
	int c = strcmp(x->policy, y->policy);

	if (c == 0)
		c = strcmp(x->rule, y->rule);
	if (c == 0)
		c = x->kind < y->kind ? -1 : x->kind > y->kind;
	if (c == 0)
		c = x->verdict < y->verdict ? -1 : x->verdict > y->verdict;
	return c;
}

/* Sorts @a and adds up entries with the same names; returns the new length. */
static size_t merge(struct rule_count *a, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(a, n, sizeof(*a), rule_count_cmp);
	for (size_t i = 1; i < n; i++) {
		if (rule_count_cmp(&a[out], &a[i]) == 0) {
			a[out].count += a[i].count;
			free(a[i].policy);
			free(a[i].rule);
		} else
			a[++out] = a[i];
	}
	return out + 1;
}

static int append(struct rule_count **a, size_t *n, size_t *cap, const char *policy,
		  const char *rule, uint32_t kind, uint32_t verdict, uint64_t count)
{
	struct rule_count *e;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct rule_count *na = reallocarray(*a, ncap, sizeof(**a));

		if (!na)
			return -ENOMEM;
		*a = na;
		*cap = ncap;
	}
	e = &(*a)[*n];
	*e = (struct rule_count){ .policy = strdup(policy),
				  .rule = strdup(rule),
				  .kind = kind,
				  .verdict = verdict,
				  .count = count };
	if (!e->policy || !e->rule) {
		free(e->policy);
		free(e->rule);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

/* Appends the map's entries to @a, named through @g; with @retire_only, only those of neither
 * the active generation nor @incoming, and deletes them. */
static int read_map(struct rule_counts *rc, const struct generations *g, bool retire_only,
		    uint32_t incoming, struct rule_count **a, size_t *n, size_t *cap)
{
	_cleanup_free_ struct sa_rule_count_key *keys = NULL;
	size_t n_keys = 0;
	int r;

	r = map_keys_collect(rc->fd, sizeof(*keys), NULL, NULL, (void **)&keys, &n_keys);
	if (r < 0)
		return r;
	rc->map_entries = n_keys;
	for (size_t i = 0; i < n_keys; i++) {
		const struct sa_rule_count_key *k = &keys[i];
		struct sa_event ev = { .seq = k->seq, .rule_ref = k->rule_ref };
		struct event_origin o;
		char rule[PATH_MAX + 32] = "";
		uint64_t sum = 0;

		if (retire_only && (k->seq == g->active_seq || k->seq == incoming))
			continue;
		if (map_lookup_percpu_sum(rc->fd, k, &sum) < 0)
			continue; /* deleted meanwhile: already folded */
		if (retire_only)
			(void)bpf_map_delete_elem(rc->fd, k);
		generations_resolve_origin(g, &ev, &o);
		if (o.policy_file && o.rule_line)
			snprintf(rule, sizeof(rule), "%s:%u:%u", o.policy_file, o.rule_line,
				 o.rule_column);
		r = append(a, n, cap, o.policy ? o.policy : "", rule, k->kind, k->verdict, sum);
		if (r < 0)
			return r;
	}
	return 0;
}

int rule_counts_retire(struct rule_counts *rc, const struct generations *g, uint32_t incoming)
{
	size_t cap = rc->n_totals;
	int r;

	r = read_map(rc, g, true, incoming, &rc->totals, &rc->n_totals, &cap);
	rc->n_totals = merge(rc->totals, rc->n_totals);
	return r;
}

int rule_counts_snapshot(struct rule_counts *rc, const struct generations *g,
			 struct rule_count **ret, size_t *ret_n)
{
	struct rule_count *a = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < rc->n_totals; i++) {
		const struct rule_count *t = &rc->totals[i];

		r = append(&a, &n, &cap, t->policy, t->rule, t->kind, t->verdict, t->count);
	}
	if (r >= 0)
		r = read_map(rc, g, false, 0, &a, &n, &cap);
	if (r < 0) {
		rule_count_array_free(a, n);
		return r;
	}
	*ret = a;
	*ret_n = merge(a, n);
	return 0;
}

size_t rule_counts_map_entries(const struct rule_counts *rc)
{
	return rc->map_entries;
}
