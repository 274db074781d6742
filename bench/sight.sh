#!/usr/bin/env bash
# `make bench-sight` (the last part of `make bench`): what watching the whole charge of every
# limited cgroup costs (issue 17, item 1: v1 usage thresholds, v2 reads of memory.current),
# and how soon a step of tmpfs growth is known. Writes the sight section of BENCHMARKS.md.
#  1. for N in SIGHT_COUNTS: N memcgs limited to 64 MiB under one parent, one sleeping process
#     in each (bench/sleepers.c, so the BPF side has seen them); the daemon watching the parent:
#     its CPU over IDLE_S seconds (/proc/PID/schedstat) and the sight's watch's in the kernel
#     (its BPF timer's ticks run in softirq: their time from its counters), its wakeups a
#     second (voluntary context switches), VmRSS and open descriptors;
#  2. a memcg of 256 MiB and a private tmpfs: LAT_RUNS times, 2 MiB appended to a file there
#     (two steps of the limit); from the write's start to the daemon's "sight" line for the
#     cgroup (its log's own times, ms): p50 / p99 / max;
#  3. LAT_RUNS writes to that memcg's limit file: from each to the daemon's "limit changed"
#     line (its inotify watch, daemon/limit_watch.c).
# Run as root after `make`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
. bench/compare/report.sh

IDLE_S=${IDLE_S:-60} # measured after SETTLE_S (40) of settling
LAT_RUNS=${LAT_RUNS:-20}
read -r -a COUNTS <<<"${SIGHT_COUNTS:-1 10 100 1000}"
OUT=${OUT:-BENCHMARKS.md}
OWD=build/oomwarden
TMP=$(mktemp -d /tmp/owh-sight.XXXXXX)
PARENT='' DPID='' SPID='' MNT=''
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

