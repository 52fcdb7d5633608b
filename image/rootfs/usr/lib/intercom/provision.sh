#!/bin/sh
# Run at every boot before sshd and the intercom (intercom-provision.service):
#   - SSH host keys: generated on the board itself at first boot, so no two boards written
#     from the same image share them;
#   - /boot/firmware/intercom.toml, if present, becomes /etc/intercom/intercom.toml (root,
#     group intercom, 0640) and is deleted from the FAT partition, which anyone with the SD card
#     can read; the boot partition is the one a PC can write before the first boot;
#   - /boot/firmware/authorized_keys, if present, is appended to root's authorized_keys;
#   - with no config at all, the template is installed so check-config names what to edit.
set -eu

boot=/boot/firmware
conf=/etc/intercom/intercom.toml
template=/usr/share/intercom/intercom.toml

if ! ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1; then
	echo "provision: generating SSH host keys"
	ssh-keygen -A
fi

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
