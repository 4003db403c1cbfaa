#!/bin/sh
# test.sh - the tests of mmapdemo, from a fresh machine; what .ci/run runs.
#
# Usage: scripts/test.sh [--all] [--rerun] [--fast] [--no-x86-kunit]
#                        [--no-debug] [--no-6.12] [--no-cross]
#        scripts/test.sh --kernel=6.12 | --arch=arm64|riscv64  [--rerun] ...
#
# Two tiers, each ending in "N passed, N failed, N skipped":
#   scripts/test.sh        the default, what .ci/run runs: everything on
#                          the x86_64 7.3 kernel, normal and debug, booted; the
#                          arm64, riscv64 and 6.12 cells checked without
#                          booting (scripts/build-check.sh: the series
#                          applies, the driver and its KUnit tests build
#                          with W=1 for that cell, the selftests build)
#   scripts/test.sh --all  the whole matrix: the same, then the arm64 (64 KiB
#                          pages), riscv64 and 6.12 cells built, booted and
#                          tested in full, instead of their build checks
#
#   --fast          kselftest through the installed run_kselftest.sh instead
#                   of the users' `make kselftest TARGETS=mmapdemo`
#   --no-x86-kunit  KUnit on UML only
#   --no-debug      skip the debug kernel's steps (build-debug and after)
#   --rerun         run every test step, even one whose result is cached
#   --no-6.12       leave out the 6.12 cell (its build check too)
#   --no-cross      leave out the arm64 and riscv64 cells (their checks too)
#   --kernel=6.12   only the 6.12 LTS series (patches-6.12/): the steps up
#                   to kselftest, in its own cache folders
#                   (MMAPDEMO_KERNEL=6.12 does it too)
#   --arch=A        only the arm64 (64 KiB pages) or riscv64 cell: the
#                   7.3 series applied, the guest kernel cross-built,
#                   KUnit and the kselftest on it under QEMU (TCG), in its
#                   own folders (MMAPDEMO_ARCH=A does it too)
#
# Result cache: like `go test`, a test step that passed is not run again
# while none of its inputs changed; its results are then reported again,
# marked "cached", with the time of the run that produced them (the files
# in $MMAPDEMO_CACHE/results are that run's).  scripts/result-key.py says
# what each step's inputs are: only the repository files it reads (so
# README.md or the benchmark's report change nothing but their own steps),
# the kernel tree it tests (the applied series, Documentation aside), the
# series and base commit, KDIR's commit and dirty state, the content of
# MMAPDEMO_PATCHES and MMAPDEMO_EXTRA_CONFIG, and the versions of the tools
# that give its verdict.  A failed step is never cached.  A kernel is
# built (incrementally) only before the first step that boots it and is
# not reported from the cache, so a run with nothing changed builds
# nothing; git-am, when cached, only moves the build tree to the series
# (scripts/apply.sh --build-tree).  For the edit-build-test loop use
# scripts/dev.sh.
#
# Steps, in order; a test step that fails does not stop the others, a
# failed set-up step (install, fetch, build) stops the run.  The steps
# that boot no guest (host-tests, patches-sync, lint, the build checks)
# run in a background queue, one after another, beside the builds and
# the guests (under TCG a guest keeps about one core busy, a build two):
#   deps          install what is missing (apt, virtme-ng)
#   kernel-tree   Debian's linux-source-7.3 as a git tree in the cache (or
#                 KDIR); the 6.12 one is made in the background beside the
#                 steps up to patches-sync, its first reader
#   host-tests    GoogleTest tests of the user-space code, on the host
#   kernel-log-check scripts/kernel-log-check.sh --self-test: the checker of
#                 the guests' logs finds the KASAN, KFENCE, UBSAN,
#                 WARNING, lockdep, BUG and kmemleak reports of the saved
#                 logs in tests/host/kernel-logs, and nothing in clean ones
#   semantics-sync the tests' header is what scripts/gen-semantics.py makes
#                 of the documentation's semantics table
#   figures-sync  the documentation's figures are what scripts/gen-figures.py
#                 draws from its semantics table
#   patches-sync  patches/ is what scripts/gen-patches.sh makes of the sources
#   git-am        the series applies with plain git am to a fresh tree
#   lint          scripts/lint.sh: checkpatch, kernel-doc, W=1 and sparse
#                 builds, coccicheck, Kconfig/SPDX/MODULE_DESCRIPTION,
#                 each patch building on its own, htmldocs, the out-of-tree
#                 module; one test, failed by any finding
#   build         the x86_64 guest kernel with the series (KUnit suite as
#                 a module)
#   kunit-um      the users' kunit.py run --kunitconfig=drivers/misc/mmapdemo (UML)
#   kunit-x86_64  the suite in the booted guest (modprobe mmapdemo_kunit),
#                 judged by kunit.py parse, and the guest's kernel log
#   kselftest     make kselftest TARGETS=mmapdemo in a booted guest
#   build-debug   the debug kernel (scripts/build.sh --debug: KASAN, KFENCE,
#                 kmemleak, lockdep, DEBUG_VM, PAGE_TABLE_CHECK, UBSAN ...)
#   kselftest-debug the kselftest on it (panic_on_warn=1), through the
#                 installed run_kselftest.sh, plus two checks:
#                 no report in its kernel log, no kmemleak leak of mmapdemo
#   kunit-x86_64-debug the KUnit suite in the debug guest, with the same
#                 two checks
#   build-check-arm64, build-check-riscv64, build-check-6.12 (default tier)
#                 scripts/build-check.sh for each cell not booted
#   arm64         (--all) this script again with --arch=arm64: deps,
#                 kernel-tree, git-am, then build (cross), kunit-arm64 (the
#                 suite in the 64 KiB-page guest) and kselftest (the
#                 installed runner in the arm64 guest)
#   riscv64       (--all) the same with --arch=riscv64
#   kernel-6.12   (--all) this script again with --kernel=6.12 --no-debug:
#                 the 6.12 LTS series through the same steps up to kselftest
# Each step's results are counted from its own report (GoogleTest's summary,
# kunit.py's JSON, the kselftest KTAP), never from an exit status alone.
# The last line is "N passed, N failed, N skipped"; the exit status is 0
# only when nothing failed and every step ran.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

