#!/bin/bash
# End-to-end, adversarial: a user renames its own memcg. cgroup v1 lets whoever may write a
# cgroup's parent rename the cgroup in place (cgroup1_rename; v2 refuses), and a delegation by
# chown gives a user its directory. The daemon knows a cgroup by its id and reads its files by
# its path: the reads by the old path fail and ask for a scan, which must take the new path (it
# kept the old one: the memcg was blind for good, its leak left to the kernel's OOM kill).
#  1. the user's memcg a (256 MiB) is renamed b while watched; a leak the user then starts in b
#     (32 MiB/s) is stopped gracefully, with no kernel OOM kill there;
#  2. the daemon says the cgroup was renamed, and its metrics name b's path, not a's;
#  3. the daemon is still running, and stops cleanly.
# On v2 the rename is refused (checked): the rest needs v1. Prints PASS/FAIL lines and
# `rename: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

NAME=rename
OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
PASSED=0 FAILED=0
TMPD='' TOP='' CG_H='' CG_OTHER='' DPID='' PIDS=()

trap hostile_teardown EXIT
trap 'exit 130' INT TERM

hostile_delegated "$NAME"
if ! as_hostile sh -c 'mkdir "$0/a" && echo 256M >"$0/a/$1"' "$CG_H" "$LIMIT_NAME"; then
	echo "FAIL $NAME: the user could not make its memcg"
	exit 1
fi
PROM=$TMPD/metrics.prom
if ! daemon_start "$LOG" --cgroup "$TOP" --grace 4 --metrics-file "$PROM" --metrics-interval 1; then
	verdict "$NAME-start" "$LOG" "the daemon did not start"
	echo "$NAME: $PASSED passed, $FAILED failed"
	exit 1
fi
wait_for_line "$PROM" "path=\"$CG_H/a\"" 10 "$DPID" ||
	{ verdict "$NAME-watched" "$LOG" "the user's memcg a is not in the metrics"; exit 1; }

if [[ $OW_CG_VER == 2 ]]; then
	R=()
	as_hostile mv "$CG_H/a" "$CG_H/b" 2>/dev/null && R+=("cgroup v2 renamed a cgroup")
	verdict "$NAME-refused-on-v2" "$LOG" "${R[@]}"
	hostile_end "$NAME"
	exit
fi

R=()
as_hostile mv "$CG_H/a" "$CG_H/b" || R+=("the user could not rename its memcg")
rep=$TMPD/leak.report
: >"$rep" && chown "$HUID" "$rep"
oom0=$(cg_oom_kills "$CG_H/b")
hostile_in_cg "$CG_H/b" "$OWLOAD" linear --rate 32 --drain 2 --duration 30 --report "$rep"
expect_graceful_exit "$LAST" 40
grep -q '^sigterm ' "$rep" || R+=("the leak in the renamed memcg was never SIGTERMed")
(($(cg_oom_kills "$CG_H/b") == oom0)) || R+=("the kernel OOM-killed in the renamed memcg")
verdict "$NAME-leak-stopped" "$LOG" "${R[@]}"

R=()
grep -E "$(json_event watch)" "$LOG" | grep -q "a cgroup was renamed" ||
	R+=("no line says the cgroup was renamed")
wait_for_line "$PROM" "path=\"$CG_H/b\"" 10 "$DPID" || R+=("the metrics do not name b's path")
! grep -q "path=\"$CG_H/a\"" "$PROM" || R+=("the metrics still name a's path")
verdict "$NAME-new-path" "$LOG" "${R[@]}"

hostile_end "$NAME"
