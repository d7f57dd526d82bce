/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Decisions per rule, read from the BPF map sa_rule_counts (per CPU, keyed by generation, rule
 * reference, event kind and verdict) and named by policy and rule location. A generation's
 * entries are folded into a total kept here when it is retired, so the map holds two
 * generations at most and a rule's count goes on across reloads while its location stays.
 */

#include <stddef.h>
#include <stdint.h>

#include "generations.h"

struct rule_count {
	char *policy;	  /* "" when the generation is no longer known */
	char *rule;	  /* "file:line:column", or "" when no longer known */
	uint32_t kind;	  /* enum sa_event_kind */
	uint32_t verdict; /* enum sa_verdict */
	uint64_t count;
};

struct rule_counts;

struct rule_counts *rule_counts_new(int map_fd);
struct rule_counts *rule_counts_free(struct rule_counts *rc);

/* Before @g pushes generation @incoming (already switched to in the kernel): fold every entry
 * that is neither of the active generation (which stays known as the previous one) nor of
 * @incoming (deciding since the switch) into the totals, and delete it from the map. */
int rule_counts_retire(struct rule_counts *rc, const struct generations *g, uint32_t incoming);

/* The counts now, totals and live entries merged, sorted by policy, rule, kind and verdict.
 * @ret is malloc'ed; free with rule_count_array_free(). Returns 0 or a negative errno. */
int rule_counts_snapshot(struct rule_counts *rc, const struct generations *g,
			 struct rule_count **ret, size_t *ret_n);
void rule_count_array_free(struct rule_count *a, size_t n);

/* Entries in the map now (at most SA_RULE_COUNTS_MAX), as of the last snapshot. */
size_t rule_counts_map_entries(const struct rule_counts *rc);
