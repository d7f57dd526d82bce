// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "compile.h"
#include "enforcer.h"
#include "log.h"
#include "lsm.h"
#include "map-keys.h"
#include "pins.h"
#include "secagent.skel.h"
#include "net-maps.h"
#include "selector-maps.h"
#include "util.h"

/* Programs the object may attach; checked, never silently exceeded. */
#define ENFORCER_MAX_PROGRAMS 40

struct enforcer {
	struct secagent *skel;
	char *pin_dir;
	char *instance; /* suffix of this daemon's link pins, unique per start */
	struct bpf_link *links[ENFORCER_MAX_PROGRAMS];
	char *link_pins[ENFORCER_MAX_PROGRAMS];
	const char *link_progs[ENFORCER_MAX_PROGRAMS]; /* program names, owned by the skeleton */
	char hooks_off[256]; /* LSM hooks this kernel lacks, comma-separated */
	size_t n_links;
	struct bpf_link *record_link; /* the system call recorder, while a recording runs */
	bool adopted;
	uint32_t seq;
	uint32_t max_file_rules;
	/* The keys each slot holds, to empty the old slot after a switch. */
	struct sa_file_key *slot_keys[SA_SLOTS];
	size_t n_slot_keys[SA_SLOTS];
};

/* The maps that outlive the daemon: the policy state and rules, the events not yet read, the
 * counters. */
#define PINNED_MAPS(e)                                                                             \
	{                                                                                          \
		(e)->skel->maps.sa_state, (e)->skel->maps.sa_file_rules,                           \
			(e)->skel->maps.sa_events, (e)->skel->maps.sa_counters,                    \
			(e)->skel->maps.sa_selectors, (e)->skel->maps.sa_cgroups,                  \
			(e)->skel->maps.sa_cgroup_paths, (e)->skel->maps.sa_binaries,              \
			(e)->skel->maps.sa_name_rules, (e)->skel->maps.sa_net_rules,               \
			(e)->skel->maps.sa_net_ports, (e)->skel->maps.sa_create_rules,             \
			(e)->skel->maps.sa_cap_rules, (e)->skel->maps.sa_file_filter,              \
			(e)->skel->maps.sa_init_children                                           \
	}

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
	_cleanup_free_ char *list = NULL;
	int r = lsm_read_active(NULL, &list);

	if (r < 0)
		return log_error_errno(r, "Cannot read " LSM_LIST_FILE
					  " (is securityfs mounted?): %m");
	if (lsm_list_contains(list, "bpf"))
		return 0;
	return log_error_errno(
		-EOPNOTSUPP,
		"The BPF LSM is not active (active: %s). Add 'lsm=...,bpf' to the kernel "
		"command line (keeping the LSMs already listed) and reboot.",
		list);
}

struct enforcer *enforcer_free(struct enforcer *e)
{
	if (!e)
		return NULL;
	bpf_link__destroy(e->record_link);
	for (size_t i = 0; i < e->n_links; i++) {
		bpf_link__destroy(e->links[i]);
		free(e->link_pins[i]);
	}
	secagent__destroy(e->skel);
	for (int i = 0; i < SA_SLOTS; i++)
		free(e->slot_keys[i]);
	free(e->pin_dir);
	free(e->instance);
	free(e);
	return NULL;
}

static char *map_pin_path(const struct enforcer *e, const struct bpf_map *map)
{
	char *p;

	return asprintf(&p, "%s/" PIN_MAP_PREFIX "%s", e->pin_dir, bpf_map__name(map)) < 0 ? NULL
											   : p;
}

/* A pinned map is reused only if it is exactly what this build would create: a daemon never
 * half-uses state left by an incompatible version. */
static int pinned_map_compatible(int fd, const struct bpf_map *want)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return -errno;
	return info.type == bpf_map__type(want) && info.key_size == bpf_map__key_size(want) &&
	       info.value_size == bpf_map__value_size(want) &&
	       info.max_entries == bpf_map__max_entries(want) &&
	       info.map_flags == bpf_map__map_flags(want);
}

