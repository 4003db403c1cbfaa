#!/bin/sh
# bench.sh - what each mmapdemo strategy costs per page, side by side with
# anonymous and memfd memory, measured in one booted guest.
#
# Usage: scripts/bench.sh [--full] [--max-pages N] [--only A,B] [--report-only]
#   (default)       quick: 3 repetitions per benchmark, short warm-up
#   --full          10 repetitions, longer minimum and warm-up times
#   --max-pages N   largest size in pages (default 262144: 1 GiB at 4 KiB)
#   --only A,B      only these strategies and anchors (names as printed by
#                   mmapdemo_bench --list: remap ... vmalloc, anon,
#                   anon-populate, memfd); anon is always added, the ratios
#                   need it
#   --report-only   no build, no guest: redo the table and the plot from
#                   the last results/bench.json
#
# 1. Like scripts/demo.sh: deps.sh, apply.sh, build.sh, then
#    `build.sh kselftest --install`, which builds the benchmark
#    (selftests/mmapdemo_bench.cpp, Google Benchmark) beside the selftests.
# 2. A guest (scripts/vm.sh --memory 4G; KVM where it works, TCG where
#    not, by vm.sh's probe; printed) loads the module with max_pages=N
#    and runs mmapdemo_bench.
#    Google Benchmark's JSON goes to $MMAPDEMO_CACHE/results/bench.json;
#    its "context" also names the accelerator, the kernel release, the
#    page size, the mode, the sizes left out (driver cap, memory) and the
#    host's load average when the guest started (host_load: other jobs on
#    the host's cores show in the guest's timings, under TCG above all).
# 3. On the host, scripts/bench-report.py writes results/bench.txt (per
#    strategy and size: mmap + first touch, second touch and munmap per
#    page, the ratio of mmap + first touch to anonymous first touch at
#    the same size in the same boot, faults per page), printed too, and
#    results/bench.svg (time per page against size, log axes, one line
#    per strategy).
#
# A benchmark is not a test: scripts/test.sh does not run this.
# Time, TCG on this project's 2-core machine, warm build: the quick mode
# about 3 min in all (2m40s of it in the guest), --full 12m41s.
# Environment: MMAPDEMO_VM_TIMEOUT (default 1800 s, 5400 s with --full)
# bounds the guest run; MMAPDEMO_ACCEL=kvm|tcg overrides the KVM probe.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

mode=--quick
max_pages=262144
only=
report_only=false
while [ $# -gt 0 ]; do
	case $1 in
	--full) mode= ;;
	--quick) mode=--quick ;;
	--max-pages)
		max_pages=${2:?--max-pages needs a number of pages}
		shift
		;;
	--only)
		only=${2:?--only needs a list such as remap,insert}
		shift
		;;
	--report-only) report_only=true ;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown option: $1" "run $0 --help" ;;
	esac
	shift
done
# Google Benchmark is built for the host only: scripts/build.sh leaves the
# benchmark out of the cross-built guests' selftests.
is_cross && die "the benchmark runs in the x86_64 guest only, not on $MMAPDEMO_ARCH" \
	"unset MMAPDEMO_ARCH to run it on x86_64"
case $max_pages in
'' | *[!0-9]*) die "--max-pages wants a number of pages, not '$max_pages'" "e.g. --max-pages 65536" ;;
esac
[ "$max_pages" -ge 3 ] || die "--max-pages must be 3 or more" "e.g. --max-pages 65536"
if [ -n "$only" ]; then
	case ,$only, in
	*,anon,*) ;;
	*) only=$only,anon ;;
	esac
fi

json=$RESULTS_DIR/bench.json
text=$RESULTS_DIR/bench.txt
svg=$RESULTS_DIR/bench.svg

# report: the table (printed) and the plot from $json.
report() {
	step "Writing the table and the plot from $json"
	python3 "$SCRIPTS_DIR/bench-report.py" --text "$text" --svg "$svg" "$json" ||
		die "scripts/bench-report.py failed on $json" \
			"see its message above (a failed benchmark is listed in $text); rerun $0"
	cat "$text"
	info "JSON: $json"
	info "table: $text"
	info "plot: $svg"
}

if [ "$report_only" = true ]; then
	[ -s "$json" ] || die "no $json yet" "run $0 without --report-only first"
	report
	exit 0
fi

start=$(now)
"$SCRIPTS_DIR/deps.sh"
"$SCRIPTS_DIR/apply.sh"
"$SCRIPTS_DIR/build.sh"
"$SCRIPTS_DIR/build.sh" kselftest --install
lock_cache

