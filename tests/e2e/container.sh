#!/bin/bash
# End-to-end: a real Podman container (issue 18 item 2). The test makes its image itself: owload
# built static, in a scratch image (`podman build`, no registry), run rootful with runc and
# podman's cgroupfs manager (crun refuses this host's hybrid hierarchy; explicit ulimits: no
# CAP_SYS_RESOURCE here), two containers with a 256 MiB memory limit each, leaking 16 MiB/s with
# a 3 s drain on SIGTERM, at once, under one daemon watching libpod_parent (--action signal; a
# [cgroup "podman:ID12"] section restarts the first):
#  1. podman-restart: the act line names the container by its name and image from podman's
#     state on disk (`podman:NAME(image localhost/owtest-load:e2e)`, not the id; its cgroup's
#     level line has `container` and `image` fields), runs
#     `podman restart -t N ID` (exit 0); the worker drains (its log says "drained") and podman
#     starts it again (a new pid);
#  2. podman-restart-always: a --restart=always container is SIGTERMed, named the same way,
#     drains, and podman starts it again on its own;
# and the kernel OOM-kills nothing.
# Docker is not tested here: docker.io is not installed by the tests (its daemon needs minutes
# of CI time and a network setup); its state reader is unit-tested on fixtures. Prints
# PASS/FAIL lines and `container: N passed, N failed`. Run as root from the repo root; ~30 s.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-container.XXXXXX) || exit 1
IMAGE=localhost/owtest-load:e2e
NAME_R='' NAME_A='' CG='' DPID=''

cleanup()
{
	podman --runtime runc rm -f -t 0 "$NAME_R" "$NAME_A" >/dev/null 2>&1
	e2e_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip()
{
	e2e_skip container "$1"
}

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	skip "needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
fi
command -v podman >/dev/null || skip "needs podman (scripts/deps.sh test installs it)"
[[ -x $OWD ]] || skip "build it first (make)"

# The image: a static owload alone.
mkdir -p "$TMPD/image"
cc -static -O2 -o "$TMPD/image/owload" tests/workload/owload.c -lm 2>"$TMPD/cc.log" ||
	skip "cannot build a static owload: $(tail -n1 "$TMPD/cc.log")"
printf 'FROM scratch\nCOPY owload /owload\nENTRYPOINT ["/owload"]\n' >"$TMPD/image/Containerfile"
podman build --runtime runc -q -t "$IMAGE" "$TMPD/image" >"$TMPD/build.log" 2>&1 ||
	skip "podman build failed: $(tail -n2 "$TMPD/build.log")"

# podman's cgroupfs manager puts its containers under libpod_parent (v1 and v2 alike).
CG=$OW_CG_ROOT/libpod_parent
mkdir -p "$CG" || skip "cannot create $CG"
[[ $OW_CG_VER == 2 ]] && ! grep -qw memory "$OW_CG_ROOT/cgroup.subtree_control" &&
	echo +memory >"$OW_CG_ROOT/cgroup.subtree_control"
CG_KEEP=$CG
CG='' # not ours to remove: podman's

# ctr_create NAME [FLAGS...]: a created (not started) leaking container; prints its id.
ctr_create()
{
	local name=$1

	shift
	podman --runtime runc create --name "$name" --memory 256m --memory-swap 256m \
		--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096 "$@" \
		"$IMAGE" linear --rate 16 --drain 3 --duration 120 2>"$TMPD/create.log" ||
		skip "podman create failed: $(tail -n2 "$TMPD/create.log")"
}

# new_pid NAME OLD: the container's pid once podman has started it again (or "" after 10 s).
new_pid()
{
	local p

	for _ in $(seq 50); do
		p=$(podman inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)
		[[ $p =~ ^[1-9][0-9]*$ && $p != "$2" ]] && { echo "$p"; return; }
		sleep 0.2
	done
}

# Two containers leak at once under one daemon (--action signal, a section restarts the first):
#  restart: --action restart for its cgroup: `podman restart -t N ID`;
#  always:  --restart=always, SIGTERMed as any process: podman starts it again on its own.
LOG=$TMPD/podman.log
NAME_R=owrestart-$$ NAME_A=owalways-$$
ID_R=$(ctr_create "$NAME_R")
ID_A=$(ctr_create "$NAME_A" --restart always)
printf 'action = signal\n[cgroup "podman:%s"]\naction = restart\n' "${ID_R:0:12}" \
	>"$TMPD/oomwarden.conf"
reasons=()
daemon_start "$LOG" --config "$TMPD/oomwarden.conf" --cgroup "$CG_KEEP" ||
	reasons+=("the daemon did not start")
podman start "$NAME_R" "$NAME_A" >/dev/null 2>"$TMPD/start.log" ||
	skip "podman start failed: $(tail -n2 "$TMPD/start.log")"
pid_r=$(podman inspect -f '{{.State.Pid}}' "$NAME_R")
pid_a=$(podman inspect -f '{{.State.Pid}}' "$NAME_A")
echo "    $NAME_R (${ID_R:0:12}, pid $pid_r) and $NAME_A (${ID_A:0:12}, pid $pid_a," \
	"--restart always) from $IMAGE, each leaking 16 MiB/s in 256 MiB"
wait_for_line "$LOG" "$(json_event restart_done)" 60 "$DPID" ||
	reasons+=("no restart_done line within 60 s")
wait_for_line "$LOG" "$(json_event victim_exit).*\"pid\" *: *$pid_a[,}]" 60 "$DPID" ||
	reasons+=("no victim_exit of $NAME_A within 60 s")
pid_r1=$(new_pid "$NAME_R" "$pid_r")
pid_a1=$(new_pid "$NAME_A" "$pid_a")
daemon_stop

# restart
status=$(json_field "$LOG" restart_done status)
manager=$(json_field "$LOG" act manager "$pid_r")
command=$(json_field "$LOG" act command "$pid_r")
echo "    $NAME_R: act manager '$manager' command '$command'; restart: $status;" \
	"pid $pid_r -> ${pid_r1:-none}; $(podman logs "$NAME_R" 2>&1 | grep -m1 -o '^drained.*s' ||
		echo 'no drain')"
