/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Turns a kernel event into a structured journald entry. The MESSAGE_IDs are fixed forever:
 * operators filter on them (journalctl MESSAGE_ID=...), and the catalog documents them. */

#include "secagent.h"

#define SECAGENT_MESSAGE_DENIED "f7ce9cc894ce445b8b9879dac1d856da"
#define SECAGENT_MESSAGE_AUDITED "3b1c2f0e8d6a4b7f9e2d5c4a1b0f8e7d"

/* What the daemon knows about the rule that decided. */
struct event_origin {
	const char *policy; /* name, or NULL when the generation is no longer known */
	const char *policy_file;
	unsigned rule_line, rule_column;
};

const char *event_kind_to_string(uint32_t kind);

/* Returns 0 or a negative errno from sd_journal_send(). */
int journal_send_event(const struct sa_event *ev, const struct event_origin *origin);
