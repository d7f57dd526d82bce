// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The policy language's YAML layer (policy-parse.h). Parsing happens in two steps. First
 * libyaml's events are turned into a small tree of nodes that remember where they were written
 * (aliases are refused right there, so nothing is ever expanded). Then the tree is walked section
 * by section; each section is a table of the keys it accepts, with a handler per key. Problems
 * are added to the diagnostics list and the walk goes on, so one run reports as many of them as
 * it can; handlers return a negative errno only when they cannot go on at all (-ENOMEM).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* reallocarray() */
#endif

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "names.h"
#include "policy-parse.h"
#include "util.h"

#define YAML_DEPTH_MAX	 64 /* nested sequences and mappings; a policy needs 5 */
#define VALUE_SHOW_MAX	 64 /* bytes of an operator's value quoted in a message */
#define SECTION_KEYS_MAX 16 /* keys in one section's table */

/* ---- The node tree ---- */

struct ynode *ynode_free(struct ynode *n)
{
	if (!n)
		return NULL;

	for (size_t i = 0; i < n->n_items; i++)
		ynode_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
	return NULL;
}

void ynode_freep(struct ynode **n)
{
	ynode_free(*n);
}

/* Takes ownership of @child, also on failure. */
static int ynode_append(struct ynode *n, struct ynode *child)
{
	if (n->n_items == n->n_allocated) {
		size_t a = n->n_allocated > 0 ? n->n_allocated * 2 : 4;
		struct ynode **items;

		items = reallocarray(n->items, a, sizeof(struct ynode *));
		if (!items) {
			ynode_free(child);
			return -ENOMEM;
		}
		n->items = items;
		n->n_allocated = a;
	}

	n->items[n->n_items++] = child;
	return 0;
}

bool ynode_is_empty(const struct ynode *n)
{
	return n->type == YNODE_SCALAR && n->plain && n->length == 0;
}

const char *ynode_kind(const struct ynode *n)
{
	switch (n->type) {
	case YNODE_SCALAR:
		return ynode_is_empty(n) ? "an empty value" : "a string";
	case YNODE_SEQUENCE:
		return "a sequence";
	case YNODE_MAPPING:
		return "a mapping";
	default:
		return "an invalid value";
	}
}

/* Bounded and printable, so a message can never carry terminal escapes or a megabyte of text. */
char *escape_value(const char *s, size_t len)
{
	size_t shown = len < VALUE_SHOW_MAX ? len : VALUE_SHOW_MAX;
	char *buf, *q;

	buf = malloc(shown * 4 + sizeof("..."));
	if (!buf)
		return NULL;

	q = buf;
	for (size_t i = 0; i < shown; i++) {
		unsigned char ch = s[i];

		if (ch == '\\') {
			*q++ = '\\';
			*q++ = '\\';
		} else if (ch >= 0x20 && ch < 0x7f)
			*q++ = ch;
		else
			q += sprintf(q, "\\x%02x", ch);
	}
	if (len > shown)
		q = stpcpy(q, "...");
	*q = '\0';
	return buf;
}

/* ---- From libyaml's events to nodes ---- */

struct loader {
	const char *file;
	const char *buf;
	size_t len;
	struct diag_list *diags;
	yaml_parser_t parser;
};

static struct source_loc loc_from_mark(const yaml_mark_t *m)
{
	return (struct source_loc){
		.line = (unsigned)m->line + 1,
		.column = (unsigned)m->column + 1,
	};
}

/* libyaml's reader errors carry a byte offset only; columns count characters, as libyaml's do. */
static struct source_loc loc_from_offset(const char *buf, size_t len, size_t offset)
{
	struct source_loc loc = { .line = 1, .column = 1 };

