#!/bin/bash
# Containers under the exported OCI seccomp profile: 'secagentctl policy export --format
# oci-seccomp' of a policy that denies mkdir with EPERM, chmod with EACCES and netlink sockets
# (compared on the 32 bits of the family the kernel reads), given to podman
# (--security-opt seccomp=) under crun and under runc, and to runc directly as linux.seccomp of
# an OCI bundle. In each, the denied calls fail inside the container with the policy's errno and
# their allowed neighbours work; without the profile the same calls work. The image is the
# busybox tarball build-rootfs puts in the guest: no registry, no network.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

TARBALL=/opt/secagent-vm/images/busybox-rootfs.tar
IMAGE=localhost/secagent-busybox:74
PROFILE=/tmp/ctr-seccomp.json
BUNDLE=/tmp/ctr-bundle

# What the container runs: each call, then its exit status on a line of its own. busybox prints
# strerror() of the errno: "Operation not permitted" is EPERM, "Permission denied" EACCES. A
# bundle's rootfs is reused: start clean.
PROBE='rm -rf /tmp/d /tmp/f /tmp/l; mkdir /tmp/d; echo "mkdir=$?"; touch /tmp/f; echo "touch=$?"
chmod 600 /tmp/f; echo "chmod=$?"; chown 0:0 /tmp/f; echo "chown=$?"
ln -s f /tmp/l; echo "symlink=$?"'

# expect_lines WHAT OUTPUT LINE...: every LINE is a whole line of OUTPUT.
expect_lines() {
	local what=$1 out=$2 line
	shift 2
	for line in "$@"; do
		grep -qxF -- "$line" <<<"$out" || fail "$what: no line '$line' in the output:
$out"
	done
	echo "ok: $what: $(printf '%s | ' "$@")"
}

# The profile's verdicts, as the probe prints them.
DENIED=("mkdir: can't create directory '/tmp/d': Operation not permitted" "mkdir=1"
	"touch=0" "chmod: /tmp/f: Permission denied" "chmod=1" "chown=0" "symlink=0")
# The same calls without the profile.
ALLOWED=("mkdir=0" "touch=0" "chmod=0" "chown=0" "symlink=0")

# podman_probe RUNTIME [PODMAN-RUN-OPTION...]: the probe's output in a fresh container.
podman_probe() {
	local runtime=$1 out
	shift
	out=$(podman run --rm --network none --runtime "$runtime" "$@" "$IMAGE" sh -c "$PROBE" 2>&1) ||
		fail "podman run --runtime $runtime $* failed: $out"
	echo "$out"
}

step "the runtimes and the image are in the guest"
for t in podman crun runc conmon; do
	command -v "$t" >/dev/null || fail "$t is not installed in the guest (tests/vm/build-rootfs)"
done
[[ -s $TARBALL ]] || fail "no busybox image at $TARBALL (tests/vm/build-rootfs)"
echo "kernel $(uname -r); $(podman --version); $(crun --version | head -n 1);" \
	"$(runc --version | head -n 1)"

step "podman import of the busybox tarball"
podman_storage
podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
podman import --quiet "$TARBALL" "$IMAGE" >/dev/null || fail "podman import $TARBALL failed"
podman image exists "$IMAGE" || fail "podman import made no image $IMAGE"
info=$(podman info --format '{{.Store.GraphDriverName}} {{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Host.OCIRuntime.Name}}')
expect_eq "podman: storage, cgroup manager, cgroups, default runtime" "overlay systemd v2 crun" "$info"

step "podman run --network none IMAGE true, under crun and under runc"
for rt in crun runc; do
	out=$(podman run --rm --network none --runtime "$rt" "$IMAGE" true 2>&1) ||
		fail "podman run --runtime $rt $IMAGE true failed: $out"
	echo "ok: podman run --runtime $rt true"
done

step "the same calls in containers without secagent's profile (the runtime's default)"
for rt in crun runc; do
	expect_lines "$rt, default profile" "$(podman_probe "$rt")" "${ALLOWED[@]}"
