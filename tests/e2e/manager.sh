#!/bin/bash
# End-to-end: --action restart asks the victim's manager instead of signalling it.
#  1. pm2: a leaking node app under PM2, its God daemon started inside a 384 MiB memcg; the
#     daemon runs with --action restart --cgroup that memcg. It must log the victim as
#     "pm2:owh-leak(id 0)", run `<node> <pm2 installation>/bin/pm2 reload 0` (as the app's
#     owner, with the God daemon's PM2_HOME), and PM2 must have restarted the app
#     (restart_time >= 1, a new pid, online), with no kernel OOM kill.
#  2. the app's PATH has no pm2 but a fake one: the daemon still runs the God daemon's pm2
#     (found from the God daemon, never from the app's PATH) and the fake never runs;
#  3. a leak with no manager under --action restart is stopped with SIGTERM, and the log says
#     why ("no manager is known to restart it");
#  4. a Node.js worker's leak under a private supervisord started with -c on a file of its own
#     (issue 18: as hosting panels run it), the daemon with --pre-stop-signal SIGUSR2 too (the
#     worker writes a heap snapshot in its directory before the restart): `supervisorctl -c THAT restart owleak:owleak` runs and exits 0,
#     supervisord starts a new owleak, no kernel OOM kill; beside it, under the same daemon, a
#     supervisord on Debian's packaged /etc/supervisor/supervisord.conf (its socket
#     /var/run/supervisor.sock, the worker's program in its conf.d): `supervisorctl -c
#     /etc/supervisor/supervisord.conf restart owpkg-PID:owpkg-PID` exits 0, a new worker pid;
#  5. the same supervisord restarting a 64 MiB/s leak (autorestart) under plain SIGTERMs: the
#     third stop in a row is a crash loop, said in one crash_loop line and on that act line.
# pm2 is installed from npm into a cache directory (never the repo) when it is not on PATH.
# Prints PASS/FAIL lines and `manager: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=build/owload
PM2_CACHE=${OW_PM2_CACHE:-/var/cache/oomwarden-e2e/pm2}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-manager.XXXXXX) || exit 1
CG='' DPID='' PM2='' SVPID='' PKGSV='' CG2=''
PKG=/etc/supervisor/supervisord.conf PKGPROG=owpkg-$$
PKGCONF=/etc/supervisor/conf.d/$PKGPROG.conf

# The packaged supervisord of case 4: stopped, its program's file removed, its memcg.
pkg_cleanup()
{
	if [[ -n $PKGSV ]]; then
		kill -TERM "$PKGSV" 2>/dev/null
		wait "$PKGSV" 2>/dev/null
	fi
	PKGSV=''
	rm -f "$PKGCONF"
	[[ -n $CG2 ]] && cg_destroy "$CG2"
	CG2=''
}

trap 'pkg_cleanup; e2e_cleanup "${SVPID:-}"' EXIT
trap 'exit 130' INT TERM

skip()
{
	e2e_skip manager "$1"
}

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	skip "needs root and a memory cgroup controller"
fi
command -v node >/dev/null || skip "needs node"
pm2_find "$PM2_CACHE" "$TMPD" ||
	{ PM2=''; skip "pm2 is not installed and npm could not install it"; }

# start_daemon NAME [FLAGS...]: the daemon on $CG with --action restart, JSON log in NAME.log.
start_daemon()
{
	daemon_start "$TMPD/$1.log" --cgroup "$CG" --action restart "${@:2}"
}

# leak_app KEY: pid, restart_time or status of the app owh-leak (pm2_app).
leak_app()
{
	pm2_app "$TMPD/pm2home" owh-leak "$1"
}

cat >"$TMPD/leak.js" <<'JS'
// 2 MiB of touched memory every 250 ms (8 MiB/s), kept: a leak.
const kept = [];
setInterval(() => kept.push(Buffer.alloc(2 << 20, 1)), 250);
JS

