/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * From a policy's `syscalls:` section to a seccomp filter (libseccomp) or to an OCI runtime-spec
 * seccomp profile. Both follow the same plan:
 *
 * - a call no rule names gets the policy's default action; under a default of deny or kill the
 *   native numbers below 1024 that libseccomp has no call for get ENOSYS instead, so that a call
 *   newer than libseccomp, or none at all, fails the way glibc expects before it falls back
 *   (clone3 to clone, fchmodat2 to fchmodat);
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

#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>

#include "policy-syscalls.h"

/* Where a build failed, for a message. */
struct seccomp_filter_error {
	const struct syscall_rule *rule; /* NULL: not a rule's fault */
	const struct syscall_name *name;
};

/*
 * Builds the filter of @s for a policy in @mode. Returns 0 and the filter in @ret_ctx (when not
 * NULL; free it with seccomp_release()), or a negative errno with @ret_err saying which rule
 * libseccomp refused.
 */
int seccomp_filter_build(const struct syscall_spec *s, enum policy_mode mode,
			 scmp_filter_ctx *ret_ctx, struct seccomp_filter_error *ret_err);

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
