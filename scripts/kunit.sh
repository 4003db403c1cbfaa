#!/bin/sh
# kunit.sh - run the driver's KUnit suite with the kernel's own kunit.py.
#
# Usage: scripts/kunit.sh [um|x86_64]      (default: um)
#
# In the build worktree ($MMAPDEMO_CACHE/work/linux-7.3, from apply.sh) it
# runs the users' command verbatim, plus only a --json results file:
#   um:      tools/testing/kunit/kunit.py run --kunitconfig=drivers/misc/mmapdemo
#            (build dir: .kunit in the worktree)
#   x86_64:  tools/testing/kunit/kunit.py run --kunitconfig=drivers/misc/mmapdemo
#              --arch=x86_64 --build_dir=.kunit-x86_64
# Results: $MMAPDEMO_CACHE/results/kunit-<arch>.json; log: logs/kunit-<arch>.log.
# Exits non-zero if kunit.py fails, any test fails or crashes, or none ran.
#
# kunit.py starts QEMU with "-accel kvm -accel tcg", which hangs on hosts
# whose KVM guests hang.  When the KVM probe (see lib.sh) says so, /dev/kvm
# is hidden from kunit.py in a private mount namespace and QEMU uses TCG.
#
# MMAPDEMO_KUNITCONFIG overrides the --kunitconfig path (only to try this
# script on another suite, e.g. lib/kunit, before the driver exists).
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

arch=${1:-um}
case $arch in
um | x86_64) ;;
-h | --help)
	usage
	exit 0
	;;
*) die "unknown architecture: $arch" "use: $0 [um|x86_64]" ;;
esac
kunitconfig=${MMAPDEMO_KUNITCONFIG:-drivers/misc/mmapdemo}
lock_cache

require_work_tree
warn_if_series_changed
if [ ! -f "$WORK_TREE/$kunitconfig/.kunitconfig" ] && [ ! -f "$WORK_TREE/$kunitconfig" ]; then
	die "the tree has no $kunitconfig/.kunitconfig" \
		"it comes with the series: regenerate patches/ and run scripts/apply.sh"
fi

# kunit.py derives its build directory from KBUILD_OUTPUT and passes ARCH
# itself: use_build_env keeps a caller's values out.
use_build_env

mkdir -p "$RESULTS_DIR"
json=$RESULTS_DIR/kunit-$arch.json
rm -f "$json"

set -- tools/testing/kunit/kunit.py run --kunitconfig="$kunitconfig"
if [ "$arch" = x86_64 ]; then
	set -- "$@" --arch=x86_64 --build_dir=.kunit-x86_64
	# Probe KVM with the guest kernel if built, else kunit's own last one.
	probe_kernel=$BUILD_DIR/arch/x86/boot/bzImage
	[ -f "$probe_kernel" ] || probe_kernel=$WORK_TREE/.kunit-x86_64/arch/x86/boot/bzImage
	if kvm_usable "$probe_kernel"; then
		info "QEMU may use KVM ($KVM_REASON)"
	elif [ -e /dev/kvm ]; then
		info "hiding /dev/kvm from kunit.py, QEMU will use TCG ($KVM_REASON)"
		set -- unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "$@"
	else
		info "QEMU will use TCG ($KVM_REASON)"
	fi
fi
set -- "$@" --json="$json"

step "KUnit ($arch): $*"
case $arch in
um) build_dir=$WORK_TREE/.kunit first_build="~4 min" ;;
x86_64) build_dir=$WORK_TREE/.kunit-x86_64 first_build="~8 min" ;;
esac
[ -d "$build_dir" ] ||
	info "first run: kunit.py configures and builds a kernel ($first_build on 2 busy cores; later runs are incremental)"
kunit_rc=0
# kunit.py keeps make's output to itself: count the objects built instead.
RL_STATUS="echo \"\$(find '$build_dir' -name '*.o' | wc -l) object files in $build_dir\"" \
	run_logged "kunit-$arch" in_dir "$WORK_TREE" "$@" || kunit_rc=$?

# kunit.py's own per-test report (from the first test line on).
log=$LOG_DIR/kunit-$arch.log
if [ "$kunit_rc" -eq 0 ]; then
	awk '/Starting KUnit Kernel/ { show = 1 } show && !/^# finished/' "$log" >&2
fi

if [ ! -s "$json" ]; then
	die "kunit.py ($arch) produced no results (exit status $kunit_rc): the build or the boot failed" \
		"see $log"
fi
# shellcheck disable=SC2046 # six numbers
set -- $(python3 -c '
import json, sys
m = json.load(open(sys.argv[1])).get("misc", {})
print(*(m.get(k, 0) for k in ("tests", "passed", "failed", "crashed", "skipped", "errors")))
' "$json")
total=$1 passed=$2 failed=$(($3 + $4 + $6)) skipped=$5

info "results: $json"
printf 'kunit-%s: %s passed, %s failed, %s skipped\n' "$arch" "$passed" "$failed" "$skipped"
if [ "$total" -eq 0 ]; then
	die "no KUnit test ran ($arch)" "check that $kunitconfig/.kunitconfig enables the suite; see $log"
fi
if [ "$failed" -ne 0 ] || [ "$kunit_rc" -ne 0 ]; then
	die "KUnit ($arch) failed: $failed failed or crashed, kunit.py exit status $kunit_rc" "see $log"
fi
