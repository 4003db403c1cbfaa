#!/bin/sh
# build.sh - build a guest kernel (and the selftests) out of tree.
#
# Usage: scripts/build.sh [--debug|--arch=A] [kernel]  configure if needed,
#                                             make bzImage (Image) modules
#        scripts/build.sh [--debug|--arch=A] kselftest [--install]
#                                             make headers kselftest-all TARGETS=mmapdemo
#                                             (--install: also kselftest-install)
#        scripts/build.sh [--debug|--arch=A] config    only (re)configure
#
# --arch=arm64|riscv64 (or MMAPDEMO_ARCH): cross-build the guest for that
# architecture (lib.sh's use_arch) in O=$MMAPDEMO_CACHE/build/<arch>, from
# allnoconfig + guest.config + guest-<arch>.config (arm64: 64 KiB pages).
# The kernel step also installs the modules in <build dir>/.mod-root and
# fetches Debian's busybox-static for that architecture (the guest's
# initramfs, scripts/vm.sh).  The kselftest step first builds GoogleTest
# for the target from Debian's googletest sources (/usr/src/googletest,
# the host's version) in $MMAPDEMO_CACHE/tools/gtest-<arch>, and links the
# test programs statically: the guest has no C++ library of its own.
#
# --debug (or MMAPDEMO_VARIANT=debug): the debug kernel, which adds
# scripts/configs/debug.config (KASAN, KFENCE, kmemleak, lockdep, DEBUG_VM,
# PAGE_TABLE_CHECK, DEBUG_VIRTUAL, UBSAN bounds, DEBUG_PAGEALLOC) after
# guest.config and builds in O=$MMAPDEMO_CACHE/build/x86_64-debug; its logs
# are kernel-config-debug.log, kernel-build-debug.log ...  The normal build
# folder is left alone.
#
# Source: the long-lived worktree ($MMAPDEMO_CACHE/work/linux-7.3, made by
# scripts/apply.sh).  Output: O=$MMAPDEMO_CACHE/build/x86_64.
# Config: allnoconfig + kvm_guest.config (kernel/configs/, and arch/x86/configs/
# if the tree has one) + scripts/configs/guest.config + guest-x86_64.config
# (+ the fragments in MMAPDEMO_EXTRA_CONFIG, space-separated paths, for local
# experiments such as debug options), merged with merge_config.sh, then
# olddefconfig.  It is redone only when one of those inputs or a Kconfig
# file of the tree changed.  Compiles go through ccache; make is incremental.
#
# Environment: MMAPDEMO_KSELFTEST_TARGET (default mmapdemo) names the
# selftest directory; MMAPDEMO_JOBS (default: nproc) the make -j value.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

# --debug, wherever it is: the debug variant (lib.sh's use_variant).
for arg; do
	shift
	case $arg in
	--debug) use_variant debug ;;
	--arch=*) use_arch "${arg#--arch=}" ;;
	*) set -- "$@" "$arg" ;;
	esac
done

# The fragment every guest shares, then the architecture's, then the
# kernel version's where it has one (options older kernels do not know).
GUEST_CONFIG="$SCRIPTS_DIR/configs/guest.config $SCRIPTS_DIR/configs/guest-$MMAPDEMO_ARCH.config"
[ ! -f "$SCRIPTS_DIR/configs/guest-$KERNEL_MAJOR_MINOR.config" ] ||
	GUEST_CONFIG="$GUEST_CONFIG $SCRIPTS_DIR/configs/guest-$KERNEL_MAJOR_MINOR.config"
EXTRA_CONFIG=${MMAPDEMO_EXTRA_CONFIG:-}
if [ "$MMAPDEMO_VARIANT" = debug ]; then
	# Checked like guest.config by check_requested, as every fragment.
	EXTRA_CONFIG="$SCRIPTS_DIR/configs/debug.config${EXTRA_CONFIG:+ $EXTRA_CONFIG}"
