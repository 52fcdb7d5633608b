#!/bin/sh
# make image-test: boots the image built by image/build.sh under qemu-system-aarch64 -M virt
# (TCG) and checks, against a Kamailio registrar on the host:
#   - first boot: provisioning moves intercom.toml and authorized_keys off the FAT partition
#     and generates SSH host keys (we log in with a throw-away key);
#   - systemd starts intercom.service, it registers (Kamailio logs the authenticated REGISTER),
#     `systemctl is-active intercom` says active (for Type=notify: READY=1 arrived);
#   - `make deploy` against the booted board (systemd/deploy.sh over SSH): a new binary is
#     installed and comes up READY and registered, the board's config is kept; a binary that
#     rejects the config changes nothing; one that never says READY is rolled back;
#   - kill -9 while the relay (on QEMU's PL061, which keeps a released output like a Pi
#     kernel) is energised: ExecStopPost's `intercom safe` reports and clears it, the
#     restarted intercom finds the line at rest;
#   - `systemctl stop intercom` (SIGTERM) unregisters: a REGISTER with expires 0;
# and prints the image size and the boot-to-registered time.
# The kernel and initrd are the image's own (image/out/vmlinuz, initrd.img); the disk is a
# sparse copy of image/out/intercom-arm64.img, so the built image stays pristine.
# Skips (exit 0) when qemu-system-aarch64, kamailio or ssh is missing, unless
# INTERCOM_REQUIRE_PEERS=1. Env: TIMEOUT (seconds to registered, default 600).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${OUT:-$here/out}
timeout=${TIMEOUT:-600}

log() { printf 'image-test: %s\n' "$*"; }
fail() {
	printf 'image-test: FAIL: %s\n' "$*" >&2
	exit 1
}
need() {
	command -v "$1" >/dev/null && return 0
	if [ "${INTERCOM_REQUIRE_PEERS:-}" = 1 ]; then
		fail "$1 not found (apt: $2)"
	fi
	log "SKIP: $1 not found (apt: $2)"
	exit 0
}
need qemu-system-aarch64 qemu-system-arm
need kamailio kamailio
need ssh openssh-client
need ssh-keygen openssh-client
need mcopy mtools
need sfdisk fdisk

img=$out/intercom-arm64.img
for f in "$img" "$out/vmlinuz" "$out/initrd.img"; do
	[ -f "$f" ] || fail "$f not found: run make image first"
done

