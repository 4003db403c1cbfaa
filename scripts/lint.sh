#!/bin/sh
# lint.sh - the checks a drivers/misc (and linux-mm) maintainer runs, on the
# applied series; fails on any finding.
#
# Usage: scripts/lint.sh [CHECK...]
#   CHECK   run only these checks (default: all; the table lists them so):
#           checkpatch kernel-doc build-m build-y sparse coccicheck
#           kconfig-help spdx module-description kconfig-symbols per-patch
#           htmldocs out-of-tree
#
# In a worktree of its own ($MMAPDEMO_CACHE/work/lint, from the base tree
# of scripts/kernel-tree.sh), the series (patches/*.patch but the cover
# letter) is applied with plain `git am`, then:
#   checkpatch     scripts/checkpatch.pl --strict on every patch: no error,
#                  warning or check.  Accepted, and listed as such:
#                  MISSING_SIGN_OFF (whoever applies the series signs off
#                  with `git am -s`) and FILE_PATH_CHANGES ("does MAINTAINERS
#                  need updating?") when every file the patch adds is
#                  covered by the MAINTAINERS entry the series adds
#   kernel-doc     scripts/kernel-doc -none -Wall on drivers/misc/mmapdemo
#                  (tests/ too) and include/uapi/linux/mmapdemo.h
#   build-m        make W=1 drivers/misc/mmapdemo/ with CONFIG_MMAPDEMO=m
#   build-y        the same with CONFIG_MMAPDEMO=y (driver and KUnit tests;
#                  allnoconfig + scripts/configs/lint-{m,y}.config in
#                  $MMAPDEMO_CACHE/build/lint-m, lint-y)
#   sparse         make C=2 CHECK=<sparse> W=1 in lint-m, with sid's sparse
#                  (Debian 12's 0.6.4 cannot parse 7.3) built once from its
#                  Debian source package into $MMAPDEMO_CACHE/tools/sparse
#   coccicheck     make coccicheck MODE=report M=drivers/misc/mmapdemo
#   kconfig-help   every config of the driver's Kconfig files: help >= 3 lines
#   spdx           an SPDX-License-Identifier line on every file the series adds
#   module-description  MODULE_DESCRIPTION() in every module the Makefiles build
#   kconfig-symbols     scripts/checkkconfigsymbols.py --diff base..series
#   per-patch      each commit of the series on its own: make W=1
#                  drivers/misc/mmapdemo/ in lint-m, no error, no warning
#                  (a commit that only touches Documentation/, tools/ or
#                  MAINTAINERS counts as built with the commit before it)
#   signed-series  the series made a submitter's own (scripts/gen-patches.sh
#                  --author, with a test identity): checkpatch --strict on
#                  every patch with no exception accepted (FILE_PATH_CHANGES
#                  is left to the checkpatch check), and every patch
#                  authored and signed off by that identity after its
#                  Assisted-by: trailer, the MAINTAINERS entry naming it
#   b4-check       b4 prep --check (b4 0.14, from trixie) on that signed series
#                  applied to the base: every message b4 reports is a finding,
#                  but for checkpatch's FILE_PATH_CHANGES, which the
#                  checkpatch check judges against the MAINTAINERS entry
#   htmldocs       make SPHINXDIRS=misc-devices htmldocs (Debian's Sphinx, in
#                  $MMAPDEMO_CACHE/build/lint-docs): no warning that mentions
#                  mmapdemo (the base tree has warnings of its own)
#   htmldocs-figures  that page opened in headless Chromium: every
#                  kernel-figure of mmapdemo.rst loads as an image, no DOT
#                  source is left on the page
#                  (scripts/check-rendered-figures.py); the screenshot is
#                  $MMAPDEMO_CACHE/results/htmldocs-figures.png.  It reads
#                  what htmldocs wrote, so asking for it runs htmldocs too.
#   out-of-tree    drivers-misc-mmapdemo/ built as an external module against
#                  a kernel WITHOUT the series ($MMAPDEMO_CACHE/build/lint-base,
#                  allnoconfig + scripts/configs/lint-base.config, prepared
#                  with make modules_prepare, not built), the README's
#                  "Out-of-tree module" command: mmapdemo.ko, no warning
#                  (modpost's notes on the missing Module.symvers are
#                  listed as accepted)
#
# Output: the findings (on stderr), then a table on stdout, one line per
# check: check, files, findings, log; and "lint: N checks, N findings".
# Every finding is also in $MMAPDEMO_CACHE/results/lint-findings.txt, and
# $MMAPDEMO_CACHE/results/lint.json has check, files, findings, log (plus
# the finding texts).  Exit status 1 on any finding, or when a check could
# not run (that counts as a finding).
#
# Builds are incremental and go through ccache; compiles of the driver are
# redone on every run so that their warnings show again.  It takes a lock
# of its own (not the one of the guest scripts), so it can run beside them.
# Environment: MMAPDEMO_PATCHES (another series folder), MMAPDEMO_JOBS
# (make -j, default nproc), KDIR (see scripts/kernel-tree.sh).
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

ALL_CHECKS="checkpatch kernel-doc build-m build-y sparse coccicheck kconfig-help spdx module-description kconfig-symbols per-patch signed-series b4-check htmldocs htmldocs-figures out-of-tree"

# Per kernel (KERNEL_SUFFIX is -6.12 for MMAPDEMO_KERNEL=6.12, see lib.sh):
# a 6.12 lint must not rebuild the 7.3 folders.
LINT_TREE=$WORK_DIR/lint$KERNEL_SUFFIX
LINT_M=$MMAPDEMO_CACHE/build/lint-m$KERNEL_SUFFIX
LINT_Y=$MMAPDEMO_CACHE/build/lint-y$KERNEL_SUFFIX
LINT_BASE=$MMAPDEMO_CACHE/build/lint-base$KERNEL_SUFFIX
LINT_DOCS=$MMAPDEMO_CACHE/build/lint-docs$KERNEL_SUFFIX
OOT_COPY=$WORK_DIR/lint-oot$KERNEL_SUFFIX/mmapdemo
SPARSE_DIR=$MMAPDEMO_CACHE/tools/sparse
SPARSE=$SPARSE_DIR/bin/sparse
SID_APT=$APT_DIR/sid-src               # private apt: deb-src of sid, for sparse
LINT_STATE=$STATE_DIR/lint             # per-check findings of this run
CONFIGS=$SCRIPTS_DIR/configs
DRIVER=drivers/misc/mmapdemo
UAPI_HEADER=include/uapi/linux/mmapdemo.h
JOBS=${MMAPDEMO_JOBS:-$(nproc)}
# How many findings of one check are printed (all are in the results).
SHOW_MAX=${MMAPDEMO_LINT_SHOW:-25}

case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
esac
checks=${*:-$ALL_CHECKS}
for c in $checks; do
	case " $ALL_CHECKS " in
	*" $c "*) ;;
	*) die "unknown check: $c" "run $0 --help for the list of checks" ;;
	esac
