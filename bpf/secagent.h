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

#define SA_LAYOUT_VERSION 10

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

/*
 * How many directories a hook walks up from a file (crossing mounts) to find subtree rules. A
 * walk that reaches the bound without reaching the root cannot know whether a deny subtree lies
 * above: if the active set has any deny subtree, the access is denied and counted (fail closed).
 */
#define SA_TREE_DEPTH 256

/* A rule reference: the policy's index and the rule's index within it. */
#define SA_RULE_INDEX_BITS	   12
#define SA_RULE_REF(policy, index) (((policy) << SA_RULE_INDEX_BITS) | (index))
#define SA_RULE_POLICY(ref)	   ((ref) >> SA_RULE_INDEX_BITS)
#define SA_RULE_INDEX(ref)	   ((ref) & ((1u << SA_RULE_INDEX_BITS) - 1))

/* What a file rule controls; a hook checks one of these. */
enum sa_access {
	SA_ACCESS_READ = 1u << 0,
	SA_ACCESS_WRITE = 1u << 1, /* also append and truncate */
	SA_ACCESS_CREATE = 1u << 2,
	SA_ACCESS_UNLINK = 1u << 3,
	SA_ACCESS_RENAME = 1u << 4,  /* both the source and the target side */
	SA_ACCESS_SETATTR = 1u << 5, /* chmod, chown, utimes */
	SA_ACCESS_EXEC = 1u << 6,
	SA_ACCESS_MMAP_EXEC = 1u << 7, /* mmap or mprotect with PROT_EXEC */
};
#define SA_ACCESS_BITS 8
#define SA_ACCESS_ALL  ((1u << SA_ACCESS_BITS) - 1)

enum sa_verdict {
	SA_VERDICT_ALLOW = 0, /* an explicit allow: logged nowhere, passes */
	SA_VERDICT_AUDIT = 1, /* log an event, let the access pass */
	SA_VERDICT_DENY = 2,  /* log an event, fail with -EPERM */
};

enum sa_event_kind {
	SA_EVENT_FILE_OPEN = 1,
	SA_EVENT_FILE_CREATE,
	SA_EVENT_FILE_UNLINK,
	SA_EVENT_FILE_RENAME,
	SA_EVENT_FILE_SETATTR,
	SA_EVENT_FILE_EXEC,
	SA_EVENT_FILE_MMAP,
	SA_EVENT_FILE_TRUNCATE,
	SA_EVENT_NET_CONNECT,
	SA_EVENT_NET_BIND,
	SA_EVENT_NET_LISTEN,
	SA_EVENT_NET_SENDMSG,
	SA_EVENT_NET_CREATE,
	SA_EVENT_CAPABILITY,
	/* Self-protection: an attempt on the agent by another process (flag SA_EVENT_SELF). */
	SA_EVENT_TAMPER_BPF,	/* arg: the bpf() command; ino: the object's id */
	SA_EVENT_TAMPER_MAP,	/* ino: the map id another process asked an fd for */
	SA_EVENT_TAMPER_SIGNAL, /* arg: the signal */
	SA_EVENT_TAMPER_PTRACE, /* arg: the ptrace access mode */
	SA_EVENT_TAMPER_UNPIN,	/* path: the pin's name */
	SA_EVENT_KERNEL,	/* arg: enum sa_kernel_op; path: module, file or fs type */
};

enum sa_event_flags {
	SA_EVENT_PATH_TRUNCATED = 1u << 0,
	SA_EVENT_RACE_FAIL_CLOSED = 1u << 1, /* denied because the policy kept switching under it */
	SA_EVENT_DEPTH_FAIL_CLOSED = 1u << 2, /* denied because the walk hit SA_TREE_DEPTH */
	SA_EVENT_PATH_RELATIVE = 1u
				 << 3, /* the hook saw no mount: path from the file system root */
	SA_EVENT_SELF = 1u << 4,       /* decided by self-protection, not by a policy */
};

enum sa_counter {
	SA_COUNTER_EVENTS_LOST = 0, /* ring buffer full: an event could not be reserved */
	SA_COUNTER_FAIL_CLOSED,	    /* a decision could not complete and was denied */
	SA_COUNTER_DENIED,
	SA_COUNTER_AUDITED,
	SA_COUNTER__MAX,
};

/*
 * Decisions per rule, for the daemon's metrics (when it exports them): one per-CPU count per
 * generation, rule, event kind and verdict that decided something. Counted before coalescing and
 * rate limits, so they never change a count. A decision that finds the map full is counted in
 * sa_rule_counts_unrecorded instead (and in sa_counters, like every decision).
 */
