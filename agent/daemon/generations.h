/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The policy sets the kernel has decided with: the active generation, the one before it (events
 * decided just before a switch still name the rule that decided them), and the policy names of
 * recent generations (an event reported late, coalesced, still names its policy).
 */

#include <stdint.h>

#include "compile.h"
#include "journal-event.h"

/* Generations whose policy names are kept. Names only: rule locations are kept for two sets. */
#define GENERATIONS_NAME_HISTORY 64

struct generation_names {
	uint32_t seq;
	size_t n;
	char **names, **files;
};

struct generations {
	struct compiled_set *active, *previous;
	uint32_t active_seq, previous_seq;
	struct generation_names history[GENERATIONS_NAME_HISTORY]; /* by seq % HISTORY */
};

/* @c (owned from now on) is generation @seq and active; the active one becomes the previous. */
void generations_push(struct generations *g, struct compiled_set *c, uint32_t seq);
void generations_clear(struct generations *g);

/* The policy and rule that decided @ev, as far as they are still known. */
void generations_resolve_origin(const struct generations *g, const struct sa_event *ev,
				struct event_origin *ret);

/* The policy named @name of @c, or NULL. */
const struct compiled_policy *compiled_set_find_policy(const struct compiled_set *c,
						       const char *name);
