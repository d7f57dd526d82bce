/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Least privilege for the daemon. Loading and attaching BPF programs needs CAP_SYS_ADMIN,
 * CAP_BPF, CAP_PERFMON and friends; running does not: map updates go through the file
 * descriptors the daemon already holds. Once attached, the daemon keeps only CAP_BPF (the kernel
 * refuses bpf() calls, map updates included, without it when unprivileged BPF is disabled),
 * CAP_DAC_READ_SEARCH (a reload must stat() the paths a policy names, in any directory) and
 * CAP_AUDIT_READ (seccomp audit records from the audit multicast group), drops everything else
 * from its effective, permitted, inheritable, ambient and bounding sets, and sets no_new_privs.
 */

int drop_privileges(void);

/* Calls @fn with the effective capabilities the daemon keeps once running, and restores them:
 * a check made at start (a file it will write) gives the answer the running daemon would get. */
int as_running_daemon(int (*fn)(void *userdata), void *userdata);
