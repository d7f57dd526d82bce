/* SPDX-License-Identifier: GPL-2.0-or-later */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np() */
#endif

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "policy-parse.h"
#include "policy-syscalls.h"
#include "seccomp-args.h"
#include "util.h"

static const char *const syscall_action_table[] = {
	[SYSCALL_ACTION_ALLOW] = "allow",
	[SYSCALL_ACTION_DENY] = "deny",
	[SYSCALL_ACTION_KILL] = "kill",
	[SYSCALL_ACTION_AUDIT] = "audit",
};

static const char *const syscall_arg_op_table[] = {
	[SYSCALL_ARG_EQ] = "eq",
	[SYSCALL_ARG_NE] = "ne",
	[SYSCALL_ARG_LT] = "lt",
	[SYSCALL_ARG_LE] = "le",
	[SYSCALL_ARG_GT] = "gt",
	[SYSCALL_ARG_GE] = "ge",
	[SYSCALL_ARG_MASKED_EQ] = "masked_eq",
};

static const char *const arch_table[] = { "x86", "x32" };

const char *syscall_action_to_string(enum syscall_action a)
{
	return (size_t)a < ELEMENTSOF(syscall_action_table) ? syscall_action_table[a] : NULL;
}

const char *syscall_arg_op_to_string(enum syscall_arg_op op)
{
	return (size_t)op < ELEMENTSOF(syscall_arg_op_table) ? syscall_arg_op_table[op] : NULL;
}

enum syscall_action syscall_action_effective(enum syscall_action a, enum policy_mode mode)
{
	if (mode == POLICY_MODE_AUDIT && (a == SYSCALL_ACTION_DENY || a == SYSCALL_ACTION_KILL))
		return SYSCALL_ACTION_AUDIT;
	return a;
}

/*
 * The names an argument condition may use instead of a number, for the calls where arguments
 * matter: socket() by family, clone()/unshare() by namespace flags, personality(), ioctl() by
 * request. Values come from the C library's headers, so they are this ABI's.
 */
struct named_value {
	const char *name;
	uint64_t value;
};

#define NV(x)                                                                                      \
	{                                                                                          \
#x, (uint64_t)(x)                                                                  \
	}
static const struct named_value named_values[] = {
	NV(AF_UNIX),
	NV(AF_INET),
	NV(AF_INET6),
	NV(AF_NETLINK),
	NV(AF_PACKET),
	NV(AF_KEY),
	NV(AF_APPLETALK),
	NV(AF_AX25),
	NV(AF_IPX),
	NV(AF_X25),
	NV(AF_DECnet),
	NV(AF_BLUETOOTH),
	NV(AF_ALG),
	NV(AF_VSOCK),
	NV(AF_CAN),
	NV(AF_TIPC),
	NV(AF_RDS),
	NV(AF_XDP),
	NV(CLONE_NEWNS),
	NV(CLONE_NEWCGROUP),
	NV(CLONE_NEWUTS),
	NV(CLONE_NEWIPC),
	NV(CLONE_NEWUSER),
	NV(CLONE_NEWPID),
	NV(CLONE_NEWNET),
	NV(CLONE_NEWTIME),
	NV(CLONE_THREAD),
	NV(CLONE_VM),
	NV(PER_LINUX),
	NV(PER_LINUX32),
	NV(ADDR_NO_RANDOMIZE),
	NV(READ_IMPLIES_EXEC),
	NV(UNAME26),
	NV(ADDR_COMPAT_LAYOUT),
	NV(MMAP_PAGE_ZERO),
	{ "PER_QUERY", 0xffffffffu }, /* personality(0xffffffff) only reads the persona */
	NV(TIOCSTI),
	NV(TIOCLINUX),
	NV(TIOCSCTTY),
	NV(TIOCCONS),
	NV(FIONREAD),
	NV(FIONBIO),
	NV(TCGETS),
	NV(TIOCGWINSZ),
	NV(TIOCSWINSZ),
};
#undef NV

