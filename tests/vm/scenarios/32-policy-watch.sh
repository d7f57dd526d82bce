#!/bin/bash
# The daemon follows its policy directory without SIGHUP. First as a Kubernetes ConfigMap volume,
# built the way the kubelet builds one: a tmpfs (mode 1777) the kubelet's atomic writer fills
# (a timestamped directory, a "..data" symlink renamed over to switch, each key a symlink through
# it), mounted read-only where the daemon reads it, as the container runtime mounts it into the
# DaemonSet's pod. A new key and an edited key take effect within 5 s of the switch; a broken
# edit, or a key whose file others may write, is refused with file:line:column and the old set
# keeps enforcing; a switch made while a reload runs is not lost. Then a plain directory: a file
# still being written is not read half, and --no-watch leaves reloading to SIGHUP.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

KUBELET_VOL=/var/lib/kubelet/pods/0b5e1d2c-3f4a-4b6c-8d7e-9f0a1b2c3d4e/volumes/kubernetes.io~configmap/secagent-policies
DROPIN=/run/systemd/system/secagent.service.d/32-no-watch.conf
cleanup() {
	systemctl stop secagent 2>/dev/null || true
	umount "$POLICY_DIR" 2>/dev/null || true
	umount "$KUBELET_VOL" 2>/dev/null || true
	rm -f "$DROPIN"
	systemctl daemon-reload
}
trap cleanup EXIT

