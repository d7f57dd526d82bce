/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The policy model: what a YAML policy file says, checked for shape and values but not yet
 * resolved against the file system. The parser (policy.c and its section modules) fills it, the
 * compiler reads it. Types only: every module of the language may include it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secagent.h"

/* Bounds on what one file may grow; each is documented in docs/bounds.md. */
#define POLICY_FILE_MAX_BYTES	  (1024 * 1024)
#define POLICY_NAME_MAX		  63
#define POLICY_MAX_FILE_RULES	  4088 /* POLICY_MAX_RULES: the rest of the range is the postures' */
#define POLICY_MAX_PATHS_PER_RULE 4096
#define POLICY_PATH_MAX		  4095
#define POLICY_MAX_SELECTOR_ITEMS 64 /* cgroups, binaries and uid ranges, each */
/* A selector's cgroup path, relative to the cgroup2 mount: the BPF side compares it whole. */
#define POLICY_CGROUP_PATH_MAX 127
/* How deep a selector's cgroup may be: the hooks look at SA_CGROUP_DEPTH levels from the root. */
#define POLICY_CGROUP_MAX_LEVELS (SA_CGROUP_DEPTH - 1)

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
	unsigned line;	 /* 1-based */
	unsigned column; /* 1-based */
};

struct policy_path {
	char *path; /* absolute, as written; a trailing '/' means the directory's whole subtree */
	struct source_loc loc;
};

struct file_rule_spec {
	struct policy_path *paths;
	size_t n_paths;
	enum rule_action action;
	uint32_t access; /* enum sa_access bits; 0 when not given, which means all */
	bool has_mode;	 /* a per-rule mode overrides the policy's */
	enum policy_mode mode;
	/* onUnsupportedFilesystem: notEnforced. A path on a file system where secagent cannot
	 * enforce it is then listed as not enforced instead of refused. */
	bool accept_unenforced;
	struct source_loc loc; /* the rule's mapping */
};

struct uid_range {
	uint32_t lo, hi; /* inclusive */
	struct source_loc loc;
};

/*
 * Whom a policy binds. Each list that is given must match (they combine with AND); within a
 * list any item matches. A policy without a selector binds every process.
 */
struct policy_selector {
	bool present;
	struct source_loc loc;
	/* Binds only the cgroups of containers that name the policy (io.secagent.policy); the
	 * OCI hook asks the daemon to bind each one as it is created. */
	bool containers;
	struct source_loc containers_loc;
	struct policy_path *cgroups; /* cgroup2 paths like /system.slice/nginx.service: subtrees */
	size_t n_cgroups;
	struct policy_path *binaries; /* executables, by identity */
	size_t n_binaries;
	struct policy_path *except_binaries; /* processes running these are not bound */
	size_t n_except_binaries;
	struct uid_range *uids; /* real uids */
	size_t n_uids;
};

/* spec.posture: per posture kind (enum sa_posture_kind), what the policy's processes get for an
 * operation no rule decides. A kind not given allows, as a policy without a posture does. */
struct policy_posture {
	uint32_t given; /* bit K: kind K was written */
	enum rule_action action[SA_POSTURE_KINDS];
	struct source_loc loc[SA_POSTURE_KINDS];
};

static inline enum rule_action policy_posture_action(const struct policy_posture *pp,
						     enum sa_posture_kind kind)
{
	return pp->given >> kind & 1 ? pp->action[kind] : RULE_ACTION_ALLOW;
}

struct syscall_spec;
struct net_rule_spec;
struct cap_rule_spec;

/* Rules of every kind in one policy (files, exec, network, capabilities): a rule reference
 * has SA_RULE_INDEX_BITS bits for the index, whose top SA_POSTURE_SLOTS are the postures'. */
#define POLICY_MAX_RULES SA_POSTURE_INDEX(0)

struct policy {
	char *file; /* the path it was read from, for messages */
	char *name;
	struct source_loc name_loc;
	enum policy_mode mode;
	struct file_rule_spec *file_rules; /* files: rules, then exec: rules (access exec) */
	size_t n_file_rules;
	struct policy_selector selector;
	struct syscall_spec *syscalls; /* the `syscalls:` section, or NULL (policy-syscalls.h) */
	/* network: and capabilities: rules (policy-network.h); their rule indexes follow the
	 * file rules', network first. */
	struct net_rule_spec *net_rules;
	size_t n_net_rules;
	struct cap_rule_spec *cap_rules;
	size_t n_cap_rules;
	struct policy_posture posture;
};

/* All rules of @p, of every kind. */
static inline size_t policy_n_rules(const struct policy *p)
{
	return p->n_file_rules + p->n_net_rules + p->n_cap_rules;
}
