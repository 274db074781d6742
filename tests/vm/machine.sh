#!/bin/bash
# Scenarios only a throw-away guest can risk, run by tests/vm/init (never on a host: they fill
# the machine's own RAM). The daemon watches everything (`oomwarden run`, no --cgroup); the
# judge is the kernel's global OOM-kill counter (/proc/vmstat oom_kill) and the workload's own
# report, as in tests/e2e/run.sh.
#
#   root-leak-16, root-leak-256  a leak in the root cgroup, no limit anywhere: it would exhaust
#                                the guest's RAM (no swap); the root stands for the machine
#                                (MemTotal, /proc/meminfo) and must get a graceful SIGTERM
#   child-leak-64                the same from an unlimited child cgroup
#   root-pagecache               a file twice the size of RAM streamed through the page cache:
#                                no warning, no action
#   high-throttle                a leak in a cgroup whose memory.high is half its memory.max:
#                                the kernel throttles it; warned about, never signalled
#   nocap-root-leak-16           root-leak-16 with the daemon stripped of CAP_BPF, CAP_PERFMON
#                                and CAP_SYS_ADMIN (setpriv): bpf() says EPERM, as in a
#                                container; the daemon must run degraded and still stop it
#
# The brake (BRAKE_SCENARIOS, not in the default list: the brake suite of tests/vm/run.sh boots
# them in a guest with room for them): when a fast leak is predicted to reach the limit before
# the grace ends, the daemon sets the cgroup's memory.high just above its usage and restores
# the original afterwards. A 512 MiB cgroup (memory.max), memory.high sampled every 50 ms:
#   brake-256, brake-1024        leaks at 256 and 1024 MiB/s with --drain 5: exit 0 after the
#                                whole drain, no SIGKILL (no escalate), no OOM kill, memory.high
#                                back to its original max afterwards
#   brake-hold                   the 1024 MiB/s leak ignoring SIGTERM: SIGKILLed by the grace's
#                                rules (kill water, live ETA), no OOM kill, memory.high back
#   brake-burst                  a burst to 450 MiB (88 %) as fast as pages fault in, then flat
#                                for 20 s: never signalled, memory.high max at the end
#   brake-restart                the 256 MiB/s leak braked (memory.high no longer max), then the
#                                daemon SIGKILLed and started again: memory.high back to max
#                                within a second of the new daemon's "ready"
#   brake-admin                  memory.high set to 300 MiB by the administrator beforehand, a
#                                64 MiB/s leak with --drain 3: memory.high never changes
#
# usage: tests/vm/machine.sh [--list | --list-brake] [NAME...]   (as root, in a tests/vm guest:
#        OW_VM_GUEST=1); --list: every scenario name, --list-brake: the brake's; no NAME: the
#        default list (ALL_SCENARIOS)
# environment, as for tests/e2e/run.sh: OW_E2E_DAEMON_ARGS (extra daemon flags), OW_E2E_MODE
# (the attach mode the daemon must report, e.g. degraded in the lockdown guest), OW_E2E_DATA_DIR
# (on-disk directory for root-pagecache), OW_E2E_KEEP=1 (keep the logs); OW_E2E_WHY, text the
# daemon's "degraded" line must contain.
# Prints PASS/FAIL lines and `machine: N passed, N failed`.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=build/oomwarden
OWLOAD=build/owload
READY_TIMEOUT=20
STOP_TIMEOUT=5
ALL_SCENARIOS=(root-leak-16 root-leak-256 child-leak-64 root-pagecache high-throttle
	nocap-root-leak-16)
BRAKE_SCENARIOS=(brake-256 brake-1024 brake-hold brake-burst brake-restart brake-admin)
BRAKE_MIB=512