# atomic_write DIR MODE SRC: the kubelet's atomic writer (pkg/volume/util/atomic_writer.go) makes
# DIR hold exactly the files of directory SRC as keys, each written with MODE (the volume's
# defaultMode): the payload goes into a new "..<timestamp>" directory (atomic_stage), then
# (atomic_switch) "..data_tmp" is made to point at it and renamed over "..data" (the switch: one
# rename), keys new to the payload get their symlink "KEY -> ..data/KEY", keys gone from it lose
# theirs, and the old directory goes. atomic_switch writes the time of the rename to
# /tmp/32-switched (microseconds).
atomic_stage() { # DIR MODE SRC: prints the new directory's name
	local dir=$1 mode=$2 src=$3 ts k
	ts=..$(date -u +%Y_%m_%d_%H_%M_%S.%N)
	mkdir -m 0755 "$dir/$ts"
	for k in "$src"/*; do
		install -m "$mode" "$k" "$dir/$ts/$(basename "$k")"
	done
	echo "$ts"
}
atomic_switch() { # DIR TS SRC
	local dir=$1 ts=$2 src=$3 old k
	old=$(readlink "$dir/..data" 2>/dev/null || true)
	ln -s "$ts" "$dir/..data_tmp"
	mv -T "$dir/..data_tmp" "$dir/..data"
	date +%s%6N >/tmp/32-switched
	for k in "$src"/*; do
		k=$(basename "$k")
		[[ -L $dir/$k ]] || ln -s "..data/$k" "$dir/$k"
	done
	for k in "$dir"/*; do
		[[ -e $src/$(basename "$k") ]] || rm -f "$k"
	done
	[[ -z $old ]] || rm -rf "${dir:?}/$old"
}
atomic_write() { # DIR MODE SRC
	local ts
	ts=$(atomic_stage "$@")
	atomic_switch "$1" "$ts" "$3"
}
# within SECONDS PATH RESULT: polls until opening PATH as uid 1000 gives RESULT, for at most
# SECONDS; prints the milliseconds it took.
within() {
	local t0 i
	t0=$(date +%s%N)
	for i in $(seq 1 $(($1 * 20))); do
		[[ $(try_open "$2" 1000) == "$3" ]] && { echo $((($(date +%s%N) - t0) / 1000000)); return 0; }
		sleep 0.05
	done
	fail "open $2 as uid 1000 did not become $3 within $1 s"
}
generation() { secagentctl status --json | jq -r .generation; }

make_testdir
for f in a b c d e half; do echo "$f" >"$TESTDIR/$f"; chmod 644 "$TESTDIR/$f"; done
payload=/tmp/32-payload
rm -rf "$payload" /tmp/32-payload2 && mkdir -p "$payload"

step "a ConfigMap volume: tmpfs of mode 1777, filled by the atomic writer, mounted read-only"
systemctl stop secagent 2>/dev/null || true
mkdir -p "$KUBELET_VOL"
mount -t tmpfs tmpfs "$KUBELET_VOL"
expect_eq "mode of the volume's root" 1777 "$(stat -c %a "$KUBELET_VOL")"
write_policy "$payload/a.yaml" cm-a enforce "$TESTDIR/a"
atomic_write "$KUBELET_VOL" 0644 "$payload"
mkdir -p "$POLICY_DIR"
mount --bind "$KUBELET_VOL" "$POLICY_DIR"
mount -o remount,bind,ro "$POLICY_DIR"
ls -la "$POLICY_DIR"
systemctl reset-failed secagent 2>/dev/null || true
systemctl start secagent || fail "secagent did not start on a ConfigMap-style directory"
expect_open "$TESTDIR/a" EPERM 1000
expect_open "$TESTDIR/b" ok 1000
expect_eq "status: policy_watch" on "$(secagentctl status --json | jq -r .policy_watch)"

step "a new key takes effect within 5 s of the switch, without SIGHUP"
write_policy "$payload/b.yaml" cm-b enforce "$TESTDIR/b"
atomic_write "$KUBELET_VOL" 0644 "$payload"
ms=$(within 5 "$TESTDIR/b" EPERM)
echo "RESULT: new key enforced $ms ms after the ..data switch"
expect_open "$TESTDIR/a" EPERM 1000

step "an edited key takes effect within 5 s"
write_policy "$payload/a.yaml" cm-a enforce "$TESTDIR/c"
atomic_write "$KUBELET_VOL" 0644 "$payload"
ms=$(within 5 "$TESTDIR/c" EPERM)
echo "RESULT: edited key enforced $ms ms after the ..data switch"
expect_open "$TESTDIR/a" ok 1000
expect_open "$TESTDIR/b" EPERM 1000

step "a broken edit is refused with file:line:column; the old set keeps enforcing"
gen=$(generation)
printf 'apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: cm-a\nspec:\n  files:\n    - paths: [%s]\n      action: forbid\n' \
	"$TESTDIR/a" >"$payload/a.yaml"
atomic_write "$KUBELET_VOL" 0644 "$payload"
unit_log_contains "$POLICY_DIR/a.yaml:8:15: " || fail "the refused edit is not logged as a.yaml:8:15"
expect_eq "generation after the broken edit" "$gen" "$(generation)"
expect_open "$TESTDIR/c" EPERM 1000
expect_open "$TESTDIR/b" EPERM 1000
expect_open "$TESTDIR/a" ok 1000

step "a key others may write (defaultMode 0666) is refused: the checks apply to the symlink's target"
write_policy "$payload/a.yaml" cm-a enforce "$TESTDIR/d"
atomic_write "$KUBELET_VOL" 0666 "$payload"
unit_log_contains "$POLICY_DIR/a.yaml: refusing it: mode 0666 lets everyone write it" ||
	fail "a world-writable key was not refused"
expect_eq "generation after the refused key" "$gen" "$(generation)"
expect_open "$TESTDIR/d" ok 1000
expect_open "$TESTDIR/c" EPERM 1000
atomic_write "$KUBELET_VOL" 0644 "$payload"
within 5 "$TESTDIR/d" EPERM >/dev/null

step "a switch made while a reload runs is not lost"
# A 10,000-path key makes each reload take seconds under TCG; the second switch lands in it.
mkdir -p "$TESTDIR/many"
python3 - "$TESTDIR/many" >"$payload/big.yaml" <<'EOP'
import sys
d = sys.argv[1]
print("apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: cm-big}\nspec:\n  files:")
for r in range(5):  # 2,000 paths a rule: a rule takes at most 4,096
    paths = []
    for i in range(r * 2000, (r + 1) * 2000):
        open("%s/f%d" % (d, i), "w").close()
        paths.append("%s/f%d" % (d, i))
    print("    - paths: [%s]\n      action: deny" % ", ".join(paths))
EOP
# The daemon's log lines from the unit since cursor $1 as "REALTIME_USEC MESSAGE".
log_since() {
	journalctl -u secagent --after-cursor "$1" -o json --no-pager |
		jq -r '"\(.__REALTIME_TIMESTAMP) \(.MESSAGE)"'
}
# The second payload is staged first, so that its switch is two quick commands.
cp -r "$payload" /tmp/32-payload2
write_policy /tmp/32-payload2/e.yaml cm-e enforce "$TESTDIR/e"
ts2=$(atomic_stage "$KUBELET_VOL" 0644 /tmp/32-payload2)
cursor=$(journalctl -u secagent -n 1 -o json --no-pager | jq -r .__CURSOR)
atomic_write "$KUBELET_VOL" 0644 "$payload"
# The reload starts 300 ms after the first switch (the settle time) and takes seconds.
sleep 0.4
atomic_switch "$KUBELET_VOL" "$ts2" /tmp/32-payload2
switched=$(cat /tmp/32-switched)
# Two reloads of the big key in a row: seconds each under TCG.
ms=$(within 20 "$TESTDIR/e" EPERM)
echo "RESULT: e enforced $ms ms after the second switch"
journalctl --sync
# The end of the reload that the first switch started: it must have succeeded, after the
# second switch (else nothing overlapped and this step proved nothing).
log_since "$cursor" >/tmp/32-log
start=$(grep -m1 'changed: reloading' /tmp/32-log | cut -d' ' -f1)
sed -n '/changed: reloading/,$p' /tmp/32-log | grep -m1 -E 'Policy generation|rejected' >/tmp/32-end || true
[[ $(cut -d' ' -f2- /tmp/32-end) == "Policy generation"* ]] || fail "the reload of the big key did not succeed: $(cat /tmp/32-end)"
end=$(cut -d' ' -f1 /tmp/32-end)
((start < switched && switched < end)) ||
	fail "the second switch (at $switched) was not made while the reload ran ($start to $end): nothing overlapped"
echo "RESULT: the second switch came $(((end - switched) / 1000)) ms before the running reload ended"
expect_open "$TESTDIR/many/f9999" EPERM 1000
expect_open "$TESTDIR/d" EPERM 1000

step "a plain directory: a policy still being written is not read half"
systemctl stop secagent
umount "$POLICY_DIR"
umount "$KUBELET_VOL"
write_policy /tmp/32-a.yaml plain-a enforce "$TESTDIR/a"
agent_start_with /tmp/32-a.yaml
gen=$(generation)
write_policy /tmp/32-half.yaml plain-half enforce "$TESTDIR/half"
head -c 60 /tmp/32-half.yaml >/tmp/32-half.first
tail -c +61 /tmp/32-half.yaml >/tmp/32-half.rest
exec 3>"$POLICY_DIR/half.yaml"
cat /tmp/32-half.first >&3
sleep 1.5 # five settle periods with the file open
expect_eq "generation while half.yaml is open for writing" "$gen" "$(generation)"
journalctl -u secagent -o cat --no-pager | grep -q "half.yaml:" && fail "the daemon read half.yaml half-written"
cat /tmp/32-half.rest >&3
exec 3>&-
ms=$(within 5 "$TESTDIR/half" EPERM)
echo "RESULT: a file closed after writing enforced $ms ms after"
expect_eq "generations used by the written file" $((gen + 1)) "$(generation)"

step "--no-watch: changes wait for SIGHUP"
mkdir -p "$(dirname "$DROPIN")"
printf '[Service]\nExecStart=\nExecStart=/usr/sbin/secagentd --no-watch\n' >"$DROPIN"
systemctl daemon-reload
agent_start_with /tmp/32-a.yaml
expect_eq "status: policy_watch" off "$(secagentctl status --json | jq -r .policy_watch)"
cp /tmp/32-half.yaml "$POLICY_DIR/half.yaml"
sleep 1
expect_open "$TESTDIR/half" ok 1000
systemctl reload secagent
within 5 "$TESTDIR/half" EPERM >/dev/null
echo "ok: with --no-watch the change waited for SIGHUP"
