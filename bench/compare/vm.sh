#!/usr/bin/env bash
# `make bench-vm` (and the last part of `make bench`): the comparative benchmark's rows in qemu
# guests of cgroup v2, in two parts, each booting one guest of tests/vm/run.sh's compare suite
# (tests/vm/compare.sh) and turning its serial console lines into a section of BENCHMARKS.md,
# with bench/compare/report.sh's headline and lead times:
#   wide  the rows with no cgroup limit, where a leak exhausts the whole machine, which no host
#         should risk (the kernel OOM killer alone, earlyoom, nohang and oomwarden, each watching
#         the whole machine), in a guest of OW_VM_SMALL_MEM; the compare-vm markers, and its
#         headline in the README
#   cg    the drain rows (and burst-88) in a 512 MiB cgroup v2, where oomwarden's brake
#         (memory.high) works, which the host's cgroup v1 has not: the same watchers, oomwarden
#         with its defaults and with --brake off, in a guest of 1 GiB (as the brake suite); the
#         compare-vm-cg markers
# Run as root after `make`.
#
# environment:
#   COMPARE_VM_PARTS      wide, cg or both (default both; only the parts given a log below
#                         when one is)
#   COMPARE_VM_KERNEL     the guest's kernel: a series or a linux-image package (default 6.12)
#   COMPARE_VM_SCENARIOS  the wide part's scenarios (default: tests/vm/compare.sh --list)
#   COMPARE_VM_CG_SCENARIOS  the cg part's (default: tests/vm/compare.sh --list-cg)
#   COMPARE_VM_WATCHERS   watchers (default: all of tests/vm/compare.sh's)
#   COMPARE_VM_CG_MEM     the cg part's guest RAM in MiB (default 1024)
#   OUT                   the file written (default BENCHMARKS.md)
#   COMPARE_VM_LOG, COMPARE_VM_CG_LOG  a compare guest's serial.log from an earlier run of that
#                         part: write its section from it instead of booting a guest (the date
#                         is then the log's). Each part's log is kept in build/bench-vm/.
#   and tests/vm/run.sh's OW_VM_* (OW_VM_SMALL_MEM: the wide guest's RAM, 512 MiB by default;
#   OW_VM_COMPARE_TIMEOUT: the guest's time limit, 1800 s for wide and 3600 s for cg)
# Exits 1 when a row could not be run (the others are still written), 2 when nothing ran.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=bench/compare/report.sh
. bench/compare/report.sh

KERNEL=${COMPARE_VM_KERNEL:-6.12}
SCENARIOS=${COMPARE_VM_SCENARIOS:-}
CG_SCENARIOS=${COMPARE_VM_CG_SCENARIOS:-$(tests/vm/compare.sh --list-cg)}
WATCHERS=${COMPARE_VM_WATCHERS:-}
OUT=${OUT:-BENCHMARKS.md}
GUEST_MEM=${OW_VM_SMALL_MEM:-512}
CG_GUEST_MEM=${COMPARE_VM_CG_MEM:-1024}
KEEP=build/bench-vm
if [[ -n ${COMPARE_VM_PARTS:-} ]]; then
	PARTS=$COMPARE_VM_PARTS
elif [[ -n ${COMPARE_VM_LOG:-}${COMPARE_VM_CG_LOG:-} ]]; then
	PARTS="${COMPARE_VM_LOG:+wide} ${COMPARE_VM_CG_LOG:+cg}"
else
	PARTS='wide cg'
fi
BASE_TMP=$(mktemp -d /tmp/owh-compare-vm.XXXXXX) || exit 2
trap 'rm -rf "$BASE_TMP"' EXIT

die()
{
	echo "bench-vm: $*" >&2
	exit 2
}