# scenario NAME: sets S_TIMEOUT, S_EXPECT (the check), S_WHERE (root, child, high, brake or
# admin: the cgroup the workload runs in), S_ARGS (owload arguments), S_WRAP (what runs the
# daemon), S_MODE (the attach mode it must report) and S_BRAKE (1: memory.high is watched).
scenario()
{
	S_WHERE=root S_WRAP=() S_MODE=${OW_E2E_MODE:-} S_BRAKE=0
	case $1 in
	root-leak-16)
		# ~400 MiB of headroom in a 512 MiB guest: ~25 s to exhaustion.
		S_TIMEOUT=120 S_EXPECT=graceful
		S_ARGS=(linear --rate 16 --duration 100)
		;;
	root-leak-256)
		# As fast as TCG can fault pages in: under two seconds to exhaustion.
		S_TIMEOUT=60 S_EXPECT=graceful
		S_ARGS=(linear --rate 256 --duration 40)
		;;
	child-leak-64)
		S_TIMEOUT=60 S_EXPECT=graceful S_WHERE=child
		S_ARGS=(linear --rate 64 --duration 40)
		;;
	root-pagecache)
		S_TIMEOUT=150 S_EXPECT=untouched
		S_ARGS=(pagecache --file "${DATA_DIR:-/nonexistent}/root-pagecache.dat" --size 1024
			--duration 40)
		;;
	high-throttle)
		# memory.high 128 MiB, memory.max 256 MiB: throttled from ~16 s on.
		S_TIMEOUT=90 S_EXPECT=throttled S_WHERE=high
		S_ARGS=(linear --rate 8 --duration 50)
		;;
	nocap-root-leak-16)
		S_TIMEOUT=120 S_EXPECT=graceful S_MODE=degraded
		S_ARGS=(linear --rate 16 --duration 100)
		S_WRAP=(setpriv '--bounding-set=-bpf,-perfmon,-sys_admin'
			'--inh-caps=-bpf,-perfmon,-sys_admin' --)
		;;
	brake-256 | brake-1024)
		# 512 MiB at 256 MiB/s: 2 s; at 1024 (if TCG can): 0.5 s. The grace must hold the
		# whole 5 s drain, so the brake has to hold the last of the headroom.
		S_TIMEOUT=70 S_EXPECT=braked S_WHERE=brake S_BRAKE=1
		S_ARGS=(linear --rate "${1#brake-}" --drain 5 --duration 40)
		;;
	brake-hold)
		# The leak at 1024 that ignores SIGTERM and keeps pressing after the signal: braked,
		# then SIGTERMed, the brake raised for a drain that never comes; the grace's rules
		# (kill water, live ETA) must SIGKILL it before the kernel's OOM kill.
		S_TIMEOUT=60 S_EXPECT=hold S_WHERE=brake S_BRAKE=1
		S_ARGS=(linear --rate 1024 --ignore-term --duration 40)
		;;
	brake-burst)
		S_TIMEOUT=60 S_EXPECT=burst S_WHERE=brake S_BRAKE=1
		S_ARGS=(burst --size 450 --duration 21)
		;;
	brake-restart)
		S_TIMEOUT=70 S_EXPECT=restored S_WHERE=brake S_BRAKE=1
		S_ARGS=(linear --rate 256 --drain 5 --duration 40)
		;;
	brake-admin)
		S_TIMEOUT=60 S_EXPECT=admin S_WHERE=admin S_BRAKE=1
		S_ARGS=(linear --rate 64 --drain 3 --duration 30)
		;;
	*)
		return 1
		;;
	esac
}

SELECTED=()
for arg in "$@"; do
	if [[ $arg == --list ]]; then
		echo "${ALL_SCENARIOS[*]} ${BRAKE_SCENARIOS[*]}"
		exit 0
	fi
	if [[ $arg == --list-brake ]]; then
		echo "${BRAKE_SCENARIOS[*]}"
		exit 0
	fi
	if ! scenario "$arg"; then
		echo "machine: unknown scenario '$arg' (known: ${ALL_SCENARIOS[*]})" >&2
		exit 2
	fi
	SELECTED+=("$arg")
