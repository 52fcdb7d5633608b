#!/bin/sh
# make image [BOARD=pi4|pi0]: a Raspberry Pi SD-card image from Debian packages only.
#   pi4 (default): Raspberry Pi 3/4, arm64, linux-image-arm64, dist/intercom-linux-arm64.
#   pi0: Raspberry Pi Zero / Zero W / 1 (ARMv6), armel (Debian's armhf needs ARMv7),
#        linux-image-rpi (Debian's kernel flavour for the BCM2835), dist/intercom-linux-armv6.
#
#   1. root file system: mmdebstrap --arch=ARCH (maintainer scripts run under
#      qemu-user-static through binfmt_misc) with the kernel, raspi-firmware, systemd,
#      openssh-server and alsa-utils. Cached as out/cache/rootfs-<hash>.tar, keyed on
#      everything that shapes it, so a warm build skips this (the slow step).
#   2. the intercom: the static binary (make cross), its unit enabled, the
#      intercom user (systemd-sysusers --root), a config template installed at first boot,
#      SSH host keys generated at first boot (provision.sh), DHCP by systemd-networkd.
#   3. the SD card: MBR with a FAT boot partition (firmware, kernel, initrd, DTBs,
#      config.txt, cmdline.txt) and an ext4 root made with mkfs.ext4 -d. No loop devices,
#      no mounts: mtools fills the FAT image, dd places both partitions.
#
# Output in image/out/: intercom-ARCH.img (write it with dd), and the kernel and initrd for
# the QEMU boot tests (pi4: vmlinuz, initrd.img; pi0: vmlinuz-armel, initrd-armel.img).
# Needs root, mmdebstrap, qemu-user-static, dosfstools, mtools, fdisk, e2fsprogs.
# Env: BOARD (pi4), BIN (the board's binary in dist/), SUITE (bookworm), MIRRORS (apt source
#      lines, ';'-separated; default: the host's own Debian sources), OUT (default image/out).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${OUT:-$here/out}
board=${BOARD:-pi4}
suite=${SUITE:-bookworm}
boot_mib=256
label_root=intercom-root
label_boot=RASPIFIRM

log() { printf 'image: %s\n' "$*"; }
die() {
	printf 'image: %s\n' "$*" >&2
	exit 1
}

# What BOARD selects. qemu: the binfmt_misc name, its ELF machine bytes (magic 18-19 and the
# ELF class) and the program `file` must report for the intercom binary.
case $board in
pi4)
	arch=arm64 kernel=linux-image-arm64 dtbs='bcm2*-rpi-*.dtb' binname=arm64 outsuffix=
	qemu=aarch64 elfclass='\x02' elfmachine='\xb7\x00' filetype='ARM aarch64'
	;;
pi0)
	arch=armel kernel=linux-image-rpi dtbs='bcm2835-rpi-*.dtb' binname=armv6 outsuffix=-armel
	qemu=arm elfclass='\x01' elfmachine='\x28\x00' filetype='ARM, EABI5'
	;;
*) die "BOARD=$board: want pi4 (Raspberry Pi 3/4, arm64) or pi0 (Pi Zero / Zero W / 1, armel)" ;;
esac
bin=${BIN:-$top/dist/intercom-linux-$binname}

[ "$(id -u)" = 0 ] || die "needs root (ownership inside the root file system)"
for t in mmdebstrap mkfs.ext4 mkfs.vfat mcopy mmd sfdisk systemd-sysusers; do
	command -v "$t" >/dev/null || die "$t not found (apt: mmdebstrap dosfstools mtools fdisk e2fsprogs systemd)"
done
[ -f "$bin" ] || die "$bin not found: run make cross (or set BIN=)"
file "$bin" 2>/dev/null | grep -q "$filetype.*statically linked" ||
	die "$bin is not a static $arch binary"

start=$(date +%s)
mkdir -p "$out/cache"

# Foreign maintainer scripts need binfmt_misc. The registration is the kernel's (shared by
# the machine), so only add it when it is missing.
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/status" ]; then
	mount -t binfmt_misc binfmt_misc "$binfmt" || die "cannot mount binfmt_misc"
fi
if [ ! -e "$binfmt/qemu-$qemu" ]; then
	interp=/usr/libexec/qemu-binfmt/$qemu-binfmt-P
	[ -x "$interp" ] || die "$interp not found (apt: qemu-user-static)"
	log "registering qemu-$qemu with binfmt_misc"
	printf '%s' ":qemu-$qemu:M::\x7fELF$elfclass\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00$elfmachine:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:$interp:PF" \
		>"$binfmt/register"
fi
if [ "$board" = pi0 ]; then
	# The Pi Zero's CPU is an ARM1176: the binary must run on it, not only on a newer core.
	out_v=$(qemu-arm-static -cpu arm1176 "$bin" version 2>&1) ||
		die "$bin does not run on an ARM1176 (GOARM=6 expected): $out_v"
