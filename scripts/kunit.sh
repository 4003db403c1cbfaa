#!/bin/sh
# kunit.sh - run the driver's KUnit suite and judge it with kunit.py's parser.
#
# Usage: scripts/kunit.sh [um|x86_64|arm64|riscv64]
#                                          (default: um, or MMAPDEMO_ARCH when
#                                          that is arm64 or riscv64)
#        scripts/kunit.sh x86_64 --debug   (--debug alone implies x86_64)
#
# um: in the build worktree ($MMAPDEMO_CACHE/work/linux-7.3, from apply.sh)
# the users' command verbatim, plus only a --json results file:
#     tools/testing/kunit/kunit.py run --kunitconfig=drivers/misc/mmapdemo
# (kunit.py's own UML kernel, build dir .kunit in the worktree).
#
# x86_64, arm64, riscv64: the suite as the module mmapdemo_kunit.ko,
# which scripts/configs/guest.config builds into every guest kernel
# (CONFIG_KUNIT=y, CONFIG_MMAPDEMO_KUNIT_TEST=m), so no kernel is built
# for KUnit alone.  In a guest booted from that kernel (scripts/vm.sh,
# --arch=A for the cross-built ones) `modprobe mmapdemo_kunit` runs the
# suite while the module loads; `rmmod` then unloads it and the driver.
# The guest's kernel log is what kunit.py run would have read from the
# console: `kunit.py parse --json` judges it, so a failed, crashed or
# missing test counts as it does for kunit.py run.
#
# --debug (or MMAPDEMO_VARIANT=debug): the same in the debug guest
# (scripts/build.sh --debug: KASAN, KFENCE, kmemleak, lockdep ..., booted
# with DEBUG_KERNEL_ARGS).  vm.sh --debug keeps its kernel log in
# results/kunit-x86_64-debug.dmesg and a kmemleak scan after the unload in
# .kmemleak.
#
# Every guest's kernel log is checked by scripts/kernel-log-check.sh: "kernel
# log clean" counts as one more test, and on the debug kernel "no mmapdemo
# leak" too (as in scripts/kselftest.sh).
#
# Results: $MMAPDEMO_CACHE/results/kunit-<arch>[-debug].json; log:
# logs/kunit-<arch>.log.  The last line is "kunit-<arch>: N passed, N
# failed, N skipped".  Exits non-zero if kunit.py or the guest fails, any
# test fails or crashes, or none ran.
#
# MMAPDEMO_KUNITCONFIG overrides the --kunitconfig path of the UML run
# (only to try this script on another suite).
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

arch=
for arg; do
	case $arg in
	um | x86_64 | arm64 | riscv64) arch=$arg ;;
	--debug) use_variant debug ;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown architecture or option: $arg" "use: $0 [um|x86_64|arm64|riscv64] [--debug]" ;;
	esac
done
debug=false
if [ "$MMAPDEMO_VARIANT" = debug ]; then
	debug=true
	arch=${arch:-x86_64}
	[ "$arch" = x86_64 ] || die "the debug kernel is x86_64 only" "run: $0 x86_64 --debug"
fi
if [ -z "$arch" ] && is_cross; then
	arch=$MMAPDEMO_ARCH
fi
arch=${arch:-um}
case $arch in
um | x86_64) ;;
*) use_arch "$arch" ;;
esac
# kunit-um, kunit-x86_64, kunit-x86_64-debug: the step's name everywhere.
run_name=kunit-$arch$VARIANT_SUFFIX
lock_cache

require_work_tree
warn_if_series_changed
use_build_env

mkdir -p "$RESULTS_DIR"
json=$RESULTS_DIR/$run_name.json
rm -f "$json"
log=$LOG_DIR/$run_name.log

# run_uml: the users' kunit.py run, verbatim; sets kunit_rc.
run_uml() {
	kunitconfig=${MMAPDEMO_KUNITCONFIG:-drivers/misc/mmapdemo}
	if [ ! -f "$WORK_TREE/$kunitconfig/.kunitconfig" ] && [ ! -f "$WORK_TREE/$kunitconfig" ]; then
		die "the tree has no $kunitconfig/.kunitconfig" \
			"it comes with the series: regenerate patches/ and run scripts/apply.sh"
	fi
	build_dir=$WORK_TREE/.kunit
	set -- tools/testing/kunit/kunit.py run --kunitconfig="$kunitconfig" --json="$json"
	step "KUnit (UML): $*"
	[ -d "$build_dir" ] ||
		info "first run: kunit.py configures and builds a UML kernel (~3 min on 2 idle cores; later runs are incremental)"
	kunit_rc=0
	# kunit.py keeps make's output to itself: count the objects built instead.
	RL_STATUS="echo \"\$(find '$build_dir' -name '*.o' | wc -l) object files in $build_dir\"" \
		run_logged "$run_name" in_dir "$WORK_TREE" "$@" || kunit_rc=$?
	if [ "$kunit_rc" -eq 0 ]; then
		awk '/Starting KUnit Kernel/ { show = 1 } show && !/^# finished/' "$log" >&2
	fi
}