# guest PART: sets LOG (the part's serial log), STARTED and MINUTES, from the part's kept log
# when one is given, else by booting the guest (RC 1 when tests/vm/run.sh failed).
guest()
{
	local part=$1 given t0=$SECONDS mem timeout s
	local -a args=()

	STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
	given=${COMPARE_VM_LOG:-}
	[[ $part == cg ]] && given=${COMPARE_VM_CG_LOG:-}
	if [[ -n $given ]]; then
		LOG=$given
		[[ -r $LOG ]] || die "cannot read $LOG"
		STARTED=$(date -u -r "$LOG" '+%Y-%m-%d %H:%M UTC')
		MINUTES=$(sed -n 's/^OWVM-RESULT .* secs=\([0-9]*\).*/\1/p' "$LOG" | head -n1)
		MINUTES=$(((${MINUTES:-0} + 59) / 60))
		return 0
	fi
	[[ $(id -u) == 0 ]] || die "needs root (qemu, the package cache)"
	[[ -x build/oomwarden && -x build/owload ]] || die "build first (make)"
	if [[ $part == cg ]]; then
		# The cg rows are named (the suite's whole list is the wide one).
		for s in $CG_SCENARIOS; do
			args+=("compare:$s")
		done
		mem=$CG_GUEST_MEM timeout=${OW_VM_COMPARE_TIMEOUT:-3600}
	else
		# The suite's whole list unless scenarios are named: the guest knows its own.
		args=(compare)
		if [[ -n $SCENARIOS ]]; then
			args=()
			for s in $SCENARIOS; do
				args+=("compare:$s")
			done
		fi
		mem=$GUEST_MEM timeout=${OW_VM_COMPARE_TIMEOUT:-1800}
	fi
	echo "bench-vm: booting the compare guest ($part, $mem MiB) on $KERNEL (tests/vm/run.sh ${args[*]})" >&2
	OW_VM_KERNELS=$KERNEL OW_VM_COMPARE_KERNELS=$KERNEL OW_VM_COMPARE_WATCHERS=$WATCHERS \
		OW_VM_COMPARE_MEM=$mem OW_VM_COMPARE_TIMEOUT=$timeout tests/vm/run.sh "${args[@]}" ||
		RC=1
	MINUTES=$(((SECONDS - t0 + 59) / 60))
	LOG=$(find build/vm -path '*/compare/serial.log' 2>/dev/null | head -n1)
	[[ -n $LOG ]] || die "no serial log of the compare guest under build/vm"
	# tests/vm/run.sh empties build/vm at its start: the next part's guest would remove it.
	mkdir -p "$KEEP" && cp "$LOG" "$KEEP/$part-serial.log" && LOG=$KEEP/$part-serial.log
	echo "bench-vm: the $part guest's serial log is kept in $LOG" >&2
}

# info KEY: the value of the guest's first "OWVM-INFO KEY value" line.
info()
{
	awk -v k="$1" '$1 == "OWVM-INFO" && $2 == k { sub(/^OWVM-INFO [^ ]+ /, ""); print; exit }' \
		"$LOG"
}

# version NAME: a package's version from the guest's "OWVM-INFO version NAME V" lines.
version()
{
	awk -v n="$1" '$1 == "OWVM-INFO" && $2 == "version" && $3 == n {
		sub(/^OWVM-INFO version [^ ]+ /, ""); print; exit }' "$LOG"
}

# The watcher's command line as the guest ran it, for the table.
flags()
{
	local f

	f=$(awk -v k="$1/$2" '$1 == "OWVM-INFO" && $2 == "flags" && $3 == k {
		sub(/^OWVM-INFO flags [^ ]+ ?/, ""); print; exit }' "$LOG")
	f=${f:--}
	echo "${f//|/\\|}"
}

victims()
{
	awk -v id="$1" '$1 == "OWVM-VICTIMS" && $2 == id { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' \
		"$LOG"
}

write_vm_rows()
{
	echo "| scenario | watcher | settings | outcome | first action (s) | lead before the OOM (s) | time to death (s) | kernel OOM kills | killed by the kernel | watcher's actions |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	rows_with_lead | while IFS=$'\t' read -r scen kind w v outcome action tto _ oom _ acts lead _; do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
			"$scen$([[ $kind == benign ]] && echo ' (benign)')" "$w ($v)" "$(flags "$w" "$v")" \
			"$outcome" "$action" "$lead" "$tto" "$oom" "$(victims "$scen.$w.$v")" "$acts"
	done
}

# write_notes HEADING: the guest's notes on its rows (under HEADING, when not empty), then the
# rows it could not run.
write_notes()
{
	if grep -q '^OWVM-ROWNOTE ' "$LOG"; then
		echo
		[[ -n $1 ]] && echo "$1"
		sed -n 's/^OWVM-ROWNOTE \([^ ]*\) \(.*\)/- \1: \2/p' "$LOG"
	fi
	if grep -q '^OWVM-FAIL ' "$LOG"; then
		echo
		echo "Rows that could not be run:"
		sed -n 's/^OWVM-FAIL \([^ ]*\) \(.*\)/- \1: \2/p' "$LOG"
	fi
}