/*
 * Adopt the maps a previous daemon pinned, if every one of them is there and compatible, and
 * the state says this layout version. Returns 1 when adopted, 0 when starting fresh.
 */
static int adopt_pinned_maps(struct enforcer *e)
{
	struct bpf_map *maps[] = PINNED_MAPS(e);
	int fds[ELEMENTSOF(maps)];
	struct sa_state st = {};
	uint32_t zero = 0;
	int r = 1;

	for (size_t i = 0; i < ELEMENTSOF(maps); i++) {
		_cleanup_free_ char *path = map_pin_path(e, maps[i]);

		fds[i] = path && r == 1 ? bpf_obj_get(path) : -1;
		if (r == 0) {
			continue;
		} else if (fds[i] < 0) {
			/* No state map: nothing was pinned, a plain fresh start. */
			if (errno != ENOENT || i > 0)
				log_warning(
					"Pinned map %s unusable (%s); replacing the pinned state.",
					path ? path : "?", strerror(errno));
			r = 0;
		} else if (pinned_map_compatible(fds[i], maps[i]) != 1) {
			log_warning(
				"Pinned map %s is from an incompatible build; replacing the pinned "
				"state.",
				path);
			r = 0;
		}
	}
	if (r == 1 &&
	    (bpf_map_lookup_elem(fds[0], &zero, &st) < 0 || st.version != SA_LAYOUT_VERSION)) {
		log_warning("Pinned state has layout version %u, this build uses %u; replacing it.",
			    st.version, SA_LAYOUT_VERSION);
		r = 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(maps); i++) {
		if (r == 1 && bpf_map__reuse_fd(maps[i], fds[i]) < 0) {
			r = log_warning_errno(-errno, "Failed to reuse a pinned map: %m") < 0 ? 0
											      : 0;
		}
		if (fds[i] >= 0)
			close(fds[i]);
	}
	if (r == 1)
		e->seq = st.seq;
	return r;
}

/* After adoption: learn which keys the active slot holds; drop whatever a daemon that died in
 * the middle of an install left in the inactive slot. */
static int scan_adopted_rules(struct enforcer *e)
{
	int fd = bpf_map__fd(e->skel->maps.sa_file_rules);
	uint32_t active = e->seq % SA_SLOTS;
	struct sa_file_key *all = NULL, *keys = NULL;
	size_t n_all = 0, n = 0, n_stale = 0;
	int r;

	r = map_keys_collect(fd, sizeof(*all), NULL, NULL, (void **)&all, &n_all);
	if (r < 0)
		return r;
	keys = calloc(n_all ? n_all : 1, sizeof(*keys));
	if (!keys) {
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_all; i++) {
		if (all[i].slot == active)
			keys[n++] = all[i];
		else {
			(void)bpf_map_delete_elem(fd, &all[i]);
			n_stale++;
		}
	}
	free(all);
	e->slot_keys[active] = keys;
	e->n_slot_keys[active] = n;
	log_info("Adopted the pinned policy state: generation %u, %zu file entries%s.", e->seq, n,
		 n_stale ? " (dropped a half-installed set)" : "");
	return 0;
}

/*
 * Probe the running kernel's hooks, not its version: a program whose LSM hook the kernel lacks
 * is switched off and reported. Also learn the prototype of inode_setattr, which gained an idmap
 * argument in newer kernels.
 */
/* Arms the probe for this thread, stats @path, and reads the key the program wrote. */
static int identify_by_probe(void *userdata, int dirfd, const char *path, int at_flags,
			     struct stat *ret_st, struct file_identity *ret_id)
{
	struct enforcer *e = userdata;
	int fd = bpf_map__fd(e->skel->maps.sa_identity);
	struct sa_identity_probe p = { .tid = (uint32_t)gettid() };
	uint32_t zero = 0;
	int r = 0;

