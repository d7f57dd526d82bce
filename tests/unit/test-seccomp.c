/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `syscalls:` section: parsing with its every error, the OCI profile, and the filter itself,
 * applied in forked children on this host's kernel (seccomp needs no privilege with
 * no_new_privs, which the filter sets).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "diag.h"
#include "policy-syscalls.h"
#include "policy.h"
#include "seccomp-args.h"
#include "seccomp-filter.h"
#include "test.h"
#include "util.h"

/* Six lines; what follows starts on line 7, under syscalls: (4 spaces). */
#define HEAD "apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: test\nspec:\n  syscalls:\n"

static struct policy *parse_ok(const char *yaml)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	int r;

	r = policy_parse_buffer("t.yaml", yaml, strlen(yaml), &diags, &p);
	if (r < 0 || diags.n > 0) {
		fprintf(stderr, "--- expected success; input:\n%s\n", yaml);
		diag_print(&diags, stderr);
	}
	ASSERT_OK(r);
	ASSERT_EQ(diags.n, 0);
	ASSERT_NOT_NULL(p);
	ASSERT_NOT_NULL(p->syscalls);
	return p;
}

/* Parses @yaml, which must fail with exactly one diagnostic, printed as @expected. */
static void parse_fails_with(const char *yaml, const char *expected)
{
	struct diag_list diags = {};
	struct policy *p = NULL;
	char *text = NULL;
	size_t size = 0;
	FILE *f;
	int r;

	r = policy_parse_buffer("t.yaml", yaml, strlen(yaml), &diags, &p);
	f = open_memstream(&text, &size);
	ASSERT_NOT_NULL(f);
	diag_print(&diags, f);
	fclose(f);
	if (r != -EINVAL || diags.n != 1 || !strstr(text, expected))
		fprintf(stderr, "--- input:\n%s\n--- expected: %s\n--- got (%zu):\n%s", yaml,
			expected, diags.n, text);
	ASSERT_ERROR(r, EINVAL);
	ASSERT_NULL(p);
	ASSERT_EQ(diags.n, 1);
	ASSERT_TRUE(strstr(text, expected) != NULL);
	free(text);
	diag_list_clear(&diags);
}

TEST(parse_full_section)
{
	struct policy *p = parse_ok(
		HEAD
		"    default: deny\n"
		"    defaultErrno: EACCES\n"
		"    architectures: [x86]\n"
		"    rules:\n"
		"      - names: [read, write]\n"
		"        action: allow\n"
		"      - names: [ptrace]\n"
		"        action: deny\n"
		"        errno: 38\n"
		"      - names: [socket]\n"
		"        action: deny\n"
		"        errno: EAFNOSUPPORT\n"
		"        args:\n"
		"          - {arg: 0, op: eq, value: AF_PACKET}\n"
		"      - names: [clone]\n"
		"        action: kill\n"
		"        args: [{arg: 0, op: masked_eq, mask: 'CLONE_NEWUSER|CLONE_NEWNET', value: 0x10000000}]\n"
		"      - names: [uname]\n"
		"        action: audit\n"
		"      - names: [kexec_load]\n"
		"        action: deny\n"
		"        mode: audit\n");
	const struct syscall_spec *s = p->syscalls;

	ASSERT_EQ(s->default_action, SYSCALL_ACTION_DENY);
	ASSERT_EQ(s->default_errno, EACCES);
	ASSERT_EQ(s->arches, SYSCALL_ARCH_X86);
	ASSERT_EQ(s->n_rules, 6);
	ASSERT_EQ(s->rules[0].n_names, 2);
	ASSERT_STREQ(s->rules[0].names[1].name, "write");
	ASSERT_EQ(s->rules[0].names[1].nr, SYS_write);
	ASSERT_EQ(s->rules[0].names[1].loc.line, 11);
	ASSERT_EQ(s->rules[0].names[1].loc.column, 23);
	ASSERT_EQ(s->rules[1].errno_value, ENOSYS);
	ASSERT_EQ(s->rules[2].action, SYSCALL_ACTION_DENY);
	ASSERT_EQ(s->rules[2].errno_value, EAFNOSUPPORT);
	ASSERT_EQ(s->rules[2].n_args, 1);
	ASSERT_EQ(s->rules[2].args[0].value, AF_PACKET);
	ASSERT_EQ(s->rules[3].action, SYSCALL_ACTION_KILL);
	ASSERT_EQ(s->rules[3].args[0].op, SYSCALL_ARG_MASKED_EQ);
	ASSERT_EQ(s->rules[3].args[0].mask, CLONE_NEWUSER | CLONE_NEWNET);
	ASSERT_EQ(s->rules[3].args[0].value, CLONE_NEWUSER);
	ASSERT_EQ(s->rules[4].action, SYSCALL_ACTION_AUDIT);
	ASSERT_TRUE(s->rules[5].has_mode);
	ASSERT_EQ(s->rules[5].errno_value, EPERM); /* the default for named calls */
	policy_free(p);
}

