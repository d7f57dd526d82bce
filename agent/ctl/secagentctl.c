// SPDX-License-Identifier: GPL-2.0-or-later
/* secagentctl: the operator's command line for secagent. Exit codes: 0 success, 1 failure,
 * 2 usage error. This file holds main(), the verb table and the daemon-wide verbs (status,
 * reload); cli-policy.c the policy verbs, cli-events.c the journal reader. */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "doctor.h"
#include "config.h"
#include "control.h"
#include "json-util.h"
#include "log.h"
#include "lsm.h"
#include "map-keys.h"
#include "pins.h"
#include "secagent.h"
#include "util.h"

/* Parses the options of a verb without arguments: --help, and --json if @json. Returns an exit
 * code, or -1 to go on. */
static int parse_simple(const struct verb *v, bool json, int argc, char **argv)
{
	int r = verb_parse_options(v, json, NULL, argc, argv);

	if (r >= 0)
		return r;
	if (optind < argc)
		return verb_bad_argument(v, "unexpected argument");
	return -1;
}

static int verb_reload(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *body = NULL;
	int r = parse_simple(v, false, argc, argv);

	if (r >= 0)
		return r;
	r = control_call(arg_control_socket, control_verbs[CONTROL_RELOAD].name, &body);
	if (r < 0)
		return cli_log_control_error(r), 1;
	if (r > 0) {
		log_error("secagentd rejected the policy set; the previous set stays in force:\n%s",
			  body);
		return 1;
	}
	printf("secagentd reloaded %s.\n", arg_policy_dir);
	return 0;
}

/* --- status --- */

static bool is_number(const char *s)
{
	unsigned long long v;

	return parse_uint(s, ULLONG_MAX, &v) >= 0;
}

static void format_duration(unsigned long long sec, char *buf, size_t size)
{
	unsigned long long d = sec / 86400, h = sec / 3600 % 24, m = sec / 60 % 60, s = sec % 60;

	if (d)
		snprintf(buf, size, "%llud %lluh %llumin %llus", d, h, m, s);
	else if (h)
		snprintf(buf, size, "%lluh %llumin %llus", h, m, s);
	else if (m)
		snprintf(buf, size, "%llumin %llus", m, s);
	else
		snprintf(buf, size, "%llus", s);
}

/* status --json: one object, hooks_attached first as a list, then the daemon's keys, numbers as
 * numbers. Returns 0 or a negative errno, logged. */
