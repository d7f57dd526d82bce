#!/bin/bash
# Audit mode never blocks: the open succeeds and an audit event with its fields reaches journald.
set -euo pipefail
# The harness copies a single script to run it alone; the scenarios directory is always here.
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

make_testdir
echo watched >"$TESTDIR/watched"
chmod 644 "$TESTDIR/watched"
write_policy /tmp/audit.yaml test-audit audit "$TESTDIR/watched"
agent_start_with /tmp/audit.yaml

step "audited opens succeed"
expect_open "$TESTDIR/watched" ok
expect_open "$TESTDIR/watched" ok 1000
expect_eq "cat as uid 1000" watched "$(setpriv --reuid=1000 --regid=1000 --clear-groups cat "$TESTDIR/watched")"

step "audit events reach journald"
events=$(journal_events test-audit 3)
ev=$(jq -c '[.[] | select(.SECAGENT_UID == "1000" and .SECAGENT_COMM == "cat")][0]' <<<"$events")
[[ $ev != null ]] || fail "no audit event for cat as uid 1000: $events"
expect_eq "SECAGENT_ACTION" audit "$(jq -r .SECAGENT_ACTION <<<"$ev")"
expect_eq "SECAGENT_PATH" "$TESTDIR/watched" "$(jq -r .SECAGENT_PATH <<<"$ev")"
expect_eq "MESSAGE_ID" 3b1c2f0e8d6a4b7f9e2d5c4a1b0f8e7d "$(jq -r .MESSAGE_ID <<<"$ev")"
expect_eq "PRIORITY" 5 "$(jq -r .PRIORITY <<<"$ev")"
step "the shipped journald catalog explains the entries"
journalctl --update-catalog
journalctl --list-catalog f7ce9cc894ce445b8b9879dac1d856da | grep -q "secagent denied an access" ||
	fail "no catalog entry for the denial MESSAGE_ID"
journalctl --no-pager -x MESSAGE_ID=3b1c2f0e8d6a4b7f9e2d5c4a1b0f8e7d | grep -q "which policy test-audit audits" ||
	fail "journalctl -x does not show the catalog text for an audit entry"
echo "20-audit-mode: all checks passed"
