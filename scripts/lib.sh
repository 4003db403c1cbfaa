# shellcheck shell=sh
# lib.sh - helpers shared by the mmapdemo infrastructure scripts.
#
# Source it from a script that lives in scripts/:
#
#     SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
#     . "$SCRIPTS_DIR/lib.sh"
#
# It only defines variables and functions (run_logged re-sources it in a
# child shell, so it must stay free of side effects).  POSIX sh: runs under
# dash.
#
# Everything the scripts create lives under one cache folder,
# $MMAPDEMO_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/mmapdemo).
# Nothing is ever written into the repository.

: "${SCRIPTS_DIR:?set SCRIPTS_DIR before sourcing lib.sh}"
REPO_DIR=$(dirname -- "$SCRIPTS_DIR")
# Messages name the script; run_logged's child shell (whose $0 is "sh")
# gets its caller's name through _RL_PROG.
PROG=${_RL_PROG:-$(basename -- "$0" .sh)}
unset _RL_PROG
# run_logged's child shell re-sources this file from here.
export SCRIPTS_DIR

# A caller's git environment (e.g. running from a git hook) would redirect
# every git command here to the wrong repository.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_COMMON_DIR

# ---------------------------------------------------------------- layout --

MMAPDEMO_CACHE=${MMAPDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapdemo}
# The guest sees the host's paths unchanged (vng --rwdir), and make's O=
# must not depend on the current directory: keep the path absolute.
case $MMAPDEMO_CACHE in
/*) ;;
*) MMAPDEMO_CACHE=$(pwd)/$MMAPDEMO_CACHE ;;
esac
export MMAPDEMO_CACHE

APT_DIR=$MMAPDEMO_CACHE/apt             # private apt lists + downloads
SRC_DIR=$MMAPDEMO_CACHE/src             # .deb files and the base git trees
WORK_DIR=$MMAPDEMO_CACHE/work           # git worktrees of the base trees

# One compiler cache for every kernel build (guest kernel and kunit.py).
CCACHE_DIR=$MMAPDEMO_CACHE/ccache
CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_DIR CCACHE_MAXSIZE

# virtme-ng is not in bookworm; trixie's architecture-all package installs.
VNG_PKG=virtme-ng
VNG_SUITE=trixie

# ---------------------------------------------------------------- kernel --
# The series exists for two kernels: 7.3, the driver's own (patches/), and
# the 6.12 LTS backport (patches-6.12/, made from the same sources plus the
# delta in backport/6.12/).  MMAPDEMO_KERNEL=6.12, or a script's
# --kernel 6.12, picks the second.  Each kernel has its own base tree,
# worktrees, build folders, logs, results and state (so its own cache
# lock): a 6.12 run neither waits for nor disturbs a 7.3 run.  Downloads
# (apt, .debs) and ccache are shared.
#
# use_kernel 7.3|6.12: set the variables below and export MMAPDEMO_KERNEL,
# so that the scripts a script runs target the same kernel.
use_kernel() {
	case $1 in
	'' | 7.3)
		KERNEL_MAJOR_MINOR=7.3 KERNEL_SUFFIX=
		KERNEL_PKG=linux-source-7.3
		KERNEL_PKG_VERSION=7.3.4-1~bpo13+1 # pinned: the base commit hash depends on it
		KERNEL_SUITE=trixie-backports
		;;
	6.12)
		KERNEL_MAJOR_MINOR=6.12 KERNEL_SUFFIX=-6.12
		KERNEL_PKG=linux-source-6.12
		KERNEL_PKG_VERSION=6.12.117-1 # pinned, as above
		KERNEL_SUITE=trixie
		;;
	*) die "unknown kernel: $1" "use 7.3 (the default) or 6.12 (--kernel 6.12 or MMAPDEMO_KERNEL=6.12)" ;;
	esac
	MMAPDEMO_KERNEL=$KERNEL_MAJOR_MINOR
	export MMAPDEMO_KERNEL
	BASE_TREE_DEFAULT=$SRC_DIR/$KERNEL_PKG
	WORK_TREE=$WORK_DIR/linux-$KERNEL_MAJOR_MINOR # long-lived tree every build uses
	SCRATCH_TREE=$WORK_DIR/am-scratch$KERNEL_SUFFIX # fresh tree where `git am` runs
	# The series to apply (MMAPDEMO_PATCHES lets a developer try another folder).
	PATCHES_DIR=${MMAPDEMO_PATCHES:-$REPO_DIR/patches$KERNEL_SUFFIX}
	_cell_dirs
}
BASE_TAG=mmapdemo-base
SERIES_BRANCH=mmapdemo-series

PROGRESS_INTERVAL=${MMAPDEMO_PROGRESS_INTERVAL:-30}

# ------------------------------------------------------------- messages --
# Progress goes to stderr so that stdout stays usable for data (--print).

step() { printf '\n[%s] ==> %s\n' "$PROG" "$*" >&2; }
info() { printf '[%s]     %s\n' "$PROG" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$PROG" "$*" >&2; }

# die WHAT [HINT]: say what failed and what to do about it, then exit 1.
die() {
	printf '[%s] ERROR: %s\n' "$PROG" "$1" >&2
	if [ $# -gt 1 ] && [ -n "$2" ]; then
		printf '[%s]   what to do: %s\n' "$PROG" "$2" >&2
	fi
	exit 1
}

now() { date +%s; }

# usage: print the calling script's header comment (its --help).
usage() {
	awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
}

# fmt_secs N -> "1m05s" / "42s"
fmt_secs() {
	if [ "$1" -ge 60 ]; then
		printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
	else
		printf '%ds' "$1"
	fi
}

# ------------------------------------------------------------ variant --
# The guest kernel comes in two variants: the normal one, and "debug"
# (scripts/configs/debug.config on top: KASAN, KFENCE, kmemleak, lockdep
# ...), chosen by the scripts' --debug or by MMAPDEMO_VARIANT=debug.  The
# debug kernel has its own build folder, and its logs and results carry a
# "-debug" suffix, so the two never overwrite each other.
#
# use_variant normal|debug: set MMAPDEMO_VARIANT, VARIANT_SUFFIX, BUILD_DIR.
# MMAPDEMO_VARIANT is exported: the scripts a script runs use the same one.
use_variant() {
	case $1 in
	'' | normal) MMAPDEMO_VARIANT= VARIANT_SUFFIX= ;;
	debug) MMAPDEMO_VARIANT=debug VARIANT_SUFFIX=-debug ;;
	*) die "unknown variant: $1" "use --debug (MMAPDEMO_VARIANT=debug), or nothing for the normal kernel" ;;
	esac
	export MMAPDEMO_VARIANT
	_cell_dirs
}

# ---------------------------------------------------------- architecture --
# The guest kernel is built for x86_64 (the host's), or cross-built for
# arm64 with 64 KiB pages or riscv64 with Debian's cross compilers and
# booted under QEMU's TCG (scripts/vm.sh), chosen by the scripts' --arch=
# or by MMAPDEMO_ARCH.  A cross-built guest has no distribution inside: it
# boots an initramfs with Debian's static busybox and mounts the cache
# folder over 9p, so it runs the installed kselftest runner, not
# `make kselftest`.  Its build folder is build/<arch>, its logs, results
# and state carry a "-<arch>" suffix; it builds from the same work tree as
# x86_64, so it shares that tree's lock.  The debug kernel and the 6.12
# series are x86_64 cells only.
#
# use_arch x86_64|arm64|riscv64: set MMAPDEMO_ARCH (exported), ARCH_SUFFIX,
# KARCH (kbuild's ARCH), CROSS_PREFIX, DEB_ARCH, KERNEL_IMAGE (relative to
# the build folder), KERNEL_TARGET (make's name for it) and QEMU_SYSTEM.
use_arch() {
	case $1 in
	'' | x86_64)
		MMAPDEMO_ARCH=x86_64 ARCH_SUFFIX= KARCH=x86 CROSS_PREFIX= DEB_ARCH=amd64
		KERNEL_IMAGE=arch/x86/boot/bzImage QEMU_SYSTEM=qemu-system-x86_64
		;;
	arm64)
		MMAPDEMO_ARCH=arm64 ARCH_SUFFIX=-arm64 KARCH=arm64 CROSS_PREFIX=aarch64-linux-gnu- DEB_ARCH=arm64
		KERNEL_IMAGE=arch/arm64/boot/Image QEMU_SYSTEM=qemu-system-aarch64
		;;
	riscv64)
		MMAPDEMO_ARCH=riscv64 ARCH_SUFFIX=-riscv64 KARCH=riscv CROSS_PREFIX=riscv64-linux-gnu- DEB_ARCH=riscv64
		KERNEL_IMAGE=arch/riscv/boot/Image QEMU_SYSTEM=qemu-system-riscv64
		;;
	*) die "unknown architecture: $1" "use x86_64 (the default), arm64 or riscv64 (--arch=, or MMAPDEMO_ARCH)" ;;
	esac
	KERNEL_TARGET=${KERNEL_IMAGE##*/}
	export MMAPDEMO_ARCH
	_cell_dirs
}

