#!/usr/bin/env bash
# Runs every Fuzz target in the module for FUZZTIME each (default 3s) and prints one result
# line per target (seconds, executions, new corpus entries, PASS or the crasher go test wrote):
# `make test` uses it as a smoke run, `make fuzz` as a longer one. Crashers land under
# testdata/fuzz/FuzzXxx in the package and become regression seeds once committed.
# FUZZPARALLEL sets the workers per target (default 1: the machine is shared). FUZZMINIMIZE
# bounds the minimisation of each new input: go's default, 60s, can eat a whole short run on a
# large seed such as config/example.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-3s}
parallel=${FUZZPARALLEL:-1}
minimize=${FUZZMINIMIZE:-5s}
status=0
n=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# corpus DIR: the inputs in a target's testdata/fuzz directory, one a line.
corpus() {
	if [ -d "$1" ]; then find "$1" -maxdepth 1 -type f -printf '%f\n' | sort; fi
}

# harness_race LOG NEW: the run failed only with the coordinator's own "context deadline
# exceeded" and wrote no failing input. NEW (the files the run added to testdata/fuzz) is the
# proof: when the deadline cuts a crasher's minimisation short, Go writes the crasher there but
# may report only "context deadline exceeded", without "Failing input written".
harness_race() {
	[ -z "$2" ] && grep -q '^    context deadline exceeded$' "$1" &&
		! grep -q -E 'Failing input written|^panic:|^\s+[A-Za-z0-9_]+\.go:[0-9]+:' "$1"
}
while IFS= read -r line; do
	file=${line%%:*}
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"${line#*:}")
	[[ $name =~ ^Fuzz[A-Za-z0-9_]*$ ]] || { echo "fuzz: cannot parse target from: $line"; exit 2; }
	pkg=$(dirname "$file")
	start=$(date +%s)
	verdict=PASS
	before=$(corpus "$pkg/testdata/fuzz/$name")
	if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" \
		-parallel "$parallel" >"$log" 2>&1; then
		added=$(comm -13 <(printf '%s\n' "$before") <(corpus "$pkg/testdata/fuzz/$name") | sed '/^$/d')
		if harness_race "$log" "$added"; then
			# Go's fuzz coordinator can fail a run at the -fuzztime deadline with nothing found:
			# it compares the deadline's error with its workers' context before that context
			# is cancelled. A real finding always writes its input, which harness_race checks.
			verdict="PASS (the toolchain's deadline race, no input written)"
		else
			written=$(grep -oE 'testdata/fuzz/[^ ]+' "$log" | head -1 || true)
			[ -n "$written" ] || [ -z "$added" ] || written="$pkg/testdata/fuzz/$name/$(head -1 <<<"$added")"
			verdict="FAIL $written"
			status=1
		fi
	fi
	n=$((n + 1))
	execs=$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
	newc=$(grep -oE 'new interesting: [0-9]+' "$log" | tail -1 | cut -d' ' -f3 || true)
	printf '%-28s %-34s %4ss execs=%-9s new=%-5s %s\n' "$pkg" "$name" "$(($(date +%s) - start))" \
		"${execs:-0}" "${newc:-0}" "$verdict"
	if [[ $verdict != PASS* ]]; then sed -n '1,60p' "$log"; fi
done < <(grep -r --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '/\.cache/' | sort)
echo "fuzz: $n targets run for $fuzztime each"
[ "$n" -gt 0 ] || { echo "fuzz: no targets found"; exit 1; }
exit $status
