// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verifier-cost: what the kernel's verifier spends on each program of secagent's BPF object, the
 * bulk of a daemon start. Loads the object once per program with only that program enabled, at
 * verifier log level 4 (statistics), and prints one line each: the wall time of the load, the
 * instructions the verifier processed, its own time. A program whose hook this kernel lacks, or
 * whose prototype is the other one (two programs per such hook), fails to load and says so.
 */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "secagent.skel.h"

static char verifier_log[1 << 20];

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	size_t size, n = 0;
	const void *elf = secagent__elf_bytes(&size);
	struct bpf_object *probe = bpf_object__open_mem(elf, size, NULL);
	struct bpf_program *prog;
	double total_ms = 0;

	(void)setrlimit(RLIMIT_MEMLOCK, &unlimited); /* 5.10 charges maps to it */
	libbpf_set_print(quiet);
	if (!probe) {
		fprintf(stderr, "verifier-cost: cannot open the BPF object\n");
		return 1;
	}
	bpf_object__for_each_program (prog, probe)
		n++;
	printf("%-26s %8s %10s %12s\n", "program", "load ms", "insns", "verifier ms");
	for (size_t i = 0; i < n; i++) {
		struct bpf_object *obj = bpf_object__open_mem(elf, size, NULL);
		const char *name = NULL, *p;
		unsigned long insns = 0, usec = 0;
		size_t j = 0;
		double t0;
		int r;

		if (!obj)
			return 1;
		bpf_object__for_each_program (prog, obj) {
			if (j++ != i) {
				bpf_program__set_autoload(prog, false);
				continue;
			}
			name = bpf_program__name(prog);
			verifier_log[0] = '\0';
			bpf_program__set_log_level(prog, 4);
			bpf_program__set_log_buf(prog, verifier_log, sizeof(verifier_log));
		}
		t0 = now_ms();
		r = bpf_object__load(obj);
		t0 = now_ms() - t0;
		/* "processed N insns" (newer kernels: "processed N+M+... insns", one per function).
		 */
		p = strstr(verifier_log, "processed ");
		if (p) {
			p += strlen("processed ");
			while (*p >= '0' && *p <= '9') {
				insns += strtoul(p, (char **)&p, 10);
				if (*p == '+')
					p++;
			}
		}
		p = strstr(verifier_log, "verification time ");
		if (p)
			usec = strtoul(p + strlen("verification time "), NULL, 10);
		if (r < 0)
			printf("%-26s %8.0f %10s %12s  not loaded here (%s)\n", name, t0, "-", "-",
			       strerror(-r));
		else {
			printf("%-26s %8.0f %10lu %12.0f\n", name, t0, insns, usec / 1e3);
			total_ms += t0;
		}
		bpf_object__close(obj);
	}
	printf("%-26s %8.0f\n", "sum of the loads", total_ms);
	bpf_object__close(probe);
	return 0;
}
