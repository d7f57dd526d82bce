// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secagentctl profile record: watch one workload (a systemd unit, a running container, or a
 * command started in a scope of its own), then write the policy that allows what it did
 * (lib/profile-gen.c). The daemon does the watching (daemon/recording.h): its events arrive as
 * JSON lines in a memfd passed with the request, its system calls in the reply to record-stop.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <seccomp.h>
#include <systemd/sd-bus.h>

#include "cli.h"
#include "compile.h"
#include "control.h"
#include "file-identity.h"
#include "log.h"
#include "policy-set.h"
#include "policy.h"
#include "profile-gen.h"
#include "replay.h"
#include "util.h"

#define SYSTEMD_SERVICE "org.freedesktop.systemd1"
#define SYSTEMD_PATH	"/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
/* How long the scope of a recorded command may take to appear. */
#define SCOPE_WAIT_MSEC 5000

struct record_target {
	struct profile_target profile;
	char *cgroup; /* relative to the cgroup2 root */
	char *name;   /* the policy's name */
	char *description;
	char *binary;	      /* a command's program */
	char *runtime;	      /* a container's runtime (host path): not recorded before its exec */
	char runtime_dev[32]; /* its identity, as events give a program's: "MAJOR:MINOR" */
	uint64_t runtime_ino;
	pid_t mount_pid; /* whose mounts and root the paths are: 0 for ours */
	pid_t child;	 /* the recorded command */
	int go_fd;	 /* the command starts when this is written to */
};

static void record_target_clear(struct record_target *t)
{
	free(t->cgroup);
	free(t->runtime);
	free(t->name);
	free(t->description);
	free(t->binary);
	if (t->go_fd >= 0)
		close(t->go_fd);
}

/* A policy name from @s: lower-case letters, digits and '-', at most POLICY_NAME_MAX. */
static char *name_from(const char *s)
{
	char *n = calloc(1, POLICY_NAME_MAX + 1);
	size_t len = 0;

	if (!n)
		return NULL;
	for (; *s && len < POLICY_NAME_MAX; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			n[len++] = c;
		else if (len && n[len - 1] != '-')
			n[len++] = '-';
	}
	while (len && n[len - 1] == '-')
		n[--len] = '\0';
	if (!len)
		strcpy(n, "profile");
	return n;
}

static int pid_cgroup(pid_t pid, char **ret)
{
	char path[64], *line = NULL;
	size_t size = 0;
	FILE *f;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &size, f) > 0)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			*ret = strdup(line + 3);
			r = *ret ? 0 : -ENOMEM;
			break;
		}
	free(line);
	fclose(f);
	return r;
}

/* A process in the cgroup at @cgroup (relative to the cgroup2 root), or 0. */
static pid_t cgroup_first_pid(const char *cgroup)
{
	_cleanup_free_ char *path = NULL;
	int pid = 0;
	FILE *f;

	if (asprintf(&path, "/sys/fs/cgroup%s/cgroup.procs", cgroup) < 0)
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

static const char *unit_interface(const char *unit)
{
	static const char *const types[][2] = {
		{ ".service", "org.freedesktop.systemd1.Service" },
		{ ".scope", "org.freedesktop.systemd1.Scope" },
		{ ".socket", "org.freedesktop.systemd1.Socket" },
		{ ".mount", "org.freedesktop.systemd1.Mount" },
		{ ".swap", "org.freedesktop.systemd1.Swap" },
		{ ".slice", "org.freedesktop.systemd1.Slice" },
	};
	const char *dot = strrchr(unit, '.');

	for (size_t i = 0; dot && i < ELEMENTSOF(types); i++)
		if (streq(dot, types[i][0]))
			return types[i][1];
	return NULL;
}

/* The cgroup of @unit: its own if it runs, else where it will run (its slice's, and its name). */
static int unit_cgroup(sd_bus *bus, const char *unit, char **ret)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	_cleanup_free_ char *state = NULL, *cg = NULL, *slice = NULL, *slice_cg = NULL;
	const char *path, *iface = unit_interface(unit);
	int r;

	if (!iface)
		return log_error_errno(-EINVAL, "'%s' is not a unit that runs processes.", unit);
	r = sd_bus_call_method(bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "LoadUnit",
			       &err, &reply, "s", unit);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &path);
	if (r >= 0)
		r = sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path,
					       "org.freedesktop.systemd1.Unit", "LoadState", &err,
					       &state);
	if (r >= 0 && !streq(state, "loaded"))
		r = log_error_errno(-ENOENT, "No unit %s (systemd says it is %s).", unit, state);
	else if (r < 0)
		log_error("Cannot ask systemd about %s: %s", unit, err.message ?: strerror(-r));
	if (r >= 0)
		r = sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, iface, "ControlGroup",
					       &err, &cg);
	if (r >= 0 && cg && cg[0]) {
		*ret = TAKE_PTR(cg);
	} else if (r >= 0) {
		r = sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, iface, "Slice", &err,
					       &slice);
		if (r >= 0)
			r = unit_cgroup(bus, slice, &slice_cg);
		if (r >= 0 &&
		    asprintf(ret, "%s/%s", streq(slice_cg, "/") ? "" : slice_cg, unit) < 0)
			r = -ENOMEM;
	}
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	return r;
}

