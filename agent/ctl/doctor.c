// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `secagentctl doctor`: probes what this host can enforce. Library-style: the checks fill a
 * report and never log; doctor_main() prints it and turns the verdict into the exit code.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "doctor.h"
#include "json-util.h"
#include "log.h"
#include "lsm.h"
#include "secagent.skel.h"
#include "util.h"

#define BTF_FILE       "/sys/kernel/btf/vmlinux"
#define CGROUP_FILE    "/sys/fs/cgroup/cgroup.controllers"
#define SECCOMP_FILE   "/proc/sys/kernel/seccomp/actions_avail"
#define SMALL_FILE_MAX 4096

/* The hooks the daemon attaches to, read from its BPF object: the list has one owner. */
static struct doctor_hook hook_table[DOCTOR_MAX_HOOKS];
const struct doctor_hook *const doctor_hooks = hook_table;
size_t doctor_n_hooks;

/* The hook every file rule needs; it stands first, for "does an LSM program work here at all". */
#define DOCTOR_FIRST_HOOK "file_open"

/* Fills the table from the skeleton's "lsm/HOOK" programs, one entry per hook, naming the
 * programs that attach there. */
static int load_hooks(void)
{
	struct secagent *skel;
	struct bpf_program *prog;

	if (doctor_n_hooks)
		return 0;
	skel = secagent__open();
	if (!skel)
		return -errno;
	snprintf(hook_table[0].name, sizeof(hook_table[0].name), "%s", DOCTOR_FIRST_HOOK);
	hook_table[0].required = true;
	doctor_n_hooks = 1;
	bpf_object__for_each_program (prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		struct doctor_hook *h = NULL;
		size_t len;

		if (strncmp(sec, "lsm/", 4) != 0)
			continue;
		for (size_t i = 0; i < doctor_n_hooks && !h; i++)
			if (streq(hook_table[i].name, sec + 4))
				h = &hook_table[i];
		if (!h) {
			if (doctor_n_hooks == DOCTOR_MAX_HOOKS) {
				secagent__destroy(skel);
				return -E2BIG;
			}
			h = &hook_table[doctor_n_hooks++];
			snprintf(h->name, sizeof(h->name), "%s", sec + 4);
		}
		len = strlen(h->purpose);
		snprintf(h->purpose + len, sizeof(h->purpose) - len, "%s%s",
			 len ? ", " : "program ", bpf_program__name(prog));
	}
	secagent__destroy(skel);
	return 0;
}

static const char *const check_names[_DOCTOR_CHECK_MAX] = {
	[DOCTOR_CHECK_LSM_ACTIVE] = "bpf_lsm",
	[DOCTOR_CHECK_BTF] = "btf",
	[DOCTOR_CHECK_LSM_PROGRAM] = "lsm_program",
	[DOCTOR_CHECK_RINGBUF] = "ringbuf",
	[DOCTOR_CHECK_HOOKS] = "hooks",
	[DOCTOR_CHECK_CGROUP_V2] = "cgroup_v2",
	[DOCTOR_CHECK_SECCOMP] = "seccomp",
};

static const char *const check_titles[_DOCTOR_CHECK_MAX] = {
	[DOCTOR_CHECK_LSM_ACTIVE] = "BPF LSM active",
	[DOCTOR_CHECK_BTF] = "kernel BTF",
	[DOCTOR_CHECK_LSM_PROGRAM] = "LSM program loads",
	[DOCTOR_CHECK_RINGBUF] = "BPF ring buffer",
	[DOCTOR_CHECK_HOOKS] = "LSM hooks",
	[DOCTOR_CHECK_CGROUP_V2] = "cgroup v2",
	[DOCTOR_CHECK_SECCOMP] = "seccomp",
};

const char *doctor_check_name(enum doctor_check_id id)
{
	return id < _DOCTOR_CHECK_MAX ? check_names[id] : NULL;
}

const char *doctor_status_name(enum doctor_status s)
{
	static const char *const names[] = { "ok", "warn", "fail", "skipped" };

	return s < ELEMENTSOF(names) ? names[s] : NULL;
}