fi

# Apt sources: the host's Debian mirrors for the suite, its updates and security.
if [ -z "${MIRRORS:-}" ]; then
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax, not the shell's.
	MIRRORS=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(ORIGIN)' 'Created-By: Packages' 2>/dev/null |
		awk -v s="$suite" '$3 == "Debian" && ($2 == s || $2 == s "-updates" || $2 == s "-security") {
			printf "deb %s %s main non-free-firmware;", $1, $2 }' | sort -u | tr -d '\n')
fi
[ -n "$MIRRORS" ] || die "no Debian $suite sources on this host: set MIRRORS='deb URI $suite main non-free-firmware'"

packages=systemd-sysv,udev,dbus,kmod,iproute2,netbase,ca-certificates,openssh-server,alsa-utils
packages=$packages,$kernel,raspi-firmware,initramfs-tools,zstd,systemd-timesyncd,systemd-resolved
# Documentation is not needed on a door; copyright files stay.
dpkgopts='path-exclude=/usr/share/doc/*;path-include=/usr/share/doc/*/copyright;path-exclude=/usr/share/man/*;path-exclude=/usr/share/locale/*;path-exclude=/usr/share/info/*'
# arm64 is implied by an empty $archkey, so pi4's existing caches keep their names.
archkey=
[ "$arch" = arm64 ] || archkey=$arch
# shellcheck disable=SC2086 # an empty $archkey adds no line
key=$(printf '%s\n' 2 "$suite" "$packages" "$dpkgopts" "$MIRRORS" $archkey | sha256sum | cut -c1-16)
cache=$out/cache/rootfs-$key.tar

if [ ! -s "$cache" ]; then
	log "debootstrapping $suite $arch with mmdebstrap (slow under qemu-user; cached as $(basename "$cache"))"
	set --
	old_ifs=$IFS
	IFS=';'
	for o in $dpkgopts; do set -- "$@" --dpkgopt="$o"; done
	set -- "$@" "$suite" "$cache.tmp.tar"
	for m in $MIRRORS; do set -- "$@" "$m"; done
	IFS=$old_ifs
	# raspi-firmware's kernel hook writes to /boot/firmware; it is filled below instead.
	#
	# mkinitramfs is the slow part under qemu-user (a fork per module, ~16 min on 2 idle
	# cores), and dpkg would run it once from the kernel's postinst and again from the
	# update-initramfs trigger that later packages (udev, kmod, zstd) activate. So
	# update-initramfs is diverted to true while packages install and run once, for real,
	# when everything is in place.
	# shellcheck disable=SC2016 # the hooks are run by mmdebstrap with the root as $1.
	mmdebstrap --arch="$arch" --variant=minbase --components=main,non-free-firmware \
		--include="$packages" --aptopt='APT::Install-Recommends "false"' \
		--essential-hook='mkdir -p "$1/boot/firmware"' \
		--essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --divert /usr/sbin/update-initramfs.deferred --add /usr/sbin/update-initramfs' \
		--essential-hook='ln -s /bin/true "$1/usr/sbin/update-initramfs"' \
		--customize-hook='rm "$1/usr/sbin/update-initramfs"' \
		--customize-hook='chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs' \
		--customize-hook='chroot "$1" update-initramfs -c -k all' \
		--customize-hook='chroot "$1" apt-get clean' \
		"$@" ||
		die "mmdebstrap failed"
	mv "$cache.tmp.tar" "$cache"
	log "root file system in $(($(date +%s) - start)) s"
else
	log "root file system from cache ($(basename "$cache"))"
fi

work=$out/work-$board
rm -rf "$work"
mkdir -p "$work/root" "$work/boot"
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
tar -C "$root" -xpf "$cache"
# A package half-configured or with a trigger still pending (say, the initramfs) would be
# finished on the board's first boot, or never; the image must leave here complete.
audit=$(dpkg --root="$root" --audit 2>&1) || die "dpkg --audit failed in the root file system: $audit"
[ -z "$audit" ] || die "packages not fully installed in $(basename "$cache") (delete it and rebuild): $audit"

# --- the intercom ---
install -m 0755 "$bin" "$root/usr/bin/intercom"
install -D -m 0644 "$top/systemd/intercom.service" "$root/etc/systemd/system/intercom.service"
install -D -m 0644 "$top/systemd/intercom.sysusers" "$root/usr/lib/sysusers.d/intercom.conf"
install -D -m 0644 "$top/systemd/60-intercom-gpio.rules" "$root/usr/lib/udev/rules.d/60-intercom-gpio.rules"
install -D -m 0644 "$top/systemd/hardware-watchdog.conf" "$root/usr/lib/systemd/system.conf.d/60-hardware-watchdog.conf"
install -D -m 0644 "$top/config/example.toml" "$root/usr/share/intercom/intercom.toml"
cp -R "$here/rootfs/." "$root/"
chmod 0755 "$root/usr/lib/intercom/provision.sh"
systemd-sysusers --root="$root" "$top/systemd/intercom.sysusers"
install -d -m 0755 "$root/etc/intercom"

