# shellcheck shell=bash
# One row of the matrix: a fresh memcg, a watcher, a workload; the judged result is appended to
# $TMP/rows.tsv. Sourced by bench/compare.sh (TMP, RECORDS, RPORT; scenarios.sh's S_LIMIT_MIB).
#
# rows.tsv columns: scenario kind watcher variant outcome action_s tto_s launches oom_kills
# alerts actions drained term_end_s grace_s. action_s: workload start to the watcher's first
# signal as the workload saw it; tto_s: workload start to its death (the time to OOM in the
# no-watcher rows); drained, term_end_s: drain_cells's; grace_s: the grace the watcher's log
# says it gave (oomwarden's act line), or -.

WPID=''

# pm2_run CG REPORT: the workload as a PM2 app (PM2 acts only on what it started), run until
# the workload's own duration has passed since its first launch, then deleted.
pm2_run()
{
	local cg=$1 rep=$2 end

	pm2_start owh-row "$PWD/bench/compare/incg.sh" "$cg" "$rep" "${S_CMD[@]}" --report "$rep" ||
		return 1
	end=$((SECONDS + S_DUR + 3))
	while ((SECONDS < end)); do
		sleep 0.5
	done
	# PM2's own stop at the end is no action: judge ignores what follows this line.
	echo "teardown at=$(date +%s.%N)" >>"$rep"
	"$PM2" delete owh-row >/dev/null 2>&1
}

# pm2_first_status LOG REPORT: the first exit PM2 logged, as a shell status (128 + signal
# number), or "kill" when PM2 says it SIGKILLed the first launch itself (still alive after its
# kill_timeout): the memcg's OOM kills may then be a later launch's.
pm2_first_status()
{
	local sig pid

	pid=$(awk '$1 == "launch" { sub("pid=", "", $2); print $2; exit }' "$2")
	if [[ -n $pid ]] && grep -q "Process with pid $pid still alive after .*sending SIGKILL" "$1"; then
		echo kill
		return 0
	fi
	sig=$(grep -m1 -o 'exited with code \[[0-9a-z]*\] via signal \[[A-Z0-9]*\]' "$1" |
		sed 's/.*signal \[\(.*\)\]/\1/')
	case $sig in
	'') echo pm2 ;;
	SIGABRT) echo 134 ;;
	SIGKILL) echo 137 ;;
	*) echo "$sig" ;;
	esac
}

# first_launch REPORT: sets the caller's pid, at and sig_t for the workload's first launch: its
# pid, its start (epoch s) and its first SIGTERM (s after its start; empty: none), from what
# the report says before a teardown line.
first_launch()
{
	pid=$(awk '$1 == "launch" { sub("pid=", "", $2); print $2; exit }' "$1")
	at=$(awk '$1 == "launch" { sub("at=", "", $3); print $3; exit }' "$1")
	sig_t=$(awk -v p="pid=$pid" '$1 == "teardown" { exit }
		$1 == "sigterm" && $2 == p { sub("t=", "", $4); print $4; exit }' "$1")
}

# launch_field REPORT EVENT KEY: KEY's value on the first launch's first EVENT line (first_launch's
# pid), before a teardown line.
launch_field()
{
	awk -v p="pid=$pid" -v e="$2" -v k="$3=" '$1 == "teardown" { exit } $1 == e && $2 == p {
		for (i = 5; i <= NF; i++) if (index($i, k) == 1) { print substr($i, length(k) + 1) }
		exit }' "$1"
}