kselftest_opt=
use_result_cache=true
other_kernels=true
cross_cells=true
# lib.sh exports MMAPDEMO_KERNEL and MMAPDEMO_ARCH for every run: only
# another kernel than the primary one (7.3), or another architecture than
# x86_64, makes this run a single cell.
if [ -n "$KERNEL_SUFFIX" ] || is_cross; then
	other_kernels=false cross_cells=false
fi
x86_kunit=true
debug=true
all_cells=false
for arg in "$@"; do
	case $arg in
	--all) all_cells=true ;;
	--fast) kselftest_opt=--fast ;;
	--no-x86-kunit) x86_kunit=false ;;
	--no-debug) debug=false ;;
	--rerun) use_result_cache=false ;;
	--kernel=*)
		use_kernel "${arg#--kernel=}"
		other_kernels=false cross_cells=false
		;;
	--arch=*)
		use_arch "${arg#--arch=}"
		other_kernels=false cross_cells=false
		;;
	--no-6.12) other_kernels=false ;;
	--no-cross) cross_cells=false ;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown option: $arg" "run $0 --help" ;;
	esac
done

# Both variants run, each step naming its own: not the caller's MMAPDEMO_VARIANT.
use_variant normal
mkdir -p "$STATE_DIR" "$RESULTS_DIR"
# The whole run holds the cache lock, so the scripts it starts (in the
# foreground or beside it) run under it, and another run waits for it.
lock_cache
total_passed=0 total_failed=0 total_skipped=0
report=
run_start=$(now)

# record LABEL SECONDS PASSED FAILED SKIPPED STATUS
record() {
	total_passed=$((total_passed + $3))
	total_failed=$((total_failed + $4))
	total_skipped=$((total_skipped + $5))
	report="$report$(printf '%-18s %6s  %5s %5s %5s  %s' "$1" "$(fmt_secs "$2")" "$3" "$4" "$5" "$6")
"
}

finish() {
	# A step still running beside the others is waited for and counted.
	counted_collect
	printf '\n[%s] step                time  passed failed skipped\n' "$PROG" >&2
	printf '%s' "$report" | sed "s/^/[$PROG] /" >&2
	info "total time $(fmt_secs $(($(now) - run_start))); results in $RESULTS_DIR"
	printf '%s passed, %s failed, %s skipped\n' "$total_passed" "$total_failed" "$total_skipped"
	[ "$total_failed" -eq 0 ] && [ "${1:-ok}" = ok ]
	exit $?
}

