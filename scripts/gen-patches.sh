#!/bin/sh
# gen-patches.sh - write patches/ from drivers-misc-mmapdemo/, kunit/ and
# selftests/, or check that it is in sync with them.
#
# Usage: scripts/gen-patches.sh [--check] [--out DIR]
#
# The series is built on the base tree of scripts/kernel-tree.sh (fetched
# into the cache on first use). See scripts/gen-patches.py for how, and
# scripts/series/ for what each patch brings in.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
esac

base_tree_info # sets BASE_TREE, BASE_COMMIT
exec python3 "$SCRIPTS_DIR/gen-patches.py" --base-tree "$BASE_TREE" \
	--base "$BASE_COMMIT" "$@"