cleanup()
{
	[[ -n $SPID ]] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[[ -n $DPID ]] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[[ -n $MNT ]] && umount "$MNT" 2>/dev/null
	[[ -n $PARENT && -d $PARENT ]] && find "$PARENT" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
	[[ -n $PARENT && -d $PARENT ]] && rmdir "$PARENT"
	rm -rf "$TMP"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || { echo "bench-sight: needs root (BPF, cgroups)" >&2; exit 1; }
ow_detect_memcg || { echo "bench-sight: $OW_CG_WHY" >&2; exit 1; }
[[ -x $OWD ]] || { echo "bench-sight: build first (make)" >&2; exit 1; }
cc -O2 -o "$TMP/sleepers" bench/sleepers.c || exit 1

daemon_start_on()
{
	"$OWD" run --cgroup "$1" --log-format json -v "${@:2}" 2>"$TMP/daemon.log" &
	DPID=$!
	for _ in $(seq 200); do
		grep -q '"event":"ready"' "$TMP/daemon.log" && return 0
		sleep 0.1
	done
	echo "bench-sight: the daemon did not get ready" >&2
	exit 1
}

daemon_stop()
{
	kill "$DPID"
	wait "$DPID" 2>/dev/null
	DPID=''
}

# first_after PATTERN T: ms from T (epoch seconds) to the first line of the daemon's log for
# LAT_CG matching PATTERN logged after T. The log's times are cut to the millisecond: a line
# stamped M came before M + 1 ms, the bound kept.
first_after()
{
	grep -F "$1" "$TMP/daemon.log" | grep -F "\"path\":\"$LAT_CG\"" |
		sed -n 's/.*"time":"\([^"]*\)".*/\1/p' | while read -r ts; do
		date -d "$ts" +%s.%N
	done | awk -v t="$2" '$1 + 0.001 > t { printf "%.1f\n", ($1 + 0.001 - t) * 1000; exit }'
}

# idle_row BIN N TSV: the daemon BIN watching PARENT's N sleeping memcgs, its costs over
# IDLE_S seconds after SETTLE_S, a row of TSV.
idle_row()
{
	local bin=$1 n=$2 cpu0 cpu1 sw0 sw1 rss fds pass w0 w1 members

	# The daemon first: a memcg is watched whole once the BPF side has seen a process of it
	# (the sleepers' first page faults), as a service starting under a running daemon. The
	# metrics written once, at the stop (an hour's interval): the sight's passes.
	rm -f "$TMP/m.prom"
	OWD=$bin daemon_start_on "$PARENT" --metrics-file "$TMP/m.prom" --metrics-interval 3600
	coproc SLEEP { exec "$TMP/sleepers" "$TMP/list" "$n"; }
	SPID=$SLEEP_PID
	read -r ready _ <&"${SLEEP[0]}"
	[[ $ready == ready ]] || { echo "bench-sight: the sleepers did not start" >&2; exit 1; }
	# Past the quiet spell (OW_SIGHT_QUIET_NS, 30 s): an idle v1 cgroup is read at its idle
	# pace from then on, the state a machine's cgroups spend their time in.
	sleep "${SETTLE_S:-40}"
	read -r w0 _ < <(watch_bss)
	cpu0=$(awk '{ print $1 }' "/proc/$DPID/schedstat")
	sw0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$DPID/status")
	sleep "$IDLE_S"
	cpu1=$(awk '{ print $1 }' "/proc/$DPID/schedstat")
	sw1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$DPID/status")
	read -r w1 members < <(watch_bss)
	rss=$(awk '/^VmRSS:/ { printf "%.2f", $2 / 1024 }' "/proc/$DPID/status")
	fds=$(find "/proc/$DPID/fd" -mindepth 1 | wc -l)
	daemon_stop
	kill "$SPID" && wait "$SPID" 2>/dev/null
	SPID=''
	# The members (the watch's, at the window's end), the mean walk of a pass and the mean
	# tick of the watch (us), from the metrics.
	pass=$(awk -v c="$members" '$1 == "oomwarden_sight_passes_total" { p = $2 }
		$1 == "oomwarden_sight_pass_seconds_total" { s = $2 }
		$1 == "oomwarden_sight_watch_ticks_total" { wt = $2 }
		$1 == "oomwarden_sight_watch_seconds_total" { ws = $2 }
		END { walk = "-"; tick = "-"
			if (p > 0) walk = sprintf("%.1f", s / p * 1e6)
			if (wt > 0) tick = sprintf("%.1f", ws / wt * 1e6)
			printf "%d\t%s\t%s", c, walk, tick }' "$TMP/m.prom" 2>/dev/null)
	[[ -n $pass ]] || pass=$'-\t-\t-'
	# The daemon's CPU, the watch's in the kernel, the two together.
	awk -v n="$n" -v a="$cpu0" -v b="$cpu1" -v s0="$sw0" -v s1="$sw1" -v t="$IDLE_S" \
		-v w0="$w0" -v w1="$w1" -v rss="$rss" -v fds="$fds" -v pass="$pass" \
		'BEGIN { d = (b - a) / (t * 1e9) * 100; w = (w1 - w0) / (t * 1e9) * 100
			printf "%d\t%.4f\t%.4f\t%.4f\t%.2f\t%s\t%d\t%s\n", n, d, w, d + w, (s1 - s0) / t, rss, fds, pass }' \
		>>"$3"
}

# 1. Idle cost by the number of limited cgroups; on a v1 host also, alternated with it, a
# build whose v1 pass runs every second as v2's does (OW_SIGHT_PASS_V1_DELAYS=1): what v2's
# far reads cost on this kernel, which the guests (emulated CPUs) cannot say.
V2PACE=''
if [[ $OW_CG_VER == 1 ]]; then
	V2PACE=build/bench-v2pace/oomwarden
	make --no-print-directory OUT=build/bench-v2pace \
		CFLAGS='-O2 -g -DOW_SIGHT_PASS_V1_DELAYS=1' build/bench-v2pace/oomwarden >/dev/null || exit 1
fi
PARENT=$(cg_create "owsight-$$" "$((2 * 1024 * 1024))M") || exit 1
: >"$TMP/cost.tsv"
: >"$TMP/cost-v2pace.tsv"
made=0
for n in "${COUNTS[@]}"; do
	while ((made < n)); do
		cg_create "owsight-$$/c$made" 64M >>"$TMP/list" || exit 1
		made=$((made + 1))
	done
	idle_row "$OWD" "$n" "$TMP/cost.tsv"
	[[ -n $V2PACE ]] && idle_row "$V2PACE" "$n" "$TMP/cost-v2pace.tsv"
done

# 2. From a tmpfs step to the daemon knowing.
LAT_CG=$(cg_create "owsight-$$/lat" 256M) || exit 1
MNT=$TMP/shm
mkdir -p "$MNT" && mount -t tmpfs -o size=512m owsight "$MNT" || exit 1
daemon_start_on "$LAT_CG" -vv
: >"$TMP/lat"
# One writer for every run, its 2 MiB buffer allocated once: its writes move no RSS, so only
# the sight can see them (a new dd each time faulted pages in, and the BPF step it made
# evaluated the cgroup first). It prints the time just before each write.
coproc WRITER { sh -c "echo \$\$ >'$LAT_CG/cgroup.procs' && exec python3 -c '
import os, sys, time
buf = b\"x\" * (2 << 20)
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
for _ in sys.stdin:
    t = time.time()
    os.write(fd, buf)
    print(\"%.6f\" % t, flush=True)
' '$MNT/f'"; }
SPID=$WRITER_PID
sleep 2
for i in $(seq "$LAT_RUNS"); do
	echo go >&"${WRITER[1]}"
	read -r t <&"${WRITER[0]}"
	sleep 2
	first_after '"event":"sight"' "$t" >>"$TMP/lat"
done
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=''

# 3. From a limit written (as systemctl set-property does) to the daemon knowing: its inotify
# watch (daemon/limit_watch.c), 240 and 256 MiB in turn.
limit_file=memory.max
[[ $OW_CG_VER == 1 ]] && limit_file=memory.limit_in_bytes
: >"$TMP/limit"
for i in $(seq "$LAT_RUNS"); do
	t=$(date +%s.%N)
	echo $(((i % 2 ? 240 : 256) << 20)) >"$LAT_CG/$limit_file"
	sleep 0.5
	first_after "a watched cgroup's limit changed" "$t" >>"$TMP/limit"
done
daemon_stop
rm -f "$MNT/f"
seen=$(wc -l <"$TMP/lat")
seen_limit=$(wc -l <"$TMP/limit")
# pct P [FILE]: the P-th percentile (nearest rank) of FILE, the tmpfs runs by default.
pct()
{
	sort -g "${2:-$TMP/lat}" | awk -v p="$1" '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit } r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; print v[r] }'
}

TABLE_HEAD='| limited memcgs | daemon CPU (% of one core) | watch, in the kernel (%) | idle CPU in all (%) | wakeups a second | VmRSS (MiB) | open descriptors | members | walk per pass (us) | watch per tick (us) |'
TABLE_RULE='| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
TABLE_ROW='{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
{
	echo "<!-- sight:start -->"
	echo "## Sight of the whole charge (tmpfs, kernel memory)"
	echo
	echo "Written by \`make bench-sight\` (bench/sight.sh) on $STARTED. Kernel $(uname -r), memory cgroup v$OW_CG_VER"
	echo "($([[ $OW_CG_VER == 1 ]] && echo 'usage thresholds on an eventfd: the kernel wakes the daemon' || echo 'memory.current read every 0.25-1 s by the headroom, on a shared grid'))."
	echo "The daemon watches one parent memcg with N children limited to 64 MiB, one sleeping"
	echo "process in each; its costs over ${IDLE_S} s with nothing growing, after ${SETTLE_S:-40} s of settling"
	echo "(an idle v1 cgroup is read every 2.5-5 s once quiet for 30 s, 0.5-2 s before; where the"
	echo "kernel has a cgroup iterator and BPF timers the idle ones are checked in the kernel by the"
	echo "sight's watch, every 5 s on v1, every second on v2, over the memcgs a pass of the iterator"
	echo "found when they joined. The watch's ticks run in softirq, charged to no process: their"
	echo "time is read from its counters (bpftool, which does not wake the daemon) and added, and"
	echo "its members at the window's end; a pass's mean walk and a tick's mean time, from the"
	echo "metrics):"
	echo
	echo "$TABLE_HEAD"
	echo "$TABLE_RULE"
	awk -F'\t' "$TABLE_ROW" "$TMP/cost.tsv"
	if [[ -s $TMP/cost-v2pace.tsv ]]; then
		echo
		echo "v2's pace on this kernel: the same, alternated with it, by a build whose v1 watch ticks"
		echo "every second as v2's does (\`-DOW_SIGHT_PASS_V1_DELAYS=1\`): v2's far reads are that"
		echo "watch (the guests' emulated CPUs cannot measure them; it reads the same page counters):"
		echo
		echo "$TABLE_HEAD"
		echo "$TABLE_RULE"
		awk -F'\t' "$TABLE_ROW" "$TMP/cost-v2pace.tsv"
	fi
	echo
	echo "From the start of a 2 MiB append to a file on a tmpfs (two steps of a 256 MiB limit; no"
	echo "RSS moves; the write's own time included) to the daemon's \"sight\" line for the cgroup,"
	echo "$seen of $LAT_RUNS runs seen: p50 $(pct 50) ms, p99 $(pct 99) ms, max $(pct 100) ms"
	echo "(upper bounds: the log's times are cut to the millisecond). Targets: p99 <= 10 ms on v1,"
	echo "<= 1 s on v2."
	echo
	echo "From a write to the cgroup's limit file (240 and 256 MiB in turn, as \`systemctl"
	echo "set-property\` writes one) to the daemon's \"limit changed\" line (its inotify watch: the"
	echo "daemon knows even with the page-fault program detached), $seen_limit of $LAT_RUNS seen: p50"
	echo "$(pct 50 "$TMP/limit") ms, p99 $(pct 99 "$TMP/limit") ms, max $(pct 100 "$TMP/limit") ms."
	echo
	echo "Commands: \`IDLE_S=$IDLE_S LAT_RUNS=$LAT_RUNS SIGHT_COUNTS='${COUNTS[*]}' make bench-sight\`."
	echo "<!-- sight:end -->"
} >"$TMP/section.md"
splice "$OUT" '<!-- sight:start -->' '<!-- sight:end -->' "$TMP/section.md"
cat "$TMP/section.md"