done
case " $checks " in
*" htmldocs-figures "*) case " $checks " in *" htmldocs "*) ;; *) checks="htmldocs $checks" ;; esac ;;
esac
wanted() { case " $checks " in *" $1 "*) return 0 ;; esac; return 1; }

# One lint at a time per cache (they share the worktree and build folders);
# the guest scripts' lock is not needed: nothing here touches their folders.
mkdir -p "$STATE_DIR" "$LOG_DIR" "$RESULTS_DIR"
exec 8>"$STATE_DIR/lint.lock"
if ! flock -n 8; then
	info "another scripts/lint.sh is using $MMAPDEMO_CACHE: waiting for it to finish"
	flock 8
fi

"$SCRIPTS_DIR/deps.sh" || die "installing the host packages failed" "see the messages above"
use_build_env
base_tree_info # sets BASE_TREE, BASE_COMMIT

# ---------------------------------------------------- findings bookkeeping --
# For each check: $LINT_STATE/CHECK.files (what was checked), .log (its
# log), .findings (one per line), .accepted (checkpatch only).
rm -rf "$LINT_STATE"
mkdir -p "$LINT_STATE"

# finding CHECK TEXT...
finding() {
	_fc=$1
	shift
	printf '%s\n' "$*" >>"$LINT_STATE/$_fc.findings"
}
# findings_from CHECK FILE: every line of FILE is a finding.
findings_from() {
	[ -s "$2" ] && cat "$2" >>"$LINT_STATE/$1.findings"
	return 0
}
# checked CHECK FILES LOG: what the check looked at, and its log.
checked() {
	printf '%s\n' "$2" >"$LINT_STATE/$1.files"
	printf '%s\n' "$3" >"$LINT_STATE/$1.log"
	: >>"$LINT_STATE/$1.findings"
}
count_findings() {
	if [ -s "$LINT_STATE/$1.findings" ]; then grep -c . "$LINT_STATE/$1.findings"; else echo 0; fi
}
short_hash() { printf '%s' "$1" | cut -c1-12; }

# strip_paths: make the tools' absolute paths relative to the tree.
strip_paths() {
	sed -e "s#$LINT_TREE/##g" -e "s#$OOT_COPY/#drivers-misc-mmapdemo/#g" \
		-e "s#^\\(\\.\\./\\)*##"
}

# build_findings LOG: compiler, modpost and kbuild warnings/errors of a make log.
build_findings() {
	strip_paths <"$1" | grep -E ': (warning|error): |^(WARNING|ERROR): |^make.*\*\*\* ' |
		grep -v '^make\[[0-9]*\]: \*\*\* \[.*\] Error [0-9]*$' |
		awk '!seen[$0]++' || true
}

# ---------------------------------------------------------- the worktree --
# ensure_lint_tree: $LINT_TREE is a worktree of the base repository (a
# worktree of another base, KDIR having changed, is made anew).
ensure_lint_tree() {
	_common=$(CDPATH='' cd -- "$BASE_TREE" && cd -- "$(git rev-parse --git-common-dir)" && pwd)
	if [ -d "$LINT_TREE" ]; then
		_owner=$(git -C "$LINT_TREE" rev-parse --git-common-dir 2>/dev/null || true)
		if [ -n "$_owner" ] && [ "$(CDPATH='' cd -- "$LINT_TREE" && cd -- "$_owner" && pwd)" = "$_common" ]; then
			return 0
		fi
		warn "$LINT_TREE does not belong to $BASE_TREE: recreating it"
		rm -rf "$LINT_TREE"
	fi
	git -C "$BASE_TREE" worktree prune
	mkdir -p "$WORK_DIR"
	step "Checking out a worktree at $LINT_TREE (once)"
	RL_STATUS="du -sh '$LINT_TREE' | cut -f1 | sed 's/\$/ checked out/'" \
		run_logged lint-worktree git -C "$BASE_TREE" worktree add --detach "$LINT_TREE" "$BASE_COMMIT" ||
		die "git worktree add $LINT_TREE failed" "see $LOG_DIR/lint-worktree.log; remove $LINT_TREE and rerun scripts/lint.sh"
}

# to_commit REV: check out REV in the lint tree (only changed files are
# rewritten, so the builds stay incremental).
to_commit() {
	git -C "$LINT_TREE" checkout -q -f --detach "$1" ||
		die "could not check out $1 in $LINT_TREE" "remove $LINT_TREE and rerun scripts/lint.sh"
}

# ------------------------------------------------------------ kernel config --
# config_hash FRAGMENT: everything that decides the .config made from it
# at the lint tree's HEAD (the fragment, the tools, every Kconfig file).
config_hash() {
	{
		echo "PATH=$PATH"
		cat "$1"
		git -C "$LINT_TREE" ls-tree -r HEAD |
			awk -F'\t' '$2 ~ /(^|\/)Kconfig[^\/]*$/ || $2 ~ /^scripts\/kconfig\//'
	} | sha256_of_stdin
}

