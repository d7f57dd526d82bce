// SPDX-License-Identifier: GPL-2.0-or-later
/* The generaliser of profile record: what it makes of recorded events, and that what it writes
 * is a policy the parser takes. */

#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "posture.h"
#include "profile-gen.h"
#include "test.h"
#include "util.h"

/* A file system where /proc is proc, /tmp/gone is gone, and everything else is there. */
static bool fake_dir_exists(void *userdata, const char *path)
{
	return strncmp(path, "/tmp/gone", 9) != 0;
}

static int fake_whole_fs(void *userdata, const char *path, char *ret_root, size_t root_size,
			 char *ret_type, size_t type_size)
{
	if (strncmp(path, "/proc/", 6) != 0)
		return 0;
	snprintf(ret_root, root_size, "/proc/");
	snprintf(ret_type, type_size, "proc");
	return 1;
}

static const struct profile_fs fake_fs = { fake_dir_exists, fake_whole_fs, 32768, 60999, NULL };

static json_t *file_event(const char *kind, const char *path, const char *access)
{
	return json_pack("{s:s, s:s, s:s, s:b}", "kind", kind, "path", path, "access", access,
			 "path_relative", 0);
}

static char *generate(const struct profile_target *t, json_t **events, size_t n,
		      const char *const *syscalls, size_t n_syscalls, struct profile_stats *stats)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT_NOT_NULL(f);
	ASSERT_OK(profile_generate(t, events, n, syscalls, n_syscalls, &fake_fs, f, stats));
	ASSERT_EQ(fclose(f), 0);
	for (size_t i = 0; i < n; i++)
		json_decref(events[i]);
	return text;
}

static struct policy *parse(const char *text)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	int r = policy_parse_buffer("gen.yaml", text, strlen(text), &diags, &p);

	if (r < 0) {
		fprintf(stderr, "%s\n", text);
		diag_print(&diags, stderr);
	}
	ASSERT_OK(r);
	return p;
}

static const struct profile_target unit = {
	.kind = PROFILE_TARGET_UNIT,
	.policy_name = "web",
	.description = "unit web.service",
	.cgroup = "/system.slice/web.service",
	.seconds = 60,
};

TEST(files_generalised_with_reasons)
{
	json_t *ev[40];
	size_t n = 0;
	struct profile_stats stats;
	_cleanup_free_ char *text = NULL;
	struct policy *p;
	char path[64];

	/* Ten libraries mapped in one directory: the directory. */
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/lib%d.so", i);
		ev[n++] = file_event("file_mmap", path, "mmap");
	}
	ev[n++] = file_event("file_open", "/usr/lib/x86_64-linux-gnu/lib0.so", "read");
	/* One config file read twice: the file. */
	ev[n++] = file_event("file_open", "/etc/web.conf", "read");
	ev[n++] = file_event("file_open", "/etc/web.conf", "read");
	/* Files made and removed in a spool directory: the directory with those kinds. */
	ev[n++] = file_event("file_create", "/var/spool/web/a", "create");
	ev[n++] = file_event("file_open", "/var/spool/web/a", "write");
	ev[n++] = file_event("file_unlink", "/var/spool/web/a", "unlink");
	ev[n++] = file_event("file_create", "/var/spool/web/b", "create");
	/* Two files in the root's directories: never a subtree of a top-level directory. */
	ev[n++] = file_event("file_open", "/etc/a", "read");
	ev[n++] = file_event("file_open", "/etc/b", "read");
	/* proc: the whole file system. */
	ev[n++] = file_event("file_open", "/proc/1234/status", "read");
	ev[n++] = file_event("file_open", "/proc/self/maps", "read");
	/* A directory gone by the end: its nearest ancestor that is there. */
	ev[n++] = file_event("file_create", "/tmp/gone123/x", "create");
	ev[n++] = file_event("file_exec", "/usr/bin/cat", "exec");
	ev[n++] = json_pack("{s:s, s:s, s:b}", "kind", "file_create", "path", "/x", "path_relative",
			    1);
	text = generate(&unit, ev, n, NULL, 0, &stats);

	ASSERT_TRUE(strstr(text, "\"/usr/lib/x86_64-linux-gnu/\"  # many files touched here") !=
		    NULL);
	ASSERT_TRUE(strstr(text, "10 files (lib0.so, lib1.so") != NULL);
	ASSERT_TRUE(strstr(text, "lib3.so\"") == NULL); /* covered by the directory */
	ASSERT_TRUE(strstr(text, "\"/etc/web.conf\"  # seen 2 times") != NULL);
	ASSERT_TRUE(strstr(text, "\"/var/spool/web/\"  # files made, removed or renamed here") !=
		    NULL);
	ASSERT_TRUE(strstr(text, "\"/etc/\"") == NULL);
	ASSERT_TRUE(strstr(text, "\"/etc/a\"") != NULL);
	ASSERT_TRUE(strstr(text, "\"/proc/\"  # its inode numbers name no file for long") != NULL);
	ASSERT_TRUE(strstr(text, "\"/tmp/\"  # made and removed below here") != NULL);
	ASSERT_TRUE(strstr(text, "# NOT COVERED (no rule could name it): file_create of /x") !=
		    NULL);
	ASSERT_EQ(stats.unplaced, 1);

	p = parse(text);
	ASSERT_STREQ(p->name, "web");
	ASSERT_EQ(p->mode, POLICY_MODE_AUDIT);
	ASSERT_EQ(p->selector.n_cgroups, 1);
	ASSERT_STREQ(p->selector.cgroups[0].path, "/system.slice/web.service");
	for (int k = 0; k < SA_POSTURE_KINDS; k++)
		ASSERT_EQ(policy_posture_action(&p->posture, k), RULE_ACTION_DENY);
	/* The spool directory's rule has exactly the kinds seen there. */
	for (size_t i = 0; i < p->n_file_rules; i++)
		for (size_t j = 0; j < p->file_rules[i].n_paths; j++)
			if (streq(p->file_rules[i].paths[j].path, "/var/spool/web/"))
				ASSERT_EQ(p->file_rules[i].access,
					  SA_ACCESS_CREATE | SA_ACCESS_WRITE | SA_ACCESS_UNLINK);
	/* exec: a rule of its own, access exec. */
	ASSERT_EQ(p->file_rules[p->n_file_rules - 1].access, SA_ACCESS_EXEC);
	ASSERT_STREQ(p->file_rules[p->n_file_rules - 1].paths[0].path, "/usr/bin/cat");
	policy_free(p);
}

