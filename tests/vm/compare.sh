#!/bin/bash
# The comparative benchmark's host-wide rows, run by tests/vm/init in the compare guest (never
# on a host: the leaks fill the machine's own RAM). No cgroup limit anywhere: the workload runs
# in the root cgroup of a guest without swap, and each machine-wide watcher runs as it would on
# a server: the kernel OOM killer alone, earlyoom with its defaults and with --prefer, nohang
# with its shipped config, oomwarden with no --cgroup. The scenarios are bench/compare/'s,
# sized from the guest's MemAvailable (its room) instead of a memcg limit; rows are judged by bench/compare/'s
# judge, with the kernel's global OOM-kill count (/proc/vmstat) for the memcg's.
# The cg- rows (CG_SCENARIOS, run only when named; bench/compare/vm.sh boots them in a guest of
# 1 GiB, as tests/vm/run.sh's brake suite) are cgroup-limited instead: bench/compare/'s drain-R
# and burst-88 in a v2 cgroup of CG_MIB (memory.max, no swap; drain-1 in SLOW_LIMIT_MIB, as on
# the host), the same watchers, oomwarden with its defaults (its brake on) and with --brake off.
#
# usage: tests/vm/compare.sh [--list | --list-cg] [SCENARIO...]     (as root, in a tests/vm guest)
# environment: OW_VM_GUEST=1 (set by tests/vm/init), OW_VM_COMPARE_WATCHERS (watchers, default
# all), OW_VM_COMPARE_EXTRAS (the data disk's tree from tests/vm/run.sh, default
# /mnt/data/compare: earlyoom, nohang, python3, coreutils' date, VERSIONS).
# Prints, for tests/vm/init to send over the serial console (bench/compare/vm.sh reads them):
#   INFO <key> <value>       the guest, the versions, each row's watcher command line
#   ROW <rows.tsv columns>   one row, bench/compare/rows.sh's columns joined by | (not tabs:
#                            a console may expand them)
#   VICTIMS <row> <names>    the processes the kernel's OOM killer killed during the row, or -
#   ROWNOTE <row> <text>     what else the table should say about the row (a watcher gone;
#                            oomwarden's brake in a cg- row)
# and PASS/FAIL per row (FAIL: the row could not be run), then `compare: N passed, N failed`.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
# shellcheck source=bench/compare/watchers.sh
. bench/compare/watchers.sh
# shellcheck source=bench/compare/scenarios.sh
. bench/compare/scenarios.sh
# shellcheck source=bench/compare/rows.sh
. bench/compare/rows.sh

ALL_SCENARIOS=(linear-16 linear-256 burst plateau)
CG_SCENARIOS=(cg-drain-1 cg-drain-16 cg-drain-256 cg-drain-1024 cg-burst-88)
# The cg- rows' cgroup, and the one of cg-drain-1 (scenarios.sh's SLOW_LIMIT_MIB).
CG_MIB=${OW_VM_COMPARE_CG_MIB:-512}
ALL_WATCHERS=(none earlyoom nohang oomwarden)
# earlyoom's tuned row names the victim by process name, its documented way.
PREFER_RE='^owload$'
EXTRAS=${OW_VM_COMPARE_EXTRAS:-/mnt/data/compare}
OWD=build/oomwarden
OWLOAD=$PWD/build/owload
READY_TIMEOUT=30
# nohang is python: under TCG its start (imports, mlockall) takes seconds.
NOHANG_READY_TIMEOUT=120

SELECTED=()
for arg in "$@"; do
	if [[ $arg == --list ]]; then
		echo "${ALL_SCENARIOS[*]}"
		exit 0
	fi
	if [[ $arg == --list-cg ]]; then
		echo "${CG_SCENARIOS[*]}"
		exit 0
	fi
	if [[ " ${ALL_SCENARIOS[*]} ${CG_SCENARIOS[*]} " != *" $arg "* ]]; then
		echo "compare: unknown scenario '$arg' (known: ${ALL_SCENARIOS[*]} ${CG_SCENARIOS[*]})" >&2
		exit 2
	fi
	SELECTED+=("$arg")
