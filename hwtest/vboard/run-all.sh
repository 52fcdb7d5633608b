#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# run-all.sh: the virtual board as CI runs it (`make vboard`): fetch (quick when warm), then
# one boot per arch running the smoke checks, the real-kernel go tests of VBOARD_TEST_PKGS,
# the real-board tests (tag hwtest) against the virtual wiring
# and, when ./cmd/intercom builds, the issue-8 intercom scenario.
#
#   hwtest/vboard/run-all.sh [ARCH...]        (default: amd64 arm64)
#
# VBOARD_SCENARIOS overrides the scenario list (e.g. "smoke" for a quick check).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
t0=$(date +%s)
"$here/fetch.sh" "${arches[@]}"
t_fetch=$(($(date +%s) - t0))

scen=${VBOARD_SCENARIOS:-}
if [ -z "$scen" ]; then
	scen=smoke,tests,board
	if (cd "$repo_dir" && go build -o /dev/null ./cmd/intercom 2>/dev/null); then
		scen=$scen,intercom
	else
		log "run-all: ./cmd/intercom does not build: intercom scenario skipped"
	fi
fi

rc=0
summary=()
for a in "${arches[@]}"; do
	t=$(date +%s)
	if "$here/run.sh" "$a" --scenario "$scen"; then
		summary+=("$a: ok ($(($(date +%s) - t)) s)")
	else
		summary+=("$a: FAILED ($(($(date +%s) - t)) s)")
		rc=1
	fi
done
log "run-all: fetch ${t_fetch} s; ${summary[*]}; total $(($(date +%s) - t0)) s"
exit $rc
