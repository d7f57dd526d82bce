// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* reallocarray() */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy-network.h"
#include "util.h"

static int invalid_value(struct parse_ctx *c, const struct ynode *n, const char *fmt)
{
	_cleanup_free_ char *e = escape_value(n->value, n->length);
	int r;

	if (!e)
		return -ENOMEM;
	r = node_error(c, n, fmt, e);
	return r < 0 ? r : 0;
}

/* "10.0.0.0/8", "192.0.2.1" (/32), "fd00::/8", "::1"; IPv4-mapped IPv6 becomes IPv4. */
static int parse_cidr(struct parse_ctx *c, const struct ynode *n, struct net_cidr *ret)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct net_cidr cidr = { .loc = n->loc };
	const char *s, *slash;
	unsigned long prefix;
	unsigned max;
	char *end;
	int r;

	r = node_string(c, n, "an address", &s);
	if (r <= 0)
		return r;
	slash = strchr(s, '/');
	if (strlen(s) >= sizeof(buf) || (slash && (size_t)(slash - s) >= sizeof(buf)))
		return invalid_value(c, n,
				     "invalid address '%s' (expected an IPv4 or IPv6 address "
				     "or CIDR like 10.0.0.0/8 or fd00::/8)");
	memcpy(buf, s, slash ? (size_t)(slash - s) : strlen(s) + 1);
	buf[slash ? slash - s : (long)strlen(s)] = '\0';
	if (inet_pton(AF_INET, buf, cidr.addr) == 1) {
		cidr.family = SA_NET_IPV4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, cidr.addr) == 1) {
		cidr.family = SA_NET_IPV6;
		max = 128;
	} else
		return invalid_value(c, n,
				     "invalid address '%s' (expected an IPv4 or IPv6 address "
				     "or CIDR like 10.0.0.0/8 or fd00::/8)");
	prefix = max;
	if (slash) {
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || slash[1] < '0' || slash[1] > '9' ||
		    prefix > max)
			return invalid_value(c, n,
					     max == 32 ? "invalid prefix length in '%s' "
							 "(expected 0 to 32)"
						       : "invalid prefix length in '%s' "
							 "(expected 0 to 128)");
	}
	cidr.prefix = prefix;
	for (unsigned bit = prefix; bit < max; bit++)
		if (cidr.addr[bit / 8] & (0x80 >> (bit % 8)))
			return invalid_value(c, n,
					     "address '%s' has bits set past its prefix "
					     "length (write the network address)");
	/* ::ffff:a.b.c.d/N (N >= 96) is what the kernel matches as a.b.c.d/(N - 96). */
	if (cidr.family == SA_NET_IPV6 && prefix >= 96 &&
	    !memcmp(cidr.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		memmove(cidr.addr, cidr.addr + 12, 4);
		memset(cidr.addr + 4, 0, 12);
		cidr.family = SA_NET_IPV4;
		cidr.prefix = prefix - 96;
	}
	*ret = cidr;
	return 1;
}

/* 22, "22" or "8000-8999". */
static int parse_port(struct parse_ctx *c, const struct ynode *n, struct net_port_range *ret)
{
	unsigned long lo, hi;
	const char *s;
	char *end;
	int r;

	r = node_string(c, n, "a port or port range", &s);
	if (r <= 0)
		return r;
	errno = 0;
	lo = strtoul(s, &end, 10);
	hi = lo;
	if (end != s && *end == '-' && end[1] >= '0' && end[1] <= '9')
		hi = strtoul(end + 1, &end, 10);
	if (errno || end == s || *end || s[0] < '0' || s[0] > '9' || lo > hi || hi > 65535)
		return invalid_value(c, n,
				     "invalid port or port range '%s' (expected N or N-M with "
				     "N <= M <= 65535)");
	*ret = (struct net_port_range){ .lo = lo, .hi = hi, .loc = n->loc };
	return 1;
}

/* A sequence of up to @max items, each parsed by @item into an array of @size-byte elements. */
static int parse_items(struct parse_ctx *c, const struct ynode *v, const char *what, size_t max,
		       size_t size, int (*item)(struct parse_ctx *, const struct ynode *, void *),
		       void **ret_items, size_t *ret_n)
{
	uint8_t *items;
	size_t n;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE || v->n_items == 0) {
		r = node_error(c, v, "expected a non-empty sequence of %s, found %s", what,
			       ynode_kind(v));
		return r < 0 ? r : 0;
	}
	n = v->n_items;
	if (n > max) {
		r = node_error(c, v->items[max], "too many %s in one rule (at most %zu)", what,
			       max);
		if (r < 0)
			return r;
		n = max;
	}
	items = calloc(n, size);
	if (!items)
		return -ENOMEM;
	free(*ret_items);
	*ret_items = items;
	*ret_n = 0;
	for (size_t i = 0; i < n; i++) {
		r = item(c, v->items[i], items + *ret_n * size);
		if (r < 0)
			return r;
		if (r > 0)
			(*ret_n)++;
	}
	return 0;
}

