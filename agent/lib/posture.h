/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * spec.posture: an allow list's default. A policy with a selector says, per kind (files, exec,
 * network, capabilities, kernel), what its processes get for every operation that no rule of any
 * policy binding them decides: deny, audit, or allow (the default). The names of the kinds are
 * owned here, for the parser, the CLI and the replay.
 */

#include "policy-model.h"

struct parse_ctx;
struct ynode;

extern const char *const posture_kind_names[SA_POSTURE_KINDS];

/* The `posture:` key: one action for every kind, or a mapping of kinds to actions. */
int policy_parse_posture(struct parse_ctx *c, const struct ynode *v, void *userdata);

/* After the whole policy is read: a posture that denies needs a selector that binds a part of the
 * host (it would otherwise deny every process what no rule allows). */
int policy_check_posture(struct parse_ctx *c, const struct policy *p);