[[ $manager == "podman:$NAME_R(image $IMAGE)" ]] ||
	reasons+=("the act line's manager is '$manager', not the container's name and image")
[[ $command == "podman restart -t "*" $ID_R" ]] || reasons+=("the command is '$command'")
[[ $status == "exit 0" ]] || reasons+=("podman restart ended with '$status'")
podman logs "$NAME_R" 2>&1 | grep -q '^drained ' ||
	reasons+=("$NAME_R did not drain after podman's SIGTERM")
[[ -n $pid_r1 ]] || reasons+=("podman did not start $NAME_R again")
# The cgroup's own lines (and metrics) carry the container's name and image too.
level=$(grep -E "$(json_event level)" "$LOG" | grep -m1 "\"cgroup\":\"podman:${ID_R:0:12}\"")
[[ $level == *"\"container\":\"$NAME_R\""* && $level == *"\"image\":\"$IMAGE\""* ]] ||
	reasons+=("its level line has no container/image fields: ${level:0:300}")
verdict podman-restart "$LOG" "${reasons[@]}"

# always
reasons=()
manager=$(json_field "$LOG" act manager "$pid_a")
signal=$(json_field "$LOG" act signal "$pid_a")
echo "    $NAME_A: act $signal, manager '$manager'; podman restarts: $(podman inspect -f \
	'{{.RestartCount}}' "$NAME_A"), pid $pid_a -> ${pid_a1:-none};" \
	"$(podman logs "$NAME_A" 2>&1 | grep -m1 -o '^drained.*s' || echo 'no drain')"
[[ $signal == SIGTERM ]] || reasons+=("$NAME_A got '${signal:-nothing}', not SIGTERM")
[[ $manager == "podman:$NAME_A(image $IMAGE)" ]] ||
	reasons+=("the act line's manager is '$manager', not the container's name and image")
podman logs "$NAME_A" 2>&1 | grep -q '^drained ' || reasons+=("$NAME_A did not drain")
[[ -n $pid_a1 ]] || reasons+=("podman (--restart always) did not start $NAME_A again")
! grep -qE "$(json_event oom_kill)" "$LOG" ||
	reasons+=("the kernel OOM-killed: $(grep -m1 -E "$(json_event oom_kill)" "$LOG")")
verdict podman-restart-always "$LOG" "${reasons[@]}"

echo "container: $PASSED passed, $FAILED failed"
((FAILED == 0))
