#!/bin/bash
# Runs inside the VM guest (bench/profile-bench boots it with tests/vm/run): what a recording
# costs. open()+close() and fork+exec, as a ratio to no agent in the same round:
# - the floor: no agent, an empty BPF program on file_open, then one on sys_enter too;
# - by processes outside the recorded workload (this shell), with the agent and no recording,
#   with a policy that puts an auditing posture on the workload (what a recording installs,
#   without its system-call tracepoint), and while a recording runs;
# - by the recorded workload itself (a transient service, the recorded unit), the same ways.
# Then a recording of SECONDS of a service that reads files, runs programs and serves HTTP:
# how long the policy takes to generate once it ends, and how many rules it has. Prints one table
# between "BENCH-TABLE-BEGIN" and "BENCH-TABLE-END".
#   profile-bench.sh [-o OPENS] [-e EXECS] [-w WORKLOAD_OPS] [-r ROUNDS] [-s SECONDS]
set -euo pipefail

OPENS=20000
EXECS=1000
WORKLOAD_OPS=2000
ROUNDS=3
SECONDS_LONG=60
while getopts "o:e:w:r:s:" opt; do
	case $opt in
	o) OPENS=$OPTARG ;;
	e) EXECS=$OPTARG ;;
	w) WORKLOAD_OPS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	s) SECONDS_LONG=$OPTARG ;;
	*) echo "usage: profile-bench.sh [-o OPENS] [-e EXECS] [-w OPS] [-r ROUNDS] [-s SECONDS]" >&2; exit 2 ;;
	esac
done

LOOP=/usr/libexec/secagent-tests/open-exec-loop
FLOOR=/usr/libexec/secagent-tests/bpf-floor
POLICY_DIR=/etc/secagent/policies.d
DIR=/srv/profile-bench
SAMPLES=/run/profile-bench # CONFIG.WHO.OP: ns/op, one line per round
UNIT=bench-rec

die() {
	echo "profile-bench: FAIL: $*" >&2
	journalctl -u secagent -o cat --no-pager -n 20 >&2 || true
	exit 1
}

[[ -x $LOOP && -x $FLOOR ]] || die "$LOOP or $FLOOR missing: build with -Dtest_tools=true"
grep -qw bpf /sys/kernel/security/lsm || die "bpf is not an active LSM"
rm -rf "$DIR" "$SAMPLES"
mkdir -p "$DIR" "$SAMPLES" "$POLICY_DIR"
rm -f "$POLICY_DIR"/*.yaml
echo plain >"$DIR/plain"
# The host's policies while it records: the shipped example that protects /etc/shadow.
cat >"$POLICY_DIR/host.yaml" <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: host}
spec:
  files:
    - {paths: [/etc/shadow, /etc/gshadow], action: deny}
EOP

# sample CONFIG WHO: OPENS open+close and EXECS fork+exec, here (WHO=outside) or in the unit.
sample() {
	local op count out
	for op in open exec; do
		count=$OPENS
		[[ $op == exec ]] && count=$EXECS
		if [[ $2 == recorded ]]; then
			count=$WORKLOAD_OPS
			[[ $op == exec ]] && count=$((WORKLOAD_OPS / 20))
		fi
		if [[ $2 == outside ]]; then
			if [[ $op == open ]]; then out=$("$LOOP" open "$count" "$DIR/plain")
			else out=$("$LOOP" exec "$count" /bin/true); fi
		else
			if [[ $op == open ]]; then in_unit "$LOOP" open "$count" "$DIR/plain"
			else in_unit "$LOOP" exec "$count" /bin/true; fi
			out=$(cat /run/bench-job.out)
		fi || die "$1 $2 $op: $out"
		[[ $out =~ ns_per_op=([0-9]+) ]] || die "$1 $2 $op said '$out'"
		echo "${BASH_REMATCH[1]}" >>"$SAMPLES/$1.$2.$op"
		echo "   $1 $2 $op: ${BASH_REMATCH[1]} ns" >&2
	done
}

# The recorded workload is a unit of its own (a oneshot that runs /run/bench-job): a unit
# that exists, as an operator records one.
cat >/run/systemd/system/$UNIT.service <<EOU
[Service]
Type=oneshot
ExecStart=/bin/sh -c '/run/bench-job >/run/bench-job.out 2>&1'
EOU
systemctl daemon-reload
in_unit() { # CMD...: runs CMD in the unit, waits for it
	printf '#!/bin/sh\nexec %s\n' "$*" >/run/bench-job
	chmod 755 /run/bench-job
	systemctl start "$UNIT"
}

# What a recording installs, without its system-call tracepoint: an auditing posture for the
# unit (the row that tells the two costs apart).
posture_policy() {
	cat <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: posture}
spec:
  mode: audit
  selector: {cgroups: [/system.slice/$UNIT.service]}
  posture: audit
EOP
}

# After a change (the agent started, a set switched, a recording started) the daemon, journald
# and systemd finish their one-time work before the next measurement: the rows are the cost while
# a configuration holds, not the cost of getting there.
settle() { sleep 2; }

# The floor, with no agent: empty programs where the agent hooks an open (file_open) and where
# a recording adds the system-call tracepoint (sys_enter). Any BPF design pays at least that.
floor=
floor_start() { # PROGRAM...
	"$FLOOR" "$@" >/run/floor.out 2>&1 &
	floor=$!
	for _ in $(seq 1 100); do
		grep -q attached /run/floor.out && return 0
		sleep 0.1
	done
	die "bpf-floor $*: $(cat /run/floor.out)"
}
floor_stop() { kill "$floor" && wait "$floor" 2>/dev/null || true; }

recorder=
record_start() {
	secagentctl profile record --unit "$UNIT" --output /run/bench-rec.yaml \
		>/run/record.out 2>/run/record.err &
	recorder=$!
	for _ in $(seq 1 100); do
		[[ $(secagentctl status --json | jq -r .recording) != none ]] && return 0
		sleep 0.1
	done
	die "the recording did not start: $(cat /run/record.err)"
}
record_stop() {
	kill -INT "$recorder"
	wait "$recorder" || echo "   (the recording itself: $(tail -n1 /run/record.err))" >&2
}

"$LOOP" open 1000 "$DIR/plain" >/dev/null || die "warm-up failed"
for r in $(seq 1 "$ROUNDS"); do
	echo "== round $r" >&2
	systemctl stop secagent 2>/dev/null || true
	settle
	sample none outside
	sample none recorded
	floor_start file_open
	settle
	sample floor-open outside
	sample floor-open recorded
	floor_stop
	floor_start file_open sys_enter
	settle
	sample floor-record outside
	sample floor-record recorded
	floor_stop
	systemctl start secagent || die "secagent did not start"
	settle
	sample agent outside
	sample agent recorded
	posture_policy >"$POLICY_DIR/posture.yaml"
	secagentctl reload >/dev/null || die "the posture policy did not apply"
	settle
	sample posture outside
	sample posture recorded
	rm -f "$POLICY_DIR/posture.yaml"
	secagentctl reload >/dev/null || die "the posture policy did not go"
	record_start
	settle
	sample recording outside
	sample recording recorded
	record_stop
done

# The long recording: a service that reads, runs and serves for SECONDS.
mkdir -p "$DIR/www"
echo hello >"$DIR/www/index.html"
cat >/run/bench-service.sh <<EOS
#!/bin/sh
busybox httpd -f -p 127.0.0.1:8081 -h $DIR/www &
httpd=\$!
end=\$((\$(date +%s) + $SECONDS_LONG))
while [ "\$(date +%s)" -lt "\$end" ]; do
	for f in \$(ls /usr/share/doc/*/copyright | head -n 200); do cat "\$f" >/dev/null; done
	busybox wget -q -O /dev/null http://127.0.0.1:8081/index.html || true
	id >/dev/null; date >/dev/null; uname -a >/dev/null
	sleep 1