/* Returns 1 and the value of @s: a number (decimal, 0x hex) or names joined with '|'. */
static int parse_value(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	if (*s >= '0' && *s <= '9') {
		char *end;

		errno = 0;
		v = strtoull(s, &end, 0);
		if (errno || *end)
			return 0;
		*ret = v;
		return 1;
	}

	for (const char *p = s;;) {
		size_t k;
		bool found = false;

		while (*p == ' ')
			p++;
		k = strcspn(p, "| ");
		for (size_t i = 0; i < ELEMENTSOF(named_values); i++)
			if (strlen(named_values[i].name) == k &&
			    strncmp(named_values[i].name, p, k) == 0) {
				v |= named_values[i].value;
				found = true;
			}
		if (!found || k == 0)
			return 0;
		p += k;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p != '|')
			return 0;
		p++;
	}
	*ret = v;
	return 1;
}

/* An errno by name (EPERM) or number (1..4095). */
static int node_errno(struct parse_ctx *c, const struct ynode *n, const char *what, int *ret)
{
	_cleanup_free_ char *e = NULL;
	const char *s;
	int r;

	r = node_string(c, n, what, &s);
	if (r <= 0)
		return r;

	if (*s >= '0' && *s <= '9') {
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (!errno && !*end && v >= 1 && v <= SYSCALL_ERRNO_MAX) {
			*ret = (int)v;
			return 1;
		}
	} else
		for (int i = 1; i <= SYSCALL_ERRNO_MAX; i++) {
			const char *name = strerrorname_np(i);

			if (name && streq(name, s)) {
				*ret = i;
				return 1;
			}
		}

	e = escape_value(n->value, n->length);
	if (!e)
		return -ENOMEM;
	r = node_error(c, n, "invalid %s '%s' (expected a name such as EPERM or a number 1..%d)",
		       what, e, SYSCALL_ERRNO_MAX);
	return r < 0 ? r : 0;
}

/* ---- the default and the architectures ---- */

struct spec_ctx {
	struct syscall_spec *spec;
	bool has_default_errno;
	struct source_loc default_errno_loc;
};

static int parse_default(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct spec_ctx *sc = userdata;
	int a, r;

	r = node_enum(c, v, "default action", syscall_action_table,
		      ELEMENTSOF(syscall_action_table), &a);
	if (r <= 0)
		return r;
	sc->spec->default_action = a;
	return 0;
}

static int parse_default_errno(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct spec_ctx *sc = userdata;
	int e, r;

	r = node_errno(c, v, "defaultErrno", &e);
	if (r <= 0)
		return r;
	sc->spec->default_errno = e;
	sc->has_default_errno = true;
	sc->default_errno_loc = v->loc;
	return 0;
}

static int parse_arches(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct spec_ctx *sc = userdata;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE) {
		r = node_error(c, v, "expected a sequence of architectures (x86, x32), found %s",
			       ynode_kind(v));
		return r < 0 ? r : 0;
	}
	for (size_t i = 0; i < v->n_items; i++) {
		int a;

		r = node_enum(c, v->items[i], "architecture", arch_table, ELEMENTSOF(arch_table),
			      &a);
		if (r < 0)
			return r;
		if (r > 0)
			sc->spec->arches |= 1u << a;
	}
	return 0;
}

/* ---- rules ---- */

