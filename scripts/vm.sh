#!/bin/sh
# vm.sh - run a shell command as root in a guest booted from the built kernel.
#
# Usage: scripts/vm.sh [options] [--] COMMAND...
#   --timeout SEC   stop the guest after SEC seconds (default 600)
#   --name NAME     log name: $MMAPDEMO_CACHE/logs/NAME.log (default vm)
#   --memory SIZE   guest memory (default 2G)
#   --cpus N        guest CPUs (default 2)
#   --debug         boot the debug kernel (scripts/build.sh --debug), see below
#   --arch=A        boot the cross-built arm64 or riscv64 guest, see below
#
# COMMAND (its words joined by spaces) runs under /bin/sh in a virtme-ng
# guest booted from $MMAPDEMO_CACHE/build/x86_64 (scripts/build.sh), with
# the host's root file system read-only, throwaway overlays on /etc /tmp
# /var ..., and $MMAPDEMO_CACHE mounted read-write at the same path.  The
# modules of the built kernel are available to modprobe (vng links
# $BUILD_DIR/.virtme_mods to /lib/modules/<release> in the guest).  PATH
# is the fixed one the host builds use, and /dev/stdout is the command's
# stdout again (virtme-ng re-points it at a port of its own).
#
# KVM is used when a one-off probe shows it works on this host, else QEMU
# TCG (vng --disable-kvm); MMAPDEMO_ACCEL=kvm|tcg overrides the probe.
#
# Output: everything the guest prints (vng's and the kernel's messages
# included) is shown and saved in the log.  Programs that parse results
# should not read this stream: have COMMAND write its results to a file
# under $MMAPDEMO_CACHE (as kselftest.sh does).  The guest's dmesg is saved
# to $MMAPDEMO_CACHE/logs/NAME.dmesg.  The exit status is COMMAND's (it is
# passed back through a file, not through vng); 124 means the timeout hit,
# 125 that the guest died or never ran the command (see the log: the
# kernel's warnings, oopses and panics are in it; MMAPDEMO_CONSOLE_LOGLEVEL,
# default 4, sets which kernel messages reach it).
#
# --arch=arm64|riscv64 (or MMAPDEMO_ARCH): the kernel of build/<arch>
# (scripts/build.sh --arch=A), booted by QEMU itself on its virt machine
# under TCG (virtme-ng would give the guest the host's x86_64 root file
# system).  Its root is an initramfs made for the run: Debian's static
# busybox for that architecture and an init that mounts /proc, /sys,
# /dev, debugfs, $MMAPDEMO_CACHE over 9p at the same path (so COMMAND, the
# test programs and the results work as on x86_64), links /lib/modules to
# the modules build.sh installed, runs COMMAND like the x86_64 guest, and
# powers off.  Its applets are all in /bin: the kselftest runner then finds
# no /usr/bin/timeout (busybox's lacks --foreground) and runs each program
# without one; the guest's own --timeout still bounds the run.
#
# --debug (or MMAPDEMO_VARIANT=debug): the kernel of build/x86_64-debug,
# booted with DEBUG_KERNEL_ARGS (scripts/lib.sh: panic_on_warn=1
# oops=panic ...) and console loglevel 5 (warnings reach the log even when
# the guest dies).  In the guest, $MMAPDEMO_KMEMLEAK_SCAN names a script
# that runs a kmemleak scan (echo scan > /sys/kernel/debug/kmemleak, twice,
# then reads it) and appends the result to $MMAPDEMO_CACHE/results/NAME.kmemleak;
# COMMAND may call it (e.g. before unloading a module), and the guest calls
# it once more after COMMAND.  The guest's dmesg goes to
# $MMAPDEMO_CACHE/results/NAME.dmesg (the kernel lines of the console log
# when the guest died first), and scripts/kernel-log-check.sh's findings to
# results/NAME.reports.  Exit status 123: COMMAND succeeded but the kernel
# log has a report (WARN, BUG, KASAN, KFENCE, UBSAN, lockdep) or kmemleak a
# leak that mentions mmapdemo.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