	for (size_t i = 0; i < offset && i < len; i++) {
		if (buf[i] == '\n') {
			loc.line++;
			loc.column = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
			loc.column++;
	}
	return loc;
}

static int loader_error(struct loader *l, struct source_loc loc, const char *message)
{
	int r;

	r = diag_add(l->diags, l->file, loc.line, loc.column, "%s", message);
	return r < 0 ? r : -EINVAL;
}

static int loader_syntax_error(struct loader *l)
{
	const yaml_parser_t *p = &l->parser;
	struct source_loc loc;
	int r;

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;

	if (p->error == YAML_READER_ERROR) {
		loc = loc_from_offset(l->buf, l->len, p->problem_offset);
		if (p->problem_value >= 0)
			r = diag_add(l->diags, l->file, loc.line, loc.column,
				     "invalid YAML: %s (0x%02x)", p->problem ?: "unreadable input",
				     (unsigned)p->problem_value);
		else
			r = diag_add(l->diags, l->file, loc.line, loc.column, "invalid YAML: %s",
				     p->problem ?: "unreadable input");
	} else {
		loc = loc_from_mark(&p->problem_mark);
		if (p->context) {
			struct source_loc ctx = loc_from_mark(&p->context_mark);

			r = diag_add(l->diags, l->file, loc.line, loc.column,
				     "invalid YAML: %s (%s at %u:%u)", p->problem ?: "syntax error",
				     p->context, ctx.line, ctx.column);
		} else
			r = diag_add(l->diags, l->file, loc.line, loc.column, "invalid YAML: %s",
				     p->problem ?: "syntax error");
	}

	return r < 0 ? r : -EINVAL;
}

static int loader_next(struct loader *l, yaml_event_t *ret_event)
{
	if (!yaml_parser_parse(&l->parser, ret_event))
		return loader_syntax_error(l);
	return 0;
}

/* Returns 0 and the node for the event @ev starts, or -EINVAL after a diagnostic, or -ENOMEM. */
static int load_node(struct loader *l, const yaml_event_t *ev, unsigned depth,
		     struct ynode **ret_node)
{
	_cleanup_(ynode_freep) struct ynode *n = NULL;
	int r;

	n = calloc(1, sizeof(struct ynode));
	if (!n)
		return -ENOMEM;
	n->loc = loc_from_mark(&ev->start_mark);

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n->type = YNODE_SCALAR;
		n->length = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->value = malloc(n->length + 1);
		if (!n->value)
			return -ENOMEM;
		memcpy(n->value, ev->data.scalar.value, n->length);
		n->value[n->length] = '\0';
		break;

	case YAML_ALIAS_EVENT: {
		const char *anchor = (const char *)ev->data.alias.anchor;
		_cleanup_free_ char *e = NULL;

		e = escape_value(anchor, strlen(anchor));
		if (!e)
			return -ENOMEM;
		r = diag_add(
			l->diags, l->file, n->loc.line, n->loc.column,
			"YAML aliases are not allowed (found '*%s'); write the value out instead",
			e);
		if (r < 0)
			return r;
		n->type = YNODE_INVALID;
		break;
	}

	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		yaml_event_type_t end;

		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			n->type = YNODE_SEQUENCE;
			end = YAML_SEQUENCE_END_EVENT;
		} else {
			n->type = YNODE_MAPPING;
			end = YAML_MAPPING_END_EVENT;
		}

		if (depth >= YAML_DEPTH_MAX) {
			r = diag_add(l->diags, l->file, n->loc.line, n->loc.column,
				     "nesting is too deep (at most %d levels)", YAML_DEPTH_MAX);
			return r < 0 ? r : -EINVAL;
		}

		for (;;) {
			_cleanup_(yaml_event_delete) yaml_event_t child_ev = {};
			struct ynode *child;

			r = loader_next(l, &child_ev);
			if (r < 0)
				return r;
			if (child_ev.type == end)
				break;

			r = load_node(l, &child_ev, depth + 1, &child);
			if (r < 0)
				return r;
			r = ynode_append(n, child);
			if (r < 0)
				return r;
		}
		break;
	}

	default:
		/* libyaml sends nothing else inside a document */
		return loader_error(l, n->loc, "invalid YAML: unexpected event");
	}

	*ret_node = TAKE_PTR(n);
	return 0;
}

/*
 * Returns 0 and the root node of the only document (NULL when the stream has none), or -EINVAL
 * after a diagnostic that leaves nothing to check, or -ENOMEM.
 */
