/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the BPF programs and the daemon share: map keys and values, the event layout, counters.
 * Every value and event starts with a layout version, so a daemon never misreads state left by
 * another build (pinned maps outlive the daemon).
 */

#ifdef __bpf__
#include "vmlinux.h"
#else
#include <linux/types.h>
#endif

#define SA_LAYOUT_VERSION 1

#define SA_COMM_LEN 16
/* Bytes of path text an event carries; longer paths are cut at the front component boundary. */
#define SA_PATH_LEN 256
/* Components the event's path walk follows towards the root before it gives up and marks the
 * path as truncated. This bounds only the *reported* path; decisions never depend on it. */
#define SA_PATH_DEPTH 32
/* How often a hook retries a decision that raced with a policy switch before it fails closed. */
#define SA_DECIDE_RETRIES 4

/* The active policy set is one of two slots; rule keys carry the slot they belong to. */
#define SA_SLOTS 2

enum sa_verdict {
	SA_VERDICT_ALLOW = 0, /* an explicit allow: logged nowhere, passes */
	SA_VERDICT_AUDIT = 1, /* log an event, let the access pass */
	SA_VERDICT_DENY = 2,  /* log an event, fail with -EPERM */
};

enum sa_event_kind {
	SA_EVENT_FILE_OPEN = 1,
};

enum sa_event_flags {
	SA_EVENT_PATH_TRUNCATED = 1u << 0,
	SA_EVENT_RACE_FAIL_CLOSED = 1u << 1, /* denied because the policy kept switching under it */
};

enum sa_counter {
	SA_COUNTER_EVENTS_LOST = 0, /* ring buffer full: an event could not be reserved */
	SA_COUNTER_FAIL_CLOSED,     /* a decision could not complete and was denied */
	SA_COUNTER_DENIED,
	SA_COUNTER_AUDITED,
	SA_COUNTER__MAX,
};

/* The switch that makes a whole policy set active at once: one 32-bit store. */
struct sa_state {
	__u32 version;
	__u32 seq; /* bumped on every switch; the active slot is seq % SA_SLOTS */
};

/* Files are keyed by identity, not name: every name of an inode hits the same key. */
struct sa_file_key {
	__u32 slot;
	__u32 dev; /* the kernel's dev_t: major << 20 | minor */
	__u64 ino;
};

struct sa_file_rule {
	__u32 version;
	__u32 verdict; /* enum sa_verdict, with the policy's and rule's mode already applied */
	__u32 policy_id;
	__u32 rule_id;
};

struct sa_event {
	__u32 version;
	__u32 kind; /* enum sa_event_kind */
	__u32 verdict;
	__u32 flags;
	__u32 seq; /* the policy generation that decided, to resolve policy_id */
	__u32 policy_id;
	__u32 rule_id;
	__u32 pid;  /* thread id */
	__u32 tgid; /* process id */
	__u32 uid;
	__u32 gid;
	__u32 dev;
	__u64 ino;
	__u64 ktime_ns;
	char comm[SA_COMM_LEN];
	char path[SA_PATH_LEN];
};
