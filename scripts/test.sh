#!/bin/sh
# test.sh - every test of mmapdemo, from a fresh machine; what .ci/run runs.
#
# Usage: scripts/test.sh [--fast] [--no-x86-kunit] [--no-debug] [--rerun]
#                        [--kernel=6.12 | --arch=arm64|riscv64]
#                        [--no-6.12] [--no-cross]
#   --fast          kselftest through the installed run_kselftest.sh instead
#                   of the users' `make kselftest TARGETS=mmapdemo`
#   --no-x86-kunit  KUnit on UML only
#   --no-debug      skip the debug kernel's steps (build-debug and after)
#   --rerun         run every test step, even one whose result is cached
#   --kernel=6.12   only the 6.12 LTS series (patches-6.12/): the steps up
#                   to kselftest, in its own cache folders
#                   (MMAPDEMO_KERNEL=6.12 does it too)
#   --arch=A        only the arm64 (64 KiB pages) or riscv64 cell: the
#                   7.3 series applied, the guest kernel cross-built,
#                   KUnit and the kselftest on it under QEMU (TCG), in its
#                   own folders (MMAPDEMO_ARCH=A does it too)
#   --no-6.12       leave out the 6.12 cell
#   --no-cross      leave out the arm64 and riscv64 cells
#
# Without --kernel or --arch it runs the whole matrix: x86_64 7.3 (normal
# and debug kernel), then the arm64, riscv64 and 6.12 cells, each as a step
# that runs this script for that cell and counts its closing line.
#
# Result cache: like `go test`, a test step that passed is not run again
# while none of its inputs changed: every file of this repository that git
# tracks or would track (README.md aside), the pinned kernel package, the
# compilers, QEMU, virtme-ng and GoogleTest versions, the host kernel,
# KDIR and the MMAPDEMO_* settings, and the step's own options.  Its
# results are then reported again, marked "cached", with the time of the
# run that produced them; the files in $MMAPDEMO_CACHE/results are that
# run's.  A failed step is never cached.  Set-up steps always run (they are
# incremental).  For the edit-build-test loop use scripts/dev.sh.
#
# Steps, in order; a test step that fails does not stop the others, a
# failed set-up step (install, fetch, build) stops the run:
#   deps          install what is missing (apt, virtme-ng)
#   kernel-tree   Debian's linux-source-7.3 as a git tree in the cache (or KDIR)
#   host-tests    GoogleTest tests of the user-space code, on the host
#   kernel-log-check scripts/kernel-log-check.sh --self-test: the checker of
#                 the debug kernel's logs finds the KASAN, KFENCE, UBSAN,
#                 WARNING, lockdep, BUG and kmemleak reports of the saved
#                 logs in tests/host/kernel-logs, and nothing in clean ones
#   semantics-sync the tests' header is what scripts/gen-semantics.py makes
#                 of the documentation's semantics table
#   patches-sync  patches/ is what scripts/gen-patches.sh makes of the sources
#   git-am        the series applies with plain git am to a fresh tree
#   lint          scripts/lint.sh: checkpatch, kernel-doc, W=1 and sparse
#                 builds, coccicheck, Kconfig/SPDX/MODULE_DESCRIPTION,
#                 each patch building on its own, htmldocs, the out-of-tree
#                 module; one test, failed by any finding
#   build         the x86_64 guest kernel with the series
#   kunit-um      kunit.py run --kunitconfig=drivers/misc/mmapdemo (UML)
#   kunit-x86_64  the same with --arch=x86_64 (QEMU)
#   kselftest     make kselftest TARGETS=mmapdemo in a booted guest
#   build-debug   the debug kernel (scripts/build.sh --debug: KASAN, KFENCE,
#                 kmemleak, lockdep, DEBUG_VM, PAGE_TABLE_CHECK, UBSAN ...)
#   kselftest-debug the kselftest on it (panic_on_warn=1), through the
#                 installed run_kselftest.sh, plus two checks:
#                 no report in its kernel log, no kmemleak leak of mmapdemo
#   kunit-x86_64-debug KUnit x86_64 with the same options, plus the check
#                 of its kernel log
#   arm64         this script again with --arch=arm64: deps, kernel-tree,
#                 git-am, then build (cross), kunit-arm64 (kunit.py
#                 --arch=arm64, 64 KiB pages) and kselftest (the installed
#                 runner in the arm64 guest)
#   riscv64       the same with --arch=riscv64
#   kernel-6.12   this script again with --kernel=6.12 --no-debug: the
#                 6.12 LTS series through the same steps up to kselftest
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
for arg in "$@"; do
	case $arg in
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

