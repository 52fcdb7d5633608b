#!/bin/sh
# make image-raspi-test [BOARD=pi4|pi0]: boots the image's own kernel, initrd and Raspberry Pi
# device tree under QEMU's Raspberry Pi machine, the boot configuration that -M virt never
# reads:
#   pi4: qemu-system-aarch64 -M raspi3b (BCM2837) with bcm2837-rpi-3-b.dtb;
#   pi0: qemu-system-arm -M raspi0 (BCM2835, ARM1176) with bcm2835-rpi-zero-w.dtb.
# Both models have the BCM2835 GPIO and SD host controllers. Over the serial console it logs
# in as root and checks that intercom.service is active and that the intercom claimed its
# lines on the BCM GPIO chip (pinctrl-bcm2835, 54 lines), with the relay held low.
# What QEMU's Pi machines cannot do: no GPU firmware (config.txt is not read: the kernel, DTB
# and command line are given to QEMU directly), no sound card (the test config uses silence
# and null), no network (only an emulated USB adapter could give one, and the test adds
# none: the intercom listens but registers nowhere), and the
# BCM2835 watchdog resets the machine as soon as systemd arms it (the image's
# RuntimeWatchdogSec=15): the test keeps bcm2835_wdt out. raspi0 also lacks the ASB registers
# that the rpi kernel's bcm2835-power driver reads (it only powers the V3D GPU): kept out too.
# Skips (exit 0) without the QEMU system emulator or python3 unless INTERCOM_REQUIRE_PEERS=1.
# Env: BOARD (pi4), TIMEOUT (seconds to the login prompt, default 600; 1200 for pi0).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
board=${BOARD:-pi4}

log() { printf 'raspi-test: %s\n' "$*"; }
fail() {
	printf 'raspi-test: FAIL: %s\n' "$*" >&2
	exit 1
}
need() {
	command -v "$1" >/dev/null && return 0
	[ "${INTERCOM_REQUIRE_PEERS:-}" = 1 ] && fail "$1 not found (apt: $2)"
	log "SKIP: $1 not found (apt: $2)"
	exit 0
}
# The console is the mini UART (ttyS1, QEMU's second serial port) on both: the PL011 carries
# Bluetooth in the Pi 3's and the Zero W's device trees, so it has no tty.
case $board in
pi4)
	qemu=qemu-system-aarch64 machine=raspi3b dtb=bcm2837-rpi-3-b.dtb
	img=$out/intercom-arm64.img kernel=$out/vmlinuz initrd=$out/initrd.img
	timeout=${TIMEOUT:-600}
	quirks=modprobe.blacklist=bcm2835_wdt
	;;
pi0)
	qemu=qemu-system-arm machine=raspi0 dtb=bcm2835-rpi-zero-w.dtb
	img=$out/intercom-armel.img kernel=$out/vmlinuz-armel initrd=$out/initrd-armel.img
	timeout=${TIMEOUT:-1200}
	# Built into the rpi kernel, so kept out by initcall; bcm2835-power reads the ASB
	# registers, which QEMU's BCM2835 does not map (an external abort kills init).
	quirks=initcall_blacklist=bcm2835_wdt_driver_init,bcm2835_power_driver_init
	;;
*) fail "BOARD=$board: want pi4 or pi0" ;;
esac
need "$qemu" qemu-system-arm
need python3 python3
need mcopy mtools
need sfdisk fdisk

for f in "$img" "$kernel" "$initrd"; do
	[ -f "$f" ] || fail "$f not found: run make image BOARD=$board first"
done
work=$out/raspi-test-$board
rm -rf "$work"
mkdir -p "$work"
qemu_pid=
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -f "$work/disk.img"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

cp --sparse=always "$img" "$work/disk.img"
boot_start=$(sfdisk -d "$work/disk.img" | awk -F'[=,]' '/start=/ { gsub(/ /, "", $2); print $2; exit }')
fat="$work/disk.img@@$((boot_start * 512))"
mcopy -o -i "$fat" "::$dtb" "$work/board.dtb" || fail "no $dtb on the boot partition"
mcopy -o -i "$fat" ::cmdline.txt "$work/cmdline.txt"
cat >"$work/intercom.toml" <<'CONF'
# raspi-test: the Pi's own GPIO chip, no sound card and no network under QEMU.
[sip]
listen = "0.0.0.0:5060"