static int target_unit(const char *unit_arg, struct record_target *t)
{
	_cleanup_free_ char *unit = NULL;
	sd_bus *bus = NULL;
	int r;

	if (asprintf(&unit, "%s%s", unit_arg, strchr(unit_arg, '.') ? "" : ".service") < 0)
		return -ENOMEM;
	r = sd_bus_open_system(&bus);
	if (r < 0)
		return log_error_errno(r, "Cannot reach systemd: %m");
	r = unit_cgroup(bus, unit, &t->cgroup);
	sd_bus_flush_close_unref(bus);
	if (r < 0)
		return r;
	t->profile.kind = PROFILE_TARGET_UNIT;
	if (!t->name)
		t->name = name_from(unit_arg);
	if (asprintf(&t->description, "unit %s (cgroup %s)", unit, t->cgroup) < 0 || !t->name)
		return -ENOMEM;
	return 0;
}

/*
 * The runtime podman runs container processes with: conmon's "-r PATH" (podman passes it the
 * runtime's full path). Its processes in the container's cgroup before the entrypoint's exec
 * are the runtime's set-up, not the container's: a container policy does not bind them.
 */
static int container_runtime(int conmon_pid, char **ret)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t size = 0;
	ssize_t n;
	FILE *f;

	if (conmon_pid <= 0 || asprintf(&path, "/proc/%d/cmdline", conmon_pid) < 0)
		return -ESRCH;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = getdelim(&buf, &size, EOF, f);
	fclose(f);
	for (ssize_t i = 0; n > 0 && i < n;) {
		const char *arg = buf + i;
		size_t len = strlen(arg);

		i += (ssize_t)len + 1;
		if ((streq(arg, "-r") || streq(arg, "--runtime")) && i < n && buf[i] == '/' &&
		    !strpbrk(buf + i, " '\\\n\t")) {
			*ret = strdup(buf + i);
			return *ret ? 0 : -ENOMEM;
		}
	}
	return -ENOENT;
}

