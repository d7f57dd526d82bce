#!/bin/bash
# Runs inside the VM guest (bench/file-bench boots it with tests/vm/run): the cost of open()+close()
# and of fork+execve with no agent, with the agent on the shipped policies and on 10, 10,000 and
# 100,000 file deny rules, and with an AppArmor profile holding the same denies; each as a ratio to
# no agent, plus the kernel's per-call cost of each BPF program. Prints one table at the end,
# between "BENCH-TABLE-BEGIN" and "BENCH-TABLE-END".
# Every round of a configuration is paired with a no-agent round right next to it (in turn
# before and after it), and a ratio is taken per pair: on a shared machine the host's load moves
# the numbers by tens of percent within minutes, and a pair sees the same load.
#   file-bench.sh [-o OPENS] [-x EXECS] [-r ROUNDS] [-s SUBRUNS] [-a "AA_COUNT..."]
# -a: more AppArmor profile sizes, e.g. -a 50000 (its load takes minutes under TCG).
set -euo pipefail

OPENS=20000 # open()+close() per round
EXECS=50    # fork+execve+waitpid of /usr/bin/true per round
ROUNDS=7
SUBRUNS=5   # a round's operations are timed in this many runs; the fastest one counts
SETTLE=5    # seconds of quiet after the agent starts or stops (its maps and programs are
            # freed by kernel workers after it stops, which would slow the next round)
AA_EXTRA=
while getopts "o:x:r:s:a:" opt; do
	case $opt in
	o) OPENS=$OPTARG ;;
	x) EXECS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	s) SUBRUNS=$OPTARG ;;
	a) AA_EXTRA=$OPTARG ;;
	*) echo "usage: file-bench.sh [-o OPENS] [-x EXECS] [-r ROUNDS] [-s SUBRUNS] [-a AA_COUNTS]" >&2; exit 2 ;;
	esac
done

TOOLS=/usr/libexec/secagent-tests
POLICY_DIR=/etc/secagent/policies.d
SHIPPED_DIR=/usr/share/doc/secagent/examples
DROPIN=/run/systemd/system/secagent.service.d/bench.conf
PIN_DIR=/sys/fs/bpf/secagent
# Not under /tmp: the benchmark's files live apart from the test harness's.
BENCH_DIR=/srv/secagent-bench
MANY=$BENCH_DIR/many       # tmpfs: f0..f99999, denied, and "target", the benchmarked file
TARGET=$MANY/target
PROG=/usr/bin/true         # what the exec loop runs (dynamic: execve, ld.so, libc opens)
LOOP=$BENCH_DIR/bin/open-exec-loop       # the measuring tool, never confined by AppArmor
LOOP_AA=$BENCH_DIR/bin/open-exec-loop-aa # the same binary; the AppArmor profile attaches here
SAMPLES=/run/file-bench    # NAME.open, NAME.exec: one ns/op per line per round
MAX_RULES=100000
ROWS=()                    # "config|open|exec|notes"
NOTES=()

