# shellcheck shell=bash
# oomwarden at scale: SCALE_CGROUPS memcgs (64 MiB each) under one parent holding
# SCALE_PROCS sleeping processes, the daemon watching the parent. Measures its start-up (wall
# and CPU to "ready"), idle CPU over IDLE_S, resident memory, and then one leak in a memcg
# created after the daemon was ready (the last one): the time to place it in the model (ms,
# from the daemon's debug line), event-to-SIGTERM latency and whether the leak was stopped
# gracefully. The full scan of the tree at start (ms) comes from the same debug lines; the
# rescan (median, min, max of 9) from bench-scan over the same tree after the daemon stops.
# Results go to $TMP/scale.tsv (measure value). Sourced by bench/compare.sh.

SCALE_PARENT='' SCALE_SLEEPERS='' SCALE_PID_MAX=''

scale_limit()
{
	if [[ $OW_CG_VER == 2 ]]; then
		echo $((64 << 20)) >"$1/memory.max"
	else
		echo $((64 << 20)) >"$1/memory.limit_in_bytes"
	fi
}

# Tens of thousands of memcgs: one mkdir per thousand, the limits by the shell's own echo.
scale_make_cgroups()
{
	local i dir

	SCALE_PARENT=$(cg_create "owh-compare-$$-scale" $((8 << 30))) || return 1
	[[ $OW_CG_VER == 2 ]] && echo +memory >"$SCALE_PARENT/cgroup.subtree_control"
	for ((i = 1; i <= SCALE_CGROUPS; i++)); do
		echo "$SCALE_PARENT/c$i"
	done >"$TMP/scale.list"
	xargs -n 1000 mkdir <"$TMP/scale.list" || return 1
	while read -r dir; do
		scale_limit "$dir" || return 1
	done <"$TMP/scale.list"
}

# 50,000 sleepers need more pids than the usual 32768; the old value comes back at cleanup.
scale_raise_pid_max()
{
	local cur need=$((SCALE_PROCS + 16384))

	cur=$(cat /proc/sys/kernel/pid_max)
	((cur >= need)) && return 0
	SCALE_PID_MAX=$cur
	echo "$need" >/proc/sys/kernel/pid_max
}

scale_cleanup()
{
	local dir

	if [[ -n $SCALE_SLEEPERS ]]; then
		kill -TERM "$SCALE_SLEEPERS" 2>/dev/null
		wait "$SCALE_SLEEPERS" 2>/dev/null
		SCALE_SLEEPERS=''
	fi
	if [[ -n $SCALE_PARENT ]]; then
		for dir in "$SCALE_PARENT"/c*/; do
			rmdir "${dir%/}" 2>/dev/null || cg_destroy "${dir%/}"
		done
		cg_destroy "$SCALE_PARENT"
		SCALE_PARENT=''
	fi
	if [[ -n $SCALE_PID_MAX ]]; then
		echo "$SCALE_PID_MAX" >/proc/sys/kernel/pid_max
		SCALE_PID_MAX=''
	fi
}

# scale_wait_procs N: until the memcgs hold N processes (the sleepers join them themselves).
scale_wait_procs()
{
	local n=0 i

	for ((i = 0; i < 600; i++)); do
		n=$(sed 's|$|/cgroup.procs|' "$TMP/scale.list" | xargs cat | wc -l)
		((n >= $1)) && return 0
		sleep 0.1
	done
	echo "bench-compare: only $n of $1 sleepers joined their memcgs" >&2
	return 1
}

run_scale()
{
	local log=$TMP/scale.log last t0 t1 c0 c1 w0 w1 members ready_cpu rss lat st scan placed

	echo "bench-compare: scale, $SCALE_CGROUPS memcgs, $SCALE_PROCS sleepers" >&2
	scale_raise_pid_max || return 1
	scale_make_cgroups || return 1
	"$SLEEPERS" "$TMP/scale.list" "$SCALE_PROCS" >/dev/null &
	SCALE_SLEEPERS=$!
	scale_wait_procs "$SCALE_PROCS" || return 1
	t0=$(date +%s.%N)
	# -vv: the scan's debug line says how long the rescan took
	OW_BENCH_FLAGS="${OW_BENCH_FLAGS:-} -vv" watcher_start oomwarden default "$SCALE_PARENT" \
		"$log" || return 1
	t1=$(date +%s.%N)
	ready_cpu=$(cpu_ns "$W_PID")
	sleep 5
	c0=$(cpu_ns "$W_PID")
	read -r w0 _ < <(watch_bss)
	sleep "$IDLE_S"
	c1=$(cpu_ns "$W_PID")
	read -r w1 members < <(watch_bss)
	rss=$(rss_kib "$W_PID")
	# The last memcg, made now: found by a rescan of the whole tree on its first event.
	last=$SCALE_PARENT/c$((SCALE_CGROUPS + 1))
	mkdir "$last" && scale_limit "$last" || return 1
	bench/compare/incg.sh "$last" "$TMP/scale.report" "$OWLOAD" linear --rate 64 \
		--duration 20 --report "$TMP/scale.report" >/dev/null 2>&1
	st=$?
	sleep 1
	watcher_stop oomwarden "$log"
	# The daemon's scan alone, over the same tree (now with the leak's memcg): a rescan finds
	# every cgroup known. bench-scan calls the daemon's ow_watch_scan (bench/scan.c).
	build/bench-scan "$SCALE_PARENT" 9 >"$TMP/scale.scan" || return 1
	lat=$(grep '"event":"act"' "$log" | grep -o '"latency_ms":[0-9.e+-]*' | head -n1 | cut -d: -f2)
	# The first scan walks the whole tree at start, every memcg new to the model: a later
	# rescan (a lost first sight, a vanished cgroup) walks the same tree with all of them known.
	scan=$(grep '"event":"scan"' "$log" | head -n 1 |
		grep -o '"duration_ms":[0-9.e+-]*' | cut -d: -f2)
	# placed by its id, or found by a rescan when it cannot be (no open_by_handle_at)
	placed=$(grep -E '"event":"(placed|scan)"' "$log" | tail -n 1 |
		grep -o '"duration_ms":[0-9.e+-]*' | cut -d: -f2)
	{
		echo "memcgs $SCALE_CGROUPS"
		echo "procs $SCALE_PROCS"
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "ready-s %.2f\n", b - a }'
		awk -v c="$ready_cpu" 'BEGIN { printf "ready-cpu-s %.3f\n", c / 1e9 }'
		awk -v a="$c0" -v b="$c1" -v s="$IDLE_S" -v w0="$w0" -v w1="$w1" -v m="$members" \
			'BEGIN { d = (b - a) / (s * 1e9) * 100; w = (w1 - w0) / (s * 1e9) * 100
				printf "idle-cpu-pct %.5f\nwatch-cpu-pct %.5f\nwatch-members %d\n", d, w, m
				printf "idle-all-pct %.5f\n", d + w }'
		awk -v r="$rss" 'BEGIN { printf "rss-mib %.2f\n", r / 1024 }'
		echo "scan-ms ${scan:--}"
		awk '$1 == "first" { print "scan-first-ms", $2 }
			$1 == "rescan" { print "rescan-ms", $2; print "rescan-min-ms", $3
				print "rescan-max-ms", $4 }' "$TMP/scale.scan"
		echo "placed-ms ${placed:--}"
		echo "leak-latency-ms ${lat:--}"
		echo "leak-exit $st"
		echo "leak-oom-kills $(cg_oom_kills "$last")"
	} >"$TMP/scale.tsv"
	scale_cleanup
}