# is_cross: the guest is not the host's architecture.
is_cross() { [ "$MMAPDEMO_ARCH" != x86_64 ]; }

# _cell_dirs: the folders of the kernel, variant and architecture chosen
# so far (use_kernel, use_variant and use_arch each end with it).
_cell_dirs() {
	[ -n "${KERNEL_MAJOR_MINOR:-}" ] || return 0
	_suffix=$KERNEL_SUFFIX${ARCH_SUFFIX:-}
	LOG_DIR=$MMAPDEMO_CACHE/logs$_suffix
	RESULTS_DIR=$MMAPDEMO_CACHE/results$_suffix
	STATE_DIR=$MMAPDEMO_CACHE/state$_suffix # hashes, verdicts, markers
	# One lock per work tree: every architecture builds from it.
	LOCK_FILE=$MMAPDEMO_CACHE/state$KERNEL_SUFFIX/lock
	BUILD_DIR=$MMAPDEMO_CACHE/build/${MMAPDEMO_ARCH:-x86_64}${VARIANT_SUFFIX:-}$KERNEL_SUFFIX
	if [ "${MMAPDEMO_ARCH:-x86_64}" != x86_64 ]; then
		[ -z "${VARIANT_SUFFIX:-}" ] ||
			die "the debug kernel is built for x86_64 only" "leave out --debug (or MMAPDEMO_VARIANT) with --arch=$MMAPDEMO_ARCH"
		[ -z "$KERNEL_SUFFIX" ] ||
			die "the $KERNEL_MAJOR_MINOR series is tested on x86_64 only" "leave out --arch=$MMAPDEMO_ARCH (or MMAPDEMO_ARCH) with --kernel=$KERNEL_MAJOR_MINOR"
	fi
}
use_kernel "${MMAPDEMO_KERNEL:-}"
use_variant "${MMAPDEMO_VARIANT:-}"
use_arch "${MMAPDEMO_ARCH:-}"

