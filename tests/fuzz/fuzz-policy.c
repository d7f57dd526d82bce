// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: a policy file as an operator could write it, through the parser, the compiler, the
 * seccomp filter build and the OCI export, the way `secagentctl policy validate` and the daemon
 * take it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "compile.h"
#include "diag.h"
#include "policy-set.h"
#include "policy.h"
#include "seccomp-filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	struct policy_set *set;
	struct compiled_set *c = NULL;

	if (policy_parse_buffer("fuzz.yaml", (const char *)data, size, &diags, &p) < 0) {
		diag_list_clear(&diags);
		return 0;
	}
	if (p->syscalls) {
		FILE *f = fopen("/dev/null", "we");

		if (f) {
			(void)seccomp_filter_export_oci(p->syscalls, p->mode, f);
			fclose(f);
		}
	}
	set = calloc(1, sizeof(*set));
	if (set)
		set->policies = calloc(1, sizeof(*set->policies));
	if (!set || !set->policies) {
		policy_free(p);
		if (set)
			policy_set_free(set);
		diag_list_clear(&diags);
		return 0;
	}
	set->policies[set->n_policies++] = p;
	/* The compiler owns the set from here on, whatever it returns. */
	if (compile_policy_set(set, &file_identity_stat, NULL, 0, &diags, &c) >= 0)
		compiled_set_free(c);
	diag_list_clear(&diags);
	return 0;
}