fi
KSELFTEST_TARGET=${MMAPDEMO_KSELFTEST_TARGET:-mmapdemo}
JOBS=${MMAPDEMO_JOBS:-$(nproc)}
CONFIG_HASH_FILE=$BUILD_DIR/.mmapdemo-config-inputs

# ARCH is left to kbuild on x86_64 (x86 from uname, as in the guest); a
# cross-built guest gets ARCH and CROSS_COMPILE, see lib.sh.
use_build_env

cmd=${1:-kernel}
[ $# -gt 0 ] && shift
install_selftests=false
case $cmd in
kernel | config) [ $# -eq 0 ] || die "unexpected argument: $1" "run $0 --help" ;;
kselftest)
	case ${1:-} in
	--install) install_selftests=true ;;
	'') ;;
	*) die "unexpected argument: $1" "run $0 --help" ;;
	esac
	;;
-h | --help)
	usage
	exit 0
	;;
*) die "unknown subcommand: $cmd" "run $0 --help" ;;
esac
lock_cache

require_work_tree
warn_if_series_changed
for frag in $GUEST_CONFIG $EXTRA_CONFIG; do
	[ -r "$frag" ] || die "config fragment $frag not found" "check MMAPDEMO_EXTRA_CONFIG"
done

# config_inputs_hash: everything that decides the resulting .config.
config_inputs_hash() {
	{
		echo "PATH=$BUILD_PATH ARCH=${ARCH:-} CROSS_COMPILE=${CROSS_COMPILE:-}"
		for frag in $GUEST_CONFIG $EXTRA_CONFIG; do
			echo "fragment $frag"
			cat "$frag"
		done
		# Blob ids of every Kconfig file, the kvm_guest fragments and the
		# kconfig tools: a series that adds a symbol changes this.
		git -C "$WORK_TREE" ls-tree -r HEAD |
			grep -E '(/Kconfig[^/]*|kvm_guest\.config|scripts/kconfig/[^/]*)$'
	} | sha256_of_stdin
}

