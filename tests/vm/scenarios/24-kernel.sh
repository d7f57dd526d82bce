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

# py CODE: runs CODE, prints ok or the errno name of the OSError it raised.
py() {
	python3 -c "import errno, os, socket, ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
def check(r, what):
    if r != 0:
        raise OSError(ctypes.get_errno(), what)
try:
    $1
    print('ok')
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))"
}
init_module='buf = ctypes.create_string_buffer(b"garbage, not an ELF module" * 4)
    check(libc.init_module(buf, len(buf), b""), "init_module")'
# BPF_PROG_LOAD of "r0 = 0; exit" as a socket filter.
prog_load='insns = bytes([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0])
    ib = ctypes.create_string_buffer(insns); lic = ctypes.create_string_buffer(b"GPL")
    attr = ctypes.create_string_buffer(128)
    import struct
    struct.pack_into("IIQQ", attr, 0, 1, 2, ctypes.addressof(ib), ctypes.addressof(lic))
    fd = libc.syscall(321, 5, attr, 128)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "BPF_PROG_LOAD")
    os.close(fd)'
map_create='import struct
    attr = ctypes.create_string_buffer(128)
    struct.pack_into("IIII", attr, 0, 2, 4, 4, 1)
    fd = libc.syscall(321, 0, attr, 128)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "BPF_MAP_CREATE")
    os.close(fd)'

step "modules: explicit and on-demand loads are denied"
expect_eq "init_module with garbage" EPERM "$(py "$init_module")"
af=$(py 'socket.socket(5, socket.SOCK_DGRAM).close()') # AF_APPLETALK: request_module("net-pf-5")
echo "socket(AF_APPLETALK) -> $af"

step "kexec_load is denied"
expect_eq "kexec_load (unload)" EPERM "$(py 'check(libc.syscall(246, 0, 0, None, 0), "kexec_load")')"

step "BPF program loads are denied; other bpf() commands are not"
expect_eq "BPF_PROG_LOAD" EPERM "$(py "$prog_load")"
expect_eq "BPF_MAP_CREATE" ok "$(py "$map_create")"

step "ptrace: a process outside the caller's subtree, not a descendant"
systemd-run --quiet --unit=sa-kernel-sleep sleep 300
other=$(systemctl show -P MainPID sa-kernel-sleep)
set +e
out=$(timeout 10 strace -p "$other" -e trace=none 2>&1)
rc=$?
set -e
expect_eq "strace -p of another unit's process fails" 1 "$rc"
grep -q "Operation not permitted" <<<"$out" || fail "strace -p said: $out"
expect_eq "strace of its own child" 0 "$(strace -f -o /dev/null true; echo $?)"
systemctl stop sa-kernel-sleep

step "setuid to root: a process with saved uid 0 cannot take euid 0 back"
expect_eq "seteuid(0) after dropping to 1000" EPERM \
	"$(py 'os.setresuid(1000, 1000, 0); os.seteuid(0)')"
expect_eq "dropping privileges (root to 1000)" ok "$(py 'os.setresuid(1000, 1000, 1000)')"

step "mount and remount: bound to the mount binary only; remount is audit"
mkdir -p /mnt/sa-kernel2
expect_eq "mount -t tmpfs (mount binary)" 32 \
	"$(mount -t tmpfs sa-test /mnt/sa-kernel2 2>/dev/null; echo $?)"
expect_eq "mount(2) from python (not bound)" ok \
	"$(py 'check(libc.mount(b"sa-test", b"/mnt/sa-kernel2", b"tmpfs", 0, None), "mount")')"
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
expect_eq "init_module with garbage, no agent" ENOEXEC "$(py "$init_module")"
expect_eq "BPF_PROG_LOAD, no agent" ok "$(py "$prog_load")"
umount /mnt/sa-kernel || true
echo "24-kernel: all checks passed"
