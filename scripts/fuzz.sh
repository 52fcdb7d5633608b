#!/usr/bin/env bash
# Runs every Fuzz target in the module for FUZZTIME each (default 3s): `make test` uses it as a
# smoke run, `make fuzz` as a longer one. Crashers are written by go test under
# testdata/fuzz/FuzzXxx in the package and become regression seeds once committed.
set -euo pipefail
fuzztime=${FUZZTIME:-3s}
status=0
n=0
while IFS= read -r line; do
	file=${line%%:*}
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"${line#*:}")
	[[ $name =~ ^Fuzz[A-Za-z0-9_]*$ ]] || { echo "fuzz: cannot parse target from: $line"; exit 2; }
	pkg=$(dirname "$file")
	echo "fuzz: $pkg $name ($fuzztime)"
	# Minimising a new input defaults to 60 s, which would eat a short run whole.
	if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s >/tmp/fuzz.$$.log 2>&1; then
		cat /tmp/fuzz.$$.log
		status=1
	fi
	n=$((n + 1))
	grep -E '^(fuzz: elapsed|ok|PASS)' /tmp/fuzz.$$.log | tail -1
done < <(grep -r --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '/\.cache/' | sort)
echo "fuzz: $n targets run for $fuzztime each"
[ "$n" -gt 0 ] || { echo "fuzz: no targets found"; exit 1; }
rm -f /tmp/fuzz.$$.log
exit $status