static int cidr_item(struct parse_ctx *c, const struct ynode *n, void *ret)
{
	return parse_cidr(c, n, ret);
}

static int port_item(struct parse_ctx *c, const struct ynode *n, void *ret)
{
	return parse_port(c, n, ret);
}

static int parse_net_operations(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct net_rule_spec *rule = userdata;
	uint64_t mask;
	int r = node_enum_mask(c, v, "operation", net_op_names, net_op_n_names, &mask);

	if (r > 0)
		rule->ops = (uint32_t)mask;
	return r < 0 ? r : 0;
}

static int parse_net_families(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct net_rule_spec *rule = userdata;
	int r = node_enum_mask(c, v, "family", net_family_names, net_n_families, &rule->families);

	if (r > 0)
		rule->has_families = true;
	return r < 0 ? r : 0;
}

static int parse_net_addresses(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct net_rule_spec *rule = userdata;

	return parse_items(c, v, "addresses", NET_MAX_ADDRESSES_PER_RULE, sizeof(struct net_cidr),
			   cidr_item, (void **)&rule->addrs, &rule->n_addrs);
}

static int parse_net_ports(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct net_rule_spec *rule = userdata;

	return parse_items(c, v, "ports", NET_MAX_PORTS_PER_RULE, sizeof(struct net_port_range),
			   port_item, (void **)&rule->ports, &rule->n_ports);
}

static int parse_net_protocols(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct net_rule_spec *rule = userdata;
	uint64_t mask;
	int r = node_enum_mask(c, v, "protocol", net_proto_names, net_proto_n_names, &mask);

	if (r > 0)
		rule->protocols = (uint32_t)mask;
	return r < 0 ? r : 0;
}

static int parse_net_types(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct net_rule_spec *rule = userdata;
	int r = node_enum_mask(c, v, "socket type", net_type_names, net_n_types, &rule->types);

	return r < 0 ? r : 0;
}

static int parse_net_netlink(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct net_rule_spec *rule = userdata;
	int r = node_enum_mask(c, v, "netlink protocol", netlink_names, netlink_n_names,
			       &rule->netlink);

	return r < 0 ? r : 0;
}

/* action: and mode: of any rule that starts with a struct rule_head. */
static int parse_head_action(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct rule_head *head = userdata;
	int r = node_action(c, v, &head->action);

	return r < 0 ? r : 0;
}

static int parse_head_mode(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct rule_head *head = userdata;
	int r = node_mode(c, v, &head->mode);

	if (r > 0)
		head->has_mode = true;
	return r < 0 ? r : 0;
}

static const struct key_def net_rule_keys[] = {
	{ "operations", true, parse_net_operations },
	{ "families", false, parse_net_families },
	{ "addresses", false, parse_net_addresses },
	{ "ports", false, parse_net_ports },
	{ "protocols", false, parse_net_protocols },
	{ "types", false, parse_net_types },
	{ "netlinkProtocols", false, parse_net_netlink },
	{ "action", true, parse_head_action },
	{ "mode", false, parse_head_mode },
};

static const struct section net_rule_section = {
	"network rule",
	net_rule_keys,
	ELEMENTSOF(net_rule_keys),
};

/* What the keys of one rule must agree on, once all are read. */
static int check_net_rule(struct parse_ctx *c, const struct ynode *n, struct net_rule_spec *rule)
{
	const uint64_t address_families = (1ULL << NET_ADDRESS_FAMILIES) - 1;
	const uint64_t ip = 1ULL << SA_NET_IPV4 | 1ULL << SA_NET_IPV6;
	int r = 0;

	if (!rule->ops)
		return 0; /* reported already */
	if (rule->ops & (1u << NET_OP_CREATE)) {
		if (rule->ops != 1u << NET_OP_CREATE)
			r = node_error(c, n,
				       "operation create cannot share a rule with connect, bind, "
				       "listen or sendmsg (write a rule for each)");
		else if (rule->n_addrs || rule->n_ports || rule->protocols)
			r = node_error(c, n,
				       "a create rule matches families, types and "
				       "netlinkProtocols, not addresses, ports or protocols");
		else if (!rule->has_families)
			r = node_error(c, n, "a create rule must name the families it applies to");
		else if (rule->netlink && rule->families != 1ULL << 3 /* netlink */)
			r = node_error(c, n, "netlinkProtocols needs families: [netlink] only");
		return r < 0 ? r : 0;
	}
	if (rule->types || rule->netlink) {
		r = node_error(c, n,
			       "types and netlinkProtocols apply to the create operation only");
		return r < 0 ? r : 0;
	}
	if (!rule->has_families)
		rule->families = rule->n_addrs ? 0 : ip;
	for (size_t i = 0; i < rule->n_addrs; i++) {
		if (rule->has_families && !(rule->families & (1ULL << rule->addrs[i].family))) {
			r = diag_add(c->diags, c->file, rule->addrs[i].loc.line,
				     rule->addrs[i].loc.column,
				     "address is %s, but families does not list it",
				     net_family_names[rule->addrs[i].family]);
			if (r < 0)
				return r;
		}
		if (!rule->has_families)
			rule->families |= 1ULL << rule->addrs[i].family;
	}
	if (rule->families & ~address_families)
		r = node_error(c, n,
			       "connect, bind, listen and sendmsg rules take families ipv4, "
			       "ipv6 and unix only");
	else if ((rule->families & (1ULL << SA_NET_UNIX)) &&
		 (rule->n_addrs || rule->n_ports || rule->protocols))
		r = node_error(c, n,
			       "unix sockets have no addresses, ports or protocols to match: "
			       "write a separate rule for family unix");
	return r < 0 ? r : 0;
}

