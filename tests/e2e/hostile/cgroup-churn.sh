#!/bin/bash
# End-to-end, adversarial (issue 17): a user makes memcgs in its delegated subtree, runs a
# process in each, and removes them, in a loop, under the classic tracepoint flavour
# (--attach tracepoint), which has no rmdir program: each memcg is placed at its first sight
# (a page fault of its process) and a removed one is let go only by a full scan. Without one
# after every 256 placed (daemon/rescan.c), the daemon kept an entry for each removed memcg
# until something else asked for a scan. The other flavours let go at the rmdir event
# (delegated-flood.sh counts those exactly).
# The unprivileged user owhostile makes 10 memcgs, runs a short process in each, waits 50 ms
# (the daemon places them meanwhile) and removes them: ROUNDS rounds. Checked (the metrics
# file): the daemon holds at most 256 cgroups more than exist, and it stops cleanly.
# Prints PASS/FAIL lines and `cgroup-churn: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

NAME=cgroup-churn
OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
ROUNDS=${OW_CGROUP_CHURN_ROUNDS:-60}
SLACK=256 # PLACED_PER_SCAN
PASSED=0 FAILED=0
TMPD='' TOP='' CG_H='' CG_OTHER='' DPID=''

trap hostile_teardown EXIT
trap 'exit 130' INT TERM

hostile_setup "$NAME"

hostile_tmpd "$NAME"
PROM=$TMPD/metrics.prom
hostile_memcgs "$NAME" $((1 << 30))
chown "$HUID" "$CG_H" "$CG_H/cgroup.procs" || { echo "FAIL $NAME: cannot delegate"; exit 1; }
[[ $OW_CG_VER == 2 ]] && chown "$HUID" "$CG_H/cgroup.subtree_control" &&
	echo +memory >"$CG_H/cgroup.subtree_control"

if ! daemon_start "$LOG" --attach tracepoint --cgroup "$TOP" --metrics-file "$PROM" \
	--metrics-interval 1; then
	echo "FAIL $NAME: the daemon did not start"
	exit 1
fi

# The user's shell in a memcg of its own (home), so that on v2 too its processes move within
# the delegated subtree.
mkdir "$CG_H/home" && chown "$HUID" "$CG_H/home" "$CG_H/home/cgroup.procs" ||
	{ echo "FAIL $NAME: no home memcg"; exit 1; }
R=()
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG_H/home" env HOME="$OW_HOSTILE_HOME" \
	setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" --clear-groups -- \
	bash -c 'for ((r = 0; r < $1; r++)); do
	for i in {0..9}; do
		mkdir "$0/c$i" && sh -c "echo \$\$ >$0/c$i/cgroup.procs && exec true"
	done
	sleep 0.05
	rmdir "$0"/c*/
done' "$CG_H" "$ROUNDS" >"$TMPD/churn.out" 2>&1 ||
	R+=("the user's loop failed: $(head -n1 "$TMPD/churn.out")")
there=$(find "$TOP" -type d | wc -l)
sleep 2 # the last metrics
held=$(sed -n 's/^oomwarden_cgroups //p' "$PROM")
echo "   cgroups held: ${held:-?} of $there, after $((ROUNDS * 10)) made and removed"
((${held:-0} > 0 && held <= there + SLACK)) ||
	R+=("the daemon holds ${held:-no} cgroups, $there exist (at most $SLACK more may wait)")
grep -q '"mode":"tracepoint"' "$LOG" || R+=("the daemon did not run the classic tracepoint flavour")
verdict "$NAME-classic-bounded" "$LOG" "${R[@]}"

hostile_end "$NAME"
