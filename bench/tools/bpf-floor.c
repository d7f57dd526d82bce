// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf-floor PROGRAM...: attaches the empty programs named (file_open, sys_enter) of
 * bpf-floor.bpf.c, prints "attached" and holds them until it is killed. bench/profile-bench's
 * floor rows: what a program on those hooks costs before it does anything.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf-floor.skel.h"

int main(int argc, char **argv)
{
	struct bpf_floor *skel;

	if (argc < 2) {
		fprintf(stderr, "usage: bpf-floor file_open|sys_enter...\n");
		return 2;
	}
	skel = bpf_floor__open_and_load();
	if (!skel) {
		perror("bpf-floor: loading the programs");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		struct bpf_program *prog =
			strcmp(argv[i], "file_open") == 0   ? skel->progs.floor_file_open
			: strcmp(argv[i], "sys_enter") == 0 ? skel->progs.floor_sys_enter
							    : NULL;

		if (!prog) {
			fprintf(stderr, "bpf-floor: no program %s\n", argv[i]);
			return 2;
		}
		if (!bpf_program__attach(prog)) {
			perror("bpf-floor: attaching");
			return 1;
		}
	}
	printf("attached\n");
	fflush(stdout);
	for (;;)
		pause(); /* the links go with the process */
}
