#!/bin/bash
# End-to-end, adversarial (issue 17): a user whose memcg is at warn runs short-lived processes.
# With no per-process events (degraded here; a cgroup at warn while the page-fault program is
# detached takes the same path) the daemon samples a cgroup's processes itself, once a second
# at warn, and no exit event removes what it sampled: each short-lived process left a record
# (~0.5 KiB) for good, so a user's loop of `sleep 0.5 &` grew the daemon without bound. The
# unprivileged user owhostile leaks 3 MiB/s in its 256 MiB memcg (at warn within seconds, far
# from act) and starts 40 processes of half a second each, over and over, for SPAWN_S seconds.
# Checked (the daemon's metrics file):
#  1. the records it holds (oomwarden_processes) stay under twice the sweep's minimum
#     (core/model.h, OW_PROCS_SWEEP_MIN 256): the dead are swept when the records double;
#  2. the cgroup was at warn (the test did what it says), the daemon still runs and stops
#     cleanly.
# Prints PASS/FAIL lines and `short-lived: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

NAME=short-lived
OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
SPAWN_S=${OW_SHORT_LIVED_S:-30}
BOUND=512 # 2 * OW_PROCS_SWEEP_MIN
PASSED=0 FAILED=0
TMPD='' TOP='' CG_H='' CG_OTHER='' DPID='' PIDS=()

trap hostile_teardown EXIT
trap 'exit 130' INT TERM

hostile_setup "$NAME"

hostile_tmpd "$NAME"
PROM=$TMPD/metrics.prom
hostile_memcgs "$NAME" $((256 << 20))
chown "$HUID" "$CG_H/cgroup.procs" || { echo "FAIL $NAME: cannot delegate"; exit 1; }

if ! daemon_start "$LOG" --no-bpf --cgroup "$TOP" --metrics-file "$PROM" --metrics-interval 1; then
	echo "FAIL $NAME: the daemon did not start"
	exit 1
fi

hostile_in_cg "$CG_H" "$OWLOAD" linear --rate 3 --duration $((SPAWN_S + 20))
hostile_in_cg "$CG_H" bash -c 'while ((SECONDS < $0)); do
	for i in {1..40}; do sleep 0.5 & done
	wait
done' "$SPAWN_S"
spawner=$LAST
most=0
while pid_alive "$spawner"; do
	sleep 1
	n=$(sed -n 's/^oomwarden_processes //p' "$PROM")
	((${n:-0} > most)) && most=$n
done
sleep 2 # a last sample
n=$(sed -n 's/^oomwarden_processes //p' "$PROM")
((${n:-0} > most)) && most=$n

R=()
echo "   processes held: at most $most, $n at the end, after ~$((SPAWN_S * 80)) short-lived ones"
((most > 0)) || R+=("the daemon held no process: nothing was sampled")
((most < BOUND)) || R+=("the daemon held $most processes (the bound is $BOUND)")
grep -q '"level":"warning","event":"level".*/ow-hostile-'"$NAME"'/user"' "$LOG" ||
	R+=("the user's memcg never reached warn: its processes were not sampled")
verdict "$NAME-records-bounded" "$LOG" "${R[@]}"

hostile_end "$NAME"
