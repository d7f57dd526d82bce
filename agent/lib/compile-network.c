// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Network, socket creation and capability rules to map entries.
 *
 * Ports: every port some rule names falls into a port class, the ports that every rule treats
 * alike (the ranges' boundaries cut 0..65535 into intervals). The hook maps its port to its
 * class with one array lookup and looks up the class's tree besides the tree of rules without
 * ports. A rule with a port range has one entry per class the range spans, so nested or
 * overlapping ranges cost entries; the set is refused beyond COMPILED_MAX_NET_ENTRIES.
 *
 * Addresses: one LPM entry per (selector, family, port class, CIDR). An LPM lookup returns the
 * longest matching prefix only, so each entry also carries, for the bits its own rules do not
 * set, the decision of the longest shorter prefix that covers it (inherited here).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile-network.h"
#include "policy-network.h"
#include "util.h"

struct raw_net {
	struct sa_net_key key; /* slot 0, prefixlen = SA_NET_FIXED_BITS + prefix */
	uint32_t bits;	       /* SA_NET_BIT()s */
	uint32_t verdict, ref;
	size_t order;
};

static int cmp_net_key(const struct sa_net_key *x, const struct sa_net_key *y)
{
	if (x->selector != y->selector)
		return x->selector < y->selector ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->port_class != y->port_class)
		return x->port_class < y->port_class ? -1 : 1;
	int r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	return x->prefixlen < y->prefixlen ? -1 : x->prefixlen > y->prefixlen;
}

static int cmp_raw_net(const void *a, const void *b)
{
	const struct raw_net *x = a, *y = b;
	int r = cmp_net_key(&x->key, &y->key);

	if (r)
		return r;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Same tree (selector, family, port class) and @outer's prefix covers @inner. */
static bool net_covers(const struct sa_net_key *outer, const struct sa_net_key *inner)
{
	unsigned bits = outer->prefixlen - SA_NET_FIXED_BITS;

	if (outer->selector != inner->selector || outer->family != inner->family ||
	    outer->port_class != inner->port_class || outer->prefixlen > inner->prefixlen)
		return false;
	if (memcmp(outer->addr, inner->addr, bits / 8))
		return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff00 >> (bits % 8));

		return (outer->addr[bits / 8] & mask) == (inner->addr[bits / 8] & mask);
	}
	return true;
}

/* The ports some rule names, cut into classes. Returns the number of classes (0: none). */
static int build_port_classes(struct compiled_set *c)
{
	_cleanup_free_ uint8_t *cut = calloc(SA_NET_PORTS + 1, 1);
	_cleanup_free_ uint8_t *covered = calloc(SA_NET_PORTS, 1);
	uint32_t class = 0;
	bool any = false;

	if (!cut || !covered)
		return -ENOMEM;
	for (size_t i = 0; i < c->source->n_policies; i++) {
		const struct policy *p = c->source->policies[i];

		for (size_t j = 0; j < p->n_net_rules; j++)
			for (size_t k = 0; k < p->net_rules[j].n_ports; k++) {
				const struct net_port_range *pr = &p->net_rules[j].ports[k];

				cut[pr->lo] = cut[pr->hi + 1] = 1;
				memset(covered + pr->lo, 1, pr->hi - pr->lo + 1);
				any = true;
			}
	}
	if (!any)
		return 0;
	c->port_class = calloc(SA_NET_PORTS, sizeof(uint32_t));
	if (!c->port_class)
		return -ENOMEM;
	for (uint32_t port = 0; port < SA_NET_PORTS; port++) {
		if (cut[port] || port == 0)
			class ++;
		c->port_class[port] = covered[port] ? class : 0;
	}
	return (int)class;
}

