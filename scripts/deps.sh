#!/usr/bin/env bash
# Installs what the tests use: the real SIP peers and the emulators. Idempotent and quiet when
# everything is there already; needs root (CI runs as root).
set -euo pipefail
pkgs=(kamailio baresip sip-tester qemu-user-static qemu-system-x86 qemu-system-arm
      busybox-static kmod cpio file iproute2 sox tcpdump systemd rsync shellcheck
      espeak-ng libspeexdsp-dev libwebrtc-audio-processing-dev gcc g++ libc6-dev pkgconf
      mosquitto mosquitto-clients curl)
pkgs+=(python3) # urllib's digest handler against the 2N-compatible API (internal/httpapi)
pkgs+=(coturn) # its turnutils_stunclient checks STUN answers on the RTP port (media)
pkgs+=(iptables) # the router's MASQUERADE between the door and Kamailio (reliability TestNATCalls)
pkgs+=(kamailio-presence-modules) # presence, presence_xml, db_text: the door PUBLISHes to Kamailio (sip)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
go mod download