# configure NAME BUILD_DIR FRAGMENT [strict]: allnoconfig + FRAGMENT, redone
# only when config_hash changed.  strict: every value of FRAGMENT must be
# in the result (a missing dependency is an error).
configure() {
	cf_name=$1 cf_bdir=$2 cf_frag=$3 cf_strict=${4:-}
	cf_want=$(config_hash "$cf_frag")
	if [ -f "$cf_bdir/.config" ] && [ "$(cat "$cf_bdir/.mmapdemo-lint-config" 2>/dev/null)" = "$cf_want" ]; then
		return 0
	fi
	info "configuring $cf_bdir: allnoconfig + $(basename "$cf_frag")"
	mkdir -p "$cf_bdir"
	rm -f "$cf_bdir/.mmapdemo-lint-config"
	run_logged "lint-config-$cf_name" make -C "$LINT_TREE" O="$cf_bdir" \
		KCONFIG_ALLCONFIG="$cf_frag" allnoconfig || return 1
	if [ "$cf_strict" = strict ]; then
		cf_missing=$(awk 'FNR == NR { have[$0] = 1; next }
			/^CONFIG_[A-Za-z0-9_]+=/ && !($0 in have) { print }' "$cf_bdir/.config" "$cf_frag")
		if [ -n "$cf_missing" ]; then
			printf '%s\n' "$cf_missing" | sed "s/^/[$PROG]   not in the .config: /" >&2
			die "$(basename "$cf_frag") did not end up in $cf_bdir/.config (a dependency is missing)" \
				"add the missing dependency to $cf_frag"
		fi
	fi
	printf '%s\n' "$cf_want" >"$cf_bdir/.mmapdemo-lint-config"
}

# build_driver NAME BUILD_DIR [MAKE ARGS...]: make W=1 drivers/misc/mmapdemo/,
# its objects removed first so that every warning shows again (ccache
# replays them at no cost).
build_driver() {
	bd_name=$1 bd_bdir=$2
	shift 2
	rm -rf "${bd_bdir:?}/$DRIVER"
	run_logged "$bd_name" make -C "$LINT_TREE" O="$bd_bdir" -j"$JOBS" W=1 "$@" "$DRIVER/"
}

driver_sources() {
	(cd "$LINT_TREE" && find "$DRIVER" -name '*.[ch]' | LC_ALL=C sort)
}

# ---------------------------------------------------------------- sparse --
# apt-get options of a private deb-src list of sid, with its own lists
# folder (the trixie lists of lib.sh's private apt stay as they are).  A
# string, for run_logged (which runs programs, not this file's functions).
SID_APT_OPTS="-o Dir::Etc::SourceList=$SID_APT/sources.list -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$SID_APT/lists -o Dir::Cache::Archives=$SID_APT/archives
	-o Dir::Cache::pkgcache=$SID_APT/pkgcache.bin -o Dir::Cache::srcpkgcache=$SID_APT/srcpkgcache.bin
	-o APT::Sandbox::User=root"

# sparse_parses_7_3: the 7.3 headers use __typeof_unqual__ under __CHECKER__.
sparse_parses_7_3() {
	# sparse exits 0 even on errors: any output is a failure.
	printf 'static int x;\nstatic __typeof_unqual__(x) y;\nint z(void);\nint z(void) { return x + y; }\n' \
		>"$SPARSE_DIR/probe.c"
	_out=$("$SPARSE" "$SPARSE_DIR/probe.c" 2>&1) && [ -z "$_out" ]
}

ensure_sparse() {
	if [ -x "$SPARSE" ] && sparse_parses_7_3; then
		return 0
	fi
	step "Building sparse from sid's source package into $SPARSE_DIR (once)"
	_archive=$(debian_archive_uri)
	[ -n "$_archive" ] || die "could not find a Debian archive in the system's apt configuration" \
		"add a Debian archive to /etc/apt/sources.list.d and run apt-get update"
	mkdir -p "$SID_APT/lists/partial" "$SID_APT/archives/partial" "$SPARSE_DIR"
	printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s sid main\n' \
		"$_archive" >"$SID_APT/sources.list"
	# shellcheck disable=SC2086 # options, split on purpose
	run_logged lint-sparse-apt-update apt-get $SID_APT_OPTS update ||
		die "apt-get update of the private sid deb-src list failed" \
			"see $LOG_DIR/lint-sparse-apt-update.log; check access to the Debian archive"
	rm -rf "$SPARSE_DIR/dl" "$SPARSE_DIR/src"
	mkdir -p "$SPARSE_DIR/dl"
	# shellcheck disable=SC2086
	run_logged lint-sparse-download in_dir "$SPARSE_DIR/dl" apt-get $SID_APT_OPTS source --download-only sparse ||
		die "could not download sid's sparse source package" "see $LOG_DIR/lint-sparse-download.log"
	_dsc=$(ls "$SPARSE_DIR"/dl/sparse_*.dsc)
	# The Debian patches are applied; their CC=gcc-NN is overridden below
	# (Debian 12 has gcc 12). apt checked the files against the signed index.
	run_logged lint-sparse-build sh -c '
		set -e
		dpkg-source --no-check -x "$1" "$2/src"
		make -C "$2/src" -j"$3" CC=gcc HAVE_LLVM=no HAVE_GTK=no HAVE_SQLITE=no HAVE_LIBXML=no sparse
		mkdir -p "$2/bin"
		cp "$2/src/sparse" "$2/bin/sparse"
	' sh "$_dsc" "$SPARSE_DIR" "$JOBS" ||
		die "building sparse from $(basename "$_dsc") failed" "see $LOG_DIR/lint-sparse-build.log"
	basename "$_dsc" .dsc >"$SPARSE_DIR/VERSION"
	sparse_parses_7_3 ||
		die "the sparse built from $(basename "$_dsc") does not parse __typeof_unqual__ either" \
			"check $SPARSE_DIR/probe.c by hand; a newer sparse is needed for 7.3"
	info "sparse: $(cat "$SPARSE_DIR/VERSION") in $SPARSE"
}

# ------------------------------------------------------------ the checks --

check_checkpatch() {
	_log=$LOG_DIR/lint-checkpatch.log
	_n=0
	: >"$_log"
	# The MAINTAINERS entry the series adds: its title and F:/X: lines.
	_entry=$LINT_STATE/maintainers-entry
	git -C "$LINT_TREE" diff "$BASE_COMMIT" HEAD -- MAINTAINERS | sed -n 's/^+\([^+]\)/\1/p' >"$_entry"
	_title=$(grep -m1 -E '^[A-Z0-9][^:]' "$_entry" || true)
	for _p in $patch_list; do
		_n=$((_n + 1))
		_id=$(basename "$_p" | cut -c1-4)
		(cd "$LINT_TREE" && scripts/checkpatch.pl --strict --show-types "$_p") >"$LINT_STATE/cp.out" 2>&1 || true
		{
			printf '=== %s\n' "$(basename "$_p")"
			cat "$LINT_STATE/cp.out"
		} >>"$_log"
		# One line per message: level, type, where, text.
		awk -v OFS='\t' '
			/^(ERROR|WARNING|CHECK):[A-Z0-9_]+: / {
				if (msg != "") print lvl, typ, "-", msg
				split($0, f, ":"); lvl = f[1]; typ = f[2]
				msg = substr($0, length(lvl) + length(typ) + 4); next
			}
			msg != "" && /^#[0-9]+: FILE: / {
				where = $3; sub(/:$/, "", where); print lvl, typ, where, msg; msg = ""; next
			}
			msg != "" && /^#[0-9]+:/ { print lvl, typ, "patch line " substr($1, 2, length($1) - 2), msg; msg = ""; next }
			msg != "" && /^$/ { print lvl, typ, "-", msg; msg = "" }
			END { if (msg != "") print lvl, typ, "-", msg }' "$LINT_STATE/cp.out" >"$LINT_STATE/cp.$_id"
		_added=$(sed -n '/^diff --git /{s#^diff --git a/\([^ ]*\) b/.*#\1#;h}
			/^\(new\|deleted\) file mode/{x;p;x}
			/^rename from /{s/^rename from //;p}' "$_p")
		while IFS="$(printf '\t')" read -r _lvl _type _where _msg; do
			case $_where in
			-) _what="$_id: $_lvl $_type: $_msg" ;;
			*) _what="$_id: $_where: $_lvl $_type: $_msg" ;;
			esac
			case $_type in
			MISSING_SIGN_OFF)
				printf '%s (whoever applies the series adds it: git am -s)\n' "$_what" >>"$LINT_STATE/checkpatch.accepted"
				continue
				;;
			BAD_SIGN_OFF)
				# 6.12's checkpatch wants "Assisted-by: AGENT:MODEL";
				# the trailer follows 7.x's coding-assistants.rst and
				# checkpatch, which take a free-form "LLM".
				case $_msg in
				"Assisted-by expects"*)
					printf '%s (the Assisted-by form of 7.x, kept for every series)\n' "$_what" >>"$LINT_STATE/checkpatch.accepted"
					continue
					;;
				esac
				;;
			FILE_PATH_CHANGES)
				if [ -z "$_title" ]; then
					finding checkpatch "$_what (the series adds no MAINTAINERS entry)"
					continue
				fi
				_uncovered=
				for _f in $_added; do
					covered "$_f" "$_entry" || _uncovered="$_uncovered $_f"
				done
				if [ -z "$_uncovered" ]; then
					printf '%s (every file it adds is in MAINTAINERS "%s")\n' "$_what" "$_title" >>"$LINT_STATE/checkpatch.accepted"
				else
					finding checkpatch "$_what (not in MAINTAINERS \"$_title\":$_uncovered)"
				fi
				continue
				;;
			esac
			finding checkpatch "$_what"
		done <"$LINT_STATE/cp.$_id"
		info "$(basename "$_p"): $(grep '^total:' "$LINT_STATE/cp.out" | sed 's/ lines checked//')"
	done
	checked checkpatch "$_n patches" "$_log"
}

