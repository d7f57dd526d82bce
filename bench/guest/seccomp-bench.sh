#!/bin/bash
# Runs inside the VM guest (bench/seccomp-bench boots it with tests/vm/run): the cost of a
# seccomp filter on tight loops of getppid() and of open()+close(), with no filter, with the
# filter of a secagent policy of 10 and of 300 rules (built by secagentd's code, as secagentctl
# exec builds it), and with podman's default profile from containers-common, built as runc builds
# it (libseccomp's default, a priority-ordered list) and with libseccomp's binary tree. Prints one
# table between "BENCH-TABLE-BEGIN" and "BENCH-TABLE-END": median ns per call and the ratio to no
# filter, every configuration measured in the same boot, runs interleaved in a rotating order.
#   seccomp-bench.sh [-n CALLS] [-r RUNS] [-p PROFILE_LINES]
set -euo pipefail

N=1000000
RUNS=9
PROFILE=/opt/secagent-vm/bench/podman-seccomp.lines
while getopts "n:r:p:" opt; do
	case $opt in
	n) N=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	p) PROFILE=$OPTARG ;;
	*) echo "usage: seccomp-bench.sh [-n CALLS] [-r RUNS] [-p PROFILE_LINES]" >&2; exit 2 ;;
	esac
done

TOOL=/usr/libexec/secagent-tests/syscall-loop
DIR=/srv/secagent-seccomp-bench
die() { echo "seccomp-bench: FAIL: $*" >&2; exit 1; }
[[ -x $TOOL ]] || die "$TOOL missing: build with -Dtest_tools=true"
[[ -s $PROFILE ]] || die "$PROFILE missing: bench/seccomp-bench copies podman's profile in"

rm -rf "$DIR"
mkdir -p "$DIR"

# What the loop itself needs, then as many other calls as it takes to reach COUNT rules, one call
# per rule, in libseccomp's number order. Default deny, so every call the filter sees is looked up.
NEEDED=(getppid openat close write exit_group newfstatat fstat brk mmap clock_gettime)
write_policy() { # FILE COUNT
	local file=$1 count=$2 n=0 name
	{
		echo "apiVersion: secagent/v1"
		echo "kind: Policy"
		echo "metadata: {name: bench-$count}"
		echo "spec:"
		echo "  syscalls:"
		echo "    default: deny"
		echo "    rules:"
		while read -r name; do
			((n < count - ${#NEEDED[@]})) || break
			[[ " ${NEEDED[*]} " == *" $name "* ]] && continue
			echo "      - {names: [$name], action: allow}"
			n=$((n + 1))
		done < <("$TOOL" --list-names)
		for name in "${NEEDED[@]}"; do echo "      - {names: [$name], action: allow}"; done
	} >"$file"
	[[ $(grep -c 'action: allow' "$file") == "$count" ]] || die "$file: not $count rules"
}
write_policy "$DIR/bench-10.yaml" 10
write_policy "$DIR/bench-300.yaml" 300
secagentctl policy validate "$DIR/bench-10.yaml" "$DIR/bench-300.yaml" >&2

CONFIGS=(none policy-10 policy-300 podman-runc podman-bintree)
config_args() {
	case $1 in
	none) ;;
	policy-10) echo "--policy $DIR/bench-10.yaml" ;;
	policy-300) echo "--policy $DIR/bench-300.yaml" ;;
	podman-runc) echo "--profile-lines $PROFILE" ;;
	podman-bintree) echo "--profile-lines $PROFILE --bintree" ;;
	esac
}

# One run: prints ns per call. open()+close() costs about 50 getppid() under TCG: fewer of them.
run() { # CONFIG OP
	local n=$N
	[[ $2 == open ]] && n=$((N / 20))
	# shellcheck disable=SC2046 # the arguments are words
	"$TOOL" $(config_args "$1") --op "$2" -n "$n" 2>>"$DIR/tool.log" | awk '/^ns_per_op/ { print $2 }'
}

declare -A samples
# Interleaved, and the order rotates from run to run, so that neither a change of the host's load
# nor a place in the order favours one configuration.
for ((r = 1; r <= RUNS; r++)); do
	for op in getppid open; do
		for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
			c=${CONFIGS[(k + r) % ${#CONFIGS[@]}]}
			v=$(run "$c" "$op")
			[[ -n $v && $v != 0.0 ]] || die "run $c $op gave '$v': $(tail -3 "$DIR/tool.log")"
			samples[$c,$op]+="$v "
			echo "-- run $r $op $c: $v ns" >&2
		done
	done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "BENCH-TABLE-BEGIN"
printf '%-16s' "call"
for c in "${CONFIGS[@]}"; do printf ' %20s' "$c"; done
echo
for op in getppid open; do
	base=$(median <<<"${samples[none,$op]}")
	printf '%-16s' "$([[ $op == open ]] && echo "open+close" || echo getppid)"
	for c in "${CONFIGS[@]}"; do
		m=$(median <<<"${samples[$c,$op]}")
		printf ' %20s' "$(awk -v m="$m" -v b="$base" 'BEGIN { printf "%.0f ns (%.2fx)", m, m / b }')"
	done
	echo
done
echo "median of $RUNS runs of $N getppid() / $((N / 20)) open()+close() per configuration; ratio to none"
grep -h '^filter' "$DIR/tool.log" | sort -u | sed "s|$DIR/||; s|/opt/secagent-vm/bench/||"
echo "BENCH-TABLE-END"