/* A running container of podman, by name or id: its cgroup, and its mounts for the paths. */
static int target_container(const char *container, struct record_target *t)
{
	_cleanup_free_ char *cmd = NULL, *line = NULL;
	char id[129] = "", cname[256] = "";
	size_t size = 0;
	int pid = 0, conmon = 0, r;
	struct stat st;
	FILE *f;

	if (strspn(container,
		   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
	    strlen(container))
		return log_error_errno(-EINVAL, "'%s' is not a container name or id.", container);
	if (asprintf(&cmd,
		     "podman inspect --type container --format '{{.State.Pid}} "
		     "{{.State.ConmonPid}} {{.Id}} {{.Name}}' %s 2>/dev/null",
		     container) < 0)
		return -ENOMEM;
	f = popen(cmd, "re");
	if (!f)
		return log_error_errno(-errno, "Cannot run podman: %m");
	if (getline(&line, &size, f) > 0)
		sscanf(line, "%d %d %128s %255s", &pid, &conmon, id, cname);
	pclose(f);
	if (!id[0])
		return log_error_errno(-ENOENT, "No container %s (podman inspect found none).",
				       container);
	if (pid <= 0)
		return log_error_errno(
			-ESRCH,
			"Container %s is not running; start it, then record (restart "
			"it while recording to record its start).",
			container);
	r = pid_cgroup(pid, &t->cgroup);
	if (r < 0)
		return log_error_errno(r, "Cannot read the cgroup of container %s: %m", container);
	r = container_runtime(conmon, &t->runtime);
	if (r < 0)
		return log_error_errno(
			r, "Cannot tell container %s's runtime from its conmon (pid %d): %m",
			container, conmon);
	if (stat(t->runtime, &st) < 0)
		return log_error_errno(-errno, "Cannot find container %s's runtime %s: %m",
				       container, t->runtime);
	snprintf(t->runtime_dev, sizeof(t->runtime_dev), "%u:%u", major(st.st_dev),
		 minor(st.st_dev));
	t->runtime_ino = st.st_ino;
	t->profile.kind = PROFILE_TARGET_CONTAINER;
	t->mount_pid = pid;
	if (!t->name)
		t->name = name_from(cname);
	if (asprintf(&t->description, "container %s (%.12s, cgroup %s)", cname, id, t->cgroup) <
		    0 ||
	    !t->name)
		return -ENOMEM;
	return 0;
}

/*
 * A command, started in a transient scope of its own (so that what it starts is recorded too),
 * held before its exec until the recording runs: its first instruction is recorded.
 */
static int target_command(char **argv, struct record_target *t)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_free_ char *scope = NULL;
	char exe[PATH_MAX];
	sd_bus *bus = NULL;
	int go[2], r;

	if (!argv[0])
		return log_error_errno(-EINVAL, "No command after --.");
	/* Its program, for the selector: resolved as execvp() will. */
	{
		_cleanup_free_ char *cmd = NULL, *line = NULL;
		size_t size = 0;
		FILE *f;

		if (strchr(argv[0], '/')) {
			if (!realpath(argv[0], exe))
				return log_error_errno(-errno, "Cannot run %s: %m", argv[0]);
		} else {
			if (asprintf(&cmd, "command -v -- '%s'", argv[0]) < 0 ||
			    strchr(argv[0], '\''))
				return log_error_errno(-EINVAL, "Cannot find %s.", argv[0]);
			f = popen(cmd, "re");
			if (!f || getline(&line, &size, f) <= 0 ||
			    !realpath(strtok(line, "\n"), exe)) {
				if (f)
					pclose(f);
				return log_error_errno(-ENOENT, "Cannot find %s in PATH.", argv[0]);
			}
			pclose(f);
		}
		t->binary = strdup(exe);
	}
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	t->child = fork();
	if (t->child < 0)
		return -errno;
	if (t->child == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127); /* the recording did not start */
		close(go[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "secagentctl: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	t->go_fd = go[1];

	if (asprintf(&scope, "secagent-record-%d.scope", (int)t->child) < 0)
		return -ENOMEM;
	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH,
						   SYSTEMD_MANAGER, "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", scope, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)", "PIDs", "au", 1, (uint32_t)t->child,
					  "Description", "s", "secagentctl profile record",
					  "CollectMode", "s", "inactive-or-failed");
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r >= 0)
		r = sd_bus_call(bus, m, 0, &err, &reply);
	if (r < 0)
		log_error("Cannot start a scope for the command: %s", err.message ?: strerror(-r));
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
	if (r < 0)
		return r;
	/* The job moves the process; wait until it is there. */
	for (int i = 0; i < SCOPE_WAIT_MSEC / 10; i++) {
		free(t->cgroup);
		t->cgroup = NULL;
		r = pid_cgroup(t->child, &t->cgroup);
		if (r == 0 && strstr(t->cgroup, scope))
			break;
		r = -ETIMEDOUT;
		usleep(10000);
	}
	if (r < 0)
		return log_error_errno(r, "The command did not get to its scope %s: %m", scope);
	t->profile.kind = PROFILE_TARGET_COMMAND;
	if (!t->name) {
		const char *base = strrchr(exe, '/') + 1;

		t->name = name_from(base);
	}
	if (asprintf(&t->description, "command %s (scope %s)", exe, scope) < 0 || !t->name)
		return -ENOMEM;
	return 0;
}

