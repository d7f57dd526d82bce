// SPDX-License-Identifier: GPL-2.0-or-later
/* The doctor's pure parts and its file checks, against a fake root. The load probes need a
 * kernel that allows LSM programs: tests/vm/scenarios/60-doctor.sh. */

#include <stdarg.h>
#include <sys/stat.h>

#include <jansson.h>

#include "doctor.h"
#include "test.h"
#include "util.h"

/* The suggestion for @active; the previous one is freed (a test keeps one at a time). */
static const char *suggest(const char *active)
{
	static char *s;

	free(s);
	s = NULL;
	ASSERT_OK(doctor_lsm_suggest(active, &s));
	return s;
}

TEST(lsm_suggest_adds_bpf_and_drops_capability)
{
	ASSERT_STREQ(suggest("lockdown,capability,landlock,yama,apparmor"),
		     "lockdown,landlock,yama,apparmor,bpf");
	ASSERT_STREQ(suggest("capability,landlock,lockdown,yama,apparmor\n"),
		     "landlock,lockdown,yama,apparmor,bpf");
	ASSERT_STREQ(suggest("capability"), "bpf");
	ASSERT_STREQ(suggest(""), "bpf");
}

TEST(lsm_suggest_nothing_when_bpf_is_there)
{
	ASSERT_NULL(suggest("capability,landlock,bpf"));
	ASSERT_NULL(suggest("bpf"));
	/* a word containing "bpf" is not bpf */
	ASSERT_STREQ(suggest("notbpf,yama"), "notbpf,yama,bpf");
	ASSERT_ERROR(doctor_lsm_suggest(NULL, &(char *){ NULL }), EINVAL);
}

TEST(verdict)
{
	struct doctor_check c[3] = {
		{ .status = DOCTOR_OK, .impact = DOCTOR_REQUIRED },
		{ .status = DOCTOR_OK, .impact = DOCTOR_DEGRADES },
		{ .status = DOCTOR_WARN, .impact = DOCTOR_INFO },
	};

	ASSERT_EQ(doctor_verdict_from_checks(c, 3), DOCTOR_FULL);
	c[2].status = DOCTOR_FAIL;
	ASSERT_EQ(doctor_verdict_from_checks(c, 3), DOCTOR_FULL);
	c[1].status = DOCTOR_FAIL;
	ASSERT_EQ(doctor_verdict_from_checks(c, 3), DOCTOR_PARTIAL);
	c[0].status = DOCTOR_SKIPPED;
	ASSERT_EQ(doctor_verdict_from_checks(c, 3), DOCTOR_UNKNOWN);
	c[0].status = DOCTOR_FAIL;
	ASSERT_EQ(doctor_verdict_from_checks(c, 3), DOCTOR_NONE);
	ASSERT_EQ(DOCTOR_NONE, 4);
	ASSERT_EQ(DOCTOR_PARTIAL, 3);
}

static void write_file(const char *root, const char *path, const char *content)
{
	char p[4096], *slash;
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, path);
	for (slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		(void)mkdir(p, 0755);
		*slash = '/';
	}
	f = fopen(p, "we");
	ASSERT_NOT_NULL(f);
	fputs(content, f);
	fclose(f);
}

