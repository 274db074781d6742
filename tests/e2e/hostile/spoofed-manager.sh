#!/bin/bash
# Adversarial end-to-end: a user forges who manages its leak, so that --action restart runs a
# command as root on its say-so (issue 14, defect 6). The daemon runs with --action restart on
# a subtree delegated to the unprivileged user owhostile (made by root, chowned to the user, as
# systemd's Delegate=yes does); in it the user makes cgroups and starts a leak whose PATH leads
# to fake pm2/supervisorctl/systemctl/docker/podman scripts that leave a marker file:
#  1. docker-scope: a cgroup named docker-<64 hex>.scope (any container's id is readable in
#     /proc/*/cgroup), the leak's environ also claiming supervisor and PM2;
#  2. other-user-unit: user@0.service/x.service (root's user manager's unit);
#  3. user-manager: a non-unit cgroup below user@<its uid>.service (the whole user manager);
#  4. supervisor-env: SUPERVISOR_ENABLED=1 SUPERVISOR_PROCESS_NAME=postgres
#     SUPERVISOR_GROUP_NAME=db in its own environ, its parent a shell;
#  5. pm2-env: pm_id=0 PM2_HOME=<its dir> in its own environ, no God daemon above it.
# Each: no command runs (no marker, real or fake; no restart_done line), the leak gets a plain
# SIGTERM (the act line's action is signal) and stops gracefully, and the act line's why says
# which claim was not believed. Prints PASS/FAIL lines and
# `spoofed-manager: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-spoofed-manager.XXXXXX) || exit 1
DELEG='' DPID='' WPID=''

cleanup()
{
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $DELEG ]] && destroy_tree "$DELEG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	echo "SKIP spoofed-manager: needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$OWLOAD"; do
	[[ -x $bin ]] || { echo "FAIL spoofed-manager: $bin is not built (make)"; exit 1; }
done
hostile_user || { echo "FAIL spoofed-manager: no hostile user"; exit 1; }

# destroy_tree DIR: kill what is left in DIR and below, remove the cgroups bottom-up.
destroy_tree()
{
	local p

	while read -r p; do
		kill -KILL "$p" 2>/dev/null
	done < <(find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null)
	sleep 0.2
	find "$1" -depth -type d -exec rmdir {} \; 2>/dev/null
}

# The user's files: owload, the fake managers, a marker directory anyone may write.
chmod 755 "$TMPD"
mkdir -m 1777 "$TMPD/markers"
mkdir "$TMPD/bin"
cp "$OWLOAD" "$TMPD/bin/owload"
for cmd in pm2 supervisorctl systemctl docker podman; do
	# shellcheck disable=SC2016 # $0 and $* are the fake's own
	printf '#!/bin/sh\necho "$0 $*" >%s/markers/%s\n' "$TMPD" "$cmd" >"$TMPD/bin/$cmd"
done
chmod -R a+rx "$TMPD/bin"

# The delegated subtree: made and limited by root, then handed to the user.
DELEG=$OW_CG_ROOT/ow-hostile-spoofed-manager-$$
mkdir "$DELEG" || { echo "FAIL spoofed-manager: cannot make $DELEG"; exit 1; }
if [[ $OW_CG_VER == 2 ]]; then
	echo $((256 << 20)) >"$DELEG/memory.max"
	echo 0 >"$DELEG/memory.swap.max" 2>/dev/null
	chown "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$DELEG" "$DELEG/cgroup.procs" \
		"$DELEG/cgroup.subtree_control" "$DELEG/cgroup.threads"
else
	echo $((256 << 20)) >"$DELEG/memory.limit_in_bytes"
	echo $((256 << 20)) >"$DELEG/memory.memsw.limit_in_bytes" 2>/dev/null
	chown "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$DELEG" "$DELEG/cgroup.procs" "$DELEG/tasks"
fi

# spoof NAME REL WANT_WHY [VAR=VALUE...]: the user makes $DELEG/REL and runs a leak there with
# the variables and the fake managers first on PATH; the daemon must SIGTERM it, its why
# containing WANT_WHY, and run nothing.
spoof()
{
	local name=$1 want=$3 log=$TMPD/$1.log cg=$DELEG/$2 act why st
	local -a reasons=()
	shift 3

	rm -f "$TMPD"/markers/*
	as_hostile mkdir -p "$cg" || reasons+=("the user could not make $cg")
	"$OWD" run --cgroup "$DELEG" --action restart --grace 10 --log-format json -v \
		2>"$log" &
	DPID=$!
	wait_for_line "$log" "$(json_event ready)" 20 "$DPID" ||
		reasons+=("the daemon did not start")
	# 32 MiB/s, held at 240 of the subtree's 256 MiB: the daemon acts, the kernel does not.
	# shellcheck disable=SC2016 # expanded by the user's shell
	as_hostile env "$@" PATH="$TMPD/bin:/usr/bin:/bin" sh -c \
		'echo $$ >"$0/cgroup.procs" && exec owload linear --rate 32 --stop-at 240 \
		--duration 60' "$cg" >/dev/null 2>&1 &
	WPID=$!
	wait_for_line "$log" "\"event\":\"act\"" 40 "$DPID" || reasons+=("no act line within 40 s")
	wait "$WPID" 2>/dev/null
	st=$?
	WPID=''
	sleep 1 # a restart command, had one started, has its chance to leave a marker
	act=$(json_field "$log" act action)
	why=$(json_field "$log" act why)
	echo "    $name: manager=$(json_field "$log" act manager) action=$act why='$why'" \
		"leak $(status_text "$st")"
	[[ $act == signal ]] || reasons+=("the act line's action is '$act', expected signal")
	[[ $(json_field "$log" act signal) == SIGTERM ]] || reasons+=("the leak did not get SIGTERM")
	[[ $why == *"$want"* ]] || reasons+=("why '$why' does not say '$want'")
	((st == 0)) || reasons+=("the leak ended with $(status_text "$st"), expected a graceful stop")
	[[ -z $(ls "$TMPD/markers") ]] ||
		reasons+=("a command ran on the user's say-so: $(cat "$TMPD"/markers/*)")
	grep -q "$(json_event restart_done)" "$log" && reasons+=("a restart command ran")
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=''
	destroy_tree "$cg"
	verdict "$name" "$log" "${reasons[@]}"
}

HEX=3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8
ALL_ENV=(SUPERVISOR_ENABLED=1 SUPERVISOR_PROCESS_NAME=postgres SUPERVISOR_GROUP_NAME=db
	pm_id=0 name=db PM2_HOME="$OW_HOSTILE_HOME/.pm2" HOME=/root)

spoof docker-scope "docker-$HEX.scope" \
	"the docker claim is not believed: a user may have named its cgroup" "${ALL_ENV[@]}"
spoof other-user-unit user@0.service/x.service \
	"the systemd claim is not believed: a user may have named its user@UID.service cgroup"
spoof user-manager "user@$OW_HOSTILE_UID.service/app" \
	"the systemd claim is not believed: a user may have named its cgroup"
spoof supervisor-env sv \
	"the supervisor claim is not believed: its parent is not supervisord" \
	SUPERVISOR_ENABLED=1 SUPERVISOR_PROCESS_NAME=postgres SUPERVISOR_GROUP_NAME=db
spoof pm2-env pm \
	"the pm2 claim is not believed: no PM2 God daemon of its owner is among its ancestors" \
	pm_id=0 name=db PM2_HOME="$OW_HOSTILE_HOME/.pm2"

echo "spoofed-manager: $PASSED passed, $FAILED failed"
((FAILED == 0))