	if (bpf_map_update_elem(fd, &zero, &p, BPF_ANY) < 0)
		return log_error_errno(-errno, "Failed to arm the identity probe: %m");
	if (fstatat(dirfd, path, ret_st, at_flags) < 0)
		r = -errno;
	if (bpf_map_lookup_elem(fd, &zero, &p) < 0)
		return log_error_errno(-errno, "Failed to read the identity probe: %m");
	if (r < 0) {
		p = (struct sa_identity_probe){};
		(void)bpf_map_update_elem(fd, &zero, &p, BPF_ANY);
		return r;
	}
	/* No answer: the program is not attached. Never guess a key the hooks may not compute. */
	if (p.tid != 0)
		return log_error_errno(-EIO, "The identity probe did not answer for %s.", path);
	*ret_id = (struct file_identity){
		.dev = p.dev,
		.ino = p.ino,
		.fs_magic = p.fs_magic,
		.inexact = p.flags & SA_IDENTITY_EXACT ? NULL : file_identity_btrfs_without_btf,
	};
	return 0;
}

struct file_identity_source enforcer_identity_source(struct enforcer *e)
{
	return (struct file_identity_source){ identify_by_probe, e };
}

static int probe_hooks(struct enforcer *e)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;

	if (!vmlinux)
		return log_error_errno(-errno, "Failed to read the kernel's BTF: %m");
	bpf_object__for_each_program (prog, e->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		char fn[128];
		int id;

		if (strncmp(sec, "lsm/", 4) != 0)
			continue;
		snprintf(fn, sizeof(fn), "bpf_lsm_%s", sec + 4);
		id = btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC);
		if (id < 0) {
			log_warning("This kernel has no LSM hook %s: %s is switched off, what it "
				    "enforces is not enforced.",
				    sec + 4, bpf_program__name(prog));
			bpf_program__set_autoload(prog, false);
			/* Reported by status; a list too long for the buffer is cut with "...". */
			if (strlen(e->hooks_off) + strlen(sec + 4) + 5 < sizeof(e->hooks_off))
				strcat(strcat(e->hooks_off, e->hooks_off[0] ? "," : ""), sec + 4);
			else if (!strstr(e->hooks_off, "..."))
				strcat(e->hooks_off, ",...");
			continue;
		}
		/* Hooks that gained an argument: two programs for the two prototypes; keep the one
		 * this kernel has (inode_setattr: the idmap first; bpf: whether the kernel calls).
		 */
		if (streq(sec + 4, "inode_setattr") || streq(sec + 4, "bpf")) {
			const struct btf_type *fn_t = btf__type_by_id(vmlinux, id);
			const struct btf_type *proto = btf__type_by_id(vmlinux, fn_t->type);
			bool longer = btf_vlen(proto) >= (streq(sec + 4, "bpf") ? 4 : 3);
			const char *longer_prog =
				streq(sec + 4, "bpf") ? "sa_bpf_kernel" : "sa_inode_setattr_idmap";

			if (longer != streq(bpf_program__name(prog), longer_prog))
				bpf_program__set_autoload(prog, false);
		}
	}
	btf__free(vmlinux);
	return 0;
}

static int attach_programs(struct enforcer *e)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, e->skel->obj) {
		struct bpf_link *link;

		/* The recorder attaches only while a recording runs (enforcer_record_start()). */
		if (!bpf_program__autoload(prog) || prog == e->skel->progs.sa_record_syscall)
			continue;
		if (e->n_links >= ELEMENTSOF(e->links))
			return log_error_errno(-E2BIG,
					       "More BPF programs than the %zu links the "
					       "daemon keeps; raise ENFORCER_MAX_PROGRAMS.",
					       ELEMENTSOF(e->links));
		link = bpf_program__attach(prog);
		if (!link)
			return log_error_errno(-errno, "Failed to attach %s: %m",
					       bpf_program__name(prog));
		e->link_progs[e->n_links] = bpf_program__name(prog);
		e->links[e->n_links++] = link;
	}
	return 0;
}

