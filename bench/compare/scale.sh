# shellcheck shell=bash
# oomwarden at scale: SCALE_CGROUPS memcgs (64 MiB each) under one parent holding
# SCALE_PROCS sleeping processes, the daemon watching the parent. Measures its start-up (wall
# and CPU to "ready"), idle CPU over IDLE_S, resident memory, and then one leak in one of the
# memcgs: event-to-SIGTERM latency and whether the leak was stopped gracefully.
# Results go to $TMP/scale.tsv (measure value). Sourced by scripts/bench-compare.sh.

SCALE_PARENT='' SCALE_SLEEPERS=''

scale_make_cgroups()
{
	local i dir

	SCALE_PARENT=$(cg_create "owh-compare-$$-scale" $((8 << 30))) || return 1
	[[ $OW_CG_VER == 2 ]] && echo +memory >"$SCALE_PARENT/cgroup.subtree_control"
	: >"$TMP/scale.list"
	for ((i = 1; i <= SCALE_CGROUPS; i++)); do
		dir=$SCALE_PARENT/c$i
		mkdir "$dir" || return 1
		if [[ $OW_CG_VER == 2 ]]; then
			echo $((64 << 20)) >"$dir/memory.max"
		else
			echo $((64 << 20)) >"$dir/memory.limit_in_bytes"
		fi
		echo "$dir" >>"$TMP/scale.list"
	done
}

scale_cleanup()
{
	local dir

	if [[ -n $SCALE_SLEEPERS ]]; then
		kill -TERM "$SCALE_SLEEPERS" 2>/dev/null
		wait "$SCALE_SLEEPERS" 2>/dev/null
		SCALE_SLEEPERS=''
	fi
	[[ -n $SCALE_PARENT ]] || return 0
	for dir in "$SCALE_PARENT"/c*/; do
		cg_destroy "${dir%/}"
	done
	cg_destroy "$SCALE_PARENT"
	SCALE_PARENT=''
}

# scale_wait_procs N: until the memcgs hold N processes (the sleepers join them themselves).
scale_wait_procs()
{
	local n=0 i

	for ((i = 0; i < 600; i++)); do
		n=$(cat "$SCALE_PARENT"/c*/cgroup.procs | wc -l)
		((n >= $1)) && return 0
		sleep 0.1
	done
	echo "bench-compare: only $n of $1 sleepers joined their memcgs" >&2
	return 1
}

run_scale()
{
	local log=$TMP/scale.log t0 t1 c0 c1 ready_cpu rss lat st

	echo "bench-compare: scale, $SCALE_CGROUPS memcgs, $SCALE_PROCS sleepers" >&2
	scale_make_cgroups || return 1
	"$SLEEPERS" "$TMP/scale.list" "$SCALE_PROCS" >/dev/null &
	SCALE_SLEEPERS=$!
	scale_wait_procs "$SCALE_PROCS" || return 1
	t0=$(date +%s.%N)
	watcher_start oomwarden default "$SCALE_PARENT" "$log" || return 1
	t1=$(date +%s.%N)
	ready_cpu=$(cpu_ns "$W_PID")
	sleep 5
	c0=$(cpu_ns "$W_PID")
	sleep "$IDLE_S"
	c1=$(cpu_ns "$W_PID")
	rss=$(rss_kib "$W_PID")
	bench/compare/incg.sh "$SCALE_PARENT/c1" "$TMP/scale.report" "$OWLOAD" linear --rate 64 \
		--duration 20 --report "$TMP/scale.report" >/dev/null 2>&1
	st=$?
	sleep 1
	watcher_stop oomwarden "$log"
	lat=$(grep '"event":"act"' "$log" | grep -o '"latency_ms":[0-9.e+-]*' | head -n1 | cut -d: -f2)
	{
		echo "memcgs $SCALE_CGROUPS"
		echo "procs $SCALE_PROCS"
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "ready-s %.2f\n", b - a }'
		awk -v c="$ready_cpu" 'BEGIN { printf "ready-cpu-s %.3f\n", c / 1e9 }'
		awk -v a="$c0" -v b="$c1" -v s="$IDLE_S" \
			'BEGIN { printf "idle-cpu-pct %.5f\n", (b - a) / (s * 1e9) * 100 }'
		awk -v r="$rss" 'BEGIN { printf "rss-mib %.2f\n", r / 1024 }'
		echo "leak-latency-ms ${lat:--}"
		echo "leak-exit $st"
		echo "leak-oom-kills $(cg_oom_kills "$SCALE_PARENT/c1")"
	} >"$TMP/scale.tsv"
	scale_cleanup
}
