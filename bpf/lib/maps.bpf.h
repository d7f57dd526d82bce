/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The maps every hook family shares: defined once (lib/maps.bpf.c defines SA_DEFINE_MAPS before
 * it includes this), declared extern everywhere else; the linker (bpftool gen object) joins them.
 * Names are the daemon's (skeleton) and the pins' (agent/lib/pins.h): they never change.
 */

#include "common.bpf.h"

#ifdef SA_DEFINE_MAPS
#define SA_MAP
#else
#define SA_MAP extern
#endif

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sa_state);
} sa_state SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * 65536); /* resized by the daemon before load */
	__type(key, struct sa_file_key);
	__type(value, struct sa_file_rule);
} sa_file_rules SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * 65536); /* resized by the daemon before load */
	__type(key, struct sa_name_key);
	__type(value, struct sa_file_rule);
} sa_name_rules SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SA_SLOTS);
	__type(key, __u32);
	__type(value, struct sa_selector_table);
} sa_selectors SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SA_SLOTS);
	__type(key, __u32);
	__type(value, struct sa_file_filter);
} sa_file_filter SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * 65536); /* resized by the daemon before load */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sa_net_key);
	__type(value, struct sa_net_rule);
} sa_net_rules SEC(".maps");

/* Port -> port class, per slot (slot * SA_NET_PORTS + port); 0: no rule names the port. */
SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SA_SLOTS *SA_NET_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} sa_net_ports SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * 4096);
	__type(key, struct sa_create_key);
	__type(value, struct sa_simple_rule);
} sa_create_rules SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SA_MAX_SELECTORS * (SA_CAP_MAX + 1 + SA_KERNEL_OPS));
	__type(key, struct sa_cap_key);
	__type(value, struct sa_simple_rule);
} sa_cap_rules SEC(".maps");

/* The daemon that loaded these programs; never pinned (see struct sa_self_info). */
SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sa_self_info);
} sa_self SEC(".maps");

/* The compiler's identity probe (struct sa_identity_probe); never pinned. */
SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sa_identity_probe);
} sa_identity SEC(".maps");

/* The maps and links of that daemon, by id. */
SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct sa_own_key);
	__type(value, __u32);
} sa_own SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sa_cgroup_key);
	__type(value, __u64);
} sa_cgroups SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SA_MAX_SELECTORS * 64);
	__type(key, struct sa_cgroup_path_key);
	__type(value, struct sa_cgroup_path_value);
} sa_cgroup_paths SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SA_MAX_SELECTORS * 64);
	__type(key, struct sa_binary_key);
	__type(value, struct sa_binary_value);
} sa_binaries SEC(".maps");

/* The processes pid 1 forked that have not exec'd a program but the service manager's
 * (service-manager.bpf.c), by task address. Few at a time: a unit's set-up, or pid 1's own
 * helpers. */
SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SA_INIT_CHILDREN_MAX);
	__type(key, __u64);
	__type(value, __u8);
} sa_init_children SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* resized by the daemon before load */
} sa_events SEC(".maps");

SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SA_COUNTER__MAX);
	__type(key, __u32);
	__type(value, __u64);
} sa_counters SEC(".maps");

/* Not pinned: a new daemon counts from zero (its metrics carry its start time). */
SA_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SA_RULE_COUNTS_MAX);
	__type(key, struct sa_rule_count_key);
	__type(value, __u64);
} sa_rule_counts SEC(".maps");

/* The recording's target and what it saw (record.bpf.c); the daemon reads and writes them
 * through the skeleton's .bss. */
extern __u64 sa_record_cgroup_id;
extern char sa_record_cgroup_path[SA_CGROUP_PATH_LEN];
extern __u8 sa_record_syscalls[SA_RECORD_SYSCALLS];
extern __u64 sa_record_syscalls_out_of_range;
