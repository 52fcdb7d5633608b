#!/bin/sh
# Post-build step for the intercom images, run after the board's own post-build.sh.
# $1 is the target directory. Turns on the Pi's analog audio and its watchdog in the
# firmware's config.txt, which the rpi-firmware package has already installed, and makes a
# released GPIO output return to an input: the Raspberry Pi kernel keeps it at its last level
# by default, so a killed intercom would leave the door relay energised. Both layers: the
# device tree parameter (config.txt) and the pinctrl driver's own (cmdline.txt).

set -e
set -u

config="${BINARIES_DIR}/rpi-firmware/config.txt"
if [ -f "${config}" ]; then
	for line in dtparam=audio=on dtparam=watchdog=on dtparam=strict_gpiod; do
		grep -qx "${line}" "${config}" || echo "${line}" >>"${config}"
	done
fi
cmdline="${BINARIES_DIR}/rpi-firmware/cmdline.txt"
param=pinctrl_bcm2835.persist_gpio_outputs=n
if [ -f "${cmdline}" ] && ! grep -q "${param}" "${cmdline}"; then
	# cmdline.txt is one line: the parameter goes at its end.
	sed -i "1s/\$/ ${param}/" "${cmdline}"
fi

# The intercom's state lives on the root file system; keep the journal there too so the log
# of a failure survives the reboot that follows it.
mkdir -p "$1/var/log/journal"
