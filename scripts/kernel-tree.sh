#!/bin/sh
# kernel-tree.sh - prepare the base Linux 7.3 (or 6.12) git tree the series applies to.
#
# Usage: scripts/kernel-tree.sh [--print]
#   --print   after preparing, print on stdout (shell-quoted, for eval):
#               BASE_TREE='<git tree>'  BASE_COMMIT='<full hash>'
#
# Default: Debian's linux-source-7.3 package (pinned to 7.3.4-1~bpo13+1 from
# trixie-backports; if the archive has moved on, the current candidate is
# used with a warning) is downloaded into $MMAPDEMO_CACHE/src, unpacked, and
# committed into a new git repository with a fixed identity and fixed dates,
# so the base commit hash is the same on every machine.  It is tagged
# mmapdemo-base.
#
# KDIR=/path/to/linux scripts/kernel-tree.sh: use that git tree instead; its
# HEAD is the base.  It is only read (worktrees are added under the cache).
#
# MMAPDEMO_KERNEL=6.12: the same for the backport series, from Debian's
# linux-source-6.12 (trixie; the pinned version is in scripts/lib.sh), into
# $MMAPDEMO_CACHE/src/linux-source-6.12.
#
# Progress goes to stderr; a second run only checks and returns.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

# Fixed identity and dates: the base commit must hash the same everywhere.
BASE_IDENT_NAME="mmapdemo base tree"
BASE_IDENT_EMAIL="mmapdemo-base@localhost"
BASE_DATE="2000-01-01T00:00:00+0000"

# git run with settings that could change the committed tree or commit
# neutralised (user config may set autocrlf, attributes, signing, hooks).
git_fixed() {
	git -c core.autocrlf=false -c core.safecrlf=false -c core.fileMode=true \
		-c core.symlinks=true -c core.attributesFile=/dev/null \
		-c core.hooksPath=/dev/null -c commit.gpgSign=false -c tag.gpgSign=false \
		-c init.defaultBranch=master "$@"
}

# commit_unpacked DIR MESSAGE: git init DIR, commit everything, tag it.
# Runs as "$0 --commit-unpacked" under run_logged (which can only start
# programs and lib.sh functions).
commit_unpacked() {
	cd "$1"
	export GIT_AUTHOR_NAME="$BASE_IDENT_NAME" GIT_AUTHOR_EMAIL="$BASE_IDENT_EMAIL" \
		GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_NAME="$BASE_IDENT_NAME" \
		GIT_COMMITTER_EMAIL="$BASE_IDENT_EMAIL" GIT_COMMITTER_DATE="$BASE_DATE"
	git_fixed init -q
	echo "git add -f ."
	git_fixed add -f .
	echo "git commit"
	# No automatic gc: git would pack the ~90,000 new objects in a
	# detached process that inherits, and holds for minutes, the cache
	# lock of the script that runs this one (lib.sh's fd 9), so the next
	# script waits for it.  The same packing, in the foreground instead.
	git_fixed -c gc.auto=0 commit -q --no-verify -m "$2"
	git_fixed tag "$BASE_TAG"
	echo "git gc (packing the objects)"
	git_fixed gc --quiet
	git rev-parse HEAD
}

print=false
case ${1:-} in
--print) print=true ;;
--commit-unpacked)
	shift
	commit_unpacked "$@"
	exit 0
	;;
-h | --help)
	usage
	exit 0
	;;
'') ;;
*) die "unknown option: $1" "run $0 --help" ;;
esac

print_result() {
	if [ "$print" = true ]; then
		printf "BASE_TREE='%s'\nBASE_COMMIT='%s'\n" "$1" "$2"
	fi
}

kernel_version_of_tree() { # git tree, revision -> "7.3.4"
	git -C "$1" show "$2:Makefile" 2>/dev/null | awk -F' *= *' '
		$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } END { if (v != "") print v "." p "." s }'
}

