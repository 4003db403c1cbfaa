#!/bin/sh
# kunit.sh - run the driver's KUnit suite with the kernel's own kunit.py.
#
# Usage: scripts/kunit.sh [um|x86_64|arm64|riscv64]
#                                          (default: um, or MMAPDEMO_ARCH when
#                                          that is arm64 or riscv64)
#        scripts/kunit.sh x86_64 --debug   (--debug alone implies x86_64)
#
# In the build worktree ($MMAPDEMO_CACHE/work/linux-7.3, from apply.sh) it
# runs the users' command verbatim, plus only a --json results file:
#   um:      tools/testing/kunit/kunit.py run --kunitconfig=drivers/misc/mmapdemo
#            (build dir: .kunit in the worktree)
#   x86_64:  tools/testing/kunit/kunit.py run --kunitconfig=drivers/misc/mmapdemo
#              --arch=x86_64 --build_dir=.kunit-x86_64
#   arm64:   ... --arch=arm64 --cross_compile=aarch64-linux-gnu-
#              --kconfig_add=CONFIG_ARM64_64K_PAGES=y --build_dir=.kunit-arm64
#            (64 KiB pages, as the seed's machine)
#   riscv64: ... --arch=riscv --cross_compile=riscv64-linux-gnu-
#              --build_dir=.kunit-riscv64
# Results: $MMAPDEMO_CACHE/results/kunit-<arch>.json; log: logs/kunit-<arch>.log.
# Exits non-zero if kunit.py fails, any test fails or crashes, or none ran.
#
# --debug (or MMAPDEMO_VARIANT=debug): the same on a debug kernel, with the
# options of scripts/configs/debug.config, each line passed as
# --kconfig_add (KASAN, KFENCE, kmemleak, lockdep, DEBUG_VM, ...), the boot
# options DEBUG_KERNEL_ARGS of scripts/lib.sh (panic_on_warn=1 oops=panic
# ...) plus panic=-1 (QEMU then exits at once) as --kernel_args, and
# --build_dir=.kunit-x86_64-debug --timeout=1800.  The kernel log kunit.py
# keeps (<build dir>/test.log) is copied to results/kunit-x86_64-debug.dmesg
# and checked by scripts/kernel-log-check.sh (findings in .reports): "kernel
# log clean" counts as one more test.  Results: kunit-x86_64-debug.json,
# log: logs/kunit-x86_64-debug.log; the line is "kunit-x86_64-debug: ...".
# kmemleak is not scanned here: a KUnit kernel has no user space to ask it.
#
# kunit.py starts QEMU with "-accel kvm -accel tcg", which hangs on hosts
# whose KVM guests hang.  When the KVM probe (see lib.sh) says so, /dev/kvm
# is hidden from kunit.py in a private mount namespace and QEMU uses TCG.
# The arm64 and riscv64 kernels run under TCG whatever the host: /dev/kvm
# is hidden from them too, so QEMU never tries it.
#
# MMAPDEMO_KUNITCONFIG overrides the --kunitconfig path (only to try this
# script on another suite, e.g. lib/kunit, before the driver exists).
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
# kunit-um, kunit-x86_64, kunit-x86_64-debug: the step's name everywhere.
run_name=kunit-$arch$VARIANT_SUFFIX
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
json=$RESULTS_DIR/$run_name.json
rm -f "$json"

set -- tools/testing/kunit/kunit.py run --kunitconfig="$kunitconfig"
# Why QEMU must not be offered /dev/kvm, when it must not (see the top).
hide_kvm=
case $arch in
arm64)
	set -- "$@" --arch=arm64 --cross_compile=aarch64-linux-gnu- \
		--kconfig_add=CONFIG_ARM64_64K_PAGES=y --build_dir=".$run_name"
	hide_kvm="the $arch kernel runs under TCG"
	;;
riscv64)
	set -- "$@" --arch=riscv --cross_compile=riscv64-linux-gnu- --build_dir=".$run_name"
	hide_kvm="the $arch kernel runs under TCG"
	;;
