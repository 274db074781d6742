#!/bin/bash
# End-to-end, adversarial: a cgroup nested deeper than PATH_MAX. The unprivileged user
# owhostile owns a delegated (chown'ed) memcg P (512 MiB) that the daemon watches, nests 20
# levels of 255-byte names in it (a path of ~5,200 bytes: no path-based open can reach it) and
# runs a 16 MiB/s leak at the bottom, created after the daemon started. The daemon must find
# the cgroup (its walk opens each level relative to the last) and stop the leak with SIGTERM
# before the kernel's OOM killer does; before, the walk skipped the cgroup and the leak went
# unseen until P's limit. Then the user writes a limit there: seen at the write, its watch
# reached through the directory's descriptor.
# Prints PASS/FAIL lines and `deep-cgroup: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
LEVELS=20
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-deep-cgroup.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
P='' DPID='' LEAKER=''

# The levels below P, deepest first (rmdir takes no path that long: cd down, remove upward).
remove_levels()
{
	local name=$1 i

	(
		cd "$P" 2>/dev/null || exit 0
		for ((i = 0; i < LEVELS; i++)); do
			cd "$name" 2>/dev/null || break
		done
		while [[ $PWD != "$P" ]]; do
			while read -r pid; do
				[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
			done <cgroup.procs
			sleep 0.2
			cd .. || exit 1
			rmdir "$name" 2>/dev/null
		done
	)
}

cleanup()
{
	[[ -n $LEAKER ]] && kill -KILL "$LEAKER" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $P ]] && remove_levels "$NAME"
	[[ -n $P ]] && cg_destroy "$P"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	echo "SKIP deep-cgroup: needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$OWLOAD"; do
	[[ -x $bin ]] || { echo "FAIL deep-cgroup: $bin is not built (make)"; exit 1; }
done
hostile_user || { echo "FAIL deep-cgroup: no hostile user"; exit 1; }
NAME=$(printf 'd%.0s' $(seq 255))

P=$(cg_create ow-hostile-deep-cgroup-$$ $((512 << 20))) || {
	echo "FAIL deep-cgroup: no memcg"
	exit 1
}
# Delegation as systemd does it: the directory and its files belong to the user.
chown -R "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$P"
cp "$OWLOAD" "$TMPD/owload" && chmod 755 "$TMPD" "$TMPD/owload"
mkdir "$TMPD/user" && chown "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$TMPD/user"

"$OWD" run --cgroup "$P" --log-format json -v 2>"$LOG" &
DPID=$!
if ! wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID"; then
	verdict "deep-cgroup-start" "$LOG" "the daemon did not start"
	echo "deep-cgroup: $PASSED passed, $FAILED failed"
	exit 1
fi

# As the user: nest the levels (relative mkdir and cd: the whole path is too long for any
# call), join the deepest, exec the leak; the leak's pid goes to a file.
as_hostile bash -c '
	cd "$1" || exit 1
	for ((i = 0; i < $2; i++)); do
		mkdir "$3" && cd "$3" || exit 1
	done
	echo $BASHPID >cgroup.procs || exit 1
	echo $BASHPID >"$4/user/leaker.pid"
	exec "$4/owload" linear --rate 16 --duration 60 --report "$4/user/report"
' deep "$P" "$LEVELS" "$NAME" "$TMPD" >/dev/null 2>&1 &
LEAKER=$!
R=()
for _ in $(seq 50); do
	[[ -s $TMPD/user/leaker.pid ]] && break
	sleep 0.1
done
WPID=$(cat "$TMPD/user/leaker.pid" 2>/dev/null)
[[ -n $WPID ]] || R+=("the user could not nest $LEVELS levels and join the deepest")
if [[ -n $WPID ]]; then
	wait_for_line "$LOG" "\"event\":\"act\".*\"pid\":$WPID," 60 "$DPID" ||
		R+=("no SIGTERM for the leak (pid $WPID) in the cgroup past PATH_MAX")
	expect_graceful_exit "$LEAKER" 20
	LEAKER=''
fi
kills=$(cg_oom_kills "$P")
((kills == 0)) || R+=("the kernel OOM-killed $kills process(es) in $P")
pid_alive "$DPID" || R+=("the daemon exited")
verdict "deep-cgroup-leak-stopped" "$LOG" "${R[@]}"

# The user writes a limit on that deepest cgroup: its limit file is watched through the
# directory's descriptor (no path reaches it), so the write itself is seen (limit_watch.c).
R=()
file=memory.limit_in_bytes
[[ $OW_CG_VER == 2 ]] && file=memory.max
as_hostile bash -c '
	cd "$1" || exit 1
	for ((i = 0; i < $2; i++)); do
		cd "$3" || exit 1
	done
	echo $((128 << 20)) >"$4"
' deep "$P" "$LEVELS" "$NAME" "$file" >/dev/null 2>&1 ||
	R+=("the user could not write $file of the deepest cgroup")
wait_for_line "$LOG" '"a watched cgroup.s limit changed".*"seen_by":"write"' 10 "$DPID" ||
	R+=("the limit written past PATH_MAX was not seen at its write (limit_watch.c)")
verdict "deep-cgroup-limit-write" "$LOG" "${R[@]}"

R=()
stop_daemon_expect_clean "$DPID"
DPID=''
verdict "deep-cgroup-stop" "$LOG" "${R[@]}"

echo "deep-cgroup: $PASSED passed, $FAILED failed"
((FAILED == 0))
