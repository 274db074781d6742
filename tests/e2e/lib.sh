# shellcheck shell=bash
# Helpers for tests/e2e/run.sh: memory cgroup v1/v2 handling and process waiting.
# Sourced, not executed. Every function returns non-zero on failure instead of exiting.

# Finds the memory controller from /proc/self/mountinfo.
# Sets OW_CG_VER (1 or 2) and OW_CG_ROOT (mount point); OW_E2E_CGROUP=v1|v2 forces one.
# On failure sets OW_CG_WHY to a sentence and returns 1.
ow_detect_memcg()
{
	local want=${OW_E2E_CGROUP:-} line mnt fstype opts
	local v1_root='' v2_root=''

	OW_CG_VER='' OW_CG_ROOT='' OW_CG_WHY=''
	if [[ ! -r /proc/self/mountinfo ]]; then
		OW_CG_WHY='/proc/self/mountinfo is not readable'
		return 1
	fi
	# mountinfo: id parent maj:min root mountpoint options [optional...] - fstype source superopts
	while IFS= read -r line; do
		mnt=$(awk '{ print $5 }' <<<"$line")
		fstype=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }' <<<"$line")
		opts=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { print $(i + 3); exit } }' <<<"$line")
		mnt=${mnt//\\040/ }
		case $fstype in
		cgroup)
			if [[ -z $v1_root && ",$opts," == *,memory,* ]]; then
				v1_root=$mnt
			fi
			;;
		cgroup2)
			if [[ -z $v2_root && -r $mnt/cgroup.controllers ]] &&
				grep -qw memory "$mnt/cgroup.controllers"; then
				v2_root=$mnt
			fi
			;;
		esac
	done < <(grep -E ' - cgroup2? ' /proc/self/mountinfo)

	case $want in
	v1 | 1) v2_root='' ;;
	v2 | 2) v1_root='' ;;
	'') ;;
	*)
		OW_CG_WHY="OW_E2E_CGROUP='$want' is not v1 or v2"
		return 1
		;;
	esac
	if [[ -n $v2_root ]]; then
		OW_CG_VER=2 OW_CG_ROOT=$v2_root
	elif [[ -n $v1_root ]]; then
		OW_CG_VER=1 OW_CG_ROOT=$v1_root
	else
		OW_CG_WHY="no memory cgroup controller is mounted${want:+ for cgroup $want}"
		OW_CG_WHY+=' (neither a cgroup v1 hierarchy with "memory" nor cgroup2 offering it)'
		return 1
	fi
	return 0
}

# e2e_skip NAME WHY: NAME cannot run here: prints SKIP and why, and exits 0, or 1 when CI is
# set (there every test must run).
e2e_skip()
{
	echo "SKIP $1: $2"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
}

# cg_create NAME LIMIT_BYTES: makes a fresh memcg, prints its directory.
cg_create()
{
	local name=$1 limit=$2 dir

	dir=$OW_CG_ROOT/$name
	if [[ -e $dir ]]; then
		echo "cgroup $dir already exists" >&2
		return 1
	fi
	if [[ $OW_CG_VER == 2 ]]; then
		if ! grep -qw memory "$OW_CG_ROOT/cgroup.subtree_control" 2>/dev/null; then
			echo +memory >"$OW_CG_ROOT/cgroup.subtree_control" || return 1
		fi
		mkdir "$dir" || return 1
		echo "$limit" >"$dir/memory.max" || return 1
		if [[ -e $dir/memory.swap.max ]]; then
			echo 0 >"$dir/memory.swap.max" || return 1
		fi
	else
		mkdir "$dir" || return 1
		echo "$limit" >"$dir/memory.limit_in_bytes" || return 1
		if [[ -e $dir/memory.memsw.limit_in_bytes ]]; then
			echo "$limit" >"$dir/memory.memsw.limit_in_bytes" || return 1
		fi
	fi
	echo "$dir"
}