done
((${#SELECTED[@]})) || SELECTED=("${ALL_SCENARIOS[@]}")

if [[ ${OW_VM_GUEST:-} != 1 ]]; then
	echo "machine: refusing to run outside a tests/vm guest (it exhausts the machine's RAM)" >&2
	exit 2
fi
if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || [[ $OW_CG_VER != 2 ]]; then
	echo "machine: needs root and cgroup v2 with the memory controller" >&2
	exit 1
fi
read -r -a DAEMON_EXTRA <<<"${OW_E2E_DAEMON_ARGS:-}"
TMPD=$(mktemp -d /tmp/oomwarden-machine.XXXXXX) || exit 1
DATA_DIR=''
if base=$(pick_data_dir 1024); then
	DATA_DIR=$(mktemp -d "$base/oomwarden-machine.XXXXXX")
fi
PASSED=0 FAILED=0
DPID='' WPID='' CUR_CG='' HPID=''

cleanup()
{
	[[ -n $HPID ]] && kill "$HPID" 2>/dev/null
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $CUR_CG ]] && cg_destroy "$CUR_CG"
	[[ -n $DATA_DIR ]] && rm -rf "$DATA_DIR"
	if ((FAILED == 0)) && [[ -z ${OW_E2E_KEEP:-} ]]; then
		rm -rf "$TMPD"
	else
		echo "machine: logs kept in $TMPD"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

vm_oom_kills()
{
	awk '$1 == "oom_kill" { print $2 }' /proc/vmstat
}

# make_cgroup KIND: the cgroup a workload of kind child, high, brake or admin (brake's, with the
# administrator's memory.high of 300 MiB) runs in; sets CUR_CG and HIGH0, its memory.high.
make_cgroup()
{
	CUR_CG=$OW_CG_ROOT/owvm-$1-$$
	mkdir "$CUR_CG" || return 1
	echo 0 >"$CUR_CG/memory.swap.max" 2>/dev/null
	case $1 in
	high)
		echo $((256 << 20)) >"$CUR_CG/memory.max" &&
			echo $((128 << 20)) >"$CUR_CG/memory.high" || return 1
		;;
	brake | admin)
		echo $((BRAKE_MIB << 20)) >"$CUR_CG/memory.max" || return 1
		if [[ $1 == admin ]]; then
			echo $((300 << 20)) >"$CUR_CG/memory.high" || return 1
		fi
		;;
	esac
	read -r HIGH0 <"$CUR_CG/memory.high"
}

# brake_room: the brake's cgroup limit must be the one that binds, with room left for the
# machine (in the 512 MiB machine guest the machine itself is the tighter limit).
brake_room()
{
	local avail

	avail=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)
	((avail >= BRAKE_MIB + 256)) ||
		REASONS+=("the guest has $avail MiB available, too little for a ${BRAKE_MIB} MiB cgroup to be the limit that binds (tests/vm/run.sh boots the brake suite with room: brake:NAME)")
}

# uptime_s: seconds since boot, to 10 ms (busybox date has no %N).
uptime_s()
{
	local up rest

	read -r up rest </proc/uptime
	echo "$up"
}

# watch_high FILE: prints "UPTIME VALUE" each time FILE's value changes, sampled every 50 ms.
watch_high()
{
	local v last=''

	while :; do
		read -r v <"$1" 2>/dev/null || v=gone
		if [[ $v != "$last" ]]; then
			echo "$(uptime_s) $v"
			last=$v
		fi
		sleep 0.05
	done
}

# high_settle: after the workload, memory.high's last value (HIGH_END), once it is back to
# HIGH0 or after 2 s; then stops the sampler.
high_settle()
{
	local i

	for ((i = 0; i < 20; i++)); do
		read -r HIGH_END <"$CUR_CG/memory.high"
		[[ $HIGH_END == "$HIGH0" ]] && break
		sleep 0.1
	done
	kill "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HPID=''
}

# high_history: memory.high's values from the sampler (MiB), with when, from the workload's start.
high_history()
{
	awk -v t0="$T_WORK" '{ v = $2; if (v ~ /^[0-9]+$/) v = sprintf("%.1fM", v / 1048576)
		h = h sprintf("%s%s at %.2f s", (NR > 1 ? " -> " : ""), v, $1 - t0) }
		END { print (NR == 1 ? v " throughout" : h) }' "$DIR/high.log"
}