static int own_id(struct enforcer *e, uint32_t kind, int fd)
{
	struct bpf_link_info link = {};
	struct bpf_map_info map = {};
	struct sa_own_key key = { .kind = kind };
	uint32_t one = 1, len = kind == SA_OWN_MAP ? sizeof(map) : sizeof(link);

	if (bpf_obj_get_info_by_fd(fd, kind == SA_OWN_MAP ? (void *)&map : (void *)&link, &len) < 0)
		return -errno;
	key.id = kind == SA_OWN_MAP ? map.id : link.id;
	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.sa_own), &key, &one, BPF_ANY) < 0)
		return -errno;
	return 0;
}

/*
 * Self-protection: who the daemon is (its pid, its pin directory) and which maps are its own,
 * before the programs attach; its links once they are attached.
 */
static int record_self(struct enforcer *e)
{
	struct sa_self_info self = { .tgid = (uint32_t)getpid() };
	struct bpf_map *map;
	struct stat st;
	uint32_t zero = 0;
	int r;

	if (stat(e->pin_dir, &st) < 0)
		return log_error_errno(-errno, "Failed to stat %s: %m", e->pin_dir);
	self.pin_dev = kernel_dev_from_stat(st.st_dev); /* bpffs: the superblock's device */
	self.pin_ino = st.st_ino;
	bpf_object__for_each_map (map, e->skel->obj) {
		if (bpf_map__fd(map) < 0)
			continue;
		r = own_id(e, SA_OWN_MAP, bpf_map__fd(map));
		if (r < 0)
			return log_error_errno(r, "Failed to record map %s: %m",
					       bpf_map__name(map));
	}
	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.sa_self), &zero, &self, BPF_ANY) < 0)
		return log_error_errno(-errno, "Failed to record the daemon's pid: %m");
	return 0;
}

static int record_own_links(struct enforcer *e)
{
	for (size_t i = 0; i < e->n_links; i++) {
		int r = own_id(e, SA_OWN_LINK, bpf_link__fd(e->links[i]));

		if (r < 0)
			return log_error_errno(r, "Failed to record link of %s: %m",
					       e->link_progs[i]);
	}
	return 0;
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
	e->pin_dir = strdup(cfg->pin_dir);
	if (!e->pin_dir || asprintf(&e->instance, "%d", (int)getpid()) < 0) {
		r = log_error_errno(-ENOMEM, "Out of memory");
		goto fail;
	}
	if (mkdir(e->pin_dir, 0700) < 0 && errno != EEXIST) {
		r = log_error_errno(-errno, "Failed to create %s (is bpffs mounted?): %m",
				    e->pin_dir);
		goto fail;
	}

	e->skel = secagent__open();
	if (!e->skel) {
		r = log_error_errno(-errno, "Failed to open the BPF object: %m");
		goto fail;
	}
	e->skel->rodata->sa_count_rules = cfg->count_rules;
	r = bpf_map__set_max_entries(e->skel->maps.sa_file_rules, SA_SLOTS * cfg->max_file_rules);
	if (r == 0)
		r = bpf_map__set_max_entries(e->skel->maps.sa_name_rules,
					     SA_SLOTS * cfg->max_file_rules);
	if (r == 0)
		r = bpf_map__set_max_entries(e->skel->maps.sa_events, cfg->ringbuf_bytes);
	if (r < 0) {
		log_error_errno(r, "Failed to size the BPF maps: %m");
		goto fail;
	}

	r = probe_hooks(e);
	if (r < 0)
		goto fail;
	e->adopted = adopt_pinned_maps(e) == 1;

	r = secagent__load(e->skel);
	if (r < 0) {
		log_error_errno(
			r, "Failed to load the BPF programs (run with SECAGENT_LOG_LEVEL=debug "
			   "for the verifier's log): %m");
		goto fail;
	}
	if (e->adopted) {
		r = scan_adopted_rules(e);
		if (r < 0) {
			log_error_errno(r, "Failed to read the adopted rules: %m");
			goto fail;
		}
	} else if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.sa_state), &zero, &st, BPF_ANY) <
		   0) {
		r = log_error_errno(-errno, "Failed to initialise the policy state: %m");
		goto fail;
	}
	r = record_self(e);
	if (r < 0)
		goto fail;
	/* Attached beside whatever a previous daemon left pinned: both enforce until
	 * enforcer_take_over() retires the old links, so there is no moment without a hook. */
	r = attach_programs(e);
	if (r < 0)
		goto fail;
	r = record_own_links(e);
	if (r < 0)
		goto fail;

	*ret = e;
	return 0;
