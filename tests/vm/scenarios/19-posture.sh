#!/bin/bash
# An allow list: a policy with a selector and `posture: deny` gives a systemd service what its
# rules allow and nothing else, for files, exec, network, capabilities and kernel operations,
# each denial logged and named by the posture's line. Rules of any policy that binds the process
# decide before a posture does (a host-wide deny still denies, a host-wide allow still allows);
# processes outside the selector are untouched.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

T=$TESTDIR
make_testdir
mkdir -p "$T/pub" "$T/host"
echo data >"$T/pub/data"
echo secret >"$T/pub/secret"
echo other >"$T/other"
echo open >"$T/host/open"
echo closed >"$T/host/closed"
: >"$T/out"
mkdir -p /run/sa-posture-mnt
cp /usr/bin/true "$T/prog"
chmod 644 "$T"/pub/* "$T"/other "$T"/host/* "$T/out"
unit=sa-posture.service
# The service manager's library: the unit may not load it, its set-up by the manager must.
mgrlib=$(ldd /usr/lib/systemd/systemd | awk '/libsystemd-shared/ { print $3 }')
[[ -n $mgrlib ]] || fail "no libsystemd-shared in ldd /usr/lib/systemd/systemd"
mgrlib=$(dirname "$mgrlib")

cat >/tmp/web.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: web}
spec:
  selector:
    cgroups: [/system.slice/$unit]
  posture: deny
  files:
    - paths: [/usr/, /etc/, /dev/, /run/]
      access: [read, mmap]
      action: allow
    - paths: [$mgrlib/]
      access: [read, mmap]
      action: deny
    - paths: [/proc/, /sys/]    # whole file systems: their inode numbers name nothing below
      access: [read]
      action: allow
    - paths: [/dev/null]
      access: [write]
      action: allow
    - paths: [$T/pub/]
      access: [read]
      action: allow
    - paths: [$T/out]
      access: [read, write, setattr]
      action: allow
  exec:
    - paths: [/usr/]
      action: allow
  network:
    - operations: [create]
      families: [ipv4, unix]
      action: allow
    - operations: [connect]
      addresses: [127.0.0.1]
      ports: [9901]
      protocols: [tcp]
      action: allow
  capabilities:
    - names: [CAP_SYS_ADMIN]
      action: allow
EOP
# Host-wide rules, no selector: they bind the service too, and decide before its posture.
cat >/tmp/host.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: host}
spec:
  files:
    - paths: [$T/pub/secret, $T/host/]
      action: deny
    - paths: [$T/host/open]
      access: [read]
      action: allow
EOP
agent_start_with /tmp/web.yaml /tmp/host.yaml

# A listener outside the service on 9901 and 9902: a refused connect would say ECONNREFUSED.
python3 - <<'EOF' &
import socket, threading, time
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(16)
    while True:
        c, _ = s.accept(); c.close()
for p in (9901, 9902):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
time.sleep(120)
EOF
listener=$!
trap 'kill $listener 2>/dev/null || true' EXIT
sleep 1

# in_service CHECK...: runs each check inside $unit, prints "NAME RESULT" lines.
in_service() {
	systemd-run --quiet --wait --collect --pipe --unit="$unit" \
		python3 - "$T" "$@" </dev/null <<'EOF'
import ctypes, errno, os, socket, subprocess, sys
T = sys.argv[1]
def res(f):
    try:
        f(); return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
def read(p): os.close(os.open(p, os.O_RDONLY))
def write(p): os.close(os.open(p, os.O_WRONLY))
def run(p):
    r = subprocess.run([p]); assert r.returncode == 0
def connect(port):
    s = socket.socket(); s.settimeout(5)
    try: s.connect(("127.0.0.1", port))
    finally: s.close()
def mount():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"none", b"/run/sa-posture-mnt", b"tmpfs", 0, None) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
    libc.umount2(b"/run/sa-posture-mnt", 0)
checks = {
    "read-allowed": lambda: read(T + "/pub/data"),
    "read-other": lambda: read(T + "/other"),
    "write-readonly": lambda: write(T + "/pub/data"),
    "write-allowed": lambda: write(T + "/out"),
    "exec-allowed": lambda: run("/usr/bin/true"),
    "exec-other": lambda: run(T + "/prog"),
    "connect-allowed": lambda: connect(9901),
    "connect-other": lambda: connect(9902),
    "chown": lambda: os.chown(T + "/out", 1000, 1000),
    "mount": mount,
    "host-deny": lambda: read(T + "/pub/secret"),
    "host-allow": lambda: read(T + "/host/open"),
    "host-subtree": lambda: read(T + "/host/closed"),
}
for name in sys.argv[2:]:
    print(name, res(checks[name]))
EOF
}

out=$(in_service read-allowed read-other write-readonly write-allowed exec-allowed exec-other \
	connect-allowed connect-other chown mount host-deny host-allow host-subtree) ||
	fail "the service did not run (exit $?): $(journalctl --no-pager -o cat SECAGENT_POLICY=web | tail -n 20)"

echo "$out"
result_of() { awk -v n="$1" '$1 == n { print $2 }' <<<"$out"; }

step "what the rules allow works"
for c in read-allowed write-allowed exec-allowed connect-allowed; do
	expect_eq "$c inside the service" ok "$(result_of "$c")"
done

step "everything else is denied by the posture, one kind each"
for c in read-other write-readonly exec-other connect-other chown mount; do
	expect_eq "$c inside the service" EPERM "$(result_of "$c")"
done

step "host-wide rules decide before the posture"
expect_eq "a host-wide deny inside what the service may read" EPERM "$(result_of host-deny)"
expect_eq "a host-wide allow the posture would deny" ok "$(result_of host-allow)"
expect_eq "the host-wide deny subtree around it" EPERM "$(result_of host-subtree)"

step "outside the selector nothing changes"
expect_open "$T/other" ok
expect_eq "run $T/prog here" ok "$("$T/prog" && echo ok)"

step "each posture denial is logged, named by the posture's line and kind"
evs=$(journal_events web 6)
posture_rule="$POLICY_DIR/web.yaml:7:12"
check_event() { # WHAT KIND POSTURE FILTER
	local ev
	ev=$(jq -c "[.[] | select(.SECAGENT_KIND == \"$2\" and ($4))][0]" <<<"$evs")
	[[ $ev != null ]] || fail "no $1 event of kind $2: $(jq -c '[.[] | {SECAGENT_KIND, SECAGENT_PATH, SECAGENT_PORT}]' <<<"$evs")"
	expect_eq "$1: action" deny "$(jq -r .SECAGENT_ACTION <<<"$ev")"
	expect_eq "$1: posture" "$3" "$(jq -r .SECAGENT_POSTURE <<<"$ev")"
	expect_eq "$1: rule" "$posture_rule" "$(jq -r .SECAGENT_RULE <<<"$ev")"
}
check_event "read of other" file_open files ".SECAGENT_PATH == \"$T/other\""
check_event "write of data" file_open files ".SECAGENT_PATH == \"$T/pub/data\""
check_event "exec of prog" file_exec exec ".SECAGENT_PATH == \"$T/prog\""
check_event "connect to 9902" connect network '.SECAGENT_PORT == "9902"'
check_event "chown" capability capabilities '.SECAGENT_CAPABILITY == "CAP_CHOWN"'
check_event "mount" kernel kernel '.SECAGENT_OPERATION == "mount"'
ev=$(journal_events host 1 | jq -c "[.[] | select(.SECAGENT_PATH == \"$T/pub/secret\")][0]")
expect_eq "the host-wide deny is the host policy's rule, not a posture" "null" \
	"$(jq -r .SECAGENT_POSTURE <<<"$ev")"

step "the manager's set-up is left out only for a child pid 1 forked, until the command's exec"
# systemd-executor (256 on) loads $mgrlib at each start. The unit's command itself may not, even
# when it is the manager's program (user@.service runs systemd). Both are denied the library
# (ld.so then reports the last place it looked).
if out=$(systemd-run --quiet --wait --collect --pipe --unit="$unit" \
	/usr/lib/systemd/systemd --version </dev/null 2>&1); then
	fail "the manager's program ran as the unit's command: $out"
fi
grep -q "error while loading shared libraries" <<<"$out" || fail "the command's failure: $out"
# Nor may a unit's process that pid 1 adopted (its parent exited before it ran the program).
out=$(systemd-run --quiet --wait --collect --pipe --unit="$unit" /bin/sh -c '
	pid=$(sh -c "sleep 1; exec /usr/lib/systemd/systemd --version" >&2 & echo $!)
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done' </dev/null 2>&1) || true
grep -q "error while loading shared libraries" <<<"$out" || fail "the adopted process's run: $out"
if grep -q "^systemd [0-9]" <<<"$out"; then
	fail "the manager's program ran unbound in an adopted process: $out"
fi
n=$(journal_events web 8 | jq --arg d "$mgrlib/" \
	'[.[] | select(.SECAGENT_KIND == "file_open" and (.SECAGENT_PATH | startswith($d)))] | length')
((n >= 2)) || fail "expected 2 denials of $mgrlib/ logged, found $n"
echo "ok: the manager's program was denied its library twice, $n logged"

step "a posture that denies without a selector is refused, and the running set stays"
gen=$(secagentctl status --json | jq -r .generation)
cat >/tmp/bad-posture.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: lockout}
spec:
  posture:
    files: deny
EOP
if secagentctl policy apply /tmp/bad-posture.yaml 2>/tmp/apply.err; then
	fail "a deny posture without a selector was accepted"
fi
grep -q "bad-posture.yaml:6:12: posture files: deny needs a selector" /tmp/apply.err ||
	fail "unexpected message: $(cat /tmp/apply.err)"
echo "ok: refused: $(head -n1 /tmp/apply.err)"
expect_eq "generation after the refused policy" "$gen" "$(secagentctl status --json | jq -r .generation)"
expect_eq "still denied after the refused policy" EPERM "$(in_service read-other | awk '{print $2}')"

kill $listener 2>/dev/null || true
echo "19-posture: all checks passed"
