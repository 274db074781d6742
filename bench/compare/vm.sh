#!/usr/bin/env bash
# `make bench-vm` (and the last part of `make bench`): the comparative benchmark's rows with no
# cgroup limit, where a leak exhausts the whole machine, which no host should risk. Boots one
# guest of tests/vm/run.sh's compare suite (tests/vm/compare.sh: the kernel OOM killer alone,
# earlyoom, nohang and oomwarden, each watching the whole machine) and turns its serial console
# lines into the section between the compare-vm markers of BENCHMARKS.md, with bench/compare/
# report.sh's headline and lead times; the headline is quoted in the README. Run as root after
# `make`.
#
# environment:
#   COMPARE_VM_KERNEL     the guest's kernel: a series or a linux-image package (default 6.12)
#   COMPARE_VM_SCENARIOS  scenarios (default: tests/vm/compare.sh --list)
#   COMPARE_VM_WATCHERS   watchers (default: all of tests/vm/compare.sh's)
#   OUT                   the file written (default BENCHMARKS.md)
#   COMPARE_VM_LOG        a compare guest's serial.log from an earlier run: write the section
#                         from it instead of booting a guest (the date is then the log's)
#   and tests/vm/run.sh's OW_VM_* (OW_VM_SMALL_MEM: the guest's RAM, 512 MiB by default)
# Exits 1 when a row could not be run (the others are still written), 2 when nothing ran.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=bench/compare/report.sh
. bench/compare/report.sh

KERNEL=${COMPARE_VM_KERNEL:-6.12}
SCENARIOS=${COMPARE_VM_SCENARIOS:-}
WATCHERS=${COMPARE_VM_WATCHERS:-}
OUT=${OUT:-BENCHMARKS.md}
GUEST_MEM=${OW_VM_SMALL_MEM:-512}
TMP=$(mktemp -d /tmp/owh-compare-vm.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
T_START=$SECONDS

die()
{
	echo "bench-vm: $*" >&2
	exit 2
}

# The suite's whole list unless scenarios are named: the guest knows its own.
ARGS=(compare)
if [[ -n $SCENARIOS ]]; then
	ARGS=()
	for s in $SCENARIOS; do
		ARGS+=("compare:$s")
	done
fi
RC=0
if [[ -n ${COMPARE_VM_LOG:-} ]]; then
	LOG=$COMPARE_VM_LOG
	[[ -r $LOG ]] || die "cannot read $LOG"
	STARTED=$(date -u -r "$LOG" '+%Y-%m-%d %H:%M UTC')
	MINUTES=$(sed -n 's/^OWVM-RESULT .* secs=\([0-9]*\).*/\1/p' "$LOG" | head -n1)
	MINUTES=$(((${MINUTES:-0} + 59) / 60))
else
	[[ $(id -u) == 0 ]] || die "needs root (qemu, the package cache)"
	[[ -x build/oomwarden && -x build/owload ]] || die "build first (make)"
	echo "bench-vm: booting the compare guest on $KERNEL (tests/vm/run.sh ${ARGS[*]})" >&2
	OW_VM_KERNELS=$KERNEL OW_VM_COMPARE_KERNELS=$KERNEL OW_VM_COMPARE_WATCHERS=$WATCHERS \
		tests/vm/run.sh "${ARGS[@]}"
	RC=$?
	MINUTES=$(((SECONDS - T_START + 59) / 60))
	LOG=$(find build/vm -path '*/compare/serial.log' 2>/dev/null | head -n1)
	[[ -n $LOG ]] || die "no serial log of the compare guest under build/vm"
fi
sed -n 's/^OWVM-ROW //p' "$LOG" | tr '|' '\t' >"$TMP/rows.tsv"
[[ -s $TMP/rows.tsv ]] || die "the guest reported no row (see $LOG)"

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
	if grep -q '^OWVM-ROWNOTE ' "$LOG"; then
		echo
		sed -n 's/^OWVM-ROWNOTE \([^ ]*\) \(.*\)/- \1: \2/p' "$LOG"
	fi
	if grep -q '^OWVM-FAIL ' "$LOG"; then
		echo
		echo "Rows that could not be run:"
		sed -n 's/^OWVM-FAIL \([^ ]*\) \(.*\)/- \1: \2/p' "$LOG"
	fi
	echo
	echo "Command: \`$([[ -n $SCENARIOS ]] && echo "COMPARE_VM_SCENARIOS='$SCENARIOS' ")$([[ -n $WATCHERS ]] && echo "COMPARE_VM_WATCHERS='$WATCHERS' ")COMPARE_VM_KERNEL=$KERNEL OW_VM_SMALL_MEM=$GUEST_MEM bench/compare/vm.sh\`"
	echo "(\`tests/vm/run.sh ${ARGS[*]}\` on that kernel, then the guest's OWVM-ROW lines)."
	echo "<!-- compare-vm:end -->"
}

write_section >"$TMP/section.md"
splice "$OUT" '<!-- compare-vm:start -->' '<!-- compare-vm:end -->' "$TMP/section.md"
sed -n '/<!-- compare-vm-headline:start -->/,/<!-- compare-vm-headline:end -->/p' \
	"$TMP/section.md" >"$TMP/headline.md"
# Only where the README has the markers: splice would append it at the end otherwise.
grep -qF '<!-- compare-vm-headline:start -->' README.md &&
	splice README.md '<!-- compare-vm-headline:start -->' '<!-- compare-vm-headline:end -->' \
		"$TMP/headline.md"
cat "$TMP/section.md"
((RC == 0)) || echo "bench-vm: tests/vm/run.sh exited $RC; serial log: $LOG" >&2
exit $((RC == 0 ? 0 : 1))