static char *fake_root(void)
{
	char *root = strdup("/tmp/secagent-test-doctor.XXXXXX");

	ASSERT_NOT_NULL(root);
	ASSERT_NOT_NULL(mkdtemp(root));
	write_file(root, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n");
	write_file(root, "/proc/sys/kernel/seccomp/actions_avail", "kill_process errno allow\n");
	write_file(root, "/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
	return root;
}

static void remove_root(char *root)
{
	char *cmd = NULL;

	ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", root) > 0);
	ASSERT_EQ(system(cmd), 0);
	free(cmd);
	free(root);
}

TEST(no_bpf_in_lsm_list_means_none_and_the_fix)
{
	char *root = fake_root();
	struct doctor_options o = { .root = root, .probe_bpf = false };
	struct doctor_report r;
	const struct doctor_check *c;

	write_file(root, "/sys/kernel/security/lsm", "lockdown,capability,landlock,yama,apparmor");
	write_file(root, "/etc/default/grub", "GRUB_CMDLINE_LINUX=\"\"\n");
	ASSERT_OK(doctor_run(&o, &r));
	c = &r.checks[DOCTOR_CHECK_LSM_ACTIVE];
	ASSERT_EQ(c->status, DOCTOR_FAIL);
	ASSERT_STREQ(r.lsm_suggested, "lockdown,landlock,yama,apparmor,bpf");
	ASSERT_NOT_NULL(c->fix);
	ASSERT_TRUE(strstr(c->fix, "lsm=lockdown,landlock,yama,apparmor,bpf"));
	ASSERT_TRUE(strstr(c->fix, "/etc/default/grub"));
	ASSERT_TRUE(strstr(c->fix, "update-grub"));
	ASSERT_EQ(r.checks[DOCTOR_CHECK_CGROUP_V2].status, DOCTOR_OK);
	ASSERT_STREQ(r.seccomp_actions, "kill_process errno allow");
	ASSERT_EQ(r.checks[DOCTOR_CHECK_LSM_PROGRAM].status, DOCTOR_SKIPPED);
	ASSERT_EQ(r.verdict, DOCTOR_NONE);
	doctor_report_done(&r);
	remove_root(root);
}

TEST(bpf_active_but_no_usable_btf_is_none)
{
	char *root = fake_root();
	struct doctor_options o = { .root = root, .probe_bpf = false };
	struct doctor_report r;

	write_file(root, "/sys/kernel/security/lsm", "capability,landlock,bpf");
	write_file(root, "/sys/kernel/btf/vmlinux", "not BTF");
	ASSERT_OK(doctor_run(&o, &r));
	ASSERT_EQ(r.checks[DOCTOR_CHECK_LSM_ACTIVE].status, DOCTOR_OK);
	ASSERT_NULL(r.lsm_suggested);
	ASSERT_EQ(r.checks[DOCTOR_CHECK_BTF].status, DOCTOR_FAIL);
	ASSERT_EQ(r.verdict, DOCTOR_NONE);
	doctor_report_done(&r);
	remove_root(root);
}

TEST(unreadable_lsm_list_falls_back_to_the_command_line)
{
	char *root = fake_root();
	struct doctor_options o = { .root = root, .probe_bpf = false };
	struct doctor_report r;
	const struct doctor_check *c;

	write_file(root, "/proc/cmdline",
		   "ro lsm=landlock,yama lsm=apparmor,capability -- lsm=x\n");
	ASSERT_OK(doctor_run(&o, &r));
	c = &r.checks[DOCTOR_CHECK_LSM_ACTIVE];
	ASSERT_EQ(c->status, DOCTOR_SKIPPED);
	ASSERT_STREQ(r.lsm_cmdline, "apparmor,capability");
	ASSERT_STREQ(r.lsm_suggested, "apparmor,bpf");
	ASSERT_TRUE(strstr(c->fix, "securityfs"));
	/* no BTF in the fake root: that alone rules enforcement out */
	ASSERT_EQ(r.checks[DOCTOR_CHECK_BTF].status, DOCTOR_FAIL);
	ASSERT_EQ(r.verdict, DOCTOR_NONE);
	doctor_report_done(&r);
	remove_root(root);
}

TEST(json_escapes)
{
	struct doctor_report r = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct doctor_hook_result hooks[8] = {};
	json_t *json, *active;

	ASSERT_NOT_NULL(f);
	r.hooks = hooks;
	r.lsm_active = (char *)"capability,yama";
	r.checks[DOCTOR_CHECK_BTF].summary = (char *)"a \"quoted\"\tline\n";
	r.verdict = DOCTOR_NONE;
	ASSERT_OK(doctor_print_json(&r, f));
	fclose(f);
	ASSERT_TRUE(strstr(buf, "\"summary\": \"a \\\"quoted\\\"\\tline\\n\""));
	ASSERT_TRUE(strstr(buf, "\"verdict\": \"none\""));
	ASSERT_TRUE(strstr(buf, "\"exit_code\": 4"));
	/* Read back: the same values. */
	json = json_loads(buf, 0, NULL);
	ASSERT_NOT_NULL(json);
	ASSERT_STREQ(json_string_value(
			     json_object_get(json_object_get(json_object_get(json, "checks"),
							     "btf"),
					     "summary")),
		     "a \"quoted\"\tline\n");
	active = json_object_get(json_object_get(json, "lsm"), "active");
	ASSERT_EQ(json_array_size(active), 2);
	ASSERT_STREQ(json_string_value(json_array_get(active, 0)), "capability");
	ASSERT_STREQ(json_string_value(json_array_get(active, 1)), "yama");
	ASSERT_TRUE(json_is_null(json_object_get(json, "seccomp_actions")));
	json_decref(json);
	free(buf);
}

TEST_MAIN()
