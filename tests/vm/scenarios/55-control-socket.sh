#!/bin/bash
# The control socket is authorised by the peer's credentials and survives abuse: an unprivileged
# caller is refused, 1 MiB of garbage, a half request and a connection closed at once each get an
# error (or nothing, for the closed one), a container binding to the root cgroup is refused, and
# the daemon keeps serving and enforcing throughout.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

SOCK=/run/secagent/control.sock
make_testdir
echo s >"$TESTDIR/s"
chmod 644 "$TESTDIR/s"
write_policy /tmp/cs.yaml control-socket enforce "$TESTDIR/s"
agent_start_with /tmp/cs.yaml
pid=$(systemctl show -P MainPID secagent)
expect_eq "socket mode" "srw-------" "$(stat -c %A "$SOCK")"

cat >/tmp/ctl.py <<'EOP'
import os, socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(40)
    s.connect(sys.argv[1])
    return s
def reply(s):
    try:
        return s.recv(65536).decode(errors="replace").split("\n")[0] or "(empty)"
    except OSError as e:
        return "(%s)" % e.__class__.__name__
what = sys.argv[2]
if what == "garbage":
    # 1 MiB in as many messages as the socket takes; the daemon answers the first and hangs up.
    s = conn()
    sent = 0
    try:
        while sent < (1 << 20):
            s.send(b"\xff" * 65537)
            sent += 65537
    except OSError:
        pass
    print(reply(s), sent)
elif what == "half":
    s = conn()
    try:
        s.send(b"relo")
    except OSError:
        pass
    print(reply(s))
elif what == "closed":
    conn().close()
    print("closed")
elif what == "raw":
    s = conn()
    try:
        s.send(sys.argv[3].encode())
    except OSError:
        pass  # a refused peer may find the socket closed already; the reply is still there
    print(reply(s))
elif what in ("whole", "whole-ns"):
    # The whole reply, its lines joined with " | "; whole-ns sends this process's cgroup
    # namespace with the request, as secagent-oci-hook does.
    s = conn()
    if what == "whole-ns":
        ns = os.open("/proc/self/ns/cgroup", os.O_RDONLY)
        socket.send_fds(s, [sys.argv[3].encode()], [ns])
    else:
        s.send(sys.argv[3].encode())
    print(" | ".join(s.recv(65536).decode(errors="replace").rstrip("\n").split("\n")))
EOP

step "an unprivileged caller is refused"
set +e
out=$(setpriv --reuid=1000 --regid=1000 --clear-groups python3 /tmp/ctl.py "$SOCK" raw status 2>&1)
set -e
grep -q "PermissionError\|Permission denied\|error" <<<"$out" || fail "uid 1000 was not refused: $out"
echo "ok: uid 1000 -> $out"
# Even with the socket's mode opened up, SO_PEERCRED still refuses a non-root peer.
chmod 666 "$SOCK"
out=$(setpriv --reuid=1000 --regid=1000 --clear-groups python3 /tmp/ctl.py "$SOCK" raw status)
expect_eq "reply to uid 1000 on an opened-up socket" error "$out"
chmod 600 "$SOCK"

step "1 MiB of garbage gets an error reply"
read -r first sent < <(python3 /tmp/ctl.py "$SOCK" garbage)
echo "RESULT: garbage: the daemon answered \"$first\" and hung up after $sent of the 1 MiB attempted"
expect_eq "reply to garbage" error "$first"

step "a half request gets an error reply"
expect_eq "reply to 'relo'" error "$(python3 /tmp/ctl.py "$SOCK" half)"

step "a connection closed at once does no harm"
for i in $(seq 1 20); do python3 /tmp/ctl.py "$SOCK" closed >/dev/null; done

step "a container binding to the root cgroup, or a path that climbs to it, is refused"
# Binding "/" would put every process of the host under a container's policy.
for cg in / /system.slice/.. /system.slice/. //system.slice /system.slice/; do
	out=$(python3 /tmp/ctl.py "$SOCK" whole "container-bind ctr-root control-socket $cg")
	[[ $out == "error | cgroup '$cg' is not a container's"* ]] || fail "container-bind of '$cg': $out"
	echo "ok: container-bind of '$cg' -> $out"
done
[[ -z $(secagentctl containers 2>/dev/null | grep ctr-root) ]] || fail "a refused binding is listed"

step "a binding's cgroup path is taken as the host's only from the host's cgroup namespace"
# A runtime in a cgroup namespace sees paths relative to its root: refused, not misread.
out=$(python3 /tmp/ctl.py "$SOCK" whole "container-bind ctr-ns control-socket /system.slice")
[[ $out == "error | the request carries no cgroup namespace"* ]] || fail "no namespace sent: $out"
echo "ok: without a namespace -> $out"
out=$(unshare --cgroup python3 /tmp/ctl.py "$SOCK" whole-ns \
	"container-bind ctr-ns control-socket /system.slice")
[[ $out == "error | the requester is in another cgroup namespace"* ]] ||
	fail "from another cgroup namespace: $out"
echo "ok: from another cgroup namespace -> $out"
# From the host's own namespace the check passes; this policy then is not a container policy.
out=$(python3 /tmp/ctl.py "$SOCK" whole-ns "container-bind ctr-ns control-socket /system.slice")
[[ $out == "error | policy 'control-socket' does not bind containers"* ]] ||
	fail "from the host's cgroup namespace: $out"
echo "ok: from the host's cgroup namespace -> $out"

step "the daemon is the same process, still serves and still enforces"
expect_eq "daemon pid" "$pid" "$(systemctl show -P MainPID secagent)"
expect_eq "status over the socket" ok "$(python3 /tmp/ctl.py "$SOCK" raw status)"
secagentctl status >/dev/null || fail "secagentctl status failed after the abuse"
expect_open "$TESTDIR/s" EPERM
echo "55-control-socket: all checks passed"