# kselftest_install_dir: where `make kselftest-install` in $BUILD_DIR puts
# run_kselftest.sh.  6.12's top Makefile does not pass the O= build folder
# on to tools/testing/selftests, which then builds and installs in the
# source tree (7.3's kselftest-% rule unsets sub_make_done to keep it).
kselftest_install_dir() {
	case $KERNEL_MAJOR_MINOR in
	6.12) printf '%s\n' "$WORK_TREE/tools/testing/selftests/kselftest_install" ;;
	*) printf '%s\n' "$BUILD_DIR/kselftest/kselftest_install" ;;
	esac
}

# Boot options of the debug kernel (guest and KUnit): every WARN, oops and
# KASAN, KFENCE or UBSAN report panics the guest, so no test can pass after
# one.  Lockdep splats, sleeping in atomic context and kmemleak hits do not
# panic: scripts/kernel-log-check.sh finds them in the kernel log.
# slab_debug=U (SLUB records who allocated and freed each object) is there
# for kmemleak: any slab debug flag turns off SLUB's per-CPU sheaves, whose
# arrays keep stale pointers to the objects just handed out; with sheaves,
# kmemleak found none of four leaked kmalloc(256) objects, without them all
# four (tests/host/kernel-logs/make-samples.sh leak).
DEBUG_KERNEL_ARGS="panic_on_warn=1 oops=panic kasan.fault=report slab_debug=U"

