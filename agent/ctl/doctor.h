/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * `secagentctl doctor`: what this host can enforce, and why not. Every check is a probe of the
 * running kernel (read what it exposes, load and attach a trivial program), never a comparison
 * of version numbers. The checks are a library so tests can run them against a fake root.
 *
 * Exit codes (also the verdict's numeric value):
 *   0  full enforcement is possible
 *   1  the diagnosis itself could not be made (e.g. not root, so the load probes could not run)
 *   2  usage error
 *   3  partial: policies can be enforced, but some hooks or features would be switched off
 *   4  none: this host cannot enforce any policy
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/utsname.h>

enum doctor_verdict {
	DOCTOR_FULL = 0,
	DOCTOR_UNKNOWN = 1,
	DOCTOR_PARTIAL = 3,
	DOCTOR_NONE = 4,
};

enum doctor_status {
	DOCTOR_OK,
	DOCTOR_WARN, /* works, with a caveat the operator should know */
	DOCTOR_FAIL,
	DOCTOR_SKIPPED, /* could not be checked; summary says why */
};

/* What a failed check costs. */
enum doctor_impact {
	DOCTOR_REQUIRED, /* no enforcement at all without it */
	DOCTOR_DEGRADES, /* enforcement with something switched off */
	DOCTOR_INFO,	 /* nothing the daemon uses today */
};

enum doctor_check_id {
	DOCTOR_CHECK_LSM_ACTIVE,
	DOCTOR_CHECK_BTF,
	DOCTOR_CHECK_LSM_PROGRAM,
	DOCTOR_CHECK_RINGBUF,
	DOCTOR_CHECK_HOOKS,
	DOCTOR_CHECK_CGROUP_V2,
	DOCTOR_CHECK_SECCOMP,
	_DOCTOR_CHECK_MAX,
};

struct doctor_check {
	enum doctor_status status;
	enum doctor_impact impact;
	int error;     /* positive errno behind a failure, 0 if none */
	char *summary; /* one line, plain words */
	char *fix;     /* what to do about it, NULL if nothing */
};

/* The LSM hooks the daemon attaches programs to, as its BPF object has them (filled by
 * doctor_run()). A missing optional hook means partial enforcement; a missing required one
 * means none. */
#define DOCTOR_MAX_HOOKS 64
struct doctor_hook {
	char name[64];
	bool required;
	char purpose[256]; /* "program sa_..., sa_..." */
};

extern const struct doctor_hook *const doctor_hooks;
extern size_t doctor_n_hooks;

struct doctor_hook_result {
	enum doctor_status status;
	int error;
};

struct doctor_options {
	const char *root; /* prefix for /sys, /proc, /boot, /etc; NULL or "/" for the host */
	bool probe_bpf;	  /* load and attach probe programs (needs root) */
};

struct doctor_report {
	struct utsname uts;
	char *lsm_active;    /* contents of /sys/kernel/security/lsm, NULL if unreadable */
	char *lsm_cmdline;   /* lsm= on the running kernel's command line, NULL if none */
	char *lsm_suggested; /* lsm= value that adds bpf, NULL when bpf is already active */
	char *seccomp_actions;
	struct doctor_hook_result *hooks; /* one per doctor_hooks[] entry, n_hooks of them */
	size_t n_hooks;
	struct doctor_check checks[_DOCTOR_CHECK_MAX];
	enum doctor_verdict verdict;
};

/* Runs every check. Returns 0, or -ENOMEM; the report is then filled (release with
 * doctor_report_done()) even when checks fail: failing checks are results, not errors. */
int doctor_run(const struct doctor_options *o, struct doctor_report *ret);
void doctor_report_done(struct doctor_report *r);

/* The lsm= value to put on the kernel command line: the active list (or, when that cannot be
 * read, @fallback such as the kernel's CONFIG_LSM) without "capability" (always first, not
 * selectable), with "bpf" added once at the end. Returns 0 with *ret NULL when bpf is already
 * listed, -EINVAL when there is nothing to start from, -ENOMEM. */
int doctor_lsm_suggest(const char *active, char **ret);

/* Derives the verdict from the checks' status and impact. */
enum doctor_verdict doctor_verdict_from_checks(const struct doctor_check *checks, size_t n);

const char *doctor_check_name(enum doctor_check_id id);
const char *doctor_status_name(enum doctor_status s);
const char *doctor_verdict_name(enum doctor_verdict v);

void doctor_print_text(const struct doctor_report *r, FILE *f);
/* Returns 0, -ENOMEM or -EIO. */
int doctor_print_json(const struct doctor_report *r, FILE *f);

/* `secagentctl doctor [--json]`, argv[0] being "doctor"; @json is the default for --json (the
 * CLI's global -j). Returns the process exit code (see above). */
int doctor_main(int argc, char **argv, bool json);