/* Seconds as "90", "90s", "5m" or "1h". */
static int parse_duration(const char *s, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -EINVAL;
	if (streq(end, "m"))
		v *= 60;
	else if (streq(end, "h"))
		v *= 3600;
	else if (*end && !streq(end, "s"))
		return -EINVAL;
	*ret = v;
	return 0;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Until the duration is over, the command exits, or SIGINT or SIGTERM. */
static int wait_recording(struct record_target *t, double duration, int *ret_status)
{
	double end = duration > 0 ? now_sec() + duration : 0;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		struct timespec ts = { 1, 0 };
		double left = end ? end - now_sec() : 1;
		int sig;

		if (t->child > 0 && waitpid(t->child, ret_status, WNOHANG) == t->child) {
			t->child = 0;
			return 0;
		}
		if (end && left <= 0)
			return 0;
		if (left < 1) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(left * 1e9);
		}
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			return 0;
	}
}

static int parse_reply_u64(const char *body, const char *key, uint64_t *ret)
{
	_cleanup_free_ char *k = NULL;
	const char *p;

	if (asprintf(&k, "%s=", key) < 0)
		return -ENOMEM;
	for (p = body; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, k, strlen(k)) == 0) {
			*ret = strtoull(p + strlen(k), NULL, 10);
			return 0;
		}
	return -ENOENT;
}

struct fs_view {
	char root[64]; /* "" for ours, "/proc/PID/root" for a container's */
};

static bool view_dir_exists(void *userdata, const char *path)
{
	const struct fs_view *v = userdata;
	char full[PATH_MAX + 80];
	struct stat st;

	snprintf(full, sizeof(full), "%s%s", v->root, path);
	return stat(full, &st) == 0 && S_ISDIR(st.st_mode);
}

static int view_whole_fs(void *userdata, const char *path, char *ret_root, size_t root_size,
			 char *ret_type, size_t type_size)
{
	const struct fs_view *v = userdata;
	char full[PATH_MAX + 80], cur[PATH_MAX], up[PATH_MAX];
	struct file_identity id = { 0 };
	struct statfs sfs;
	struct stat st, ust;
	char buf[128];
	const char *why;

	/* The path or, when it is gone, the nearest directory above it that is there. */
	snprintf(cur, sizeof(cur), "%s", path);
	for (;;) {
		snprintf(full, sizeof(full), "%s%s", v->root, cur);
		if (statfs(full, &sfs) == 0 && stat(full, &st) == 0)
			break;
		if (streq(cur, "/"))
			return -ENOENT;
		*strrchr(cur, '/') = '\0';
		if (!cur[0])
			strcpy(cur, "/");
	}
	id.fs_magic = (uint64_t)sfs.f_type;
	why = file_identity_unsupported(&id, buf, sizeof(buf));
	if (!why)
		return 0;
	snprintf(ret_type, type_size, "%s", why);
	/* Up to the root of its mount: where the device changes (or the top). */
	for (;;) {
		if (streq(cur, "/"))
			break;
		snprintf(up, sizeof(up), "%s", cur);
		*strrchr(up, '/') = '\0';
		if (!up[0])
			strcpy(up, "/");
		snprintf(full, sizeof(full), "%s%s", v->root, up);
		if (stat(full, &ust) < 0 || ust.st_dev != st.st_dev)
			break;
		snprintf(cur, sizeof(cur), "%s", up);
	}
	snprintf(ret_root, root_size, "%s%s", cur, streq(cur, "/") ? "" : "/");
	return 1;
}

