#!/bin/sh
# kernel-log-check.sh - find kernel reports and leaks in a guest's kernel log.
#
# Usage: scripts/kernel-log-check.sh [--kmemleak FILE] LOG...
#        scripts/kernel-log-check.sh --self-test [DIR]
#
# LOG is a kernel log: the guest's dmesg, a console log, or kunit.py's
# test.log (timestamps and "[T123]" caller ids are skipped).  It reports:
#   report   a failure: "BUG: KASAN:", "BUG: KFENCE:", "UBSAN:", lockdep's
#            "WARNING: possible circular locking dependency ..." and other
#            "WARNING:" / "INFO: possible|inconsistent ..." splats, WARN()'s
#            "WARNING: ... at ...", every other "BUG: ..." (sleeping in
#            atomic context, bad page state, page faults ...), "kernel BUG
#            at", SLUB's "BUG <cache> (<taint>): ..." (slab_debug checks),
#            and "kmemleak: Kernel memory leak detector disabled" (no leak
#            check).  "Oops:", "Kernel panic - not syncing" and
#            "Disabling lock debugging due to kernel taint" count only when
#            no report came in the 200 lines before (they follow most).
#   leak     kmemleak's "unreferenced object" blocks, from the --kmemleak
#            FILE (what `cat /sys/kernel/debug/kmemleak` printed, after
#            "=== kmemleak scan: LABEL ===" lines; scripts/vm.sh --debug
#            writes it) or from LOG (kmemleak.verbose=1).  A leak whose
#            block mentions mmapdemo (a [mmapdemo] frame, a comm such as
#            "mmapdemo_test"), or has a bare-address frame inside the
#            module's memory (from "# module mmapdemo SIZE ADDR" lines the
#            scan writes while the module is loaded), is a failure; any
#            other leak is a warning.  The same object listed by two scans
#            counts once.  --kmemleak with a missing file, or a scan that
#            says "unavailable", is a failure (no leak check was made).
#   warning  not a failure: other leaks, kmemleak's "N new suspected
#            memory leaks", RCU stalls and hung tasks (under TCG on a busy
#            host these can be the host's slowness).
# Each finding is printed as "KIND CLASS: FILE:LINE: TEXT"; the last line is
#     kernel-log-check: R report(s), L mmapdemo leak(s), W warning(s)
# Exit status: 0 when R and L are 0, 1 otherwise, 2 on a usage error.
#
# --self-test runs the checker over the saved logs of DIR (default
# tests/host/kernel-logs): each line of DIR/expected.txt names a log (and a
# kmemleak file) and the exit status and counts the checker must give.  It
# prints one KTAP-style line per sample and
#     kernel-log-check: N passed, N failed, 0 skipped
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

