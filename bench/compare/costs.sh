# shellcheck shell=bash
# What each watcher costs while it watches (default settings): CPU time of a page-fault-heavy
# and a malloc-heavy workload without / with it, A/B alternated; its idle CPU and resident
# memory. Results go to $TMP/costs.tsv: watcher measure median min max. Sourced by
# bench/compare.sh (TMP, PAIRS, IDLE_S, FAULTER, MALLOCER).

COST_CG=''

# stats FILE: "median min max" of the numbers in FILE, one a line.
stats()
{
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.4f %.4f %.4f\n", m, v[1], v[NR] }'
}

# watcher_up W LOG: the watcher with default settings and, for PM2, one idle app to manage;
# the cost workloads run in COST_CG, which oomwarden is told to watch.
watcher_up()
{
	watcher_start "$1" default "$COST_CG" "$2" || return 1
	if [[ $1 == pm2 ]]; then
		pm2_start owh-idle /bin/sleep 100000 || return 1
	fi
	return 0
}

# in_cost_cg CMD...: CMD inside COST_CG, its stdout.
in_cost_cg()
{
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$COST_CG" "$@"
}

# cost_ab W NAME CMD...: PAIRS alternated runs of CMD without and with W; appends the ratio
# and both sides to costs.tsv.
cost_ab()
{
	local w=$1 name=$2 i side
	shift 2
	: >"$TMP/off" && : >"$TMP/on" && : >"$TMP/ratio"
	in_cost_cg "$@" >/dev/null # warm-up
	for i in $(seq "$PAIRS"); do
		for side in $( ((i % 2)) && echo "off on" || echo "on off"); do
			if [[ $side == on ]]; then
				watcher_up "$w" "$TMP/cost-$w.log" || return 1
				in_cost_cg "$@" >>"$TMP/on"
				watcher_stop "$w" "$TMP/cost-$w.log"
			else
				in_cost_cg "$@" >>"$TMP/off"
			fi
		done
		awk -v a="$(tail -n1 "$TMP/on")" -v b="$(tail -n1 "$TMP/off")" \
			'BEGIN { printf "%.4f\n", a / b }' >>"$TMP/ratio"
	done
	echo "$w $name-ratio $(stats "$TMP/ratio")" >>"$TMP/costs.tsv"
	echo "$w $name-off $(stats "$TMP/off")" >>"$TMP/costs.tsv"
	echo "$w $name-on $(stats "$TMP/on")" >>"$TMP/costs.tsv"
}

# cpu_ns PIDS...: their total CPU time so far (schedstat, ns).
cpu_ns()
{
	local p sum=0 v

	for p in "$@"; do
		v=$(awk '{ print $1 }' "/proc/$p/schedstat" 2>/dev/null) || continue
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

rss_kib()
{
	local p sum=0 v

	for p in "$@"; do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# cost_idle W: CPU share over IDLE_S and VmRSS of the watcher's own processes.
cost_idle()
{
	local w=$1 pids c0 c1 rss

	watcher_up "$w" "$TMP/idle-$w.log" || return 1
	sleep 5
	read -r -a pids <<<"$(watcher_pids | tr '\n' ' ')"
	c0=$(cpu_ns "${pids[@]}")
	sleep "$IDLE_S"
	c1=$(cpu_ns "${pids[@]}")
	rss=$(rss_kib "${pids[@]}")
	watcher_stop "$w" "$TMP/idle-$w.log"
	awk -v w="$w" -v a="$c0" -v b="$c1" -v s="$IDLE_S" -v r="$rss" 'BEGIN {
		printf "%s idle-cpu-pct %.5f\n%s rss-mib %.2f\n", w, (b - a) / (s * 1e9) * 100,
			w, r / 1024 }' >>"$TMP/costs.tsv"
}

# run_costs WATCHERS...: every cost measure for each watcher, in a 2 GiB memcg.
run_costs()
{
	local w

	COST_CG=$(cg_create "owh-compare-$$-cost" $((2048 << 20))) || return 1
	CUR_CG=$COST_CG
	: >"$TMP/costs.tsv"
	for w in "$@"; do
		mem_safe "$w" || continue
		echo "bench-compare: costs of $w" >&2
		cost_ab "$w" faults "$FAULTER" 4096 || return 1
		cost_ab "$w" malloc "$MALLOCER" || return 1
		cost_idle "$w" || return 1
	done
	cg_destroy "$COST_CG"
	CUR_CG='' COST_CG=''
}