# check_requested: every value of our fragments must be in the final .config.
check_requested() {
	# shellcheck disable=SC2086 # EXTRA_CONFIG is a list of paths
	missing=$(awk '
		FNR == NR { if ($0 ~ /^CONFIG_/) { split($0, kv, "="); have[kv[1]] = $0 } next }
		/^CONFIG_[A-Za-z0-9_]+=/ {
			split($0, kv, "=")
			if (!(kv[1] in have)) { if (kv[2] != "n") print $0 " (final: not set)" }
			else if (kv[2] == "n") print kv[1] "=n (final: " have[kv[1]] ")"
			else if (have[kv[1]] != $0) print $0 " (final: " have[kv[1]] ")"
		}
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ {
			if ($2 in have) print $2 " off (final: " have[$2] ")"
		}' "$BUILD_DIR/.config" $GUEST_CONFIG $EXTRA_CONFIG)
	[ -z "$missing" ] && return 0
	if [ "$missing" = "CONFIG_MMAPDEMO=m (final: not set)" ] &&
		! grep -qs '^config MMAPDEMO$' "$WORK_TREE/drivers/misc/Kconfig" "$WORK_TREE"/drivers/misc/mmapdemo/Kconfig*; then
		if [ -z "$(series_patches)" ]; then
			info "CONFIG_MMAPDEMO is not set: patches/ is empty, so the tree has no driver yet (expected)"
			return 0
		fi
		die "CONFIG_MMAPDEMO is unknown to the tree although patches/ holds a series" \
			"check that the series adds 'config MMAPDEMO' to drivers/misc, and that scripts/apply.sh ran"
	fi
	printf '%s\n' "$missing" | sed "s/^/[$PROG]   /" >&2
	die "these requested options did not end up in $BUILD_DIR/.config (a dependency is missing)" \
		"add the missing dependencies to the fragment that asks for them ($GUEST_CONFIG${EXTRA_CONFIG:+ $EXTRA_CONFIG}); merge_config's warnings are in $LOG_DIR/kernel-config$VARIANT_SUFFIX.log"
}

configure() {
	want=$(config_inputs_hash)
	if [ -f "$BUILD_DIR/.config" ] && [ "$(cat "$CONFIG_HASH_FILE" 2>/dev/null)" = "$want" ]; then
		info "config inputs unchanged: keeping $BUILD_DIR/.config"
		return 0
	fi
	mkdir -p "$BUILD_DIR"
	rm -f "$CONFIG_HASH_FILE"
	kvm_frags=
	if ! is_cross; then
		# `make kvm_guest.config` merges the generic fragment and, where
		# one exists, the architecture's (x86 has none in 7.3).  The
		# cross-built guests run under TCG only: no KVM guest options.
		kvm_frags=kernel/configs/kvm_guest.config
		[ -f "$WORK_TREE/arch/x86/configs/kvm_guest.config" ] &&
			kvm_frags="$kvm_frags arch/x86/configs/kvm_guest.config"
	fi
	# shellcheck disable=SC2086 # lists of paths
	step "Configuring ($MMAPDEMO_ARCH): allnoconfig${kvm_frags:+ + kvm_guest.config} + $(for frag in $GUEST_CONFIG $EXTRA_CONFIG; do printf '%s ' "${frag##*/}"; done)"
	# merge_config.sh -n: allnoconfig with the merged fragments as
	# KCONFIG_ALLCONFIG (so dependencies resolve), then it lists the values
	# that did not stick; check_requested turns those into an error.
	# shellcheck disable=SC2086 # both are lists of paths
	run_logged "kernel-config$VARIANT_SUFFIX" in_dir "$WORK_TREE" sh -c '
		set -e
		scripts/kconfig/merge_config.sh -n -O "$@"
		make O="$1" olddefconfig
	' sh "$BUILD_DIR" $kvm_frags $GUEST_CONFIG $EXTRA_CONFIG ||
		die "configuring the kernel failed" "see $LOG_DIR/kernel-config$VARIANT_SUFFIX.log"
	check_requested
	printf '%s\n' "$want" >"$CONFIG_HASH_FILE"
}

build_kernel() {
	if [ "$MMAPDEMO_VARIANT" = debug ]; then
		step "Building the debug kernel's bzImage and modules in $BUILD_DIR (make -j$JOBS, ccache; a first build takes about 20 min on 2 idle cores)"
	elif is_cross; then
		step "Cross-building the $MMAPDEMO_ARCH $KERNEL_TARGET and modules in $BUILD_DIR (make -j$JOBS, ccache; a first build takes 6-8 min on 2 idle cores)"
	else
		step "Building bzImage and modules (make -j$JOBS, ccache; a first build takes 8-10 min on 2 idle cores)"
	fi
	ccache -z >/dev/null 2>&1 || true
	run_logged "kernel-build$VARIANT_SUFFIX" make -C "$BUILD_DIR" -j"$JOBS" "$KERNEL_TARGET" modules ||
		die "the kernel build failed" "see $LOG_DIR/kernel-build$VARIANT_SUFFIX.log (the compiler error is near the end)"
	release=$(cat "$BUILD_DIR/include/config/kernel.release")
	nmods=$(grep -c . "$BUILD_DIR/modules.order" 2>/dev/null || true)
	info "kernel $release: $BUILD_DIR/$KERNEL_IMAGE, ${nmods:-0} module(s)"
	hits=$(ccache -s 2>/dev/null | awk '/^ *Hits:/ { print $2 "/" $4; exit }')
	[ -n "$hits" ] && info "ccache hits this build: $hits"
	if is_cross; then
		# virtme-ng finds the x86_64 modules in the build folder; the
		# cross-built guest's init links /lib/modules to this copy.
		rm -rf "$BUILD_DIR/.mod-root"
		run_logged modules-install make -C "$BUILD_DIR" modules_install \
			INSTALL_MOD_PATH="$BUILD_DIR/.mod-root" ||
			die "make modules_install failed" "see $LOG_DIR/modules-install.log"
		guest_busybox
	fi
	return 0
}

# cross_gtest: GoogleTest for the guest's architecture, built once per
# version from Debian's googletest sources, the host libgtest-dev's own;
# sets GTEST_DIR.
cross_gtest() {
	gtest_src=/usr/src/googletest/googletest
	[ -f "$gtest_src/src/gtest-all.cc" ] ||
		die "no GoogleTest sources in $gtest_src" "run scripts/deps.sh (it installs googletest)"
	GTEST_DIR=$MMAPDEMO_CACHE/tools/gtest-$MMAPDEMO_ARCH
	stamp="googletest $(dpkg-query -W -f '${Version}' googletest 2>/dev/null), $("${CROSS_PREFIX}g++" --version | head -n 1)"
	[ "$(cat "$GTEST_DIR/.stamp" 2>/dev/null)" = "$stamp" ] && return 0
	step "Building GoogleTest for $MMAPDEMO_ARCH with ${CROSS_PREFIX}g++ ($stamp)"
	rm -rf "$GTEST_DIR"
	mkdir -p "$GTEST_DIR/lib"
	run_logged gtest-build in_dir "$GTEST_DIR" sh -c '
		set -e
		"$1g++" -std=gnu++17 -O2 -g -pthread -I"$2/include" -I"$2" \
			-c "$2/src/gtest-all.cc" -o gtest-all.o
		"$1ar" rcs lib/libgtest.a gtest-all.o
		rm gtest-all.o
	' sh "$CROSS_PREFIX" "$gtest_src" ||
		die "building GoogleTest for $MMAPDEMO_ARCH failed" "see $LOG_DIR/gtest-build.log"
	printf '%s\n' "$stamp" >"$GTEST_DIR/.stamp"
}

build_selftests() {
	[ -d "$WORK_TREE/tools/testing/selftests/$KSELFTEST_TARGET" ] ||
		die "the tree has no selftest target tools/testing/selftests/$KSELFTEST_TARGET" \
			"it comes with the series: regenerate patches/ and run scripts/apply.sh"
	[ -f "$BUILD_DIR/.config" ] || die "the kernel is not configured in $BUILD_DIR" "run scripts/build.sh${MMAPDEMO_VARIANT:+ --$MMAPDEMO_VARIANT} first"
	# The selftest Makefile's own knobs, for a cross build: GoogleTest
	# for the target, no pkg-config (it would answer for the host, and
	# the optional benchmark is left out), static programs.
	set --
	if is_cross; then
		cross_gtest
		set -- GTEST_CFLAGS="-I/usr/src/googletest/googletest/include" \
			GTEST_LDLIBS="$GTEST_DIR/lib/libgtest.a -pthread" \
			PKG_CONFIG=false CXXFLAGS=-static
	fi
	step "Building the $KSELFTEST_TARGET selftests on the host (make headers kselftest-all${ARCH:+, ARCH=$ARCH})"
	# Built here so the guest's `make kselftest` finds them up to date:
	# `make headers` alone takes ~9 minutes over 9p under TCG.
	run_logged "kselftest-build$VARIANT_SUFFIX" make -C "$BUILD_DIR" -j"$JOBS" headers kselftest-all \
		TARGETS="$KSELFTEST_TARGET" "$@" ||
		die "building the $KSELFTEST_TARGET selftests failed" "see $LOG_DIR/kselftest-build$VARIANT_SUFFIX.log"
	if [ "$install_selftests" = true ]; then
		run_logged "kselftest-install$VARIANT_SUFFIX" make -C "$BUILD_DIR" kselftest-install \
			TARGETS="$KSELFTEST_TARGET" "$@" ||
			die "make kselftest-install failed" "see $LOG_DIR/kselftest-install$VARIANT_SUFFIX.log"
		info "installed: $(kselftest_install_dir)/run_kselftest.sh"
	fi
}

case $cmd in
config) configure ;;
kernel)
	configure
	build_kernel
	;;
kselftest) build_selftests ;;
esac
