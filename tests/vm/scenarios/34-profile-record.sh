#!/bin/bash
# Learn, then enforce: `secagentctl profile record` watches a real service (busybox httpd under
# systemd, with a CGI script that reads a data file) while a scripted client drives it, and
# writes the policy that allows what it did. Enforced, the same client gets every response and
# the journal has no denial; from inside the service (its CGI), a read of a file it never read,
# a write to a file it only read, a program it never ran, a connect to a port it never used and
# a capability it never used each fail with EPERM and are logged. `profile record -- CMD`
# writes a syscalls: list that runs CMD under `secagentctl exec`, and refuses a call CMD never
# made.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

W=/srv/sa-web
unit=sa-web.service
rm -rf "$W"
mkdir -p "$W/www/cgi-bin" "$W/data"
echo "hello from busybox" >"$W/www/index.html"
echo "the data the CGI reads" >"$W/data/data.txt"
echo "never read while recording" >"$W/data/never-read.txt"
: >"$W/data/out.txt"
# The CGI reads its data file; ?probe=X tries one thing the recording never saw.
cat >"$W/www/cgi-bin/info" <<'EOF'
#!/bin/sh
echo "Content-Type: text/plain"
echo
cat /srv/sa-web/data/data.txt
probe=${QUERY_STRING#probe=}
try() { if out=$("$@" 2>&1); then echo "$probe: ok"; else echo "$probe: failed: $out"; fi; }
case "$probe" in
read) try cat /srv/sa-web/data/never-read.txt ;;
write) try sh -c 'echo more >>/srv/sa-web/data/data.txt' ;;
exec) try /usr/bin/id ;;
connect) try busybox nc 127.0.0.1 9 </srv/sa-web/data/data.txt ;; # stdin: a file it reads
capability) try busybox hostname sa-web-probe ;;
esac
EOF
chmod 755 "$W/www/cgi-bin/info"
chmod 644 "$W"/www/index.html "$W"/data/*
cat >/etc/systemd/system/$unit <<EOF
[Unit]
Description=busybox httpd for the profile scenario
[Service]
ExecStart=/bin/busybox httpd -f -p 127.0.0.1:8080 -h $W/www
EOF
systemctl daemon-reload
make_testdir
write_policy /tmp/host.yaml host enforce "$TESTDIR/secret"
agent_start_with /tmp/host.yaml

# client [QUERY]: the scripted client; prints one line per request: status and body.
client() {
	python3 - "$@" <<'EOF'
import sys, time, urllib.request
paths = ["/index.html", "/cgi-bin/info", "/index.html", "/cgi-bin/info"]
if len(sys.argv) > 1:
    paths = ["/cgi-bin/info?probe=" + sys.argv[1]]
for p in paths:
    for attempt in range(50):
        try:
            with urllib.request.urlopen("http://127.0.0.1:8080" + p, timeout=10) as r:
                body = r.read().decode().strip().replace("\n", " | ")
                print(r.status, p, body)
                break
        except OSError as e:
            if attempt == 49:
                print("ERROR", p, e)
            time.sleep(0.2)
EOF
}

step "record the service from its start while the client drives it"
systemctl stop $unit 2>/dev/null || true
secagentctl profile record --unit sa-web --output /tmp/sa-web.yaml --events /tmp/sa-web.events \
	>/tmp/record.out 2>/tmp/record.err &
recorder=$!
expect_eq "status names the recorded cgroup" /system.slice/$unit "$(recording_started)"
systemctl start $unit
client | tee /tmp/client1.out
kill -INT $recorder
rc=0
wait $recorder || rc=$?
cat /tmp/record.err
expect_eq "the recorder's exit status" 0 "$rc"
cat /tmp/record.out
expect_eq "status after the recording" none "$(secagentctl status --json | jq -r .recording)"
grep -c . /tmp/client1.out | grep -qx 4 || fail "the client did not make 4 requests"
grep -v '^200 ' /tmp/client1.out && fail "a request failed while recording"
echo "--- the generated policy ---"
cat /tmp/sa-web.yaml
grep -q '^  mode: audit$' /tmp/sa-web.yaml || fail "the generated policy does not start in audit mode"
grep -q "cgroups: \[\"/system.slice/$unit\"\]" /tmp/sa-web.yaml || fail "no selector for $unit"
secagentctl policy validate /tmp/sa-web.yaml || fail "the generated policy does not validate"
grep -q '"path":"/srv/sa-web/data/data.txt"' /tmp/sa-web.events ||
	fail "the event log does not have the CGI's read of its data file"
grep -q '/srv/sa-web/data/data.txt' /tmp/sa-web.yaml || fail "no rule for the data file"
grep -q 'never-read' /tmp/sa-web.yaml && fail "the policy names a file the service never read"

step "enforce it: the same client gets every response, the journal has no denial"
apply_enforced /tmp/sa-web.yaml
since=$(date +%s)
systemctl restart $unit
client | tee /tmp/client2.out
grep -c . /tmp/client2.out | grep -qx 4 || fail "the client did not make 4 requests"
grep -v '^200 ' /tmp/client2.out && fail "a request failed under the enforced profile"
grep -q 'the data the CGI reads' /tmp/client2.out || fail "the CGI did not read its data"
journalctl --sync
denials=$(journalctl --no-pager -o json --since "@$since" SECAGENT_POLICY=sa-web | jq -s length)
expect_eq "denials by the profile while the client ran" 0 "$denials"

step "policy test: the recording, and the enforce run's journal, replayed: nothing denied"
secagentctl policy test /tmp/sa-web.yaml --enforce --events /tmp/sa-web.events >/tmp/test1.out ||
	{ cat /tmp/test1.out; fail "policy test of the recording found denials"; }
tail -n 1 /tmp/test1.out
n=$(grep -c '"kind"' /tmp/sa-web.events)
grep -q "^$n events, 0 would be denied, 0 audited, 0 undecidable" /tmp/test1.out ||
	fail "policy test of the recording: $(tail -n 1 /tmp/test1.out)"
secagentctl policy test /tmp/sa-web-enforce.yaml --journal --since "@$since" >/tmp/test2.out ||
	{ cat /tmp/test2.out; fail "policy test of the enforce run's journal found denials"; }
grep -q " 0 would be denied" /tmp/test2.out || fail "policy test: $(tail -n 1 /tmp/test2.out)"
echo "ok: $(tail -n 1 /tmp/test2.out)"

step "out of the profile, from inside the service: each fails with EPERM and is logged"
since=$(date +%s)
for probe in read write exec connect capability; do
	out=$(client $probe)
	echo "$out"
	[[ $out == "200 "*"$probe: failed: "*"ermitted"* ]] ||
		fail "probe $probe did not fail with EPERM: $out"
done
evs=$(journal_events sa-web 5)
check() { # WHAT KIND FILTER
	local ev
	ev=$(jq -c "[.[] | select(.SECAGENT_KIND == \"$2\" and ($3))][0]" <<<"$evs")
	[[ $ev != null ]] || fail "no denial of $1: $(jq -c '[.[] | {SECAGENT_KIND, SECAGENT_PATH, SECAGENT_PORT, SECAGENT_CAPABILITY}]' <<<"$evs")"
	expect_eq "$1: action" deny "$(jq -r .SECAGENT_ACTION <<<"$ev")"
	echo "ok: $1 logged: $(jq -r .MESSAGE <<<"$ev")"
}
check "a read of a file never read" file_open ".SECAGENT_PATH == \"$W/data/never-read.txt\""
check "a write of a file only read" file_open \
	".SECAGENT_PATH == \"$W/data/data.txt\" and .SECAGENT_ACCESS == \"write\""
check "a program never run" file_exec '.SECAGENT_PATH == "/usr/bin/id"'
check "a connect to a port never used" connect '.SECAGENT_PORT == "9"'
check "a capability never used" capability '.SECAGENT_CAPABILITY == "CAP_SYS_ADMIN"'

step "policy test on the out-of-profile run's journal: the kernel's denials, event for event"
rc=0
secagentctl policy test /tmp/sa-web-enforce.yaml --journal --since "@$since" --json \
	>/tmp/test3.json 2>/tmp/test3.err || rc=$?
cat /tmp/test3.err
expect_eq "policy test's exit status when events would be denied" 1 "$rc"
kernel=$(journalctl --no-pager -o json --since "@$since" SECAGENT_POLICY=sa-web |
	jq -sc '[.[] | select(.SECAGENT_ACTION == "deny") | [.SECAGENT_KIND, .SECAGENT_PATH // .SECAGENT_CAPABILITY // .SECAGENT_PORT, (.SECAGENT_RULE | split(":") | .[-2:] | join(":"))]] | sort')
replayed=$(jq -sc '[.[] | select(.verdict == "deny") | [.event.kind, .event.path // .event.capability // (.event.port | tostring), "\(.line):\(.column)"]] | sort' /tmp/test3.json)
echo "kernel:   $kernel"
echo "replayed: $replayed"
expect_eq "denials the replay gives, as the kernel made them" "$kernel" "$replayed"
expect_eq "denials replayed" 5 "$(jq -s '[.[] | select(.verdict == "deny")] | length' /tmp/test3.json)"
grep -q "5 would be denied" /tmp/test3.err || fail "policy test summary: $(cat /tmp/test3.err)"

step "policy test: bad input exits 1 and says why"
rc=0
secagentctl policy test /tmp/sa-web.yaml --events /nonexistent.events 2>/tmp/bad.err || rc=$?
expect_eq "exit status for an unreadable events file" 1 "$rc"
grep -q "Cannot read the events file /nonexistent.events" /tmp/bad.err || fail "$(cat /tmp/bad.err)"
printf 'apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: broken}\nspec:\n  posture: sometimes\n' >/tmp/broken.yaml
rc=0
secagentctl policy test /tmp/broken.yaml --journal 2>/tmp/bad.err || rc=$?
expect_eq "exit status for a policy that does not parse" 1 "$rc"
grep -q "broken.yaml:5:12: invalid action 'sometimes'" /tmp/bad.err || fail "$(cat /tmp/bad.err)"
echo "ok: $(head -n1 /tmp/bad.err)"
systemctl stop $unit
secagentctl policy delete sa-web

step "profile record -- CMD: its syscalls: list runs CMD under secagentctl exec"
# A copy of busybox (a binary of its own, under the name busybox knows itself by).
mkdir -p /opt/sa-cmd
cp /bin/busybox /opt/sa-cmd/busybox
cmd=(/opt/sa-cmd/busybox sh -c 'cat /etc/hostname >/dev/null; ls / >/dev/null')
secagentctl profile record --name sa-cmd --output /tmp/sa-cmd.yaml -- "${cmd[@]}" ||
	fail "recording the command failed"
grep -q 'binaries: \["/opt/sa-cmd/busybox"\]' /tmp/sa-cmd.yaml || fail "no selector for the command's program"
sed -n '/^  syscalls:/,$p' /tmp/sa-cmd.yaml
grep -q '^          - execve$' /tmp/sa-cmd.yaml || fail "the syscalls: list has no execve"
grep -q '^          - mkdir$' /tmp/sa-cmd.yaml && fail "the command made no mkdir, yet it is listed"
apply_enforced /tmp/sa-cmd.yaml
since=$(date +%s)
secagentctl exec --policy sa-cmd -- "${cmd[@]}" || fail "the recorded command failed under its filter"
journalctl --sync
n=$(journalctl --no-pager -o json --since "@$since" SECAGENT_POLICY=sa-cmd | jq -s length)
expect_eq "denials of the recorded command" 0 "$n"
if out=$(secagentctl exec --policy sa-cmd -- /opt/sa-cmd/busybox sh -c 'mkdir /tmp/sa-cmd-dir' 2>&1); then
	fail "a call the command never made (mkdir) was allowed"
fi
echo "ok: mkdir refused: $out"
[[ $out == *"ermitted"* ]] || fail "mkdir failed, but not with EPERM: $out"
ev=$(journal_events sa-cmd 1 | jq -c '[.[] | select(.SECAGENT_SYSCALL | startswith("mkdir"))][0]')
[[ $ev != null ]] || fail "no seccomp event for mkdir"
expect_eq "the refused call's event" deny "$(jq -r .SECAGENT_ACTION <<<"$ev")"
secagentctl policy delete sa-cmd

step "bad input: a unit that does not exist, a command that does not exist, no output"
for args in "--unit no-such-unit-here --output /tmp/x.yaml" "--output /tmp/x.yaml -- /no/such/cmd"; do
	rc=0
	# shellcheck disable=SC2086
	secagentctl profile record $args 2>/tmp/bad.err || rc=$?
	expect_eq "exit status of profile record $args" 1 "$rc"
	echo "ok: $(head -n1 /tmp/bad.err)"
done
rc=0
secagentctl profile record --unit sa-web 2>/dev/null || rc=$?
expect_eq "exit status without --output" 2 "$rc"
[[ ! -e /tmp/x.yaml ]] || fail "a policy was written for a failed recording"

rm -rf /opt/sa-cmd /etc/systemd/system/$unit
systemctl daemon-reload
echo "34-profile-record: all checks passed"
