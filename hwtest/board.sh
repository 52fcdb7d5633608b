#!/usr/bin/env bash
# board.sh: run the real-board tests (hwtest_test.go, build tag hwtest) on a Raspberry Pi.
#
#   hwtest/board.sh PI [go test flags...]       e.g. hwtest/board.sh pi@door.local -test.run LED
#   make hwtest PI=pi@door.local
#
# Builds the test binary for the board's arch (asked over SSH: armv6l, armv7l, aarch64),
# copies it with scp and runs it with sudo (GPIO and /dev/snd need it unless the user is in
# the gpio and audio groups). HWTEST_CONFIG, HWTEST_RELAY, HWTEST_INTERACTIVE and
# HWTEST_AUDIO_LOOP are passed through; see hwtest_test.go. Refuses to run without PI.
set -euo pipefail

pi=${1:-}
if [ -z "$pi" ]; then
	echo "board.sh: which board? usage: hwtest/board.sh PI (make hwtest PI=user@host)" >&2
	exit 2
fi
shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

machine=$(ssh -o BatchMode=yes "$pi" uname -m) || {
	echo "board.sh: cannot reach $pi over SSH (key-based login needed)" >&2
	exit 1
}
case $machine in
armv6l) env=(GOARCH=arm GOARM=6) ;;
armv7l) env=(GOARCH=arm GOARM=7) ;;
aarch64 | arm64) env=(GOARCH=arm64) ;;
x86_64) env=(GOARCH=amd64) ;;
*)
	echo "board.sh: $pi is a $machine: no Go port chosen for it" >&2
	exit 1
	;;
esac

bin=$(mktemp -d)/intercom-hwtest.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
(cd "$repo" && env CGO_ENABLED=0 GOOS=linux "${env[@]}" go test -c -tags="hwtest,$(sed 's/#.*//' "$repo/scripts/buildtags" | xargs | tr ' ' ,)" -trimpath -o "$bin" ./hwtest)

remote=/tmp/intercom-hwtest.test
scp -q "$bin" "$pi:$remote"
vars=()
for v in HWTEST_CONFIG HWTEST_RELAY HWTEST_INTERACTIVE HWTEST_AUDIO_LOOP; do
	[ -n "${!v:-}" ] && vars+=("$v=${!v}")
done
echo "board.sh: running on $pi ($machine)"
# -t: the interactive test asks a person at the board to press buttons.
ssh -t "$pi" sudo env "${vars[@]}" "$remote" -test.v "$@"