# pm2_case NAME APP_PATH: a pm2 app leaking in a fresh memcg under the daemon; fills the
# variables the checks read. APP_PATH is the PATH pm2 and so the app run with.
pm2_case()
{
	local name=$1 app_path=$2

	CG=$(cg_create "owh-manager-$name-$$" $((384 << 20))) || skip "could not create a memcg"
	start_daemon "$name" || reasons+=("the daemon did not start")
	PATH=$app_path pm2_in_cg "$CG" "$TMPD/pm2home" start "$TMPD/leak.js" --name owh-leak \
		>"$TMPD/$name-start.log" 2>&1 ||
		reasons+=("pm2 start failed: $(tail -n3 "$TMPD/$name-start.log")")
	pid0=$(leak_app pid)
	oom0=$(cg_oom_kills "$CG")
	echo "    pm2 app owh-leak pid $pid0 leaking 8 MiB/s in $CG"
	wait_for_line "$TMPD/$name.log" "$(json_event restart_done)" 90 "$DPID" ||
		reasons+=("no restart_done line within 90 s")
	sleep 3 # pm2 reports the new process once it is online
	manager=$(json_field "$TMPD/$name.log" act manager)
	action=$(json_field "$TMPD/$name.log" act action)
	command=$(json_field "$TMPD/$name.log" act command)
	status=$(json_field "$TMPD/$name.log" restart_done status)
	restarts=$(leak_app restart_time)
	pid1=$(leak_app pid)
	echo "    act: manager=$manager action=$action command='$command'; restart: $status;" \
		"pm2 restart_time=${restarts:-?}, pid $pid0 -> $pid1, $(leak_app status)"
	[[ $manager == "pm2:owh-leak(id 0)" ]] ||
		reasons+=("manager '$manager', expected 'pm2:owh-leak(id 0)'")
	[[ $action == restart ]] || reasons+=("action '$action', expected restart")
	[[ $command == "$(command -v node) $(realpath "$PM2") reload 0" ]] ||
		reasons+=("command '$command', expected '<node> $(realpath "$PM2") reload 0'")
	((${restarts:-0} >= 1)) || reasons+=("pm2 restart_time is '${restarts}', expected >= 1")
	[[ -n $pid1 && $pid1 != 0 && $pid1 != "$pid0" ]] ||
		reasons+=("the app pid did not change ($pid0 -> $pid1)")
	(($(cg_oom_kills "$CG") == oom0)) || reasons+=("the kernel OOM-killed something")
	daemon_stop
	PM2_HOME=$TMPD/pm2home "$PM2" kill >/dev/null 2>&1
	cg_destroy "$CG"
	CG=''
}

# ---- 1. pm2 reload ----
# pm2 is on the app's PATH, as for anyone who runs it: the daemon finds it there.
reasons=()
pm2_case pm2 "$(dirname "$PM2"):$PATH"
[[ $status == "exit 0" ]] || reasons+=("the restart command ended with '$status'")
fallback=$(sigterm_why "$TMPD/pm2.log")
[[ -z $fallback ]] || reasons+=("the daemon fell back to SIGTERM: $fallback")
verdict pm2 "$TMPD/pm2.log" "${reasons[@]}"

# ---- 2. pm2 from the God daemon, never from the app's PATH ----
# The app's PATH holds node and a fake pm2 that leaves a marker: it must never run.
reasons=()
mkdir -p "$TMPD/bin" && ln -sf "$(command -v node)" "$TMPD/bin/node"
printf '#!/bin/sh\ntouch %s/fake-pm2-ran\nexit 0\n' "$TMPD" >"$TMPD/bin/pm2"
chmod +x "$TMPD/bin/pm2"
pm2_case fakepm2 "$TMPD/bin:/usr/bin:/bin"
[[ $status == "exit 0" ]] || reasons+=("the restart command ended with '$status'")
[[ ! -e $TMPD/fake-pm2-ran ]] || reasons+=("the pm2 on the app's PATH ran")
verdict pm2-not-from-path "$TMPD/fakepm2.log" "${reasons[@]}"