int yaml_load(const char *file, const char *buf, size_t len, struct diag_list *diags,
	      struct ynode **ret_root)
{
	_cleanup_(ynode_freep) struct ynode *root = NULL;
	struct loader l = {
		.file = file,
		.buf = buf,
		.len = len,
		.diags = diags,
	};
	int r;

	if (!yaml_parser_initialize(&l.parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)buf, len);

	for (;;) {
		_cleanup_(yaml_event_delete) yaml_event_t ev = {};

		r = loader_next(&l, &ev);
		if (r < 0)
			break;

		if (ev.type == YAML_STREAM_END_EVENT)
			break;

		if (ev.type == YAML_DOCUMENT_START_EVENT && root) {
			struct source_loc loc = loc_from_mark(&ev.start_mark);

			/* The first document is checked all the same; reading stops here. */
			r = diag_add(
				diags, file, loc.line, loc.column,
				"more than one YAML document (a policy file holds exactly one)");
			break;
		}

		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT ||
		    ev.type == YAML_DOCUMENT_END_EVENT)
			continue;

		r = load_node(&l, &ev, 0, &root);
		if (r < 0)
			break;
	}

	yaml_parser_delete(&l.parser);
	if (r < 0)
		return r;

	*ret_root = TAKE_PTR(root);
	return 0;
}

/* ---- From nodes to the policy model ---- */

bool scalar_is(const struct ynode *n, const char *s)
{
	return n->type == YNODE_SCALAR && n->length == strlen(s) &&
	       memcmp(n->value, s, n->length) == 0;
}

static char *join_names(const char *const *names, size_t n, size_t stride)
{
	size_t len = 1;
	char *buf, *q;

	for (size_t i = 0; i < n; i++)
		len += strlen(*(const char *const *)((const char *)names + i * stride)) + 2;

	buf = malloc(len);
	if (!buf)
		return NULL;

	q = buf;
	*q = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			q = stpcpy(q, ", ");
		q = stpcpy(q, *(const char *const *)((const char *)names + i * stride));
	}
	return buf;
}

/* Returns 1 and the string, 0 after a diagnostic (or for an already reported node), or -ENOMEM. */
int node_string(struct parse_ctx *c, const struct ynode *n, const char *what,
		const char **ret_value)
{
	int r;

	if (n->type == YNODE_INVALID)
		return 0;

	if (n->type != YNODE_SCALAR || ynode_is_empty(n)) {
		r = node_error(c, n, "expected a string for %s, found %s", what, ynode_kind(n));
		return r < 0 ? r : 0;
	}

	if (strlen(n->value) != n->length) {
		r = node_error(c, n, "%s must not contain a NUL byte", what);
		return r < 0 ? r : 0;
	}

	*ret_value = n->value;
	return 1;
}

int node_enum(struct parse_ctx *c, const struct ynode *n, const char *what,
	      const char *const *table, size_t n_table, int *ret_value)
{
	_cleanup_free_ char *e = NULL, *expected = NULL;
	const char *s;
	int r;

	r = node_string(c, n, what, &s);
	if (r <= 0)
		return r;

	for (size_t i = 0; i < n_table; i++)
		if (streq(s, table[i])) {
			*ret_value = (int)i;
			return 1;
		}

	e = escape_value(n->value, n->length);
	expected = join_names(table, n_table, sizeof(table[0]));
	if (!e || !expected)
		return -ENOMEM;

	r = node_error(c, n, "invalid %s '%s' (expected one of: %s)", what, e, expected);
	return r < 0 ? r : 0;
}

/* The string @n must be exactly @expected. */
int node_fixed_string(struct parse_ctx *c, const struct ynode *n, const char *what,
		      const char *expected)
{
	_cleanup_free_ char *e = NULL;
	const char *s;
	int r;

	r = node_string(c, n, what, &s);
	if (r <= 0)
		return r;
	if (streq(s, expected))
		return 0;

	e = escape_value(n->value, n->length);
	if (!e)
		return -ENOMEM;
	r = node_error(c, n, "unsupported %s '%s' (expected '%s')", what, e, expected);
	return r < 0 ? r : 0;
}