static int print_status_json(const char *lsm, bool bpf_lsm, const char *hooks, char **keys,
			     char **values, size_t n)
{
	_cleanup_(json_decrefp) json_t *root = json_object();

	if (json_object_set_new(root, "kernel_support", json_boolean(bpf_lsm)) < 0 ||
	    json_object_set_new(root, "lsm", json_string_lossy(lsm)) < 0)
		return log_error_errno(-ENOMEM, "Out of memory");
	if (!hooks || streq(hooks, "?")) {
		if (json_object_set_new(root, "hooks_attached", json_null()) < 0)
			return log_error_errno(-ENOMEM, "Out of memory");
	} else {
		_cleanup_free_ char *list = strdup(hooks);
		json_t *a = json_array();
		char *save = NULL;

		if (json_object_set_new(root, "hooks_attached", a) < 0 || !list)
			return log_error_errno(-ENOMEM, "Out of memory");
		for (char *h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save))
			if (json_array_append_new(a, json_string_lossy(h)) < 0)
				return log_error_errno(-ENOMEM, "Out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		/* A key from the daemon is made valid UTF-8 like any string. */
		_cleanup_(json_decrefp) json_t *key = NULL;

		if (streq(keys[i], status_key_names[STATUS_HOOKS_ATTACHED]))
			continue;
		key = json_string_lossy(keys[i]);
		if (!key || json_object_set_new(root, json_string_value(key),
						is_number(values[i])
							? json_uint64(strtoull(values[i], NULL, 10))
							: json_string_lossy(values[i])) < 0)
			return log_error_errno(-ENOMEM, "Out of memory");
	}
	if (json_dumpf_unsigned(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
	    putchar('\n') == EOF)
		return log_error_errno(-EIO, "Cannot write the status: %m");
	return 0;
}

static int verb_status(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *body = NULL, *lsm = NULL;
	struct control_status st;
	bool bpf_lsm = false;
	int r;

	r = parse_simple(v, true, argc, argv);
	if (r >= 0)
		return r;

	r = lsm_read_active(NULL, &lsm);
	if (r < 0)
		log_warning_errno(r, "Cannot read %s: %m", LSM_LIST_FILE);
	bpf_lsm = lsm && lsm_list_contains(lsm, "bpf");

	if (cli_control(control_verbs[CONTROL_STATUS].name, &body) < 0) {
		if (!lsm || !bpf_lsm)
			log_error("Kernel support: %s. secagentd needs 'bpf' in the lsm= boot "
				  "parameter.",
				  lsm ? "bpf is not an active LSM" : "unknown");
		return 1;
	}

	/* key=value lines; keys this version does not know are shown too. */
	control_status_parse(body, &st);
	/* hooks_attached goes first, as a list; the daemon's keys follow. */
	const char *hooks = control_status_get(&st, STATUS_HOOKS_ATTACHED);

	if (arg_json)
		return print_status_json(lsm, bpf_lsm, hooks, st.keys, st.values, st.n) < 0 ? 1 : 0;

#define V(k) (control_status_get(&st, (k)) ?: "?")
	{
		unsigned long long up;
		char uptime[64] = "?";

		if (parse_uint(V(STATUS_UPTIME_SEC), ULLONG_MAX, &up) >= 0)
			format_duration(up, uptime, sizeof(uptime));
		printf("Kernel support: %s\n", !lsm	 ? "unknown (cannot read " LSM_LIST_FILE ")"
					       : bpf_lsm ? "yes (bpf is an active LSM)"
							 : "NO: bpf is not an active LSM");
		printf("Hooks attached: ");
		if (!hooks || streq(hooks, "?"))
			printf("unknown (the daemon did not say)\n");
		else if (!hooks[0])
			printf("none\n");
		else {
			for (const char *h = hooks; *h; h++)
				*h == ',' ? fputs(", ", stdout) : putchar(*h);
			putchar('\n');
		}
		if (streq(V(STATUS_HOOKS_OFF), "none") && streq(V(STATUS_RULES_NOT_ENFORCED), "0"))
			printf("Not enforced:   nothing (every hook the rules use exists)\n");
		else {
			printf("Not enforced:   ");
			if (!streq(V(STATUS_HOOKS_OFF), "none"))
				printf("hooks %s\n%s", V(STATUS_HOOKS_OFF),
				       streq(V(STATUS_RULES_NOT_ENFORCED), "0")
					       ? ""
					       : "                ");
			if (!streq(V(STATUS_RULES_NOT_ENFORCED), "0")) {
				printf("%s rule paths (onUnsupportedFilesystem: notEnforced):\n",
				       V(STATUS_RULES_NOT_ENFORCED));
				if (cli_print_not_enforced(NULL, "                  ") < 0)
					printf("                  (the list is not available)\n");
			}
		}
		printf("Policy dir:     %s\n", V(STATUS_POLICY_DIR));
		printf("Generation:     %s\n", V(STATUS_GENERATION));
		printf("Policies:       %s (%s rules, %s file entries, %s network entries)\n",
		       V(STATUS_POLICIES), V(STATUS_RULES), V(STATUS_FILE_ENTRIES),
		       V(STATUS_NETWORK_ENTRIES));
		printf("Events:         %s delivered, %s lost in the ring buffer, %s lost on the way "
		       "to journald\n",
		       V(STATUS_EVENTS_DELIVERED), V(STATUS_EVENTS_LOST_RINGBUF),
		       V(STATUS_EVENTS_LOST_JOURNAL));
		printf("Decisions:      %s denied, %s audited, %s failed closed\n",
		       V(STATUS_DENIED), V(STATUS_AUDITED), V(STATUS_FAIL_CLOSED));
		printf("Reloads:        %s ok, %s failed\n", V(STATUS_RELOADS_OK),
		       V(STATUS_RELOADS_FAILED));
		printf("Seccomp:        %s; %s processes registered, %s events (%s unattributed)\n",
		       streq(V(STATUS_SECCOMP_AUDIT), "yes") ? "events reported"
							     : "events NOT reported",
		       V(STATUS_SECCOMP_REGISTERED), V(STATUS_SECCOMP_EVENTS),
		       V(STATUS_SECCOMP_UNATTRIBUTED));
		printf("Uptime:         %s\n", uptime);
	}
#undef V
	return 0;
}

static int verb_doctor(const struct verb *v, int argc, char **argv)
{
	return doctor_main(argc, argv, arg_json);
}

/* For package upgrades: the next stop of the daemon leaves its pinned programs and maps
 * enforcing, so the new daemon adopts them without a gap. */
static int verb_handover(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *body = NULL;

	return cli_control(control_verbs[CONTROL_HANDOVER].name, &body) < 0 ? 1 : 0;
}

static uint32_t pinned_value_size(int fd)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) < 0 ? 0 : info.value_size;
}

