#!/usr/bin/env bash
# `make bench-compare` (and the second part of `make bench`): oomwarden side by side with the
# kernel OOM killer alone, earlyoom, nohang and PM2, on the same workloads in memcgs of the same
# limit; what each watcher costs; oomwarden with many memcgs and processes. Writes the section
# between the compare markers of BENCHMARKS.md and quotes its headline in the README. The rows
# with no cgroup limit run in a VM: bench/compare/vm.sh, the third part of `make bench`.
# Run as root after `make`. Installs earlyoom and nohang (apt-get) and PM2 (npm, into
# /var/cache/oomwarden-bench) where missing.
#
# environment:
#   BENCH_QUICK=1      a reduced run for development: 2 scenarios, 2 pairs, 10 s idle, 100
#                      memcgs / 500 processes for scale
#   COMPARE_SCENARIOS  scenarios to run (default all; see bench/compare/scenarios.sh)
#   COMPARE_WATCHERS   watchers (default: none earlyoom nohang pm2 oomwarden)
#   COMPARE_PARTS      any of rows costs scale drain (default all four); drain writes the
#                      drain rows and burst-88 (DRAIN_SCENARIOS) to their own section; alone,
#                      it runs only those and leaves the full comparison's section in place
#   OW_BENCH_FLAGS     extra flags for oomwarden's rows (-vv: debug lines, with COMPARE_KEEP=1)
#   COMPARE_KEEP=1     keep the rows' logs and reports
#   LIMIT_MIB (512) SLOW_LIMIT_MIB (128, linear-1's and drain-1's) PAIRS (5) IDLE_S (60) SCALE_CGROUPS (20000)
#   SCALE_PROCS (50000)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
. bench/compare/watchers.sh
. bench/compare/scenarios.sh
. bench/compare/rows.sh
. bench/compare/costs.sh
. bench/compare/scale.sh
. bench/compare/report.sh

QUICK=${BENCH_QUICK:-0}
LIMIT_MIB=${LIMIT_MIB:-512}
if ((QUICK)); then
	PAIRS=${PAIRS:-2} IDLE_S=${IDLE_S:-10}
	SCALE_CGROUPS=${SCALE_CGROUPS:-100} SCALE_PROCS=${SCALE_PROCS:-500}
	read -r -a SCENARIOS <<<"${COMPARE_SCENARIOS:-${SCENARIOS_QUICK[*]}}"
else
	PAIRS=${PAIRS:-5} IDLE_S=${IDLE_S:-60}
	SCALE_CGROUPS=${SCALE_CGROUPS:-20000} SCALE_PROCS=${SCALE_PROCS:-50000}
	read -r -a SCENARIOS <<<"${COMPARE_SCENARIOS:-${SCENARIOS_ALL[*]}}"
fi
read -r -a WATCHERS <<<"${COMPARE_WATCHERS:-${WATCHERS_ALL[*]}}"
read -r -a PARTS <<<"${COMPARE_PARTS:-rows costs scale drain}"
# The drain part alone: the rows of issue 16's real grace, written to their own section.
if [[ " ${PARTS[*]} " == *" drain "* && " ${PARTS[*]} " != *" rows "* ]]; then
	read -r -a SCENARIOS <<<"${COMPARE_SCENARIOS:-${DRAIN_SCENARIOS[*]}}"
fi
COST_WATCHERS=()
for w in "${WATCHERS[@]}"; do
	[[ $w != none ]] && COST_WATCHERS+=("$w")
done
OUT=${OUT:-BENCHMARKS.md}
OWD=build/oomwarden
OWLOAD=$PWD/build/owload
TMP=$(mktemp -d /tmp/owh-compare.XXXXXX)
CUR_CG='' RPID='' DATA_DIR=''
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
T_START=$SECONDS

cleanup()
{
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n ${PM2_HOME:-} ]] && "$PM2" kill >/dev/null 2>&1
	[[ -n $W_PID ]] && kill -TERM "$W_PID" 2>/dev/null
	scale_cleanup
	[[ -n $CUR_CG ]] && cg_destroy "$CUR_CG"
	[[ -n $RPID ]] && kill "$RPID" 2>/dev/null
	[[ -n $DATA_DIR ]] && rm -f "$DATA_DIR/owh-compare-cache.dat"
	if [[ -n ${COMPARE_KEEP:-} ]]; then
		echo "bench-compare: logs kept in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

