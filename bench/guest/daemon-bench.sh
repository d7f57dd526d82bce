#!/bin/bash
# Runs inside the VM guest (bench/daemon-bench boots it with tests/vm/run): measures event
# throughput to journald (daemon vs a plain sd-journal client), reload time and daemon RSS, and
# prints one table at the end, between "BENCH-TABLE-BEGIN" and "BENCH-TABLE-END".
#   daemon-bench.sh [-n EVENTS] [-r RUNS] [-R RELOAD_REPS] [-s SECTIONS]
# SECTIONS: comma list of throughput,reload,rss (default: all).
set -euo pipefail

N=20000
RUNS=3
RELOAD_REPS=7
SECTIONS=throughput,reload,rss
# How often the end of a run is looked for. Each look starts processes, which take CPU from the
# daemon and journald on the guest's 2 vCPUs; 0.25 s is < 1% of a run at the default N.
POLL=0.25
while getopts "n:r:R:s:" opt; do
	case $opt in
	n) N=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	R) RELOAD_REPS=$OPTARG ;;
	s) SECTIONS=$OPTARG ;;
	*) echo "usage: daemon-bench.sh [-n EVENTS] [-r RUNS] [-R RELOAD_REPS] [-s SECTIONS]" >&2; exit 2 ;;
	esac
done

TOOLS=/usr/libexec/secagent-tests
POLICY_DIR=/etc/secagent/policies.d
DROPIN_DIR=/run/systemd/system/secagent.service.d
# Not under /tmp: the benchmark's files live apart from the test harness's.
BENCH_DIR=/srv/secagent-bench
DENIED=$BENCH_DIR/denied
SECAGENTD=$(command -v secagentd)
RESULTS=()   # "metric|value|notes"

die() {
	echo "daemon-bench: FAIL: $*" >&2
	journalctl -u secagent -o cat --no-pager -n 20 >&2 || true
	exit 1
}
note() { echo "-- $*" >&2; }
now_ns() { date +%s%N; }
result() { RESULTS+=("$1|$2|$3"); }
want() { [[ ",$SECTIONS," == *",$1,"* ]]; }

for t in open-loop journal-flood; do
	[[ -x $TOOLS/$t ]] || die "$TOOLS/$t missing: build with -Dtest_tools=true and subdir('bench')"
done

