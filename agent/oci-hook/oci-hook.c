// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secagent-oci-hook: binds a container to the secagent policy its io.secagent.policy annotation
 * names, before the container's process runs (createRuntime), and unbinds it at poststop. The
 * runtime passes the container state (JSON) on stdin. Fails closed: when the policy cannot be
 * bound the hook exits non-zero, with the reason on stderr, and the runtime does not start the
 * container. Exit status: 0 bound (or nothing asked), 1 failure, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <jansson.h>
#include <strings.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "oci-annotation.h"
#include "policy.h"
#include "util.h"

#define ANNOTATION	 OCI_ANNOTATION
#define STATE_MAX_BYTES	 (1 << 20)
#define CONFIG_MAX_BYTES (16 << 20)

static const char *arg_control_socket = SECAGENT_CONTROL_SOCKET;

/* Reads all of @f, at most @max bytes; NULL with errno set on failure. */
static char *read_all(FILE *f, size_t max, size_t *ret_len)
{
	size_t len = 0, size = 4096;
	char *buf = malloc(size + 1);

	while (buf) {
		size_t n = fread(buf + len, 1, size - len, f);

		len += n;
		if (len < size) {
			if (ferror(f)) {
				free(buf);
				return NULL;
			}
			buf[len] = '\0';
			*ret_len = len;
			return buf;
		}
		if (size >= max) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		size *= 2;
		char *grown = realloc(buf, size + 1);
		if (!grown)
			free(buf);
		buf = grown;
	}
	errno = ENOMEM;
	return NULL;
}

static void help(void)
{
	printf("Usage: secagent-oci-hook [--control-socket=PATH] createRuntime|prestart|poststop\n\n"
	       "OCI hook: binds the container whose state is on stdin to the secagent policy its\n"
	       "annotation " ANNOTATION " names (createRuntime, or prestart for runtimes without\n"
	       "createRuntime), and unbinds it (poststop). A container that asks for a policy that\n"
	       "cannot be bound does not start. Default socket: %s\n",
	       SECAGENT_CONTROL_SOCKET);
}

/* Says why on stderr (runc passes it on) and in the journal: crun and podman only report that
 * the hook failed. Returns 1, the exit status. */
static int fail(const char *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const char *id, const char *fmt, ...)
{
	_cleanup_free_ char *reason = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		reason = NULL;
	va_end(ap);
	fprintf(stderr, "secagent-oci-hook: container %s: %s\n", id ? id : "?",
		reason ? reason : "out of memory");
	(void)sd_journal_send("MESSAGE=container %s: %s", id ? id : "?",
			      reason ? reason : "out of memory", "PRIORITY=%d", LOG_ERR,
			      "SYSLOG_IDENTIFIER=secagent-oci-hook", "SECAGENT_CONTAINER_ID=%s",
			      id ? id : "", NULL);
	return 1;
}

/*
 * The bundle's config.json, read as the runtime reads it: @ret_doc, 0; or 1 from fail() when it
 * cannot be read, or read unambiguously (the container does not start).
 */