x86_64)
	set -- "$@" --arch=x86_64 --build_dir=".$run_name"
	if [ "$debug" = true ]; then
		# The debug fragment's lines, "# CONFIG_X is not set" as CONFIG_X=n.
		for opt in $(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' \
			-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' \
			"$SCRIPTS_DIR/configs/debug.config"); do
			set -- "$@" --kconfig_add="$opt"
		done
		for opt in $DEBUG_KERNEL_ARGS panic=-1; do
			set -- "$@" --kernel_args="$opt"
		done
		# A KASAN kernel under TCG boots and runs far slower.
		set -- "$@" --timeout=1800
	fi
	# Probe KVM with the guest kernel if built, else kunit's own last one.
	probe_kernel=$BUILD_DIR/arch/x86/boot/bzImage
	[ -f "$probe_kernel" ] || probe_kernel=$WORK_TREE/.$run_name/arch/x86/boot/bzImage
	if kvm_usable "$probe_kernel"; then
		info "QEMU may use KVM ($KVM_REASON)"
	else
		hide_kvm="QEMU will use TCG: $KVM_REASON"
	fi
	;;
esac
if [ -n "$hide_kvm" ] && [ -e /dev/kvm ]; then
	info "hiding /dev/kvm from kunit.py ($hide_kvm)"
	set -- unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "$@"
elif [ -n "$hide_kvm" ]; then
	info "$hide_kvm"
fi
set -- "$@" --json="$json"

step "KUnit ($arch${MMAPDEMO_VARIANT:+, $MMAPDEMO_VARIANT kernel}): $*"
case $run_name in
kunit-um) build_dir=$WORK_TREE/.kunit first_build="~4 min" ;;
kunit-x86_64) build_dir=$WORK_TREE/.kunit-x86_64 first_build="~8 min" ;;
kunit-arm64 | kunit-riscv64) build_dir=$WORK_TREE/.$run_name first_build="~8 min" ;;
*) build_dir=$WORK_TREE/.$run_name first_build="~20 min" ;;
esac
[ -d "$build_dir" ] ||
	info "first run: kunit.py configures and builds a kernel ($first_build on 2 busy cores; later runs are incremental)"
kunit_rc=0
# kunit.py writes test.log when it boots the kernel: none means no boot.
rm -f "$build_dir/test.log"
# kunit.py keeps make's output to itself: count the objects built instead.
RL_STATUS="echo \"\$(find '$build_dir' -name '*.o' | wc -l) object files in $build_dir\"" \
	run_logged "$run_name" in_dir "$WORK_TREE" "$@" || kunit_rc=$?

# The debug kernel's log, kept (even when kunit.py failed) and checked.
log_rc=0
reports=
if [ "$debug" = true ]; then
	kernel_log=$RESULTS_DIR/$run_name.dmesg
	reports=$RESULTS_DIR/$run_name.reports
	if [ -s "$build_dir/test.log" ]; then
		cp "$build_dir/test.log" "$kernel_log"
		"$SCRIPTS_DIR/kernel-log-check.sh" "$kernel_log" >"$reports" || log_rc=$?
	else
		echo "kernel-log-check: 1 report(s), 0 mmapdemo leak(s), 0 warning(s) (no kernel log in $build_dir/test.log)" >"$reports"
		log_rc=1
	fi
	grep -v '^kernel-log-check:' "$reports" | sed "s/^/[$PROG]     /" >&2 || true
fi

# kunit.py's own per-test report (from the first test line on).
log=$LOG_DIR/$run_name.log
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

# The debug kernel's "kernel log clean" counts as one more test.
if [ "$debug" = true ]; then
	if [ "$log_rc" -eq 0 ]; then
		passed=$((passed + 1))
		info "ok: kernel log clean ($(tail -n 1 "$reports")): $kernel_log"
	else
		failed=$((failed + 1))
		warn "not ok: $(tail -n 1 "$reports"): see $reports and $kernel_log"
	fi
fi

info "results: $json"
printf '%s: %s passed, %s failed, %s skipped\n' "$run_name" "$passed" "$failed" "$skipped"
if [ "$total" -eq 0 ]; then
	die "no KUnit test ran ($arch)" "check that $kunitconfig/.kunitconfig enables the suite; see $log"
fi
if [ "$failed" -ne 0 ] || [ "$kunit_rc" -ne 0 ]; then
	die "KUnit ($run_name) failed: $failed failed or crashed, kunit.py exit status $kunit_rc" "see $log${reports:+ and $reports}"
fi
