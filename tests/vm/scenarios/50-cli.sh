#!/bin/bash
# An operator's session with secagentctl: apply two policies, read them back (list, show, status,
# events; text and --json), delete one, and check help, usage errors and a non-root caller.
set -euo pipefail
# The harness copies a single script to run it alone; the scenarios directory is always here.
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

# run_ctl [setpriv args --] ARGS...: runs secagentctl, sets $out (stdout+stderr) and $rc.
run_ctl() {
	set +e
	out=$(secagentctl "$@" 2>&1)
	rc=$?
	set -e
}

# expect_rc WHAT RC ARGS...: secagentctl ARGS exits with RC.
expect_rc() {
	local what=$1 want=$2
	shift 2
	run_ctl "$@"
	[[ $rc == "$want" ]] || fail "$what: 'secagentctl $*' exited $rc, expected $want: $out"
	echo "ok: $what -> exit $rc"
}

expect_match() { # WHAT REGEX TEXT
	grep -qE -- "$2" <<<"$3" || fail "$1: no line matches /$2/ in:
$3"
	echo "ok: $1"
}

expect_json() { # WHAT JQ-FILTER JSON: the filter yields true
	local v
	v=$(jq -e "$2" <<<"$3" 2>&1) || fail "$1: jq '$2' gave '$v' for: $3"
	echo "ok: $1"
}

make_testdir
for f in a b; do echo "$f" >"$TESTDIR/$f"; chmod 644 "$TESTDIR/$f"; done
# A second name for a, made of the bytes a terminal or a JSON reader could trip on.
weird=$(printf '%s/we"ird\\name\033[31m\nline\302\233\377' "$TESTDIR")
ln "$TESTDIR/a" "$weird"

step "help and usage errors"
expect_rc "--help" 0 --help
expect_match "--help lists the verbs" '^  events ' "$out"
for v in "status" "events" "reload" "policy" "policy validate" "policy apply" "policy list" \
	"policy show" "policy delete"; do
	# shellcheck disable=SC2086 # the verb is two words
	expect_rc "$v --help" 0 $v --help
	expect_match "$v --help shows a usage line" "^Usage: secagentctl" "$out"
done
expect_rc "unknown verb" 2 frobnicate
expect_match "unknown verb message" "Unknown verb 'frobnicate'" "$out"
expect_rc "unknown policy verb" 2 policy frobnicate
expect_rc "no verb" 2
expect_rc "unknown option of a verb" 2 status --frob
expect_rc "policy show without NAME" 2 policy show
expect_rc "policy apply with two FILEs" 2 policy apply /tmp/x /tmp/y
expect_rc "events -n not a number" 2 events -n many

step "start the agent and apply two policies"
agent_start_with
write_policy /tmp/cli-a.yaml cli-a enforce "$TESTDIR/a"
write_policy /tmp/cli-b.yaml cli-b audit "$TESTDIR/b"
expect_rc "policy validate of both" 0 policy validate /tmp/cli-a.yaml /tmp/cli-b.yaml
expect_rc "policy apply cli-a" 0 policy apply /tmp/cli-a.yaml
expect_rc "policy apply cli-b" 0 policy apply /tmp/cli-b.yaml
expect_open "$TESTDIR/a" EPERM
expect_open "$TESTDIR/a" EPERM 1000
expect_open "$weird" EPERM 1000
expect_open "$TESTDIR/b" ok

step "policy list"
expect_rc "policy list" 0 policy list
echo "$out"
expect_match "list header" '^NAME +MODE +RULES +FILE$' "$out"
expect_match "list shows cli-a" "^cli-a +enforce +1 +$POLICY_DIR/cli-a.yaml$" "$out"
expect_match "list shows cli-b" "^cli-b +audit +1 +$POLICY_DIR/cli-b.yaml$" "$out"
expect_rc "policy list --json" 0 policy list --json
expect_json "list --json: two policies, sorted, numbers as numbers" \
	'length == 2 and .[0].name == "cli-a" and .[0].mode == "enforce" and .[0].rules == 1
	 and .[1].name == "cli-b" and .[1].mode == "audit" and (.[0].generation | type) == "number"' "$out"
