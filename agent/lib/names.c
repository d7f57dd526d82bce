// SPDX-License-Identifier: GPL-2.0-or-later
/* The words of the policy language (names.h): what the parser accepts, the journal writes and
 * the CLI prints. */
#include <stddef.h>
#include <string.h>

#include "names.h"
#include "util.h"

const char *const policy_mode_names[] = {
	[POLICY_MODE_ENFORCE] = "enforce",
	[POLICY_MODE_AUDIT] = "audit",
};

const char *const rule_action_names[] = {
	[RULE_ACTION_DENY] = "deny",
	[RULE_ACTION_AUDIT] = "audit",
	[RULE_ACTION_ALLOW] = "allow",
};

/* Indexed by bit number of enum sa_access; the names operators write under access:. */
const char *const access_names[] = {
	"read", "write", "create", "unlink", "rename", "setattr", "exec", "mmap",
};

const char *access_bit_to_string(unsigned bit)
{
	return bit < ELEMENTSOF(access_names) ? access_names[bit] : NULL;
}

const char *policy_mode_to_string(enum policy_mode m)
{
	if ((size_t)m >= ELEMENTSOF(policy_mode_names))
		return NULL;
	return policy_mode_names[m];
}

const char *rule_action_to_string(enum rule_action a)
{
	if ((size_t)a >= ELEMENTSOF(rule_action_names))
		return NULL;
	return rule_action_names[a];
}

const char *const net_op_names[] = {
	[NET_OP_CONNECT] = "connect", [NET_OP_BIND] = "bind",	  [NET_OP_LISTEN] = "listen",
	[NET_OP_SENDMSG] = "sendmsg", [NET_OP_CREATE] = "create",
};

/* The first three are the families connect, bind, listen and sendmsg rules may name, in the
 * order of enum sa_net_family; all may be named for create. */
const char *const net_family_names[] = {
	"ipv4", "ipv6",	     "unix", "netlink", "packet", "key",
	"can",	"bluetooth", "alg",  "vsock",	"xdp",
};
const unsigned net_family_numbers[] = { 2, 10, 1, 16, 17, 15, 29, 31, 38, 40, 44 };
const size_t net_n_families = ELEMENTSOF(net_family_names);

const char *const net_type_names[] = { "stream", "dgram", "raw", "rdm", "seqpacket", "packet" };
const unsigned net_type_numbers[] = { 1, 2, 3, 4, 5, 10 };
const size_t net_n_types = ELEMENTSOF(net_type_names);

/* Indexed by NETLINK_* number; 1 and 17 are unused by the kernel and not nameable. */
const char *const netlink_names[] = {
	"route",	 "unused",   "usersock", "firewall",	   "sock_diag",	 "nflog",
	"xfrm",		 "selinux",  "iscsi",	 "audit",	   "fib_lookup", "connector",
	"netfilter",	 "ip6_fw",   "dnrtmsg",	 "kobject_uevent", "generic",	 "unused17",
	"scsitransport", "ecryptfs", "rdma",	 "crypto",	   "smc",
};

const char *const net_proto_names[] = {
	[SA_NET_TCP] = "tcp",
	[SA_NET_UDP] = "udp",
};

const char *const capability_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *const kernel_op_names[] = {
	[SA_KERNEL_MODULE_LOAD] = "module_load",
	[SA_KERNEL_MODULE_REQUEST] = "module_request",
	[SA_KERNEL_KEXEC] = "kexec",
	[SA_KERNEL_BPF_LOAD] = "bpf_load",
	[SA_KERNEL_PTRACE] = "ptrace",
	[SA_KERNEL_MOUNT] = "mount",
	[SA_KERNEL_REMOUNT] = "remount",
	[SA_KERNEL_SETUID_ROOT] = "setuid_root",
};

const char *kernel_op_to_string(unsigned op)
{
	return op < ELEMENTSOF(kernel_op_names) ? kernel_op_names[op] : NULL;
}

const char *capability_to_string(unsigned cap)
{
	return cap < ELEMENTSOF(capability_names) ? capability_names[cap] : NULL;
}

const char *net_family_to_string(unsigned family)
{
	for (size_t i = 0; i < net_n_families; i++)
		if (net_family_numbers[i] == family)
			return net_family_names[i];
	return NULL;
}

const size_t policy_mode_n_names = ELEMENTSOF(policy_mode_names);
const size_t rule_action_n_names = ELEMENTSOF(rule_action_names);
const size_t access_n_names = ELEMENTSOF(access_names);
const size_t net_op_n_names = ELEMENTSOF(net_op_names);
const size_t netlink_n_names = ELEMENTSOF(netlink_names);
const size_t net_proto_n_names = ELEMENTSOF(net_proto_names);
const size_t capability_n_names = ELEMENTSOF(capability_names);
const size_t kernel_op_n_names = ELEMENTSOF(kernel_op_names);

const char *errno_to_name(int e)
{
	return e > 0 ? strerrorname_np(e) : NULL;
}
