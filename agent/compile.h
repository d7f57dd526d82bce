/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The compiler: turns a policy set into the exact map entries the BPF hooks consult, resolving
 * every path to the identity (device, inode) of the file it names. Nothing here touches BPF, so
 * `secagentctl policy validate` runs it without privileges or a daemon.
 */

#include <stdint.h>

#include "diag.h"
#include "policy-set.h"
#include "secagent.h"

/* Upper bound on file entries in one compiled set; the BPF map holds two sets. */
#define COMPILED_MAX_FILE_ENTRIES 200000

struct compiled_file_entry {
	uint32_t dev; /* kernel dev_t encoding */
	uint64_t ino;
	struct sa_file_rule rule;
	const char *path; /* the path that bound it, owned by the policy set */
};

struct compiled_policy {
	const char *name; /* owned by the policy set */
	const char *file;
	unsigned n_rules;
};

struct compiled_rule {
	uint32_t policy_id;
	const char *path; /* the first path of the rule, for reports */
	unsigned line, column;
};

struct compiled_set {
	struct policy_set *source; /* owned */
	struct compiled_policy *policies; /* indexed by policy_id */
	size_t n_policies;
	struct compiled_rule *rules; /* indexed by rule_id */
	size_t n_rules;
	struct compiled_file_entry *files;
	size_t n_files;
};

/*
 * Compiles @set, taking ownership of it (also on failure). Paths that cannot be resolved are
 * diagnostics. Returns 0 with the compiled set, -EINVAL when @diags got errors, or -ENOMEM.
 */
int compile_policy_set(struct policy_set *set, struct diag_list *diags,
		       struct compiled_set **ret_compiled);

struct compiled_set *compiled_set_free(struct compiled_set *c);

/* The kernel's dev_t from a user-space st_dev: the kernel keeps major << 20 | minor. */
uint32_t kernel_dev_from_stat(uint64_t st_dev);
