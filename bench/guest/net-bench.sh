#!/bin/bash
# Runs inside the VM guest (bench/net-bench boots it with tests/vm/run): the cost of
# connect()+close() to a loopback listener and of a capability-using call (setgroups: CAP_SETGID)
# with no agent, with the agent and 10 network rules, and with 10,000 CIDR and port rules; each
# as a ratio to no agent. Prints one table between "BENCH-TABLE-BEGIN" and "BENCH-TABLE-END".
# Each round measures no agent, then the agent with 10 rules, then (reloaded) with 10,000, one
# right after the other, and a ratio is taken within the round: the host's load moves the numbers
# by tens of percent within minutes, and one round sees about the same load.
#   net-bench.sh [-c CONNECTS] [-k CAPCALLS] [-r ROUNDS]
set -euo pipefail

CONNECTS=5000
CAPCALLS=200000
ROUNDS=5
while getopts "c:k:r:" opt; do
	case $opt in
	c) CONNECTS=$OPTARG ;;
	k) CAPCALLS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	*) echo "usage: net-bench.sh [-c CONNECTS] [-k CAPCALLS] [-r ROUNDS]" >&2; exit 2 ;;
	esac
done

LOOP=/usr/libexec/secagent-tests/net-cap-loop
POLICY_DIR=/etc/secagent/policies.d
PIN_DIR=/sys/fs/bpf/secagent
SETS=/srv/net-bench
SAMPLES=/run/net-bench # CONFIG.OP: one ns/op per line per round
# A port that the 10,000-rule set names (with other addresses): the hook looks up its class too.
PORT=1005

die() {
	echo "net-bench: FAIL: $*" >&2
	journalctl -u secagent -o cat --no-pager -n 20 >&2 || true
	exit 1
}

[[ -x $LOOP ]] || die "$LOOP missing: build with -Dtest_tools=true"
grep -qw bpf /sys/kernel/security/lsm || die "bpf is not an active LSM"
mkdir -p "$SETS/10" "$SETS/10000" "$SAMPLES" "$POLICY_DIR"
rm -f "$SAMPLES"/*

# gen DIR COUNT: COUNT network rules, each denying connect and sendmsg to one /24 (10.A.B.0/24)
# on one port (1000 + i), 2000 rules per file; and two capability rules.
gen() {
	python3 - "$1" "$2" <<'EOP'
import sys
out, count = sys.argv[1], int(sys.argv[2])
per_file = 2000
for k in range(0, count, per_file):
    name = "bench-net-%d" % (k // per_file)
    with open("%s/%s.yaml" % (out, name), "w") as f:
        f.write("apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: %s}\n" % name)
        f.write("spec:\n  network:\n")
        for i in range(k, min(k + per_file, count)):
            f.write("    - {operations: [connect, sendmsg], addresses: [10.%d.%d.0/24], "
                    "ports: [%d], action: deny}\n" % (i // 256, i % 256, 1000 + i))
        if k == 0:
            f.write("  capabilities:\n    - {names: [CAP_SYS_MODULE, CAP_SYS_RAWIO], action: deny}\n")
EOP
}
gen "$SETS/10" 10
gen "$SETS/10000" 10000

use_set() { rm -f "$POLICY_DIR"/*.yaml; cp "$SETS/$1"/*.yaml "$POLICY_DIR/"; }

# measure CONFIG: one round of each loop, appended to CONFIG.connect and CONFIG.cap.
measure() {
	local out c k
	out=$("$LOOP" connect "$CONNECTS" "$PORT") || die "$1: connect loop failed: $out"
	[[ $out =~ ns_per_op=([0-9]+) ]] || die "$1: connect loop said '$out'"
	c=${BASH_REMATCH[1]}
	out=$("$LOOP" cap "$CAPCALLS") || die "$1: cap loop failed: $out"
	[[ $out =~ ns_per_op=([0-9]+) ]] || die "$1: cap loop said '$out'"
	k=${BASH_REMATCH[1]}
	echo "$c" >>"$SAMPLES/$1.connect"
	echo "$k" >>"$SAMPLES/$1.cap"
	echo "   $1: connect $c ns, cap $k ns" >&2
}

# The rules are in force: a connect the set denies fails.
expect_denied() {
	python3 -c 'import socket, sys
s = socket.socket()
try:
    s.connect(("10.0.5.1", 1005))
except PermissionError:
    sys.exit(0)
except OSError:
    pass
sys.exit(1)' || die "connect to 10.0.5.1:1005 was not denied with $1 rules"
}

"$LOOP" connect $((CONNECTS / 10 + 1)) "$PORT" >/dev/null || die "warm-up failed"
for r in $(seq 1 "$ROUNDS"); do
	echo "== round $r" >&2
	systemctl stop secagent 2>/dev/null || true
	[[ ! -e $PIN_DIR ]] || die "$PIN_DIR still there: enforcement did not end"
	measure none
	use_set 10
	systemctl start secagent || die "secagent did not start with 10 rules"
	expect_denied 10
	measure agent-10
	use_set 10000
	systemctl reload secagent || die "reload to 10,000 rules failed"
	[[ $(secagentctl status --json | jq -r .network_entries) == 10000 ]] ||
		die "the agent has $(secagentctl status --json | jq -r .network_entries) network entries, not 10000"
	expect_denied 10000
	measure agent-10000
done
systemctl stop secagent

# ratio CONFIG OP: "median min max" of the per-round ratios to the no-agent round.
ratio() {
	paste "$SAMPLES/$1.$2" "$SAMPLES/none.$2" | awk '{ printf "%.4f\n", $1 / $2 }' | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.3f %.3f %.3f\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "BENCH-TABLE-BEGIN"
echo "kernel $(uname -r), $(nproc) vCPUs; median (min..max) over $ROUNDS rounds of the ratio to the"
echo "no-agent measurement of the same round; $CONNECTS connect()+close() to 127.0.0.1:$PORT and"
echo "$CAPCALLS setgroups() (CAP_SETGID) per round."
printf '%-34s %-24s %s\n' configuration "connect+close" "capability call"
printf '%-34s %-24s %s\n' "no agent (ns/op, median)" "$(median "$SAMPLES/none.connect") ns" \
	"$(median "$SAMPLES/none.cap") ns"
for cfg in agent-10 agent-10000; do
	read -r c clo chi < <(ratio "$cfg" connect)
	read -r k klo khi < <(ratio "$cfg" cap)
	printf '%-34s %-24s %s\n' "$cfg rules" "${c}x ($clo..$chi)" "${k}x ($klo..$khi)"
done
echo "BENCH-TABLE-END"
