#!/bin/bash
# End-to-end, adversarial: a memcg's first sight lost to a full ring buffer. The BPF side
# reports a memcg it has not seen once, then keeps it silent until the daemon configures it; if
# that one event is dropped, the memcg stays silent. owhostile, in a delegated memcg P the
# daemon watches, floods the ring buffer (a fast sawtooth in P/flood, 256 KiB steps) while the
# daemon is stopped (SIGSTOP stands for a daemon busy elsewhere: the buffer fills either way),
# then starts a 16 MiB/s leak in a new memcg P/leak (256 MiB) whose first sight is dropped.
# After SIGCONT the daemon must notice the drops (ringbuf_full), rescan, configure P/leak and
# SIGTERM the leak before the kernel's OOM killer; before, nothing ever named P/leak again
# until its OOM kill.
# Prints PASS/FAIL lines and `lost-first-sight: N passed, N failed`. Run as root from the repo
# root.
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-lost-first-sight.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
P='' DPID='' FLOOD='' LEAKER=''

cleanup()
{
	[[ -n $FLOOD ]] && kill -KILL "$FLOOD" 2>/dev/null
	[[ -n $LEAKER ]] && kill -KILL "$LEAKER" 2>/dev/null
	[[ -n $DPID ]] && kill -CONT "$DPID" 2>/dev/null && kill -KILL "$DPID" 2>/dev/null
	if [[ -n $P ]]; then
		cg_destroy "$P/flood"
		cg_destroy "$P/leak"
		cg_destroy "$P"
	fi
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	echo "SKIP lost-first-sight: needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$OWLOAD"; do
	[[ -x $bin ]] || { echo "FAIL lost-first-sight: $bin is not built (make)"; exit 1; }
done
hostile_user || { echo "FAIL lost-first-sight: no hostile user"; exit 1; }
[[ $OW_CG_VER == 2 ]] && LIMIT_FILE=memory.max || LIMIT_FILE=memory.limit_in_bytes
export LIMIT_FILE # for the user's shell

P=$(cg_create ow-hostile-lost-first-sight-$$ $((1 << 30))) || {
	echo "FAIL lost-first-sight: no memcg"
	exit 1
}
[[ $OW_CG_VER == 2 ]] && echo +memory >"$P/cgroup.subtree_control"
chown -R "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$P"
cp "$OWLOAD" "$TMPD/owload" && chmod 755 "$TMPD" "$TMPD/owload"
mkdir "$TMPD/user" && chown "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$TMPD/user"

# as_user_in NAME LIMIT_MIB ARGS...: as owhostile, make P/NAME with that limit, join it, note
# the pid in $TMPD/user/NAME.pid and exec owload ARGS.
as_user_in()
{
	as_hostile sh -c '
		dir=$1/$2 lim=$3 tmp=$4
		shift 4
		mkdir "$dir" && echo $((lim << 20)) >"$dir/$LIMIT_FILE" &&
			echo $$ >"$dir/cgroup.procs" || exit 1
		echo $$ >"$tmp/user/${dir##*/}.pid"
		exec "$tmp/owload" "$@"
	' as_user_in "$P" "$@"
}

"$OWD" run --cgroup "$P" --log-format json 2>"$LOG" &
DPID=$!
if ! wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID"; then
	verdict "lost-first-sight-start" "$LOG" "the daemon did not start"
	echo "lost-first-sight: $PASSED passed, $FAILED failed"
	exit 1
fi

R=()
as_user_in flood 64 "$TMPD" sawtooth --low 0 --high 32 --rate 2048 --duration 60 \
	>/dev/null 2>&1 &
FLOOD=$!
sleep 2 # the daemon configures P/flood: 256 KiB steps, hundreds of events a second
kill -STOP "$DPID"
sleep 3 # ~3,000 events fill the 256 KiB ring buffer
as_user_in leak 256 "$TMPD" linear --rate 16 --duration 60 --report "$TMPD/user/report" \
	>/dev/null 2>&1 &
LEAKER=$!
sleep 2 # its first sight meets the full buffer
kill -KILL "$(cat "$TMPD/user/flood.pid" 2>/dev/null)" 2>/dev/null
wait "$FLOOD" 2>/dev/null
FLOOD=''
kill -CONT "$DPID"
WPID=$(cat "$TMPD/user/leak.pid" 2>/dev/null)
[[ -n $WPID ]] || R+=("the user could not start the leak in $P/leak")
wait_for_line "$LOG" "$(json_event ringbuf_full)" 10 "$DPID" ||
	R+=("no ringbuf_full: the flood did not fill the ring buffer (the case did not happen)")
if [[ -n $WPID ]]; then
	wait_for_line "$LOG" "\"event\":\"act\".*\"pid\":$WPID," 30 "$DPID" ||
		R+=("no SIGTERM for the leak (pid $WPID) whose first sight was dropped")
	expect_graceful_exit "$LEAKER" 20
	LEAKER=''
fi
kills=$(cg_oom_kills "$P")
((kills == 0)) || R+=("the kernel OOM-killed $kills process(es) in $P")
pid_alive "$DPID" || R+=("the daemon exited")
verdict "lost-first-sight-leak-stopped" "$LOG" "${R[@]}"

R=()
stop_daemon_expect_clean "$DPID"
DPID=''
verdict "lost-first-sight-stop" "$LOG" "${R[@]}"

echo "lost-first-sight: $PASSED passed, $FAILED failed"
((FAILED == 0))
