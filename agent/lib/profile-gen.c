// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "profile-gen.h"
#include "secagent.h"
#include "util.h"

/* One thing seen, keyed by text, with the access kinds (files) and how often. */
struct seen {
	char *key;
	uint32_t access;
	uint64_t count;
	size_t n_files;	       /* for a directory: distinct files under it */
	char *examples;	       /* for a directory: a few of their names */
	const struct seen *up; /* for a file: the subtree rule that covers it, or NULL */
	const char *why;       /* for a subtree rule: its comment's reason */
};

struct seen_list {
	struct seen *items;
	size_t n;
};

static struct seen *seen_get(struct seen_list *l, const char *key)
{
	struct seen *grown;

	for (size_t i = 0; i < l->n; i++)
		if (streq(l->items[i].key, key))
			return &l->items[i];
	grown = reallocarray(l->items, l->n + 1, sizeof(*grown));
	if (!grown)
		return NULL;
	l->items = grown;
	l->items[l->n] = (struct seen){ .key = strdup(key) };
	if (!l->items[l->n].key)
		return NULL;
	return &l->items[l->n++];
}

static void seen_list_clear(struct seen_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].examples);
	}
	free(l->items);
	*l = (struct seen_list){};
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->key, ((const struct seen *)b)->key);
}

static void sort_seen(struct seen_list *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(struct seen), cmp_seen);
}

static const char *str(json_t *ev, const char *key)
{
	const char *s = json_string_value(json_object_get(ev, key));

	return s ? s : "";
}