# run_guest: modprobe mmapdemo_kunit in the guest, then kunit.py parse of
# the guest's kernel log; sets kunit_rc, kernel_log and kmemleak_log.
run_guest() {
	require_built_kernel
	test_module=$BUILD_DIR/drivers/misc/mmapdemo/tests/mmapdemo_kunit.ko
	[ -f "$test_module" ] ||
		die "the guest kernel in $BUILD_DIR has no $test_module" \
			"scripts/configs/guest.config asks for CONFIG_MMAPDEMO_KUNIT_TEST=m: run scripts/build.sh${MMAPDEMO_VARIANT:+ --$MMAPDEMO_VARIANT}${ARCH_SUFFIX:+ --arch=$MMAPDEMO_ARCH}"
	status=$STATE_DIR/vm/$run_name.modprobe
	mkdir -p "$STATE_DIR/vm"
	rm -f "$status"
	if [ "$debug" = true ]; then
		kernel_log=$RESULTS_DIR/$run_name.dmesg
		kmemleak_log=$RESULTS_DIR/$run_name.kmemleak
		timeout=${MMAPDEMO_VM_TIMEOUT:-1800}
	else
		kernel_log=$LOG_DIR/$run_name.dmesg
		kmemleak_log=
		timeout=${MMAPDEMO_VM_TIMEOUT:-600}
	fi
	# The suite runs inside modprobe; its KTAP goes to the kernel log,
	# after the empty one the boot printed (no built-in suite): the
	# marker says where the module's begins.
	marker="mmapdemo-kunit: modprobe mmapdemo_kunit"
	guest_cmd="echo '$marker' >/dev/kmsg
if modprobe mmapdemo_kunit; then echo loaded; else echo \"modprobe mmapdemo_kunit failed: \$?\"; fi >'$status' 2>&1
rmmod mmapdemo_kunit mmapdemo >>'$status' 2>&1 && echo unloaded >>'$status'"
	step "KUnit ($MMAPDEMO_ARCH${MMAPDEMO_VARIANT:+, $MMAPDEMO_VARIANT kernel}): modprobe mmapdemo_kunit in the guest, kunit.py parse of its kernel log"
	vm_rc=0
	"$SCRIPTS_DIR/vm.sh" --name "$run_name" --timeout "$timeout" -- "$guest_cmd" >&2 || vm_rc=$?
	case $vm_rc in
	0 | 123) ;;
	124) warn "the guest timed out (MMAPDEMO_VM_TIMEOUT=$timeout): judging the partial kernel log" ;;
	*) warn "the guest failed or died (vm.sh exit status $vm_rc): judging the partial kernel log; see $LOG_DIR/$run_name.log" ;;
	esac
	case $(cat "$status" 2>/dev/null) in
	loaded*unloaded) info "module: modprobe mmapdemo_kunit and rmmod worked" ;;
	loaded*) warn "rmmod mmapdemo_kunit mmapdemo failed after the tests: $(tail -n 1 "$status")" ;;
	'') warn "the guest did not report the module load (see $LOG_DIR/$run_name.log)" ;;
	*) warn "$(head -n 1 "$status") (see $kernel_log)" ;;
	esac
	[ -s "$kernel_log" ] || die "the guest left no kernel log in $kernel_log (vm.sh exit status $vm_rc)" "see $LOG_DIR/$run_name.log"
	suite_log=$RESULTS_DIR/$run_name.suite.log
	sed -n "/$marker\$/,\$p" "$kernel_log" >"$suite_log"
	kunit_rc=0
	run_logged "$run_name" in_dir "$WORK_TREE" \
		python3 tools/testing/kunit/kunit.py parse --json="$json" "$suite_log" || kunit_rc=$?
	grep -v '^# ' "$log" >&2 || true
	[ "$vm_rc" -eq 0 ] || [ "$vm_rc" -eq 123 ] || kunit_rc=$vm_rc
}

kernel_log=
kmemleak_log=
if [ "$arch" = um ]; then
	run_uml
else
	run_guest
fi

if [ ! -s "$json" ]; then
	die "kunit.py ($arch) produced no results (exit status $kunit_rc): the build, the boot or the module load failed" \
		"see $log"
fi
# shellcheck disable=SC2046 # six numbers
set -- $(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = d.get("misc")
if m is None:
    # 6.12 kunit.py writes no "misc" totals: count the leaf cases instead.
    m = {}
    key = {"PASS": "passed", "FAIL": "failed", "SKIP": "skipped", "TEST_CRASHED": "crashed"}
    def walk(group):
        for case in group.get("test_cases", []):
            m["tests"] = m.get("tests", 0) + 1
            k = key.get(case.get("status"), "errors")
            m[k] = m.get(k, 0) + 1
        for sub in group.get("sub_groups", []):
            walk(sub)
    walk(d)
print(*(m.get(k, 0) for k in ("tests", "passed", "failed", "crashed", "skipped", "errors")))
' "$json")
total=$1 passed=$2 failed=$(($3 + $4 + $6)) skipped=$5

# A guest's kernel log: "kernel log clean" (and on the debug kernel "no
# mmapdemo leak") count as tests.
if [ -n "$kernel_log" ]; then
	# shellcheck disable=SC2046 # two numbers
	set -- $(judge_kernel_log "$RESULTS_DIR/$run_name.reports" "$kernel_log" $kmemleak_log)
	passed=$((passed + $1)) failed=$((failed + $2))
fi

info "results: $json"
printf '%s: %s passed, %s failed, %s skipped\n' "$run_name" "$passed" "$failed" "$skipped"
if [ "$total" -eq 0 ]; then
	die "no KUnit test ran ($arch)" "see $log"
fi
if [ "$failed" -ne 0 ] || [ "$kunit_rc" -ne 0 ]; then
	die "KUnit ($run_name) failed: $failed failed or crashed, exit status $kunit_rc" "see $log${kernel_log:+ and $kernel_log}"
fi
