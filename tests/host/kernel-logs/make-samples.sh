#!/bin/sh
# make-samples.sh - record real debug-kernel reports for kernel-log-check.sh.
#
# Usage: tests/host/kernel-logs/make-samples.sh [BUG...]
#        (after scripts/build.sh --debug; default: every BUG below)
#
# Builds provoke/mmapdemo_provoke.ko against the debug kernel (in
# $MMAPDEMO_CACHE/provoke, never here), then for each BUG (warn, kasan,
# ubsan, kfence, lockdep, sleep, leak) boots the debug guest with
# scripts/vm.sh --debug, loads the module with bug=BUG, and copies the
# kernel log the guest left (results/provoke-BUG.dmesg: its dmesg, or the
# kernel lines of its console when it panicked) to real-BUG.dmesg here;
# for "leak" also the kmemleak scans (one while the module is loaded, one
# after rmmod) to real-leak.kmemleak.  expected.txt says what
# scripts/kernel-log-check.sh --self-test must find in each.
set -eu
HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
SCRIPTS_DIR=$(CDPATH='' cd -- "$HERE/../../../scripts" && pwd)
. "$SCRIPTS_DIR/lib.sh"
use_variant debug
require_built_kernel
use_build_env

[ $# -gt 0 ] || set -- warn kasan ubsan kfence lockdep sleep leak
obj=$MMAPDEMO_CACHE/provoke
mkdir -p "$obj"
cp "$HERE/provoke/mmapdemo_provoke.c" "$HERE/provoke/Kbuild" "$obj/"
step "Building mmapdemo_provoke.ko against $BUILD_DIR"
run_logged provoke-build make -C "$BUILD_DIR" M="$obj" modules ||
	die "building mmapdemo_provoke.ko failed" "see $LOG_DIR/provoke-build.log"
ko=$obj/mmapdemo_provoke.ko

for bug; do
	cmd="insmod '$ko' bug=$bug"
	if [ "$bug" = leak ]; then
		cmd="$cmd
/bin/sh \"\$MMAPDEMO_KMEMLEAK_SCAN\" 'mmapdemo_provoke loaded'
rmmod mmapdemo_provoke"
	fi
	rc=0
	"$SCRIPTS_DIR/vm.sh" --debug --name "provoke-$bug" --timeout 900 -- "$cmd" || rc=$?
	# 123: the command worked and the log has reports; 125: it panicked.
	info "bug=$bug: vm.sh exit status $rc (expected 123 or 125)"
	cp "$RESULTS_DIR/provoke-$bug.dmesg" "$HERE/real-$bug.dmesg"
	[ "$bug" != leak ] || cp "$RESULTS_DIR/provoke-$bug.kmemleak" "$HERE/real-$bug.kmemleak"
	kml=
	[ "$bug" != leak ] || kml=$HERE/real-$bug.kmemleak
	"$SCRIPTS_DIR/kernel-log-check.sh" ${kml:+--kmemleak "$kml"} "$HERE/real-$bug.dmesg" | tail -n 1 || true
done