# ---------------------------------------------------------- run_logged --
# run_logged NAME CMD [ARG...]
#   Runs CMD (a program, or a function of this file) with all its output in
#   $LOG_DIR/NAME.log.  Every $PROGRESS_INTERVAL seconds it prints the elapsed
#   time and the log's last line (or the output of "$RL_STATUS", a shell
#   snippet, when set).  On failure it prints the last 40 lines of the log
#   and the log path and returns CMD's exit status.
#   The command runs in its own session so that Ctrl-C / SIGTERM of the
#   script can stop all of it (make, its compilers, QEMU ...).

_rl_log=
_rl_pidfile=
_rl_status=

_rl_interrupted() {
	if [ -n "$_rl_pidfile" ] && [ -s "$_rl_pidfile" ]; then
		_rl_pg=$(cat "$_rl_pidfile")
		kill -TERM "-$_rl_pg" 2>/dev/null || true
		sleep 2
		kill -KILL "-$_rl_pg" 2>/dev/null || true
	fi
	die "interrupted while running the step logged in $_rl_log" \
		"rerun the same command; the step restarts where make/git left off"
}

_rl_status_line() {
	if [ -n "$_rl_status" ]; then
		(eval "$_rl_status") 2>/dev/null | tail -n 1
	else
		tail -n 1 "$_rl_log" 2>/dev/null | tr -d '\r' | cut -c1-110
	fi
}

run_logged() {
	_rl_name=$1
	shift
	# RL_STATUS is meant as a one-call prefix assignment; shells differ on
	# whether that outlives the call, so take it and drop it.
	_rl_status=${RL_STATUS:-}
	unset RL_STATUS
	mkdir -p "$LOG_DIR" "$STATE_DIR"
	_rl_log=$LOG_DIR/$_rl_name.log
	_rl_pidfile=$STATE_DIR/.run_logged.$$.pid
	_rl_rcfile=$STATE_DIR/.run_logged.$$.rc
	rm -f "$_rl_pidfile" "$_rl_rcfile"
	{
		printf '# %s: started %s\n# cwd: %s\n# command:' "$PROG" "$(date)" "$(pwd)"
		printf ' %s' "$@"
		printf '\n'
	} >"$_rl_log"
	info "log: $_rl_log"
	_rl_start=$(now)
	trap _rl_interrupted INT TERM HUP
	(
		_rc=0
		_RL_PROG=$PROG _RL_PIDFILE=$_rl_pidfile setsid -w sh -c \
			'echo $$ >"$_RL_PIDFILE"; . "$SCRIPTS_DIR/lib.sh"; "$@"' \
			sh "$@" >>"$_rl_log" 2>&1 </dev/null || _rc=$?
		echo "$_rc" >"$_rl_rcfile"
	) &
	_rl_bg=$!
	_rl_next=$((_rl_start + PROGRESS_INTERVAL))
	while [ ! -s "$_rl_rcfile" ]; do
		sleep 1
		_rl_now=$(now)
		if [ "$_rl_now" -ge "$_rl_next" ]; then
			info "... $(fmt_secs $((_rl_now - _rl_start))) elapsed | $(_rl_status_line)"
			_rl_next=$((_rl_now + PROGRESS_INTERVAL))
		fi
	done
	wait "$_rl_bg" 2>/dev/null || true
	trap - INT TERM HUP
	_rl_rc=$(cat "$_rl_rcfile")
	rm -f "$_rl_pidfile" "$_rl_rcfile"
	_rl_secs=$(($(now) - _rl_start))
	printf '# finished %s, exit status %s, %ss\n' "$(date)" "$_rl_rc" "$_rl_secs" >>"$_rl_log"
	if [ "$_rl_rc" -ne 0 ]; then
		printf '[%s] ---- last 40 lines of %s ----\n' "$PROG" "$_rl_log" >&2
		tail -n 40 "$_rl_log" >&2
		printf '[%s] ---- end of log excerpt; full log: %s ----\n' "$PROG" "$_rl_log" >&2
		return "$_rl_rc"
	fi
	info "done in $(fmt_secs "$_rl_secs")"
	return 0
}