static int read_bundle_config(const char *id, const char *bundle, json_t **ret_doc)
{
	_cleanup_free_ char *path = NULL, *buf = NULL, *error = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t len;
	int fd, r;

	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return fail(id, "out of memory");
	/* Not a link: the runtime reads the bundle's own config.json. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return fail(id, "cannot read %s (%s); refusing to start the container unconfined",
			    path, strerror(-r));
	}
	buf = read_all(f, CONFIG_MAX_BYTES, &len);
	if (!buf)
		return fail(id, "cannot read %s (%s); refusing to start the container unconfined",
			    path, errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
	*ret_doc = oci_json_parse(buf, len, &error);
	if (!*ret_doc)
		return fail(id,
			    "%s is not valid JSON (%s); refusing to start the container "
			    "unconfined",
			    path, error ? error : "out of memory");
	return 0;
}

/*
 * The container's root as its entrypoint will see it, image layers and volumes: at createRuntime
 * the runtime has mounted them at config.json's root.path in the container's mount namespace,
 * before pivot_root. Opened through /proc/PID/root, so that path is the container's. A
 * descriptor, or 1 from fail().
 */
static int open_container_root(const char *id, const char *bundle, json_t *config, long pid,
			       int *ret_fd)
{
	const char *root =
		json_string_value(json_object_get(json_object_get(config, "root"), "path"));
	_cleanup_free_ char *path = NULL;

	if (!root || !*root)
		return fail(id,
			    "%s/config.json has no root.path; cannot resolve the policy's "
			    "paths in the container",
			    bundle);
	if (asprintf(&path, "/proc/%ld/root%s%s%s", pid, root[0] == '/' ? "" : bundle,
		     root[0] == '/' ? "" : "/", root) < 0)
		return fail(id, "out of memory");
	/* Not O_PATH: the daemon keeps it in systemd's descriptor store, which refuses those. */
	*ret_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret_fd < 0)
		return fail(id,
			    "cannot open the container's root %s (%s); refusing to start the "
			    "container unconfined",
			    path, strerror(errno));
	return 0;
}

