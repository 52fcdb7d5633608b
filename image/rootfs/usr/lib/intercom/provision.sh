#!/bin/sh
# Run at every boot before sshd and the intercom (intercom-provision.service):
#   - /boot/firmware/intercom.toml, if present, becomes /etc/intercom/intercom.toml (root,
#     group intercom, 0640) and is deleted from the FAT partition, which anyone with the SD card
#     can read; the boot partition is the one a PC can write before the first boot;
#   - /boot/firmware/authorized_keys, if present, is appended to root's authorized_keys;
#   - with no config at all, the template is installed so check-config names what to edit.
# SSH host keys are ssh-hostkeys.service's, so the intercom does not wait for key generation.
set -eu

boot=/boot/firmware
conf=/etc/intercom/intercom.toml
template=/usr/share/intercom/intercom.toml

if [ -f "$boot/intercom.toml" ]; then
	echo "provision: installing $conf from the boot partition"
	install -D -o root -g intercom -m 0640 "$boot/intercom.toml" "$conf"
	rm -f "$boot/intercom.toml"
elif [ ! -e "$conf" ]; then
	echo "provision: no $conf: installing the template; edit it, then systemctl restart intercom"
	install -D -o root -g intercom -m 0640 "$template" "$conf"
fi

if [ -f "$boot/authorized_keys" ]; then
	echo "provision: adding SSH keys for root from the boot partition"
	install -d -m 0700 /root/.ssh
	cat "$boot/authorized_keys" >>/root/.ssh/authorized_keys
	chmod 0600 /root/.ssh/authorized_keys
	rm -f "$boot/authorized_keys"
fi
sync
