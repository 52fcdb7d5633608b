#!/bin/sh
# Runs inside fakeroot before the root file system image is made ($1 = target directory).
# The config holds the SIP password: readable by root and the intercom group only. The gid
# is looked up in the target's /etc/group, never the build host's.

set -e
set -u

conf="$1/etc/intercom/intercom.toml"
gid=$(awk -F: '$1 == "intercom" { print $3 }' "$1/etc/group")
if [ -f "${conf}" ] && [ -n "${gid}" ]; then
	chown "0:${gid}" "${conf}"
	chmod 0640 "${conf}"
fi