# covered FILE ENTRY: FILE matches an F: pattern of the MAINTAINERS entry
# and no X: pattern (as get_maintainer.pl matches them: "dir/" is
# everything below, a wildcard stays within its directory level).
covered() {
	_cf=$1
	_hit=1
	while read -r _tag _pat; do
		case $_tag in F: | X:) ;; *) continue ;; esac
		_m=1
		case $_pat in
		*/) case $_cf in "$_pat"*) _m=0 ;; esac ;;
		*)
			# shellcheck disable=SC2254 # the pattern is a glob on purpose
			case $_cf in $_pat)
				[ "$(printf '%s' "$_cf" | tr -cd /)" = "$(printf '%s' "$_pat" | tr -cd /)" ] && _m=0
				;;
			esac
			;;
		esac
		if [ "$_m" -eq 0 ]; then
			[ "$_tag" = X: ] && return 1
			_hit=0
		fi
	done <"$2"
	return "$_hit"
}

check_kernel_doc() {
	_log=$LOG_DIR/lint-kernel-doc.log
	_files="$(driver_sources) $UAPI_HEADER"
	# shellcheck disable=SC2086 # a list of paths without blanks
	(cd "$LINT_TREE" && scripts/kernel-doc -none -Wall $_files) >"$_log" 2>&1 ||
		finding kernel-doc "scripts/kernel-doc exited with status $? (see the log)"
	# It prints some warnings twice.
	grep -iE '^(warning|error)' "$_log" | awk '!seen[$0]++' >"$LINT_STATE/kd.out" || true
	findings_from kernel-doc "$LINT_STATE/kd.out"
	# shellcheck disable=SC2086
	checked kernel-doc "$(echo $_files | wc -w) files" "$_log"
}

# check_build NAME BUILD_DIR FRAGMENT
check_build() {
	cb_name=$1 cb_bdir=$2 cb_frag=$3
	if ! configure "$cb_name" "$cb_bdir" "$cb_frag" strict; then
		finding "$cb_name" "configuring $cb_bdir failed (see $LOG_DIR/lint-config-$cb_name.log)"
		checked "$cb_name" "$DRIVER/" "$LOG_DIR/lint-config-$cb_name.log"
		return 0
	fi
	cb_rc=0
	build_driver "lint-$cb_name" "$cb_bdir" || cb_rc=$?
	build_findings "$LOG_DIR/lint-$cb_name.log" >"$LINT_STATE/b.out"
	findings_from "$cb_name" "$LINT_STATE/b.out"
	if [ "$cb_rc" -ne 0 ] && [ ! -s "$LINT_STATE/b.out" ]; then
		finding "$cb_name" "make failed with status $cb_rc (see the log)"
	fi
	checked "$cb_name" "$(driver_sources | grep -c '\.c$') .c files" "$LOG_DIR/lint-$cb_name.log"
}

check_sparse() {
	ensure_sparse
	_log=$LOG_DIR/lint-sparse.log
	if ! configure build-m "$LINT_M" "$CONFIGS/lint-m.config" strict; then
		finding sparse "configuring $LINT_M failed (see $LOG_DIR/lint-config-build-m.log)"
		checked sparse "$DRIVER/" "$LOG_DIR/lint-config-build-m.log"
		return 0
	fi
	# C=2: every file is checked, whether or not make recompiles it.
	_rc=0
	run_logged lint-sparse make -C "$LINT_TREE" O="$LINT_M" -j"$JOBS" W=1 C=2 CHECK="$SPARSE" "$DRIVER/" || _rc=$?
	build_findings "$_log" >"$LINT_STATE/s.out"
	findings_from sparse "$LINT_STATE/s.out"
	if [ "$_rc" -ne 0 ] && [ ! -s "$LINT_STATE/s.out" ]; then
		finding sparse "make C=2 failed with status $_rc (see the log)"
	fi
	checked sparse "$(grep -c '^  CHECK   .*mmapdemo' "$_log" || true) files ($(cat "$SPARSE_DIR/VERSION"))" "$_log"
}

check_coccicheck() {
	_log=$LOG_DIR/lint-coccicheck.log
	_ncocci=$(find "$LINT_TREE/scripts/coccinelle" -name '*.cocci' | wc -l)
	step "coccicheck: $_ncocci semantic patches on $DRIVER (a few minutes)"
	_rc=0
	RL_STATUS="printf '%s/$_ncocci semantic patches, now %s\n' \"\$(grep -c '^/usr/bin/spatch ' '$_log')\" \"\$(grep -o 'cocci-file [^ ]*' '$_log' | tail -n 1 | sed 's#.*/##')\"" \
		run_logged lint-coccicheck make -C "$LINT_TREE" coccicheck MODE=report M="$DRIVER" J="$JOBS" || _rc=$?
	# Reports look like ./core.c:12:3-9: WARNING: ...
	strip_paths <"$_log" | grep -E '^[^ ]+:[0-9]+:[0-9]+-[0-9]+: ' |
		sed "s#^\\./#$DRIVER/#" | awk '!seen[$0]++' >"$LINT_STATE/c.out" || true
	findings_from coccicheck "$LINT_STATE/c.out"
	[ "$_rc" -eq 0 ] || finding coccicheck "make coccicheck failed with status $_rc (see the log)"
	checked coccicheck "$(driver_sources | wc -l) files, $_ncocci scripts" "$_log"
}

