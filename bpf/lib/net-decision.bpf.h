/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Decisions for network, socket creation and capability rules. Each is a fixed number of hash
 * or LPM lookups per selector the process matches (at most SA_MAX_SELECTORS), never a loop over
 * rules: an address is one longest-prefix lookup, a port one array lookup that gives its class.
 */

#include "decision.bpf.h"

/*
 * A candidate verdict, packed so that the more specific one compares greater: the address
 * prefix length, then how specific the rest of the key is (a port class beats any port; for
 * socket creation, type and protocol beat the family alone), then the verdict (deny > audit >
 * allow). The rule reference rides in the high 32 bits and takes no part in the comparison.
 */
#define SA_SCORE(prefix, specific, verdict1)                                                       \
	(((__u64)(prefix) << 4) | ((specific) << 2) | (verdict1))
#define SA_SCORE_VERDICT(s) (((s)&3) - 1)
#define SA_SCORE_REF(s)	    ((__u32)((s) >> 32))

/* The greater of two packed scores by their low 32 bits, without a branch (see sa_stronger). */
static __always_inline __u64 sa_score_max(__u64 a, __u64 b)
{
	__u64 b_wins = ((a & 0xffffffffULL) - (b & 0xffffffffULL)) >> 63;

	return a ^ ((a ^ b) & (0 - b_wins));
}

static __always_inline int sa_is_self(void)
{
	__u32 zero = 0;
	struct sa_self_info *self = bpf_map_lookup_elem(&sa_self, &zero);

	return self && self->tgid && self->tgid == (__u32)(bpf_get_current_pid_tgid() >> 32);
}

/* A network query in one scalar: slot, selector, family, bit. */
#define SA_NET_Q(slot, family, bit) ((__u64)(slot) | (__u64)(family) << 16 | (__u64)(bit) << 24)

/* One selector's network entry for the address (@hi, @lo as the 16 address bytes) in port
 * class @port_class: the packed score of the bit the query asks about, 0 when none. */
__u64 sa_net_entry(__u64 q, __u64 hi, __u64 lo, __u64 port_class);

/* Every selector in @member: the rules without ports and those of the port's class. */
__u64 sa_net_level(__u64 q, __u64 hi, __u64 lo, __u64 port_class, __u64 member);

/* Socket creation, one selector (@slot_selector: the slot in bit 0, the selector above it): the
 * most specific of (family, type, protocol) with type and protocol or either left as SA_ANY.
 * A global function, so that sa_create_level() sees an unknown score per selector and its
 * iterations prune (inline, 6.12 and later verified 490,000 instructions for this loop). */
__u64 sa_create_entry(__u64 slot_selector, __u64 family, __u64 type, __u64 protocol);

__u64 sa_create_level(__u64 slot, __u64 family, __u64 type, __u64 protocol, __u64 member);

__u64 sa_cap_level(__u64 slot, __u64 cap, __u64 member);

/* What sa_decide_rules() asks. */
enum sa_rules_kind {
	SA_RULES_NET,
	SA_RULES_CREATE,
	SA_RULES_CAP,
};

/*
 * The decision of the active set for a network, creation or capability query, read under the
 * same seqlock as file decisions (sa_decide): it comes wholly from one set, and after
 * SA_DECIDE_RETRIES switches in a row it fails closed. @a..@d are the query's facts: for
 * SA_RULES_NET the query (SA_NET_Q without slot), the address halves and the port; for
 * SA_RULES_CREATE family, type, protocol; for SA_RULES_CAP the capability.
 */
static __always_inline void sa_decide_rules(enum sa_rules_kind kind, __u64 a, __u64 b, __u64 c,
					    __u64 d, struct sa_decision *dec)
{
	__u32 zero = 0, need = kind == SA_RULES_NET	 ? SA_SLOT_HAS_NET
			       : kind == SA_RULES_CREATE ? SA_SLOT_HAS_CREATE
							 : SA_SLOT_HAS_CAPS;

	for (int i = 0; i < SA_DECIDE_RETRIES; i++) {
		struct sa_state *st = bpf_map_lookup_elem(&sa_state, &zero);
		__u32 seq, slot, flags;
		__u64 w = 0;

		if (!st)
			break;
		seq = READ_ONCE_U32(st->seq);
		barrier();
		slot = seq % SA_SLOTS;
		flags = READ_ONCE_U32(st->slot_flags[slot]);
		*dec = (struct sa_decision){ .verdict = SA_VERDICT_ALLOW, .seq = seq };
		if (!(flags & (need | SA_SLOT_HAS_POSTURE)))
			return; /* the set has no such rules: nothing to look up */
		if (!(flags & need)) {
			/* No rules of this kind: only postures can decide. */
		} else if (kind == SA_RULES_NET) {
			__u32 idx = slot * SA_NET_PORTS + (d & (SA_NET_PORTS - 1));
			__u32 *pc = bpf_map_lookup_elem(&sa_net_ports, &idx);

			w = sa_net_level(a | slot, b, c, pc ? *pc : 0, sa_membership(slot));
		} else if (kind == SA_RULES_CREATE) {
			w = sa_create_level(slot, a, b, c, sa_membership(slot));
		} else {
			__u64 named = READ_ONCE_U64(st->slot_cap_keys[slot & 1][(a >> 6) & 1]);

			/* A capability or operation no rule names needs no selectors. */
			if ((named >> (a & 63)) & 1)
				w = sa_cap_level(slot, a, sa_membership(slot));
		}
		/* What no rule decides, a posture may. */
		if (!(w & 3) && (flags & SA_SLOT_HAS_POSTURE))
			w = sa_posture(slot,
				       kind != SA_RULES_CAP ? SA_POSTURE_NETWORK
				       : a > SA_CAP_MAX	    ? SA_POSTURE_KERNEL
							    : SA_POSTURE_CAPABILITIES,
				       sa_membership(slot));
		barrier();
		if (READ_ONCE_U32(st->seq) != seq)
			continue;
		/* The agent itself is exempt; asked only when a rule applies, as these hooks
		 * (connect, sendmsg, capable) run very often. */
		if ((w & 3) && !sa_is_self()) {
			dec->decided = 1;
			dec->verdict = SA_SCORE_VERDICT(w);
			dec->rule_ref = SA_SCORE_REF(w);
		}
		return;
	}
	if (sa_is_self())
		return;
	*dec = (struct sa_decision){ .verdict = SA_VERDICT_DENY,
				     .flags = SA_EVENT_RACE_FAIL_CLOSED,
				     .decided = 1 };
	sa_count(SA_COUNTER_FAIL_CLOSED);
}
