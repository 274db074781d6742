#!/bin/bash
# End-to-end, adversarial (issue 14 defect 1): a user's FIFO among the drop-ins of its user unit.
# After a SIGTERM the daemon reads the victim's unit files and drop-ins as root, including
# ~/.config/systemd/user/UNIT.d/*.conf, to say whether systemd restarts it. The unprivileged
# user owhostile runs a leak whose memcg path names a user unit
# (.../user@UID.service/ow-fifo-home.service) under a parent named "systemd" (so the daemon
# takes it for the unit's main process), with a FIFO as a drop-in in its HOME. The open of that
# FIFO blocked the event loop for good: no act line, no SIGKILL escalation, no other cgroup
# protected. Checked:
#  1. the leak gets its SIGTERM, logged with the note read from its unit file;
#  2. it ignores SIGTERM and is SIGKILLed at the end of its grace (the loop runs on);
#  3. a second leak in another memcg is acted on; the daemon is still running.
# Prints PASS/FAIL lines and `fifo-home: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

NAME=fifo-home
OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
UNIT=ow-hostile-fifo-home.service
PASSED=0 FAILED=0
TMPD='' TOP='' CG_UNIT='' CG_OTHER='' DPID='' W1='' W2='' UNITDIR=''

cleanup()
{
	local d

	[[ -n $W1 ]] && kill -KILL "$W1" 2>/dev/null
	[[ -n $W2 ]] && kill -KILL "$W2" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $CG_UNIT ]] && cg_destroy "$CG_UNIT"
	[[ -n $CG_OTHER ]] && cg_destroy "$CG_OTHER"
	if [[ -n $TOP ]]; then
		# The user-unit-like path's levels, deepest first.
		d=${CG_UNIT%/*}
		while [[ $d == "$TOP"/* ]]; do
			rmdir "$d" 2>/dev/null
			d=${d%/*}
		done
		rmdir "$TOP" 2>/dev/null
	fi
	[[ -n $UNITDIR ]] && rm -rf "${UNITDIR:?}/$UNIT" "${UNITDIR:?}/$UNIT.d"
	[[ -n $TMPD && ${OW_E2E_KEEP:-} != 1 ]] && rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hostile_setup "$NAME"

# as_user CMD...: CMD as owhostile with HOME its home (as its session would have it).
as_user()
{
	setpriv --reuid="$HUID" --regid="$HUID" --clear-groups -- \
		env -i PATH=/usr/bin:/bin HOME="$OW_HOSTILE_HOME" "$@"
}

TMPD=$(mktemp -d /tmp/oomwarden-$NAME.XXXXXX) || exit 1
chmod 755 "$TMPD"
LOG=$TMPD/daemon.log
CONF=$TMPD/oomwarden.conf

# The user's own files: a unit, and a FIFO as its drop-in.
UNITDIR=$OW_HOSTILE_HOME/.config/systemd/user
as_user sh -c 'mkdir -p "$1/$2.d" && printf "[Service]\nRestart=always\n" >"$1/$2" &&
	mkfifo "$1/$2.d/a.conf"' sh "$UNITDIR" "$UNIT" ||
	{ echo "FAIL $NAME: cannot plant the FIFO in $UNITDIR"; exit 1; }
# A parent whose comm is "systemd": the user's "service manager".
cp /bin/sh "$TMPD/systemd" && chmod 755 "$TMPD/systemd"

TOP=$OW_CG_ROOT/ow-hostile-$NAME
SUB=ow-hostile-$NAME/user.slice/user-$HUID.slice/user@$HUID.service
mkdir -p "$OW_CG_ROOT/$SUB" || { echo "FAIL $NAME: cannot make $SUB"; exit 1; }
CG_UNIT=$(cg_create "$SUB/$UNIT" $((256 << 20))) || { echo "FAIL $NAME: no memcg"; exit 1; }
CG_OTHER=$(cg_create "ow-hostile-$NAME/other" $((256 << 20))) ||
	{ echo "FAIL $NAME: no memcg"; exit 1; }

cat >"$CONF" <<EOF
# tests/e2e/hostile/$NAME.sh
log_format = json
warn_horizon = 100
grace = 4
EOF
"$OWD" run --config "$CONF" --cgroup "$TOP" 2>"$LOG" &
DPID=$!
if ! wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID"; then
	verdict "$NAME-start" "$LOG" "the daemon did not start"
	echo "$NAME: $PASSED passed, $FAILED failed"
	exit 1
fi

# The leak: joins the memcg as root, then becomes owhostile's "systemd" and its child owload
# (16 MiB/s, holding at 240 of 256 MiB: past the high-water mark, short of the kernel's OOM).
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG_UNIT" \
	setpriv --reuid="$HUID" --regid="$HUID" --clear-groups -- \
	env -i PATH=/usr/bin:/bin HOME="$OW_HOSTILE_HOME" "$TMPD/systemd" -c \
	'"$0" linear --rate 16 --stop-at 240 --ignore-term >/dev/null 2>&1 & wait' "$OWLOAD" &
W1=$!

R=()
wait_for_line "$LOG" "\"event\":\"act\".*$UNIT" 60 "$DPID" ||
	R+=("no act line for the leak in $UNIT (the loop blocked on the FIFO?)")
# The unit file was read (its note), past the FIFO: the path under attack was taken.
grep "$(json_event act)" "$LOG" | grep -q "\"note\":\"$UNIT has Restart=always" ||
	R+=("the act line has no note from $UNIT: the unit files were not looked up")
verdict "$NAME-sigterm-logged" "$LOG" "${R[@]}"

R=()
wait_for_line "$LOG" "\"event\":\"escalate\".*$UNIT" 30 "$DPID" ||
	R+=("no SIGKILL escalation for the leak that ignores SIGTERM")
wait_gone "$W1" 10 || R+=("the leak still runs")
verdict "$NAME-escalation" "$LOG" "${R[@]}"

R=()
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG_OTHER" \
	"$OWLOAD" linear --rate 16 --stop-at 240 >/dev/null 2>&1 &
W2=$!
wait_for_line "$LOG" "\"event\":\"act\".*\"pid\":$W2," 60 "$DPID" ||
	R+=("the second leak (pid $W2, another memcg) was not acted on")
wait_gone "$W2" 10 || R+=("the second leak still runs")
pid_alive "$DPID" || R+=("the daemon exited")
verdict "$NAME-loop-runs-on" "$LOG" "${R[@]}"

# A loop blocked in an open() never reads its signalfd: bounded wait.
kill -TERM "$DPID"
R=()
if wait_gone "$DPID" 20; then
	wait "$DPID"
	DST=$?
	((DST == 0)) || R+=("the daemon exited with $(status_text "$DST") on SIGTERM")
else
	R+=("the daemon did not stop within 20 s of SIGTERM")
	kill -KILL "$DPID"
	wait "$DPID"
fi
DPID=''
verdict "$NAME-stop" "$LOG" "${R[@]}"

echo "$NAME: $PASSED passed, $FAILED failed"
((FAILED == 0))
