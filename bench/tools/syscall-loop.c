// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscall-loop: the cost of a seccomp filter on a tight loop of system calls.
 *
 *   syscall-loop [--policy FILE | --profile-lines FILE [--bintree]] --op getppid|open [-n N]
 *   syscall-loop --list-names
 *
 * Loads a filter into this process, then times N getppid() calls, or N open("/dev/null") +
 * close() pairs, and prints "ns_per_op VALUE". --policy builds the filter of a secagent policy's
 * syscalls: section with secagentd's own code (seccomp-filter.c), as `secagentctl exec` does.
 * --profile-lines reads an OCI profile flattened to lines by bench/guest/seccomp-bench.sh (jq),
 *   default ACTION ERRNO
 *   rule ACTION ERRNO NAME[,NAME...] [INDEX:OP:VALUE:VALUETWO ...]
 * and builds it as runc does with libseccomp: one rule per name, libseccomp's default
 * optimization (a priority-ordered list), unless --bintree asks for SCMP_FLTATR_CTL_OPTIMIZE=2.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "policy-syscalls.h"
#include "policy.h"
#include "seccomp-filter.h"

static uint32_t parse_action(const char *a, const char *e)
{
	if (strcmp(a, "SCMP_ACT_ALLOW") == 0)
		return SCMP_ACT_ALLOW;
	if (strcmp(a, "SCMP_ACT_LOG") == 0)
		return SCMP_ACT_LOG;
	if (strcmp(a, "SCMP_ACT_KILL_PROCESS") == 0)
		return SCMP_ACT_KILL_PROCESS;
	if (strcmp(a, "SCMP_ACT_KILL") == 0 || strcmp(a, "SCMP_ACT_KILL_THREAD") == 0)
		return SCMP_ACT_KILL_THREAD;
	return SCMP_ACT_ERRNO(atoi(e));
}

static enum scmp_compare parse_op(const char *op)
{
	static const char *const names[] = {
		[SCMP_CMP_NE] = "SCMP_CMP_NE",
		[SCMP_CMP_LT] = "SCMP_CMP_LT",
		[SCMP_CMP_LE] = "SCMP_CMP_LE",
		[SCMP_CMP_EQ] = "SCMP_CMP_EQ",
		[SCMP_CMP_GE] = "SCMP_CMP_GE",
		[SCMP_CMP_GT] = "SCMP_CMP_GT",
		[SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
	};

	for (int i = SCMP_CMP_NE; i <= SCMP_CMP_MASKED_EQ; i++)
		if (strcmp(op, names[i]) == 0)
			return i;
	return _SCMP_CMP_MIN;
}

static scmp_filter_ctx load_profile_lines(const char *path, int bintree)
{
	FILE *f = fopen(path, "re");
	char line[16384];
	scmp_filter_ctx ctx = NULL;
	unsigned n_rules = 0, n_skipped = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *kind = strtok_r(line, " \n", &save);
		char *action = strtok_r(NULL, " \n", &save), *e = strtok_r(NULL, " \n", &save);

		if (!kind || !action || !e)
			continue;
		if (strcmp(kind, "default") == 0) {
			ctx = seccomp_init(parse_action(action, e));
			if (!ctx || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) < 0)
				exit(1);
			if (bintree && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
				exit(1);
			continue;
		}
		if (!ctx) {
			fprintf(stderr, "%s: no default line first\n", path);
			exit(1);
		}
		{
			char *names = strtok_r(NULL, " \n", &save), *arg, *nsave = NULL;
			struct scmp_arg_cmp cmp[6];
			unsigned n_args = 0;

			while ((arg = strtok_r(NULL, " \n", &save)) && n_args < 6) {
				char *asave = NULL, *idx = strtok_r(arg, ":", &asave);
				char *op = strtok_r(NULL, ":", &asave),
				     *v1 = strtok_r(NULL, ":", &asave);
				char *v2 = strtok_r(NULL, ":", &asave);

				cmp[n_args++] = (struct scmp_arg_cmp){
					.arg = atoi(idx),
					.op = parse_op(op),
					.datum_a = strtoull(v1, NULL, 0),
					.datum_b = v2 ? strtoull(v2, NULL, 0) : 0,
				};
			}
			for (char *name = strtok_r(names, ",", &nsave); name;
			     name = strtok_r(NULL, ",", &nsave)) {
				int nr = seccomp_syscall_resolve_name(name);

				/* As runc: names this libseccomp does not know are skipped, and so
				 * is a rule that is the default already. */
				if (nr == __NR_SCMP_ERROR ||
				    seccomp_rule_add_array(ctx, parse_action(action, e), nr, n_args,
							   cmp) < 0) {
					n_skipped++;
					continue;
				}
				n_rules++;
			}
		}
	}
	fclose(f);
	fprintf(stderr, "profile %s: %u rules added, %u skipped\n", path, n_rules, n_skipped);
	return ctx;
}

