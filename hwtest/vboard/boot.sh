#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# boot.sh: boot a packed virtual board and wait for its marker (called by run.sh; with the
# intercom scenario run.sh calls it through `unshare -n` so the peers get a private network).
#
#   boot.sh ARCH WORK SCENARIOS TIMEOUT
#
# WORK holds initrd.cpio (and host/ tools for the scenario). Exit 0 only when the console
# shows exactly one VBOARD SUCCESS line and no VBOARD FAIL line.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

arch=$1 work=$2 scenarios=$3 timeout_s=$4
d=$CACHE/$arch
has() { case ",$scenarios," in *",$1,"*) return 0 ;; esac; return 1; }

case $arch in
amd64)
	qemu=(qemu-system-x86_64 -accel tcg -m 512 -smp 1 -kernel "$d/vmlinux"
		-append "console=ttyS0 panic=-1 quiet")
	;;
arm64)
	qemu=(qemu-system-aarch64 -M virt -cpu cortex-a53 -accel tcg -m 512 -smp 1
		-kernel "$d/vmlinux" -append "console=ttyAMA0 panic=-1 quiet")
	;;
armhf)
	# Debian's armmp kernel on QEMU's virt board: a Cortex-A15 (ARMv7 with LPAE, as the
	# Pi 2/3 in 32-bit mode); the GOARM=6 binary runs on it with a Pi Zero's kernel ABI.
	# highmem=off: armmp (no LPAE) cannot reach the PCIe ECAM window above 4 GB.
	# shellcheck disable=SC2054 # the comma belongs to the machine option
	qemu=(qemu-system-arm -M virt,highmem=off -cpu cortex-a15 -accel tcg -m 512 -smp 1
		-kernel "$d/vmlinux" -append "console=ttyAMA0 panic=-1 quiet")
	;;
*) die "boot: unknown arch $arch" ;;
esac

hostfwd=
peers=
if has intercom; then
	# shellcheck source=peers.sh
	. "$here/peers.sh"
	trap 'peers_stop' EXIT
	peers_start "$work" | tee -a "$work/console.log"
	peers=1
	hostfwd=$(peers_hostfwd)
fi
# romfile= skips the iPXE option ROM of the NIC: nothing boots from the network here.
# shellcheck disable=SC2054 # the commas belong to QEMU option values
qemu+=(-nographic -no-reboot -initrd "$work/initrd.cpio"
	-netdev "user,id=n,restrict=off$hostfwd" -device virtio-net-pci,netdev=n,romfile=)

log "booting $arch ($scenarios), timeout ${timeout_s}s"
t0=$(date +%s%N)
set +e
timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' | tee -a "$work/console.log"
set -e
wall_ms=$((($(date +%s%N) - t0) / 1000000))

if [ -n "$peers" ]; then
	peers_stop
	peers_report "$work" | tee -a "$work/console.log" || peers_dump "$work"
fi

ok=$(grep -c '^VBOARD SUCCESS' "$work/console.log" || true)
bad=$(grep -c '^VBOARD FAIL' "$work/console.log" || true)
if [ "$ok" = 1 ] && [ "$bad" = 0 ]; then
	log "$arch: SUCCESS in ${wall_ms} ms (qemu start to poweroff)"
	exit 0
fi
if [ "$ok$bad" = 00 ]; then
	log "$arch: no VBOARD marker within ${timeout_s}s (${wall_ms} ms): guest hung or crashed"
else
	log "$arch: FAIL ($ok SUCCESS, $bad FAIL lines) in ${wall_ms} ms"
fi
exit 1