expect_rc "policy list --offline --json" 0 policy list --offline --json
expect_json "list --offline --json" \
	'[.[].name] == ["cli-a", "cli-b"] and .[0].file == "'"$POLICY_DIR"'/cli-a.yaml"' "$out"
expect_rc "global --json" 0 --json policy list
expect_json "secagentctl --json policy list" 'length == 2' "$out"

step "policy show"
expect_rc "policy show cli-a" 0 policy show cli-a
echo "$out"
expect_match "show says it is active" '^# Active: yes' "$out"
expect_match "show prints the file" '^  name: cli-a$' "$out"
expect_rc "policy show --json cli-a" 0 policy show --json cli-a
expect_json "show --json" '.name == "cli-a" and .active == true and .mode == "enforce"
	and .file == "'"$POLICY_DIR"'/cli-a.yaml" and .rules[0].action == "deny"
	and .rules[0].paths == ["'"$TESTDIR"'/a"] and (.content | test("name: cli-a"))' "$out"
expect_rc "policy show of an unknown name" 1 policy show no-such-policy
expect_match "unknown name message" "No policy named 'no-such-policy'" "$out"

step "status"
expect_rc "status" 0 status
echo "$out"
expect_match "kernel support" '^Kernel support: yes' "$out"
expect_match "hooks attached" '^Hooks attached: .*file_open' "$out"
expect_match "policies and rules" '^Policies: +2 \(2 rules' "$out"
expect_match "events line" '^Events: +[0-9]+ delivered, 0 lost in the ring buffer' "$out"
expect_match "uptime" '^Uptime: +[0-9]+' "$out"
expect_rc "status --json" 0 status --json
expect_json "status --json" '.kernel_support == true and (.hooks_attached | index("file_open"))
	and .policies == 2 and .rules == 2 and (.denied | type) == "number" and .denied >= 3
	and (.uptime_sec | type) == "number" and (.events_lost_ringbuf | type) == "number"
	and .policy_dir == "'"$POLICY_DIR"'"' "$out"

step "events"
expect_open "$TESTDIR/b" ok 1000 # one audit event
journal_events cli-a 3 >/dev/null
journal_events cli-b 1 >/dev/null
expect_rc "events" 0 events -n 50
echo "$out"
expect_match "events header" '^TIME +ACTION +POLICY +PID +UID +COMM +PATH$' "$out"
expect_match "a denial by uid 1000" "^[0-9-]+ [0-9:]+ deny +cli-a +[0-9]+ +1000 python3 +$TESTDIR/a$" "$out"
expect_match "an audit by uid 1000" "^[0-9-]+ [0-9:]+ audit +cli-b +[0-9]+ +1000 python3 +$TESTDIR/b$" "$out"
expect_match "the odd name shown escaped" 'we"ird\\\\name\\x1b\[31m\\x0aline\\xc2\\x9b\\xff$' "$out"
if LC_ALL=C grep -q $'[\001-\010\013-\037\177\200-\377]' <<<"$out"; then
	fail "events wrote control characters or non-UTF-8 bytes to the terminal"
fi
echo "ok: no raw control characters in the table"
expect_rc "events --json" 0 events --json -n 50
jq -s . <<<"$out" >/tmp/events.json || fail "events --json is not one JSON object per line: $out"
ev=$(cat /tmp/events.json)
expect_json "events --json has the denial" 'any(.[]; .action == "deny" and .policy == "cli-a"
	and .uid == 1000 and .comm == "python3" and .path == "'"$TESTDIR"'/a" and (.pid | type) == "number")' "$ev"
expect_json "events --json has the audit" 'any(.[]; .action == "audit" and .policy == "cli-b")' "$ev"
expect_json "events --json: the odd name survives escaping" \
	'any(.[]; .path == "'"$TESTDIR"'/we\"ird\\name\u001b[31m\nline\u009b\ufffd")' "$ev"
expect_rc "events --policy cli-b --json" 0 events --policy cli-b --json
expect_json "events --policy keeps only cli-b" \
	'length >= 1 and all(.[]; .policy == "cli-b")' "$(jq -s . <<<"$out")"
