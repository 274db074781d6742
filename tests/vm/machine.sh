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
# usage: tests/vm/machine.sh [--list] [NAME...]     (as root, in a tests/vm guest: OW_VM_GUEST=1)
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

# scenario NAME: sets S_TIMEOUT, S_EXPECT (the check), S_WHERE (root, child or high: the
# cgroup the workload runs in), S_ARGS (owload arguments), S_WRAP (what runs the daemon) and
# S_MODE (the attach mode it must report).
scenario()
{
	S_WHERE=root S_WRAP=() S_MODE=${OW_E2E_MODE:-}
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
	*)
		return 1
		;;
	esac
}

SELECTED=()
for arg in "$@"; do
	if [[ $arg == --list ]]; then
		echo "${ALL_SCENARIOS[*]}"
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
DPID='' WPID='' CUR_CG=''

cleanup()
{
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

# make_cgroup KIND: the cgroup a workload of kind child or high runs in; sets CUR_CG.
make_cgroup()
{
	CUR_CG=$OW_CG_ROOT/owvm-$1-$$
	mkdir "$CUR_CG" || return 1
	echo 0 >"$CUR_CG/memory.swap.max" 2>/dev/null
	if [[ $1 == high ]]; then
		echo $((256 << 20)) >"$CUR_CG/memory.max" &&
			echo $((128 << 20)) >"$CUR_CG/memory.high" || return 1
	fi
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

check_graceful()
{
	local act gone term

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
	gone=$(grep -m1 -E "$(json_event victim_exit)" "$LOG")
	[[ -n $gone ]] && NOTES+=("exited $(json_line_value "$gone" after_ms) ms after SIGTERM")
	term=$(grep -m1 '^sigterm ' "$REP")
	# The rate TCG allowed: the held memory over the time it took.
	[[ -n $term ]] && NOTES+=("$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "=");
		v[kv[1]] = kv[2] } } END { printf "held %.0f MiB at SIGTERM, %.0f MiB/s",
		v["held_mib"], (v["t"] > 0 ? v["held_mib"] / v["t"] : 0) }' <<<"$term")")
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
	while read -r line; do
		NOTES+=("$(json_line_value "$line" from)->$(json_line_value "$line" to) at $(json_line_value "$line" usage_mib) MiB: $(json_line_value "$line" msg)")
	done < <(grep -E "$(json_event level)" "$LOG" | grep -E "\"path\" *: *\"$CUR_CG\"")
	high=$(awk '$1 == "high" { print $2 }' "$CUR_CG/memory.events")
	((${high:-0} > 0)) || REASONS+=("memory.events high is ${high:-?}: the kernel never throttled")
	peak=$(cg_peak_mib "$CUR_CG")
	NOTES+=("memory.events high=${high:-?}, peak ${peak} MiB")
	check_no_oom
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
	procs=$OW_CG_ROOT/cgroup.procs
	if [[ $S_WHERE != root ]]; then
		make_cgroup "$S_WHERE" || REASONS+=("cannot create a cgroup under $OW_CG_ROOT")
		procs=$CUR_CG/cgroup.procs
	fi
	if [[ $name == root-pagecache && -z $DATA_DIR ]]; then
		REASONS+=("no on-disk directory with 1.25 GiB free; set OW_E2E_DATA_DIR")
	fi
	if ((${#REASONS[@]} == 0)) && start_daemon; then
		oom0=$(vm_oom_kills)
		sh -c 'echo $$ >"$0" && exec "$@"' "$procs" "$OWLOAD" "${S_ARGS[@]}" \
			--report "$REP" >"$DIR/owload.out" 2>&1 &
		WPID=$!
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
		OOMD=$(($(vm_oom_kills) - oom0))
		WPID_REPORTED=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$REP" | head -n1)
		stop_daemon
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