die() {
	echo "file-bench: FAIL: $*" >&2
	journalctl -u secagent -o cat --no-pager -n 20 >&2 || true
	exit 1
}
note() { echo "-- $*" >&2; NOTES+=("$*"); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# median/min/max of the numbers in FILE -> "median min max" (even count: the lower middle one)
stats() { sort -g "$1" | awk '{ v[NR] = $1 } END { printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

# --- set-up ---------------------------------------------------------------------------------------

[[ -x $TOOLS/open-exec-loop ]] || die "$TOOLS/open-exec-loop missing: build with -Dtest_tools=true"
grep -qw bpf /sys/kernel/security/lsm || die "bpf is not an active LSM: $(cat /sys/kernel/security/lsm)"
grep -qw apparmor /sys/kernel/security/lsm || die "apparmor is not an active LSM (boot with lsm=...,apparmor)"
command -v apparmor_parser >/dev/null || die "apparmor_parser missing: the rootfs needs the apparmor package"
command -v bpftool >/dev/null || die "bpftool missing"

T_START=$(now_ms)
mkdir -p "$BENCH_DIR/bin" "$MANY" "$SAMPLES" "$POLICY_DIR"
chmod 755 "$BENCH_DIR"
rm -f "$SAMPLES"/*
install -m 0755 "$TOOLS/open-exec-loop" "$LOOP"
install -m 0755 "$TOOLS/open-exec-loop" "$LOOP_AA"
mountpoint -q "$MANY" || mount -t tmpfs -o size=256M,nr_inodes=$((MAX_RULES + 1000)),mode=755 bench "$MANY"
t0=$(now_ms)
python3 - "$MANY" "$MAX_RULES" <<'EOP'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    open("%s/f%d" % (d, i), "w").close()
with open(d + "/target", "w") as f:
    f.write("the benchmarked file: never denied\n")
EOP
chmod 644 "$TARGET"
note "kernel $(uname -r), $(nproc) vCPUs; $OPENS opens and $EXECS execs of $PROG per round, $ROUNDS rounds per configuration; $MAX_RULES files made in $(($(now_ms) - t0)) ms"

# --- measuring ------------------------------------------------------------------------------------

# fastest BIN NAME OP COUNT ARG: the lowest ns per operation of SUBRUNS runs of the loop, COUNT
# operations in all. The host's load only ever adds time to a run (the guest's vCPUs are host
# threads that other work delays), so the fastest run is the one nearest the true cost.
fastest() {
	local k out best= n=$(($4 / SUBRUNS > 0 ? $4 / SUBRUNS : 1))
	for k in $(seq 1 "$SUBRUNS"); do
		out=$("$1" "$3" "$n" "$5") || die "$2: $3 loop failed"
		[[ $out =~ ns_per_op=([0-9]+) ]] || die "$2: $3 loop said '$out'"
		if [[ -z $best ]] || ((BASH_REMATCH[1] < best)); then best=${BASH_REMATCH[1]}; fi
	done
	echo "$best"
}

# measure BIN NAME: one round, appended to NAME.open and NAME.exec (ns per operation).
measure() {
	local o e
	o=$(fastest "$1" "$2" open "$OPENS" "$TARGET")
	e=$(fastest "$1" "$2" exec "$EXECS" "$PROG")
	echo "$o" >>"$SAMPLES/$2.open"
	echo "$e" >>"$SAMPLES/$2.exec"
	echo "   $2: open $o ns, exec $e ns" >&2
}

# warm_up BIN: caches, page tables, the agent's maps; not counted.
warm_up() {
	"$1" open $((OPENS / 10 + 1)) "$TARGET" >/dev/null || die "warm-up open loop failed"
	"$1" exec $((EXECS / 10 + 1)) "$PROG" >/dev/null || die "warm-up exec loop failed"
}

# --- the agent ------------------------------------------------------------------------------------

# agent_start EXPECTED_ENTRIES [ARGS]: secagentd under its unit with ExecStart=secagentd ARGS and
# whatever is in the policy directory; checks that it compiled EXPECTED_ENTRIES file entries.
agent_start() {
	local expected=$1 t0 entries
	shift
	mkdir -p "$(dirname "$DROPIN")"
	printf '[Service]\nExecStart=\nExecStart=%s %s\nTimeoutStartSec=900\nWatchdogSec=0\n' \
		"$(command -v secagentd)" "$*" >"$DROPIN"
	systemctl daemon-reload
	systemctl reset-failed secagent 2>/dev/null || true
	t0=$(now_ms)
	systemctl start secagent || die "secagent did not start with $expected entries ($*)"
	START_MS=$(($(now_ms) - t0))
	entries=$(secagentctl status --json | jq -r .file_entries)
	[[ $entries == "$expected" ]] || die "agent compiled $entries file entries, expected $expected"
}

agent_stop() {
	systemctl stop secagent || die "systemctl stop secagent failed"
	[[ ! -e $PIN_DIR ]] || die "$PIN_DIR still there after stop: enforcement did not end"
}

# gen_policies COUNT: policies denying f0..f(COUNT-1), one path per rule, 4000 rules per file
# (POLICY_MAX_FILE_RULES is 4096), as daemon-bench makes them.
gen_policies() {
	rm -f "$POLICY_DIR"/*.yaml
	python3 - "$POLICY_DIR" "$MANY" "$1" <<'EOP'
import sys
out, many, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
per_file = 4000
for k in range(0, count, per_file):
    name = "bench-files-%d" % (k // per_file)
    with open("%s/%s.yaml" % (out, name), "w") as f:
        f.write("apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: %s}\n" % name)
        f.write("spec:\n  mode: enforce\n  files:\n")
        for i in range(k, min(k + per_file, count)):
            f.write("    - paths: [%s/f%d]\n      action: deny\n" % (many, i))
EOP
}

# expect_denied BIN FILE: a open of FILE by BIN fails (the rules are in force).
expect_denied() {
	if "$1" open 1 "$2" >/dev/null 2>"$SAMPLES/denied.err"; then
		die "$2 was not denied to $1"
	fi
	grep -qE 'Operation not permitted|Permission denied' "$SAMPLES/denied.err" ||
		die "open of $2 failed otherwise: $(cat "$SAMPLES/denied.err")"
}

# The agent's programs: those that use a map the daemon holds. The map ids come from the daemon's
# /proc fdinfo: self-protection refuses every other process a descriptor to its maps (so no
# `bpftool map show pinned`), while listing programs stays allowed.
agent_prog_ids() {
	local pid ids=()
	pid=$(systemctl show -p MainPID --value secagent)
	mapfile -t ids < <(awk '$1 == "map_id:" { print $2 }' /proc/"$pid"/fdinfo/* 2>/dev/null | sort -un)
	((${#ids[@]})) || die "no map ids in the fdinfo of secagentd (pid $pid)"
	bpftool prog show --json | jq -r --argjson maps "[$(IFS=,; echo "${ids[*]}")]" \
		'.[] | select(.type == "lsm" and ((.map_ids // []) - ((.map_ids // []) - $maps) | length > 0)) | .id'
}

# prog_stats: "ID NAME RUN_TIME_NS RUN_CNT" of each of the agent's programs, from one bpftool
# call (one per program took seconds per round under TCG).
prog_stats() {
	local ids
	ids=$(agent_prog_ids | paste -sd, -)
	bpftool prog show --json | jq -r --argjson ids "[$ids]" \
		'.[] | select(.id as $i | $ids | index($i)) | "\(.id) \(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
}

# cost_phase NAME: the kernel's own count of each program's time per call, with
# kernel.bpf_stats_enabled=1 (its clock reads are counted too, so it is on only here), over
# ROUNDS rounds. Writes "PROG MEDIAN MIN MAX CALLS" (ns per call over the rounds; calls in the
# last round) lines to NAME.cost. Also the time all the programs took together per open and per
# exec of the loops (the sum of run_time_ns over the phase, divided by the operations), as
# "OPEN_MEDIAN MIN MAX EXEC_MEDIAN MIN MAX" in NAME.per-op: the agent's own cost of an operation,
# free of the noise that moves whole rounds (it leaves out the trampoline's entry and exit).
cost_phase() {
	local before mid after k p
	: >"$SAMPLES/$1.cost-rounds"
	: >"$SAMPLES/$1.per-op-rounds"
	sysctl -qw kernel.bpf_stats_enabled=1
	for k in $(seq 1 "$ROUNDS"); do
		before=$(prog_stats)
		"$LOOP" open "$OPENS" "$TARGET" >/dev/null || die "$1: open loop failed"
		mid=$(prog_stats)
		"$LOOP" exec "$EXECS" "$PROG" >/dev/null || die "$1: exec loop failed"
		after=$(prog_stats)
		[[ -n $after ]] || die "$1: no BPF programs of the agent found"
		echo "$(sum_run_time "$before" "$mid" "$OPENS") $(sum_run_time "$mid" "$after" "$EXECS")" \
			>>"$SAMPLES/$1.per-op-rounds"
		join <(sort <<<"$before") <(sort <<<"$after") |
			awk '{ n = $7 - $4; printf "%s %.0f %d\n", $2, n ? ($6 - $3) / n : 0, n }' \
				>>"$SAMPLES/$1.cost-rounds"
	done
	sysctl -qw kernel.bpf_stats_enabled=0
	: >"$SAMPLES/$1.cost"
	while read -r p; do
		awk -v p="$p" '$1 == p { print $2 }' "$SAMPLES/$1.cost-rounds" >"$SAMPLES/cost-one"
		echo "$p $(stats "$SAMPLES/cost-one") $(awk -v p="$p" '$1 == p { n = $3 } END { print n }' \
			"$SAMPLES/$1.cost-rounds")" >>"$SAMPLES/$1.cost"
	done < <(cut -d' ' -f1 "$SAMPLES/$1.cost-rounds" | sort -u)
	note "$1: BPF ns per call, median min max calls/round: $(tr '\n' ';' <"$SAMPLES/$1.cost")"
	cut -d' ' -f1 "$SAMPLES/$1.per-op-rounds" >"$SAMPLES/cost-one"
	cut -d' ' -f2 "$SAMPLES/$1.per-op-rounds" >"$SAMPLES/cost-two"
	echo "$(stats "$SAMPLES/cost-one") $(stats "$SAMPLES/cost-two")" >"$SAMPLES/$1.per-op"
}

# sum_run_time BEFORE AFTER OPS: the run_time_ns all programs gained between two prog_stats, per
# operation (ns, rounded).
sum_run_time() {
	join <(sort <<<"$1") <(sort <<<"$2") |
		awk -v ops="$3" '{ t += $6 - $3 } END { printf "%.0f\n", t / ops }'
}

# --- AppArmor ---------------------------------------------------------------------------------------

# aa_load COUNT: a profile for LOOP_AA that allows everything and denies reading f0..f(COUNT-1);
# fails, with the reason in aa.failed, when apparmor_parser does.
aa_load() {
	local t0 profile=$BENCH_DIR/apparmor-profile
	python3 - "$LOOP_AA" "$MANY" "$1" >"$profile" <<'EOP'
import sys
binary, many, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
print("%s {" % binary)
for r in ("file", "capability", "network", "signal", "ptrace", "unix"):
    print("  %s," % r)
for i in range(count):
    print("  deny %s/f%d r," % (many, i))
print("}")
EOP
	t0=$(now_ms)
	local rc=0
	apparmor_parser -r "$profile" 2>"$SAMPLES/aa.err" || rc=$?
	if ((rc)); then
		echo "apparmor_parser exit $rc after $(($(now_ms) - t0)) ms$(head -c 200 "$SAMPLES/aa.err" | tr '\n' ' ' | sed 's/^./: &/')" >"$SAMPLES/aa.failed"
		note "AppArmor profile with $1 denies: $(cat "$SAMPLES/aa.failed")"
		return 1
	fi
	note "AppArmor profile with $1 denies loaded in $(($(now_ms) - t0)) ms"
}

# --- the run --------------------------------------------------------------------------------------

systemctl stop secagent 2>/dev/null || true
[[ ! -e $PIN_DIR ]] || secagentctl teardown >/dev/null || die "cannot remove old pins in $PIN_DIR"
sysctl -qw kernel.bpf_stats_enabled=0

# busy_percent: how busy the guest's CPUs were over the next second (all CPUs together, 0-100).
busy_percent() {
	local a b
	read -ra a < <(head -1 /proc/stat)
	sleep 1
	read -ra b < <(head -1 /proc/stat)
	awk -v a="${a[*]:1:8}" -v b="${b[*]:1:8}" 'BEGIN {
		n = split(a, x); split(b, y)
		for (i = 1; i <= n; i++) { d = y[i] - x[i]; t += d; if (i != 4 && i != 5) u += d }
		printf "%d\n", t ? 100 * u / t : 0 }'
}

# settle STEP: after a step that started or stopped the agent (not after ":"), at least SETTLE s
# and then until the guest is idle (under 5% busy over a second; at most 60 s): after a stop the
# kernel frees the agent's maps in workers, for many seconds with 100,000 rules under TCG.
settle() {
	local t
	[[ $1 != : ]] || return 0
	sleep "$SETTLE"
	for t in $(seq 1 60); do
		(($(busy_percent) < 5)) && return 0
	done
	note "the guest was still busy 60 s after '$1'"
}

# pair NAME CONFIG_ON CONFIG_OFF BIN: ROUNDS rounds of NAME (BIN, after CONFIG_ON) each paired
# with a no-agent round of LOOP, in turn before and after it; CONFIG_OFF undoes CONFIG_ON. The
# no-agent rounds go to NAME.base.
pair() {
	local name=$1 on=$2 off=$3 bin=$4 k
	# The first round after the cost phase came out 60-90% slower than the rest in every
	# configuration, even after SETTLE: one round is run and thrown away.
	settle "$on"
	measure "$LOOP" "$name.discarded"
	for k in $(seq 1 "$ROUNDS"); do
		((k % 2 == 0)) || measure "$LOOP" "$name.base"
		$on
		settle "$on"
		warm_up "$bin"
		measure "$bin" "$name"
		$off
		settle "$off"
		((k % 2 == 1)) || measure "$LOOP" "$name.base"
	done
}

# Agent configurations: NAME|LABEL|RULES|ARGS. Each rule's path makes two file entries (its inode
# and its name in its directory), so 100,000 rules need --max-file-rules=200000.
AGENT_CONFIGS=(
	"shipped|shipped policies|2|"
	"10|10 rules|10|"
	"10000|10,000 rules|10000|"
	"100000|100,000 rules|100000|--max-file-rules=$((2 * MAX_RULES))"
)
warm_up "$LOOP"
for spec in "${AGENT_CONFIGS[@]}"; do
	IFS='|' read -r name _ entries args <<<"$spec"
	if [[ $name == shipped ]]; then
		rm -f "$POLICY_DIR"/*.yaml
		cp "$SHIPPED_DIR"/*.yaml "$POLICY_DIR/"
		probe=/etc/shadow
	else
		gen_policies "$entries"
		probe=$MANY/f$((entries - 1))
	fi
	entries=$((2 * entries))
	# shellcheck disable=SC2086 # empty or one word
	agent_start "$entries" $args
	note "agent started with $entries file entries${args:+ ($args)} in $START_MS ms"
	expect_denied "$LOOP" "$probe"
	cost_phase "agent-$name"
	agent_stop
	# The rounds: the same start, quietly.
	eval "agent_on() { agent_start $entries $args; }"
	pair "agent-$name" agent_on agent_stop "$LOOP"
done
rm -f "$POLICY_DIR"/*.yaml "$DROPIN"
systemctl daemon-reload

# AppArmor: the profile attaches to LOOP_AA (and /usr/bin/true exec'd from it inherits it), so
# switching it on and off is running LOOP_AA or LOOP. apparmor_parser 3.0.8 fails on 100,000
# exact paths (exit 10, no message; 50,000 loaded, 65,000 failed): the row says so. -a adds counts.
read -ra AA_COUNTS <<<"10 10000 100000 $AA_EXTRA"
declare -A AA_FAILED
for n in "${AA_COUNTS[@]}"; do
	if ! aa_load "$n"; then
		AA_FAILED[$n]=$(cat "$SAMPLES/aa.failed")
		continue
	fi
	expect_denied "$LOOP_AA" "$MANY/f$((n - 1))"
	"$LOOP" open 1 "$MANY/f0" >/dev/null || die "the AppArmor profile confines $LOOP too"
	pair "apparmor-$n" : : "$LOOP_AA"
done
label=$("$LOOP_AA" exec 1 /usr/bin/cat /proc/self/attr/current | tr -d '\0')
note "label of a program exec'd by $LOOP_AA with the last profile loaded: ${label%%$'\n'*}"
apparmor_parser -R "$BENCH_DIR/apparmor-profile" >/dev/null 2>&1 || true

# --- the table ------------------------------------------------------------------------------------

# ratio CONFIG OP: "median min max" of the ratios of CONFIG's rounds to their no-agent rounds.
ratio() {
	paste "$SAMPLES/$1.$2" "$SAMPLES/$1.base.$2" | awk '{ printf "%.4f\n", $1 / $2 }' >"$SAMPLES/pairs"
	read -r med min max < <(stats "$SAMPLES/pairs")
	printf '%.3f %.3f %.3f\n' "$med" "$min" "$max"
}

declare -A R # CONFIG.OP -> median ratio
# row LABEL CONFIG: one line of the table, "1.023x (0.990..1.050)" per operation.
row() {
	local op r lo hi cells=()
	for op in open exec; do
		read -r r lo hi < <(ratio "$2" "$op")
		R[$2.$op]=$r
		cells+=("${r}x ($lo..$hi)")
	done
	ROWS+=("$1|${cells[0]}|${cells[1]}")
}

cat "$SAMPLES"/*.base.open >"$SAMPLES/allbase.open"
cat "$SAMPLES"/*.base.exec >"$SAMPLES/allbase.exec"
read -r bo bo_lo bo_hi < <(stats "$SAMPLES/allbase.open")
read -r be be_lo be_hi < <(stats "$SAMPLES/allbase.exec")
ROWS+=("no agent, ns per op|$bo ($bo_lo..$bo_hi)|$be ($be_lo..$be_hi)")
for spec in "${AGENT_CONFIGS[@]}"; do
	IFS='|' read -r name label _ <<<"$spec"
	row "agent, $label" "agent-$name"
done
for n in "${AA_COUNTS[@]}"; do
	if [[ -n ${AA_FAILED[$n]:-} ]]; then
		ROWS+=("apparmor, $n denies|not loaded: ${AA_FAILED[$n]}|")
	else
		row "apparmor, $n denies" "apparmor-$n"
	fi
done

met() { awk "BEGIN { exit !($1) }" && echo met || echo "NOT met"; }

note "the whole run took $((($(now_ms) - T_START) / 1000)) s"
echo "BENCH-TABLE-BEGIN"
echo "Ratio to no agent of open()+close() of $TARGET and of fork+execve+wait of $PROG:"
echo "median (min..max) over $ROUNDS rounds of the ratio of a round to the no-agent round next to it;"
echo "a round is $OPENS opens and $EXECS execs, timed in $SUBRUNS runs of which the fastest counts."
echo "First row: all no-agent rounds, ns per operation."
printf '%-30s %-26s %s\n' configuration "open+close" "fork+exec"
for r in "${ROWS[@]}"; do
	IFS='|' read -r l o e <<<"$r"
	printf '%-30s %-26s %s\n' "$l" "$o" "$e"
done
echo
echo "BPF programs, mean cost per call as the kernel counts it (kernel.bpf_stats_enabled=1 during"
echo "$ROUNDS extra rounds; the calls are every file_open in the guest meanwhile):"
printf '%-30s %-16s %s\n' configuration program "ns/call median (min..max of the rounds)"
for spec in "${AGENT_CONFIGS[@]}"; do
	IFS='|' read -r name label _ <<<"$spec"
	while read -r p med min max calls; do
		printf '%-30s %-16s %s\n' "agent, $label" "$p" "$med ($min..$max), $calls calls/round"
	done <"$SAMPLES/agent-$name.cost"
done
echo
echo "BPF time per operation: all the agent's programs together while the loop ran, per"
echo "open()+close() and per fork+exec (kernel.bpf_stats_enabled=1, same rounds), and as a share"
echo "of the no-agent operation's median time above:"
printf '%-30s %-26s %s\n' configuration "per open+close" "per fork+exec"
for spec in "${AGENT_CONFIGS[@]}"; do
	IFS='|' read -r name label _ <<<"$spec"
	read -r o o_lo o_hi e e_lo e_hi <"$SAMPLES/agent-$name.per-op"
	printf '%-30s %-26s %s\n' "agent, $label" \
		"$o ns ($o_lo..$o_hi) $(awk -v a="$o" -v b="$bo" 'BEGIN { printf "%.2f%%", a / b * 100 }')" \
		"$e ns ($e_lo..$e_hi) $(awk -v a="$e" -v b="$be" 'BEGIN { printf "%.3f%%", a / b * 100 }')"
done
echo
echo "Targets:"
for op in open exec; do
	a=${R[agent-10000.$op]}
	line="  $op, 10,000 rules: agent ${a}x <= 1.05x: $(met "$a <= 1.05")"
	if [[ -n ${R[apparmor-10000.$op]:-} ]]; then
		line+="; <= AppArmor's ${R[apparmor-10000.$op]}x: $(met "$a <= ${R[apparmor-10000.$op]}")"
	else
		line+="; AppArmor with 10,000 denies: no result"
	fi
	echo "$line"
done
# The programs that consult the file rules (the others do not look at them).
join <(sort "$SAMPLES/agent-10.cost") <(sort "$SAMPLES/agent-100000.cost") |
	grep -E '^(sa_file_open|sa_bprm_check|sa_mmap_file|sa_file_mprotect) ' |
	while read -r p ns10 _ _ _ ns100k _; do
		echo "  $p per call, 100,000 rules $ns100k ns vs 10 rules $ns10 ns" \
			"($(awk -v a="$ns100k" -v b="$ns10" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }')):" \
			"within 5%: $(met "$ns100k <= $ns10 * 1.05 && $ns100k >= $ns10 * 0.95");" \
			"at most 5% above: $(met "$ns100k <= $ns10 * 1.05")"
	done
echo
echo "Notes:"
for n in "${NOTES[@]}"; do echo "  $n"; done
echo "BENCH-TABLE-END"