static uint32_t access_mask(const char *list)
{
	uint32_t mask = 0;

	for (unsigned b = 0; b < SA_ACCESS_BITS; b++) {
		const char *name = access_bit_to_string(b);
		size_t len = strlen(name);

		for (const char *p = list; (p = strstr(p, name)); p += len)
			if ((p == list || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
				mask |= 1u << b;
	}
	return mask;
}

/* YAML double-quoted scalar. */
static void put_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void put_access(FILE *out, uint32_t access)
{
	bool first = true;

	fputc('[', out);
	for (unsigned b = 0; b < SA_ACCESS_BITS; b++)
		if (access & (1u << b)) {
			fprintf(out, "%s%s", first ? "" : ", ", access_bit_to_string(b));
			first = false;
		}
	fputc(']', out);
}

static char *parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static unsigned depth_of(const char *dir)
{
	unsigned n = 0;

	for (const char *p = dir; *p; p++)
		n += *p == '/';
	return streq(dir, "/") ? 0 : n;
}

static bool is_under(const char *path, const char *tree /* with trailing '/' */)
{
	return strncmp(path, tree, strlen(tree)) == 0;
}

static void add_example(struct seen *dir, const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = dir->examples ? strlen(dir->examples) : 0;
	char *grown;

	if (len > 60 || !*name)
		return;
	grown = realloc(dir->examples, len + strlen(name) + 3);
	if (!grown)
		return;
	sprintf(grown + len, "%s%s", len ? ", " : "", name);
	dir->examples = grown;
}

/* File @f is covered by subtree @t (whose rule says @why). */
static void tree_add(struct seen *t, const struct seen *f, const char *why)
{
	t->why = why;
	t->access |= f->access;
	t->count += f->count;
	t->n_files++;
	add_example(t, f->key);
}

struct gen {
	const struct profile_fs *fs;
	struct seen_list files, execs, trees, net, create, caps, kernel, unplaced;
	size_t rules;
};

/* Subtree rules: whole file systems, directories that are gone, busy directories. */
static int place_files(struct gen *g)
{
	struct seen_list dirs = {};
	int r = 0;

	for (size_t i = 0; i < g->files.n; i++) {
		struct seen *f = &g->files.items[i], *t;
		char root[512], type[64];
		_cleanup_free_ char *dir = parent_dir(f->key);

		if (!dir)
			return -ENOMEM;
		if (g->fs->whole_fs(g->fs->userdata, f->key, root, sizeof(root), type,
				    sizeof(type)) == 1) {
			t = seen_get(&g->trees, root);
			if (!t)
				return -ENOMEM;
			tree_add(t, f,
				 "its inode numbers name no file for long: the whole file system");
			continue;
		}
		/* A directory gone by now (a temporary one): its nearest existing ancestor. */
		if (!g->fs->dir_exists(g->fs->userdata, dir)) {
			char *up = strdup(dir);

			if (!up)
				return -ENOMEM;
			while (!streq(up, "/") && !g->fs->dir_exists(g->fs->userdata, up)) {
				char *next = parent_dir(up);

				free(up);
				if (!next)
					return -ENOMEM;
				up = next;
			}
			{
				_cleanup_free_ char *key = NULL;

				if (asprintf(&key, "%s%s", up, streq(up, "/") ? "" : "/") < 0) {
					free(up);
					return -ENOMEM;
				}
				free(up);
				t = seen_get(&g->trees, key);
				if (!t)
					return -ENOMEM;
				tree_add(
					t, f,
					"made and removed below here, in directories gone by the end");
			}
			continue;
		}
		t = seen_get(&dirs, dir);
		if (!t)
			return -ENOMEM;
		tree_add(t, f, NULL);
	}
	/* Busy directories (never the root nor a top-level one: too much for a guess). */
	for (size_t i = 0; i < dirs.n; i++) {
		struct seen *d = &dirs.items[i], *t;
		bool made = d->access & (SA_ACCESS_CREATE | SA_ACCESS_UNLINK | SA_ACCESS_RENAME);
		_cleanup_free_ char *key = NULL;

		if (depth_of(d->key) < 2 ||
		    !(d->n_files >= PROFILE_DIR_FILES || (made && d->n_files >= 2)))
			continue;
		if (asprintf(&key, "%s/", d->key) < 0) {
			r = -ENOMEM;
			break;
		}
		t = seen_get(&g->trees, key);
		if (!t) {
			r = -ENOMEM;
			break;
		}
		t->why = made ? "files made, removed or renamed here: the directory"
			      : "many files touched here: the directory";
		t->access |= d->access;
		t->count += d->count;
		t->n_files += d->n_files;
		if (d->examples && !t->examples)
			t->examples = strdup(d->examples);
	}
	seen_list_clear(&dirs);
	if (r < 0)
		return r;
	/* A subtree inside another that allows as much says nothing more. */
	sort_seen(&g->trees);
	for (size_t i = 0; i < g->trees.n; i++)
		for (size_t j = 0; j < g->trees.n; j++) {
			struct seen *in = &g->trees.items[i], *out = &g->trees.items[j];

			if (i != j && !in->up && !out->up && is_under(in->key, out->key) &&
			    !streq(in->key, out->key) && (in->access & ~out->access) == 0)
				in->up = out;
		}
	for (size_t i = 0; i < g->files.n; i++)
		for (size_t j = 0; j < g->trees.n; j++)
			if (!g->trees.items[j].up &&
			    is_under(g->files.items[i].key, g->trees.items[j].key))
				g->files.items[i].up = &g->trees.items[j];
	return 0;
}

static int collect(struct gen *g, json_t *const *events, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *ev = events[i];
		const char *kind = str(ev, "kind");
		struct seen *s = NULL;
		_cleanup_free_ char *key = NULL;

		if (streq(kind, "file_exec") || strncmp(kind, "file_", 5) == 0) {
			const char *path = str(ev, "path");

			if (json_is_true(json_object_get(ev, "path_relative")) ||
			    json_is_true(json_object_get(ev, "path_truncated")) || path[0] != '/') {
				if (asprintf(
					    &key, "%s of %s%s", kind, path,
					    json_is_true(json_object_get(ev, "path_relative"))
						    ? " (a path within its file system, whose mount "
						      "was not found)"
						    : " (path cut short)") < 0)
					return -ENOMEM;
				s = seen_get(&g->unplaced, key);
			} else {
				s = seen_get(streq(kind, "file_exec") ? &g->execs : &g->files,
					     path);
				if (s)
					s->access |= access_mask(str(ev, "access"));
			}
		} else if (streq(kind, "connect") || streq(kind, "bind") || streq(kind, "listen") ||
			   streq(kind, "sendmsg")) {
			const char *family = str(ev, "family");
			json_int_t port = json_integer_value(json_object_get(ev, "port"));
			int k;

			/* A port the kernel picked for a listening socket is no port to name. */
			if (streq(family, "unix"))
				k = asprintf(&key, "unix");
			else if (streq(kind, "listen") && port >= g->fs->port_lo &&
				 port <= g->fs->port_hi)
				k = asprintf(&key, "%s %s %u-%u %s", family, str(ev, "address"),
					     g->fs->port_lo, g->fs->port_hi, str(ev, "protocol"));
			else
				k = asprintf(&key, "%s %s %" JSON_INTEGER_FORMAT " %s", family,
					     str(ev, "address"), port, str(ev, "protocol"));
			if (k < 0)
				return -ENOMEM;
			s = seen_get(&g->net, key);
			if (s)
				s->access |= 1u << (streq(kind, "connect")  ? 0
						    : streq(kind, "bind")   ? 1
						    : streq(kind, "listen") ? 2
									    : 3);
		} else if (streq(kind, "socket_create")) {
			if (asprintf(&key, "%s %s", str(ev, "family"), str(ev, "socket_type")) < 0)
				return -ENOMEM;
			s = seen_get(&g->create, key);
		} else if (streq(kind, "capability")) {
			s = seen_get(&g->caps, str(ev, "capability"));
		} else if (streq(kind, "kernel")) {
			s = seen_get(&g->kernel, str(ev, "operation"));
		} else {
			continue; /* not an operation of the workload (self-protection) */
		}
		if (!s)
			return -ENOMEM;
		s->count++;
	}
	return 0;
}

static const char *const net_ops[] = { "connect", "bind", "listen", "sendmsg" };

/* System calls a program makes without asking for them: whether a recording saw them depends
 * on timing (a signal arriving, a call interrupted), not on what the program does. */
static const struct {
	const char *name, *why;
} profile_essential_syscalls[] = {
	{ "rt_sigreturn", "the return from every signal handler" },
	{ "restart_syscall", "the kernel restarts an interrupted call with it" },
	{ "exit", "a thread's end" },
	{ "exit_group", "the process's end" },
};

static void put_count(FILE *out, uint64_t count)
{
	fprintf(out, "seen %" PRIu64 " time%s", count, count == 1 ? "" : "s");
}

/* The subtree rules and files no subtree rule covers, as the @i-th of one list. */
static struct seen *nth_path(struct gen *g, size_t i)
{
	return i < g->trees.n ? &g->trees.items[i] : &g->files.items[i - g->trees.n];
}

static void write_files(struct gen *g, FILE *out)
{
	size_t n = g->trees.n + g->files.n;

	sort_seen(&g->files);
	/* The files' subtrees again: sorting moved them. */
	for (size_t i = 0; i < g->files.n; i++) {
		g->files.items[i].up = NULL;
		for (size_t j = 0; j < g->trees.n; j++)
			if (!g->trees.items[j].up &&
			    is_under(g->files.items[i].key, g->trees.items[j].key))
				g->files.items[i].up = &g->trees.items[j];
	}
	/* One rule per set of access kinds, in order of first appearance; each path with its
	 * comment. */
	for (size_t i = 0; i < n; i++) {
		uint32_t access = nth_path(g, i)->access;
		bool first_of_its_set = !nth_path(g, i)->up;

		for (size_t j = 0; j < i && first_of_its_set; j++)
			if (!nth_path(g, j)->up && nth_path(g, j)->access == access)
				first_of_its_set = false;
		if (!first_of_its_set)
			continue;
		fprintf(out, "    - paths:\n");
		for (size_t j = i; j < n; j++) {
			const struct seen *p = nth_path(g, j);

			if (p->up || p->access != access)
				continue;
			fprintf(out, "        - ");
			put_quoted(out, p->key);
			fprintf(out, "  # ");
			if (j < g->trees.n)
				fprintf(out, "%s; %zu file%s (%s), ", p->why, p->n_files,
					p->n_files == 1 ? "" : "s", p->examples ? p->examples : "");
			put_count(out, p->count);
			fputc('\n', out);
		}
		fprintf(out, "      access: ");
		put_access(out, access);
		fprintf(out, "\n      action: allow\n");
		g->rules++;
	}
}

static void write_network(struct gen *g, FILE *out)
{
	for (size_t i = 0; i < g->net.n; i++) {
		const struct seen *s = &g->net.items[i];
		char family[16] = "", address[64] = "", ports[32] = "", protocol[16] = "";
		bool first = true;

		if (!streq(s->key, "unix") &&
		    sscanf(s->key, "%15s %63s %31s %15s", family, address, ports, protocol) < 3)
			continue;
		fprintf(out, "    - operations: [");
		for (unsigned b = 0; b < ELEMENTSOF(net_ops); b++)
			if (s->access & (1u << b)) {
				fprintf(out, "%s%s", first ? "" : ", ", net_ops[b]);
				first = false;
			}
		fprintf(out, "]  # ");
		put_count(out, s->count);
		if (strchr(ports, '-'))
			fprintf(out, "; the port was the kernel's pick: the ephemeral range");
		fputc('\n', out);
		if (streq(s->key, "unix")) {
			fprintf(out, "      families: [unix]\n");
		} else {
			fprintf(out, "      families: [%s]\n      addresses: [", family);
			put_quoted(out, address);
			fprintf(out, "]\n      ports: [");
			put_quoted(out, ports);
			fprintf(out, "]\n");
			if (streq(protocol, "tcp") || streq(protocol, "udp"))
				fprintf(out, "      protocols: [%s]\n", protocol);
		}
		fprintf(out, "      action: allow\n");
		g->rules++;
	}
	for (size_t i = 0; i < g->create.n; i++) {
		const struct seen *s = &g->create.items[i];
		char family[32] = "", type[32] = "";
		bool known_family = false, known_type = false;

		if (sscanf(s->key, "%31s %31s", family, type) < 1)
			continue;
		for (size_t k = 0; k < net_n_families; k++)
			known_family |= streq(family, net_family_names[k]);
		for (size_t k = 0; k < net_n_types; k++)
			known_type |= streq(type, net_type_names[k]);
		if (!known_family)
			continue; /* counted as unplaced by the caller */
		fprintf(out, "    - operations: [create]  # ");
		put_count(out, s->count);
		fprintf(out, "\n      families: [%s]\n", family);
		if (known_type)
			fprintf(out, "      types: [%s]\n", type);
		fprintf(out, "      action: allow\n");
		g->rules++;
	}
}

static void write_names(struct gen *g, FILE *out, struct seen_list *l, const char *key)
{
	sort_seen(l);
	fprintf(out, "    - %s:\n", key);
	for (size_t i = 0; i < l->n; i++) {
		fprintf(out, "        - %s  # ", l->items[i].key);
		put_count(out, l->items[i].count);
		fputc('\n', out);
	}
	fprintf(out, "      action: allow\n");
	g->rules++;
}

int profile_generate(const struct profile_target *target, json_t *const *events, size_t n_events,
		     const char *const *syscalls, size_t n_syscalls, const struct profile_fs *fs,
		     FILE *out, struct profile_stats *ret_stats)
{
	struct gen g = { .fs = fs };
	size_t n_creates = 0;
	char when[64] = "";
	time_t now = time(NULL);
	struct tm tm;
	int r;

	r = collect(&g, events, n_events);
	if (r == 0)
		r = place_files(&g);
	if (r < 0)
		goto done;
	sort_seen(&g.execs);
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* Socket families no rule can name: listed, not silently left out. */
	for (size_t i = 0; i < g.create.n; i++) {
		char family[32] = "";
		bool known = false;

		sscanf(g.create.items[i].key, "%31s", family);
		for (size_t k = 0; k < net_n_families; k++)
			known |= streq(family, net_family_names[k]);
		n_creates += known;
		if (!known) {
			_cleanup_free_ char *key = NULL;
			struct seen *s;

			if (asprintf(&key, "socket creation of family %s", family) < 0 ||
			    !(s = seen_get(&g.unplaced, key))) {
				r = -ENOMEM;
				goto done;
			}
			s->count += g.create.items[i].count;
		}
	}

	fprintf(out,
		"# Recorded by secagentctl profile record: %s, for %.0f s, at %s; %zu events,\n"
		"# %zu system calls. It allows what the workload did and, through its posture,\n"
		"# nothing else. Review it, apply it as it is (mode: audit), watch\n"
		"# `secagentctl events -p %s`, test it with `secagentctl policy test`, then set\n"
		"# mode: enforce.\n",
		target->description, target->seconds, when, n_events, n_syscalls,
		target->policy_name);
	for (size_t i = 0; i < g.unplaced.n; i++) {
		fprintf(out, "# NOT COVERED (no rule could name it): %s, ",
			g.unplaced.items[i].key);
		put_count(out, g.unplaced.items[i].count);
		fputc('\n', out);
	}
	fprintf(out, "apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: %s\nspec:\n",
		target->policy_name);
	fprintf(out, "  mode: audit\n  selector:\n");
	switch (target->kind) {
	case PROFILE_TARGET_UNIT:
		fprintf(out, "    cgroups: [");
		put_quoted(out, target->cgroup);
		fprintf(out, "]\n");
		break;
	case PROFILE_TARGET_CONTAINER:
		fprintf(out,
			"    containers: true  # bind a container with the annotation "
			"io.secagent.policy=%s\n",
			target->policy_name);
		break;
	case PROFILE_TARGET_COMMAND:
		fprintf(out, "    binaries: [");
		put_quoted(out, target->binary);
		fprintf(out, "]  # the program; what it runs is bound by its own identity\n");
		break;
	}
	fprintf(out, "  posture:  # what no rule allows\n    files: deny\n    exec: deny\n"
		     "    network: deny\n    capabilities: deny\n    kernel: deny\n");
	if (g.trees.n + g.files.n) {
		fprintf(out, "  files:\n");
		write_files(&g, out);
	}
	if (g.execs.n) {
		fprintf(out, "  exec:\n    - paths:\n");
		for (size_t i = 0; i < g.execs.n; i++) {
			fprintf(out, "        - ");
			put_quoted(out, g.execs.items[i].key);
			fprintf(out, "  # ");
			put_count(out, g.execs.items[i].count);
			fputc('\n', out);
		}
		fprintf(out, "      action: allow\n");
		g.rules++;
	}
	if (g.net.n + n_creates) {
		fprintf(out, "  network:\n");
		write_network(&g, out);
	}
	if (g.caps.n) {
		fprintf(out, "  capabilities:\n");
		write_names(&g, out, &g.caps, "names");
	}
	if (g.kernel.n) {
		fprintf(out, "  kernel:\n");
		write_names(&g, out, &g.kernel, "operations");
	}
	if (n_syscalls) {
		fprintf(out, "  syscalls:  # for secagentctl exec and the OCI profile\n"
			     "    default: deny\n    rules:\n      - names:\n");
		for (size_t i = 0; i < n_syscalls; i++)
			fprintf(out, "          - %s\n", syscalls[i]);
		/* Calls the kernel's own paths make for a program, seen or not this time. */
		for (size_t k = 0; k < ELEMENTSOF(profile_essential_syscalls); k++) {
			bool seen = false;

			for (size_t i = 0; i < n_syscalls && !seen; i++)
				seen = streq(syscalls[i], profile_essential_syscalls[k].name);
			if (!seen)
				fprintf(out, "          - %s  # not seen: %s\n",
					profile_essential_syscalls[k].name,
					profile_essential_syscalls[k].why);
		}
		fprintf(out, "        action: allow\n");
	}
	if (ret_stats)
		*ret_stats = (struct profile_stats){
			.events = n_events,
			.rules = g.rules,
			.syscalls = n_syscalls,
			.unplaced = g.unplaced.n,
		};
	r = ferror(out) ? -EIO : 0;
done:
	seen_list_clear(&g.files);
	seen_list_clear(&g.execs);
	seen_list_clear(&g.trees);
	seen_list_clear(&g.net);
	seen_list_clear(&g.create);
	seen_list_clear(&g.caps);
	seen_list_clear(&g.kernel);
	seen_list_clear(&g.unplaced);
	return r;
}
