#!/bin/bash
# kernel: rules: module loading (explicit: init_module with garbage is refused before the kernel
# parses it; on demand: request_module), kexec, BPF program loads, ptrace of a process outside
# the caller's subtree, mount and remount, a change of uid to root. Each denial fails with EPERM
# and is one event; the neighbour (a descendant, another binary, an audit rule) goes through.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

cat >/tmp/kernel.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: kernel}
spec:
  kernel:
    - operations: [module_load, module_request, kexec, bpf_load, ptrace, setuid_root]
      action: deny
EOP
cat >/tmp/kernel-mount.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: kernel-mount}
spec:
  selector:
    binaries: [/usr/bin/mount]
  kernel:
    - operations: [mount]
      action: deny
    - operations: [remount]
      action: deny
      mode: audit
EOP
mkdir -p /mnt/sa-kernel
umount /mnt/sa-kernel 2>/dev/null || true
mount -t tmpfs sa-pre /mnt/sa-kernel # before the agent: for the remount below
agent_start_with /tmp/kernel.yaml /tmp/kernel-mount.yaml

OP=/usr/libexec/secagent-tests/kernel-op
# Whatever happens, leave no mount-denying agent behind for the next scenario.
trap 'systemctl stop secagent 2>/dev/null || true; systemctl stop sa-kernel-sleep 2>/dev/null || true' EXIT

step "modules: explicit and on-demand loads are denied"
expect_eq "init_module with garbage" EPERM "$($OP init-module)"
# AF_APPLETALK is not built in: the kernel asks for module net-pf-5.
af=$(python3 -c 'import socket
try:
    socket.socket(5, socket.SOCK_DGRAM).close(); print("ok")
except OSError as e:
    print(e.errno)')
echo "socket(AF_APPLETALK) -> $af"

step "kexec_load is denied"
expect_eq "kexec_load (unload)" EPERM "$($OP kexec-unload)"

step "BPF program loads are denied; other bpf() commands are not"
expect_eq "BPF_PROG_LOAD" EPERM "$($OP bpf-prog-load)"
expect_eq "BPF_MAP_CREATE" ok "$($OP bpf-map-create)"

step "ptrace: a process outside the caller's subtree, not a descendant"
systemd-run --quiet --unit=sa-kernel-sleep sleep 300
other=$(systemctl show -P MainPID sa-kernel-sleep)
set +e
out=$(timeout 10 strace -p "$other" -e trace=none 2>&1)
rc=$?
set -e
expect_eq "strace -p of another unit's process fails" 1 "$rc"
grep -q "Operation not permitted" <<<"$out" || fail "strace -p said: $out"
expect_eq "PTRACE_ATTACH to another unit's process" EPERM "$($OP ptrace-attach "$other")"
expect_eq "strace of its own child" 0 "$(strace -f -o /dev/null true; echo $?)"
systemctl stop sa-kernel-sleep

step "setuid to root: a process with saved uid 0 cannot take euid 0 back"
expect_eq "seteuid(0) after dropping to 1000" EPERM "$($OP regain-root)"
expect_eq "dropping privileges (root to 1000)" ok \
	"$(python3 -c 'import os; os.setresuid(1000, 1000, 1000); print("ok")')"

step "mount and remount: bound to the mount binary only; remount is audit"
mkdir -p /mnt/sa-kernel2
expect_eq "mount -t tmpfs (mount binary)" 32 \
	"$(mount -t tmpfs sa-test /mnt/sa-kernel2 2>/dev/null; echo $?)"
expect_eq "mount(2) from another binary (not bound)" ok "$($OP mount sa-test /mnt/sa-kernel2 tmpfs)"
umount /mnt/sa-kernel2
expect_eq "mount -o remount (audit)" 0 "$(mount -o remount,size=2m /mnt/sa-kernel; echo $?)"

step "events name the operation"
events=$(journal_events kernel 5)
for op in module_load kexec bpf_load ptrace setuid_root; do
	n=$(jq --arg o "$op" '[.[] | select(.SECAGENT_OPERATION == $o and .SECAGENT_ACTION == "deny")] | length' <<<"$events")
	((n >= 1)) || fail "no deny event for $op: $(jq -c '[.[] | .SECAGENT_OPERATION]' <<<"$events")"
	echo "ok: $n $op event(s)"
done
n=$(jq '[.[] | select(.SECAGENT_OPERATION == "module_request" and .SECAGENT_OBJECT == "net-pf-5")] | length' <<<"$events")
expect_eq "module_request event for net-pf-5" 1 "$((n >= 1))"
mev=$(journal_events kernel-mount 2)
expect_eq "mount event" deny "$(jq -r '[.[] | select(.SECAGENT_OPERATION == "mount")][0].SECAGENT_ACTION' <<<"$mev")"
expect_eq "mount event fs type" tmpfs "$(jq -r '[.[] | select(.SECAGENT_OPERATION == "mount")][0].SECAGENT_OBJECT' <<<"$mev")"
expect_eq "remount event" audit "$(jq -r '[.[] | select(.SECAGENT_OPERATION == "remount")][0].SECAGENT_ACTION' <<<"$mev")"

step "without the agent the kernel parses the module and loads programs"
systemctl stop secagent
expect_eq "init_module with garbage, no agent" ENOEXEC "$($OP init-module)"
expect_eq "BPF_PROG_LOAD, no agent" ok "$($OP bpf-prog-load)"
umount /mnt/sa-kernel || true
echo "24-kernel: all checks passed"