# in_dir DIR CMD [ARG...]: run CMD (program or lib.sh function) inside DIR;
# for run_logged, which cannot take a "cd" of its own.
in_dir() {
	_in_dir=$1
	shift
	cd "$_in_dir" && "$@"
}

# --------------------------------------------------------------- hashes --

sha256_of_stdin() { sha256sum | cut -d' ' -f1; }

# ------------------------------------------------------ build environment --
# Kconfig records the tools it ran (ARCH, CC, RUSTC, their versions ...) and
# re-syncs the config when any differs.  The guest's `make kselftest` runs
# in the same build folder, so the host builds and the guest must see the
# same environment, or each side rewrites the config and triggers rebuilds
# (e.g. a rustc in the user's PATH but not in the guest's).  Hence a fixed
# PATH (MMAPDEMO_PATH overrides it) and no ARCH/CC from the caller.
BUILD_PATH=${MMAPDEMO_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}

# use_build_env: the environment every kernel build runs in.  Compiles reach
# ccache through the compiler-named symlinks in /usr/lib/ccache put first on
# PATH (Debian's ccache makes one for each cross compiler too): CC stays
# "gcc" (a different CC between runs would make kbuild rebuild everything)
# and kunit.py needs no extra options.  A cross-built guest gets ARCH and
# CROSS_COMPILE exported, so that every make in its build folder (kernel,
# headers, selftests) targets it.
use_build_env() {
	unset ARCH SUBARCH CROSS_COMPILE LLVM CC HOSTCC KBUILD_OUTPUT KCONFIG_CONFIG
	if is_cross; then
		ARCH=$KARCH CROSS_COMPILE=$CROSS_PREFIX
		export ARCH CROSS_COMPILE
	fi
	PATH=$BUILD_PATH
	if [ -x /usr/lib/ccache/gcc ]; then
		PATH=/usr/lib/ccache:$PATH
		mkdir -p "$CCACHE_DIR"
	else
		warn "ccache not installed: builds will not be cached (run scripts/deps.sh)"
	fi
	export PATH
}

# ------------------------------------------------------- private apt --
# Packages from trixie / trixie-backports are fetched through a private apt
# configuration (sources file, lists, caches under $APT_DIR).  The system's
# apt sources are never edited.  The archive URI comes from the system's
# own apt configuration, so no package host is named here.

# debian_archive_uri: print the Debian archive base URI (the part before
# /dists/) of the system's Debian (not security) index targets.
debian_archive_uri() {
	_uri=$(apt-get indextargets --format '$(URI)' 'Label: Debian' 'Identifier: Packages' 2>/dev/null |
		sed -n 's#/dists/.*##p' | head -n 1)
	if [ -z "$_uri" ]; then
		# Without downloaded lists the Release labels are unknown: fall
		# back to any non-security target.
		_uri=$(apt-get indextargets --format '$(URI)' 2>/dev/null |
			grep -v -- '-security' | sed -n 's#/dists/.*##p' | head -n 1)
	fi
	printf '%s\n' "$_uri"
}

private_apt_setup() {
	_archive=$(debian_archive_uri)
	if [ -z "$_archive" ]; then
		info "apt knows no index targets yet: running apt-get update once"
		run_logged apt-update apt-get update ||
			die "apt-get update failed" "check network access to the Debian archive; see $LOG_DIR/apt-update.log"
		_archive=$(debian_archive_uri)
	fi
	[ -n "$_archive" ] ||
		die "could not find a Debian archive in the system's apt configuration" \
			"add a Debian archive to /etc/apt/sources.list.d (deb822 or one-line format) and run apt-get update"
	_keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -r "$_keyring" ] || die "missing $_keyring" "apt-get install debian-archive-keyring"
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial"
	# trixie for the host and the cross-built guests (their static
	# busybox); trixie-backports only for the host's kernel source.
	_sources=$(printf 'deb [arch=%s signed-by=%s] %s %s main\n' \
		"$PRIVATE_APT_ARCHES" "$_keyring" "$_archive" trixie \
		amd64 "$_keyring" "$_archive" trixie-backports)
	if [ ! -f "$APT_DIR/sources.list" ] || [ "$(cat "$APT_DIR/sources.list")" != "$_sources" ]; then
		printf '%s\n' "$_sources" >"$APT_DIR/sources.list"
		rm -f "$APT_DIR/.updated"
	fi
}