check_kconfig_help() {
	_log=$LOG_DIR/lint-kconfig-help.log
	_kconfigs=$(cd "$LINT_TREE" && find "$DRIVER" -name 'Kconfig*' | LC_ALL=C sort)
	# shellcheck disable=SC2086 # paths without blanks
	(cd "$LINT_TREE" && awk '
		function width(s,   i, c, w) {
			w = 0
			for (i = 1; i <= length(s); i++) {
				c = substr(s, i, 1)
				if (c == " ") w++
				else if (c == "\t") w = w - w % 8 + 8
				else break
			}
			return w
		}
		function flush() {
			if (sym != "") {
				printf "%s:%d: config %s: %d help line(s)\n", file, at, sym, n
				if (n < 3) printf "FINDING %s:%d: config %s: help text has %d line(s), wants at least 3\n", file, at, sym, n
			}
			sym = ""; inhelp = 0; n = 0
		}
		FNR == 1 { flush() }
		inhelp {
			if ($0 ~ /^[ \t]*$/) next
			if (hw < 0) hw = width($0)
			if (width($0) >= hw) { n++; next }
			inhelp = 0
		}
		/^[ \t]*(config|menuconfig)[ \t]/ { flush(); sym = $2; file = FILENAME; at = FNR; next }
		/^[ \t]*(choice|endchoice|menu|endmenu|if|endif|source|comment|mainmenu)([ \t]|$)/ { flush(); next }
		/^[ \t]*(help|---help---)[ \t]*$/ && sym != "" { inhelp = 1; hw = -1; next }
		END { flush() }' $_kconfigs) >"$_log" 2>&1 || finding kconfig-help "parsing the Kconfig files failed (see the log)"
	sed -n 's/^FINDING //p' "$_log" >"$LINT_STATE/k.out"
	findings_from kconfig-help "$LINT_STATE/k.out"
	checked kconfig-help "$(grep -c 'help line(s)$' "$_log") configs in $(echo "$_kconfigs" | wc -l) files" "$_log"
}

check_spdx() {
	_log=$LOG_DIR/lint-spdx.log
	git -C "$LINT_TREE" diff --name-only --diff-filter=A "$BASE_COMMIT" HEAD >"$LINT_STATE/added"
	: >"$_log"
	while read -r _f; do
		# license-rules.rst: the first line, the second after a #! line.
		_l=$(head -n 2 "$LINT_TREE/$_f" | awk 'NR == 1 && /^#!/ { next } { print; exit }')
		case $_l in
		*SPDX-License-Identifier:*) printf '%s: %s\n' "$_f" "$_l" >>"$_log" ;;
		*)
			printf '%s: no SPDX line\n' "$_f" >>"$_log"
			finding spdx "$_f:1: no SPDX-License-Identifier line"
			;;
		esac
	done <"$LINT_STATE/added"
	checked spdx "$(grep -c . "$LINT_STATE/added") added files" "$_log"
}

check_module_description() {
	_log=$LOG_DIR/lint-module-description.log
	: >"$_log"
	_nmod=0
	for _mk in $(cd "$LINT_TREE" && find "$DRIVER" -name Makefile -o -name Kbuild | LC_ALL=C sort); do
		_dir=$(dirname "$_mk")
		for _mod in $(sed -n 's/^obj-[^+:=]*[+:]\{0,1\}=\(.*\)$/\1/p' "$LINT_TREE/$_mk" | tr -s '[:blank:]' '\n' | sed -n 's/\.o$//p'); do
			_nmod=$((_nmod + 1))
			_objs=$(sed -n "s/^$_mod-\\(y\\|objs\\)[ \t]*[+:]\\{0,1\\}=//p" "$LINT_TREE/$_mk" | tr -s '[:blank:]' '\n')
			[ -n "$_objs" ] || _objs=$_mod.o
			_srcs=
			for _o in $_objs; do
				[ -f "$LINT_TREE/$_dir/${_o%.o}.c" ] && _srcs="$_srcs $_dir/${_o%.o}.c"
			done
			# shellcheck disable=SC2086 # paths without blanks
			_with=$(cd "$LINT_TREE" && grep -l 'MODULE_DESCRIPTION(' $_srcs /dev/null | tr '\n' ' ') || true
			if [ -n "$_with" ]; then
				printf '%s/%s.ko: MODULE_DESCRIPTION in %s\n' "$_dir" "$_mod" "$_with" >>"$_log"
			else
				printf '%s/%s.ko: no MODULE_DESCRIPTION in%s\n' "$_dir" "$_mod" "$_srcs" >>"$_log"
				finding module-description "$_dir/$_mod.ko: no MODULE_DESCRIPTION() in its sources:$_srcs"
			fi
		done
	done
	checked module-description "$_nmod modules" "$_log"
}

check_kconfig_symbols() {
	_log=$LOG_DIR/lint-kconfig-symbols.log
	_rc=0
	# It runs `git reset --hard` to each end of the range, then back.
	run_logged lint-kconfig-symbols in_dir "$LINT_TREE" python3 scripts/checkkconfigsymbols.py \
		--diff "$BASE_COMMIT..$series_commit" || _rc=$?
	to_commit "$series_commit"
	# Its report: the symbol, then "Referencing files: ...".
	grep -v '^#' "$_log" | awk '
		/^Referencing files: / { sub(/^Referencing files: /, ""); print sym ": undefined, referenced in " $0; next }
		/^Similar symbols: / { next }
		NF { sym = $0 }' >"$LINT_STATE/ks.out"
	findings_from kconfig-symbols "$LINT_STATE/ks.out"
	if [ "$_rc" -ne 0 ] && [ ! -s "$LINT_STATE/ks.out" ]; then
		finding kconfig-symbols "checkkconfigsymbols.py failed with status $_rc (see the log)"
	fi
	checked kconfig-symbols "$ncommits commits" "$_log"
}

check_per_patch() {
	_log=$LOG_DIR/lint-per-patch.log
	: >"$_log"
	_i=0
	_built=
	for _c in $(git -C "$LINT_TREE" rev-list --reverse "$BASE_COMMIT..$series_commit"); do
		_i=$((_i + 1))
		_subject=$(git -C "$LINT_TREE" log -1 --format=%s "$_c")
		to_commit "$_c"
		printf '=== %d/%d %s %s\n' "$_i" "$ncommits" "$(short_hash "$_c")" "$_subject" >>"$_log"
		if [ ! -f "$LINT_TREE/$DRIVER/Makefile" ]; then
			printf 'no %s/Makefile yet: nothing to build\n' "$DRIVER" >>"$_log"
			continue
		fi
		# A commit that only touches documentation, tools/ (selftests) or
		# MAINTAINERS builds the driver as the one before it did.
		if [ -n "$_built" ] && [ -z "$(git -C "$LINT_TREE" diff --name-only "$_built" "$_c" |
			grep -v -E '^(Documentation/|tools/|MAINTAINERS$)' || true)" ]; then
			printf 'changes nothing the driver build reads: built as %s\n' "$(short_hash "$_built")" >>"$_log"
			info "patch $_i/$ncommits: $_subject (nothing the build reads changed)"
			continue
		fi
		_built=$_c
		info "patch $_i/$ncommits: $_subject"
		# Without strict: an early patch does not know the KUnit symbols yet.
		if ! configure build-m "$LINT_M" "$CONFIGS/lint-m.config"; then
			finding per-patch "$_i/$ncommits \"$_subject\": configuring failed (see $LOG_DIR/lint-config-build-m.log)"
			continue
		fi
		_rc=0
		build_driver lint-per-patch-step "$LINT_M" >/dev/null 2>&1 || _rc=$?
		cat "$LOG_DIR/lint-per-patch-step.log" >>"$_log"
		build_findings "$LOG_DIR/lint-per-patch-step.log" >"$LINT_STATE/pp.out"
		sed "s#^#$_i/$ncommits \"$_subject\": #" "$LINT_STATE/pp.out" >>"$LINT_STATE/per-patch.findings"
		if [ "$_rc" -ne 0 ] && [ ! -s "$LINT_STATE/pp.out" ]; then
			finding per-patch "$_i/$ncommits \"$_subject\": make failed with status $_rc"
		fi
		[ "$_rc" -eq 0 ] && [ ! -s "$LINT_STATE/pp.out" ] && info "  clean"
		[ -s "$LINT_STATE/pp.out" ] && warn "  $(grep -c . "$LINT_STATE/pp.out") warning(s)/error(s)"
	done
	rm -f "$LOG_DIR/lint-per-patch-step.log"
	to_commit "$series_commit"
	checked per-patch "$ncommits commits" "$_log"
}

