#!/bin/bash
# End-to-end tests of oomwarden on the real kernel.
#
# For each scenario: a fresh memory cgroup limited to 256 MiB (cgroup v1 or v2, whichever has
# the memory controller), `oomwarden run --cgroup <it> --log-format json -v`, a workload from
# build/owload started inside the cgroup, then a verdict from the workload's own report (did its
# SIGTERM handler run, how did it exit) and the kernel's OOM-kill counter of the cgroup.
#
# usage: tests/e2e/run.sh [NAME...]      (run as root from anywhere; default: every scenario)
# environment:
#   OW_E2E_DAEMON_ARGS  extra flags for `oomwarden run` (word-split)
#   OW_E2E_CGROUP       v1 or v2 to force a hierarchy (default: the one with the memory controller)
#   OW_E2E_DATA_DIR     on-disk directory for the 1 GiB page-cache file (default /var/tmp)
#   OW_E2E_KEEP=1       keep the logs directory even when everything passed
#   OW_E2E_MODE         the attach mode every scenario's daemon must report when ready (e.g.
#                       degraded on a kernel that refuses BPF); degraded also needs its log line
#   OW_E2E_LANES        1 runs every scenario one after the other (default 2: see LIGHT)
#   CI                  when set, missing root or memory cgroups is a failure, not a skip
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
LIMIT_MIB=256
READY_TIMEOUT=20
STOP_TIMEOUT=5

ALL_SCENARIOS=(linear-2 linear-32 linear-512 sawtooth-rising ignore-term group drain-8 drain-64 edge-leak
	detached-512 tmpfs-16 kmem-8 kmem-idle pipe-8 warn-shed warn-uncaught
	plateau-75 sawtooth-flat pagecache-1g burst-64
	attach-raw_tp attach-tracepoint degraded dry-run-oom)
# What depends on neither the kernel series nor the cgroup version: a signal and a process's
# SigCgt; the slow trend of anonymous memory (linear-2: 2 minutes; the guests keep drain-8 for
# v2's slow path) and a plateau of it (plateau-75; the guests keep sawtooth-flat, pagecache-1g
# and burst-64 as v2's benign rows); the policy's own choices over the same events: a rising
# sawtooth's trend, the SIGKILL after an ignored SIGTERM (the brake suite's brake-hold kills
# under v2's brake) and the fastest of several growers (sawtooth-rising, ignore-term, group:
# 69 s of a guest's first lane). Run on the host, left out of the qemu guests' default list
# (tests/vm), whose time goes to what does depend on them: make test's budget is 45 minutes.
HOST_ONLY=(warn-shed warn-uncaught linear-2 plateau-75 detached-512 kmem-idle sawtooth-rising
	ignore-term group)
# kmem-idle is v1's test of the sight's watch (the guests' tests/vm/sight.sh is v2's).
# detached-512 needs cgroup v1's thresholds (the page-fault program is detached only there).
# Scenarios light on the machine whose verdicts hinge on no sub-second timing (slow leaks and
# plateaus): a second lane runs them beside the others, longest first, and the first lane takes
# what is left of them when its own are done. Each scenario has its own memcg, tmpfs, brake
# state and daemon (--cgroup: it watches nothing else). The fast leaks, the page cache and the
# forced attach modes stay in the first lane, one at a time. Half of run.sh's time (591 s in
# one lane; make test's budget is 45 minutes).
LIGHT=(linear-2 plateau-75 warn-shed sawtooth-flat kmem-idle kmem-8 pipe-8 burst-64 drain-8
	warn-uncaught)

