// SPDX-License-Identifier: GPL-2.0-or-later
/* policy test's replay: the hooks' precedence over paths and names. */

#include <stdlib.h>
#include <string.h>

#include "policy-set.h"
#include "policy.h"
#include "replay.h"
#include "test.h"
#include "util.h"

#define HEAD(name) "apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: " name "}\nspec:\n"

/* The set of the given texts, parsed (paths need not exist: the replay compares names). */
static struct policy_set *set_of(const char *const *texts, size_t n)
{
	struct policy_set *s = calloc(1, sizeof(*s));
	struct diag_list diags = {};

	ASSERT_NOT_NULL(s);
	for (size_t i = 0; i < n; i++) {
		struct policy *p = NULL;
		char file[16];

		snprintf(file, sizeof(file), "%c.yaml", (char)('a' + i));
		if (policy_parse_buffer(file, texts[i], strlen(texts[i]), &diags, &p) < 0)
			diag_print(&diags, stderr);
		ASSERT_NOT_NULL(p);
		ASSERT_OK(policy_set_append(s, p, &diags));
	}
	return s;
}

static json_t *file_ev(const char *kind, const char *path, const char *access, const char *cg)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "kind", kind, "path", path,
			 "access", access, "cgroup", cg, "uid", 0, "action", "deny", "policy", "x");
}

static struct replay_decision decide(struct replay_ctx *x, json_t *ev)
{
	struct replay_decision d;

	replay_decide(x, ev, &d);
	json_decref(ev);
	return d;
}

static const char *const texts[] = {
	HEAD("host") "  files:\n"
		     "    - {paths: [/srv/web/secret], action: deny}\n"
		     "    - {paths: [/srv/open/], action: deny}\n"
		     "    - {paths: [/srv/open/ok], access: [read], action: allow}\n",
	HEAD("web") "  selector: {cgroups: [/system.slice/web.service]}\n"
		    "  posture: deny\n"
		    "  files:\n"
		    "    - {paths: [/srv/web/], access: [read], action: allow}\n"
		    "    - {paths: [/srv/web/logs/], access: [write, create], action: allow}\n"
		    "  exec:\n"
		    "    - {paths: [/usr/bin/cat], action: allow}\n"
		    "  network:\n"
		    "    - {operations: [connect], addresses: [10.0.0.0/8], action: allow}\n"
		    "    - {operations: [connect], addresses: [10.1.0.0/16], ports: [22], "
		    "action: deny}\n"
		    "    - {operations: [create], families: [ipv4], action: allow}\n"
		    "  capabilities:\n"
		    "    - {names: [CAP_NET_BIND_SERVICE], action: allow}\n",
};

#define WEB "/system.slice/web.service"

TEST(files_exec_and_postures)
{
	struct policy_set *s = set_of(texts, ELEMENTSOF(texts));
	struct replay_ctx *x = NULL;
	struct replay_decision d;

	ASSERT_OK(replay_ctx_new(s, false, NULL, 0, &x));
	/* A subtree rule of the service allows. */
	d = decide(x, file_ev("file_open", "/srv/web/index.html", "read", WEB));
	ASSERT_EQ(d.verdict, REPLAY_ALLOW);
	ASSERT_STREQ(d.policy->name, "web");
	ASSERT_EQ(d.loc.line, 8);
	/* Not the access it allows: no rule at any level, so the posture. */
	d = decide(x, file_ev("file_open", "/srv/web/index.html", "write", WEB));
	ASSERT_EQ(d.verdict, REPLAY_DENY);
	ASSERT_EQ(d.posture, SA_POSTURE_FILES);
	ASSERT_EQ(d.loc.line, 6);
	ASSERT_EQ(d.loc.column, 12);
	/* A deeper subtree decides before a shallower one. */
	d = decide(x, file_ev("file_create", "/srv/web/logs/a.log", "create", WEB));
	ASSERT_EQ(d.verdict, REPLAY_ALLOW);
	ASSERT_EQ(d.loc.line, 9);
	/* A host-wide exact deny, inside what the service may read: the rule, not the posture. */
	d = decide(x, file_ev("file_open", "/srv/web/secret", "read", WEB));
	ASSERT_EQ(d.verdict, REPLAY_DENY);
	ASSERT_STREQ(d.policy->name, "host");
	ASSERT_EQ(d.posture, -1);
	/* A host-wide allow the posture would deny: allowed. */
	d = decide(x, file_ev("file_open", "/srv/open/ok", "read", WEB));
	ASSERT_EQ(d.verdict, REPLAY_ALLOW);
	ASSERT_STREQ(d.policy->name, "host");
	/* Outside the selector the posture does not bind. */
	d = decide(x, file_ev("file_open", "/etc/passwd", "read", "/system.slice/other.service"));
	ASSERT_EQ(d.verdict, REPLAY_ALLOW);
	ASSERT_NULL(d.policy);
	/* Below the selector's cgroup it does. */
	d = decide(x, file_ev("file_open", "/etc/passwd", "read", WEB "/child"));
	ASSERT_EQ(d.verdict, REPLAY_DENY);
	/* exec: its own posture kind. */
	d = decide(x, file_ev("file_exec", "/usr/bin/cat", "exec", WEB));
	ASSERT_EQ(d.verdict, REPLAY_ALLOW);
	d = decide(x, file_ev("file_exec", "/usr/bin/id", "exec", WEB));
	ASSERT_EQ(d.verdict, REPLAY_DENY);
	ASSERT_EQ(d.posture, SA_POSTURE_EXEC);
	/* An event that does not say its cgroup cannot be decided for a cgroup selector. */
	d = decide(x, json_pack("{s:s, s:s, s:s}", "kind", "file_open", "path", "/x", "access",
				"read"));
	ASSERT_EQ(d.verdict, REPLAY_UNKNOWN);
	ASSERT_TRUE(strstr(d.why, "cgroup") != NULL);
	/* Nor a path within its file system. */
	d = decide(x, json_pack("{s:s, s:s, s:s, s:s, s:b}", "kind", "file_create", "path", "/x",
				"access", "create", "cgroup", WEB, "path_relative", 1));
	ASSERT_EQ(d.verdict, REPLAY_UNKNOWN);
	replay_ctx_free(x);
	policy_set_free(s);
}

