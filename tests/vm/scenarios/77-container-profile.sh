#!/bin/bash
# A podman container recorded: `profile record --container NAME` while the container is
# restarted and does its work writes a container policy (containers: true, the container's own
# paths). The runtime's own set-up before the entrypoint's exec is not the container's: neither
# recorded nor bound. Bound by annotation, the policy lets the same workload run with no denial,
# and denies an out-of-profile read and exec inside the container.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

IMAGE=localhost/secagent-busybox
TARBALL=/opt/secagent-vm/images/busybox-rootfs.tar
T=$TESTDIR
cleanup() {
	set +e
	podman rm -f -t 0 sa-ctr >/dev/null 2>&1
	secagentctl policy delete sa-ctr >/dev/null 2>&1
}
trap cleanup EXIT

podman_storage
podman image exists "$IMAGE" || podman import -q "$TARBALL" "$IMAGE" >/dev/null ||
	fail "cannot import $TARBALL"
make_testdir
mkdir -p "$T/data"
echo "what the workload reads" >"$T/data/data.txt"
echo "never read while recording" >"$T/data/other.txt"
printf '#!/bin/sh\necho tool ran\n' >"$T/data/tool.sh"
chmod 644 "$T/data"/*.txt
chmod 755 "$T/data/tool.sh"
write_policy /tmp/host.yaml host enforce "$T/nothing-here"
agent_start_with /tmp/host.yaml

# The workload: read its data, list a directory, then wait to be stopped.
WORK='cat /data/data.txt; ls /etc >/dev/null; echo done; exec sleep 3600'
podman rm -f sa-ctr >/dev/null 2>&1 || true
podman run -d --name sa-ctr --network none -v "$T/data:/data:ro" "$IMAGE" sh -c "$WORK" >/dev/null ||
	fail "the container did not start"

step "record the container while it restarts and works"
secagentctl profile record --container sa-ctr --output /tmp/sa-ctr.yaml --events /tmp/sa-ctr.events \
	>/tmp/record.out 2>/tmp/record.err &
recorder=$!
recording=$(recording_started)
[[ $recording == /machine.slice/* ]] ||
	fail "not recording the container's cgroup: $recording; $(cat /tmp/record.err)"
podman restart -t 1 sa-ctr >/dev/null || fail "podman restart failed"
for _ in $(seq 1 100); do
	[[ $(podman logs sa-ctr 2>/dev/null | grep -c done) -ge 2 ]] && break
	sleep 0.2
done
kill -INT $recorder
rc=0
wait $recorder || rc=$?
cat /tmp/record.err /tmp/record.out
expect_eq "the recorder's exit status" 0 "$rc"
podman rm -f sa-ctr >/dev/null
echo "--- the generated policy ---"
cat /tmp/sa-ctr.yaml
grep -q 'containers: true' /tmp/sa-ctr.yaml || fail "not a container policy"
grep -q '"/data/data.txt"' /tmp/sa-ctr.yaml || fail "no rule for the data file, by the container's path"
grep -q "$T" /tmp/sa-ctr.yaml && fail "the policy names a host path"

step "bound by annotation and enforced: the same workload runs with no denial"
apply_enforced /tmp/sa-ctr.yaml
since=$(date +%s)
ctr() { # CMD: runs CMD in a new container bound to the profile; its output and exit code
	local rc=0
	podman run --rm --network none -v "$T/data:/data:ro" \
		--annotation io.secagent.policy=sa-ctr "$IMAGE" sh -c "$1" 2>&1 || rc=$?
	echo "exit=$rc"
}
out=$(ctr "${WORK%%; exec sleep*}")
echo "$out"
[[ $out == *"what the workload reads"*"done"*"exit=0" ]] || fail "the workload failed under its profile"
journalctl --sync
journalctl --no-pager -o json --since "@$since" SECAGENT_POLICY=sa-ctr | jq -c '{p: .SECAGENT_PATH, d: .SECAGENT_DEVICE, i: .SECAGENT_INODE, r: .SECAGENT_RULE, k: .SECAGENT_KIND}'
n=$(journalctl --no-pager -o json --since "@$since" SECAGENT_POLICY=sa-ctr | jq -s length)
expect_eq "denials of the workload under its profile" 0 "$n"

step "out of the profile inside the container: a read and an exec are denied and logged"
out=$(ctr 'cat /data/other.txt')
echo "$out"
[[ $out == *"Operation not permitted"*"exit=1" ]] || fail "the out-of-profile read was not denied"
out=$(ctr '/data/tool.sh')
echo "$out"
[[ $out == *"ermi"*"exit=1"* || $out == *"ermi"*"exit=126"* ]] || fail "the out-of-profile exec was not denied"
[[ $out != *"tool ran"* ]] || fail "the tool ran"
evs=$(journal_events sa-ctr 2)
for want in "file_open /data/other.txt" "file_exec /data/tool.sh"; do
	jq -e --arg k "${want%% *}" --arg p "${want#* }" \
		'[.[] | select(.SECAGENT_KIND == $k and .SECAGENT_PATH == $p and .SECAGENT_ACTION == "deny")] | length > 0' \
		<<<"$evs" >/dev/null || fail "no denial logged for $want"
	echo "ok: logged: $want"
done
secagentctl policy delete sa-ctr
echo "77-container-profile: all checks passed"