# The architectures of the private lists: the host's and the guests'.
PRIVATE_APT_ARCHES=amd64,arm64,riscv64

# private_apt apt-get|apt-cache ARGS...: run an apt tool on the private config.
private_apt() {
	_tool=$1
	shift
	"$_tool" \
		-o APT::Architectures::=amd64 -o APT::Architectures::=arm64 \
		-o APT::Architectures::=riscv64 \
		-o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$APT_DIR/lists" \
		-o Dir::Cache::Archives="$APT_DIR/archives" \
		-o Dir::Cache::pkgcache="$APT_DIR/pkgcache.bin" \
		-o Dir::Cache::srcpkgcache="$APT_DIR/srcpkgcache.bin" \
		-o APT::Sandbox::User=root \
		"$@"
}

# private_apt_update [force]: refresh the private lists when older than a day.
private_apt_update() {
	private_apt_setup
	if [ "${1:-}" != force ] && [ -f "$APT_DIR/.updated" ] &&
		[ -z "$(find "$APT_DIR/.updated" -mmin +1440 2>/dev/null)" ]; then
		return 0
	fi
	step "Refreshing the private apt lists (trixie, trixie-backports)"
	run_logged apt-private-update private_apt apt-get update ||
		die "apt-get update of the private trixie lists failed" \
			"see $LOG_DIR/apt-private-update.log; check access to the Debian archive"
	touch "$APT_DIR/.updated"
}

# ------------------------------------------------------ guest busybox --
# The cross-built guests' user space: Debian's busybox-static for their
# architecture, from the private trixie lists, unpacked once.

# trixie's package has it in /usr/bin, older ones in /bin.
guest_busybox_path() {
	for _bb in usr/bin/busybox bin/busybox; do
		if [ -x "$MMAPDEMO_CACHE/tools/busybox-$DEB_ARCH/$_bb" ]; then
			printf '%s\n' "$MMAPDEMO_CACHE/tools/busybox-$DEB_ARCH/$_bb"
			return 0
		fi
	done
	printf '%s\n' "$MMAPDEMO_CACHE/tools/busybox-$DEB_ARCH/usr/bin/busybox"
}

guest_busybox() {
	[ -x "$(guest_busybox_path)" ] && return 0
	private_apt_update
	step "Downloading busybox-static for $DEB_ARCH (the $MMAPDEMO_ARCH guest's initramfs)"
	mkdir -p "$APT_DIR/debs"
	rm -f "$APT_DIR/debs/busybox-static_"*"_$DEB_ARCH.deb"
	run_logged "busybox-download-$DEB_ARCH" in_dir "$APT_DIR/debs" \
		private_apt apt-get download "busybox-static:$DEB_ARCH" ||
		die "could not download busybox-static:$DEB_ARCH" \
			"see $LOG_DIR/busybox-download-$DEB_ARCH.log; rerun (the private lists are refreshed daily)"
	_bb_dir=$MMAPDEMO_CACHE/tools/busybox-$DEB_ARCH
	rm -rf "$_bb_dir"
	mkdir -p "$_bb_dir"
	dpkg-deb -x "$(ls "$APT_DIR/debs/busybox-static_"*"_$DEB_ARCH.deb")" "$_bb_dir" ||
		die "could not unpack busybox-static:$DEB_ARCH" "delete $APT_DIR/debs and rerun"
	[ -x "$(guest_busybox_path)" ] ||
		die "busybox-static:$DEB_ARCH has no $(guest_busybox_path)" "check the package's contents (dpkg-deb -c)"
}

# ------------------------------------------------------------ KVM probe --
# KVM guests hang on some hosts although /dev/kvm exists.  Boot a kernel
# once with -accel kvm under a short timeout: a working KVM reaches the
# "no root / no init" panic within seconds and QEMU exits (-no-reboot,
# panic=-1).  The verdict is cached per host boot (boot_id), since it can
# only change with the host kernel or its modules.
#
# kvm_usable [BZIMAGE]: returns 0 when KVM works; sets KVM_REASON.

KVM_PROBE_TIMEOUT=${MMAPDEMO_KVM_PROBE_TIMEOUT:-30}

