#!/bin/sh
# Run cmocka unit test binaries, show their output, and add up their test cases.
# Usage: scripts/run-unit.sh build/tests/test_a [build/tests/test_b ...]
# Exits 1 if any test failed or any binary crashed; the last line is always
# "unit: N passed, N failed".
set -u

if [ $# -eq 0 ]; then
	echo "usage: $0 TEST_BINARY..." >&2
	exit 2
fi

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM

# Sum the N of every "[  <WORD>  ] N test(s)" line in $out (one per group run).
count() {
	sed -n "s/.*\[  $1  \] \([0-9][0-9]*\) test(s).*/\1/p" "$out" |
		awk '{ n += $1 } END { print n + 0 }'
}

passed=0
failed=0
rc=0
for bin in "$@"; do
	echo "== $bin"
	# Plain output whatever the environment asks for (TAP, XML...), so it can be parsed.
	CMOCKA_MESSAGE_OUTPUT=STDOUT "$bin" >"$out" 2>&1
	status=$?
	cat "$out"
	p=$(count PASSED)
	f=$(count FAILED)
	# A crash, or a binary that never printed a summary, counts as one failed test.
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ] || ! grep -Eq '\[  (PASSED|FAILED)  \]' "$out"; then
		echo "$bin: exited with status $status without reporting a failed test"
		[ "$f" -eq 0 ] && f=1
	fi
	[ "$status" -ne 0 ] || [ "$f" -ne 0 ] && rc=1
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "unit: $passed passed, $failed failed"
exit "$rc"