# median/min/max of numbers on stdin -> "median min max" (median of an even count: the lower one)
stats() { sort -g | awk '{ v[NR] = $1 } END { printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

# start_daemon ARGS...: (re)starts secagent.service with ExecStart=secagentd ARGS.
start_daemon() {
	systemctl stop secagent 2>/dev/null || true
	mkdir -p "$DROPIN_DIR"
	{
		echo "[Service]"
		echo "ExecStart="
		echo "ExecStart=$SECAGENTD $*"
		echo "TimeoutStartSec=900"
		echo "WatchdogSec=0"
	} >"$DROPIN_DIR/bench.conf"
	systemctl daemon-reload
	systemctl reset-failed secagent 2>/dev/null || true
	systemctl start secagent || die "secagent did not start with: $*"
}

status_field() { secagentctl status --json | jq -r ".$1"; }
# counters: "events_received events_lost_ringbuf events_lost_journal" of the daemon.
# No jq here: it is polled while the events flow, and every process started in the guest takes
# CPU from the daemon and journald.
# Prints nothing when the daemon does not answer (it serves its control socket only between
# ring buffer drains): the caller counts that and asks again.
counters() {
	local j r=0 b=0 l=0
	j=$(secagentctl status --json 2>/dev/null) || return 0
	[[ $j =~ \"events_received\":([0-9]+) ]] && r=${BASH_REMATCH[1]}
	[[ $j =~ \"events_lost_ringbuf\":([0-9]+) ]] && b=${BASH_REMATCH[1]}
	[[ $j =~ \"events_lost_journal\":([0-9]+) ]] && l=${BASH_REMATCH[1]}
	echo "$r $b $l"
}

# Journald: volatile storage in /run. Make room so that no entry of the run is rotated away,
# and start from an empty journal with one fresh file.
setup_journald() {
	mount -o remount,size=1536M /run || true
	mkdir -p /etc/systemd/journald.conf.d
	cat >/etc/systemd/journald.conf.d/zz-bench.conf <<'EOF'
[Journal]
Storage=volatile
RuntimeMaxUse=1G
RuntimeKeepFree=64M
RuntimeMaxFileSize=512M
RateLimitIntervalSec=0
RateLimitBurst=0
EOF
	systemctl restart systemd-journald
	journalctl --rotate >/dev/null 2>&1 || true
	journalctl --vacuum-files=1 >/dev/null 2>&1 || true
}

# count_policy POLICY: entries with SECAGENT_POLICY=POLICY (a value unique to one run). Not with
# --after-cursor: with a match as well, journalctl 252 counted one entry too few here.
count_policy() {
	journalctl --no-pager "SECAGENT_POLICY=$1" -o cat | wc -l
}

# wait_in_journal T0 POLICY EXPECTED: both sides end here, the same way: ask journald to sync,
# take the time, count; repeat until EXPECTED entries are there. The count itself is not timed.
# Prints "COUNT ELAPSED_NS".
wait_in_journal() {
	local t0=$1 policy=$2 expected=$3 t1 count last=-1 since
	since=$(now_ns)
	while :; do
		journalctl --sync
		t1=$(now_ns)
		count=$(count_policy "$policy")
		((count >= expected)) && break
		if ((count != last)); then
			last=$count since=$t1
		elif ((t1 - since > 20000000000)); then
			echo "   stuck at $count of $expected entries for 20 s" >&2
			break
		fi
		sleep "$POLL"
	done
	echo "$count $((t1 - t0))"
}

RUN_ID=0

# cpu_ms PID: user+system CPU time of PID so far, in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }
journald_pid() { systemctl show -P MainPID systemd-journald; }
daemon_pid() { systemctl show -P MainPID secagent; }

# set_flood_policy NAME: the policy that denies $DENIED, under a name unique to the run.
set_flood_policy() {
	rm -f "$POLICY_DIR"/*.yaml
	cat >"$POLICY_DIR/bench-flood.yaml" <<EOF
apiVersion: secagent/v1
kind: Policy
metadata:
  name: $1
spec:
  mode: enforce
  files:
    - paths: [$DENIED]
      action: deny
EOF
}

run_plain() { # prints the rate (entries/s), also left in /tmp/rate
	local t0 count ns policy=bench-plain-$((++RUN_ID)) jcpu0 jpid
	jpid=$(journald_pid)
	jcpu0=$(cpu_ms "$jpid")
	t0=$(now_ns)
	"$TOOLS/journal-flood" -n "$N" -p "$policy" -f "$DENIED" >/tmp/flood.out || die "journal-flood failed"
	read -r count ns < <(wait_in_journal "$t0" "$policy" "$N")
	((count == N)) || die "plain client: $count of $N entries in the journal"
	awk -v c="$count" -v ns="$ns" 'BEGIN { printf "%.0f\n", c / (ns / 1e9) }' >/tmp/rate
	note "plain  run: $count entries in $((ns / 1000000)) ms ($(cat /tmp/rate) ent/s); sends alone: $(sed 's/.*elapsed_ns=//' /tmp/flood.out | awk '{ printf "%d ms", $1 / 1e6 }'); CPU: journal-flood $(sed 's/.*cpu_ms=\([0-9]*\).*/\1/' /tmp/flood.out) ms, journald $(($(cpu_ms "$jpid") - jcpu0)) ms"
	cat /tmp/rate
}

run_daemon() { # prints the rate (entries/s), also left in /tmp/rate; adds losses to /tmp/lost
	local t0 t_open recv0 lrb0 lj0 recv lrb lj done_n=0 last=-1 stalled=0 count ns
	local policy=bench-flood-$((++RUN_ID))
	set_flood_policy "$policy"
	secagentctl reload >/dev/null || die "reload of the flood policy failed"
	local jpid dpid jcpu0 dcpu0
	jpid=$(journald_pid) dpid=$(daemon_pid)
	jcpu0=$(cpu_ms "$jpid") dcpu0=$(cpu_ms "$dpid")
	read -r recv0 lrb0 lj0 < <(counters)
	t0=$(now_ns)
	"$TOOLS/open-loop" -n "$N" "$DENIED" >/tmp/open-loop.out
	t_open=$(now_ns)
	grep -q "eperm=$N " /tmp/open-loop.out || die "open-loop: not every open denied: $(head -1 /tmp/open-loop.out)"
	# Until the daemon has taken every event off the ring buffer (or counted it lost): one cheap
	# status call per poll, so that the end is seen about as soon as for the plain client.
	while :; do
		if ! read -r recv lrb lj < <(counters); then
			echo "   secagentctl status: no answer from the daemon" >&2
			echo x >>/tmp/status-timeouts
			sleep "$POLL"
			continue
		fi
		done_n=$((recv - recv0 + lrb - lrb0))
		((done_n >= N)) && break
		if ((done_n == last)); then
			((++stalled > 120)) && die "daemon stuck at $done_n of $N events"
		else
			stalled=0
		fi
		last=$done_n
		sleep "$POLL"
	done
	local expected=$((N - (lrb - lrb0) - (lj - lj0)))
	read -r count ns < <(wait_in_journal "$t0" "$policy" "$expected")
	echo "$((lrb - lrb0)) $((lj - lj0)) $((N - count))" >>/tmp/lost
	awk -v c="$count" -v ns="$ns" 'BEGIN { printf "%.0f\n", c / (ns / 1e9) }' >/tmp/rate
	note "daemon run: $count of $N entries in $((ns / 1000000)) ms ($(cat /tmp/rate) ent/s; open-loop done after $(((t_open - t0) / 1000000)) ms); lost: ringbuf $((lrb - lrb0)), journal $((lj - lj0)); CPU: secagentd $(($(cpu_ms "$dpid") - dcpu0)) ms, journald $(($(cpu_ms "$jpid") - jcpu0)) ms"
	cat /tmp/rate
}

fmt_rate() { # median min max
	printf '%s ent/s|median of %s (%s..%s)\n' "$1" "$RUNS" "$2" "$3"
}

mkdir -p "$BENCH_DIR"
chmod 755 "$BENCH_DIR"
echo denied >"$DENIED"
chmod 644 "$DENIED"
mkdir -p "$POLICY_DIR"
rm -f "$POLICY_DIR"/*.yaml

note "kernel $(uname -r), $(nproc) vCPUs, $(awk '/MemTotal/ { print int($2 / 1024) " MiB" }' /proc/meminfo); N=$N events per run, $RUNS runs per side"

if want throughput; then
	setup_journald
	set_flood_policy bench-flood
	start_daemon --coalesce-ms=0 --rate-limit-burst=0 --ringbuf-size=16777216
	[[ $("$TOOLS/open-loop" -n 1 "$DENIED" | head -1) == *eperm=1* ]] || die "the bench policy does not deny $DENIED"

	note "warm-up (not counted)"
	n_save=$N
	N=$((n_save / 10 > 0 ? n_save / 10 : 1))
	run_plain >/dev/null
	run_daemon >/dev/null
	N=$n_save
	: >/tmp/lost
	: >/tmp/status-timeouts
	plain=() daemon=()
	for _ in $(seq 1 "$RUNS"); do
		# Not in $(...): RUN_ID must advance in this shell.
		run_plain >/dev/null
		plain+=("$(cat /tmp/rate)")
		run_daemon >/dev/null
		daemon+=("$(cat /tmp/rate)")
	done
	read -r pmed pmin pmax < <(printf '%s\n' "${plain[@]}" | stats)
	read -r dmed dmin dmax < <(printf '%s\n' "${daemon[@]}" | stats)
	ratio=$(awk -v d="$dmed" -v p="$pmed" 'BEGIN { printf "%.2f", d / p }')
	# Ratio of each interleaved pair (plain run K, daemon run K right after it).
	pairs=$(for i in "${!plain[@]}"; do echo "${daemon[$i]} ${plain[$i]}"; done |
		awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 / $2 }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.9 ? "meets target >= 0.9" : "BELOW target >= 0.9") }')
	timeouts=$(wc -l </tmp/status-timeouts)
	read -r lrb lj missing < <(awk '{ a += $1; b += $2; c += $3 } END { print a + 0, b + 0, c + 0 }' /tmp/lost)
	IFS='|' read -r v n < <(fmt_rate "$pmed" "$pmin" "$pmax")
	result "journald plain client" "$v" "$n; N=$N"
	IFS='|' read -r v n < <(fmt_rate "$dmed" "$dmin" "$dmax")
	result "daemon denials -> journald" "$v" "$n; coalesce/rate limit off"
	result "ratio daemon / plain" "${ratio}x" "$verdict; per run pair: $pairs"
	result "events lost (all $RUNS runs)" "$((lrb + lj))" "ringbuf $lrb, journal $lj; missing from journal $missing; status polls unanswered $timeouts"
	stop_status=$(secagentctl status --json | jq -c '{events_received, events_delivered, events_lost_ringbuf, events_lost_journal}')
	note "daemon status after the runs: $stop_status"
fi

# gen_policies DIR COUNT FIRST_FILE: COUNT one-path deny rules on files many/fFIRST.., at most
# 4000 rules per policy file (the limit is 4096).
gen_policies() {
	python3 - "$@" <<'EOP'
import os, sys
out, count, base = sys.argv[1], int(sys.argv[2]), "/srv/secagent-bench/many"
per = 4000
for k in range(0, count, per):
    name = "bench-rules-%d" % (k // per)
    with open(os.path.join(out, name + ".yaml"), "w") as f:
        f.write("apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: %s}\nspec:\n  files:\n" % name)
        for i in range(k, min(k + per, count)):
            f.write("    - paths: [%s/f%d]\n      action: deny\n" % (base, i))
EOP
}

make_files() { # COUNT files in a tmpfs
	mkdir -p "$BENCH_DIR/many"
	mountpoint -q "$BENCH_DIR/many" || mount -t tmpfs -o size=512M,nr_inodes=400000 bench "$BENCH_DIR/many"
	python3 - "$1" <<'EOP'
import os, sys
d = "/srv/secagent-bench/many"
for i in range(int(sys.argv[1])):
    p = "%s/f%d" % (d, i)
    if not os.path.exists(p):
        open(p, "w").close()
EOP
}

if want reload; then
	make_files 10000
	start_daemon
	for n in 10 10000; do
		rm -f "$POLICY_DIR"/*.yaml
		gen_policies "$POLICY_DIR" "$n"
		secagentctl reload >/dev/null || die "reload of $n rules failed"
		times=()
		for _ in $(seq 1 "$RELOAD_REPS"); do
			t0=$(now_ns)
			secagentctl reload >/dev/null || die "reload of $n rules failed"
			times+=("$((($(now_ns) - t0) / 1000000))")
		done
		fe=$(status_field file_entries)
		[[ $fe == "$n" ]] || die "after reload: $fe file entries, expected $n"
		read -r med min max < <(printf '%s\n' "${times[@]}" | stats)
		note "reload $n rules: ${times[*]} ms"
		result "reload $n rules" "$med ms" "median of $RELOAD_REPS ($min..$max), wall clock of secagentctl reload"
	done
fi

rss_of_daemon() {
	local pid
	pid=$(systemctl show -P MainPID secagent)
	[[ $pid != 0 ]] || die "no MainPID"
	awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { print r, h }' "/proc/$pid/status"
}

if want rss; then
	make_files 100000
	for spec in "10|" "100000|--max-file-rules=100000"; do
		n=${spec%%|*} args=${spec#*|}
		rm -f "$POLICY_DIR"/*.yaml
		gen_policies "$POLICY_DIR" "$n"
		t0=$(now_ns)
		# shellcheck disable=SC2086 # empty or one word
		start_daemon $args
		start_ms=$((($(now_ns) - t0) / 1000000))
		fe=$(status_field file_entries)
		[[ $fe == "$n" ]] || die "after start: $fe file entries, expected $n"
		sleep 2
		read -r rss hwm < <(rss_of_daemon)
		note "RSS $n rules: VmRSS $rss KiB, VmHWM $hwm KiB, start took $start_ms ms"
		result "RSS $n rules" "$rss KiB" "VmRSS after start; peak VmHWM $hwm KiB; start ${start_ms} ms${args:+; $args}"
	done
fi

systemctl stop secagent 2>/dev/null || true
rm -f "$DROPIN_DIR/bench.conf"

echo "BENCH-TABLE-BEGIN"
printf '%-32s %-14s %s\n' metric value notes
for r in "${RESULTS[@]}"; do
	IFS='|' read -r m v n <<<"$r"
	printf '%-32s %-14s %s\n' "$m" "$v" "$n"
done
echo "BENCH-TABLE-END"
