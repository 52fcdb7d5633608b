#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# fetch.sh: everything the virtual board needs, cached under hwtest/.cache (git-ignored).
#
#   hwtest/vboard/fetch.sh [amd64] [arm64] [armhf]     (default: all three)
#
# - installs the host tools that are missing (apt, --no-install-recommends);
# - downloads Debian's kernel image for each arch (dpkg-deb -x, never installed on the host);
#   arm64 and armhf packages come through private apt states so the host's apt setup is untouched;
# - builds gpio-sim.ko and irq-sim.ko out of tree (Debian's kernel has neither).
# Idempotent: a warm run only checks that the results exist. The kernel ABI (6.1.0-N) is
# derived from the linux-image-<arch> metapackage, so a Debian update only means a refetch.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64 armhf)
for a in "${arches[@]}"; do
	case $a in amd64 | arm64 | armhf) ;; *) die "fetch: unknown arch $a (amd64, arm64, armhf)" ;; esac
done

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	log "apt-get update"
	apt-get -o DPkg::Lock::Timeout=600 -qq update >/dev/null
	apt_updated=1
}

ensure_pkgs() {
	local missing=() p have
	# One dpkg-query for all: it is the whole cost of a warm run.
	have=$(dpkg-query -W -f='${Package} ${Status}\n' "${@%%=*}" 2>/dev/null | awk '/install ok installed$/ {print $1}' || true)
	for p in "$@"; do
		grep -qx "${p%%=*}" <<<"$have" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	apt_update_once
	log "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq install -y \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# The metapackage names the current image, e.g. linux-image-6.1.0-57-amd64.
abi_of() { # apt-cache args...
	apt-cache "$@" depends "linux-image-$karch" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)-'"$karch"'$/\1/p' | head -n1 || true
}

mkdir -p "$CACHE"

# --- host tools (and the ABI for amd64) ---
# apt-cache takes seconds on a busy machine: a warm cache keeps the ABI it derived, until
# VBOARD_REFRESH=1 asks again (after a Debian kernel update).
karch=amd64
if [ -z "${VBOARD_REFRESH:-}" ] && [ -s "$CACHE/abi" ] && [ -s "$CACHE/kver" ]; then
	abi=$(cat "$CACHE/abi") kver=$(cat "$CACHE/kver")
else
	abi=$(abi_of)
	if [ -z "$abi" ]; then apt_update_once; abi=$(abi_of); fi
	[ -n "$abi" ] || die "fetch: cannot derive the kernel ABI from linux-image-amd64"
	kver=$(apt-cache show "linux-image-$abi-amd64" | sed -n 's/^Version: //p' | head -n1)
	echo "$abi" >"$CACHE/abi"
	echo "$kver" >"$CACHE/kver"
fi
host_pkgs=(qemu-system-x86 qemu-user-static busybox-static kmod cpio xz-utils make gcc
	"linux-source-6.1=$kver" "linux-headers-$abi-amd64")
for a in "${arches[@]}"; do
	case $a in
	arm64) host_pkgs+=(qemu-system-arm gcc-aarch64-linux-gnu) ;;
	armhf) host_pkgs+=(qemu-system-arm gcc-arm-linux-gnueabihf) ;;
	esac
done
ensure_pkgs "${host_pkgs[@]}"

# --- kernel sources we need: extract-vmlinux, the two drivers and modpost's sources (one
# pass over the tarball) ---
src=$CACHE/src
if [ ! -f "$src/.done2-$kver" ]; then
	log "extracting drivers from linux-source-6.1 ($kver)"
	rm -rf "$src" && mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/scripts/extract-vmlinux \
		linux-source-6.1/drivers/gpio/gpio-sim.c \
		linux-source-6.1/drivers/gpio/gpiolib.h \
		linux-source-6.1/kernel/irq/irq_sim.c \
		linux-source-6.1/scripts/mod \
		linux-source-6.1/include/linux/mod_devicetable.h \
		linux-source-6.1/include/linux/license.h
	touch "$src/.done2-$kver"
fi