static void port_range(unsigned *lo, unsigned *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	*lo = 32768;
	*hi = 60999;
	if (f) {
		if (fscanf(f, "%u %u", lo, hi) != 2) {
			*lo = 32768;
			*hi = 60999;
		}
		fclose(f);
	}
}

/* Checks @text the way the daemon would read it (parsed; compiled, for the host's paths). */
static int validate_output(const char *path, const char *text, size_t len, bool compile)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	struct policy_set *set = NULL;
	struct compiled_set *c = NULL;
	int r;

	r = policy_parse_buffer(path, text, len, &diags, &p);
	if (r >= 0 && compile) {
		set = calloc(1, sizeof(*set));
		if (!set) {
			policy_free(p);
			return -ENOMEM;
		}
		r = policy_set_append(set, p, &diags);
		if (r >= 0)
			r = compile_policy_set(set, &file_identity_stat, NULL, 0, &diags, &c);
		else
			policy_set_free(set);
		compiled_set_free(c);
	} else
		policy_free(p);
	diag_print(&diags, stderr);
	diag_list_clear(&diags);
	return r;
}

static int write_output(const char *path, const char *text, size_t len)
{
	_cleanup_free_ char *tmp = NULL;
	int fd;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, path) < 0) {
		int r = -errno;

		(void)unlink(tmp);
		return r ? r : -EIO;
	}
	return 0;
}

struct recorded {
	json_t **events;
	size_t n_events;
	const char **syscalls;
	size_t n_syscalls;
};

static void recorded_clear(struct recorded *rec)
{
	for (size_t i = 0; i < rec->n_events; i++)
		json_decref(rec->events[i]);
	free(rec->events);
	for (size_t i = 0; i < rec->n_syscalls; i++)
		free((char *)rec->syscalls[i]);
	free(rec->syscalls);
}

/* Whether a mount of @mountinfo is on device @dev ("MAJOR:MINOR"). */
static bool mountinfo_has_device(FILE *mountinfo, const char *dev)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;
	char d[32];

	rewind(mountinfo);
	while (getline(&line, &size, mountinfo) > 0)
		if (sscanf(line, "%*s %*s %31s", d) == 1 && streq(d, dev))
			return true;
	return false;
}

/*
 * An event of a container's runtime before the entrypoint's exec: its program is the runtime
 * (conmon's path) or a copy the container cannot see (crun and runc run themselves from a
 * memfd). A container policy binds that process only in its exec of the entrypoint (the hook
 * excludes the program it runs at createRuntime), so only that exec is recorded.
 */
static bool runtime_setup_event(const struct record_target *t, FILE *mountinfo, json_t *ev)
{
	const char *kind = json_string_value(json_object_get(ev, "kind"));
	const char *dev = json_string_value(json_object_get(ev, "exe_device"));
	json_t *ino = json_object_get(ev, "exe_inode");

	if (t->profile.kind != PROFILE_TARGET_CONTAINER || !dev || !json_is_integer(ino) ||
	    (kind && streq(kind, "file_exec")))
		return false;
	if (streq(dev, t->runtime_dev) && (uint64_t)json_integer_value(ino) == t->runtime_ino)
		return true;
	return !mountinfo_has_device(mountinfo, dev);
}

/* The log's events, their paths placed; copied to @events_path if given. Events of a
 * container's runtime before the entrypoint's exec are left out (counted in @ret_runtime). */
static int read_log(int log_fd, const struct record_target *t, const char *events_path,
		    struct recorded *rec, size_t *ret_unplaced, size_t *ret_runtime)
{
	_cleanup_free_ char *line = NULL, *mpath = NULL;
	FILE *f, *mountinfo, *copy = NULL;
	size_t size = 0;
	ssize_t n;

