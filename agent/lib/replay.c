// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "compiled.h"
#include "file-identity.h"
#include "names.h"
#include "policy-network.h"
#include "posture.h"
#include "replay.h"
#include "util.h"

/* What the replay keeps of a policy: its rules' paths resolved as the compiler resolves them,
 * its binaries' identities, and the mode it is replayed in. */
struct replay_policy {
	const struct policy *p;
	char ***paths; /* [rule][path]: symlinks resolved (a trailing '/' kept) */
	struct {
		bool found;
		uint32_t dev; /* kernel encoding */
		uint64_t ino;
	} * binaries, *except;
	enum policy_mode mode;
};

struct replay_ctx {
	struct replay_policy
		*policies; /* policies without a selector first, as the hooks see them */
	size_t n;
};

const char *replay_verdict_name(enum replay_verdict v)
{
	static const char *const names[] = { "allow", "audit", "deny", "unknown" };

	return (size_t)v < ELEMENTSOF(names) ? names[v] : "?";
}

static char *resolve_path(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	bool tree = len > 1 && path[len - 1] == '/';
	char *ret;

	if (!realpath(path, buf))
		return strdup(path);
	if (tree && !streq(buf, "/")) {
		if (asprintf(&ret, "%s/", buf) < 0)
			return NULL;
		return ret;
	}
	return strdup(buf);
}

static void identify_binaries(const struct policy_path *paths, size_t n, void *ret_arr)
{
	struct {
		bool found;
		uint32_t dev;
		uint64_t ino;
	} *out = ret_arr;

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(paths[i].path, &st) == 0) {
			out[i].found = true;
			out[i].dev = kernel_dev_from_stat(st.st_dev);
			out[i].ino = st.st_ino;
		}
	}
}

void replay_ctx_free(struct replay_ctx *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++) {
		struct replay_policy *rp = &x->policies[i];

		for (size_t j = 0; rp->paths && j < rp->p->n_file_rules; j++) {
			for (size_t k = 0; rp->paths[j] && k < rp->p->file_rules[j].n_paths; k++)
				free(rp->paths[j][k]);
			free(rp->paths[j]);
		}
		free(rp->paths);
		free(rp->binaries);
		free(rp->except);
	}
	free(x->policies);
	free(x);
}

int replay_ctx_new(const struct policy_set *set, bool enforce, char *const *enforce_names,
		   size_t n_enforce_names, struct replay_ctx **ret)
{
	struct replay_ctx *x = calloc(1, sizeof(*x));

	if (!x || !(x->policies = calloc(set->n_policies + 1, sizeof(*x->policies)))) {
		free(x);
		return -ENOMEM;
	}
	for (int with_selector = 0; with_selector < 2; with_selector++)
		for (size_t i = 0; i < set->n_policies; i++) {
			const struct policy *p = set->policies[i];
			struct replay_policy *rp;
			bool named = !enforce_names;

			if (p->selector.present != with_selector)
				continue;
			rp = &x->policies[x->n++];
			rp->p = p;
			for (size_t k = 0; k < n_enforce_names; k++)
				named |= streq(enforce_names[k], p->name);
			rp->mode = enforce && named ? POLICY_MODE_ENFORCE : p->mode;
			rp->paths = calloc(p->n_file_rules + 1, sizeof(*rp->paths));
			rp->binaries = calloc(p->selector.n_binaries + 1, sizeof(*rp->binaries));
			rp->except = calloc(p->selector.n_except_binaries + 1, sizeof(*rp->except));
			if (!rp->paths || !rp->binaries || !rp->except)
				goto oom;
			for (size_t j = 0; j < p->n_file_rules; j++) {
				const struct file_rule_spec *r = &p->file_rules[j];

				rp->paths[j] = calloc(r->n_paths + 1, sizeof(char *));
				if (!rp->paths[j])
					goto oom;
				for (size_t k = 0; k < r->n_paths; k++)
					if (!(rp->paths[j][k] = resolve_path(r->paths[k].path)))
						goto oom;
			}
			identify_binaries(p->selector.binaries, p->selector.n_binaries,
					  rp->binaries);
			identify_binaries(p->selector.except_binaries,
					  p->selector.n_except_binaries, rp->except);
		}
	*ret = x;
	return 0;
oom:
	replay_ctx_free(x);
	return -ENOMEM;
}

