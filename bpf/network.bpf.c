// SPDX-License-Identifier: GPL-2.0-or-later
/* Network, socket creation and capabilities: rules decided by lib/net-decision.bpf.h. */

#include <bpf/bpf_endian.h>

#include "lib/events.bpf.h"
#include "lib/net-decision.bpf.h"

#define AF_UNIX_NR	    1
#define AF_INET_NR	    2
#define AF_INET6_NR	    10
#define IPPROTO_TCP_NR	    6
#define IPPROTO_UDP_NR	    17
#define IPPROTO_UDPLITE_NR  136
#define IPPROTO_MPTCP_NR    262
#define CAP_OPT_NOAUDIT_BIT 0x2

static __always_inline __u32 sa_net_proto_class(__u32 protocol, __u32 family)
{
	if (family == AF_UNIX_NR)
		return SA_NET_OTHER;
	if (protocol == IPPROTO_TCP_NR || protocol == IPPROTO_MPTCP_NR)
		return SA_NET_TCP;
	if (protocol == IPPROTO_UDP_NR || protocol == IPPROTO_UDPLITE_NR)
		return SA_NET_UDP;
	return SA_NET_OTHER;
}

/* Counts and reports a decision; the hook's return value. */
static __always_inline int sa_net_report(__u32 kind, __u32 access, const struct sa_decision *dec,
					 __u32 family, __u32 protocol, __u32 port, __u32 arg,
					 __u64 hi, __u64 lo)
{
	struct sa_event_record *s;

	sa_count_rule(dec, kind);
	if (!dec->decided || dec->verdict == SA_VERDICT_ALLOW)
		return 0;
	sa_count(dec->verdict == SA_VERDICT_DENY ? SA_COUNTER_DENIED : SA_COUNTER_AUDITED);
	s = sa_event_begin(kind, access, dec);
	if (s) {
		s->ev.family = family;
		s->ev.protocol = protocol;
		s->ev.port = port;
		s->ev.arg = arg;
		__builtin_memcpy(s->ev.addr, &hi, 8);
		__builtin_memcpy(s->ev.addr + 8, &lo, 8);
		sa_event_send(s);
	}
	return dec->verdict == SA_VERDICT_DENY ? -EPERM : 0;
}

/*
 * Decide operation @op on socket @sock_addr with the address at @sa_addr (@sa_len bytes, the
 * kernel's copy of it) or, for @sa_addr 0, the socket's own local address (listen). Global,
 * checked once for the four hooks; scalar arguments.
 */
__attribute__((noinline)) int sa_net_check(__u64 op, __u64 sock_addr, __u64 sa_addr_v, __u64 sa_len)
{
	struct socket *sock = (struct socket *)sock_addr;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct sa_decision dec = {};
	__u64 hi = 0, lo = 0;
	__u32 family = 0, protocol, port = 0, fam, bit;
	__u16 sa_family = 0, nport = 0;

	if (!sk)
		return 0;
	protocol = BPF_CORE_READ(sk, sk_protocol);
	if (sa_addr_v) {
		if (sa_len < 2 || bpf_probe_read_kernel(&sa_family, 2, (void *)sa_addr_v) < 0)
			return 0;
		family = sa_family;
		if (family == AF_INET_NR) {
			__u32 a4 = 0;

			if (sa_len < 8)
				return 0; /* the kernel refuses it (EINVAL) */
			bpf_probe_read_kernel(&nport, 2, (void *)(sa_addr_v + 2));
			bpf_probe_read_kernel(&a4, 4, (void *)(sa_addr_v + 4));
			hi = a4;
		} else if (family == AF_INET6_NR) {
			if (sa_len < 24)
				return 0;
			bpf_probe_read_kernel(&nport, 2, (void *)(sa_addr_v + 2));
			bpf_probe_read_kernel(&hi, 8, (void *)(sa_addr_v + 8));
			bpf_probe_read_kernel(&lo, 8, (void *)(sa_addr_v + 16));
		}
	} else {
		family = BPF_CORE_READ(sk, __sk_common.skc_family);
		nport = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
		if (family == AF_INET_NR) {
			hi = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		} else if (family == AF_INET6_NR) {
			bpf_probe_read_kernel(&hi, 8, &sk->__sk_common.skc_v6_rcv_saddr);
			bpf_probe_read_kernel(&lo, 8,
					      (void *)&sk->__sk_common.skc_v6_rcv_saddr + 8);
		}
	}
	port = bpf_ntohs(nport);
	if (family == AF_INET_NR) {
		fam = SA_NET_IPV4;
	} else if (family == AF_INET6_NR) {
		fam = SA_NET_IPV6;
		/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d. */
		if (hi == 0 && (lo & 0xffffffffULL) == 0xffff0000ULL) {
			fam = SA_NET_IPV4;
			family = AF_INET_NR; /* reported as the IPv4 address it is */
			hi = lo >> 32;
			lo = 0;
		}
	} else if (family == AF_UNIX_NR) {
		fam = SA_NET_UNIX;
		port = 0;
	} else {
		return 0;
	}
	bit = SA_NET_BIT(op & 3, sa_net_proto_class(protocol, family));
	sa_decide_rules(SA_RULES_NET, SA_NET_Q(0, fam, bit), hi, lo, port, &dec);
	return sa_net_report(SA_EVENT_NET_CONNECT + (op & 3), bit, &dec, family, protocol, port, 0,
			     hi, lo)
		       ? -EPERM
		       : 0;
}

