/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A policy set: every policy of one directory (or of a list of files), parsed and checked
 * together, since names must be unique across the set. */

#include "diag.h"
#include "policy.h"

#define POLICY_SET_MAX_FILES 1024
/* The symlink a Kubernetes ConfigMap volume renames to switch every key at once (each key is a
 * symlink through it): a directory read while it switched is read again, never used mixed. */
#define POLICY_DIR_DATA_LINK	 "..data"
#define POLICY_DIR_READ_ATTEMPTS 3

struct policy_set {
	struct policy **policies;
	size_t n_policies;
	unsigned extra_refs; /* policy_set_ref() calls not yet matched by policy_set_free() */
};

/* Whether a directory entry named @name is a policy file ("*.yaml", not a dot file). */
bool policy_file_name_valid(const char *name);

/* The policy files of @dir ("*.yaml", at most POLICY_SET_MAX_FILES), in name order, after
 * checking that only root may change the directory; each file is checked when it is parsed.
 * Problems go to @diags. Returns 0, -EINVAL when @diags got errors, or -ENOMEM. */
int policy_dir_list(const char *dir, struct diag_list *diags, char ***ret_files, size_t *ret_n);

/* Reads every regular "*.yaml" file of @dir, in name order, all of one version of a ConfigMap
 * volume (POLICY_DIR_DATA_LINK). Problems go to @diags. Returns 0 with the set, -EINVAL when
 * @diags got errors, or another negative errno. */
int policy_set_load_dir(const char *dir, struct diag_list *diags, struct policy_set **ret_set);

/* The same for an explicit list of files; @flags: POLICY_PARSE_* for each file (the directory's
 * files are read with POLICY_PARSE_TRUSTED). */
int policy_set_load_files(char *const *files, size_t n_files, unsigned flags,
			  struct diag_list *diags, struct policy_set **ret_set);

/* Adds @p (taken, freed on error) to @s, whose only reference the caller holds; -EINVAL with a
 * diagnostic when its name is already used. */
int policy_set_append(struct policy_set *s, struct policy *p, struct diag_list *diags);

/* Another reference: a compiled set owns its source, and the daemon compiles the active source
 * again when a container is bound or unbound. */
struct policy_set *policy_set_ref(struct policy_set *s);
/* Drops a reference; the last one frees. */
struct policy_set *policy_set_free(struct policy_set *s);
