/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's reading of seccomp audit records and its attribution through a fake /proc. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp-audit.h"
#include "test.h"
#include "util.h"

TEST(record_parse)
{
	static const char text[] =
		"audit(1795580882.105:7): auid=4294967295 uid=1000 gid=1000 ses=4294967295 "
		"subj=unconfined pid=20356 comm=\"python3\" exe=\"/usr/bin/python3.11\" sig=0 "
		"arch=c000003e syscall=101 compat=0 ip=0x7f6578d1d34a code=0x50001";
	struct seccomp_record rec;

	ASSERT_OK(seccomp_record_parse(text, sizeof(text) - 1, &rec));
	ASSERT_EQ(rec.pid, 20356);
	ASSERT_EQ(rec.uid, 1000);
	ASSERT_EQ(rec.gid, 1000);
	ASSERT_EQ(rec.arch, AUDIT_ARCH_X86_64);
	ASSERT_EQ(rec.syscall, 101);
	ASSERT_EQ(rec.code, SECCOMP_RET_ERRNO | 1);
	ASSERT_STREQ(rec.comm, "python3");
	ASSERT_STREQ(rec.exe, "/usr/bin/python3.11");
	ASSERT_STREQ(seccomp_record_action(&rec), "deny");
}

TEST(record_parse_hex_and_kill)
{
	/* A comm with a space is hex-encoded; "auid=" must not be taken for "uid=". */
	static const char text[] = "audit(1.2:3): auid=5 uid=0 gid=0 pid=7 comm=6120622063 "
				   "exe=(null) sig=31 arch=40000003 syscall=20 compat=1 "
				   "code=0x80000000";
	struct seccomp_record rec;

	ASSERT_OK(seccomp_record_parse(text, sizeof(text) - 1, &rec));
	ASSERT_EQ(rec.uid, 0);
	ASSERT_STREQ(rec.comm, "a b c");
	ASSERT_STREQ(rec.exe, "");
	ASSERT_EQ(rec.sig, 31);
	ASSERT_EQ(rec.arch, AUDIT_ARCH_I386);
	ASSERT_STREQ(seccomp_record_action(&rec), "kill");
}

TEST(record_parse_bad)
{
	static const char no_pid[] = "audit(1.2:3): uid=0 syscall=1 code=0x7ffc0000";
	static const char bad_code[] = "audit(1.2:3): pid=1 syscall=1 code=zz";
	struct seccomp_record rec;

	ASSERT_ERROR(seccomp_record_parse(no_pid, sizeof(no_pid) - 1, &rec), EBADMSG);
	ASSERT_ERROR(seccomp_record_parse(bad_code, sizeof(bad_code) - 1, &rec), EBADMSG);
}

/* ---- a fake /proc: PID/stat with the fields the registry reads ---- */

static char proc_root[] = "/tmp/test-seccomp-proc-XXXXXX";

static void fake_proc(int pid, int ppid, unsigned long long start, const char *comm)
{
	char dir[256], path[300];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%d", proc_root, pid);
	(void)mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/stat", dir);
	f = fopen(path, "we");
	ASSERT_NOT_NULL(f);
	/* Fields 3..21, then 22: the start time. */
	fprintf(f, "%d (%s) S %d 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0 0\n", pid, comm,
		ppid, start);
	fclose(f);
}

static void gone(int pid)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, pid);
	ASSERT_EQ(unlink(path), 0);
}

TEST(proc_stat)
{
	pid_t ppid;
	uint64_t start;

	ASSERT_NOT_NULL(mkdtemp(proc_root));
	fake_proc(10, 1, 555, "odd) name (x");
	ASSERT_OK(proc_stat_read(proc_root, 10, &ppid, &start));
	ASSERT_EQ(ppid, 1);
	ASSERT_EQ(start, 555);
	ASSERT_ERROR(proc_stat_read(proc_root, 11, &ppid, &start), ESRCH);
	/* And this process, in the real /proc. */
	ASSERT_OK(proc_stat_read("/proc", getpid(), &ppid, &start));
	ASSERT_EQ(ppid, getppid());
}

TEST(attribution)
{
	struct seccomp_registry *reg = NULL;
	const char *policy = NULL, *why = NULL;
	pid_t via = 0;

	/* 1 <- 100 (registered, "web") <- 200 <- 300; 400 is a reparented orphan under 1. */
	fake_proc(1, 0, 1, "systemd");
	fake_proc(100, 1, 1000, "secagentctl");
	fake_proc(200, 100, 2000, "sh");
	fake_proc(300, 200, 3000, "worker");
	fake_proc(400, 1, 4000, "orphan");
	ASSERT_OK(seccomp_registry_new(proc_root, &reg));
	ASSERT_OK(seccomp_registry_add(reg, 100, "web"));
	ASSERT_ERROR(seccomp_registry_add(reg, 999, "web"), ESRCH);
	ASSERT_EQ(seccomp_registry_size(reg), 1);

	ASSERT_EQ(seccomp_registry_attribute(reg, 300, &policy, &via, &why), 1);
	ASSERT_STREQ(policy, "web");
	ASSERT_EQ(via, 100);
	ASSERT_EQ(seccomp_registry_attribute(reg, 100, &policy, &via, &why), 1);
	ASSERT_EQ(seccomp_registry_attribute(reg, 400, &policy, &via, &why), 0);
	ASSERT_TRUE(strstr(why, "reparented") != NULL);

	/* The registered process itself, killed before its record was read: still found. */
	gone(100);
	ASSERT_EQ(seccomp_registry_attribute(reg, 100, &policy, &via, &why), 1);
	/* Its child, whose parent is gone: not. */
	ASSERT_EQ(seccomp_registry_attribute(reg, 200, &policy, &via, &why), 0);
	ASSERT_TRUE(strstr(why, "ancestor exited") != NULL);
	/* A killed child: not. */
	gone(300);
	ASSERT_EQ(seccomp_registry_attribute(reg, 300, &policy, &via, &why), 0);
	ASSERT_TRUE(strstr(why, "process exited") != NULL);

	/* pid 100 reused by another process (another start time): not the registered one. */
	fake_proc(100, 1, 9999, "other");
	fake_proc(300, 100, 3001, "worker");
	ASSERT_EQ(seccomp_registry_attribute(reg, 300, &policy, &via, &why), 0);
	/* ... until it registers itself, which replaces the stale entry. */
	ASSERT_OK(seccomp_registry_add(reg, 100, "db"));
	ASSERT_EQ(seccomp_registry_size(reg), 1);
	ASSERT_EQ(seccomp_registry_attribute(reg, 300, &policy, &via, &why), 1);
	ASSERT_STREQ(policy, "db");
	seccomp_registry_free(reg);
}

TEST(registry_full_prunes_the_dead)
{
	struct seccomp_registry *reg = NULL;

	ASSERT_OK(seccomp_registry_new(proc_root, &reg));
	for (int pid = 1000; pid < 1000 + SECCOMP_REGISTRY_MAX; pid++) {
		fake_proc(pid, 1, pid, "x");
		ASSERT_OK(seccomp_registry_add(reg, pid, "p"));
	}
	fake_proc(99999, 1, 1, "new");
	ASSERT_ERROR(seccomp_registry_add(reg, 99999, "p"), ENOSPC);
	gone(1000);
	ASSERT_OK(seccomp_registry_add(reg, 99999, "p"));
	ASSERT_EQ(seccomp_registry_size(reg), SECCOMP_REGISTRY_MAX);
	seccomp_registry_free(reg);

	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc_root);
		ASSERT_EQ(system(cmd), 0);
	}
}

TEST_MAIN()
