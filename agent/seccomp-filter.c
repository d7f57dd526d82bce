/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli-json.h"
#include "seccomp-filter.h"
#include "util.h"

/* Native numbers below this that libseccomp has no call for get ENOSYS explicitly (x86_64 has
 * about 460 calls); numbers above get the default. */
#define SYSCALL_NR_SCAN 1024

static uint32_t action_to_scmp(enum syscall_action a, int errno_value)
{
	switch (a) {
	case SYSCALL_ACTION_ALLOW:
		return SCMP_ACT_ALLOW;
	case SYSCALL_ACTION_DENY:
		return SCMP_ACT_ERRNO(errno_value);
	case SYSCALL_ACTION_KILL:
		return SCMP_ACT_KILL_PROCESS;
	case SYSCALL_ACTION_AUDIT:
	default:
		return SCMP_ACT_LOG;
	}
}

static const char *action_to_oci(uint32_t act)
{
	switch (act & 0xffff0000u) {
	case SCMP_ACT_ALLOW:
		return "SCMP_ACT_ALLOW";
	case SCMP_ACT_KILL_PROCESS:
		return "SCMP_ACT_KILL_PROCESS";
	case SCMP_ACT_LOG:
		return "SCMP_ACT_LOG";
	default:
		return "SCMP_ACT_ERRNO";
	}
}

static bool act_is_errno(uint32_t act)
{
	return (act & 0xffff0000u) == SCMP_ACT_ERRNO(0);
}

