#!/bin/bash
# A soak (`make soak`, not part of `make test`): the daemon watching a subtree where, for
# SOAK_S seconds (default 600), everything it keeps a record of comes and goes at once:
#   memcgs   made (a limit, a process run in each) and removed, 20 a round;
#   processes short-lived ones that grow a little, and ones whose leader thread ends first;
#   limits   one memcg's limit written in a loop, two values in turn;
#   OOM      a process over a 32 MiB memcg's limit every 2 s (acted on, or OOM-killed);
#   leaks    a 32 MiB/s leak in a 256 MiB memcg every 60 s: it must be SIGTERMed each time.
# Every 10 s it samples what the daemon holds: its cgroups and processes (the metrics file),
# VmRSS, open descriptors, and the BPF maps' entries (procs, memcg_cfg; bpftool). Verdicts:
# each of those at the end no more than 20 % (and a small slack) over its peak in the first
# third after a minute's warm-up: nothing grows with time; every leak SIGTERMed and exited 0,
# no OOM kill in the leak's memcg; the daemon still running, and it stops cleanly.
# SOAK_DAEMON_FLAGS: more daemon flags (e.g. "--attach tracepoint", "--no-bpf"). Prints the
# samples, PASS/FAIL lines and `soak: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=$(realpath build/owload)
THREADS=$(realpath build/owthreads)
SOAK_S=${SOAK_S:-600}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-soak.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
PROM=$TMPD/metrics.prom
TOP='' DPID='' PIDS=()

trap hostile_teardown EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	echo "SKIP soak: needs root and a memory cgroup controller"
	exit 1
fi
for bin in "$OWD" "$OWLOAD" "$THREADS"; do
	[[ -x $bin ]] || { echo "FAIL soak: $bin is not built (make)"; exit 1; }
done
TOP=$(cg_create "ow-soak-$$" $((4 << 30))) || exit 1
[[ $OW_CG_VER == 2 ]] && echo +memory >"$TOP/cgroup.subtree_control"
limit_file=memory.limit_in_bytes
[[ $OW_CG_VER == 2 ]] && limit_file=memory.max

# mk NAME BYTES: a memcg below TOP with that limit, printed.
mk()
{
	mkdir -p "$TOP/$1" && echo "$2" >"$TOP/$1/$limit_file" && echo "$TOP/$1"
}

