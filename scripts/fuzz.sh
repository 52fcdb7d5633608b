#!/usr/bin/env bash
# Runs every Fuzz target in the module for FUZZTIME each (default 3s): `make test` uses it as a
# smoke run, `make fuzz` as a longer one. Crashers are written by go test under
# testdata/fuzz/FuzzXxx in the package and become regression seeds once committed.
set -euo pipefail
fuzztime=${FUZZTIME:-3s}
status=0
while IFS= read -r line; do
	file=${line%%:*}
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"${line#*:}")
	pkg=./$(dirname "$file")
	echo "fuzz: $pkg $name ($fuzztime)"
	if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" >/tmp/fuzz.$$.log 2>&1; then
		cat /tmp/fuzz.$$.log
		status=1
	fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '/\.cache/' | sort)
rm -f /tmp/fuzz.$$.log
exit $status