static const char *str(json_t *ev, const char *key)
{
	const char *s = json_string_value(json_object_get(ev, key));

	return s ? s : "";
}

/* A number the schema types as a number (or, from an older log, a string). */
static bool num(json_t *ev, const char *key, unsigned long long *ret)
{
	json_t *v = json_object_get(ev, key);

	if (json_is_integer(v)) {
		*ret = (unsigned long long)json_integer_value(v);
		return true;
	}
	if (json_is_string(v) && json_string_value(v)[0]) {
		*ret = strtoull(json_string_value(v), NULL, 10);
		return true;
	}
	return false;
}

/* 1: @rp binds the process of @ev, 0: it does not, -1: the event cannot tell (@ret->why). */
static int binds(const struct replay_policy *rp, json_t *ev, struct replay_decision *ret)
{
	const struct policy_selector *s = &rp->p->selector;
	unsigned long long uid, exe_ino;
	const char *cgroup = str(ev, "cgroup"), *exe_dev = str(ev, "exe_device");
	uint32_t dev = 0;
	unsigned maj, min;
	bool ok;

	if (!s->present)
		return 1;
	if (s->containers)
		return streq(str(ev, "policy"), rp->p->name) ||
		       streq(str(ev, "policy"), "secagent-recording");
	if (s->n_cgroups) {
		if (!cgroup[0]) {
			snprintf(
				ret->why, sizeof(ret->why),
				"the event does not say its cgroup, which policy %s's selector names",
				rp->p->name);
			return -1;
		}
		ok = false;
		for (size_t i = 0; i < s->n_cgroups && !ok; i++) {
			const char *c = s->cgroups[i].path;
			size_t len = strlen(c);

			ok = strncmp(cgroup, c, len) == 0 &&
			     (cgroup[len] == '\0' || cgroup[len] == '/');
		}
		if (!ok)
			return 0;
	}
	if (s->n_binaries || s->n_except_binaries) {
		if (sscanf(exe_dev, "%u:%u", &maj, &min) != 2 || !num(ev, "exe_inode", &exe_ino)) {
			snprintf(ret->why, sizeof(ret->why),
				 "the event does not say its program, which policy %s's selector "
				 "names",
				 rp->p->name);
			return -1;
		}
		dev = maj << 20 | min;
		ok = !s->n_binaries;
		for (size_t i = 0; i < s->n_binaries; i++)
			ok |= rp->binaries[i].found && rp->binaries[i].dev == dev &&
			      rp->binaries[i].ino == exe_ino;
		for (size_t i = 0; i < s->n_except_binaries; i++)
			if (rp->except[i].found && rp->except[i].dev == dev &&
			    rp->except[i].ino == exe_ino)
				ok = false;
		if (!ok)
			return 0;
	}
	if (s->n_uids) {
		if (!num(ev, "uid", &uid)) {
			snprintf(ret->why, sizeof(ret->why), "the event does not say its uid");
			return -1;
		}
		ok = false;
		for (size_t i = 0; i < s->n_uids; i++)
			ok |= uid >= s->uids[i].lo && uid <= s->uids[i].hi;
		if (!ok)
			return 0;
	}
	return 1;
}

static enum replay_verdict verdict_of(const struct replay_policy *rp, enum rule_action action,
				      bool has_mode, enum policy_mode mode)
{
	struct policy as = { .mode = rp->mode };

	return (enum replay_verdict)compile_verdict(&as, action, has_mode, mode);
}

/* A better candidate than @ret's: a stronger verdict (strictly). */
static void consider(struct replay_decision *ret, bool *decided, enum replay_verdict v,
		     const struct policy *p, struct source_loc loc, int posture)
{
	if (*decided && v <= ret->verdict)
		return;
	*decided = true;
	ret->verdict = v;
	ret->policy = p;
	ret->loc = loc;
	ret->posture = posture;
}

/* Files and exec: the level whose rules are for @name (exact, or with @tree a directory's
 * subtree), by every binding policy. */