# inputs_fingerprint: a hash of everything a test step's result depends
# on but the cache folder's own contents (see the usage above). Empty when
# the repository is not a git checkout: nothing is cached then.
inputs_fingerprint() {
	git -C "$REPO_DIR" rev-parse --git-dir >/dev/null 2>&1 || return 0
	{
		(cd "$REPO_DIR" && git ls-files -z -c -o --exclude-standard |
			grep -z -v -x 'README.md' | sort -z | xargs -0 sha256sum)
		printf '%s\n' "$KERNEL_PKG $KERNEL_PKG_VERSION" "KDIR=${KDIR:-}" "$(uname -r)"
		for _tool in gcc g++ aarch64-linux-gnu-g++ riscv64-linux-gnu-g++ \
			qemu-system-x86_64 qemu-system-aarch64 qemu-system-riscv64 vng ccache; do
			printf '%s: %s\n' "$_tool" "$("$_tool" --version 2>/dev/null | head -n 1)"
		done
		dpkg-query -W -f '${Package} ${Version}\n' libgtest-dev googletest 2>/dev/null || true
		env | grep '^MMAPDEMO_' | grep -v '^MMAPDEMO_LOCK_HELD=' | LC_ALL=C sort
	} | sha256_of_stdin
}

# counted LABEL COUNTER COMMAND...: a test step. COUNTER reads the step's
# output (in $_out) and prints "passed failed skipped". A step that passed
# with the same inputs before is reported from the cache instead.
counted() {
	_label=$1
	_counter=$2
	shift 2
	_t0=$(now)
	_out=$STATE_DIR/test-$_label.out
	_cached=$RESULT_CACHE_DIR/$_label
	_key=
	# git-am is also the set-up of the steps after it (it moves the build
	# tree to the series, from wherever scripts/dev.sh left it): it always runs.
	if [ -n "$fingerprint" ] && [ "$_label" != git-am ]; then
		_key=$(printf '%s\n' "$fingerprint" "$_label" "$*" | sha256_of_stdin)
		if [ "$use_result_cache" = true ] && [ -f "$_cached.key" ] &&
			[ "$(cat "$_cached.key")" = "$_key" ] && [ -f "$_cached.counts" ]; then
			# shellcheck disable=SC2046 # three numbers and a date
			set -- $(cat "$_cached.counts")
			info "$_label: cached, passed on $4 with the same inputs ($1 passed, $2 failed, $3 skipped); --rerun runs it again"
			record "$_label" $(($(now) - _t0)) "$1" "$2" "$3" cached
			_rc=0
			return 0
		fi
	fi
	rm -f "$_cached.key" "$_cached.counts"
	_rc=0
	"$@" >"$_out" || _rc=$?
	cat "$_out"
	# shellcheck disable=SC2046 # three numbers
	set -- $("$_counter" "$_out" "$_rc")
	if [ "$_rc" -ne 0 ] && [ "$2" -eq 0 ]; then
		# It failed before it could count anything: that is one failure.
		set -- "$1" 1 "$3"
	fi
	record "$_label" $(($(now) - _t0)) "$1" "$2" "$3" "$([ "$_rc" -eq 0 ] && echo ok || echo FAILED)"
	if [ "$_rc" -eq 0 ] && [ "$2" -eq 0 ] && [ -n "$_key" ]; then
		mkdir -p "$RESULT_CACHE_DIR"
		printf '%s %s %s %s\n' "$1" "$2" "$3" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$_cached.counts"
		printf '%s\n' "$_key" >"$_cached.key"
	fi
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
	sed -n 's/^\([A-Za-z0-9_-]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\2 \3 \4/p' "$1" |
		tail -n 1 | grep . || echo "0 0 0"
}

