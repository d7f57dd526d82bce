/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The `syscalls:` section of a policy: what a seccomp filter built from it does with each system
 * call. Parsed here; seccomp-filter.c turns it into a libseccomp filter or an OCI profile.
 *
 *   syscalls:
 *     default: deny            # allow | deny | kill | audit: calls no rule names
 *     defaultErrno: EPERM      # for default: deny (default EPERM)
 *     architectures: [x86]     # non-native ABIs to let through (x86, x32); default none
 *     rules:
 *       - names: [socket]
 *         action: deny         # allow | deny | kill | audit
 *         errno: EAFNOSUPPORT  # for action: deny (default EPERM)
 *         args:                # all must hold (AND); a rule per alternative (OR)
 *           - {arg: 0, op: eq, value: AF_PACKET}
 *
 * Calls the kernel has but libseccomp does not know, or no call at all, get ENOSYS whatever the
 * default: glibc falls back on ENOSYS (clone3 to clone, for one).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "policy-model.h"

#define SYSCALL_MAX_RULES	   4096
#define SYSCALL_MAX_NAMES_PER_RULE 1024
#define SYSCALL_MAX_ARGS	   6 /* a system call has six arguments */
#define SYSCALL_ERRNO_MAX	   4095

enum syscall_action {
	SYSCALL_ACTION_ALLOW,
	SYSCALL_ACTION_DENY,  /* fail with an errno */
	SYSCALL_ACTION_KILL,  /* kill the whole process (SIGSYS) */
	SYSCALL_ACTION_AUDIT, /* allow and log */
	_SYSCALL_ACTION_MAX,
};

enum syscall_arg_op {
	SYSCALL_ARG_EQ,
	SYSCALL_ARG_NE,
	SYSCALL_ARG_LT,
	SYSCALL_ARG_LE,
	SYSCALL_ARG_GT,
	SYSCALL_ARG_GE,
	SYSCALL_ARG_MASKED_EQ, /* (arg & mask) == value */
	_SYSCALL_ARG_OP_MAX,
};

/* Non-native ABIs a policy may let through (x86_64 hosts). */
#define SYSCALL_ARCH_X86 (1u << 0)
#define SYSCALL_ARCH_X32 (1u << 1)

struct syscall_arg_cond {
	unsigned index; /* 0..5 */
	enum syscall_arg_op op;
	uint64_t value;
	uint64_t mask; /* SYSCALL_ARG_MASKED_EQ only */
	struct source_loc loc;
};

struct syscall_name {
	char *name;
	int nr; /* libseccomp's number: negative for a call only other ABIs have */
	struct source_loc loc;
};

struct syscall_rule {
	struct syscall_name *names;
	size_t n_names;
	enum syscall_action action;
	int errno_value; /* SYSCALL_ACTION_DENY: 1..4095 */
	bool has_mode;	 /* a per-rule mode overrides the policy's */
	enum policy_mode mode;
	struct syscall_arg_cond *args;
	size_t n_args;
	struct source_loc loc;
};

struct syscall_spec {
	enum syscall_action default_action;
	int default_errno;
	unsigned arches; /* SYSCALL_ARCH_* */
	struct syscall_rule *rules;
	size_t n_rules;
	struct source_loc loc;
};

/* The handler of the `syscalls` key of spec (userdata: struct policy); 0 or -ENOMEM. The policy's
 * mode is applied when the filter is built, so the order of the keys does not matter. */
struct parse_ctx;
struct ynode;
int policy_parse_syscalls(struct parse_ctx *c, const struct ynode *v, void *userdata);

struct syscall_spec *syscall_spec_free(struct syscall_spec *s);

const char *syscall_action_to_string(enum syscall_action a);
const char *syscall_arg_op_to_string(enum syscall_arg_op op);

/* What @a becomes under @mode: in audit mode deny and kill only log. */
enum syscall_action syscall_action_effective(enum syscall_action a, enum policy_mode mode);