# The identity signed-series makes the series for: any real-looking name
# and address would do.
SIGNED_NAME="Ada Lovelace"
SIGNED_EMAIL="ada@example.org"
SIGNED_AUTHOR="$SIGNED_NAME <$SIGNED_EMAIL>"

SIGNED_SERIES=$LINT_STATE/signed

# make_signed_series LOG: the series as $SIGNED_AUTHOR's, in $SIGNED_SERIES.
make_signed_series() {
	rm -rf "$SIGNED_SERIES"
	python3 "$SCRIPTS_DIR/gen-patches.py" --kernel "${MMAPDEMO_KERNEL:-7.3}" --base-tree "$BASE_TREE" \
		--base "$BASE_COMMIT" --author "$SIGNED_AUTHOR" --out "$SIGNED_SERIES" >"$1" 2>&1
}

check_signed_series() {
	_log=$LOG_DIR/lint-signed-series.log
	_out=$SIGNED_SERIES
	if ! make_signed_series "$_log"; then
		finding signed-series "gen-patches.py --author failed (see the log)"
		checked signed-series "(not made)" "$_log"
		return
	fi
	_n=0
	for _p in "$_out"/*.patch; do
		_name=$(basename "$_p")
		_n=$((_n + 1))
		grep -q "^From: $SIGNED_AUTHOR\$" "$_p" ||
			finding signed-series "$_name: not authored by $SIGNED_AUTHOR"
		case $_name in 0000-*) continue ;; esac
		# The last two trailers: the assistant's, then the submitter's sign-off.
		_tail=$(sed -n '/^---$/q;p' "$_p" | grep -E '^[A-Za-z-]+: ' | tail -n 2)
		[ "$(printf '%s\n' "$_tail" | sed -n 2p)" = "Signed-off-by: $SIGNED_AUTHOR" ] &&
			printf '%s\n' "$_tail" | sed -n 1p | grep -q '^Assisted-by: ' ||
			finding signed-series "$_name: does not end with Assisted-by: then Signed-off-by: $SIGNED_AUTHOR"
		(cd "$LINT_TREE" && scripts/checkpatch.pl --strict --show-types "$_p") >"$LINT_STATE/sp.out" 2>&1 || true
		{
			printf '=== %s\n' "$_name"
			cat "$LINT_STATE/sp.out"
		} >>"$_log"
		# FILE_PATH_CHANGES is the checkpatch check's to judge: the
		# same files, the same MAINTAINERS entry.
		grep -E '^(ERROR|WARNING|CHECK):' "$LINT_STATE/sp.out" | grep -v '^WARNING:FILE_PATH_CHANGES:' |
			sed "s/^/$_name: /" >>"$LINT_STATE/signed-series.findings" || true
	done
	grep -q "^+M:	$SIGNED_AUTHOR\$" "$_out"/*MAINTAINERS*.patch ||
		finding signed-series "the MAINTAINERS entry does not name $SIGNED_AUTHOR as maintainer"
	checked signed-series "$_n patches as $SIGNED_AUTHOR" "$_log"
}

# b4 keeps what it tracks in the branch's configuration: a branch of its
# own, removed again afterwards.
B4_BRANCH=mmapdemo-b4-check

check_b4() {
	_log=$LOG_DIR/lint-b4-check.log
	: >"$_log"
	if ! command -v b4 >/dev/null; then
		finding b4-check "b4 is not installed (scripts/deps.sh installs it from trixie)"
		checked b4-check "(b4 missing)" "$_log"
		return
	fi
	if [ ! -d "$SIGNED_SERIES" ] && ! make_signed_series "$_log"; then
		finding b4-check "gen-patches.py --author failed (see the log)"
		checked b4-check "(no series)" "$_log"
		return
	fi
	# shellcheck disable=SC2046 # one path per line, no blanks
	set -- $(ls "$SIGNED_SERIES"/*.patch | grep -v '/0000-')
	(
		# b4 asks git for the identity of the series it prepares, and
		# finds its cover letter by that committer within the last year:
		# not lint's fixed committer and date.
		export GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="$SIGNED_NAME"
		export GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1="$SIGNED_EMAIL"
		export GIT_COMMITTER_NAME="$SIGNED_NAME" GIT_COMMITTER_EMAIL="$SIGNED_EMAIL"
		unset GIT_COMMITTER_DATE
		cd "$LINT_TREE" &&
			git checkout -q -f -B "$B4_BRANCH" "$BASE_COMMIT" &&
			git am -q "$@" &&
			b4 --version &&
			b4 prep --enroll "$BASE_COMMIT" &&
			b4 prep --check
	) >>"$_log" 2>&1 || finding b4-check "b4 prep could not run (see the log)"
	to_commit "$series_commit"
	git -C "$LINT_TREE" branch -q -D "$B4_BRANCH" 2>/dev/null || true
	git -C "$LINT_TREE" config --remove-section "branch.$B4_BRANCH" 2>/dev/null || true
	# Its report: one line per patch, then one indented line per message.
	sed 's/\x1b\[[0-9;]*m//g' "$_log" | awk '
		/^---$/ { inside = !inside; next }
		inside && /^[^ ]/ { patch = $0; sub(/^[^ ]* /, "", patch) }
		inside && /^  / { msg = $0; sub(/^ *[^ ]* /, "", msg); print patch ": " msg }' |
		grep -v 'does MAINTAINERS need updating' >"$LINT_STATE/b4.out" || true
	findings_from b4-check "$LINT_STATE/b4.out"
	grep -q '^Success: [0-9]*, Warning: [0-9]*, Error: [0-9]*' "$_log" ||
		finding b4-check "b4 prep --check printed no summary (see the log)"
	checked b4-check "$(grep -o '^Success: .*' "$_log" | tail -n 1 || echo '(no summary)')" "$_log"
}

check_htmldocs() {
	_log=$LOG_DIR/lint-htmldocs.log
	# From scratch each time: Sphinx only re-reads changed files, and so
	# would not repeat their warnings.
	rm -rf "$LINT_DOCS"
	mkdir -p "$LINT_DOCS"
	_rc=0
	run_logged lint-htmldocs make -C "$LINT_TREE" O="$LINT_DOCS" SPHINXDIRS=misc-devices htmldocs || _rc=$?
	# The paths name the cache (…/mmapdemo/…): drop them before looking
	# for "mmapdemo".
	strip_paths <"$_log" | sed "s#$LINT_DOCS/##g; s#$MMAPDEMO_CACHE/##g" |
		grep -E '(WARNING|ERROR|SEVERE|CRITICAL)' | grep -i mmapdemo | awk '!seen[$0]++' >"$LINT_STATE/h.out" || true
	findings_from htmldocs "$LINT_STATE/h.out"
	[ "$_rc" -eq 0 ] || finding htmldocs "make htmldocs failed with status $_rc (see the log)"
	[ "$_rc" -ne 0 ] || [ -f "$LINT_DOCS/Documentation/output/misc-devices/mmapdemo.html" ] ||
		finding htmldocs "no misc-devices/mmapdemo.html was written (is mmapdemo in Documentation/misc-devices/index.rst?)"
	_other=$(grep -c 'WARNING' "$_log" || true)
	checked htmldocs "misc-devices (+$((_other - $(grep -c . "$LINT_STATE/h.out"))) not ours)" "$_log"
}

check_htmldocs_figures() {
	_log=$LOG_DIR/lint-htmldocs-figures.log
	_page=$LINT_DOCS/Documentation/output/misc-devices/mmapdemo.html
	if [ ! -f "$_page" ]; then
		finding htmldocs-figures "no page to open: htmldocs wrote no misc-devices/mmapdemo.html"
	else
		_rc=0
		# Its problems on stdout, one per line; its own messages in the log.
		"$SCRIPTS_DIR/check-rendered-figures.py" \
			--rst "$LINT_TREE/Documentation/misc-devices/mmapdemo.rst" --html "$_page" \
			--screenshot "$RESULTS_DIR/htmldocs-figures.png" >"$LINT_STATE/hf.out" 2>"$_log" || _rc=$?
		findings_from htmldocs-figures "$LINT_STATE/hf.out"
		[ "$_rc" -eq 0 ] || [ -s "$LINT_STATE/hf.out" ] ||
			finding htmldocs-figures "check-rendered-figures.py failed with status $_rc (see the log)"
	fi
	checked htmldocs-figures "$(grep -o '^[0-9]* of [0-9]* figures loaded' "$_log" 2>/dev/null || echo 'misc-devices/mmapdemo.html')" "$_log"
}

# The README's "Out-of-tree module" command, against a kernel that has
# never seen the series: the tree is at the base commit here.  The tree is
# prepared (make modules_prepare), not built: compiling a module needs its
# headers, config and tools, not a vmlinux.  Without vmlinux there is no
# Module.symvers, so modpost cannot resolve the kernel's symbols: its
# "Module.symvers is missing" notice and "undefined!" lines are listed as
# accepted, not counted (the guest kernel's build, scripts/build.sh, links
# the same module against its vmlinux, where an unresolved symbol fails).
check_out_of_tree() {
	_log=$LOG_DIR/lint-out-of-tree.log
	if ! configure base "$LINT_BASE" "$CONFIGS/lint-base.config" strict; then
		finding out-of-tree "configuring $LINT_BASE failed (see $LOG_DIR/lint-config-base.log)"
		checked out-of-tree "mmapdemo.ko" "$LOG_DIR/lint-config-base.log"
		return 0
	fi
	step "out-of-tree: preparing the unpatched base tree in $LINT_BASE (make modules_prepare; about a minute the first time)"
	if ! run_logged lint-base-prepare make -C "$LINT_TREE" O="$LINT_BASE" -j"$JOBS" modules_prepare; then
		finding out-of-tree "make modules_prepare in $LINT_BASE failed (see $LOG_DIR/lint-base-prepare.log)"
		checked out-of-tree "mmapdemo.ko" "$LOG_DIR/lint-base-prepare.log"
		return 0
	fi
	rm -rf "$OOT_COPY"
	mkdir -p "$(dirname "$OOT_COPY")"
	if [ -n "$KERNEL_SUFFIX" ]; then
		# A backport builds the driver as its series has it: the sources
		# with the delta of backport/<kernel>/ applied.
		rm -rf "$OOT_COPY.src"
		python3 "$SCRIPTS_DIR/gen-patches.py" --kernel "$KERNEL_MAJOR_MINOR" \
			--backport-tree "$OOT_COPY.src" >/dev/null
		cp -a "$OOT_COPY.src/drivers-misc-mmapdemo" "$OOT_COPY"
		rm -rf "$OOT_COPY.src"
	else
		cp -a "$REPO_DIR/drivers-misc-mmapdemo" "$OOT_COPY"
	fi
	_rc=0
	run_logged lint-out-of-tree make -C "$LINT_BASE" M="$OOT_COPY" -j"$JOBS" \
		CONFIG_MMAPDEMO=m KCFLAGS="-I$OOT_COPY/include" KBUILD_MODPOST_WARN=1 || _rc=$?
	# gcc names the copy's files relative to it.
	build_findings "$_log" | sed 's#^\([^/ :]*\.[ch]:\)#drivers-misc-mmapdemo/\1#' >"$LINT_STATE/o.all"
	# What only a missing Module.symvers causes (see above): accepted.
	# modpost's words for it, in 7.3 and in 6.12.
	_symvers_only='^WARNING: ((.*/)?Module\.symvers is missing\.|modpost: (mmapdemo\.ko: symbol .[A-Za-z0-9_.]+. undefined!|"[A-Za-z0-9_.]+" \[.*mmapdemo\.ko\] undefined!|suppressed [0-9]+ unresolved symbol warnings because there were too many\)))$'
	grep -E "$_symvers_only" \
		"$LINT_STATE/o.all" | sed 's/$/ (a prepared tree has no Module.symvers; the guest build resolves these)/' \
		>"$LINT_STATE/out-of-tree.accepted" || true
	grep -v -E "$_symvers_only" \
		"$LINT_STATE/o.all" >"$LINT_STATE/o.out" || true
	findings_from out-of-tree "$LINT_STATE/o.out"
	if [ "$_rc" -ne 0 ] && [ ! -s "$LINT_STATE/o.out" ]; then
		finding out-of-tree "make M=... failed with status $_rc (see the log)"
	fi
	if [ "$_rc" -eq 0 ]; then
		if [ -f "$OOT_COPY/mmapdemo.ko" ]; then
			info "built $OOT_COPY/mmapdemo.ko ($(modinfo -F vermagic "$OOT_COPY/mmapdemo.ko" 2>/dev/null || echo '?'))"
		else
			finding out-of-tree "make M=... made no mmapdemo.ko"
		fi
	fi
	checked out-of-tree "mmapdemo.ko ($(find "$OOT_COPY" -maxdepth 1 -name '*.c' | wc -l) .c files)" "$_log"
}