/* Appends one raw entry per (family, address, port class) of @rule. */
static int add_net_rule(struct raw_net **raw, size_t *n_raw, size_t *alloc,
			const struct net_rule_spec *rule, uint8_t selector, uint32_t verdict,
			uint32_t ref, const uint32_t *port_class, size_t *order)
{
	uint32_t protos = rule->protocols ? rule->protocols : (1u << SA_NET_PROTOS) - 1, bits = 0;
	size_t n_addr = rule->n_addrs ? rule->n_addrs : 3; /* any address: one per family */

	for (unsigned op = 0; op < SA_NET_OPS; op++)
		for (unsigned pr = 0; pr < SA_NET_PROTOS; pr++)
			if ((rule->ops >> op & 1) && (protos >> pr & 1))
				bits |= 1u << SA_NET_BIT(op, pr);

	for (size_t a = 0; a < n_addr; a++) {
		struct sa_net_key key = { .selector = selector };
		size_t n_ports = rule->n_ports ? rule->n_ports : 1;

		if (rule->n_addrs) {
			key.family = rule->addrs[a].family;
			key.prefixlen = SA_NET_FIXED_BITS + rule->addrs[a].prefix;
			memcpy(key.addr, rule->addrs[a].addr, sizeof(key.addr));
		} else {
			if (!(rule->families >> a & 1))
				continue;
			key.family = a;
			key.prefixlen = SA_NET_FIXED_BITS;
		}
		for (size_t k = 0; k < n_ports; k++) {
			uint32_t lo = 0, hi = 0;

			if (rule->n_ports) {
				lo = port_class[rule->ports[k].lo];
				hi = port_class[rule->ports[k].hi];
			}
			for (uint32_t cls = lo; cls <= hi; cls++) {
				if (*n_raw >= *alloc) {
					size_t na = *alloc ? *alloc * 2 : 64;
					struct raw_net *g;

					if (na > 4 * (size_t)COMPILED_MAX_NET_ENTRIES)
						return -E2BIG;
					g = reallocarray(*raw, na, sizeof(**raw));
					if (!g)
						return -ENOMEM;
					*raw = g;
					*alloc = na;
				}
				key.port_class = cls;
				(*raw)[(*n_raw)++] = (struct raw_net){
					.key = key,
					.bits = bits,
					.verdict = verdict,
					.ref = ref,
					.order = (*order)++,
				};
			}
		}
	}
	return 0;
}

/* Merge entries with the same key (per bit, deny > audit > allow; the earlier rule on a tie),
 * then let each entry inherit, bit by bit, what the longest covering prefix decides. */
static int merge_net(struct compiled_set *c, struct raw_net *raw, size_t n)
{
	_cleanup_free_ size_t *stack = NULL;
	size_t depth = 0;

	if (n > 0) /* raw may be NULL then, and qsort()'s pointer must not be */
		qsort(raw, n, sizeof(*raw), cmp_raw_net);
	c->net = calloc(n ? n : 1, sizeof(*c->net));
	stack = calloc(n ? n : 1, sizeof(*stack));
	if (!c->net || !stack)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct compiled_net_entry *e;

		if (!c->n_net || cmp_net_key(&c->net[c->n_net - 1].key, &raw[i].key)) {
			c->net[c->n_net++] = (struct compiled_net_entry){
				.key = raw[i].key,
				.rule.version = SA_LAYOUT_VERSION,
			};
		}
		e = &c->net[c->n_net - 1];
		for (unsigned b = 0; b < SA_NET_BITS; b++) {
			/* A stronger verdict replaces; on a tie the earlier rule stays. */
			if (!(raw[i].bits >> b & 1) || e->rule.verdict[b] >= raw[i].verdict + 1)
				continue;
			e->rule.verdict[b] = raw[i].verdict + 1;
			e->rule.prefix[b] = e->key.prefixlen - SA_NET_FIXED_BITS;
			e->rule.rule[b] = raw[i].ref;
		}
	}
	/* Sorted by address, then prefix: a covering prefix comes before what it covers. */
	for (size_t i = 0; i < c->n_net; i++) {
		struct compiled_net_entry *e = &c->net[i];

		while (depth && !net_covers(&c->net[stack[depth - 1]].key, &e->key))
			depth--;
		if (depth) {
			const struct sa_net_rule *up = &c->net[stack[depth - 1]].rule;

			for (unsigned b = 0; b < SA_NET_BITS; b++)
				if (!e->rule.verdict[b]) {
					e->rule.verdict[b] = up->verdict[b];
					e->rule.prefix[b] = up->prefix[b];
					e->rule.rule[b] = up->rule[b];
				}
		}
		stack[depth++] = i;
	}
	return 0;
}