TEST(network_capabilities)
{
	struct policy_set *s = set_of(texts, ELEMENTSOF(texts));
	struct replay_ctx *x = NULL;
	struct replay_decision d;

	ASSERT_OK(replay_ctx_new(s, false, NULL, 0, &x));
#define NET(addr, port)                                                                            \
	json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "kind", "connect", "family", "ipv4",           \
		  "address", addr, "port", port, "protocol", "tcp", "cgroup", WEB)
	ASSERT_EQ(decide(x, NET("10.2.3.4", 22)).verdict, REPLAY_ALLOW);
	/* The longer prefix decides, at which the port-specific rule denies. */
	d = decide(x, NET("10.1.2.3", 22));
	ASSERT_EQ(d.verdict, REPLAY_DENY);
	ASSERT_EQ(d.posture, -1);
	ASSERT_EQ(decide(x, NET("10.1.2.3", 80)).verdict, REPLAY_ALLOW);
	d = decide(x, NET("192.0.2.1", 80));
	ASSERT_EQ(d.verdict, REPLAY_DENY);
	ASSERT_EQ(d.posture, SA_POSTURE_NETWORK);
	ASSERT_EQ(decide(x, json_pack("{s:s, s:s, s:s, s:s}", "kind", "socket_create", "family",
				      "ipv4", "socket_type", "dgram", "cgroup", WEB))
			  .verdict,
		  REPLAY_ALLOW);
	ASSERT_EQ(decide(x, json_pack("{s:s, s:s, s:s, s:s}", "kind", "socket_create", "family",
				      "unix", "socket_type", "stream", "cgroup", WEB))
			  .verdict,
		  REPLAY_DENY);
	ASSERT_EQ(decide(x, json_pack("{s:s, s:s, s:s}", "kind", "capability", "capability",
				      "CAP_NET_BIND_SERVICE", "cgroup", WEB))
			  .verdict,
		  REPLAY_ALLOW);
	d = decide(x, json_pack("{s:s, s:s, s:s}", "kind", "capability", "capability",
				"CAP_SYS_ADMIN", "cgroup", WEB));
	ASSERT_EQ(d.verdict, REPLAY_DENY);
	ASSERT_EQ(d.posture, SA_POSTURE_CAPABILITIES);
	d = decide(x, json_pack("{s:s, s:s, s:s}", "kind", "kernel", "operation", "mount", "cgroup",
				WEB));
	ASSERT_EQ(d.posture, SA_POSTURE_KERNEL);
	replay_ctx_free(x);
	policy_set_free(s);
}

TEST(modes)
{
	const char *t[] = { HEAD("learn") "  mode: audit\n  selector: {uids: [1000]}\n"
					  "  posture: deny\n" };
	struct policy_set *s = set_of(t, 1);
	struct replay_ctx *x = NULL;
	char *names[] = { "learn" };
	json_t *ev = json_pack("{s:s, s:s, s:s, s:i}", "kind", "file_open", "path", "/etc/x",
			       "access", "read", "uid", 1000);

	ASSERT_OK(replay_ctx_new(s, false, NULL, 0, &x));
	json_incref(ev);
	ASSERT_EQ(decide(x, ev).verdict, REPLAY_AUDIT);
	replay_ctx_free(x);
	/* As it would enforce. */
	ASSERT_OK(replay_ctx_new(s, true, names, 1, &x));
	ASSERT_EQ(decide(x, ev).verdict, REPLAY_DENY);
	replay_ctx_free(x);
	policy_set_free(s);
}

TEST(mountinfo_place)
{
	const char *mi = "22 1 0:21 / /run rw - tmpfs tmpfs rw\n"
			 "23 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
			 "24 1 8:1 /srv/data /data rw - ext4 /dev/sda1 rw\n";
	FILE *f = fmemopen((void *)mi, strlen(mi), "r");
	char *p;

	ASSERT_NOT_NULL(f);
	p = mountinfo_place(f, "0:21", "/lock/x");
	ASSERT_STREQ(p, "/run/lock/x");
	free(p);
	p = mountinfo_place(f, "8:1", "/etc/passwd");
	ASSERT_STREQ(p, "/etc/passwd");
	free(p);
	ASSERT_NULL(mountinfo_place(f, "0:99", "/x"));
	fclose(f);
}

TEST_MAIN()
