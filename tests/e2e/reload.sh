#!/bin/bash
# End-to-end: SIGHUP reloads the config file under a running daemon (--dry-run, one memcg).
#  1. a file with an error: one error line naming file, line and key; the daemon keeps running
#     on its previous config (a leak is still acted on: the refused file's protect is not in
#     effect);
#  2. a changed good file: "reloaded config FILE: N changes", each change logged, and the new
#     [cgroup] section's protect is in effect (the same leak finds every process protected);
#  3. a setting only a restart can change (no_bpf): logged as such.
# Prints PASS/FAIL lines and `reload: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-reload.XXXXXX) || exit 1
CONF=$TMPD/oomwarden.conf
LOG=$TMPD/daemon.log
CG='' DPID='' WPID=''

cleanup()
{
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $CG ]] && cg_destroy "$CG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	echo "SKIP reload: needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$OWLOAD"; do
	[[ -x $bin ]] || { echo "FAIL reload: $bin is not built (make)"; exit 1; }
done

# The config in effect at start: no protect at all.
write_base()
{
	cat >"$CONF" <<-EOF
		# tests/e2e/reload.sh
		log_format = json
		warn_horizon = 100
		grace = 4
	EOF
}

# leak: a 16 MiB/s leak in the memcg that holds at 240 of its 256 MiB (past the 90 % high-water
# mark, so the daemon acts, but short of the kernel's OOM kill); sets WPID.
leak()
{
	sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" "$OWLOAD" linear --rate 16 \
		--stop-at 240 >/dev/null 2>&1 &
	WPID=$!
}

stop_leak()
{
	kill -KILL "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	WPID=''
	sleep 2 # the memcg empties; the daemon sees it fall back
}

# signal_reload EVENT: SIGHUP, then wait for the next log line of that event.
signal_reload()
{
	local before

	before=$(grep -c "$(json_event "$1")" "$LOG")
	kill -HUP "$DPID"
	for _ in $(seq 100); do
		(($(grep -c "$(json_event "$1")" "$LOG") > before)) && return 0
		sleep 0.1
	done
	return 1
}

CG=$(cg_create owh-config-reload $((256 << 20))) || { echo "FAIL reload: no memcg"; exit 1; }
write_base
"$OWD" run --config "$CONF" --cgroup "$CG" --dry-run 2>"$LOG" &
DPID=$!
if ! wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID"; then
	verdict "reload-start" "$LOG" "the daemon did not start"
	echo "reload: $PASSED passed, $FAILED failed"
	exit 1
fi
R=()
grep "$(json_event ready)" "$LOG" | grep -q "\"config\":\"$CONF\"" ||
	R+=("the ready line does not name $CONF")
grep "$(json_event ready)" "$LOG" | grep -q '"warn_horizon_s":100' ||
	R+=("the ready line does not show the file's warn_horizon 100")
verdict "reload-start" "$LOG" "${R[@]}"

# 1. A broken file: it also sets a protect that would stop the daemon from picking the leak.
R=()
write_base
cat >>"$CONF" <<EOF
[cgroup "/owh-config-reload"]
protect = /owload\$
warn_horizont = 5
EOF
signal_reload reload_failed || R+=("no reload_failed line after SIGHUP")
ERRLINE=$(grep "$(json_event reload_failed)" "$LOG" | tail -n 1)
[[ $ERRLINE == *"$CONF:7:"* ]] || R+=("the error does not name $CONF:7: $ERRLINE")
[[ $ERRLINE == *"warn_horizont"* ]] || R+=("the error does not name the key: $ERRLINE")
pid_alive "$DPID" || R+=("the daemon exited")
grep -q "$(json_event reloaded)" "$LOG" && R+=("a refused file was reported as reloaded")
leak
if wait_for_line "$LOG" "\"event\":\"act\".*\"pid\":$WPID," 40 "$DPID"; then
	:
else
	R+=("no dry-run act on the leak (pid $WPID): the refused protect is in effect?")
fi
stop_leak
verdict "reload-broken-file-keeps-old-config" "$LOG" "${R[@]}"

# 2. A good file: a horizon and the same protect, now in effect.
R=()
write_base
sed -i 's/^warn_horizon = 100$/warn_horizon = 90/' "$CONF"
cat >>"$CONF" <<EOF
[cgroup "/owh-config-reload"]
protect = /owload\$
EOF
signal_reload reloaded || R+=("no reloaded line after SIGHUP")
grep -q "reloaded config $CONF: 2 changes" "$LOG" ||
	R+=("no 'reloaded config $CONF: 2 changes' line")
grep "$(json_event config_change)" "$LOG" | grep -q '"key":"warn_horizon","from":"100","to":"90"' ||
	R+=("the warn_horizon change is not logged")
grep "$(json_event config_change)" "$LOG" | grep -q '"section":"/owh-config-reload"' ||
	R+=("the new section is not logged")
pid_alive "$DPID" || R+=("the daemon exited")
leak
wait_for_line "$LOG" "\"event\":\"no_victim\".*every process of the cgroup that grew is protected" 40 \
	"$DPID" || R+=("the leak was not found protected by the reloaded section")
grep -q "\"event\":\"act\".*\"pid\":$WPID," "$LOG" &&
	R+=("the protected leak (pid $WPID) was chosen as a victim")
stop_leak
verdict "reload-good-file-applied" "$LOG" "${R[@]}"

# 3. What needs a restart is said so, and the rest still applies.
R=()
echo "no_bpf = yes" >"$CONF.new"
cat "$CONF" >>"$CONF.new"
mv "$CONF.new" "$CONF"
signal_reload reloaded || R+=("no reloaded line after SIGHUP")
grep "$(json_event config_change)" "$LOG" | grep 'needs a restart' | grep -q '"key":"no_bpf"' ||
	R+=("no_bpf is not reported as needing a restart")
grep -q "reloaded config $CONF: 1 changes" "$LOG" || R+=("no 'reloaded config $CONF: 1 changes' line")
grep -q "$(json_event degraded)" "$LOG" && R+=("the daemon switched to degraded mode on reload")
pid_alive "$DPID" || R+=("the daemon exited")
verdict "reload-restart-only-setting" "$LOG" "${R[@]}"

kill -TERM "$DPID"
wait "$DPID"
DST=$?
DPID=''
R=()
((DST == 0)) || R+=("the daemon exited with $(status_text "$DST") on SIGTERM")
verdict "reload-stop" "$LOG" "${R[@]}"

echo "reload: $PASSED passed, $FAILED failed"
((FAILED == 0))