/* The container's cgroup2 path from /proc/PID/cgroup ("0::/machine.slice/..."). */
static char *cgroup_of(long pid)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t size = 0;

	if (asprintf(&path, "/proc/%ld/cgroup", pid) < 0)
		return NULL;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (getline(&line, &size, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::/", 4) == 0)
			return strdup(line + 3);
	}
	errno = ENOMEDIUM; /* no cgroup2 line: a cgroup v1 host */
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "control-socket", required_argument, NULL, 'S' },
		{},
	};
	_cleanup_free_ char *state = NULL, *bundle_policy = NULL, *cgroup = NULL, *request = NULL,
			    *body = NULL, *error = NULL, *exe = NULL;
	_cleanup_(json_decrefp) json_t *root = NULL, *config = NULL;
	const char *stage, *id, *policy = NULL, *bundle;
	int fds[CONTROL_MAX_FDS] = { -1, -1, -1 };
	bool bind;
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return 0;
		case 'S':
			arg_control_socket = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "secagent-oci-hook: expected one stage (createRuntime, prestart or "
				"poststop); see --help\n");
		return 2;
	}
	stage = argv[optind];
	if (streq(stage, "createRuntime") || streq(stage, "prestart"))
		bind = true;
	else if (streq(stage, "poststop"))
		bind = false;
	else {
		fprintf(stderr,
			"secagent-oci-hook: unknown stage '%s' (expected createRuntime, "
			"prestart or poststop)\n",
			stage);
		return 2;
	}

	state = read_all(stdin, STATE_MAX_BYTES, &len);
	if (!state)
		return fail(NULL, "cannot read the container state on stdin: %s", strerror(errno));
	root = oci_json_parse(state, len, &error);
	if (!root)
		return fail(NULL, "the container state on stdin is not valid JSON (%s)",
			    error ? error : "out of memory");
	id = json_string_value(json_object_get(root, "id"));
	if (!id || !*id)
		return fail(NULL, "the container state has no id");
	/* Checked here too: the id goes into a request and, in the daemon, a file name. */
	if (!container_id_valid(id))
		return fail(NULL,
			    "the container state has an invalid id (expected at most %d "
			    "characters of [A-Za-z0-9_.-], not starting with '.')",
			    CONTAINER_ID_MAX);

	if (!bind) {
		/* Whatever the annotation says now, the daemon knows what it bound. */
		request = control_request_new(CONTROL_CONTAINER_UNBIND, id);
		r = request ? 0 : -1;
	} else {
		const char *why = NULL;
		json_int_t pid;

		bundle = json_string_value(json_object_get(root, "bundle"));
		r = oci_annotation_of(root, &policy, &why);
		if (r < 0)
			return fail(id,
				    "the container state %s; refusing to start the container "
				    "unconfined",
				    why);
		if (r == 0) { /* the state has no annotations: the bundle's config.json says */
			if (!bundle)
				return fail(id, "the container state has neither annotations nor a "
						"bundle; cannot tell whether it asks for a policy");
			if (read_bundle_config(id, bundle, &config) != 0)
				return 1;
			r = oci_annotation_of(config, &policy, &why);
			if (r < 0)
				return fail(id,
					    "%s/config.json %s; refusing to start the container "
					    "unconfined",
					    bundle, why);
			if (r != 1)
				return 0; /* asks for no policy */
		} else if (r == 2)
			return 0; /* asks for no policy */
		if (!policy_name_valid(policy))
			return fail(id, "invalid policy name '%s' in annotation " ANNOTATION,
				    policy);
		pid = json_integer_value(json_object_get(root, "pid"));
		if (!json_is_integer(json_object_get(root, "pid")) || pid <= 0 || pid > INT32_MAX)
			return fail(id, "the container state has no pid; cannot find its cgroup");
		if (!bundle)
			return fail(id,
				    "the container state has no bundle; cannot find the "
				    "container's root to resolve policy %s's paths in",
				    policy);
		if (!config && read_bundle_config(id, bundle, &config) != 0)
			return 1;
		cgroup = cgroup_of((long)pid);
		if (!cgroup)
			return fail(id, "cannot read the cgroup of pid %ld: %s", (long)pid,
				    errno == ENOMEDIUM
					    ? "no cgroup2 entry (secagent needs cgroup v2)"
					    : strerror(errno));
		if (open_container_root(id, bundle, config, (long)pid,
					&fds[CONTROL_FD_CONTAINER_ROOT]) != 0)
			return 1;
		/* What the container's process runs now, before its entrypoint's exec: the
		 * runtime. The policy binds it only from that exec on. */
		if (asprintf(&exe, "/proc/%ld/exe", (long)pid) < 0)
			return fail(id, "out of memory");
		fds[CONTROL_FD_RUNTIME_EXE] = open(exe, O_RDONLY | O_CLOEXEC);
		if (fds[CONTROL_FD_RUNTIME_EXE] < 0)
			return fail(id, "cannot open %s, the runtime's program: %s", exe,
				    strerror(errno));
		request = control_request_new(CONTROL_CONTAINER_BIND, id, policy, cgroup);
		r = request ? 0 : -1;
	}
	if (r < 0)
		return fail(id, "out of memory");

	/* A bind carries the hook's cgroup namespace: the daemon takes the cgroup path as the
	 * host's only when it is its own (a runtime in a cgroup namespace sees relative paths). */
	if (bind) {
		fds[CONTROL_FD_CGROUP_NS] = open("/proc/self/ns/cgroup", O_RDONLY | O_CLOEXEC);
		if (fds[CONTROL_FD_CGROUP_NS] < 0)
			return fail(id,
				    "cannot open /proc/self/ns/cgroup to send with the request: %s",
				    strerror(errno));
	}
	r = control_call_fds(arg_control_socket, request, fds, bind ? CONTROL_MAX_FDS : 0, &body);
	for (size_t i = 0; i < CONTROL_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (r < 0 && bind)
		r = fail(id,
			 "cannot bind policy %s: secagentd is not reachable at %s (%s); refusing "
			 "to start the container unconfined",
			 policy, arg_control_socket, strerror(-r));
	else if (r < 0)
		r = fail(id, "cannot unbind: secagentd is not reachable at %s (%s)",
			 arg_control_socket, strerror(-r));
	else if (r > 0) {
		body[strcspn(body, "\n")] = '\0';
		r = bind ? fail(id, "cannot bind policy %s: %s", policy, body)
			 : fail(id, "cannot unbind: %s", body);
	}
	return r;
}
