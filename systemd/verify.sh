#!/bin/sh
# Checks systemd/intercom.service the way systemd itself reads it:
#   1. `systemd-analyze verify` in a throw-away root holding the host's stock units and stub
#      executables at the unit's ExecStart/ExecReload paths (verify insists they exist), so
#      nothing is installed on the host. Any warning counts as a failure: verify exits 0 on
#      unknown keys and bad values, it only prints them.
#   2. `systemd-analyze security --offline=true` (systemd >= 252) and its exposure score;
#      fails above MAX_EXPOSURE (default 2.5; 2.0 or less is the aim).
# Usage: systemd/verify.sh [UNIT]   (needs systemd-analyze; no root, no running systemd)
set -eu

unit=${1:-$(dirname "$0")/intercom.service}
max=${MAX_EXPOSURE:-2.5}
name=$(basename "$unit")

command -v systemd-analyze >/dev/null || { echo "verify: systemd-analyze not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

root=$tmp/root
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp "$unit" "$root/etc/systemd/system/$name"
# The targets and services the unit orders itself against.
for d in /usr/lib/systemd/system /lib/systemd/system; do
	if [ -d "$d" ]; then
		cp -R "$d" "$root/usr/lib/systemd/"
		break
	fi
done
# A stub for every absolute program the unit runs (ExecStart=, ExecReload=, ...).
sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\(\/[^ ]*\).*/\1/p' "$unit" | sort -u | while read -r prog; do
	mkdir -p "$root$(dirname "$prog")"
	printf '#!/bin/sh\nexit 0\n' >"$root$prog"
	chmod 755 "$root$prog"
done

status=0
if ! systemd-analyze verify --root="$root" "/etc/systemd/system/$name" >"$tmp/verify.out" 2>&1; then
	status=1
fi
if [ -s "$tmp/verify.out" ]; then
	sed "s|$root||g" "$tmp/verify.out" >&2
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "verify: systemd-analyze verify $name: FAILED" >&2
else
	echo "verify: systemd-analyze verify $name: ok"
fi

# Offline review reads the unit file alone, as it would be installed.
cp "$unit" "$tmp/$name"
systemd-analyze security --offline=true --no-pager "$tmp/$name" >"$tmp/security.out" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/security.out")
if [ -z "$score" ]; then
	cat "$tmp/security.out" >&2
	echo "verify: no exposure score from systemd-analyze security" >&2
	exit 1
fi
if [ -n "${VERBOSE:-}" ]; then
	grep '✗' "$tmp/security.out" || true
fi
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s > m) }'; then
	echo "verify: exposure score $score > $max: FAILED (VERBOSE=1 lists the open items)" >&2
	status=1
else
	echo "verify: exposure score $score (max $max): ok"
fi
exit "$status"
