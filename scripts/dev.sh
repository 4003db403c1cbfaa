#!/bin/sh
# dev.sh - the daily loop: after an edit, a KUnit and a kselftest result.
#
# Usage: scripts/dev.sh [kunit] [kselftest] [--debug]
#   kunit      KUnit on UML: kunit.py run --kunitconfig=drivers/misc/mmapdemo
#   kselftest  the whole kselftest in a booted x86_64 guest, through the
#              installed run_kselftest.sh (scripts/kselftest.sh --fast)
#   --debug    the kselftest on the debug kernel (scripts/build.sh --debug)
#   With neither word, both run, KUnit first.
#
# What makes it fast: the sources go straight into the build tree
# (scripts/dev-sync.py copies only the files that differ), without
# regenerating patches/ or applying it with git am; then make rebuilds only
# what changed (ccache, no reconfiguration), and the guest runs the
# selftests built on the host.  scripts/test.sh checks the rest: patches/
# in sync, the series applying with git am, lint, the debug kernel.
#
# The first run in a cache builds everything (scripts/apply.sh, the
# kernels); later runs are incremental.  Each part prints its usual result
# line; the last lines give the time from the start of this command to
# each result ("edit to KUnit result: 26s").
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

run_kunit=false
run_kselftest=false
variant_opt=
for arg; do
	case $arg in
	kunit) run_kunit=true ;;
	kselftest) run_kselftest=true ;;
	--debug) variant_opt=--debug ;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown option: $arg" "run $0 --help" ;;
	esac
done
# The sources are the 7.3 series' files; another kernel's tree needs its
# delta (backport/), which only the generated series carries.
[ -z "$KERNEL_SUFFIX" ] ||
	die "scripts/dev.sh copies the sources as they are, which fit Linux 7.3 only" \
		"for $KERNEL_MAJOR_MINOR run scripts/gen-patches.sh, then scripts/test.sh --kernel=$KERNEL_MAJOR_MINOR"
if [ "$run_kunit" = false ] && [ "$run_kselftest" = false ]; then
	run_kunit=true run_kselftest=true
fi
lock_cache

start=$(now)
summary=
failed=0
# timed LABEL COMMAND...: run it, note how long after the start it ended.
timed() {
	_label=$1
	shift
	_rc=0
	"$@" || _rc=$?
	_verdict=ok
	[ "$_rc" -eq 0 ] || _verdict="FAILED (exit status $_rc)"
	[ "$_rc" -eq 0 ] || failed=$((failed + 1))
	summary="$summary$(printf 'edit to %s: %s, %s' "$_label" "$(fmt_secs $(($(now) - start)))" "$_verdict")
"
	return "$_rc"
}

if ! git -C "$WORK_TREE" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	info "no build tree yet: making it from patches/ once (scripts/apply.sh)"
	"$SCRIPTS_DIR/apply.sh"
fi
step "Copying the sources into $WORK_TREE"
# No pipe: under dash the pipeline's status would be sed's, and a failed
# copy would leave the loop testing the tree's old content.
sync_out=$STATE_DIR/dev-sync.out
sync_rc=0
python3 "$SCRIPTS_DIR/dev-sync.py" --tree "$WORK_TREE" --state "$STATE_DIR/applied-series" \
	>"$sync_out" || sync_rc=$?
sed "s/^/[$PROG]     /" "$sync_out" >&2
[ "$sync_rc" -eq 0 ] ||
	die "copying the sources into $WORK_TREE failed (dev-sync.py exit status $sync_rc)" \
		"see the messages above; nothing was built or tested"

if [ "$run_kunit" = true ]; then
	timed "KUnit result (UML)" "$SCRIPTS_DIR/kunit.sh" um || true
fi
if [ "$run_kselftest" = true ]; then
	# shellcheck disable=SC2086 # empty or one option
	if timed "kernel built" "$SCRIPTS_DIR/build.sh" $variant_opt; then
		# shellcheck disable=SC2086
		timed "kselftest result${variant_opt:+ (debug kernel)}" \
			"$SCRIPTS_DIR/kselftest.sh" --fast $variant_opt || true
	fi
fi
printf '\n' >&2
printf '%s' "$summary" | sed "s/^/[$PROG] /" >&2
[ "$failed" -eq 0 ] ||
	die "$failed part(s) failed" "see their output above; scripts/apply.sh puts the tree back to patches/"