# setup LABEL COMMAND...: a step everything after it needs.
setup() {
	_label=$1
	shift
	_t0=$(now)
	if "$@"; then
		record "$_label" $(($(now) - _t0)) 0 0 0 ok
	else
		record "$_label" $(($(now) - _t0)) 0 1 0 FAILED
		warn "set-up step '$_label' failed: the steps after it cannot run"
		finish failed
	fi
}

# step_key LABEL ARGS...: the result cache's key of a test step
# (scripts/result-key.py); empty when it is not to be cached. KEY_TREE,
# KEY_BASE and KEY_SERIES name the kernel tree, base commit and series the
# step tests, when not this cell's own.
step_key() {
	_sk_label=$1
	shift
	# The command's words, with this checkout's path left out: a clone
	# elsewhere runs the same step.
	for _sk_word; do
		shift
		set -- "$@" "${_sk_word#"$SCRIPTS_DIR"/}"
	done
	python3 "$SCRIPTS_DIR/result-key.py" "$_sk_label" \
		--tree "${KEY_TREE:-$WORK_TREE}" --base "${KEY_BASE:-$BASE_COMMIT}" \
		--series "${KEY_SERIES:-$PATCHES_DIR}" -- "$@" ||
		warn "scripts/result-key.py failed for $_sk_label: the step runs and its result is not cached"
}

# A test step: COUNTER reads its output (a file) and exit status and
# prints "passed failed skipped". A step that passed with the same inputs
# before is reported from the cache instead.
#
# step_begin LABEL COMMAND...: the cache lookup; returns 1 when the step
# was reported from the cache, else sets _key, _t0 and _out for step_end.
step_begin() {
	_label=$1
	shift
	_t0=$(now)
	_out=$STATE_DIR/test-$_label.out
	_cached=$RESULT_CACHE_DIR/$_label
	# git-am is also the set-up of the steps after it (it moves the build
	# tree to the series, from wherever scripts/dev.sh left it), and a
	# cell's steps are cached by that cell's run: result-key.py gives them
	# no key, so they always run.
	_key=$(step_key "$_label" "$@")
	if cache_has "$_label" "$_key"; then
		# shellcheck disable=SC2046 # three numbers and a date
		set -- $(cat "$_cached.counts")
		info "$_label: cached, passed on $4 with the same inputs ($1 passed, $2 failed, $3 skipped); --rerun runs it again"
		record "$_label" $(($(now) - _t0)) "$1" "$2" "$3" cached
		_rc=0 step_cached=true
		return 1
	fi
	rm -f "$_cached.key" "$_cached.counts"
	step_cached=false
	return 0
}

# cache_has LABEL KEY: a pass of the step under that key is in the cache.
cache_has() {
	[ -n "$2" ] && [ "$use_result_cache" = true ] &&
		[ -f "$RESULT_CACHE_DIR/$1.key" ] && [ -f "$RESULT_CACHE_DIR/$1.counts" ] &&
		[ "$(cat "$RESULT_CACHE_DIR/$1.key")" = "$2" ]
}

# is_cached [--needs=SETUP] LABEL COUNTER COMMAND...: counted's arguments;
# true when that step would be reported from the cache.
is_cached() {
	case $1 in --needs=*) shift ;; esac
	_ic_label=$1
	shift 2
	cache_has "$_ic_label" "$(step_key "$_ic_label" "$@")"
}

# need_setup LABEL: the set-up step that builds what a guest step boots,
# run before the first such step that is not reported from the cache, and
# once: with every guest step cached, no kernel is built.
setups_done=
need_setup() {
	case " $setups_done " in *" $1 "*) return 0 ;; esac
	setups_done="$setups_done $1"
	case $1 in
	build) setup build "$SCRIPTS_DIR/build.sh" ;;
	build-debug) setup build-debug "$SCRIPTS_DIR/build.sh" --debug ;;
	*) die "unknown set-up step: $1" "this is a bug in $0" ;;
	esac
}

