/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The policy model: what a YAML policy file says, checked for shape and values but not yet
 * resolved against the file system. The parser fills it, the compiler reads it; the daemon and
 * `secagentctl policy validate` share both, so they can never disagree.
 */

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* Bounds on what one file may grow; each is documented in the README. */
#define POLICY_FILE_MAX_BYTES (1024 * 1024)
#define POLICY_NAME_MAX 63
#define POLICY_MAX_FILE_RULES 4096
#define POLICY_MAX_PATHS_PER_RULE 4096
#define POLICY_PATH_MAX 4095

enum policy_mode {
	POLICY_MODE_ENFORCE,
	POLICY_MODE_AUDIT,
};

enum rule_action {
	RULE_ACTION_DENY,
	RULE_ACTION_AUDIT,
	RULE_ACTION_ALLOW,
};

struct source_loc {
	unsigned line;   /* 1-based */
	unsigned column; /* 1-based */
};

struct policy_path {
	char *path; /* absolute, as written */
	struct source_loc loc;
};

struct file_rule_spec {
	struct policy_path *paths;
	size_t n_paths;
	enum rule_action action;
	bool has_mode; /* a per-rule mode overrides the policy's */
	enum policy_mode mode;
	struct source_loc loc; /* the rule's mapping */
};

struct syscall_spec;

struct policy {
	char *file; /* the path it was read from, for messages */
	char *name;
	struct source_loc name_loc;
	enum policy_mode mode;
	struct file_rule_spec *file_rules;
	size_t n_file_rules;
	struct syscall_spec *syscalls; /* the `syscalls:` section, or NULL (policy-syscalls.h) */
};

/*
 * Parse one policy from a buffer. @file only labels diagnostics. Every problem found is added to
 * @diags (parsing goes on after an error where it can, so one run reports them all). Returns 0 and
 * the policy in @ret_policy when no error was found, -EINVAL when @diags got errors, or another
 * negative errno (-ENOMEM).
 */
int policy_parse_buffer(const char *file, const char *buf, size_t len, struct diag_list *diags,
			struct policy **ret_policy);

/* Like policy_parse_buffer() for a file; an unreadable or oversized file is a diagnostic too. */
int policy_parse_file(const char *path, struct diag_list *diags, struct policy **ret_policy);

struct policy *policy_free(struct policy *p);

const char *policy_mode_to_string(enum policy_mode m);
const char *rule_action_to_string(enum rule_action a);