# scenario NAME: sets S_TIMEOUT (s), S_EXPECT, S_ARGS (owload arguments) and S_DAEMON (extra
# daemon flags) for NAME, and S_MODE, the attach mode the daemon must report when ready.
# The --duration of each workload bounds it; S_TIMEOUT bounds the wait for it.
scenario()
{
	S_ARGS=() S_DAEMON=() S_MODE='' S_TMPFS='' S_IDLE=0 S_LIMIT=$LIMIT_MIB
	case $1 in
	linear-2)
		# 256 MiB at 2 MiB/s: ~128 s to the limit.
		S_TIMEOUT=180 S_EXPECT=graceful
		S_ARGS=(linear --rate 2 --duration 170)
		;;
	linear-32)
		S_TIMEOUT=70 S_EXPECT=graceful
		S_ARGS=(linear --rate 32 --duration 60)
		;;
	linear-512)
		S_TIMEOUT=40 S_EXPECT=graceful
		S_ARGS=(linear --rate 512 --duration 30)
		;;
	sawtooth-rising)
		# A GC-like heap whose floor rises 16 MiB a cycle: 40->120, 56->136, ... ~11 s to OOM.
		S_TIMEOUT=70 S_EXPECT=graceful
		S_ARGS=(sawtooth --low 40 --high 120 --rate 64 --floor-rise 16 --duration 60)
		;;
	ignore-term)
		S_TIMEOUT=70 S_EXPECT=escalate
		S_ARGS=(linear --rate 32 --ignore-term --duration 60)
		;;
	group)
		# Three processes holding 8 MiB each; the second also leaks 16 MiB/s (~15 s to OOM).
		S_TIMEOUT=45 S_EXPECT=group
		S_ARGS=(group --procs 3 --leaker 2 --rate 16 --base 8 --duration 28)
		;;
	drain-8)
		# A queue worker: on SIGTERM it stops growing and needs 5 s to finish the job in
		# hand, then exits 0 (--drain). ~32 s to the limit; the grace must cover the drain.
		S_TIMEOUT=80 S_EXPECT=drained
		S_ARGS=(linear --rate 8 --drain 5 --duration 60)
		;;
	drain-64)
		# The same at 64 MiB/s (~4 s to the limit) with a 3 s drain.
		S_TIMEOUT=45 S_EXPECT=drained
		S_ARGS=(linear --rate 64 --drain 3 --duration 30)
		;;
	edge-leak)
		# A worker steady for 25 s beside 120 MiB of page cache, then leaking 64 MiB/s: at
		# ~136 MiB the cgroup reaches its limit and the kernel starts reclaiming (its usage at
		# the limit; memory.events max on v2), the first time since it was watched. Acted on there
		# by the rise past every earlier peak (rule edge_rise), not at the 90 % mark.
		S_TIMEOUT=80 S_EXPECT=edge_rise
		S_ARGS=(linear --rate 64 --hold 25 --file "$(data_file edge-leak)" --size 120
			--drain 3 --duration 60)
		;;
	detached-512)
		# Quiet for 30 s, so the page-fault program is detached (--idle-detach, cgroup v1:
		# 20 s with nothing at risk), then a leak of 512 MiB/s (0.5 s to the limit) that
		# drains 3 s: the thresholds wake the daemon, it attaches the program again and stops
		# the leak gracefully.
		S_TIMEOUT=70 S_EXPECT=reattached
		S_ARGS=(linear --rate 512 --hold 30 --drain 3 --duration 60)
		;;
	tmpfs-16)
		# write(2) into a file on a tmpfs at 16 MiB/s: shmem charged to the cgroup that moves
		# no process's RSS. Seen by the cgroup's own usage (v1 thresholds, v2 reads), warned
		# as shmem long before the limit; the writer, found by the tmpfs file it holds open
		# for writing, is SIGTERMed before the kernel's OOM kill. In a 192 MiB memcg, as issue
		# 17 measured it (12 s to the limit: oomwarden logged nothing until the OOM kill).
		S_TIMEOUT=50 S_EXPECT=shmem S_TMPFS=${TMPD:-}/$1/shm S_LIMIT=192
		S_ARGS=(write --file "$S_TMPFS/w" --rate 16 --duration 40)
		;;
	kmem-8)
		# Empty files created on a tmpfs at ~8 MiB/s of inodes and dentries: kernel memory,
		# neither RSS nor shmem. Warned as kernel memory long before the limit; nobody holds
		# it as a growth of its own, so nobody is signalled (never a blind kill) and the
		# kernel's OOM kill comes at the limit.
		# It ends at that OOM kill: its duration only bounds it, long enough for a guest whose
		# emulated CPU makes files at 2-3 MiB/s (a CI machine's guests: with 50 s, they
		# stopped at ~140 MiB, before any action was due, and had no "no_victim" to show).
		S_TIMEOUT=160 S_EXPECT=kernel S_TMPFS=${TMPD:-}/$1/shm
		S_ARGS=(files --file "$S_TMPFS" --rate 8 --duration 150)
		;;
	kmem-idle)
		# kmem-8 after 35 s of quiet: a v1 cgroup quiet for 30 s is checked by the sight's
		# watch (daemon/sight_pass.c), a BPF timer over the memcgs the kernel's cgroup
		# iterator found, not by reads of its own; the kernel memory it cannot see through
		# thresholds is first seen by the watch.
		S_TIMEOUT=60 S_EXPECT=kernel_pass S_TMPFS=${TMPD:-}/$1/shm S_IDLE=35 S_DAEMON=(-v)
		S_ARGS=(files --file "$S_TMPFS" --rate 8 --duration 50)
		;;
	pipe-8)
		# Pipes filled at 8 MiB/s and never read, both ends held open: pipe buffers, kernel
		# memory charged to the cgroup (pipe_write() allocates them __GFP_ACCOUNT), neither
		# RSS nor shmem. Warned as kernel memory long before the limit; nobody holds it as a
		# growth of its own, so nobody is signalled and the kernel's OOM kill comes at the
		# limit (which frees the pipes with their holder).
		S_TIMEOUT=60 S_EXPECT=kernel
		S_ARGS=(pipes --rate 8 --duration 50)
		;;
	warn-shed)
		# --warn-signal SIGUSR1: at the warning the leaker, which catches SIGUSR1 (--shed),
		# gives all its memory back and grows no more: nobody is stopped (issue 18).
		S_TIMEOUT=60 S_EXPECT=shed
		S_ARGS=(linear --rate 8 --shed --duration 45)
		S_DAEMON=(--warn-signal SIGUSR1)
		;;
	warn-uncaught)
		# The same signal to a leaker that does not catch it: never sent (its default action
		# would end it), and the leak is stopped with SIGTERM as any other.
		S_TIMEOUT=60 S_EXPECT=warn_uncaught
		S_ARGS=(linear --rate 8 --duration 50)
		S_DAEMON=(--warn-signal SIGUSR1)
		;;
	plateau-75)
		# Grows 4 MiB/s to 192 MiB (75 %) in 48 s, then stays flat.
		S_TIMEOUT=85 S_EXPECT=untouched
		S_ARGS=(linear --rate 4 --stop-at 192 --duration 70)
		;;
	sawtooth-flat)
		# 77 <-> 205 MiB (30-80 %), flat floor.
		S_TIMEOUT=60 S_EXPECT=untouched
		S_ARGS=(sawtooth --low 77 --high 205 --rate 32 --duration 45)
		;;
	pagecache-1g)
		S_TIMEOUT=120 S_EXPECT=untouched
		S_ARGS=(pagecache --file "$(data_file)" --size 1024 --duration 45)
		;;
	attach-raw_tp | attach-tracepoint)
		# The same leak with each fallback attach flavour forced (tp_btf is the default).
		S_TIMEOUT=70 S_EXPECT=graceful S_MODE=${1#attach-}
		S_ARGS=(linear --rate 32 --duration 60)
		S_DAEMON=(--attach "$S_MODE")
		;;
	degraded)
		# No BPF: cgroup files sampled every second (and PSI); a slow leak is still stopped.
		S_TIMEOUT=70 S_EXPECT=graceful S_MODE=degraded
		S_ARGS=(linear --rate 8 --duration 60)
		S_DAEMON=(--no-bpf)
		;;
	dry-run-oom)
		# --dry-run signals nothing: the kernel OOM-kills the leaker, and the daemon must say
		# so (oom:mark_victim) naming its pid, after logging what it would have done.
		S_TIMEOUT=40 S_EXPECT=oom_logged
		S_ARGS=(linear --rate 64 --duration 30)
		S_DAEMON=(--dry-run)
		;;
	burst-64)
		S_TIMEOUT=40 S_EXPECT=untouched
		S_ARGS=(burst --size 64 --duration 30)
		;;
	*)
		return 1
		;;
	esac
}

