#!/usr/bin/env bash
# Runs every Fuzz target in the module for FUZZTIME each (default 60s) and prints one result
# line per target: executions, new corpus entries, and PASS or the crasher file go test wrote
# under the package's testdata/fuzz/FuzzXxx (commit it: it becomes a regression seed).
# FUZZPARALLEL sets the workers per target (default 1: the machine is shared). FUZZMINIMIZE
# bounds the minimisation of each new input (go's default, 60s, can eat a whole short run on a
# large seed such as config/example.toml: FuzzParse then reports a dozen execs).
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-60s}
parallel=${FUZZPARALLEL:-1}
minimize=${FUZZMINIMIZE:-5s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
while IFS=: read -r file _ rest; do
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"$rest")
	pkg=$(dirname "$file")
	start=$(date +%s)
	if go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" -parallel "$parallel" >"$log" 2>&1; then
		verdict=PASS
	else
		verdict="FAIL $(grep -oE 'testdata/fuzz/[^ ]+' "$log" | head -1)"
		status=1
	fi
	execs=$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	newc=$(grep -oE 'new interesting: [0-9]+' "$log" | tail -1 | cut -d' ' -f3)
	printf '%-28s %-34s %4ss execs=%-9s new=%-5s %s\n' "$pkg" "$name" "$(($(date +%s) - start))" "${execs:-0}" "${newc:-0}" "$verdict"
	if [ "$verdict" != PASS ]; then sed -n '1,40p' "$log"; fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '/\.cache/' | sort)
exit $status
