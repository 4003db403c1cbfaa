#!/bin/sh
# build-check.sh - the cheap check of a cell that scripts/test.sh does not
# boot by default: the series applies, the driver and its KUnit tests
# build with W=1, the selftests build.
#
# Usage: scripts/build-check.sh --arch=arm64|riscv64
#        scripts/build-check.sh --kernel=6.12
#
# --arch=A: the 7.3 series, already applied to the work tree by the x86_64
# cell (scripts/apply.sh), for that architecture (arm64 with 64 KiB pages);
# --kernel=6.12: patches-6.12/ applied with plain git am to a fresh 6.12
# tree (scripts/apply.sh, the "series applies" check), for x86_64.
# Then, in the cell's build folder ($MMAPDEMO_CACHE/build/<arch>[-6.12],
# the one scripts/build.sh uses, so a later full build there continues
# from it):
#   1. configure as the cell's guest (scripts/build.sh config: allnoconfig
#      + guest.config + guest-<arch>.config; the driver and its KUnit
#      tests are modules there) and make modules_prepare: no kernel is
#      built;
#   2. make W=1 drivers/misc/mmapdemo/: the driver and its KUnit tests
#      compiled for that architecture and kernel; any compiler or kbuild
#      warning fails the check;
#   3. scripts/build.sh kselftest: the selftests built (cross-built
#      against GoogleTest for the target on arm64 and riscv64).
# Each of the three (four with the apply) is one test; the last line is
# "build-check-<cell>: N passed, N failed, 0 skipped".  Logs are in the
# cell's logs folder: build-check-*.log.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

cell=
for arg; do
	case $arg in
	--arch=x86_64) die "the x86_64 cell is booted by scripts/test.sh" "use --arch=arm64, --arch=riscv64 or --kernel=6.12" ;;
	--arch=*) use_arch "${arg#--arch=}" && cell=$MMAPDEMO_ARCH ;;
	--kernel=7.3) die "the 7.3 series is booted by scripts/test.sh" "use --arch=arm64, --arch=riscv64 or --kernel=6.12" ;;
	--kernel=*) use_kernel "${arg#--kernel=}" && cell=$KERNEL_MAJOR_MINOR ;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown option: $arg" "run $0 --help" ;;
	esac
done
[ -n "$cell" ] || die "no cell given" "use --arch=arm64, --arch=riscv64 or --kernel=6.12"
name=build-check-$cell
JOBS=${MMAPDEMO_JOBS:-$(nproc)}
lock_cache

passed=0 failed=0
# check WHAT COMMAND...: one test, passed when COMMAND succeeds.
check() {
	_what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		info "ok: $_what"
	else
		failed=$((failed + 1))
		warn "not ok: $_what"
	fi
}

# w1_build: the driver's folder with W=1; any warning is a failure.
w1_build() {
	_log=$LOG_DIR/$name-w1.log
	run_logged "$name-w1" make -C "$BUILD_DIR" -j"$JOBS" W=1 drivers/misc/mmapdemo/ || return 1
	_warnings=$(grep -E ': (warning|error): |^(WARNING|ERROR): ' "$_log" || true)
	[ -z "$_warnings" ] && return 0
	printf '%s\n' "$_warnings" | sed "s/^/[$PROG]   /" >&2
	warn "W=1 build of drivers/misc/mmapdemo/ ($cell) has warnings: see $_log"
	return 1
}

prepare_tree() {
	"$SCRIPTS_DIR/build.sh" config &&
		run_logged "$name-prepare" make -C "$BUILD_DIR" -j"$JOBS" modules_prepare
}

step "Build check of the $cell cell: series, W=1 build of the driver and its KUnit tests, selftests"
t0=$(now)
use_build_env
if [ -n "$KERNEL_SUFFIX" ]; then
	check "patches$KERNEL_SUFFIX/ applies with git am to a fresh $KERNEL_MAJOR_MINOR tree" "$SCRIPTS_DIR/apply.sh"
else
	require_work_tree
	warn_if_series_changed
fi
# Each check needs the one before it.
[ "$failed" -eq 0 ] && check "the $cell tree configured and prepared (make modules_prepare)" prepare_tree
[ "$failed" -eq 0 ] && check "drivers/misc/mmapdemo/ and its KUnit tests build with W=1, no warning ($cell)" w1_build
[ "$failed" -eq 0 ] && check "the selftests build ($cell)" "$SCRIPTS_DIR/build.sh" kselftest
info "build check of $cell: $(fmt_secs $(($(now) - t0)))"
printf '%s: %s passed, %s failed, 0 skipped\n' "$name" "$passed" "$failed"
[ "$failed" -eq 0 ] || die "the build check of the $cell cell failed" "see the messages above and $LOG_DIR/$name-*.log"