static scmp_filter_ctx load_policy(const char *path)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	scmp_filter_ctx ctx = NULL;
	int r;

	r = policy_parse_file(path, &diags, &p);
	diag_print(&diags, stderr);
	if (r < 0 || !p->syscalls)
		exit(1);
	r = seccomp_filter_build(p->syscalls, p->mode, &ctx, NULL);
	if (r < 0) {
		fprintf(stderr, "%s: cannot build the filter: %s\n", path, strerror(-r));
		exit(1);
	}
	policy_free(p);
	return ctx;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* Under qemu TCG the vDSO may fall back to the system call: the filter must allow it. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0) {
		perror("clock_gettime");
		exit(1);
	}
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void loop(int open_close, long n)
{
	for (long i = 0; i < n; i++) {
		if (open_close) {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (fd < 0) {
				perror("open");
				exit(1);
			}
			close(fd);
		} else if (syscall(SYS_getppid) < 0) {
			perror("getppid");
			exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = { { "policy", required_argument, NULL, 'p' },
						 { "profile-lines", required_argument, NULL, 'l' },
						 { "bintree", no_argument, NULL, 'b' },
						 { "op", required_argument, NULL, 'o' },
						 { "list-names", no_argument, NULL, 'L' },
						 {} };
	const char *policy = NULL, *lines = NULL, *op = "getppid";
	scmp_filter_ctx ctx = NULL;
	int c, bintree = 0, open_close;
	long n = 100000;
	uint64_t t0, t1;

	while ((c = getopt_long(argc, argv, "n:", options, NULL)) >= 0)
		switch (c) {
		case 'p':
			policy = optarg;
			break;
		case 'l':
			lines = optarg;
			break;
		case 'b':
			bintree = 1;
			break;
		case 'o':
			op = optarg;
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'L':
			for (int nr = 0; nr < 1024; nr++) {
				char *name =
					seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);

				if (name)
					printf("%s\n", name);
				free(name);
			}
			return 0;
		default:
			return 2;
		}
	open_close = strcmp(op, "open") == 0;
	if (!open_close && strcmp(op, "getppid") != 0)
		return 2;

	if (policy)
		ctx = load_policy(policy);
	else if (lines)
		ctx = load_profile_lines(lines, bintree);
	if (ctx) {
		/* The size of what the kernel will run for each call, for the report. */
		long long insns = -1;

		if (policy) {
			struct sock_filter *prog = NULL;
			size_t len;

			if (seccomp_filter_program(ctx, &prog, &len) >= 0)
				insns = (long long)len;
			free(prog);
		} else {
			int fd = memfd_create("filter", MFD_CLOEXEC);

			if (fd >= 0 && seccomp_export_bpf(ctx, fd) >= 0)
				insns = (long long)lseek(fd, 0, SEEK_END) / 8;
			if (fd >= 0)
				close(fd);
		}
		fprintf(stderr, "filter %s%s: %lld BPF instructions\n", policy ? policy : lines,
			bintree ? " (bintree)" : "", insns);
		/* A policy's filter as secagentctl exec loads it; a profile as runc does. */
		if ((policy ? seccomp_filter_load(ctx) : seccomp_load(ctx)) < 0) {
			fprintf(stderr, "cannot load the filter\n");
			return 1;
		}
		seccomp_release(ctx);
	}

	loop(open_close, n / 10); /* warm-up */
	t0 = now_ns();
	loop(open_close, n);
	t1 = now_ns();
	printf("ns_per_op %.1f\n", (double)(t1 - t0) / n);
	return 0;
}