/* By key, then by rule: rule references grow in policy and rule order, so the earlier rule of
 * two with the same key comes first. */
static int cmp_create(const void *a, const void *b)
{
	const struct compiled_create_entry *x = a, *y = b;
	int r = memcmp(&x->key, &y->key, sizeof(x->key));

	return r ? r : x->rule.rule < y->rule.rule ? -1 : x->rule.rule > y->rule.rule;
}

static int cmp_cap(const void *a, const void *b)
{
	const struct compiled_cap_entry *x = a, *y = b;
	int r = memcmp(&x->key, &y->key, sizeof(x->key));

	return r ? r : x->rule.rule < y->rule.rule ? -1 : x->rule.rule > y->rule.rule;
}

/*
 * Entries with equal keys (laid out as key, then rule, @size bytes each, sorted by key with the
 * earlier rule first) become one: the strongest verdict, the earlier rule on a tie.
 */
static size_t merge_simple(uint8_t *entries, size_t n, size_t size, size_t key_size)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t *e = entries + i * size;

		/* The last entry kept, only once there is one: no pointer before the array. */
		if (out > 0) {
			uint8_t *last = entries + (out - 1) * size;
			struct sa_simple_rule *er = (void *)(e + key_size);
			struct sa_simple_rule *lr = (void *)(last + key_size);

			if (!memcmp(e, last, key_size)) {
				if (er->verdict > lr->verdict)
					*lr = *er;
				continue;
			}
		}
		memmove(entries + out++ * size, e, size);
	}
	return out;
}

static int net_diag(struct diag_list *diags, const struct policy *p, struct source_loc loc,
		    const char *what, size_t n, size_t max)
{
	return diag_add(diags, p->file, loc.line, loc.column,
			"the policy set needs %zu %s entries with this rule, at most %zu are "
			"supported",
			n, what, max) < 0
		       ? -ENOMEM
		       : -EINVAL;
}

