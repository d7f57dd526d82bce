#!/bin/bash
# Rules hold on the file systems hosts and runtimes use, each on a real loop image: ext4, XFS,
# btrfs (top-level subvolume, a second subvolume, a snapshot of it: inode numbers repeat across
# them), tmpfs, and overlayfs (merged view, after copy-up and after the inodes are evicted,
# layers on one file system and on two). Each by its name, a hard link and a bind mount, for
# root and an unprivileged user (and a symlink, /proc/self/fd and a rename, as on tmpfs); the
# neighbouring file stays open. A file system where the identity does not hold is refused with
# file:line:column and the running set keeps enforcing; a rule that accepts it is listed as not
# enforced by status and policy show.
set -euo pipefail
. "${SECAGENT_VM_ROOT:-/opt/secagent-vm}/scenarios/common.bash"

W=/var/tmp/secagent-fs # loop images (sparse, on the guest's tmpfs root)
M=/mnt/secagent-fs
cleanup() {
	set +e
	secagentctl policy delete fs-deny fs-overlay fs-accept >/dev/null 2>&1
	for m in $(findmnt -rn -o TARGET | grep "^$M" | sort -r); do umount "$m"; done
	losetup -D
	rm -rf "$W"
}
trap cleanup EXIT

step "loop images: ext4, xfs, btrfs; a tmpfs"
modprobe -a loop btrfs xfs overlay || fail "cannot load the file system modules"
mkdir -p "$W" "$M"/{ext4,xfs,btrfs,tmpfs,bind}
mkfs_on() { # NAME SIZE MKFS...: an image with a file system, mounted at $M/NAME
	local name=$1 size=$2 dev
	shift 2
	truncate -s "$size" "$W/$name.img"
	dev=$(losetup -f --show "$W/$name.img")
	"$@" "$dev" >/dev/null || fail "$* $dev failed"
	mount "$dev" "$M/$name" || fail "cannot mount $name"
	chmod 755 "$M/$name"
}
mkfs_on ext4 64M mkfs.ext4 -q
mkfs_on xfs 320M mkfs.xfs -q
mkfs_on btrfs 256M mkfs.btrfs -q
mount -t tmpfs -o mode=755 tmpfs "$M/tmpfs"

# btrfs numbers inodes per subvolume from 257: the top level's first file and the second
# subvolume's first file share a number, and a snapshot keeps its source's numbers.
B=$M/btrfs
echo twin >"$B/twin"
btrfs -q subvolume create "$B/sub" >/dev/null
chmod 755 "$B/sub"
echo sub-secret >"$B/sub/secret"

