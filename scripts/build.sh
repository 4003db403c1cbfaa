#!/bin/sh
# build.sh - build the x86_64 guest kernel (and the selftests) out of tree.
#
# Usage: scripts/build.sh [--debug] [kernel]  configure if needed, make bzImage modules
#        scripts/build.sh [--debug] kselftest [--install]
#                                             make headers kselftest-all TARGETS=mmapdemo
#                                             (--install: also kselftest-install)
#        scripts/build.sh [--debug] config    only (re)configure
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
# if the tree has one) + scripts/configs/guest.config
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
	*) set -- "$@" "$arg" ;;
	esac
done

GUEST_CONFIG=$SCRIPTS_DIR/configs/guest.config
EXTRA_CONFIG=${MMAPDEMO_EXTRA_CONFIG:-}
if [ "$MMAPDEMO_VARIANT" = debug ]; then
	# Checked like guest.config by check_requested, as every fragment.
	EXTRA_CONFIG="$SCRIPTS_DIR/configs/debug.config${EXTRA_CONFIG:+ $EXTRA_CONFIG}"
fi
KSELFTEST_TARGET=${MMAPDEMO_KSELFTEST_TARGET:-mmapdemo}
JOBS=${MMAPDEMO_JOBS:-$(nproc)}
CONFIG_HASH_FILE=$BUILD_DIR/.mmapdemo-config-inputs

# ARCH is left to kbuild (x86 from uname, as in the guest), see lib.sh.
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
		echo "PATH=$BUILD_PATH"
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
	step "Configuring: allnoconfig + kvm_guest.config + $(basename "$GUEST_CONFIG")${EXTRA_CONFIG:+ + $EXTRA_CONFIG}"
	mkdir -p "$BUILD_DIR"
	rm -f "$CONFIG_HASH_FILE"
	# `make kvm_guest.config` merges the generic fragment and, where one
	# exists, the architecture's (x86 has none in 7.3).
	kvm_frags=kernel/configs/kvm_guest.config
	[ -f "$WORK_TREE/arch/x86/configs/kvm_guest.config" ] &&
		kvm_frags="$kvm_frags arch/x86/configs/kvm_guest.config"
	# merge_config.sh -n: allnoconfig with the merged fragments as
	# KCONFIG_ALLCONFIG (so dependencies resolve), then it lists the values
	# that did not stick; check_requested turns those into an error.
	# shellcheck disable=SC2086 # both are lists of paths
	run_logged "kernel-config$VARIANT_SUFFIX" in_dir "$WORK_TREE" sh -c '
		set -e
		scripts/kconfig/merge_config.sh -n -O "$@"
		make O="$1" olddefconfig
	' sh "$BUILD_DIR" $kvm_frags "$GUEST_CONFIG" $EXTRA_CONFIG ||
		die "configuring the kernel failed" "see $LOG_DIR/kernel-config$VARIANT_SUFFIX.log"
	check_requested
	printf '%s\n' "$want" >"$CONFIG_HASH_FILE"
}

build_kernel() {
	if [ "$MMAPDEMO_VARIANT" = debug ]; then
		step "Building the debug kernel's bzImage and modules in $BUILD_DIR (make -j$JOBS, ccache; a first build takes about 20 min on 2 idle cores)"
	else
		step "Building bzImage and modules (make -j$JOBS, ccache; a first build takes 8-10 min on 2 idle cores)"
	fi
	ccache -z >/dev/null 2>&1 || true
	run_logged "kernel-build$VARIANT_SUFFIX" make -C "$BUILD_DIR" -j"$JOBS" bzImage modules ||
		die "the kernel build failed" "see $LOG_DIR/kernel-build$VARIANT_SUFFIX.log (the compiler error is near the end)"
	release=$(cat "$BUILD_DIR/include/config/kernel.release")
	nmods=$(grep -c . "$BUILD_DIR/modules.order" 2>/dev/null || true)
	info "kernel $release: $BUILD_DIR/arch/x86/boot/bzImage, ${nmods:-0} module(s)"
	hits=$(ccache -s 2>/dev/null | awk '/^ *Hits:/ { print $2 "/" $4; exit }')
	[ -n "$hits" ] && info "ccache hits this build: $hits"
	return 0
}

build_selftests() {
	[ -d "$WORK_TREE/tools/testing/selftests/$KSELFTEST_TARGET" ] ||
		die "the tree has no selftest target tools/testing/selftests/$KSELFTEST_TARGET" \
			"it comes with the series: regenerate patches/ and run scripts/apply.sh"
	[ -f "$BUILD_DIR/.config" ] || die "the kernel is not configured in $BUILD_DIR" "run scripts/build.sh${MMAPDEMO_VARIANT:+ --$MMAPDEMO_VARIANT} first"
	step "Building the $KSELFTEST_TARGET selftests on the host (make headers kselftest-all)"
	# Built here so the guest's `make kselftest` finds them up to date:
	# `make headers` alone takes ~9 minutes over 9p under TCG.
	run_logged "kselftest-build$VARIANT_SUFFIX" make -C "$BUILD_DIR" -j"$JOBS" headers kselftest-all \
		TARGETS="$KSELFTEST_TARGET" ||
		die "building the $KSELFTEST_TARGET selftests failed" "see $LOG_DIR/kselftest-build$VARIANT_SUFFIX.log"
	if [ "$install_selftests" = true ]; then
		run_logged "kselftest-install$VARIANT_SUFFIX" make -C "$BUILD_DIR" kselftest-install \
			TARGETS="$KSELFTEST_TARGET" ||
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
