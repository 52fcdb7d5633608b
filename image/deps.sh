#!/bin/sh
# Installs what `make image` and `make image-test` use, as scripts/deps.sh does for `make test`:
# a fresh machine otherwise stops at one missing tool after another (mmdebstrap, then the
# arch-test it runs to see whether arm64 programs execute here). Idempotent and quiet when
# everything is there; needs root (the image build does anyway).
set -eu
pkgs="mmdebstrap arch-test debian-archive-keyring qemu-user-static dosfstools mtools fdisk
e2fsprogs systemd file xz-utils qemu-system-arm kamailio openssh-client python3"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
[ "$(id -u)" = 0 ] || {
	echo "image deps: missing:$missing (run as root to install them)" >&2
	exit 1
}
echo "image deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086 # one word per package
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
