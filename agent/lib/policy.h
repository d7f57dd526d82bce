/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The policy parser: a YAML file to the policy model (policy-model.h), checked for shape and
 * values but not yet resolved against the file system. The daemon and `secagentctl policy
 * validate` share it, so they can never disagree.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "names.h"
#include "policy-model.h"

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
