// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "diag.h"
#include "names.h"
#include "policy-parse.h"
#include "posture.h"
#include "util.h"

const char *const posture_kind_names[SA_POSTURE_KINDS] = {
	[SA_POSTURE_FILES] = "files",	  [SA_POSTURE_EXEC] = "exec",
	[SA_POSTURE_NETWORK] = "network", [SA_POSTURE_CAPABILITIES] = "capabilities",
	[SA_POSTURE_KERNEL] = "kernel",
};

static int set_kind(struct parse_ctx *c, const struct ynode *v, struct policy_posture *pp,
		    enum sa_posture_kind kind)
{
	enum rule_action action;
	int r = node_action(c, v, &action);

	if (r <= 0)
		return r;
	pp->given |= 1u << kind;
	pp->action[kind] = action;
	pp->loc[kind] = v->loc;
	return 0;
}

#define KIND_PARSER(kind)                                                                          \
	static int parse_##kind(struct parse_ctx *c, const struct ynode *v, void *userdata)        \
	{                                                                                          \
		return set_kind(c, v, userdata, SA_POSTURE_##kind);                                \
	}
KIND_PARSER(FILES)
KIND_PARSER(EXEC)
KIND_PARSER(NETWORK)
KIND_PARSER(CAPABILITIES)
KIND_PARSER(KERNEL)

static const struct key_def posture_keys[] = {
	{ "files", false, parse_FILES },     { "exec", false, parse_EXEC },
	{ "network", false, parse_NETWORK }, { "capabilities", false, parse_CAPABILITIES },
	{ "kernel", false, parse_KERNEL },
};
_Static_assert(ELEMENTSOF(posture_keys) == SA_POSTURE_KINDS, "a key for every posture kind");

static const struct section posture_section = {
	"posture",
	posture_keys,
	ELEMENTSOF(posture_keys),
};

int policy_parse_posture(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;

	if (v->type == YNODE_SCALAR) {
		/* One action for every kind. */
		for (int k = 0; k < SA_POSTURE_KINDS; k++) {
			int r = set_kind(c, v, &p->posture, k);

			if (r < 0 || !(p->posture.given >> k & 1))
				return r;
		}
		return 0;
	}
	return parse_section(c, v, &posture_section, &p->posture);
}

int policy_check_posture(struct parse_ctx *c, const struct policy *p)
{
	const struct policy_selector *s = &p->selector;
	bool binds_part =
		s->present && (s->containers || s->n_cgroups || s->n_binaries || s->n_uids);

	if (binds_part)
		return 0;
	for (int k = 0; k < SA_POSTURE_KINDS; k++) {
		int r;

		enum rule_action a = policy_posture_action(&p->posture, k);

		if (a == RULE_ACTION_ALLOW)
			continue;
		r = diag_add(c->diags, c->file, p->posture.loc[k].line, p->posture.loc[k].column,
			     "posture %s: %s needs a selector that names containers, cgroups, "
			     "binaries or uids: without one it would %s every process on the host "
			     "what no rule allows",
			     posture_kind_names[k], rule_action_to_string(a),
			     a == RULE_ACTION_DENY ? "deny" : "log");
		return r < 0 ? r : 0;
	}
	return 0;
}
