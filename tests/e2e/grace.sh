#!/bin/bash
# End-to-end: the grace after the daemon's SIGTERM is lengthened to the stop timeout the user set
# in the victim's real manager, so a worker whose drain is longer than --grace (10 s) but
# shorter than that timeout finishes it. The worker is `owload linear --rate 8 --drain 14`: on
# SIGTERM it stops growing, works 14 s more, reports "drained" and exits 0. Each case runs its
# manager inside a fresh 256 MiB memcg (the programs it starts inherit it) and the daemon with
# --cgroup that memcg, --grace 10 and the default --action signal:
#  1. supervisor: a private supervisord (root, nodaemon, its own config, socket, pidfile and log
#     under a temp dir) whose [include] file holds the program with stopwaitsecs=20. The act line
#     must say grace_s 20 from stopwaitsecs; the worker drains the whole 14 s and exits 0
#     (supervisord's "exit status 0"), with no escalate and no kernel OOM kill; victim_exit
#     comes 14 s after the SIGTERM.
#  2. supervisor, the same program without stopwaitsecs: grace_s 10 from grace, and the daemon
#     SIGKILLs the worker 10 s after the SIGTERM, mid-drain (so case 1's 20 s came from the
#     configuration).
#  3. pm2: the worker as a PM2 app (PM2 as tests/e2e/manager.sh installs it) with
#     --kill-timeout 20000 and `pm2 save` (the daemon reads kill_timeout from
#     $PM2_HOME/dump.pm2): grace_s 20 from kill_timeout, the whole drain, exit 0 (PM2's own
#     log), no escalate. PM2 restarts an app that exits 0 (autorestart): the first instance is
#     judged, and the restart is only reported.
#  4. pre-stop: a Node.js worker (tests/workload/node_worker.js, --heapsnapshot-signal=SIGUSR2)
#     leaking 16 MiB/s in 512 MiB, the daemon with --pre-stop-signal SIGUSR2: the pre_stop line
#     sends SIGUSR2, the wait ends when the snapshot is seen written, the act line names the
#     Heap.*.heapsnapshot file in the worker's working directory; then the 3 s drain, exit 0;
#  5. beside it, a worker that dies on SIGUSR2: its exit in the wait is logged as such
#     (victim_exit signal pre_stop), and nothing more is sent to it.
# Needs supervisord (Debian's supervisor, from scripts/deps.sh) and node with pm2 (installed
# from npm into a cache directory when missing); without one of them its cases SKIP, which
# fails under CI. Prints PASS/FAIL lines and `grace: N passed, N failed`. Run as root from the
# repo root; about 40 s a case. OW_GRACE_ONLY="pre-stop pm2" runs only those cases.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=$PWD/build/owload
PM2_CACHE=${OW_PM2_CACHE:-/var/cache/oomwarden-e2e/pm2}
PASSED=0 FAILED=0 SKIPPED=0
TMPD=$(mktemp -d /tmp/oomwarden-grace.XXXXXX) || exit 1
CG='' DPID='' SVPID='' PM2=''
WORK=(linear --rate 8 --drain 14 --duration 120)

trap 'e2e_cleanup "$SVPID"' EXIT
trap 'exit 130' INT TERM

# skip WHY: the whole script cannot run (fails under CI).
skip()
{
	e2e_skip grace "$1"
}

# skip_case NAME WHY: one case cannot run; counted, and it fails the script under CI.
skip_case()
{
	echo "SKIP grace/$1: $2"
	SKIPPED=$((SKIPPED + 1))
}

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	skip "needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
fi
command -v python3 >/dev/null || skip "needs python3"
[[ -x $OWD && -x $OWLOAD ]] || skip "build it first (make)"

# start_daemon NAME: the daemon on $CG (--action signal, the default), JSON log in NAME.log.
start_daemon()
{
	daemon_start "$TMPD/$1.log" --cgroup "$CG" --grace 10
}

# first_instance REPORT: the report's lines up to the second start line (a restarted worker
# appends to the same file).
first_instance()
{
	awk '/^start / && n++ { exit } { print }' "$1"
}