timeout_secs=600
name=vm
memory=2G
cpus=2
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout_secs=${2:?--timeout needs seconds}; shift 2 ;;
	--name) name=${2:?--name needs a name}; shift 2 ;;
	--memory) memory=${2:?--memory needs a size}; shift 2 ;;
	--cpus) cpus=${2:?--cpus needs a number}; shift 2 ;;
	--debug) use_variant debug; shift ;;
	--arch=*) use_arch "${1#--arch=}"; shift ;;
	-h | --help)
		usage
		exit 0
		;;
	--) shift; break ;;
	-*) die "unknown option: $1" "run $0 --help" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "no command given" "usage: $0 [--timeout SEC] -- 'uname -a'"
debug=false
[ "$MMAPDEMO_VARIANT" = debug ] && debug=true
if [ "$debug" = true ]; then
	console_loglevel=${MMAPDEMO_CONSOLE_LOGLEVEL:-5}
	kernel_args="loglevel=$console_loglevel $DEBUG_KERNEL_ARGS"
else
	console_loglevel=${MMAPDEMO_CONSOLE_LOGLEVEL:-4}
	# An oops ends the guest at once: the oopsed task may die holding a
	# lock (mmap_lock, the module's) that every later test then waits on
	# until the guest's timeout.
	kernel_args="loglevel=$console_loglevel oops=panic"
fi
if is_cross; then
	command -v "$QEMU_SYSTEM" >/dev/null 2>&1 || die "$QEMU_SYSTEM is not installed" "run scripts/deps.sh"
else
	command -v vng >/dev/null 2>&1 || die "virtme-ng (vng) is not installed" "run scripts/deps.sh"
fi
lock_cache
require_built_kernel

# ------------------------------------------------------ accelerator --
accel_opt=
if kvm_usable; then
	info "guest accelerator: KVM ($KVM_REASON)"
else
	info "guest accelerator: TCG ($KVM_REASON)"
	accel_opt=--disable-kvm
fi

# --------------------------------------------------- guest wrapper --
# The command goes into a file rather than onto the kernel command line:
# no quoting problems, and the wrapper can report the exit status and the
# guest's dmesg through the shared read-write cache folder.
mkdir -p "$STATE_DIR/vm" "$LOG_DIR"
cmd_file=$STATE_DIR/vm/$name.cmd
wrapper=$STATE_DIR/vm/$name.sh
rc_file=$STATE_DIR/vm/$name.rc
dmesg_file=$LOG_DIR/$name.dmesg
log=$LOG_DIR/$name.log
kmemleak_scan=
if [ "$debug" = true ]; then
	mkdir -p "$RESULTS_DIR"
	dmesg_file=$RESULTS_DIR/$name.dmesg
	kmemleak_file=$RESULTS_DIR/$name.kmemleak
	reports_file=$RESULTS_DIR/$name.reports
	kmemleak_scan=$STATE_DIR/vm/$name.kmemleak-scan.sh
	rm -f "$kmemleak_file" "$reports_file"
	cat >"$kmemleak_scan" <<EOF
#!/bin/sh
# Generated by scripts/vm.sh --debug: a kmemleak scan in the guest.
# Usage: \$MMAPDEMO_KMEMLEAK_SCAN LABEL; appends to $kmemleak_file.
kml=/sys/kernel/debug/kmemleak
[ -e \$kml ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ ! -w \$kml ]; then
	echo "=== kmemleak scan: \$1: unavailable (no \$kml) ===" >>'$kmemleak_file'
	exit 1
fi
# kmemleak ignores objects younger than 5 s, and reports a leak at the
# second scan that finds it unreferenced (the first records its checksum).
sleep 6
echo scan >\$kml
echo scan >\$kml
{
	echo "=== kmemleak scan: \$1 ==="
	# Where each module is: a leak found after rmmod has bare addresses.
	awk '{ print "# module", \$1, \$2, \$6 }' /proc/modules
	cat \$kml
} >>'$kmemleak_file'
EOF
fi
cmd_text=$*
printf '%s\n' "$cmd_text" >"$cmd_file"
rm -f "$rc_file" "$dmesg_file"
cat >"$wrapper" <<EOF
#!/bin/sh
# Generated by scripts/vm.sh: runs in the guest.
# virtme-ng points /dev/stdout and /dev/stderr at extra virtio ports that
# go straight to the host, bypassing the command's own redirections: the
# kselftest runner writes its results to /dev/stdout, and they would be
# missing from a "| tee file".  Restore the usual links (guest-only /dev).
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# The PATH the host builds use: make in the guest must not re-sync the
# kernel config of the shared build folder (see lib.sh).
PATH='$BUILD_PATH'
MMAPDEMO_CACHE='$MMAPDEMO_CACHE'
MMAPDEMO_KMEMLEAK_SCAN='$kmemleak_scan'
export PATH MMAPDEMO_CACHE MMAPDEMO_KMEMLEAK_SCAN
/bin/sh '$cmd_file'
rc=\$?
[ -z "\$MMAPDEMO_KMEMLEAK_SCAN" ] || /bin/sh "\$MMAPDEMO_KMEMLEAK_SCAN" 'after the command' || true
dmesg >'$dmesg_file' 2>&1 || true
echo "\$rc" >'$rc_file'
sync
exit "\$rc"
EOF

