/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The policy language's YAML layer, for the modules that parse sections of a policy (policy.c,
 * policy-network.c, policy-syscalls.c). policy-parse.c turns libyaml's events into a tree of
 * nodes that remember where they were written; a section's module walks its node with a table of
 * keys and the helpers below, so its messages look like every other one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "policy-model.h"

enum ynode_type {
	YNODE_INVALID, /* already reported (an alias): checks skip it silently */
	YNODE_SCALAR,
	YNODE_SEQUENCE,
	YNODE_MAPPING,
};

struct ynode {
	enum ynode_type type;
	struct source_loc loc;

	/* YNODE_SCALAR: the text (NUL-terminated, but may hold NULs of its own) */
	char *value;
	size_t length;
	bool plain; /* not quoted: an empty plain scalar is an empty value, not "" */

	/* YNODE_SEQUENCE: the items; YNODE_MAPPING: key, value, key, value, ... */
	struct ynode **items;
	size_t n_items;
	size_t n_allocated;
};

struct parse_ctx {
	const char *file;
	struct diag_list *diags;
};

#define node_error(c, n, ...)                                                                      \
	diag_add((c)->diags, (c)->file, (n)->loc.line, (n)->loc.column, __VA_ARGS__)

/* A handler checks one key's value and stores it in @userdata; 0 or -ENOMEM. */
typedef int (*key_handler_t)(struct parse_ctx *c, const struct ynode *value, void *userdata);

struct key_def {
	const char *name;
	bool required;
	key_handler_t parse;
};

struct section {
	const char *name; /* for messages: "unknown key 'x' in <name>" */
	const struct key_def *keys;
	size_t n_keys;
};

/* Turns @buf (@len bytes of @file) into a node tree; problems go to @diags. 0 with the root,
 * -EINVAL after a diagnostic, or -ENOMEM. */
int yaml_load(const char *file, const char *buf, size_t len, struct diag_list *diags,
	      struct ynode **ret_root);
struct ynode *ynode_free(struct ynode *n);
void ynode_freep(struct ynode **n);

bool ynode_is_empty(const struct ynode *n);

/* "a string", "a sequence", ... for messages. */
const char *ynode_kind(const struct ynode *n);

/* Bounded and printable, for quoting an operator's value in a message; NULL on ENOMEM. */
char *escape_value(const char *s, size_t len);

bool scalar_is(const struct ynode *n, const char *s);

/* Each returns 1 and the value, 0 after a diagnostic (or for an already reported node), or
 * -ENOMEM. */
int node_string(struct parse_ctx *c, const struct ynode *n, const char *what,
		const char **ret_value);
int node_enum(struct parse_ctx *c, const struct ynode *n, const char *what,
	      const char *const *table, size_t n_table, int *ret_value);
/* A scalar that must be exactly @expected (apiVersion, kind). */
int node_fixed_string(struct parse_ctx *c, const struct ynode *n, const char *what,
		      const char *expected);

/*
 * Checks that @n is a mapping whose keys all come from @s, none twice and none required missing,
 * and runs each key's handler on its value, in the order they were written. 0 or -ENOMEM.
 */
int parse_section(struct parse_ctx *c, const struct ynode *n, const struct section *s,
		  void *userdata);

/* action: deny | audit | allow, and mode: enforce | audit, as every rule kind writes them. */
int node_action(struct parse_ctx *c, const struct ynode *n, enum rule_action *ret_action);
int node_mode(struct parse_ctx *c, const struct ynode *n, enum policy_mode *ret_mode);

/*
 * A non-empty sequence of names from @table (dense, no NULL), as a mask of their indexes.
 * Returns 1 and the mask when every item was valid, 0 after a diagnostic, or -ENOMEM.
 */
int node_enum_mask(struct parse_ctx *c, const struct ynode *n, const char *what,
		   const char *const *table, size_t n_table, uint64_t *ret_mask);