# ---- 3. no manager: SIGTERM, and the log says why ----
reasons=()
CG=$(cg_create "owh-manager-none-$$" $((256 << 20))) || skip "could not create a memcg"
start_daemon none || reasons+=("the daemon did not start")
sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" "$OWLOAD" linear --rate 32 \
	--duration 60 >/dev/null 2>&1 &
wait $! 2>/dev/null
WST=$?
sleep 1
why=$(json_field "$TMPD/none.log" act why)
[[ $(json_field "$TMPD/none.log" act action) == signal ]] || reasons+=("the act line is not a signal")
[[ $why == "no manager is known to restart it" ]] || reasons+=("why '$why'")
[[ $(json_field "$TMPD/none.log" act manager) == unknown ]] || reasons+=("the manager is not 'unknown'")
((WST == 0)) || reasons+=("the workload ended with $(status_text "$WST"), expected a graceful stop")
daemon_stop
cg_destroy "$CG"
CG=''
verdict fallback "$TMPD/none.log" "${reasons[@]}"

# ---- 4. supervisor on a configuration of its own ----
# A private supervisord started with -c (its socket in a temp dir, not Debian's
# /var/run/supervisor.sock), as hosting panels run it: `supervisorctl -c THAT restart` must
# reach it (without -c, supervisorctl finds Debian's file and no socket: exit 7, a fallback).
reasons=()
if ! command -v supervisord >/dev/null; then
	e2e_skip manager "supervisord is not installed (Debian's supervisor: scripts/deps.sh)"
fi
SV=$TMPD/sv
# The seed's own setup: a Node.js queue worker (tests/workload/node_worker.js) leaking 8 MiB/s,
# started with --heapsnapshot-signal=SIGUSR2 in its own directory, and the daemon with
# --pre-stop-signal SIGUSR2: the snapshot first, then the restart (the two together).
mkdir -p "$SV/app"
sv_private_conf "$SV" owleak "$(command -v node) --heapsnapshot-signal=SIGUSR2 \
$PWD/tests/workload/node_worker.js --rate 8 --drain 2 --duration 120" \
	"autorestart = true" "stopwaitsecs = 5" "directory = $SV/app" ||
	skip "cannot write the supervisord configuration"
CG=$(cg_create "owh-manager-sv-$$" $((256 << 20))) || skip "could not create a memcg"
oom0=$(cg_oom_kills "$CG")
# Debian's packaged configuration, as the package's service runs it, in a memcg of its own;
# not where a packaged supervisord runs already (its programs are not the test's).
PKGRUN='' preasons=()
if [[ ! -r $PKG ]]; then
	preasons+=("no packaged $PKG (Debian's supervisor: scripts/deps.sh)")
elif supervisorctl -c "$PKG" pid >/dev/null 2>&1; then
	echo "SKIP supervisor-packaged-config: a supervisord on $PKG runs already"
else
	PKGRUN=1
	CG2=$(cg_create "owh-manager-pkg-$$" $((256 << 20))) || skip "could not create a memcg"
	oom2=$(cg_oom_kills "$CG2")
	printf '[program:%s]\ncommand = %s %s\nautorestart = true\nstopwaitsecs = 5\n' "$PKGPROG" \
		"$(command -v node)" "$PWD/tests/workload/node_worker.js --rate 8 --drain 2 --duration 120" \
		>"$PKGCONF" || skip "cannot write $PKGCONF"
fi
start_daemon supervisor --pre-stop-signal SIGUSR2 ${CG2:+--cgroup "$CG2"} ||
	reasons+=("the daemon did not start")
if [[ -n $PKGRUN ]]; then
	sh -c 'echo $$ >"$0" && exec "$@"' "$CG2/cgroup.procs" supervisord -n -c "$PKG" \
		>"$TMPD/pkg-supervisord.out" 2>&1 &
	PKGSV=$!
fi
sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" \
	supervisord -n -c "$SV/supervisord.conf" >"$SV/supervisord.out" 2>&1 &
SVPID=$!
pid0=''
for _ in $(seq 50); do
	pid0=$(supervisorctl -c "$SV/supervisord.conf" pid owleak 2>/dev/null)
	[[ $pid0 =~ ^[1-9][0-9]*$ ]] && break
	pid0=''
	sleep 0.2