static const char *impact_name(enum doctor_impact i)
{
	static const char *const names[] = { "required", "degrades", "info" };

	return i < ELEMENTSOF(names) ? names[i] : NULL;
}

const char *doctor_verdict_name(enum doctor_verdict v)
{
	switch (v) {
	case DOCTOR_FULL:
		return "full";
	case DOCTOR_PARTIAL:
		return "partial";
	case DOCTOR_NONE:
		return "none";
	default:
		return "unknown";
	}
}

/* Sets a check's result; the texts are formatted, @fix may be NULL. Returns 0 or -ENOMEM. */
static int set_check(struct doctor_check *c, enum doctor_status status, int error, const char *fix,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int set_check(struct doctor_check *c, enum doctor_status status, int error, const char *fix,
		     const char *fmt, ...)
{
	va_list ap;
	int r;

	free(c->summary);
	free(c->fix);
	c->summary = c->fix = NULL;
	c->status = status;
	c->error = abs(error);
	va_start(ap, fmt);
	r = vasprintf(&c->summary, fmt, ap);
	va_end(ap);
	if (r < 0) {
		c->summary = NULL;
		return -ENOMEM;
	}
	if (fix) {
		c->fix = strdup(fix);
		if (!c->fix)
			return -ENOMEM;
	}
	return 0;
}

static int root_path(const struct doctor_options *o, const char *path, char **ret)
{
	const char *root = o && o->root && !streq(o->root, "/") ? o->root : "";

	return asprintf(ret, "%s%s", root, path) < 0 ? -ENOMEM : 0;
}

/* Reads a small text file under the options' root, without its trailing newlines. */
static int read_small_file(const struct doctor_options *o, const char *path, char **ret)
{
	_cleanup_free_ char *p = NULL, *buf = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t n;

	if (root_path(o, path, &p) < 0)
		return -ENOMEM;
	f = fopen(p, "re");
	if (!f)
		return -errno;
	buf = malloc(SMALL_FILE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	n = fread(buf, 1, SMALL_FILE_MAX, f);
	if (ferror(f))
		return -EIO;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	*ret = TAKE_PTR(buf);
	return 0;
}

static bool file_exists(const struct doctor_options *o, const char *path)
{
	_cleanup_free_ char *p = NULL;

	return root_path(o, path, &p) == 0 && access(p, F_OK) == 0;
}

int doctor_lsm_suggest(const char *active, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0;

	if (!active)
		return -EINVAL;
	if (lsm_list_contains(active, "bpf")) {
		*ret = NULL;
		return 0;
	}
	out = malloc(strlen(active) + sizeof(",bpf"));
	if (!out)
		return -ENOMEM;
	for (const char *s = active; *s;) {
		size_t n;

		s += strspn(s, ", \t\n");
		n = strcspn(s, ", \t\n");
		/* capability always runs first and cannot be listed; lsm= ignores it. */
		if (n > 0 && !(n == 10 && strncmp(s, "capability", 10) == 0)) {
			if (len > 0)
				out[len++] = ',';
			memcpy(out + len, s, n);
			len += n;
		}
		s += n;
	}
	if (len > 0)
		out[len++] = ',';
	memcpy(out + len, "bpf", 4);
	*ret = TAKE_PTR(out);
	return 0;
}

enum doctor_verdict doctor_verdict_from_checks(const struct doctor_check *checks, size_t n)
{
	bool unknown = false, partial = false;

	for (size_t i = 0; i < n; i++) {
		if (checks[i].impact == DOCTOR_INFO)
			continue;
		if (checks[i].status == DOCTOR_FAIL && checks[i].impact == DOCTOR_REQUIRED)
			return DOCTOR_NONE;
		if (checks[i].status == DOCTOR_SKIPPED)
			unknown = true;
		if (checks[i].status == DOCTOR_FAIL)
			partial = true;
	}
	if (unknown)
		return DOCTOR_UNKNOWN;
	return partial ? DOCTOR_PARTIAL : DOCTOR_FULL;
}

/* The value of the last lsm= on the kernel command line (the kernel honours the last one). */
static int cmdline_lsm(const struct doctor_options *o, char **ret)
{
	_cleanup_free_ char *cmdline = NULL;
	const char *found = NULL;
	size_t found_len = 0;
	int r;

	r = read_small_file(o, "/proc/cmdline", &cmdline);
	if (r < 0)
		return r;
	for (const char *s = cmdline; *s;) {
		size_t n;

		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n == 2 && strncmp(s, "--", 2) == 0)
			break; /* the rest belongs to init */
		if (n >= 4 && strncmp(s, "lsm=", 4) == 0) {
			found = s + 4;
			found_len = n - 4;
		}
		s += n;
	}
	if (!found) {
		*ret = NULL;
		return 0;
	}
	*ret = strndup(found, found_len);
	return *ret ? 0 : -ENOMEM;
}

/* The kernel's built-in LSM order (CONFIG_LSM), from the config Debian installs in /boot. */
static int config_lsm(const struct doctor_options *o, const struct utsname *u, char **ret)
{
	_cleanup_free_ char *path = NULL, *p = NULL, *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t cap = 0;

	if (asprintf(&path, "/boot/config-%s", u->release) < 0 || root_path(o, path, &p) < 0)
		return -ENOMEM;
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *v, *end;

		if (strncmp(line, "CONFIG_LSM=\"", 12) != 0)
			continue;
		v = line + 12;
		end = strchr(v, '"');
		if (!end)
			break;
		*ret = strndup(v, end - v);
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int check_lsm_active(const struct doctor_options *o, struct doctor_report *rep)
{
	struct doctor_check *c = &rep->checks[DOCTOR_CHECK_LSM_ACTIVE];
	_cleanup_free_ char *fix = NULL, *base = NULL;
	const char *where;
	int r;

	c->impact = DOCTOR_REQUIRED;
	r = cmdline_lsm(o, &rep->lsm_cmdline);
	if (r == -ENOMEM)
		return r;

	r = lsm_read_active(o ? o->root : NULL, &rep->lsm_active);
	if (r == -ENOMEM)
		return r;
	if (r >= 0 && lsm_list_contains(rep->lsm_active, "bpf"))
		return set_check(c, DOCTOR_OK, 0, NULL, "bpf is an active LSM (%s)",
				 rep->lsm_active);

	/* Start the suggestion from what the kernel runs now, else from what it would run. */
	if (rep->lsm_active)
		base = strdup(rep->lsm_active);
	else if (rep->lsm_cmdline)
		base = strdup(rep->lsm_cmdline);
	else if (config_lsm(o, &rep->uts, &base) == -ENOMEM)
		return -ENOMEM;
	if ((rep->lsm_active || rep->lsm_cmdline) && !base)
		return -ENOMEM;
	if (base) {
		r = doctor_lsm_suggest(base, &rep->lsm_suggested);
		if (r == -ENOMEM)
			return r;
	}

	if (file_exists(o, "/etc/default/grub"))
		where = "This host boots with GRUB: edit /etc/default/grub, add it to "
			"GRUB_CMDLINE_LINUX=\"...\" (replacing any lsm= already there), run "
			"update-grub, and reboot.";
	else if (file_exists(o, "/etc/kernel/cmdline"))
		where = "This host keeps its command line in /etc/kernel/cmdline (systemd-boot): add "
			"it there (replacing any lsm= already there), reinstall the kernel entry "
			"(kernel-install add, or update-initramfs -u), and reboot.";
	else
		where = "Add it to the boot loader's kernel command line (on Debian: "
			"GRUB_CMDLINE_LINUX "
			"in /etc/default/grub, then update-grub), and reboot.";

	if (!rep->lsm_active) {
		if (rep->lsm_suggested &&
		    asprintf(&fix,
			     "Mount securityfs to see the active LSMs (mount -t securityfs "
			     "securityfs /sys/kernel/security). If bpf is missing there, the "
			     "kernel command line needs lsm=%s. %s",
			     rep->lsm_suggested, where) < 0)
			return -ENOMEM;
		return set_check(c, DOCTOR_SKIPPED, -r,
				 fix
					 ?: "Mount securityfs: mount -t securityfs "
					    "securityfs /sys/kernel/security",
				 "cannot read %s (%s): the active LSMs are unknown", LSM_LIST_FILE,
				 r == -ENOENT ? "securityfs is not mounted here" : strerror(-r));
	}
	if (rep->lsm_suggested) {
		if (asprintf(&fix, "Put lsm=%s on the kernel command line. %s", rep->lsm_suggested,
			     where) < 0)
			return -ENOMEM;
	} else if (asprintf(&fix, "Add bpf to the lsm= list on the kernel command line. %s",
			    where) < 0)
		return -ENOMEM;
	return set_check(c, DOCTOR_FAIL, EOPNOTSUPP, fix,
			 "bpf is not in the kernel's active LSM list (%s): BPF LSM programs would "
			 "load but never run",
			 rep->lsm_active);
}

static int check_btf(const struct doctor_options *o, struct doctor_report *rep, struct btf **ret)
{
	struct doctor_check *c = &rep->checks[DOCTOR_CHECK_BTF];
	_cleanup_free_ char *p = NULL;
	struct btf *btf;
	struct stat st;
	int r;

	c->impact = DOCTOR_REQUIRED;
	*ret = NULL;
	if (root_path(o, BTF_FILE, &p) < 0)
		return -ENOMEM;
	if (stat(p, &st) < 0)
		return set_check(c, DOCTOR_FAIL, errno,
				 "Use a kernel built with CONFIG_DEBUG_INFO_BTF=y (every Debian "
				 "kernel since bullseye is).",
				 "%s is missing: the kernel exposes no BTF type information, which "
				 "attaching LSM programs needs",
				 BTF_FILE);
	btf = btf__parse(p, NULL);
	if (!btf) {
		r = -errno;
		return set_check(c, DOCTOR_FAIL, r, NULL, "%s exists but cannot be parsed: %s",
				 BTF_FILE, strerror(-r));
	}
	*ret = btf;
	return set_check(c, DOCTOR_OK, 0, NULL, "%s (%lld KiB, %u types)", BTF_FILE,
			 (long long)st.st_size / 1024, btf__type_cnt(btf) - 1);
}

/* Loads and attaches a program on LSM hook @hook that returns the verdict it is given (so it
 * never changes one), then detaches it. Returns 0, or a negative errno with *ret_stage naming
 * the step that failed. */
static int probe_lsm_hook(const struct btf *btf, const char *hook, const char **ret_stage)
{
	/* r0 = ctx[N], the previous verdict, which follows the hook's N arguments; return r0, so
	 * the probe never changes a decision while it is attached. */
	struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC);
	_cleanup_close_ int prog_fd = -1, link_fd = -1;
	char name[128];
	int id;

	*ret_stage = "find";
	if (snprintf(name, sizeof(name), "bpf_lsm_%s", hook) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	insns[0].off =
		(int16_t)(btf_vlen(btf__type_by_id(btf, btf__type_by_id(btf, id)->type)) * 8);
	opts.attach_btf_id = id;

	*ret_stage = "load";
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_LSM, "secagent_probe", "GPL", insns,
				ELEMENTSOF(insns), &opts);
	if (prog_fd < 0)
		return -errno;

	*ret_stage = "attach";
	link_fd = bpf_link_create(prog_fd, 0, BPF_LSM_MAC, NULL);
	if (link_fd < 0)
		/* Kernels before link_create supported LSM programs attach them this way. */
		link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0)
		return -errno;
	return 0;
}

