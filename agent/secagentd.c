// SPDX-License-Identifier: GPL-2.0-or-later
/* secagentd: loads the BPF LSM programs, keeps the policy directory enforced, reports events. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "manager.h"

static void help(void)
{
	printf("Usage: secagentd [OPTIONS]\n\n"
	       "Enforce the secagent policies of a directory with BPF LSM programs.\n\n"
	       "  -h --help                 Show this help\n"
	       "     --version              Show the version\n"
	       "  -p --policy-dir=DIR       Read policies from DIR (default: %s)\n"
	       "     --control-socket=PATH  Listen for secagentctl on PATH (default: %s)\n"
	       "     --max-file-rules=N     File entries one policy set may hold (default: 65536)\n"
	       "     --ringbuf-size=BYTES   Event ring buffer size, a power of two (default: 1048576)\n\n"
	       "Signals: SIGHUP reloads the policy directory atomically; SIGTERM stops.\n",
	       SECAGENT_POLICY_DIR, SECAGENT_CONTROL_SOCKET);
}

static int parse_u32(const char *s, const char *what, uint32_t min, uint32_t max, uint32_t *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return log_error_errno(-EINVAL, "Invalid %s '%s' (expected %u..%u)", what, s, min, max);
	*ret = v;
	return 0;
}

int main(int argc, char **argv)
{
	enum { ARG_VERSION = 0x100, ARG_CONTROL_SOCKET, ARG_MAX_FILE_RULES, ARG_RINGBUF_SIZE };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "policy-dir", required_argument, NULL, 'p' },
		{ "control-socket", required_argument, NULL, ARG_CONTROL_SOCKET },
		{ "max-file-rules", required_argument, NULL, ARG_MAX_FILE_RULES },
		{ "ringbuf-size", required_argument, NULL, ARG_RINGBUF_SIZE },
		{}
	};
	struct manager_config cfg = {
		.policy_dir = SECAGENT_POLICY_DIR,
		.control_socket = SECAGENT_CONTROL_SOCKET,
		.enforcer = { .max_file_rules = 65536, .ringbuf_bytes = 1 << 20 },
	};
	struct manager *m = NULL;
	int c, r;

	log_set_program("secagentd");
	while ((c = getopt_long(argc, argv, "hp:", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return 0;
		case ARG_VERSION:
			printf("secagentd %s\n", SECAGENT_VERSION);
			return 0;
		case 'p':
			cfg.policy_dir = optarg;
			break;
		case ARG_CONTROL_SOCKET:
			cfg.control_socket = optarg;
			break;
		case ARG_MAX_FILE_RULES:
			if (parse_u32(optarg, "--max-file-rules", 1, 1000000,
				      &cfg.enforcer.max_file_rules) < 0)
				return 2;
			break;
		case ARG_RINGBUF_SIZE:
			if (parse_u32(optarg, "--ringbuf-size", 4096, 1u << 30,
				      &cfg.enforcer.ringbuf_bytes) < 0)
				return 2;
			if (cfg.enforcer.ringbuf_bytes & (cfg.enforcer.ringbuf_bytes - 1)) {
				log_error("--ringbuf-size must be a power of two, got %s", optarg);
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		log_error("Unexpected argument '%s'; see --help.", argv[optind]);
		return 2;
	}

	r = manager_new(&cfg, &m);
	if (r < 0)
		return 1;
	r = manager_run(m);
	manager_free(m);
	if (r < 0) {
		log_error_errno(r, "Event loop failed: %m");
		return 1;
	}
	return 0;
}
