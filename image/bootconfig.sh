#!/bin/sh
# image/bootconfig.sh BOARD DIR: writes the boot partition's text files for BOARD (pi4 or pi0)
# into DIR: config.txt (read by the Pi's GPU firmware), cmdline.txt (the kernel command line)
# and README.txt. Used by build.sh; the tests check what it writes for every board.
set -eu

board=${1:?usage: bootconfig.sh BOARD DIR}
dir=${2:?usage: bootconfig.sh BOARD DIR}
label_root=intercom-root

# The UART console: on boards with Bluetooth (Pi 3, Zero W) the PL011 carries it and the mini
# UART (ttyS1) is on GPIO 14/15; on the Pi 1 and Zero the PL011 (ttyAMA0) is. A console= whose
# device does not exist on the board is ignored by the kernel.
case $board in
pi4)
	title="Raspberry Pi 3/4 running Debian arm64"
	firmware_arch=arm_64bit=1
	consoles="console=tty0 console=ttyS1,115200"
	;;
pi0)
	title="Raspberry Pi Zero / Zero W / 1 running Debian armel"
	firmware_arch="# A 32-bit ARMv6 kernel: no arm_64bit."
	consoles="console=tty0 console=ttyAMA0,115200 console=ttyS1,115200"
	;;
*)
	echo "bootconfig: BOARD=$board: want pi4 or pi0" >&2
	exit 2
	;;
esac

mkdir -p "$dir"
cat >"$dir/config.txt" <<CONFIG
# $title with the intercom.
$firmware_arch
enable_uart=1
upstream_kernel=1
kernel=vmlinuz
initramfs initrd.img followkernel
dtparam=audio=on
dtparam=watchdog=on
# A released GPIO output returns to an input (Raspberry Pi kernels keep its level by default):
# a killed intercom must not leave the door relay energised. Read by the Pi's own device tree;
# the kernel parameter in cmdline.txt says the same to the pinctrl driver of any kernel.
dtparam=strict_gpiod
CONFIG
echo "$consoles root=LABEL=$label_root rw fsck.repair=yes net.ifnames=0 rootwait pinctrl_bcm2835.persist_gpio_outputs=n" >"$dir/cmdline.txt"
cat >"$dir/README.txt" <<README
Before the first boot you may put here:
  intercom.toml    the intercom's config (moved to /etc/intercom/intercom.toml at boot)
  authorized_keys  SSH public keys for root
Without intercom.toml the board starts with /usr/share/intercom/intercom.toml as its config.
README