# kbuild32 ARCH HEADERS KMARCH CROSS: a copy of the host's kbuild tools whose modpost knows a
# 32-bit target's structs. Debian's linux-kbuild modpost for 32-bit ELF still has the host's
# device table sizes (struct of_device_id: 200 bytes, 196 on arm), so modpost rejects any
# 32-bit module with a device table. The offsets come from the target compiler, as in-tree.
kbuild32() {
	local a=$1 hdr=$2 kmarch=$3 cross=$4 kb=$CACHE/$1/kbuild b=$CACHE/$1/modpost
	if [ -x "$kb/scripts/mod/modpost" ] && [ -f "$kb/.done-$kver" ]; then echo "$kb"; return 0; fi
	log "building a modpost for $a"
	rm -rf "$b" "$kb" && mkdir -p "$b/off" "$b/include/linux"
	cp -r "$src/scripts" "$b/"
	cp "$src/include/linux/mod_devicetable.h" "$src/include/linux/license.h" "$b/include/linux/"
	cp "$src/scripts/mod/devicetable-offsets.c" "$b/off/"
	echo 'obj-m :=' >"$b/off/Kbuild"
	make -s -C "$hdr" M="$b/off" ARCH="$kmarch" CROSS_COMPILE="$cross" devicetable-offsets.s >&2 ||
		die "fetch: devicetable-offsets.s for $a failed"
	{
		echo "#ifndef __DEVICETABLE_OFFSETS_H__"
		echo "#define __DEVICETABLE_OFFSETS_H__"
		sed -ne 's:^[[:space:]]*\.ascii "->\([^ ]*\) [$#]*\([^ ]*\) \(.*\)".*:#define \1 \2 /* \3 */:p' \
			"$b/off/devicetable-offsets.s"
		echo "#endif"
	} >"$b/scripts/mod/devicetable-offsets.h"
	grep -q '^#define SIZE_of_device_id ' "$b/scripts/mod/devicetable-offsets.h" ||
		die "fetch: no device table sizes for $a (kbuild's asm-offsets format changed?)"
	(
		cd "$b/scripts/mod"
		"${cross}gcc" -c -o empty.o empty.c
		gcc -o mk_elfconfig mk_elfconfig.c
		./mk_elfconfig <empty.o >elfconfig.h
		gcc -O2 -o modpost modpost.c file2alias.c sumversion.c
	) >"$b/build.log" 2>&1 || {
		tail -n 20 "$b/build.log" >&2
		die "fetch: modpost for $a failed"
	}
	cp -a /usr/lib/linux-kbuild-6.1 "$kb"
	rm -f "$kb/scripts/mod/modpost"*
	cp "$b/scripts/mod/modpost" "$kb/scripts/mod/modpost"
	touch "$kb/.done-$kver"
	echo "$kb"
}

# mod_src DIR: the two drivers as an external module tree.
mod_src() {
	local d=$1
	mkdir -p "$d"
	cp "$src/drivers/gpio/gpio-sim.c" "$src/drivers/gpio/gpiolib.h" "$d/"
	# irq_sim is built in only when a driver selects it, which Debian's config never does.
	# Out of tree it must not use irq_to_desc() (not exported) and needs a license.
	sed -e 's/^[[:space:]]*irqnum = irq_find_mapping(work_ctx->domain, offset);$//' \
		-e 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_domain_irq(work_ctx->domain, offset);/' \
		"$src/kernel/irq/irq_sim.c" >"$d/irq-sim.c"
	grep -q 'generic_handle_domain_irq(work_ctx->domain, offset)' "$d/irq-sim.c" ||
		die "fetch: irq_sim.c did not take the patch (kernel source changed?)"
	printf '\nMODULE_LICENSE("GPL");\nMODULE_DESCRIPTION("irq_sim as a module for the virtual board");\n' >>"$d/irq-sim.c"
	printf 'obj-m := irq-sim.o gpio-sim.o\n' >"$d/Kbuild"
}

# build_mods ARCH HEADERS [make args...]
build_mods() {
	local a=$1 hdr=$2 out=$CACHE/$1/modules
	shift 2
	if [ -f "$out/gpio-sim.ko" ] && [ -f "$out/irq-sim.ko" ]; then return 0; fi
	log "building gpio-sim.ko irq-sim.ko for $a"
	local b=$CACHE/$a/modbuild
	rm -rf "$b" && mod_src "$b"
	make -s -C "$hdr" M="$b" "$@" modules >"$b/build.log" 2>&1 || {
		tail -n 30 "$b/build.log" >&2
		die "fetch: module build for $a failed"
	}
	mkdir -p "$out"
	cp "$b/gpio-sim.ko" "$b/irq-sim.ko" "$out/"
}

# unpack ARCH DEB: kernel image tree under .cache/ARCH/root.
unpack() {
	local a=$1 deb=$2 root=$CACHE/$1/root
	mkdir -p "$root"
	dpkg-deb -x "$deb" "$root"
}

fetch_amd64() {
	local d=$CACHE/amd64 img="linux-image-$abi-amd64"
	mkdir -p "$d/debs"
	if ! ls "$d/debs/${img}_"*.deb >/dev/null 2>&1; then
		log "downloading $img"
		(cd "$d/debs" && apt-get -o APT::Sandbox::User=root -qq download "$img")
	fi
	if [ ! -f "$d/root/boot/vmlinuz-$abi-amd64" ]; then
		local debs=("$d/debs/${img}_"*.deb)
		unpack amd64 "${debs[0]}"
	fi
	# PVH boots the uncompressed ELF about twice as fast as the bzImage under TCG.
	if [ ! -s "$d/vmlinux" ]; then
		log "extracting vmlinux"
		sh "$src/scripts/extract-vmlinux" "$d/root/boot/vmlinuz-$abi-amd64" >"$d/vmlinux.tmp"
		mv "$d/vmlinux.tmp" "$d/vmlinux"
	fi
	ln -sfn "root/lib/modules/$abi-amd64" "$d/moddir"
	build_mods amd64 "/usr/src/linux-headers-$abi-amd64"
	[ /bin/busybox -ot "$d/busybox" ] || cp -f /bin/busybox "$d/busybox"
}