# step_end LABEL COUNTER RC KEY T0 OUT [T1]: count, record and cache the
# result; T1 is when the step ended (default: now).
step_end() {
	_se_label=$1 _se_counter=$2 _rc=$3 _se_key=$4 _se_t0=$5 _se_out=$6 _se_t1=${7:-$(now)}
	_se_cached=$RESULT_CACHE_DIR/$_se_label
	# shellcheck disable=SC2046 # three numbers
	set -- $("$_se_counter" "$_se_out" "$_rc")
	if [ "$_rc" -ne 0 ] && [ "$2" -eq 0 ]; then
		# It failed before it could count anything: that is one failure.
		set -- "$1" 1 "$3"
	fi
	record "$_se_label" $((_se_t1 - _se_t0)) "$1" "$2" "$3" "$([ "$_rc" -eq 0 ] && echo ok || echo FAILED)"
	if [ "$_rc" -eq 0 ] && [ "$2" -eq 0 ] && [ -n "$_se_key" ]; then
		mkdir -p "$RESULT_CACHE_DIR"
		printf '%s %s %s %s\n' "$1" "$2" "$3" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$_se_cached.counts"
		printf '%s\n' "$_se_key" >"$_se_cached.key"
	fi
}

# counted [--needs=SETUP] LABEL COUNTER COMMAND...: a test step, run now
# (after the set-up step SETUP, see need_setup).
counted() {
	_c_needs=
	case $1 in --needs=*)
		_c_needs=${1#--needs=}
		shift
		;;
	esac
	_c_label=$1 _c_counter=$2
	shift 2
	step_begin "$_c_label" "$@" || return 0
	[ -z "$_c_needs" ] || need_setup "$_c_needs"
	_rc=0
	"$@" >"$_out" || _rc=$?
	cat "$_out"
	if [ -n "$_key" ] && builds_own_tools "$_c_label"; then
		_key=$(step_key "$_c_label" "$@")
	fi
	step_end "$_c_label" "$_c_counter" "$_rc" "$_key" "$_t0" "$_out"
}

# builds_own_tools LABEL: the step provides a tool its key names (lint
# builds sparse into the cache when it is missing), so its key is taken
# again after it ran and its result stored under the tool it used; the
# key taken before, with the tool "absent", would never match again.
builds_own_tools() { [ "$1" = lint ]; }

# counted_in_background LABEL COUNTER COMMAND...: the same, started beside
# the steps that follow (its messages go to a file).  Background steps run
# one after another, in the order they were started, each once the one
# before it ended; counted_collect waits for all of them and reports them.
bg_labels=
bg_after=
bg_after_pid=
counted_in_background() {
	_b_label=$1 _b_counter=$2
	shift 2
	step_begin "$_b_label" "$@" || return 0
	# What step_end needs later, in files: several may be pending.
	_b_state=$STATE_DIR/bg/$_b_label
	mkdir -p "$STATE_DIR/bg"
	rm -f "$_b_state.rc" "$_b_state.t0" "$_b_state.t1" "$_b_state.key"
	printf '%s\n%s\n' "$_b_counter" "$_key" >"$_b_state.step"
	if [ -n "$bg_after" ]; then
		info "$_b_label: queued in the background, after$bg_labels; its messages: $_b_state.err"
	else
		info "$_b_label: running in the background beside the next steps; its messages: $_b_state.err"
	fi
	(
		if [ -n "$bg_after" ]; then
			# Until the step before it has ended, or its shell has gone
			# without saying so (killed): then it is a failure to report.
			while [ ! -s "$bg_after" ] && kill -0 "$bg_after_pid" 2>/dev/null; do
				sleep 2
			done
		fi
		now >"$_b_state.t0"
		_bg_rc=0
		"$@" >"$STATE_DIR/test-$_b_label.out" 2>"$_b_state.err" || _bg_rc=$?
		now >"$_b_state.t1"
		if [ -n "$_key" ] && builds_own_tools "$_b_label"; then
			step_key "$_b_label" "$@" >"$_b_state.key" 2>>"$_b_state.err" || :
		fi
		echo "$_bg_rc" >"$_b_state.rc"
	) &
	bg_labels="$bg_labels $_b_label"
	bg_after=$_b_state.rc bg_after_pid=$!
}