TEST(parse_defaults)
{
	struct policy *p = parse_ok(HEAD "    default: allow\n");

	ASSERT_EQ(p->syscalls->default_action, SYSCALL_ACTION_ALLOW);
	ASSERT_EQ(p->syscalls->default_errno, EPERM);
	ASSERT_EQ(p->syscalls->arches, 0);
	ASSERT_EQ(p->syscalls->n_rules, 0);
	policy_free(p);

	/* A policy without the section has none. */
	{
		const char *y =
			"apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: x}\nspec: {}\n";
		struct diag_list diags = {};

		ASSERT_OK(policy_parse_buffer("t.yaml", y, strlen(y), &diags, &p));
		ASSERT_NULL(p->syscalls);
		policy_free(p);
	}
}

#define RULE(names, rest) HEAD "    default: allow\n    rules:\n      - names: " names "\n" rest

TEST(parse_errors)
{
	/* Unknown names, with file:line:column. */
	parse_fails_with(RULE("[ptrace, frobnicate]", "        action: deny\n"),
			 "t.yaml:9:25: unknown system call 'frobnicate'");
	parse_fails_with(RULE("[]", "        action: deny\n"),
			 "t.yaml:9:16: names must list at least one system call");
	parse_fails_with(RULE("ptrace", "        action: deny\n"),
			 "t.yaml:9:16: expected a sequence of system call names, found a string");

	/* Errnos. */
	parse_fails_with(RULE("[ptrace]", "        action: deny\n        errno: EFROB\n"),
			 "t.yaml:11:16: invalid errno 'EFROB' (expected a name such as EPERM or a "
			 "number 1..4095)");
	parse_fails_with(RULE("[ptrace]", "        action: deny\n        errno: 4096\n"),
			 "t.yaml:11:16: invalid errno '4096'");
	parse_fails_with(RULE("[ptrace]", "        action: deny\n        errno: 0\n"),
			 "t.yaml:11:16: invalid errno '0'");
	parse_fails_with(RULE("[ptrace]", "        action: kill\n        errno: EPERM\n"),
			 "t.yaml:9:9: errno is only for action deny (this rule's action is kill)");
	parse_fails_with(
		HEAD "    default: allow\n    defaultErrno: EPERM\n",
		"t.yaml:8:19: defaultErrno is only for default: deny (the default is allow)");
	parse_fails_with(HEAD "    default: deny\n    defaultErrno: -1\n",
			 "t.yaml:8:19: invalid defaultErrno '-1'");

	/* Actions, defaults, architectures, keys. */
	parse_fails_with(
		RULE("[ptrace]", "        action: block\n"),
		"t.yaml:10:17: invalid action 'block' (expected one of: allow, deny, kill, "
		"audit)");
	parse_fails_with(HEAD "    rules: []\n", "t.yaml:7:5: missing required key 'default' in "
						 "syscalls");
	parse_fails_with(HEAD "    default: allow\n    architectures: [arm]\n",
			 "t.yaml:8:21: invalid architecture 'arm' (expected one of: x86, x32)");
	parse_fails_with(RULE("[ptrace]", "        action: deny\n        why: no\n"),
			 "t.yaml:11:9: unknown key 'why' in syscalls rule");

	/* Argument conditions. */
	parse_fails_with(RULE("[socket]", "        action: deny\n"
					  "        args: [{arg: 6, op: eq, value: 1}]\n"),
			 "t.yaml:11:22: invalid arg '6' (expected the argument's index, 0..5)");
	parse_fails_with(
		RULE("[socket]", "        action: deny\n"
				 "        args: [{arg: 0, op: like, value: 1}]\n"),
		"t.yaml:11:29: invalid op 'like' (expected one of: eq, ne, lt, le, gt, ge, "
		"masked_eq)");
	parse_fails_with(
		RULE("[socket]", "        action: deny\n"
				 "        args: [{arg: 0, op: eq, value: AF_FROB}]\n"),
		"t.yaml:11:40: invalid value 'AF_FROB' (expected a number, or constants such "
		"as AF_PACKET or CLONE_NEWUSER joined with '|')");
	parse_fails_with(RULE("[clone]", "        action: deny\n"
					 "        args: [{arg: 0, op: masked_eq, value: 1}]\n"),
			 "t.yaml:11:16: op masked_eq needs a mask");
	parse_fails_with(RULE("[clone]", "        action: deny\n"
					 "        args: [{arg: 0, op: eq, value: 1, mask: 1}]\n"),
			 "t.yaml:11:49: mask is only for op masked_eq");
	parse_fails_with(
		RULE("[clone]",
		     "        action: deny\n"
		     "        args: [{arg: 0, op: eq, value: 1}, {arg: 0, op: eq, value: 2}]\n"),
		"t.yaml:11:50: argument 0 already has a condition at 11:16");
	parse_fails_with(RULE("[clone]", "        action: deny\n"
					 "        args: [{arg: 0, op: eq}]\n"),
			 "t.yaml:11:16: missing required key 'value' in argument condition");

	/* Conditions compare the bits the kernel reads (seccomp-args.h). */
	parse_fails_with(RULE("[socket]", "        action: deny\n"
					  "        args: [{arg: 0, op: eq, value: 0x100000010}]\n"),
			 "t.yaml:11:16: argument 0 of 'socket' is 32 bits wide as the kernel reads "
			 "it: value 0x100000010 never matches");
	parse_fails_with(RULE("[getpid]", "        action: deny\n"
					  "        args: [{arg: 0, op: eq, value: 1}]\n"),
			 "t.yaml:11:16: a condition on argument 0 of 'getpid': secagent does not "
			 "know how many bits of it the kernel reads, so it cannot compare what the "
			 "kernel uses; write the rule without conditions");
	parse_fails_with(
		RULE("[socket]", "        action: deny\n"
				 "        args: [{arg: 0, op: ne, value: 1}, "
				 "{arg: 1, op: ne, value: 1}]\n"),
		"t.yaml:11:44: the conditions of this rule for 'socket' make more than 256 "
		"comparisons of the bits the kernel reads (each ne is one per bit); split "
		"the rule");

	/* One rule without conditions per call. */
	parse_fails_with(RULE("[ptrace, uname]", "        action: deny\n"
						 "      - names: [uname]\n        action: allow\n"),
			 "t.yaml:11:17: system call 'uname' already has a rule at 9:25");
	/* Nor a mix: libseccomp would let the rule without conditions swallow the other. */
	parse_fails_with(
		RULE("[socket]", "        action: deny\n"
				 "      - names: [socket]\n        action: allow\n"
				 "        args: [{arg: 0, op: eq, value: AF_UNIX}]\n"),
		"t.yaml:11:17: system call 'socket' has a rule without conditions at 9:17: "
		"a call has one rule without conditions or only rules with conditions");
	parse_fails_with(RULE("[socket]", "        action: deny\n"
					  "        args: [{arg: 0, op: eq, value: AF_PACKET}]\n"
					  "      - names: [socket]\n        action: allow\n"),
			 "t.yaml:12:17: system call 'socket' has a rule with conditions at 9:17");
}

