#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# run.sh: boot the virtual board once and run checks in it.
#
#   hwtest/vboard/run.sh ARCH [--scenario smoke,tests,board,intercom] [--test-binaries BIN...]
#                             [--intercom BIN] [--goarm 6|7] [--timeout SECONDS] [--keep]
#                             [--build-only DIR | --pack-only DIR | --packed DIR]
#
# ARCH is amd64 (x86_64), arm64 (aarch64) or armhf (32-bit ARMv7 kernel; every Go program for
# the guest is built with GOARM=7, or with --goarm 6 the ABI of a Pi Zero/Pi 1). The guest is Debian's kernel under QEMU/TCG
# with snd-aloop (ALSA loopback, cards 0 and 1), gpio-sim (lines bell, led-status, led-call,
# relay-door, exit, sensor, spare6, spare7) and virtio-net (10.0.2.15, host at 10.0.2.2).
# Scenarios, run in this order:
#   smoke     vboardcheck proves aloop (pattern bit-exact, 1 kHz SNR) and gpio-sim (edges, levels)
#   tests     the packages in VBOARD_TEST_PKGS, compiled with `go test -c` for the guest, run
#             with -test.v and INTERCOM_VBOARD=1 (plus any --test-binaries); PKG:PATTERN runs
#             only the tests matching PATTERN (for packages whose other tests need the repo)
#   board     the real-board tests (hwtest/hwtest_test.go, tag hwtest) against guest/board.toml
#   intercom  the call scenario with the real intercom binary (peers.sh on the host)
# The guest prints exactly one "VBOARD SUCCESS ..." or "VBOARD FAIL ..." line and powers off;
# this script exits 0 only on SUCCESS. Run fetch.sh first (run-all.sh does).
# --pack-only DIR builds the guest's programs and initrd into DIR and stops; --packed DIR boots
# what an earlier --pack-only left there (same ARCH and options), so run-all.sh can compile
# everything before any guest runs and no compiler competes with a TCG guest for the cores.
# --build-only DIR only compiles the Go programs into DIR (no kernel or modules needed, so it
# can run while fetch.sh downloads); a later --pack-only DIR uses them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

# Set (even empty) to choose which packages the tests scenario compiles. Only the tests that
# need the real kernel run in the guest: the rest of these packages runs on the host and, for
# arm and arm64, under qemu-user (make qemu-user), where it proves the same in a fraction of a
# TCG guest's time (internal/audio's DSP tests alone took 33 s per guest).
VBOARD_TEST_PKGS=${VBOARD_TEST_PKGS-./alsa:Vboard ./internal/audio:Vboard ./gpio:Vboard|OnGPIOSim ./cmd/intercom:Vboard ./internal/app:Vboard}

usage() { sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
arch=$1
shift
case $arch in
amd64 | x86_64) arch=amd64 goarch=amd64 ;;
arm64 | aarch64) arch=arm64 goarch=arm64 ;;
armhf | arm) arch=armhf goarch=arm ;;
*) usage ;;
esac
goarm=7

scenarios=smoke
test_bins=()
intercom_bin=
timeout_s=
keep=
pack_only=
build_only=
packed=
while [ $# -gt 0 ]; do
	case $1 in
	--scenario) scenarios=$2; shift 2 ;;
	--test-binaries)
		shift
		while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do test_bins+=("$1"); shift; done
		;;
	--intercom) intercom_bin=$2; shift 2 ;;
	--goarm) goarm=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--pack-only) pack_only=$2; shift 2 ;;
	--build-only) build_only=$2; shift 2 ;;
	--packed) packed=$2; shift 2 ;;
	*) usage ;;
	esac
done
has() { case ",$scenarios," in *",$1,"*) return 0 ;; esac; return 1; }

d=$CACHE/$arch
if [ -z "$build_only" ] && { [ ! -e "$d/vmlinux" ] || [ ! -f "$d/modules/gpio-sim.ko" ]; }; then
	die "run: $arch is not fetched (run hwtest/vboard/fetch.sh $arch)"
fi

mkdir -p "$CACHE/tmp"
if [ -n "$build_only" ]; then
	work=$build_only
	rm -rf "$work" && mkdir -p "$work"
elif [ -n "$pack_only" ]; then
	work=$pack_only
	# Programs an earlier --build-only left here are kept.
	[ -e "$work/.built" ] || { rm -rf "$work" && mkdir -p "$work"; }
elif [ -n "$packed" ]; then
	work=$packed
	[ -s "$work/initrd.cpio" ] || die "run: $work holds no packed guest (run with --pack-only first)"
else
	work=$(mktemp -d "$CACHE/tmp/run-$arch.XXXXXX")
