#!/bin/sh
# kselftest.sh - run the mmapdemo kselftests in a guest and judge the KTAP.
#
# Usage: scripts/kselftest.sh [--debug | --arch=A] [--fast]
#        scripts/kselftest.sh [--debug | --arch=A] --judge FILE   only judge a saved kselftest.out
#
# 1. On the host, in the build folder: make headers kselftest-all
#    TARGETS=mmapdemo (scripts/build.sh kselftest); under TCG the guest
#    would spend ~9 minutes in `make headers` over 9p otherwise.
# 2. In a guest (scripts/vm.sh): modprobe mmapdemo (when it is a module),
#    then exactly
#        cd <build folder> && make kselftest TARGETS=mmapdemo
#    or, with --fast, the installed runner (make kselftest-install on the
#    host first):  <build folder>/kselftest/kselftest_install/run_kselftest.sh -c mmapdemo
#    then rmmod mmapdemo (a failed unload is reported as a warning).
#    The guest writes the output to $MMAPDEMO_CACHE/results/kselftest.out
#    itself, so vng's and the kernel's console messages never mix into it.
# 3. The KTAP lines (make's own lines dropped, the "TAP version 13" header
#    and plan added when `make kselftest` printed none) go to
#    $MMAPDEMO_CACHE/results/kselftest.ktap and are judged from their lines,
#    not from make's exit status (the runner's status ignores failures):
#      "# ok N ..." passed, "# ok N ... # SKIP" skipped, "# not ok N" failed
#      (a test program's own lines carry the runner's "# " prefix), and
#      "ok|not ok N selftests: mmapdemo: <program>" is each program's result
#      (a program "not ok" without a failed test, e.g. a crash or timeout,
#      counts as one failure; a program skipped as a whole as one skip).
#    One check joins them: "kernel log clean", scripts/kernel-log-check.sh
#    on the guest's dmesg ($MMAPDEMO_CACHE/logs/kselftest-vm.dmesg, its
#    findings in kselftest-vm.reports): no WARN, BUG or other report.
#    It prints "kselftest: N passed, N failed, N skipped" and fails on any
#    failure, any program "not ok", or when no test ran.
#
# --debug (or MMAPDEMO_VARIANT=debug): the same on the debug kernel
# (scripts/build.sh --debug, booted by scripts/vm.sh --debug with
# panic_on_warn=1 ...).  After the tests, while mmapdemo is still loaded,
# the guest runs a kmemleak scan, and another after rmmod.  Files:
# results/kselftest-debug.{out,ktap}, and the guest's kernel log
# results/kselftest-debug.dmesg, its kmemleak scans .kmemleak, and what
# scripts/kernel-log-check.sh found in them .reports.  Two checks join the
# KTAP's tests: "kernel log clean" (no WARN, BUG, KASAN, KFENCE, UBSAN or
# lockdep report) and "no mmapdemo leak" (no kmemleak object that mentions
# mmapdemo; other leaks are warnings).  The line is then
# "kselftest-debug: N passed, N failed, N skipped".
#
# --arch=arm64|riscv64 (or MMAPDEMO_ARCH): the same on the cross-built
# guest (scripts/build.sh --arch=A, booted by scripts/vm.sh --arch=A).  It
# always runs the installed runner, as with --fast: its busybox user space
# has no compiler for `make kselftest`.  The selftests are cross-built on
# the host, with GoogleTest for the target.  Files: results-<arch>/ and
# logs-<arch>/, the same names; the line is "kselftest-<arch>: ...".
#
# Environment: MMAPDEMO_VM_TIMEOUT (default 1200 s, 3600 s with --debug) bounds the guest run;
# MMAPDEMO_KSELFTEST_TARGET (default mmapdemo) only to try this script on
# another selftest directory.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

fast=false
judge_only=
while [ $# -gt 0 ]; do
	case $1 in
	--fast) fast=true ;;
	--debug) use_variant debug ;;
	--arch=*) use_arch "${1#--arch=}" ;;
	--judge)
		judge_only=${2:?--judge needs the kselftest.out of an earlier run}
		[ -r "$judge_only" ] || die "cannot read $judge_only" "pass the kselftest.out of an earlier run"
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown option: $1" "run $0 --help" ;;
	esac
	shift
done
debug=false
[ "$MMAPDEMO_VARIANT" = debug ] && debug=true
if is_cross && [ "$fast" = false ]; then
	info "the $MMAPDEMO_ARCH guest has no compiler for \`make kselftest\`: running the installed runner (--fast)"
	fast=true