# restart_while_braked (brake-restart): once the brake is on (memory.high no longer HIGH0),
# SIGKILLs the daemon and starts another. Sets BRAKED (the brake's value), R_SPAWN and R_READY
# (uptimes of the new daemon's start and of its "ready" line seen).
restart_while_braked()
{
	local deadline=$((SECONDS + 30)) v

	BRAKED='' R_SPAWN='' R_READY=''
	while pid_alive "$WPID" && ((SECONDS < deadline)); do
		read -r v <"$CUR_CG/memory.high"
		[[ $v != "$HIGH0" ]] && BRAKED=$v && break
		sleep 0.05
	done
	if [[ -z $BRAKED ]]; then
		REASONS+=("the brake never went on: memory.high stayed $HIGH0 while the leak ran (the daemon was never restarted)")
		return
	fi
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	read -r v <"$CUR_CG/memory.high"
	if [[ $v == "$HIGH0" ]]; then
		REASONS+=("the brake was lifted before the daemon died: nothing left to restore")
		DPID=''
		return
	fi
	NOTES+=("daemon SIGKILLed with memory.high at $v")
	mv "$LOG" "$DIR/daemon-killed.log"
	R_SPAWN=$(uptime_s)
	start_daemon || return
	R_READY=$(uptime_s)
}

# Verdicts: read WST, OOMD, REP, LOG, WPID_REPORTED; append to REASONS and NOTES.
check_no_oom()
{
	((OOMD == 0)) || REASONS+=("the kernel's global OOM killer struck $OOMD time(s)")
}

check_signalled_only_workload()
{
	local pid

	while read -r pid; do
		[[ $pid == "$WPID_REPORTED" ]] ||
			REASONS+=("the daemon signalled pid $pid, not the workload ($WPID_REPORTED)")
	done < <(grep -E "$(json_event act)|$(json_event escalate)" "$LOG" |
		grep -oE '"pid" *: *[0-9]+' | grep -oE '[0-9]+$' | sort -u)
}

# term_notes: when the workload exited after its SIGTERM and the rate TCG allowed.
term_notes()
{
	local gone term

	gone=$(grep -m1 -E "$(json_event victim_exit)" "$LOG")
	[[ -n $gone ]] && NOTES+=("exited $(json_line_value "$gone" after_ms) ms after SIGTERM")
	term=$(grep -m1 '^sigterm ' "$REP")
	# The rate TCG allowed: the held memory over the time it took.
	[[ -n $term ]] && NOTES+=("$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "=");
		v[kv[1]] = kv[2] } } END { printf "held %.0f MiB at SIGTERM, %.0f MiB/s",
		v["held_mib"], (v["t"] > 0 ? v["held_mib"] / v["t"] : 0) }' <<<"$term")")
}

# level_notes: every level change of the workload's cgroup, with why.
level_notes()
{
	local line

	while read -r line; do
		NOTES+=("$(json_line_value "$line" from)->$(json_line_value "$line" to) at $(json_line_value "$line" usage_mib) MiB: $(json_line_value "$line" msg)")
	done < <(grep -E "$(json_event level)" "$LOG" | grep -E "\"path\" *: *\"$CUR_CG\"")
}

check_graceful()
{
	local act

	[[ $WST == 0 ]] || REASONS+=("workload ended with $(status_text "$WST"), expected exit 0")
	grep -q '^sigterm ' "$REP" || REASONS+=("the workload never reported SIGTERM")
	act=$(grep -m1 -E "$(json_event act)" "$LOG")
	if [[ -z $act ]]; then
		REASONS+=('no "event":"act" line in the daemon log')
	else
		[[ $(json_line_value "$act" cgroup) == / ]] ||
			REASONS+=("the daemon acted on cgroup $(json_line_value "$act" cgroup), not on / (the machine)")
		NOTES+=("act at $(json_line_value "$act" usage_mib)/$(json_line_value "$act" limit_mib) MiB")
		NOTES+=("$(json_line_value "$act" reason)")
	fi
	term_notes
	check_signalled_only_workload
	check_no_oom
}