bench_bin=$(kselftest_install_dir)/mmapdemo/mmapdemo_bench
if [ ! -x "$bench_bin" ]; then
	grep -s 'not building mmapdemo_bench' "$LOG_DIR/kselftest-build.log" | sed "s/^/[$PROG]     /" >&2 || true
	die "the benchmark was not built ($bench_bin)" \
		"install Google Benchmark (apt-get install libbenchmark-dev; scripts/deps.sh does) and rerun; see $LOG_DIR/kselftest-build.log"
fi

# The accelerator, by vm.sh's own probe: its verdict is cached per host
# boot (and MMAPDEMO_ACCEL overrides both), so vm.sh decides the same and
# the JSON names the one the guest really runs on.
if kvm_usable; then
	accel=kvm
else
	accel=tcg
fi
info "accelerator: $(echo "$accel" | tr '[:lower:]' '[:upper:]') ($KVM_REASON)"

if [ -n "$mode" ]; then
	vm_timeout=${MMAPDEMO_VM_TIMEOUT:-1800}
	info "quick mode: 3 repetitions per benchmark (--full for 10)"
else
	vm_timeout=${MMAPDEMO_VM_TIMEOUT:-5400}
	info "full mode: 10 repetitions per benchmark"
fi

mkdir -p "$RESULTS_DIR" "$STATE_DIR/vm"
partial=$json.partial
out=$RESULTS_DIR/bench.out
status=$STATE_DIR/vm/bench.status
rm -f "$partial" "$out" "$status"
load_module=false
grep -qx 'CONFIG_MMAPDEMO=m' "$BUILD_DIR/.config" && load_module=true
[ "$load_module" = true ] ||
	warn "mmapdemo is built in: its max_pages stays at the default, and larger sizes are left out"

# The host's 1-minute load average, for the record: 2 here means the
# host's two cores were already busy with other work.
host_load=$(cut -d' ' -f1 /proc/loadavg)
info "host load average: $host_load (the guest's timings suffer from other jobs on the host)"

# In the guest: load the module with a cap that allows the largest size,
# run the benchmark (its console lines are the progress), unload.
guest_cmd=
if [ "$load_module" = true ]; then
	guest_cmd="modprobe mmapdemo max_pages=$max_pages || { echo 'modprobe mmapdemo failed' >'$status'; exit 1; }
"
fi
guest_cmd="$guest_cmd( '$bench_bin' $mode --max-pages=$max_pages ${only:+--only=$only} \
--benchmark_out='$partial' --benchmark_out_format=json \
--benchmark_context=accelerator=$accel,host_load=$host_load; echo \$? >'$status' ) 2>&1 | tee '$out'"
if [ "$load_module" = true ]; then
	guest_cmd="$guest_cmd
rmmod mmapdemo"
fi

step "Running mmapdemo_bench in a $(echo "$accel" | tr '[:lower:]' '[:upper:]') guest (4 GiB; sizes up to $max_pages pages; one line per benchmark as it finishes)"
vm_rc=0
"$SCRIPTS_DIR/vm.sh" --name bench-vm --memory 4G --timeout "$vm_timeout" -- "$guest_cmd" >&2 || vm_rc=$?
bench_rc=$(cat "$status" 2>/dev/null || echo none)
case $bench_rc in
0) ;;
none)
	die "the benchmark did not finish in the guest (vm.sh exit status $vm_rc)" \
		"see $LOG_DIR/bench-vm.log; a timeout (124) under TCG: rerun with MMAPDEMO_VM_TIMEOUT=N or a smaller --max-pages"
	;;
'modprobe mmapdemo failed')
	die "modprobe mmapdemo max_pages=$max_pages failed in the guest" "see $LOG_DIR/bench-vm.dmesg"
	;;
4)
	die "mmapdemo_bench found no /dev/mmapdemo-* node in the guest" "see $out and $LOG_DIR/bench-vm.dmesg"
	;;
*)
	die "mmapdemo_bench failed in the guest (exit status $bench_rc)" "see $out (a cycle that failed says why) and $LOG_DIR/bench-vm.dmesg"
	;;
esac
[ -s "$partial" ] || die "the benchmark wrote no JSON ($partial)" "see $out"
mv "$partial" "$json"
info "benchmark: $(fmt_secs $(($(now) - start))) in all, $accel guest"
report