# ------------------------------------------------------------ KDIR mode --
if [ -n "${KDIR:-}" ]; then
	step "Using the kernel git tree KDIR=$KDIR"
	top=$(git -C "$KDIR" rev-parse --show-toplevel 2>/dev/null) ||
		die "KDIR=$KDIR is not a git tree" "point KDIR at a kernel git checkout, or unset KDIR to use Debian's $KERNEL_PKG"
	commit=$(git -C "$top" rev-parse -q --verify 'HEAD^{commit}') ||
		die "KDIR=$KDIR has no commit" "commit the tree first"
	version=$(kernel_version_of_tree "$top" HEAD)
	case $version in
	"$KERNEL_MAJOR_MINOR" | "$KERNEL_MAJOR_MINOR".*) info "HEAD $commit is Linux $version" ;;
	'') warn "HEAD of $top has no kernel Makefile version: is it a Linux tree?" ;;
	*) warn "HEAD of $top is Linux $version, not $KERNEL_MAJOR_MINOR: the series targets $KERNEL_MAJOR_MINOR and may not apply" ;;
	esac
	if [ -n "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		warn "$top has uncommitted changes: they are not part of the base (only HEAD is used)"
	fi
	print_result "$top" "$commit"
	exit 0
fi

# ---------------------------------------------------------- Debian mode --
BASE_TREE=$BASE_TREE_DEFAULT
if commit=$(git -C "$BASE_TREE" rev-parse -q --verify "refs/tags/$BASE_TAG^{commit}" 2>/dev/null); then
	info "base tree ready: $BASE_TREE ($BASE_TAG = $commit)"
	print_result "$BASE_TREE" "$commit"
	exit 0
fi

# Only creating the tree needs the cache lock: a ready tree (above) or KDIR
# is only read, so scripts/lint.sh can start while a guest test holds it.
lock_cache
if git -C "$BASE_TREE" rev-parse -q --verify "refs/tags/$BASE_TAG^{commit}" >/dev/null 2>&1; then
	# Another script created it while we waited for the lock.
	commit=$(git -C "$BASE_TREE" rev-parse "refs/tags/$BASE_TAG^{commit}")
	info "base tree ready: $BASE_TREE ($BASE_TAG = $commit)"
	print_result "$BASE_TREE" "$commit"
	exit 0
fi

if [ -e "$BASE_TREE" ]; then
	# No tag means an earlier run stopped half-way: start that tree again.
	warn "$BASE_TREE is incomplete (no $BASE_TAG tag): recreating it"
	rm -rf "$BASE_TREE"
fi

DEB_DIR=$SRC_DIR/debs
mkdir -p "$DEB_DIR"

# Reuse a downloaded package: the pinned version first, else any.
find_deb() {
	for _d in "$DEB_DIR/${KERNEL_PKG}_${KERNEL_PKG_VERSION}_all.deb" "$DEB_DIR/${KERNEL_PKG}_"*.deb; do
		if [ -f "$_d" ]; then
			printf '%s\n' "$_d"
			return 0
		fi
	done
	return 1
}

if ! deb=$(find_deb); then
	archive_versions() {
		private_apt apt-cache madison "$KERNEL_PKG" 2>/dev/null | awk -F' *[|] *' '{ print $2 }'
	}
	private_apt_update
	versions=$(archive_versions)
	if ! printf '%s\n' "$versions" | grep -qxF -- "$KERNEL_PKG_VERSION"; then
		# The private lists may just be older than the archive.
		private_apt_update force
		versions=$(archive_versions)
	fi
	[ -n "$versions" ] ||
		die "$KERNEL_PKG is not in $KERNEL_SUITE" \
			"check that the system's Debian archive mirrors $KERNEL_SUITE, or set KDIR=/path/to/linux-$KERNEL_MAJOR_MINOR-git-tree"
	if printf '%s\n' "$versions" | grep -qxF -- "$KERNEL_PKG_VERSION"; then
		want=$KERNEL_PKG_VERSION
	else
		want=$(private_apt apt-cache policy "$KERNEL_PKG" | awk '$1 == "Candidate:" { print $2 }')
		case $want in '' | '(none)') want=$(printf '%s\n' "$versions" | head -n 1) ;; esac
		warn "the pinned $KERNEL_PKG $KERNEL_PKG_VERSION is gone from the archive; using $want instead."
		warn "The base commit hash will differ from other machines'; update KERNEL_PKG_VERSION in scripts/lib.sh."
	fi
	step "Downloading $KERNEL_PKG $want (about 170 MB)"
	rm -f "$DEB_DIR/"*.deb.partial
	# apt-get download writes into the current directory.
	RL_STATUS="du -sh '$DEB_DIR' | cut -f1 | sed 's/\$/ downloaded/'" \
		run_logged kernel-download in_dir "$DEB_DIR" private_apt apt-get download "$KERNEL_PKG=$want" ||
		die "downloading $KERNEL_PKG $want failed" \
			"see $LOG_DIR/kernel-download.log; rerun scripts/kernel-tree.sh"
	deb=$(find_deb) || die "apt-get download left no .deb in $DEB_DIR" "see $LOG_DIR/kernel-download.log"
