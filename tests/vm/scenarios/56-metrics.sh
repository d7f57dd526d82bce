#!/bin/bash
# Metrics, as a Prometheus server and node_exporter read them: the shipped drop-in turns on the
# HTTP endpoint and the textfile; `promtool check metrics` accepts both; a denial, an audit, a
# reload and a forced ring buffer loss each move their series by exactly what happened; the
# per-rule counts go on across reloads; node_exporter serves the textfile's series. Bad
# addresses and paths fail the start with exit 1.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

OPEN_LOOP=/usr/libexec/secagent-tests/open-loop
DROPIN_EXAMPLE=/usr/share/doc/secagent/examples/metrics.conf
DROPIN=/etc/systemd/system/secagent.service.d/metrics.conf
URL=http://127.0.0.1:9464/metrics
TEXTFILE=/var/lib/prometheus/node-exporter/secagent.prom
[[ -x $OPEN_LOOP ]] || fail "$OPEN_LOOP missing: build with -Dtest_tools=true"
[[ -f $DROPIN_EXAMPLE ]] || fail "$DROPIN_EXAMPLE is not installed"

scrape() { busybox wget -q -O - "$1"; }
# sample FILE SERIES: the value of the sample named exactly SERIES (name and labels), 0 if absent.
sample() { awk -v s="$2" '$1 == s { v = $2 } END { print v == "" ? 0 : v }' "$1"; }
cleanup() {
	rm -f "$DROPIN"
	systemctl daemon-reload
	systemctl stop prometheus-node-exporter 2>/dev/null || true
}
trap cleanup EXIT

make_testdir
for f in secret watched; do echo "$f" >"$TESTDIR/$f"; chmod 644 "$TESTDIR/$f"; done
write_policy /tmp/metrics-deny.yaml metrics-deny enforce "$TESTDIR/secret"
write_policy /tmp/metrics-audit.yaml metrics-audit audit "$TESTDIR/watched"

step "the shipped drop-in, with a 16 KiB ring buffer so that a flood loses events"
mkdir -p "$(dirname "$DROPIN")"
sed 's|^ExecStart=\(/.*secagentd\) |ExecStart=\1 --ringbuf-size=16384 |' "$DROPIN_EXAMPLE" >"$DROPIN"
grep -q -- '--ringbuf-size=16384 --metrics-listen=127.0.0.1:9464' "$DROPIN" || fail "unexpected drop-in: $(cat "$DROPIN")"
systemctl daemon-reload
agent_start_with /tmp/metrics-deny.yaml /tmp/metrics-audit.yaml
pid=$(systemctl show -P MainPID secagent)
for i in $(seq 1 50); do scrape "$URL" >/tmp/m0 2>/dev/null && break; sleep 0.2; done
[[ -s /tmp/m0 ]] || fail "no metrics at $URL"
promtool check metrics </tmp/m0 || fail "promtool check metrics rejects the endpoint's output"
grep -q '^secagent_build_info{version="' /tmp/m0 || fail "no secagent_build_info"
expect_eq "secagentctl status: metrics" "http://127.0.0.1:9464 $TEXTFILE" "$(secagentctl status --json | jq -r .metrics)"
expect_eq "hooks not enforced" 0 "$(sample /tmp/m0 secagent_hooks_not_enforced)"
(($(sample /tmp/m0 secagent_hooks_attached) > 20)) || fail "secagent_hooks_attached: $(sample /tmp/m0 secagent_hooks_attached)"

step "one denial and one audit move their series by one"
expect_open "$TESTDIR/secret" EPERM 1000
expect_open "$TESTDIR/watched" ok 1000
deny_rule=$(journal_events metrics-deny | jq -r '.[0].SECAGENT_RULE')
audit_rule=$(journal_events metrics-audit | jq -r '.[0].SECAGENT_RULE')
[[ $deny_rule == "$POLICY_DIR/metrics-deny.yaml:"* && $audit_rule == "$POLICY_DIR/metrics-audit.yaml:"* ]] ||
	fail "journal rules: '$deny_rule' '$audit_rule'"