check_untouched()
{
	local acts warns

	[[ $WST == 0 ]] || REASONS+=("workload ended with $(status_text "$WST"), expected exit 0")
	grep -q '^done .*reason=duration' "$REP" ||
		REASONS+=("the workload did not run to its --duration")
	acts=$(grep -cE "$(json_event act)|$(json_event escalate)" "$LOG")
	((acts == 0)) || REASONS+=("the daemon logged $acts act/escalate event(s)")
	warns=$(grep -E "$(json_event level)" "$LOG" | grep -cE '"to" *: *"warn"')
	((warns == 0)) || REASONS+=("the daemon warned $warns time(s) about page cache")
	NOTES+=("$(sed -n 's/^done .*read_mib=\([0-9]*\).*/read \1 MiB through the page cache/p' "$REP")")
	check_no_oom
}

check_throttled()
{
	local acts warn high peak

	[[ $WST == 0 ]] || REASONS+=("workload ended with $(status_text "$WST"), expected exit 0")
	grep -q '^done .*reason=duration' "$REP" ||
		REASONS+=("the workload did not run to its --duration")
	acts=$(grep -cE "$(json_event act)|$(json_event escalate)" "$LOG")
	((acts == 0)) || REASONS+=("the daemon logged $acts act/escalate event(s)")
	warn=$(grep -E "$(json_event level)" "$LOG" | grep -E "\"path\" *: *\"$CUR_CG\"" |
		grep -E '"to" *: *"warn"' | grep -E '"level" *: *"warning"' | grep -m1 'memory\.high')
	[[ -n $warn ]] || REASONS+=("no warning that memory.high throttles $CUR_CG")
	# Every level change of the cgroup, with why: the approach, then the throttle.
	level_notes
	high=$(awk '$1 == "high" { print $2 }' "$CUR_CG/memory.events")
	((${high:-0} > 0)) || REASONS+=("memory.events high is ${high:-?}: the kernel never throttled")
	peak=$(cg_peak_mib "$CUR_CG")
	NOTES+=("memory.events high=${high:-?}, peak ${peak} MiB")
	check_no_oom
}

# The brake's verdicts (S_BRAKE) also read HIGH0, HIGH_END, T_WORK and the sampler's high.log.
check_high_restored()
{
	[[ $HIGH_END == "$HIGH0" ]] ||
		REASONS+=("memory.high is $HIGH_END at the end, not its original $HIGH0")
	NOTES+=("memory.high: $(high_history)")
}

# check_brake_no_oom: neither the cgroup's OOM killer nor the machine's struck.
check_brake_no_oom()
{
	local n

	n=$(cg_oom_kills "$CUR_CG")
	if ((n > 0)); then
		REASONS+=("the kernel OOM-killed $n time(s) in the cgroup (memory.events oom_kill)")
	else
		check_no_oom
	fi
}

# outcome_note: how the workload ended, for the scenarios that do not judge it.
outcome_note()
{
	local how

	how="workload ended with $(status_text "$WST")"
	grep -q '^sigterm ' "$REP" && how+=", SIGTERMed"
	grep -q '^drained ' "$REP" && how+=", drained in full"
	grep -qE "$(json_event escalate)" "$LOG" && how+=", escalated (SIGKILL)"
	NOTES+=("$how")
}

# brake-256, brake-1024: SIGTERMed, the whole drain under the brake, exit 0, then no brake.
check_braked()
{
	drain_reasons "$REP" "$LOG" "$WST"
	term_notes
	check_high_restored
	check_signalled_only_workload
	check_brake_no_oom
}

# brake-hold: a braked leak that ignores SIGTERM is SIGKILLed by the grace's rules, with no
# kernel OOM kill; how long after the SIGTERM, and by which rule, is a note (issue 16: a victim
# still growing after SIGTERM does not keep its whole grace).
check_hold()
{
	local esc

	esc=$(grep -m1 -E "$(json_event escalate)" "$LOG")
	if [[ -z $esc ]]; then
		REASONS+=("no escalate line: the leak that ignores SIGTERM was never SIGKILLed")
	else
		NOTES+=("SIGKILL $(json_line_value "$esc" since_sigterm_ms) ms after SIGTERM (rule $(json_line_value "$esc" rule), grace $(json_line_value "$esc" grace_s) s)")
	fi
	term_notes
	check_high_restored
	check_brake_no_oom
}