fi
target=${MMAPDEMO_KSELFTEST_TARGET:-mmapdemo}
export MMAPDEMO_KSELFTEST_TARGET="$target"
if [ "$debug" = true ]; then
	vm_timeout=${MMAPDEMO_VM_TIMEOUT:-3600}
	vm_name=kselftest-debug
else
	vm_timeout=${MMAPDEMO_VM_TIMEOUT:-1200}
	vm_name=kselftest-vm
fi
lock_cache

mkdir -p "$RESULTS_DIR" "$STATE_DIR/vm"
raw=$RESULTS_DIR/kselftest$VARIANT_SUFFIX.out
ktap=$RESULTS_DIR/kselftest$VARIANT_SUFFIX.ktap
modprobe_status=$STATE_DIR/vm/kselftest$VARIANT_SUFFIX.modprobe
# The guest's kernel log: kept in results/ by vm.sh --debug, in logs/ otherwise.
reports=
if [ "$debug" = true ]; then
	kernel_log=$RESULTS_DIR/$vm_name.dmesg
	kmemleak_log=$RESULTS_DIR/$vm_name.kmemleak
	reports=$RESULTS_DIR/$vm_name.reports
else
	kernel_log=$LOG_DIR/$vm_name.dmesg
	reports=$LOG_DIR/$vm_name.reports
fi

# build_on_host: the selftests (and with --fast their installed runner).
build_on_host() {
	require_work_tree
	require_built_kernel
	if [ "$fast" = true ]; then
		"$SCRIPTS_DIR/build.sh" kselftest --install
	else
		"$SCRIPTS_DIR/build.sh" kselftest
	fi
}

# run_in_guest: boot the guest kernel and run the selftests; the guest
# writes $raw and the module load/unload report $modprobe_status.
run_in_guest() {
	rm -f "$raw" "$ktap" "$modprobe_status"
	load_module=false
	grep -qx 'CONFIG_MMAPDEMO=m' "$BUILD_DIR/.config" && load_module=true
	guest_cmd=
	if [ "$load_module" = true ]; then
		# The selftest needs the driver loaded; the result is reported
		# apart so that a failed load is not mistaken for a test failure.
		guest_cmd="if modprobe mmapdemo; then echo loaded; else echo 'modprobe mmapdemo failed'; fi >'$modprobe_status' 2>&1
"
	fi
	if [ "$fast" = true ]; then
		runner=$(kselftest_install_dir)/run_kselftest.sh
		guest_cmd="$guest_cmd( '$runner' -c $target ) 2>&1 | tee '$raw'"
	else
		guest_cmd="$guest_cmd( cd $BUILD_DIR && make kselftest TARGETS=$target ) 2>&1 | tee '$raw'"
	fi
	if [ "$debug" = true ]; then
		# Leaks of the tests, found while the module's symbols still
		# resolve; vm.sh scans once more after the unload.
		guest_cmd="$guest_cmd
/bin/sh \"\$MMAPDEMO_KMEMLEAK_SCAN\" 'after the tests, mmapdemo loaded'"
	fi
	if [ "$load_module" = true ]; then
		# Unloading after the tests catches leaked references to the module.
		guest_cmd="$guest_cmd
rmmod mmapdemo >>'$modprobe_status' 2>&1 && echo unloaded >>'$modprobe_status'"
	fi

	vm_rc=0
	# The guest's console goes to stderr with the other progress: stdout
	# carries only the closing "kselftest: N passed, ..." line.
	"$SCRIPTS_DIR/vm.sh" --name "$vm_name" --timeout "$vm_timeout" -- "$guest_cmd" >&2 || vm_rc=$?
	case $vm_rc in
	123) warn "the debug kernel reported problems during the tests: see $reports" ;;
	124) warn "the guest timed out: judging the partial output (MMAPDEMO_VM_TIMEOUT=$vm_timeout)" ;;
	125) warn "the guest died during the tests (kernel oops/panic?): judging the partial output; kernel messages are in $LOG_DIR/$vm_name.log" ;;
	esac
	if [ -f "$modprobe_status" ]; then
		case $(cat "$modprobe_status") in
		loaded*unloaded) info "module: modprobe mmapdemo and rmmod mmapdemo worked" ;;
		loaded*) warn "rmmod mmapdemo failed after the tests: $(tail -n 1 "$modprobe_status")" ;;
		*) warn "modprobe mmapdemo failed in the guest: $(cat "$modprobe_status") (see $kernel_log)" ;;
		esac
	fi
	[ -s "$raw" ] ||
		die "the guest wrote no selftest output (vm.sh exit status $vm_rc)" "see $LOG_DIR/$vm_name.log${reports:+ and $reports}"
}

