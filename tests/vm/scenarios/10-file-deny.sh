#!/bin/bash
# A deny rule holds for root and an unprivileged user, under every name of the file, and leaves
# other files alone; each denial reaches journald with its fields.
set -euo pipefail
# The harness copies a single script to run it alone; the scenarios directory is always here.
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

make_testdir
echo secret >"$TESTDIR/secret"
chmod 644 "$TESTDIR/secret"
echo public >"$TESTDIR/public"
chmod 644 "$TESTDIR/public"
ln "$TESTDIR/secret" "$TESTDIR/hardlink"
ln -s "$TESTDIR/secret" "$TESTDIR/symlink"
mkdir -p /mnt/secagent-bind
touch /mnt/secagent-bind/file
mount --bind "$TESTDIR/secret" /mnt/secagent-bind/file
# A file in the host's /tmp: the daemon must resolve it in the host's tree, not in a private /tmp
# of its unit's sandbox (PrivateTmp= made such a rule protect nothing).
echo tmp-secret >/tmp/secagent-tmp-secret
chmod 644 /tmp/secagent-tmp-secret

step "before any policy the files open"
agent_start_with
expect_open "$TESTDIR/secret" ok
expect_open "$TESTDIR/secret" ok 1000

step "apply a deny policy with secagentctl"
write_policy /tmp/deny.yaml test-deny enforce "$TESTDIR/secret" /etc/shadow /tmp/secagent-tmp-secret
secagentctl policy apply /tmp/deny.yaml || fail "policy apply failed"
[[ -f $POLICY_DIR/test-deny.yaml ]] || fail "apply did not install $POLICY_DIR/test-deny.yaml"

step "denied for root and for uid 1000 through every name"
expect_open /etc/shadow EPERM
expect_open "$TESTDIR/secret" EPERM
expect_open "$TESTDIR/secret" EPERM 1000
expect_open "$TESTDIR/hardlink" EPERM
expect_open "$TESTDIR/hardlink" EPERM 1000
expect_open "$TESTDIR/symlink" EPERM
expect_open "$TESTDIR/symlink" EPERM 1000
expect_open /mnt/secagent-bind/file EPERM
expect_open /mnt/secagent-bind/file EPERM 1000
expect_eq "open via /proc/self/fd as root" EPERM "$(try_open_procfd "$TESTDIR/secret")"
expect_eq "open via /proc/self/fd as uid 1000" EPERM "$(try_open_procfd "$TESTDIR/secret" 1000)"
expect_open /tmp/secagent-tmp-secret EPERM
expect_open /tmp/secagent-tmp-secret EPERM 1000
expect_eq "cat as uid 1000 fails" 1 "$(setpriv --reuid=1000 --regid=1000 --clear-groups cat "$TESTDIR/secret" >/dev/null 2>&1; echo $?)"

step "files outside the policy open normally"
expect_open "$TESTDIR/public" ok
expect_open "$TESTDIR/public" ok 1000
expect_open /etc/passwd ok 1000

step "denials reach journald as structured entries"
events=$(journal_events test-deny 12)
n=$(jq length <<<"$events")
((n >= 12)) || fail "expected at least 12 denial events for test-deny, got $n"
ev=$(jq -c '[.[] | select(.SECAGENT_UID == "1000" and .SECAGENT_PATH == "'"$TESTDIR"'/hardlink")][0]' <<<"$events")
[[ $ev != null ]] || fail "no event for the hard link opened by uid 1000: $(jq -c '.[] | {SECAGENT_PATH, SECAGENT_UID}' <<<"$events")"
expect_eq "SECAGENT_ACTION" deny "$(jq -r .SECAGENT_ACTION <<<"$ev")"
expect_eq "SECAGENT_POLICY" test-deny "$(jq -r .SECAGENT_POLICY <<<"$ev")"
expect_eq "SECAGENT_COMM" python3 "$(jq -r .SECAGENT_COMM <<<"$ev")"
expect_eq "SECAGENT_KIND" file_open "$(jq -r .SECAGENT_KIND <<<"$ev")"
expect_eq "MESSAGE_ID" f7ce9cc894ce445b8b9879dac1d856da "$(jq -r .MESSAGE_ID <<<"$ev")"
expect_eq "SECAGENT_INODE" "$(stat -c %i "$TESTDIR/secret")" "$(jq -r .SECAGENT_INODE <<<"$ev")"
expect_eq "SECAGENT_RULE" "$POLICY_DIR/test-deny.yaml:8:7" "$(jq -r .SECAGENT_RULE <<<"$ev")"
pid=$(jq -r .SECAGENT_PID <<<"$ev")
[[ $pid =~ ^[0-9]+$ ]] && ((pid > 1)) || fail "SECAGENT_PID '$pid' is not a pid"
jq -r .MESSAGE <<<"$ev" | grep -q "Denied file_open of $TESTDIR/hardlink" ||
	fail "MESSAGE does not say what was denied: $(jq -r .MESSAGE <<<"$ev")"
ev=$(jq -c '[.[] | select(.SECAGENT_PATH == "/mnt/secagent-bind/file")][0]' <<<"$events")
[[ $ev != null ]] || fail "no event names the bind mount path"
ev=$(jq -c '[.[] | select(.SECAGENT_PATH == "/etc/shadow" and .SECAGENT_UID == "0")][0]' <<<"$events")
[[ $ev != null ]] || fail "no event for /etc/shadow opened by root"

umount /mnt/secagent-bind/file
secagentctl policy delete test-deny >/dev/null || fail "policy delete test-deny"
rm -f /tmp/secagent-tmp-secret
echo "10-file-deny: all checks passed"
