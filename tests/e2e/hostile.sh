#!/bin/bash
# End-to-end, adversarial: what a hostile local user can do to the daemon, on the real kernel,
# each attack run as an unprivileged user where it is a user's. Every case is its own script
# under tests/e2e/hostile/ (one attack surface each) printing PASS/FAIL lines and a closing
# `NAME: N passed, N failed` line; this runs them all and adds them up.
# In every case: the right process or none is signalled, the loop keeps its latency, nothing
# crashes. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1

passed=0 failed=0
for t in tests/e2e/hostile/*.sh; do
	[[ -e $t ]] || continue
	name=$(basename "$t" .sh)
	echo "== hostile/$name"
	t0=$SECONDS
	out=$(bash "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "   hostile/$name took $((SECONDS - t0)) s"
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -n 1)
	if [[ -z $line ]]; then
		echo "FAIL hostile/$name: no closing count line (exit $rc)"
		failed=$((failed + 1))
		continue
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	passed=$((passed + p))
	failed=$((failed + f))
	if ((rc != 0 && f == 0)); then
		echo "FAIL hostile/$name: exit $rc with no failure counted"
		failed=$((failed + 1))
	fi
done
echo "hostile: $passed passed, $failed failed"
((failed == 0))