# --------------------------------------------------------------- the run --
run_start=$(now)
patch_list=$(series_patches)
[ -n "$patch_list" ] || die "no series in $PATCHES_DIR" "generate it with scripts/gen-patches.sh"
npatches=$(printf '%s\n' "$patch_list" | wc -l)

ensure_lint_tree
step "Resetting $LINT_TREE to the base $(short_hash "$BASE_COMMIT")"
git -C "$LINT_TREE" am --abort >/dev/null 2>&1 || true
to_commit "$BASE_COMMIT"
git -C "$LINT_TREE" clean -q -f -d -x

# The out-of-tree check needs the tree without the series: before git am.
if wanted out-of-tree; then
	step "out-of-tree: drivers-misc-mmapdemo/ against a kernel without the series"
	t0=$(now)
	check_out_of_tree
	n=$(count_findings out-of-tree)
	t=$(fmt_secs $(($(now) - t0)))
	if [ "$n" -eq 0 ]; then info "out-of-tree: clean ($t)"; else warn "out-of-tree: $n finding(s) ($t)"; fi
fi

step "git am: $npatches patches onto the base in $LINT_TREE"
# A fixed committer and date: the same series gives the same commits.
export GIT_COMMITTER_NAME="mmapdemo lint.sh" GIT_COMMITTER_EMAIL="mmapdemo-lint@localhost"
export GIT_COMMITTER_DATE="2000-01-01T00:00:00+0000"
# shellcheck disable=SC2086 # one path per line, no blanks
if ! run_logged lint-git-am git -C "$LINT_TREE" am $patch_list; then
	git -C "$LINT_TREE" am --abort >/dev/null 2>&1 || true
	die "the series does not apply with git am to the base $BASE_COMMIT" \
		"see $LOG_DIR/lint-git-am.log; regenerate patches/ with scripts/gen-patches.sh"