host_tests() {
	make -s -C "$REPO_DIR/tests/host" check O="$MMAPDEMO_CACHE/host-tests$KERNEL_SUFFIX" \
		KERNEL_SRC="$BASE_TREE"
}

setup deps "$SCRIPTS_DIR/deps.sh"
# A function, so the BASE_TREE it sets stays in this shell.
setup kernel-tree base_tree_info
RESULT_CACHE_DIR=$STATE_DIR/test-results
# After deps: the versions of the tools it installed are inputs.
fingerprint=$(inputs_fingerprint)
[ -n "$fingerprint" ] || info "not a git checkout: every step runs (no result cache)"

if is_cross; then
	# An arm64 or riscv64 cell: what depends on the architecture. The
	# host tests, the generated files' sync and lint ran in the x86_64 cell.
	counted git-am count_status "$SCRIPTS_DIR/apply.sh"
	[ "$_rc" -eq 0 ] || finish failed
	setup build "$SCRIPTS_DIR/build.sh"
	counted "kunit-$MMAPDEMO_ARCH" count_summary_line "$SCRIPTS_DIR/kunit.sh" "$MMAPDEMO_ARCH"
	counted kselftest count_summary_line "$SCRIPTS_DIR/kselftest.sh"
	finish
fi

counted host-tests count_gtest host_tests
counted kernel-log-check count_summary_line "$SCRIPTS_DIR/kernel-log-check.sh" --self-test
counted semantics-sync count_status "$SCRIPTS_DIR/gen-semantics.py" --check
counted patches-sync count_status "$SCRIPTS_DIR/gen-patches.sh" --check
counted git-am count_status "$SCRIPTS_DIR/apply.sh"
[ "$_rc" -eq 0 ] || finish failed
counted lint count_status "$SCRIPTS_DIR/lint.sh"
setup build "$SCRIPTS_DIR/build.sh"
counted kunit-um count_summary_line "$SCRIPTS_DIR/kunit.sh" um
if [ "$x86_kunit" = true ]; then
	counted kunit-x86_64 count_summary_line "$SCRIPTS_DIR/kunit.sh" x86_64
fi
# shellcheck disable=SC2086 # empty or one option
counted kselftest count_summary_line "$SCRIPTS_DIR/kselftest.sh" $kselftest_opt
if [ "$debug" = true ]; then
	setup build-debug "$SCRIPTS_DIR/build.sh" --debug
	# The installed runner, always: the same test programs, but not
	# compiled again inside a KASAN and lockdep guest under TCG, which
	# took ~30 minutes. The users' `make kselftest` ran in the step above.
	counted kselftest-debug count_summary_line "$SCRIPTS_DIR/kselftest.sh" --debug --fast
	if [ "$x86_kunit" = true ]; then
		counted kunit-x86_64-debug count_summary_line "$SCRIPTS_DIR/kunit.sh" x86_64 --debug
	fi
fi
# The other cells, each in its own folders: this script again.
if [ "$cross_cells" = true ]; then
	# The same work tree, so the same lock, which this run holds.
	for cell_arch in arm64 riscv64; do
		set -- --arch="$cell_arch"
		[ "$use_result_cache" = true ] || set -- "$@" --rerun
		counted "$cell_arch" count_summary_line "$SCRIPTS_DIR/test.sh" "$@"
	done
fi
if [ "$other_kernels" = true ]; then
	# The 6.12 LTS cell: its own tree and lock; no debug kernel there.
	set -- --kernel=6.12 --no-debug $kselftest_opt
	[ "$x86_kunit" = true ] || set -- "$@" --no-x86-kunit
	[ "$use_result_cache" = true ] || set -- "$@" --rerun
	counted kernel-6.12 count_summary_line "$SCRIPTS_DIR/test.sh" "$@"
fi
finish
