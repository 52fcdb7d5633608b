#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# run-all.sh: the virtual board as CI runs it (`make vboard`): fetch (quick when warm), then
# one boot per arch running the smoke checks, the real-kernel go tests of VBOARD_TEST_PKGS,
# the real-board tests (tag hwtest) against the virtual wiring and, when ./cmd/intercom
# builds, the issue-8 intercom scenario; armhf boots once more for the scenario with the
# GOARM=6 binary (a Pi Zero's ABI on the same kernel).
#
#   hwtest/vboard/run-all.sh [ARCH...]        (default: amd64 arm64 armhf armhf-v6)
#
# VBOARD_SCENARIOS overrides the scenario list (e.g. "smoke" for a quick check).
# VBOARD_JOBS guests boot at a time (default 2: each TCG guest keeps one core busy); each
# run's output goes to a log that is printed when it ends.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(armhf arm64 amd64 armhf-v6)
jobs=${VBOARD_JOBS:-2}
t0=$(date +%s)
fetch=()
for r in "${runs[@]}"; do
	a=${r%-v6}
	case " ${fetch[*]} " in *" $a "*) ;; *) fetch+=("$a") ;; esac
done
"$here/fetch.sh" "${fetch[@]}"
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

mkdir -p "$CACHE/tmp"
logs=$(mktemp -d "$CACHE/tmp/run-all.XXXXXX")
trap 'rm -rf "$logs"' EXIT

# one RUN: run.sh for it, its log and its wall time in $logs.
one() {
	local r=$1 t rc=0 args
	t=$(date +%s)
	case $r in
	*-v6)
		# The GOARM=6 binary only needs the scenario: the tests ran as GOARM=7 on this kernel.
		args=("${r%-v6}" --goarm 6 --scenario "$(echo ",$scen," | grep -q ',intercom,' && echo intercom || echo smoke)")
		;;
	*) args=("$r" --scenario "$scen") ;;
	esac
	"$here/run.sh" "${args[@]}" >"$logs/$r.log" 2>&1 || rc=$?
	echo "$rc $(($(date +%s) - t))" >"$logs/$r.rc"
}

running=0
for r in "${runs[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	log "run-all: starting $r"
	one "$r" &
	running=$((running + 1))
done
wait || true

rc=0
summary=()
for r in "${runs[@]}"; do
	echo "===== vboard $r" >&2
	cat "$logs/$r.log" >&2 || true
	read -r code secs <"$logs/$r.rc" || { code=1 secs="?"; }
	if [ "$code" = 0 ]; then
		summary+=("$r: ok (${secs} s)")
	else
		summary+=("$r: FAILED (${secs} s)")
		rc=1
	fi
done
log "run-all: fetch ${t_fetch} s; ${summary[*]}; total $(($(date +%s) - t0)) s ($jobs at a time)"
exit $rc
