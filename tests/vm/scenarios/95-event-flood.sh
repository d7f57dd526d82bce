#!/bin/bash
# A flood of one million denied opens: the guest stays responsive, the daemon's memory stays
# bounded, and every denial is accounted for: logged one by one, counted in a "repeated" or
# "suppressed" entry, or counted as lost (ring buffer full) in a "lost" entry. A second flood
# through a 16 KiB ring buffer makes the loss path run: every lost event is counted and reported.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

OPEN_LOOP=/usr/libexec/secagent-tests/open-loop
[[ -x $OPEN_LOOP ]] || fail "$OPEN_LOOP missing: build with -Dtest_tools=true"
# losses_reported_by PID: the events the daemon PID reported lost to journald, added up. By PID,
# not after a journal cursor: journalctl 252 skips the first entry after a cursor that matches a
# filter.
losses_reported_by() {
	journalctl -o json --no-pager _PID="$1" MESSAGE_ID=5e7a9c1b3d2f4a6e8b0c1d3f5a7e9b2c |
		jq -s 'map(.SECAGENT_COUNT | tonumber) | add // 0'
}

make_testdir
echo f >"$TESTDIR/flood"
chmod 644 "$TESTDIR/flood"
write_policy /tmp/flood.yaml flood enforce "$TESTDIR/flood"
agent_start_with /tmp/flood.yaml
pid=$(systemctl show -P MainPID secagent)
rss_before=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
lost_before=$(secagentctl status --json | jq -r .events_lost_ringbuf)

step "four processes make 250,000 denied opens each"
start=$(date +%s%N)
for i in 1 2 3 4; do
	setpriv --reuid=1000 --regid=1000 --clear-groups "$OPEN_LOOP" -n 250000 "$TESTDIR/flood" >/tmp/flood.$i &
done
# The guest must stay responsive while it floods: the control socket answers, a fork+exec runs.
worst_ms=0
while [[ -n $(jobs -r) ]]; do
	t=$(date +%s%N)
	timeout 10 secagentctl status >/dev/null || fail "secagentctl status did not answer within 10 s during the flood"
	ms=$((($(date +%s%N) - t) / 1000000))
	((ms > worst_ms)) && worst_ms=$ms
	sleep 0.5
done
wait
flood_ms=$((($(date +%s%N) - start) / 1000000))
made=0
for i in 1 2 3 4; do
	n=$(sed -n 's/.* eperm=\([0-9]*\) .*/\1/p' /tmp/flood.$i)
	made=$((made + n))
done
echo "RESULT: denials made: $made in ${flood_ms} ms; slowest status reply during the flood: ${worst_ms} ms"
expect_eq "denials made" 1000000 "$made"

step "every denial is accounted for in journald"
sum=-1
for i in $(seq 1 40); do
	journalctl --sync
	sum=$(journalctl -o json --no-pager SECAGENT_POLICY=flood | jq -s 'map(.SECAGENT_COUNT | tonumber) | add // 0')
	lost=$(($(secagentctl status --json | jq -r .events_lost_ringbuf) - lost_before))
	((sum + lost == made)) && break
	sleep 0.5
done
entries=$(journalctl -o json --no-pager SECAGENT_POLICY=flood | jq -s length)
# Losses are reported on the daemon's next tick: wait for the report to catch up with the counter.
# This daemon reports every loss since the state was created (lost_before too), so its own reports
# add up to the counter.
lost_total=$((lost_before + lost))
for i in $(seq 1 20); do
	journalctl --sync
	lost_logged=$(losses_reported_by "$pid")
	((lost_logged == lost_total)) && break
	sleep 0.5
done
if ((lost_logged != lost_total)); then
	echo "loss reports in this boot:"
	journalctl -o short-monotonic --no-pager MESSAGE_ID=5e7a9c1b3d2f4a6e8b0c1d3f5a7e9b2c | tail -n 20 | sed 's/^/    /'
	secagentctl status --json | sed 's/^/    /'
	journalctl -u secagent -o short-monotonic --no-pager -p warning | grep -v 'Denied ' | tail -n 20 | sed 's/^/    /'
fi
echo "RESULT: journald: $entries entries carrying $sum denials; lost in the ring buffer: $lost (logged as lost by the daemon: $lost_logged of $lost_total since its state was created)"
expect_eq "denials in journald + counted as lost" "$made" "$((sum + lost))"
expect_eq "losses reported to journald by the daemon" "$lost_total" "$lost_logged"
((entries < 20000)) || fail "$entries journald entries for one repeated denial: coalescing did not work"

step "the daemon's memory stays bounded"
rss_after=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
echo "RESULT: daemon RSS: ${rss_before} KiB before, ${rss_after} KiB after"
((rss_after - rss_before < 8192)) || fail "RSS grew by $((rss_after - rss_before)) KiB during the flood"
agent_is_active || fail "daemon died during the flood"

step "with a ring buffer too small for a flood, every lost event is counted and reported"
dropin=/run/systemd/system/secagent.service.d/95-small-ringbuf.conf
mkdir -p "$(dirname "$dropin")"
printf '[Service]\nExecStart=\nExecStart=/usr/sbin/secagentd --ringbuf-size=16384\n' >"$dropin"
trap 'rm -f "$dropin"; systemctl daemon-reload' EXIT
systemctl daemon-reload
agent_start_with /tmp/flood.yaml
pid=$(systemctl show -P MainPID secagent)
lost_before=$(secagentctl status --json | jq -r .events_lost_ringbuf)
for i in 1 2 3 4; do
	setpriv --reuid=1000 --regid=1000 --clear-groups "$OPEN_LOOP" -n 25000 "$TESTDIR/flood" >/tmp/flood.$i &
done
wait
for i in $(seq 1 40); do
	journalctl --sync
	lost_total=$(secagentctl status --json | jq -r .events_lost_ringbuf)
	lost_logged=$(losses_reported_by "$pid")
	sum=$(journalctl -o json --no-pager _PID="$pid" SECAGENT_POLICY=flood | jq -s 'map(.SECAGENT_COUNT | tonumber) | add // 0')
	((lost_logged == lost_total && sum + lost_total - lost_before == 100000)) && break
	sleep 0.5
done
expect_eq "denials in journald + counted as lost (16 KiB ring buffer)" 100000 "$((sum + lost_total - lost_before))"
echo "RESULT: 16 KiB ring buffer: $((lost_total - lost_before)) of 100000 events lost, $lost_logged reported lost by the daemon"
((lost_total - lost_before > 0)) || fail "a 16 KiB ring buffer lost nothing in a flood of 100000: the loss path was not exercised"
expect_eq "losses reported to journald by the daemon (16 KiB ring buffer)" "$lost_total" "$lost_logged"
rm -f "$dropin"
systemctl daemon-reload
agent_start_with /tmp/flood.yaml
echo "95-event-flood: all checks passed"