fi

deb_version=$(dpkg-deb -f "$deb" Version) ||
	die "$deb is not a readable .deb" "delete it and rerun scripts/kernel-tree.sh"
[ "$deb_version" = "$KERNEL_PKG_VERSION" ] ||
	warn "using $KERNEL_PKG $deb_version, not the pinned $KERNEL_PKG_VERSION: the base commit hash will differ"

step "Unpacking $(basename "$deb")"
TMP_TREE=$SRC_DIR/.unpack$KERNEL_SUFFIX # per kernel: two may be unpacked at once
rm -rf "$TMP_TREE"
mkdir -p "$TMP_TREE"
RL_STATUS="du -sh '$TMP_TREE' | cut -f1 | sed 's/\$/ unpacked/'" \
	run_logged kernel-unpack sh -c '
		set -e
		dpkg-deb -x "$1" "$2/deb"
		tarball=$(ls "$2"/deb/usr/src/linux-source-*.tar.xz)
		echo "extracting $tarball"
		tar -xJf "$tarball" -C "$2"
		rm -rf "$2/deb"
	' sh "$deb" "$TMP_TREE" ||
	die "unpacking $deb failed" "see $LOG_DIR/kernel-unpack.log; delete $deb if it is damaged and rerun"
unpacked=$(find "$TMP_TREE" -mindepth 1 -maxdepth 1 -type d)
[ -f "$unpacked/Makefile" ] ||
	die "no kernel tree found in $deb" "see $LOG_DIR/kernel-unpack.log"

step "Committing the unpacked tree to git (fixed identity and dates)"
# The tree's top-level .gitignore ignores everything: add with -f.
msg="Debian $KERNEL_PKG $deb_version

Unpacked /usr/src/$KERNEL_PKG.tar.xz from the Debian package
$KERNEL_PKG version $deb_version ($KERNEL_SUITE), unmodified.

Created by mmapdemo's scripts/kernel-tree.sh with a fixed author,
committer and date so that this commit has the same hash everywhere."
RL_STATUS="git -C '$unpacked' count-objects | sed 's/ objects.*/ objects written/'" \
	run_logged kernel-git-init "$0" --commit-unpacked "$unpacked" "$msg" ||
	die "creating the base git repository failed" "see $LOG_DIR/kernel-git-init.log; rerun scripts/kernel-tree.sh"

mv "$unpacked" "$BASE_TREE"
rm -rf "$TMP_TREE"
commit=$(git -C "$BASE_TREE" rev-parse "refs/tags/$BASE_TAG^{commit}")
info "base tree ready: $BASE_TREE ($BASE_TAG = $commit)"
print_result "$BASE_TREE" "$commit"