# cross_initramfs FILE: the cross-built guest's root, made for this run
# (the init names this run's wrapper) with the kernel's gen_init_cpio.
cross_initramfs() {
	gen_cpio=$BUILD_DIR/usr/gen_init_cpio
	busybox=$(guest_busybox_path)
	[ -x "$gen_cpio" ] || die "no $gen_cpio (it comes with CONFIG_BLK_DEV_INITRD)" "run scripts/build.sh --arch=$MMAPDEMO_ARCH"
	[ -x "$busybox" ] || die "no busybox for the $MMAPDEMO_ARCH guest" "run scripts/build.sh --arch=$MMAPDEMO_ARCH"
	init=$STATE_DIR/vm/$name.init
	cat >"$init" <<EOF
#!/bin/sh
# Generated by scripts/vm.sh: the $MMAPDEMO_ARCH guest's init.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mkdir -p '$MMAPDEMO_CACHE'
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 mmapdemo_cache '$MMAPDEMO_CACHE'; then
	ln -s '$BUILD_DIR/.mod-root/lib/modules' /lib/modules
	/bin/sh '$wrapper'
else
	echo 'vm.sh guest: could not mount $MMAPDEMO_CACHE over 9p'
fi
poweroff -f
EOF
	{
		echo 'dir /dev 0755 0 0'
		echo 'nod /dev/console 0600 0 0 c 5 1'
		for dir in bin lib proc sys tmp root run; do
			echo "dir /$dir 0755 0 0"
		done
		echo "file /bin/busybox $busybox 0755 0 0"
		echo 'slink /bin/sh busybox 0777 0 0'
		echo "file /init $init 0755 0 0"
	} >"$STATE_DIR/vm/$name.cpio-list"
	"$gen_cpio" "$STATE_DIR/vm/$name.cpio-list" >"$1" ||
		die "could not make the $MMAPDEMO_ARCH guest's initramfs" "see $STATE_DIR/vm/$name.cpio-list"
}

# tee through a FIFO: the output is shown live and logged, and the shell
# still gets the guest's exit status (POSIX sh has no pipefail).
fifo=$STATE_DIR/vm/$name.fifo
rm -f "$fifo"
mkfifo "$fifo"
if is_cross; then
	initramfs=$STATE_DIR/vm/$name.cpio
	cross_initramfs "$initramfs"
	case $MMAPDEMO_ARCH in
	arm64)
		# pauth-impdef: QEMU's own pointer-authentication hash, much
		# faster under TCG than the architected QARMA.
		set -- -machine virt -cpu max,pauth-impdef=on
		console=ttyAMA0
		;;
	riscv64)
		# -bios default: the OpenSBI firmware QEMU ships.
		set -- -machine virt -cpu rv64 -bios default
		console=ttyS0
		;;
	esac
	booted_by="($MMAPDEMO_ARCH) with $QEMU_SYSTEM (TCG)"
else
	booted_by="${MMAPDEMO_VARIANT:+($MMAPDEMO_VARIANT kernel) }with virtme-ng${accel_opt:+ (TCG)}"
fi
step "Booting $(cat "$BUILD_DIR/include/config/kernel.release") $booted_by to run: $cmd_text"
info "log: $log (timeout ${timeout_secs}s)"
tee "$log" <"$fifo" &
tee_pid=$!
start=$(now)
vng_rc=0
# timeout runs QEMU in a process group of its own, out of reach of the
# terminal's Ctrl-C: the trap stops it (timeout passes the signal on).
if is_cross; then
	# panic=-1 with -no-reboot: a guest that panics ends QEMU at once.
	timeout -k 10 "$timeout_secs" "$QEMU_SYSTEM" "$@" -smp "$cpus" -m "$memory" \
		-nodefaults -display none -serial stdio -monitor none -no-reboot \
		-kernel "$BUILD_DIR/$KERNEL_IMAGE" -initrd "$initramfs" \
		-append "console=$console $kernel_args panic=-1" \
		-virtfs "local,path=$MMAPDEMO_CACHE,mount_tag=mmapdemo_cache,security_model=none" \
		>"$fifo" 2>&1 </dev/null &
