/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The words of the policy language and of secagent's events, one table each: the parser accepts
 * them (policy*.c), the journal writer writes them (daemon/journal-event.c), the CLI prints them.
 * Tables are indexed by the number they name; NAME_n_names is the table's length.
 */

#include <stddef.h>

#include "policy-model.h"

/* Network rule operations: the first four are enum sa_net_op's. */
enum net_rule_op {
	NET_OP_CONNECT = SA_NET_CONNECT,
	NET_OP_BIND = SA_NET_BIND,
	NET_OP_LISTEN = SA_NET_LISTEN,
	NET_OP_SENDMSG = SA_NET_SENDMSG,
	NET_OP_CREATE,
};

/* The address families connect, bind, listen and sendmsg rules may name: the first entries of
 * net_family_names, in the order of enum sa_net_family (ipv4, ipv6, unix). */
#define NET_ADDRESS_FAMILIES 3

extern const char *const policy_mode_names[]; /* enum policy_mode */
extern const size_t policy_mode_n_names;
extern const char *const rule_action_names[]; /* enum rule_action */
extern const size_t rule_action_n_names;
extern const char *const access_names[]; /* bit numbers of enum sa_access */
extern const size_t access_n_names;
extern const char *const net_op_names[]; /* enum net_rule_op */
extern const size_t net_op_n_names;
extern const char *const net_family_names[];
extern const unsigned net_family_numbers[]; /* AF_* of each */
extern const size_t net_n_families;
extern const char *const net_type_names[];
extern const unsigned net_type_numbers[]; /* SOCK_* of each */
extern const size_t net_n_types;
extern const char *const netlink_names[]; /* NETLINK_* */
extern const size_t netlink_n_names;
extern const char *const net_proto_names[]; /* enum sa_net_proto */
extern const size_t net_proto_n_names;
extern const char *const capability_names[]; /* CAP_* */
extern const size_t capability_n_names;
extern const char *const kernel_op_names[]; /* enum sa_kernel_op */
extern const size_t kernel_op_n_names;

/* Each: the name of @value, or NULL when it has none. */
const char *policy_mode_to_string(enum policy_mode m);
const char *rule_action_to_string(enum rule_action a);
const char *access_bit_to_string(unsigned bit);
const char *kernel_op_to_string(unsigned op);
const char *capability_to_string(unsigned cap);
/* @family is an AF_* number. */
const char *net_family_to_string(unsigned family);
/* "EPERM" for EPERM; NULL for 0 or a number without a name. */
const char *errno_to_name(int e);