static int parse_rule_names(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct syscall_rule *rule = userdata;
	size_t n;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE) {
		r = node_error(c, v, "expected a sequence of system call names, found %s",
			       ynode_kind(v));
		return r < 0 ? r : 0;
	}
	if (v->n_items == 0) {
		r = node_error(c, v, "names must list at least one system call");
		return r < 0 ? r : 0;
	}
	n = v->n_items;
	if (n > SYSCALL_MAX_NAMES_PER_RULE) {
		r = node_error(c, v->items[SYSCALL_MAX_NAMES_PER_RULE],
			       "too many system calls in one rule (at most %d)",
			       SYSCALL_MAX_NAMES_PER_RULE);
		if (r < 0)
			return r;
		n = SYSCALL_MAX_NAMES_PER_RULE;
	}

	rule->names = calloc(n, sizeof(struct syscall_name));
	if (!rule->names)
		return -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		const struct ynode *item = v->items[i];
		_cleanup_free_ char *e = NULL;
		const char *s;
		char *name;
		int nr;

		r = node_string(c, item, "a system call name", &s);
		if (r < 0)
			return r;
		if (r == 0)
			continue;

		nr = seccomp_syscall_resolve_name(s);
		if (nr == __NR_SCMP_ERROR) {
			e = escape_value(item->value, item->length);
			if (!e)
				return -ENOMEM;
			r = node_error(c, item, "unknown system call '%s'", e);
			if (r < 0)
				return r;
			continue;
		}

		name = strdup(s);
		if (!name)
			return -ENOMEM;
		rule->names[rule->n_names++] = (struct syscall_name){
			.name = name,
			.nr = nr,
			.loc = item->loc,
		};
	}
	return 0;
}

static int parse_rule_action(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct syscall_rule *rule = userdata;
	int a, r;

	r = node_enum(c, v, "action", syscall_action_table, ELEMENTSOF(syscall_action_table), &a);
	if (r <= 0)
		return r;
	rule->action = a;
	return 0;
}

static int parse_rule_errno(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct syscall_rule *rule = userdata;
	int e, r;

	r = node_errno(c, v, "errno", &e);
	if (r <= 0)
		return r;
	rule->errno_value = -e; /* negative: given; checked against the action once it is known */
	return 0;
}

static int parse_rule_mode(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	static const char *const modes[] = { "enforce", "audit" };
	struct syscall_rule *rule = userdata;
	int m, r;

	r = node_enum(c, v, "mode", modes, ELEMENTSOF(modes), &m);
	if (r <= 0)
		return r;
	rule->mode = m == 0 ? POLICY_MODE_ENFORCE : POLICY_MODE_AUDIT;
	rule->has_mode = true;
	return 0;
}

struct arg_ctx {
	struct syscall_arg_cond *cond;
	const struct ynode *index_node, *op_node, *mask_node;
};

static int parse_arg_number(struct parse_ctx *c, const struct ynode *v, const char *what,
			    uint64_t *ret)
{
	_cleanup_free_ char *e = NULL;
	const char *s;
	int r;

	r = node_string(c, v, what, &s);
	if (r <= 0)
		return r;
	if (parse_value(s, ret))
		return 1;
	e = escape_value(v->value, v->length);
	if (!e)
		return -ENOMEM;
	r = node_error(c, v,
		       "invalid %s '%s' (expected a number, or constants such as AF_PACKET or "
		       "CLONE_NEWUSER joined with '|')",
		       what, e);
	return r < 0 ? r : 0;
}

static int parse_arg_index(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct arg_ctx *ac = userdata;
	uint64_t i = 0;
	const char *s;
	int r;

	r = node_string(c, v, "arg", &s);
	if (r <= 0)
		return r;
	if (strlen(s) != 1 || s[0] < '0' || s[0] > '5') {
		_cleanup_free_ char *e = escape_value(v->value, v->length);

		if (!e)
			return -ENOMEM;
		r = node_error(c, v, "invalid arg '%s' (expected the argument's index, 0..5)", e);
		return r < 0 ? r : 0;
	}
	i = (uint64_t)(s[0] - '0');
	ac->cond->index = (unsigned)i;
	ac->index_node = v;
	return 0;
}

static int parse_arg_op(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct arg_ctx *ac = userdata;
	int op, r;

	r = node_enum(c, v, "op", syscall_arg_op_table, ELEMENTSOF(syscall_arg_op_table), &op);
	if (r <= 0)
		return r;
	ac->cond->op = op;
	ac->op_node = v;
	return 0;
}