# cg_create_pod TOP UID ID LIMIT: a container's memcg as the kubelet's cgroupfs driver lays
# it out, TOP/burstable/podUID/ID below the hierarchy's root (TOP starts with "kubepods"), the
# limit on the container; prints its directory. Remove it with cg_destroy_pod.
cg_create_pod()
{
	local top=$1 uid=$2 id=$3 limit=$4 rel='' part

	if [[ $OW_CG_VER == 2 ]] && ! grep -qw memory "$OW_CG_ROOT/cgroup.subtree_control"; then
		echo +memory >"$OW_CG_ROOT/cgroup.subtree_control" || return 1
	fi
	for part in "$top" burstable "pod$uid"; do
		rel+=${rel:+/}$part
		mkdir "$OW_CG_ROOT/$rel" || return 1
		if [[ $OW_CG_VER == 2 ]]; then
			echo +memory >"$OW_CG_ROOT/$rel/cgroup.subtree_control" || return 1
		fi
	done
	cg_create "$rel/$id" "$limit"
}

# cg_destroy_pod DIR: the container's memcg and the pod's above it, up to TOP.
cg_destroy_pod()
{
	local dir=$1

	cg_destroy "$dir"
	dir=${dir%/*}
	rmdir "$dir" "${dir%/*}" "${dir%/*/*}" 2>/dev/null
	return 0
}

# alert_receiver DIR: tests/alert/receiver.py on 127.0.0.1, recording every request into
# DIR/records.jsonl; sets RPID and PORT. False when it did not start.
alert_receiver()
{
	python3 tests/alert/receiver.py "$1/records.jsonl" >"$1/receiver.out" &
	RPID=$!
	PORT=$(port_of "$1/receiver.out")
}

# port_of FILE: the N of the "PORT N" line a loopback test server prints when it listens,
# waited for up to 5 s; false without one.
port_of()
{
	local port
	for _ in $(seq 50); do
		port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$1")
		[[ -n $port ]] && { echo "$port"; return 0; }
		sleep 0.1
	done
	return 1
}

# free_port: a loopback TCP port nobody listens on now.
free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# fake_apiserver DIR: tests/kube/apiserver.py on 127.0.0.1 with a certificate of a throwaway
# CA, and a service account's credentials for it in DIR/serviceaccount (token, ca.crt; readable
# by the alert sender's user, as the kubelet's are). Sets API_PORT, API_PID, API_CREDS; its
# Events go to DIR/requests.jsonl, its requests of pods to DIR/requests.jsonl.pods (fake_pod
# makes a pod it knows). Stop it with kill "$API_PID".
fake_apiserver()
{
	local dir=$1 creds=$1/serviceaccount
	local key=(genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)

	mkdir -p "$creds"
	openssl "${key[@]}" -out "$dir/ca.key" 2>/dev/null || return 1
	openssl req -x509 -new -key "$dir/ca.key" -days 2 -subj "/CN=oomwarden test cluster CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
		-out "$creds/ca.crt" 2>/dev/null || return 1
	openssl "${key[@]}" -out "$dir/api.key" 2>/dev/null
	openssl req -new -key "$dir/api.key" -subj "/CN=kube-apiserver" -out "$dir/api.csr" \
		2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$dir/api.ext"
	openssl x509 -req -in "$dir/api.csr" -CA "$creds/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 2 -extfile "$dir/api.ext" -out "$dir/api.pem" 2>/dev/null ||
		return 1
	head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$creds/token"
	chmod 644 "$creds/token" "$creds/ca.crt"
	chmod 755 "$dir" "$creds"
	python3 tests/kube/apiserver.py "$dir/requests.jsonl" "$dir/api.pem" "$dir/api.key" \
		"$creds/token" "$dir/pods" >"$dir/api.out" 2>&1 &
	API_PID=$!
	API_PODS=$dir/pods
	API_CREDS=$creds
	API_PORT=$(port_of "$dir/api.out")
}

