#!/bin/bash
# Seccomp policies: a service run by 'secagentctl exec' under a policy's syscalls: section. A
# denied call fails with its errno and reaches journald as a secagent event naming the policy; a
# number with no call gets ENOSYS; kill kills; a child of the registered process is attributed;
# without the daemon the filter still applies and the event says it could not be attributed; a
# systemd unit runs under the filter; the OCI export is JSON.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

SECCOMP_ID=cc685cd258d44f63b895c568414c179a
EXAMPLES=/usr/share/doc/secagent/examples

# try_syscall POLICY NR [ARGS...]: the errno (number) of syscall NR under POLICY, or 0.
try_syscall() {
	local policy=$1
	shift
	secagentctl exec --policy "$policy" -- perl -e 'my @a = map { $_ + 0 } @ARGV;
		$! = 0; syscall($a[0], @a[1 .. $#a]); print $! + 0, "\n"' \
		-- "$@"
}

# seccomp_events FILTER...: the seccomp entries matching journalctl FILTERs, one JSON array.
seccomp_events() {
	local out i
	for i in $(seq 1 50); do
		journalctl --sync 2>/dev/null || true
		out=$(journalctl -o json --no-pager "MESSAGE_ID=$SECCOMP_ID" "$@" | jq -s '.')
		if (($(jq 'length' <<<"$out") >= 1)); then
			echo "$out"
			return 0
		fi
		sleep 0.2
	done
	echo "$out"
}

expect_json() { # WHAT JQ-FILTER JSON: the filter yields true
	local v
	v=$(jq -e "$2" <<<"$3" 2>&1) || fail "$1: jq '$2' gave '$v' for: $3"
	echo "ok: $1"
}

step "the kernel's audit and seccomp logging"
echo "kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
echo "seccomp actions_logged: $(cat /proc/sys/kernel/seccomp/actions_logged)"
[[ -e /proc/self/loginuid ]] && echo "CONFIG_AUDITSYSCALL: yes (/proc/self/loginuid)" ||
	echo "CONFIG_AUDITSYSCALL: no"
grep -qw 'audit=0' /proc/cmdline && fail "the kernel is booted with audit=0: no seccomp records"
systemctl is-active systemd-journald-audit.socket || true

step "start the agent and apply the example policies"
agent_start_with
cat >/tmp/seccomp-demo.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata:
  name: seccomp-demo
spec:
  syscalls:
    default: allow
    rules:
      - names: [ptrace]
        action: deny
      - names: [personality]
        action: deny
        errno: EACCES
        args: [{arg: 0, op: ne, value: PER_QUERY}]
      - names: [sync]
        action: kill
      - names: [getppid]
        action: audit
EOP
secagentctl policy apply /tmp/seccomp-demo.yaml || fail "policy apply seccomp-demo"
secagentctl policy apply "$EXAMPLES/seccomp-service.yaml" || fail "policy apply seccomp-service"
status=$(secagentctl status --json)
expect_json "status: the audit socket is open" '.seccomp_audit == "yes"' "$status"

step "a denied call fails with its errno and is logged, naming the policy"
expect_eq "ptrace under seccomp-demo" 1 "$(try_syscall seccomp-demo 101 0 0 0 0)"        # EPERM
expect_eq "personality(PER_LINUX32) under seccomp-demo" 13 "$(try_syscall seccomp-demo 135 8)" # EACCES
expect_eq "personality(query) under seccomp-demo" 0 "$(try_syscall seccomp-demo 135 4294967295)"
ev=$(seccomp_events SECAGENT_POLICY=seccomp-demo SECAGENT_SYSCALL=ptrace)
echo "$ev" | jq -c '.[0] | {MESSAGE, SECAGENT_ACTION, SECAGENT_ERRNO, SECAGENT_PID, SECAGENT_COMM}'
expect_json "journald: ptrace denied with EPERM, policy seccomp-demo" \
	'length >= 1 and .[0].SECAGENT_ACTION == "deny" and .[0].SECAGENT_ERRNO == "EPERM"
	 and .[0].SECAGENT_KIND == "syscall" and .[0].SECAGENT_ATTRIBUTED == "1"
	 and .[0].SECAGENT_COMM == "perl" and .[0].SECAGENT_ARCH == "x86_64"
	 and (.[0].MESSAGE | test("^Denied system call ptrace \\(101, x86_64\\) with EPERM by perl\\[[0-9]+\\] \\(uid 0\\), policy seccomp-demo$"))' "$ev"
ev=$(seccomp_events SECAGENT_POLICY=seccomp-demo SECAGENT_SYSCALL=personality)
expect_json "journald: personality denied with EACCES" '.[0].SECAGENT_ERRNO == "EACCES"' "$ev"

step "audit: allowed and logged"
expect_eq "getppid under seccomp-demo" 0 "$(try_syscall seccomp-demo 110)"
ev=$(seccomp_events SECAGENT_POLICY=seccomp-demo SECAGENT_SYSCALL=getppid)
expect_json "journald: getppid audited" '.[0].SECAGENT_ACTION == "audit"' "$ev"

step "kill: the process dies of SIGSYS, and is still attributed"
set +e
secagentctl exec --policy seccomp-demo -- perl -e 'syscall(162); print "alive\n"'
rc=$?
set -e
expect_eq "exit status of a killed perl (128 + SIGSYS)" 159 "$rc"
ev=$(seccomp_events SECAGENT_POLICY=seccomp-demo SECAGENT_SYSCALL=sync)
expect_json "journald: sync killed the process" '.[0].SECAGENT_ACTION == "kill"' "$ev"

step "a child of the registered process is attributed through its parents"
secagentctl exec --policy seccomp-demo -- bash -c 'perl -e "syscall(101, 0, 0, 0, 0); sleep 5"; true'
ev=$(seccomp_events SECAGENT_POLICY=seccomp-demo SECAGENT_SYSCALL=ptrace SECAGENT_COMM=perl)
expect_json "journald: the child's ptrace names the policy, through bash" \
	'[.[] | select(.SECAGENT_REGISTERED_PID != .SECAGENT_PID)] | length >= 1' "$ev"

step "default deny: calls not listed get EPERM, numbers with no call ENOSYS"
expect_eq "ptrace under seccomp-service" 1 "$(try_syscall seccomp-service 101 0 0 0 0)"
expect_eq "syscall(1000) under seccomp-service" 38 "$(try_syscall seccomp-service 1000)"
expect_eq "clone3 under seccomp-service (glibc falls back)" 38 "$(try_syscall seccomp-service 435 0 0)"
expect_eq "unshare(CLONE_NEWUSER) under seccomp-service" 1 "$(try_syscall seccomp-service 272 268435456)"
expect_eq "a shell and its children run under seccomp-service" "hello" \
	"$(secagentctl exec --policy seccomp-service -- bash -c 'echo hello | cat')"
ev=$(seccomp_events SECAGENT_POLICY=seccomp-service SECAGENT_SYSCALL_NR=1000)
expect_json "journald: syscall 1000 logged with ENOSYS" \
	'.[0].SECAGENT_ERRNO == "ENOSYS" and .[0].SECAGENT_ACTION == "deny"' "$ev"

step "argument conditions compare the bits the kernel reads, whatever the upper half holds"
# The kernel reads socket()'s family and ioctl()'s command as 32 bits: socket(0x100000010) is a
# netlink socket. A filter comparing 64 bits let such a call past the rule.
RAW=/usr/libexec/secagent-tests/raw-syscall
[[ -x $RAW ]] || fail "$RAW missing: build with -Dtest_tools=true"
cat >/tmp/seccomp-upper.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: seccomp-upper}
spec:
  syscalls:
    default: allow
    rules:
      - names: [socket]
        action: deny
        errno: EAFNOSUPPORT
        args: [{arg: 0, op: eq, value: AF_NETLINK}]
EOP
secagentctl policy apply /tmp/seccomp-upper.yaml || fail "policy apply seccomp-upper"
raw() { secagentctl exec --policy "$1" -- "$RAW" "${@:2}"; }
expect_eq "socket(AF_NETLINK) under seccomp-upper" 97 "$(raw seccomp-upper 41 16 3 0)"
expect_eq "socket(0x100000010: AF_NETLINK to the kernel)" 97 "$(raw seccomp-upper 41 0x100000010 3 0)"
expect_eq "socket(0xffffffff00000010)" 97 "$(raw seccomp-upper 41 -4294967280 3 0)"
expect_eq "socket(0x100000001: AF_UNIX to the kernel) is not the rule's" 0 \
	"$(raw seccomp-upper 41 0x100000001 1 0)"
# seccomp-service allows every ioctl but TIOCSTI (ne), under default deny.
expect_eq "ioctl(TIOCSTI) under seccomp-service" 1 "$(raw seccomp-service 16 0 0x5412 0)"
expect_eq "ioctl(0x100005412: TIOCSTI to the kernel)" 1 "$(raw seccomp-service 16 0 0x100005412 0)"
out=$(raw seccomp-service 16 0 0x10000541b 0)
[[ $out != 1 ]] || fail "ioctl(0x10000541b: FIONREAD to the kernel) got EPERM under seccomp-service"
echo "ok: ioctl(0x10000541b: FIONREAD to the kernel) is allowed (errno $out from /dev/null)"
secagentctl policy export --format oci-seccomp seccomp-upper >/tmp/oci-upper.json
expect_json "the export compares the low 32 bits of socket's family" \
	'[.syscalls[] | select(.names == ["socket"]) | .args[0]]
	 == [{"index": 0, "value": 4294967295, "valueTwo": 16, "op": "SCMP_CMP_MASKED_EQ"}]' \
	"$(cat /tmp/oci-upper.json)"

step "without the daemon's registration: the filter applies, the event says it is unattributed"
set +e
out=$(secagentctl --control-socket /run/nowhere.sock exec --policy seccomp-demo -- \
	perl -e '$! = 0; syscall(101, 0, 0, 0, 0); print $! + 0' 2>/tmp/exec-stderr)
set -e
expect_eq "ptrace without registration" 1 "$out"
grep -q "events will be logged without the policy's name" /tmp/exec-stderr ||
	fail "no warning on stderr: $(cat /tmp/exec-stderr)"
echo "ok: warned: $(cat /tmp/exec-stderr)"
ev=$(seccomp_events SECAGENT_ATTRIBUTED=0 SECAGENT_SYSCALL=ptrace)
expect_json "journald: the unattributed event says why" \
	'.[0].SECAGENT_POLICY == null and (.[0].SECAGENT_UNATTRIBUTED_REASON | length > 0)
	 and (.[0].MESSAGE | test("no secagent policy named"))' "$ev"

step "errors: an unknown policy name, a policy without syscalls:"
set +e
out=$(secagentctl exec --policy no-such -- true 2>&1); rc=$?
set -e
expect_eq "exec of an unknown policy exits" 1 "$rc"
grep -q "No policy named 'no-such'" <<<"$out" || fail "message: $out"
write_policy /tmp/files-only.yaml files-only enforce /etc/hostname
secagentctl policy apply /tmp/files-only.yaml >/dev/null
set +e
out=$(secagentctl exec --policy files-only -- true 2>&1); rc=$?
set -e
expect_eq "exec of a policy without syscalls: exits" 1 "$rc"
grep -q "has no syscalls: section" <<<"$out" || fail "message: $out"

step "a systemd service under the filter (the example unit's ExecStart=)"
cat >/run/systemd/system/seccomp-example.service <<EOU
[Service]
Type=oneshot
ExecStart=/usr/bin/secagentctl exec --policy seccomp-service -- /usr/bin/perl -e 'syscall(101, 0, 0, 0, 0); exit(\$! + 0 == 1 ? 0 : 1)'
EOU
systemctl daemon-reload
systemctl start seccomp-example.service || fail "seccomp-example.service failed"
ev=$(seccomp_events SECAGENT_POLICY=seccomp-service SECAGENT_SYSCALL=ptrace _SYSTEMD_UNIT=secagent.service)
expect_json "journald: the service's ptrace names seccomp-service" 'length >= 1' "$ev"
grep -q 'ExecStart=/usr/bin/secagentctl exec --policy seccomp-service --' \
	"$EXAMPLES/seccomp-service.service" || fail "the example unit is not installed"

step "other ABIs: a static i386 program is killed at its first call unless the policy allows x86"
I386=/usr/libexec/secagent-tests/i386-hello
[[ -x $I386 ]] || fail "$I386 missing: build with -Dtest_tools=true"
for arches in "" "x86"; do
	cat >/tmp/abi-$arches.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: abi-${arches:-native}}