static int parse_arg_value(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct arg_ctx *ac = userdata;
	int r = parse_arg_number(c, v, "value", &ac->cond->value);

	return r < 0 ? r : 0;
}

static int parse_arg_mask(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct arg_ctx *ac = userdata;
	int r = parse_arg_number(c, v, "mask", &ac->cond->mask);

	if (r < 0)
		return r;
	ac->mask_node = v;
	return 0;
}

static const struct key_def arg_keys[] = {
	{ "arg", true, parse_arg_index },
	{ "op", true, parse_arg_op },
	{ "value", true, parse_arg_value },
	{ "mask", false, parse_arg_mask },
};

static const struct section arg_section = {
	"argument condition",
	arg_keys,
	ELEMENTSOF(arg_keys),
};

static int parse_rule_args(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct syscall_rule *rule = userdata;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE) {
		r = node_error(c, v, "expected a sequence of argument conditions, found %s",
			       ynode_kind(v));
		return r < 0 ? r : 0;
	}
	if (v->n_items > SYSCALL_MAX_ARGS) {
		r = node_error(c, v->items[SYSCALL_MAX_ARGS],
			       "too many argument conditions in one rule (at most %d)",
			       SYSCALL_MAX_ARGS);
		return r < 0 ? r : 0;
	}
	if (v->n_items == 0)
		return 0;

	rule->args = calloc(v->n_items, sizeof(struct syscall_arg_cond));
	if (!rule->args)
		return -ENOMEM;

	for (size_t i = 0; i < v->n_items; i++) {
		struct syscall_arg_cond *cond = &rule->args[rule->n_args];
		struct arg_ctx ac = { .cond = cond };
		size_t n_before = c->diags->n;

		cond->loc = v->items[i]->loc;
		r = parse_section(c, v->items[i], &arg_section, &ac);
		if (r < 0)
			return r;
		if (c->diags->n > n_before)
			continue;

		if (cond->op == SYSCALL_ARG_MASKED_EQ && !ac.mask_node)
			r = node_error(c, v->items[i], "op masked_eq needs a mask");
		else if (cond->op != SYSCALL_ARG_MASKED_EQ && ac.mask_node)
			r = node_error(c, ac.mask_node, "mask is only for op masked_eq");
		else {
			for (size_t j = 0; j < rule->n_args; j++)
				if (rule->args[j].index == cond->index) {
					r = node_error(
						c, ac.index_node,
						"argument %u already has a condition at %u:%u "
						"(conditions of one rule must all hold; write "
						"a rule per alternative)",
						cond->index, rule->args[j].loc.line,
						rule->args[j].loc.column);
					goto next;
				}
			rule->n_args++;
			continue;
		}
	next:
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct key_def rule_keys[] = {
	{ "names", true, parse_rule_names },  { "action", true, parse_rule_action },
	{ "errno", false, parse_rule_errno }, { "mode", false, parse_rule_mode },
	{ "args", false, parse_rule_args },
};

static const struct section rule_section = {
	"syscalls rule",
	rule_keys,
	ELEMENTSOF(rule_keys),
};

/*
 * A call has one rule without conditions, or only rules with conditions: libseccomp lets a rule
 * without conditions swallow every other rule of its call, so the mix would silently mean less
 * than it says.
 */
static int check_duplicates(struct parse_ctx *c, const struct syscall_spec *s)
{
	int r;

	for (size_t i = 0; i < s->n_rules; i++) {
		const struct syscall_rule *a = &s->rules[i];

		for (size_t k = 0; k < a->n_names; k++) {
			const struct syscall_name *found = NULL;
			bool found_plain = false;

			/* Earlier names of the same call: rules before this one, names before k. */
			for (size_t j = 0; j <= i && !found; j++) {
				const struct syscall_rule *b = &s->rules[j];
				size_t end = j == i ? k : b->n_names;

				for (size_t l = 0; l < end; l++)
					if (b->names[l].nr == a->names[k].nr &&
					    (a->n_args == 0 || b->n_args == 0)) {
						found = &b->names[l];
						found_plain = b->n_args == 0;
						break;
					}
			}
			if (!found)
				continue;
			if (a->n_args == 0 && found_plain)
				r = diag_add(c->diags, c->file, a->names[k].loc.line,
					     a->names[k].loc.column,
					     "system call '%s' already has a rule at %u:%u",
					     a->names[k].name, found->loc.line, found->loc.column);
			else
				r = diag_add(
					c->diags, c->file, a->names[k].loc.line,
					a->names[k].loc.column,
					"system call '%s' has a rule %s conditions at %u:%u: a call has "
					"one rule without conditions or only rules with conditions",
					a->names[k].name, found_plain ? "without" : "with",
					found->loc.line, found->loc.column);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_rules(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct spec_ctx *sc = userdata;
	struct syscall_spec *s = sc->spec;
	size_t n;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE) {
		r = node_error(c, v, "expected a sequence of syscalls rules, found %s",
			       ynode_kind(v));
		return r < 0 ? r : 0;
	}
	n = v->n_items;
	if (n > SYSCALL_MAX_RULES) {
		r = node_error(c, v->items[SYSCALL_MAX_RULES],
			       "too many syscalls rules (at most %d)", SYSCALL_MAX_RULES);
		if (r < 0)
			return r;
		n = SYSCALL_MAX_RULES;
	}
	if (n == 0)
		return 0;

	s->rules = calloc(n, sizeof(struct syscall_rule));
	if (!s->rules)
		return -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		struct syscall_rule *rule = &s->rules[s->n_rules++];

		rule->loc = v->items[i]->loc;
		r = parse_section(c, v->items[i], &rule_section, rule);
		if (r < 0)
			return r;

		if (rule->errno_value < 0) {
			if (rule->action != SYSCALL_ACTION_DENY) {
				r = node_error(c, v->items[i],
					       "errno is only for action deny (this rule's action "
					       "is %s)",
					       syscall_action_to_string(rule->action));
				if (r < 0)
					return r;
			}
			rule->errno_value = -rule->errno_value;
		} else if (rule->action == SYSCALL_ACTION_DENY)
			rule->errno_value = EPERM;
	}
	return check_duplicates(c, s);
}

static const struct key_def syscalls_keys[] = {
	{ "default", true, parse_default },
	{ "defaultErrno", false, parse_default_errno },
	{ "architectures", false, parse_arches },
	{ "rules", false, parse_rules },
};

static const struct section syscalls_section = {
	"syscalls",
	syscalls_keys,
	ELEMENTSOF(syscalls_keys),
};

struct syscall_spec *syscall_spec_free(struct syscall_spec *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_rules; i++) {
		for (size_t j = 0; j < s->rules[i].n_names; j++)
			free(s->rules[i].names[j].name);
		free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s);
	return NULL;
}

static void syscall_spec_freep(struct syscall_spec **s)
{
	syscall_spec_free(*s);
}

int policy_parse_syscalls(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	_cleanup_(syscall_spec_freep) struct syscall_spec *s = NULL;
	struct policy *p = userdata;
	struct spec_ctx sc;
	size_t n_before = c->diags->n;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->default_errno = EPERM;
	s->loc = v->loc;
	sc = (struct spec_ctx){ .spec = s };

	r = parse_section(c, v, &syscalls_section, &sc);
	if (r < 0)
		return r;
	if (sc.has_default_errno && s->default_action != SYSCALL_ACTION_DENY) {
		r = diag_add(c->diags, c->file, sc.default_errno_loc.line,
			     sc.default_errno_loc.column,
			     "defaultErrno is only for default: deny (the default is %s)",
			     syscall_action_to_string(s->default_action));
		if (r < 0)
			return r;
	}
	if (c->diags->n > n_before)
		return 0;

	syscall_spec_free(p->syscalls);
	p->syscalls = TAKE_PTR(s);
	return 0;
}
