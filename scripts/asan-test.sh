#!/bin/bash
# make asan-test: the unit tests and the e2e scripts that exercise the daemon most, built with
# AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer included).
# Usage: scripts/asan-test.sh ASAN_OUT   (the build dir of `make asan-build`, e.g. build/asan)
# Every report goes to a file of a fresh directory (log_path): a daemon's stderr is only the
# e2e script's log, so a report there could go unseen. A report file fails its step even when
# the script itself passed. Each step prints its time; the last line is
# "asan: N passed, N failed" (steps).
# OW_ASAN_E2E overrides the e2e scripts (names in tests/e2e/, space-separated).
set -u

cd "$(dirname "$0")/.." || exit 1
OUT=${1:-build/asan}
E2E=${OW_ASAN_E2E-reload metrics alerts churn detach}
PASSED=0 FAILED=0
REPORTS=$(mktemp -d /tmp/oomwarden-asan.XXXXXX) || exit 1
trap 'rm -rf "$REPORTS"' EXIT
trap 'exit 130' INT TERM
# The alert sender child runs as nobody: it must be able to write its report too.
chmod 1777 "$REPORTS"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan"
export LSAN_OPTIONS="log_path=$REPORTS/lsan"

# step NAME COMMAND...: run it, then fail it on a non-zero exit or on any new report file.
step()
{
	local name=$1 start rc f
	shift
	start=$(date +%s)
	"$@"
	rc=$?
	for f in "$REPORTS"/*; do
		[[ -e $f ]] || continue
		echo "== sanitizer report ($name): $f"
		cat "$f"
		rm -f "$f"
		rc=1
	done
	if ((rc == 0)); then
		echo "PASS asan-$name ($(($(date +%s) - start)) s)"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL asan-$name (exit $rc, $(($(date +%s) - start)) s)"
		FAILED=$((FAILED + 1))
	fi
}

units=()
for t in "$OUT"/tests/test_*; do
	[[ $t == *.d ]] || units+=("$t") # not the compiler's dependency lists
done
step unit scripts/run-unit.sh "${units[@]}"
export OW_E2E_DAEMON=$OUT/oomwarden
for t in $E2E; do
	step "$t" bash "tests/e2e/$t.sh"
done

echo "asan: $PASSED passed, $FAILED failed"
((FAILED == 0))
