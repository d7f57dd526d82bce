#!/bin/bash
# capabilities: rules deny or audit the use of named capabilities, for root too, through the
# capable hook, for the processes a selector binds: a capability not named still works, audit
# lets the call through, and each use is one event naming the capability. A module load
# (init_module with garbage) is denied before the kernel parses it.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

cat >/tmp/caps.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: caps}
spec:
  capabilities:
    - names: [CAP_NET_RAW, CAP_SYS_MODULE]
      action: deny
    - names: [CAP_CHOWN]
      action: deny
      mode: audit
EOP
cat >/tmp/caps-hostname.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: caps-hostname}
spec:
  selector:
    binaries: [/usr/bin/hostname]
  capabilities:
    - names: [CAP_SYS_ADMIN]
      action: deny
EOP
agent_start_with /tmp/caps.yaml /tmp/caps-hostname.yaml

KERNEL_OP=/usr/libexec/secagent-tests/kernel-op
# py CODE: runs CODE, prints ok or the errno name of the OSError it raised.
py() {
	python3 -c "import errno, os, socket
try:
    $1
    print('ok')
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))"
}

step "a denied capability fails for root; a capability not named works"
expect_eq "raw socket (CAP_NET_RAW)" EPERM "$(py 'socket.socket(socket.AF_INET, socket.SOCK_RAW, 1).close()')"
expect_eq "bind port 80 (CAP_NET_BIND_SERVICE)" ok "$(py 's = socket.socket(); s.bind(("127.0.0.1", 80)); s.close()')"

step "a module load is denied before the kernel reads the module"
expect_eq "init_module with garbage" EPERM "$($KERNEL_OP init-module)"

step "audit lets the use through and logs it"
touch /tmp/caps-owned
expect_eq "chown to uid 1000 (CAP_CHOWN, audit)" ok "$(py 'os.chown("/tmp/caps-owned", 1000, 1000)')"
expect_eq "owner after chown" 1000 "$(stat -c %u /tmp/caps-owned)"

step "a selector binds the binary, not others"
old=$(hostname)
expect_eq "hostname NEW (CAP_SYS_ADMIN, bound)" 1 "$(hostname sa-caps-test 2>/dev/null; echo $?)"
expect_eq "hostname unchanged" "$old" "$(hostname)"
expect_eq "sethostname from python (not bound)" ok "$(py "socket.sethostname('$old')")"

step "events name the capability"
ev=$(journal_events caps 1 | jq -c '[.[] | select(.SECAGENT_CAPABILITY == "CAP_NET_RAW")][0]')
expect_eq "CAP_NET_RAW event action" deny "$(jq -r .SECAGENT_ACTION <<<"$ev")"
expect_eq "CAP_NET_RAW event kind" capability "$(jq -r .SECAGENT_KIND <<<"$ev")"
expect_eq "CAP_NET_RAW event comm" python3 "$(jq -r .SECAGENT_COMM <<<"$ev")"
ev=$(journal_events caps 1 | jq -c '[.[] | select(.SECAGENT_CAPABILITY == "CAP_SYS_MODULE")][0]')
expect_eq "CAP_SYS_MODULE event action" deny "$(jq -r .SECAGENT_ACTION <<<"$ev")"
ev=$(journal_events caps 1 | jq -c '[.[] | select(.SECAGENT_CAPABILITY == "CAP_CHOWN")][0]')
expect_eq "CAP_CHOWN event action" audit "$(jq -r .SECAGENT_ACTION <<<"$ev")"
expect_eq "CAP_CHOWN event number" 0 "$(jq -r .SECAGENT_CAPABILITY_NR <<<"$ev")"
ev=$(journal_events caps-hostname 1 | jq -c '.[0]')
expect_eq "CAP_SYS_ADMIN event comm" hostname "$(jq -r .SECAGENT_COMM <<<"$ev")"
expect_eq "CAP_SYS_ADMIN event capability" CAP_SYS_ADMIN "$(jq -r .SECAGENT_CAPABILITY <<<"$ev")"

step "the agent itself is never denied: it reloads and stops"
systemctl reload secagent
for i in $(seq 1 300); do [[ $(systemctl is-active secagent) == active ]] && break; sleep 0.2; done
expect_eq "active after reload" active "$(systemctl is-active secagent)"
systemctl stop secagent
expect_eq "raw socket after stop" ok "$(py 'socket.socket(socket.AF_INET, socket.SOCK_RAW, 1).close()')"
expect_eq "init_module with garbage after stop (the kernel parses it)" ENOEXEC "$($KERNEL_OP init-module)"
rm -f /tmp/caps-owned
echo "22-capabilities: all checks passed"