# fetch_foreign ARCH DEBARCH FLAVOUR KARCH CROSS GCCPKG BITS: a foreign arch's kernel, headers and
# busybox through a private apt state (the host's apt setup stays untouched), and gpio-sim
# built with the cross compiler. arm64: Debian's "arm64" flavour; armhf: "armmp" (ARMv7, the
# flavour that boots on QEMU's virt machine with a Cortex-A15).
fetch_foreign() {
	local a=$1 debarch=$2 flavour=$3 kmarch=$4 cross=$5 gccpkg=$6 bits=$7
	local d=$CACHE/$a P=$CACHE/$a/apt
	mkdir -p "$d/debs" "$P/state/lists/partial" "$P/cache/archives/partial"
	[ -f "$P/state/status" ] || : >"$P/state/status"
	local A=(-o "Dir::State=$P/state" -o "Dir::State::status=$P/state/status"
		-o "Dir::Cache=$P/cache" -o "APT::Architecture=$debarch" -o "APT::Architectures=$debarch")
	karch=$flavour
	local aabi=
	[ -z "${VBOARD_REFRESH:-}" ] && [ -s "$d/abi" ] && aabi=$(cat "$d/abi")
	[ -n "$aabi" ] || aabi=$(abi_of "${A[@]}")
	if [ -z "$aabi" ]; then
		log "apt-get update (private $debarch state)"
		apt-get "${A[@]}" -qq update >/dev/null
		aabi=$(abi_of "${A[@]}")
	fi
	karch=amd64
	[ -n "$aabi" ] || die "fetch: cannot derive the $a kernel ABI"
	echo "$aabi" >"$d/abi"
	local p need=()
	for p in "linux-image-$aabi-$flavour" "linux-headers-$aabi-$flavour" busybox-static; do
		ls "$d/debs/${p}_"*"_$debarch.deb" >/dev/null 2>&1 || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		log "downloading $debarch: ${need[*]}"
		(cd "$d/debs" && apt-get "${A[@]}" -o APT::Sandbox::User=root -qq download "${need[@]}")
	fi
	if [ ! -f "$d/root/boot/vmlinuz-$aabi-$flavour" ] || [ ! -x "$d/root/bin/busybox" ] ||
		[ ! -d "$d/root/usr/src/linux-headers-$aabi-$flavour" ]; then
		for p in "$d/debs/"*"_$debarch.deb"; do unpack "$a" "$p"; done
	fi
	# arm64's vmlinuz is an uncompressed Image, armhf's a zImage: QEMU boots both as they are.
	ln -sfn "root/boot/vmlinuz-$aabi-$flavour" "$d/vmlinux"
	ln -sfn "root/lib/modules/$aabi-$flavour" "$d/moddir"
	ln -sfn root/bin/busybox "$d/busybox"
	# The foreign headers include linux-headers-<abi>-common by absolute path and run the
	# host's kbuild tools (fixdep, modpost) through ../../lib/linux-kbuild-6.1.
	ensure_pkgs "linux-headers-$aabi-common" "$gccpkg"
	[ -d /usr/lib/linux-kbuild-6.1 ] || ensure_pkgs linux-kbuild-6.1
	local hdr=$d/root/usr/src/linux-headers-$aabi-$flavour kb=/usr/lib/linux-kbuild-6.1
	mkdir -p "$d/root/usr/lib"
	if [ "$bits" = 32 ] && ! { [ -f "$d/modules/gpio-sim.ko" ] && [ -f "$d/modules/irq-sim.ko" ]; }; then
		# The headers must reach the host's kbuild once to make the offsets.
		ln -sfn "$kb" "$d/root/usr/lib/linux-kbuild-6.1"
		kb=$(kbuild32 "$a" "$hdr" "$kmarch" "$cross")
	fi
	if [ "$(readlink "$d/root/usr/lib/linux-kbuild-6.1")" != "$kb" ]; then
		rm -rf "$d/root/usr/lib/linux-kbuild-6.1"
		ln -s "$kb" "$d/root/usr/lib/linux-kbuild-6.1"
	fi
	build_mods "$a" "$hdr" ARCH="$kmarch" CROSS_COMPILE="$cross"
}

fetch_arm64() { fetch_foreign arm64 arm64 arm64 arm64 aarch64-linux-gnu- gcc-aarch64-linux-gnu 64; }
fetch_armhf() { fetch_foreign armhf armhf armmp arm arm-linux-gnueabihf- gcc-arm-linux-gnueabihf 32; }

for a in "${arches[@]}"; do "fetch_$a"; done
log "fetch: ready (${arches[*]}, abi $abi) in $CACHE"