write_section()
{
	local mem avail

	mem=$(info memtotal_mib) avail=$(info memavailable_mib)
	echo "<!-- compare-vm:start -->"
	echo "## Side by side with no cgroup limit: the whole machine runs out"
	echo
	echo "Written by \`bench/compare/vm.sh\` (the last part of \`make bench\`) on $STARTED in $MINUTES min."
	echo "Guest: qemu TCG (no KVM) on the machine above, $(info cpus) vCPUs, $GUEST_MEM MiB of RAM (MemTotal $mem MiB, $avail MiB available before the first row), no swap, cgroup v2, Debian's kernel $(info kernel), an initramfs root (busybox, bash) and an ext4 data disk."
	echo "Versions: earlyoom $(version earlyoom) and nohang $(version nohang) (Debian's packages), nohang on python3 $(version python3); $(version oomwarden)."
	echo "Every row: one watcher watching the whole machine, one workload in the root cgroup, no limit"
	echo "anywhere; the scenarios of the table above sized from MemAvailable ($avail MiB: the room a"
	echo "memcg row starts with) instead of the memcg limit (burst: 25 % of it at once, then held;"
	echo "plateau: up to 75 % at 8 MiB/s, then flat;"
	echo "linear leaks as fast as TCG lets them fault, which may be below their nominal rate)."
	echo
	echo "<!-- compare-vm-headline:start -->"
	write_headline
	echo "<!-- compare-vm-headline:end -->"
	echo
	echo "Outcome, first action and lead as in the table above, but \"kernel OOM kill\" = the"
	echo "machine's oom_kill count (/proc/vmstat) rose during the row; \"killed by the kernel\": the"
	echo "processes its OOM killer chose (from the kernel log). Watcher's actions: signals its own log"
	echo "reports. Every watcher runs as its package ships it: earlyoom with no option (-m 10 -s 10),"
	echo "tuned with --prefer; nohang with its nohang.conf unchanged; oomwarden \`run\` with no"
	echo "\`--cgroup\` (the root stands for the machine: MemTotal + swap). The host rows' tuned"
	echo "nohang, PM2 and oomwarden settings are not run here, nor PM2 (node under TCG is too slow)."
	echo
	write_vm_rows
	write_notes ''
	echo
	echo "Command: \`COMPARE_VM_PARTS=wide $([[ -n $SCENARIOS ]] && echo "COMPARE_VM_SCENARIOS='$SCENARIOS' ")$([[ -n $WATCHERS ]] && echo "COMPARE_VM_WATCHERS='$WATCHERS' ")COMPARE_VM_KERNEL=$KERNEL OW_VM_SMALL_MEM=$GUEST_MEM bench/compare/vm.sh\`"
	echo "(\`tests/vm/run.sh $(if [[ -n $SCENARIOS ]]; then for s in $SCENARIOS; do echo -n "compare:$s "; done; else echo -n 'compare '; fi | sed 's/ $//')\` on that kernel, then the guest's OWVM-ROW lines)."
	echo "<!-- compare-vm:end -->"
}

# achieved_rates: the rate each cg drain row's leak reached with no watcher, "R: X MiB/s" (the
# cgroup's limit over the time to OOM).
achieved_rates()
{
	local cg slow

	cg=$(info cg_mib) slow=$(info cg_slow_mib)
	awk -F'\t' -v cg="$cg" -v slow="$slow" '$3 == "none" && $4 == "default" && $1 ~ /^cg-drain-/ && $7 != "-" {
		r = $1; sub(/^cg-drain-/, "", r); lim = (r == 1 && slow + 0 < cg + 0) ? slow : cg
		printf "%s%s MiB/s nominal: %.0f MiB/s", (n++ ? "; " : ""), r, lim / $7 }' \
		"$TMP/rows.tsv"
}

