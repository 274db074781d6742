#!/bin/bash
# The sight's step-to-read time on cgroup v2 (issue 17: p99 <= 1 s), in the detach guest.
#
# A memcg limited to 4 GiB (a limit the reads prove: the page-fault program is detached, so
# only the sight can see anything) and a private tmpfs; STEPS times, 17 MiB appended to a file
# there (a step of the limit is 16 MiB) in 1 MiB writes by a process moved into the memcg,
# whose writes move no RSS; to the daemon's "sight" line for the cgroup (its log's own times,
# ms) from the end of the writes (the step is crossed just before: the read's own delay) and
# from their start (an upper bound: the emulator takes hundreds of ms to spawn the writer and
# fill the pages). A step not seen within 3 s, or not by the sight's watch, fails; the times are
# a measurement, reported, not judged (PASS line). Run as root in the guest (tests/vm/init, suite detach).
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
STEPS=${OW_SIGHT_STEPS:-20}
PASSED=0 FAILED=0
DPID='' CG='' MNT=''
TMPD=$(mktemp -d /tmp/oomwarden-sight.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
trap '[[ -n $MNT ]] && umount "$MNT"; e2e_cleanup' EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	e2e_skip sight "needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
fi

# secs_of_day ISO: the seconds since midnight UTC of a log line's "time" (ms).
secs_of_day()
{
	awk -v t="$1" 'BEGIN { split(substr(t, 12, 12), a, ":"); printf "%.3f", a[1] * 3600 + a[2] * 60 + a[3] }'
}

# pct FILE: "p50 p99 max" of the numbers in FILE (nearest rank).
pct()
{
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		r50 = int(0.5 * NR + 0.999999); r99 = int(0.99 * NR + 0.999999)
		print v[r50], v[r99], v[NR] }'
}

CG=$(cg_create "ow-sight-$$" $((4 << 30))) || { echo "FAIL sight: cannot make a memcg"; exit 1; }
MNT=$TMPD/shm
mkdir -p "$MNT" && mount -t tmpfs -o size=1g owsight "$MNT" ||
	{ echo "FAIL sight: cannot mount a tmpfs"; exit 1; }
R=()
"$OWD" run --cgroup "$CG" --log-format json -vv 2>"$LOG" &
DPID=$!
wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID" || R+=("the daemon did not get ready")
wait_for_line "$LOG" '"msg":"page-fault program detached' 40 "$DPID" ||
	R+=("the page-fault program was not detached within 40 s")
# Both guests' kernels have the cgroup iterator and BPF timers: a cgroup far from its limit is
# checked by the sight's watch (daemon/sight_pass.c), each step seen by it.
grep -E "$(json_event ready)" "$LOG" | grep -q '"sight":"watch"' ||
	R+=('the ready line does not say "sight":"watch": no cgroup iterator or BPF timer')
BY_WATCH=0
: >"$TMPD/lat"
for ((i = 0; i < STEPS && ${#R[@]} == 0; i++)); do
	seen=$(grep -c '"msg":"the cgroup.s charge moved a step"' "$LOG")
	t0=$EPOCHREALTIME
	sh -c 'echo $$ >"$0" && exec dd if=/dev/zero bs=1M count=17 2>/dev/null' \
		"$CG/cgroup.procs" >>"$MNT/f"
	t1=$EPOCHREALTIME
	for _ in $(seq 30); do
		(($(grep -c '"msg":"the cgroup.s charge moved a step"' "$LOG") > seen)) && break
		sleep 0.1
	done
	line=$(grep '"msg":"the cgroup.s charge moved a step"' "$LOG" | sed -n "$((seen + 1))p")
	if [[ -z $line ]]; then
		R+=("step $i: no sight line within 3 s")
		break
	fi
	if [[ $line != *'"seen_by":"watch"'* ]]; then
		R+=("step $i: not seen by the watch: $line")
		break
	fi
	BY_WATCH=$((BY_WATCH + 1))
	t=$(secs_of_day "$(sed -n 's/.*"time":"\([^"]*\)".*/\1/p' <<<"$line")")
	awk -v a="$t" -v b="$t1" 'BEGIN { d = a - (b % 86400); printf "%.0f\n", (d < 0 ? 0 : d) * 1000 }' \
		>>"$TMPD/lat"
	awk -v a="$t" -v b="$t0" 'BEGIN { d = a - (b % 86400); printf "%.0f\n", (d < 0 ? 0 : d) * 1000 }' \
		>>"$TMPD/lat0"
	sleep 1.2 # past the next read, so each step starts from a quiet one
done
daemon_stop
if ((${#R[@]} == 0)); then
	read -r p50 p99 max < <(pct "$TMPD/lat")
	read -r s50 s99 smax < <(pct "$TMPD/lat0")
	echo "PASS sight-latency ($SECONDS s): $STEPS steps of a 4 GiB limit, all $BY_WATCH seen by the watch, from the write's end p50 ${p50} ms, p99 ${p99} ms, max ${max} ms; from its start p50 ${s50} ms, p99 ${s99} ms, max ${smax} ms"
	PASSED=$((PASSED + 1))
else
	verdict sight-latency "$LOG" "${R[@]}"
fi
echo "sight: $PASSED passed, $FAILED failed"
exit $((FAILED > 0))