fail:
	enforcer_free(e);
	return r;
}

const char *enforcer_hooks_off(const struct enforcer *e)
{
	return e->hooks_off[0] ? e->hooks_off : "none";
}

int enforcer_hooks_attached(const struct enforcer *e, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (size_t i = 0; i < e->n_links; i++) {
		struct bpf_link_info info = {};
		uint32_t len = sizeof(info);
		const struct bpf_program *prog =
			bpf_object__find_program_by_name(e->skel->obj, e->link_progs[i]);
		const char *hook = prog ? bpf_program__section_name(prog) : NULL;
		int n;

		/* Asked of the kernel: a link whose program is gone is not attached. */
		if (!hook || strncmp(hook, "lsm/", 4) != 0 ||
		    bpf_obj_get_info_by_fd(bpf_link__fd(e->links[i]), &info, &len) < 0 ||
		    info.prog_id == 0)
			continue;
		n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", hook + 4);
		if (n < 0 || (size_t)n >= size - used)
			return -ENOBUFS;
		used += (size_t)n;
	}
	return 0;
}

bool enforcer_adopted(const struct enforcer *e)
{
	return e->adopted;
}

struct foreign_pins {
	const struct enforcer *e;
	bool keep_maps;
};

static bool pin_is_kept(const char *name, void *userdata)
{
	const struct foreign_pins *f = userdata;

	if (f->keep_maps && strncmp(name, PIN_MAP_PREFIX, strlen(PIN_MAP_PREFIX)) == 0)
		return true;
	for (size_t i = 0; i < f->e->n_links; i++) {
		const char *pin = f->e->link_pins[i];

		if (pin && streq(strrchr(pin, '/') + 1, name))
			return true;
	}
	return false;
}

/* Unpins every pin in the directory except ours; @keep_maps keeps the map pins. */
static void remove_foreign_pins(struct enforcer *e, bool keep_maps)
{
	struct foreign_pins f = { e, keep_maps };

	(void)pins_remove(e->pin_dir, pin_is_kept, NULL, &f);
}

int enforcer_take_over(struct enforcer *e)
{
	struct bpf_map *maps[] = PINNED_MAPS(e);
	int r;

	/* Our links first, under names of their own (bpffs refuses dots in names): the old ones
	 * are unpinned only after. */
	for (size_t i = 0; i < e->n_links; i++) {
		char *path;

		if (asprintf(&path, "%s/" PIN_LINK_PREFIX "%s_%s", e->pin_dir, e->link_progs[i],
			     e->instance) < 0)
			return -ENOMEM;
		(void)unlink(path);
		r = bpf_link__pin(e->links[i], path);
		if (r < 0) {
			log_warning_errno(r, "Failed to pin %s: %m", path);
			free(path);
			return r;
		}
		e->link_pins[i] = path;
	}
	/* Retire the previous daemon's links (their programs detach) and, unless adopted, its
	 * maps; then pin ours. */
	remove_foreign_pins(e, e->adopted);
	for (size_t i = 0; i < ELEMENTSOF(maps); i++) {
		_cleanup_free_ char *path = map_pin_path(e, maps[i]);

		if (!path)
			return -ENOMEM;
		if (e->adopted)
			continue;
		(void)unlink(path);
		r = bpf_map__pin(maps[i], path);
		if (r < 0)
			return log_warning_errno(r, "Failed to pin %s: %m", path);
	}
	return 0;
}

