# Sourced by the scenarios: assertions and steps that read like an operator's session.
# Every check either passes or ends the scenario with a message naming what was expected.
set -euo pipefail

POLICY_DIR=/etc/secagent/policies.d
TESTDIR=/srv/secagent-test
TESTUSER=tester

fail() {
	echo "FAIL: $*" >&2
	echo "--- secagent unit log (last 30 lines) ---" >&2
	journalctl -u secagent -o cat --no-pager -n 30 >&2 || true
	# Whether the daemon is the one that started the scenario, and what the kernel said
	# (an OOM kill or a crash shows here before it does in the unit log).
	echo "--- secagent unit: $(systemctl show secagent -p MainPID,NRestarts,Result,ExecMainStatus \
		--no-pager 2>&1 | tr '\n' ' ')" >&2
	echo "--- kernel log (last 10 lines) ---" >&2
	journalctl -k -o short-monotonic --no-pager -n 10 >&2 || true
	exit 1
}

step() { echo "== $*"; }

# try_open PATH [USER]: prints "ok" or the errno name (EPERM, EACCES, ...) of open(PATH, O_RDONLY).
try_open() {
	local prog='import errno, os, sys
try:
    os.close(os.open(sys.argv[1], os.O_RDONLY))
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])'
	if [[ -n ${2:-} ]]; then
		setpriv --reuid="$2" --regid="$2" --clear-groups -- python3 -c "$prog" "$1"
	else
		python3 -c "$prog" "$1"
	fi
}

# try_open_procfd PATH [USER]: opens PATH with O_PATH, then reopens it through /proc/self/fd/N.
try_open_procfd() {
	local prog='import errno, os, sys
fd = os.open(sys.argv[1], os.O_PATH)
try:
    os.close(os.open("/proc/self/fd/%d" % fd, os.O_RDONLY))
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])'
	if [[ -n ${2:-} ]]; then
		setpriv --reuid="$2" --regid="$2" --clear-groups -- python3 -c "$prog" "$1"
	else
		python3 -c "$prog" "$1"
	fi
}

expect_eq() { # WHAT EXPECTED ACTUAL
	[[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"
	echo "ok: $1 -> $3"
}

# expect_open PATH RESULT [USER]
expect_open() {
	expect_eq "open $1${3:+ as uid $3}" "$2" "$(try_open "$1" "${3:-}")"
}

# Starts the daemon under its systemd unit with exactly the given policy files installed.
agent_start_with() {
	systemctl stop secagent 2>/dev/null || true
	mkdir -p "$POLICY_DIR"
	rm -f "$POLICY_DIR"/*.yaml
	local f
	for f in "$@"; do cp "$f" "$POLICY_DIR/"; done
	systemctl reset-failed secagent 2>/dev/null || true
	systemctl start secagent || fail "secagent did not start"
	systemctl is-active --quiet secagent || fail "secagent is not active after start"
}

agent_is_active() { systemctl is-active --quiet secagent; }

# journal_events POLICY: every secagent event of POLICY as one JSON array (waits for COUNT>=1).
journal_events() {
	local policy=$1 min=${2:-1} out i
	for i in $(seq 1 50); do
		journalctl --sync 2>/dev/null || true
		out=$(journalctl -o json --no-pager "SECAGENT_POLICY=$policy" | jq -s '.')
		if (($(jq 'length' <<<"$out") >= min)); then
			echo "$out"
			return 0
		fi
		sleep 0.2
	done
	echo "$out"
}

# unit_log_contains TEXT: the daemon's own log mentions TEXT (waits a little for journald).
unit_log_contains() {
	local i
	for i in $(seq 1 50); do
		journalctl -u secagent -o cat --no-pager | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	return 1
}

make_testdir() {
	# The previous scenario's rules may deny unlinking what it left here: then stop the agent
	# (`systemctl stop` ends enforcement before it returns) and try again.
	if ! rm -rf "$TESTDIR" 2>/dev/null; then
		systemctl stop secagent 2>/dev/null || true
		rm -rf "$TESTDIR"
	fi
	mkdir -p "$TESTDIR"
	chmod 755 "$TESTDIR"
}

# write_policy FILE NAME MODE PATH...: a one-rule deny policy.
write_policy() {
	local file=$1 name=$2 mode=$3
	shift 3
	local paths
	paths=$(printf '%s, ' "$@")
	cat >"$file" <<EOP
apiVersion: secagent/v1
kind: Policy
metadata:
  name: $name
spec:
  mode: $mode
  files:
    - paths: [${paths%, }]
      action: deny
EOP
}

# Podman's storage as on a host: the overlay driver (every runtime's default) with its graphroot
# on an XFS file system, here a loop image. Once per boot; every podman scenario calls it first.
podman_storage() {
	local img=/var/tmp/secagent-containers.img dir=/var/lib/containers/storage
	findmnt -n "$dir" >/dev/null && return 0
	modprobe -a loop overlay xfs || fail "cannot load loop, overlay and xfs"
	truncate -s 2G "$img"
	mkfs.xfs -q "$img" || fail "mkfs.xfs for podman's storage failed"
	mkdir -p "$dir"
	mount -o loop "$img" "$dir" || fail "cannot mount podman's storage"
	[[ $(podman info --format '{{.Store.GraphDriverName}}') == overlay ]] ||
		fail "podman does not use the overlay driver: $(podman info --format '{{.Store.GraphDriverName}}')"
}

# recording_started: waits (up to 10 s) until a recording runs; prints its cgroup, or "none".
recording_started() {
	local r=none
	for _ in $(seq 1 50); do
		r=$(secagentctl status --json | jq -r .recording)
		[[ $r != none ]] && break
		sleep 0.2
	done
	echo "$r"
}

# apply_enforced PROFILE: applies a generated profile (DIR/NAME.yaml, `mode: audit`) switched to
# enforce, as DIR/NAME-enforce.yaml.
apply_enforced() {
	local out=${1%.yaml}-enforce.yaml
	sed 's/^  mode: audit$/  mode: enforce/' "$1" >"$out"
	grep -q '^  mode: enforce$' "$out" || fail "$1 has no '  mode: audit' to switch"
	secagentctl policy apply "$out" || fail "$out was not applied"
}
