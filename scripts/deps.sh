#!/bin/sh
# deps.sh - install the host packages the mmapdemo scripts need (Debian 12).
#
# Usage: scripts/deps.sh [--check]
#   --check   only report what is missing; exit 1 if anything is.
#
# Idempotent: when everything is present it only asks dpkg and exits in
# about a second.  Otherwise it runs `apt-get update` once, installs the
# missing bookworm packages, and installs virtme-ng and b4 from trixie (they
# are not in bookworm; trixie's architecture-all .debs work on bookworm) through a
# private apt configuration under $MMAPDEMO_CACHE/apt, never editing the
# system's apt sources.
set -eu
SCRIPTS_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$SCRIPTS_DIR/lib.sh"

# What each group is for, so a failure can say why a package matters.
BUILD_PKGS="build-essential flex bison bc libelf-dev libssl-dev ccache cpio kmod rsync python3 git xz-utils zstd"
GUEST_PKGS="qemu-system-x86 udev busybox-static"
SELFTEST_PKGS="libgtest-dev googletest libbenchmark-dev pkg-config"
# The arm64 and riscv64 guests: Debian's cross compilers (C for the
# kernel, C++ for the selftests and GoogleTest, built from googletest's
# sources) and QEMU's system emulators (qemu-system-misc has riscv64 and
# OpenSBI).  Their busybox comes from trixie at build time (lib.sh).
CROSS_PKGS="gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-riscv64-linux-gnu g++-riscv64-linux-gnu qemu-system-arm qemu-system-misc"
# scripts/lint.sh: coccicheck (spatch; ocaml for the semantic patches with
# OCaml scripts), htmldocs (Sphinx 5.3 builds 7.3's HTML documentation),
# checkpatch's SPDX check (scripts/spdxcheck.py: ply, GitPython), and
# dpkg-source for the sparse source package it builds; the documentation's
# figures (Graphviz's dot renders them, headless Chromium checks the page).
LINT_PKGS="coccinelle ocaml-nox python3-sphinx python3-yaml python3-ply python3-git dpkg-dev graphviz chromium"

check_only=false
case ${1:-} in
--check) check_only=true ;;
-h | --help)
	usage
	exit 0
	;;
'') ;;
*) die "unknown option: $1" "run $0 --help" ;;
esac

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

step "Checking host packages"
missing=
for pkg in $BUILD_PKGS $GUEST_PKGS $SELFTEST_PKGS $CROSS_PKGS $LINT_PKGS; do
	is_installed "$pkg" || missing="$missing $pkg"
done
# Not in bookworm: trixie's architecture-all packages, whose dependencies
# bookworm has. virtme-ng boots the guests; b4 0.14 is lint's b4-check.
TRIXIE_PKGS="$VNG_PKG b4"
missing_trixie=
for pkg in $TRIXIE_PKGS; do
	is_installed "$pkg" || missing_trixie="$missing_trixie $pkg"
done

if [ -z "$missing" ] && [ -z "$missing_trixie" ]; then
	info "all present (virtme-ng $(dpkg-query -W -f='${Version}' "$VNG_PKG"), b4 $(dpkg-query -W -f='${Version}' b4))"
	exit 0
fi
[ -n "$missing" ] && info "missing from bookworm:$missing"
[ -n "$missing_trixie" ] && info "missing from $VNG_SUITE:$missing_trixie"
if [ "$check_only" = true ]; then
	die "packages are missing" "run scripts/deps.sh (as root) to install them"
fi

if [ "$(id -u)" -ne 0 ]; then
	die "installing packages needs root" \
		"rerun as root: sudo $0 (or: apt-get install$missing)"
fi
export DEBIAN_FRONTEND=noninteractive

if [ -n "$missing" ]; then
	step "apt-get update"
	run_logged apt-update apt-get update ||
		die "apt-get update failed" "check access to the Debian archive, then rerun scripts/deps.sh"
	step "Installing:$missing"
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	run_logged apt-install apt-get install -y --no-install-recommends $missing ||
		die "apt-get install failed" "see $LOG_DIR/apt-install.log; fix the apt error and rerun scripts/deps.sh"
fi

for pkg in $missing_trixie; do
	private_apt_update
	step "Downloading $pkg from $VNG_SUITE"
	mkdir -p "$APT_DIR/debs"
	rm -f "$APT_DIR/debs/${pkg}_"*.deb
	run_logged "$pkg-download" in_dir "$APT_DIR/debs" private_apt apt-get download "$pkg/$VNG_SUITE" ||
		die "could not download $pkg from $VNG_SUITE" \
			"see $LOG_DIR/$pkg-download.log; rerun scripts/deps.sh (the private lists are refreshed daily)"
	deb=$(ls "$APT_DIR/debs/${pkg}_"*.deb)
	step "Installing $(basename "$deb") with its bookworm dependencies"
	# The system apt configuration resolves the dependencies (all in bookworm).
	run_logged "$pkg-install" apt-get install -y "$deb" ||
		die "installing $deb failed" \
			"see $LOG_DIR/$pkg-install.log; run 'apt-get update' if a dependency was not found"
done

info "host packages ready"
