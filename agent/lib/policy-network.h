/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The `network:` and `capabilities:` sections of a policy. Rules are a list, each with
 * `action:`, an optional `mode:` and its match keys, like file rules:
 *
 *   network:
 *     - operations: [connect, sendmsg]   # connect bind listen sendmsg | create
 *       families: [ipv4, ipv6]           # default ipv4, ipv6 (and what the addresses say)
 *       addresses: [10.0.0.0/8, "fd00::/8"]  # CIDR; IPv4-mapped IPv6 is IPv4; default any
 *       ports: [22, "8000-8999"]         # default any
 *       protocols: [tcp, udp]            # default any
 *       action: deny
 *     - operations: [create]             # socket(2): by family, type, netlink protocol
 *       families: [packet, netlink]
 *       types: [raw]
 *       netlinkProtocols: [audit]
 *       action: deny
 *   capabilities:
 *     - names: [CAP_SYS_MODULE, CAP_SYS_RAWIO]
 *       action: deny
 *   kernel:
 *     - operations: [module_load, module_request, kexec, bpf_load, ptrace, mount, remount,
 *                    setuid_root]
 *       action: deny
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "policy-model.h"
#include "policy-parse.h"

#define NET_MAX_ADDRESSES_PER_RULE 4096
#define NET_MAX_PORTS_PER_RULE	   256

struct net_cidr {
	uint8_t family; /* enum sa_net_family: SA_NET_IPV4 or SA_NET_IPV6 */
	uint8_t prefix;
	uint8_t addr[16]; /* network order; IPv4 in the first four bytes; host bits zero */
	struct source_loc loc;
};

struct net_port_range {
	uint16_t lo, hi; /* inclusive */
	struct source_loc loc;
};

/* What every network and capability rule has; first in each, so one handler parses it. */
struct rule_head {
	enum rule_action action;
	bool has_mode;
	enum policy_mode mode;
	struct source_loc loc;
};

struct net_rule_spec {
	struct rule_head head;
	uint32_t ops;	   /* 1 << enum net_rule_op */
	uint64_t families; /* 1 << index in net_family_names */
	bool has_families;
	struct net_cidr *addrs;
	size_t n_addrs;
	struct net_port_range *ports;
	size_t n_ports;
	uint32_t protocols; /* 1 << enum sa_net_proto; 0: any */
	uint64_t types;	    /* 1 << index in net_type_names; 0: any (create only) */
	uint64_t netlink;   /* 1 << NETLINK_* number; 0: any (create only) */
};

/* A capabilities: rule (caps) or a kernel: rule (kernel_ops); both are decided through the
 * capable map, kernel operations under keys past the capabilities (SA_KERNEL_KEY). */
struct cap_rule_spec {
	struct rule_head head;
	uint64_t caps;	     /* 1 << CAP_* number */
	uint32_t kernel_ops; /* 1 << enum sa_kernel_op */
};

/* The names a policy writes and the numbers they stand for. */
int policy_parse_network(struct parse_ctx *c, const struct ynode *v, void *userdata);
int policy_parse_capabilities(struct parse_ctx *c, const struct ynode *v, void *userdata);
int policy_parse_kernel(struct parse_ctx *c, const struct ynode *v, void *userdata);
void policy_free_network(struct policy *p);