# check KMEMLEAK_FILE LOG...: the checker itself (KMEMLEAK_FILE may be "").
check() {
	_kml=$1
	shift
	_missing=
	if [ -n "$_kml" ] && [ ! -s "$_kml" ]; then
		_missing=$_kml
		_kml=
	fi
	for _f in "$@"; do
		[ -r "$_f" ] || die "cannot read $_f" "pass the kernel log of a guest run"
	done
	# shellcheck disable=SC2016 # awk program
	awk -v missing="$_missing" '
	function hexval(s,    i, n) {
		s = tolower(s)
		sub(/^0x/, "", s)
		n = 0
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	# hex16 S: a 64-bit hex address as 16 lower-case digits (compared as
	# strings: awk numbers lose the low bits of kernel addresses).
	function hex16(s) {
		s = tolower(s)
		sub(/^0x/, "", s)
		while (length(s) < 16) s = "0" s
		return s
	}
	# hexadd A N: address A (hex) plus N, for module ranges.
	function hexadd(a, n,    hi, lo) {
		a = hex16(a)
		hi = hexval(substr(a, 1, 8))
		lo = hexval(substr(a, 9, 8)) + n
		if (lo >= 4294967296) { lo -= 4294967296; hi++ }
		return sprintf("%08x%08x", hi, lo)
	}
	function strip(s) {
		sub(/\r$/, "", s)
		# dmesg / console timestamps, PRINTK_CALLER ids, syslog levels
		while (s ~ /^\[ *[0-9]+\.[0-9]+\] ?/ || s ~ /^\[ *[CT][0-9]+\] ?/ || s ~ /^<[0-9]>/)
			sub(/^(\[ *[0-9]+\.[0-9]+\] ?|\[ *[CT][0-9]+\] ?|<[0-9]>)/, "", s)
		return s
	}
	function finding(kind, class, text) {
		printf "%s %s: %s:%d: %s\n", kind, class, FILENAME, FNR, text
	}
	function report(class, text) {
		reports++
		last_report = NR
		finding("report", class, text)
	}
	function warning(class, text) {
		warnings++
		finding("warning", class, text)
	}
	# leak blocks: one per "unreferenced object"
	function leak_end() {
		if (leak_addr == "") return
		if (!(leak_addr in leak_seen)) {
			leak_seen[leak_addr] = 1
			leak_order[++nleaks] = leak_addr
		}
		if (leak_mm) leak_is_mm[leak_addr] = 1
		if (!(leak_addr in leak_where) || (leak_mm && !(leak_addr in leak_mmwhy))) {
			leak_where[leak_addr] = leak_pos
			leak_text[leak_addr] = leak_head
		}
		if (leak_mm && !(leak_addr in leak_mmwhy)) leak_mmwhy[leak_addr] = leak_why
		leak_addr = ""
	}
	FNR == 1 { leak_end() }
	{
		msg = strip($0)
		# kmemleak.verbose=1 prints the same blocks to the log
		kmsg = msg
		sub(/^kmemleak: /, "", kmsg)
	}
	# --- the kmemleak file written by the guest (scripts/vm.sh) ---
	/^=== kmemleak scan/ {
		leak_end()
		scans++
		if ($0 ~ /unavailable/) report("kmemleak", "no leak check: " $0)
		next
	}
	/^# module [A-Za-z0-9_]+ [0-9]+ 0x[0-9a-fA-F]+/ {
		nmod++
		mod_name[nmod] = $3
		mod_lo[nmod] = hex16($5)
		mod_hi[nmod] = hexadd($5, $4 + 0)
		next
	}
	kmsg ~ /^unreferenced object/ {
		leak_end()
		leak_head = kmsg
		leak_pos = FILENAME ":" FNR
		# "unreferenced object[ (percpu)] 0xADDR (size N):"
		leak_addr = kmsg
		if (match(kmsg, /0x[0-9a-fA-F]+/)) leak_addr = hex16(substr(kmsg, RSTART, RLENGTH))
		leak_mm = 0
		leak_why = ""
		next
	}
	leak_addr != "" && kmsg ~ /^  comm "/ {
		c = kmsg
		sub(/^  /, "", c)
		sub(/, jiffies .*/, "", c)
		leak_head = leak_head " " c
	}
	leak_addr != "" && kmsg ~ /^  / {
		if (kmsg ~ /mmapdemo/) {
			if (!leak_mm) { leak_mm = 1; leak_why = kmsg; sub(/^ +/, "", leak_why) }
		} else if (kmsg ~ /^    (\[<[0-9a-f]+>\] )?0x[0-9a-fA-F]+$/) {
			a = kmsg
			sub(/^.* /, "", a)
			a = hex16(a)
			for (i = 1; i <= nmod; i++)
				if (mod_name[i] ~ /mmapdemo/ && ("x" a) >= ("x" mod_lo[i]) && ("x" a) < ("x" mod_hi[i]) && !leak_mm) {
					leak_mm = 1
					leak_why = "frame 0x" a " inside module " mod_name[i]
				}
		}
		next
	}
	{ leak_end() }
	# --- kernel reports ---
	msg ~ /^BUG: KASAN: / { report("KASAN", msg); next }
	msg ~ /^BUG: KFENCE: / { report("KFENCE", msg); next }
	msg ~ /^UBSAN: / { report("UBSAN", msg); next }
	msg ~ /^WARNING: (possible |inconsistent lock|bad unlock balance|held lock freed|lock held |suspicious RCU usage|Nested lock was not taken|chain_key collision|bad contention)/ ||
	msg ~ /^WARNING: .*(-safe -> .*-unsafe lock order detected|still has locks held)/ ||
	msg ~ /^INFO: (possible |inconsistent |trying to register non-static key)/ ||
	msg ~ /^BUG: (key |MAX_|looking up invalid subclass)/ {
		report("lockdep", msg)
		next
	}
	msg ~ /^BUG: (sleeping function called from invalid context|scheduling while atomic)/ {
		report("atomic-sleep", msg)
		next
	}
	msg ~ /^WARNING: / { report("WARN", msg); next }
	msg ~ /^(watchdog: )?BUG: / || msg ~ /^kernel BUG at / { report("BUG", msg); next }
	msg ~ /^BUG [^ :]+ \([^)]*\): / { report("slab", msg); next }
	msg ~ /^kmemleak: Kernel memory leak detector disabled/ { report("kmemleak", "no leak check: " msg); next }
	msg ~ /^(Oops: |Kernel panic - not syncing|Disabling lock debugging due to kernel taint)/ {
		if (last_report == 0 || NR - last_report > 200) report("oops/panic", msg)
		next
	}
	msg ~ /^(rcu: )?INFO: .*detected stall/ || msg ~ /^(rcu: )?INFO: .*self-detected stall/ { warning("RCU-stall", msg); next }
	msg ~ /^INFO: task .* blocked for more than/ { warning("hung-task", msg); next }
	msg ~ /^kmemleak: [0-9]+ new suspected memory leak/ { warning("kmemleak", msg); next }
	END {
		leak_end()
		if (missing != "") {
			reports++
			printf "report kmemleak: %s: no kmemleak scan was saved (no leak check)\n", missing
		}
		for (i = 1; i <= nleaks; i++) {
			a = leak_order[i]
			if (a in leak_is_mm) {
				mm_leaks++
				printf "leak mmapdemo: %s: %s [%s]\n", leak_where[a], leak_text[a], leak_mmwhy[a]
			} else {
				warnings++
				printf "warning leak: %s: %s\n", leak_where[a], leak_text[a]
			}
		}
		printf "kernel-log-check: %d report(s), %d mmapdemo leak(s), %d warning(s)\n",
			reports, mm_leaks, warnings
		exit (reports + mm_leaks > 0) ? 1 : 0
	}' ${_kml:+"$_kml"} "$@"
}

