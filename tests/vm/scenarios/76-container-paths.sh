#!/bin/bash
# A container policy names files as the container sees them: two podman containers on overlay
# storage from one image, one annotated with a policy that denies its /etc/app-secret and the
# exec of its /usr/bin/tool. The annotated one gets EPERM for both from its first exec on; the
# other container and the host read and run their own copies. A name the image does not have is
# bound in its directory. The binding survives a reload and a daemon restart, and its entries go
# when the container is removed. A path that cannot be resolved in the image: the container
# does not start.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

TARBALL=/opt/secagent-vm/images/busybox-rootfs.tar
IMAGE=localhost/secagent-app
cleanup() {
	set +e
	podman rm -f -t 0 c-app c-other >/dev/null 2>&1
	podman image unmount "$IMAGE" >/dev/null 2>&1
	secagentctl policy delete app-lock app-broken >/dev/null 2>&1
}
trap cleanup EXIT

step "an image with its own /etc/app-secret and /usr/bin/tool, on podman's overlay storage"
podman_storage
work=$(mktemp -d)
tar -C "$work" -xf "$TARBALL"
echo app-secret >"$work/etc/app-secret"
mkdir -p "$work/usr/bin"
printf '#!/bin/sh\necho ran\n' >"$work/usr/bin/tool" # its own file, not a link to busybox
chmod 755 "$work/usr/bin/tool"
tar --numeric-owner -C "$work" -cf "$work.tar" .
podman import -q "$work.tar" "$IMAGE" >/dev/null || fail "podman import failed"
rm -rf "$work" "$work.tar"

cat >/tmp/app-lock.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: app-lock}
spec:
  selector:
    containers: true
  files:
    - paths: [/etc/app-secret, /etc/later]
      action: deny
  exec:
    - paths: [/usr/bin/tool]
      action: deny
EOP
agent_start_with /tmp/app-lock.yaml
entries_unbound=$(secagentctl status --json | jq .file_entries)

# run_ctr ANNOTATION|- CMD...: a throwaway container; its output and exit code.
run_ctr() {
	local opts=() rc=0
	[[ $1 != - ]] && opts+=(--annotation "io.secagent.policy=$1")
	shift
	podman run --rm --network none "${opts[@]}" "$IMAGE" "$@" 2>&1 || rc=$?
	echo "exit=$rc"
}

step "the annotated container: EPERM for its file and its program, from its first exec"
out=$(run_ctr app-lock /usr/bin/tool)
[[ $out != *ran* ]] && [[ $out == *"ermission denied"* || $out == *"not permitted"* ]] ||
	fail "the entrypoint /usr/bin/tool was not denied: $out"
echo "ok: entrypoint /usr/bin/tool denied: ${out//$'\n'/ }"
out=$(run_ctr app-lock cat /etc/app-secret)
[[ $out == *"Operation not permitted"*"exit=1" ]] || fail "cat /etc/app-secret was not denied: $out"
echo "ok: cat /etc/app-secret denied: ${out//$'\n'/ }"
expect_eq "the container's other files" "root:x:0:0:root:/root:/bin/sh exit=0" \
	"$(run_ctr app-lock cat /etc/passwd | tr '\n' ' ' | sed 's/ $//')"

step "the same image unannotated, and the host, read and run their own copies"
expect_eq "unannotated container" "app-secret ran exit=0" \
	"$(run_ctr - sh -c 'cat /etc/app-secret && /usr/bin/tool' | tr '\n' ' ' | sed 's/ $//')"
mnt=$(podman image mount "$IMAGE") || fail "podman image mount failed"
expect_open "$mnt/etc/app-secret" ok
expect_eq "the host runs the image's tool" ran "$("$mnt/usr/bin/tool")"
podman image unmount "$IMAGE" >/dev/null

step "two running containers: the annotated one denied, the other not; a name the image lacks"
podman run -d --name c-app --network none --annotation io.secagent.policy=app-lock "$IMAGE" \
	sleep 600 >/dev/null || fail "cannot start c-app"
podman run -d --name c-other --network none "$IMAGE" sleep 600 >/dev/null ||
	fail "cannot start c-other"
check_app() { # WHEN
	local out
	out=$(podman exec c-app cat /etc/app-secret 2>&1) && fail "$1: c-app read its secret: $out"
	[[ $out == *"Operation not permitted"* ]] || fail "$1: c-app: unexpected: $out"
	out=$(podman exec c-app /usr/bin/tool 2>&1) && fail "$1: c-app ran its tool: $out"
	expect_eq "$1: c-other reads and runs its copies" "app-secret ran" \
		"$(podman exec c-other sh -c 'cat /etc/app-secret && /usr/bin/tool' | tr '\n' ' ' | sed 's/ $//')"
	echo "ok: $1: c-app denied its file and its tool"
}
check_app "bound"
out=$(podman exec c-app sh -c 'echo x >/etc/later' 2>&1) &&
	fail "c-app created /etc/later, a name its policy denies: $out"
echo "ok: c-app cannot create /etc/later: $out"
podman exec c-other sh -c 'echo x >/etc/later && cat /etc/later' >/dev/null ||
	fail "c-other cannot create its own /etc/later"
(($(secagentctl status --json | jq .file_entries) > entries_unbound)) ||
	fail "binding c-app added no file entries"

step "the binding survives a reload and a daemon restart"
secagentctl reload >/dev/null || fail "reload failed"
check_app "after a reload"
systemctl restart secagent || fail "secagent did not restart"
check_app "after a restart"
secagentctl status | grep -q "rule paths (onUnsupportedFilesystem" &&
	fail "status lists paths as not enforced after a restart: $(secagentctl status)"

step "removed: the binding and its entries go"
podman rm -f -t 0 c-app >/dev/null
for i in $(seq 1 50); do
	[[ -z $(secagentctl containers --json | jq -r '.[].id') ]] && break
	sleep 0.2
done
expect_eq "no container bound" "" "$(secagentctl containers --json | jq -r '.[].id')"
expect_eq "file entries back to the unbound set's" "$entries_unbound" \
	"$(secagentctl status --json | jq .file_entries)"

step "a path whose directory the image lacks: the container does not start, the hook says why"
cat >/tmp/app-broken.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata: {name: app-broken}
spec:
  selector:
    containers: true
  files:
    - paths: [/no-such-dir/file]
      action: deny
EOP
secagentctl policy apply /tmp/app-broken.yaml >/dev/null || fail "apply app-broken failed"
out=$(run_ctr app-broken echo started)
[[ $out != *started* && $out == *"exit=12"[567] ]] || fail "a container with app-broken started: $out"
journalctl --sync
journalctl -o cat --no-pager -t secagent-oci-hook | grep -F "'/no-such-dir/file' in container" |
	grep -qF "neither the file nor its directory exists" ||
	fail "the hook did not say why: $(journalctl -o cat --no-pager -t secagent-oci-hook | tail -3)"
echo "ok: refused: $(journalctl -o cat --no-pager -t secagent-oci-hook | tail -1)"
echo "76-container-paths: all checks passed"