static int check_lsm_program(const struct doctor_options *o, struct doctor_report *rep,
			     const struct btf *btf)
{
	struct doctor_check *c = &rep->checks[DOCTOR_CHECK_LSM_PROGRAM];
	struct doctor_check *h = &rep->checks[DOCTOR_CHECK_HOOKS];
	const char *stage = "load";
	char list[DOCTOR_MAX_HOOKS * 80] = "";
	size_t n_failed = 0;
	bool required_failed = false;
	int r, first = 0;

	c->impact = DOCTOR_REQUIRED;
	h->impact = DOCTOR_DEGRADES;
	for (size_t i = 0; i < rep->n_hooks; i++)
		rep->hooks[i].status = DOCTOR_SKIPPED;
	if (!o->probe_bpf) {
		set_check(h, DOCTOR_SKIPPED, EPERM, "Run secagentctl doctor as root.",
			  "not probed: loading programs needs root");
		return set_check(c, DOCTOR_SKIPPED, EPERM, "Run secagentctl doctor as root.",
				 "not probed: loading an LSM program needs root (CAP_BPF and "
				 "CAP_SYS_ADMIN)");
	}
	if (!btf) {
		set_check(h, DOCTOR_FAIL, ENOENT, NULL, "not probed: no kernel BTF");
		h->impact = DOCTOR_REQUIRED;
		return set_check(
			c, DOCTOR_FAIL, ENOENT, NULL,
			"cannot be attached: without kernel BTF there is no hook to attach "
			"to");
	}

	for (size_t i = 0; i < rep->n_hooks; i++) {
		const char *s;

		r = probe_lsm_hook(btf, doctor_hooks[i].name, &s);
		rep->hooks[i].status = r < 0 ? DOCTOR_FAIL : DOCTOR_OK;
		rep->hooks[i].error = -r;
		if (i == 0) {
			first = r;
			stage = s;
		}
		if (r < 0) {
			size_t len = strlen(list);

			n_failed++;
			required_failed = required_failed || doctor_hooks[i].required;
			snprintf(list + len, sizeof(list) - len, "%s%.63s (%s)", len ? ", " : "",
				 doctor_hooks[i].name, strerrorname_np(-r) ?: "error");
		}
	}
	if (n_failed == 0) {
		for (size_t i = 0; i < rep->n_hooks; i++) {
			size_t len = strlen(list);

			snprintf(list + len, sizeof(list) - len, "%s%.63s", len ? ", " : "",
				 doctor_hooks[i].name);
		}
		r = set_check(h, DOCTOR_OK, 0, NULL, "every hook the daemon uses attaches: %s",
			      list);
	} else {
		h->impact = required_failed ? DOCTOR_REQUIRED : DOCTOR_DEGRADES;
		r = set_check(h, DOCTOR_FAIL, 0, NULL, "%s: %s",
			      required_failed ? "cannot attach hooks the daemon needs"
					      : "the daemon would switch off",
			      list);
	}
	if (r < 0)
		return r;

	/* The first hook in the table is the one every policy needs: it stands for "does an LSM
	 * program work here at all". */
	if (first == 0)
		return set_check(c, DOCTOR_OK, 0, NULL,
				 "a probe program on %s loaded and attached (and was removed)",
				 doctor_hooks[0].name);
	if (streq(stage, "find"))
		return set_check(c, DOCTOR_FAIL, -first,
				 "Use a kernel built with CONFIG_BPF_LSM=y (Debian's are).",
				 "the kernel has no BPF LSM hook bpf_lsm_%s: it was built without "
				 "CONFIG_BPF_LSM",
				 doctor_hooks[0].name);
	if (first == -EPERM || first == -EACCES)
		return set_check(
			c, DOCTOR_FAIL, -first,
			"The kernel, or a sandbox this system runs in (a container, a VM "
			"with a restricted kernel, kernel lockdown), forbids LSM programs. "
			"Run secagent on a host whose kernel allows them.",
			"the kernel refused to %s an LSM program on %s although doctor runs as "
			"root: %s",
			stage, doctor_hooks[0].name, strerror(-first));
	return set_check(c, DOCTOR_FAIL, -first, NULL,
			 "the kernel refused to %s an LSM program on %s: %s", stage,
			 doctor_hooks[0].name, strerror(-first));
}

