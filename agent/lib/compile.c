// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compile-network.h"
#include "compile.h"
#include "policy-network.h"
#include "util.h"

struct compiled_set *compiled_set_free(struct compiled_set *c)
{
	if (!c)
		return NULL;
	policy_set_free(c->source);
	free(c->policies);
	free(c->rules);
	free(c->files);
	free(c->selectors.cgroups);
	free(c->selectors.bound);
	free(c->selectors.binaries);
	free(c->net);
	free(c->port_class);
	free(c->create);
	free(c->caps);
	free(c->not_enforced);
	free(c);
	return NULL;
}

static void compiled_set_freep(struct compiled_set **c)
{
	compiled_set_free(*c);
}

/* One path of one rule, before entries for the same inode are merged. */
struct raw_entry {
	uint32_t dev;
	uint64_t ino;
	char name[SA_NAME_LEN]; /* empty for an inode entry */
	uint16_t selector;
	bool tree;
	uint32_t verdict, access, ref;
	size_t order; /* rules in policy file order, for ties */
};

static int cmp_raw(const void *a, const void *b)
{
	const struct raw_entry *x = a, *y = b;
	int r;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	r = strcmp(x->name, y->name);
	if (r)
		return r;
	if (x->selector != y->selector)
		return x->selector < y->selector ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Merge what several rules say about one inode. Per access bit and per scope (the inode itself,
 * or its subtree) the strongest verdict wins: deny over audit over allow, whatever policy it
 * comes from; on a tie the earlier rule (policy files in name order) is the one reported.
 */
static void merge_into(struct sa_file_rule *out, const struct raw_entry *e)
{
	__u32 *masks = e->tree ? out->tree : out->exact;
	__u32 *refs = e->tree ? out->tree_rule : out->exact_rule;

	for (unsigned b = 0; b < SA_ACCESS_BITS; b++) {
		uint32_t bit = 1u << b;
		int current = -1;

		if (!(e->access & bit))
			continue;
		for (int v = SA_VERDICT_DENY; v >= SA_VERDICT_ALLOW; v--)
			if (masks[v] & bit) {
				current = v;
				break;
			}
		if ((int)e->verdict <= current)
			continue;
		if (current >= 0)
			masks[current] &= ~bit;
		masks[e->verdict] |= bit;
		refs[b] = e->ref;
	}
}

/*
 * One entry per (inode, selector). Every inode that has entries also gets a selector-0 entry,
 * empty if need be, whose `scoped` lists the other selectors: a hook looks further only then.
 */
static int merge_entries(struct compiled_set *c, struct raw_entry *raw, size_t n)
{
	size_t first_of_inode = 0;

	if (n > 0)
		qsort(raw, n, sizeof(*raw), cmp_raw);
	/* At most one extra selector-0 entry per raw entry. */
	c->files = calloc(n ? 2 * n : 1, sizeof(*c->files));
	if (!c->files)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct compiled_file_entry *last = c->n_files ? &c->files[c->n_files - 1] : NULL;
		bool new_inode = !last || last->dev != raw[i].dev || last->ino != raw[i].ino ||
				 !streq(last->name, raw[i].name);

		if (new_inode || last->selector != raw[i].selector) {
			if (new_inode) {
				first_of_inode = c->n_files;
				if (raw[i].selector != 0)
					c->files[c->n_files++] = (struct compiled_file_entry){
						.dev = raw[i].dev,
						.ino = raw[i].ino,
						.rule.version = SA_LAYOUT_VERSION,
					};
				memcpy(c->files[c->n_files - (raw[i].selector != 0)].name,
				       raw[i].name, SA_NAME_LEN);
			}
			c->files[c->n_files++] = (struct compiled_file_entry){
				.dev = raw[i].dev,
				.ino = raw[i].ino,
				.selector = raw[i].selector,
				.rule.version = SA_LAYOUT_VERSION,
			};
			memcpy(c->files[c->n_files - 1].name, raw[i].name, SA_NAME_LEN);
			if (raw[i].selector != 0)
				c->files[first_of_inode].rule.scoped |= 1ULL << raw[i].selector;
		}
		merge_into(&c->files[c->n_files - 1].rule, &raw[i]);
		if (raw[i].tree && raw[i].verdict == SA_VERDICT_DENY)
			c->has_tree_deny = true;
		if (raw[i].tree)
			c->has_tree = true;
	}
	return 0;
}