#define SA_RULE_COUNTS_MAX 16384

struct sa_rule_count_key {
	__u32 seq; /* the generation that decided: its rule_ref is resolved in that set */
	__u32 rule_ref;
	__u32 kind;    /* enum sa_event_kind */
	__u32 verdict; /* enum sa_verdict */
};

enum sa_slot_flags {
	SA_SLOT_HAS_TREE_DENY = 1u << 0, /* the set denies some subtree: deep walks fail closed */
	SA_SLOT_HAS_TREE = 1u << 1,	 /* some rule is for a subtree: the hooks walk up */
	SA_SLOT_HAS_NET = 1u << 2,	 /* network rules: the socket hooks look them up */
	SA_SLOT_HAS_CREATE = 1u << 3,	 /* socket creation rules */
	SA_SLOT_HAS_CAPS = 1u << 4,	 /* capability rules */
	SA_SLOT_HAS_POSTURE = 1u << 5,	 /* some selector's posture denies or audits a kind */
};

/*
 * A posture: what a policy with a selector gives its processes for every operation of a kind
 * that no rule (of any policy binding them) decides. Kinds as the policy language names them
 * (lib/posture.c owns the names).
 */
enum sa_posture_kind {
	SA_POSTURE_FILES,
	SA_POSTURE_EXEC,
	SA_POSTURE_NETWORK,
	SA_POSTURE_CAPABILITIES,
	SA_POSTURE_KERNEL,
	SA_POSTURE_KINDS,
};
/* The table's room per kind: a power of two, so the hooks mask the index. */
#define SA_POSTURE_SLOTS 8
/* A posture's rule reference: the top indexes of its policy's range are kept for postures. */
#define SA_POSTURE_INDEX(kind) ((1u << SA_RULE_INDEX_BITS) - SA_POSTURE_SLOTS + (kind))
#define SA_RULE_IS_POSTURE(ref)                                                                    \
	(SA_RULE_INDEX(ref) >= (1u << SA_RULE_INDEX_BITS) - SA_POSTURE_SLOTS)
#define SA_RULE_POSTURE_KIND(ref) (SA_RULE_INDEX(ref) - SA_POSTURE_INDEX(0))

/* The switch that makes a whole policy set active at once: one 32-bit store of seq. */
struct sa_state {
	__u32 version;
	__u32 seq; /* bumped on every switch; the active slot is seq % SA_SLOTS */
	__u32 slot_flags[SA_SLOTS];
	/* Per slot, bit K of the 128: some capability or kernel rule has key K (a capability, or
	 * SA_KERNEL_KEY(op)); the hooks find the process's selectors only for those. */
	__u64 slot_cap_keys[SA_SLOTS][2];
};

/*
 * Selectors: which processes a policy binds. Selector 0 binds every process; each policy with a
 * selector gets its own index 1..SA_MAX_SELECTORS-1. A hook computes once per call the set of
 * selectors the current process matches (a bit mask) and consults only their rules.
 */
#define SA_MAX_SELECTORS 64
/* Levels of the cgroup hierarchy a hook looks at, from the root down (level 0) to find a
 * selector's cgroup among the process's ancestors. A selector cgroup may be at most
 * SA_CGROUP_DEPTH - 1 levels deep (checked when a policy is parsed and a container bound); the
 * process itself may be any depth below it. */
#define SA_CGROUP_DEPTH	   32
#define SA_MAX_UID_RANGES  64
#define SA_CGROUP_PATH_LEN 128

struct sa_uid_range {
	__u32 lo, hi;
	__u64 selectors;
};

/* One slot's selectors; switched with the slot like the rules. */
struct sa_selector_table {
	__u32 version;
	__u32 n_uid_ranges;
	__u64 in_use;	  /* selectors that have rules; 0: every hook skips the matching */
	__u64 any_cgroup; /* selectors without a cgroups: condition (and selector 0) */
	__u64 any_binary;
	__u64 any_uid;
	/* Bit L: some selector's cgroup (named or a bound container's) is L levels below the root.
	 * The hooks look up only those of the process's ancestors; other processes pay nothing
	 * per level (a recording's or a container's posture costs the rest of the host little). */
	__u64 cgroup_levels;
	/* Some selector names a program (sa_binaries has entries): else no hook reads the current
	 * program's identity. */
	__u32 has_binaries;
	__u32 pad;
	struct sa_uid_range uid_ranges[SA_MAX_UID_RANGES];
	/* Per posture kind, the selectors whose posture denies or audits it; and each selector's
	 * policy, for the posture's rule reference. */
	__u64 posture_deny[SA_POSTURE_SLOTS];
	__u64 posture_audit[SA_POSTURE_SLOTS];
	__u32 selector_policy[SA_MAX_SELECTORS];
};