/* Deletes every entry of the pinned map at @path. */
static int empty_pinned_map(const char *path)
{
	_cleanup_close_ int fd = bpf_obj_get(path);
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return -errno;
	return map_clear(fd, info.key_size);
}

/* The kernel may go on running the programs for a while after their last pin is gone (seen on
 * 5.10): empty the rules and the slot flags first, so that enforcement ends when teardown
 * returns. */
static int empty_pinned_rules(void)
{
	static const char *const rule_maps[] = { PIN_MAP_FILE_RULES, PIN_MAP_NAME_RULES };
	_cleanup_free_ char *state_path = NULL;
	_cleanup_close_ int state_fd = -1;
	struct sa_state st;
	uint32_t zero = 0;
	int r;

	if (asprintf(&state_path, "%s/" PIN_MAP_STATE, SECAGENT_PIN_DIR) < 0)
		return -ENOMEM;
	state_fd = bpf_obj_get(state_path);
	/* The flags first: with no rules left, a deep walk must not fail closed either. A map of
	 * another layout is left alone: the rules below are emptied whatever their layout. */
	if (state_fd >= 0 && pinned_value_size(state_fd) == sizeof(st) &&
	    bpf_map_lookup_elem(state_fd, &zero, &st) == 0) {
		memset(st.slot_flags, 0, sizeof(st.slot_flags));
		memset(st.slot_cap_keys, 0, sizeof(st.slot_cap_keys));
		if (bpf_map_update_elem(state_fd, &zero, &st, BPF_EXIST) < 0)
			return -errno;
	}
	for (size_t i = 0; i < ELEMENTSOF(rule_maps); i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", SECAGENT_PIN_DIR, rule_maps[i]) < 0)
			return -ENOMEM;
		r = empty_pinned_map(path);
		if (r < 0)
			return r;
	}
	return 0;
}

static void print_removed_pin(const char *name, void *userdata)
{
	printf("removed %s/%s\n", SECAGENT_PIN_DIR, name);
}

/*
 * End enforcement that outlived its daemon: after a crash with the unit stopped, the pinned
 * programs keep enforcing the last policy set until someone removes the pins. Refused while a
 * daemon runs: `systemctl stop secagent` is the way to end a running agent.
 */
static int verb_teardown(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *body = NULL;
	unsigned n;

	int r = control_call(arg_control_socket, control_verbs[CONTROL_STATUS].name, &body);

	if (r >= 0) {
		log_error("secagentd is running; 'systemctl stop secagent' stops it and ends "
			  "enforcement.");
		return 1;
	}
	/* Only a socket nobody listens on proves there is no daemon; a slow, busy or refusing
	 * one must not have its enforcement torn down under it. */
	if (r != -ENOENT && r != -ECONNREFUSED)
		return log_error_errno(r,
				       "Cannot tell whether secagentd is running (%s: %m); "
				       "not tearing anything down.",
				       arg_control_socket),
		       1;
	if (access(SECAGENT_PIN_DIR, F_OK) < 0) {
		if (errno == ENOENT) {
			printf("Nothing is pinned in %s: no enforcement outlives a daemon.\n",
			       SECAGENT_PIN_DIR);
			return 0;
		}
		return log_error_errno(-errno, "Cannot open %s: %m", SECAGENT_PIN_DIR), 1;
	}
	r = empty_pinned_rules();
	if (r < 0)
		log_warning_errno(r, "Cannot empty the pinned rules (%m); removing the pins, "
				     "enforcement ends when the kernel releases the programs.");
	r = pins_remove(SECAGENT_PIN_DIR, NULL, print_removed_pin, NULL);
	if (r < 0)
		return log_error_errno(r, "Cannot remove every pin in %s: %m", SECAGENT_PIN_DIR), 1;
	n = (unsigned)r;
	if (rmdir(SECAGENT_PIN_DIR) < 0)
		return log_error_errno(-errno, "Cannot remove %s: %m", SECAGENT_PIN_DIR), 1;
	printf("Removed %u pinned objects: enforcement has ended.\n", n);
	return 0;
}