done
((${#SELECTED[@]})) || SELECTED=("${ALL_SCENARIOS[@]}")
read -r -a WATCHERS <<<"${OW_VM_COMPARE_WATCHERS:-${ALL_WATCHERS[*]}}"

if [[ ${OW_VM_GUEST:-} != 1 ]]; then
	echo "compare: refusing to run outside a tests/vm guest (it exhausts the machine's RAM)" >&2
	exit 2
fi
if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || [[ $OW_CG_VER != 2 ]]; then
	echo "compare: needs root and cgroup v2 with the memory controller" >&2
	exit 1
fi
if [[ ! -r $EXTRAS/VERSIONS ]]; then
	echo "compare: no $EXTRAS/VERSIONS: the data disk lacks the watchers (tests/vm/run.sh)" >&2
	exit 1
fi
# coreutils' date first: bench/compare/ times launches with %N.
PATH=$EXTRAS/bin:$PATH
TMP=$(mktemp -d /tmp/oomwarden-compare.XXXXXX) || exit 1
# scenarios.sh sizes every workload from LIMIT_MIB: here the room the machine has, as a memcg
# row starts with an empty memcg. Sized from MemTotal, the plateau's 75 % came on top of what
# the system already used and stopped seconds short of the OOM, inside any act horizon.
sync
echo 3 >/proc/sys/vm/drop_caches
LIMIT_MIB=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)
ROOM_MIB=$LIMIT_MIB
QUICK=0 DATA_DIR=${OW_E2E_DATA_DIR:-/mnt/data}
PASSED=0 FAILED=0
ROW_CG=''

cleanup()
{
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n $W_PID ]] && kill -KILL "$W_PID" 2>/dev/null
	[[ -n $ROW_CG ]] && cg_destroy "$ROW_CG"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

vm_oom_kills()
{
	awk '$1 == "oom_kill" { print $2 }' /proc/vmstat
}

meminfo_mib()
{
	awk -v k="$1:" '$1 == k { print int($2 / 1024) }' /proc/meminfo
}

# variants WATCHER [SCENARIO]: the rows of a watcher (the host rows' tuned nohang, PM2 and
# oomwarden settings are for memcgs and are not run here); in a cg- row oomwarden also runs
# with its brake off, the brake's effect, and with no watcher the cgroup's memory.high is also
# held where oomwarden's brake sits (brake-held): how long a leak takes to the OOM once braked,
# the lead a braked SIGTERM is measured against.
variants()
{
	case $1/${2:-} in
	earlyoom/*) echo default tuned ;;
	none/cg-drain-*) echo default brake-held ;;
	oomwarden/cg-*) echo default brake-off ;;
	*) echo default ;;
	esac
}

# is_cg SCENARIO: a cgroup-limited row.
is_cg()
{
	[[ $1 == cg-* ]]
}

# watcher_argv WATCHER VARIANT: sets W_ARGV, the watcher's command line (empty for none).
watcher_argv()
{
	case $1/$2 in
	none/default | none/brake-held) W_ARGV=() ;;
	earlyoom/default) W_ARGV=("$EXTRAS/earlyoom/usr/bin/earlyoom") ;;
	earlyoom/tuned) W_ARGV=("$EXTRAS/earlyoom/usr/bin/earlyoom" --prefer "$PREFER_RE") ;;
	nohang/default)
		# -u: its log lines reach the file as they are printed, not when it exits.
		W_ARGV=("$EXTRAS/bin/python3" -u "$EXTRAS/nohang/usr/sbin/nohang" --monitor --config
			"$EXTRAS/nohang/etc/nohang/nohang.conf")
		;;
	oomwarden/default) W_ARGV=("$OWD" run --log-format json) ;;
	oomwarden/brake-off) W_ARGV=("$OWD" run --log-format json --brake off) ;;
	*) return 1 ;;
	esac
}

# argv_text: W_ARGV for the table, paths shortened to their last component.
argv_text()
{
	local word out=''

	for word in "${W_ARGV[@]}"; do
		[[ $word == */* ]] && word=${word##*/}
		out+=" $word"
	done
	echo "${out# }"
}

# guest_watcher_start WATCHER LOG: starts W_ARGV, sets W_PID; false when it never got ready.
guest_watcher_start()
{
	local w=$1 log=$2

	W_PID=''
	[[ $w == none ]] && return 0
	"${W_ARGV[@]}" >"$log" 2>&1 &
	W_PID=$!
	case $w in
	earlyoom) wait_for_line "$log" '^mem avail' "$READY_TIMEOUT" "$W_PID" ;;
	nohang) wait_for_line "$log" 'Monitoring has started' "$NOHANG_READY_TIMEOUT" "$W_PID" ;;
	oomwarden) wait_for_line "$log" "$(json_event ready)" "$READY_TIMEOUT" "$W_PID" ;;
	esac
}

