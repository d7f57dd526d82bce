#!/bin/bash
# Enforcement outlives the daemon: through SIGKILL, the gap before systemd restarts it, and the
# adoption by the new daemon, not one read of the protected file gets through. `systemctl stop`
# ends enforcement cleanly; an incompatible pin set is replaced, never used.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

PIN_DIR=/sys/fs/bpf/secagent
make_testdir
echo p >"$TESTDIR/p"
chmod 644 "$TESTDIR/p"
write_policy /tmp/p.yaml crash-test enforce "$TESTDIR/p"
agent_start_with /tmp/p.yaml
expect_open "$TESTDIR/p" EPERM
ls "$PIN_DIR"/map_sa_file_rules >/dev/null || fail "no pinned rule map in $PIN_DIR"

step "a reader hammers the protected file while the daemon is killed and restarted"
cat >/tmp/reader.py <<'EOP'
import errno, os, sys, time
ok = denied = other = 0
end = time.time() + float(sys.argv[2])
while time.time() < end:
    try:
        os.close(os.open(sys.argv[1], os.O_RDONLY))
        ok += 1
        time.sleep(0.002)
    except OSError as e:
        if e.errno == errno.EPERM:
            denied += 1
            time.sleep(0.002)
        else:
            other += 1
print(ok, denied, other)
EOP
python3 /tmp/reader.py "$TESTDIR/p" 12 >/tmp/reader.out &
reader=$!
sleep 1
old_pid=$(systemctl show -P MainPID secagent)
systemctl kill -s SIGKILL secagent
sleep 0.3
state=$(systemctl show -P ActiveState secagent)
[[ $(systemctl show -P MainPID secagent) != "$old_pid" ]] || fail "daemon $old_pid still running after SIGKILL"
echo "daemon killed; unit state now: $state"
expect_open "$TESTDIR/p" EPERM
# The restart verifies every program again: tens of seconds under TCG.
for i in $(seq 1 1800); do agent_is_active && break; sleep 0.1; done
agent_is_active || fail "systemd did not restart the daemon"
new_pid=$(systemctl show -P MainPID secagent)
[[ $new_pid != "$old_pid" ]] || fail "no new daemon"
unit_log_contains "Adopted the pinned policy state" || fail "the new daemon did not adopt the pinned state"
expect_open "$TESTDIR/p" EPERM
wait "$reader"
read -r ok denied other </tmp/reader.out
echo "RESULT: reader across SIGKILL and restart: $ok opened, $denied denied, $other other errors"
expect_eq "reads that got through across the crash" 0 "$ok"
((denied > 100)) || fail "the reader made too few attempts ($denied) to prove anything"
expect_eq "other errors" 0 "$other"
# One pinned link per attached program, all of the new daemon (pins are named link_PROG_PID).
links=$(find "$PIN_DIR" -name 'link_*' | wc -l)
ours=$(find "$PIN_DIR" -name "link_*_$new_pid" | wc -l)
((links > 0)) || fail "no pinned links after adoption"
expect_eq "pinned links after adoption that are not the new daemon's (the old one's retired)" \
	0 "$((links - ours))"
find "$PIN_DIR" -name "link_*_$new_pid" | grep -q . || fail "the link pin is not the new daemon's"

step "events keep flowing after adoption"
expect_open "$TESTDIR/p" EPERM 1000
events=$(journal_events crash-test 1)
jq -e '[.[] | select(.SECAGENT_UID == "1000")] | length >= 1' <<<"$events" >/dev/null ||
	fail "no event from the adopted daemon for uid 1000"

step "systemctl stop removes enforcement and the pins"
systemctl stop secagent
expect_open "$TESTDIR/p" ok
[[ ! -e $PIN_DIR ]] || fail "$PIN_DIR still exists after stop: $(ls "$PIN_DIR")"

step "an incompatible pinned map is replaced, not used"
# What an older build might have left: maps of the same names with other layouts.
mkdir -p "$PIN_DIR"
bpftool map create "$PIN_DIR/map_sa_state" type array key 4 value 4 entries 1 name sa_state
bpftool map create "$PIN_DIR/map_sa_file_rules" type hash key 16 value 4 entries 8 name sa_file_rules
systemctl start secagent
agent_is_active || fail "daemon did not start over an incompatible pin"
unit_log_contains "from an incompatible build; replacing" || fail "no log line about the incompatible pin"
expect_open "$TESTDIR/p" EPERM
# The running daemon gives no other process a descriptor to its maps (self-protection): the
# pinned map is looked at once the daemon is gone, below.
systemctl stop secagent
expect_open "$TESTDIR/p" ok
step "after a crash with the unit stopped, secagentctl teardown ends the enforcement left pinned"
systemctl start secagent
expect_open "$TESTDIR/p" EPERM
set +e
out=$(secagentctl teardown 2>&1)
rc=$?
set -e
expect_eq "teardown while the daemon runs" 1 "$rc"
grep -q "systemctl stop secagent" <<<"$out" || fail "teardown did not say how to stop a running daemon: $out"
systemctl kill -s SIGKILL secagent
systemctl stop secagent
expect_open "$TESTDIR/p" EPERM
vsize=$(bpftool -j map show pinned "$PIN_DIR/map_sa_file_rules" | jq .bytes_value)
expect_eq "value size of the pinned rule map (struct sa_file_rule, not the 4 left there)" 104 "$vsize"
secagentctl teardown || fail "teardown failed"
expect_open "$TESTDIR/p" ok
[[ ! -e $PIN_DIR ]] || fail "$PIN_DIR still exists after teardown"
echo "80-crash-restart: all checks passed"