SEC("lsm/socket_connect")
int BPF_PROG(sa_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return sa_net_check(SA_NET_CONNECT, sa_addr(sock), sa_addr(address), addrlen) ? -EPERM : 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(sa_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return sa_net_check(SA_NET_BIND, sa_addr(sock), sa_addr(address), addrlen) ? -EPERM : 0;
}

SEC("lsm/socket_listen")
int BPF_PROG(sa_socket_listen, struct socket *sock, int backlog, int ret)
{
	if (ret)
		return ret;
	return sa_net_check(SA_NET_LISTEN, sa_addr(sock), 0, 0) ? -EPERM : 0;
}

/* Datagrams to an explicit address: a connected socket's sends were checked at connect. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(sa_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	void *name;

	if (ret)
		return ret;
	name = BPF_CORE_READ(msg, msg_name);
	if (!name)
		return 0;
	return sa_net_check(SA_NET_SENDMSG, sa_addr(sock), sa_addr(name),
			    BPF_CORE_READ(msg, msg_namelen))
		       ? -EPERM
		       : 0;
}

SEC("lsm/socket_create")
int BPF_PROG(sa_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct sa_decision dec = {};
	__u32 t = type & 0xf; /* without SOCK_NONBLOCK, SOCK_CLOEXEC */

	if (ret)
		return ret;
	if (kern)
		return 0;
	sa_decide_rules(SA_RULES_CREATE, family & 0xffff, t, protocol & 0xffff, 0, &dec);
	return sa_net_report(SA_EVENT_NET_CREATE, 0, &dec, family, protocol, 0, t, 0, 0) ? -EPERM
											 : 0;
}

SEC("lsm/capable")
int BPF_PROG(sa_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	struct sa_decision dec = {};

	if (ret)
		return ret;
	if (cap < 0 || cap > SA_CAP_MAX)
		return 0;
	sa_decide_rules(SA_RULES_CAP, cap, 0, 0, 0, &dec);
	/* A probe the kernel makes without auditing (ns_capable_noaudit) is decided all the
	 * same, but neither counted nor reported: it is not an attempt the process made. */
	if (opts & CAP_OPT_NOAUDIT_BIT)
		return dec.verdict == SA_VERDICT_DENY ? -EPERM : 0;
	if (!dec.decided || dec.verdict == SA_VERDICT_ALLOW) {
		sa_count_rule(&dec, SA_EVENT_CAPABILITY);
		return 0;
	}
	return sa_net_report(SA_EVENT_CAPABILITY, 0, &dec, 0, 0, 0, cap, 0, 0) ? -EPERM : 0;
}