void enforcer_remove_pins(struct enforcer *e)
{
	/* The links stay attached until enforcer_free(): enforcement ends with the daemon. */
	for (size_t i = 0; i < e->n_links; i++)
		if (e->link_pins[i])
			(void)unlink(e->link_pins[i]);
	remove_foreign_pins(e, false);
	(void)rmdir(e->pin_dir);
}

static void delete_slot(struct enforcer *e, int fd, uint32_t slot)
{
	for (size_t i = 0; i < e->n_slot_keys[slot]; i++)
		(void)bpf_map_delete_elem(fd, &e->slot_keys[slot][i]);
	free(e->slot_keys[slot]);
	e->slot_keys[slot] = NULL;
	e->n_slot_keys[slot] = 0;
}

/* Deletes every name entry of @slot. They are not tracked key by key like the inode entries:
 * walking the map also finds the ones an adopted state left. */
static int clear_names_of_slot(int fd, uint32_t slot)
{
	return map_clear_slot(fd, sizeof(struct sa_name_key), offsetof(struct sa_name_key, slot),
			      sizeof(((struct sa_name_key *)0)->slot), slot);
}

static struct net_map_fds net_fds(const struct enforcer *e)
{
	return (struct net_map_fds){
		.net = bpf_map__fd(e->skel->maps.sa_net_rules),
		.ports = bpf_map__fd(e->skel->maps.sa_net_ports),
		.create = bpf_map__fd(e->skel->maps.sa_create_rules),
		.caps = bpf_map__fd(e->skel->maps.sa_cap_rules),
	};
}

static struct selector_map_fds selector_fds(const struct enforcer *e)
{
	return (struct selector_map_fds){
		.table = bpf_map__fd(e->skel->maps.sa_selectors),
		.cgroups = bpf_map__fd(e->skel->maps.sa_cgroups),
		.cgroup_paths = bpf_map__fd(e->skel->maps.sa_cgroup_paths),
		.binaries = bpf_map__fd(e->skel->maps.sa_binaries),
	};
}

int enforcer_update_bound_cgroup(struct enforcer *e, uint64_t cgroup_id, uint64_t set,
				 uint64_t clear)
{
	const struct selector_map_fds fds = selector_fds(e);

	return selector_maps_update_bound(&fds, e->seq % SA_SLOTS, cgroup_id, set, clear);
}

/* Writes slot @slot's filter: the bits of @c's file entries, or none for @c NULL. */
static int write_file_filter(struct enforcer *e, const struct compiled_set *c, uint32_t slot)
{
	_cleanup_free_ struct sa_file_filter *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	if (c)
		compiled_file_filter(c, f);
	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.sa_file_filter), &slot, f, BPF_ANY) < 0)
		return -errno;
	return 0;
}