TEST(audit_mode)
{
	ASSERT_EQ(syscall_action_effective(SYSCALL_ACTION_DENY, POLICY_MODE_AUDIT),
		  SYSCALL_ACTION_AUDIT);
	ASSERT_EQ(syscall_action_effective(SYSCALL_ACTION_KILL, POLICY_MODE_AUDIT),
		  SYSCALL_ACTION_AUDIT);
	ASSERT_EQ(syscall_action_effective(SYSCALL_ACTION_ALLOW, POLICY_MODE_AUDIT),
		  SYSCALL_ACTION_ALLOW);
	ASSERT_EQ(syscall_action_effective(SYSCALL_ACTION_DENY, POLICY_MODE_ENFORCE),
		  SYSCALL_ACTION_DENY);
}

static char *export(const struct policy *p)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	ASSERT_NOT_NULL(f);
	ASSERT_OK(seccomp_filter_export_oci(p->syscalls, p->mode, f));
	fclose(f);
	return text;
}

TEST(export_oci_exact)
{
	struct policy *p = parse_ok(
		HEAD
		"    default: allow\n"
		"    rules:\n"
		"      - names: [ptrace, kexec_load]\n"
		"        action: deny\n"
		"      - names: [socket]\n"
		"        action: deny\n"
		"        errno: EAFNOSUPPORT\n"
		"        args: [{arg: 0, op: eq, value: AF_PACKET}]\n"
		"      - names: [unshare]\n"
		"        action: kill\n"
		"        args: [{arg: 0, op: masked_eq, mask: CLONE_NEWUSER, value: CLONE_NEWUSER}]\n"
		"      - names: [uname]\n"
		"        action: audit\n"
		"      - names: [getpid]\n"
		"        action: allow\n");
	char *text = export(p);

	/* The profile, in this order, written by jansson with an indent of 2. */
	json_t *expected = json_loads(
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
		" \"architectures\": [\"SCMP_ARCH_X86_64\"],\n"
		" \"syscalls\": [\n"
		"  {\"names\": [\"ptrace\", \"kexec_load\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},\n"
		"  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 97, \"args\": "
		"[{\"index\": 0, \"value\": 4294967295, \"valueTwo\": 17, \"op\": "
		"\"SCMP_CMP_MASKED_EQ\"}]},\n"
		"  {\"names\": [\"unshare\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"args\": "
		"[{\"index\": 0, \"value\": 268435456, \"valueTwo\": 268435456, \"op\": "
		"\"SCMP_CMP_MASKED_EQ\"}]},\n"
		"  {\"names\": [\"uname\"], \"action\": \"SCMP_ACT_LOG\"}\n"
		" ]\n"
		"}\n",
		0, NULL);
	ASSERT_NOT_NULL(expected);
	char *expected_text = json_dumps(expected, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	ASSERT_NOT_NULL(expected_text);
	ASSERT_EQ(strlen(text), strlen(expected_text) + 1);
	ASSERT_TRUE(strncmp(text, expected_text, strlen(expected_text)) == 0);
	ASSERT_STREQ(text + strlen(expected_text), "\n");
	free(expected_text);
	json_decref(expected);
	free(text);

	/* In audit mode deny and kill only log. */
	p->mode = POLICY_MODE_AUDIT;
	text = export(p);
	ASSERT_TRUE(strstr(text, "SCMP_ACT_ERRNO") == NULL);
	ASSERT_TRUE(strstr(text, "SCMP_ACT_KILL_PROCESS") == NULL);
	free(text);
	policy_free(p);
}

/* Values of 64-bit arguments above INT64_MAX are written as the unsigned numbers they are. */
TEST(export_oci_unsigned_64)
{
	struct policy *p =
		parse_ok(HEAD "    default: allow\n"
			      "    rules:\n"
			      "      - names: [lseek]\n"
			      "        action: deny\n"
			      "        args: [{arg: 1, op: eq, value: 18446744073709551615}]\n");
	char *text = export(p);

	ASSERT_TRUE(strstr(text, "\"value\": 18446744073709551615,") != NULL);
	ASSERT_TRUE(strchr(text, '-') == NULL);
	free(text);
	policy_free(p);
}

/* The profile of a default-deny policy, read back by python3's JSON parser. */
TEST(export_oci_default_deny_is_json)
{
	struct policy *p = parse_ok(HEAD "    default: deny\n"
					 "    architectures: [x86, x32]\n"
					 "    rules:\n"
					 "      - names: [read, write, exit_group]\n"
					 "        action: allow\n");
	char *text = export(p);
	char path[] = "/tmp/test-seccomp-XXXXXX";
	char cmd[2048];
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
	snprintf(
		cmd, sizeof(cmd),
		"python3 -c 'import json, sys\n"
		"j = json.load(open(sys.argv[1]))\n"
		"assert j[\"defaultAction\"] == \"SCMP_ACT_ERRNO\" and j[\"defaultErrnoRet\"] == 1\n"
		"assert j[\"architectures\"] == [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]\n"
		"assert \"flags\" not in j\n"
		"assert j[\"syscalls\"] == [{\"names\": [\"read\", \"write\", \"exit_group\"],\n"
		"                          \"action\": \"SCMP_ACT_ALLOW\"}], j\n"
		"' %s",
		path);
	ASSERT_EQ(system(cmd), 0);
	unlink(path);
	free(text);
	policy_free(p);
}

/* ---- the filter on this kernel ---- */

/* Runs @fn in a child under @yaml's filter; returns its wait status. */
static int run_filtered(const char *yaml, int (*fn)(void))
{
	struct policy *p = parse_ok(yaml);
	scmp_filter_ctx ctx = NULL;
	int status;
	pid_t pid;

	ASSERT_OK(seccomp_filter_build(p->syscalls, p->mode, &ctx, NULL));
	fflush(NULL);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		if (seccomp_filter_load(ctx) < 0)
			_exit(100);
		_exit(fn());
	}
	seccomp_release(ctx);
	policy_free(p);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	return status;
}

