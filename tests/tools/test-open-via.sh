#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# open-via on the build host, no agent: every route opens (or runs, or maps) a file that is there
# and reports ENOENT for one that is not. Run by meson test with -Dtest_tools=true.
#   test-open-via.sh PATH-TO-OPEN-VIA
set -euo pipefail

via=$(realpath "${1:?usage: test-open-via.sh PATH-TO-OPEN-VIA}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo data >"$tmp/file"
missing=$tmp/missing
# Executable and on the root filesystem (a /tmp mounted noexec would refuse PROT_EXEC).
prog=$(type -P true)
failed=0

# expect WANT ARGS...: open-via ARGS prints WANT and exits 0.
expect() {
	local want=$1 out rc=0
	shift
	out=$("$via" "$@" 2>"$tmp/stderr") || rc=$?
	if [[ $rc == 0 && $out == "$want" ]]; then
		echo "ok: open-via $* -> $out"
	else
		echo "FAIL: open-via $*: expected '$want' and exit 0, got '$out' and exit $rc;" \
			"stderr: $(cat "$tmp/stderr")"
		failed=1
	fi
}

for route in openat openat2 io_uring; do
	expect ok "$route" "$tmp/file"
	expect ok "$route" "$tmp/file" r
	expect ok "$route" "$tmp/file" w
	expect ENOENT "$route" "$missing"
	expect ENOENT "$route" "$missing" w
done
# RESOLVE_BENEATH wants a relative path.
cd "$tmp"
expect ok openat2 file r beneath,no-magiclinks
cd - >/dev/null
expect ELOOP openat2 /proc/self/exe r no-magiclinks
expect EXDEV openat2 /etc/hostname r beneath
for route in exec mmap-exec mprotect-exec; do
	expect ok "$route" "$prog"
	expect ENOENT "$route" "$missing"
done
expect EACCES exec "$tmp/file"
# Where the mapping routes failed is on stderr.
"$via" mprotect-exec "$missing" 2>"$tmp/stderr" >/dev/null
expect_stderr() {
	if [[ $(cat "$tmp/stderr") == "$1" ]]; then
		echo "ok: stderr names the failed step: $1"
	else
		echo "FAIL: stderr: expected '$1', got '$(cat "$tmp/stderr")'"
		failed=1
	fi
}
expect_stderr "open-via: open: ENOENT"

# Usage errors: exit 2.
for args in "" "openat" "bogus $tmp/file" "openat $tmp/file x" "openat2 $tmp/file r bogus" \
	"exec $tmp/file r"; do
	rc=0
	# shellcheck disable=SC2086 # split on purpose
	"$via" $args >/dev/null 2>&1 || rc=$?
	if [[ $rc == 2 ]]; then
		echo "ok: open-via $args -> usage error"
	else
		echo "FAIL: open-via $args: expected exit 2, got $rc"
		failed=1
	fi
done
exit "$failed"
