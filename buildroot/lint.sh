#!/bin/sh
# Lints this BR2_EXTERNAL tree against a Buildroot checkout, without building or downloading:
#   1. Buildroot's own utils/check-package (indentation, .mk and Config.in conventions, hash
#      checking in defconfigs, shellcheck of the board scripts);
#   2. every configs/*_defconfig is loaded by Buildroot's kconfig (make O=tmp NAME), and each of
#      its lines must survive into the .config: kconfig silently drops a symbol that does not
#      exist or whose dependencies fail (BR2_PACKAGE_INTERCOM without systemd, say).
# Usage: BUILDROOT_DIR=/path/to/buildroot buildroot/lint.sh
# Skips (exit 0) without BUILDROOT_DIR: there is no Buildroot checkout in CI.
# check-package needs python3 with the magic and flake8 modules (Debian: python3-magic,
# python3-flake8) and shellcheck; PYTHON picks the interpreter (default python3). The kconfig
# step needs a host C compiler and make.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${BUILDROOT_DIR:-}" ]; then
	echo "lint: SKIP: set BUILDROOT_DIR to a Buildroot checkout to run utils/check-package"
	exit 0
fi
br=$(cd "$BUILDROOT_DIR" && pwd)
checker=$br/utils/check-package
[ -f "$checker" ] || {
	echo "lint: $checker not found" >&2
	exit 1
}

cd "$here"
# Everything but this script and the README, which Buildroot has no rules for.
find . -type f ! -name lint.sh ! -name README.md | sort | xargs "${PYTHON:-python3}" "$checker" -b

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
for cfg in configs/*_defconfig; do
	name=$(basename "$cfg")
	if ! make -s -C "$br" O="$tmp/out" BR2_EXTERNAL="$here" "$name" >"$tmp/log" 2>&1; then
		cat "$tmp/log" >&2
		echo "lint: $name: kconfig failed" >&2
		status=1
		continue
	fi
	dropped=$(grep -v '^#' "$cfg" | while IFS= read -r line; do
		grep -qxF "$line" "$tmp/out/.config" || echo "  $line"
	done)
	if [ -n "$dropped" ]; then
		printf 'lint: %s: kconfig dropped:\n%s\n' "$name" "$dropped" >&2
		status=1
	else
		echo "lint: $name: ok"
	fi
done
exit "$status"