done

step "a policy denying mkdir (EPERM, the default) and chmod (EACCES); its OCI export"
cat >/tmp/ctr-seccomp.yaml <<'EOP'
apiVersion: secagent/v1
kind: Policy
metadata:
  name: ctr-seccomp
spec:
  syscalls:
    default: allow
    rules:
      - names: [mkdir, mkdirat]
        action: deny
      - names: [chmod, fchmodat]
        action: deny
        errno: EACCES
      - names: [socket]
        action: deny
        errno: EAFNOSUPPORT
        args: [{arg: 0, op: eq, value: AF_NETLINK}]
EOP
agent_start_with /tmp/ctr-seccomp.yaml
secagentctl policy export --format oci-seccomp ctr-seccomp >"$PROFILE" ||
	fail "policy export --format oci-seccomp ctr-seccomp failed"
jq -M -c . "$PROFILE"
jq -e '.defaultAction == "SCMP_ACT_ALLOW"
	and ([.syscalls[] | select(.names | index("mkdirat")) | .errnoRet] == [1])
	and ([.syscalls[] | select(.names | index("fchmodat")) | .errnoRet] == [13])' \
	"$PROFILE" >/dev/null || fail "the export is not the policy: $(cat "$PROFILE")"
echo "ok: the profile allows by default, mkdir gets errno 1, chmod errno 13"

step "podman --security-opt seccomp=PROFILE, under crun and under runc"
for rt in crun runc; do
	out=$(podman_probe "$rt" --security-opt "seccomp=$PROFILE")
	expect_lines "$rt, secagent's profile" "$out" "${DENIED[@]}"
done

step "the runtimes compare what the kernel reads of socket()'s family: raw calls in a container"
# socket(0x100000010) is AF_NETLINK to the kernel; the profile's comparison must say so too.
RAW=/usr/libexec/secagent-tests/raw-syscall
for rt in crun runc; do
	out=$(podman run --rm --network none --runtime "$rt" --security-opt "seccomp=$PROFILE" \
		-v "$RAW:/raw-syscall:ro" "$IMAGE" sh -c '/raw-syscall 41 16 3 0
		/raw-syscall 41 0x100000010 3 0; /raw-syscall 41 0x100000001 1 0' 2>&1) ||
		fail "podman run --runtime $rt with raw-syscall failed: $out"
	expect_eq "$rt: socket(AF_NETLINK), socket(0x100000010), socket(0x100000001)" \
		"97 97 0" "$(echo $out)"
done

step "runc run of an OCI bundle whose linux.seccomp is the profile"
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/rootfs"
tar -xf "$TARBALL" -C "$BUNDLE/rootfs"
(cd "$BUNDLE" && runc spec) || fail "runc spec failed"
jq --slurpfile profile "$PROFILE" --arg probe "$PROBE" \
	'.process.terminal = false | .process.args = ["sh", "-c", $probe]
	 | .root.readonly = false | .linux.seccomp = $profile[0]' \
	"$BUNDLE/config.json" >"$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
jq -e '.linux.seccomp.syscalls | length == 3' "$BUNDLE/config.json" >/dev/null ||
	fail "config.json has no linux.seccomp"
out=$(runc run --no-pivot --bundle "$BUNDLE" "secagent-74-$$" </dev/null 2>&1) ||
	fail "runc run failed: $out"
expect_lines "runc bundle, secagent's profile" "$out" "${DENIED[@]}"
jq 'del(.linux.seccomp)' "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
out=$(runc run --no-pivot --bundle "$BUNDLE" "secagent-74-none-$$" </dev/null 2>&1) ||
	fail "runc run without seccomp failed: $out"
expect_lines "runc bundle, no seccomp" "$out" "${ALLOWED[@]}"

podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
rm -rf "$BUNDLE"
echo "RESULT: the exported profile denies mkdir (EPERM) and chmod (EACCES) under podman+crun," \
	"podman+runc and runc; without it the same calls succeed"