#define EXPECT_EXIT(status, code)                                                                  \
	do {                                                                                       \
		int _s = (status);                                                                 \
		test_check(WIFEXITED(_s) && WEXITSTATUS(_s) == (code),                             \
			   "child: expected exit %d, got status 0x%x (signal %d)", (code), _s,     \
			   WIFSIGNALED(_s) ? WTERMSIG(_s) : 0);                                    \
	} while (0)

#define EXPECT_SIGSYS(status)                                                                      \
	do {                                                                                       \
		int _s = (status);                                                                 \
		test_check(WIFSIGNALED(_s) && WTERMSIG(_s) == SIGSYS,                              \
			   "child: expected to die of SIGSYS, got status 0x%x", _s);               \
	} while (0)

/* Each check of a child is a step; the exit code is the first step that failed, 0 if none. */
static int child_allow_default(void)
{
	errno = 0;
	if (syscall(SYS_ptrace, 0, 0, 0, 0) != -1 || errno != EPERM)
		return 1;
	if (syscall(SYS_personality, PER_LINUX32) != -1 || errno != EACCES)
		return 2;
	if (syscall(SYS_personality, 0xffffffffUL) == -1) /* the query stays allowed */
		return 3;
	if (socket(AF_PACKET, SOCK_RAW, 0) != -1 || errno != EAFNOSUPPORT)
		return 4;
	{
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0)
			return 5;
		close(s);
	}
	/* No call at all: ENOSYS, not EPERM. */
	if (syscall(1000) != -1 || errno != ENOSYS)
		return 6;
	if (unshare(CLONE_NEWUSER) != -1 || errno != EPERM)
		return 7;
	/* Allowed calls keep working, in a loop. */
	for (int i = 0; i < 10000; i++) {
		int fd;

		if (syscall(SYS_getppid) != getppid())
			return 8;
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 9;
		close(fd);
	}
	return 0;
}