int enforcer_install(struct enforcer *e, const struct compiled_set *c, uint32_t *ret_seq)
{
	int rules_fd = bpf_map__fd(e->skel->maps.sa_file_rules);
	int names_fd = bpf_map__fd(e->skel->maps.sa_name_rules);
	int state_fd = bpf_map__fd(e->skel->maps.sa_state);
	uint32_t old_slot = e->seq % SA_SLOTS, new_seq = e->seq + 1, new_slot = new_seq % SA_SLOTS;
	struct sa_state st = {};
	uint32_t zero = 0;
	struct sa_file_key *keys;
	const struct selector_map_fds sel_fds = selector_fds(e);
	const struct net_map_fds nfds = net_fds(e);
	int r;

	if (c->n_files > e->max_file_rules)
		return -E2BIG;

	/* The inactive slot is empty after every switch; make sure even if a delete failed. */
	delete_slot(e, rules_fd, new_slot);
	r = selector_maps_clear_slot(&sel_fds, new_slot);
	if (r == 0)
		r = clear_names_of_slot(names_fd, new_slot);
	if (r == 0)
		r = net_maps_clear_slot(&nfds, new_slot);
	if (r == 0)
		r = selector_maps_install(&sel_fds, &c->selectors, new_slot);
	if (r == 0)
		r = net_maps_install(&nfds, c, new_slot);
	if (r < 0) {
		(void)selector_maps_clear_slot(&sel_fds, new_slot);
		(void)net_maps_clear_slot(&nfds, new_slot);
		return r;
	}

	keys = calloc(c->n_files ? c->n_files : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	e->slot_keys[new_slot] = keys;
	for (size_t i = 0; i < c->n_files; i++) {
		if (c->files[i].name[0]) {
			struct sa_name_key nk = {
				.slot = new_slot,
				.selector = c->files[i].selector,
				.dev = c->files[i].dev,
				.ino = c->files[i].ino,
			};

			memcpy(nk.name, c->files[i].name, sizeof(nk.name));
			if (bpf_map_update_elem(names_fd, &nk, &c->files[i].rule, BPF_NOEXIST) <
			    0) {
				r = -errno;
				delete_slot(e, rules_fd, new_slot);
				(void)clear_names_of_slot(names_fd, new_slot);
				return r;
			}
			continue;
		}
		keys[e->n_slot_keys[new_slot]] = (struct sa_file_key){
			.slot = new_slot,
			.selector = c->files[i].selector,
			.dev = c->files[i].dev,
			.ino = c->files[i].ino,
		};
		if (bpf_map_update_elem(rules_fd, &keys[e->n_slot_keys[new_slot]],
					&c->files[i].rule, BPF_NOEXIST) < 0) {
			r = -errno;
			delete_slot(e, rules_fd, new_slot);
			(void)clear_names_of_slot(names_fd, new_slot);
			return r;
		}
		e->n_slot_keys[new_slot]++;
	}

	/* The filter of the new slot's entries: complete before the switch, like the entries. */
	r = write_file_filter(e, c, new_slot);
	if (r < 0) {
		delete_slot(e, rules_fd, new_slot);
		(void)clear_names_of_slot(names_fd, new_slot);
		return r;
	}

	/* The new slot's flags first, under the old seq (no hook reads that slot yet); then the
	 * switch: hooks read seq before and after their walk, see sa_decide(). */
	if (bpf_map_lookup_elem(state_fd, &zero, &st) < 0) {
		r = -errno;
		delete_slot(e, rules_fd, new_slot);
		return r;
	}
	st.version = SA_LAYOUT_VERSION;
	st.slot_flags[new_slot] =
		(c->has_tree_deny ? SA_SLOT_HAS_TREE_DENY : 0) |
		(c->has_tree ? SA_SLOT_HAS_TREE : 0) | (c->n_net ? SA_SLOT_HAS_NET : 0) |
		(c->n_create ? SA_SLOT_HAS_CREATE : 0) | (c->n_caps ? SA_SLOT_HAS_CAPS : 0) |
		(c->has_posture ? SA_SLOT_HAS_POSTURE : 0);
	_Static_assert(SA_KERNEL_KEY(SA_KERNEL_OPS) <= 128, "capability keys fit in 128 bits");
	memset(st.slot_cap_keys[new_slot], 0, sizeof(st.slot_cap_keys[new_slot]));
	for (size_t i = 0; i < c->n_caps; i++) {
		uint32_t k = c->caps[i].key.cap;

		st.slot_cap_keys[new_slot][k / 64 % 2] |= UINT64_C(1) << (k % 64);
	}
	if (bpf_map_update_elem(state_fd, &zero, &st, BPF_ANY) < 0) {
		r = -errno;
		delete_slot(e, rules_fd, new_slot);
		return r;
	}
	st.seq = new_seq;
	if (bpf_map_update_elem(state_fd, &zero, &st, BPF_ANY) < 0) {
		r = -errno;
		delete_slot(e, rules_fd, new_slot);
		return r;
	}
	e->seq = new_seq;
	delete_slot(e, rules_fd, old_slot);
	r = selector_maps_clear_slot(&sel_fds, old_slot);
	if (r == 0)
		r = clear_names_of_slot(names_fd, old_slot);
	if (r == 0)
		r = net_maps_clear_slot(&nfds, old_slot);
	if (r == 0)
		r = write_file_filter(e, NULL, old_slot);
	if (r < 0)
		/* Harmless now (no hook reads that slot) and cleared again before its next use. */
		log_warning_errno(
			r, "Failed to clear the old slot (selectors, names, network, filter): %m");

	*ret_seq = new_seq;
	return 0;
}

int enforcer_events_map_fd(const struct enforcer *e)
{
	return bpf_map__fd(e->skel->maps.sa_events);
}

int enforcer_rule_counts_fd(const struct enforcer *e)
{
	return bpf_map__fd(e->skel->maps.sa_rule_counts);
}

uint64_t enforcer_rule_counts_unrecorded(const struct enforcer *e)
{
	return __atomic_load_n(&e->skel->bss->sa_rule_counts_unrecorded, __ATOMIC_RELAXED);
}

int enforcer_program_stats(const struct enforcer *e, struct enforcer_program_stats **ret,
			   size_t *ret_n)
{
	struct enforcer_program_stats *a = NULL;
	struct bpf_program *prog;
	size_t n = 0;

	bpf_object__for_each_program (prog, e->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct enforcer_program_stats *na;
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
			continue; /* not loaded: its hook is missing on this kernel */
		na = reallocarray(a, n + 1, sizeof(*a));
		if (!na) {
			free(a);
			return -ENOMEM;
		}
		a = na;
		snprintf(a[n].name, sizeof(a[n].name), "%s", bpf_program__name(prog));
		a[n].run_time_ns = info.run_time_ns;
		a[n].run_count = info.run_cnt;
		n++;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

int enforcer_read_counters(const struct enforcer *e, uint64_t ret_counters[SA_COUNTER__MAX])
{
	int fd = bpf_map__fd(e->skel->maps.sa_counters);

	for (uint32_t k = 0; k < SA_COUNTER__MAX; k++) {
		int r = map_lookup_percpu_sum(fd, &k, &ret_counters[k]);

		if (r < 0)
			return r;
	}
	return 0;
}

int enforcer_record_start(struct enforcer *e, const char *cgroup_path, uint64_t cgroup_id)
{
	struct secagent__bss *bss = e->skel->bss;

	if (e->record_link)
		return -EBUSY;
	if (strlen(cgroup_path) >= sizeof(bss->sa_record_cgroup_path))
		return -ENAMETOOLONG;
	memset(bss->sa_record_syscalls, 0, sizeof(bss->sa_record_syscalls));
	bss->sa_record_syscalls_out_of_range = 0;
	memset(bss->sa_record_cgroup_path, 0, sizeof(bss->sa_record_cgroup_path));
	strcpy(bss->sa_record_cgroup_path, cgroup_path);
	/* A cgroup that does not exist yet takes over as it is made: any nonzero id arms it. */
	__atomic_store_n(&bss->sa_record_cgroup_id, cgroup_id ? cgroup_id : UINT64_MAX,
			 __ATOMIC_RELEASE);
	e->record_link = bpf_program__attach(e->skel->progs.sa_record_syscall);
	if (!e->record_link) {
		int r = -errno;

		__atomic_store_n(&bss->sa_record_cgroup_id, 0, __ATOMIC_RELEASE);
		return r;
	}
	return 0;
}

int enforcer_record_stop(struct enforcer *e, uint8_t ret_seen[SA_RECORD_SYSCALLS],
			 uint64_t *ret_out_of_range)
{
	struct secagent__bss *bss = e->skel->bss;

	if (!e->record_link)
		return -ENOENT;
	bpf_link__destroy(e->record_link);
	e->record_link = NULL;
	__atomic_store_n(&bss->sa_record_cgroup_id, 0, __ATOMIC_RELEASE);
	memcpy(ret_seen, bss->sa_record_syscalls, SA_RECORD_SYSCALLS);
	*ret_out_of_range = bss->sa_record_syscalls_out_of_range;
	return 0;
}
