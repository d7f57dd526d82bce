#!/bin/bash
# Harness smoke test: the guest has what every other scenario relies on.
set -euo pipefail

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# BPF LSM active (the kernel was booted with lsm=...,bpf).
lsm=$(cat /sys/kernel/security/lsm 2>/dev/null || true)
if [[ ",$lsm," == *",bpf,"* ]]; then ok "bpf in LSM list ($lsm)"; else fail "bpf not in /sys/kernel/security/lsm: '$lsm'"; fi

# systemd is PID 1.
pid1=$(cat /proc/1/comm)
if [[ "$pid1" == systemd ]]; then ok "PID 1 is systemd"; else fail "PID 1 is '$pid1', not systemd"; fi

# The unprivileged test user.
if [[ "$(id -u tester 2>/dev/null)" == 1000 ]]; then ok "user tester is uid 1000"; else fail "user tester (uid 1000) missing"; fi

# Journald round trip: stream (systemd-cat), syslog socket (logger) and the
# native protocol with custom fields (logger --journald = sd_journal_send).
tag="secagent-smoke-$$"
systemd-cat -t "$tag-cat" -p warning echo "via systemd-cat"
logger -t "$tag-syslog" -p user.err "via logger"
printf 'MESSAGE=via sd_journal_send\nSYSLOG_IDENTIFIER=%s-native\nPRIORITY=6\nSECAGENT_TEST_FIELD=42\n' "$tag" |
    logger --journald

# expect IDENTIFIER JQ-FILTER DESCRIPTION; entries may take a moment to land.
expect() {
    local ident=$1 filter=$2 what=$3 i
    for ((i = 0; i < 50; i++)); do
        if journalctl -o json --no-pager -t "$ident" 2>/dev/null | jq -e -s "$filter" >/dev/null 2>&1; then
            ok "journal: $what"
            return
        fi
        sleep 0.1
    done
    fail "journal: $what; got: $(journalctl -o json --no-pager -t "$ident" 2>&1 | head -c 600)"
}
expect "$tag-cat" 'any(.[]; .MESSAGE == "via systemd-cat" and .PRIORITY == "4" and ._TRANSPORT == "stdout")' "systemd-cat entry with PRIORITY=4"
expect "$tag-syslog" 'any(.[]; .MESSAGE == "via logger" and .PRIORITY == "3" and ._TRANSPORT == "syslog")' "logger entry with PRIORITY=3"
expect "$tag-native" 'any(.[]; .MESSAGE == "via sd_journal_send" and .SECAGENT_TEST_FIELD == "42" and ._TRANSPORT == "journal")' "native entry with custom field"

if ((fails)); then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all harness checks passed"
