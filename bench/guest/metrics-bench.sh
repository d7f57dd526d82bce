#!/bin/bash
# Runs inside the VM guest (bench/metrics-bench boots it with tests/vm/run): what the metrics
# cost. open()+close() with 10,000 file rules in force, the agent without metrics and with them
# (which also counts every decision per rule in the kernel), each as a ratio to no agent, for
# two files: one no rule names (the common case: nothing decides, nothing is counted) and one an
# allow rule decides (every open is counted). Then, with a decision counted for each of the
# 10,000 rules, the scrape: its time and its series. Prints one table between
# "BENCH-TABLE-BEGIN" and "BENCH-TABLE-END".
#   metrics-bench.sh [-o OPENS] [-r ROUNDS]
set -euo pipefail

OPENS=20000
ROUNDS=3
while getopts "o:r:" opt; do
	case $opt in
	o) OPENS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	*) echo "usage: metrics-bench.sh [-o OPENS] [-r ROUNDS]" >&2; exit 2 ;;
	esac
done

LOOP=/usr/libexec/secagent-tests/open-exec-loop
POLICY_DIR=/etc/secagent/policies.d
PIN_DIR=/sys/fs/bpf/secagent
DROPIN=/etc/systemd/system/secagent.service.d/metrics.conf
URL=http://127.0.0.1:9464/metrics
RULES=10000
DIR=/srv/metrics-bench # not /tmp: a tmpfs of the initramfs' root is fine, but keep to the others
SAMPLES=/run/metrics-bench # CONFIG.FILE: ns/op, one line per round

die() {
	echo "metrics-bench: FAIL: $*" >&2
	journalctl -u secagent -o cat --no-pager -n 20 >&2 || true
	exit 1
}
now_ns() { date +%s%N; }

[[ -x $LOOP ]] || die "$LOOP missing: build with -Dtest_tools=true"
grep -qw bpf /sys/kernel/security/lsm || die "bpf is not an active LSM"
rm -rf "$DIR" "$SAMPLES"
mkdir -p "$DIR/files" "$SAMPLES" "$POLICY_DIR"
rm -f "$POLICY_DIR"/*.yaml
echo plain >"$DIR/plain"
# RULES files, each allowed by a rule of its own (2,000 rules a policy), and one deny.
python3 - "$DIR" "$POLICY_DIR" "$RULES" <<'EOP'
import os, sys
d, pol, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
per = 2000
for i in range(n):
    with open("%s/files/f%d" % (d, i), "w") as f:
        f.write("x\n")
for k in range(0, n, per):
    with open("%s/bench-metrics-%d.yaml" % (pol, k // per), "w") as f:
        f.write("apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: bench-metrics-%d}\n"
                "spec:\n  files:\n" % (k // per))
        for i in range(k, min(k + per, n)):
            f.write("    - {paths: [%s/files/f%d], action: allow}\n" % (d, i))
        if k == 0:
            f.write("    - {paths: [%s/denied], action: deny}\n" % d)
EOP
echo denied >"$DIR/denied"

agent_start() { # METRICS(0|1)
	systemctl stop secagent 2>/dev/null || true
	rm -f "$DROPIN"
	if (($1)); then
		mkdir -p "$(dirname "$DROPIN")"
		cp /usr/share/doc/secagent/examples/metrics.conf "$DROPIN"
	fi
	systemctl daemon-reload
	systemctl start secagent || die "secagent did not start (metrics $1)"
	[[ $(secagentctl status --json | jq -r .rules) == $((RULES + 1)) ]] ||
		die "the agent has $(secagentctl status --json | jq -r .rules) rules, not $((RULES + 1))"
	cat "$DIR/denied" 2>/dev/null && die "$DIR/denied was not denied"
	return 0
}

measure() { # CONFIG
	local f out
	for f in plain files/f0; do
		out=$("$LOOP" open "$OPENS" "$DIR/$f") || die "$1: open loop on $f failed: $out"
		[[ $out =~ ns_per_op=([0-9]+) ]] || die "$1: open loop said '$out'"
		echo "${BASH_REMATCH[1]}" >>"$SAMPLES/$1.${f##*/}"
		echo "   $1 $f: ${BASH_REMATCH[1]} ns" >&2
	done
}

"$LOOP" open 1000 "$DIR/plain" >/dev/null || die "warm-up failed"
for r in $(seq 1 "$ROUNDS"); do
	echo "== round $r" >&2
	systemctl stop secagent 2>/dev/null || true
	[[ ! -e $PIN_DIR ]] || die "$PIN_DIR still there: enforcement did not end"
	measure none
	agent_start 0
	measure agent
	agent_start 1
	measure agent-metrics
done

# The scrape with a series for each rule: every file opened once.
for i in $(seq 0 $((RULES - 1))); do echo "$DIR/files/f$i"; done | xargs cat >/dev/null
t=$(now_ns)
busybox wget -q -O /run/metrics.txt "$URL" || die "scrape failed"
scrape_ns=$(($(now_ns) - t))
series=$(grep -vc '^#' /run/metrics.txt)
rule_series=$(grep -c '^secagent_rule_decisions_total{' /run/metrics.txt)
bytes=$(stat -c %s /run/metrics.txt)
promtool check metrics </run/metrics.txt >/dev/null 2>&1 || die "promtool rejects the scrape"
systemctl stop secagent
rm -f "$DROPIN"
systemctl daemon-reload

ratio() { # CONFIG FILE: "median min max" of the per-round ratios to the no-agent round
	paste "$SAMPLES/$1.$2" "$SAMPLES/none.$2" | awk '{ printf "%.4f\n", $1 / $2 }' | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.3f %.3f %.3f\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "BENCH-TABLE-BEGIN"
echo "kernel $(uname -r), $(nproc) vCPUs; median (min..max) over $ROUNDS rounds of the ratio to the"
echo "no-agent measurement of the same round; $OPENS open()+close() per file per round, $RULES"
echo "allow rules and one deny in force."
printf '%-40s %-24s %s\n' configuration "file no rule names" "file an allow rule decides"
printf '%-40s %-24s %s\n' "no agent (ns/op, median)" "$(median "$SAMPLES/none.plain") ns" \
	"$(median "$SAMPLES/none.f0") ns"
for cfg in agent agent-metrics; do
	read -r a alo ahi < <(ratio "$cfg" plain)
	read -r b blo bhi < <(ratio "$cfg" f0)
	[[ $cfg == agent ]] && label="agent, no metrics" || label="agent, metrics (counted per rule)"
	printf '%-40s %-24s %s\n' "$label" "${a}x ($alo..$ahi)" "${b}x ($blo..$bhi)"
done
echo "scrape with a decision counted for each of the $RULES rules: $((scrape_ns / 1000000)) ms, $series samples ($rule_series per rule), $bytes bytes"
echo "BENCH-TABLE-END"