spec:
  syscalls:
    default: allow
    architectures: [$arches]
EOP
	cp /tmp/abi-$arches.yaml "$POLICY_DIR/"
done
secagentctl reload >/dev/null || fail "reload with the abi policies failed"
rc=0
out=$(secagentctl exec --policy abi-native -- "$I386" 2>&1) || rc=$?
expect_eq "i386 program under a native-only filter: killed by SIGSYS (128+31)" 159 "$rc"
[[ $out != *"i386 ok"* ]] || fail "the i386 program ran its calls: $out"
expect_eq "i386 program with architectures: [x86]" "i386 ok" \
	"$(secagentctl exec --policy abi-x86 -- "$I386")"

step "OCI export"
secagentctl policy export --format oci-seccomp seccomp-demo >/tmp/oci.json
expect_json "export is an OCI profile" '.defaultAction == "SCMP_ACT_ALLOW"
	and (.syscalls | map(.names[]) | index("ptrace")) and .architectures == ["SCMP_ARCH_X86_64"]' \
	"$(cat /tmp/oci.json)"
secagentctl policy export --format oci-seccomp seccomp-service >/tmp/oci2.json
expect_json "default deny export" '.defaultAction == "SCMP_ACT_ERRNO" and .defaultErrnoRet == 1' \
	"$(cat /tmp/oci2.json)"

status=$(secagentctl status --json)
echo "$status" | jq -c '{seccomp_audit, seccomp_registered, seccomp_events, seccomp_unattributed}'
echo "RESULT: seccomp events $(jq .seccomp_events <<<"$status"), unattributed $(jq .seccomp_unattributed <<<"$status")"
