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

#include <syslog.h>
#include <systemd/sd-journal.h>
#include <yaml.h>

#include "config.h"
#include "control.h"
#include "policy.h"
#include "util.h"

#define ANNOTATION "io.secagent.policy"
#define STATE_MAX_BYTES (1 << 20)
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

/* JSON is YAML: libyaml parses the runtime's state and config.json. */
struct json_doc {
	yaml_document_t doc;
	bool loaded;
};

static void json_doc_done(struct json_doc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
}

static int json_doc_load(struct json_doc *d, const char *buf, size_t len)
{
	yaml_parser_t parser;
	int r = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	/* On failure yaml_parser_load() frees the document itself. */
	if (!yaml_parser_load(&parser, &d->doc))
		r = -EINVAL;
	else if (!yaml_document_get_root_node(&d->doc)) {
		yaml_document_delete(&d->doc); /* empty input */
		r = -EINVAL;
	} else
		d->loaded = true;
	yaml_parser_delete(&parser);
	return r;
}

/* The value node of @key in mapping @map, or NULL. */
static yaml_node_t *json_member(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static const char *json_string(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The annotation in the bundle's config.json, for runtimes whose state lacks annotations. */
static char *annotation_from_bundle(const char *bundle)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	struct json_doc d = {};
	char *value = NULL;
	size_t len;

	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return NULL;
	f = fopen(path, "re");
	if (!f || !(buf = read_all(f, CONFIG_MAX_BYTES, &len)) || json_doc_load(&d, buf, len) < 0)
		return NULL;
	const char *v = json_string(json_member(
		&d.doc, json_member(&d.doc, yaml_document_get_root_node(&d.doc), "annotations"),
		ANNOTATION));
	if (v)
		value = strdup(v);
	json_doc_done(&d);
	return value;
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

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "control-socket", required_argument, NULL, 'S' },
		{},
	};
	_cleanup_free_ char *state = NULL, *bundle_policy = NULL, *cgroup = NULL, *request = NULL,
			   *body = NULL;
	struct json_doc d = {};
	const char *stage, *id, *policy, *pid_text;
	yaml_node_t *root;
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
		fprintf(stderr, "secagent-oci-hook: unknown stage '%s' (expected createRuntime, "
				"prestart or poststop)\n", stage);
		return 2;
	}

	state = read_all(stdin, STATE_MAX_BYTES, &len);
	if (!state)
		return fail(NULL, "cannot read the container state on stdin: %s", strerror(errno));
	if (json_doc_load(&d, state, len) < 0)
		return fail(NULL, "the container state on stdin is not valid JSON");
	root = yaml_document_get_root_node(&d.doc);
	id = json_string(json_member(&d.doc, root, "id"));
	if (!id || !*id) {
		json_doc_done(&d);
		return fail(NULL, "the container state has no id");
	}
	policy = json_string(json_member(&d.doc, json_member(&d.doc, root, "annotations"),
					 ANNOTATION));
	if (!policy) {
		const char *bundle = json_string(json_member(&d.doc, root, "bundle"));

		if (bundle)
			policy = bundle_policy = annotation_from_bundle(bundle);
	}

	if (!bind) {
		/* Whatever the annotation says now, the daemon knows what it bound. */
		r = asprintf(&request, "container-unbind %s", id);
	} else if (!policy) {
		json_doc_done(&d);
		return 0; /* the container asks for no policy */
	} else if (!policy_name_valid(policy)) {
		r = fail(id, "invalid policy name '%s' in annotation " ANNOTATION, policy);
		json_doc_done(&d);
		return r;
	} else {
		long pid = 0;

		pid_text = json_string(json_member(&d.doc, root, "pid"));
		if (pid_text)
			pid = strtol(pid_text, NULL, 10);
		if (pid <= 0) {
			r = fail(id, "the container state has no pid; cannot find its cgroup");
			json_doc_done(&d);
			return r;
		}
		cgroup = cgroup_of(pid);
		if (!cgroup) {
			r = fail(id, "cannot read the cgroup of pid %ld: %s", pid,
				 errno == ENOMEDIUM ? "no cgroup2 entry (secagent needs cgroup v2)"
						    : strerror(errno));
			json_doc_done(&d);
			return r;
		}
		r = asprintf(&request, "container-bind %s %s %s", id, policy, cgroup);
	}
	if (r < 0) {
		json_doc_done(&d);
		return fail(id, "out of memory");
	}

	r = control_call(arg_control_socket, request, &body);
	if (r < 0)
		r = fail(id, "%s policy %s: secagentd is not reachable at %s (%s)%s",
			 bind ? "cannot bind" : "cannot unbind", policy ? policy : "?",
			 arg_control_socket, strerror(-r),
			 bind ? "; refusing to start the container unconfined" : "");
	else if (r > 0) {
		body[strcspn(body, "\n")] = '\0';
		r = fail(id, "%s policy %s: %s", bind ? "cannot bind" : "cannot unbind",
			 policy ? policy : "?", body);
	}
	json_doc_done(&d);
	return r;
}