work=$out/test
rm -rf "$work"
mkdir -p "$work"
qemu_pid=
kam_pid=
cleanup() {
	for p in $qemu_pid $kam_pid; do
		kill "$p" 2>/dev/null || true
	done
	rm -f "$work/disk.img"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() { # a TCP and UDP port nobody listens on, from a range this test owns
	p=$(($1 + $$ % 1000))
	while ss -Htuln | awk '{print $5}' | grep -q ":$p\$"; do p=$((p + 1)); done
	echo "$p"
}
sip_port=$(free_port 25000)
ssh_port=$(free_port 27000)

# --- the registrar ---
mpath=$(dirname "$(find /usr/lib -path '*/kamailio/modules/tm.so' 2>/dev/null | head -n 1)")
[ -f "$mpath/tm.so" ] || fail "kamailio modules not found"
sed "s|@PORT@|$sip_port|g; s|@MPATH@|$mpath|g" "$here/kamailio.cfg" >"$work/kamailio.cfg"
kamailio -f "$work/kamailio.cfg" -DD -E -m 32 -M 4 -Y "$work" -P "$work/kamailio.pid" -w "$work" \
	>"$work/kamailio.log" 2>&1 &
kam_pid=$!

# --- the disk: a copy, with this test's config and SSH key on the boot partition ---
cp --sparse=always "$img" "$work/disk.img"
boot_start=$(sfdisk -d "$work/disk.img" | awk -F'[=,]' '/start=/ { gsub(/ /, "", $2); print $2; exit }')
fat="$work/disk.img@@$((boot_start * 512))"
cat >"$work/intercom.toml" <<CONF
# image-test: register to the host's Kamailio through QEMU's user network.
[sip]
listen = "0.0.0.0:5060"

[[account]]
id = "pbx"
registrar = "sip:10.0.2.2:$sip_port"
user = "door"
password = "secret"
expires = "60s"

[audio]
capture = "silence"
playback = "null"

# QEMU virt's PL061 (8 lines; line 3 is the power key): a real gpiochip whose driver, like a
# Raspberry Pi kernel's, keeps a released output at its level.
[gpio]
chip = "9030000.pl061"

[door]
relay_line = 4
open_for = "60s"

[control]
socket = "/run/intercom/ctl.sock"
CONF
ssh-keygen -q -t ed25519 -N '' -C image-test -f "$work/id"
mcopy -o -i "$fat" "$work/intercom.toml" ::intercom.toml
mcopy -o -i "$fat" "$work/id.pub" ::authorized_keys

# --- boot ---
log "booting $(basename "$img") under qemu-system-aarch64 -M virt (TCG); console in $work/console.log"
t0=$(date +%s.%N)
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 -accel tcg \
	-display none -monitor none -serial "file:$work/console.log" -no-reboot \
	-kernel "$out/vmlinuz" -initrd "$out/initrd.img" \
	-append "root=LABEL=intercom-root rw console=ttyAMA0 net.ifnames=0 panic=-1" \
	-drive "file=$work/disk.img,format=raw,if=none,id=disk" -device virtio-blk-pci,drive=disk \
	-netdev "user,id=net,hostfwd=tcp:127.0.0.1:$ssh_port-:22" -device virtio-net-pci,netdev=net \
	</dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!

since() { echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }'; }
guest() {
	ssh -q -i "$work/id" -p "$ssh_port" -o BatchMode=yes -o ConnectTimeout=5 \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1 "$@"
}
alive() { kill -0 "$qemu_pid" 2>/dev/null || fail "QEMU exited; see $work/console.log and qemu.log"; }

registered=
while [ -z "$registered" ]; do
	alive
	if grep -q 'REGISTER user=door .*expires=[1-9]' "$work/kamailio.log"; then
		registered=$(since)
		break
	fi
	if awk -v s="$(since)" -v t="$timeout" 'BEGIN { exit !(s > t) }'; then
		tail -n 30 "$work/console.log" >&2 || true
		guest 'systemctl --no-pager status intercom; journalctl -b -u intercom --no-pager | tail -n 30' >&2 || true
		fail "no REGISTER from the guest within ${timeout}s"
	fi
	sleep 1
done
log "registered $registered s after QEMU started (TCG)"

# --- checks from inside ---
ssh_ok=
i=0
while [ $i -lt 120 ]; do
	alive
	if guest true; then
		ssh_ok=$(since)
		break
	fi
	i=$((i + 1))
	sleep 1
done
[ -n "$ssh_ok" ] || fail "no SSH login (host keys, authorized_keys from the boot partition)"
log "SSH login with the provisioned key at $ssh_ok s"

state=$(guest systemctl is-active intercom || true)
[ "$state" = active ] || fail "systemctl is-active intercom: $state"
log "systemctl is-active intercom: $state"
guest systemctl show -p StatusText -p NRestarts -p MainPID -p WatchdogUSec intercom | sed 's/^/image-test:   /'
guest 'journalctl -b -u intercom --no-pager -o cat | grep -v "level=DEBUG" | tail -n 8' | sed 's/^/image-test:   log: /'
guest 'test -f /etc/intercom/intercom.toml && test ! -e /boot/firmware/intercom.toml && stat -c "%U:%G %a" /etc/intercom/intercom.toml' |
	grep -q '^root:intercom 640$' || fail "config not provisioned from the boot partition"
log "config moved off the boot partition to /etc/intercom/intercom.toml (root:intercom 0640)"
system=$(guest systemctl is-system-running || true)
log "systemctl is-system-running: $system"
[ "$system" = running ] || guest systemctl --failed --no-pager --plain | sed 's/^/image-test:   failed: /'

# --- make deploy against the board ---
registers() { grep -c "REGISTER user=door .*expires=$1" "$work/kamailio.log" || true; }
# more_registers EXPIRES COUNT SECONDS WHAT: wait until Kamailio has logged more than COUNT
# REGISTERs with EXPIRES (a pattern), or fail saying WHAT did not happen.
more_registers() {
	i=0
	while [ "$(registers "$1")" -le "$2" ]; do
		i=$((i + 1))
		[ $i -lt $(($3 * 2)) ] || fail "$4"
		sleep 0.5
	done
}
# deploy DIST NAME: systemd/deploy.sh with binaries from DIST; its output in deploy-NAME.log.
# SSH_OPTS must suit scp as well as ssh, hence -o Port rather than -p.
deploy() {
	SSH_OPTS="-q -i $work/id -o Port=$ssh_port -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null" \
		DIST=$1 "$top/systemd/deploy.sh" root@127.0.0.1 >"$work/deploy-$2.log" 2>&1
}
board_sum() { guest sha256sum "$1" | cut -d' ' -f1; }
conf_sum=$(board_sum /etc/intercom/intercom.toml)
pid0=$(guest systemctl show -p MainPID --value intercom)

# A new build: the same binary with bytes appended (an ELF ignores them), so its checksum
# tells it apart on the board.
mkdir -p "$work/dist-new" "$work/dist-reject" "$work/dist-silent"
cp "$top/dist/intercom-linux-arm64" "$work/dist-new/intercom-linux-arm64"
printf 'image-test deploy\n' >>"$work/dist-new/intercom-linux-arm64"
new_sum=$(sha256sum "$work/dist-new/intercom-linux-arm64" | cut -d' ' -f1)
reg0=$(registers '[1-9]')
t=$(date +%s)
deploy "$work/dist-new" new || fail "deploy of a good binary failed: $(tail -n 5 "$work/deploy-new.log")"
[ "$(board_sum /usr/bin/intercom)" = "$new_sum" ] || fail "deploy: /usr/bin/intercom is not the new binary"
[ "$(board_sum /etc/intercom/intercom.toml)" = "$conf_sum" ] || fail "deploy replaced the board's config"
pid1=$(guest systemctl show -p MainPID --value intercom)
if [ "$pid1" = "$pid0" ] || [ "$(guest systemctl is-active intercom)" != active ]; then
	fail "deploy: intercom not restarted and active"
fi
more_registers '[1-9]' "$reg0" 30 "deploy: the new binary did not register"
log "deploy: new binary installed, READY and registered again in $(($(date +%s) - t)) s; board config kept"

# A build that rejects the board's config must change nothing.
cat >"$work/dist-reject/intercom-linux-arm64" <<'BIN'
#!/bin/sh
[ "${1:-}" = check-config ] && { echo "intercom.toml:3: sip.listen: test rejection" >&2; exit 2; }
exit 0
BIN
chmod 0755 "$work/dist-reject/intercom-linux-arm64"
if deploy "$work/dist-reject" reject; then
	fail "deploy accepted a binary that rejects the config"
fi
grep -q 'nothing changed' "$work/deploy-reject.log" || fail "deploy-reject: $(tail -n 3 "$work/deploy-reject.log")"
if [ "$(board_sum /usr/bin/intercom)" != "$new_sum" ] || [ "$(guest systemctl show -p MainPID --value intercom)" != "$pid1" ]; then
	fail "deploy changed the board although check-config failed"
fi
log "deploy: a binary that rejects the config is refused; binary and running service untouched"

# A build that passes check-config but never sends READY=1 is rolled back.
cat >"$work/dist-silent/intercom-linux-arm64" <<'BIN'
#!/bin/sh
case ${1:-} in check-config | version) exit 0 ;; esac
exec sleep 600
BIN
chmod 0755 "$work/dist-silent/intercom-linux-arm64"
t=$(date +%s)
if deploy "$work/dist-silent" silent; then
	fail "deploy kept a binary that never became READY"
