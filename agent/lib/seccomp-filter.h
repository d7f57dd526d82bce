/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * From a policy's `syscalls:` section to a seccomp filter (libseccomp) or to an OCI runtime-spec
 * seccomp profile. Both follow the same plan:
 *
 * - a call no rule names gets the policy's default action; under a default of deny or kill a
 *   native number libseccomp has no call for (below 1024 the numbers it cannot name, above them
 *   every number to the end of the ABI, 2^30 - 1 on x86_64) gets ENOSYS instead, so that a call
 *   newer than libseccomp, or none at all, fails the way glibc expects before it falls back
 *   (clone3 to clone, fchmodat2 to fchmodat). A short prefix of range checks before
 *   libseccomp's program does this (seccomp_filter_program());
 * - a call has one rule without conditions, or rules with conditions only, and then gets the
 *   default when none of them holds (libseccomp lets a rule without conditions swallow the
 *   others, so the parser refuses the mix);
 * - in audit mode (the policy's or the rule's) deny and kill become audit (allow and log);
 * - other ABIs than the native one are refused by killing the process, unless the policy lists
 *   them under architectures:;
 * - the filter logs what it does not allow (SECCOMP_FILTER_FLAG_LOG), and audit rules are
 *   SECCOMP_RET_LOG, so the daemon can report them; libseccomp's binary tree
 *   (SCMP_FLTATR_CTL_OPTIMIZE=2) keeps the cost of a lookup in log n.
 */

#include <linux/filter.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy-syscalls.h"

/* Where a build failed, for a message. */
struct seccomp_filter_error {
	const struct syscall_rule *rule; /* NULL: not a rule's fault */
	const struct syscall_name *name;
	const struct syscall_arg_cond *cond; /* the condition at fault, if one is */
};

/*
 * Builds the filter of @s for a policy in @mode. Returns 0 and the filter in @ret_ctx (when not
 * NULL; free it with seccomp_release()), or a negative errno with @ret_err saying which rule
 * libseccomp refused.
 */
int seccomp_filter_build(const struct syscall_spec *s, enum policy_mode mode,
			 scmp_filter_ctx *ret_ctx, struct seccomp_filter_error *ret_err);

/*
 * The classic BPF program the kernel runs for @ctx (a filter of seccomp_filter_build()):
 * libseccomp's, after the ENOSYS prefix when the default denies or kills. Returns 0 and a
 * malloc()ed array, or a negative errno.
 */
int seccomp_filter_program(scmp_filter_ctx ctx, struct sock_filter **ret_insns, size_t *ret_len);

/* Sets no_new_privs and installs seccomp_filter_program(@ctx) in the calling thread, with
 * SECCOMP_FILTER_FLAG_LOG. Use this, not seccomp_load(), which lacks the prefix. */
int seccomp_filter_load(scmp_filter_ctx ctx);

/* Writes the OCI runtime-spec seccomp profile of @s (for a policy in @mode) as JSON to @f.
 * Returns 0 or a negative errno. */
int seccomp_filter_export_oci(const struct syscall_spec *s, enum policy_mode mode, FILE *f);

/*
 * The errno the filter of @s (in @mode) answers call @name with, when it denies it: the kernel's
 * audit record has the action but not the errno, so the daemon works it out from the policy.
 * @name NULL: a number with no call. Returns the errno, or 0 when it depends on arguments the
 * record does not have (two conditional rules with different errnos) or the call is not denied.
 */
int seccomp_filter_deny_errno(const struct syscall_spec *s, enum policy_mode mode, const char *name,
			      int64_t nr);

/* Builds @s's filter once, so that what libseccomp refuses is an error of the policy (a
 * diagnostic of @file in @diags), reported by `policy validate`, and never a surprise of
 * `secagentctl exec`. Returns 0 (diagnostics or not) or -ENOMEM. */
struct diag_list;
int seccomp_filter_check(const struct syscall_spec *s, const char *file, struct diag_list *diags);