# counted_collect: wait for the background steps, then report each.
counted_collect() {
	[ -n "$bg_labels" ] || return 0
	if [ ! -s "$bg_after" ]; then
		info "waiting for the background steps:$bg_labels (messages in $STATE_DIR/bg/)"
	fi
	wait
	for _cc_label in $bg_labels; do
		_cc_state=$STATE_DIR/bg/$_cc_label
		step "$_cc_label (ran in the background)"
		cat "$_cc_state.err" >&2
		cat "$STATE_DIR/test-$_cc_label.out"
		{
			read -r _cc_counter
			read -r _cc_key || _cc_key=
		} <"$_cc_state.step"
		[ ! -f "$_cc_state.key" ] || _cc_key=$(cat "$_cc_state.key")
		step_end "$_cc_label" "$_cc_counter" "$(cat "$_cc_state.rc" 2>/dev/null || echo 1)" \
			"$_cc_key" "$(cat "$_cc_state.t0" 2>/dev/null || now)" "$STATE_DIR/test-$_cc_label.out" \
			"$(cat "$_cc_state.t1" 2>/dev/null || now)"
	done
	bg_labels="" bg_after=""
}

# A step that is one test: its exit status is the result.
count_status() { [ "$2" -eq 0 ] && echo "1 0 0" || echo "0 1 0"; }

# GoogleTest's own summary lines, added up over every test program.
count_gtest() {
	awk '
		/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
		/^\[  FAILED  \] [0-9]+ test/ { f += $4 }
		/^\[  SKIPPED \] [0-9]+ test/ { s += $4 }
		END { printf "%d %d %d\n", p, f, s }' "$1"
}

# The "<step>: N passed, N failed, N skipped" line kunit.sh and
# kselftest.sh print after judging their own results, or the closing
# "N passed, N failed, N skipped" line of another test.sh (a cell).
count_summary_line() {
	sed -n 's/^\([A-Za-z0-9_.-]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\2 \3 \4/p' "$1" |
		tail -n 1 | grep . || echo "0 0 0"
}

host_tests() {
	make -s -j"$(nproc)" -C "$REPO_DIR/tests/host" check O="$MMAPDEMO_CACHE/host-tests$KERNEL_SUFFIX" \
		KERNEL_SRC="$BASE_TREE"
}

setup deps "$SCRIPTS_DIR/deps.sh"
# A function, so the BASE_TREE it sets stays in this shell.
setup kernel-tree base_tree_info
RESULT_CACHE_DIR=$STATE_DIR/test-results
git -C "$REPO_DIR" rev-parse --git-dir >/dev/null 2>&1 ||
	info "not a git checkout: every step runs (no result cache)"

# git_am_step: the series applied with plain git am to a fresh base tree,
# a test; it also moves the build tree to the series, which
# `apply.sh --build-tree` does alone when the test is reported from the
# cache.  A failure stops the run: nothing after it has a tree to test.
git_am_step() {
	counted git-am count_status "$SCRIPTS_DIR/apply.sh"
	[ "$_rc" -eq 0 ] || finish failed
	[ "$step_cached" = false ] || setup build-tree "$SCRIPTS_DIR/apply.sh" --build-tree
}

if is_cross; then
	# An arm64 or riscv64 cell: what depends on the architecture. The
	# host tests, the generated files' sync and lint ran in the x86_64 cell.
	git_am_step
	counted --needs=build "kunit-$MMAPDEMO_ARCH" count_summary_line "$SCRIPTS_DIR/kunit.sh" "$MMAPDEMO_ARCH"
	counted --needs=build kselftest count_summary_line "$SCRIPTS_DIR/kselftest.sh"
	finish
fi

# The 6.12 base tree (a download and a commit of ~90,000 files) is made
# beside the first steps. Its kernel-tree.sh holds the 6.12 lock while it
# works, so a step that needs the tree (patches-sync, first) waits for it;
# one that fails here is made again, with its message, by that step.
if [ "$other_kernels" = true ] && [ -z "${KDIR:-}" ]; then
	mkdir -p "$LOG_DIR"
	info "making the 6.12 base tree in the background: $LOG_DIR/kernel-tree-6.12.log"
	MMAPDEMO_KERNEL=6.12 "$SCRIPTS_DIR/kernel-tree.sh" >"$LOG_DIR/kernel-tree-6.12.log" 2>&1 &
fi

counted kernel-log-check count_summary_line "$SCRIPTS_DIR/kernel-log-check.sh" --self-test
counted semantics-sync count_status "$SCRIPTS_DIR/gen-semantics.py" --check
counted figures-sync count_status "$SCRIPTS_DIR/gen-figures.py" --check
# The steps that need no guest kernel, in the background queue beside
# the builds and guests below.
counted_in_background host-tests count_gtest host_tests
counted_in_background patches-sync count_status "$SCRIPTS_DIR/gen-patches.sh" --check
counted_in_background lint count_status "$SCRIPTS_DIR/lint.sh"
git_am_step