/* The containers the daemon has bound to container policies (secagent-oci-hook). */
static int verb_containers(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ char *body = NULL;
	_cleanup_(json_decrefp) json_t *list = NULL;
	unsigned n = 0;
	int r = parse_simple(v, true, argc, argv);

	if (r >= 0)
		return r;
	if (cli_control(control_verbs[CONTROL_CONTAINERS].name, &body) < 0)
		return 1;
	if (arg_json) {
		list = json_array();
		if (!list)
			return log_error_errno(-ENOMEM, "Out of memory"), 1;
	} else
		printf("%-24s %-24s %-14s %s\n", "CONTAINER", "POLICY", "STATE", "CGROUP");
	for (char *save = NULL, *line = strtok_r(body, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {};

		for (size_t i = 0; i < 4; i++)
			f[i] = strsep(&line, "\t");
		if (!f[3])
			continue;
		if (arg_json) {
			json_t *c = json_object();

			if (json_array_append_new(list, c) < 0 ||
			    json_object_set_new(c, "id", json_string_lossy(f[0])) < 0 ||
			    json_object_set_new(c, "policy", json_string_lossy(f[1])) < 0 ||
			    json_object_set_new(c, "cgroup", json_string_lossy(f[2])) < 0 ||
			    json_object_set_new(c, "state", json_string_lossy(f[3])) < 0)
				return log_error_errno(-ENOMEM, "Out of memory"), 1;
		} else
			printf("%-24.24s %-24s %-14s %s\n", f[0], f[1], f[3], f[2]);
		n++;
	}
	if (arg_json) {
		if (json_dumpf(list, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
		    putchar('\n') == EOF)
			return log_error_errno(-EIO, "Cannot write the list: %m"), 1;
	} else if (n == 0)
		printf("(no containers bound)\n");
	return 0;
}

static const struct verb verbs[] = {
	{ "policy", verb_policy, "policy VERB ...", "Validate, apply, list, show, delete policies",
	  NULL },
	{ "status", verb_status, "status [--json]",
	  "Show kernel support, hooks, policies, counters, uptime",
	  "  -j --json        Print one JSON object\n" },
	{ "events", verb_events, "events [-f] [-j] [-n N] [-p NAME]",
	  "Show recent denials and audits",
	  "  -f --follow      Keep waiting for new events\n"
	  "  -j --json        Print one JSON object per event and line\n"
	  "  -n --lines=N     Show the last N events (default: 20; 0 with --follow: only new)\n"
	  "  -p --policy=NAME Only events of policy NAME\n" },
	{ "exec", verb_exec, "exec --policy NAME -- CMD [ARGS...]",
	  "Run CMD under the seccomp filter of policy NAME (no_new_privs)",
	  "  -p --policy=NAME The policy whose syscalls: section to apply\n" },
	{ "profile", verb_profile, "profile record ...",
	  "Record a workload and write the least-privilege policy for it", NULL },
	{ "containers", verb_containers, "containers [--json]",
	  "List the containers bound to container policies",
	  "  -j --json        Print one JSON array\n" },
	{ "reload", verb_reload, "reload", "Make the daemon re-read its policy directory", NULL },
	{ "doctor", verb_doctor, "doctor [--json]",
	  "Say what this host can enforce, and how to fix what is missing",
	  "  -j --json        Print one JSON object\n" },
	{ "teardown", verb_teardown, "teardown",
	  "End enforcement left pinned by a daemon that is no longer running", NULL },
	{ "handover", verb_handover, "handover",
	  "For upgrades: the daemon's next stop leaves enforcement pinned for its successor",
	  NULL },
};

static void help(void)
{
	help_verbs(verbs, ELEMENTSOF(verbs), "");
	printf("\nOptions:\n"
	       "  -h --help                 Show this help\n"
	       "     --version              Show the version\n"
	       "  -j --json                 JSON output for the read verbs\n"
	       "     --policy-dir=DIR       The daemon's policy directory (default: %s)\n"
	       "     --control-socket=PATH  The daemon's control socket (default: %s)\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error. See secagentctl(8).\n",
	       SECAGENT_POLICY_DIR, SECAGENT_CONTROL_SOCKET);
}

int main(int argc, char **argv)
{
	enum {
		ARG_VERSION = 0x100,
		ARG_POLICY_DIR,
		ARG_CONTROL_SOCKET
	};
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "json", no_argument, NULL, 'j' },
		{ "policy-dir", required_argument, NULL, ARG_POLICY_DIR },
		{ "control-socket", required_argument, NULL, ARG_CONTROL_SOCKET },
		{}
	};
	int c;

	log_set_program("secagentctl");
	opterr = 0;
	/* Stop at the first verb: what follows belongs to it. */
	while ((c = getopt_long(argc, argv, "+hj", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return 0;
		case ARG_VERSION:
			printf("secagentctl %s\n", SECAGENT_VERSION);
			return 0;
		case 'j':
			arg_json = true;
			break;
		case ARG_POLICY_DIR:
			arg_policy_dir = optarg;
			break;
		case ARG_CONTROL_SOCKET:
			arg_control_socket = optarg;
			break;
		default:
			log_error("Unknown option or missing argument '%s'; see --help.",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	return verb_dispatch(verbs, ELEMENTSOF(verbs), "", argc - optind, argv + optind);
}
