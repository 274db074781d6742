#!/bin/bash
# make fuzz / fuzz-smoke: run every libFuzzer harness of FUZZ_OUT/harness/ for SECONDS each,
# from its committed seeds (tests/fuzz/corpus/NAME/) and a working corpus kept in
# FUZZ_OUT/corpus/NAME/ (runs build on each other). A crash, leak, out-of-memory, timeout or
# sanitizer report fails the harness; its input is saved as FUZZ_OUT/artifacts/NAME-*.
# Usage: scripts/fuzz.sh FUZZ_OUT SECONDS [--report FILE] [NAME...]
#   --report FILE: then write a Markdown table of executions, coverage and findings
#   (docs/FUZZING.md) from the latest run of every harness (FUZZ_OUT/logs/), this one's or not.
# Each harness prints one line "NAME: execs N, cov N, ft N, corpus N, Ns: ok|FAIL"; the last
# line is "fuzz: N passed, N failed".
set -u

cd "$(dirname "$0")/.." || exit 1
OUT=${1:?usage: $0 FUZZ_OUT SECONDS [--report FILE] [NAME...]}
SECS=${2:?usage: $0 FUZZ_OUT SECONDS [--report FILE] [NAME...]}
shift 2
REPORT=''
if [[ ${1:-} == --report ]]; then
	REPORT=$2
	shift 2
fi
names=("$@")
if ((${#names[@]} == 0)); then
	for h in "$OUT"/harness/fuzz_*; do
		names+=("${h##*/fuzz_}")
	done
fi
PASSED=0 FAILED=0
mkdir -p "$OUT/artifacts" "$OUT/logs"

# stats LOG: "execs cov ft corpus" of a harness's log ("?" for what it lacks).
stats()
{
	local execs last cov ft corp
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1")
	last=$(grep -E '^#[0-9]+' "$1" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	echo "${execs:-?} ${cov:-?} ${ft:-?} ${corp:-?}"
}

# report: the table of the latest run of every harness.
report()
{
	local run log n secs verdict day hm rev execs cov ft corp
	echo "# Fuzzing"
	echo
	echo "Written by \`scripts/fuzz.sh FUZZ_OUT SECONDS --report docs/FUZZING.md\` from the latest"
	echo "run of each harness ($(nproc) CPUs, $(clang --version | head -1)). Harnesses:"
	echo "tests/fuzz/fuzz_*.c; seeds: tests/fuzz/corpus/NAME/. \`make fuzz\` runs each"
	echo "FUZZ_SECONDS (default 60), \`make fuzz-smoke\` 5 s (part of \`make test\`). cov: coverage"
	echo "edges; ft: features; corpus: inputs kept. A finding is a crash, leak, out-of-memory,"
	echo "timeout or sanitizer report; the fixed ones: \`git log --grep 'found by fuzz_'\`."
	echo
	echo "| harness | run (UTC) | commit | seconds | executions | cov | ft | corpus | result |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for run in "$OUT"/logs/*.log.run; do
		[[ -e $run ]] || continue
		log=${run%.run}
		n=${log##*/}
		read -r secs verdict day hm rev <"$run"
		read -r execs cov ft corp < <(stats "$log")
		echo "| fuzz_${n%.log} | $day $hm | $rev | $secs | $execs | $cov | $ft | $corp | $verdict |"
	done
}

# run_one NAME: one harness; prints its line, exits 0 when it passed.
run_one()
{
	local n=$1 bin=$OUT/harness/fuzz_$1 work=$OUT/corpus/$1 log=$OUT/logs/$1.log rc verdict
	local execs cov ft corp

	mkdir -p "$work"
	# git keeps no empty directory: a harness without committed seeds must fail here, loudly,
	# not later as a libFuzzer "No such file or directory".
	if [[ ! -d tests/fuzz/corpus/$n ]] || [[ -z $(ls -A "tests/fuzz/corpus/$n") ]]; then
		echo "$n: no seeds in tests/fuzz/corpus/$n: FAIL"
		return 1
	fi
	# -timeout: one input that takes 10 s is a finding (a hang the daemon would share).
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$n-" "$work" "tests/fuzz/corpus/$n" >"$log" 2>&1
	rc=$?
	read -r execs cov ft corp < <(stats "$log")
	if ((rc == 0)) && ! grep -q '^==[0-9]*==ERROR\|runtime error' "$log"; then
		verdict=ok
	else
		verdict=FAIL
		grep -A30 -m1 '==ERROR\|runtime error\|deadly signal\|ALARM' "$log"
	fi
	echo "$SECS $verdict $(date -u '+%Y-%m-%d %H:%M') $(git rev-parse --short HEAD)" >"$log.run"
	echo "$n: execs $execs, cov $cov, ft $ft, corpus $corp, ${SECS}s: $verdict"
	[[ $verdict == ok ]]
}

# Harnesses run JOBS at a time (one core each; FUZZ_JOBS, default the CPUs); their lines are
# printed in name order once all are done.
JOBS=${FUZZ_JOBS:-$(nproc)}
running=0
for n in "${names[@]}"; do
	(run_one "$n" >"$OUT/logs/$n.line" 2>&1; echo $? >"$OUT/logs/$n.rc") &
	running=$((running + 1))
	if ((running >= JOBS)); then
		wait -n
		running=$((running - 1))
	fi
done
wait
for n in "${names[@]}"; do
	cat "$OUT/logs/$n.line"
	if [[ $(cat "$OUT/logs/$n.rc" 2>/dev/null) == 0 ]]; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
	fi
	rm -f "$OUT/logs/$n.line" "$OUT/logs/$n.rc"
done

[[ -z $REPORT ]] || report >"$REPORT"
echo "fuzz: $PASSED passed, $FAILED failed"
((FAILED == 0))