# The host's systemctl follows [Install] (Also=, WantedBy=) inside the image's root.
systemctl --root="$root" --quiet enable intercom.service intercom-provision.service ssh-hostkeys.service \
	systemd-networkd.service systemd-networkd-wait-online.service systemd-resolved.service
ln -sf /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
# An empty machine-id makes the first boot a "first boot", and systemd-firstboot would then
# wait on the console for a locale and time zone: nobody answers on a door.
systemctl --root="$root" --quiet mask systemd-firstboot.service

echo intercom >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tintercom\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# The boot partition is not needed to open the door: if it is slow to appear (a Pi Zero, or
# QEMU's raspi0, can spend systemd's default 90 s device wait before udev has even started;
# rootfs/etc/systemd/system.conf.d raises it) or damaged, the board must not stop in
# emergency mode. nofail keeps it out of local-fs.target; provisioning
# (RequiresMountsFor) still waits for it.
cat >"$root/etc/fstab" <<FSTAB
LABEL=$label_root	/		ext4	defaults,noatime	0 1
LABEL=$label_boot	/boot/firmware	vfat	defaults,noatime,umask=0077,nofail	0 2
FSTAB
# Unique per board: generated at first boot.
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
mkdir -p "$root/var/log/journal"
# The console is the way in when the network is not: root may log in there without a
# password (an SD card in hand is physical access anyway); SSH takes keys only.
sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"
printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\n' >"$root/etc/ssh/sshd_config.d/intercom.conf"

# --- boot partition: what the Pi's firmware reads ---
kver=$(basename "$(ls -d "$root"/lib/modules/*)")
boot=$work/boot
cp "$root/usr/lib/raspi-firmware/"* "$boot/"
cp "$root/boot/vmlinuz-$kver" "$boot/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$boot/initrd.img"
# arm64 kernels keep DTBs under broadcom/, Debian's 6.1 arm32 kernels in one flat directory.
n=0
for dtb in "$root/usr/lib/linux-image-$kver/"$dtbs "$root/usr/lib/linux-image-$kver/broadcom/"$dtbs; do
	[ -f "$dtb" ] || continue
	cp "$dtb" "$boot/"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || die "no $dtbs in $kver's device trees"
"$here/bootconfig.sh" "$board" "$boot"
# raspi-firmware's hooks filled /boot/firmware in the root too; the FAT partition is mounted
# over it, so those copies would only take space.
rm -rf "${root:?}/boot/firmware/"*
cp "$boot/vmlinuz" "$out/vmlinuz$outsuffix"
cp "$boot/initrd.img" "$out/initrd$outsuffix.img"

# --- file systems and the partitioned image ---
log "making the file systems"
boot_img=$work/boot.vfat
root_img=$work/root.ext4
rm -f "$boot_img"
mkfs.vfat -F 32 -n "$label_boot" -C "$boot_img" $((boot_mib * 1024)) >/dev/null
mcopy -s -i "$boot_img" "$boot"/* ::/
used_mib=$(du -sm "$root" | cut -f1)
root_mib=$((used_mib + used_mib / 4 + 256))
rm -f "$root_img"
mkfs.ext4 -q -L "$label_root" -E root_owner=0:0 -d "$root" "$root_img" "${root_mib}M"

img=$out/intercom-$arch.img
rm -f "$img"
start_mib=4
total_mib=$((start_mib + boot_mib + root_mib))
truncate -s "${total_mib}M" "$img"
sfdisk --quiet "$img" <<PARTS
label: dos
unit: sectors
$((start_mib * 2048)),$((boot_mib * 2048)),c,*
$(((start_mib + boot_mib) * 2048)),$((root_mib * 2048)),83
PARTS
dd if="$boot_img" of="$img" bs=1M seek="$start_mib" conv=notrunc,sparse status=none
dd if="$root_img" of="$img" bs=1M seek=$((start_mib + boot_mib)) conv=notrunc,sparse status=none

apparent=$(du -m --apparent-size "$img" | cut -f1)
allocated=$(du -m "$img" | cut -f1)
log "kernel $kver, root file system ${used_mib} MiB used"
log "wrote $img: ${apparent} MiB (${allocated} MiB of data; dd conv=sparse keeps it sparse)"
log "done in $(($(date +%s) - start)) s"
