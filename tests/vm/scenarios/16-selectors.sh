#!/bin/bash
# Selectors bind a policy to some processes only: by the binary they run (and every link of it,
# not a copy), by uid range, and by cgroup subtree, including a systemd unit's cgroup that does
# not exist yet when the policy is applied and is made anew on every start. exec: rules deny
# running a program by identity.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

T=$TESTDIR
make_testdir
for f in by-cat except-head by-uid by-unit; do echo "$f" >"$T/$f"; done
chmod 644 "$T"/*
# A copy is another binary; a hard link is the same one.
cp /usr/bin/cat /usr/local/bin/cat-copy
ln -f /usr/bin/cat /usr/local/bin/cat-link
cp /usr/bin/true /usr/local/bin/forbidden
ln -f /usr/local/bin/forbidden /usr/local/bin/forbidden-link
cp /usr/local/bin/forbidden /usr/local/bin/forbidden-copy
unit_a=sa-sel-a.service unit_b=sa-sel-b.service

cat >/tmp/by-cat.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: by-cat}
spec:
  selector:
    binaries: [/usr/bin/cat]
  files:
    - paths: [$T/by-cat]
      action: deny
EOP
cat >/tmp/except-head.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: except-head}
spec:
  selector:
    exceptBinaries: [/usr/bin/head]
  files:
    - paths: [$T/except-head]
      access: [read]
      action: deny
EOP
cat >/tmp/by-uid.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: by-uid}
spec:
  selector:
    uids: ["1000-1999"]
  files:
    - paths: [$T/by-uid]
      action: deny
EOP
cat >/tmp/by-unit.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: by-unit}
spec:
  selector:
    cgroups: [/system.slice/$unit_a]
  files:
    - paths: [$T/by-unit]
      action: deny
EOP
cat >/tmp/no-exec.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: no-exec}
spec:
  exec:
    - paths: [/usr/local/bin/forbidden]
      action: deny
EOP
[[ ! -d /sys/fs/cgroup/system.slice/$unit_a ]] || fail "$unit_a exists before the test"
agent_start_with /tmp/by-cat.yaml /tmp/except-head.yaml /tmp/by-uid.yaml /tmp/by-unit.yaml \
	/tmp/no-exec.yaml

# result CMD...: "ok" or "EPERM"/"other: MSG" from running CMD
result() {
	local out
	if out=$("$@" 2>&1 >/dev/null); then echo ok; return; fi
	if [[ $out == *"Operation not permitted"* ]]; then echo EPERM; else echo "other: $out"; fi
}

step "binaries: cat is bound, under every name; a copy of it and other programs are not"
expect_eq "cat reads by-cat" EPERM "$(result cat "$T/by-cat")"
expect_eq "a hard link of cat reads by-cat" EPERM "$(result /usr/local/bin/cat-link "$T/by-cat")"
expect_eq "a copy of cat reads by-cat" ok "$(result /usr/local/bin/cat-copy "$T/by-cat")"
expect_eq "head reads by-cat" ok "$(result head -c1 "$T/by-cat")"
expect_eq "cat as uid 1000 reads by-cat" EPERM "$(result setpriv --reuid=1000 --regid=1000 --clear-groups cat "$T/by-cat")"

step "exceptBinaries: everyone but head is bound"
expect_eq "head reads except-head" ok "$(result head -c1 "$T/except-head")"
expect_eq "cat reads except-head" EPERM "$(result cat "$T/except-head")"
expect_eq "tail reads except-head" EPERM "$(result tail -c1 "$T/except-head")"

step "uids: 1000-1999 are bound, root and 2000 are not"
expect_eq "root reads by-uid" ok "$(result cat-copy "$T/by-uid")"
expect_eq "uid 1000 reads by-uid" EPERM "$(result setpriv --reuid=1000 --regid=1000 --clear-groups head -c1 "$T/by-uid")"
expect_eq "uid 1999 reads by-uid" EPERM "$(result setpriv --reuid=1999 --regid=1999 --clear-groups head -c1 "$T/by-uid")"
expect_eq "uid 2000 reads by-uid" ok "$(result setpriv --reuid=2000 --regid=2000 --clear-groups head -c1 "$T/by-uid")"

step "cgroups: the unit's cgroup, made after the policy, is bound; its neighbour is not"
in_unit() { # UNIT FILE: reads FILE from a new transient service UNIT, prints ok or EPERM
	systemd-run --quiet --wait --collect --pipe --unit="$1" \
		python3 -c 'import errno, os, sys
try:
    os.close(os.open(sys.argv[1], os.O_RDONLY)); print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])' "$2" </dev/null
}
expect_eq "$unit_a reads by-unit" EPERM "$(in_unit "$unit_a" "$T/by-unit")"
expect_eq "$unit_b reads by-unit" ok "$(in_unit "$unit_b" "$T/by-unit")"
expect_eq "this shell reads by-unit" ok "$(result head -c1 "$T/by-unit")"
expect_eq "$unit_a, started again (a new cgroup), reads by-unit" EPERM \
	"$(in_unit "$unit_a" "$T/by-unit")"

step "exec rules: the program, and every link of it, does not run; a copy does"
expect_eq "run forbidden" EPERM "$(result /usr/local/bin/forbidden)"
expect_eq "run a hard link of forbidden" EPERM "$(result /usr/local/bin/forbidden-link)"
expect_eq "run forbidden as uid 1000" EPERM "$(result setpriv --reuid=1000 --regid=1000 --clear-groups /usr/local/bin/forbidden)"
expect_eq "run a copy of forbidden" ok "$(result /usr/local/bin/forbidden-copy)"
expect_eq "read forbidden (exec rules deny only running it)" ok "$(result head -c1 /usr/local/bin/forbidden)"

step "events name the policy that decided"
ev=$(journal_events by-unit 1 | jq -c '.[0]')
expect_eq "by-unit event comm" python3 "$(jq -r .SECAGENT_COMM <<<"$ev")"
ev=$(journal_events no-exec 1 | jq -c '.[0]')
expect_eq "no-exec event kind" file_exec "$(jq -r .SECAGENT_KIND <<<"$ev")"

step "status says what the kernel cannot enforce (here: nothing is missing)"
expect_eq "status hooks_off" none "$(secagentctl status --json | jq -r .hooks_off)"
secagentctl status | grep -q "^Not enforced: *nothing" || fail "status does not say what is not enforced"

rm -f /usr/local/bin/cat-copy /usr/local/bin/cat-link /usr/local/bin/forbidden*
echo "16-selectors: all checks passed"
