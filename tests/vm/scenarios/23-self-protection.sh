#!/bin/bash
# Self-protection: while the agent runs, root cannot update or delete its maps, detach its
# links, remove its pins, kill it or ptrace it; each attempt fails with EPERM and is logged, and
# the policy still denies afterwards. SIGHUP (reload) works; systemctl stop (PID 1) ends it.
# After a crash the next daemon adopts the pins (the dead daemon guards nothing).
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

PIN_DIR=/sys/fs/bpf/secagent
make_testdir
echo secret >"$TESTDIR/p"
chmod 644 "$TESTDIR/p"
write_policy /tmp/guard.yaml guard enforce "$TESTDIR/p"
agent_start_with /tmp/guard.yaml
pid=$(systemctl show -P MainPID secagent)
expect_open "$TESTDIR/p" EPERM

# attempt WHAT CMD...: CMD must fail; prints what it said.
attempt() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$what succeeded: $out"
	fi
	echo "ok: $what failed: $(head -c 200 <<<"$out" | tr '\n' ' ')"
}

step "maps: no descriptor for another process, so no update or delete"
attempt "bpftool map update of the state" \
	bpftool map update pinned "$PIN_DIR/map_sa_state" key 0 0 0 0 value hex $(printf '00 %.0s' $(seq 1 16))
attempt "bpftool map delete of a rule" \
	bpftool map delete pinned "$PIN_DIR/map_sa_file_rules" key hex $(printf '00 %.0s' $(seq 1 16))
# The daemon's map ids, as /proc shows them (reading /proc/PID/fdinfo stays allowed).
map_id=$(awk '/^map_id:/ { print $2; exit }' /proc/"$pid"/fdinfo/*)
[[ -n $map_id ]] || fail "no map id in /proc/$pid/fdinfo"
attempt "bpftool map dump id $map_id" bpftool map dump id "$map_id"

step "links: no detach, by pin or by id"
link_pin=$(ls "$PIN_DIR" | grep -m1 '^link_sa_file_open_' || true)
[[ -n $link_pin ]] || fail "no file_open link pinned in $PIN_DIR: $(ls "$PIN_DIR")"
attempt "bpftool link detach pinned $link_pin" bpftool link detach pinned "$PIN_DIR/$link_pin"
# The daemon's link ids, as /proc shows them (reading /proc/PID/fdinfo stays allowed).
link_id=$(awk '/^link_id:/ { print $2; exit }' /proc/"$pid"/fdinfo/*)
[[ -n $link_id ]] || fail "no link id in /proc/$pid/fdinfo"
attempt "bpftool link detach id $link_id" bpftool link detach id "$link_id"

step "pins: no rm, no rename"
attempt "rm of a link pin" rm -f "$PIN_DIR/$link_pin"
attempt "rm of a map pin" rm -f "$PIN_DIR/map_sa_state"
attempt "mv of a map pin" mv "$PIN_DIR/map_sa_state" "$PIN_DIR/moved"
attempt "rm -rf of the pin directory" rm -rf "$PIN_DIR"
[[ -e $PIN_DIR/$link_pin && -e $PIN_DIR/map_sa_state ]] || fail "a pin is gone"

step "signals: kill -9 and -TERM from a root shell fail; SIGHUP reloads"
attempt "kill -9 of the daemon" kill -9 "$pid"
attempt "kill -TERM of the daemon" kill -TERM "$pid"
attempt "kill -STOP of the daemon" kill -STOP "$pid"
kill -HUP "$pid" || fail "SIGHUP (reload) was refused"
sleep 1
expect_eq "daemon pid after the attempts" "$pid" "$(systemctl show -P MainPID secagent)"

step "ptrace: no attach (strace -p, PTRACE_ATTACH, /proc/PID/mem); ps still reads it"
attempt "strace -p" timeout 10 strace -p "$pid" -e trace=none
expect_eq "PTRACE_ATTACH" EPERM "$(/usr/libexec/secagent-tests/kernel-op ptrace-attach "$pid")"
attempt "open /proc/PID/mem for writing" python3 -c 'import sys; open("/proc/%s/mem" % sys.argv[1], "wb")' "$pid"
ps -p "$pid" -o comm= | grep -q secagentd || fail "ps cannot see the daemon"

step "the policy still denies, events were logged"
expect_open "$TESTDIR/p" EPERM
expect_open "$TESTDIR/p" EPERM 1000
events=$(journal_events self-protection 8)
for kind in tamper_map tamper_bpf tamper_unpin tamper_signal tamper_ptrace; do
	n=$(jq --arg k "$kind" '[.[] | select(.SECAGENT_KIND == $k)] | length' <<<"$events")
	((n >= 1)) || fail "no $kind event: $(jq -c '[.[] | .SECAGENT_KIND]' <<<"$events")"
	echo "ok: $n $kind event(s)"
done
expect_eq "signal event names SIGKILL" SIGKILL \
	"$(jq -r '[.[] | select(.SECAGENT_KIND == "tamper_signal")][0].SECAGENT_SIGNAL' <<<"$events")"
expect_eq "signal event names the daemon" "$pid" \
	"$(jq -r '[.[] | select(.SECAGENT_KIND == "tamper_signal")][0].SECAGENT_TARGET_PID' <<<"$events")"

step "after a crash (SIGKILL through PID 1) the next daemon adopts the pins and is guarded"
systemctl kill -s SIGKILL secagent
for i in $(seq 1 120); do
	new=$(systemctl show -P MainPID secagent)
	[[ $new != 0 && $new != "$pid" ]] && systemctl is-active --quiet secagent && break
	sleep 1
done
[[ $new != 0 && $new != "$pid" ]] || fail "the daemon was not restarted"
unit_log_contains "Adopted the pinned policy state" || fail "the restarted daemon did not adopt"
expect_open "$TESTDIR/p" EPERM
attempt "kill -9 of the new daemon" kill -9 "$new"
attempt "rm of a map pin (new daemon)" rm -f "$PIN_DIR/map_sa_state"

step "systemctl stop still ends it"
systemctl stop secagent
expect_open "$TESTDIR/p" ok
[[ ! -e $PIN_DIR ]] || fail "$PIN_DIR still exists after stop: $(ls "$PIN_DIR")"
echo "23-self-protection: all checks passed"
