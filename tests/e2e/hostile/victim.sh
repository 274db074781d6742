#!/bin/bash
# Adversarial: can an unprivileged user steer the victim? (issue 14, defects 2 and 3)
#  padding: root's flat 100 MiB "postgres" in a 512 MiB memcg the user may write; the user adds
#     1,100 sleepers (their page tables and stacks take ~150 MiB), then a 16 MiB/s leak. The leak must be SIGTERMed, postgres left alone (the
#     candidates used to stop at 1,024 in directory order, ties to the largest: postgres).
#  renamed: with --protect 'sshd', the user's leaks named sshd every way a process can name
#     itself: argv[0] (exec -a), comm (prctl PR_SET_NAME), and a copy of the binary called
#     ~/sshd. Each must be SIGTERMed: protection rests on a root-owned executable's path.
# Prints PASS/FAIL lines and `victim: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-hostile-victim.XXXXXX) || exit 1
chmod 755 "$TMPD"
CG='' DPID='' PIDS=()

stop_all()
{
	local p

	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	[[ -n $DPID ]] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[[ -n $CG ]] && cg_destroy "$CG"
	PIDS=() DPID='' CG=''
}

cleanup()
{
	stop_all
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || ! hostile_user; then
	echo "SKIP victim: needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi

result()
{
	local name=$1
	shift
	if (($# == 0)); then
		echo "PASS victim/$name"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL victim/$name: $*"
		echo "---- daemon log (last 15 lines)"
		tail -n 15 "$TMPD/$name.log"
		FAILED=$((FAILED + 1))
	fi
}

# setup NAME [daemon flags...]: a 512 MiB memcg the hostile user may put processes into (as a
# delegated subtree would let it), and a daemon watching it; sets CG, DPID, LOG.
setup()
{
	local name=$1
	shift
	LOG=$TMPD/$name.log
	CG=$(cg_create "ow-hostile-victim-$name-$$" 512M) || return 1
	chown "$OW_HOSTILE_UID" "$CG/cgroup.procs" "$CG/tasks" 2>/dev/null
	"$OWD" run --cgroup "$CG" --log-format json -v --grace 5 "$@" 2>"$LOG" >/dev/null &
	DPID=$!
	wait_for_line "$LOG" "$(json_event ready)" 30 "$DPID"
}

# in_cg_as_user CMD...: CMD as the hostile user inside CG, in the background (LAST, PIDS).
in_cg_as_user()
{
	hostile_in_cg "$CG" "$@"
}

# acted_on PID SECONDS: the daemon logged a SIGTERM (act) for PID within SECONDS.
acted_on()
{
	wait_for_line "$LOG" "\"event\":\"act\".*\"pid\":$1[,}]" "$2" "$DPID"
}

# signalled_other PID...: prints the pids the daemon acted on other than those given.
signalled_other()
{
	local p ok
	grep -E '"event":"act"' "$LOG" | grep -oE '"pid":[0-9]+' | cut -d: -f2 | sort -u |
		while read -r p; do
			ok=0
			for q in "$@"; do [[ $p == "$q" ]] && ok=1; done
			((ok)) || echo "$p"
		done
}

# ---- padding ----
padding()
{
	local R=() pg leak i
	setup padding || { result padding "no daemon or cgroup"; stop_all; return; }
	# root's service: 100 MiB, then flat, long before the leak (its growth is 15 s old)
	sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" \
		"$OWLOAD" linear --rate 50 --stop-at 100 >/dev/null 2>&1 &
	pg=$!
	PIDS+=("$pg")
	sleep 3 # postgres is at its 100 MiB, flat from now on
	# 1,100 sleepers, as the user, listed before the leak
	in_cg_as_user sh -c 'i=0; while [ $i -lt 1100 ]; do sleep 300 & i=$((i+1)); done; wait'
	for i in $(seq 100); do
		(($(wc -l <"$CG/cgroup.procs") >= 1102)) && break
		sleep 0.2
	done
	sleep 15 # nobody has grown for longer than the victim rate window (10 s)
	in_cg_as_user "$OWLOAD" linear --rate 32 --stop-at 500
	leak=$LAST
	acted_on "$leak" 40 || R+=("the leak (pid $leak) was not SIGTERMed")
	pid_alive "$pg" || R+=("postgres (pid $pg) was stopped")
	[[ -z $(signalled_other "$leak") ]] || R+=("signalled pids $(signalled_other "$leak")")
	pkill -KILL -u "$OW_HOSTILE_UID" sleep 2>/dev/null
	result padding "${R[@]}"
	stop_all
}

# ---- renamed ----
# rename_case NAME: one leak named sshd in its own way, under --protect sshd.
rename_case()
{
	local name=$1 R=() leak
	setup "renamed-$name" --protect sshd ||
		{ result "renamed-$name" "no daemon or cgroup"; stop_all; return; }
	case $name in
	argv) in_cg_as_user bash -c 'exec -a sshd "$0" linear --rate 32 --stop-at 500' "$OWLOAD" ;;
	comm)
		in_cg_as_user python3 -c '
import ctypes, time
ctypes.CDLL(None).prctl(15, b"sshd", 0, 0, 0)
held = []
while len(held) < 500:
    held.append(b"x" * (1 << 20))
    time.sleep(1 / 32)
time.sleep(600)'
		;;
	copy)
		cp "$OWLOAD" "$OW_HOSTILE_HOME/sshd"
		chown "$OW_HOSTILE_UID" "$OW_HOSTILE_HOME/sshd"
		in_cg_as_user "$OW_HOSTILE_HOME/sshd" linear --rate 32 --stop-at 500
		;;
	esac
	leak=$LAST
	acted_on "$leak" 40 || R+=("the leak (pid $leak) named sshd by $name was not SIGTERMed")
	grep -q '"event":"no_victim"' "$LOG" && R+=("the daemon found no victim (protected?)")
	rm -f "$OW_HOSTILE_HOME/sshd"
	result "renamed-$name" "${R[@]}"
	stop_all
}

padding
rename_case argv
rename_case comm
rename_case copy

echo "victim: $PASSED passed, $FAILED failed"
((FAILED == 0))