has_part()
{
	[[ " ${PARTS[*]} " == *" $1 "* ]]
}

[[ $(id -u) == 0 ]] || { echo "bench-compare: needs root (BPF, cgroups)" >&2; exit 1; }
ow_detect_memcg || { echo "bench-compare: $OW_CG_WHY" >&2; exit 1; }
[[ -x $OWD && -x $OWLOAD ]] || { echo "bench-compare: build first (make)" >&2; exit 1; }
# The scale part runs oomwarden alone.
if has_part rows || has_part costs || has_part drain; then
	watchers_install || { echo "bench-compare: could not install the watchers" >&2; exit 1; }
fi
FAULTER=$TMP/faulter MALLOCER=$TMP/mallocer SLEEPERS=$TMP/sleepers
for b in faulter mallocer sleepers; do
	cc -O2 -o "$TMP/$b" "bench/$b.c" || exit 1
done
DATA_DIR=$(pick_data_dir $((LIMIT_MIB * 2))) || { echo "bench-compare: no disk room" >&2; exit 1; }

# The webhook receiver for oomwarden's alerts.
RECORDS=$TMP/records.jsonl
: >"$RECORDS"
python3 tests/alert/receiver.py "$RECORDS" >"$TMP/receiver.out" &
RPID=$!
for _ in $(seq 50); do
	RPORT=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$TMP/receiver.out")
	[[ -n $RPORT ]] && break
	sleep 0.1
done
[[ -n $RPORT ]] || { echo "bench-compare: the webhook receiver did not start" >&2; exit 1; }

# The rows: every scenario with no watcher first (its time to OOM is the lead-time reference),
# then each watcher with its defaults and its tuned setting.
: >"$TMP/rows.tsv"
if has_part rows || has_part drain; then
	for scen in "${SCENARIOS[@]}"; do
		scenario "$scen" || { echo "bench-compare: unknown scenario $scen" >&2; exit 2; }
		for w in "${WATCHERS[@]}"; do
			for v in default tuned; do
				[[ $w == none && $v == tuned ]] && continue
				run_row "$scen" "$w" "$v" || exit 1
			done
		done
	done
fi
: >"$TMP/costs.tsv"
if has_part costs; then
	run_costs "${COST_WATCHERS[@]}" || exit 1
fi
: >"$TMP/scale.tsv"
if has_part scale; then
	run_scale || exit 1
fi
MINUTES=$(((SECONDS - T_START + 59) / 60))

# The oomwarden latency of bench/bench.sh, quoted from its own table when it is there.
latency_row()
{
	grep -m1 '^| ring-buffer event to SIGTERM' "$OUT" 2>/dev/null |
		awk -F'|' '{ gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); print $2 ": " $3 }'
}

