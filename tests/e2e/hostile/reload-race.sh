#!/bin/bash
# End-to-end, adversarial: SIGHUPs that remove, change and restore the webhooks while metrics
# are written and scraped. A reload stops the alert sender and frees the options it replaces;
# nothing may still point at them (the exporter did: the next metrics tick after a reload that
# changed the webhooks read the freed sender, a SIGSEGV in the production build).
#  1. eight reloads cycling webhook A -> none -> B (another format) -> A..., each followed by a
#     metrics tick, while a leak sends alerts and a loop scrapes GET /metrics: the daemon
#     survives, logs each reload, keeps writing the file and answering scrapes;
#  2. the alert counters never go back across the sender swaps; the file passes prom-lint;
#  3. SIGTERM: exit 0.
# OW_E2E_DAEMON may point at an ASan build (`make OUT=build-asan CFLAGS='-fsanitize=...'`):
# any sanitizer report in the log fails the test. Prints PASS/FAIL lines and
# `reload-race: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
PROM_LINT=${OW_E2E_PROM_LINT:-build/prom-lint}
RELOADS=8
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-reload-race.XXXXXX) || exit 1
CONF=$TMPD/oomwarden.conf
LOG=$TMPD/daemon.log
PROM=$TMPD/metrics.prom
CG='' DPID='' WPID='' RPID='' SPID=''

cleanup()
{
	[[ -n $SPID ]] && kill "$SPID" 2>/dev/null
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $RPID ]] && kill "$RPID" 2>/dev/null
	[[ -n $CG ]] && cg_destroy "$CG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || ! command -v python3 >/dev/null ||
	! command -v curl >/dev/null; then
	echo "SKIP reload-race: needs root, a memory cgroup controller, python3 and curl"
	[[ ${CI:-} == true ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$OWLOAD" "$PROM_LINT"; do
	[[ -x $bin ]] || { echo "FAIL reload-race: $bin is not built (make)"; exit 1; }
done
# A leak report from libbpf's own allocations at exit is not what this test is about.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

alert_receiver "$TMPD" || { echo "FAIL reload-race: the receiver did not start"; exit 1; }
MPORT=$(free_port)

# write_conf A|B|none: the same metrics settings, a different webhook (or none).
write_conf()
{
	{
		echo "# tests/e2e/hostile/reload-race.sh: $1"
		echo "log_format = json"
		echo "warn_horizon = 100"
		echo "metrics_file = $PROM"
		echo "metrics_interval = 1"
		echo "metrics_listen = 127.0.0.1:$MPORT"
		case $1 in
		A) printf 'webhook = http://127.0.0.1:%s/ok/a\nwebhook_format = json\n' "$PORT" ;;
		B) printf 'webhook = http://127.0.0.1:%s/ok/b\nwebhook_format = slack\n' "$PORT" ;;
		esac
	} >"$CONF.new"
	mv "$CONF.new" "$CONF"
}

# count EVENT: how many JSON log lines of that event.
count()
{
	grep -c "$(json_event "$1")" "$LOG"
}

# metric NAME: its value in the metrics file (empty if missing).
metric()
{
	awk -v n="oomwarden_$1" '$1 == n { print $2 }' "$PROM" 2>/dev/null
}

sanitizer_report()
{
	grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$LOG"
}

CG=$(cg_create "ow-hostile-reload-race-$$" $((256 << 20))) || {
	echo "FAIL reload-race: no memcg"
	exit 1
}
write_conf A
"$OWD" run --config "$CONF" --cgroup "$CG" --dry-run 2>"$LOG" &
DPID=$!
if ! wait_for_line "$LOG" "$(json_event ready)" 30 "$DPID"; then
	verdict "reload-race-start" "$LOG" "the daemon did not start"
	echo "reload-race: $PASSED passed, $FAILED failed"
	exit 1
fi

# Alerts going out while the sender is swapped: a leak the dry run warns and "acts" on.
sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" "$OWLOAD" linear --rate 16 \
	--stop-at 240 >/dev/null 2>&1 &
