#!/bin/bash
# SIGHUP reloads atomically: a broken set is rejected with file:line:column and the old set keeps
# denying; a good set replaces the old one completely. `policy apply` reports the outcome.
set -euo pipefail
# The harness copies a single script to run it alone; the scenarios directory is always here.
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

make_testdir
for f in a b; do echo "$f" >"$TESTDIR/$f"; chmod 644 "$TESTDIR/$f"; done
write_policy /tmp/a.yaml reload-a enforce "$TESTDIR/a"
agent_start_with /tmp/a.yaml
expect_open "$TESTDIR/a" EPERM
expect_open "$TESTDIR/b" ok

step "SIGHUP with a broken policy file: rejected, the old set still denies"
printf 'apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: broken\nspec:\n  files:\n    - paths: [%s]\n      action: forbid\n' \
	"$TESTDIR/b" >"$POLICY_DIR/broken.yaml"
pid=$(systemctl show -P MainPID secagent)
systemctl reload secagent
unit_log_contains "$POLICY_DIR/broken.yaml:8:15: " || fail "the reload error does not name broken.yaml:8:15"
unit_log_contains "stays in force" || fail "the daemon did not say the old set stays in force"
agent_is_active || fail "the daemon died on a broken policy"
expect_eq "daemon pid after a rejected reload" "$pid" "$(systemctl show -P MainPID secagent)"
expect_open "$TESTDIR/a" EPERM
expect_open "$TESTDIR/b" ok

step "SIGHUP with a good new policy set: switches wholly to it"
rm -f "$POLICY_DIR/broken.yaml" "$POLICY_DIR/a.yaml"
write_policy "$POLICY_DIR/b.yaml" reload-b enforce "$TESTDIR/b"
kill -HUP "$pid"
for i in $(seq 1 50); do [[ $(try_open "$TESTDIR/b") == EPERM ]] && break; sleep 0.1; done
expect_open "$TESTDIR/b" EPERM
expect_open "$TESTDIR/a" ok
unit_log_contains "Policy generation 2 active" || fail "no log line for generation 2 (the rejected reload must not use a generation)"

step "policy apply of a policy the daemon rejects: exit 1, directory restored"
# Valid on its own, but it reuses the name of the policy in b.yaml: the set fails to load.
write_policy /tmp/dup.yaml reload-b enforce "$TESTDIR/a"
cp /tmp/dup.yaml /tmp/reload-b-copy.yaml
sed -i 's/^  name: reload-b/  name: reload-c/' /tmp/reload-b-copy.yaml
cp "$POLICY_DIR/b.yaml" "$POLICY_DIR/zz-same-name.yaml"
sed -i 's/^  name: reload-b/  name: reload-c/' "$POLICY_DIR/zz-same-name.yaml"
set +e
out=$(secagentctl policy apply /tmp/reload-b-copy.yaml 2>&1)
rc=$?
set -e
expect_eq "apply exit code for a rejected set" 1 "$rc"
grep -q "already used" <<<"$out" || fail "apply did not print the daemon's error: $out"
[[ ! -e $POLICY_DIR/reload-c.yaml ]] || fail "the rejected policy was left in the directory"
expect_open "$TESTDIR/b" EPERM
expect_open "$TESTDIR/a" ok
rm -f "$POLICY_DIR/zz-same-name.yaml"

step "policy apply of a good policy: exit 0, enforced at once"
write_policy /tmp/c.yaml reload-c enforce "$TESTDIR/a"
secagentctl policy apply /tmp/c.yaml || fail "apply of a good policy failed"
expect_open "$TESTDIR/a" EPERM
expect_open "$TESTDIR/b" EPERM
echo "30-reload: all checks passed"
