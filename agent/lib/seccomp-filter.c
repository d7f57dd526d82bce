/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <errno.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "json-util.h"
#include "diag.h"
#include "seccomp-args.h"
#include "seccomp-filter.h"
#include "util.h"

/* Native numbers below this are looked up by name; past the highest one without a name, every
 * number up to the end of the native ABI is unknown (x86_64: the x32 ABI starts at 1 << 30). */
#define SYSCALL_NR_SCAN	      1024
#define SYSCALL_NR_NATIVE_END 0x3fffffffu
/* Runs of unknown numbers the prefix checks (x86_64 has 3); past this, the policy's default. */
#define UNKNOWN_RANGES_MAX 32

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

/* The OCI profile's names of libseccomp's comparisons. */
static const char *const oci_ops[] = {
	[SCMP_CMP_NE] = "SCMP_CMP_NE",
	[SCMP_CMP_LT] = "SCMP_CMP_LT",
	[SCMP_CMP_LE] = "SCMP_CMP_LE",
	[SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[SCMP_CMP_GE] = "SCMP_CMP_GE",
	[SCMP_CMP_GT] = "SCMP_CMP_GT",
	[SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* The plan both outputs follow (see seccomp-filter.h): the default action and each rule's. */
struct plan {
	uint32_t filter_default;
	uint32_t *rule_act; /* per rule */
};

static void plan_clear(struct plan *p)
{
	free(p->rule_act);
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

		p.rule_act[i] =
			action_to_scmp(syscall_action_effective(rule->action,
								rule->has_mode ? rule->mode : mode),
				       rule->errno_value);
	}

	*ret = p;
	return 0;
}

struct add_ctx {
	scmp_filter_ctx ctx;
	uint32_t act;
	int nr;
};

static int add_alternative(const struct seccomp_arg_cmp *cmp, size_t n, void *userdata)
{
	const struct add_ctx *a = userdata;
	struct scmp_arg_cmp c[SYSCALL_MAX_ARGS];

	for (size_t k = 0; k < n; k++)
		c[k] = (struct scmp_arg_cmp){ .arg = cmp[k].index,
					      .op = cmp[k].op,
					      .datum_a = cmp[k].datum_a,
					      .datum_b = cmp[k].datum_b };
	return seccomp_rule_add_array(a->ctx, a->act, a->nr, n, c);
}

static int add_rules(scmp_filter_ctx ctx, const struct syscall_spec *s, const struct plan *p,
		     struct seccomp_filter_error *ret_err)
{
	int r;

	for (size_t i = 0; i < s->n_rules; i++) {
		const struct syscall_rule *rule = &s->rules[i];

		/* What a call gets anyway; the parser made sure that no rule without
		 * conditions of the same call could make it an exception. */
		if (p->rule_act[i] == p->filter_default)
			continue;

		/* Each condition compares the bits the kernel reads of its argument
		 * (seccomp-args.h): a rule becomes one libseccomp rule per alternative. */
		for (size_t j = 0; j < rule->n_names; j++) {
			struct add_ctx a = { ctx, p->rule_act[i], rule->names[j].nr };
			const struct syscall_arg_cond *cond = NULL;

			r = seccomp_rule_for_each_alternative(rule, rule->names[j].name,
							      add_alternative, &a, &cond);
			if (r < 0) {
				if (ret_err)
					*ret_err = (struct seccomp_filter_error){ rule,
										  &rule->names[j],
										  cond };
				return r;
			}
		}
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

	r = filter_new(p.filter_default, &ctx);
	if (r < 0)
		return r;
	r = add_rules(ctx, s, &p, ret_err);
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
			r = add_rules(other, s, &p, ret_err);
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

/*
 * The prefix put before libseccomp's program when the policy's default denies or kills: on the
 * native ABI a number no call has gets ENOSYS (so that glibc falls back, from clone3 to clone,
 * say) in two comparisons per run of such numbers, where one libseccomp rule per number made the
 * program some 650 entries longer. Unknown: below SYSCALL_NR_SCAN, what libseccomp has no name
 * for; above it, every number to the end of the ABI. Writes at most @max instructions.
 */
static int enosys_prefix(struct sock_filter *buf, size_t max, size_t *ret_len)
{
	uint32_t arch = seccomp_arch_native();
	uint32_t end = arch == SCMP_ARCH_X86_64 ? SYSCALL_NR_NATIVE_END : SYSCALL_NR_SCAN - 1;
	uint32_t lo[UNKNOWN_RANGES_MAX], hi[UNKNOWN_RANGES_MAX];
	size_t n = 0, len;
	bool in_run = false;

	for (uint32_t nr = 0; nr < SYSCALL_NR_SCAN; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, (int)nr);
		bool unknown = !name;

		free(name);
		if (!unknown) {
			in_run = false;
			continue;
		}
		if (!in_run) {
			if (n == UNKNOWN_RANGES_MAX)
				return -E2BIG;
			lo[n++] = nr;
			in_run = true;
		}
		hi[n - 1] = nr;
	}
	if (in_run)
		hi[n - 1] = end;

	/* ld arch; jeq native; ld nr; per run: jge lo, jgt hi; ja past; ret ENOSYS. */
	len = 3 + 2 * n + 2;
	if (len > max)
		return -E2BIG;
	buf[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	buf[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, len - 2);
	buf[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < n; i++) {
		size_t at = 3 + 2 * i;

		buf[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, lo[i], 0, 1);
		buf[at + 1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, hi[i], 0,
							   len - 1 - (at + 2));
	}
	buf[len - 2] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 1);
	buf[len - 1] =
		(struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					     SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	*ret_len = len;
	return 0;
}

static bool default_needs_enosys(scmp_filter_ctx ctx)
{
	uint32_t def = SCMP_ACT_ALLOW;

	if (seccomp_attr_get(ctx, SCMP_FLTATR_ACT_DEFAULT, &def) < 0)
		return true; /* the prefix is right under any default */
	return def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG && def != SCMP_ACT_ERRNO(ENOSYS);
}

int seccomp_filter_program(scmp_filter_ctx ctx, struct sock_filter **ret_insns, size_t *ret_len)
{
	_cleanup_free_ struct sock_filter *insns = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t prefix = 0;
	off_t size;
	int r;

	fd = memfd_create("secagent-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	if (size == 0 || size % sizeof(struct sock_filter) != 0 ||
	    (size_t)size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -E2BIG;

	insns = calloc(BPF_MAXINSNS, sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	if (default_needs_enosys(ctx)) {
		r = enosys_prefix(insns, BPF_MAXINSNS - size / sizeof(struct sock_filter), &prefix);
		if (r < 0)
			return r;
	}
	if (pread(fd, insns + prefix, size, 0) != size)
		return -EIO;
	*ret_len = prefix + size / sizeof(struct sock_filter);
	*ret_insns = TAKE_PTR(insns);
	return 0;
}

int seccomp_filter_load(scmp_filter_ctx ctx)
{
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct sock_fprog prog;
	size_t len;
	int r;

	r = seccomp_filter_program(ctx, &insns, &len);
	if (r < 0)
		return r;
	prog = (struct sock_fprog){ .len = len, .filter = insns };
	/* What seccomp_load() does under SCMP_FLTATR_CTL_NNP and SCMP_FLTATR_CTL_LOG. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &prog) < 0)
		return -errno;
	return 0;
}

int seccomp_filter_deny_errno(const struct syscall_spec *s, enum policy_mode mode, const char *name,
			      int64_t nr)
{
	enum syscall_action d = syscall_action_effective(s->default_action, mode);
	int found = 0;

	if (!name) {
		/* The prefix of seccomp_filter_program() answers a native number no call has. */
		if ((d == SYSCALL_ACTION_DENY || d == SYSCALL_ACTION_KILL) && nr >= 0 &&
		    nr <= SYSCALL_NR_NATIVE_END)
			return ENOSYS;
		return d == SYSCALL_ACTION_DENY ? s->default_errno : 0;
	}

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

struct oci_ctx {
	json_t *syscalls;
	uint32_t act;
	const struct syscall_name *names;
	size_t n_names;
};

/* One entry of the profile's "syscalls": the names, the action, the comparisons. */
static int oci_rule(const struct seccomp_arg_cmp *cmp, size_t n, void *userdata)
{
	const struct oci_ctx *o = userdata;
	json_t *entry, *names;

	entry = json_object();
	if (!entry || json_array_append_new(o->syscalls, entry) < 0)
		return -ENOMEM;
	names = json_array();
	if (json_object_set_new(entry, "names", names) < 0)
		return -ENOMEM;
	for (size_t j = 0; j < o->n_names; j++)
		if (json_array_append_new(names, json_string_lossy(o->names[j].name)) < 0)
			return -ENOMEM;
	if (json_object_set_new(entry, "action", json_string(action_to_oci(o->act))) < 0)
		return -ENOMEM;
	if (act_is_errno(o->act) &&
	    json_object_set_new(entry, "errnoRet", json_integer(o->act & 0xffffu)) < 0)
		return -ENOMEM;
	if (n > 0) {
		json_t *args = json_array();

		if (json_object_set_new(entry, "args", args) < 0)
			return -ENOMEM;
		/* As runc and crun read it: for SCMP_CMP_MASKED_EQ value is the mask and
		 * valueTwo the value, like libseccomp's datum_a and datum_b. */
		for (size_t k = 0; k < n; k++) {
			json_t *arg = json_object();

			if (!arg || json_array_append_new(args, arg) < 0 ||
			    json_object_set_new(arg, "index", json_integer(cmp[k].index)) < 0 ||
			    json_object_set_new(arg, "value", json_uint64(cmp[k].datum_a)) < 0 ||
			    json_object_set_new(arg, "valueTwo", json_uint64(cmp[k].datum_b)) < 0 ||
			    json_object_set_new(arg, "op", json_string(oci_ops[cmp[k].op])) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int seccomp_filter_export_oci(const struct syscall_spec *s, enum policy_mode mode, FILE *f)
{
	_cleanup_(plan_clear) struct plan p = {};
	_cleanup_(json_decrefp) json_t *profile = NULL;
	json_t *arches, *syscalls;
	int r;

	r = plan_make(s, mode, &p);
	if (r < 0)
		return r;

	/* Numbers no call has cannot be named in a profile: the runtime decides what they get
	 * (runc answers ENOSYS for numbers above every call the profile names). */
	profile = json_object();
	if (!profile || json_object_set_new(profile, "defaultAction",
					    json_string(action_to_oci(p.filter_default))) < 0)
		return -ENOMEM;
	if (act_is_errno(p.filter_default) &&
	    json_object_set_new(profile, "defaultErrnoRet",
				json_integer(p.filter_default & 0xffffu)) < 0)
		return -ENOMEM;
	arches = json_array();
	if (json_object_set_new(profile, "architectures", arches) < 0 ||
	    json_array_append_new(arches, json_string("SCMP_ARCH_X86_64")) < 0)
		return -ENOMEM;
	if ((s->arches & SYSCALL_ARCH_X86) &&
	    json_array_append_new(arches, json_string("SCMP_ARCH_X86")) < 0)
		return -ENOMEM;
	if ((s->arches & SYSCALL_ARCH_X32) &&
	    json_array_append_new(arches, json_string("SCMP_ARCH_X32")) < 0)
		return -ENOMEM;
	/* No "flags" (SECCOMP_FILTER_FLAG_LOG): runc 1.1, Debian 12's, refuses a profile with
	 * any ("seccomp flags are not yet supported by runc"). Kills and audits are logged all
	 * the same; denials only where the runtime sets the flag itself. */
	syscalls = json_array();
	if (json_object_set_new(profile, "syscalls", syscalls) < 0)
		return -ENOMEM;

	for (size_t i = 0; i < s->n_rules; i++) {
		const struct syscall_rule *rule = &s->rules[i];
		struct oci_ctx o = { syscalls, p.rule_act[i] };

		if (p.rule_act[i] == p.filter_default)
			continue;
		if (rule->n_args == 0) {
			o.names = rule->names;
			o.n_names = rule->n_names;
			r = oci_rule(NULL, 0, &o);
			if (r < 0)
				return r;
			continue;
		}
		/* Runtimes compare 64 bits, as libseccomp does: the same alternatives as the
		 * filter (seccomp-args.h), one entry each, a call at a time since the widths of
		 * the arguments differ from call to call. */
		for (size_t j = 0; j < rule->n_names; j++) {
			o.names = &rule->names[j];
			o.n_names = 1;
			r = seccomp_rule_for_each_alternative(rule, rule->names[j].name, oci_rule,
							      &o, NULL);
			if (r < 0)
				return r;
		}
	}
	/* The masks of 64-bit arguments reach 2^64 - 1: every number here is unsigned. */
	if (json_dumpf_unsigned(profile, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
	    fputc('\n', f) == EOF)
		return ferror(f) ? -EIO : -ENOMEM;
	return ferror(f) ? -EIO : 0;
}

int seccomp_filter_check(const struct syscall_spec *s, const char *file, struct diag_list *diags)
{
	struct seccomp_filter_error fe = {};
	int r;

	r = seccomp_filter_build(s, POLICY_MODE_ENFORCE, NULL, &fe);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && fe.cond) {
		const struct source_loc *loc = &fe.cond->loc;
		unsigned width = seccomp_arg_width(fe.name->name, fe.cond->index);

		if (r == -ENOENT)
			r = diag_add(diags, file, loc->line, loc->column,
				     "a condition on argument %u of '%s': secagent does not know "
				     "how many bits of it the kernel reads, so it cannot compare "
				     "what the kernel uses; write the rule without conditions",
				     fe.cond->index, fe.name->name);
		else if (r == -ERANGE)
			r = diag_add(diags, file, loc->line, loc->column,
				     "argument %u of '%s' is %u bits wide as the kernel reads it: "
				     "value %#" PRIx64 "%s never matches",
				     fe.cond->index, fe.name->name, width, fe.cond->value,
				     fe.cond->op == SYSCALL_ARG_MASKED_EQ ? " (or its mask)" : "");
		else if (r == -E2BIG)
			r = diag_add(diags, file, loc->line, loc->column,
				     "the conditions of this rule for '%s' make more than %d "
				     "comparisons of the bits the kernel reads (each ne is one per "
				     "bit); split the rule",
				     fe.name->name, SECCOMP_ARGS_MAX_ALTERNATIVES);
		else
			r = diag_add(diags, file, loc->line, loc->column,
				     "libseccomp refuses this condition for %s: %s", fe.name->name,
				     strerror(-r));
		return r < 0 ? r : 0;
	}
	if (r < 0) {
		const struct source_loc *loc = fe.name	 ? &fe.name->loc
					       : fe.rule ? &fe.rule->loc
							 : &s->loc;

		r = diag_add(diags, file, loc->line, loc->column,
			     "libseccomp refuses this rule%s%s: %s", fe.name ? " for " : "",
			     fe.name ? fe.name->name : "", strerror(-r));
		return r < 0 ? r : 0;
	}
	return 0;
}