# Labels in name order, as node_exporter (client_golang) writes them too.
DENY_SERIES="secagent_rule_decisions_total{kind=\"file_open\",policy=\"metrics-deny\",rule=\"$deny_rule\",verdict=\"deny\"}"
AUDIT_SERIES="secagent_rule_decisions_total{kind=\"file_open\",policy=\"metrics-audit\",rule=\"$audit_rule\",verdict=\"audit\"}"
scrape "$URL" >/tmp/m1
expect_eq "$DENY_SERIES" 1 "$(sample /tmp/m1 "$DENY_SERIES")"
expect_eq "$AUDIT_SERIES" 1 "$(sample /tmp/m1 "$AUDIT_SERIES")"
for v in deny audit; do
	s="secagent_decisions_total{verdict=\"$v\"}"
	expect_eq "$s, moved by" 1 $(($(sample /tmp/m1 "$s") - $(sample /tmp/m0 "$s")))
done

step "two reloads: reloads, generation and reload time move; the rule's count goes on"
gen0=$(sample /tmp/m1 secagent_policy_generation)
reloads0=$(sample /tmp/m1 secagent_reloads_total)
systemctl reload secagent
systemctl reload secagent
for i in $(seq 1 50); do
	scrape "$URL" >/tmp/m2
	(($(sample /tmp/m2 secagent_policy_generation) >= gen0 + 2)) && break
	sleep 0.2
done
expect_eq "secagent_policy_generation, moved by" 2 $(($(sample /tmp/m2 secagent_policy_generation) - gen0))
expect_eq "secagent_reloads_total, moved by" 2 $(($(sample /tmp/m2 secagent_reloads_total) - reloads0))
expect_eq "secagent_reload_failures_total" 0 "$(sample /tmp/m2 secagent_reload_failures_total)"
expect_eq "secagent_last_reload_success" 1 "$(sample /tmp/m2 secagent_last_reload_success)"
awk -v a="$(sample /tmp/m1 secagent_last_reload_timestamp_seconds)" -v b="$(sample /tmp/m2 secagent_last_reload_timestamp_seconds)" \
	'BEGIN { exit !(b > a) }' || fail "secagent_last_reload_timestamp_seconds did not move"
expect_open "$TESTDIR/secret" EPERM 1000
scrape "$URL" >/tmp/m3
expect_eq "$DENY_SERIES after two reloads and one more denial" 2 "$(sample /tmp/m3 "$DENY_SERIES")"

step "a flood through the 16 KiB ring buffer: every denial counted, every loss counted once"
setpriv --reuid=1000 --regid=1000 --clear-groups "$OPEN_LOOP" -n 20000 "$TESTDIR/secret" >/tmp/flood
denied=$(sed -n 's/.* eperm=\([0-9]*\).*/\1/p' /tmp/flood | head -n 1)
expect_eq "opens denied by the flood" 20000 "$denied"
# Wait for the daemon to drain the ring buffer and report: received stops moving.
prev=-1
for i in $(seq 1 60); do
	scrape "$URL" >/tmp/m4
	now=$(sample /tmp/m4 secagent_events_received_total)
	((now == prev)) && break
	prev=$now
	sleep 0.5
done
expect_eq "$DENY_SERIES after the flood" 20002 "$(sample /tmp/m4 "$DENY_SERIES")"
deny_moved=$(($(sample /tmp/m4 'secagent_decisions_total{verdict="deny"}') - $(sample /tmp/m3 'secagent_decisions_total{verdict="deny"}')))
expect_eq "secagent_decisions_total{verdict=\"deny\"}, moved by" 20000 "$deny_moved"
lost=$(($(sample /tmp/m4 'secagent_events_lost_total{reason="ringbuf"}') - $(sample /tmp/m3 'secagent_events_lost_total{reason="ringbuf"}')))
received=$(($(sample /tmp/m4 secagent_events_received_total) - $(sample /tmp/m3 secagent_events_received_total)))
((lost > 0)) || fail "the flood lost no event through a 16 KiB ring buffer (received $received)"
expect_eq "events lost + received in the flood" 20000 $((lost + received))
expect_eq "lost, metrics vs status" "$(sample /tmp/m4 'secagent_events_lost_total{reason="ringbuf"}')" \
	"$(secagentctl status --json | jq -r .events_lost_ringbuf)"
