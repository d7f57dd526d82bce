#!/bin/bash
# Bad input gets a clear error naming file:line:column or the offending value, a non-zero exit,
# and the running daemon keeps enforcing its set.
set -euo pipefail
# The harness copies a single script to run it alone; the scenarios directory is always here.
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

make_testdir
echo s >"$TESTDIR/s"
chmod 644 "$TESTDIR/s"
write_policy /tmp/s.yaml bad-input-base enforce "$TESTDIR/s"
agent_start_with /tmp/s.yaml
expect_open "$TESTDIR/s" EPERM

# check_rejected NAME FILE EXPECTED_MESSAGE: validate fails with it, apply fails, daemon enforces.
check_rejected() {
	local name=$1 file=$2 want=$3 out rc
	step "$name"
	set +e
	out=$(secagentctl policy validate "$file" 2>&1)
	rc=$?
	set -e
	expect_eq "validate exit code ($name)" 1 "$rc"
	grep -qF -- "$want" <<<"$out" || fail "validate output lacks '$want': $out"
	set +e
	out=$(secagentctl policy apply "$file" 2>&1)
	rc=$?
	set -e
	expect_eq "apply exit code ($name)" 1 "$rc"
	grep -qF -- "$want" <<<"$out" || fail "apply output lacks '$want': $out"
	agent_is_active || fail "daemon died"
	expect_open "$TESTDIR/s" EPERM
}

printf 'apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: x\nspec: {}\n' >/tmp/invalid.yaml
check_rejected "invalid YAML" /tmp/invalid.yaml "/tmp/invalid.yaml:4:5: invalid YAML"

printf 'apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: x}\nspec:\n  files:\n    - paths: [/etc/hostname]\n      action: deny\n      colour: red\n' >/tmp/unknown.yaml
check_rejected "unknown key" /tmp/unknown.yaml "/tmp/unknown.yaml:8:7: unknown key 'colour'"

printf 'apiVersion: secagent/v9\nkind: Policy\nmetadata: {name: x}\nspec: {}\n' >/tmp/version.yaml
check_rejected "wrong apiVersion" /tmp/version.yaml "/tmp/version.yaml:1:13: unsupported apiVersion 'secagent/v9'"

write_policy /tmp/nopath.yaml x enforce /no/such/file
check_rejected "path that does not exist" /tmp/nopath.yaml "/tmp/nopath.yaml:8:15: '/no/such/file': neither the file nor its directory exists"

step "reload with a missing policy directory: error, old set enforces"
mv "$POLICY_DIR" "$POLICY_DIR.away"
systemctl reload secagent
unit_log_contains "$POLICY_DIR: cannot open policy directory: No such file or directory" ||
	fail "no error naming the missing directory"
agent_is_active || fail "daemon died"
expect_open "$TESTDIR/s" EPERM
mv "$POLICY_DIR.away" "$POLICY_DIR"

step "reload with an unreadable policy file (dangling link): error, old set enforces"
ln -s /no/such/target "$POLICY_DIR/dangling.yaml"
systemctl reload secagent
unit_log_contains "$POLICY_DIR/dangling.yaml: cannot read: No such file or directory" ||
	fail "no error naming dangling.yaml"
agent_is_active || fail "daemon died"
expect_open "$TESTDIR/s" EPERM
rm -f "$POLICY_DIR/dangling.yaml"

step "reload with a policy file a non-root user owns, or others may write: refused"
write_policy "$POLICY_DIR/foreign.yaml" foreign enforce /etc/hostname
chown 1000 "$POLICY_DIR/foreign.yaml"
systemctl reload secagent
unit_log_contains "$POLICY_DIR/foreign.yaml: refusing it: owned by uid 1000, not root" ||
	fail "no error naming the foreign-owned file"
chown 0 "$POLICY_DIR/foreign.yaml"
chmod 666 "$POLICY_DIR/foreign.yaml"
systemctl reload secagent
unit_log_contains "$POLICY_DIR/foreign.yaml: refusing it: mode 0666 lets everyone write it" ||
	fail "no error naming the world-writable file"
agent_is_active || fail "daemon died"
expect_open /etc/hostname ok
expect_open "$TESTDIR/s" EPERM
rm -f "$POLICY_DIR/foreign.yaml"

step "the daemon runs with only the capabilities it still needs"
pid=$(systemctl show -P MainPID secagent)
expect_eq "effective capabilities (CAP_BPF, CAP_AUDIT_READ, CAP_DAC_READ_SEARCH)" 000000a000000004 "$(awk '/^CapEff/ {print $2}' /proc/$pid/status)"
expect_eq "permitted capabilities" 000000a000000004 "$(awk '/^CapPrm/ {print $2}' /proc/$pid/status)"
expect_eq "bounding set" 000000a000000004 "$(awk '/^CapBnd/ {print $2}' /proc/$pid/status)"
expect_eq "ambient set" 0000000000000000 "$(awk '/^CapAmb/ {print $2}' /proc/$pid/status)"
expect_eq "no_new_privs" 1 "$(awk '/^NoNewPrivs/ {print $2}' /proc/$pid/status)"
step "and still reloads with them"
write_policy "$POLICY_DIR/late.yaml" late enforce /etc/hostname
systemctl reload secagent
expect_open /etc/hostname EPERM
rm -f "$POLICY_DIR/late.yaml"
systemctl reload secagent
expect_open /etc/hostname ok

step "the daemon refuses to start on a missing policy directory, with a clear message"
set +e
out=$(secagentd --policy-dir /no/such/dir --control-socket /run/secagent-test.sock 2>&1)
rc=$?
set -e
expect_eq "secagentd exit code with a missing directory" 1 "$rc"
grep -qF "/no/such/dir: cannot open policy directory" <<<"$out" || fail "unclear start error: $out"

step "secagentctl without a daemon says so"
systemctl stop secagent
set +e
out=$(secagentctl status 2>&1)
rc=$?
set -e
expect_eq "status exit code without a daemon" 1 "$rc"
grep -q "secagentd is not running" <<<"$out" || fail "unclear error without a daemon: $out"
echo "40-bad-input: all checks passed"
