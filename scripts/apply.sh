#!/bin/sh
# apply.sh - apply the patch series (patches/*.patch) to the base tree.
#
# Usage: scripts/apply.sh [--build-tree]
#
# 1. In a scratch worktree reset to the base commit, create the branch
#    mmapdemo-series and apply every patches/*.patch except the cover
#    letter with plain `git am` (the "applies to a fresh tree" test).
# 2. Move the long-lived build worktree ($MMAPDEMO_CACHE/work/linux-7.3) to
#    the resulting commit with `git checkout --detach`, so only files the
#    series changed get new mtimes and builds stay incremental.
#
# --build-tree: step 2 only, to the commit an earlier run made from the
# same series on the same base (scripts/test.sh, when its git-am step is
# reported from the result cache); without such a run, both steps.
#
# Both worktrees belong to the base repository (Debian's tree in the cache,
# or KDIR's repository: its own checkout is never touched; only the
# worktrees and the branch mmapdemo-series are added to it).
# An empty patches/ applies nothing: the build tree is then the base.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

build_tree_only=false
case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
--build-tree) build_tree_only=true ;;
'') ;;
*) die "unknown option: $1" "run $0 --help" ;;
esac
lock_cache

# Identity for the commits `git am` creates; the dates too, so the same
# series on the same base gives the same commit hashes on every machine.
export GIT_COMMITTER_NAME="mmapdemo apply.sh" GIT_COMMITTER_EMAIL="mmapdemo-apply@localhost"
export GIT_COMMITTER_DATE="2000-01-01T00:00:00+0000"

base_tree_info # sets BASE_TREE, BASE_COMMIT
base_common_dir=$(CDPATH='' cd -- "$BASE_TREE" && cd -- "$(git rev-parse --git-common-dir)" && pwd)

# ensure_worktree PATH COMMIT: make PATH a worktree of the base repository.
# A worktree left from another base (KDIR changed) is removed first.
ensure_worktree() {
	_wt=$1
	if [ -d "$_wt" ]; then
		_owner=$(git -C "$_wt" rev-parse --git-common-dir 2>/dev/null || true)
		if [ -n "$_owner" ] && [ "$(CDPATH='' cd -- "$_wt" && cd -- "$_owner" && pwd)" = "$base_common_dir" ]; then
			return 0
		fi
		warn "$_wt does not belong to $BASE_TREE: recreating it"
		if [ -n "$_owner" ]; then
			git -C "$_wt" worktree remove --force "$_wt" 2>/dev/null || true
		fi
		rm -rf "$_wt"
	fi
	git -C "$BASE_TREE" worktree prune
	mkdir -p "$(dirname "$_wt")"
	step "Checking out a worktree at $_wt"
	RL_STATUS="du -sh '$_wt' | cut -f1 | sed 's/\$/ checked out/'" \
		run_logged "worktree-$(basename "$_wt")" git -C "$BASE_TREE" worktree add --detach "$_wt" "$2" ||
		die "git worktree add $_wt failed" "see the log above; remove $_wt and rerun scripts/apply.sh"
}

patch_list=$(series_patches)
npatches=0
[ -n "$patch_list" ] && npatches=$(printf '%s\n' "$patch_list" | wc -l)
# "<series hash> <base commit> <series commit>" of the last git am.
series_commit_file=$STATE_DIR/series-commit
series_id="$(series_hash) $BASE_COMMIT"

series_commit=
if [ "$build_tree_only" = true ]; then
	read -r _hash _base _commit <"$series_commit_file" 2>/dev/null || true
	if [ "${_hash:-} ${_base:-}" = "$series_id" ] &&
		git -C "$BASE_TREE" cat-file -e "${_commit:-none}^{commit}" 2>/dev/null; then
		series_commit=$_commit
		info "the series on this base was applied before: $series_commit"
	else
		info "no earlier git am of this series on this base: applying it"
	fi
fi

# --------------------------------------------------- 1. scratch + git am --
# git_am_in_scratch: the series with plain git am onto the base in the
# scratch worktree; sets series_commit and records it.
git_am_in_scratch() {
	ensure_worktree "$SCRATCH_TREE" "$BASE_COMMIT"
	step "Resetting $SCRATCH_TREE to the base $BASE_COMMIT"
	git -C "$SCRATCH_TREE" am --abort >/dev/null 2>&1 || true
	git -C "$SCRATCH_TREE" checkout -q -f --detach "$BASE_COMMIT"
	git -C "$SCRATCH_TREE" clean -q -f -d -x
	git -C "$SCRATCH_TREE" checkout -q -B "$SERIES_BRANCH" "$BASE_COMMIT"

	if [ "$npatches" -eq 0 ]; then
		info "patches/ holds no series yet: nothing to apply, the build tree is the base"
	else
		step "git am: $npatches patches onto a new branch $SERIES_BRANCH from the base"
		# shellcheck disable=SC2086 # one patch path per line; paths have no blanks
		if ! run_logged git-am git -C "$SCRATCH_TREE" am $patch_list; then
			# git records the number of the patch it stopped at.
			apply_dir=$(git -C "$SCRATCH_TREE" rev-parse --git-path rebase-apply)
			case $apply_dir in /*) ;; *) apply_dir=$SCRATCH_TREE/$apply_dir ;; esac
			failed=unknown
			if [ -f "$apply_dir/next" ]; then
				failed=$(printf '%s\n' "$patch_list" | sed -n "$(cat "$apply_dir/next")p")
				failed=${failed#"$REPO_DIR"/}
			fi
			git -C "$SCRATCH_TREE" am --abort >/dev/null 2>&1 || true
			die "git am failed on $failed (the series does not apply to the base $BASE_COMMIT)" \
				"fix that patch (regenerate patches/ with scripts/gen-patches.py), then rerun scripts/apply.sh; see $LOG_DIR/git-am.log"
		fi
	fi
	series_commit=$(git -C "$SCRATCH_TREE" rev-parse HEAD)
	mkdir -p "$STATE_DIR"
	printf '%s %s\n' "$series_id" "$series_commit" >"$series_commit_file"
}

[ -n "$series_commit" ] || git_am_in_scratch

# -------------------------------------------- 2. move the build worktree --
ensure_worktree "$WORK_TREE" "$series_commit"
if [ -n "$(git -C "$WORK_TREE" status --porcelain --untracked-files=no)" ]; then
	die "$WORK_TREE has local changes to tracked files" \
		"keep them by turning them into patches, or drop them: git -C $WORK_TREE checkout -f HEAD; then rerun scripts/apply.sh"
fi
git -C "$WORK_TREE" checkout -q --detach "$series_commit" ||
	die "could not check out $series_commit in $WORK_TREE" "see the git message above"

mkdir -p "$STATE_DIR"
series_hash >"$STATE_DIR/applied-series"
info "applied $npatches patches: base ${BASE_COMMIT%"${BASE_COMMIT#????????????}"} -> ${series_commit%"${series_commit#????????????}"}"
info "build tree: $WORK_TREE"
