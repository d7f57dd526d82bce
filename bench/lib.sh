# Shared by the benchmark wrappers (bench/file-bench, net-bench, seccomp-bench): their options,
# the build check, the guest's clock, the boot, and the table printed at the end.
#   . "$(dirname "$0")/lib.sh"; bench_init NAME TOOL "$@"; ...; bench_run GUEST-SCRIPT [ARGS...]
# Options every wrapper takes: --build-dir DIR, --kernel K (6.1), --log FILE, --timeout SECS,
# --wall-clock; what follows "--" goes to the guest script (in BENCH_GUEST_ARGS).

bench_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_top=$(dirname "$bench_here")

bench_fail() {
	echo "$BENCH_NAME: $*" >&2
	exit 1
}

# bench_init NAME TOOL HELP_LINES ARGS...: parses the options, builds, checks that TOOL (a test
# tool under build/bench) exists, and sets the guest's clock.
bench_init() {
	BENCH_NAME=$1
	local tool=$2 help=$3
	shift 3
	BENCH_BUILD=${SECAGENT_BUILD_DIR:-$bench_top/build}
	BENCH_KERNEL=6.1
	BENCH_LOG=
	BENCH_TIMEOUT=3600
	BENCH_CLOCK=instructions
	BENCH_GUEST_ARGS=()
	while (($#)); do
		case $1 in
		--wall-clock) BENCH_CLOCK=wall; shift ;;
		--build-dir) BENCH_BUILD=$2; shift 2 ;;
		--kernel) BENCH_KERNEL=$2; shift 2 ;;
		--log) BENCH_LOG=$2; shift 2 ;;
		--timeout) BENCH_TIMEOUT=$2; shift 2 ;;
		--) shift; BENCH_GUEST_ARGS=("$@"); break ;;
		-h|--help) sed -n "$help" "$0"; exit 0 ;;
		*) echo "$BENCH_NAME: unknown option $1" >&2; exit 2 ;;
		esac
	done
	[[ -d $BENCH_BUILD ]] || bench_fail "no build dir $BENCH_BUILD (meson setup $BENCH_BUILD -Dtest_tools=true)"
	ninja -C "$BENCH_BUILD" >/dev/null || bench_fail "build failed (ninja -C $BENCH_BUILD)"
	[[ -x $BENCH_BUILD/bench/$tool ]] ||
		bench_fail "$BENCH_BUILD/bench/$tool missing: configure with -Dtest_tools=true (meson configure $BENCH_BUILD -Dtest_tools=true)"
	if [[ $BENCH_CLOCK == instructions ]]; then
		# The guest's clock counts the instructions it executes (1 ns each) on one vCPU: the
		# host's load cannot move a number, so few rounds show the spread.
		export SECAGENT_VM_ICOUNT=shift=0,sleep=on SECAGENT_VM_SMP=1
	fi
}

# bench_run GUEST-SCRIPT [DEFAULT-GUEST-ARGS...] [-- tests/vm/run ARGS...]: boots the kernel
# with the build installed, runs the guest script (defaults first, the caller's arguments after,
# so they win), prints its table after a header; exits with the guest script's status.
bench_run() {
	local script=$1 defaults=() vm_args=() out rc=0
	shift
	while (($#)) && [[ $1 != -- ]]; do defaults+=("$1"); shift; done
	(($#)) && { shift; vm_args=("$@"); }
	out=$(mktemp)
	"$bench_top/tests/vm/run" --kernel "$BENCH_KERNEL" --build-dir "$BENCH_BUILD" \
		--timeout "$BENCH_TIMEOUT" ${BENCH_LOG:+--log "$BENCH_LOG"} "${vm_args[@]}" \
		-- "$script" "${defaults[@]}" "${BENCH_GUEST_ARGS[@]}" | tee "$out" || rc=$?
	echo
	echo "=== $BENCH_NAME, kernel $BENCH_KERNEL${BENCH_HEADER_EXTRA:+, $BENCH_HEADER_EXTRA}, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$bench_top" rev-parse --short HEAD 2>/dev/null)$(git -C "$bench_top" diff --quiet HEAD 2>/dev/null || echo +dirty) ==="
	if [[ $BENCH_CLOCK == instructions ]]; then
		echo "Clock: qemu -icount shift=0, one vCPU: a guest nanosecond is one executed instruction."
	else
		echo "Clock: wall time under TCG, two vCPUs."
	fi
	if grep -q '^BENCH-TABLE-BEGIN' "$out"; then
		sed -n '/^BENCH-TABLE-BEGIN/,/^BENCH-TABLE-END/p' "$out" | sed '1d;$d'
	else
		echo "(no table: the guest script failed, exit $rc; its output is above)"
	fi
	rm -f "$out"
	return "$rc"
}
