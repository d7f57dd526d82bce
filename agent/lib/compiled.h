/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The compiled set: the map entries of a policy set, and the bounds on them. What the compiler
 * (compile.c, compile-network.c) writes and the daemon installs. Types only.
 */

#include <stdbool.h>
#include <stdint.h>

#include "file-identity.h"
#include "policy-set.h"
#include "secagent.h"

/* Upper bound on file entries in one compiled set; the BPF map holds two sets. */
#define COMPILED_MAX_FILE_ENTRIES 200000

/* One map entry: everything the rules of one selector say about one file or directory. */
struct compiled_file_entry {
	uint32_t dev; /* kernel dev_t encoding */
	uint64_t ino;
	uint16_t selector; /* 0: every process */
	/* Non-empty: an entry for this name in the directory (dev, ino), not for an inode. */
	char name[SA_NAME_LEN];
	struct sa_file_rule rule;
};

/* Where cgroup2 is mounted; selector cgroup paths are relative to it. */
#define COMPILED_CGROUP_ROOT "/sys/fs/cgroup"

struct compiled_cgroup {
	const char *path; /* relative to the cgroup2 root, owned by the policy set */
	uint64_t selectors;
};

/* A cgroup bound by id: a container's, bound to a container policy while it runs. */
struct compiled_bound_cgroup {
	uint64_t cgroup_id;
	uint64_t selectors;
	unsigned level; /* below the cgroup2 root */
};

struct compiled_binary {
	uint32_t dev;
	uint64_t ino;
	struct sa_binary_value value;
};

/* The selectors of a set: the table the hooks read, and what names a cgroup or a binary. */
struct compiled_selectors {
	struct sa_selector_table table;
	struct compiled_cgroup *cgroups;
	size_t n_cgroups;
	struct compiled_bound_cgroup *bound; /* not compiled: the daemon adds its bindings */
	size_t n_bound;
	struct compiled_binary *binaries;
	size_t n_binaries;
};

struct compiled_rule {
	uint32_t policy_id;
	uint32_t ref;	  /* SA_RULE_REF(policy_id, index within the policy): what events carry */
	const char *path; /* the first path of the rule, for reports */
	unsigned line, column;
};

struct compiled_policy {
	const char *name; /* owned by the policy set */
	const char *file;
	unsigned n_rules;
	size_t first_rule; /* index of its first rule in compiled_set.rules */
	unsigned selector; /* 0: binds every process */
	bool containers;   /* binds only the containers bound to it (selector: containers: true) */
	/* Its posture per kind, as a rule events can name (ref SA_POSTURE_INDEX); line 0 when the
	 * kind allows (no entry: nothing reports it). */
	struct compiled_rule posture[SA_POSTURE_KINDS];
};

/*
 * A path of a rule that says `onUnsupportedFilesystem: notEnforced` and lies on a file system
 * where secagent cannot enforce it: no entry, listed by `status` and `policy show` instead.
 */
struct compiled_not_enforced {
	uint32_t policy_id;
	const char *path;      /* owned by the policy set */
	unsigned line, column; /* the path's */
	char reason[384];      /* "on <file system>", "in container ID: ..." */
};

/* Network entries in one compiled set: the LPM map holds two sets. */
#define COMPILED_MAX_NET_ENTRIES 65536
/* Socket creation and capability entries in one compiled set. */
#define COMPILED_MAX_CREATE_ENTRIES 4096
#define COMPILED_MAX_CAP_ENTRIES    (SA_MAX_SELECTORS * (SA_CAP_MAX + 1 + SA_KERNEL_OPS))

/* One LPM entry; key.slot is set when it is installed. */
struct compiled_net_entry {
	struct sa_net_key key;
	struct sa_net_rule rule;
};

struct compiled_create_entry {
	struct sa_create_key key;
	struct sa_simple_rule rule;
};

struct compiled_cap_entry {
	struct sa_cap_key key;
	struct sa_simple_rule rule;
};

struct compiled_set {
	struct policy_set *source;	  /* owned */
	struct compiled_policy *policies; /* indexed by policy_id */
	size_t n_policies;
	struct compiled_rule *rules; /* indexed by rule_id */
	size_t n_rules;
	struct compiled_file_entry *files;
	size_t n_files;
	bool has_tree_deny; /* some directory subtree is denied: deep walks fail closed */
	bool has_tree;	    /* some rule is for a subtree: without one, hooks need not walk */
	bool has_posture;   /* some selector's posture denies or audits a kind */
	struct compiled_selectors selectors;
	struct compiled_net_entry *net;
	size_t n_net;
	uint32_t *port_class; /* SA_NET_PORTS entries, or NULL when no rule names a port */
	struct compiled_create_entry *create;
	size_t n_create;
	struct compiled_cap_entry *caps;
	size_t n_caps;
	struct compiled_not_enforced *not_enforced;
	size_t n_not_enforced;
};

/* What a rule does once the policy's mode and the rule's own mode are applied. */
static inline uint32_t compile_verdict(const struct policy *p, enum rule_action action,
				       bool has_mode, enum policy_mode rule_mode)
{
	enum policy_mode mode = has_mode ? rule_mode : p->mode;

	switch (action) {
	case RULE_ACTION_DENY:
		return mode == POLICY_MODE_ENFORCE ? SA_VERDICT_DENY : SA_VERDICT_AUDIT;
	case RULE_ACTION_AUDIT:
		return SA_VERDICT_AUDIT;
	case RULE_ACTION_ALLOW:
	default:
		return SA_VERDICT_ALLOW;
	}
}