	if (asprintf(&mpath, "/proc/%d/mountinfo",
		     t->mount_pid ? (int)t->mount_pid : (int)getpid()) < 0)
		return -ENOMEM;
	mountinfo = fopen(mpath, "re");
	if (!mountinfo)
		return log_error_errno(-errno, "Cannot read %s: %m", mpath);
	if (events_path) {
		copy = fopen(events_path, "we");
		if (!copy) {
			fclose(mountinfo);
			return log_error_errno(-errno, "Cannot write %s: %m", events_path);
		}
	}
	lseek(log_fd, 0, SEEK_SET);
	f = fdopen(dup(log_fd), "re");
	if (!f) {
		fclose(mountinfo);
		if (copy)
			fclose(copy);
		return -errno;
	}
	*ret_unplaced = *ret_runtime = 0;
	while ((n = getline(&line, &size, f)) > 0) {
		json_t *ev = json_loadb(line, (size_t)n, 0, NULL), **grown;

		if (!ev)
			continue;
		if (runtime_setup_event(t, mountinfo, ev)) {
			(*ret_runtime)++;
			json_decref(ev);
			continue;
		}
		if (copy)
			fputs(line, copy);
		if (json_is_true(json_object_get(ev, "path_relative"))) {
			const char *dev = json_string_value(json_object_get(ev, "device"));
			const char *p = json_string_value(json_object_get(ev, "path"));
			_cleanup_free_ char *placed =
				dev && p ? mountinfo_place(mountinfo, dev, p) : NULL;

			if (placed) {
				json_object_set_new(ev, "path", json_string(placed));
				json_object_set_new(ev, "path_relative", json_false());
			} else
				(*ret_unplaced)++;
		}
		grown = reallocarray(rec->events, rec->n_events + 1, sizeof(*grown));
		if (!grown) {
			json_decref(ev);
			break;
		}
		rec->events = grown;
		rec->events[rec->n_events++] = ev;
	}
	fclose(f);
	fclose(mountinfo);
	if (copy && fclose(copy) != 0)
		return log_error_errno(-errno, "Cannot write %s: %m", events_path);
	return 0;
}