# brake-burst: growth that stops short of the limit is never signalled, nor left braked.
check_burst()
{
	local reached

	untouched_reasons "$REP" "$LOG" "$WST"
	reached=$(grep -m1 '^reached ' "$REP")
	[[ -n $reached ]] && NOTES+=("$(sed -n 's/.* held_mib=\([0-9.]*\) .* secs=\([0-9.]*\).*/burst to \1 MiB in \2 s/p' <<<"$reached")")
	level_notes
	check_high_restored
	check_brake_no_oom
}

# brake-restart: the brake left by a SIGKILLed daemon is lifted within a second of the new
# daemon's "ready" (timed by the sampler; how long it took from its start is a note).
check_restored()
{
	local back late=''

	back=$(awk -v s="${R_SPAWN:-0}" -v h="$HIGH0" '$1 >= s && $2 == h { print $1; exit }' \
		"$DIR/high.log")
	[[ -n $R_READY && -n $back ]] &&
		late=$(awk -v r="$R_READY" -v b="$back" 'BEGIN { if (b - r > 1.0) printf "%.2f", b - r }')
	if [[ -n $R_READY && ( -z $back || -n $late ) ]] &&
		grep -E "$(json_event brake_restore)" "$LOG" | grep -qE '"restored" *: *[1-9]' &&
		grep -qE "$(json_event brake)" "$LOG"; then
		# The leak still runs: the restarted daemon may brake it again within the 50 ms
		# between two samples of memory.high (seen on 6.1: 40 ms; on 6.12: 64 ms, and max
		# then seen only at the next lift). Its log says both: restored at start, braked.
		NOTES+=("memory.high restored at start (the daemon's brake_restore line) and braked again before the next 50 ms sample")
	elif [[ -n $R_READY && -z $back ]]; then
		REASONS+=("memory.high never came back to $HIGH0 after the daemon's restart")
	elif [[ -n $R_READY ]]; then
		NOTES+=("$(awk -v s="$R_SPAWN" -v r="$R_READY" -v b="$back" -v h="$HIGH0" 'BEGIN {
			printf "restarted daemon ready after %.2f s, memory.high %s again %.2f s " \
				"after its start", r - s, h, b - s }')")
		[[ -z $late ]] ||
			REASONS+=("memory.high came back to $HIGH0 $late s after the restarted daemon's ready, not within 1 s")
	fi
	check_high_restored
	outcome_note
	check_brake_no_oom
}

# brake-admin: the administrator's memory.high stays as it was set, never written.
check_admin()
{
	local n

	n=$(wc -l <"$DIR/high.log")
	((n == 1)) || REASONS+=("memory.high changed during the run: the administrator's $HIGH0 must stay")
	check_high_restored
	outcome_note
	check_brake_no_oom
}

stop_daemon()
{
	if ! pid_alive "$DPID"; then
		wait "$DPID" 2>/dev/null
		REASONS+=("the daemon exited on its own during the run ($(status_text $?))")
	else
		kill -TERM "$DPID"
		if ! wait_gone "$DPID" "$STOP_TIMEOUT"; then
			kill -KILL "$DPID"
			REASONS+=("the daemon was still running ${STOP_TIMEOUT} s after SIGTERM")
		fi
		wait "$DPID" 2>/dev/null
	fi
	DPID=''
}

# start_daemon: `oomwarden run` on everything; false when it never got ready.
start_daemon()
{
	local ready degraded

	"${S_WRAP[@]}" "$OWD" run --log-format json -v "${DAEMON_EXTRA[@]}" >"$DIR/daemon.out" \
		2>"$LOG" &
	DPID=$!
	if ! wait_for_line "$LOG" "$(json_event ready)" "$READY_TIMEOUT" "$DPID"; then
		REASONS+=("the daemon was not ready within ${READY_TIMEOUT} s")
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		DPID=''
		return 1
	fi
	ready=$(grep -m1 -E "$(json_event ready)" "$LOG")
	if [[ -n $S_MODE && $(json_line_value "$ready" mode) != "$S_MODE" ]]; then
		REASONS+=("the daemon runs in mode $(json_line_value "$ready" mode), not $S_MODE")
	fi
	degraded=$(grep -m1 -E "$(json_event degraded)" "$LOG")
	if [[ $S_MODE == degraded && -z $degraded ]]; then
		REASONS+=('the daemon runs degraded without saying so (no "event":"degraded" line)')
	fi
	[[ -n $degraded ]] && NOTES+=("degraded: $(json_line_value "$degraded" why)")
	if [[ -n ${OW_E2E_WHY:-} ]] && ! grep -q -- "$OW_E2E_WHY" <<<"$degraded"; then
		REASONS+=("the daemon does not say why it runs degraded (\"$OW_E2E_WHY\")")
	fi
	return 0
}