roots=("$M/ext4" "$M/xfs" "$B" "$B/sub" "$M/tmpfs")
for r in "${roots[@]}"; do
	echo secret >"$r/secret-file"
	echo public >"$r/public"
	ln "$r/secret-file" "$r/hardlink"
	ln -s secret-file "$r/symlink"
	mkdir "$r/tree"
	echo denied >"$r/tree/denied"
	echo allowed >"$r/tree/allowed"
	chmod 755 "$r/tree"
	chmod 644 "$r/secret-file" "$r/public" "$r/tree"/*
	b="$M/bind/$(tr / - <<<"${r#"$M"/}")"
	touch "$b"
	mount --bind "$r/secret-file" "$b"
done
chmod 644 "$B/sub/secret" "$B/twin"
btrfs -q subvolume snapshot "$B/sub" "$B/snap" >/dev/null
expect_eq "the second subvolume's file has the top level's file's inode number" \
	"$(stat -c %i "$B/twin")" "$(stat -c %i "$B/sub/secret")"
expect_eq "the snapshot's file has the same inode number" \
	"$(stat -c %i "$B/sub/secret")" "$(stat -c %i "$B/snap/secret")"

step "overlays: layers on one file system (ext4), on two (ext4 lower, xfs upper, xino=on)"
mkdir -p "$M/ext4/ov1"/{lower,upper,work} "$M/ext4/ov2/lower" "$M/xfs/ov2"/{upper,work} \
	"$M/ext4/ov3/lower" "$M/xfs/ov3"/{upper,work} "$M"/{ov1,ov2,ov3}
for o in ov1 ov2 ov3; do
	echo secret >"$M/ext4/$o/lower/secret-file"
	echo public >"$M/ext4/$o/lower/public"
	chmod 755 "$M/ext4/$o/lower"
	chmod 644 "$M/ext4/$o/lower"/*
done
mount -t overlay overlay -o "lowerdir=$M/ext4/ov1/lower,upperdir=$M/ext4/ov1/upper,workdir=$M/ext4/ov1/work" "$M/ov1"
mount -t overlay overlay -o "lowerdir=$M/ext4/ov2/lower,upperdir=$M/xfs/ov2/upper,workdir=$M/xfs/ov2/work,xino=on" "$M/ov2"
mount -t overlay overlay -o "lowerdir=$M/ext4/ov3/lower,upperdir=$M/xfs/ov3/upper,workdir=$M/xfs/ov3/work,xino=off" "$M/ov3"
for o in ov1 ov2; do
	touch "$M/bind/$o"
	mount --bind "$M/$o/secret-file" "$M/bind/$o"
done

agent_start_with
paths=$(printf '%s/secret-file, ' "${roots[@]}")
btrfs_rules="$B/sub/secret"
if [[ $(uname -r) == 5.10.* ]]; then
	# No BTF for modules before 5.11: the hooks cannot tell btrfs subvolumes apart, and the
	# compiler refuses every btrfs path (checked below); the rest is enforced as everywhere.
	paths=$(printf '%s/secret-file, ' "$M/ext4" "$M/xfs" "$M/tmpfs")
	roots=("$M/ext4" "$M/xfs" "$M/tmpfs")
fi
cat >/tmp/fs-deny.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: fs-deny}
spec:
  files:
    - paths: [${paths%, }]
      action: deny
EOP
trees=$(printf '%s/tree/, ' "${roots[@]}")
carve=$(printf '%s/tree/allowed, ' "${roots[@]}")
cat >>/tmp/fs-deny.yaml <<EOP
    - paths: [${trees%, }]
      access: [read]
      action: deny
    - paths: [${carve%, }]
      access: [read]
      action: allow
EOP
[[ $(uname -r) == 5.10.* ]] || cat >>/tmp/fs-deny.yaml <<EOP
    - paths: [$btrfs_rules]
      action: deny
EOP
# Read only: a write copies the file up to the upper layer, and the rule must follow it.
cat >/tmp/fs-overlay.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: fs-overlay}
spec:
  files:
    - paths: [$M/ov1/secret-file, $M/ov2/secret-file]
      access: [read]
      action: deny
EOP
secagentctl policy apply /tmp/fs-deny.yaml || fail "policy apply fs-deny failed"
secagentctl policy apply /tmp/fs-overlay.yaml || fail "policy apply fs-overlay failed"

step "denied on each file system by name, hard link and bind mount, for root and uid 1000; a denied subtree with an allowed file"
for r in "${roots[@]}"; do
	b="$M/bind/$(tr / - <<<"${r#"$M"/}")"
	for u in "" 1000; do
		expect_open "$r/secret-file" EPERM $u
		expect_open "$r/hardlink" EPERM $u
		expect_open "$r/symlink" EPERM $u
		expect_open "$b" EPERM $u
		expect_open "$r/public" ok $u
		expect_open "$r/tree/denied" EPERM $u
		expect_open "$r/tree/allowed" ok $u
	done
	expect_eq "open $r/secret-file via /proc/self/fd" EPERM "$(try_open_procfd "$r/secret-file")"
	# (Renamed by its hard link: the file itself is a bind mount's source, busy.)
	out=$(mv "$r/hardlink" "$r/moved" 2>&1) && fail "$r/hardlink was renamed: $out"
	[[ $out == *"Operation not permitted"* ]] || fail "rename of $r/hardlink: $out"
	echo "ok: rename of $r/hardlink refused: $out"
done

if [[ $(uname -r) != 5.10.* ]]; then
	step "btrfs: a rule for one subvolume's file denies neither its twin nor its snapshot"
	for u in "" 1000; do
		expect_open "$B/sub/secret" EPERM $u
		expect_open "$B/twin" ok $u
		expect_open "$B/snap/secret" ok $u
		expect_open "$B/snap/secret-file" ok $u
		expect_open "$B/snap/tree/denied" ok $u
	done
fi

step "overlay: the merged file, its bind mount, a hard link, after copy-up and eviction"
for o in ov1 ov2; do
	for u in "" 1000; do
		expect_open "$M/$o/secret-file" EPERM $u
		expect_open "$M/bind/$o" EPERM $u
		expect_open "$M/$o/public" ok $u
	done
	echo appended >>"$M/$o/secret-file" || fail "write to $o/secret-file (not denied) failed"
	upper=$M/ext4/ov1/upper
	[[ $o == ov2 ]] && upper=$M/xfs/ov2/upper
	[[ -f $upper/secret-file ]] || fail "$o/secret-file was not copied up"
	expect_open "$M/$o/secret-file" EPERM
	ln "$M/$o/secret-file" "$M/$o/hardlink"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	expect_open "$M/$o/secret-file" EPERM 1000
	expect_open "$M/$o/hardlink" EPERM
	expect_open "$M/$o/public" ok 1000
done

step "refused: an overlay without xino on two file systems, /proc, ramfs; the set still enforces"
mkdir -p "$M/ramfs"
mount -t ramfs ramfs "$M/ramfs"
echo x >"$M/ramfs/file"
bad() { # NAME PATH EXPECTED-TEXT
	cat >/tmp/fs-bad.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: fs-bad}
spec:
  files:
    - paths: [$2]
      action: deny
EOP
	local out
	if out=$(secagentctl policy apply /tmp/fs-bad.yaml 2>&1); then
		fail "a rule for $2 ($1) was accepted: $out"
	fi
	grep -F "fs-bad.yaml:6:15: '$2': on $3" <<<"$out" | grep -qF ", which secagent cannot enforce" ||
		fail "the refusal of $2 does not say why at file:line:column: $out"
	echo "ok: $1 refused: $(grep -F 'cannot enforce' <<<"$out" | head -1)"
}
bad "overlay, xino off" "$M/ov3/secret-file" "overlayfs with layers on different file systems and xino off"
bad procfs /proc/sys/kernel/hostname proc
bad ramfs "$M/ramfs/file" ramfs
if [[ $(uname -r) == 5.10.* ]]; then
	bad "btrfs on 5.10" "$B/sub/secret" "btrfs without the btrfs module's BTF"
fi
[[ ! -e $POLICY_DIR/fs-bad.yaml ]] || fail "the refused policy was installed"
expect_open "$M/ext4/secret-file" EPERM
expect_open "$M/ov1/secret-file" EPERM 1000

step "accepted as not enforced, where an operator looks"
cat >/tmp/fs-accept.yaml <<EOP
apiVersion: secagent/v1
kind: Policy
metadata: {name: fs-accept}
spec:
  files:
    - paths: [$M/ramfs/file, $M/tmpfs/public]
      access: [write]
      action: deny
      onUnsupportedFilesystem: notEnforced
EOP
secagentctl policy apply /tmp/fs-accept.yaml || fail "policy apply fs-accept failed"
status=$(secagentctl status)
grep -A3 '^Not enforced:' <<<"$status" | grep -qF "fs-accept.yaml:6:15: '$M/ramfs/file' on ramfs (policy fs-accept)" ||
	fail "status does not list the rule that is not enforced: $status"
expect_eq "status --json rules_not_enforced" 1 "$(secagentctl status --json | jq -r .rules_not_enforced)"
secagentctl policy show fs-accept | grep -qF "#   $POLICY_DIR/fs-accept.yaml:6:15: '$M/ramfs/file' on ramfs" ||
	fail "policy show does not list it: $(secagentctl policy show fs-accept)"
expect_eq "the other path of the rule is enforced" EPERM \
	"$(python3 -c 'import errno,os,sys
try: os.close(os.open(sys.argv[1], os.O_WRONLY)); print("ok")
except OSError as e: print(errno.errorcode[e.errno])' "$M/tmpfs/public")"

step "denials reach journald with the path and the file's stat(2) device"
events=$(journal_events fs-deny 8)
ev=$(jq -c "[.[] | select(.SECAGENT_PATH == \"$M/xfs/hardlink\")][0]" <<<"$events")
[[ $ev != null ]] || fail "no event for $M/xfs/hardlink: $(jq -c '.[] | .SECAGENT_PATH' <<<"$events" | head)"
expect_eq "SECAGENT_INODE" "$(stat -c %i "$M/xfs/secret-file")" "$(jq -r .SECAGENT_INODE <<<"$ev")"
if [[ $(uname -r) != 5.10.* ]]; then
	# The subvolume's own device, as stat(2) reports it, not the file system's.
	ev=$(jq -c "[.[] | select(.SECAGENT_PATH == \"$B/sub/secret\")][0]" <<<"$events")
	[[ $ev != null ]] || fail "no event for $B/sub/secret"
	expect_eq "SECAGENT_DEVICE of a file in a btrfs subvolume" \
		"$(python3 -c 'import os, sys; d = os.stat(sys.argv[1]).st_dev; print(f"{os.major(d)}:{os.minor(d)}")' "$B/sub/secret")" \
		"$(jq -r .SECAGENT_DEVICE <<<"$ev")"
fi
echo "18-filesystems: all checks passed"