/* Where a path is resolved: the host, or a bound container's root. */
struct path_root {
	int fd;		       /* AT_FDCWD: the host */
	const char *container; /* the container's id, or NULL */
};

static const struct path_root host_root = { AT_FDCWD, NULL };

/* "'PATH'" or "'PATH' in container ID: DETAIL" diagnostics. */
static int path_diag(struct diag_list *diags, const struct policy *p, const struct policy_path *pp,
		     const struct path_root *root, const char *what, const char *detail)
{
	return diag_add(diags, p->file, pp->loc.line, pp->loc.column, "%s'%s'%s%s: %s", what,
			pp->path, root->container ? " in container " : "",
			root->container ? root->container : "", detail) < 0
		       ? -ENOMEM
		       : -EINVAL;
}

/*
 * Opens @path (O_PATH) on the host, or inside a container's root: symlinks and ".." are
 * resolved as in the container and never lead out of its root (RESOLVE_IN_ROOT).
 */
static int open_in_root(const struct path_root *root, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = root->fd == AT_FDCWD
			 ? open(path, O_PATH | O_CLOEXEC)
			 : (int)syscall(SYS_openat2, root->fd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* Where a compile learns identities; set for the length of compile_policy_set(). */
struct compile_ctx {
	struct compiled_set *c;
	const struct file_identity_source *ids;
	struct diag_list *diags;
	const struct compile_container *containers;
	size_t n_containers;
	/* The last overlay checked (file_identity_check_overlay): its device and the answer. */
	uint32_t overlay_dev;
	const char *overlay_inexact;
	/* The selectors that name cgroups, and the first policy with one: the service manager's
	 * set-up is left out for them (add_service_manager()). */
	uint64_t service_manager_bits;
	const struct policy *service_manager_policy;
};

static int identify(struct compile_ctx *x, const struct path_root *root, const char *path,
		    struct stat *st, struct file_identity *id)
{
	_cleanup_close_ int fd = open_in_root(root, path);
	int r;

	if (fd < 0)
		return fd;
	r = x->ids->identify(x->ids->userdata, fd, "", AT_EMPTY_PATH, st, id);
	if (r < 0 || id->fs_magic != OVERLAYFS_SUPER_MAGIC || id->inexact)
		return r;
	/* A file tells by itself; a directory by a sample, once per overlay. */
	if (!S_ISDIR(st->st_mode) || x->overlay_dev != id->dev) {
		file_identity_check_overlay(fd, id);
		if (!S_ISDIR(st->st_mode))
			return 0;
		x->overlay_dev = id->dev;
		x->overlay_inexact = id->inexact;
	}
	id->inexact = x->overlay_inexact;
	return 0;
}

/*
 * A path on a file system where its key cannot be enforced: an error, unless the rule accepts
 * that (then the path is listed as not enforced). Returns 0 when listed, -EINVAL or -ENOMEM.
 */
static int not_enforced(struct compile_ctx *x, const struct path_root *root, uint32_t policy_id,
			const struct policy_path *pp, const char *why);

static int unenforceable(struct compile_ctx *x, const struct path_root *root,
			 const struct policy *p, uint32_t policy_id,
			 const struct file_rule_spec *rule, const struct policy_path *pp,
			 const char *why)
{
	char detail[512];

	snprintf(detail, sizeof(detail), "on %s", why);
	if (!rule->accept_unenforced) {
		snprintf(detail, sizeof(detail),
			 "on %s, which secagent cannot enforce (a rule that accepts this says "
			 "onUnsupportedFilesystem: notEnforced, and is listed as not enforced)",
			 why);
		return path_diag(x->diags, p, pp, root, "", detail);
	}
	return not_enforced(x, root, policy_id, pp, detail);
}

/* Lists @pp as not enforced, with why. 0 or -ENOMEM. */
static int not_enforced(struct compile_ctx *x, const struct path_root *root, uint32_t policy_id,
			const struct policy_path *pp, const char *why)
{
	struct compiled_not_enforced *ne;

	ne = reallocarray(x->c->not_enforced, x->c->n_not_enforced + 1, sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	x->c->not_enforced = ne;
	ne = &ne[x->c->n_not_enforced++];
	*ne = (struct compiled_not_enforced){
		.policy_id = policy_id,
		.path = pp->path,
		.line = pp->loc.line,
		.column = pp->loc.column,
	};
	if (root->container)
		snprintf(ne->reason, sizeof(ne->reason), "in container %s: %s", root->container,
			 why);
	else
		snprintf(ne->reason, sizeof(ne->reason), "%s", why);
	return 0;
}

/*
 * Whether the directory @path (with its trailing '/') is the root of its mount. On a file system
 * whose inode numbers secagent cannot rely on (proc, sysfs, cgroup2, devpts...) the root of a
 * mount keeps its identity while mounted, so an allow rule for its whole subtree is kept: it can
 * only let through what a posture would deny, and another instance of that file system (a
 * container's /proc) has another device, which the rule does not name.
 */
static bool is_mount_root(struct compile_ctx *x, const struct path_root *root, const char *path,
			  const struct stat *st)
{
	_cleanup_free_ char *up = NULL;
	struct file_identity up_id;
	struct stat up_st;

	if (asprintf(&up, "%s..", path) < 0 || identify(x, root, up, &up_st, &up_id) < 0)
		return false;
	return up_st.st_dev != st->st_dev || up_st.st_ino == st->st_ino;
}

/*
 * The entries one path of a rule makes: the inode it names, if it exists (every name of it is
 * covered), and for a file, its name in its directory (whatever file gets that name later is
 * covered: created after the policy, or put there by rename). Returns how many, or an error.
 */
static int compile_file_path(struct compile_ctx *x, const struct path_root *root,
			     const struct policy *p, uint32_t policy_id,
			     const struct file_rule_spec *rule, const struct policy_path *pp,
			     struct raw_entry base, struct raw_entry ret[2])
{
	struct diag_list *diags = x->diags;
	size_t len = strlen(pp->path);
	bool tree = len > 1 && pp->path[len - 1] == '/';
	struct stat st = {}, dir_st;
	struct file_identity id, dir_id;
	const char *name = strrchr(pp->path, '/') + 1, *why;
	_cleanup_free_ char *dir = NULL;
	char buf[256];
	int n = 0, stat_errno = 0, r;

	base.tree = tree;
	/* Links are followed on purpose: a rule naming a link protects the file it points to,
	 * under every name. */
	r = identify(x, root, pp->path, &st, &id);
	if (r < 0)
		stat_errno = -r;
	if (tree) {
		if (stat_errno == ENOENT)
			return path_diag(diags, p, pp, root, "",
					 "a subtree rule needs the directory to exist");
		if (stat_errno && stat_errno != ENOTDIR)
			return path_diag(diags, p, pp, root, "", strerror(stat_errno));
		if (stat_errno == ENOTDIR || !S_ISDIR(st.st_mode))
			return path_diag(diags, p, pp, root, "",
					 "a trailing '/' names a directory's subtree, but this is "
					 "not a directory");
	} else if (stat_errno && stat_errno != ENOENT)
		return path_diag(diags, p, pp, root, "", strerror(stat_errno));

	if (!stat_errno) {
		why = file_identity_unsupported(&id, buf, sizeof(buf));
		if (why && !(tree && rule->action == RULE_ACTION_ALLOW &&
			     is_mount_root(x, root, pp->path, &st)))
			return unenforceable(x, root, p, policy_id, rule, pp, why);
		ret[n] = base;
		ret[n].dev = id.dev;
		ret[n++].ino = id.ino;
	}
	if (tree || len == 1)
		return n;

	/* The name in its directory, as the kernel sees it: the directory itself (not a link
	 * to it) must exist. */
	dir = strndup(pp->path, name - pp->path > 1 ? (size_t)(name - pp->path - 1) : 1);
	if (!dir)
		return -ENOMEM;
	if (identify(x, root, dir, &dir_st, &dir_id) < 0 || !S_ISDIR(dir_st.st_mode)) {
		if (n)
			return n; /* bound by inode; the name cannot be watched */
		return path_diag(diags, p, pp, root, "",
				 "neither the file nor its directory exists (a file that does not "
				 "exist yet is bound by its name in an existing directory)");
	}
	if (strlen(name) >= SA_NAME_LEN) {
		if (n)
			return n; /* documented: long names are bound by inode only */
		return path_diag(
			diags, p, pp, root, "",
			"does not exist, and its name is too long to bind by name (at most "
			"63 bytes)");
	}
	why = file_identity_unsupported(&dir_id, buf, sizeof(buf));
	if (why) {
		if (n)
			return n; /* the file is a mount point: bound by inode */
		return unenforceable(x, root, p, policy_id, rule, pp, why);
	}
	ret[n] = base;
	ret[n].dev = dir_id.dev;
	ret[n].ino = dir_id.ino;
	memcpy(ret[n++].name, name, strlen(name) + 1);
	return n;
}

/* The entry of the binary (@dev, @ino) in @sel, added if new; NULL when out of memory. */
static struct compiled_binary *selector_binary(struct compiled_selectors *sel, uint32_t dev,
					       uint64_t ino)
{
	struct compiled_binary *n;

	for (size_t i = 0; i < sel->n_binaries; i++)
		if (sel->binaries[i].dev == dev && sel->binaries[i].ino == ino)
			return &sel->binaries[i];
	n = reallocarray(sel->binaries, sel->n_binaries + 1, sizeof(*n));
	if (!n)
		return NULL;
	sel->binaries = n;
	n[sel->n_binaries] = (struct compiled_binary){ .dev = dev, .ino = ino };
	return &n[sel->n_binaries++];
}

/* Binaries by identity: every name, link and bind mount of the file is the same binary. */
static int add_binary(struct compile_ctx *x, const struct path_root *root, const struct policy *p,
		      const struct policy_path *pp, uint64_t bit, bool excluded)
{
	struct compiled_selectors *sel = &x->c->selectors;
	struct diag_list *diags = x->diags;
	struct compiled_binary *b = NULL;
	struct file_identity id;
	struct stat st;
	const char *why;
	char buf[256];
	int r;

	r = identify(x, root, pp->path, &st, &id);
	if (r < 0)
		return path_diag(diags, p, pp, root, "binary ",
				 r == -ENOENT ? "does not exist" : strerror(-r));
	if (!S_ISREG(st.st_mode))
		return path_diag(diags, p, pp, root, "binary ", "is not a regular file");
	why = file_identity_unsupported(&id, buf, sizeof(buf));
	if (why) {
		char detail[512];

		snprintf(detail, sizeof(detail), "on %s, which secagent cannot enforce", why);
		return path_diag(diags, p, pp, root, "binary ", detail);
	}
	b = selector_binary(sel, id.dev, id.ino);
	if (!b)
		return -ENOMEM;
	if (excluded)
		b->value.excluded |= bit;
	else
		b->value.selectors |= bit;
	return 0;
}

/*
 * The service manager's programs that set a unit up in the unit's cgroup before they exec its
 * command: systemd's forked child (systemd before 256) and systemd-executor (256 on). A policy
 * that selects cgroups binds a process that pid 1 forked and that runs one of them only in that
 * exec, as a container policy binds the runtime: their set-up varies from start to start (a
 * child that attaches itself to the cgroup, an error it logs), and it is the manager's, not the
 * unit's. A unit's own process that runs one of them (say, systemd-executor with a state it
 * made up) is bound as any other: the kernel marks the children pid 1 forks and drops the mark
 * at the command's exec (bpf/service-manager.bpf.c), so neither a process pid 1 adopted nor a
 * unit's command, whatever program it is, is marked.
 */
static const struct {
	const char *path;
	bool executor; /* exec'd by the forked child before the command (service_executor) */
} service_manager_programs[] = {
	{ "/usr/lib/systemd/systemd", false },
	{ "/usr/lib/systemd/systemd-executor", true },
};

/* Leaves the set-up out for the selectors that name cgroups, once per compile. A program that
 * cannot be identified (other than missing: not this host's manager) refuses the set, at the
 * first such policy's selector. */
static int add_service_manager(struct compile_ctx *x)
{
	const struct policy *p = x->service_manager_policy;

	for (size_t i = 0; i < ELEMENTSOF(service_manager_programs) && p; i++) {
		struct compiled_binary *b;
		struct file_identity id;
		struct stat st;
		int r = identify(x, &host_root, service_manager_programs[i].path, &st, &id);

		if (r == -ENOENT || (r == 0 && !S_ISREG(st.st_mode)))
			continue; /* not this host's manager */
		if (r < 0) {
			r = diag_add(
				x->diags, p->file, p->selector.loc.line, p->selector.loc.column,
				"cannot identify the service manager's %s, whose set-up of a unit "
				"the selector's cgroups leave out: %s",
				service_manager_programs[i].path, strerror(-r));
			if (r < 0)
				return -ENOMEM;
			continue;
		}
		b = selector_binary(&x->c->selectors, id.dev, id.ino);
		if (!b)
			return -ENOMEM;
		b->value.until_exec_from_init = x->service_manager_bits;
		b->value.service_executor = service_manager_programs[i].executor;
	}
	return 0;
}

/*
 * Give a policy with a selector its own selector index and record what it names. Cgroups are
 * kept by path: the daemon binds the ones that exist and the kernel binds the ones created
 * later, so a cgroup need not exist yet (a unit that is not running).
 */
static int compile_selector(struct compile_ctx *x, const struct policy *p,
			    struct compiled_policy *cp)
{
	struct compiled_set *c = x->c;
	struct diag_list *diags = x->diags;
	struct compiled_selectors *sel = &c->selectors;
	struct sa_selector_table *t = &sel->table;
	const struct policy_selector *ps = &p->selector;
	unsigned index;
	uint64_t bit;
	int r = 0;

	t->version = SA_LAYOUT_VERSION;
	t->any_cgroup |= 1;
	t->any_binary |= 1;
	t->any_uid |= 1;
	if (!ps->present || (!ps->n_cgroups && !ps->n_binaries && !ps->n_uids &&
			     !ps->n_except_binaries && !ps->containers))
		return 0;

	index = 1;
	while (index < SA_MAX_SELECTORS && (t->in_use >> index & 1))
		index++;
	if (index >= SA_MAX_SELECTORS)
		return diag_add(diags, p->file, ps->loc.line, ps->loc.column,
				"too many policies with a selector (at most %d in one set)",
				SA_MAX_SELECTORS - 1) < 0
			       ? -ENOMEM
			       : -EINVAL;
	bit = 1ULL << index;
	cp->selector = index;
	cp->containers = ps->containers;
	t->in_use |= bit;

	/* A container policy matches no cgroup until a container is bound to it. */
	if (!ps->n_cgroups && !ps->containers)
		t->any_cgroup |= bit;
	for (size_t i = 0; i < ps->n_cgroups; i++) {
		struct compiled_cgroup *n;
		size_t k;

		for (k = 0; k < sel->n_cgroups; k++)
			if (streq(sel->cgroups[k].path, ps->cgroups[i].path))
				break;
		if (k == sel->n_cgroups) {
			n = reallocarray(sel->cgroups, sel->n_cgroups + 1, sizeof(*n));
			if (!n)
				return -ENOMEM;
			sel->cgroups = n;
			n[sel->n_cgroups++] =
				(struct compiled_cgroup){ .path = ps->cgroups[i].path };
		}
		sel->cgroups[k].selectors |= bit;
	}

	if (ps->n_cgroups) {
		x->service_manager_bits |= bit;
		if (!x->service_manager_policy)
			x->service_manager_policy = p;
	}
	if (!ps->n_binaries)
		t->any_binary |= bit;
	/* A container policy's binaries are files of each bound container (its root lost: none,
	 * so the policy's binary condition matches nothing there). */
	for (size_t k = 0; k < (ps->containers ? x->n_containers : 1) && r != -ENOMEM; k++) {
		struct path_root root = host_root;

		if (ps->containers) {
			if (!streq(x->containers[k].policy, p->name))
				continue;
			/* The runtime's own set-up, before the entrypoint's exec, is not the
			 * container's (AppArmor applies a container's profile on that exec too). */
			if (x->containers[k].runtime_ino) {
				struct compiled_binary *rt =
					selector_binary(&c->selectors, x->containers[k].runtime_dev,
							x->containers[k].runtime_ino);

				if (!rt)
					return -ENOMEM;
				rt->value.until_exec |= bit;
			}
			if (x->containers[k].root_fd < 0) {
				/* The binaries condition then matches nothing in it: none of the
				 * policy's rules hold there. Say so. */
				root = (struct path_root){ -1, x->containers[k].id };
				for (size_t i = 0; i < ps->n_binaries && r != -ENOMEM; i++)
					r = not_enforced(
						x, &root, (uint32_t)(cp - c->policies),
						&ps->binaries[i],
						"binary not resolved: secagentd lost the "
						"container's root when it stopped, so none of "
						"the policy's rules hold there (restart the "
						"container)");
				continue;
			}
			root = (struct path_root){ x->containers[k].root_fd, x->containers[k].id };
		}
		for (size_t i = 0; i < ps->n_binaries && r != -ENOMEM; i++)
			r = add_binary(x, &root, p, &ps->binaries[i], bit, false);
		for (size_t i = 0; i < ps->n_except_binaries && r != -ENOMEM; i++)
			r = add_binary(x, &root, p, &ps->except_binaries[i], bit, true);
	}
	if (r == -ENOMEM)
		return r;

	if (!ps->n_uids)
		t->any_uid |= bit;
	for (size_t i = 0; i < ps->n_uids; i++) {
		if (t->n_uid_ranges >= SA_MAX_UID_RANGES)
			return diag_add(diags, p->file, ps->uids[i].loc.line,
					ps->uids[i].loc.column,
					"too many uid ranges in the policy set (at most %d)",
					SA_MAX_UID_RANGES) < 0
				       ? -ENOMEM
				       : -EINVAL;
		t->uid_ranges[t->n_uid_ranges++] = (struct sa_uid_range){
			.lo = ps->uids[i].lo,
			.hi = ps->uids[i].hi,
			.selectors = bit,
		};
	}
	return 0;
}

void compiled_name_head(const char *name, uint64_t ret_head[2])
{
	char buf[2 * sizeof(uint64_t)] = {};

	memcpy(buf, name, strnlen(name, sizeof(buf)));
	memcpy(ret_head, buf, sizeof(buf));
}

static void filter_set(struct sa_file_filter *f, uint64_t h)
{
	uint64_t b0 = SA_FILTER_BIT0(h), b1 = SA_FILTER_BIT1(h);

	f->words[b0 / 64] |= UINT64_C(1) << (b0 % 64);
	f->words[b1 / 64] |= UINT64_C(1) << (b1 % 64);
}

void compiled_file_filter(const struct compiled_set *c, struct sa_file_filter *f)
{
	for (size_t i = 0; i < c->n_files; i++) {
		const struct compiled_file_entry *e = &c->files[i];
		uint64_t head[2];

		if (!e->name[0]) {
			filter_set(f, sa_filter_inode_hash(e->dev, e->ino));
			continue;
		}
		filter_set(f, sa_filter_names_dir_hash(e->dev, e->ino));
		compiled_name_head(e->name, head);
		filter_set(f, sa_filter_name_hash(e->dev, e->ino, strnlen(e->name, SA_NAME_LEN),
						  head[0], head[1]));
	}
}

const struct compiled_rule *compiled_set_rule(const struct compiled_set *c, uint32_t ref)
{
	uint32_t pid = SA_RULE_POLICY(ref), idx = SA_RULE_INDEX(ref);

	if (pid >= c->n_policies)
		return NULL;
	if (SA_RULE_IS_POSTURE(ref)) {
		uint32_t kind = SA_RULE_POSTURE_KIND(ref);

		return kind < SA_POSTURE_KINDS && c->policies[pid].posture[kind].line
			       ? &c->policies[pid].posture[kind]
			       : NULL;
	}
	if (idx >= c->policies[pid].n_rules)
		return NULL;
	return &c->rules[c->policies[pid].first_rule + idx];
}

/*
 * The posture of @p into its selector's bits of the table the hooks read, and as rules events can
 * name. Only a policy with a selector has one (the parser refuses it elsewhere).
 */
static void compile_posture(struct compiled_set *c, const struct policy *p, uint32_t policy_id)
{
	struct compiled_policy *cp = &c->policies[policy_id];
	struct sa_selector_table *t = &c->selectors.table;
	uint64_t bit = UINT64_C(1) << cp->selector;

	for (int k = 0; k < SA_POSTURE_KINDS; k++) {
		enum rule_action action = policy_posture_action(&p->posture, k);
		uint32_t verdict = compile_verdict(p, action, false, p->mode);

		if (verdict == SA_VERDICT_ALLOW)
			continue;
		if (verdict == SA_VERDICT_DENY)
			t->posture_deny[k] |= bit;
		else
			t->posture_audit[k] |= bit;
		t->selector_policy[cp->selector] = policy_id;
		cp->posture[k] = (struct compiled_rule){
			.policy_id = policy_id,
			.ref = SA_RULE_REF(policy_id, SA_POSTURE_INDEX(k)),
			.path = "",
			.line = p->posture.loc[k].line,
			.column = p->posture.loc[k].column,
		};
		c->has_posture = true;
	}
}

/* How many roots the paths of @p are resolved in: the host's, or its bound containers'. */
static size_t roots_of(const struct compile_ctx *x, const struct policy *p)
{
	size_t n = 0;

	if (!p->selector.containers)
		return 1;
	for (size_t i = 0; i < x->n_containers; i++)
		n += streq(x->containers[i].policy, p->name);
	return n;
}

/* The @n-th container bound to @p. */
static const struct compile_container *nth_container(const struct compile_ctx *x,
						     const struct policy *p, size_t n)
{
	for (size_t i = 0; i < x->n_containers; i++)
		if (streq(x->containers[i].policy, p->name) && n-- == 0)
			return &x->containers[i];
	return NULL;
}

int compile_policy_set(struct policy_set *set, const struct file_identity_source *ids,
		       const struct compile_container *containers, size_t n_containers,
		       struct diag_list *diags, struct compiled_set **ret_compiled)
{
	struct compile_ctx x = {
		.ids = ids,
		.diags = diags,
		.containers = containers,
		.n_containers = n_containers,
	};
	struct compiled_set *c _cleanup_(compiled_set_freep) = NULL;
	_cleanup_free_ struct raw_entry *raw = NULL;
	size_t n_rules = 0, n_paths = 0, n_raw = 0, n_before = diags->n;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		policy_set_free(set);
		return -ENOMEM;
	}
	c->source = set;
	x.c = c;

	for (size_t i = 0; i < set->n_policies; i++) {
		n_rules += policy_n_rules(set->policies[i]);
		for (size_t j = 0; j < set->policies[i]->n_file_rules; j++)
			n_paths += set->policies[i]->file_rules[j].n_paths *
				   roots_of(&x, set->policies[i]);
	}
	if (n_paths > COMPILED_MAX_FILE_ENTRIES)
		return diag_add(diags, set->policies[0]->file, 0, 0,
				"the policy set names %zu paths, at most %d are supported", n_paths,
				COMPILED_MAX_FILE_ENTRIES) < 0
			       ? -ENOMEM
			       : -EINVAL;

	c->policies = calloc(set->n_policies ? set->n_policies : 1, sizeof(*c->policies));
	c->rules = calloc(n_rules ? n_rules : 1, sizeof(*c->rules));
	raw = calloc(n_paths ? 2 * n_paths : 1, sizeof(*raw)); /* an inode and a name each */
	if (!c->policies || !c->rules || !raw)
		return -ENOMEM;

	for (size_t i = 0; i < set->n_policies; i++) {
		const struct policy *p = set->policies[i];
		uint32_t policy_id = c->n_policies++;

		c->policies[policy_id] = (struct compiled_policy){
			.name = p->name,
			.file = p->file,
			.n_rules = policy_n_rules(p),
			.first_rule = c->n_rules,
		};
		r = compile_selector(&x, p, &c->policies[policy_id]);
		if (r == -ENOMEM)
			return r;
		compile_posture(c, p, policy_id);
		for (size_t j = 0; j < p->n_file_rules; j++) {
			const struct file_rule_spec *rule = &p->file_rules[j];
			uint32_t ref = SA_RULE_REF(policy_id, (uint32_t)j);
			uint32_t access = rule->access ? rule->access : SA_ACCESS_ALL;

			c->rules[c->n_rules++] = (struct compiled_rule){
				.policy_id = policy_id,
				.ref = ref,
				.path = rule->n_paths ? rule->paths[0].path : "",
				.line = rule->loc.line,
				.column = rule->loc.column,
			};
			for (size_t k = 0; k < rule->n_paths * roots_of(&x, p); k++) {
				const struct policy_path *pp = &rule->paths[k % rule->n_paths];
				struct path_root root = host_root;
				const struct raw_entry base = {
					.selector = c->policies[policy_id].selector,
					.verdict = compile_verdict(p, rule->action, rule->has_mode,
								   rule->mode),
					.access = access,
					.ref = ref,
					.order = n_raw,
				};

				if (p->selector.containers) {
					const struct compile_container *ctr =
						nth_container(&x, p, k / rule->n_paths);

					root = (struct path_root){ ctr->root_fd, ctr->id };
					if (ctr->root_fd < 0) {
						r = not_enforced(&x, &root, policy_id, pp,
								 "not resolved: secagentd lost the "
								 "container's root when it stopped "
								 "(restart the container)");
						if (r < 0)
							return r;
						continue;
					}
				}
				r = compile_file_path(&x, &root, p, policy_id, rule, pp, base,
						      &raw[n_raw]);
				if (r == -ENOMEM)
					return r;
				if (r > 0)
					n_raw += r;
			}
		}
		/* Network and capability rules follow, in that order (compile-network.c). */
		for (size_t j = 0; j < p->n_net_rules + p->n_cap_rules; j++) {
			struct source_loc loc = j < p->n_net_rules
							? p->net_rules[j].head.loc
							: p->cap_rules[j - p->n_net_rules].head.loc;

			c->rules[c->n_rules++] = (struct compiled_rule){
				.policy_id = policy_id,
				.ref = SA_RULE_REF(policy_id, (uint32_t)(p->n_file_rules + j)),
				.path = "",
				.line = loc.line,
				.column = loc.column,
			};
		}
	}
	r = add_service_manager(&x);
	if (r < 0)
		return r;
	if (diags->n > n_before)
		return -EINVAL;

	r = merge_entries(c, raw, n_raw);
	if (r < 0)
		return r;
	r = compile_network(c, diags);
	if (r < 0)
		return r;
	*ret_compiled = TAKE_PTR(c);
	return 0;
}