run_scenario()
{
	local name=$1 t0=$SECONDS oom0 procs

	scenario "$name"
	DIR=$TMPD/$name
	mkdir -p "$DIR"
	LOG=$DIR/daemon.log REP=$DIR/report
	: >"$REP"
	REASONS=() NOTES=() WST='' OOMD=0 WPID_REPORTED=''
	HIGH0='' HIGH_END='' T_WORK='' R_SPAWN='' R_READY=''
	procs=$OW_CG_ROOT/cgroup.procs
	if [[ $S_WHERE != root ]]; then
		make_cgroup "$S_WHERE" || REASONS+=("cannot create a cgroup under $OW_CG_ROOT")
		procs=$CUR_CG/cgroup.procs
	fi
	if [[ $name == root-pagecache && -z $DATA_DIR ]]; then
		REASONS+=("no on-disk directory with 1.25 GiB free; set OW_E2E_DATA_DIR")
	fi
	((S_BRAKE && ${#REASONS[@]} == 0)) && brake_room
	if ((${#REASONS[@]} == 0)) && start_daemon; then
		oom0=$(vm_oom_kills)
		if ((S_BRAKE)); then
			watch_high "$CUR_CG/memory.high" >"$DIR/high.log" &
			HPID=$!
		fi
		T_WORK=$(uptime_s)
		sh -c 'echo $$ >"$0" && exec "$@"' "$procs" "$OWLOAD" "${S_ARGS[@]}" \
			--report "$REP" >"$DIR/owload.out" 2>&1 &
		WPID=$!
		[[ $name == brake-restart ]] && restart_while_braked
		if wait_gone "$WPID" "$S_TIMEOUT"; then
			wait "$WPID" 2>/dev/null
			WST=$?
		else
			kill -KILL "$WPID"
			wait "$WPID" 2>/dev/null
			WST=timeout
			REASONS+=("the workload was still running after ${S_TIMEOUT} s")
		fi
		WPID=''
		((S_BRAKE)) && high_settle
		OOMD=$(($(vm_oom_kills) - oom0))
		WPID_REPORTED=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$REP" | head -n1)
		[[ -n $DPID ]] && stop_daemon
		[[ $WST == timeout ]] || "check_$S_EXPECT"
	fi
	[[ -n $CUR_CG ]] && cg_destroy "$CUR_CG"
	CUR_CG=''
	report_result "$name" $((SECONDS - t0))
}

report_result()
{
	local name=$1 secs=$2 notes=''

	((${#NOTES[@]})) && notes=": $(printf '%s; ' "${NOTES[@]}")" && notes=${notes%; }
	if ((${#REASONS[@]} == 0)); then
		echo "PASS $name (${secs}s)$notes"
		PASSED=$((PASSED + 1))
		return
	fi
	FAILED=$((FAILED + 1))
	echo "FAIL $name: $(printf '%s; ' "${REASONS[@]}" | sed 's/; $//')"
	[[ -n $notes ]] && echo "    notes$notes"
	echo "    --- daemon log (last 20 lines of $LOG):"
	tail -n 20 "$LOG" 2>/dev/null | sed 's/^/    /'
	echo "    --- workload report (last 5 lines):"
	tail -n 5 "$REP" 2>/dev/null | sed 's/^/    /'
}

echo "machine: cgroup v2 at $OW_CG_ROOT, $(awk '$1 == "MemTotal:" { print int($2 / 1024) }' \
	/proc/meminfo) MiB RAM, logs in $TMPD"
for name in "${SELECTED[@]}"; do
	run_scenario "$name"
done
echo "machine: $PASSED passed, $FAILED failed"
((FAILED == 0))