write_cg_section()
{
	local mem avail

	mem=$(info memtotal_mib) avail=$(info memavailable_mib)
	echo "<!-- compare-vm-cg:start -->"
	echo "## The drain under a cgroup v2 limit, with the brake"
	echo
	echo "Written by \`bench/compare/vm.sh\` (its cg part, the last part of \`make bench\`) on $STARTED in $MINUTES min."
	echo "Guest: qemu TCG (no KVM) on the machine above, $(info cpus) vCPUs, $CG_GUEST_MEM MiB of RAM (MemTotal $mem MiB, $avail MiB available before the first row), no swap, cgroup v2, Debian's kernel $(info kernel), an initramfs root (busybox, bash) and an ext4 data disk."
	echo "Versions: earlyoom $(version earlyoom) and nohang $(version nohang) (Debian's packages), nohang on python3 $(version python3); $(version oomwarden)."
	echo "Every row: a fresh cgroup of $(info cg_mib) MiB (memory.max, memory.swap.max 0; cg-drain-1 in"
	echo "$(info cg_slow_mib) MiB, as drain-1 on the host), one watcher, one workload: the host table's drain-R (a"
	echo "worker leaking R MiB/s that, on SIGTERM, stops growing and works 5 s more, then exits 0)"
	echo "and burst-88 (88 % of the limit at once, then flat), sized from the cgroup's limit. Here"
	echo "cgroup v2 gives oomwarden its brake: when a fast leak would reach the limit before the"
	echo "grace ends, it sets the cgroup's memory.high just above the usage (the kernel throttles"
	echo "the leak instead of OOM-killing it), raises it after the SIGTERM and lifts it when the"
	echo "victim exits. oomwarden runs as \`run\` with its defaults (the brake on; no \`--cgroup\`,"
	echo "as in tests/vm's brake suite), and with \`--brake off\` to show what the brake does;"
	echo "earlyoom and nohang as their packages ship them, watching the machine, whose memory a"
	echo "$(info cg_mib) MiB cgroup in this guest never exhausts. No PM2 (node under TCG is too slow)."
	echo
	echo "Under qemu TCG the guest faults pages in far slower than the host (on the order of"
	echo "100-200 MiB/s, depending on the host's load), so the 256 and 1024 MiB/s rows are capped by"
	echo "the emulator: what each leak reached with no watcher (the cgroup's limit over its time to"
	echo "OOM) was $(achieved_rates). Those rows measure a leak of that speed, not of"
	echo "their nominal one; the host table above has the real rates, on cgroup v1, without a brake."
	echo
	echo "<!-- compare-vm-cg-headline:start -->"
	write_headline
	echo "<!-- compare-vm-cg-headline:end -->"
	echo
	echo "Drain finished, SIGTERM to the end and grace given as in the host's drain table; lead: the"
	echo "no-watcher row's time to OOM minus the first action; kernel OOM kills: the machine's"
	echo "oom_kill count (/proc/vmstat, which counts the cgroup's) during the row. A braked leak is"
	echo "throttled at memory.high instead of reaching the limit, and oomwarden acts on it once it"
	echo "has pressed against the brake for 2 s: its first action can come after the no-watcher"
	echo "row's OOM, a negative lead, where the brake and not the lead kept the OOM away (the"
	echo "notes below say whether the brake was set). The none (brake-held) rows measure that:"
	echo "no watcher, the cgroup's memory.high held from the start where oomwarden's brake sits"
	echo "(0.9 of the limit), the worker never signalled; their time to OOM is how long a leak"
	echo "takes to the OOM once braked, and the lead under the brake of oomwarden's rows is that"
	echo "time minus their first action (for a row where the brake was set; the notes say which)."
	echo
	write_drains braked
	echo
	echo "Every row, with what the kernel's OOM killer killed (from the kernel log):"
	echo
	write_vm_rows
	write_notes "oomwarden's brake, from its log (and anything else of note per row):"
	echo
	echo "Command: \`COMPARE_VM_PARTS=cg COMPARE_VM_CG_SCENARIOS='$CG_SCENARIOS' $([[ -n $WATCHERS ]] && echo "COMPARE_VM_WATCHERS='$WATCHERS' ")COMPARE_VM_KERNEL=$KERNEL COMPARE_VM_CG_MEM=$CG_GUEST_MEM bench/compare/vm.sh\`"
	echo "(\`OW_VM_COMPARE_MEM=$CG_GUEST_MEM tests/vm/run.sh$(for s in $CG_SCENARIOS; do echo -n " compare:$s"; done)\` on that kernel, then the guest's OWVM-ROW lines)."
	echo "<!-- compare-vm-cg:end -->"
}

RC=0
RAN=0
for part in $PARTS; do
	case $part in
	wide | cg) ;;
	*) die "unknown part '$part' (wide, cg)" ;;
	esac
	guest "$part"
	TMP=$BASE_TMP/$part
	mkdir -p "$TMP"
	sed -n 's/^OWVM-ROW //p' "$LOG" | tr '|' '\t' >"$TMP/rows.tsv"
	if [[ ! -s $TMP/rows.tsv ]]; then
		echo "bench-vm: the $part guest reported no row (see $LOG)" >&2
		RC=1
		continue
	fi
	RAN=1
	if [[ $part == wide ]]; then
		write_section >"$TMP/section.md"
		splice "$OUT" '<!-- compare-vm:start -->' '<!-- compare-vm:end -->' "$TMP/section.md"
		sed -n '/<!-- compare-vm-headline:start -->/,/<!-- compare-vm-headline:end -->/p' \
			"$TMP/section.md" >"$TMP/headline.md"
		# Only where the README has the markers: splice would append it at the end otherwise.
		grep -qF '<!-- compare-vm-headline:start -->' README.md &&
			splice README.md '<!-- compare-vm-headline:start -->' '<!-- compare-vm-headline:end -->' \
				"$TMP/headline.md"
	else
		write_cg_section >"$TMP/section.md"
		splice "$OUT" '<!-- compare-vm-cg:start -->' '<!-- compare-vm-cg:end -->' "$TMP/section.md"
	fi
	cat "$TMP/section.md"
	echo
done
((RAN)) || exit 2
((RC == 0)) || echo "bench-vm: a guest failed or a row could not be run; serial logs in $KEEP" >&2
exit $((RC == 0 ? 0 : 1))
