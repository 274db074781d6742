#!/bin/bash
# End-to-end, adversarial: a user has the kernel OOM-kill processes in its own memcg in a loop.
# The kernel OOM-kills as often as a process outgrows the memcg's limit, and each kill was an
# error line and an alert: of the 64 an alert target queues, the rest dropped, other cgroups'
# warnings and actions among them. The user's memcg k (64 MiB) gets OOM_KILLS processes that
# each take 100 MiB at once, within a minute; the daemon runs --dry-run, so that each is the
# kernel's kill (its own SIGTERM and SIGKILL stop most such bursts first). Checked:
#  1. all those kills counted (oomwarden_cgroup_oom_kills_total), one told for k: one error
#     line and one oom_kill alert (a cgroup's kills are told once a minute, the next one
#     saying how many came between);
#  2. an OOM kill elsewhere then is alerted, naming its process;
#  3. the daemon is still running, and stops cleanly.
# Prints PASS/FAIL lines and `oom-loop: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

NAME=oom-loop
OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
OOM_KILLS=${OW_OOM_LOOP_KILLS:-30}
PASSED=0 FAILED=0
TMPD='' TOP='' CG_H='' CG_OTHER='' DPID='' PIDS=() RPID=''

teardown()
{
	[[ -n $RPID ]] && kill "$RPID" 2>/dev/null
	hostile_teardown
}
trap teardown EXIT
trap 'exit 130' INT TERM

hostile_delegated "$NAME"
if ! as_hostile sh -c 'mkdir "$0/k" && echo 64M >"$0/k/$1"' "$CG_H" "$LIMIT_NAME"; then
	echo "FAIL $NAME: the user could not make its memcg"
	exit 1
fi
alert_receiver "$TMPD" || { echo "FAIL $NAME: the receiver did not start"; exit 1; }
PROM=$TMPD/metrics.prom
if ! daemon_start "$LOG" --cgroup "$TOP" --dry-run --metrics-file "$PROM" --metrics-interval 1 \
	--webhook "http://127.0.0.1:$PORT/ok/$NAME" --webhook-format json; then
	verdict "$NAME-start" "$LOG" "the daemon did not start"
	echo "$NAME: $PASSED passed, $FAILED failed"
	exit 1
fi

# alerts KIND: how many alerts of KIND the receiver got.
alerts()
{
	python3 - "$TMPD/records.jsonl" "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    for a in json.loads(json.loads(line)["body"])["alerts"]:
        n += a["kind"] == sys.argv[2]
print(n)
PY
}

R=()
k=$CG_H/k
oom0=$(cg_oom_kills "$k")
as_hostile bash -c 'for ((i = 0; i < $2; i++)); do
	sh -c "echo \$\$ >\"\$0/cgroup.procs\" && exec \"\$1\" burst --size 100 --duration 1" \
		"$0" "$1" >/dev/null 2>&1
done' "$k" "$OWLOAD" "$OOM_KILLS"
kills=$(($(cg_oom_kills "$k") - oom0))
((kills >= OOM_KILLS * 9 / 10)) || R+=("only $kills OOM kills in k of $OOM_KILLS processes")
re="^oomwarden_cgroup_oom_kills_total\\{cgroup=\"[^\"]*/user/k\",[^}]*\\} $kills\$"
wait_for_line "$PROM" "$re" 10 "$DPID" ||
	R+=("the metrics do not count $kills OOM kills in k: $(grep 'oom_kills_total{.*/user/k"' "$PROM")")
sleep 2 # the sender's burst
told=$(grep -E "$(json_event oom_kill)" "$LOG" | grep -c '"level":"error"')
oom_alerts=$(alerts oom_kill)
echo "   $kills OOM kills in k: $told error line(s), $oom_alerts oom_kill alert(s)"
((told == 1)) || R+=("$told error lines for k's OOM kills, expected 1")
((oom_alerts == 1)) || R+=("$oom_alerts oom_kill alerts for k, expected 1")
verdict "$NAME-told-once" "$LOG" "${R[@]}"

R=()
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$1" burst --size 300 --duration 1' "$CG_OTHER" \
	"$OWLOAD" >/dev/null 2>&1 &
pid=$!
wait "$pid"
st=$?
((st == 137)) || R+=("the burst elsewhere ended with $(status_text "$st"), not an OOM kill")
sleep 2
(($(alerts oom_kill) == 2)) || R+=("$(alerts oom_kill) oom_kill alerts in all, expected 2")
grep -E "$(json_event oom_kill)" "$LOG" | grep '"level":"error"' | grep -q "\"pid\":$pid," ||
	R+=("no error line for the OOM kill elsewhere (pid $pid)")
verdict "$NAME-elsewhere-told" "$LOG" "${R[@]}"

hostile_end "$NAME"