# check_grace LOG PID GRACE FROM: the act line for PID says grace_s GRACE from FROM, and its
# victim_exit line the same; prints them with the exit's after_ms. Appends to REASONS.
check_grace()
{
	local log=$1 pid=$2 want=$3 from=$4 g f xg xf after

	AFTER_MS=''
	g=$(json_field "$log" act grace_s "$pid")
	f=$(json_field "$log" act grace_from "$pid")
	xg=$(json_field "$log" victim_exit grace_s "$pid")
	xf=$(json_field "$log" victim_exit grace_from "$pid")
	after=$(json_field "$log" victim_exit after_ms "$pid")
	echo "    act: pid $pid grace_s ${g:-?} grace_from ${f:-?} manager" \
		"'$(json_field "$log" act manager "$pid")'; victim_exit: after_ms ${after:-?}," \
		"grace_s ${xg:-?} grace_from ${xf:-?}, signal $(json_field "$log" victim_exit signal "$pid")"
	[[ -n $g ]] || { REASONS+=("no act line for pid $pid"); return; }
	awk -v g="$g" -v w="$want" 'BEGIN { exit !(g == w) }' ||
		REASONS+=("act grace_s $g, expected $want")
	[[ $f == "$from" ]] || REASONS+=("act grace_from '$f', expected '$from'")
	[[ -n $after ]] || { REASONS+=("no victim_exit line for pid $pid"); return; }
	awk -v g="$xg" -v w="$want" 'BEGIN { exit !(g == w) }' && [[ $xf == "$from" ]] ||
		REASONS+=("victim_exit grace_s '$xg' grace_from '$xf', expected $want from $from")
	AFTER_MS=$after
}

# after_within LO HI: the victim_exit came between LO and HI ms after the SIGTERM.
after_within()
{
	[[ -n $AFTER_MS ]] || return 0
	awk -v a="$AFTER_MS" -v lo="$1" -v hi="$2" 'BEGIN { exit !(a >= lo && a <= hi) }' ||
		REASONS+=("victim_exit after_ms $AFTER_MS, expected $1..$2")
}

# ---- supervisor ----

# sv_conf DIR STOPWAIT: a private supervisord's configuration in DIR (sv_private_conf); the
# program owdrain (the worker), with stopwaitsecs=STOPWAIT unless empty.
sv_conf()
{
	local dir=$1 stopwait=$2

	sv_private_conf "$dir" owdrain "$OWLOAD ${WORK[*]} --report $dir/report" \
		"autorestart = false" ${stopwait:+"stopwaitsecs = $stopwait"}
}

