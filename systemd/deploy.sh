#!/bin/sh
# Deploys the intercom to a board over SSH (make deploy PI=host):
#   - picks dist/intercom-linux-<arch> from the board's `uname -m`;
#   - installs the unit, the sysusers and udev files, and the config only if the board has none;
#   - runs the new binary's check-config against the board's config before touching the old
#     binary, so a bad config or binary never replaces a working one;
#   - restarts and waits up to READY_TIMEOUT (10 s) for the unit to become active, which for
#     Type=notify means READY=1; otherwise the previous binary is put back and restarted.
# Usage: systemd/deploy.sh HOST   (HOST as ssh understands it: user@pi.local, an ssh alias)
# Env:   SSH_OPTS (extra options for both ssh and scp: -i KEY, -o Port=2222; not -p, which
#        scp reads otherwise), DIST (default dist), CONFIG (default
#        config/example.toml), READY_TIMEOUT (default 10), DEPLOY_BUILD (a make command that
#        builds dist/intercom-linux-<arch>; make deploy sets it).
# The remote user must be root or have passwordless sudo.
set -eu

host=${1:-${PI:-}}
if [ -z "$host" ]; then
	echo "deploy: no board given: make deploy PI=host (or systemd/deploy.sh HOST)" >&2
	exit 2
fi

here=$(dirname "$0")
top=$(cd "$here/.." && pwd)
dist=${DIST:-$top/dist}
config=${CONFIG:-$top/config/example.toml}
ready_timeout=${READY_TIMEOUT:-10}
# shellcheck disable=SC2086 # SSH_OPTS is a list of options, split on purpose.
set -- ${SSH_OPTS:-} -o BatchMode=yes -o ConnectTimeout=10

machine=$(ssh "$@" "$host" uname -m)
case $machine in
aarch64 | arm64) arch=arm64 ;;
armv7l | armv8l) arch=armv7 ;;
armv6l) arch=armv6 ;;
x86_64) arch=amd64 ;;
*)
	echo "deploy: $host: unsupported machine $machine" >&2
	exit 1
	;;
esac
bin=$dist/intercom-linux-$arch
# make deploy builds only this board's binary (DEPLOY_BUILD is its make).
if [ -n "${DEPLOY_BUILD:-}" ]; then
	# shellcheck disable=SC2086 # a command and its arguments, split on purpose.
	$DEPLOY_BUILD "dist/intercom-linux-$arch"
fi
for f in "$bin" "$here/intercom.service" "$here/intercom.sysusers" "$here/60-intercom-gpio.rules" "$config"; do
	[ -f "$f" ] || {
		echo "deploy: missing $f (run make cross)" >&2
		exit 1
	}
done

sudo=
if [ "$(ssh "$@" "$host" id -u)" != 0 ]; then
	sudo="sudo -n"
fi

stage=$(ssh "$@" "$host" mktemp -d /tmp/intercom-deploy.XXXXXX)
echo "deploy: $host ($machine): copying $(basename "$bin") to $stage"
scp -q "$@" "$bin" "$host:$stage/intercom"
scp -q "$@" "$here/intercom.service" "$here/intercom.sysusers" "$here/60-intercom-gpio.rules" "$host:$stage/"
scp -q "$@" "$config" "$host:$stage/intercom.toml"

# Everything below runs on the board in one shell, so a lost connection half way leaves
# either the old or the new binary in place, never none.
# shellcheck disable=SC2029 # expanded here on purpose: the staging dir and timeout are ours.
ssh "$@" "$host" "$sudo sh -s -- '$stage' '$ready_timeout'" <<'REMOTE'
set -eu
stage=$1
timeout=$2
conf=/etc/intercom/intercom.toml
trap 'rm -rf "$stage"' EXIT

install -D -m 0644 "$stage/intercom.sysusers" /usr/lib/sysusers.d/intercom.conf
systemd-sysusers /usr/lib/sysusers.d/intercom.conf
install -D -m 0644 "$stage/60-intercom-gpio.rules" /etc/udev/rules.d/60-intercom-gpio.rules
udevadm control --reload && udevadm trigger --subsystem-match=gpio || true

if [ ! -e "$conf" ]; then
	echo "deploy: no $conf on the board: installing the example (edit it, then restart)"
	install -D -o root -g intercom -m 0640 "$stage/intercom.toml" "$conf"
fi
install -m 0755 "$stage/intercom" /usr/bin/intercom.new
if ! /usr/bin/intercom.new check-config "$conf"; then
	rm -f /usr/bin/intercom.new
	echo "deploy: the new binary rejects $conf; nothing changed" >&2
	exit 1
fi
/usr/bin/intercom.new version || true

if [ -e /usr/bin/intercom ]; then
	cp -p /usr/bin/intercom /usr/bin/intercom.old
fi
mv -f /usr/bin/intercom.new /usr/bin/intercom
install -m 0644 "$stage/intercom.service" /etc/systemd/system/intercom.service
systemctl daemon-reload
systemctl enable intercom.service >/dev/null 2>&1

# For Type=notify, "active" means READY=1 arrived; "activating" means not yet.
ready() {
	systemctl restart --no-block intercom.service
	i=0
	while [ "$i" -lt "$timeout" ]; do
		sleep 1
		i=$((i + 1))
		[ "$(systemctl is-active intercom.service)" = active ] && return 0
	done
	return 1
}
if ready; then
	echo "deploy: intercom active (READY) on $(hostname)"
	systemctl --no-pager --lines=5 status intercom.service || true
	exit 0
fi
echo "deploy: the new intercom is not READY after ${timeout}s:" >&2
journalctl -u intercom.service -n 20 --no-pager >&2 || true
if [ -e /usr/bin/intercom.old ]; then
	mv -f /usr/bin/intercom.old /usr/bin/intercom
	echo "deploy: rolled back to the previous binary" >&2
	if ready; then
		echo "deploy: previous intercom active again" >&2
	else
		echo "deploy: the previous intercom is not active either" >&2
	fi
fi
exit 1
REMOTE
