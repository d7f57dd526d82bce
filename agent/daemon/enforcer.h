/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The enforcer owns the BPF side: it loads and attaches the programs and installs compiled
 * policy sets. A set is written into the inactive slot while the active one keeps deciding, then
 * made active by one store to the state map, then the old slot is emptied.
 */

#include <stdint.h>

#include "compile.h"
#include "file-identity.h"

struct enforcer;

#include <stdbool.h>

/* File entries a set may hold unless --max-file-rules says otherwise. */
#define ENFORCER_DEFAULT_FILE_RULES 65536

struct enforcer_config {
	const char *pin_dir;	 /* bpffs directory where state outlives the daemon */
	uint32_t max_file_rules; /* per set, at most COMPILED_MAX_FILE_ENTRIES; the map holds two */
	uint32_t ringbuf_bytes;	 /* power of two, multiple of the page size */
	bool count_rules;	 /* count decisions per rule (sa_rule_counts), for metrics */
};

/*
 * Loads and attaches the programs. If a previous daemon left compatible state pinned, its maps
 * are adopted (the active set keeps deciding throughout) and its links stay attached until
 * enforcer_take_over(); incompatible pinned state is never used, only replaced.
 */
int enforcer_new(const struct enforcer_config *cfg, struct enforcer **ret);
/* The LSM hooks this kernel lacks, whose rules are not enforced: "a,b" or "none". */
const char *enforcer_hooks_off(const struct enforcer *e);
/* The LSM hooks the daemon's programs are attached to now, comma-separated, in @buf; 0 or
 * -ENOBUFS. */
int enforcer_hooks_attached(const struct enforcer *e, char *buf, size_t size);

bool enforcer_adopted(const struct enforcer *e);

/* Where the compiler takes file keys from: the loaded programs' identity probe, so a compiled
 * key is the one the hooks compute (sa_inode_dev()). */
struct file_identity_source enforcer_identity_source(struct enforcer *e);

/* Once the first set is installed: pin our links and maps, retire the previous daemon's. */
int enforcer_take_over(struct enforcer *e);

/* For an orderly stop: remove every pin, so enforcement ends when the daemon exits. */
void enforcer_remove_pins(struct enforcer *e);
struct enforcer *enforcer_free(struct enforcer *e);

/*
 * Installs @c and makes it active. On failure nothing changes: the previous set keeps deciding.
 * Returns the new generation (seq) or a negative errno.
 */
int enforcer_install(struct enforcer *e, const struct compiled_set *c, uint32_t *ret_seq);

/* Changes the selector bits of a bound cgroup in the active set, in place (container bindings). */
int enforcer_update_bound_cgroup(struct enforcer *e, uint64_t cgroup_id, uint64_t set,
				 uint64_t clear);

int enforcer_events_map_fd(const struct enforcer *e);
/* The per-rule decision counts (rule-counts.h) and the decisions they had no room for. */
int enforcer_rule_counts_fd(const struct enforcer *e);
uint64_t enforcer_rule_counts_unrecorded(const struct enforcer *e);

struct enforcer_program_stats {
	char name[64];
	uint64_t run_time_ns, run_count;
};
/* What the kernel counted for each loaded program (kept while kernel.bpf_stats_enabled is 1);
 * @ret is malloc'ed. */
int enforcer_program_stats(const struct enforcer *e, struct enforcer_program_stats **ret,
			   size_t *ret_n);

int enforcer_read_counters(const struct enforcer *e, uint64_t ret_counters[SA_COUNTER__MAX]);

/* The system call recorder: attached for the processes of the cgroup at @cgroup_path (relative to
 * the cgroup2 root; @cgroup_id 0 when it does not exist yet), one recording at a time (-EBUSY). */
int enforcer_record_start(struct enforcer *e, const char *cgroup_path, uint64_t cgroup_id);
/* Detaches it; what it saw: a nonzero byte per call number, and calls past SA_RECORD_SYSCALLS. */
int enforcer_record_stop(struct enforcer *e, uint8_t ret_seen[SA_RECORD_SYSCALLS],
			 uint64_t *ret_out_of_range);
