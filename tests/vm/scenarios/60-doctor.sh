#!/bin/bash
# `secagentctl doctor` tells the truth about the guest's kernel. Run in the default guest (bpf in
# the LSM list: full enforcement, exit 0) and, through `tests/vm/matrix --doctor-no-bpf`, in one booted
# without bpf (exit 4, and the lsm= line to add). The scenario reads which case it is in from
# /sys/kernel/security/lsm, then checks the doctor against what the kernel really does.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

active=$(cat /sys/kernel/security/lsm)
step "active LSMs: $active"

rc=0
text=$(secagentctl doctor) || rc=$?
echo "$text" | sed 's/^/    /'
json_rc=0
json=$(secagentctl doctor --json) || json_rc=$?
jq -e . >/dev/null <<<"$json" || fail "doctor --json is not JSON: $json"
expect_eq "exit code of doctor --json" "$rc" "$json_rc"
expect_eq "exit_code in the JSON" "$rc" "$(jq -r .exit_code <<<"$json")"
expect_eq "kernel release in the JSON" "$(uname -r)" "$(jq -r .kernel.release <<<"$json")"
expect_eq "BTF check" ok "$(jq -r .checks.btf.status <<<"$json")"
expect_eq "ring buffer check" ok "$(jq -r .checks.ringbuf.status <<<"$json")"
# Debian's kernels have the BPF LSM built in: a program loads and attaches whether or not bpf is
# in the active list (it then simply never runs), so the probe passes in both cases.
expect_eq "LSM program probe" ok "$(jq -r .checks.lsm_program.status <<<"$json")"
expect_eq "file_open hook" ok "$(jq -r '.hooks[] | select(.name == "file_open") | .status' <<<"$json")"
expect_eq "cgroup v2 check" ok "$(jq -r .checks.cgroup_v2.status <<<"$json")"
expect_eq "seccomp actions" "$(tr ' ' '\n' </proc/sys/kernel/seccomp/actions_avail | jq -Rsc 'split("\n") | map(select(. != ""))')" \
	"$(jq -c .seccomp_actions <<<"$json")"

step "the probe leaves nothing attached"
if bpftool prog show 2>/dev/null | grep -q secagent_probe; then
	fail "a doctor probe program is still loaded: $(bpftool prog show | grep -A2 secagent_probe)"
fi
echo "ok: no secagent_probe program left"

if grep -qw bpf <<<"${active//,/ }"; then
	step "bpf is an active LSM: full enforcement"
	expect_eq "doctor exit code" 0 "$rc"
	expect_eq "verdict" full "$(jq -r .verdict <<<"$json")"
	expect_eq "bpf_lsm check" ok "$(jq -r .checks.bpf_lsm.status <<<"$json")"
	expect_eq "lsm.bpf_active" true "$(jq -r .lsm.bpf_active <<<"$json")"
	expect_eq "no lsm= suggestion" null "$(jq -r .lsm.suggested <<<"$json")"
	grep -q '^Verdict: full' <<<"$text" || fail "text does not say 'Verdict: full'"

	step "and the daemon agrees: it starts and enforces"
	make_testdir
	echo secret >"$TESTDIR/secret"
	write_policy /tmp/doctor.yaml doctor-check enforce "$TESTDIR/secret"
	agent_start_with /tmp/doctor.yaml
	expect_open "$TESTDIR/secret" EPERM 1000
	systemctl stop secagent
else
	step "bpf is not an active LSM: no enforcement, and the fix"
	want=$(tr ',' '\n' <<<"$active" | grep -vx -e capability -e '' | paste -sd, -),bpf
	expect_eq "doctor exit code" 4 "$rc"
	expect_eq "verdict" none "$(jq -r .verdict <<<"$json")"
	expect_eq "bpf_lsm check" fail "$(jq -r .checks.bpf_lsm.status <<<"$json")"
	expect_eq "lsm.bpf_active" false "$(jq -r .lsm.bpf_active <<<"$json")"
	expect_eq "lsm= suggestion (active list without capability, plus bpf)" "$want" \
		"$(jq -r .lsm.suggested <<<"$json")"
	grep -qF "lsm=$want" <<<"$text" || fail "text does not give 'lsm=$want'"
	grep -qF "GRUB_CMDLINE_LINUX" <<<"$text" || fail "text does not say where to put it"
	grep -qF "update-grub" <<<"$text" || fail "text does not say to run update-grub"
	grep -q '^Verdict: none' <<<"$text" || fail "text does not say 'Verdict: none'"

	step "and the daemon agrees: it refuses to start"
	systemctl reset-failed secagent 2>/dev/null || true
	if systemctl start secagent 2>/dev/null; then
		fail "secagentd started on a kernel without the BPF LSM"
	fi
	echo "ok: secagentd refused to start"
fi

step "without root the load probes are not run, and doctor says so"
urc=0
utext=$(runuser -u "$TESTUSER" -- secagentctl doctor) || urc=$?
echo "$utext" | sed 's/^/    /'
expect_eq "lsm_program check as uid 1000" skipped \
	"$(runuser -u "$TESTUSER" -- secagentctl doctor --json | jq -r .checks.lsm_program.status)"
if [[ $rc == 0 ]]; then
	expect_eq "exit code as uid 1000 (cannot tell)" 1 "$urc"
else
	expect_eq "exit code as uid 1000 (bpf inactive: none for sure)" 4 "$urc"
fi

step "usage errors"
erc=0
secagentctl doctor --bogus >/dev/null 2>&1 || erc=$?
expect_eq "exit code for an unknown option" 2 "$erc"

echo "60-doctor: all checks passed"