write_section()
{
	local cpu w slow

	cpu=$(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo | sed 's/^ *//')
	echo "<!-- compare:start -->"
	echo "## Side by side: the kernel OOM killer, earlyoom, nohang, PM2, oomwarden"
	echo
	echo "Written by \`make bench-compare\` (bench/compare.sh) on $STARTED in $MINUTES min$( ((QUICK)) && echo ', a reduced run (BENCH_QUICK=1)')."
	echo "Machine: $cpu, $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r), memory cgroup v$OW_CG_VER."
	echo -n "Versions:"
	for w in "${WATCHERS[@]}"; do
		[[ $w == none ]] || echo -n " $w $(watcher_version "$w");"
	done
	echo " node $(node --version)."
	echo -n "Every row: a fresh memcg limited to $LIMIT_MIB MiB (no swap), one watcher, one workload"
	slow=$(printf '%s\n' "${SCENARIOS[@]}" | grep -xE 'linear-1|drain-1' | paste -sd/)
	if [[ -n $slow ]] && ((SLOW_LIMIT_MIB < LIMIT_MIB)); then
		echo -n "; $slow in $SLOW_LIMIT_MIB MiB, for every watcher (at 1 MiB/s"
		echo -n " $LIMIT_MIB MiB would take $((LIMIT_MIB / 60)) minutes a row)"
	fi
	echo "."
	echo
	if has_part rows; then
		echo "<!-- compare-headline:start -->"
		write_headline
		echo "<!-- compare-headline:end -->"
		echo
		echo "Every run. Outcome of the workload's first launch: \"graceful (SIGTERM)\" = its handler ran"
		echo "and it exited 0; \"kernel OOM kill\" = the memcg's oom_kill counter rose; \"untouched\" = it ran"
		echo "to its own end. First action: workload start to the first SIGTERM it received. Lead: the"
		echo "no-watcher row's time to death (time to OOM) minus the first action. Launches above 1: PM2"
		echo "restarted it. Alerts: webhook requests a loopback receiver got (oomwarden only: the others"
		echo "have no webhook). Watcher's actions: signals or restarts its own log reports."
		echo "node-leak runs node with --max-old-space-size at twice the memcg limit, as a service"
		echo "whose heap limit is above its memcg's (left to itself, V8 sizes the heap from the memcg"
		echo "and aborts before the memcg fills); \"crashed (SIGABRT)\" would mean V8 stopped it first."
		echo
		write_rows
		echo
		if rows_with_lead | awk -F'\t' '$13 != "-" { f = 1 } END { exit !f }'; then
			echo "Drain rows (drain-R: \`owload linear --rate R --drain $DRAIN_S\`): a queue worker leaking R"
			echo "MiB/s that, on SIGTERM, stops taking work, keeps its memory and finishes the job in hand"
			echo "for $DRAIN_S s, then exits 0. Drain finished: its report has \"drained\" (the whole $DRAIN_S s), it"
			echo "exited 0 and the memcg saw no kernel OOM kill. SIGTERM to the end: the \"drained\" line's"
			echo "time after the SIGTERM, else the SIGTERM to its death (SIGKILL or OOM kill; - where it was"
			echo "never SIGTERMed, or for PM2, whose restarts hide the first launch's end). Grace given: the"
			echo "grace oomwarden's act line says it gave before a SIGKILL (the others log none)."
			[[ $OW_CG_VER == 1 ]] &&
				echo "Cgroup v1 has no memory.high, so oomwarden has no brake here: a fast leak is SIGTERMed at the high-water mark, and its lead is what is left of the no-watcher time to OOM."
			echo
			write_drains
			echo
		fi
	fi
	if has_part costs; then
		echo "Costs, each watcher with its default settings while the workload runs in a watched"
		echo "2 GiB memcg: CPU seconds of the workload with / without the watcher, A/B alternated"
		echo "(the order flips every pair), median (min-max) of $PAIRS pairs; the page-fault workload"
		echo "is bench/faulter.c (4 GiB in 4 KiB pages), the malloc-heavy one bench/mallocer.c (10"
		echo "million malloc/free of 16 B-256 KiB). PM2 manages one idle app. Idle CPU and memory: the"
		echo "watcher's own processes (oomwarden with its alert sender, PM2's daemon, nohang's python)."
		echo
		write_costs
		echo
		[[ -n $(latency_row) ]] && echo "oomwarden $(latency_row) (from the table above, bench/bench.sh)." && echo
	fi
	echo "Settings: earlyoom and nohang watch the whole machine; for safety they run only during"
	echo "their rows, only with at least 4 GiB more available than their thresholds, and nohang"
	echo "with a badness of -2000 for every command line that is not a workload (not a tuning: its"
	echo "thresholds stay as shipped). PM2 acts only on apps it started, so in its rows PM2 starts"
	echo "the workload; PM2_KILL_SIGNAL=SIGTERM in both rows (its default is SIGINT), threshold 90 % of"
	echo "the limit (PM2 has no default). Tuned rows: earlyoom --prefer (its documented way to name"
	echo "the victim), nohang PSI checking (its documented psi_path), PM2 a 1 s memory check (its"
	echo "docs warn the check runs every 30 s; PM2_WORKER_INTERVAL sets it), oomwarden --act-horizon 30."
	echo
	echo "Commands: \`$( ((QUICK)) && echo 'BENCH_QUICK=1 ')LIMIT_MIB=$LIMIT_MIB SLOW_LIMIT_MIB=$SLOW_LIMIT_MIB PAIRS=$PAIRS IDLE_S=$IDLE_S SCALE_CGROUPS=$SCALE_CGROUPS SCALE_PROCS=$SCALE_PROCS COMPARE_SCENARIOS='${SCENARIOS[*]}' COMPARE_WATCHERS='${WATCHERS[*]}' COMPARE_PARTS='${PARTS[*]}' make bench-compare\`."
	echo "<!-- compare:end -->"
}