#define ALLOW_POLICY                                                                                \
	HEAD "    default: allow\n"                                                                 \
	     "    rules:\n"                                                                         \
	     "      - names: [ptrace]\n"                                                            \
	     "        action: deny\n"                                                               \
	     "      - names: [personality]\n"                                                       \
	     "        action: deny\n"                                                               \
	     "        errno: EACCES\n"                                                              \
	     "        args: [{arg: 0, op: ne, value: PER_QUERY}]\n"                                 \
	     "      - names: [socket]\n"                                                            \
	     "        action: deny\n"                                                               \
	     "        errno: EAFNOSUPPORT\n"                                                        \
	     "        args: [{arg: 0, op: eq, value: AF_PACKET}]\n"                                 \
	     "      - names: [unshare]\n"                                                           \
	     "        action: deny\n"                                                               \
	     "        args: [{arg: 0, op: masked_eq, mask: CLONE_NEWUSER, value: CLONE_NEWUSER}]\n" \
	     "      - names: [sync]\n"                                                              \
	     "        action: kill\n"

TEST(deny_errno_from_policy)
{
	struct policy *p = parse_ok(ALLOW_POLICY);
	const struct syscall_spec *s = p->syscalls;

	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "ptrace", SYS_ptrace), EPERM);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "personality", SYS_personality), EACCES);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "socket", SYS_socket), EAFNOSUPPORT);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "getpid", SYS_getpid), 0);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, NULL, 1000), 0);
	policy_free(p);

	p = parse_ok(
		HEAD
		"    default: deny\n"
		"    defaultErrno: EACCES\n"
		"    rules:\n"
		"      - {names: [socket], action: allow, args: [{arg: 0, op: eq, value: 1}]}\n"
		"      - {names: [ioctl], action: deny, errno: ENOTTY, args: [{arg: 1, op: eq, value: 1}]}\n"
		"      - {names: [ioctl], action: deny, errno: EIO, args: [{arg: 1, op: eq, value: 2}]}\n"
		"      - {names: [clone3], action: deny, errno: ENOSYS}\n");
	s = p->syscalls;
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "ptrace", SYS_ptrace), EACCES);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "socket", SYS_socket), EACCES);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "ioctl", SYS_ioctl), 0); /* 3 candidates */
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, "clone3", SYS_clone3), ENOSYS);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, NULL, 1000), ENOSYS);
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, NULL, 5000), ENOSYS);
	/* Not native (an x32 number): the default. */
	ASSERT_EQ(seccomp_filter_deny_errno(s, p->mode, NULL, 0x40000000 + 5000), EACCES);
	policy_free(p);
}