done
[[ -n $pid0 ]] || reasons+=("supervisord did not start owleak: $(tail -n3 "$SV/supervisord.log")")
ppid0=''
for _ in $(seq 50); do
	[[ -n $PKGRUN ]] || break
	ppid0=$(supervisorctl -c "$PKG" pid "$PKGPROG" 2>/dev/null)
	[[ $ppid0 =~ ^[1-9][0-9]*$ ]] && break
	ppid0=''
	sleep 0.2
done
[[ -z $PKGRUN || -n $ppid0 ]] || preasons+=("the packaged supervisord did not start $PKGPROG")
# What the daemon did before: supervisorctl's own search finds another file, and no owleak.
! supervisorctl pid owleak:owleak >/dev/null 2>&1 ||
	reasons+=("supervisorctl without -c reaches this supervisord: the case proves nothing")
wait_for_line "$TMPD/supervisor.log" "$(json_event restart_done).*\"pid\" *: *${pid0:-x}[,}]" 60 \
	"$DPID" ||
	reasons+=("no restart_done line within 60 s")
status=$(json_field "$TMPD/supervisor.log" restart_done status "$pid0")
command=$(json_field "$TMPD/supervisor.log" act command "$pid0")
pid1=$(supervisorctl -c "$SV/supervisord.conf" pid owleak 2>/dev/null)
echo "    act: manager=$(json_field "$TMPD/supervisor.log" act manager "$pid0")" \
	"action=$(json_field "$TMPD/supervisor.log" act action "$pid0") command='$command';" \
	"restart: $status; owleak pid $pid0 -> $pid1"
[[ $(json_field "$TMPD/supervisor.log" act action "$pid0") == restart ]] ||
	reasons+=("the act line is not a restart")
[[ $command == *"-c $SV/supervisord.conf"* ]] ||
	reasons+=("the command does not name supervisord's own file")
# The snapshot costs memory (48 MiB in 0.4 s here, on two CPUs shared with the packaged
# worker): seen at the kill-water mark before supervisorctl's restart reached it, the worker is
# SIGKILLed (escalate) and supervisord restarts it on its own; the command's guard then finds
# the new pid and restarts nothing (exit 3). That is the guard's race, answered through -c: it
# passes only with that escalation and that answer.
guard="supervisord knows owleak:owleak as pid $pid1, not $pid0"
if [[ $status == "exit 3" &&
	$(json_field "$TMPD/supervisor.log" restart_done output "$pid0") == "$guard" &&
	$(json_field "$TMPD/supervisor.log" escalate signal "$pid0") == SIGKILL ]]; then
	echo "    the worker was SIGKILLed at the kill-water mark before the restart reached it;" \
		"the guard found supervisord's new pid $pid1"
elif [[ $status != "exit 0" ]]; then
	reasons+=("the restart command ended with '$status'")
fi
fallback=$(sigterm_why "$TMPD/supervisor.log")
[[ -z $fallback ]] || reasons+=("the daemon fell back to SIGTERM: $fallback")
[[ $pid1 =~ ^[1-9][0-9]*$ && $pid1 != "$pid0" ]] ||
	reasons+=("no new owleak pid after the restart ($pid0 -> ${pid1:-none})")
(($(cg_oom_kills "$CG") == oom0)) || reasons+=("the kernel OOM-killed in the memcg")
# The heap snapshot came first, written where the worker runs.
snaps=("$SV"/app/Heap.*.heapsnapshot)
echo "    pre_stop: $(json_field "$TMPD/supervisor.log" pre_stop signal "$pid0"), ended" \
	"$(json_field "$TMPD/supervisor.log" pre_stop_end ended "$pid0"); ${snaps[*]##*/}"
[[ $(json_field "$TMPD/supervisor.log" pre_stop signal "$pid0") == SIGUSR2 ]] ||
	reasons+=("no SIGUSR2 before the restart")
