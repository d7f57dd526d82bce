/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Argument conditions as the kernel reads the argument. A seccomp filter sees six 64-bit
 * registers, but the kernel reads an `int` or `unsigned int` argument as its low 32 bits (and a
 * umode_t as its low 16): socket(0x100000010, ...) makes a netlink socket. Comparing 64 bits
 * would let such a call past a rule; so every condition is turned into alternatives (ORed) of
 * masked equality over the bits the kernel uses, exact whatever the upper bits hold:
 *   eq v         (x & W) == v
 *   ne v         one alternative per bit: bit i of x differs from bit i of v
 *   lt v         one per set bit i of v: x agrees with v above i and has bit i clear
 *   gt v         one per clear bit i of v: x agrees with v above i and has bit i set
 *   le, ge       lt v+1, gt v-1 (or always true at the end of the range)
 *   masked_eq    (x & m & W) == v
 * where W is the argument's width mask. 64-bit arguments keep the plain comparison.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy-syscalls.h"

/* Alternatives of one rule after expansion (the product over its conditions): a bound, so
 * that a rule with several `ne` conditions cannot make a filter of millions of rules. */
#define SECCOMP_ARGS_MAX_ALTERNATIVES 256
/* Alternatives of one condition: at most one per bit, and one for the 64-bit forms. */
#define SECCOMP_ARGS_MAX_PER_COND 64

/* How many low bits of argument @index of system call @name the kernel uses on x86_64: 16, 32
 * or 64; 0 when secagent does not know the call (then a condition on it is refused). */
unsigned seccomp_arg_width(const char *name, unsigned index);

/* One comparison, in libseccomp's terms (op: enum scmp_compare). */
struct seccomp_arg_cmp {
	unsigned index;
	int op;
	uint64_t datum_a, datum_b;
};

/*
 * The alternatives that together hold exactly when @cond holds of the low @width bits. Writes
 * at most SECCOMP_ARGS_MAX_PER_COND to @ret and returns how many; 0 means the condition never
 * holds, -1 that it always holds (no comparison needed); -ERANGE when the value (or mask) has
 * bits above @width, which the kernel never sees.
 */
int seccomp_arg_expand(const struct syscall_arg_cond *cond, unsigned width,
		       struct seccomp_arg_cmp ret[SECCOMP_ARGS_MAX_PER_COND]);

/*
 * Calls @fn once per alternative of @rule's conditions for its system call @name: the product of
 * each condition's alternatives (no call when a condition never holds; one call with n 0 for a
 * rule without conditions). Returns the number of alternatives, or -ENOENT for a call whose
 * argument widths are not known (ret_cond: the condition), -ERANGE for a value or mask wider
 * than its argument, -E2BIG past SECCOMP_ARGS_MAX_ALTERNATIVES, or what @fn returned if
 * negative.
 */
typedef int (*seccomp_alt_fn)(const struct seccomp_arg_cmp *cmp, size_t n, void *userdata);
int seccomp_rule_for_each_alternative(const struct syscall_rule *rule, const char *name,
				      seccomp_alt_fn fn, void *userdata,
				      const struct syscall_arg_cond **ret_cond);
