/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The kernel's list of active LSMs: the one reader of it. BPF LSM programs run only when "bpf"
 * is in the list (lsm= on the kernel command line); the daemon, `secagentctl status` and the
 * doctor all ask here. */

#include <stdbool.h>

#define LSM_LIST_FILE "/sys/kernel/security/lsm"

/* Reads @root (NULL or "/" for the host) + LSM_LIST_FILE into @ret_list ("lockdown,yama,bpf"),
 * without trailing newline or comma. Returns 0 or a negative errno (-ENOENT: securityfs is
 * not mounted). */
int lsm_read_active(const char *root, char **ret_list);

/* Whether @name is one of the words of @list (separated by commas or blanks). */
bool lsm_list_contains(const char *list, const char *name);