static int read_syscalls(const char *body, struct recorded *rec)
{
	const char *p = strstr(body, "syscalls=");

	if (!p)
		return 0;
	p += strlen("syscalls=");
	while (*p && *p != '\n') {
		char *end, *name;
		long nr = strtol(p, &end, 10);
		const char **grown;

		if (end == p)
			break;
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
		grown = reallocarray(rec->syscalls, rec->n_syscalls + 1, sizeof(*grown));
		if (!name || !grown) {
			free(name);
			return -ENOMEM;
		}
		rec->syscalls = grown;
		rec->syscalls[rec->n_syscalls++] = name;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int verb_profile_record(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' },
						 { "unit", required_argument, NULL, 'u' },
						 { "container", required_argument, NULL, 'c' },
						 { "duration", required_argument, NULL, 'd' },
						 { "output", required_argument, NULL, 'o' },
						 { "name", required_argument, NULL, 'n' },
						 { "events", required_argument, NULL, 'e' },
						 {} };
	const char *unit = NULL, *container = NULL, *output = NULL, *events_path = NULL;
	struct record_target t = { .go_fd = -1 };
	struct recorded rec = {};
	_cleanup_free_ char *request = NULL, *body = NULL, *text = NULL;
	uint64_t lost = 0, log_failed = 0, n_events = 0, out_of_range = 0;
	double duration = 0, started, took_ms;
	struct profile_stats stats = {};
	struct fs_view view = {};
	struct profile_fs fs = { view_dir_exists, view_whole_fs, 0, 0, &view };
	size_t unplaced = 0, runtime_events = 0, text_len = 0;
	int status = 0, c, r, exit_code = 1, log_fd = -1;
	sigset_t set;
	FILE *out;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+hu:c:d:o:n:e:", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			verb_help(v);
			return 0;
		case 'u':
			unit = optarg;
			break;
		case 'c':
			container = optarg;
			break;
		case 'd':
			if (parse_duration(optarg, &duration) < 0)
				return verb_bad_argument(v,
							 "--duration takes seconds (90, 90s, 5m)");
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			if (!policy_name_valid(optarg))
				return verb_bad_argument(v,
							 "--name takes a policy name ([a-z0-9-])");
			t.name = strdup(optarg);
			break;
		case 'e':
			events_path = optarg;
			break;
		default:
			return verb_bad_option(v, argc, argv);
		}
	}
	if (!!unit + !!container + (optind < argc) != 1)
		return verb_bad_argument(v, "give one of --unit, --container or -- CMD");
	if (!output)
		return verb_bad_argument(v, "--output FILE is required");

	/* Signals are taken by sigtimedwait(): an interrupt ends the recording, not us. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A shell starts background jobs with SIGINT ignored: that would not end the recording. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	r = unit	? target_unit(unit, &t)
	    : container ? target_container(container, &t)
			: target_command(argv + optind, &t);
	if (r < 0)
		goto out;
	if (t.mount_pid)
		snprintf(view.root, sizeof(view.root), "/proc/%d/root", (int)t.mount_pid);
	port_range(&fs.port_lo, &fs.port_hi);

	log_fd = memfd_create("secagent-recording", MFD_CLOEXEC);
	request = control_request_new(CONTROL_RECORD_START, t.cgroup);
	if (log_fd < 0 || !request) {
		r = log_error_errno(-errno, "Cannot set up the recording: %m");
		goto out;
	}
	r = control_call_fds(arg_control_socket, request, &log_fd, 1, &body);
	if (r != 0) {
		if (r > 0)
			log_error("secagentd refused to record %s: %s", t.description,
				  body ? strtok(body, "\n") : "");
		else
			cli_log_control_error(r);
		r = -EPERM;
		goto out;
	}
	started = now_sec();
	if (duration > 0)
		fprintf(stderr, "Recording %s for %.0f s; Ctrl-C ends it.\n", t.description,
			duration);
	else
		fprintf(stderr, "Recording %s%s; Ctrl-C ends it.\n", t.description,
			t.child > 0 ? " until it exits" : "");
	if (t.go_fd >= 0) {
		if (write(t.go_fd, "g", 1) != 1)
			log_warning("Cannot start the command: %m");
		close(t.go_fd);
		t.go_fd = -1;
	}
	(void)wait_recording(&t, duration, &status);
	t.profile.seconds = now_sec() - started;

	free(body);
	body = NULL;
	free(request);
	request = control_request_new(CONTROL_RECORD_STOP);
	r = request ? cli_control(request, &body) : -ENOMEM;
	if (r < 0) {
		log_error("The recording could not be ended cleanly; the daemon ends it when it "
			  "sees this process gone.");
		goto out;
	}
	(void)parse_reply_u64(body, "events", &n_events);
	(void)parse_reply_u64(body, "lost", &lost);
	(void)parse_reply_u64(body, "log_failed", &log_failed);
	(void)parse_reply_u64(body, "syscalls_out_of_range", &out_of_range);
	if (strstr(body, "policy_removed=no"))
		log_warning("%s", strstr(body, "error=") ? strstr(body, "error=") + 6 : "");

	/* A container restarted while it was recorded has other processes now: its paths are
	 * seen through one that runs. */
	if (t.mount_pid) {
		pid_t pid = cgroup_first_pid(t.cgroup);

		if (pid > 0)
			t.mount_pid = pid;
		snprintf(view.root, sizeof(view.root), "/proc/%d/root", (int)t.mount_pid);
	}
	r = read_log(log_fd, &t, events_path, &rec, &unplaced, &runtime_events);
	if (r < 0)
		goto out;
	if (runtime_events)
		log_info(
			"%zu events of the runtime's set-up (%s, before the entrypoint's exec) are "
			"left out: a container policy does not bind it.",
			runtime_events, t.runtime);
	r = read_syscalls(body, &rec);
	if (r < 0)
		goto out;
	if (lost || log_failed || rec.n_events + runtime_events != n_events) {
		log_error("The recording is incomplete: %" PRIu64 " events were lost (the ring "
			  "buffer was full), %" PRIu64 " could not be logged, %zu of %" PRIu64
			  " arrived. A policy from it would miss rules; none is written. Record "
			  "again, with less going on.",
			  lost, log_failed, rec.n_events, n_events);
		goto out;
	}

	t.profile.policy_name = t.name;
	t.profile.description = t.description;
	t.profile.cgroup = t.cgroup;
	t.profile.binary = t.binary;
	started = now_sec();
	out = open_memstream(&text, &text_len);
	if (!out) {
		r = -ENOMEM;
		goto out;
	}
	r = profile_generate(&t.profile, rec.events, rec.n_events, rec.syscalls, rec.n_syscalls,
			     &fs, out, &stats);
	if (fclose(out) != 0 && r >= 0)
		r = -EIO;
	took_ms = (now_sec() - started) * 1000;
	if (r < 0) {
		log_error_errno(r, "Cannot generate the policy: %m");
		goto out;
	}
	if (unplaced || stats.unplaced) {
		log_error("%zu kinds of operation could not be written as rules (see the NOT "
			  "COVERED lines at the top of the output): a policy without them would "
			  "deny them; none is written to %s.",
			  unplaced + stats.unplaced, output);
		fwrite(text, 1, text_len, stderr);
		goto out;
	}
	r = validate_output(output, text, text_len, t.profile.kind != PROFILE_TARGET_CONTAINER);
	if (r < 0) {
		log_error("The generated policy does not validate (see above); it is not written.");
		goto out;
	}
	r = write_output(output, text, text_len);
	if (r < 0) {
		log_error_errno(r, "Cannot write %s: %m", output);
		goto out;
	}
	printf("Recorded %s for %.0f s: %zu events, %zu system calls. Wrote %s: policy %s, %zu "
	       "rules, mode audit (generated in %.0f ms).\n",
	       t.description, t.profile.seconds, rec.n_events, rec.n_syscalls, output, t.name,
	       stats.rules, took_ms);
	if (out_of_range)
		log_warning("%" PRIu64 " system calls of another ABI (x32, or i386 through int "
			    "0x80) were made; the syscalls: list does not name them.",
			    out_of_range);
	if (t.profile.kind == PROFILE_TARGET_COMMAND && WIFEXITED(status) && WEXITSTATUS(status))
		log_warning("The command exited with status %d.", WEXITSTATUS(status));
	exit_code = 0;
