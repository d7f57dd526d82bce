/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The policy model: what a YAML policy file says, checked for shape and values but not yet
 * resolved against the file system. The parser fills it, the compiler reads it; the daemon and
 * `secagentctl policy validate` share both, so they can never disagree.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "secagent.h"

/* Bounds on what one file may grow; each is documented in the README. */
#define POLICY_FILE_MAX_BYTES (1024 * 1024)
#define POLICY_NAME_MAX 63
#define POLICY_MAX_FILE_RULES 4096
#define POLICY_MAX_PATHS_PER_RULE 4096
#define POLICY_PATH_MAX 4095
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
	unsigned line;   /* 1-based */
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
	bool has_mode; /* a per-rule mode overrides the policy's */
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

struct syscall_spec;
struct net_rule_spec;
struct cap_rule_spec;

/* Rules of every kind in one policy (files, exec, network, capabilities): a rule reference
 * has SA_RULE_INDEX_BITS bits for the index. */
#define POLICY_MAX_RULES (1u << SA_RULE_INDEX_BITS)

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
};

/* All rules of @p, of every kind. */
static inline size_t policy_n_rules(const struct policy *p)
{
	return p->n_file_rules + p->n_net_rules + p->n_cap_rules;
}

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

/* With POLICY_PARSE_TRUSTED, the file opened must also be one only root may write (owned by
 * root, not group- or world-writable), checked on the descriptor that is read. */
#define POLICY_PARSE_TRUSTED (1u << 0)
int policy_parse_file_flags(const char *path, unsigned flags, struct diag_list *diags,
			    struct policy **ret_policy);

/* 1 (and a diagnostic) when @st, of @path, is writable by someone other than root; 0 when it is
 * trusted; -ENOMEM. The policy directory and its files are the security boundary. */
struct stat;
int policy_check_trusted(const char *path, const struct stat *st, struct diag_list *diags);

struct policy *policy_free(struct policy *p);

const char *policy_mode_to_string(enum policy_mode m);
const char *rule_action_to_string(enum rule_action a);

/* The policy-language name of access bit @bit (0 = read ...), NULL past the last. */
const char *access_bit_to_string(unsigned bit);

/* @name is 1..POLICY_NAME_MAX characters of [a-z0-9-]: safe in a control request. The parser
 * checks more (a DNS label) and says what is wrong. */
bool policy_name_valid(const char *name);

/* A runtime's container id: 1..CONTAINER_ID_MAX bytes of [A-Za-z0-9_.-] not starting with '.';
 * safe in a control request and as a file name. The hook checks it before it asks, the daemon
 * again when it is asked. */
#define CONTAINER_ID_MAX 128
bool container_id_valid(const char *id);

/* The number of components of cgroup path @path ("/" is 0, "/a/b" is 2): its level. */
unsigned cgroup_path_levels(const char *path);