# oom_victims: the processes the kernel's OOM killer killed since the last `dmesg -c`.
oom_victims()
{
	local names

	names=$(dmesg -s 1048576 | sed -n 's/.*Killed process [0-9]* (\([^)]*\)).*/\1/p' | tr '\n' ' ')
	echo "${names:--}"
}

# brake_note LOG HIGH: what oomwarden's brake did in a cg- row, from its log, the lead its
# first act line predicted (lead_s: the ETA to the limit when it acted) and memory.high (HIGH)
# a second after the workload's end, before the daemon stopped.
brake_note()
{
	local set raised lifted act lead=''

	set=$(grep -E "$(json_event brake)" "$1" | grep -c 'memory.high set just above')
	raised=$(grep -E "$(json_event brake)" "$1" | grep -c 'brake raised for the drain')
	lifted=$(grep -cE "$(json_event brake_lift)" "$1")
	act=$(grep -m1 -E "$(json_event act)" "$1")
	[[ -n $act ]] && lead="; SIGTERM at $(json_line_value "$act" usage_mib) MiB, its predicted lead (lead_s) $(json_line_value "$act" lead_s) s"
	echo "brake set $set time(s), raised for the drain $raised time(s), lifted $lifted time(s)$lead; memory.high $2 a second after the workload's end"
}