out:
	if (t.child > 0) {
		kill(t.child, SIGTERM);
		waitpid(t.child, NULL, 0);
	}
	if (log_fd >= 0)
		close(log_fd);
	recorded_clear(&rec);
	record_target_clear(&t);
	return exit_code;
}

static const struct verb profile_verbs[] = {
	{ "record", verb_profile_record,
	  "profile record (--unit NAME | --container NAME | -- CMD [ARGS...]) --output FILE",
	  "Record what a workload does and write the policy that allows just that",
	  "  -u --unit=NAME       A systemd unit (its cgroup; one that is not running binds as it\n"
	  "                       starts)\n"
	  "  -c --container=NAME  A running podman container, by name or id\n"
	  "  -d --duration=SECS   How long (90, 90s, 5m); default: until Ctrl-C, or CMD exits\n"
	  "  -o --output=FILE     The policy to write (mode: audit)\n"
	  "  -n --name=NAME       Its name (default: from the unit, container or program)\n"
	  "  -e --events=FILE     Also keep the recorded events, as JSON lines (for policy test)\n" },
};

int verb_profile(const struct verb *v, int argc, char **argv)
{
	return verb_dispatch(profile_verbs, ELEMENTSOF(profile_verbs), "profile ", argc - 1,
			     argv + 1);
}
