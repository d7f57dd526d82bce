#!/bin/bash
# Container policies through secagent-oci-hook: two podman containers that name different
# policies in io.secagent.policy are each held to their own file and network rules from their
# first exec on; a
# container that names none, and the host, are not touched; the binding survives a daemon
# restart and goes when the container is removed; with the daemon stopped, or for a policy the
# daemon does not have, the container does not start; nor when the bundle's config.json cannot say
# what it asks for (the hook called as a runtime calls it).
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

IMAGE=localhost/secagent-busybox
TARBALL=/opt/secagent-vm/images/busybox-rootfs.tar
HOOKS_DIR=/usr/share/containers/oci/hooks.d
T=$TESTDIR

for t in podman crun runc; do
	command -v "$t" >/dev/null || fail "$t is not installed in the guest"
done
[[ -f $HOOKS_DIR/secagent-createruntime.json && -f $HOOKS_DIR/secagent-poststop.json ]] ||
	fail "the secagent hooks.d files are not installed in $HOOKS_DIR"
podman_storage
podman image exists "$IMAGE" || podman import -q "$TARBALL" "$IMAGE" >/dev/null ||
	fail "cannot import $TARBALL"

make_testdir
mkdir -p "$T/data" "$T/out"
echo a >"$T/data/a-secret"
echo b >"$T/data/b-secret"
chmod 644 "$T/data"/*
chmod 777 "$T/out"

declare -A PORT=([a]=7001 [b]=7002) # each policy denies connect to 127.0.0.1 on its own port
for p in a b; do
	cat >"/tmp/web-$p.yaml" <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: web-$p}
spec:
  selector:
    containers: true
  files:
    - paths: [/data/$p-secret]    # as the container sees it: the host's $T/data through a volume
      action: deny
  network:
    - {operations: [connect], addresses: [127.0.0.1], ports: [${PORT[$p]}], action: deny}
EOP
done
write_policy /tmp/host-only.yaml host-only enforce "$T/data/nothing-here"

# ctr_run POLICY|- [PODMAN-OPTIONS...] -- CMD...: runs a container; prints its output and exit code.
ctr_run() {
	local policy=$1 opts=()
	shift
	while [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	[[ $policy != - ]] && opts+=(--annotation "io.secagent.policy=$policy")
	local rc=0
	podman run --rm --network none -v "$T/data:/data:ro" -v "$T/out:/out" "${opts[@]}" \
		"$IMAGE" "$@" 2>&1 || rc=$?
	echo "exit=$rc"
}

# hook_said TEXT: the hook's journal entries that contain TEXT, one per line.
hook_said() { journalctl -o cat --no-pager -t secagent-oci-hook | grep -F -- "$1" || true; }

# expect_ctr WHAT EXPECTED-EXIT OUTPUT-PATTERN POLICY [OPTS...] -- CMD...
# EXPECTED-EXIT "refused": podman's own failure (125-127), the command never ran, and the hook
# said PATTERN: on stderr, which runc passes on, and in the journal, where crun users find it
# (crun reports only that the hook failed).
expect_ctr() {
	local what=$1 want=$2 pattern=$3 out rc said before
	shift 3
	before=$(hook_said "$pattern" | wc -l)
	out=$(ctr_run "$@")
	rc=${out##*exit=}
	if [[ $want == refused ]]; then
		((rc >= 125 && rc <= 127)) || fail "$what: expected podman to refuse, got: $out"
		journalctl --sync
		said=$(hook_said "$pattern" | tail -n +$((before + 1)))
		[[ -n $said ]] || fail "$what: no new journal entry of the hook says '$pattern'"
		[[ $* != *"--runtime runc"* || $out == *$pattern* ]] ||
			fail "$what: runc did not pass on the hook's stderr '$pattern': $out"
		echo "ok: $what (exit $rc; the hook said: $said)"
		return 0
	fi
	[[ $rc == "$want" ]] || fail "$what: expected exit $want, got: $out"
	[[ -z $pattern || $out == *$pattern* ]] || fail "$what: expected '$pattern' in: $out"
	echo "ok: $what (exit $rc)"
}

bound_containers() { secagentctl containers --json | jq -r '.[] | "\(.id) \(.policy) \(.state)"'; }

step "agent with two container policies; the host is not bound by either"
agent_start_with /tmp/web-a.yaml /tmp/web-b.yaml /tmp/host-only.yaml
expect_open "$T/data/a-secret" ok
expect_open "$T/data/b-secret" ok

step "each container is held to its own policy from its first exec on"
expect_ctr "web-a: the entrypoint reads a-secret" 1 "Operation not permitted" web-a -- \
	cat /data/a-secret
expect_ctr "web-a: b-secret is another policy's" 0 "" web-a -- cat /data/b-secret
expect_ctr "web-b: the entrypoint reads b-secret" 1 "Operation not permitted" web-b -- \
	cat /data/b-secret
expect_ctr "web-b: a-secret is another policy's" 0 "" web-b -- cat /data/a-secret
expect_ctr "no annotation: no policy" 0 "" - -- sh -c 'cat /data/a-secret /data/b-secret'
expect_ctr "web-a under runc" 1 "Operation not permitted" web-a --runtime runc -- \
	cat /data/a-secret
expect_open "$T/data/a-secret" ok
expect_open "$T/data/b-secret" ok

# ctr_connect POLICY PORT: busybox nc to 127.0.0.1:PORT in a container (nothing listens there).
ctr_connect() { ctr_run "$1" -- nc 127.0.0.1 "$2" </dev/null; }
# host_connect PORT: what connect() to 127.0.0.1:PORT fails with on the host.
host_connect() {
	python3 -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    print("connected")
except OSError as e:
    print(e.strerror)' "$1"
}
for p in a b; do
	own=${PORT[$p]}
	other=${PORT[$([[ $p == a ]] && echo b || echo a)]}
	out=$(ctr_connect "web-$p" "$own")
	[[ $out == *"can't connect"*"Operation not permitted"* ]] ||
		fail "web-$p: connect to its own denied port $own: $out"
	echo "ok: web-$p: connect to 127.0.0.1:$own denied: ${out%%$'\n'*}"
	out=$(ctr_connect "web-$p" "$other")
	[[ $out == *"can't connect"* && $out != *"Operation not permitted"* ]] ||
		fail "web-$p: connect to $other (the other policy's port) should fail only as nothing listens: $out"
	echo "ok: web-$p: 127.0.0.1:$other is not its rule: ${out%%$'\n'*}"
done
out=$(ctr_connect - 7001)
[[ $out != *"Operation not permitted"* ]] || fail "an unannotated container was denied 7001: $out"
for port in 7001 7002; do
	out=$(host_connect "$port")
	[[ $out != *"not permitted"* ]] || fail "the host was denied connect to $port: $out"
	echo "ok: host: connect to 127.0.0.1:$port: $out"
done
expect_eq "web-a's network denial in the journal" true \
	"$(journal_events web-a 1 | jq '[.[] | select(.SECAGENT_PORT == "7001" and .SECAGENT_ACTION == "deny")] | length >= 1')"

events=$(journal_events web-a 2)
echo "web-a events: $(jq -c '[.[] | {SECAGENT_ACTION, SECAGENT_PATH, SECAGENT_COMM}]' <<<"$events")"
expect_eq "web-a denials in the journal (crun and runc)" true \
	"$(jq '[.[] | select(.SECAGENT_ACTION == "deny" and .SECAGENT_COMM == "cat") |
		(.SECAGENT_COUNT // "1" | tonumber)] | add >= 2' <<<"$events")"
expect_eq "no web-b event names a-secret" 0 \
	"$(journal_events web-b 1 | jq '[.[] | select(.SECAGENT_PATH | tostring | endswith("a-secret"))] | length')"
expect_eq "no container left bound" "" "$(bound_containers)"

step "a running container stays bound across a daemon restart, and is unbound when removed"
podman run -d --name sa-web-a --network none --annotation io.secagent.policy=web-a \
	-v "$T/data:/data:ro" "$IMAGE" sleep 600 >/dev/null || fail "cannot start sa-web-a"
id=$(podman inspect -f '{{.Id}}' sa-web-a)
expect_eq "secagentctl containers lists it" "$id web-a bound" "$(bound_containers)"
out=$(podman exec sa-web-a cat /data/a-secret 2>&1) && fail "exec in sa-web-a read a-secret: $out"
echo "ok: podman exec is denied too: $out"
systemctl restart secagent || fail "secagent did not restart"
expect_eq "bound again after the restart" "$id web-a bound" "$(bound_containers)"
out=$(podman exec sa-web-a cat /data/a-secret 2>&1) &&
	fail "after the restart, sa-web-a read a-secret: $out"
echo "ok: still denied after the restart"
expect_eq "b-secret still readable in sa-web-a" b "$(podman exec sa-web-a cat /data/b-secret)"
podman rm -f -t 0 sa-web-a >/dev/null
for i in $(seq 1 50); do
	[[ -z $(bound_containers) ]] && break
	sleep 0.2
done
expect_eq "the binding is gone once the container is removed" "" "$(bound_containers)"

step "a policy the daemon does not have: the container does not start"
rm -f "$T/out"/*
expect_ctr "unknown policy" refused "no policy named 'nope'" nope -- touch /out/started-nope
expect_ctr "unknown policy under runc" refused "no policy named 'nope'" nope --runtime runc -- \
	touch /out/started-nope-runc
expect_ctr "a policy without containers: true" refused "does not bind containers" host-only -- \
	touch /out/started-host-only
[[ -z $(ls "$T/out") ]] || fail "a refused container ran its entrypoint: $(ls "$T/out")"

step "the hook fails closed when the bundle's config.json cannot say what the container asks"
# As a runtime calls it: the state on stdin without annotations, the bundle's config.json to
# read. Each of these once let the container start unconfined, silently.
HOOK=/usr/libexec/secagent/secagent-oci-hook
B=$(mktemp -d)
hook_state() { printf '{"ociVersion": "1.0.2", "id": "hook-%s", "pid": %d, "bundle": "%s"}' \
	"$1" $$ "$B"; }
for case in missing not-json annotation-twice not-a-string too-large; do
	rm -f "$B/config.json"
	case $case in
	not-json) echo '{"annotations": {"io.secagent.policy": "web-a"' >"$B/config.json" ;;
	annotation-twice) echo '{"annotations": {"io.secagent.policy": "web-a"}, "annotations": {}}' \
		>"$B/config.json" ;;
	not-a-string) echo '{"annotations": {"io.secagent.policy": ["web-a"]}}' >"$B/config.json" ;;
	too-large) head -c $((17 << 20)) /dev/zero | tr '\0' ' ' >"$B/config.json" ;;
	esac
	rc=0
	out=$(hook_state "$case" | "$HOOK" createRuntime 2>&1) || rc=$?
	expect_eq "hook exit, config.json $case" 1 "$rc"
	grep -q "refusing to start the container unconfined" <<<"$out" || fail "hook, $case: $out"
done
echo '{"annotations": {"other": "x"}}' >"$B/config.json"
expect_eq "hook exit, config.json asking for no policy" 0 \
	"$(hook_state none | "$HOOK" createRuntime >/dev/null 2>&1; echo $?)"
rm -rf "$B"

step "daemon stopped: a container that asks for a policy does not start, others do"
systemctl stop secagent
expect_ctr "web-a with no daemon" refused "not reachable" web-a -- touch /out/started-a
[[ ! -e $T/out/started-a ]] || fail "the container ran its entrypoint without its policy"
expect_ctr "no annotation with no daemon" 0 "" - -- touch /out/started-plain
[[ -e $T/out/started-plain ]] || fail "the unannotated container did not run"
echo "PASS"