TEST(network_capabilities_kernel_syscalls)
{
	json_t *ev[8];
	size_t n = 0;
	const char *syscalls[] = { "read", "write", "rt_sigaction" };
	_cleanup_free_ char *text = NULL;
	struct profile_stats stats;
	struct policy *p;

	ev[n++] = json_pack("{s:s, s:s, s:s, s:i, s:s}", "kind", "connect", "family", "ipv4",
			    "address", "10.0.0.5", "port", 5432, "protocol", "tcp");
	ev[n++] = json_pack("{s:s, s:s, s:s, s:i, s:s}", "kind", "bind", "family", "ipv4",
			    "address", "0.0.0.0", "port", 8080, "protocol", "tcp");
	/* A listen on a port the kernel picked: the ephemeral range, not that port. */
	ev[n++] = json_pack("{s:s, s:s, s:s, s:i, s:s}", "kind", "listen", "family", "ipv6",
			    "address", "::", "port", 40001, "protocol", "tcp");
	ev[n++] = json_pack("{s:s, s:s}", "kind", "connect", "family", "unix");
	ev[n++] = json_pack("{s:s, s:s, s:s}", "kind", "socket_create", "family", "ipv4",
			    "socket_type", "stream");
	ev[n++] =
		json_pack("{s:s, s:s}", "kind", "capability", "capability", "CAP_NET_BIND_SERVICE");
	ev[n++] = json_pack("{s:s, s:s}", "kind", "kernel", "operation", "mount");
	text = generate(&unit, ev, n, syscalls, ELEMENTSOF(syscalls), &stats);

	ASSERT_TRUE(strstr(text, "addresses: [\"10.0.0.5\"]\n      ports: [\"5432\"]\n"
				 "      protocols: [tcp]") != NULL);
	ASSERT_TRUE(strstr(text, "ports: [\"32768-60999\"]") != NULL);
	ASSERT_TRUE(strstr(text, "40001") == NULL);
	ASSERT_TRUE(strstr(text, "families: [unix]") != NULL);
	ASSERT_TRUE(strstr(text, "- CAP_NET_BIND_SERVICE  # seen 1 time") != NULL);
	ASSERT_TRUE(strstr(text, "- mount  # seen 1 time") != NULL);
	ASSERT_TRUE(strstr(text, "          - rt_sigaction\n") != NULL);
	/* What the kernel's own paths call is there, and says why. */
	ASSERT_TRUE(strstr(text, "- rt_sigreturn  # not seen: ") != NULL);
	ASSERT_EQ(stats.unplaced, 0);
	ASSERT_EQ(stats.syscalls, 3);
	p = parse(text);
	ASSERT_EQ(p->n_net_rules, 5);
	ASSERT_EQ(p->n_cap_rules, 2); /* capabilities and kernel */
	ASSERT_NOT_NULL(p->syscalls);
	policy_free(p);
}

TEST(container_and_command_selectors)
{
	struct profile_target t = unit;
	json_t *ev[1];
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct policy *p;

	t.kind = PROFILE_TARGET_CONTAINER;
	ev[0] = file_event("file_open", "/etc/os-release", "read");
	a = generate(&t, ev, 1, NULL, 0, NULL);
	p = parse(a);
	ASSERT_TRUE(p->selector.containers);
	policy_free(p);

	t.kind = PROFILE_TARGET_COMMAND;
	t.binary = "/usr/local/bin/tool";
	ev[0] = file_event("file_open", "/etc/os-release", "read");
	b = generate(&t, ev, 1, NULL, 0, NULL);
	p = parse(b);
	ASSERT_EQ(p->selector.n_binaries, 1);
	ASSERT_STREQ(p->selector.binaries[0].path, "/usr/local/bin/tool");
	policy_free(p);
}

TEST_MAIN()