# fake_pod NS NAME UID CGROUP [bare]: a pod the fake API server knows (tests/kube/apiserver.py),
# its container's processes in CGROUP: deleted, it SIGTERMs them as the kubelet would. bare: no
# owner (nothing would make it again).
fake_pod()
{
	local d=$API_PODS/$1/$2
	mkdir -p "$d" && echo "$3" >"$d/uid" && echo "$4/cgroup.procs" >"$d/procs" || return 1
	[[ ${5:-} == bare ]] && touch "$d/bare"
	return 0
}

# cg_oom_kills DIR: the kernel's OOM-kill counter of the cgroup.
cg_oom_kills()
{
	local dir=$1 n

	if [[ $OW_CG_VER == 2 ]]; then
		n=$(awk '$1 == "oom_kill" { print $2 }' "$dir/memory.events" 2>/dev/null)
	else
		n=$(awk '$1 == "oom_kill" { print $2 }' "$dir/memory.oom_control" 2>/dev/null)
	fi
	echo "${n:-0}"
}

# cg_usage_mib DIR and cg_peak_mib DIR: for diagnostics.
cg_usage_mib()
{
	local f=$1/memory.usage_in_bytes

	[[ $OW_CG_VER == 2 ]] && f=$1/memory.current
	awk '{ printf "%.1f", $1 / 1048576 }' "$f" 2>/dev/null
}

cg_peak_mib()
{
	local f=$1/memory.max_usage_in_bytes

	[[ $OW_CG_VER == 2 ]] && f=$1/memory.peak
	awk '{ printf "%.1f", $1 / 1048576 }' "$f" 2>/dev/null || echo '?'
}

