# shellcheck shell=bash disable=SC2034
# lib.sh: shared bits of the virtual board scripts (sourced, not run).
# CACHE can be moved with VBOARD_CACHE; it is git-ignored under hwtest/.cache by default.
hwtest_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo_dir=$(cd "$hwtest_dir/.." && pwd)
CACHE=${VBOARD_CACHE:-$hwtest_dir/.cache}

log() { printf 'vboard: %s\n' "$*" >&2; }
die() {
	printf 'vboard: %s\n' "$*" >&2
	exit 1
}