static int check_ringbuf(const struct doctor_options *o, struct doctor_report *rep)
{
	struct doctor_check *c = &rep->checks[DOCTOR_CHECK_RINGBUF];
	_cleanup_close_ int fd = -1;
	long page = sysconf(_SC_PAGESIZE);

	c->impact = DOCTOR_REQUIRED;
	if (!o->probe_bpf)
		return set_check(c, DOCTOR_SKIPPED, EPERM, "Run secagentctl doctor as root.",
				 "not probed: creating a BPF map needs root");
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "secagent_probe", 0, 0,
			    page > 0 ? (unsigned)page : 4096, NULL);
	if (fd < 0) {
		int r = -errno;

		return set_check(
			c, DOCTOR_FAIL, r,
			r == -EPERM ? "Run secagent on a host whose kernel allows BPF maps."
				    : "Use a kernel with BPF ring buffers (5.8 or later).",
			"cannot create a BPF ring buffer, which carries events to journald: "
			"%s",
			strerror(-r));
	}
	return set_check(c, DOCTOR_OK, 0, NULL, "BPF_MAP_TYPE_RINGBUF can be created");
}

static int check_cgroup(const struct doctor_options *o, struct doctor_report *rep)
{
	struct doctor_check *c = &rep->checks[DOCTOR_CHECK_CGROUP_V2];
	_cleanup_free_ char *controllers = NULL;
	int r;

	c->impact = DOCTOR_INFO;
	r = read_small_file(o, CGROUP_FILE, &controllers);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return set_check(c, DOCTOR_WARN, r,
				 "Boot with the unified hierarchy (systemd's default; "
				 "systemd.unified_cgroup_hierarchy=1).",
				 "no cgroup v2 hierarchy at /sys/fs/cgroup (not needed by secagent "
				 "today)");
	return set_check(c, DOCTOR_OK, 0, NULL, "unified hierarchy at /sys/fs/cgroup%s%s",
			 controllers[0] ? ", controllers: " : "", controllers);
}

