/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * `secagentctl policy test`: what a policy set would decide for recorded events, without a
 * kernel. The precedence is the hooks' (bpf/lib/decision.bpf.h, net-decision.bpf.h), restated
 * here over paths and names instead of inodes; the VM scenario 34-profile-record holds the two
 * together event for event, on the denials the kernel made:
 * - which policies bind the process: no selector binds all; a selector's lists must all match
 *   (the event's cgroup below one of its cgroups, its program one of its binaries by identity and
 *   none of its exceptBinaries, its uid in a range; a container policy binds the events its own
 *   name decided, and a recording's);
 * - files and exec: the object's own rules first, then each directory's subtree rules up to the
 *   root, the first level with a rule deciding (deny over audit over allow); network: the longest
 *   address prefix, then a rule naming the port, then deny over audit over allow; socket creation:
 *   type and protocol over type over protocol over the family; capabilities and kernel
 *   operations: deny over audit over allow;
 * - only when no rule decides, the postures of the binding policies, deny over audit.
 * Paths of rules are compared after resolving their symlinks on this host, as the compiler
 * resolves them to inodes; an event's path is the kernel's.
 */

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "policy-set.h"

enum replay_verdict {
	REPLAY_ALLOW,
	REPLAY_AUDIT,
	REPLAY_DENY,
	REPLAY_UNKNOWN, /* the event lacks what a selector or the rule needs: @why says what */
};

struct replay_decision {
	enum replay_verdict verdict;
	const struct policy *policy; /* that decided; NULL: no rule, allowed */
	struct source_loc loc;	     /* its rule's, or its posture's */
	int posture;		     /* the posture kind that decided, or -1 */
	char why[160];
};

struct replay_ctx;

/* Over @set (kept by the caller); with @enforce, every policy in @enforce_names (NULL: all) as
 * if its mode were enforce. */
int replay_ctx_new(const struct policy_set *set, bool enforce, char *const *enforce_names,
		   size_t n_enforce_names, struct replay_ctx **ret);
void replay_ctx_free(struct replay_ctx *x);

/* The decision for @ev, an event in the schema of `secagentctl events --json`. */
void replay_decide(struct replay_ctx *x, json_t *ev, struct replay_decision *ret);

/* The path of a file named within its file system (an inode hook's event: SECAGENT_PATH_RELATIVE)
 * as mounts in @mountinfo (a /proc/PID/mountinfo) name it; NULL when no mount has it. */
char *mountinfo_place(FILE *mountinfo, const char *device, const char *path);

const char *replay_verdict_name(enum replay_verdict v);