kvm_usable() {
	if is_cross; then
		KVM_REASON="an $MMAPDEMO_ARCH guest on an $(uname -m) host"
		return 1
	fi
	_kimg=${1:-$BUILD_DIR/arch/x86/boot/bzImage}
	_verdict_file=$STATE_DIR/kvm-verdict
	_boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	if [ -n "${MMAPDEMO_ACCEL:-}" ]; then
		KVM_REASON="MMAPDEMO_ACCEL=$MMAPDEMO_ACCEL set by the user"
		[ "$MMAPDEMO_ACCEL" = kvm ]
		return
	fi
	if [ ! -e /dev/kvm ]; then
		KVM_REASON="no /dev/kvm"
		return 1
	fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		KVM_REASON="/dev/kvm not accessible to $(id -un)"
		return 1
	fi
	if [ -f "$_verdict_file" ]; then
		read -r _vb _vv _vr <"$_verdict_file" || true
		if [ "$_vb" = "$_boot_id" ]; then
			KVM_REASON="cached probe result for this host boot: $_vr"
			[ "$_vv" = yes ]
			return
		fi
	fi
	if [ ! -f "$_kimg" ]; then
		KVM_REASON="no kernel to probe KVM with yet ($_kimg)"
		return 1
	fi
	mkdir -p "$STATE_DIR" "$LOG_DIR"
	info "probing KVM: booting $_kimg with -accel kvm (timeout ${KVM_PROBE_TIMEOUT}s)"
	_probe_log=$LOG_DIR/kvm-probe.log
	_rc=0
	timeout -k 5 "$KVM_PROBE_TIMEOUT" qemu-system-x86_64 -accel kvm -cpu host -m 256 \
		-nodefaults -nographic -no-reboot -serial stdio -monitor none \
		-kernel "$_kimg" -append 'console=ttyS0 panic=-1 rdinit=/nonexistent' \
		>"$_probe_log" 2>&1 </dev/null || _rc=$?
	if grep -q 'Kernel panic' "$_probe_log"; then
		_vv=yes
		_vr="KVM guest booted and exited"
	elif [ "$_rc" -eq 124 ] || [ "$_rc" -eq 137 ]; then
		_vv=no
		_vr="KVM guest hung (no panic within ${KVM_PROBE_TIMEOUT}s)"
	else
		_vv=no
		_vr="KVM guest failed (qemu exit $_rc, see $_probe_log)"
	fi
	printf '%s %s %s\n' "$_boot_id" "$_vv" "$_vr" >"$_verdict_file"
	KVM_REASON="probe: $_vr"
	[ "$_vv" = yes ]
}

# ------------------------------------------------------------- locking --
# lock_cache: one script at a time per cache folder (two would fight over
# the worktrees, the build folder and the guest).  Scripts started by a
# script that holds the lock run under it; others wait.

lock_cache() {
	# The holder is named by its lock file: a 7.3 script that starts a
	# 6.12 one does not hold the 6.12 lock.
	[ "${MMAPDEMO_LOCK_HELD:-}" = "$LOCK_FILE" ] && return 0
	mkdir -p "$STATE_DIR" "${LOCK_FILE%/*}"
	exec 9>"$LOCK_FILE"
	if ! flock -n 9; then
		info "another mmapdemo script is using $MMAPDEMO_CACHE: waiting for it to finish"
		flock 9
	fi
	MMAPDEMO_LOCK_HELD=$LOCK_FILE
	export MMAPDEMO_LOCK_HELD
}

# ----------------------------------------------------- tree bookkeeping --

# base_tree_info: set BASE_TREE and BASE_COMMIT from kernel-tree.sh
# (which creates the tree first when needed).
base_tree_info() {
	_info=$("$SCRIPTS_DIR/kernel-tree.sh" --print) ||
		die "could not prepare the base kernel tree" "see the messages above"
	eval "$_info"
}

# series_patches: print the series' patch files, in order, one per line
# (the cover letter carries no diff and is skipped).
series_patches() {
	for _p in "$PATCHES_DIR"/*.patch; do
		[ -f "$_p" ] || continue
		case ${_p##*/} in
		0000-cover-letter.patch) continue ;;
		esac
		printf '%s\n' "$_p"
	done
}

