// SPDX-License-Identifier: GPL-2.0-or-later
/* secagentd: loads the BPF LSM programs, keeps the policy directory enforced, reports events. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "control-server.h"
#include "manager.h"

static void help(void)
{
	printf("Usage: secagentd [OPTIONS]\n\n"
	       "Enforce the secagent policies of a directory with BPF LSM programs.\n\n"
	       "  -h --help                 Show this help\n"
	       "     --version              Show the version\n"
	       "  -p --policy-dir=DIR       Read policies from DIR (default: %s)\n"
	       "     --no-watch             Reload on SIGHUP only, not when DIR changes\n"
	       "     --control-socket=PATH  Listen for secagentctl on PATH (default: %s)\n"
	       "     --pin-dir=DIR          Pin programs and maps under DIR (default: %s)\n"
	       "     --containers-dir=DIR   Keep container bindings in DIR (default: %s)\n"
	       "     --max-file-rules=N     File entries one policy set may hold (default: %u, at\n"
	       "                            most %u)\n"
	       "     --ringbuf-size=BYTES   Event ring buffer size, a power of two (default: 4194304)\n"
	       "     --coalesce-ms=MS       Report identical events within MS once, with a count\n"
	       "                            (default: 1000; 0 turns coalescing off)\n"
	       "     --rate-limit-burst=N   Events per policy logged one by one per interval; the\n"
	       "                            rest are counted in one entry (default: 200; 0: no limit)\n"
	       "     --rate-limit-interval-ms=MS  The rate limit's interval (default: 1000)\n"
	       "     --metrics-listen=[ADDR:]PORT  Serve Prometheus metrics over HTTP at /metrics\n"
	       "                            (ADDR: 127.0.0.1 unless given; [::1]:PORT for IPv6)\n"
	       "     --metrics-textfile=PATH.prom  Write the metrics to PATH every %d s, for\n"
	       "                            node_exporter's textfile collector\n"
	       "                            (either also counts decisions per rule in the kernel)\n\n"
	       "The policy directory is reloaded atomically when it changes (inotify; a Kubernetes\n"
	       "ConfigMap volume's ..data switch too) and on SIGHUP. SIGTERM stops and ends\n"
	       "enforcement. If the daemon dies any other way, the pinned programs keep enforcing\n"
	       "the last policy set and the next daemon adopts them.\n",
	       SECAGENT_POLICY_DIR, SECAGENT_CONTROL_SOCKET, SECAGENT_PIN_DIR,
	       SECAGENT_CONTAINERS_DIR, ENFORCER_DEFAULT_FILE_RULES, COMPILED_MAX_FILE_ENTRIES,
	       METRICS_TEXTFILE_INTERVAL_SEC);
}

static int parse_u32(const char *s, const char *what, uint32_t min, uint32_t max, uint32_t *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return log_error_errno(-EINVAL, "Invalid %s '%s' (expected %u..%u)", what, s, min,
				       max);
	*ret = v;
	return 0;
}

int main(int argc, char **argv)
{
	enum {
		ARG_VERSION = 0x100,
		ARG_CONTROL_SOCKET,
		ARG_PIN_DIR,
		ARG_CONTAINERS_DIR,
		ARG_MAX_FILE_RULES,
		ARG_RINGBUF_SIZE,
		ARG_COALESCE_MS,
		ARG_RATE_BURST,
		ARG_RATE_INTERVAL_MS,
		ARG_METRICS_LISTEN,
		ARG_METRICS_TEXTFILE,
		ARG_NO_WATCH,
	};
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "policy-dir", required_argument, NULL, 'p' },
		{ "control-socket", required_argument, NULL, ARG_CONTROL_SOCKET },
		{ "pin-dir", required_argument, NULL, ARG_PIN_DIR },
		{ "containers-dir", required_argument, NULL, ARG_CONTAINERS_DIR },
		{ "max-file-rules", required_argument, NULL, ARG_MAX_FILE_RULES },
		{ "ringbuf-size", required_argument, NULL, ARG_RINGBUF_SIZE },
		{ "coalesce-ms", required_argument, NULL, ARG_COALESCE_MS },
		{ "rate-limit-burst", required_argument, NULL, ARG_RATE_BURST },
		{ "rate-limit-interval-ms", required_argument, NULL, ARG_RATE_INTERVAL_MS },
		{ "metrics-listen", required_argument, NULL, ARG_METRICS_LISTEN },
		{ "metrics-textfile", required_argument, NULL, ARG_METRICS_TEXTFILE },
		{ "no-watch", no_argument, NULL, ARG_NO_WATCH },
		{}
	};
	struct manager_config cfg = {
		.policy_dir = SECAGENT_POLICY_DIR,
		.control_socket = SECAGENT_CONTROL_SOCKET,
		.pin_dir = SECAGENT_PIN_DIR,
		.containers_dir = SECAGENT_CONTAINERS_DIR,
		.enforcer = { .max_file_rules = ENFORCER_DEFAULT_FILE_RULES,
			      .ringbuf_bytes = 1 << 22 },
		.limiter = { .coalesce_usec = 1000000, .burst = 200, .interval_usec = 1000000 },
		.control_handlers = control_handlers,
		.watch_policy_dir = true,
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
		case ARG_PIN_DIR:
			cfg.pin_dir = optarg;
			break;
		case ARG_CONTAINERS_DIR:
			cfg.containers_dir = optarg;
			break;
		case ARG_MAX_FILE_RULES:
			if (parse_u32(optarg, "--max-file-rules", 1, COMPILED_MAX_FILE_ENTRIES,
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
		case ARG_COALESCE_MS:
		case ARG_RATE_INTERVAL_MS: {
			uint32_t ms;

			if (parse_u32(optarg,
				      c == ARG_COALESCE_MS ? "--coalesce-ms"
							   : "--rate-limit-interval-ms",
				      c == ARG_COALESCE_MS ? 0 : 1, 3600000, &ms) < 0)
				return 2;
			if (c == ARG_COALESCE_MS)
				cfg.limiter.coalesce_usec = ms * 1000ULL;
			else
				cfg.limiter.interval_usec = ms * 1000ULL;
			break;
		}
		case ARG_RATE_BURST:
			if (parse_u32(optarg, "--rate-limit-burst", 0, 1000000,
				      &cfg.limiter.burst) < 0)
				return 2;
			break;
		case ARG_METRICS_LISTEN: {
			struct sockaddr_storage addr;
			socklen_t len;

			if (metrics_parse_listen(optarg, &addr, &len) < 0) {
				log_error("Invalid --metrics-listen '%s' (expected PORT, "
					  "ADDRESS:PORT or [IPV6]:PORT)",
					  optarg);
				return 2;
			}
			cfg.metrics.listen = optarg;
			break;
		}
		case ARG_METRICS_TEXTFILE:
			cfg.metrics.textfile = optarg;
			break;
		case ARG_NO_WATCH:
			cfg.watch_policy_dir = false;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		log_error("Unexpected argument '%s'; see --help.", argv[optind]);
		return 2;
	}

	cfg.enforcer.pin_dir = cfg.pin_dir;
	cfg.enforcer.count_rules = cfg.metrics.listen || cfg.metrics.textfile;
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