# cg_destroy DIR: SIGKILLs whatever is left in the cgroup and removes it.
cg_destroy()
{
	local dir=$1 i pid

	[[ -d $dir ]] || return 0
	for ((i = 0; i < 50; i++)); do
		if [[ -e $dir/cgroup.kill ]]; then
			echo 1 >"$dir/cgroup.kill" 2>/dev/null
		else
			while read -r pid; do
				[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
			done <"$dir/cgroup.procs"
		fi
		rmdir "$dir" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "e2e: could not remove cgroup $dir" >&2
	return 1
}

# e2e_cleanup [PID...]: a script's EXIT trap: SIGKILLs the daemon ($DPID) and each PID given,
# stops the PM2 God daemon of $TMPD/pm2home when $PM2 is set, removes the memcg $CG, then
# $TMPD unless OW_E2E_KEEP=1. Unset or empty DPID, PM2 and CG are skipped.
e2e_cleanup()
{
	local pid

	for pid in "${DPID:-}" "$@"; do
		[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
	done
	[[ -n ${PM2:-} ]] && PM2_HOME=$TMPD/pm2home "$PM2" kill >/dev/null 2>&1
	[[ -n ${CG:-} ]] && cg_destroy "$CG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}

# pid_alive PID: true while PID runs (a zombie counts as gone).
pid_alive()
{
	local st

	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[[ ${st:0:1} != Z ]]
}

# wait_gone PID SECONDS: true once PID has ended, false after SECONDS.
wait_gone()
{
	local pid=$1 deadline

	deadline=$((SECONDS + $2))
	while pid_alive "$pid"; do
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
	return 0
}

# wait_for_line FILE REGEX SECONDS PID: true once FILE has a line matching REGEX;
# false after SECONDS or as soon as PID has ended without printing it.
wait_for_line()
{
	local file=$1 re=$2 pid=$4 deadline

	deadline=$((SECONDS + $3))
	while :; do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		if ! pid_alive "$pid"; then
			grep -qE -- "$re" "$file" 2>/dev/null
			return
		fi
		((SECONDS >= deadline)) && return 1
		sleep 0.1
	done
}

# json_event NAME: a regex matching a JSON log line of that event.
json_event()
{
	printf '"event" *: *"%s"' "$1"
}

# json_field FILE EVENT KEY [PID]: KEY's value on the first EVENT line of FILE (of that pid,
# when given), or nothing.
json_field()
{
	python3 - "$@" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        rec = json.loads(line)
    except ValueError:
        continue
    if rec.get("event") != sys.argv[2]:
        continue
    if len(sys.argv) > 4 and str(rec.get("pid")) != sys.argv[4]:
        continue
    print(rec.get(sys.argv[3], ""))
    break
PY
}

# json_line_value LINE KEY: the value of a number or string field of one JSON log line (grep
# and sed alone: the tests/vm guests have busybox, not python3).
json_line_value()
{
	grep -oE "\"$2\" *: *(\"[^\"]*\"|[-0-9.e+]+|[a-z]+)" <<<"$1" | head -n1 |
		sed -E 's/^"[^"]*" *: *//; s/^"//; s/"$//'
}

# drain_reasons REPORT LOG STATUS: a single-process workload started with --drain D must report
# SIGTERM, drain the whole D s (its "drained" line) and exit 0, and the daemon must not SIGKILL
# it (no "escalate" line naming its pid in LOG). Appends to the caller's REASONS why not, a drain
# cut short first, with when the daemon's SIGKILL came. Busybox-safe (tests/vm guests).
drain_reasons()
{
	local rep=$1 log=$2 st=$3 pid term want esc act secs

	pid=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$rep" | head -n1)
	term=$(grep -m1 '^sigterm ' "$rep")
	want=$(sed -n 's/.* drain_s=\([0-9.]*\).*/\1/p' <<<"$term")
	esc=$(grep -E "$(json_event escalate)" "$log" | grep -m1 -E "\"pid\" *: *${pid:-x}[,}]")
	act=$(grep -E "$(json_event act)" "$log" | grep -m1 -E "\"pid\" *: *${pid:-x}[,}]")
	if [[ -z $term ]]; then
		REASONS+=("the workload never reported SIGTERM")
	elif [[ -n $esc ]] && ! grep -q '^drained ' "$rep"; then
		secs=$(awk -v ms="$(json_line_value "$esc" since_sigterm_ms)" -v d="$want" \
			-v g="$(json_line_value "$act" grace_s)" 'BEGIN { printf "%.2f s after " \
			"its SIGTERM (grace %.2f s in its act line), %.2f s before the end of its " \
			"%s s drain", ms / 1000, g, d - ms / 1000, d }')
		REASONS+=("killed mid-drain: the daemon SIGKILLed it (escalate) $secs")
	elif ! grep -q '^drained ' "$rep"; then
		REASONS+=("the ${want:-?} s drain did not end (no \"drained\" line in the report)")
	elif [[ -n $esc ]]; then
		REASONS+=("the daemon logged an escalate (SIGKILL) for the drained workload")
	fi
	[[ $st == 0 ]] ||
		REASONS+=("workload ended with $(status_text "$st"), expected exit 0 after a full drain")
}

# untouched_reasons REPORT LOG STATUS: a workload the daemon must leave alone exits 0 at the end
# of its --duration, never signalled, with no "act" or "escalate" line in LOG. Appends to the
# caller's REASONS why not.
untouched_reasons()
{
	local rep=$1 log=$2 st=$3 acts

	[[ $st == 0 ]] || REASONS+=("workload ended with $(status_text "$st"), expected exit 0")
	if grep -q '^sigterm' "$rep"; then
		REASONS+=("the workload was signalled: $(grep -m1 '^sigterm' "$rep")")
	elif ! grep -q '^done .*reason=duration' "$rep"; then
		REASONS+=("the workload did not run to its --duration")
	fi
	acts=$(grep -cE "$(json_event act)|$(json_event escalate)" "$log")
	((acts == 0)) || REASONS+=("the daemon logged $acts act/escalate event(s)")
}

# status_text STATUS: "exit 0", "killed by signal 9 (SIGKILL)"...
status_text()
{
	local st=$1 sig

	if [[ $st =~ ^[0-9]+$ ]] && ((st > 128)); then
		sig=$((st - 128))
		echo "status $st (killed by signal $sig, SIG$(kill -l "$sig" 2>/dev/null))"
	else
		echo "status $st"
	fi
}

# pick_data_dir MIB: an on-disk (not tmpfs) directory with room for MIB plus margin.
pick_data_dir()
{
	local need_kib=$((($1 + 256) * 1024)) d fs avail

	for d in ${OW_E2E_DATA_DIR:-} /var/tmp "$PWD/build" /tmp; do
		[[ -d $d && -w $d ]] || continue
		fs=$(stat -f -c %T "$d" 2>/dev/null)
		[[ $fs == tmpfs || $fs == ramfs ]] && continue
		avail=$(df -Pk "$d" 2>/dev/null | awk 'NR == 2 { print $4 }')
		if [[ -z $avail ]] || ((avail < need_kib)); then
			continue
		fi
		echo "$d"
		return 0
	done
	return 1
}

# verdict NAME LOGFILE [REASON...]: PASS when no reason is given, else FAIL with the reasons and
# the log's last lines. Counts into PASSED and FAILED.
verdict()
{
	local name=$1 log=$2
	shift 2
	if (($# == 0)); then
		echo "PASS $name"
		PASSED=$((PASSED + 1))
		return
	fi
	echo "FAIL $name: $*"
	tail -n 20 "$log" 2>/dev/null | sed 's/^/    /'
	FAILED=$((FAILED + 1))
}

# hostile_user: makes (once) the unprivileged user the adversarial tests attack as, with a
# home directory of its own; sets OW_HOSTILE_USER, OW_HOSTILE_UID and OW_HOSTILE_HOME.
# Run a command as that user with: setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" \
#	--clear-groups -- CMD (or as_hostile CMD).
hostile_user()
{
	OW_HOSTILE_USER=owhostile
	# A machine with no user database to add to (the qemu guests of tests/vm: busybox, no
	# passwd) gets a uid with no name, which setpriv runs as well.
	if ! command -v useradd >/dev/null; then
		OW_HOSTILE_UID=${OW_HOSTILE_UID:-64123}
		OW_HOSTILE_HOME=/tmp/$OW_HOSTILE_USER-home
		mkdir -p "$OW_HOSTILE_HOME" && chown "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$OW_HOSTILE_HOME"
		return
	fi
	if ! getent passwd "$OW_HOSTILE_USER" >/dev/null; then
		useradd --create-home --shell /bin/sh "$OW_HOSTILE_USER" 2>/dev/null ||
			{ echo "e2e: cannot create user $OW_HOSTILE_USER" >&2; return 1; }
	fi
	OW_HOSTILE_UID=$(id -u "$OW_HOSTILE_USER") || return 1
	OW_HOSTILE_HOME=$(getent passwd "$OW_HOSTILE_USER" | cut -d: -f6)
	mkdir -p "$OW_HOSTILE_HOME" && chown "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$OW_HOSTILE_HOME"
}

# hostile_setup NAME: what a hostile script checks first: root and a memory controller (else
# SKIP, a failure under CI), $OWD and $OWLOAD built, the hostile user (hostile_user); sets HUID
# and makes OWLOAD absolute. Exits the script when one is missing.
hostile_setup()
{
	local bin

	if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
		echo "SKIP $1: needs root and a memory cgroup controller${OW_CG_WHY:+ ($OW_CG_WHY)}"
		[[ ${CI:-} == true ]] && exit 1
		exit 0
	fi
	for bin in "$OWD" "$OWLOAD"; do
		[[ -x $bin ]] || { echo "FAIL $1: $bin is not built (make)"; exit 1; }
	done
	hostile_user || { echo "FAIL $1: no unprivileged user"; exit 1; }
	# shellcheck disable=SC2034 # for the caller
	HUID=$OW_HOSTILE_UID
	OWLOAD=$(realpath "$OWLOAD")
}

# hostile_memcgs NAME USER_LIMIT: TOP (ow-hostile-NAME) and two memcgs below it: CG_H, the
# hostile user's (USER_LIMIT bytes), and CG_OTHER (256 MiB), for a leak elsewhere. Exits the
# script with a FAIL line when one cannot be made; the caller's cleanup removes them.
hostile_memcgs()
{
	TOP=$OW_CG_ROOT/ow-hostile-$1
	mkdir -p "$TOP" || { echo "FAIL $1: cannot make $TOP"; exit 1; }
	if [[ $OW_CG_VER == 2 ]]; then
		echo +memory >"$TOP/cgroup.subtree_control" || { echo "FAIL $1: no +memory"; exit 1; }
	fi
	CG_H=$(cg_create "ow-hostile-$1/user" "$2") || { echo "FAIL $1: no memcg"; exit 1; }
	CG_OTHER=$(cg_create "ow-hostile-$1/other" $((256 << 20))) ||
		{ echo "FAIL $1: no memcg"; exit 1; }
}

# hostile_delegated NAME: hostile_setup, hostile_tmpd and hostile_memcgs (the user's 1 GiB),
# then CG_H delegated to the user (its directory, cgroup.procs and, on v2, subtree_control, as
# a delegation gives them); sets LIMIT_NAME, the limit file of this hierarchy.
hostile_delegated()
{
	hostile_setup "$1"
	hostile_tmpd "$1"
	hostile_memcgs "$1" $((1 << 30))
	chown "$HUID" "$CG_H" "$CG_H/cgroup.procs" || { echo "FAIL $1: cannot delegate"; exit 1; }
	[[ $OW_CG_VER == 2 ]] && chown "$HUID" "$CG_H/cgroup.subtree_control"
	LIMIT_NAME=memory.limit_in_bytes
	[[ $OW_CG_VER == 2 ]] && LIMIT_NAME=memory.max
	return 0
}

# hostile_tmpd NAME: TMPD, a directory the user may read, and LOG, the daemon's log in it.
hostile_tmpd()
{
	TMPD=$(mktemp -d "/tmp/oomwarden-$1.XXXXXX") || exit 1
	chmod 755 "$TMPD"
	LOG=$TMPD/daemon.log
}

# cg_destroy_tree DIR: DIR and every cgroup below it (the deepest first), their processes
# killed.
cg_destroy_tree()
{
	local d

	[[ -d $1 ]] || return 0
	for d in "$1"/*/; do
		[[ -d $d ]] && cg_destroy_tree "${d%/}"
	done
	cg_destroy "$1"
}

# hostile_teardown: for a cleanup trap: the processes in PIDS and the daemon (DPID) killed, TOP
# (what hostile_memcgs made, or the caller's tree) and all below it removed, TMPD too unless
# OW_E2E_KEEP=1.
hostile_teardown()
{
	local p
	local -a ours=(${PIDS[@]+"${PIDS[@]}"} ${DPID:+"$DPID"})

	for p in ${ours[@]+"${ours[@]}"}; do
		kill -KILL "$p" 2>/dev/null
	done
	# Those alone: a bare wait (or one with no pid) waits for every background job of the
	# script, such as shm-scan's sleepers (10 minutes), which the cgroups' removal below kills.
	((${#ours[@]})) && wait "${ours[@]}" 2>/dev/null
	[[ -n ${CG_H:-} ]] && cg_destroy_tree "$CG_H"
	[[ -n ${CG_OTHER:-} ]] && cg_destroy "$CG_OTHER"
	[[ -n ${TOP:-} ]] && cg_destroy_tree "$TOP"
	[[ -n ${TMPD:-} && ${OW_E2E_KEEP:-} != 1 ]] && rm -rf "$TMPD"
}

# hostile_end NAME: the last verdict, NAME-stop (the daemon still runs and stops cleanly), and
# the closing count line; false if anything failed (the script's last command).
hostile_end()
{
	R=()
	pid_alive "$DPID" || R+=("the daemon exited")
	stop_daemon_expect_clean "$DPID"
	DPID=''
	verdict "$1-stop" "$LOG" "${R[@]}"
	echo "$1: $PASSED passed, $FAILED failed"
	((FAILED == 0))
}

# leak_elsewhere_stopped CG: a 64 MiB/s leak with a 2 s drain in CG (a 256 MiB limit: ~4 s to
# it), run by root while an attack goes on elsewhere: appends to R unless it was acted on and
# exited gracefully with no kernel OOM kill there (the loop kept its pace). Needs OWLOAD, LOG,
# DPID and TMPD.
leak_elsewhere_stopped()
{
	local cg=$1 oom0 pid

	oom0=$(cg_oom_kills "$cg")
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
		"$OWLOAD" linear --rate 64 --drain 2 --duration 30 >"$TMPD/elsewhere.report" 2>&1 &
	pid=$!
	wait_for_line "$LOG" "\"event\":\"act\".*\"pid\":$pid," 30 "$DPID" ||
		R+=("the leak in $cg (pid $pid) was not acted on")
	expect_graceful_exit "$pid" 15
	(($(cg_oom_kills "$cg") == oom0)) || R+=("the kernel OOM-killed in $cg: the loop fell behind")
}

# as_hostile CMD...: runs CMD as the hostile user (hostile_user first), HOME set to its home.
as_hostile()
{
	HOME=$OW_HOSTILE_HOME setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" \
		--clear-groups -- "$@"
}

# hostile_in_cg CG CMD...: CMD as the hostile user, moved by itself into CG (its cgroup.procs
# given to the user, as a delegation does), in the background, output discarded; sets LAST to
# its pid (setpriv and sh exec into it: not as_hostile, a function, whose `&` would make $! a
# subshell's) and appends it to PIDS.
hostile_in_cg()
{
	local cg=$1

	shift
	HOME=$OW_HOSTILE_HOME setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" \
		--clear-groups -- sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" \
		>/dev/null 2>&1 &
	LAST=$!
	PIDS+=("$LAST")
}

# expect_graceful_exit PID SECONDS: waits for a SIGTERMed child of this shell to end; appends
# to the caller's R array why not, if it did not end with exit 0 in time.
expect_graceful_exit()
{
	local st
	wait_gone "$1" "$2" || R+=("the leak (pid $1) still runs")
	wait "$1"
	st=$?
	((st == 0)) || R+=("the leak ended with $(status_text "$st"), not a graceful exit 0")
}

# stop_daemon_expect_clean PID: SIGTERM to the daemon (a child of this shell); appends to R
# if it did not exit 0.
stop_daemon_expect_clean()
{
	local st
	kill -TERM "$1"
	wait "$1"
	st=$?
	((st == 0)) || R+=("the daemon exited with $(status_text "$st") on SIGTERM")
}

# ---- supervisor (tests/e2e/grace.sh, tests/e2e/manager.sh) ----

# sv_private_conf DIR NAME COMMAND [LINE...]: DIR/supervisord.conf for a private supervisord
# (root, its own socket, pidfile and logs in DIR: not Debian's /etc/supervisor, as hosting
# panels run it), with the program NAME running COMMAND in an [include]d DIR/conf.d/NAME.conf,
# its LINEs added there (autorestart, stopwaitsecs...).
sv_private_conf()
{
	local dir=$1 name=$2 command=$3

	shift 3
	mkdir -p "$dir/conf.d" || return 1
	cat >"$dir/supervisord.conf" <<EOF || return 1
; a private supervisord for tests/e2e
[unix_http_server]
file = $dir/supervisor.sock

[supervisord]
logfile = $dir/supervisord.log
pidfile = $dir/supervisord.pid
childlogdir = $dir
user = root

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://$dir/supervisor.sock

[include]
files = conf.d/*.conf
EOF
	{
		echo "[program:$name]"
		echo "command = $command"
		echo "autostart = true"
		echo "startsecs = 0"
		echo "stdout_logfile = $dir/$name.out"
		echo "redirect_stderr = true"
		printf '%s\n' "$@"
	} >"$dir/conf.d/$name.conf"
}

# sv_teardown: the daemon, the private supervisord ($SVPID) and the memcg ($CG) of a supervisor
# case, stopped and removed.
sv_teardown()
{
	daemon_stop
	kill -TERM "$SVPID" 2>/dev/null
	wait "$SVPID" 2>/dev/null
	SVPID=''
	cg_destroy "$CG"
	CG=''
}

# ---- PM2 (tests/e2e/manager.sh, tests/e2e/grace.sh) ----

# pm2_find CACHE LOGDIR: sets PM2 to the pm2 on PATH, else to the one in the directory CACHE
# (never the repo), installed there from npm when missing (npm's output in LOGDIR/npm.log).
# False when there is none and npm cannot install it.
pm2_find()
{
	local cache=$1 log=$2/npm.log

	PM2=$(command -v pm2) && return 0
	PM2=$cache/node_modules/.bin/pm2
	[[ -x $PM2 ]] && return 0
	command -v npm >/dev/null || return 1
	mkdir -p "$cache" || return 1
	echo "    installing pm2 from npm into $cache"
	npm install --no-audit --no-fund --prefix "$cache" pm2@5 >"$log" 2>&1 ||
		{ tail -n5 "$log"; return 1; }
	[[ -x $PM2 ]]
}

# pm2_in_cg CG PM2_HOME ARGS...: runs `$PM2 ARGS` with that PM2_HOME from inside the memcg CG:
# everything pm2 starts from there (the God daemon, then each app) is in CG. Through bash, not
# exec, so that "_" is pm2's path: the daemon finds the God daemon's installation from it. It
# runs with the caller's PATH (`PATH=... pm2_in_cg ...` for another).
pm2_in_cg()
{
	local cg=$1 home=$2

	shift 2
	PM2_HOME=$home bash -c 'echo $$ >"$0" && "$@"' "$cg/cgroup.procs" "$PM2" "$@"
}

# pm2_app PM2_HOME NAME KEY: the pid of the app NAME (KEY pid), or KEY of its pm2_env
# (restart_time, status...), from pm2 jlist; pid 0 when there is no such app.
pm2_app()
{
	PM2_HOME=$1 "$PM2" jlist 2>/dev/null | python3 -c '
import json, sys
apps = [a for a in json.load(sys.stdin) if a["name"] == sys.argv[1]]
a = apps[0] if apps else {"pid": 0, "pm2_env": {}}
key = sys.argv[2]
print(a["pid"] if key == "pid" else a["pm2_env"].get(key, ""))' "$2" "$3"
}

# daemon_start LOG ARGS...: `$OWD run ARGS` with its JSON log (-v) in LOG, in the background;
# sets DPID. True once it is ready (20 s at most).
daemon_start()
{
	local log=$1

	shift
	"$OWD" run "$@" --log-format json -v 2>"$log" &
	DPID=$!
	wait_for_line "$log" "$(json_event ready)" 20 "$DPID"
}

# daemon_stop: SIGTERM to the daemon daemon_start started, and its end; clears DPID.
daemon_stop()
{
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=''
}

# sigterm_why FILE: the "why" of the SIGTERM act line (a fallback), or nothing.
sigterm_why()
{
	python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    rec = json.loads(line)
    if rec.get("event") == "act" and rec.get("signal") == "SIGTERM":
        print(rec.get("why", ""))
        break
PY
}
