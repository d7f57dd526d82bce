/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Maps and decision logic the hooks share. Kept apart from the hooks so a test-only program can
 * exercise the decisions; the hooks themselves only gather facts and act on the verdict.
 */

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "secagent.h"

#ifndef EPERM
#define EPERM 1
#endif

#define READ_ONCE_U32(x) (*(volatile __u32 *)&(x))
#define barrier() asm volatile("" ::: "memory")

/* Set by the daemon before load; a larger set of rules needs a larger map (two slots each). */
const volatile __u32 sa_max_file_rules = 65536;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sa_state);
} sa_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * 65536); /* resized by the daemon before load */
	__type(key, struct sa_file_key);
	__type(value, struct sa_file_rule);
} sa_file_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* resized by the daemon before load */
} sa_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SA_COUNTER__MAX);
	__type(key, __u32);
	__type(value, __u64);
} sa_counters SEC(".maps");

/* An event is built here, not on the 512-byte stack; the spill area lets the path writer use a
 * masked offset with a full-length read without the verifier seeing a possible overrun. */
struct sa_scratch {
	struct sa_event ev;
	char spill[SA_PATH_LEN];
	const unsigned char *names[SA_PATH_DEPTH];
	/* Passed from the walk to the writer through memory on purpose: the verifier then sees
	 * one unknown value instead of one exact value per loop exit, and prunes the writer's
	 * states instead of verifying it once per possible depth. */
	__u32 n_names;
	__u32 walk_complete;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sa_scratch);
} sa_scratch_map SEC(".maps");

static __always_inline void sa_count(__u32 counter)
{
	__u64 *v = bpf_map_lookup_elem(&sa_counters, &counter);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * Look a file up in the active policy set. The set is switched by bumping sa_state.seq after the
 * new slot is complete; the old slot is only emptied after the switch. Reading seq before and
 * after the lookup (a seqlock) guarantees the rule came wholly from one set: if seq moved, the
 * slot we read may be half-emptied or refilled, so decide again. Returns 1 with the rule copied
 * out, 0 when no rule matches, -1 when the set kept switching (the caller fails closed).
 */
static __always_inline int sa_file_lookup(__u32 dev, __u64 ino, struct sa_file_rule *ret_rule,
					  __u32 *ret_seq)
{
	__u32 zero = 0;

	for (int i = 0; i < SA_DECIDE_RETRIES; i++) {
		struct sa_state *st = bpf_map_lookup_elem(&sa_state, &zero);
		struct sa_file_rule *r, copy = {};
		struct sa_file_key key = {};
		__u32 seq;
		int found = 0;

		if (!st)
			return -1;
		seq = READ_ONCE_U32(st->seq);
		barrier();
		key.slot = seq % SA_SLOTS;
		key.dev = dev;
		key.ino = ino;
		r = bpf_map_lookup_elem(&sa_file_rules, &key);
		if (r) {
			copy = *r;
			found = 1;
		}
		barrier();
		if (READ_ONCE_U32(st->seq) != seq)
			continue;
		*ret_seq = seq;
		if (found)
			*ret_rule = copy;
		return found;
	}
	return -1;
}