# in_cg DIR CMD...: CMD moved into DIR first.
in_cg()
{
	local dir=$1

	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

# map_entries NAME: entries in the daemon's BPF map NAME (-1: unknown).
map_entries()
{
	local f id

	for f in /proc/"$DPID"/fdinfo/*; do
		id=$(sed -n 's/^map_id:[[:space:]]*//p' "$f" 2>/dev/null)
		[[ -n $id ]] && bpftool map show id "$id" 2>/dev/null | grep -q " name $1 " && break
		id=''
	done
	[[ -n $id ]] || { echo -1; return; }
	bpftool -j map dump id "$id" 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

procs_dir=$(mk procs $((512 << 20))) || exit 1
limits_dir=$(mk limits $((64 << 20))) || exit 1
oom_dir=$(mk oom $((32 << 20))) || exit 1
leak_dir=$(mk leak $((256 << 20))) || exit 1
mkdir "$TOP/churn" || exit 1
[[ $OW_CG_VER == 2 ]] && echo +memory >"$TOP/churn/cgroup.subtree_control"

read -r -a flags <<<"${SOAK_DAEMON_FLAGS:-}"
"$OWD" run --cgroup "$TOP" --grace 4 --metrics-file "$PROM" --metrics-interval 1 \
	--log-format json ${flags[@]+"${flags[@]}"} 2>"$LOG" &
DPID=$!
wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID" || { echo "FAIL soak: no ready line"; exit 1; }
end=$((SECONDS + SOAK_S))

# The churners, each until the end.
(while ((SECONDS < end)); do
	for i in $(seq 20); do
		d=$(mk "churn/m$i" $((64 << 20))) && in_cg "$d" true
	done
	for i in $(seq 20); do
		rmdir "$TOP/churn/m$i" 2>/dev/null
	done
done) >/dev/null 2>&1 &
PIDS+=($!)
(while ((SECONDS < end)); do
	for i in $(seq 10); do
		in_cg "$procs_dir" "$OWLOAD" burst --size 4 --duration 0.1
	done
	in_cg "$procs_dir" "$THREADS" 10 2
done) >/dev/null 2>&1 &
PIDS+=($!)
(while ((SECONDS < end)); do
	echo $((96 << 20)) >"$limits_dir/$limit_file"
	echo $((64 << 20)) >"$limits_dir/$limit_file"
	sleep 0.01
done) >/dev/null 2>&1 &
PIDS+=($!)
(while ((SECONDS < end)); do
	in_cg "$oom_dir" "$OWLOAD" burst --size 64 --duration 0.5 --ignore-term
	sleep 2
done) >/dev/null 2>&1 &
PIDS+=($!)

leaks=0 leak_fail=()
oom0=$(cg_oom_kills "$leak_dir")
next_leak=$((SECONDS + 30))
printf '%6s %8s %9s %9s %5s %6s %10s\n' s cgroups processes vmrss_kib fds procs memcg_cfg
samples=$TMPD/samples
: >"$samples"
t0=$SECONDS
while ((SECONDS < end)); do
	if ((SECONDS >= next_leak)); then
		rep=$TMPD/leak$leaks.report
		in_cg "$leak_dir" "$OWLOAD" linear --rate 32 --drain 1 --duration 30 --report "$rep" \
			>/dev/null 2>&1
		st=$?
		grep -q '^sigterm ' "$rep" && ((st == 0)) || leak_fail+=("leak $leaks: status $st")
		leaks=$((leaks + 1))
		next_leak=$((SECONDS + 60))
	fi
	sleep 10
	pid_alive "$DPID" || break
	row=$(printf '%6d %8s %9s %9s %5s %6s %10s' $((SECONDS - t0)) \
		"$(sed -n 's/^oomwarden_cgroups //p' "$PROM")" \
		"$(sed -n 's/^oomwarden_processes //p' "$PROM")" \
		"$(awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status")" \
		"$(find "/proc/$DPID/fd" -mindepth 1 2>/dev/null | wc -l)" \
		"$(map_entries procs)" "$(map_entries memcg_cfg)")
	echo "$row" | tee -a "$samples"
done
for p in "${PIDS[@]}"; do
	wait "$p" 2>/dev/null
done
PIDS=()

# grown COLUMN NAME SLACK: the column's last sample against its peak in the first third (after
# a minute's warm-up).
grown()
{
	awk -v c="$1" -v n="$2" -v slack="$3" -v third=$((SOAK_S / 3)) '
		$1 >= 60 && $1 <= 60 + third && (!seen || $c > peak) { peak = $c; seen = 1 }
		{ last = $c }
		END {
			if (!seen || last == "") { print n ": no samples"; exit }
			if (last > peak * 1.2 + slack)
				print n " grew: " last " at the end, " peak " at most in the first third"
		}' "$samples"
}

R=()
pid_alive "$DPID" || R+=("the daemon died")
for spec in "2 cgroups 8" "3 processes 64" "4 VmRSS 1024" "5 descriptors 8" \
	"6 procs-map-entries 256" "7 memcg_cfg-entries 64"; do
	read -r col name slack <<<"$spec"
	why=$(grown "$col" "$name" "$slack")
	[[ -n $why ]] && R+=("$why")
done
verdict soak-flat "$LOG" "${R[@]}"

R=("${leak_fail[@]}")
((leaks > 0)) || R+=("no leak was run")
(($(cg_oom_kills "$leak_dir") == oom0)) || R+=("the kernel OOM-killed in the leak's memcg")
echo "   $leaks leaks, ${#leak_fail[@]} not stopped gracefully"
verdict soak-leaks-stopped "$LOG" "${R[@]}"

R=()
stop_daemon_expect_clean "$DPID"
DPID=''
verdict soak-stop "$LOG" "${R[@]}"
echo "soak: $PASSED passed, $FAILED failed"
((FAILED == 0))