static int check_seccomp(const struct doctor_options *o, struct doctor_report *rep)
{
	struct doctor_check *c = &rep->checks[DOCTOR_CHECK_SECCOMP];
	int r;

	c->impact = DOCTOR_INFO;
	r = read_small_file(o, SECCOMP_FILE, &rep->seccomp_actions);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return set_check(c, DOCTOR_WARN, r, NULL,
				 "%s is missing: no seccomp filters (not needed by secagent today)",
				 SECCOMP_FILE);
	return set_check(c, DOCTOR_OK, 0, NULL, "filters available, actions: %s",
			 rep->seccomp_actions);
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int doctor_run(const struct doctor_options *o, struct doctor_report *ret)
{
	struct doctor_report rep = {};
	struct btf *btf = NULL;
	libbpf_print_fn_t old_print;
	int r;

	(void)uname(&rep.uts);
	r = load_hooks();
	if (r < 0)
		return r;
	rep.hooks = calloc(doctor_n_hooks, sizeof(*rep.hooks));
	rep.n_hooks = doctor_n_hooks;
	if (!rep.hooks)
		return -ENOMEM;

	/* The report says what failed; libbpf's own messages would only repeat it. */
	old_print = libbpf_set_print(silent_print);
	r = check_lsm_active(o, &rep);
	if (r >= 0)
		r = check_btf(o, &rep, &btf);
	if (r >= 0)
		r = check_lsm_program(o, &rep, btf);
	if (r >= 0)
		r = check_ringbuf(o, &rep);
	if (r >= 0)
		r = check_cgroup(o, &rep);
	if (r >= 0)
		r = check_seccomp(o, &rep);
	libbpf_set_print(old_print);
	btf__free(btf);
	if (r < 0) {
		doctor_report_done(&rep);
		return r;
	}
	rep.verdict = doctor_verdict_from_checks(rep.checks, _DOCTOR_CHECK_MAX);
	*ret = rep;
	return 0;
}

void doctor_report_done(struct doctor_report *r)
{
	if (!r)
		return;
	free(r->lsm_active);
	free(r->lsm_cmdline);
	free(r->lsm_suggested);
	free(r->seccomp_actions);
	free(r->hooks);
	for (size_t i = 0; i < _DOCTOR_CHECK_MAX; i++) {
		free(r->checks[i].summary);
		free(r->checks[i].fix);
	}
	*r = (struct doctor_report){};
}

static const char *verdict_sentence(enum doctor_verdict v)
{
	switch (v) {
	case DOCTOR_FULL:
		return "this host can enforce secagent policies fully.";
	case DOCTOR_PARTIAL:
		return "this host can enforce secagent policies, with some hooks switched off.";
	case DOCTOR_NONE:
		return "this host cannot enforce secagent policies.";
	default:
		return "could not tell whether this host can enforce secagent policies.";
	}
}

void doctor_print_text(const struct doctor_report *r, FILE *f)
{
	static const char *const marks[] = { "ok", "warn", "FAIL", "skip" };
	unsigned n_fix = 0;

	fprintf(f, "Kernel: %s %s (%s)\n\n", r->uts.release, r->uts.machine, r->uts.version);
	for (size_t i = 0; i < _DOCTOR_CHECK_MAX; i++)
		fprintf(f, "  %-4s  %-18s %s\n", marks[r->checks[i].status], check_titles[i],
			r->checks[i].summary ?: "");
	fprintf(f, "\nVerdict: %s: %s (exit %d)\n", doctor_verdict_name(r->verdict),
		verdict_sentence(r->verdict), (int)r->verdict);

	for (size_t i = 0; i < _DOCTOR_CHECK_MAX; i++) {
		const struct doctor_check *c = &r->checks[i];

		bool seen = false;

		if (!c->fix || c->status == DOCTOR_OK || c->impact == DOCTOR_INFO)
			continue;
		for (size_t j = 0; j < i; j++)
			seen = seen || (r->checks[j].status != DOCTOR_OK &&
					r->checks[j].impact != DOCTOR_INFO &&
					streq_ptr(r->checks[j].fix, c->fix));
		if (seen)
			continue;
		if (n_fix++ == 0)
			fputs("\nTo fix:\n", f);
		fprintf(f, "  %u. %s: %s\n", n_fix, check_titles[i], c->fix);
	}
	if (r->lsm_suggested)
		fprintf(f, "\nKernel command line to add: lsm=%s\n", r->lsm_suggested);
}

/* @list, separated by spaces or commas, as a JSON array of strings; null for NULL. */
static json_t *json_word_list(const char *list)
{
	_cleanup_(json_decrefp) json_t *a = NULL;

	if (!list)
		return json_null();
	a = json_array();
	if (!a)
		return NULL;
	for (const char *s = list; *s;) {
		size_t n;

		s += strspn(s, ", \t\n");
		n = strcspn(s, ", \t\n");
		if (n > 0 && json_array_append_new(a, json_stringn_lossy(s, n)) < 0)
			return NULL;
		s += n;
	}
	return TAKE_PTR(a);
}

/* The report as one JSON object, indented; returns 0, -ENOMEM or -EIO. */
int doctor_print_json(const struct doctor_report *r, FILE *f)
{
	const struct doctor_check *lsm = &r->checks[DOCTOR_CHECK_LSM_ACTIVE];
	_cleanup_(json_decrefp) json_t *root = json_object();
	json_t *kernel, *lsm_obj, *checks, *hooks;

	/* json_object_set_new() takes its value even when it fails (a NULL one too). */
	if (json_object_set_new(root, "version", json_integer(1)) < 0 ||
	    json_object_set_new(root, "verdict",
				json_string_lossy(doctor_verdict_name(r->verdict))) < 0 ||
	    json_object_set_new(root, "exit_code", json_integer((int)r->verdict)) < 0 ||
	    json_object_set_new(root, "kernel", kernel = json_object()) < 0 ||
	    json_object_set_new(root, "lsm", lsm_obj = json_object()) < 0 ||
	    json_object_set_new(root, "checks", checks = json_object()) < 0 ||
	    json_object_set_new(root, "hooks", hooks = json_array()) < 0)
		return -ENOMEM;
	if (json_object_set_new(kernel, "release", json_string_lossy(r->uts.release)) < 0 ||
	    json_object_set_new(kernel, "version", json_string_lossy(r->uts.version)) < 0 ||
	    json_object_set_new(kernel, "machine", json_string_lossy(r->uts.machine)) < 0)
		return -ENOMEM;
	if (json_object_set_new(lsm_obj, "active", json_word_list(r->lsm_active)) < 0 ||
	    json_object_set_new(lsm_obj, "bpf_active",
				lsm->status == DOCTOR_OK     ? json_true()
				: lsm->status == DOCTOR_FAIL ? json_false()
							     : json_null()) < 0 ||
	    json_object_set_new(lsm_obj, "cmdline", json_string_lossy(r->lsm_cmdline)) < 0 ||
	    json_object_set_new(lsm_obj, "suggested", json_string_lossy(r->lsm_suggested)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < _DOCTOR_CHECK_MAX; i++) {
		const struct doctor_check *c = &r->checks[i];
		json_t *check = json_object();

		if (json_object_set_new(checks, check_names[i], check) < 0 ||
		    json_object_set_new(check, "status",
					json_string_lossy(doctor_status_name(c->status))) < 0 ||
		    json_object_set_new(check, "impact",
					json_string_lossy(impact_name(c->impact))) < 0 ||
		    json_object_set_new(check, "errno", json_errno_name(c->error)) < 0 ||
		    json_object_set_new(check, "summary", json_string_lossy(c->summary)) < 0 ||
		    json_object_set_new(check, "fix", json_string_lossy(c->fix)) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < r->n_hooks && i < doctor_n_hooks; i++) {
		json_t *hook = json_object();

		if (json_array_append_new(hooks, hook) < 0 ||
		    json_object_set_new(hook, "name", json_string_lossy(doctor_hooks[i].name)) <
			    0 ||
		    json_object_set_new(hook, "required", json_boolean(doctor_hooks[i].required)) <
			    0 ||
		    json_object_set_new(hook, "status",
					json_string_lossy(doctor_status_name(r->hooks[i].status))) <
			    0 ||
		    json_object_set_new(hook, "errno", json_errno_name(r->hooks[i].error)) < 0 ||
		    json_object_set_new(hook, "purpose",
					json_string_lossy(doctor_hooks[i].purpose)) < 0)
			return -ENOMEM;
	}
	if (json_object_set_new(root, "seccomp_actions", json_word_list(r->seccomp_actions)) < 0)
		return -ENOMEM;
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', f) == EOF)
		return ferror(f) ? -EIO : -ENOMEM;
	return 0;
}

static void doctor_help(void)
{
	printf("Usage: secagentctl doctor [-j|--json]\n\n"
	       "Probes what this host can enforce (BPF LSM active, kernel BTF, an LSM program\n"
	       "loads and attaches, ring buffer, hooks, cgroup v2, seccomp) and says how to fix\n"
	       "what is missing. Run as root: the load probes need it.\n\n"
	       "  -h --help   Show this help\n"
	       "  -j --json   Print the report as one JSON object\n\n"
	       "Exit status: 0 full enforcement possible, 3 partial (some hooks switched off),\n"
	       "4 none, 1 the diagnosis could not be made (e.g. not root), 2 usage error.\n");
}

int doctor_main(int argc, char **argv, bool json)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' },
						 { "json", no_argument, NULL, 'j' },
						 {} };
	struct doctor_options o = { .root = "/", .probe_bpf = geteuid() == 0 };
	struct doctor_report rep;
	int c, r;

	optind = 0; /* the verb's own arguments: argv[0] is "doctor" */
	while ((c = getopt_long(argc, argv, "hj", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			doctor_help();
			return 0;
		case 'j':
			json = true;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		log_error("doctor: unexpected argument '%s'; see --help.", argv[optind]);
		return 2;
	}

	r = doctor_run(&o, &rep);
	if (r < 0) {
		log_error_errno(r, "Failed to run the checks: %m");
		return 1;
	}
	if (json) {
		r = doctor_print_json(&rep, stdout);
		if (r < 0) {
			doctor_report_done(&rep);
			log_error_errno(r, "Failed to print the report: %m");
			return 1;
		}
	} else
		doctor_print_text(&rep, stdout);
	r = rep.verdict;
	doctor_report_done(&rep);
	return fflush(stdout) == 0 ? r : 1;
}