done
kill \$httpd
exit 0
EOS
chmod 755 /run/bench-service.sh
secagentctl profile record --unit "$UNIT" --output /run/bench-long.yaml \
	--duration "$((SECONDS_LONG + 10))" >/run/long.out 2>/run/long.err &
long=$!
sleep 1
in_unit /run/bench-service.sh
wait "$long" || die "the long recording failed: $(cat /run/long.err)"
summary=$(cat /run/long.out)
[[ $summary =~ ([0-9]+)\ events.*\ ([0-9]+)\ rules.*generated\ in\ ([0-9]+)\ ms ]] ||
	die "unexpected summary: $summary"
long_events=${BASH_REMATCH[1]} long_rules=${BASH_REMATCH[2]} long_ms=${BASH_REMATCH[3]}
systemctl stop secagent

ratio() { # CONFIG WHO OP: "median min max" of the per-round ratios to no agent
	paste "$SAMPLES/$1.$2.$3" "$SAMPLES/none.$2.$3" | awk '{ printf "%.4f\n", $1 / $2 }' |
		sort -g | awk '{ v[NR] = $1 } END { printf "%.3f %.3f %.3f\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "BENCH-TABLE-BEGIN"
echo "kernel $(uname -r), $(nproc) vCPUs; median (min..max) over $ROUNDS rounds of the ratio to the"
echo "no-agent measurement of the same round. Outside the workload: $OPENS open()+close(), $EXECS"
echo "fork+exec; in the recorded unit: $WORKLOAD_OPS and $((WORKLOAD_OPS / 20))."
printf '%-34s %-22s %-22s %-22s %s\n' configuration "outside: open+close" "outside: fork+exec" \
	"recorded: open+close" "recorded: fork+exec"
printf '%-34s %-22s %-22s %-22s %s\n' "no agent (ns/op, median)" \
	"$(median "$SAMPLES/none.outside.open") ns" "$(median "$SAMPLES/none.outside.exec") ns" \
	"$(median "$SAMPLES/none.recorded.open") ns" "$(median "$SAMPLES/none.recorded.exec") ns"
for cfg in floor-open floor-record agent posture recording; do
	row=()
	for who in outside recorded; do
		for op in open exec; do
			read -r m lo hi < <(ratio "$cfg" "$who" "$op")
			row+=("${m}x ($lo..$hi)")
		done
	done
	case $cfg in
	floor-open) label="no agent, empty file_open prog" ;;
	floor-record) label="  + empty sys_enter prog" ;;
	agent) label="agent, no recording" ;;
	posture) label="agent, audit posture on the unit" ;;
	*) label="agent, recording the unit" ;;
	esac
	printf '%-34s %-22s %-22s %-22s %s\n' "$label" "${row[@]}"
done
echo "a ${SECONDS_LONG} s recording of a service (files, programs, HTTP): $long_events events,"
echo "policy generated in $long_ms ms (guest clock), $long_rules rules"
echo "BENCH-TABLE-END"