static bool file_level(struct replay_ctx *x, const bool *bound, const char *name, bool tree,
		       uint32_t access, struct replay_decision *ret)
{
	bool decided = false;

	for (size_t i = 0; i < x->n; i++) {
		const struct replay_policy *rp = &x->policies[i];

		if (!bound[i])
			continue;
		for (size_t j = 0; j < rp->p->n_file_rules; j++) {
			const struct file_rule_spec *r = &rp->p->file_rules[j];
			uint32_t a = r->access ? r->access : SA_ACCESS_ALL;

			if (!(a & access))
				continue;
			for (size_t k = 0; k < r->n_paths; k++) {
				const char *rule = rp->paths[j][k];
				size_t len = strlen(rule);
				bool rule_tree = len > 1 && rule[len - 1] == '/';

				if (rule_tree != tree || !streq(rule, name))
					continue;
				consider(ret, &decided,
					 verdict_of(rp, r->action, r->has_mode, r->mode), rp->p,
					 r->loc, -1);
			}
		}
	}
	return decided;
}

static bool decide_file(struct replay_ctx *x, const bool *bound, const char *path, uint32_t access,
			struct replay_decision *ret)
{
	_cleanup_free_ char *dir = strdup(path);

	if (!dir)
		return false;
	if (file_level(x, bound, path, false, access, ret))
		return true;
	/* Up the directories: "/a/b/c" asks "/a/b/", "/a/", then "/" (no subtree rule is "/"). */
	for (char *slash = strrchr(dir, '/'); slash && slash > dir; slash = strrchr(dir, '/')) {
		slash[1] = '\0';
		if (file_level(x, bound, dir, true, access, ret))
			return true;
		slash[0] = '\0';
	}
	return false;
}

/* Network and socket creation: the candidate of the highest score (more specific, then
 * stronger) decides; on a tie the first, as the hooks keep the first. */
static void take_higher_score(struct replay_decision *ret, long *best, long score,
			      enum replay_verdict v, const struct policy *p, struct source_loc loc)
{
	if (score <= *best)
		return;
	*best = score;
	ret->verdict = v;
	ret->policy = p;
	ret->loc = loc;
	ret->posture = -1;
}

static int proto_class(const char *protocol)
{
	if (streq(protocol, "tcp") || streq(protocol, "mptcp"))
		return SA_NET_TCP;
	if (streq(protocol, "udp") || streq(protocol, "udplite"))
		return SA_NET_UDP;
	return SA_NET_OTHER;
}

static int index_of(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(names[i], name))
			return (int)i;
	return -1;
}

/* The longest prefix of @r's addresses holding @addr (of @family), or -1. */
static int address_prefix(const struct net_rule_spec *r, int family, const uint8_t addr[16])
{
	int best = -1;

	if (!r->n_addrs)
		return 0;
	for (size_t i = 0; i < r->n_addrs; i++) {
		const struct net_cidr *c = &r->addrs[i];
		bool in = c->family == family;

		for (unsigned b = 0; in && b < c->prefix; b++)
			in = ((c->addr[b / 8] ^ addr[b / 8]) & (0x80 >> (b % 8))) == 0;
		if (in && c->prefix > best)
			best = c->prefix;
	}
	return best;
}

static bool decide_net(struct replay_ctx *x, const bool *bound, json_t *ev, const char *kind,
		       struct replay_decision *ret)
{
	int op = index_of(net_op_names, net_op_n_names, kind);
	int family = index_of(net_family_names, NET_ADDRESS_FAMILIES, str(ev, "family"));
	int proto = proto_class(str(ev, "protocol"));
	unsigned long long port = 0;
	uint8_t addr[16] = {};
	long best = -1;

