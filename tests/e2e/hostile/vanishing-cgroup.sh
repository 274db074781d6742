#!/bin/bash
# End-to-end, adversarial: memcgs removed between the kernel's report of their growth and the
# daemon's evaluation of it. The evaluation finds the cgroup gone and rescans; the rescan must
# not free what the event's handler still holds (it did: evaluate_limit_points read the freed
# cgroup). A delegated subtree's owner can create and remove memcgs as fast as it likes.
#  1. the exact window, three times: the daemon is stopped (SIGSTOP) while a burst in a known
#     child memcg queues its steps, the child is removed, the daemon resumes: it survives;
#  2. churn for a bounded time: short-lived child memcgs, each with a burst of growth by the
#     unprivileged user, removed the moment the burst exits, three at a time: it survives;
#  3. afterwards a leak in a new child is still acted on (--dry-run), and SIGTERM exits 0.
# OW_E2E_DAEMON may point at an ASan build: any sanitizer report fails the test. Prints
# PASS/FAIL lines and `vanishing-cgroup: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
CHURN_S=${OW_E2E_CHURN_S:-15}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-vanishing-cgroup.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
CG='' DPID='' WPID='' CHURNERS=()

cleanup()
{
	local c

	[[ -n $DPID ]] && kill -CONT "$DPID" 2>/dev/null && kill -KILL "$DPID" 2>/dev/null
	for c in "${CHURNERS[@]}"; do
		kill "$c" 2>/dev/null
	done
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	wait 2>/dev/null
	if [[ -n $CG ]]; then
		for c in "$CG"/*/; do
			[[ -d $c ]] && cg_destroy "${c%/}"
		done
		cg_destroy "$CG"
	fi
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	echo "SKIP vanishing-cgroup: needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
	[[ ${CI:-} == true ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$OWLOAD"; do
	[[ -x $bin ]] || { echo "FAIL vanishing-cgroup: $bin is not built (make)"; exit 1; }
done
hostile_user || { echo "FAIL vanishing-cgroup: no unprivileged user"; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
chmod o+rx "$TMPD" # the hostile user's workload runs from here

# child NAME: a child memcg of CG with a 64 MiB limit, printed.
child()
{
	local dir=$CG/$1

	mkdir "$dir" && echo $((64 << 20)) >"$dir/memory.limit_in_bytes" 2>/dev/null ||
		echo $((64 << 20)) >"$dir/memory.max" || return 1
	echo "$dir"
}

# burst DIR: 24 MiB at once in DIR by the unprivileged user, held 0.3 s, then exit.
burst()
{
	sh -c 'echo $$ >"$0" && exec "$@"' "$1/cgroup.procs" setpriv --reuid="$OW_HOSTILE_UID" \
		--regid="$OW_HOSTILE_UID" --clear-groups -- "$OWLOAD" burst --size 24 \
		--duration 0.3 >/dev/null 2>&1
}

sanitizer_report()
{
	grep -qE 'AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$LOG"
}

alive_and_clean()
{
	pid_alive "$DPID" || R+=("the daemon died: $(grep -m1 -E 'Sanitizer|runtime error' "$LOG")")
	sanitizer_report && R+=("a sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$LOG")")
}

# The parent has a limit of its own: a limit point, walked from each child's event.
CG=$(cg_create "ow-hostile-vanishing-cgroup-$$" $((512 << 20))) || {
	echo "FAIL vanishing-cgroup: no memcg"
	exit 1
}
for i in 1 2 3; do
	child "window-$i" >/dev/null || { echo "FAIL vanishing-cgroup: no child memcg"; exit 1; }
done
cp "$OWLOAD" "$TMPD/owload" && chmod o+rx "$TMPD/owload" && OWLOAD=$TMPD/owload
"$OWD" run --cgroup "$CG" --dry-run --log-format json -vv 2>"$LOG" &
DPID=$!
if ! wait_for_line "$LOG" "$(json_event ready)" 30 "$DPID"; then
	verdict "vanishing-cgroup-start" "$LOG" "the daemon did not start"
	echo "vanishing-cgroup: $PASSED passed, $FAILED failed"
	exit 1
fi

# 1. Steps queued for a memcg that is gone by the time they are read.
R=()
for i in 1 2 3; do
	kill -STOP "$DPID"
	burst "$CG/window-$i"
	rmdir "$CG/window-$i" || R+=("could not remove window-$i")
	sleep 0.5 # past the daemon's minimum rescan interval
	kill -CONT "$DPID"
	sleep 1
	alive_and_clean
	((${#R[@]})) && break
done
grep -q '"cgroup removed","cgroup":"/ow-hostile-vanishing-cgroup-[0-9]*/window-' "$LOG" ||
	R+=("the daemon never saw a window-N memcg go")
verdict "vanishing-cgroup-window" "$LOG" "${R[@]}"

# 2. Churn: each worker makes, fills and removes one memcg after another.
R=()
for w in 1 2 3; do
	(
		end=$((SECONDS + CHURN_S)) i=0
		while ((SECONDS < end)); do
			c=$(child "churn-$w-$i") || break
			burst "$c"
			rmdir "$c" 2>/dev/null || { sleep 0.1; rmdir "$c"; }
			i=$((i + 1))
		done
		echo "$i" >"$TMPD/churn-$w"
	) &
	CHURNERS+=($!)
done
wait "${CHURNERS[@]}"
CHURNERS=()
N=$(cat "$TMPD"/churn-* 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
((N >= 10)) || R+=("only $N memcgs churned in ${CHURN_S} s")
sleep 1
alive_and_clean
verdict "vanishing-cgroup-churn" "$LOG" "${R[@]}"

# 3. Still working: a leak in a new child is acted on.
R=()
C=$(child leak) || R+=("no child memcg for the leak")
if [[ -n $C ]]; then
	sh -c 'echo $$ >"$0" && exec "$@"' "$C/cgroup.procs" "$OWLOAD" linear --rate 4 \
		--stop-at 60 >/dev/null 2>&1 &
	WPID=$!
	wait_for_line "$LOG" "$(json_event act).*\"pid\":$WPID," 60 "$DPID" ||
		R+=("no dry-run act on the leak (pid $WPID) after the churn")
	kill -KILL "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	WPID=''
fi
alive_and_clean
if pid_alive "$DPID"; then
	kill -TERM "$DPID"
	wait "$DPID"
	DST=$?
	((DST == 0)) || R+=("the daemon exited with $(status_text "$DST") on SIGTERM")
fi
DPID=''
sanitizer_report && R+=("a sanitizer report at exit: $(grep -m1 -E 'Sanitizer|runtime error' "$LOG")")
verdict "vanishing-cgroup-still-acts" "$LOG" "${R[@]}"

echo "vanishing-cgroup: $PASSED passed, $FAILED failed"
((FAILED == 0))
