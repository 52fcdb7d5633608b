#!/bin/sh
# Post-build step for the intercom images, run after the board's own post-build.sh.
# $1 is the target directory. Turns on the Pi's analog audio and its watchdog in the
# firmware's config.txt, which the rpi-firmware package has already installed.

set -e
set -u

config="${BINARIES_DIR}/rpi-firmware/config.txt"
if [ -f "${config}" ]; then
	for line in dtparam=audio=on dtparam=watchdog=on; do
		grep -qx "${line}" "${config}" || echo "${line}" >>"${config}"
	done
fi

# The intercom's state lives on the root file system; keep the journal there too so the log
# of a failure survives the reboot that follows it.
mkdir -p "$1/var/log/journal"