/* Selectors naming a cgroup, by the cgroup's id (its inode number in cgroup2). */
struct sa_cgroup_key {
	__u32 slot;
	__u32 pad;
	__u64 cgroup_id;
};

/* Selectors naming a cgroup by path, so that one created later (a unit restarted) binds as it
 * is created; value: the selector masks per slot. */
struct sa_cgroup_path_key {
	char path[SA_CGROUP_PATH_LEN];
};

struct sa_cgroup_path_value {
	__u64 selectors[SA_SLOTS];
};

/*
 * A recording (secagentctl profile record): the system calls the processes of one cgroup make,
 * one byte per call number. The daemon sets the target and attaches the program only while a
 * recording runs (sa_record_cgroup_id 0: none); a cgroup made anew at the target's path
 * (sa_record_cgroup_path, relative to the cgroup2 root: a unit restarted) takes over as it is
 * created.
 */
#define SA_RECORD_SYSCALLS 1024 /* call numbers recorded; higher ones are counted apart */

/* Files are keyed by identity, not name: every name of an inode hits the same key. The
 * selector part lets rules of policies bound to different processes coexist on one inode. */
struct sa_file_key {
	__u16 slot;
	__u16 selector;
	__u32 dev; /* the kernel's dev_t: major << 20 | minor */
	__u64 ino;
};

/* A name a rule binds in its directory, so that whatever file gets that name (created later,
 * or put there by rename) is covered. Longer names are bound by inode only. */
#define SA_NAME_LEN 64

struct sa_name_key {
	__u16 slot;
	__u16 selector;
	__u32 dev; /* of the directory */
	__u64 ino;
	char name[SA_NAME_LEN];
};

/*
 * Per slot, a filter of every key the slot's file entries have, whatever their selector: the
 * inode of an inode entry; the directory and name of a name entry, and the directory alone.
 * Each key sets two bits. A
 * hook whose file (and, when the slot has subtree rules, each directory above it) finds a clear
 * bit can have no entry and is allowed without the lookups; a set bit only sends it to them.
 * Switched with the slot like the rules. 2^22 bits (512 KiB) a slot: with 200,000 entries a key
 * that has none finds both its bits set about once in a hundred.
 */
#define SA_FILTER_BITS_LOG2 22
#define SA_FILTER_WORDS	    (1u << (SA_FILTER_BITS_LOG2 - 6))

struct sa_file_filter {
	__u64 words[SA_FILTER_WORDS];
};