for i in $(seq 1 50); do
	journalctl --sync
	reported=$(journalctl -o json --no-pager _PID="$pid" MESSAGE_ID=5e7a9c1b3d2f4a6e8b0c1d3f5a7e9b2c |
		jq -s 'map(.SECAGENT_COUNT | tonumber) | add // 0')
	((reported == lost)) && break
	sleep 0.2
done
expect_eq "losses the journal reports" "$lost" "$reported"
echo "RESULT: flood of 20000 denials: $received received, $lost lost, all 20000 in the rule's count"

step "the textfile: replaced every few seconds, accepted by promtool, served by node_exporter"
want=$(sample /tmp/m4 "$DENY_SERIES")
for i in $(seq 1 40); do
	[[ -f $TEXTFILE && $(sample "$TEXTFILE" "$DENY_SERIES") == "$want" ]] && break
	sleep 0.25
done
expect_eq "$DENY_SERIES in $TEXTFILE" "$want" "$(sample "$TEXTFILE" "$DENY_SERIES")"
expect_eq "mode of $TEXTFILE" 644 "$(stat -c %a "$TEXTFILE")"
promtool check metrics <"$TEXTFILE" || fail "promtool check metrics rejects $TEXTFILE"
ls -A "$(dirname "$TEXTFILE")" | grep -v '^secagent.prom$' | grep . && fail "temporary files left beside $TEXTFILE"
# Debian's node_exporter, told where the collector reads (its default is this directory too).
echo 'ARGS="--collector.textfile.directory=/var/lib/prometheus/node-exporter"' >/etc/default/prometheus-node-exporter
systemctl start prometheus-node-exporter
for i in $(seq 1 150); do
	scrape http://127.0.0.1:9100/metrics >/tmp/ne 2>/dev/null && grep -qF "$DENY_SERIES" /tmp/ne && break
	sleep 0.2
done
if ! grep -qF "$DENY_SERIES" /tmp/ne; then
	grep '^node_textfile' /tmp/ne || true
	journalctl -u prometheus-node-exporter --no-pager -n 20 || true
fi
expect_eq "$DENY_SERIES served by node_exporter" "$want" "$(sample /tmp/ne "$DENY_SERIES")"
systemctl stop prometheus-node-exporter

step "bad metrics options fail the start with exit 1 and say why"
# Each is refused before the daemon touches the kernel: the running one is unaffected.
bad_start() { # EXPECTED-MESSAGE OPTION...
	local msg=$1 rc=0
	shift
	timeout 60 /usr/sbin/secagentd --policy-dir /tmp/no-such-dir --pin-dir /sys/fs/bpf/secagent-bad \
		--control-socket /run/secagent-bad.sock "$@" >/tmp/bad.out 2>&1 || rc=$?
	expect_eq "exit of secagentd $*" 1 "$rc"
	grep -qF -- "$msg" /tmp/bad.out || fail "secagentd $* did not say '$msg': $(cat /tmp/bad.out)"
}
bad_start "Failed to serve the metrics on 127.0.0.1:9464" --metrics-listen=127.0.0.1:9464
bad_start "Cannot write the metrics file /nonexistent/secagent.prom" --metrics-textfile=/nonexistent/secagent.prom
mkdir -p /tmp/not-roots && chown 1000:1000 /tmp/not-roots && chmod 755 /tmp/not-roots
bad_start "Cannot write the metrics file /tmp/not-roots/secagent.prom" --metrics-textfile=/tmp/not-roots/secagent.prom
rc=0
/usr/sbin/secagentd --metrics-listen=localhost:http >/tmp/bad.out 2>&1 || rc=$?
expect_eq "exit of secagentd --metrics-listen=localhost:http (a usage error)" 2 "$rc"
agent_is_active || fail "the running daemon stopped"
expect_open "$TESTDIR/secret" EPERM