fi
series_commit=$(git -C "$LINT_TREE" rev-parse HEAD)
ncommits=$(git -C "$LINT_TREE" rev-list --count "$BASE_COMMIT..$series_commit")

# Quick checks first, then the builds; per-patch last (it moves the tree).
for c in checkpatch signed-series kernel-doc kconfig-help spdx module-description htmldocs htmldocs-figures coccicheck build-m build-y sparse kconfig-symbols per-patch b4-check; do
	wanted "$c" || continue
	t0=$(now)
	case $c in
	coccicheck) ;; # announces itself
	*) step "$c" ;;
	esac
	case $c in
	checkpatch) check_checkpatch ;;
	signed-series) check_signed_series ;;
	kernel-doc) check_kernel_doc ;;
	kconfig-help) check_kconfig_help ;;
	spdx) check_spdx ;;
	module-description) check_module_description ;;
	htmldocs) check_htmldocs ;;
	htmldocs-figures) check_htmldocs_figures ;;
	coccicheck) check_coccicheck ;;
	build-m) check_build build-m "$LINT_M" "$CONFIGS/lint-m.config" ;;
	build-y) check_build build-y "$LINT_Y" "$CONFIGS/lint-y.config" ;;
	sparse) check_sparse ;;
	kconfig-symbols) check_kconfig_symbols ;;
	per-patch) check_per_patch ;;
	b4-check) check_b4 ;;
	esac
	n=$(count_findings "$c")
	t=$(fmt_secs $(($(now) - t0)))
	if [ "$n" -eq 0 ]; then info "$c: clean ($t)"; else warn "$c: $n finding(s) ($t)"; fi
done

# ----------------------------------------------------------------- report --
findings_txt=$RESULTS_DIR/lint-findings.txt
: >"$findings_txt"
total=0
nchecks=0
for c in $ALL_CHECKS; do
	wanted "$c" || continue
	nchecks=$((nchecks + 1))
	n=$(count_findings "$c")
	total=$((total + n))
	{
		printf '== %s: %s finding(s)\n' "$c" "$n"
		cat "$LINT_STATE/$c.findings" 2>/dev/null || true
		if [ -s "$LINT_STATE/$c.accepted" ]; then
			printf -- '-- accepted:\n'
			cat "$LINT_STATE/$c.accepted"
		fi
	} >>"$findings_txt"
	if [ -s "$LINT_STATE/$c.accepted" ]; then
		# One line per kind: "13 x ERROR MISSING_SIGN_OFF (why)".
		info "$c: accepted, not counted (each is listed in $findings_txt):"
		sed 's/^[0-9]*: \(patch line [0-9]*: \)\{0,1\}\([A-Z]* [A-Z_]*\):.*\((.*)\)$/\2 \3/' "$LINT_STATE/$c.accepted" |
			sort | uniq -c | sed "s/^ *\([0-9]*\) /[$PROG]       \1 x /" >&2
	fi
	[ "$n" -gt 0 ] || continue
	warn "$c: $n finding(s):"
	sed "s/^/[$PROG]       /" "$LINT_STATE/$c.findings" | head -n "$SHOW_MAX" >&2
	[ "$n" -le "$SHOW_MAX" ] || info "      ... and $((n - SHOW_MAX)) more: see $findings_txt"
done

ran=
for c in $ALL_CHECKS; do wanted "$c" && ran="$ran $c"; done
# shellcheck disable=SC2086 # a list of names
python3 - "$LINT_STATE" "$RESULTS_DIR/lint.json" "$BASE_COMMIT" "$series_commit" $ran <<'EOF'
import json, os, sys
state, out, base, head, checks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
def lines(name):
    path = os.path.join(state, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.rstrip("\n") for line in f if line.strip()]
results = []
for check in checks:
    found = lines(check + ".findings")
    results.append({"check": check,
                    "files": (lines(check + ".files") or ["(did not run)"])[0],
                    "findings": len(found),
                    "log": (lines(check + ".log") or [""])[0],
                    "details": found,
                    "accepted": lines(check + ".accepted")})
with open(out, "w", encoding="utf-8") as f:
    json.dump({"base": base, "series": head, "checks": results,
               "total_findings": sum(r["findings"] for r in results)}, f, indent=1)
    f.write("\n")
EOF

info "total time $(fmt_secs $(($(now) - run_start))); findings in $findings_txt and $RESULTS_DIR/lint.json"
printf '\n%-19s %-34s %8s  %s\n' check files findings "log (in $LOG_DIR)"
for c in $ran; do
	printf '%-19s %-34s %8s  %s\n' "$c" "$(cat "$LINT_STATE/$c.files" 2>/dev/null || echo '(did not run)')" \
		"$(count_findings "$c")" "$(basename "$(cat "$LINT_STATE/$c.log" 2>/dev/null || echo -)")"
done
printf 'lint: %s checks, %s findings\n' "$nchecks" "$total"
[ "$total" -eq 0 ]