# extract_ktap: keep the KTAP lines only (make's and the compilers' lines
# go).  `make kselftest` prints no top-level header (only run_kselftest.sh
# does), so add "TAP version 13" and the plan when missing: the .ktap file
# is then a complete KTAP document for other tools.
extract_ktap() {
	awk '
		/^(TAP version [0-9]+|[0-9]+\.\.[0-9]+|ok |not ok |# |Bail out!)/ || /^#$/ { line[++n] = $0 }
		/^(not )?ok [0-9]+ / { results++ }
		END {
			if (n == 0 || line[1] !~ /^TAP version/) {
				print "TAP version 13"
				print "1.." results + 0
			}
			for (i = 1; i <= n; i++) print line[i]
		}' "$raw" >"$ktap"
}

# count_results: print "passed failed skipped programs bad_programs".
count_results() {
	awk -v target="$target" '
		# A test program'"'"'s own results, prefixed "# " by the runner.
		/^# ok [0-9]+/ {
			if ($0 ~ /# [Ss][Kk][Ii][Pp]/) { skipped++; prog_skipped++ }
			else { passed++; prog_passed++ }
			next
		}
		/^# not ok [0-9]+/ { failed++; prog_failed++; next }
		# The runner'"'"'s result for each test program.
		$0 ~ "^(not )?ok [0-9]+ selftests: " target ": " {
			programs++
			ran = prog_passed + prog_failed + prog_skipped
			if ($1 == "not") {
				bad_programs++
				# Crashed, timed out or failed without a failing
				# test: count the program itself as one failure.
				if (prog_failed == 0) failed++
			} else if (ran == 0 && $0 ~ /# [Ss][Kk][Ii][Pp]/) {
				skipped++   # the whole program skipped ("1..0 # SKIP")
			}
			prog_passed = prog_failed = prog_skipped = 0
		}
		END { printf "%d %d %d %d %d\n", passed, failed, skipped, programs, bad_programs }
	' "$ktap"
}

if [ -n "$judge_only" ]; then
	# Judge a saved output again, without building or booting anything.
	[ "$(readlink -f -- "$judge_only")" = "$(readlink -f -- "$raw")" ] || cp "$judge_only" "$raw"
else
	build_on_host
	run_in_guest
fi
extract_ktap
# shellcheck disable=SC2046 # five numbers
set -- $(count_results)
passed=$1 failed=$2 skipped=$3 programs=$4 bad_programs=$5

info "KTAP: $ktap (raw output: $raw)"
grep -E "^(not )?ok [0-9]+ selftests: " "$ktap" | sed "s/^/[$PROG]     /" >&2 || true

# The kernel log's checks (kernel-log-check.sh, as vm.sh ran it): no
# report in it, whichever kernel ran the tests (a bad input must get its
# errno and no kernel warning), and on the debug kernel no kmemleak leak
# that mentions mmapdemo. A judged copy of a normal run's output has no
# log of its own to check.
ktap_ran=$((passed + failed))

if [ "$debug" = true ] || [ -z "$judge_only" ]; then
	[ -f "$kernel_log" ] ||
		die "no kernel log of the guest at $kernel_log" "rerun $0${judge_only:+ without --judge}"
	# shellcheck disable=SC2046 # two numbers
	set -- $(judge_kernel_log "$reports" "$kernel_log" ${kmemleak_log:-})
	passed=$((passed + $1)) failed=$((failed + $2))
fi
printf 'kselftest%s: %s passed, %s failed, %s skipped\n' "$VARIANT_SUFFIX$ARCH_SUFFIX" "$passed" "$failed" "$skipped"

if [ "$programs" -eq 0 ]; then
	die "no test program of selftests/$target ran" "see $raw and $LOG_DIR/$vm_name.log"
fi
if [ "$failed" -ne 0 ] || [ "$bad_programs" -ne 0 ]; then
	die "kselftest failed: $failed failure(s), $bad_programs of $programs test program(s) not ok" \
		"see $ktap (and $kernel_log for the kernel log${reports:+, $reports for its reports})"
fi
if [ "$ktap_ran" -eq 0 ]; then
	die "no test ran: every result was a skip or the program printed no KTAP" \
		"see $ktap; a skip usually means the /dev/mmapdemo-* devices were missing (driver not loaded?)"
fi
