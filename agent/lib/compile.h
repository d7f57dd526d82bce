/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The compiler: turns a policy set into the exact map entries the BPF hooks consult, resolving
 * every path to the identity (device, inode) of the file it names. Nothing here touches BPF, so
 * `secagentctl policy validate` runs it without privileges or a daemon.
 */

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "file-identity.h"
#include "policy-set.h"
#include "secagent.h"

#include "compiled.h"

/*
 * A running container bound to a container policy (selector containers: true), with its root
 * as its entrypoint sees it: image layers and volumes. The policy's file and exec paths and its
 * binaries name files as the container sees them, and are resolved in that root for each bound
 * container; a container policy names no host path.
 */
struct compile_container {
	const char *id;
	const char *policy;
	int root_fd; /* a directory; -1 when lost (a daemon stop): its paths are listed as not
			enforced */
	/* The runtime's program (file identity; ino 0: unknown): the policy does not bind a
	 * process of the container while it runs it, before the entrypoint's exec. */
	uint32_t runtime_dev;
	uint64_t runtime_ino;
};

/*
 * Compiles @set, taking ownership of it (also on failure). Every path becomes the key @ids
 * gives (the daemon: its programs' identity probe); a container policy's paths, in each of
 * @containers bound to it. Paths that cannot be resolved, or that lie on a file system where
 * their key cannot be enforced, are diagnostics. Returns 0 with the compiled set, -EINVAL when
 * @diags got errors, or -ENOMEM.
 */
int compile_policy_set(struct policy_set *set, const struct file_identity_source *ids,
		       const struct compile_container *containers, size_t n_containers,
		       struct diag_list *diags, struct compiled_set **ret_compiled);

struct compiled_set *compiled_set_free(struct compiled_set *c);

/* The first 16 bytes of @name as the hooks read a file's name for the filter: zero past its end. */
void compiled_name_head(const char *name, uint64_t ret_head[2]);

/* Sets in @f (zeroed by the caller) the bits of every file entry of @c: the filter the hooks
 * consult before the lookups (struct sa_file_filter). */
void compiled_file_filter(const struct compiled_set *c, struct sa_file_filter *f);

/* The rule an event's SA_RULE_REF names, or NULL. */
const struct compiled_rule *compiled_set_rule(const struct compiled_set *c, uint32_t ref);