static int append_rules(struct parse_ctx *c, const struct ynode *v, struct policy *p, size_t size,
			void **rules, size_t *n_rules,
			int (*one)(struct parse_ctx *, const struct ynode *, void *))
{
	uint8_t *grown;
	int r;

	if (v->type == YNODE_INVALID)
		return 0;
	if (v->type != YNODE_SEQUENCE) {
		r = node_error(c, v, "expected a sequence of rules, found %s", ynode_kind(v));
		return r < 0 ? r : 0;
	}
	if (v->n_items == 0)
		return 0;
	grown = reallocarray(*rules, *n_rules + v->n_items, size);
	if (!grown)
		return -ENOMEM;
	*rules = grown;
	for (size_t i = 0; i < v->n_items; i++) {
		void *rule = grown + (*n_rules)++ * size;

		memset(rule, 0, size);
		r = one(c, v->items[i], rule);
		if (r < 0)
			return r;
	}
	return 0;
}

static int one_net_rule(struct parse_ctx *c, const struct ynode *n, void *userdata)
{
	struct net_rule_spec *rule = userdata;
	int r;

	rule->head.loc = n->loc;
	r = parse_section(c, n, &net_rule_section, rule);
	if (r < 0 || n->type != YNODE_MAPPING)
		return r;
	return check_net_rule(c, n, rule);
}

int policy_parse_network(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;

	return append_rules(c, v, p, sizeof(struct net_rule_spec), (void **)&p->net_rules,
			    &p->n_net_rules, one_net_rule);
}

static int parse_cap_names(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct cap_rule_spec *rule = userdata;
	int r = node_enum_mask(c, v, "capability", capability_names, capability_n_names,
			       &rule->caps);

	return r < 0 ? r : 0;
}

static int parse_kernel_ops(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct cap_rule_spec *rule = userdata;
	uint64_t mask;
	int r = node_enum_mask(c, v, "kernel operation", kernel_op_names, kernel_op_n_names, &mask);

	if (r > 0)
		rule->kernel_ops = (uint32_t)mask;
	return r < 0 ? r : 0;
}

static const struct key_def kernel_rule_keys[] = {
	{ "operations", true, parse_kernel_ops },
	{ "action", true, parse_head_action },
	{ "mode", false, parse_head_mode },
};

static const struct section kernel_rule_section = {
	"kernel rule",
	kernel_rule_keys,
	ELEMENTSOF(kernel_rule_keys),
};

static int one_kernel_rule(struct parse_ctx *c, const struct ynode *n, void *userdata)
{
	struct cap_rule_spec *rule = userdata;

	rule->head.loc = n->loc;
	return parse_section(c, n, &kernel_rule_section, rule);
}

int policy_parse_kernel(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;

	return append_rules(c, v, p, sizeof(struct cap_rule_spec), (void **)&p->cap_rules,
			    &p->n_cap_rules, one_kernel_rule);
}

static const struct key_def cap_rule_keys[] = {
	{ "names", true, parse_cap_names },
	{ "action", true, parse_head_action },
	{ "mode", false, parse_head_mode },
};

static const struct section cap_rule_section = {
	"capabilities rule",
	cap_rule_keys,
	ELEMENTSOF(cap_rule_keys),
};

static int one_cap_rule(struct parse_ctx *c, const struct ynode *n, void *userdata)
{
	struct cap_rule_spec *rule = userdata;

	rule->head.loc = n->loc;
	return parse_section(c, n, &cap_rule_section, rule);
}

int policy_parse_capabilities(struct parse_ctx *c, const struct ynode *v, void *userdata)
{
	struct policy *p = userdata;

	return append_rules(c, v, p, sizeof(struct cap_rule_spec), (void **)&p->cap_rules,
			    &p->n_cap_rules, one_cap_rule);
}

void policy_free_network(struct policy *p)
{
	for (size_t i = 0; i < p->n_net_rules; i++) {
		free(p->net_rules[i].addrs);
		free(p->net_rules[i].ports);
	}
	free(p->net_rules);
	free(p->cap_rules);
}