TEST(filter_default_allow)
{
	EXPECT_EXIT(run_filtered(ALLOW_POLICY, child_allow_default), 0);
}

static int child_kill(void)
{
	syscall(SYS_sync);
	return 1; /* not reached */
}

TEST(filter_kill)
{
	EXPECT_SIGSYS(run_filtered(ALLOW_POLICY, child_kill));
}

/* Other ABIs through int $0x80 (killed under a native-only filter, allowed with
 * architectures: [x86]) are checked in the VM by 70-seccomp with a static i386 program: they
 * need a kernel with IA32 emulation, which the build host's need not have. */

/* x32's getpid: the x86_64 ABI with __X32_SYSCALL_BIT. */
static int child_x32(void)
{
	syscall(0x40000000 | SYS_getpid);
	return 1;
}

TEST(filter_x32_killed)
{
	EXPECT_SIGSYS(run_filtered(ALLOW_POLICY, child_x32));
}

static int child_deny_default(void)
{
	int s;

	/* Known calls no rule names: the default, EACCES here. */
	if (syscall(SYS_getppid) != -1 || errno != EACCES)
		return 1;
	if (syscall(SYS_ptrace, 0, 0, 0, 0) != -1 || errno != EACCES)
		return 2;
	/* No call at all, and calls too new for libseccomp's table: ENOSYS, from the filter's
	 * prefix, in a gap of x86_64's table and far above it too. */
	if (syscall(1000) != -1 || errno != ENOSYS)
		return 3;
	if (syscall(400) != -1 || errno != ENOSYS)
		return 3;
	if (syscall(100000) != -1 || errno != ENOSYS)
		return 3;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != EPERM)
		return 4;
	/* Conditional rules: the default when no condition holds. */
	if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EACCES)
		return 5;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return 6;
	if (syscall(SYS_getpid) <= 0) /* audit: allowed (and logged) */
		return 7;
	return 0;
}

/* A child under a default-deny filter cannot host AddressSanitizer's runtime (it needs mmap,
 * sigaltstack and more before the test's first call): such tests run in the unsanitized pass. */
#if defined(__SANITIZE_ADDRESS__)
#define NOT_UNDER_ASAN()                                                                           \
	test_not_here("a child under a default-deny seccomp filter cannot host ASan's runtime; "   \
		      "the unsanitized unit pass runs it")
