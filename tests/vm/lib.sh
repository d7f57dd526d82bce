# shellcheck shell=bash disable=SC2034  # vars are used by the sourcing scripts
# Shared helpers for the qemu VM test harness. Sourced, never executed.
# Everything here must work on a fresh Debian 12 machine as root.

VM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VM_REPO_ROOT="$(cd "$VM_DIR/../.." && pwd)"
VM_CACHE="${SECAGENT_VM_CACHE:-/var/cache/secagent-vm}"
VM_DEFAULT_KERNEL="6.1"
# Every kernel the matrix knows about, in alias form.
VM_ALL_KERNELS="5.10 6.1 6.12 sid"

# Host packages the harness needs. CI on a fresh machine runs:
#   apt-get install -y $(. tests/vm/lib.sh; vm_host_deps)
vm_host_deps() {
    echo qemu-system-x86 debootstrap cpio zstd coreutils findutils procps \
        apt dpkg debian-archive-keyring kmod meson
}

# Installs whatever of vm_host_deps is missing (no-op when all present).
vm_install_host_deps() {
    local missing=() p
    for p in $(vm_host_deps); do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    vm_log "installing host packages: ${missing[*]}"
    vm_apt_wait_lock
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# Colour only when talking to a terminal; logs and CI get plain text.
if [[ -t 2 ]]; then
    _VM_C_RED=$'\e[31m' _VM_C_GRN=$'\e[32m' _VM_C_YEL=$'\e[33m' _VM_C_OFF=$'\e[0m'
else
    _VM_C_RED='' _VM_C_GRN='' _VM_C_YEL='' _VM_C_OFF=''
fi
vm_log()  { printf '%s==>%s %s\n' "$_VM_C_GRN" "$_VM_C_OFF" "$*" >&2; }
vm_warn() { printf '%sWARN:%s %s\n' "$_VM_C_YEL" "$_VM_C_OFF" "$*" >&2; }
vm_die()  { printf '%sERROR:%s %s\n' "$_VM_C_RED" "$_VM_C_OFF" "$*" >&2; exit "${VM_DIE_CODE:-1}"; }

# Maps a user-facing kernel name to a Debian release.
vm_kernel_release() {
    case "$1" in
        5.10|bullseye) echo bullseye ;;
        6.1|bookworm)  echo bookworm ;;
        6.12|trixie)   echo trixie ;;
        7|7.*|sid|unstable) echo sid ;;
        *) return 1 ;;
    esac
}

vm_kernel_dir() { echo "$VM_CACHE/kernels/$1"; }

# Mirror URI of the host's own Debian archive (deb822 first, then legacy list),
# so the harness works behind whatever mirror/proxy the machine is set up for.
vm_mirror_uri() {
    local f uri=""
    for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
        [[ -r "$f" ]] || continue
        uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
        [[ -n "$uri" ]] && break
    done
    if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

# The host's apt may be busy (unattended installs); wait up to 10 min.
vm_apt_wait_lock() {
    local i
    for ((i = 0; i < 600; i++)); do
        # apt takes fcntl locks that flock(1) cannot see; look for the processes.
        pgrep -x 'apt|apt-get|dpkg|unattended-upgr' >/dev/null || return 0
        ((i % 30 == 0)) && vm_log "waiting for the host's apt/dpkg lock"
        sleep 1
    done
    vm_warn "apt lock still held after 10 min, continuing anyway"
}

# Prints the path of the cached rootfs initramfs (does not build it).
vm_rootfs_image() { echo "$VM_CACHE/rootfs/rootfs.cpio.zst"; }

# Seconds since the epoch with sub-second precision, for timings.
vm_now() { date +%s.%N; }
vm_elapsed() { awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }'; }

# The modules every guest gets (tests/vm/run without --modules): the file systems the scenarios
# mount on loop images and podman's overlay storage. Their dependencies come along.
VM_FS_MODULES=(loop overlay btrfs xfs)

# vm_copy_fs_modules SRC DEST: VM_FS_MODULES and everything they depend on, from the module
# tree SRC into DEST (same layout; the guest runs depmod).
vm_copy_fs_modules() {
    local src=$1 dest=$2 todo=("${VM_FS_MODULES[@]}") seen=" " name file dep
    while ((${#todo[@]})); do
        name=${todo[0]} todo=("${todo[@]:1}")
        [[ $seen == *" $name "* ]] && continue
        seen+="$name "
        file=$(find "$src/kernel" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) -print -quit)
        [[ -n $file ]] || vm_die "module $name not found under $src"
        mkdir -p "$dest/$(dirname "${file#"$src"/}")"
        cp -a "$file" "$dest/${file#"$src"/}"
        for dep in $(modinfo -F depends "$file" | tr ',' ' '); do todo+=("$dep"); done
    done
    cp -a "$src"/modules.order "$src"/modules.builtin* "$dest/" 2>/dev/null || true
}