	if (op < 0 || family < 0)
		return false;
	(void)num(ev, "port", &port);
	if (family == SA_NET_IPV4)
		inet_pton(AF_INET, str(ev, "address"), addr);
	else if (family == SA_NET_IPV6)
		inet_pton(AF_INET6, str(ev, "address"), addr);
	for (size_t i = 0; i < x->n; i++) {
		const struct replay_policy *rp = &x->policies[i];

		if (!bound[i])
			continue;
		for (size_t j = 0; j < rp->p->n_net_rules; j++) {
			const struct net_rule_spec *r = &rp->p->net_rules[j];
			bool fam_ok, port_ok = !r->n_ports;
			int prefix;
			long score;
			enum replay_verdict v;

			if (!(r->ops & (1u << op)))
				continue;
			fam_ok = r->has_families	 ? (r->families >> family) & 1
				 : family == SA_NET_UNIX ? false
							 : true;
			if (!fam_ok || (r->protocols && !((r->protocols >> proto) & 1)))
				continue;
			for (size_t k = 0; k < r->n_ports && family != SA_NET_UNIX; k++)
				port_ok |= port >= r->ports[k].lo && port <= r->ports[k].hi;
			prefix = family == SA_NET_UNIX ? 0 : address_prefix(r, family, addr);
			if (!port_ok || prefix < 0)
				continue;
			v = verdict_of(rp, r->head.action, r->head.has_mode, r->head.mode);
			score = (long)prefix << 4 | (r->n_ports ? 1 : 0) << 2 | (long)(v + 1);
			take_higher_score(ret, &best, score, v, rp->p, r->head.loc);
		}
	}
	return best >= 0;
}

static bool decide_create(struct replay_ctx *x, const bool *bound, json_t *ev,
			  struct replay_decision *ret)
{
	int family = index_of(net_family_names, net_n_families, str(ev, "family"));
	int type = index_of(net_type_names, net_n_types, str(ev, "socket_type"));
	unsigned long long protocol = 0;
	long best = -1;

	if (family < 0)
		return false;
	(void)num(ev, "protocol_nr", &protocol);
	for (size_t i = 0; i < x->n; i++) {
		const struct replay_policy *rp = &x->policies[i];

		if (!bound[i])
			continue;
		for (size_t j = 0; j < rp->p->n_net_rules; j++) {
			const struct net_rule_spec *r = &rp->p->net_rules[j];
			enum replay_verdict v;
			long score;

			if (!(r->ops & (1u << NET_OP_CREATE)) || !((r->families >> family) & 1))
				continue;
			if (r->types && (type < 0 || !((r->types >> type) & 1)))
				continue;
			if (r->netlink && (protocol >= 64 || !((r->netlink >> protocol) & 1)))
				continue;
			v = verdict_of(rp, r->head.action, r->head.has_mode, r->head.mode);
			score = (long)(!!r->types * 2 + !!r->netlink) << 2 | (long)(v + 1);
			take_higher_score(ret, &best, score, v, rp->p, r->head.loc);
		}
	}
	return best >= 0;
}

/* Capabilities and kernel operations: one key each, deny over audit over allow. */
static bool decide_cap(struct replay_ctx *x, const bool *bound, int cap, int op,
		       struct replay_decision *ret)
{
	bool decided = false;

	for (size_t i = 0; i < x->n; i++) {
		const struct replay_policy *rp = &x->policies[i];

		if (!bound[i])
			continue;
		for (size_t j = 0; j < rp->p->n_cap_rules; j++) {
			const struct cap_rule_spec *r = &rp->p->cap_rules[j];

			if ((cap >= 0 && (r->caps >> cap) & 1) ||
			    (op >= 0 && (r->kernel_ops >> op) & 1))
				consider(ret, &decided,
					 verdict_of(rp, r->head.action, r->head.has_mode,
						    r->head.mode),
					 rp->p, r->head.loc, -1);
		}
	}
	return decided;
}

static int cap_number(const char *name)
{
	for (unsigned c = 0; c <= SA_CAP_MAX; c++)
		if (capability_to_string(c) && streq(capability_to_string(c), name))
			return (int)c;
	return -1;
}

static int kernel_op_number(const char *name)
{
	for (unsigned op = 0; op < SA_KERNEL_OPS; op++)
		if (kernel_op_to_string(op) && streq(kernel_op_to_string(op), name))
			return (int)op;
	return -1;
}

