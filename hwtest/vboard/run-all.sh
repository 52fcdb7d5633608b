#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# run-all.sh: the virtual board as CI runs it (`make vboard`): fetch (quick when warm) while
# the guests' programs compile, then one boot per arch running the smoke checks, the
# real-kernel go tests of VBOARD_TEST_PKGS, the real-board tests (tag hwtest) against the
# virtual wiring (on one guest: VBOARD_BOARD_ON, default amd64) and, when ./cmd/intercom
# builds, the intercom call scenario; armhf boots once more for the scenario with the
# GOARM=6 binary (a Pi Zero's ABI on the same kernel).
#
#   hwtest/vboard/run-all.sh [ARCH...]        (default: amd64 arm64 armhf armhf-v6)
#
# VBOARD_SCENARIOS overrides the scenario list (e.g. "smoke" for a quick check).
# Every guest is compiled and packed first, then VBOARD_JOBS guests boot at a time (default 1
# on 2 cores, else 2: each TCG guest keeps one core busy); each run's output goes to a log
# printed at the end.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(armhf arm64 amd64 armhf-v6)
# Two guests at once took 162 s instead of 225 s on 2 cores at load 9, but starved guests
# failed timing checks (a 1 s relay pulse measured 1.56 s): in parallel only with cores to spare.
jobs=${VBOARD_JOBS:-}
if [ -z "$jobs" ]; then
	jobs=1
	[ "$(nproc)" -le 2 ] || jobs=2
fi
t0=$(date +%s)
fetch=()
for r in "${runs[@]}"; do
	a=${r%-v6}
	case " ${fetch[*]} " in *" $a "*) ;; *) fetch+=("$a") ;; esac
done
mkdir -p "$CACHE/tmp"
logs=$(mktemp -d "$CACHE/tmp/run-all.XXXXXX")
trap 'rm -rf "$logs"' EXIT
# Phase 0, fetch and compile at once: fetch.sh mostly waits for downloads and dpkg, the Go
# builds need nothing of it (the kernel and modules join at packing).
"$here/fetch.sh" "${fetch[@]}" &
fetch_pid=$!

scen=${VBOARD_SCENARIOS:-}
if [ -z "$scen" ]; then
	scen=smoke,tests,board
	if (cd "$repo_dir" && go build -o /dev/null ./cmd/intercom 2>/dev/null); then
		scen=$scen,intercom
	else
		log "run-all: ./cmd/intercom does not build: intercom scenario skipped"
	fi
fi
# The real-board tests check the hwtest harness against the virtual wiring; what they run
# of alsa/ and gpio/ the tests scenario covers on every ABI, so one guest runs them (7-8 s
# a guest, LEDs lit and a relay pulsed for a person watching).
board_on=${VBOARD_BOARD_ON:-amd64}
case " ${runs[*]} " in *" $board_on "*) ;; *) board_on=${runs[0]} ;; esac

# args RUN: run.sh's arguments for one run.
args() {
	case $1 in
	*-v6)
		# The GOARM=6 binary only needs the scenario: the tests ran as GOARM=7 on this kernel.
		local s=smoke
		case ",$scen," in *,intercom,*) s=intercom ;; esac
		echo "${1%-v6} --goarm 6 --scenario $s"
		;;
	"$board_on") echo "$1 --scenario $scen" ;;
	*) echo "$1 --scenario $(echo ",$scen," | sed 's/,board,/,/; s/^,//; s/,$//')" ;;
	esac
}

# Phase 1, compile and pack every guest: the builds use both cores, and no TCG guest runs yet
# to be starved by them (a starved guest stalls aloop and fails timing checks). All at once:
# each is mostly single-threaded links (compiles come from the shared cache).
t_pack=$(date +%s)
# step WHAT: run.sh --WHAT-only for every run at once; stop on the first that failed.
step() {
	local r p pids=()
	for r in "${runs[@]}"; do
		# shellcheck disable=SC2046 # args prints words meant to be split
		{ "$here/run.sh" $(args "$r") "--$1-only" "$logs/$r.work" >>"$logs/$r.log" 2>&1; echo $? >"$logs/$r.$1rc"; } &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	for r in "${runs[@]}"; do
		[ "$(cat "$logs/$r.$1rc")" = 0 ] || { cat "$logs/$r.log" >&2; die "run-all: $1 $r failed"; }
	done
}
step build
t_build=$(($(date +%s) - t_pack))
wait "$fetch_pid" || die "run-all: fetch failed"
t_fetch=$(($(date +%s) - t0))
t_pack=$(date +%s)
step pack
t_pack=$(($(date +%s) - t_pack))

# Phase 2, boot them, VBOARD_JOBS at a time.
one() {
	local r=$1 t rc=0
	t=$(date +%s)
	# shellcheck disable=SC2046
	"$here/run.sh" $(args "$r") --packed "$logs/$r.work" >>"$logs/$r.log" 2>&1 || rc=$?
	echo "$rc $(($(date +%s) - t))" >"$logs/$r.rc"
}

for r in "${runs[@]}"; do
	# Count the guests still running rather than trust wait -n: after the packing phase's
	# jobs it returned at once and two guests booted together on 2 cores.
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
		sleep 0.2
	done
	log "run-all: booting $r"
	one "$r" &
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
log "run-all: fetch and build ${t_fetch} s (build ${t_build} s); pack ${t_pack} s; boots: ${summary[*]}; total $(($(date +%s) - t0)) s ($jobs at a time)"
exit $rc
