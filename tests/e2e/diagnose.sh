#!/bin/bash
# End-to-end: `oomwarden diagnose` on real processes, the real kernel and real BPF.
#
# A process that leaks a known rate from a known function while churning allocations
# elsewhere (build/owleak) must read as a leak at that rate (within 15 %) with that function
# first in the top stack; a steady one as no leak; the same leaker found through its cgroup;
# a stripped copy with module+offset frames; a JIT stub named from /tmp/perf-PID.map; a
# process that ends mid-run; and every bad target one line with the documented exit status.
# Prints PASS/FAIL lines and `diagnose: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=build/oomwarden
LEAK=build/owleak
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-diag.XXXXXX) || exit 1
CG='' KIDS=()
RATE=2   # MiB/s leaked by the leaker
SECS=8   # each diagnosis

cleanup()
{
	local p

	for p in "${KIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	[[ -n $CG ]] && cg_destroy "$CG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME ARGS...: run a leaker in the background, wait until it is ready; its pid in PID.
# (Not in a $(...) subshell: KIDS must reach the cleanup.)
start()
{
	local name=$1 ready=$TMPD/$1.pid i
	shift
	# --exit-after first: a scenario's own value comes later and wins; none outlives 2 min.
	"$1" --exit-after 120 "${@:2}" --ready "$ready" >"$TMPD/$name.out" 2>&1 &
	KIDS+=($!)
	disown
	for ((i = 0; i < 50; i++)); do
		[[ -s $ready ]] && break
		sleep 0.1
	done
	PID=$(cat "$ready")
}

# jq-like: print a JSON field of FILE with a python expression over `r`.
jget()
{
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# within PCT MEASURED TRUTH: true when |measured - truth| <= PCT % of truth.
within()
{
	python3 -c 'import sys; p,m,t=map(float,sys.argv[1:]); sys.exit(0 if abs(m-t) <= p/100*t else 1)' "$@"
}

truth=$((RATE * 1048576))

scenario_leak()
{
	local pid out=$TMPD/leak.json why=() rate f0
	start leak "$LEAK" --rate "$RATE" --churn 2000
	pid=$PID
	"$OWD" diagnose --pid "$pid" --duration "$SECS" --stacks --json >"$out" 2>"$TMPD/leak.err" ||
		why+=("exit status $?")
	[[ $(jget "$out" 'r["verdict"]') == leak ]] || why+=("verdict $(jget "$out" 'r["verdict"]')")
	rate=$(jget "$out" 'r["growth_bytes_per_sec"]')
	within 15 "${rate:-0}" "$truth" || why+=("rate ${rate:-?} B/s, truth $truth B/s")
	f0=$(jget "$out" 'r["stacks"][0]["frames"][0]')
	[[ $f0 == leak_slowly ]] || why+=("top stack starts at '$f0', not leak_slowly")
	[[ $(jget "$out" 'r["stacks"][0]["bytes"] > 0') == True ]] || why+=("top stack holds no bytes")
	echo "leak: rate $rate B/s (truth $truth), top frame $f0"
	verdict "leak-with-stacks" "$TMPD/leak.err" "${why[@]}"
}

scenario_steady()
{
	local pid out=$TMPD/steady.json why=() v
	start steady "$LEAK" --rate 0 --churn 2000
	pid=$PID
	sleep 1 # let the churn ring fill: that start-up is not what is measured
	"$OWD" diagnose --pid "$pid" --duration "$SECS" --json >"$out" 2>"$TMPD/steady.err" ||
		why+=("exit status $?")
	v=$(jget "$out" 'r["verdict"]')
	[[ $v == no-leak ]] || why+=("verdict $v, rate $(jget "$out" 'r["growth_bytes_per_sec"]')")
	[[ $(jget "$out" 'r["stacks"]') == "[]" ]] || why+=("stacks without --stacks")
	verdict "steady-no-leak" "$TMPD/steady.err" "${why[@]}"
}

scenario_cgroup()
{
	local out=$TMPD/cg.json why=() rate ready=$TMPD/cg.pid rel
	CG=$(cg_create oomwarden-diag $((512 << 20))) || { verdict cgroup /dev/null "no cgroup"; return; }
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
		"$LEAK" --exit-after 120 --rate "$RATE" --ready "$ready" >/dev/null 2>&1 &
	KIDS+=($!)
	disown
	sleep 0.5
	rel=${CG#"$OW_CG_ROOT"}
	"$OWD" diagnose --cgroup "$rel" --duration "$SECS" --json >"$out" 2>"$TMPD/cg.err" ||
		why+=("exit status $?")
	[[ $(jget "$out" 'r["verdict"]') == leak ]] || why+=("verdict $(jget "$out" 'r["verdict"]')")
	rate=$(jget "$out" 'r["growth_bytes_per_sec"]')
	within 15 "${rate:-0}" "$truth" || why+=("rate ${rate:-?} B/s, truth $truth B/s")
	[[ $(jget "$out" 'r["limit_bytes"]') == $((512 << 20)) ]] ||
		why+=("limit $(jget "$out" 'r["limit_bytes"]'), not the cgroup's 512 MiB")
	[[ $(jget "$out" 'r["seconds_to_limit"] is not None') == True ]] || why+=("no time to limit")
	echo "cgroup $rel: rate $rate B/s (truth $truth)"
	verdict "leak-by-cgroup" "$TMPD/cg.err" "${why[@]}"
	cg_destroy "$CG" && CG=''
}

scenario_stripped()
{
	local pid out=$TMPD/strip.json why=() f0
	start strip build/owleak-stripped --rate "$RATE"
	pid=$PID
	"$OWD" diagnose --pid "$pid" --duration 4 --stacks --json >"$out" 2>"$TMPD/strip.err" ||
		why+=("exit status $?")
	f0=$(jget "$out" 'r["stacks"][0]["frames"][0]')
	[[ $f0 =~ ^owleak-stripped\+0x[0-9a-f]+$ ]] || why+=("top frame '$f0', not module+offset")
	echo "stripped: top frame $f0"
	verdict "stripped-module-offset" "$TMPD/strip.err" "${why[@]}"
}

scenario_jit()
{
	local pid out=$TMPD/jit.json why=() f0
	start jit "$LEAK" --rate "$RATE" --jit
	pid=$PID
	[[ -s /tmp/perf-$pid.map ]] || why+=("no perf map written")
	"$OWD" diagnose --pid "$pid" --duration 4 --stacks --json >"$out" 2>"$TMPD/jit.err" ||
		why+=("exit status $?")
	f0=$(jget "$out" 'r["stacks"][0]["frames"][0]')
	[[ $f0 == "LazyCompile:*leakyJsFunction /srv/app/worker.js:42" ]] ||
		why+=("top frame '$f0', not the perf map's JIT name")
	rm -f "/tmp/perf-$pid.map"
	echo "jit: top frame $f0"
	verdict "jit-perf-map" "$TMPD/jit.err" "${why[@]}"
}

scenario_ends()
{
	local pid out=$TMPD/ends.txt why=() st t0=$SECONDS
	start ends "$LEAK" --rate "$RATE" --exit-after 3
	pid=$PID
	"$OWD" diagnose --pid "$pid" --duration 20 >"$out" 2>"$TMPD/ends.err"
	st=$?
	((st == 0)) || why+=("exit status $st")
	grep -q "the process ended after" "$out" || why+=("report does not say it ended")
	grep -q "^Verdict: " "$out" || why+=("no verdict line first")
	((SECONDS - t0 < 15)) || why+=("kept watching a process that had ended")
	verdict "pid-ends-mid-run" "$out" "${why[@]}"
}

# expect_error NAME STATUS REGEX ARGS...: one line on stderr matching REGEX, that exit status.
expect_error()
{
	local name=$1 want=$2 re=$3 err=$TMPD/$1.err why=() st
	shift 3
	"$@" >"$TMPD/$name.out" 2>"$err"
	st=$?
	((st == want)) || why+=("exit status $st, want $want")
	[[ $(wc -l <"$err") == 1 ]] || why+=("$(wc -l <"$err") lines on stderr, want 1")
	grep -qE -- "$re" "$err" || why+=("stderr does not match '$re'")
	verdict "error-$name" "$err" "${why[@]}"
}

scenario_errors()
{
	local gone
	sleep 0 & gone=$!
	wait "$gone"
	expect_error no-pid 2 "no such process: $gone" "$OWD" diagnose --pid "$gone" --duration 1
	expect_error no-cgroup 2 "no such memory cgroup: /oomwarden-no-such" \
		"$OWD" diagnose --cgroup /oomwarden-no-such --duration 1
	expect_error no-unit 2 "no cgroup for unit oomwarden-no-such.service" \
		"$OWD" diagnose --unit oomwarden-no-such.service --duration 1
	expect_error no-target 2 "exactly one target" "$OWD" diagnose --duration 1
	expect_error two-targets 2 "exactly one target" "$OWD" diagnose --pid 1 --unit x.service
	expect_error bad-duration 2 "invalid value for --duration: '0'" \
		"$OWD" diagnose --pid 1 --duration 0
	expect_error bad-pid 2 "invalid value for --pid: 'abc'" "$OWD" diagnose --pid abc
	if command -v setpriv >/dev/null; then
		expect_error not-root 1 "diagnose needs root" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$OWD" diagnose --pid 1
	else
		verdict "error-not-root" /dev/null "setpriv (util-linux) is missing"
	fi
}

if [[ $(id -u) != 0 ]]; then
	echo "diagnose: must run as root (BPF, uprobes, cgroups)"
	echo "diagnose: 0 passed, 1 failed"
	exit 1
fi
if ! ow_detect_memcg; then
	echo "diagnose: no memory cgroup controller: $OW_CG_WHY"
	echo "diagnose: 0 passed, 1 failed"
	exit 1
fi
scenario_errors
scenario_leak
scenario_steady
scenario_cgroup
scenario_stripped
scenario_jit
scenario_ends
echo "diagnose: $PASSED passed, $FAILED failed"
((FAILED == 0))
