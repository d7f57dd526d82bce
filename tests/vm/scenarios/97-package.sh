#!/bin/bash
# Runs last with 98: it replaces the build's installation with the package and purges it.
# The Debian package's life cycle on a host: install (enabled, started, audit-mode defaults),
# enforce a policy with secagentctl, remove (enforcement stops, the operator's policies stay),
# purge (policies, pins and state gone). Needs the .deb built on the host:
#   scripts/build-deb DIR && tests/vm/run --copy DIR:/opt/secagent-vm/debs 97-package
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

DEBS=/opt/secagent-vm/debs
PIN_DIR=/sys/fs/bpf/secagent
# The oldest version there (98-package-upgrade may have put a newer one beside it).
deb=""
for f in "$DEBS"/secagent_*.deb; do
	[[ -f $f ]] || continue
	if [[ -z $deb ]] || dpkg --compare-versions "$(dpkg-deb -f "$f" Version)" lt "$(dpkg-deb -f "$deb" Version)"; then
		deb=$f
	fi
done
[[ -n $deb ]] || fail "no secagent_*.deb in $DEBS: build one with scripts/build-deb DIR and boot with --copy DIR:$DEBS"

lsm_programs() { bpftool prog show 2>/dev/null | grep -c ': lsm ' || true; }
# The kernel frees a stopped daemon's programs after the fact (5.10: up to seconds later, once
# their links and descriptors are gone); enforcement itself ended when the daemon switched to an
# empty set before it stopped. Waits up to 10 s for none to be loaded, then prints the count.
lsm_programs_settled() {
	local i
	for i in $(seq 1 100); do
		(($(lsm_programs) == 0)) && break
		sleep 0.1
	done
	lsm_programs
}

step "a host without secagent (the harness installed the build dir: take it away)"
systemctl stop secagent 2>/dev/null || true
rm -f /usr/sbin/secagentd /usr/bin/secagentctl /usr/lib/systemd/system/secagent.service
rm -rf /etc/secagent /usr/share/doc/secagent "$PIN_DIR"
systemctl daemon-reload
expect_eq "LSM programs loaded before install" 0 "$(lsm_programs_settled)"

step "apt-get install $(basename "$deb")"
apt-get install -y "$deb" 2>&1 | tail -n 5 || fail "apt-get install failed"
expect_eq "package state" "install ok installed" "$(dpkg-query -W -f='${Status}' secagent)"
expect_eq "unit enabled by the package" enabled "$(systemctl is-enabled secagent)"
systemctl is-active --quiet secagent || fail "the package did not start secagent"
echo "ok: secagent is active"
expect_eq "shipped policy is a conffile" /etc/secagent/policies.d/protect-shadow.yaml \
	"$(dpkg-query -W -f='${Conffiles}' secagent | awk 'NF { print $1 }' | grep protect-shadow)"
grep -q '^  mode: audit$' /etc/secagent/policies.d/protect-shadow.yaml ||
	fail "the default policy is not in audit mode: $(cat /etc/secagent/policies.d/protect-shadow.yaml)"
[[ -f /usr/share/doc/secagent/examples/protect-shadow.yaml ]] || fail "no enforcing example"
grep -q '^  mode: enforce$' /usr/share/doc/secagent/examples/protect-shadow.yaml ||
	fail "the example is not in enforce mode"

step "a fresh install blocks nothing: /etc/shadow opens, and the open is audited"
expect_open /etc/shadow ok
ev=$(journal_events protect-shadow 1 | jq -c '[.[] | select(.SECAGENT_ACTION == "audit")][0]')
[[ $ev != null ]] || fail "no audit event for /etc/shadow"
echo "ok: audit event: $(jq -r .MESSAGE <<<"$ev")"

step "secagentctl doctor from the package"
drc=0
secagentctl doctor >/dev/null || drc=$?
expect_eq "doctor exit code" 0 "$drc"

step "apply the enforcing example and a policy of our own"
secagentctl policy apply /usr/share/doc/secagent/examples/protect-shadow.yaml ||
	fail "policy apply of the example failed"
make_testdir
echo secret >"$TESTDIR/secret"
chmod 644 "$TESTDIR/secret"
write_policy /tmp/operator.yaml operator-deny enforce "$TESTDIR/secret"
secagentctl policy apply /tmp/operator.yaml || fail "policy apply failed"
expect_open /etc/shadow EPERM
expect_open "$TESTDIR/secret" EPERM 1000
journalctl --sync
n=$(journalctl -u secagent -o json --no-pager SECAGENT_ACTION=deny | jq -s 'length')
((n >= 2)) || fail "expected the denials in journalctl -u secagent, found $n"
echo "ok: $n denials in journalctl -u secagent"
journalctl -u secagent -o cat --no-pager SECAGENT_ACTION=deny | tail -n 2 | sed 's/^/    /'
[[ -d $PIN_DIR ]] && ls "$PIN_DIR" | sed 's/^/    pinned: /'

step "apt-get remove: enforcement stops, the operator's policies stay"
apt-get remove -y secagent 2>&1 | tail -n 3 || fail "apt-get remove failed"
expect_eq "package state after remove" "deinstall ok config-files" \
	"$(dpkg-query -W -f='${Status}' secagent)"
agent_is_active && fail "secagent still active after remove"
[[ ! -e /usr/sbin/secagentd ]] || fail "/usr/sbin/secagentd still there after remove"
expect_eq "LSM programs loaded after remove" 0 "$(lsm_programs_settled)"
[[ ! -e $PIN_DIR ]] || [[ -z $(ls -A "$PIN_DIR") ]] || fail "pins left after remove: $(ls "$PIN_DIR")"
expect_open /etc/shadow ok
expect_open "$TESTDIR/secret" ok 1000
[[ -f /etc/secagent/policies.d/operator-deny.yaml ]] || fail "remove deleted the operator's policy"
grep -q '^  mode: enforce$' /etc/secagent/policies.d/protect-shadow.yaml ||
	fail "remove lost the operator's version of protect-shadow.yaml"
echo "ok: /etc/secagent/policies.d kept: $(ls /etc/secagent/policies.d | tr '\n' ' ')"

step "apt-get purge: policies, pins and state gone"
apt-get purge -y secagent 2>&1 | tail -n 3 || fail "apt-get purge failed"
if dpkg-query -W -f='${Status}' secagent 2>/dev/null | grep -q installed; then
	fail "package still known after purge: $(dpkg-query -W -f='${Status}' secagent)"
fi
for p in /etc/secagent "$PIN_DIR" /run/secagent /var/lib/secagent /usr/bin/secagentctl \
	/lib/systemd/system/secagent.service /etc/systemd/system/multi-user.target.wants/secagent.service; do
	[[ ! -e $p ]] || fail "$p still there after purge"
done
echo "ok: nothing left"
echo "97-package: all checks passed"