/* One multiply and a fold: a hook computes up to three hashes per call, so they are cheap. */
static __inline __u64 sa_filter_mix(__u64 h)
{
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static __inline __u64 sa_filter_inode_hash(__u32 dev, __u64 ino)
{
	return sa_filter_mix(ino ^ ((__u64)dev << 32 | dev));
}

/* A directory in which some name entry is (whatever the name): a file whose directory misses
 * this needs no look at its name. */
static __inline __u64 sa_filter_names_dir_hash(__u32 dev, __u64 dir_ino)
{
	return sa_filter_mix(sa_filter_inode_hash(dev, dir_ino) ^ 0x6e616d6573ULL);
}

/* A name by its directory, its length and its first 16 bytes (zero past its end): names that
 * share all of these share their bits, and are told apart by the lookup. */
static __inline __u64 sa_filter_name_hash(__u32 dev, __u64 dir_ino, __u32 len, __u64 head0,
					  __u64 head1)
{
	__u64 h = sa_filter_inode_hash(dev, dir_ino) ^ ((__u64)len << 48);

	return sa_filter_mix(sa_filter_mix(h ^ head0) ^ head1);
}

/* The two bits of hash @h: word index and bit, for each. */
#define SA_FILTER_BIT_MASK ((1ULL << SA_FILTER_BITS_LOG2) - 1)
#define SA_FILTER_BIT0(h)  ((h)&SA_FILTER_BIT_MASK)
#define SA_FILTER_BIT1(h)  (((h) >> 32) & SA_FILTER_BIT_MASK)

/* Selectors naming an executable, by the identity of the file the process runs. */
struct sa_binary_key {
	__u32 slot;
	__u32 dev;
	__u64 ino;
};

struct sa_binary_value {
	__u64 selectors; /* selectors whose binaries: list names it */
	__u64 excluded;	 /* selectors whose exceptBinaries: list names it */
	/* Selectors that bind its processes only in what they exec: a container's runtime, whose
	 * set-up before the entrypoint's exec is not the container's, but whose exec of the
	 * entrypoint is. */
	__u64 until_exec;
	/* The same, only for a process still in the service manager's set-up of a unit
	 * (sa_init_children): pid 1 forked it, and it has exec'd nothing since but the manager's
	 * executor. A unit's own process that runs the manager's program is bound. */
	__u64 until_exec_from_init;
	/* The manager's executor (systemd-executor): the one program its forked child execs
	 * before the unit's command. */
	__u32 service_executor;
	__u32 pad;
};

/* Processes pid 1 forked that are still in the manager's set-up, at most (docs/bounds.md).
 * Beyond, a child's set-up is bound by its unit's policies (fail closed, counted). */
#define SA_INIT_CHILDREN_MAX 4096

/* The set-up's stages, the values of sa_init_children. */
enum sa_init_child {
	SA_INIT_CHILD_FORKED = 1, /* runs pid 1's program */
	SA_INIT_CHILD_EXECUTOR,	  /* exec'd the executor, which execs the unit's command next */
};

/*
 * Everything the rules say about one file or directory, merged by the compiler. For each
 * verdict, the access bits it takes: exact[] for the inode itself, tree[] for everything below
 * it (a directory rule written with a trailing '/'). Modes are applied already (a deny in audit
 * mode is an audit). The first level of the walk, from the file upwards, that decides an access
 * wins; within a level deny beats audit beats allow. *_rule[] name the deciding rule per bit.
 */
struct sa_file_rule {
	__u32 version;
	__u32 exact[3]; /* indexed by enum sa_verdict */
	__u32 tree[3];
	__u32 exact_rule[SA_ACCESS_BITS];
	__u32 tree_rule[SA_ACCESS_BITS];
	/* In the selector-0 entry only: the other selectors that have an entry for this inode. */
	__u64 scoped;
};

/*
 * Network rules. A hook checks one bit: the operation and the protocol class of the socket.
 * Addresses are matched in an LPM trie whose key starts with fixed fields (slot, selector,
 * family, port class) followed by the address: the longest matching prefix is one lookup.
 */
enum sa_net_op {
	SA_NET_CONNECT = 0,
	SA_NET_BIND,
	SA_NET_LISTEN,
	SA_NET_SENDMSG, /* datagrams sent to an explicit address (connectionless sockets) */
	SA_NET_OPS,
};

enum sa_net_proto {
	SA_NET_TCP = 0, /* IPPROTO_TCP, IPPROTO_MPTCP */
	SA_NET_UDP,	/* IPPROTO_UDP, IPPROTO_UDPLITE */
	SA_NET_OTHER,	/* everything else: raw IP, SCTP, unix sockets */
	SA_NET_PROTOS,
};

#define SA_NET_BIT(op, proto) ((op)*SA_NET_PROTOS + (proto))
#define SA_NET_BITS	      (SA_NET_OPS * SA_NET_PROTOS)

enum sa_net_family {
	SA_NET_IPV4 = 0,
	SA_NET_IPV6,
	SA_NET_UNIX,
};

/* Port class 0 holds the rules without ports; a port that some rule names maps to its class
 * (sa_net_ports, one entry per slot and port) and the hook also looks that class up. */
#define SA_NET_PORTS	  65536
#define SA_NET_FIXED_BITS 64 /* slot, selector, family, pad, port_class */

struct sa_net_key {
	__u32 prefixlen; /* SA_NET_FIXED_BITS + the address prefix */
	__u8 slot;
	__u8 selector;
	__u8 family; /* enum sa_net_family */
	__u8 pad;
	__u32 port_class;
	__u8 addr[16]; /* IPv4 in the first four bytes */
};

/* Per bit: the verdict + 1 (0: no rule says anything), the address prefix length of the rule
 * that decides it (inherited from a shorter prefix when this entry's rules do not set the
 * bit), and the rule. */
struct sa_net_rule {
	__u32 version;
	__u8 verdict[SA_NET_BITS];
	__u8 prefix[SA_NET_BITS];
	__u32 rule[SA_NET_BITS];
};

/* Socket creation and capabilities: one exact key, one verdict. SA_ANY in a field is a wildcard
 * the hook looks up as well. */
#define SA_ANY 0xffff

struct sa_create_key {
	__u8 slot;
	__u8 selector;
	__u16 family;	/* AF_* */
	__u16 type;	/* SOCK_*, or SA_ANY */
	__u16 protocol; /* or SA_ANY */
};

struct sa_cap_key {
	__u8 slot;
	__u8 selector;
	__u16 pad;
	__u32 cap;
};

struct sa_simple_rule {
	__u32 version;
	__u32 verdict; /* enum sa_verdict */
	__u32 rule;    /* SA_RULE_REF */
};

#define SA_CAP_MAX 63

/* kernel: rules share the capability map: operation OP is key cap SA_KERNEL_KEY(OP). */
enum sa_kernel_op {
	SA_KERNEL_MODULE_LOAD = 0, /* init_module, finit_module */
	SA_KERNEL_MODULE_REQUEST,  /* a module the kernel loads on demand (request_module) */
	SA_KERNEL_KEXEC,	   /* kexec_load, kexec_file_load */
	SA_KERNEL_BPF_LOAD,	   /* BPF_PROG_LOAD */
	SA_KERNEL_PTRACE,	   /* attach to a process that is not a descendant */
	SA_KERNEL_MOUNT,	   /* a new mount, bind or move */
	SA_KERNEL_REMOUNT,	   /* MS_REMOUNT */
	SA_KERNEL_SETUID_ROOT,	   /* a change of real, effective or saved uid to 0 from non-0 */
	SA_KERNEL_OPS,
};
#define SA_KERNEL_KEY(op) (SA_CAP_MAX + 1 + (op))
/* Ancestors a ptrace check walks up from the target looking for the tracer; a longer chain is
 * taken as "outside the subtree". */
#define SA_PTRACE_DEPTH 64

/* The running daemon, written at start: its calls are never denied, and what it owns is
 * protected while it runs (the map holding this is referenced by the daemon's descriptor only,
 * so its user count says whether the daemon is alive). */
struct sa_self_info {
	__u32 tgid;
	__u32 pin_dev; /* the pin directory */
	__u64 pin_ino;
};

/*
 * The identity probe: the daemon arms it for one of its threads (tid), stats a path, and reads
 * back the key every hook computes for that file (sa_inode_dev(), i_ino) with the file system's
 * magic. The compiler takes file keys from here only, so its keys and the hooks' are one
 * definition. The program answers the first stat after arming (overlayfs stats its real file
 * too) and disarms.
 */
struct sa_identity_probe {
	__u32 tid;
	__u32 dev;
	__u64 ino;
	__u64 fs_magic;
	__u32 flags; /* SA_IDENTITY_* */
	__u32 pad;
};
/* The key is exact: a btrfs file without the btrfs module's BTF has none (inode numbers repeat
 * across subvolumes, and the hooks cannot read which subvolume). */
#define SA_IDENTITY_EXACT 1

enum sa_own_kind {
	SA_OWN_MAP = 1,
	SA_OWN_LINK = 2,
};

struct sa_own_key {
	__u32 kind; /* enum sa_own_kind */
	__u32 id;
};

struct sa_event {
	__u32 version;
	__u32 kind; /* enum sa_event_kind */
	__u32 verdict;
	__u32 flags;
	__u32 seq;	/* the policy generation that decided, to resolve rule_ref */
	__u32 rule_ref; /* SA_RULE_REF(policy, index) */
	__u32 access;	/* enum sa_access */
	__u32 pid;	/* thread id */
	__u32 tgid;	/* process id */
	__u32 uid;
	__u32 gid;
	__u32 dev;
	__u64 ino;
	__u64 ktime_ns;
	__u64 cgroup_id; /* the process's cgroup2 cgroup (its directory's inode number) */
	__u64 exe_ino;	 /* the program it runs, by identity as selectors name it (0: none) */
	__u32 exe_dev;
	__u32 pad;
	/* Network events: AF_* family, IPPROTO_* protocol (socket create: the type and protocol
	 * arguments), port in host order, address (IPv4 in the first four bytes). Capability
	 * events: the capability number in arg. */
	__u32 family;
	__u32 protocol;
	__u32 port;
	__u32 arg;
	__u8 addr[16];
	char comm[SA_COMM_LEN];
	char path[SA_PATH_LEN];
};