DATA_DIR=''
data_file()
{
	echo "${DATA_DIR:-/nonexistent}/${1:-pagecache-1g}.dat"
}

skip_or_fail()
{
	if [[ -n ${CI:-} ]]; then
		echo "e2e: cannot run: $1 (CI is set, so the end-to-end tests must run)" >&2
		exit 1
	fi
	echo "SKIP e2e: $1"
	exit 0
}

usage()
{
	echo "usage: tests/e2e/run.sh [NAME...]   (as root)"
	echo "scenarios: ${ALL_SCENARIOS[*]}"
}

SELECTED=()
for arg in "$@"; do
	case $arg in
	-h | --help)
		usage
		exit 0
		;;
	esac
	if ! scenario "$arg"; then
		echo "e2e: unknown scenario '$arg' (known: ${ALL_SCENARIOS[*]})" >&2
		exit 2
	fi
	SELECTED+=("$arg")
done
if ((${#SELECTED[@]} == 0)); then
	for s in "${ALL_SCENARIOS[@]}"; do
		[[ -n ${OW_VM_GUEST:-} && " ${HOST_ONLY[*]} " == *" $s "* ]] && continue
		SELECTED+=("$s")
	done
fi

if [[ $(id -u) != 0 ]]; then
	skip_or_fail "must run as root (it creates memory cgroups and oomwarden loads BPF programs)"
fi
ow_detect_memcg || skip_or_fail "$OW_CG_WHY"
for bin in "$OWD" "$OWLOAD"; do
	if [[ ! -x $bin ]]; then
		echo "e2e: $bin is missing: build it first (make)" >&2
		exit 1
	fi
done
read -r -a DAEMON_EXTRA <<<"${OW_E2E_DAEMON_ARGS:-}"

TMPD=$(mktemp -d /tmp/oomwarden-e2e.XXXXXX) || exit 1
PASSED=0 FAILED=0
DPID='' WPID='' CUR_CG='' LANE2_PID=''

# What one lane leaves behind when it is stopped: its workload, daemon, tmpfs and cgroup.
cleanup_scenario()
{
	if [[ -n $WPID ]]; then
		kill -KILL "$WPID" 2>/dev/null
		wait "$WPID" 2>/dev/null
	fi
	if [[ -n $DPID ]] && pid_alive "$DPID"; then
		kill -TERM "$DPID" 2>/dev/null
		wait_gone "$DPID" "$STOP_TIMEOUT" || kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	[[ -n ${S_TMPFS:-} ]] && umount "$S_TMPFS" 2>/dev/null
	[[ -n $CUR_CG ]] && cg_destroy "$CUR_CG"
}

cleanup()
{
	if [[ -n $LANE2_PID ]] && pid_alive "$LANE2_PID"; then
		kill -TERM "$LANE2_PID" 2>/dev/null
		wait "$LANE2_PID" 2>/dev/null
	fi
	cleanup_scenario
	[[ -n $DATA_DIR ]] && rm -rf "$DATA_DIR"
	if ((FAILED == 0)) && [[ -z ${OW_E2E_KEEP:-} ]]; then
		rm -rf "$TMPD"
	else
		echo "e2e: logs kept in $TMPD"
	fi
}
trap cleanup EXIT
trap 'trap - INT TERM; echo "e2e: interrupted" >&2; exit 130' INT TERM

# Verdicts. They read WST (workload exit status or "timeout"), OOMD (new kernel OOM kills),
# REP (workload report file) and LOG (daemon log), and append to REASONS.
check_no_oom()
{
	((OOMD == 0)) || REASONS+=("the kernel OOM killer struck $OOMD time(s) in the cgroup")
}

check_graceful()
{
	[[ $WST == 0 ]] || REASONS+=("workload ended with $(status_text "$WST"), expected exit 0")
	grep -q '^sigterm ' "$REP" || REASONS+=("the workload never reported SIGTERM")
	check_no_oom
}

check_oom_logged()
{
	local pid

	[[ $WST == 137 ]] ||
		REASONS+=("workload ended with $(status_text "$WST"), expected the kernel's SIGKILL")
	((OOMD >= 1)) || REASONS+=("the kernel OOM killer did not strike (oom_kill unchanged)")
	grep -qE '"dry_run" *: *1' "$LOG" || REASONS+=('no dry-run "act" line in the daemon log')
	pid=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$REP" | head -n1)
	grep -E "$(json_event oom_kill)" "$LOG" | grep -qE "\"pid\" *: *$pid[,}]" ||
		REASONS+=("no \"event\":\"oom_kill\" line naming the workload's pid $pid")
}

check_escalate()
{
	[[ $WST == 137 ]] ||
		REASONS+=("workload ended with $(status_text "$WST"), expected SIGKILL (137)")
	grep -qE "$(json_event escalate)" "$LOG" ||
		REASONS+=('the daemon log has no "event":"escalate" line')
	check_no_oom
}

# A worker with --drain: SIGTERMed, drains in full and exits 0; no SIGKILL, no OOM kill.
check_drained()
{
	drain_reasons "$REP" "$LOG" "$WST"
	check_no_oom
}

# A drained worker acted on by the rise to the cgroup's edge, before the high-water mark.
check_edge_rise()
{
	local act

	check_drained
	act=$(grep -E "$(json_event act)" "$LOG" | head -n1)
	[[ $act =~ \"rule\"\ *:\ *\"edge_rise\" ]] ||
		REASONS+=("the act line does not name the rule edge_rise: ${act:-no act line}")
}

# The leak came while the page-fault program was detached: detached, attached again, drained.
check_reattached()
{
	local gate

	check_drained
	gate=$(grep -E "$(json_event rss_gate)" "$LOG" | sed -n 's/.*"msg":"page-fault program \([a-z]*\).*/\1/p' |
		tr '\n' ' ')
	[[ $gate == "detached attached "* ]] ||
		REASONS+=("the page-fault program was not detached, then attached: ${gate:-no rss_gate line}")
}

# A tmpfs writer: warned with shmem named before half the limit, its tmpfs mount named as the
# one that grew and its file as the largest there, then SIGTERMed, no OOM kill.
check_shmem()
{
	check_graceful
	first_warn_names shmem
	grep -E "$(json_event level)" "$LOG" | grep -qF "\"tmpfs\":\"$S_TMPFS +" ||
		REASONS+=("no level line names $S_TMPFS as the tmpfs mount that grew")
	grep -E "$(json_event level)" "$LOG" | grep -qF "\"tmpfs_files\":\"$S_TMPFS/w " ||
		REASONS+=("no level line names $S_TMPFS/w as the largest file there")
}

# first_warn_names KIND [DIV]: the first warning names KIND as what grows, before the limit's
# 1/DIV (default 2: before half the limit).
first_warn_names()
{
	local warn usage div=${2:-2}

	warn=$(grep -E "$(json_event level)" "$LOG" | grep -E '"to" *: *"warn"' | head -n1)
	[[ $warn =~ \"grows\"\ *:\ *\"$1\" ]] ||
		REASONS+=("the first warning does not name $1: ${warn:-no warning}")
	usage=$(sed -n 's/.*"usage_mib" *: *\([0-9.]*\).*/\1/p' <<<"$warn")
	awk -v u="${usage:-999}" -v l="$S_LIMIT" -v d="$div" 'BEGIN { exit !(u < l / d) }' ||
		REASONS+=("the first warning came at ${usage:-?} MiB, not before 1/$div of the limit")
}

# Kernel memory: warned with kernel named before half the limit; the workload never signalled,
# nor braked (v2): a brake with nobody to stop only stalls the cgroup before the same OOM kill.
check_kernel()
{
	first_warn_names kernel "${1:-2}"
	! grep -q '^sigterm ' "$REP" || REASONS+=("the workload was SIGTERMed: a blind kill")
	! grep -E "$(json_event brake)" "$LOG" | grep -q '"braked"' ||
		REASONS+=("the cgroup was braked: nobody could be stopped, it only stalled")
	grep -qE "$(json_event no_victim)" "$LOG" ||
		REASONS+=('no "no_victim" line: the daemon did not say it signals nobody')
}

# kmem-8's verdict, warned before the limit (an idle v1 cgroup's kernel memory is seen within
# the 5 s of its watch: up to 40 MiB grown first, and the trend's warm-up after), and the growth
# first seen by the sight's watch, the BPF timer over the memcgs the pass found (this host's
# kernel has the cgroup iterator: 6.1 for v2, its walk of v1 later; and BPF timers, 5.15).
check_kernel_pass()
{
	check_kernel 1
	grep -E "$(json_event ready)" "$LOG" | grep -q '"sight":"watch"' ||
		REASONS+=('the ready line does not say "sight":"watch": no cgroup iterator or timer')
	grep -m1 '"seen_by":' "$LOG" | grep -q '"seen_by":"watch"' ||
		REASONS+=("the growth was not first seen by the watch: $(grep -m1 '"seen_by":' "$LOG")")
}

# --warn-signal to a leaker that sheds on it: the signal logged as sent to it, "shed" in its
# report, then nothing stopped: it ran to its --duration (exit 0), no SIGTERM, no OOM kill.
check_shed()
{
	local pid

	pid=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$REP" | head -n1)
	grep -E "$(json_event warn_signal)" "$LOG" | grep -q "\"pid\":$pid," ||
		REASONS+=("no warn_signal line names the leaker (pid $pid)")
	grep -q '^shed ' "$REP" || REASONS+=("the leaker never reported shedding")
	[[ $WST == 0 ]] || REASONS+=("workload ended with $(status_text "$WST"), expected exit 0")
	grep -q '^done .*reason=duration' "$REP" || REASONS+=("the leaker did not run to its end")
	! grep -q '^sigterm ' "$REP" || REASONS+=("the leaker was SIGTERMed after shedding")
	check_no_oom
}

# --warn-signal to a leaker without a handler: not sent, then the usual graceful stop.
check_warn_uncaught()
{
	check_graceful
	grep -E "$(json_event warn_signal)" "$LOG" | grep -q 'does not catch it' ||
		REASONS+=('no warn_signal line saying the leaker does not catch the signal')
}

check_untouched()
{
	untouched_reasons "$REP" "$LOG" "$WST"
	check_no_oom
}

check_group()
{
	local leaker others holders pid

	[[ $WST == 0 ]] || REASONS+=("group parent ended with $(status_text "$WST"), expected 0")
	leaker=$(sed -n 's/^start pid=\([0-9]*\) role=leaker .*/\1/p' "$REP" | head -n1)
	if [[ -z $leaker ]]; then
		REASONS+=("no leaker in the workload report")
	elif ! grep -q "^sigterm pid=$leaker " "$REP"; then
		REASONS+=("the leaker (pid $leaker) never reported SIGTERM")
	fi
	others=$(grep '^sigterm' "$REP" | grep -v ' role=leaker ' | awk '{ print $2, $3 }' |
		tr '\n' ' ')
	[[ -z $others ]] || REASONS+=("non-leakers were signalled: ${others% }")
	holders=$(grep -c '^done .*role=holder .*reason=duration' "$REP")
	((holders == 2)) || REASONS+=("$holders of 2 holders ran untouched to their --duration")
	while read -r pid; do
		[[ $pid == "$leaker" ]] || REASONS+=("the daemon acted on pid $pid, not the leaker")
	done < <(grep -E "$(json_event act)|$(json_event escalate)" "$LOG" |
		grep -oE '"pid" *: *[0-9]+' | grep -oE '[0-9]+$' | sort -u)
	check_no_oom
}

# stop_daemon: SIGTERM, then require exit status 0 within STOP_TIMEOUT s. Sets DST.
stop_daemon()
{
	if ! pid_alive "$DPID"; then
		wait "$DPID" 2>/dev/null
		DST=$?
		REASONS+=("the daemon exited on its own during the run ($(status_text "$DST"))")
		DPID=''
		return
	fi
	kill -TERM "$DPID"
	if wait_gone "$DPID" "$STOP_TIMEOUT" 2>/dev/null; then
		wait "$DPID" 2>/dev/null
		DST=$?
		[[ $DST == 0 ]] ||
			REASONS+=("the daemon exited with $(status_text "$DST") on SIGTERM, expected 0")
	else
		kill -KILL "$DPID"
		wait "$DPID" 2>/dev/null
		DST=timeout
		REASONS+=("the daemon was still running ${STOP_TIMEOUT} s after SIGTERM")
	fi
	DPID=''
}

run_scenario()
{
	local name=$1 dir t0 oom0 oom1 peak secs
	local -a cmd

	scenario "$name"
	dir=$TMPD/$name
	mkdir -p "$dir"
	LOG=$dir/daemon.log REP=$dir/report
	: >"$REP"
	REASONS=() WST='' OOMD=0
	t0=$SECONDS

	if [[ $name == pagecache-* || $name == edge-* ]] && [[ -z $DATA_DIR ]]; then
		local base
		if base=$(pick_data_dir 1024); then
			DATA_DIR=$(mktemp -d "$base/oomwarden-e2e-data.XXXXXX")
			scenario "$name"
		else
			REASONS+=("no on-disk (non-tmpfs) directory with 1.25 GiB free; set OW_E2E_DATA_DIR")
			report_result "$name" "$t0"
			return
		fi
	fi

	if ! CUR_CG=$(cg_create "owtest-$name-$$" "${S_LIMIT}M"); then
		CUR_CG=''
		REASONS+=("cannot create a memory cgroup under $OW_CG_ROOT")
		report_result "$name" "$t0"
		return
	fi
	oom0=$(cg_oom_kills "$CUR_CG")

	# A brake state file of its own: daemons side by side must not restore each other's brakes.
	cmd=(env "OOMWARDEN_BRAKE_STATE=$dir/brakes" "$OWD" run --cgroup "$CUR_CG" --log-format json -v "${S_DAEMON[@]}" "${DAEMON_EXTRA[@]}")
	echo "${cmd[*]}" >"$dir/daemon.cmd"
	"${cmd[@]}" >"$dir/daemon.out" 2>"$LOG" &
	DPID=$!
	if ! wait_for_line "$LOG" "$(json_event ready)" "$READY_TIMEOUT" "$DPID" 2>/dev/null; then
		if pid_alive "$DPID"; then
			REASONS+=("no \"event\":\"ready\" in the daemon log within ${READY_TIMEOUT} s")
			kill -KILL "$DPID"
			wait "$DPID" 2>/dev/null
		else
			wait "$DPID" 2>/dev/null
			REASONS+=("the daemon exited with $(status_text $?) before it was ready")
		fi
		DPID=''
		cg_destroy "$CUR_CG"
		CUR_CG=''
		report_result "$name" "$t0"
		return
	fi

	[[ -z $S_MODE ]] && S_MODE=${OW_E2E_MODE:-}
	if [[ -n $S_MODE ]] && ! grep -E "$(json_event ready)" "$LOG" | grep -qE "\"mode\" *: *\"$S_MODE\""; then
		REASONS+=("the daemon is not in mode $S_MODE: $(grep -E "$(json_event ready)" "$LOG")")
	fi
	if [[ $S_MODE == degraded ]] && ! grep -qE "$(json_event degraded)" "$LOG"; then
		REASONS+=('the daemon runs degraded without saying so (no "event":"degraded" line)')
	fi
	if [[ -n $S_TMPFS ]] && ! { mkdir -p "$S_TMPFS" && mount -t tmpfs -o size=1g,nr_inodes=0 owtest "$S_TMPFS"; }; then
		REASONS+=("cannot mount a tmpfs at $S_TMPFS")
	fi
	# Quiet first, where the scenario asks: the daemon's view of an idle cgroup settles.
	((S_IDLE > 0)) && sleep "$S_IDLE"
	# Into the cgroup first, then exec: every byte the workload allocates is charged there.
	echo "${S_ARGS[*]}" >"$dir/owload.cmd"
	sh -c 'echo $$ >"$0" && exec "$@"' "$CUR_CG/cgroup.procs" \
		"$OWLOAD" "${S_ARGS[@]}" --report "$REP" >"$dir/owload.out" 2>&1 &
	WPID=$!
	# (stderr: no "Killed" job notice from bash; the verdict reports it)
	if wait_gone "$WPID" "$S_TIMEOUT" 2>/dev/null; then
		wait "$WPID" 2>/dev/null
		WST=$?
	else
		kill -KILL "$WPID"
		wait "$WPID" 2>/dev/null
		WST=timeout
		REASONS+=("the workload was still running after ${S_TIMEOUT} s")
	fi
	WPID=''

	stop_daemon
	[[ -n $S_TMPFS ]] && umount "$S_TMPFS"
	oom1=$(cg_oom_kills "$CUR_CG")
	OOMD=$((oom1 - oom0))
	peak=$(cg_peak_mib "$CUR_CG")
	echo "peak_mib=$peak oom_kill=$oom0->$oom1 workload=$WST" >"$dir/summary"
	cg_destroy "$CUR_CG"
	CUR_CG=''
	if [[ $name == pagecache-* || $name == edge-* ]] && [[ -n $DATA_DIR ]]; then
		rm -rf "$DATA_DIR"
		DATA_DIR=''
	fi

	[[ $WST == timeout ]] || "check_$S_EXPECT"
	report_result "$name" "$t0"
}

report_result()
{
	local name=$1 secs=$((SECONDS - $2)) reason

	if ((${#REASONS[@]} == 0)); then
		echo "PASS $name (${secs}s)"
		PASSED=$((PASSED + 1))
		return
	fi
	FAILED=$((FAILED + 1))
	reason=$(printf '%s; ' "${REASONS[@]}")
	echo "FAIL $name: ${reason%; }"
	if [[ -s $LOG ]]; then
		echo "    --- daemon log (last 20 lines of $LOG):"
		tail -n 20 "$LOG" | sed 's/^/    /'
	else
		echo "    --- daemon log $LOG is empty"
	fi
	if [[ -s $REP ]]; then
		echo "    --- workload report (last 10 lines):"
		tail -n 10 "$REP" | sed 's/^/    /'
	fi
}

# claim NAME: true for the one lane that takes NAME (mkdir is atomic).
claim()
{
	mkdir "$TMPD/claims/$1" 2>/dev/null
}

is_light()
{
	[[ " ${LIGHT[*]} " == *" $1 "* ]]
}

# run_light: every selected light scenario no other lane has taken, longest first.
run_light()
{
	local name

	for name in "${LIGHT[@]}"; do
		[[ " ${SELECTED[*]} " == *" $name "* ]] && claim "$name" && run_scenario "$name"
	done
}

echo "e2e: cgroup v$OW_CG_VER at $OW_CG_ROOT, limit ${LIMIT_MIB} MiB, logs in $TMPD"
mkdir "$TMPD/claims" || exit 1
if [[ ${OW_E2E_LANES:-2} != 1 ]]; then
	# The second lane's lines are printed after the first's, whole.
	(
		trap cleanup_scenario EXIT
		trap 'exit 130' INT TERM
		run_light
		echo "$PASSED $FAILED" >"$TMPD/lane2.count"
	) >"$TMPD/lane2.out" 2>&1 &
	LANE2_PID=$!
fi
for name in "${SELECTED[@]}"; do
	is_light "$name" || run_scenario "$name"
done
run_light
if [[ -n $LANE2_PID ]]; then
	wait "$LANE2_PID"
	LANE2_PID=''
	cat "$TMPD/lane2.out"
	if read -r p f <"$TMPD/lane2.count" 2>/dev/null; then
		PASSED=$((PASSED + p)) FAILED=$((FAILED + f))
	else
		echo "FAIL lane2: the second lane ended without its count"
		FAILED=$((FAILED + 1))
	fi
fi
echo "e2e: $PASSED passed, $FAILED failed"
((FAILED == 0))
