#!/usr/bin/env bash
# `make bench`: oomwarden's costs on this machine, written to BENCHMARKS.md and quoted in the
# README between the bench markers. Run as root after `make`.
#  1. page-fault overhead: touch 4 GiB in 4 KiB pages, without and with the daemon watching
#     everything, A/B alternated (the order flips every pair), median of PAIRS pairs, min/max;
#     then the same with an empty tp_btf program on kmem:rss_stat instead of the daemon (the
#     floor: what attaching anything to that tracepoint costs; bench/empty_rss.bpf.c); on
#     cgroup v1, the same with the daemon watching an idle memcg limited to 256 MiB once it
#     has detached that program (--idle-detach: nothing at risk for 20 s);
#  2. idle CPU of the daemon over IDLE_S seconds (from /proc/PID/schedstat, ns resolution)
#     and its resident memory;
#  3. latency from the ring-buffer event that crossed the act level to SIGTERM sent, as the
#     daemon logs it (latency_ms), over LAT_RUNS leaks at 512 and 64 MiB/s in a 256 MiB memcg.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-11}
IDLE_S=${IDLE_S:-60}
LAT_RUNS=${LAT_RUNS:-10}
OUT=${OUT:-BENCHMARKS.md}
OWD=build/oomwarden
TMP=$(mktemp -d)
CG=""
CGI=""
DAEMON=""