# guest_row SCENARIO WATCHER VARIANT: one row, printed as ROW and VICTIMS lines.
guest_row()
{
	local scen=$1 w=$2 v=$3 id="$1.$2.$3" t0=$SECONDS log rep st oom0 oom t1 row outcome
	local where=$OW_CG_ROOT high_end='' held_s=''
	local -a reasons=() notes=()

	if is_cg "$scen"; then
		# bench/compare/'s scenario, sized from the cgroup's limit.
		LIMIT_MIB=$CG_MIB scenario "${scen#cg-}" || return 1
	else
		scenario "$scen" || return 1
	fi
	watcher_argv "$w" "$v" || return 1
	if [[ $v == brake-held ]]; then
		# Held, the leak crawls: 90 s more to reach the OOM, if it does (scenario() ends
		# S_CMD with --duration S_DUR).
		S_DUR=$((S_DUR + 90))
		S_CMD[-1]=$S_DUR
	fi
	log=$TMP/$id.log rep=$TMP/$id.report
	: >"$rep"
	# Every row starts from the same free memory, and with the kernel's log empty.
	sync
	echo 3 >/proc/sys/vm/drop_caches
	dmesg -c >/dev/null
	if is_cg "$scen"; then
		# The cgroup's limit must be the one that binds, with room left for the machine.
		if (($(meminfo_mib MemAvailable) < S_LIMIT_MIB + 256)); then
			reasons+=("the guest has $(meminfo_mib MemAvailable) MiB available, too little for a $S_LIMIT_MIB MiB cgroup to be the limit that binds (OW_VM_COMPARE_MEM)")
		elif ! ROW_CG=$(cg_create "owvm-compare-$$" $((S_LIMIT_MIB << 20))); then
			ROW_CG=''
			reasons+=("cannot create a cgroup under $OW_CG_ROOT")
		else
			where=$ROW_CG
			# As oomwarden's brake once a fast leak crosses the high-water mark (its default
			# 0.9 of the limit, core/brake.h), held for good: nobody is signalled.
			[[ $v == brake-held ]] &&
				echo $((S_LIMIT_MIB * 9 / 10 << 20)) >"$ROW_CG/memory.high"
		fi
	fi
	oom0=$(vm_oom_kills)
	if ((${#reasons[@]})); then
		:
	elif ! guest_watcher_start "$w" "$log"; then
		reasons+=("$w did not get ready: $(tail -n 3 "$log" | tr '\n' ' ')")
	else
		bench/compare/incg.sh "$where" "$rep" "${S_CMD[@]}" --report "$rep" \
			>"$TMP/$id.out" 2>&1 &
		WPID=$!
		if wait_gone "$WPID" $((S_DUR + 60)); then
			wait "$WPID"
			st=$?
		else
			kill -KILL "$WPID"
			wait "$WPID" 2>/dev/null
			# Held that long by memory.high alone: a result of the brake-held row.
			if [[ $v == brake-held ]]; then
				held_s=$((S_DUR + 60))
			else
				reasons+=("the workload was still running $((S_DUR + 60)) s after its start")
			fi
		fi
		WPID=''
		t1=$(date +%s.%N)
		# The watcher's log lines about the victim's exit.
		sleep 1
		[[ -n $ROW_CG ]] && read -r high_end <"$ROW_CG/memory.high"
		oom=$(($(vm_oom_kills) - oom0))
		# A result, not a failure: the kernel may have chosen it, or it crashed.
		[[ $w == none ]] || pid_alive "$W_PID" ||
			notes+=("$w was gone at the end of the row: $(tail -n 2 "$log" | tr '\n' ' ')")
	fi
	watcher_stop "$w" "$log"
	if [[ -n $ROW_CG ]]; then
		[[ $w == oomwarden ]] && notes+=("$(brake_note "$log" "${high_end:-?}")")
		cg_destroy "$ROW_CG"
		ROW_CG=''
	fi
	((${#reasons[@]})) || grep -q '^launch ' "$rep" || reasons+=("the workload never started")
	if ((${#reasons[@]})); then
		FAILED=$((FAILED + 1))
		echo "FAIL $id: $(printf '%s; ' "${reasons[@]}" | sed 's/; $//')"
		tail -n 10 "$log" | sed 's/^/    /'
		return 0
	fi
	row=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$scen" "$S_KIND" "$w" "$v" \
		"$(judge "$rep" "$st" "$oom" "$t1")" "$oom" - "$(watcher_actions "$w" "$log")" \
		"$(drain_cells "$rep" "$st" "$oom" "$t1")" "$(watcher_grace "$w" "$log")")
	# A brake-held row that never reached the OOM (ran to its --duration, or past it): how long
	# it was held, no time to OOM.
	[[ $v == brake-held && $(cut -f5 <<<"$row") == untouched ]] && held_s=$S_DUR
	[[ -n $held_s ]] && row=$(awk -F'\t' -v OFS='\t' -v h="$held_s" \
		'{ $5 = "held by memory.high, no OOM in " h " s"; $6 = "-"; $7 = "-"; print }' <<<"$row")
	echo "ROW ${row//$'\t'/|}"
	echo "VICTIMS $id $(oom_victims)"
	# Its decisions, for whoever reads the serial log (OW_VM_KEEP=1): not parsed.
	[[ $w == oomwarden ]] && grep -v '"debug"' "$log" | head -n 30 | sed 's/^/OWLOG /'
	((${#notes[@]})) && echo "ROWNOTE $id ${notes[*]}"
	outcome=$(cut -f5 <<<"$row")
	PASSED=$((PASSED + 1))
	echo "PASS $id ($((SECONDS - t0))s): $outcome, first action $(cut -f6 <<<"$row") s," \
		"$oom OOM kill(s)"
}

echo "compare: cgroup v2 at $OW_CG_ROOT, $(meminfo_mib MemTotal) MiB RAM," \
	"$LIMIT_MIB MiB available, logs in $TMP"
echo "INFO kernel $(uname -r)"
echo "INFO memtotal_mib $(meminfo_mib MemTotal)"
echo "INFO memavailable_mib $ROOM_MIB"
echo "INFO cg_mib $CG_MIB"
echo "INFO cg_slow_mib $SLOW_LIMIT_MIB"
echo "INFO swap_mib $(meminfo_mib SwapTotal)"
echo "INFO cpus $(nproc)"
while read -r pkg ver; do
	echo "INFO version $pkg $ver"
done <"$EXTRAS/VERSIONS"
echo "INFO version oomwarden $("$OWD" --version 2>&1 | head -n1)"
for w in "${WATCHERS[@]}"; do
	for v in $(for scen in "${SELECTED[@]}"; do variants "$w" "$scen"; done | tr ' ' '\n' |
		awk '!seen[$0]++'); do
		watcher_argv "$w" "$v" || { echo "compare: unknown watcher '$w'" >&2 && exit 2; }
		echo "INFO flags $w/$v $(argv_text)"
	done
done
for scen in "${SELECTED[@]}"; do
	for w in "${WATCHERS[@]}"; do
		for v in $(variants "$w" "$scen"); do
			guest_row "$scen" "$w" "$v"
			sleep 1
		done
	done
done
echo "compare: $PASSED passed, $FAILED failed"
((FAILED == 0))