# The steps that boot the x86_64 guest kernel, and those that boot its
# debug variant, through RUNNER: counted to run them, is_cached to ask
# whether they would all be reported from the cache.
x86_guest_steps() {
	if [ "$x86_kunit" = true ]; then
		"$1" --needs=build kunit-x86_64 count_summary_line "$SCRIPTS_DIR/kunit.sh" x86_64 || return
	fi
	# shellcheck disable=SC2086 # empty or one option
	"$1" --needs=build kselftest count_summary_line "$SCRIPTS_DIR/kselftest.sh" $kselftest_opt
}
debug_guest_steps() {
	# The installed runner, always: the same test programs, but not
	# compiled again inside a KASAN and lockdep guest under TCG, which
	# took ~30 minutes. The users' `make kselftest` ran on the normal kernel.
	"$1" --needs=build-debug kselftest-debug count_summary_line "$SCRIPTS_DIR/kselftest.sh" --debug --fast || return
	[ "$x86_kunit" = true ] || return 0
	"$1" --needs=build-debug kunit-x86_64-debug count_summary_line "$SCRIPTS_DIR/kunit.sh" x86_64 --debug
}

# Each kernel is built before the steps that share the cores with it:
# a build keeps both busy, a guest under TCG about one.
x86_guest_steps is_cached || need_setup build
counted kunit-um count_summary_line "$SCRIPTS_DIR/kunit.sh" um
x86_guest_steps counted

if [ "$debug" = true ]; then
	debug_guest_steps is_cached || need_setup build-debug
fi
# The cells not booted by this tier: their build checks, queued in the
# background (each has its own build folder; the 6.12 one its own tree
# and lock). With --all they are booted: the 6.12 cell in the background
# queue (its own tree and lock, so it can share the cores with the debug
# guests), the arm64 and riscv64 cells below, as they share this tree.
cell_opts=
[ "$use_result_cache" = true ] || cell_opts=--rerun
# What the steps queued so far are: those that read this cell's trees.
tree_steps_rc=$bg_after tree_steps_pid=$bg_after_pid
if [ "$all_cells" = true ] && [ "$other_kernels" = true ]; then
	# No debug kernel in the 6.12 LTS cell.
	# shellcheck disable=SC2086 # empty or one option each
	set -- --kernel=6.12 --no-debug $kselftest_opt $cell_opts
	[ "$x86_kunit" = true ] || set -- "$@" --no-x86-kunit
	counted_in_background kernel-6.12 count_summary_line "$SCRIPTS_DIR/test.sh" "$@"
fi
if [ "$all_cells" = false ]; then
	if [ "$other_kernels" = true ]; then
		# Its key: the 6.12 series on the 6.12 base.
		eval "$(MMAPDEMO_KERNEL=6.12 "$SCRIPTS_DIR/kernel-tree.sh" --print | sed 's/^BASE_COMMIT=/KEY_BASE=/;/^BASE_TREE=/d')"
		KEY_SERIES=${MMAPDEMO_PATCHES:-$REPO_DIR/patches-6.12}
		counted_in_background build-check-6.12 count_summary_line "$SCRIPTS_DIR/build-check.sh" --kernel=6.12
		unset KEY_BASE KEY_SERIES
	fi
	if [ "$cross_cells" = true ]; then
		for cell_arch in arm64 riscv64; do
			counted_in_background "build-check-$cell_arch" count_summary_line \
				"$SCRIPTS_DIR/build-check.sh" --arch="$cell_arch"
		done
	fi
fi
[ "$debug" = false ] || debug_guest_steps counted

# --all: the arm64 and riscv64 cells booted in full (this script again,
# in the cell's own folders), beside the 6.12 cell, once the steps that
# read the work tree they share are done.
if [ "$all_cells" = true ] && [ "$cross_cells" = true ]; then
	if [ -n "$tree_steps_rc" ]; then
		while [ ! -s "$tree_steps_rc" ] && kill -0 "$tree_steps_pid" 2>/dev/null; do
			sleep 2
		done
	fi
	for cell_arch in arm64 riscv64; do
		# The same work tree, so the same lock, which this run holds.
		# shellcheck disable=SC2086 # empty or one option
		counted "$cell_arch" count_summary_line "$SCRIPTS_DIR/test.sh" --arch="$cell_arch" $cell_opts
	done
fi
counted_collect
finish
