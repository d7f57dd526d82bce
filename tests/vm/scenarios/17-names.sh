#!/bin/bash
# A rule binds a file by identity and by name: a file that does not exist when the policy is
# applied is covered once created; a protected file replaced by rename or deleted and created
# again stays protected under its name; the original moved elsewhere stays protected too.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

T=$TESTDIR
make_testdir
echo secret >"$T/secret"
echo secret2 >"$T/secret2"
echo other >"$T/other"
echo plain >"$T/plain"
chmod 644 "$T"/*
cat >/tmp/names.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: names}
spec:
  files:
    - paths: [$T/later, $T/secret, $T/secret2]
      access: [read]
      action: deny
EOP
[[ ! -e $T/later ]] || fail "$T/later exists before the policy"
agent_start_with /tmp/names.yaml

step "a file created after the policy is bound by its name"
echo made-later >"$T/later"
expect_open "$T/later" EPERM
expect_open "$T/later" EPERM 1000

step "a file renamed over a protected name is protected there"
mv "$T/secret" "$T/moved-away"
mv "$T/other" "$T/secret"
expect_open "$T/secret" EPERM
expect_open "$T/secret" EPERM 1000

step "the original, moved elsewhere, keeps its protection by identity"
expect_open "$T/moved-away" EPERM

step "a protected file deleted and made again is protected"
rm "$T/secret2"
echo again >"$T/secret2"
expect_open "$T/secret2" EPERM

step "every route to open: openat2 and an io_uring IORING_OP_OPENAT are decided the same"
OPEN_VIA=/usr/libexec/secagent-tests/open-via
for route in openat openat2 io_uring; do
	expect_eq "$route of a protected file" EPERM "$($OPEN_VIA $route "$T/secret" r)"
	expect_eq "$route of a protected file as uid 1000" EPERM \
		"$(setpriv --reuid=1000 --regid=1000 --clear-groups $OPEN_VIA $route "$T/secret" r)"
	expect_eq "$route of an unprotected file" ok "$($OPEN_VIA $route "$T/plain" r)"
done

step "other names in the directory are not affected"
echo free >"$T/free"
expect_open "$T/free" ok

step "the events name the path that was denied"
ev=$(journal_events names 3)
jq -e --arg p "$T/later" '[.[] | select(.SECAGENT_PATH == $p)] | length >= 1' <<<"$ev" >/dev/null ||
	fail "no event names $T/later"
echo "17-names: all checks passed"