# sv_status DIR: the worker's exit status as supervisord logged it (128+N for signal N), or "".
sv_status()
{
	local line sig

	line=$(grep -m1 'exited: owdrain (' "$1/supervisord.log" 2>/dev/null) || return 0
	if [[ $line =~ exit\ status\ ([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	elif [[ $line =~ terminated\ by\ SIG([A-Z0-9]+) ]]; then
		sig=$(kill -l "${BASH_REMATCH[1]}" 2>/dev/null) && echo $((128 + sig))
	fi
}

# sv_case NAME STOPWAIT: the worker under a private supervisord in a fresh memcg, the daemon on
# it, until the worker's victim_exit (or 75 s). Leaves LOG, REP (the report), WPID, ST (its
# exit status) and OOM (new kernel OOM kills) for the checks; appends to REASONS.
sv_case()
{
	local name=$1 dir=$TMPD/$1 oom0 i

	LOG=$TMPD/$name.log REP=$dir/report WPID='' ST='' OOM=0
	sv_conf "$dir" "$2" || { REASONS+=("could not write the configuration"); return; }
	CG=$(cg_create "owh-grace-$name-$$" $((256 << 20))) || skip "could not create a memcg"
	oom0=$(cg_oom_kills "$CG")
	start_daemon "$name" || REASONS+=("the daemon did not start")
	sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" \
		supervisord -n -c "$dir/supervisord.conf" >"$dir/supervisord.out" 2>&1 &
	SVPID=$!
	wait_for_line "$REP" '^start ' 15 "$SVPID" ||
		REASONS+=("supervisord did not start the worker: $(tail -n3 "$dir/supervisord.log")")
	WPID=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$REP" | head -n1)
	echo "    supervisord $SVPID runs owdrain (pid ${WPID:-?}) leaking 8 MiB/s in $CG," \
		"stopwaitsecs=${2:-unset}"
	wait_for_line "$LOG" "$(json_event victim_exit)" 75 "$DPID" ||
		REASONS+=("no victim_exit line within 75 s")
	for ((i = 0; i < 50; i++)); do
		ST=$(sv_status "$dir")
		[[ -n $ST ]] && break
		sleep 0.1
	done
	OOM=$(($(cg_oom_kills "$CG") - oom0))
	sv_teardown
}

# wanted CASE: run CASE (supervisor, pm2, pre-stop) unless OW_GRACE_ONLY names others.
wanted()
{
	[[ -z ${OW_GRACE_ONLY:-} || " $OW_GRACE_ONLY " == *" $1 "* ]]
}

if ! wanted supervisor; then
	:
elif ! command -v supervisord >/dev/null; then
	skip_case supervisor "supervisord is not installed (Debian's supervisor: scripts/deps.sh)"
else
	# 1. stopwaitsecs=20 in an [include]d file: the grace is 20 s, the 14 s drain ends.
	REASONS=()
	sv_case stopwait 20
	check_grace "$LOG" "${WPID:-x}" 20 stopwaitsecs
	after_within 13500 16500
	echo "    worker: $(status_text "${ST:-?}"), $(grep -m1 '^drained ' "$REP" || echo 'no drain')"
	drain_reasons "$REP" "$LOG" "${ST:-unknown}"
	((OOM == 0)) || REASONS+=("the kernel OOM-killed $OOM process(es)")
	# Its program has autorestart = false: the act line says what supervisord will do.
	note=$(json_field "$LOG" act note)
	[[ $note == *"has autorestart=false: it will stay stopped" ]] ||
		REASONS+=("the act line's note is '$note', not supervisord's autorestart=false")
	verdict supervisor-stopwaitsecs "$LOG" "${REASONS[@]}"

	# 2. no stopwaitsecs: the grace is --grace's 10 s and the drain is cut by the SIGKILL.
	REASONS=()
	sv_case nostopwait ''
	check_grace "$LOG" "${WPID:-x}" 10 grace
	after_within 9500 12000
	esc=$(json_field "$LOG" escalate since_sigterm_ms "${WPID:-x}")
	echo "    escalate: since_sigterm_ms ${esc:-none}; worker $(status_text "${ST:-?}");" \
		"report: $(grep -cE '^(sigterm|drained) ' "$REP") of sigterm/drained"
	[[ -n $esc ]] || REASONS+=("no escalate (SIGKILL) for the worker")
	grep -q '^sigterm ' "$REP" || REASONS+=("the worker never reported SIGTERM")
	! grep -q '^drained ' "$REP" || REASONS+=("the worker drained: the grace was not 10 s")
	[[ ${ST:-} == 137 ]] ||
		REASONS+=("the worker ended with $(status_text "${ST:-?}"), expected SIGKILL")
	((OOM == 0)) || REASONS+=("the kernel OOM-killed $OOM process(es)")
	verdict supervisor-default-grace "$LOG" "${REASONS[@]}"
fi

# ---- pm2 ----

# pm2_status: the first exit of the app owh-drain that PM2's God daemon logged, as a status
# (128+N for a signal), or "".
pm2_status()
{
	local line sig

	line=$(grep -m1 -E 'App \[owh-drain:[0-9]+\] exited with code' "$TMPD/pm2home/pm2.log" \
		2>/dev/null) || return 0
	# PM2 logs `code || 0` and `signal || "SIGINT"`: a kill is "code [0] via signal
	# [SIGKILL]", an exit N "code [N] via signal [SIGINT]" (as is a real SIGINT: none is sent).
	if [[ $line =~ via\ signal\ \[SIG([A-Z0-9]+)\] && ${BASH_REMATCH[1]} != INT ]]; then
		sig=$(kill -l "${BASH_REMATCH[1]}" 2>/dev/null) && echo $((128 + sig))
	elif [[ $line =~ exited\ with\ code\ \[([0-9]+)\] ]]; then
		echo "${BASH_REMATCH[1]}"
	fi
}

pm2_case()
{
	local oom0 i restarts pid1

	LOG=$TMPD/pm2.log REP=$TMPD/pm2-report WPID='' ST='' OOM=0
	CG=$(cg_create "owh-grace-pm2-$$" $((256 << 20))) || skip "could not create a memcg"
	oom0=$(cg_oom_kills "$CG")
	start_daemon pm2 || REASONS+=("the daemon did not start")
	PATH=$(dirname "$PM2"):$PATH pm2_in_cg "$CG" "$TMPD/pm2home" start "$OWLOAD" \
		--name owh-drain --interpreter none --kill-timeout 20000 -- \
		"${WORK[@]}" --report "$REP" >"$TMPD/pm2-start.log" 2>&1 ||
		REASONS+=("pm2 start failed: $(tail -n3 "$TMPD/pm2-start.log")")
	PM2_HOME=$TMPD/pm2home "$PM2" save >"$TMPD/pm2-save.log" 2>&1 ||
		REASONS+=("pm2 save failed: $(tail -n3 "$TMPD/pm2-save.log")")
	WPID=$(pm2_app "$TMPD/pm2home" owh-drain pid)
	echo "    pm2 app owh-drain (pid $WPID) leaking 8 MiB/s in $CG, kill_timeout" \
		"$(python3 -c 'import json,sys; print([a.get("kill_timeout") for a in
			json.load(open(sys.argv[1]))])' "$TMPD/pm2home/dump.pm2" 2>/dev/null) in dump.pm2"
	wait_for_line "$LOG" "$(json_event victim_exit)" 75 "$DPID" ||
		REASONS+=("no victim_exit line within 75 s")
	for ((i = 0; i < 50; i++)); do
		ST=$(pm2_status)
		[[ -n $ST ]] && break
		sleep 0.1
	done
	OOM=$(($(cg_oom_kills "$CG") - oom0))
	sleep 1 # PM2 restarts an app that exited 0: only reported
	restarts=$(pm2_app "$TMPD/pm2home" owh-drain restart_time)
	pid1=$(pm2_app "$TMPD/pm2home" owh-drain pid)
	echo "    pm2: $(grep -m1 -oE 'App \[owh-drain:[0-9]+\] exited with code.*' \
		"$TMPD/pm2home/pm2.log"); then restart_time ${restarts:-?}, pid $WPID -> $pid1," \
		"$(pm2_app "$TMPD/pm2home" owh-drain status)"
	daemon_stop
	PM2_HOME=$TMPD/pm2home "$PM2" kill >/dev/null 2>&1
	cg_destroy "$CG"
	CG=''
}

if ! wanted pm2; then
	:
elif ! command -v node >/dev/null; then
	skip_case pm2 "needs node"
elif ! pm2_find "$PM2_CACHE" "$TMPD"; then
	PM2=''
	skip_case pm2 "pm2 is not installed and npm could not install it"
else
	# 3. kill_timeout 20000 in dump.pm2: the grace is 20 s, the 14 s drain ends.
	REASONS=()
	pm2_case
	check_grace "$LOG" "${WPID:-x}" 20 kill_timeout
	after_within 13500 16500
	first_instance "$REP" >"$REP.first"
	echo "    first instance: $(status_text "${ST:-?}")," \
		"$(grep -m1 '^drained ' "$REP.first" || echo 'no drain')"
	drain_reasons "$REP.first" "$LOG" "${ST:-unknown}"
	((OOM == 0)) || REASONS+=("the kernel OOM-killed $OOM process(es)")
	verdict pm2-kill-timeout "$LOG" "${REASONS[@]}"
fi

# ---- evidence before the stop ----

# act_alert RECORDS PID: the act alert of PID as "ACTION ENDED DUMP MAPPINGS", or nothing.
act_alert()
{
	python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    for a in json.loads(json.loads(line)["body"])["alerts"]:
        if a["kind"] != "act" or str((a.get("process") or {}).get("pid")) != sys.argv[2]:
            continue
        p = a.get("pre_stop") or {}
        m = a.get("mappings") or {}
        print((a.get("action") or {}).get("signal"), p.get("ended"), p.get("dump"),
              m.get("grown"))
        sys.exit(0)
PY
}

# prestop_case: two Node.js workers leaking 16 MiB/s, each in a fresh 512 MiB memcg of its own,
# under one daemon with --pre-stop-signal SIGUSR2: the first started with
# --heapsnapshot-signal=SIGUSR2 in its own working directory (DIR), the second dies on SIGUSR2
# (exit 3, as one whose snapshot ran it out of memory would). Leaves LOG, REP, WPID, ST, DIR
# for the first, REP2, WPID2, ST2 for the second, and OOM (new kernel OOM kills in both).
prestop_case()
{
	local worker=$PWD/tests/workload/node_worker.js oom0 npid npid2 cg2

	DIR=$TMPD/prestop/app LOG=$TMPD/prestop.log REP=$TMPD/prestop/report WPID='' ST='' OOM=0
	REP2=$TMPD/prestop/report2 WPID2='' ST2=''
	mkdir -p "$DIR"
	CG=$(cg_create "owh-grace-prestop-$$" $((512 << 20))) || skip "could not create a memcg"
	cg2=$(cg_create "owh-grace-prestop2-$$" $((512 << 20))) || skip "could not create a memcg"
	oom0=$(($(cg_oom_kills "$CG") + $(cg_oom_kills "$cg2")))
	alert_receiver "$TMPD/prestop" || REASONS+=("the webhook receiver did not start")
	daemon_start "$LOG" --cgroup "$CG" --cgroup "$cg2" --grace 10 --pre-stop-signal SIGUSR2 \
		--webhook "http://127.0.0.1:${PORT:-9}/ok/prestop" --webhook-format json ||
		REASONS+=("the daemon did not start")
	(cd "$DIR" && exec sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" \
		node --heapsnapshot-signal=SIGUSR2 "$worker" --rate 16 --objects 200 --drain 3 \
		--report "$REP") >"$TMPD/prestop/node.out" 2>&1 &
	npid=$!
	sh -c 'echo $$ >"$0" && exec "$@"' "$cg2/cgroup.procs" node "$worker" --rate 16 \
		--drain 3 --exit-on-usr2 3 --report "$REP2" >"$TMPD/prestop/node2.out" 2>&1 &
	npid2=$!
	wait_for_line "$REP" '^start ' 15 "$npid" ||
		REASONS+=("the worker did not start: $(tail -n3 "$TMPD/prestop/node.out")")
	wait_for_line "$REP2" '^start ' 15 "$npid2" ||
		REASONS+=("the second worker did not start: $(tail -n3 "$TMPD/prestop/node2.out")")
	WPID=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$REP" | head -n1)
	WPID2=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$REP2" | head -n1)
	echo "    node workers ${WPID:-?} (cwd $DIR) and ${WPID2:-?} (dies on SIGUSR2), each" \
		"leaking 16 MiB/s in 512 MiB"
	wait_for_line "$LOG" "$(json_event victim_exit).*\"pid\" *: *${WPID:-x}[,}]" 75 "$DPID" ||
		REASONS+=("no victim_exit line of ${WPID:-?} within 75 s")
	wait_for_line "$LOG" "$(json_event victim_exit).*\"pid\" *: *${WPID2:-x}[,}]" 30 "$DPID" ||
		REASONS+=("no victim_exit line of ${WPID2:-?} within 30 s")
	wait "$npid"
	ST=$?
	wait "$npid2"
	ST2=$?
	OOM=$(($(cg_oom_kills "$CG") + $(cg_oom_kills "$cg2") - oom0))
	daemon_stop
	kill "$RPID" 2>/dev/null
	cg_destroy "$cg2"
	cg_destroy "$CG"
	CG=''
}

if ! wanted pre-stop; then
	:
elif ! command -v node >/dev/null; then
	skip_case pre-stop "needs node"
else
	# 4. SIGUSR2 first: the snapshot is written in the worker's working directory and seen
	#    written (the wait ends early), then the SIGTERM; the worker drains 3 s, exits 0.
	REASONS=()
	prestop_case
	sent=$(json_field "$LOG" pre_stop signal "${WPID:-x}")
	ended=$(json_field "$LOG" pre_stop_end ended "${WPID:-x}")
	waited=$(json_field "$LOG" pre_stop_end waited_s "${WPID:-x}")
	dump=$(json_field "$LOG" act dump "${WPID:-x}")
	snaps=("$DIR"/Heap.*.heapsnapshot)
	echo "    pre_stop: ${sent:-none}, ended ${ended:-?} after ${waited:-?} s; act: pre_stop" \
		"$(json_field "$LOG" act pre_stop "${WPID:-x}"), dump ${dump:-none};" \
		"in $DIR: ${snaps[*]##*/} ($(stat -c %s "${snaps[0]}" 2>/dev/null || echo 0) bytes)"
	[[ $sent == SIGUSR2 ]] || REASONS+=("no pre_stop line sending SIGUSR2 to the worker")
	[[ $ended == written ]] ||
		REASONS+=("the wait ended '${ended:-never}', not when the snapshot was written")
	[[ -s ${snaps[0]} ]] && head -c 12 "${snaps[0]}" | grep -q '{"snapshot"' ||
		REASONS+=("no heap snapshot in the worker's working directory")
	[[ $dump == "${snaps[0]}" ]] ||
		REASONS+=("the act line's dump '${dump:-}' is not the snapshot ${snaps[0]}")
	[[ $(json_field "$LOG" act pre_stop "${WPID:-x}") == SIGUSR2 ]] ||
		REASONS+=("the act line does not say SIGUSR2 came first")
	# What grew in it, from smaps: the Buffers' anonymous memory since the warning.
	maps=$(json_field "$LOG" act maps "${WPID:-x}")
	since=$(json_field "$LOG" act maps_since_s "${WPID:-x}")
	echo "    act: maps '${maps:-}' since the warning ${since:-?} s before"
	[[ $maps == *"[anon] +"* || $maps == *"[heap] +"* ]] ||
		REASONS+=("the act line names no anonymous mapping that grew: '${maps:-}'")
	awk -v s="${since:--1}" 'BEGIN { exit !(s > 0) }' ||
		REASONS+=("maps_since_s '${since:-}': no snapshot from the warning")
	echo "    worker: $(status_text "${ST:-?}"), $(grep -m1 '^drained ' "$REP" || echo 'no drain')"
	drain_reasons "$REP" "$LOG" "${ST:-unknown}"
	((OOM == 0)) || REASONS+=("the kernel OOM-killed $OOM process(es)")
	verdict pre-stop-heap-snapshot "$LOG" "${REASONS[@]}"

	# 5. the second worker dies on SIGUSR2 in the wait: let go as exited before any SIGTERM
	#    ("pre_stop"), never SIGTERMed, nor SIGKILLed.
	REASONS=()
	sent=$(json_field "$LOG" pre_stop signal "${WPID2:-x}")
	how=$(json_field "$LOG" victim_exit signal "${WPID2:-x}")
	echo "    second worker: pre_stop ${sent:-none}, victim_exit signal ${how:-?}," \
		"$(status_text "${ST2:-?}"), $(grep -m1 '^usr2 ' "$REP2" || echo 'no usr2 line')"
	[[ $sent == SIGUSR2 ]] || REASONS+=("no pre_stop line sending SIGUSR2 to it")
	[[ $how == pre_stop ]] || REASONS+=("its victim_exit says '${how:-nothing}', not pre_stop")
	[[ -z $(json_field "$LOG" act signal "${WPID2:-x}") ]] ||
		REASONS+=("it was SIGTERMed after its exit")
	[[ -z $(json_field "$LOG" escalate signal "${WPID2:-x}") ]] || REASONS+=("it was SIGKILLed")
	[[ ${ST2:-} == 3 ]] || REASONS+=("it ended with $(status_text "${ST2:-?}"), not its exit 3")
	# The act alerts say so: the first worker's the snapshot and what grew, the second's its
	# end in the wait.
	alerts=$(act_alert "$TMPD/prestop/records.jsonl" "${WPID:-x}")
	alerts2=$(act_alert "$TMPD/prestop/records.jsonl" "${WPID2:-x}")
	echo "    act alerts: ${alerts:-none}; ${alerts2:-none}"
	[[ $alerts == "SIGTERM written "*".heapsnapshot [anon] +"* ]] ||
		REASONS+=("the first worker's act alert lacks the snapshot or the mappings: '$alerts'")
	[[ $alerts2 == "SIGUSR2 exited "* ]] ||
		REASONS+=("no act alert of the second worker's end in the wait: '$alerts2'")
	verdict pre-stop-victim-exits "$LOG" "${REASONS[@]}"
fi

echo "grace: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[[ -n ${CI:-} ]] && ((SKIPPED)) && exit 1
((FAILED == 0))
