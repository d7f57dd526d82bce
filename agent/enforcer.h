/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The enforcer owns the BPF side: it loads and attaches the programs and installs compiled
 * policy sets. A set is written into the inactive slot while the active one keeps deciding, then
 * made active by one store to the state map, then the old slot is emptied.
 */

#include <stdint.h>

#include "compile.h"

struct enforcer;

struct enforcer_config {
	uint32_t max_file_rules; /* per set; the map holds two sets */
	uint32_t ringbuf_bytes;  /* power of two, multiple of the page size */
};

int enforcer_new(const struct enforcer_config *cfg, struct enforcer **ret);
struct enforcer *enforcer_free(struct enforcer *e);

/*
 * Installs @c and makes it active. On failure nothing changes: the previous set keeps deciding.
 * Returns the new generation (seq) or a negative errno.
 */
int enforcer_install(struct enforcer *e, const struct compiled_set *c, uint32_t *ret_seq);

int enforcer_events_map_fd(const struct enforcer *e);
int enforcer_read_counters(const struct enforcer *e, uint64_t ret_counters[SA_COUNTER__MAX]);
uint32_t enforcer_seq(const struct enforcer *e);