void replay_decide(struct replay_ctx *x, json_t *ev, struct replay_decision *ret)
{
	_cleanup_free_ bool *bound = calloc(x->n + 1, sizeof(bool));
	const char *kind = str(ev, "kind");
	int posture = -1;
	bool decided = false;

	*ret = (struct replay_decision){ .verdict = REPLAY_ALLOW, .posture = -1 };
	if (!bound) {
		ret->verdict = REPLAY_UNKNOWN;
		snprintf(ret->why, sizeof(ret->why), "out of memory");
		return;
	}
	for (size_t i = 0; i < x->n; i++) {
		int b = binds(&x->policies[i], ev, ret);

		if (b < 0) {
			ret->verdict = REPLAY_UNKNOWN;
			return;
		}
		bound[i] = b;
	}

	if (strncmp(kind, "file_", 5) == 0) {
		const char *path = str(ev, "path");
		uint32_t access = 0;

		if (json_is_true(json_object_get(ev, "path_relative")) || path[0] != '/' ||
		    json_is_true(json_object_get(ev, "path_truncated"))) {
			ret->verdict = REPLAY_UNKNOWN;
			snprintf(ret->why, sizeof(ret->why),
				 "the path is %s: no rule path can be compared with it",
				 json_is_true(json_object_get(ev, "path_truncated"))
					 ? "cut short"
					 : "within its file system, whose mount is unknown");
			return;
		}
		for (unsigned b = 0; b < SA_ACCESS_BITS; b++) {
			const char *name = access_bit_to_string(b);
			const char *list = str(ev, "access");

			for (const char *p = list; (p = strstr(p, name)); p += strlen(name))
				if ((p == list || p[-1] == ',') &&
				    (p[strlen(name)] == ',' || !p[strlen(name)]))
					access |= 1u << b;
		}
		posture = access == SA_ACCESS_EXEC ? SA_POSTURE_EXEC : SA_POSTURE_FILES;
		decided = decide_file(x, bound, path, access, ret);
	} else if (streq(kind, "socket_create")) {
		posture = SA_POSTURE_NETWORK;
		decided = decide_create(x, bound, ev, ret);
	} else if (index_of(net_op_names, net_op_n_names, kind) >= 0) {
		posture = SA_POSTURE_NETWORK;
		decided = decide_net(x, bound, ev, kind, ret);
	} else if (streq(kind, "capability")) {
		posture = SA_POSTURE_CAPABILITIES;
		decided = decide_cap(x, bound, cap_number(str(ev, "capability")), -1, ret);
	} else if (streq(kind, "kernel")) {
		posture = SA_POSTURE_KERNEL;
		decided = decide_cap(x, bound, -1, kernel_op_number(str(ev, "operation")), ret);
	} else {
		ret->verdict = REPLAY_UNKNOWN;
		snprintf(ret->why, sizeof(ret->why),
			 "events of kind '%s' are not decided by policies", kind);
		return;
	}
	if (decided)
		return;
	/* No rule decided: the postures of the binding policies. */
	for (size_t i = 0; i < x->n; i++) {
		const struct replay_policy *rp = &x->policies[i];
		enum rule_action a;

		if (!bound[i])
			continue;
		a = policy_posture_action(&rp->p->posture, posture);
		if (a != RULE_ACTION_ALLOW)
			consider(ret, &decided, verdict_of(rp, a, false, rp->mode), rp->p,
				 rp->p->posture.loc[posture], posture);
	}
	if (!decided)
		*ret = (struct replay_decision){ .verdict = REPLAY_ALLOW, .posture = -1 };
}

char *mountinfo_place(FILE *mountinfo, const char *device, const char *path)
{
	char *line = NULL, *ret = NULL;
	size_t size = 0;

	rewind(mountinfo);
	while (!ret && getline(&line, &size, mountinfo) > 0) {
		char dev[32], root[PATH_MAX], point[PATH_MAX];
		size_t rlen;

		if (sscanf(line, "%*s %*s %31s %4095s %4095s", dev, root, point) != 3 ||
		    !streq(dev, device))
			continue;
		rlen = streq(root, "/") ? 0 : strlen(root);
		if (rlen && (strncmp(path, root, rlen) != 0 || (path[rlen] && path[rlen] != '/')))
			continue;
		if (asprintf(&ret, "%s%s", streq(point, "/") ? "" : point, path + rlen) < 0)
			ret = NULL;
		if (ret && !ret[0]) {
			free(ret);
			ret = strdup("/");
		}
	}
	free(line);
	return ret;
}