series_hash() {
	series_patches | while read -r _p; do
		printf '%s\n' "${_p##*/}"
		cat "$_p"
	done | sha256_of_stdin
}

require_work_tree() {
	if ! git -C "$WORK_TREE" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		die "no kernel work tree at $WORK_TREE" "run scripts/apply.sh first"
	fi
}

require_built_kernel() {
	[ -f "$BUILD_DIR/$KERNEL_IMAGE" ] ||
		die "no built guest kernel in $BUILD_DIR" "run scripts/build.sh${MMAPDEMO_VARIANT:+ --$MMAPDEMO_VARIANT}${ARCH_SUFFIX:+ --arch=$MMAPDEMO_ARCH} first"
}

# warn_if_series_changed: the work tree was made from an older patches/.
# After scripts/dev.sh it holds the sources themselves: say so instead.
warn_if_series_changed() {
	[ -f "$STATE_DIR/applied-series" ] || return 0
	if [ "$(head -c 9 "$STATE_DIR/applied-series")" = "dev-sync " ]; then
		info "the work tree holds the sources as scripts/dev.sh copied them, not patches/ (scripts/apply.sh goes back)"
	elif [ "$(cat "$STATE_DIR/applied-series")" != "$(series_hash)" ]; then
		warn "patches/ changed since scripts/apply.sh last ran: the work tree is stale (rerun scripts/apply.sh)"
	fi
}

# ------------------------------------------------------ kernel log checks --
# judge_kernel_log REPORTS KERNEL_LOG [KMEMLEAK_LOG]: scripts/kernel-log-check.sh
# on a guest's kernel log, as tests: "kernel log clean" (no WARN, BUG,
# KASAN, KFENCE, UBSAN or lockdep report), and with KMEMLEAK_LOG "no
# mmapdemo leak" (no kmemleak object that mentions mmapdemo; other leaks
# are warnings).  The findings go to REPORTS and stderr; stdout gets
# "PASSED FAILED", the number of those checks that passed and failed.
judge_kernel_log() {
	_jk_reports=$1 _jk_log=$2 _jk_kmemleak=${3:-}
	_jk_passed=0 _jk_failed=0
	if [ ! -f "$_jk_log" ]; then
		warn "not ok: no kernel log at $_jk_log to check"
		echo "0 1"
		return 0
	fi
	"$SCRIPTS_DIR/kernel-log-check.sh" ${_jk_kmemleak:+--kmemleak "$_jk_kmemleak"} "$_jk_log" >"$_jk_reports" || true
	# shellcheck disable=SC2046 # three numbers
	set -- $(sed -n 's/^kernel-log-check: \([0-9]*\) report(s), \([0-9]*\) mmapdemo leak(s), \([0-9]*\) warning(s)$/\1 \2 \3/p' "$_jk_reports")
	_jk_found=${1:-1} _jk_leaks=${2:-1} _jk_warnings=${3:-0}
	grep -v '^kernel-log-check:' "$_jk_reports" | sed "s/^/[$PROG]     /" >&2 || true
	if [ "$_jk_found" -eq 0 ]; then
		_jk_passed=$((_jk_passed + 1))
		info "ok: kernel log clean (no WARN, BUG, KASAN, KFENCE, UBSAN or lockdep report): $_jk_log"
	else
		_jk_failed=$((_jk_failed + 1))
		warn "not ok: $_jk_found kernel report(s) in $_jk_log (listed in $_jk_reports)"
	fi
	if [ -n "$_jk_kmemleak" ]; then
		if [ "$_jk_leaks" -eq 0 ]; then
			_jk_passed=$((_jk_passed + 1))
			info "ok: no kmemleak object mentions mmapdemo: $_jk_kmemleak"
		else
			_jk_failed=$((_jk_failed + 1))
			warn "not ok: $_jk_leaks kmemleak object(s) mention mmapdemo: $_jk_kmemleak"
		fi
	fi
	[ "$_jk_warnings" -eq 0 ] ||
		warn "$_jk_warnings warning(s) (leaks outside mmapdemo, RCU stalls ...), not failures: see $_jk_reports and $_jk_log"
	echo "$_jk_passed $_jk_failed"
}