[[ -s ${snaps[0]} ]] || reasons+=("no heap snapshot in the worker's directory")

# ---- the packaged configuration (beside the private one, under the same daemon) ----
if [[ -n $PKGRUN ]]; then
	wait_for_line "$TMPD/supervisor.log" \
		"$(json_event restart_done).*\"pid\" *: *${ppid0:-x}[,}]" 60 "$DPID" ||
		preasons+=("no restart_done line for $PKGPROG within 60 s")
	pstatus=$(json_field "$TMPD/supervisor.log" restart_done status "$ppid0")
	pcommand=$(json_field "$TMPD/supervisor.log" act command "$ppid0")
	ppid1=$(supervisorctl -c "$PKG" pid "$PKGPROG" 2>/dev/null)
	echo "    packaged: act command='$pcommand'; restart: $pstatus;" \
		"$PKGPROG pid $ppid0 -> $ppid1"
	[[ $pcommand == *" $PKG"* && $pcommand == *"$PKGPROG"* ]] ||
		preasons+=("the command '$pcommand' does not name $PKG and $PKGPROG")
	[[ $pstatus == "exit 0" ]] || preasons+=("the restart command ended with '$pstatus'")
	[[ $ppid1 =~ ^[1-9][0-9]*$ && $ppid1 != "$ppid0" ]] ||
		preasons+=("no new $PKGPROG pid after the restart ($ppid0 -> ${ppid1:-none})")
	(($(cg_oom_kills "$CG2") == oom2)) || preasons+=("the kernel OOM-killed in the memcg")
fi
sv_teardown
pkg_cleanup
verdict supervisor-own-config "$TMPD/supervisor.log" "${reasons[@]}"
[[ -n $PKGRUN || ${#preasons[@]} -gt 0 ]] &&
	verdict supervisor-packaged-config "$TMPD/supervisor.log" "${preasons[@]}"

# ---- 5. a crash loop, said once ----
# The same supervisord restarts a worker that leaks 64 MiB/s (autorestart): each instance is
# SIGTERMed a few seconds after its start. The third stop in a row is a crash loop: one
# crash_loop line whatever the stops after it, the act line that found it carries it.
reasons=()
SV=$TMPD/svloop
sv_private_conf "$SV" owloop "$PWD/$OWLOAD linear --rate 64 --duration 120" \
	"autorestart = true" || skip "cannot write the supervisord configuration"
CG=$(cg_create "owh-manager-loop-$$" $((256 << 20))) || skip "could not create a memcg"
oom0=$(cg_oom_kills "$CG")
daemon_start "$TMPD/loop.log" --cgroup "$CG" || reasons+=("the daemon did not start")
sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" \
	supervisord -n -c "$SV/supervisord.conf" >"$SV/supervisord.out" 2>&1 &
SVPID=$!
for _ in $(seq 60); do
	(($(grep -c "$(json_event act)" "$TMPD/loop.log") >= 5)) && break
	sleep 1
done
acts=$(grep -c "$(json_event act)" "$TMPD/loop.log")
loops=$(grep -c "$(json_event crash_loop)" "$TMPD/loop.log")
text=$(json_field "$TMPD/loop.log" crash_loop msg)
echo "    $acts stops; crash_loop lines: $loops: ${text:-none}"
((acts >= 5)) || reasons+=("only $acts stops in 60 s")
((loops == 1)) || reasons+=("$loops crash_loop lines, expected 1")
[[ $text == "restarts into the same leak within "*"; last 3 lifetimes "* ]] ||
	reasons+=("the crash_loop line says '$text'")
[[ $(grep "$(json_event act)" "$TMPD/loop.log" | sed -n 3p) == *"\"crash_loop\":\"restarts"* ]] ||
	reasons+=("the third act line does not carry the crash loop")
(($(cg_oom_kills "$CG") == oom0)) || reasons+=("the kernel OOM-killed in the memcg")
sv_teardown
verdict crash-loop "$TMPD/loop.log" "${reasons[@]}"

echo "manager: $PASSED passed, $FAILED failed"
((FAILED == 0))