else
	# --verbose: vng sends the kernel's serial console to /dev/null without it,
	# and an oops that kills the guest would leave no trace; the loglevel
	# appended after vng's own "debug" keeps the boot messages out and lets
	# warnings, oopses and panics through.
	# --force-9p: bookworm's qemu ships the old C virtiofsd, which vng tries,
	# fails with and then falls back to 9p anyway, seconds later.
	# --rwdir GUEST=HOST: vng 1.35 checks a plain --rwdir PATH relative to the
	# current directory and rejects it unless run from /.
	# shellcheck disable=SC2086 # accel_opt is empty or one word
	timeout -k 10 "$timeout_secs" vng --run "$BUILD_DIR" $accel_opt --user root \
		--verbose --append "$kernel_args" --force-9p \
		--memory "$memory" --cpus "$cpus" --rwdir "$MMAPDEMO_CACHE=$MMAPDEMO_CACHE" \
		--exec "/bin/sh '$wrapper'" >"$fifo" 2>&1 </dev/null &
fi
vng_pid=$!
trap 'kill -TERM "$vng_pid" 2>/dev/null; wait "$tee_pid"; rm -f "$fifo"; die "interrupted: the guest was stopped" "rerun the command"' INT TERM HUP
wait "$vng_pid" || vng_rc=$?
trap - INT TERM HUP
wait "$tee_pid" || true
rm -f "$fifo"
secs=$(($(now) - start))

# check_kernel_log: the debug kernel's log, kept and scanned for reports;
# sets log_rc (kernel-log-check.sh's exit status).
check_kernel_log() {
	if [ ! -s "$dmesg_file" ]; then
		{
			echo "# scripts/vm.sh: the guest did not save its dmesg (it died or timed out);"
			echo "# these are the kernel lines of its console log $log (loglevel $console_loglevel)"
			grep -a '^\[ *[0-9][0-9]*\.[0-9]*\]' "$log" | tr -d '\r'
		} >"$dmesg_file"
	fi
	log_rc=0
	"$SCRIPTS_DIR/kernel-log-check.sh" --kmemleak "$kmemleak_file" "$dmesg_file" >"$reports_file" || log_rc=$?
	info "kernel log: $dmesg_file; kmemleak scans: $kmemleak_file"
	grep -v '^kernel-log-check:' "$reports_file" | head -n 30 | sed "s/^/[$PROG]     /" >&2 || true
	if [ "$log_rc" -eq 0 ]; then
		info "$(tail -n 1 "$reports_file") (all findings: $reports_file)"
	else
		warn "$(tail -n 1 "$reports_file"): see $reports_file and $dmesg_file"
	fi
}
log_rc=0
[ "$debug" = false ] || check_kernel_log

if [ -s "$rc_file" ]; then
	rc=$(cat "$rc_file")
	info "guest command exited with status $rc after $(fmt_secs "$secs") (dmesg: $dmesg_file)"
	if [ "$rc" -eq 0 ] && [ "$log_rc" -ne 0 ]; then
		printf '[%s] ERROR: the command succeeded but the debug kernel reported problems (%s)\n' "$PROG" "$reports_file" >&2
		exit 123
	fi
	exit "$rc"
fi
# No status file: the command never finished.  Distinct exit codes let a
# caller tell this from a failing command.
if [ "$vng_rc" -eq 124 ] || [ "$vng_rc" -eq 137 ]; then
	printf '[%s] ERROR: the guest did not finish within %ss\n' "$PROG" "$timeout_secs" >&2
	printf '[%s]   what to do: see %s; rerun with --timeout N if it was just slow (TCG is slower than KVM)\n' "$PROG" "$log" >&2
	exit 124
fi
printf '[%s] ERROR: the guest command did not complete (vng exit status %s): kernel oops/panic or boot failure\n' "$PROG" "$vng_rc" >&2
printf '[%s]   what to do: see the kernel messages in %s\n' "$PROG" "$log" >&2
exit 125