int compile_network(struct compiled_set *c, struct diag_list *diags)
{
	_cleanup_free_ struct raw_net *raw = NULL;
	size_t n_raw = 0, alloc = 0, order = 0, n_create = 0, n_caps = 0;
	int r;

	r = build_port_classes(c);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->source->n_policies; i++) {
		const struct policy *p = c->source->policies[i];

		for (size_t j = 0; j < p->n_net_rules; j++) {
			const struct net_rule_spec *rule = &p->net_rules[j];

			if (rule->ops & (1u << NET_OP_CREATE)) {
				size_t nt =
					rule->types ? (size_t)__builtin_popcountll(rule->types) : 1;
				size_t nn = rule->netlink
						    ? (size_t)__builtin_popcountll(rule->netlink)
						    : 1;

				n_create += (size_t)__builtin_popcountll(rule->families) * nt * nn;
			}
		}
		for (size_t j = 0; j < p->n_cap_rules; j++)
			n_caps += (size_t)__builtin_popcountll(p->cap_rules[j].caps) +
				  (size_t)__builtin_popcount(p->cap_rules[j].kernel_ops);
	}
	if (n_create > COMPILED_MAX_CREATE_ENTRIES || n_caps > COMPILED_MAX_CAP_ENTRIES)
		return diag_add(diags, c->source->policies[0]->file, 0, 0,
				"the policy set needs %zu socket creation and %zu capability "
				"entries, at most %d and %d are supported",
				n_create, n_caps, COMPILED_MAX_CREATE_ENTRIES,
				COMPILED_MAX_CAP_ENTRIES) < 0
			       ? -ENOMEM
			       : -EINVAL;
	c->create = calloc(n_create ? n_create : 1, sizeof(*c->create));
	c->caps = calloc(n_caps ? n_caps : 1, sizeof(*c->caps));
	if (!c->create || !c->caps)
		return -ENOMEM;

	for (size_t i = 0; i < c->source->n_policies; i++) {
		const struct policy *p = c->source->policies[i];
		uint8_t selector = c->policies[i].selector;

		for (size_t j = 0; j < p->n_net_rules; j++) {
			const struct net_rule_spec *rule = &p->net_rules[j];
			uint32_t ref = SA_RULE_REF((uint32_t)i, (uint32_t)(p->n_file_rules + j));
			uint32_t verdict = compile_verdict(p, rule->head.action,
							   rule->head.has_mode, rule->head.mode);

			if (rule->ops & (1u << NET_OP_CREATE)) {
				for (size_t f = 0; f < net_n_families; f++)
					for (size_t t = 0; t <= net_n_types; t++)
						for (unsigned nl = 0; nl <= 32; nl++) {
							bool fam = rule->families >> f & 1;
							bool type = t < net_n_types
									    ? rule->types >> t & 1
									    : !rule->types;
							bool proto =
								nl < 32 ? rule->netlink >> nl & 1
									: !rule->netlink;

							if (!fam || !type || !proto)
								continue;
							c->create[c->n_create++] = (struct compiled_create_entry){
								.key = {
									.selector = selector,
									.family = net_family_numbers[f],
									.type = t < net_n_types
											? net_type_numbers[t]
											: SA_ANY,
									.protocol = nl < 32 ? nl : SA_ANY,
								},
								.rule = { SA_LAYOUT_VERSION, verdict, ref },
							};
						}
				continue;
			}
			r = add_net_rule(&raw, &n_raw, &alloc, rule, selector, verdict, ref,
					 c->port_class, &order);
			if (r == -E2BIG || (r == 0 && n_raw > COMPILED_MAX_NET_ENTRIES))
				return net_diag(diags, p, rule->head.loc, "network", n_raw,
						COMPILED_MAX_NET_ENTRIES);
			if (r < 0)
				return r;
		}
		for (size_t j = 0; j < p->n_cap_rules; j++) {
			const struct cap_rule_spec *rule = &p->cap_rules[j];
			uint32_t ref = SA_RULE_REF((uint32_t)i, (uint32_t)(p->n_file_rules +
									   p->n_net_rules + j));

			/* Capabilities, then kernel operations past them. */
			for (unsigned cap = 0; cap < SA_KERNEL_KEY(SA_KERNEL_OPS); cap++)
				if (cap <= SA_CAP_MAX
					    ? rule->caps >> cap & 1
					    : rule->kernel_ops >> (cap - SA_KERNEL_KEY(0)) & 1)
					c->caps[c->n_caps++] = (struct compiled_cap_entry){
						.key = { .selector = selector, .cap = cap },
						.rule = { SA_LAYOUT_VERSION,
							  compile_verdict(p, rule->head.action,
									  rule->head.has_mode,
									  rule->head.mode),
							  ref },
					};
		}
	}
	if (c->n_create) {
		qsort(c->create, c->n_create, sizeof(*c->create), cmp_create);
		c->n_create = merge_simple((uint8_t *)c->create, c->n_create, sizeof(*c->create),
					   sizeof(struct sa_create_key));
	}
	if (c->n_caps) {
		qsort(c->caps, c->n_caps, sizeof(*c->caps), cmp_cap);
		c->n_caps = merge_simple((uint8_t *)c->caps, c->n_caps, sizeof(*c->caps),
					 sizeof(struct sa_cap_key));
	}
	return merge_net(c, raw, n_raw);
}