#else
#define NOT_UNDER_ASAN()                                                                           \
	do {                                                                                       \
	} while (0)
#endif

TEST(filter_default_deny)
{
	NOT_UNDER_ASAN();
	EXPECT_EXIT(run_filtered(HEAD "    default: deny\n"
				      "    defaultErrno: EACCES\n"
				      "    rules:\n"
				      "      - names: [exit, exit_group, write]\n"
				      "        action: allow\n"
				      "      - names: [clone3]\n"
				      "        action: deny\n"
				      "      - names: [socket]\n"
				      "        action: allow\n"
				      "        args: [{arg: 0, op: eq, value: AF_UNIX}]\n"
				      "      - names: [getpid]\n"
				      "        action: audit\n",
				 child_deny_default),
		    0);
}

static int child_audit_mode(void)
{
	if (syscall(SYS_ptrace, 0, 0, 0, 0) == -1 && errno == EPERM)
		return 1;
	syscall(SYS_sync); /* a kill rule only logs */
	return 0;
}

TEST(filter_audit_mode)
{
	EXPECT_EXIT(run_filtered("apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: test\n"
				 "spec:\n  mode: audit\n  syscalls:\n"
				 "    default: allow\n"
				 "    rules:\n"
				 "      - names: [ptrace]\n"
				 "        action: deny\n"
				 "      - names: [sync]\n"
				 "        action: kill\n",
				 child_audit_mode),
		    0);
}

/* What a condition says of the low @width bits, the way the kernel reads the argument. */
static bool cond_holds(const struct syscall_arg_cond *c, unsigned width, uint64_t x)
{
	uint64_t w = width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;

	x &= w;
	switch (c->op) {
	case SYSCALL_ARG_EQ:
		return x == c->value;
	case SYSCALL_ARG_NE:
		return x != c->value;
	case SYSCALL_ARG_LT:
		return x < c->value;
	case SYSCALL_ARG_LE:
		return x <= c->value;
	case SYSCALL_ARG_GT:
		return x > c->value;
	case SYSCALL_ARG_GE:
		return x >= c->value;
	default:
		return (x & c->mask) == c->value;
	}
}

/* What libseccomp's comparison says of the whole 64-bit register. */
static bool cmp_holds(const struct seccomp_arg_cmp *c, uint64_t x)
{
	switch (c->op) {
	case SCMP_CMP_EQ:
		return x == c->datum_a;
	case SCMP_CMP_NE:
		return x != c->datum_a;
	case SCMP_CMP_LT:
		return x < c->datum_a;
	case SCMP_CMP_LE:
		return x <= c->datum_a;
	case SCMP_CMP_GT:
		return x > c->datum_a;
	case SCMP_CMP_GE:
		return x >= c->datum_a;
	default:
		return (x & c->datum_a) == c->datum_b;
	}
}

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* A value near interesting points: 0, the value, the ends of the width, or anything. */
static uint64_t pick(uint64_t *rnd, uint64_t v, uint64_t w)
{
	switch (next_random(rnd) % 5) {
	case 0:
		return v + (next_random(rnd) % 5) - 2;
	case 1:
		return next_random(rnd) % 4;
	case 2:
		return w - next_random(rnd) % 3;
	default:
		return next_random(rnd);
	}
}

/* The alternatives hold of a register exactly when the condition holds of the bits the kernel
 * reads, whatever the upper bits are: every op, widths 16, 32 and 64, random values. */
