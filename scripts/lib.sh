# Shared by scripts/*: the packages secagent needs on a Debian 12 host, and the build.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${SECAGENT_BUILD_DIR:-$REPO_ROOT/build}

build_deps() {
	echo clang clang-format llvm bpftool libbpf-dev libyaml-dev libsystemd-dev libcap-dev libseccomp-dev libjansson-dev libmicrohttpd-dev \
		meson ninja-build pkg-config gcc systemd jq gawk \
		libclang-rt-14-dev debhelper dpkg-dev lintian
}

install_deps() {
	local missing=() p
	# shellcheck source=../tests/vm/lib.sh
	for p in $(build_deps) $(. "$REPO_ROOT/tests/vm/lib.sh"; vm_host_deps); do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	echo "secagent: installing ${missing[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

build() {
	if [[ ! -f $BUILD_DIR/build.ninja ]]; then
		meson setup -Dtest_tools=true "$BUILD_DIR" "$REPO_ROOT" >/dev/null
	else
		# The VM tests need the load generators, whatever the build dir was set up with.
		meson configure "$BUILD_DIR" -Dtest_tools=true >/dev/null
	fi
	ninja -C "$BUILD_DIR" >/dev/null
}

# Can this host load and attach BPF LSM programs? The probe is the real thing: the daemon's own
# start-up check plus a load, not a kernel version.
host_can_enforce() {
	grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || return 1
	return 0
}
