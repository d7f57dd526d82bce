// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enforcer.h"
#include "log.h"
#include "secagent.skel.h"
#include "util.h"

struct enforcer {
	struct secagent *skel;
	uint32_t seq;
	uint32_t max_file_rules;
	/* The keys each slot holds, to empty the old slot after a switch. */
	struct sa_file_key *slot_keys[SA_SLOTS];
	size_t n_slot_keys[SA_SLOTS];
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* The verifier's log arrives as one long message: print it whole, never cut it. */
	if (level == LIBBPF_DEBUG && !getenv("SECAGENT_LOG_LEVEL"))
		return 0;
	fputs(level == LIBBPF_WARN ? "libbpf: " : "libbpf (debug): ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* BPF LSM programs attach only when "bpf" is among the active LSMs (lsm= on the command line). */
static int check_bpf_lsm_active(void)
{
	_cleanup_fclose_ FILE *f = fopen("/sys/kernel/security/lsm", "re");
	char buf[512] = {};
	char *tok, *save = NULL;

	if (!f)
		return log_error_errno(-errno,
				       "Cannot read /sys/kernel/security/lsm (is securityfs mounted?): %m");
	if (!fgets(buf, sizeof(buf), f))
		return log_error_errno(-EIO, "Cannot read the list of active LSMs");
	for (tok = strtok_r(buf, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save))
		if (streq(tok, "bpf"))
			return 0;
	return log_error_errno(-EOPNOTSUPP,
			       "The BPF LSM is not active (active: %s). Add 'lsm=...,bpf' to the kernel "
			       "command line (keeping the LSMs already listed) and reboot.",
			       buf);
}

struct enforcer *enforcer_free(struct enforcer *e)
{
	if (!e)
		return NULL;
	secagent__destroy(e->skel);
	for (int i = 0; i < SA_SLOTS; i++)
		free(e->slot_keys[i]);
	free(e);
	return NULL;
}

int enforcer_new(const struct enforcer_config *cfg, struct enforcer **ret)
{
	struct enforcer *e;
	struct sa_state st = { .version = SA_LAYOUT_VERSION, .seq = 0 };
	uint32_t zero = 0;
	int r;

	libbpf_set_print(libbpf_print);

	r = check_bpf_lsm_active();
	if (r < 0)
		return r;

	e = calloc(1, sizeof(*e));
	if (!e)
		return log_error_errno(-ENOMEM, "Out of memory");
	e->max_file_rules = cfg->max_file_rules;

	e->skel = secagent__open();
	if (!e->skel) {
		r = log_error_errno(-errno, "Failed to open the BPF object: %m");
		goto fail;
	}
	e->skel->rodata->sa_max_file_rules = cfg->max_file_rules;
	r = bpf_map__set_max_entries(e->skel->maps.sa_file_rules, SA_SLOTS * cfg->max_file_rules);
	if (r == 0)
		r = bpf_map__set_max_entries(e->skel->maps.sa_events, cfg->ringbuf_bytes);
	if (r < 0) {
		log_error_errno(r, "Failed to size the BPF maps: %m");
		goto fail;
	}

	r = secagent__load(e->skel);
	if (r < 0) {
		log_error_errno(r, "Failed to load the BPF programs (run with SECAGENT_LOG_LEVEL=debug "
				   "for the verifier's log): %m");
		goto fail;
	}
	r = bpf_map_update_elem(bpf_map__fd(e->skel->maps.sa_state), &zero, &st, BPF_ANY);
	if (r < 0) {
		log_error_errno(-errno, "Failed to initialise the policy state: %m");
		goto fail;
	}
	r = secagent__attach(e->skel);
	if (r < 0) {
		log_error_errno(r, "Failed to attach the BPF LSM programs: %m");
		goto fail;
	}

	*ret = e;
	return 0;
fail:
	enforcer_free(e);
	return r;
}

static void delete_slot(struct enforcer *e, int fd, uint32_t slot)
{
	for (size_t i = 0; i < e->n_slot_keys[slot]; i++)
		(void)bpf_map_delete_elem(fd, &e->slot_keys[slot][i]);
	free(e->slot_keys[slot]);
	e->slot_keys[slot] = NULL;
	e->n_slot_keys[slot] = 0;
}

int enforcer_install(struct enforcer *e, const struct compiled_set *c, uint32_t *ret_seq)
{
	int rules_fd = bpf_map__fd(e->skel->maps.sa_file_rules);
	int state_fd = bpf_map__fd(e->skel->maps.sa_state);
	uint32_t old_slot = e->seq % SA_SLOTS, new_seq = e->seq + 1, new_slot = new_seq % SA_SLOTS;
	struct sa_state st = { .version = SA_LAYOUT_VERSION, .seq = new_seq };
	uint32_t zero = 0;
	struct sa_file_key *keys;
	int r;

	if (c->n_files > e->max_file_rules)
		return -E2BIG;

	/* The inactive slot is empty after every switch; make sure even if a delete failed. */
	delete_slot(e, rules_fd, new_slot);

	keys = calloc(c->n_files ? c->n_files : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	e->slot_keys[new_slot] = keys;
	for (size_t i = 0; i < c->n_files; i++) {
		keys[i] = (struct sa_file_key){
			.slot = new_slot,
			.dev = c->files[i].dev,
			.ino = c->files[i].ino,
		};
		if (bpf_map_update_elem(rules_fd, &keys[i], &c->files[i].rule, BPF_NOEXIST) < 0) {
			r = -errno;
			delete_slot(e, rules_fd, new_slot);
			return r;
		}
		e->n_slot_keys[new_slot] = i + 1;
	}

	/* The switch: hooks read seq before and after their lookups, see sa_file_lookup(). */
	if (bpf_map_update_elem(state_fd, &zero, &st, BPF_ANY) < 0) {
		r = -errno;
		delete_slot(e, rules_fd, new_slot);
		return r;
	}
	e->seq = new_seq;
	delete_slot(e, rules_fd, old_slot);

	*ret_seq = new_seq;
	return 0;
}

int enforcer_events_map_fd(const struct enforcer *e)
{
	return bpf_map__fd(e->skel->maps.sa_events);
}

uint32_t enforcer_seq(const struct enforcer *e)
{
	return e->seq;
}

int enforcer_read_counters(const struct enforcer *e, uint64_t ret_counters[SA_COUNTER__MAX])
{
	int fd = bpf_map__fd(e->skel->maps.sa_counters);
	int ncpus = libbpf_num_possible_cpus();
	_cleanup_free_ uint64_t *values = NULL;

	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	for (uint32_t k = 0; k < SA_COUNTER__MAX; k++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(fd, &k, values) < 0)
			return -errno;
		for (int cpu = 0; cpu < ncpus; cpu++)
			sum += values[cpu];
		ret_counters[k] = sum;
	}
	return 0;
}