WPID=$!
# Scrapes as fast as curl goes, through every reload.
(
	ok=0 bad=0
	while :; do
		if curl -sf -m 2 -o /dev/null "http://127.0.0.1:$MPORT/metrics"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
		echo "$ok $bad" >"$TMPD/scrapes.new" && mv "$TMPD/scrapes.new" "$TMPD/scrapes"
	done
) &
SPID=$!

# 1. Reloads cycling the webhooks, each followed by a metrics tick.
R=() SENT_PREV=0 BACK=''
CONFS=(none B A)
for ((i = 0; i < RELOADS; i++)); do
	write_conf "${CONFS[i % 3]}"
	before=$(count reloaded)
	kill -HUP "$DPID" 2>/dev/null
	for _ in $(seq 100); do
		(($(count reloaded) > before)) && break
		pid_alive "$DPID" || break
		sleep 0.1
	done
	sleep 1.5 # a tick of the 1 s metrics timer and a few scrapes after the swap
	pid_alive "$DPID" || { R+=("the daemon died after reload $((i + 1)) (${CONFS[i % 3]})"); break; }
	sent=$(metric alerts_sent_total)
	[[ -n $sent ]] && ((sent < SENT_PREV)) && BACK+=" $SENT_PREV->$sent"
	SENT_PREV=${sent:-$SENT_PREV}
done
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=''
((${#R[@]})) || (($(count reloaded) == RELOADS)) ||
	R+=("$(count reloaded) reloaded lines for $RELOADS SIGHUPs")
(($(count alerts) >= RELOADS)) ||
	R+=("$(count alerts) alert sender restarts logged, want one per webhook change")
sanitizer_report && R+=("a sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$LOG")")
read -r OK BAD <"$TMPD/scrapes" 2>/dev/null
((${OK:-0} > 0)) || R+=("no scrape answered (${BAD:-0} failed)")
# After the last reload: a fresh file and a scrape that still works.
MT0=$(stat -c %Y.%y "$PROM" 2>/dev/null)
sleep 2.2
[[ $(stat -c %Y.%y "$PROM" 2>/dev/null) != "$MT0" ]] ||
	R+=("the metrics file is no longer written after the reloads")
curl -sf -m 2 "http://127.0.0.1:$MPORT/metrics" | grep -q '^oomwarden_alerts_sent_total ' ||
	R+=("GET /metrics does not answer after the reloads")
verdict "reload-race-survives" "$LOG" "${R[@]}"

# 2. The alert counters are totals across senders; the file is well-formed.
R=()
[[ -z $BACK ]] || R+=("oomwarden_alerts_sent_total went back:$BACK")
DELIVERED=$(grep -c '"path": *"/ok/' "$TMPD/records.jsonl" 2>/dev/null)
[[ -n $(metric alerts_sent_total) ]] || R+=("no oomwarden_alerts_sent_total in the file")
(($(metric alerts_sent_total) <= ${DELIVERED:-0})) ||
	R+=("$(metric alerts_sent_total) alerts counted sent, the receiver got ${DELIVERED:-0}")
"$PROM_LINT" "$PROM" >"$TMPD/lint.out" 2>&1 || R+=("prom-lint: $(head -n 3 "$TMPD/lint.out")")
verdict "reload-race-counters" "$LOG" "${R[@]}"

# 3. A clean stop.
kill -KILL "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null
WPID=''
R=()
kill -TERM "$DPID"
wait "$DPID"
DST=$?
DPID=''
((DST == 0)) || R+=("the daemon exited with $(status_text "$DST") on SIGTERM")
sanitizer_report && R+=("a sanitizer report at exit: $(grep -m1 -E 'Sanitizer|runtime error' "$LOG")")
verdict "reload-race-stop" "$LOG" "${R[@]}"

echo "reload-race: $PASSED passed, $FAILED failed"
((FAILED == 0))