expect_rc "events -n 1 --json" 0 events -n 1 --json
expect_eq "events -n 1 prints one line" 1 "$(wc -l <<<"$out")"

step "events --follow sees a new denial"
secagentctl events --follow --json -n 0 >/tmp/follow.out 2>&1 &
follower=$!
sleep 1
expect_open "$TESTDIR/a" EPERM 1000
for i in $(seq 1 50); do [[ -s /tmp/follow.out ]] && break; sleep 0.2; done
kill "$follower" 2>/dev/null || true
wait "$follower" 2>/dev/null || true
cat /tmp/follow.out
jq -e . /tmp/follow.out >/dev/null || fail "a line of events --follow --json does not parse"
expect_json "the followed event, in the documented schema (docs/events-json.md)" \
	'.schema_version == 1 and .type == "denied" and .action == "deny" and .policy == "cli-a"
	and .path == "'"$TESTDIR"'/a" and .uid == 1000 and (.tid | type) == "number"
	and (.rule | startswith("'"$POLICY_DIR"'/")) and .failed_closed == false
	and (.time | test("^[0-9-]+T[0-9:.]+Z$"))' "$(head -n1 /tmp/follow.out)"
expect_eq "--follow -n 0 printed only the new event" 1 "$(wc -l </tmp/follow.out)"

step "a non-root caller is refused clearly"
set +e
out=$(setpriv --reuid=1000 --regid=1000 --clear-groups -- secagentctl status 2>&1)
rc=$?
set -e
echo "$out"
expect_eq "status as uid 1000 exit code" 1 "$rc"
expect_match "status as uid 1000 says why" 'Permission denied.*root' "$out"
set +e
out=$(setpriv --reuid=1000 --regid=1000 --clear-groups -- secagentctl policy list 2>&1)
rc=$?
set -e
expect_eq "policy list as uid 1000 exit code" 1 "$rc"

step "policy delete"
expect_rc "policy delete cli-a" 0 policy delete cli-a
echo "$out"
[[ ! -e $POLICY_DIR/cli-a.yaml ]] || fail "delete left $POLICY_DIR/cli-a.yaml"
expect_open "$TESTDIR/a" ok
expect_open "$TESTDIR/a" ok 1000
expect_rc "policy list after delete" 0 policy list --json
expect_json "only cli-b remains" '[.[].name] == ["cli-b"]' "$out"
expect_rc "policy show of the deleted policy" 1 policy show cli-a
expect_rc "policy delete of an unknown name" 1 policy delete cli-a
expect_match "unknown name on delete" "No policy named 'cli-a'" "$out"

step "policy delete that the daemon rejects restores the file"
printf 'apiVersion: secagent/v1\nkind: Policy\nmetadata:\n  name: broken\nspec:\n  files:\n    - paths: [%s]\n      action: forbid\n' \
	"$TESTDIR/a" >"$POLICY_DIR/broken.yaml"
cp "$POLICY_DIR/cli-b.yaml" /tmp/cli-b.before
expect_rc "delete with a broken file in the directory" 1 policy delete cli-b
expect_match "the daemon's error is shown" 'broken.yaml:8:15' "$out"
cmp -s /tmp/cli-b.before "$POLICY_DIR/cli-b.yaml" || fail "cli-b.yaml was not restored"
echo "ok: cli-b.yaml restored"
rm -f "$POLICY_DIR/broken.yaml"
expect_rc "policy list" 0 policy list --json
expect_json "cli-b still active" '[.[].name] == ["cli-b"]' "$out"

step "without a daemon"
systemctl stop secagent
expect_rc "policy list without a daemon" 1 policy list
expect_match "says the daemon is not running" 'secagentd is not running' "$out"
expect_rc "status without a daemon" 1 status
expect_rc "policy list --offline without a daemon" 0 policy list --offline
expect_match "offline list" "^cli-b +audit +1 " "$out"
expect_rc "policy show without a daemon" 0 policy show --json cli-b
expect_json "active unknown without a daemon" '.active == null' "$out"

echo "50-cli: all checks passed"
