#!/bin/sh
# gen-patches.sh - write patches/ from drivers-misc-mmapdemo/, kunit/ and
# selftests/, and patches-6.12/ from the same plus the delta in
# backport/6.12/, or check that they are in sync with them.
#
# Usage: scripts/gen-patches.sh [--kernel 7.3|6.12] [--check] [--out DIR]
#        scripts/gen-patches.sh --author "NAME <EMAIL>" --out-dir DIR
#        scripts/gen-patches.sh --kernel 6.12 --backport-tree DIR
#        scripts/gen-patches.sh --kernel 6.12 --backport-save DIR
#
# --author "NAME <EMAIL>" --out-dir DIR: both series as NAME's own, to
# submit: NAME is the author of every patch and the maintainer in
# MAINTAINERS, and signs off every patch after its Assisted-by: trailer.
# They go to DIR/patches and DIR/patches-6.12; the repository's own
# patches/ stay unsigned.
#
# Without --kernel every series is written or checked, whatever
# MMAPDEMO_KERNEL says: both come from the same sources, so a change to
# them must regenerate both (test.sh's patches-sync checks both). --out
# needs --kernel.
# --backport-tree DIR: the sources with the 6.12 delta applied, as a git
# repository to edit (hunks that no longer apply are left in *.rej files);
# --backport-save DIR: its changes become backport/6.12/*.patch again.
#
# Each series is built on the base tree of scripts/kernel-tree.sh for its
# kernel (fetched into the cache on first use). See scripts/gen-patches.py
# for how, and scripts/series/ for what each patch brings in.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

kernels=
need_tree=true
n=$#
while [ "$n" -gt 0 ]; do
	arg=$1
	shift
	n=$((n - 1))
	case $arg in
	-h | --help)
		usage
		exit 0
		;;
	--kernel)
		[ "$n" -gt 0 ] || die "--kernel needs a version" "use --kernel 7.3 or --kernel 6.12"
		kernels=$1
		shift
		n=$((n - 1))
		;;
	--kernel=*) kernels=${arg#--kernel=} ;;
	--backport-tree | --backport-save)
		need_tree=false
		set -- "$@" "$arg"
		;;
	--out | --out=*)
		out=true
		set -- "$@" "$arg"
		;;
	--out-dir)
		[ "$n" -gt 0 ] || die "--out-dir needs a folder" "e.g. --out-dir /tmp/series"
		out_dir=$1
		shift
		n=$((n - 1))
		;;
	--out-dir=*) out_dir=${arg#--out-dir=} ;;
	--author)
		[ "$n" -gt 0 ] || die "--author needs a name and address" 'e.g. --author "Jane Doe <jane@example.org>"'
		author=$1
		shift
		n=$((n - 1))
		;;
	--author=*) author=${arg#--author=} ;;
	*) set -- "$@" "$arg" ;;
	esac
done
if [ -n "${author:-}" ]; then
	[ -n "${out_dir:-}" ] && [ -z "${out:-}" ] ||
		die "--author writes both series to a folder of their own" \
			'give --out-dir DIR (not --out): scripts/gen-patches.sh --author "NAME <EMAIL>" --out-dir DIR'
elif [ -n "${out_dir:-}" ]; then
	die "--out-dir is for --author" "without --author the series go to patches/ and patches-6.12/"
fi
if [ -z "$kernels" ]; then
	[ -z "${out:-}" ] || die "--out needs --kernel" "add --kernel 7.3 or --kernel 6.12"
	kernels="7.3 6.12"
fi

for k in $kernels; do
	# A subshell per kernel: use_kernel and base_tree_info set globals.
	(
		use_kernel "$k"
		if [ "$need_tree" = true ]; then
			base_tree_info # sets BASE_TREE, BASE_COMMIT
			set -- --base-tree "$BASE_TREE" --base "$BASE_COMMIT" "$@"
		fi
		if [ -n "${author:-}" ]; then
			suffix=
			[ "$k" = 7.3 ] || suffix=-$k
			set -- "$@" --author "$author" --out "$out_dir/patches$suffix"
		fi
		exec python3 "$SCRIPTS_DIR/gen-patches.py" --kernel "$k" "$@"
	) || exit 1
done