fi
cleanup() {
	if [ -n "$keep" ] || [ -n "$pack_only" ] || [ -n "$build_only" ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
root=$work/root
label=$arch
[ "$arch" != armhf ] || label=$arch-v$goarm

# build: the guest's Go programs (and the host's rtpsnr) under $work; nothing from fetch.sh.
build() {
mkdir -p "$root"/{bin,tests,etc/intercom}
# --- static Go programs for the guest ---
# -s -w: no symbol table or DWARF (stack traces keep their names and lines): a third smaller
# initrd for the guest to unpack. The product's build tags (scripts/buildtags) on everything,
# so the guest tests what ships; a build that adds a tag names them too.
gotags=$(sed 's/#.*//' "$repo_dir/scripts/buildtags" | xargs | tr ' ' ,)
gobuild() {
	local cmd=$1
	shift
	(cd "$repo_dir" && CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm go "$cmd" -tags="$gotags" -ldflags='-s -w' "$@")
}
gobuild build -trimpath -o "$root/bin/vboardcheck" ./hwtest/vboard/vboardcheck

if has tests; then
	for entry in $VBOARD_TEST_PKGS; do
		p=${entry%%:*}
		pattern=
		[ "$p" = "$entry" ] || pattern=${entry#*:}
		name=$(echo "${p#./}" | tr / -)
		# -vet=off: vet is make check's job; here only the binary matters.
		gobuild test -c -vet=off -o "$root/tests/$name/$name.test" "$p" || die "run: go test -c $p failed"
		if [ ! -f "$root/tests/$name/$name.test" ]; then
			log "run: $p has no tests, skipped"
			rmdir "$root/tests/$name" 2>/dev/null || true
			continue
		fi
		# Tests run in their package directory, as go test does, so testdata/ is found.
		[ -d "$repo_dir/$p/testdata" ] && cp -r "$repo_dir/$p/testdata" "$root/tests/$name/"
		[ -z "$pattern" ] || printf '%s\n' "$pattern" >"$root/tests/$name/run-pattern"
	done
fi
if has board; then
	# Outside /tests: it needs its own environment (HWTEST_CONFIG), see init.sh.
	mkdir -p "$root/board"
	gobuild test -c -vet=off -tags="hwtest,$gotags" -o "$root/board/hwtest.test" ./hwtest || die "run: go test -c -tags hwtest ./hwtest failed"
	cp "$here/guest/board.toml" "$root/etc/intercom/board.toml"
fi
for b in "${test_bins[@]}"; do
	name=$(basename "$b" .test)
	mkdir -p "$root/tests/$name"
	cp "$b" "$root/tests/$name/$name.test"
done

if has intercom; then
	if [ -z "$intercom_bin" ]; then
		intercom_bin=$work/intercom
		gobuild build -trimpath -o "$intercom_bin" ./cmd/intercom || die "run: cannot build ./cmd/intercom"
	fi
	cp "$intercom_bin" "$root/bin/intercom"
	cp "$here/guest/intercom.toml" "$root/etc/intercom/intercom.toml"
	mkdir -p "$work/host"
	(cd "$repo_dir" && CGO_ENABLED=0 go build -o "$work/host/rtpsnr" ./hwtest/vboard/rtpsnr)
fi
touch "$work/.built"
}

# pack: modules, busybox and /init around what build left, into initrd.cpio.
pack() {
if [ ! -e "$work/.built" ]; then build; fi
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc/intercom,tests,lib/modules/vboard}

# --- modules: plain .ko files in dependency order (the package ships no modules.dep) ---
sound_mods="soundcore snd snd-timer snd-pcm snd-aloop"
net_mods="failover net_failover virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_net"
gpio_mods="configfs"
loaded=()
for m in $sound_mods $gpio_mods $net_mods; do
	f=$(find -L "$d/moddir/kernel" -name "$m.ko" -print -quit)
	if [ -n "$f" ]; then
		cp "$f" "$root/lib/modules/vboard/"
		loaded+=("$m")
	elif grep -q "/$m.ko\$" "$d/moddir/modules.builtin"; then
		: # built in on this arch (arm64: virtio, virtio_ring)
	else
		die "run: module $m not found for $arch"
	fi
done
cp "$d/modules/irq-sim.ko" "$d/modules/gpio-sim.ko" "$root/lib/modules/vboard/"
cp -L "$d/busybox" "$root/bin/busybox"

# --- /init ---
{
	echo "#!/bin/busybox sh"
	echo "VBOARD_ARCH=$label"
	echo "VBOARD_SCENARIOS=$scenarios"
	echo "VBOARD_MODS=\"${loaded[*]}\""
	cat "$here/guest/init.sh"
} >"$root/init"
chmod +x "$root/init" "$root/bin/"*

(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd.cpio.tmp"
mv "$work/initrd.cpio.tmp" "$work/initrd.cpio"
}

# Not `[ -n "$packed" ] || pack`: set -e does not reach into a function called from a list.
if [ -n "$build_only" ]; then build; exit 0; fi
if [ -z "$packed" ]; then pack; fi
if [ -n "$pack_only" ]; then exit 0; fi

# A guest that hangs (a test stuck in the kernel cannot even be killed) costs this much.
if [ -z "$timeout_s" ]; then
	timeout_s=90
	has tests && timeout_s=$((timeout_s + 150))
	has board && timeout_s=$((timeout_s + 60))
	has intercom && timeout_s=$((timeout_s + 120))
fi

# --- boot ---
if has intercom; then
	# The peers run in a network namespace of their own (see peers.sh); root is required.
	for t in kamailio sipp tcpdump unshare ss; do
		command -v $t >/dev/null || die "run: $t is missing (apt: kamailio sip-tester tcpdump util-linux iproute2)"
	done
	unshare -n "$here/boot.sh" "$arch" "$work" "$scenarios" "$timeout_s"
else
	"$here/boot.sh" "$arch" "$work" "$scenarios" "$timeout_s"
fi