[audio]
capture = "silence"
playback = "null"

[gpio]
chip = "pinctrl-bcm2835"

[[button]]
name = "bell"
line = 17
active_low = true
bias = "pull-up"
call = ["sip:101@10.0.2.2"]

[[led]]
name = "status"
line = 27
show = "registered"

[door]
relay_line = 22
open_for = "60s"

[control]
socket = "/run/intercom/ctl.sock"
CONF
mcopy -o -i "$fat" "$work/intercom.toml" ::intercom.toml
# QEMU's SD card model wants a power-of-two size.
size=$(stat -c %s "$work/disk.img")
p2=1
while [ "$p2" -lt "$size" ]; do p2=$((p2 * 2)); done
truncate -s "$p2" "$work/disk.img"

# The image's own command line.
log "booting under $qemu -M $machine; console in $work/console.log"
t0=$(date +%s)
"$qemu" -M "$machine" -display none -monitor none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" -dtb "$work/board.dtb" \
	-append "$(cat "$work/cmdline.txt") panic=-1 $quirks" \
	-drive "file=$work/disk.img,format=raw,if=sd" \
	-chardev "socket,id=con,path=$work/console.sock,server=on,wait=off,logfile=$work/console.log" \
	-serial null -serial chardev:con </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!
i=0
while [ ! -S "$work/console.sock" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "QEMU did not start: $(tail -n 5 "$work/qemu.log")"
	sleep 0.1
done

# The console dialogue: log in, run the checks, print a marker per result.
python3 - "$work/console.sock" "$timeout" >"$work/checks.log" 2>&1 <<'PY' || true
import socket, sys, time
t0 = time.time()
sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
deadline = time.time() + float(sys.argv[2])
buf = b""
def expect(token, until):
    global buf
    while token not in buf:
        if time.time() > until:
            raise SystemExit("timeout waiting for %r" % token)
        sock.settimeout(1)
        try:
            data = sock.recv(4096)
        except socket.timeout:
            # Nudges a getty that printed its prompt before we connected. A guest that does
            # not read its UART yet (early boot) fills QEMU's buffer: the send times out too.
            try:
                sock.sendall(b"\r")
            except socket.timeout:
                pass
            continue
        if not data:
            raise SystemExit("console closed")
        buf += data
    buf = buf[buf.index(token) + len(token):]
expect(b"login:", deadline)
print("login-prompt %.0f" % (time.time() - t0))
sock.sendall(b"root\r")
expect(b"# ", time.time() + 120)
script = (
    "echo RT-ACTIVE=$(systemctl is-active intercom); "
    "echo RT-GPIOINFO; cat /sys/kernel/debug/gpio; "
    "echo RT-CMDLINE=$(cat /proc/cmdline); "
    "echo RT-KERNEL=$(uname -rm); "
    "echo RT-PERSIST=$(cat /sys/module/pinctrl_bcm2835/parameters/persist_gpio_outputs 2>/dev/null || echo none); "
    "echo RT-JOURNAL; journalctl -u intercom -o cat --no-pager | grep -v level=DEBUG | tail -n 20; "
    "echo RT-DONE\r"
)
for _ in range(40):
    sock.sendall(b"systemctl is-active intercom\r")
    try:
        expect(b"\nactive", time.time() + 5)
        print("active %.0f" % (time.time() - t0))
        break
    except SystemExit:
        time.sleep(2)
sock.sendall(script.encode())
expect(b"\nRT-DONE", time.time() + 90)  # not the echo of the command line itself
print("done")
# kill -9 with the door open, then what ExecStopPost's `intercom safe` found. The unit's
# restart counter moves once ExecStopPost= has finished (journalctl is too slow to poll on
# an emulated ARM1176); its output may reach the journal a little later. The markers are quoted so that the console's echo of the typed
# command never looks like the output.
safe = "journalctl -u intercom -o cat --no-pager | grep -c 'LEDs at their safe level'"
restarts = "systemctl show -p NRestarts --value intercom"
kill = (
    "intercom ctl open; "
    "echo RT-PIN-\"OPEN\" $(grep -h '(gpio22)' /sys/kernel/debug/pinctrl/*/pins); "
    "n0=$(%s); r0=$(%s); systemctl kill -s KILL intercom; i=0; "
    "while [ $(%s) = $r0 ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i+1)); done; "
    "j=0; while [ $(%s) -le $n0 ] && [ $j -lt 10 ]; do sleep 1; j=$((j+1)); done; "
    "echo RT-SAFE-\"RAN\"=$(($(%s) - n0)); "
    "echo RT-\"ENERGISED\"=$(journalctl -u intercom -o cat --no-pager | grep -c 'was energised'); "
    "echo RT-KILL-\"DONE\"\r"
) % (safe, restarts, restarts, safe, safe)
sock.sendall(kill.encode())
expect(b"\nRT-KILL-DONE", time.time() + 300)
print("killed")
sock.sendall(b"systemctl poweroff\r")
PY
secs=$(($(date +%s) - t0))
grep -q '^login-prompt' "$work/checks.log" || fail "no login prompt within ${timeout}s: $(cat "$work/checks.log"); console in $work/console.log"
# bash's bracketed-paste switches (ESC [?2004h / l) prefix lines on the console: dropped.
tr -d '\r' <"$work/console.log" | sed 's/\x1b\[?2004[hl]//g' | sed -n '/^RT-ACTIVE/,/^RT-DONE/p; /^RT-PIN-OPEN/,/^RT-KILL-DONE/p' >"$work/results"
sed 's/^/raspi-test:   /' "$work/results"
grep -q '^RT-ACTIVE=active' "$work/results" || fail "intercom.service is not active"
# debugfs: "gpiochip0: GPIOs 512-565, parent: platform/3f200000.gpio, pinctrl-bcm2835:"
chip=$(grep -m1 'pinctrl-bcm2835' "$work/results") || fail "no pinctrl-bcm2835 gpiochip"
n=$(echo "$chip" | sed -n 's/.*GPIOs \([0-9]*\)-\([0-9]*\),.*/\2 \1/p' | awk '{print $1 - $2 + 1}')
[ "$n" = 54 ] || fail "pinctrl-bcm2835 has $n lines, want 54"
# The intercom's lines: "gpio-534 (GPIO22 |door ) out lo" (names by consumer and label).
grep -Eq 'GPIO22 *\|.* out lo' "$work/results" || fail "relay line GPIO22 not claimed as an output at its safe (low) level"
grep -Eq 'GPIO17 *\|.* in ' "$work/results" || fail "bell line GPIO17 not claimed as an input"
grep -q 'gpio: lines claimed.*chip=pinctrl-bcm2835' "$work/results" || fail "the intercom did not log its lines claimed on pinctrl-bcm2835"
# kill -9 with the door open. Debian's kernel (mainline pinctrl-bcm2835) returns a released
# pin to an input by itself, so ExecStopPost's `intercom safe` runs and finds nothing
# energised; a Raspberry Pi kernel that kept the output would make it report the relay.
grep -Eq '^RT-PIN-OPEN .*function gpio_out in hi' "$work/results" || fail "ctl open did not drive GPIO22 high: $(grep RT-PIN-OPEN "$work/results")"
grep -q '^RT-SAFE-RAN=1' "$work/results" || fail "ExecStopPost's intercom safe did not run once after kill -9"
grep -q '^RT-ENERGISED=0' "$work/results" || fail "intercom safe found the relay energised after kill -9: this kernel kept the released output"
login=$(sed -n 's/^login-prompt //p' "$work/checks.log")
active=$(sed -n 's/^active //p' "$work/checks.log")
log "boot to login prompt ${login} s, to intercom.service active ${active:-?} s, checks done at ${secs} s; intercom.service active, GPIO lines claimed on the BCM chip; kill -9 with the door open: the kernel released GPIO22 as an input, ExecStopPost's intercom safe ran and found nothing energised"
log "PASS"