/*
 * Checks that @n is a mapping whose keys all come from @s, none twice and none required missing,
 * and runs each key's handler on its value, in the order they were written.
 */
int parse_section(struct parse_ctx *c, const struct ynode *n, const struct section *s,
		  void *userdata)
{
	const struct ynode *first[SECTION_KEYS_MAX] = {};
	int r;

	assert(s->n_keys <= SECTION_KEYS_MAX);

	if (n->type == YNODE_INVALID)
		return 0;
	if (n->type != YNODE_MAPPING) {
		r = node_error(c, n, "expected a mapping for %s, found %s", s->name, ynode_kind(n));
		return r < 0 ? r : 0;
	}

	for (size_t i = 0; i + 1 < n->n_items; i += 2)
		for (size_t k = 0; k < s->n_keys; k++)
			if (!first[k] && scalar_is(n->items[i], s->keys[k].name))
				first[k] = n->items[i];

	for (size_t k = 0; k < s->n_keys; k++)
		if (s->keys[k].required && !first[k]) {
			r = node_error(c, n, "missing required key '%s' in %s", s->keys[k].name,
				       s->name);
			if (r < 0)
				return r;
		}

	for (size_t i = 0; i + 1 < n->n_items; i += 2) {
		const struct ynode *key = n->items[i], *value = n->items[i + 1];
		_cleanup_free_ char *e = NULL, *expected = NULL;
		size_t k;

		if (key->type == YNODE_INVALID)
			continue;
		if (key->type != YNODE_SCALAR) {
			r = node_error(c, key, "expected a string as key in %s, found %s", s->name,
				       ynode_kind(key));
			if (r < 0)
				return r;
			continue;
		}

		for (k = 0; k < s->n_keys; k++)
			if (scalar_is(key, s->keys[k].name))
				break;

		if (k < s->n_keys && first[k] == key) {
			r = s->keys[k].parse(c, value, userdata);
			if (r < 0)
				return r;
			continue;
		}

		e = escape_value(key->value, key->length);
		if (!e)
			return -ENOMEM;

		if (k < s->n_keys)
			r = node_error(c, key, "duplicate key '%s' in %s (first given at %u:%u)", e,
				       s->name, first[k]->loc.line, first[k]->loc.column);
		else {
			expected = join_names(&s->keys[0].name, s->n_keys, sizeof(s->keys[0]));
			if (!expected)
				return -ENOMEM;
			r = node_error(c, key, "unknown key '%s' in %s (expected one of: %s)", e,
				       s->name, expected);
		}
		if (r < 0)
			return r;
	}

	return 0;
}

/* Not isalnum(): that depends on the locale. */

int node_action(struct parse_ctx *c, const struct ynode *n, enum rule_action *ret_action)
{
	int a, r;

	r = node_enum(c, n, "action", rule_action_names, rule_action_n_names, &a);
	if (r > 0)
		*ret_action = a;
	return r;
}

int node_mode(struct parse_ctx *c, const struct ynode *n, enum policy_mode *ret_mode)
{
	int m, r;

	r = node_enum(c, n, "mode", policy_mode_names, policy_mode_n_names, &m);
	if (r > 0)
		*ret_mode = m;
	return r;
}

int node_enum_mask(struct parse_ctx *c, const struct ynode *n, const char *what,
		   const char *const *table, size_t n_table, uint64_t *ret_mask)
{
	uint64_t mask = 0;
	bool ok = true;
	int r;

	if (n->type == YNODE_INVALID)
		return 0;
	if (n->type != YNODE_SEQUENCE || n->n_items == 0) {
		r = node_error(c, n, "expected a non-empty sequence of %s, found %s", what,
			       ynode_kind(n));
		return r < 0 ? r : 0;
	}
	for (size_t i = 0; i < n->n_items; i++) {
		int bit;

		r = node_enum(c, n->items[i], what, table, n_table, &bit);
		if (r < 0)
			return r;
		if (r > 0)
			mask |= 1ULL << bit;
		else
			ok = false;
	}
	if (!ok)
		return 0;
	*ret_mask = mask;
	return 1;
}