self_test() {
	dir=${1:-$REPO_DIR/tests/host/kernel-logs}
	[ -r "$dir/expected.txt" ] || die "no $dir/expected.txt" "run from a checkout of mmapdemo"
	n=0 passed=0 failed=0
	echo "TAP version 13"
	# expected.txt: LOG [KMEMLEAK|-] EXIT REPORTS LEAKS WARNINGS  # comment
	while read -r log kml want_rc want_r want_l want_w _rest; do
		case $log in '' | '#'*) continue ;; esac
		n=$((n + 1))
		[ "$kml" = - ] && kml= || kml=$dir/$kml
		rc=0
		out=$(check "$kml" "$dir/$log" 2>&1) || rc=$?
		got=$(printf '%s\n' "$out" | sed -n 's/^kernel-log-check: \([0-9]*\) report(s), \([0-9]*\) mmapdemo leak(s), \([0-9]*\) warning(s)$/\1 \2 \3/p')
		if [ "$rc" = "$want_rc" ] && [ "$got" = "$want_r $want_l $want_w" ]; then
			passed=$((passed + 1))
			echo "ok $n $log${kml:+ + ${kml##*/}}"
		else
			failed=$((failed + 1))
			echo "not ok $n $log${kml:+ + ${kml##*/}}: exit $rc, counts '$got'; expected exit $want_rc, counts '$want_r $want_l $want_w'"
			printf '%s\n' "$out" | sed 's/^/# /'
		fi
	done <"$dir/expected.txt"
	echo "1..$n"
	printf 'kernel-log-check: %s passed, %s failed, 0 skipped\n' "$passed" "$failed"
	[ "$n" -gt 0 ] && [ "$failed" -eq 0 ]
}

kmemleak=
case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
--self-test)
	shift
	self_test "$@"
	exit
	;;
--kmemleak)
	kmemleak=${2:?--kmemleak needs a file}
	shift 2
	;;
esac
if [ $# -eq 0 ]; then
	usage >&2
	exit 2
fi
check "$kmemleak" "$@"