TEST(args_expand_matches_kernel_view)
{
	static const unsigned widths[] = { 16, 32, 64 };
	uint64_t rnd = 0x9e3779b97f4a7c15ULL;

	for (size_t wi = 0; wi < ELEMENTSOF(widths); wi++)
		for (int op = 0; op < _SYSCALL_ARG_OP_MAX; op++)
			for (int round = 0; round < 300; round++) {
				unsigned width = widths[wi];
				uint64_t w = width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;
				struct syscall_arg_cond c = { .index = 1, .op = op };
				struct seccomp_arg_cmp alt[SECCOMP_ARGS_MAX_PER_COND];
				int n;

				c.value = pick(&rnd, 0, w) & w;
				c.mask = next_random(&rnd) & w;
				if (op == SYSCALL_ARG_MASKED_EQ && round % 2)
					c.value &= c.mask;
				n = seccomp_arg_expand(&c, width, alt);
				ASSERT_TRUE(n >= -1 && n <= SECCOMP_ARGS_MAX_PER_COND);
				for (int t = 0; t < 200; t++) {
					uint64_t x = pick(&rnd, c.value, w);
					bool any = n == -1;

					if (t % 2)
						x = (x & w) | (next_random(&rnd) & ~w);
					for (int k = 0; k < n && !any; k++)
						any = alt[k].index == 1 && cmp_holds(&alt[k], x);
					if (any != cond_holds(&c, width, x)) {
						test_check(false,
							   "op %d width %u value %#" PRIx64
							   " mask %#" PRIx64 ": x %#" PRIx64
							   " gives %d",
							   op, width, c.value, c.mask, x, any);
						return;
					}
				}
			}
}

TEST(args_widths)
{
	ASSERT_EQ(seccomp_arg_width("socket", 0), 32u);
	ASSERT_EQ(seccomp_arg_width("ioctl", 1), 32u);
	ASSERT_EQ(seccomp_arg_width("ioctl", 2), 64u);
	ASSERT_EQ(seccomp_arg_width("openat", 3), 16u);
	ASSERT_EQ(seccomp_arg_width("unshare", 0), 64u);
	ASSERT_EQ(seccomp_arg_width("socket", 3), 0u);
	ASSERT_EQ(seccomp_arg_width("getpid", 0), 0u);
}

/* The bypass: socket() with AF_NETLINK in the low half and garbage above it made a netlink
 * socket past a rule that compared 64 bits. Raw calls, so nothing truncates the argument. */
static int child_netlink_upper_bits(void)
{
	if (syscall(SYS_socket, (long)AF_NETLINK, SOCK_RAW, 0) != -1 || errno != EPERM)
		return 1;
	if (syscall(SYS_socket, 0x100000000L | AF_NETLINK, SOCK_RAW, 0) != -1 || errno != EPERM)
		return 2;
	if (syscall(SYS_socket, 0xffffffff00000000L | AF_NETLINK, SOCK_RAW, 0) != -1 ||
	    errno != EPERM)
		return 3;
	/* Another family with garbage above it is not this rule's. */
	long fd = syscall(SYS_socket, 0x100000000L | AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return 4;
	close((int)fd);
	return 0;
}

TEST(filter_arg_upper_bits_eq)
{
	EXPECT_EXIT(run_filtered(HEAD "    default: allow\n"
				      "    rules:\n"
				      "      - names: [socket]\n"
				      "        action: deny\n"
				      "        args: [{arg: 0, op: eq, value: AF_NETLINK}]\n",
				 child_netlink_upper_bits),
		    0);
}

/* An allow rule with ne under default deny: ioctl(TIOCSTI) with garbage in the upper half of
 * the command is still TIOCSTI to the kernel, so it must stay denied. */
static int child_tiocsti_upper_bits(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 10;
	if (syscall(SYS_ioctl, fd, (long)TIOCSTI, 0) != -1 || errno != EPERM)
		return 1;
	if (syscall(SYS_ioctl, fd, 0x100000000L | TIOCSTI, 0) != -1 || errno != EPERM)
		return 2;
	/* Another command is allowed (and fails as /dev/null makes it fail: not EPERM). */
	if (syscall(SYS_ioctl, fd, 0x100000000L | FIONREAD, 0) == -1 && errno == EPERM)
		return 3;
	return 0;
}

TEST(filter_arg_upper_bits_ne)
{
	NOT_UNDER_ASAN();
	EXPECT_EXIT(run_filtered(HEAD "    default: deny\n"
				      "    rules:\n"
				      "      - names: [ioctl]\n"
				      "        action: allow\n"
				      "        args: [{arg: 1, op: ne, value: TIOCSTI}]\n"
				      "      - names: [open, openat, close, exit_group, exit]\n"
				      "        action: allow\n",
				 child_tiocsti_upper_bits),
		    0);
}

TEST_MAIN()
