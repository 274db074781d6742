# shellcheck shell=bash
# The watchers of the comparative benchmark: install, start, stop, their pids and their
# actions. Sourced by bench/compare.sh, which sets TMP (scratch dir) and OWD.
#
# Each watcher runs only while a row or a cost run needs it. earlyoom and nohang act on the
# whole machine, so they run with settings that steer them to the benchmark's workloads
# (earlyoom --prefer; nohang a badness of -2000 for every command line that is not a workload)
# and only when the machine has far more memory available than their thresholds.

WATCHERS_ALL=(none earlyoom nohang pm2 oomwarden)
PM2_PREFIX=${PM2_PREFIX:-/var/cache/oomwarden-bench/npm}
PM2="$PM2_PREFIX/node_modules/.bin/pm2"
PM2_VERSION=${PM2_VERSION:-7}
# Process names of the workloads: owload (C), the Node.js leaker's process.title.
WORKLOAD_RE='^(owload|owh-nodeleak)$'
W_PID=''

# variant_flags WATCHER VARIANT: the watcher's settings for the row, as the table prints them.
variant_flags()
{
	case $1/$2 in
	none/*) echo "-" ;;
	earlyoom/default) echo "earlyoom (-m 10 -s 10)" ;;
	earlyoom/tuned) echo "earlyoom --prefer '$WORKLOAD_RE'" ;;
	nohang/default) echo "nohang.conf as shipped" ;;
	nohang/tuned) echo "psi_checking_enabled = True, psi_path = $(nohang_psi_path)" ;;
	pm2/default) echo "--max-memory-restart $(pm2_limit)" ;;
	pm2/tuned) echo "same, PM2_WORKER_INTERVAL=1000" ;;
	oomwarden/default) echo "run --cgroup CG" ;;
	oomwarden/tuned) echo "run --cgroup CG --act-horizon 30" ;;
	esac
}

# The PM2 threshold: 90 % of the memcg limit (PM2 has no default; it is the one setting).
pm2_limit()
{
	echo "$((${S_LIMIT_MIB:-$LIMIT_MIB} * 9 / 10))M"
}

# nohang's tuned PSI source: the memcg's own pressure on v2, the machine's on v1 (v1 has none).
nohang_psi_path()
{
	if [[ $OW_CG_VER == 2 && -n ${ROW_CG:-} ]]; then
		echo "$ROW_CG/memory.pressure"
	elif [[ $OW_CG_VER == 2 ]]; then
		echo "CG/memory.pressure"
	else
		echo /proc/pressure/memory
	fi
}

# pm2_start NAME CMD...: CMD as a PM2 app (no interpreter: PM2 tracks CMD's own pid),
# restarted above the pm2_limit threshold. The daemon stops apps with PM2_KILL_SIGNAL (SIGTERM
# here; its default is SIGINT).
pm2_start()
{
	local name=$1 app=$TMP/pm2-app.json
	shift
	python3 -c 'import json, sys
print(json.dumps({"apps": [{"name": sys.argv[1], "script": sys.argv[3], "args": sys.argv[4:],
	"interpreter": "none", "max_memory_restart": sys.argv[2]}]}))' \
		"$name" "$(pm2_limit)" "$@" >"$app"
	"$PM2" start "$app" >/dev/null
}

deb_installed()
{
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# watchers_install: earlyoom and nohang from Debian, PM2 from npm into PM2_PREFIX, where
# missing. The packages' services are kept from starting (policy-rc.d), and any earlyoom or
# nohang process that appears during the install is stopped.
watchers_install()
{
	local missing='' p before after policy_added=0

	for p in earlyoom nohang; do
		deb_installed "$p" || missing+=" $p"
	done
	if [[ -n $missing ]]; then
		before=$(pgrep -x 'earlyoom|nohang' | sort)
		if [[ ! -e /usr/sbin/policy-rc.d ]]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod +x /usr/sbin/policy-rc.d
			policy_added=1
		fi
		echo "bench-compare: installing$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
			{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
		((policy_added)) && rm -f /usr/sbin/policy-rc.d
		after=$(pgrep -x 'earlyoom|nohang' | sort)
		for p in $(comm -13 <(echo "$before") <(echo "$after")); do
			kill "$p" 2>/dev/null
		done
		command -v systemctl >/dev/null && [[ -d /run/systemd/system ]] &&
			systemctl disable --now earlyoom nohang nohang-desktop 2>/dev/null
	fi
	if [[ ! -x $PM2 ]]; then
		echo "bench-compare: installing pm2@$PM2_VERSION into $PM2_PREFIX" >&2
		mkdir -p "$PM2_PREFIX"
		npm install --prefix "$PM2_PREFIX" --no-audit --no-fund "pm2@$PM2_VERSION" \
			>/dev/null || return 1
	fi
}

watcher_version()
{
	case $1 in
	none) uname -r ;;
	earlyoom) earlyoom -v 2>&1 | head -n1 ;;
	nohang) dpkg-query -W -f='${Version}' nohang ;;
	pm2) node -p "require('$PM2_PREFIX/node_modules/pm2/package.json').version" ;;
	oomwarden) "$OWD" --version 2>&1 | head -n1 ;;
	esac
}

# mem_safe WATCHER: true when the machine-wide killers are far from their thresholds (10 % for
# earlyoom, 5 % for nohang): at least 4 GiB more than that must be available.
mem_safe()
{
	local avail total

	[[ $1 == earlyoom || $1 == nohang ]] || return 0
	avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	((avail > total / 10 + (4 << 20)))
}

nohang_config()
{
	local variant=$1 conf=$TMP/nohang.conf

	cp /etc/nohang/nohang.conf "$conf"
	if [[ $variant == tuned ]]; then
		sed -i -e 's|^psi_checking_enabled = .*|psi_checking_enabled = True|' \
			-e "s|^psi_path = .*|psi_path = $(nohang_psi_path)|" "$conf"
		echo "@BADNESS_ADJ_RE_NAME 300 /// $WORKLOAD_RE" >>"$conf"
	fi
	# Safety, not tuning: nothing but a workload may become its victim (min_badness is 1).
	echo '@BADNESS_ADJ_RE_CMDLINE -2000 /// ^(?!.*(owload|owh-nodeleak))' >>"$conf"
	echo "$conf"
}

# watcher_start WATCHER VARIANT CG LOG [WEBHOOK]: starts the watcher (PM2: its daemon only),
# sets W_PID. Returns 1 if it did not come up.
watcher_start()
{
	local w=$1 variant=$2 cg=$3 log=$4 hook=${5:-} args=()

	W_PID=''
	case $w in
	none) return 0 ;;
	earlyoom)
		[[ $variant == tuned ]] && args=(--prefer "$WORKLOAD_RE")
		earlyoom "${args[@]}" >"$log" 2>&1 &
		W_PID=$!
		wait_for_line "$log" '^mem avail' 10 "$W_PID"
		;;
	nohang)
		nohang --monitor -c "$(nohang_config "$variant")" >"$log" 2>&1 &
		W_PID=$!
		wait_for_line "$log" 'Monitoring has started' 20 "$W_PID"
		;;
	pm2)
		export PM2_HOME=$TMP/pm2home PM2_KILL_SIGNAL=SIGTERM
		if [[ $variant == tuned ]]; then
			export PM2_WORKER_INTERVAL=1000
		else
			unset PM2_WORKER_INTERVAL
		fi
		"$PM2" ping >/dev/null 2>&1 || return 1
		W_PID=$(cat "$PM2_HOME/pm2.pid")
		: >"$log"
		;;
	oomwarden)
		[[ $variant == tuned ]] && args+=(--act-horizon 30)
		[[ -n $hook ]] && args+=(--webhook "$hook" --webhook-format json)
		"$OWD" run --cgroup "$cg" --log-format json ${OW_BENCH_FLAGS:-} "${args[@]}" 2>"$log" &
		W_PID=$!
		wait_for_line "$log" "$(json_event ready)" 20 "$W_PID"
		;;
	esac
}

# watcher_pids: the watcher's processes (oomwarden's alert sender included; PM2's daemon).
watcher_pids()
{
	[[ -n $W_PID ]] || return 0
	echo "$W_PID"
	pgrep -P "$W_PID" -x oomwarden 2>/dev/null
}

watcher_stop()
{
	local w=$1 log=$2

	case $w in
	pm2)
		[[ -n ${PM2_HOME:-} ]] || return 0
		"$PM2" kill >/dev/null 2>&1
		cp "$PM2_HOME/pm2.log" "$log" 2>/dev/null
		rm -rf "$PM2_HOME"
		unset PM2_HOME PM2_WORKER_INTERVAL PM2_KILL_SIGNAL
		;;
	*)
		[[ -n $W_PID ]] || return 0
		kill -TERM "$W_PID" 2>/dev/null
		wait_gone "$W_PID" 10 || kill -KILL "$W_PID" 2>/dev/null
		wait "$W_PID" 2>/dev/null
		;;
	esac
	W_PID=''
}

# watcher_actions WATCHER LOG: how many times the watcher acted, from its own log.
watcher_actions()
{
	local re

	case $1 in
	none) echo 0 && return ;;
	earlyoom) re='^sending SIG[A-Z]+ to process' ;;
	nohang) re='Implementing a corrective action' ;;
	pm2) re='exceeds --max-memory-restart' ;;
	oomwarden) re='"event":"(act|escalate)"' ;;
	esac
	grep -cE "$re" "$2" 2>/dev/null || true
}
