#!/bin/sh
# Lints this BR2_EXTERNAL tree with Buildroot's own utils/check-package (indentation, .mk and
# Config.in conventions, hash checking in defconfigs, shellcheck of the board scripts).
# Usage: BUILDROOT_DIR=/path/to/buildroot buildroot/lint.sh
# Skips (exit 0) without BUILDROOT_DIR: there is no Buildroot checkout in CI.
# check-package needs python3 with the magic and flake8 modules (Debian: python3-magic,
# python3-flake8) and shellcheck; PYTHON picks the interpreter (default python3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${BUILDROOT_DIR:-}" ]; then
	echo "lint: SKIP: set BUILDROOT_DIR to a Buildroot checkout to run utils/check-package"
	exit 0
fi
checker=$BUILDROOT_DIR/utils/check-package
[ -f "$checker" ] || {
	echo "lint: $checker not found" >&2
	exit 1
}

cd "$here"
# Everything but this script and the README, which Buildroot has no rules for.
find . -type f ! -name lint.sh ! -name README.md | sort | xargs "${PYTHON:-python3}" "$checker" -b