# judge REPORT STATUS OOM_KILLS END_EPOCH (empty: unknown): prints "outcome<TAB>action_s<TAB>tto_s<TAB>launches"
# for the first launch of the workload, from its report, exit status and the kernel's count.
judge()
{
	local rep=$1 st=$2 oom=$3 t1=$4 pid at sig_t reason outcome action='' tto=''

	first_launch "$rep"
	reason=$(launch_field "$rep" 'done' reason)
	[[ -n $t1 && -n $at ]] && tto=$(awk -v a="$at" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	if [[ $reason == sigterm || $reason == drained ]]; then
		# drained: a --drain worker's whole drain after the SIGTERM, then exit 0.
		outcome="graceful (SIGTERM)" action=$sig_t tto=''
	elif [[ $reason == duration ]]; then
		outcome=untouched tto=''
	elif [[ $st == kill && -n $sig_t ]]; then
		# PM2 SIGKILLed the SIGTERMed first launch (an OOM kill in the row came later).
		outcome="SIGKILL after SIGTERM" action=$sig_t
	elif [[ -n $sig_t ]] && ((oom > 0)); then
		outcome="kernel OOM kill after SIGTERM" action=$sig_t
	elif ((oom > 0)); then
		outcome="kernel OOM kill"
	elif [[ $st == 134 ]]; then
		outcome="crashed (SIGABRT)" # node: V8 reached its heap limit first
	elif [[ $st == 137 && -n $sig_t ]]; then
		# The handler ran, the process did not end before the watcher's SIGKILL (a --drain
		# worker cut short mid-drain).
		outcome="SIGKILL after SIGTERM" action=$sig_t
	elif [[ $st == 137 ]]; then
		outcome="SIGKILL by the watcher" action=$tto
	elif [[ $st == pm2 ]]; then
		outcome="untouched" # still running at the end
	else
		outcome="died, status $st"
	fi
	printf '%s\t%s\t%s\t%s\n' "$outcome" "${action:--}" "${tto:--}" \
		"$(grep -c '^launch ' "$rep")"
}

# drain_cells REPORT STATUS OOM_KILLS END_EPOCH (empty: unknown): for a drain scenario
# (scenarios.sh's S_DRAIN), prints "drained<TAB>term_end_s" of the workload's first launch.
# drained: yes when it reported "drained" (its whole drain after the SIGTERM), exited 0 and the
# row saw no kernel OOM kill, else no. term_end_s: its SIGTERM to its end (the "drained" line's
# after_s, else END_EPOCH minus the SIGTERM), or - (never SIGTERMed, or the end unknown: PM2).
# Other scenarios: "-<TAB>-".
drain_cells()
{
	local rep=$1 st=$2 oom=$3 t1=$4 pid at sig_t after end=- drained=no

	if [[ -z ${S_DRAIN:-} ]]; then
		printf -- '-\t-\n'
		return 0
	fi
	first_launch "$rep"
	after=$(launch_field "$rep" drained after_s)
	if [[ -n $after ]]; then
		end=$after
		# PM2's rows know no status of the first launch but its signal: none is an exit.
		[[ $st == 0 || $st == pm2 ]] && ((oom == 0)) && drained=yes
	elif [[ -n $sig_t && -n $t1 && -n $at ]]; then
		end=$(awk -v a="$at" -v b="$t1" -v s="$sig_t" 'BEGIN { printf "%.2f", b - a - s }')
	fi
	printf '%s\t%s\n' "$drained" "$end"
}

# watcher_grace WATCHER LOG: the grace after SIGTERM the watcher's log says it gave its first
# victim (oomwarden: the act line's grace_s), or -.
watcher_grace()
{
	local line g=''

	if [[ $1 == oomwarden ]]; then
		line=$(grep -m1 -E "$(json_event act)" "$2" 2>/dev/null)
		[[ -n $line ]] && g=$(json_line_value "$line" grace_s)
	fi
	echo "${g:--}"
}

# run_row SCENARIO WATCHER VARIANT
run_row()
{
	local scen=$1 w=$2 v=$3 id="$1.$2.$3" log rep cg st=pm2 t1 oom alerts='-' hook=''

	scenario "$scen" || return 1
	log=$TMP/$id.log rep=$TMP/$id.report
	: >"$rep"
	if ! mem_safe "$w"; then
		printf '%s\t%s\t%s\t%s\tskipped: low host memory\t-\t-\t-\t-\t-\t-\t-\t-\t-\n' \
			"$scen" "$S_KIND" "$w" "$v" >>"$TMP/rows.tsv"
		return 0
	fi
	echo "bench-compare: row $id" >&2
	cg=$(cg_create "owh-compare-$$-row" $((S_LIMIT_MIB << 20))) || return 1
	CUR_CG=$cg ROW_CG=$cg
	[[ $w == oomwarden ]] && hook="http://127.0.0.1:$RPORT/ok/$id"
	if ! watcher_start "$w" "$v" "$cg" "$log" "$hook"; then
		echo "bench-compare: $w did not start:" >&2
		tail -n 5 "$log" >&2
		watcher_stop "$w" "$log"
		cg_destroy "$cg"
		return 1
	fi
	if [[ $w == pm2 ]]; then
		pm2_run "$cg" "$rep"
	else
		bench/compare/incg.sh "$cg" "$rep" "${S_CMD[@]}" --report "$rep" >/dev/null 2>&1 &
		WPID=$!
		wait "$WPID"
		st=$?
		WPID=''
	fi
	t1=$(date +%s.%N)
	sleep 2 # the alert sender may hold a burst ~1 s
	oom=$(cg_oom_kills "$cg")
	watcher_stop "$w" "$log"
	# PM2 restarts what ends: the row's end says nothing of the first launch's death.
	[[ $w == pm2 ]] && st=$(pm2_first_status "$log" "$rep") t1=''
	cg_destroy "$cg"
	CUR_CG='' ROW_CG=''
	[[ $w == oomwarden ]] && alerts=$(grep -c "\"path\": \"/ok/$id\"" "$RECORDS" || true)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$S_KIND" "$w" "$v" \
		"$(judge "$rep" "$st" "$oom" "$t1")" "$oom" "$alerts" \
		"$(watcher_actions "$w" "$log")" "$(drain_cells "$rep" "$st" "$oom" "$t1")" \
		"$(watcher_grace "$w" "$log")" >>"$TMP/rows.tsv"
}
