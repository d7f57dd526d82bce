// SPDX-License-Identifier: GPL-2.0-or-later
/* The global functions of lib/net-decision.bpf.h. */

#include "net-decision.bpf.h"

/* One selector's network entry for the address (@hi, @lo as the 16 address bytes) in port
 * class @port_class: the packed score of the bit the query asks about, 0 when none. */
__attribute__((noinline)) __u64 sa_net_entry(__u64 q, __u64 hi, __u64 lo, __u64 port_class)
{
	struct sa_net_key k = {
		.prefixlen = SA_NET_FIXED_BITS + 128,
		.slot = q & 1,
		.selector = (q >> 8) & (SA_MAX_SELECTORS - 1),
		.family = (q >> 16) & 3,
		.port_class = (__u32)port_class,
	};
	__u32 bit = (q >> 24) & 15;
	struct sa_net_rule *r;
	__u64 v;

	__builtin_memcpy(k.addr, &hi, 8);
	__builtin_memcpy(k.addr + 8, &lo, 8);
	r = bpf_map_lookup_elem(&sa_net_rules, &k);
	if (!r || bit >= SA_NET_BITS)
		return 0;
	v = r->verdict[bit] & 3;
	if (!v)
		return 0;
	return (__u64)r->rule[bit] << 32 | SA_SCORE(r->prefix[bit], port_class ? 1 : 0, v);
}

/* Every selector in @member: the rules without ports and those of the port's class. */
__attribute__((noinline)) __u64 sa_net_level(__u64 q, __u64 hi, __u64 lo, __u64 port_class,
					     __u64 member)
{
	__u64 best = 0;

	for (int i = 0; i < SA_MAX_SELECTORS; i++) {
		__u64 qi = q | (__u64)i << 8;

		if (!(member >> i))
			break;
		if (!((member >> i) & 1))
			continue;
		best = sa_score_max(best, sa_net_entry(qi, hi, lo, 0));
		if (port_class)
			best = sa_score_max(best, sa_net_entry(qi, hi, lo, port_class));
	}
	return best;
}

/* Socket creation, one selector (@slot_selector: the slot in bit 0, the selector above it): the
 * most specific of (family, type, protocol) with type and protocol or either left as SA_ANY.
 * A global function, so that sa_create_level() sees an unknown score per selector and its
 * iterations prune (inline, 6.12 and later verified 490,000 instructions for this loop). */
__attribute__((noinline)) __u64 sa_create_entry(__u64 slot_selector, __u64 family, __u64 type,
						__u64 protocol)
{
	__u64 best = 0;

	for (int spec = 0; spec < 4; spec++) {
		struct sa_create_key k = {
			.slot = slot_selector & 1,
			.selector = (__u8)(slot_selector >> 1),
			.family = family,
			.type = spec & 2 ? type : SA_ANY,
			.protocol = spec & 1 ? protocol : SA_ANY,
		};
		struct sa_simple_rule *r = bpf_map_lookup_elem(&sa_create_rules, &k);

		if (r)
			best = sa_score_max(best, (__u64)r->rule << 32 |
							  SA_SCORE(0, spec, (r->verdict & 3) + 1));
	}
	return best;
}

__attribute__((noinline)) __u64 sa_create_level(__u64 slot, __u64 family, __u64 type,
						__u64 protocol, __u64 member)
{
	__u64 best = 0;

	for (int i = 0; i < SA_MAX_SELECTORS; i++) {
		if (!(member >> i))
			break;
		if (!((member >> i) & 1))
			continue;
		best = sa_score_max(best, sa_create_entry((slot & 1) | (__u64)i << 1, family, type,
							  protocol));
	}
	return best;
}

__attribute__((noinline)) __u64 sa_cap_level(__u64 slot, __u64 cap, __u64 member)
{
	__u64 best = 0;

	for (int i = 0; i < SA_MAX_SELECTORS; i++) {
		struct sa_cap_key k = { .slot = slot & 1, .selector = i, .cap = (__u32)cap };
		struct sa_simple_rule *r;

		if (!(member >> i))
			break;
		if (!((member >> i) & 1))
			continue;
		r = bpf_map_lookup_elem(&sa_cap_rules, &k);
		if (r)
			best = sa_score_max(best, (__u64)r->rule << 32 |
							  SA_SCORE(0, 0, (r->verdict & 3) + 1));
	}
	return best;
}
