#!/bin/bash
# End-to-end: the daemon's systemd notifications (sd_notify(3)), received by a stand-in for
# systemd's socket (tests/e2e/notify_receiver.py), with the daemon in --dry-run on a memcg of
# its own (owh-install-*) and WATCHDOG_USEC=1000000:
#  1. path socket: READY=1 with a STATUS= summary, STATUS= again when a leak puts the cgroup
#     at risk (never twice within a second), WATCHDOG=1 every ~0.5 s, STOPPING=1 on SIGTERM;
#  2. abstract socket (@name), WATCHDOG_PID naming the daemon: the same, watchdog included;
#  3. WATCHDOG_PID naming another process: no WATCHDOG=1 at all.
# Prints PASS/FAIL lines and `sdnotify: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=build/owload
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-sdnotify.XXXXXX) || exit 1
CG='' DPID='' RPID='' WPID=''

cleanup()
{
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $RPID ]] && kill "$RPID" 2>/dev/null
	[[ -n $CG ]] && cg_destroy "$CG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || ! command -v python3 >/dev/null; then
	echo "SKIP sdnotify: needs root, a memory cgroup controller and python3"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi

# start NAME SOCKET [VAR=VALUE]...: a receiver on SOCKET and the daemon notifying it, with the
# extra environment given; waits for READY=1. Records go to $TMPD/NAME.rec.
start()
{
	local name=$1 sock=$2
	shift 2
	CG=$(cg_create "owh-install-sdnotify-$name-$$" $((256 << 20))) || return 1
	python3 tests/e2e/notify_receiver.py "$sock" "$TMPD/$name.rec" >"$TMPD/$name.recv" &
	RPID=$!
	wait_for_line "$TMPD/$name.recv" LISTENING 10 "$RPID" || return 1
	# WATCHDOG_PID=self is resolved after the fork: the shell's pid is the daemon's after exec.
	# shellcheck disable=SC2016
	env NOTIFY_SOCKET="$sock" WATCHDOG_USEC=1000000 "$@" sh -c \
		'[ "${WATCHDOG_PID:-}" = self ] && export WATCHDOG_PID=$$; exec "$0" "$@"' \
		"$OWD" run --cgroup "$CG" --dry-run --log-format json -v 2>"$TMPD/$name.log" &
	DPID=$!
	wait_for_line "$TMPD/$name.rec" 'READY=1' 20 "$DPID"
}

# stop NAME: SIGTERM to the daemon; sets DST to its exit status.
stop()
{
	kill -TERM "$DPID"
	wait "$DPID"
	DST=$?
	DPID=''
	sleep 0.2 # the last datagram may still be on its way to the file
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=''
	cg_destroy "$CG"
	CG=''
}

# count NAME REGEX: messages matching REGEX.
count()
{
	grep -cE -- "$2" "$TMPD/$1.rec"
}

# min_gap NAME REGEX: the smallest time in seconds between two messages matching REGEX.
min_gap()
{
	grep -E -- "$2" "$TMPD/$1.rec" | awk 'NR > 1 && (min == "" || $1 - t < min) { min = $1 - t }
		{ t = $1 } END { print (min == "" ? 1e9 : min) }'
}

# common_checks NAME: READY=1 first, with a summary; STOPPING=1 last; exit 0.
common_checks()
{
	local name=$1 first last

	first=$(head -n1 "$TMPD/$name.rec" | cut -d' ' -f2-)
	last=$(tail -n1 "$TMPD/$name.rec" | cut -d' ' -f2-)
	[[ $first =~ ^READY=1\|STATUS=watching\ [0-9]+\ cgroups?,\ 0\ at\ risk,\ BPF\ (tp_btf|raw_tp|tracepoint),\ dry\ run$ ]] ||
		reasons+=("first message: '$first'")
	[[ $last == STOPPING=1 ]] || reasons+=("last message: '$last', expected STOPPING=1")
	((DST == 0)) || reasons+=("the daemon exited with $(status_text "$DST")")
	grep -qE "$(json_event ready)" "$TMPD/$name.log" || reasons+=("no ready line in the log")
}

# 1. Path socket, a leak that puts the cgroup at risk.
reasons=()
if start path "$TMPD/notify.sock"; then
	sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" "$OWLOAD" linear --rate 8 \
		--stop-at 120 >/dev/null 2>&1 &
	WPID=$!
	wait_for_line "$TMPD/path.rec" 'STATUS=watching [0-9]+ cgroups?, 1 at risk' 30 "$DPID" ||
		reasons+=("no STATUS= with '1 at risk' within 30 s of the leak")
	kill -KILL "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	WPID=''
	sleep 1.2 # two more watchdog periods
	stop path
	common_checks path
	n=$(count path '^[0-9.]+ WATCHDOG=1$')
	((n >= 2)) || reasons+=("$n WATCHDOG=1, expected at least 2")
	gap=$(min_gap path 'WATCHDOG=1')
	awk -v g="$gap" 'BEGIN { exit !(g >= 0.4) }' ||
		reasons+=("WATCHDOG=1 only $gap s apart (WATCHDOG_USEC=1000000: every 0.5 s)")
	gap=$(min_gap path 'STATUS=')
	awk -v g="$gap" 'BEGIN { exit !(g >= 0.95) }' ||
		reasons+=("STATUS= sent twice within $gap s (at most once a second)")
	echo "    path: $(count path 'STATUS=') STATUS=, $n WATCHDOG=1; statuses:" \
		"$(grep -oE 'STATUS=[^|]*' "$TMPD/path.rec" | cut -d= -f2 | paste -sd ';')"
else
	reasons+=("the daemon did not send READY=1")
fi
verdict path "$TMPD/path.log" "${reasons[@]}"

# 2. Abstract socket; WATCHDOG_PID names the daemon.
reasons=()
if start abstract "@owh-install-sdnotify-$$" WATCHDOG_PID=self; then
	sleep 1.6
	stop abstract
	common_checks abstract
	n=$(count abstract '^[0-9.]+ WATCHDOG=1$')
	((n >= 2)) || reasons+=("$n WATCHDOG=1, expected at least 2")
else
	reasons+=("the daemon did not send READY=1")
fi
verdict abstract "$TMPD/abstract.log" "${reasons[@]}"

# 3. The watchdog is meant for another process: none from us.
reasons=()
if start otherpid "$TMPD/notify3.sock" WATCHDOG_PID=1; then
	sleep 1.6
	stop otherpid
	common_checks otherpid
	n=$(count otherpid 'WATCHDOG=1')
	((n == 0)) || reasons+=("$n WATCHDOG=1 though WATCHDOG_PID named another process")
else
	reasons+=("the daemon did not send READY=1")
fi
verdict otherpid "$TMPD/otherpid.log" "${reasons[@]}"

echo "sdnotify: $PASSED passed, $FAILED failed"
((FAILED == 0))
