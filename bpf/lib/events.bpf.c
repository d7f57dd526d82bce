// SPDX-License-Identifier: GPL-2.0-or-later
/* The global functions of lib/events.bpf.h. */

#include "events.bpf.h"

/*
 * Decide, count, report, and turn the verdict into the hook's return value. Global, like
 * sa_walk(), so the verifier checks it once per program however many times a hook calls it;
 * hence scalar arguments.
 */
__attribute__((noinline)) int sa_check_addr(__u64 kind, __u64 access, __u64 d_addr, __u64 mnt_addr,
					    __u64 start)
{
	struct dentry *d = (struct dentry *)d_addr;
	struct mount *mnt = (struct mount *)mnt_addr;
	struct sa_decision dec = {};

	if (!d)
		return 0;
	sa_decide(d, mnt, start, access, &dec);
	sa_count_rule(&dec, kind);
	if (!dec.decided || dec.verdict == SA_VERDICT_ALLOW)
		return 0;
	sa_count(dec.verdict == SA_VERDICT_DENY ? SA_COUNTER_DENIED : SA_COUNTER_AUDITED);
	sa_emit(kind, access, d, mnt, &dec);
	return dec.verdict == SA_VERDICT_DENY ? -EPERM : 0;
}