static const char *const oci_ops[] = {
	[SYSCALL_ARG_EQ] = "SCMP_CMP_EQ", [SYSCALL_ARG_NE] = "SCMP_CMP_NE",
	[SYSCALL_ARG_LT] = "SCMP_CMP_LT", [SYSCALL_ARG_LE] = "SCMP_CMP_LE",
	[SYSCALL_ARG_GT] = "SCMP_CMP_GT", [SYSCALL_ARG_GE] = "SCMP_CMP_GE",
	[SYSCALL_ARG_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const enum scmp_compare scmp_ops[] = {
	[SYSCALL_ARG_EQ] = SCMP_CMP_EQ, [SYSCALL_ARG_NE] = SCMP_CMP_NE,
	[SYSCALL_ARG_LT] = SCMP_CMP_LT, [SYSCALL_ARG_LE] = SCMP_CMP_LE,
	[SYSCALL_ARG_GT] = SCMP_CMP_GT, [SYSCALL_ARG_GE] = SCMP_CMP_GE,
	[SYSCALL_ARG_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/*
 * The plan both outputs follow (see seccomp-filter.h): the default action, the action of each
 * rule, and, for a default that denies or kills, the numbers no call has, which get ENOSYS.
 */
struct plan {
	uint32_t filter_default;
	uint32_t *rule_act; /* per rule */
	int *unknown_nrs;   /* native numbers below SYSCALL_NR_SCAN that libseccomp does not know */
	size_t n_unknown;
};

static void plan_clear(struct plan *p)
{
	free(p->rule_act);
	free(p->unknown_nrs);
}

static int plan_make(const struct syscall_spec *s, enum policy_mode mode, struct plan *ret)
{
	struct plan p = {};
	enum syscall_action d = syscall_action_effective(s->default_action, mode);

	p.filter_default = action_to_scmp(d, s->default_errno);
	p.rule_act = calloc(s->n_rules ? s->n_rules : 1, sizeof(uint32_t));
	if (!p.rule_act)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct syscall_rule *rule = &s->rules[i];

		p.rule_act[i] = action_to_scmp(
			syscall_action_effective(rule->action, rule->has_mode ? rule->mode : mode),
			rule->errno_value);
	}

	/* Under allow or audit the kernel itself answers ENOSYS for a number it does not know. */
	if ((d == SYSCALL_ACTION_DENY || d == SYSCALL_ACTION_KILL) &&
	    p.filter_default != SCMP_ACT_ERRNO(ENOSYS)) {
		p.unknown_nrs = calloc(SYSCALL_NR_SCAN, sizeof(int));
		if (!p.unknown_nrs) {
			plan_clear(&p);
			return -ENOMEM;
		}
		for (int nr = 0; nr < SYSCALL_NR_SCAN; nr++) {
			char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);

			if (!name)
				p.unknown_nrs[p.n_unknown++] = nr;
			free(name);
		}
	}

	*ret = p;
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct syscall_spec *s, const struct plan *p,
		     bool unknown, struct seccomp_filter_error *ret_err)
{
	int r;

	for (size_t i = 0; i < s->n_rules; i++) {
		const struct syscall_rule *rule = &s->rules[i];
		struct scmp_arg_cmp cmp[SYSCALL_MAX_ARGS];

		/* What a call gets anyway; the parser made sure that no rule without
		 * conditions of the same call could make it an exception. */
		if (p->rule_act[i] == p->filter_default)
			continue;

		for (size_t k = 0; k < rule->n_args; k++) {
			const struct syscall_arg_cond *a = &rule->args[k];

			cmp[k] = (struct scmp_arg_cmp) {
				.arg = a->index,
				.op = scmp_ops[a->op],
				.datum_a = a->op == SYSCALL_ARG_MASKED_EQ ? a->mask : a->value,
				.datum_b = a->op == SYSCALL_ARG_MASKED_EQ ? a->value : 0,
			};
		}
		for (size_t j = 0; j < rule->n_names; j++) {
			r = seccomp_rule_add_array(ctx, p->rule_act[i], rule->names[j].nr,
						   rule->n_args, cmp);
			if (r < 0) {
				if (ret_err)
					*ret_err = (struct seccomp_filter_error) { rule,
										   &rule->names[j] };
				return r;
			}
		}
	}

	for (size_t i = 0; unknown && i < p->n_unknown; i++) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), p->unknown_nrs[i], 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int filter_new(uint32_t def, scmp_filter_ctx *ret)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	int r;

	if (!ctx)
		return -ENOMEM;
	/* Another ABI's call (int $0x80 from a 64-bit process, say) ends the process, unless
	 * the policy lists the ABI: that route around a filter is an attack, not a mistake. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r >= 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (r >= 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	/* The binary tree is libseccomp >= 2.5; older ones keep the linear list. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	*ret = ctx;
	return 0;
}

int seccomp_filter_build(const struct syscall_spec *s, enum policy_mode mode,
			 scmp_filter_ctx *ret_ctx, struct seccomp_filter_error *ret_err)
{
	_cleanup_(plan_clear) struct plan p = {};
	scmp_filter_ctx ctx = NULL, other = NULL;
	int r;

	r = plan_make(s, mode, &p);
	if (r < 0)
		return r;

	/* The native ABI, with ENOSYS for the numbers it has no call for. */
	r = filter_new(p.filter_default, &ctx);
	if (r < 0)
		return r;
	r = add_rules(ctx, s, &p, true, ret_err);
	if (r < 0)
		goto fail;

	/* The other ABIs the policy lets through get the same rules by name (numbers differ), in a
	 * filter of their own merged into this one. */
	if (s->arches) {
		r = filter_new(p.filter_default, &other);
		if (r < 0)
			goto fail;
		r = seccomp_arch_remove(other, SCMP_ARCH_NATIVE);
		if (r >= 0 && (s->arches & SYSCALL_ARCH_X86))
			r = seccomp_arch_add(other, SCMP_ARCH_X86);
		if (r >= 0 && (s->arches & SYSCALL_ARCH_X32))
			r = seccomp_arch_add(other, SCMP_ARCH_X32);
		if (r >= 0)
			r = add_rules(other, s, &p, false, ret_err);
		if (r >= 0) {
			r = seccomp_merge(ctx, other); /* on success it takes @other */
			if (r >= 0)
				other = NULL;
		}
		if (r < 0) {
			seccomp_release(other);
			goto fail;
		}
	}

	if (ret_ctx)
		*ret_ctx = ctx;
	else
		seccomp_release(ctx);
	return 0;

fail:
	seccomp_release(ctx);
	return r;
}

int seccomp_filter_deny_errno(const struct syscall_spec *s, enum policy_mode mode, const char *name,
			      int64_t nr)
{
	enum syscall_action d = syscall_action_effective(s->default_action, mode);
	int found = 0;

	if (!name)
		return d == SYSCALL_ACTION_DENY && nr >= 0 && nr < SYSCALL_NR_SCAN ? ENOSYS :
		       d == SYSCALL_ACTION_DENY					  ? s->default_errno :
											    0;

	for (size_t i = 0; i < s->n_rules; i++) {
		const struct syscall_rule *rule = &s->rules[i];
		bool named = false;

		for (size_t j = 0; j < rule->n_names && !named; j++)
			named = streq(rule->names[j].name, name);
		if (!named)
			continue;
		if (syscall_action_effective(rule->action, rule->has_mode ? rule->mode : mode) !=
		    SYSCALL_ACTION_DENY) {
			if (rule->n_args == 0)
				return 0;
			continue;
		}
		if (rule->n_args == 0)
			return rule->errno_value;
		if (found && found != rule->errno_value)
			return 0;
		found = rule->errno_value;
	}
	/* No rule holds, or none names the call: the default. */
	if (d == SYSCALL_ACTION_DENY) {
		if (found && found != s->default_errno)
			return 0;
		return s->default_errno;
	}
	return found;
}

int seccomp_filter_export_oci(const struct syscall_spec *s, enum policy_mode mode, FILE *f)
{
	_cleanup_(plan_clear) struct plan p = {};
	bool first = true;
	int r;

	r = plan_make(s, mode, &p);
	if (r < 0)
		return r;

	/* Numbers no call has cannot be named in a profile: the runtime decides what they get
	 * (runc answers ENOSYS for numbers above every call the profile names). */
	fprintf(f, "{\n  \"defaultAction\": \"%s\",\n", action_to_oci(p.filter_default));
	if (act_is_errno(p.filter_default))
		fprintf(f, "  \"defaultErrnoRet\": %u,\n", p.filter_default & 0xffffu);
	fputs("  \"architectures\": [\"SCMP_ARCH_X86_64\"", f);
	if (s->arches & SYSCALL_ARCH_X86)
		fputs(", \"SCMP_ARCH_X86\"", f);
	if (s->arches & SYSCALL_ARCH_X32)
		fputs(", \"SCMP_ARCH_X32\"", f);
	/* No "flags" (SECCOMP_FILTER_FLAG_LOG): runc 1.1, Debian 12's, refuses a profile with
	 * any ("seccomp flags are not yet supported by runc"). Kills and audits are logged all
	 * the same; denials only where the runtime sets the flag itself. */
	fputs("],\n  \"syscalls\": [", f);

	for (size_t i = 0; i < s->n_rules; i++) {
		const struct syscall_rule *rule = &s->rules[i];

		if (p.rule_act[i] == p.filter_default)
			continue;
		fputs(first ? "\n    {\"names\": [" : ",\n    {\"names\": [", f);
		first = false;
		for (size_t j = 0; j < rule->n_names; j++) {
			if (j > 0)
				fputs(", ", f);
			json_fput_string(f, rule->names[j].name);
		}
		fputs("], ", f);
		fprintf(f, "\"action\": \"%s\"", action_to_oci(p.rule_act[i]));
		if (act_is_errno(p.rule_act[i]))
			fprintf(f, ", \"errnoRet\": %u", p.rule_act[i] & 0xffffu);
		if (rule->n_args > 0) {
			fputs(", \"args\": [", f);
			for (size_t k = 0; k < rule->n_args; k++) {
				const struct syscall_arg_cond *a = &rule->args[k];
				bool masked = a->op == SYSCALL_ARG_MASKED_EQ;

				/* As runc and crun read it: for SCMP_CMP_MASKED_EQ value is the mask
				 * and valueTwo the value, like libseccomp's datum_a and datum_b. */
				fprintf(f,
					"%s{\"index\": %u, \"value\": %" PRIu64
					", \"valueTwo\": %" PRIu64 ", \"op\": \"%s\"}",
					k ? ", " : "", a->index, masked ? a->mask : a->value,
					masked ? a->value : (uint64_t)0, oci_ops[a->op]);
			}
			fputc(']', f);
		}
		fputc('}', f);
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", f);
	return ferror(f) ? -EIO : 0;
}