fi
if ! grep -q 'rolled back' "$work/deploy-silent.log" || ! grep -q 'previous intercom active again' "$work/deploy-silent.log"; then
	fail "deploy-silent: $(tail -n 5 "$work/deploy-silent.log")"
fi
if [ "$(board_sum /usr/bin/intercom)" != "$new_sum" ] || [ "$(guest systemctl is-active intercom)" != active ]; then
	fail "after the rollback the previous binary is not back and active"
fi
log "deploy: a binary that never says READY is rolled back; previous one active again ($(($(date +%s) - t)) s)"

# --- kill -9 with the door open: ExecStopPost's `intercom safe` closes it ---
# The PL061 keeps a released output at its level, as Raspberry Pi kernels do by default: only
# `intercom safe`, run by systemd after the kill, can drive the relay line low again. It says
# so in the unit's journal; the restarted intercom then finds the line at rest.
guest intercom ctl open >/dev/null || fail "intercom ctl open"
pid2=$(guest systemctl show -p MainPID --value intercom)
reg2=$(registers '[1-9]')
guest "journalctl -u intercom -o cat --no-pager | grep -c 'relay door was energised' || true" >"$work/safe0"
guest systemctl kill -s KILL intercom
i=0
until guest "journalctl -u intercom -o cat --no-pager | grep -c 'relay door was energised'" >"$work/safe1" 2>/dev/null &&
	[ "$(cat "$work/safe1")" -gt "$(cat "$work/safe0")" ]; do
	i=$((i + 1))
	[ $i -lt 60 ] || fail "no 'relay door was energised' from intercom safe (ExecStopPost) within 30 s of kill -9"
	sleep 0.5
done
log "kill -9 with the relay energised: ExecStopPost's intercom safe found it energised (kept by the driver) and drove it safe"
more_registers '[1-9]' "$reg2" 60 "intercom not registered again after the kill -9"
[ "$(guest systemctl show -p MainPID --value intercom)" != "$pid2" ] || fail "intercom not restarted after kill -9"
if guest "journalctl -u intercom -o cat --no-pager _PID=\$(systemctl show -p MainPID --value intercom)" | grep -q 'relay found energised'; then
	fail "the restarted intercom found the relay still energised: intercom safe did not leave it low"
fi
log "restarted and registered; the new run found the relay line at rest"

# --- SIGTERM unregisters ---
unreg0=$(registers 0)
guest systemctl stop intercom
more_registers 0 "$unreg0" 10 "no REGISTER with expires 0 after systemctl stop (SIGTERM)"
log "systemctl stop intercom (SIGTERM): unregistered (REGISTER expires=0)"

guest systemctl poweroff || true
i=0
while kill -0 "$qemu_pid" 2>/dev/null && [ $i -lt 60 ]; do
	i=$((i + 1))
	sleep 1
done
size=$(du -m --apparent-size "$img" | cut -f1)
data=$(du -m "$img" | cut -f1)
log "image size: ${size} MiB (${data} MiB of data)"
log "boot-to-registered: ${registered} s under TCG (QEMU start to Kamailio's 200 OK)"
log "PASS"