cleanup()
{
	[ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
	[ -n "$CG" ] && [ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	[ -n "$CGI" ] && [ -d "$CGI" ] && rmdir "$CGI" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (BPF, cgroups)" >&2; exit 1; }
cc -O2 -o "$TMP/faulter" bench/faulter.c
cc -O2 -o "$TMP/attach-empty" bench/attach_empty.c -lbpf
clang -g -O2 -target bpf -Ibuild -c bench/empty_rss.bpf.c -o "$TMP/empty_rss.bpf.o"

# stats FILE: "median min max" of the numbers in FILE, one a line.
stats()
{
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.4f %.4f %.4f\n", m, v[1], v[NR] }'
}

# percentile FILE P: the P-th percentile (nearest rank).
percentile()
{
	sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
		r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; printf "%.3f\n", v[r] }'
}

start_daemon()
{
	"$OWD" run --log-format json "$@" 2>"$TMP/daemon.log" &
	DAEMON=$!
	for _ in $(seq 100); do
		grep -q '"event":"ready"' "$TMP/daemon.log" && return 0
		sleep 0.1
	done
	echo "bench: the daemon did not get ready" >&2
	cat "$TMP/daemon.log" >&2
	exit 1
}

stop_daemon()
{
	kill "$DAEMON"
	wait "$DAEMON" || true
	DAEMON=""
}

# ab NAME START STOP: PAIRS pairs of faulter runs, "on" between the commands START and STOP,
# "off" alone, the order flipping every pair: the times in $TMP/NAME-on and $TMP/NAME-off,
# the pairs' ratios (on / off) in $TMP/NAME.
ab()
{
	local name=$1 start=$2 stop=$3 i side

	: >"$TMP/$name"
	for i in $(seq "$PAIRS"); do
		for side in $( ((i % 2)) && echo "off on" || echo "on off"); do
			if [ "$side" = on ]; then
				$start
				"$TMP/faulter" 4096 >>"$TMP/$name-on"
				$stop
			else
				"$TMP/faulter" 4096 >>"$TMP/$name-off"
			fi
		done
		awk -v a="$(tail -n1 "$TMP/$name-on")" -v b="$(tail -n1 "$TMP/$name-off")" \
			'BEGIN { printf "%.4f\n", a / b }' >>"$TMP/$name"
	done
}

# 1. Page-fault overhead. The program stays attached (--idle-detach off): a 4 GiB rise is a
# risk to a machine anyway (a 16th of it in 2-4 s), but not to one of 64 GiB or more.
start_attached()
{
	start_daemon --idle-detach off
}
"$TMP/faulter" 4096 >/dev/null # warm up
ab daemon start_attached stop_daemon
read -r off_med off_min off_max < <(stats "$TMP/daemon-off")
read -r on_med on_min on_max < <(stats "$TMP/daemon-on")
read -r r_med r_min r_max < <(stats "$TMP/daemon")
mode=$(grep -o '"mode":"[^"]*"' "$TMP/daemon.log" | head -n1 | cut -d'"' -f4)

# 1b. The attach floor: the empty program instead of the daemon, alternated the same way.
start_empty()
{
	coproc EMPTY { exec "$TMP/attach-empty" "$TMP/empty_rss.bpf.o"; }
	read -r ready <&"${EMPTY[0]}" || ready=""
	[ "$ready" = attached ] || { echo "bench: the empty program did not attach" >&2; exit 1; }
}

stop_empty()
{
	kill "$EMPTY_PID" && wait "$EMPTY_PID" || true
}
ab floor start_empty stop_empty
read -r f_med f_min f_max < <(stats "$TMP/floor")

# prog_runs_over CMD...: the runs of the daemon's BPF programs while CMD runs (the kernel's
# run_cnt, kernel.bpf_stats_enabled on meanwhile): "N of rss_stat, M in all".
prog_runs_over()
{
	local was
	was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	bpftool prog show -j >"$TMP/progs0.json"
	"$@" >/dev/null
	bpftool prog show -j >"$TMP/progs1.json"
	sysctl -q kernel.bpf_stats_enabled="$was"
	python3 - "$TMP/progs0.json" "$TMP/progs1.json" "$DAEMON" <<'PY'
import json, sys
before = {p["id"]: p.get("run_cnt", 0) for p in json.load(open(sys.argv[1]))}
daemon = int(sys.argv[3])
rss = total = 0
for p in json.load(open(sys.argv[2])):
    if "pids" in p and daemon not in [x.get("pid") for x in p["pids"]]:
        continue  # not the daemon's (a bpftool built without pid iterators names no holder)
    n = p.get("run_cnt", 0) - before.get(p["id"], 0)
    total += n
    rss += n if p.get("name", "").startswith("rss_stat") else 0
print(f"{rss} of rss_stat, {total} in all")
PY
}

# 1c. cgroup v1: the daemon watching an idle limited memcg, its page-fault program detached.
start_detached()
{
	start_daemon --cgroup "$CGI"
	for _ in $(seq 400); do
		grep -q '"msg":"page-fault program detached' "$TMP/daemon.log" && return 0
		sleep 0.1
	done
	echo "bench: the daemon did not detach its page-fault program" >&2
	exit 1
}
d_row=""
if [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	CGI=/sys/fs/cgroup/memory/owbench-idle-$$
	mkdir "$CGI"
	echo 256M >"$CGI/memory.limit_in_bytes"
	ab detached start_detached stop_daemon
	read -r d_med d_min d_max < <(stats "$TMP/detached")
	d_row="| same, the daemon watching an idle memcg limited to 256 MiB, its page-fault program detached (v1, --idle-detach): with / without, median of $PAIRS A/B pairs (min-max) | ${d_med}x (${d_min}-${d_max}) | <= 1.01x |"
	# What the timing's noise cannot show: the kernel's own count of the daemon's programs'
	# runs (kernel.bpf_stats_enabled) over one fault run, detached.
	start_detached
	d_runs=$(prog_runs_over "$TMP/faulter" 4096)
	stop_daemon
	d_row="$d_row
| same, detached: runs of the daemon's BPF programs during one such run (kernel.bpf_stats_enabled; ~1M page faults) | $d_runs | 0 of rss_stat |"
	rmdir "$CGI"
	CGI=""
fi

# 2. Idle CPU and RSS.
start_daemon
sleep 5
cpu0=$(awk '{ print $1 }' "/proc/$DAEMON/schedstat")
sleep "$IDLE_S"
cpu1=$(awk '{ print $1 }' "/proc/$DAEMON/schedstat")
rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON/status")
stop_daemon
idle_pct=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$IDLE_S" 'BEGIN { printf "%.5f", (b - a) / (s * 1e9) * 100 }')
rss_mib=$(awk -v k="$rss_kib" 'BEGIN { printf "%.2f", k / 1024 }')

# 3. Event-to-SIGTERM latency.
if [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	CG=/sys/fs/cgroup/memory/owbench-$$
	mkdir "$CG"
	echo 256M >"$CG/memory.limit_in_bytes"
else
	CG=/sys/fs/cgroup/owbench-$$
	mkdir "$CG"
	echo 256M >"$CG/memory.max"
	echo 0 >"$CG/memory.swap.max" 2>/dev/null || true
fi
: >"$TMP/lat"
start_daemon --cgroup "$CG"
for i in $(seq "$LAT_RUNS"); do
	for rate in 512 64; do
		sh -c "echo \$\$ > '$CG/cgroup.procs' && exec build/owload linear --rate $rate --duration 20" \
			>/dev/null 2>&1 || true
		sleep 0.5
	done
done
stop_daemon
grep '"event":"act"' "$TMP/daemon.log" | grep -o '"latency_ms":[0-9.e+-]*' | cut -d: -f2 >"$TMP/lat"
acts=$(wc -l <"$TMP/lat")
lat_p50=$(percentile "$TMP/lat" 50)
lat_p99=$(percentile "$TMP/lat" 99)
lat_max=$(percentile "$TMP/lat" 100)
oom_kills=$(grep -c '"event":"oom_kill"' "$TMP/daemon.log" || true)

# The sections of the other parts (compare.sh, compare/vm.sh, sight.sh) are kept when this part is
# rewritten: everything from the first of them on.
sed -n '/<!-- compare:start -->/,$p' "$OUT" >"$TMP/compare.md" 2>/dev/null || true
cpu=$(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo | sed 's/^ *//')
hier=v2
[ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ] && hier=v1
{
	echo "# oomwarden benchmarks"
	echo
	echo "Written by \`make bench\` (bench/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "Machine: $cpu, $(nproc) cores, kernel $(uname -r), memory cgroup $hier;"
	echo "BPF attach mode: $mode."
	echo
	echo "<!-- bench:start -->"
	echo "| measure | result | target |"
	echo "| --- | --- | --- |"
	echo "| page faults, 4 GiB in 4 KiB pages: time with / without daemon, median of $PAIRS A/B pairs (min-max) | ${r_med}x (${r_min}-${r_max}) | <= 1.03x |"
	echo "| same, CPU seconds without daemon: median (min-max) | $off_med ($off_min-$off_max) | |"
	echo "| same, CPU seconds with daemon: median (min-max) | $on_med ($on_min-$on_max) | |"
	echo "| same, an empty tp_btf program on kmem:rss_stat instead of the daemon (the attach floor): with / without, median of $PAIRS A/B pairs (min-max) | ${f_med}x (${f_min}-${f_max}) | |"
	[ -n "$d_row" ] && echo "$d_row"
	echo "| idle CPU of the daemon over ${IDLE_S} s | ${idle_pct} % of one core | <= 0.01 % |"
	echo "| resident memory of the daemon (VmRSS) | ${rss_mib} MiB | <= 4 MiB |"
	echo "| ring-buffer event to SIGTERM, $acts actions: p50 / p99 / max | $lat_p50 / $lat_p99 / $lat_max ms | <= 5 ms |"
	echo "| kernel OOM kills during the latency runs | $oom_kills | 0 |"
	echo "<!-- bench:end -->"
	echo
	echo "Commands: \`PAIRS=$PAIRS IDLE_S=$IDLE_S LAT_RUNS=$LAT_RUNS make bench\`."
	echo "The fault workload is bench/faulter.c (CPU time of the touching loop, so steal time"
	echo "from this VM's host is not counted); the latency workload is"
	echo "\`build/owload linear --rate 512|64\` in a memcg limited to 256 MiB, the daemon run with"
	echo "\`--cgroup\` on it; latency is the daemon's own \`latency_ms\` (event timestamp from"
	echo "bpf_ktime_get_ns to the return of pidfd_send_signal)."
	echo "The attach floor's program is bench/empty_rss.bpf.c (returns at once), loaded by"
	echo "bench/attach_empty.c: the cost of attaching anything to kmem:rss_stat on this kernel."
	if [ -s "$TMP/compare.md" ]; then
		echo
		cat "$TMP/compare.md"
	fi
} >"$OUT"

# Quote the table in the README.
if grep -q '<!-- bench:start -->' README.md; then
	awk -v f="$OUT" '
		/<!-- bench:start -->/ { while ((getline l < f) > 0) { if (l ~ /bench:start/) p = 1; if (p) print l; if (l ~ /bench:end/) p = 0 } skip = 1; next }
		/<!-- bench:end -->/ { skip = 0; next }
		!skip { print }' README.md >"$TMP/readme" && cp "$TMP/readme" README.md
fi
cat "$OUT"