# Its own section: a drain run alone (COMPARE_PARTS=drain) leaves the comparison's in place.
write_drain_section()
{
	# Its headline counts the drain rows alone, whatever else ran (rows_with_lead reads TMP).
	local TMP=$TMP/drain pat

	mkdir -p "$TMP"
	pat=$(printf '%s|' "${DRAIN_SCENARIOS[@]}")
	awk -F'\t' -v pat="^(${pat%|})$" '$1 ~ pat' "$TMP/../rows.tsv" >"$TMP/rows.tsv"
	echo "<!-- compare-drain:start -->"
	echo "## The drain, on this host"
	echo
	echo "Written by \`make bench-compare\` (bench/compare.sh, its drain part) on $STARTED in $MINUTES min."
	echo "Machine: kernel $(uname -r), memory cgroup v$OW_CG_VER; versions and settings as in the comparison above."
	echo "Rows: drain-R, a queue worker leaking R MiB/s in a fresh $LIMIT_MIB MiB memcg (drain-1 in $SLOW_LIMIT_MIB MiB)"
	echo "that, on SIGTERM, stops taking work, keeps its memory and finishes the job in hand for"
	echo "$DRAIN_S s, then exits 0; burst-88, 88 % of the limit at once, then flat (benign). Drain"
	echo "finished: its report has \"drained\", it exited 0 and the memcg saw no kernel OOM kill."
	echo "Lead: the no-watcher row's time to OOM minus the first SIGTERM. SIGTERM to the end and"
	echo "grace given as in the comparison's drain table."
	[[ $OW_CG_VER == 1 ]] &&
		echo "Cgroup v1 has no memory.high, so oomwarden has no brake here: a fast leak is SIGTERMed at the high-water mark, and its lead is what is left of the no-watcher time to OOM (the guests' cgroup v2 rows, with the brake, are in the compare-vm-cg section)."
	echo
	echo "<!-- compare-drain-headline:start -->"
	write_headline
	echo "<!-- compare-drain-headline:end -->"
	echo
	write_drains
	echo
	echo "Commands: \`PAIRS=$PAIRS COMPARE_SCENARIOS='${SCENARIOS[*]}' COMPARE_WATCHERS='${WATCHERS[*]}' COMPARE_PARTS=drain make bench-compare\`."
	echo "<!-- compare-drain:end -->"
}

# Its own section: a scale run alone (COMPARE_PARTS=scale) leaves the comparison's in place.
write_scale_section()
{
	echo "<!-- compare-scale:start -->"
	echo "## Scale"
	echo
	echo "Written by \`make bench-compare\` (bench/compare.sh, its scale part) on $STARTED."
	echo "oomwarden watching one parent memcg with $SCALE_CGROUPS child memcgs (64 MiB each) and $SCALE_PROCS sleeping processes (bench/sleepers.c) spread over them; then one more memcg is created and leaks."
	echo
	write_scale
	echo
	echo "Commands: \`SCALE_CGROUPS=$SCALE_CGROUPS SCALE_PROCS=$SCALE_PROCS IDLE_S=$IDLE_S COMPARE_PARTS=scale make bench-compare\`."
	echo "<!-- compare-scale:end -->"
}

: >"$TMP/section.md"
if has_part rows || has_part costs; then
	write_section >"$TMP/section.md"
	splice "$OUT" '<!-- compare:start -->' '<!-- compare:end -->' "$TMP/section.md"
fi
if has_part drain; then
	write_drain_section >"$TMP/drain-section.md"
	splice "$OUT" '<!-- compare-drain:start -->' '<!-- compare-drain:end -->' \
		"$TMP/drain-section.md"
	cat "$TMP/drain-section.md" >>"$TMP/section.md"
fi
if has_part scale; then
	write_scale_section >"$TMP/scale-section.md"
	splice "$OUT" '<!-- compare-scale:start -->' '<!-- compare-scale:end -->' \
		"$TMP/scale-section.md"
	cat "$TMP/scale-section.md" >>"$TMP/section.md"
fi
if has_part rows; then
	sed -n '/<!-- compare-headline:start -->/,/<!-- compare-headline:end -->/p' \
		"$TMP/section.md" >"$TMP/headline.md"
	splice README.md '<!-- compare-headline:start -->' '<!-- compare-headline:end -->' \
		"$TMP/headline.md"
fi
cat "$TMP/section.md"
