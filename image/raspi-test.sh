#!/bin/sh
# make image-raspi-test: boots the image's own kernel, initrd and Raspberry Pi 3 device tree
# under QEMU's Raspberry Pi machine (qemu-system-aarch64 -M raspi3b: BCM2837, its GPIO and SD
# host models), the boot configuration that -M virt never reads. Over the serial console it
# logs in as root and checks that intercom.service is active and that the intercom claimed
# its lines on the BCM GPIO chip (pinctrl-bcm2835, 54 lines), with the relay held low.
# What QEMU's raspi3b cannot do: no GPU firmware (config.txt is not read: the kernel, DTB and
# command line are given to QEMU directly), no sound card (the test config uses silence and
# null), no network without USB emulation (the intercom listens but registers nowhere), and
# its BCM2835 watchdog resets the machine as soon as systemd arms it (the image's
# RuntimeWatchdogSec=15): the test keeps bcm2835_wdt unloaded.
# Skips (exit 0) without qemu-system-aarch64 or python3 unless INTERCOM_REQUIRE_PEERS=1.
# Env: TIMEOUT (seconds to the login prompt, default 600).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
timeout=${TIMEOUT:-600}

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
need qemu-system-aarch64 qemu-system-arm
need python3 python3
need mcopy mtools
need sfdisk fdisk

img=$out/intercom-arm64.img
for f in "$img" "$out/vmlinuz" "$out/initrd.img"; do
	[ -f "$f" ] || fail "$f not found: run make image first"
done
work=$out/raspi-test
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
mcopy -o -i "$fat" ::bcm2837-rpi-3-b.dtb "$work/rpi3.dtb" || fail "no bcm2837-rpi-3-b.dtb on the boot partition"
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
CONF
mcopy -o -i "$fat" "$work/intercom.toml" ::intercom.toml
# QEMU's SD card model wants a power-of-two size.
size=$(stat -c %s "$work/disk.img")
p2=1
while [ "$p2" -lt "$size" ]; do p2=$((p2 * 2)); done
truncate -s "$p2" "$work/disk.img"

# The image's own command line: its console is the Pi 3's mini UART (ttyS1, QEMU's second
# serial port; the PL011 carries Bluetooth in the Pi 3's device tree, so it has no tty).
log "booting under qemu-system-aarch64 -M raspi3b; console in $work/console.log"
t0=$(date +%s)
qemu-system-aarch64 -M raspi3b -display none -monitor none -no-reboot \
	-kernel "$out/vmlinuz" -initrd "$out/initrd.img" -dtb "$work/rpi3.dtb" \
	-append "$(cat "$work/cmdline.txt") panic=-1 modprobe.blacklist=bcm2835_wdt" \
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
            sock.sendall(b"\r")
            continue
        if not data:
            raise SystemExit("console closed")
        buf += data
    buf = buf[buf.index(token) + len(token):]
expect(b"login:", deadline)
print("login-prompt")
sock.sendall(b"root\r")
expect(b"# ", time.time() + 120)
script = (
    "echo RT-ACTIVE=$(systemctl is-active intercom); "
    "echo RT-GPIOINFO; cat /sys/kernel/debug/gpio; "
    "echo RT-CMDLINE=$(cat /proc/cmdline); "
    "echo RT-JOURNAL; journalctl -u intercom -o cat --no-pager | grep -v level=DEBUG | tail -n 20; "
    "echo RT-DONE\r"
)
for _ in range(40):
    sock.sendall(b"systemctl is-active intercom\r")
    try:
        expect(b"\nactive", time.time() + 5)
        break
    except SystemExit:
        time.sleep(2)
sock.sendall(script.encode())
expect(b"\nRT-DONE", time.time() + 90)  # not the echo of the command line itself
print("done")
sock.sendall(b"systemctl poweroff\r")
PY
secs=$(($(date +%s) - t0))
grep -q '^login-prompt' "$work/checks.log" || fail "no login prompt within ${timeout}s: $(cat "$work/checks.log"); console in $work/console.log"
# bash's bracketed-paste switches (ESC [?2004h / l) prefix lines on the console: dropped.
tr -d '\r' <"$work/console.log" | sed 's/\x1b\[?2004[hl]//g' | sed -n '/^RT-ACTIVE/,/^RT-DONE/p' >"$work/results"
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
log "login prompt to checks in ${secs} s; intercom.service active, GPIO lines claimed on the BCM chip"
log "PASS"
