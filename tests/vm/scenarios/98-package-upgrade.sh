#!/bin/bash
# Upgrading the package never opens a gap in enforcement: while apt-get replaces the package and
# restarts the daemon, an unprivileged process opens a protected file in a tight loop, and not
# one open gets through. Needs two .debs of different versions in /opt/secagent-vm/debs:
#   scripts/build-deb DIR && scripts/build-deb --version 0.1.0+up1 DIR
#   tests/vm/run --copy DIR:/opt/secagent-vm/debs 98-package-upgrade
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

DEBS=/opt/secagent-vm/debs
version_of() { dpkg-deb -f "$1" Version; }
old="" new=""
for f in "$DEBS"/secagent_*.deb; do
	[[ -f $f ]] || continue
	[[ -z $old ]] || dpkg --compare-versions "$(version_of "$f")" lt "$(version_of "$old")" && old=$f
	[[ -z $new ]] || dpkg --compare-versions "$(version_of "$f")" gt "$(version_of "$new")" && new=$f
done
[[ -n $old ]] || fail "no secagent_*.deb in $DEBS"
[[ $(version_of "$old") != "$(version_of "$new")" ]] || fail "both .debs are version $(version_of "$old")"

step "a host with secagent $(version_of "$old") enforcing a policy"
systemctl stop secagent 2>/dev/null || true
rm -f /usr/sbin/secagentd /usr/bin/secagentctl /usr/lib/systemd/system/secagent.service
rm -rf /etc/secagent /usr/share/doc/secagent /sys/fs/bpf/secagent
systemctl daemon-reload
apt-get install -y "$old" 2>&1 | tail -n 2 || fail "install of $old failed"
systemctl is-active --quiet secagent || fail "secagent not active after install"
make_testdir
echo secret >"$TESTDIR/secret"
chmod 644 "$TESTDIR/secret"
write_policy /tmp/upgrade.yaml upgrade-deny enforce "$TESTDIR/secret"
secagentctl policy apply /tmp/upgrade.yaml || fail "policy apply failed"
expect_open "$TESTDIR/secret" EPERM 1000
old_pid=$(systemctl show -P MainPID secagent)

step "upgrade to $(version_of "$new") while uid 1000 opens the file in a loop"
rm -f /tmp/reader.stop /tmp/reader.out
setpriv --reuid=1000 --regid=1000 --clear-groups -- python3 -c '
import errno, os, sys
ok = denied = other = 0
while not os.path.exists("/tmp/reader.stop"):
    try:
        os.close(os.open(sys.argv[1], os.O_RDONLY))
        ok += 1
    except OSError as e:
        if e.errno == errno.EPERM:
            denied += 1
        else:
            other += 1
print(ok, denied, other)
' "$TESTDIR/secret" >/tmp/reader.out &
reader=$!
sleep 1
apt-get install -y "$new" 2>&1 | tail -n 3 || fail "upgrade to $new failed"
sleep 1
touch /tmp/reader.stop
wait "$reader"
read -r ok denied other </tmp/reader.out
echo "RESULT: reader during the package upgrade: $ok opens got through, $denied denied, $other other errors"

expect_eq "installed version" "$(version_of "$new")" "$(dpkg-query -W -f='${Version}' secagent)"
new_pid=$(systemctl show -P MainPID secagent)
[[ $new_pid != "$old_pid" && $new_pid != 0 ]] || fail "the daemon was not restarted (pid $old_pid -> $new_pid)"
echo "ok: daemon restarted (pid $old_pid -> $new_pid)"
((denied > 0)) || fail "the reader made no denied opens: it did not run"
expect_eq "opens that got through during the upgrade" 0 "$ok"
expect_open "$TESTDIR/secret" EPERM 1000
unit_log_contains "Adopted the pinned policy state" || fail "the new daemon did not adopt the pinned state"
echo "ok: the new daemon adopted the pinned state"

apt-get purge -y secagent >/dev/null 2>&1 || fail "purge failed"
expect_open "$TESTDIR/secret" ok 1000
echo "98-package-upgrade: all checks passed"
