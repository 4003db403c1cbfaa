#!/bin/sh
# demo.sh - the seed demos' scenario on every mmapdemo node, in a booted guest.
#
# Usage: scripts/demo.sh [--arch=A] [STRATEGY...]   (default: every strategy)
#
# On a fresh machine this installs what is missing, fetches Debian's
# linux-source-7.3, applies the series with git am, builds a small x86_64
# kernel and the user program (selftests/mmapdemo_demo.cpp), boots the
# kernel with virtme-ng (KVM where it works, TCG where not), loads the
# module with its debug lines switched on (dyndbg=+p), and runs the seed's
# user scenario against each node: map 3 pages, write "facebook" at the
# start of each, read back 0x66616365. For each node it prints the driver's
# kernel lines, then the program's lines; then a table of faults expected
# and observed and whether the data was right.
#
# --arch=arm64|riscv64 (or MMAPDEMO_ARCH): the same in the cross-built
# guest (scripts/build.sh --arch=A, scripts/vm.sh --arch=A).  The kernel's
# lines then show that architecture's page size: on arm64, whose pages are
# 64 KiB as on the machine of the seed's logs, 3 pages are "len 0x30000"
# and the faults' offsets 0x10000 and 0x20000.
#
# The exit status is 0 only if every node gave the right data and fault count.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

for arg; do
	shift
	case $arg in
	--arch=*) use_arch "${arg#--arch=}" ;;
	-h | --help)
		usage
		exit 0
		;;
	-*) die "unknown option: $arg" "run $0 --help" ;;
	*) set -- "$@" "$arg" ;;
	esac
done

"$SCRIPTS_DIR/deps.sh"
"$SCRIPTS_DIR/apply.sh"
"$SCRIPTS_DIR/build.sh"
"$SCRIPTS_DIR/build.sh" kselftest

demo_bin=$BUILD_DIR/kselftest/mmapdemo/mmapdemo_demo
[ -x "$demo_bin" ] || die "the demo program was not built ($demo_bin)" \
	"see $LOG_DIR/kselftest-build.log"
# Every strategy the program knows (mmapdemo_common.hpp), unless named;
# asked in the guest, where the program runs whatever the architecture.
strategies=${*:-'$('"$demo_bin"' --list)'}

out=$RESULTS_DIR/demo.out
mkdir -p "$RESULTS_DIR"
rm -f "$out"
# In the guest: one block per node, the kernel's lines (read from the
# kernel log, which dmesg -c empties between nodes; busybox's dmesg has no
# -C) and the program's.
guest_cmd="modprobe mmapdemo dyndbg=+p || exit 1
list=\"$strategies\"
[ -n \"\$list\" ] || { echo 'demo: $demo_bin --list printed no strategy' >'$out'; exit 1; }
for s in \$list; do
	dmesg -c >/dev/null
	$demo_bin \$s >/tmp/user.out 2>&1
	echo \"\$? \$s\" >>/tmp/status
	echo \"=== \$s\"
	echo '--- kernel'
	dmesg | grep -E '(^|[] ])mmapdemo: '
	echo '--- user'
	cat /tmp/user.out
done >'$out' 2>&1
rmmod mmapdemo
! grep -qv '^0 ' /tmp/status"

vm_rc=0
"$SCRIPTS_DIR/vm.sh" --name demo-vm --timeout 600 -- "$guest_cmd" >/dev/null || vm_rc=$?
[ -s "$out" ] || die "the guest wrote no demo output (vm.sh exit status $vm_rc)" \
	"see $LOG_DIR/demo-vm.log and $LOG_DIR/demo-vm.dmesg"

step "What the seed's scenario does on each node"
awk '
	/^=== / { printf "\n### /dev/mmapdemo-%s\n", $2; next }
	/^--- kernel/ { print "kernel:"; next }
	/^--- user/ { print "user:"; next }
	/^mmapdemo-demo: strategy=/ { next }
	{ print "  " $0 }' "$out"

printf '\n%-10s %-16s %-16s %s\n' strategy "faults expected" "faults observed" "data ok"
awk '/^mmapdemo-demo: strategy=/ {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf "%-10s %-16s %-16s %s\n", v["strategy"], v["expected_faults"], v["faults"], \
		(v["data"] == "ok" ? "yes" : "NO")
}' "$out"

if [ "$vm_rc" -ne 0 ]; then
	die "the demo failed on at least one node (guest status $vm_rc)" \
		"see $out and $LOG_DIR/demo-vm.dmesg"
fi
info "full output: $out"
