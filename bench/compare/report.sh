# shellcheck shell=bash
# The comparative section of BENCHMARKS.md, from $TMP/rows.tsv, costs.tsv and scale.tsv.
# Sourced by bench/compare.sh and bench/compare/vm.sh (TMP); the write_* functions print
# markdown on stdout, splice puts a section into a file.

# rows_with_lead: rows.tsv's first 11 columns, then the lead time (12th): the no-watcher row's
# time to OOM for the scenario minus this row's first action; then rows.tsv's drained,
# term_end_s and grace_s (13th-15th; - in rows written before they existed); then (16th) for
# oomwarden's rows with its brake on, the lead under the brake: the brake-held row's time to
# OOM (no watcher, memory.high held where the brake sits) minus the first action, "-" without
# such a row.
rows_with_lead()
{
	awk -F'\t' -v OFS='\t' '
		NR == FNR { if ($3 == "none" && $5 ~ /^(kernel OOM kill|crashed)/ && $7 != "-") {
				if ($4 == "brake-held") held[$1] = $7; else tto[$1] = $7 }
			# held with no OOM for its whole run: a lower bound
			if ($3 == "none" && $5 ~ /^held by memory.high/) { n = split($5, w, " "); atleast[$1] = w[n - 1] }
			next }
		{ lead = "-"; if ($6 != "-" && ($1 in tto)) lead = sprintf("%.2f", tto[$1] - $6)
		  braked = "-"
		  if ($3 == "oomwarden" && $4 != "brake-off" && $6 != "-") {
			if ($1 in held) braked = sprintf("%.2f", held[$1] - $6)
			if ($1 in atleast) braked = sprintf("> %.0f", atleast[$1] - $6) }
		  for (i = 12; i <= 14; i++) if ($i == "") $i = "-"
		  print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, lead, $12, $13, $14, braked }' \
		"$TMP/rows.tsv" "$TMP/rows.tsv"
}

# headline: one line per watcher and settings, over every row it ran; the drain column only
# when a drain row ran.
write_headline()
{
	local drains

	drains=$(rows_with_lead | awk -F'\t' '$13 != "-" { n++ } END { print n + 0 }')
	if ((drains)); then
		echo "| watcher, settings | leaks stopped gracefully before the OOM | leaks with a kernel OOM kill | median lead before the OOM, graceful stops (s) | drains finished (worker given ${DRAIN_S:-5} s after SIGTERM) | false actions on benign rows |"
		echo "| --- | --- | --- | --- | --- | --- |"
	else
		echo "| watcher, settings | leaks stopped gracefully before the OOM | leaks with a kernel OOM kill | median lead before the OOM, graceful stops (s) | false actions on benign rows |"
		echo "| --- | --- | --- | --- | --- |"
	fi
	rows_with_lead | awk -F'\t' -v drains="$drains" '
		$5 ~ /^skipped/ { next }
		{ k = $3 " (" $4 ")"; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
		$2 == "leak" { leaks[k]++; if ($5 ~ /^graceful/) { grace[k]++; if ($12 != "-") leads[k] = leads[k] " " $12 }
			if ($9 + 0 > 0) ooms[k]++ }
		$13 != "-" { dn[k]++; if ($13 == "yes") dy[k]++ }
		$2 == "benign" { benign[k]++; if ($5 != "untouched" || $11 + 0 > 0) fa[k]++ }
		function median(s,   a, m, i, j, t) {
			m = split(s, a, " "); if (!m) return "-"
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			return m % 2 ? a[(m + 1) / 2] : sprintf("%.2f", (a[m / 2] + a[m / 2 + 1]) / 2) }
		END { for (i = 1; i <= n; i++) { k = order[i]
			printf "| %s | %d / %d | %d / %d | %s |", k, grace[k], leaks[k], ooms[k], leaks[k],
				median(leads[k])
			if (drains) printf " %d / %d |", dy[k], dn[k]
			printf " %d / %d |\n", fa[k], benign[k] } }'
}

# write_drains [braked]: the drain rows alone, one per rate and watcher: did the worker finish
# its drain; with "braked", also the lead under the brake (rows_with_lead's 16th column).
write_drains()
{
	local head="| scenario | watcher | drain finished | kernel OOM kills | outcome | first action (s) | lead before the OOM (s) | SIGTERM to the end (s) | grace given (s) |"
	local rule="| --- | --- | --- | --- | --- | --- | --- | --- | --- |"

	if [[ ${1:-} == braked ]]; then
		head+=" lead under the brake (s) |"
		rule+=" --- |"
	fi
	echo "$head"
	echo "$rule"
	rows_with_lead | while IFS=$'\t' read -r scen _ w v outcome action _ _ oom _ _ lead drained tend grace braked; do
		[[ $drained == - ]] && continue
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |' "$scen" "$w ($v)" "$drained" \
			"$oom" "$outcome" "$action" "$lead" "$tend" "$grace"
		[[ ${1:-} == braked ]] && printf ' %s |' "$braked"
		echo
	done
}

write_rows()
{
	local w v

	echo "| scenario | watcher | settings | outcome | first action (s) | lead before the OOM (s) | time to death (s) | kernel OOM kills | launches | alerts | watcher's actions |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	rows_with_lead | while IFS=$'\t' read -r scen kind w v outcome action tto launches oom alerts acts lead _; do
		scenario "$scen" # its S_LIMIT_MIB, for the PM2 threshold
		[[ $kind == benign ]] && scen="$scen (benign)"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$scen" "$w ($v)" \
			"$(variant_flags "$w" "$v" | sed 's/|/\\|/g')" "$outcome" "$action" "$lead" \
			"$tto" "$oom" "$launches" "$alerts" "$acts"
	done
}

# cost VALUE-NAME WATCHER: "median (min-max)" of a measure.
cost_cell()
{
	awk -v w="$1" -v m="$2" -v x="${3:-}" '$1 == w && $2 == m {
		if (NF == 3) printf "%s%s", $3, x; else printf "%s%s (%s-%s)", $3, x, $4, $5 }' \
		"$TMP/costs.tsv"
}

write_costs()
{
	local w

	echo "| watcher | page faults: CPU with / without, median (min-max) | malloc-heavy: CPU with / without | idle CPU over ${IDLE_S} s (% of a core) | resident memory (MiB) |"
	echo "| --- | --- | --- | --- | --- |"
	for w in "${COST_WATCHERS[@]}"; do
		grep -q "^$w " "$TMP/costs.tsv" || continue
		echo "| $w | $(cost_cell "$w" faults-ratio x) | $(cost_cell "$w" malloc-ratio x) | $(cost_cell "$w" idle-cpu-pct) | $(cost_cell "$w" rss-mib) |"
	done
}

# watch_bss: the sight's watch's time in the kernel so far and its members (bpf/sight.bpf.c's
# bss: sight_watch_ns, sight_slots_used), read with bpftool: the daemon is not woken; the
# watch's ticks run in softirq, charged to no process. The newest oomwarden bss map: the
# bench's daemon.
watch_bss()
{
	local id

	id=$(bpftool map show | awk -F: '/name oomwarde.bss/ { id = $1 } END { print id }')
	[[ -n $id ]] || { echo 0 0; return; }
	bpftool -j map dump id "$id" | python3 -c '
import json, sys
vals = {}
for rec in json.load(sys.stdin):
    for var in rec.get("formatted", {}).get("value", {}).get(".bss", []):
        vals.update(var)
print(vals.get("sight_watch_ns", 0), vals.get("sight_slots_used", 0))'
}

write_scale()
{
	echo "| measure | oomwarden |"
	echo "| --- | --- |"
	awk '{ n[$1] = $2 } END {
		printf "| memcgs / sleeping processes watched | %s / %s |\n", n["memcgs"], n["procs"]
		printf "| start to ready: wall (s) / CPU (s) | %s / %s |\n", n["ready-s"], n["ready-cpu-s"]
		printf "| idle CPU (%% of a core) | %s |\n", n["idle-cpu-pct"]
		printf "| the sight'"'"'s watch over that window, in the kernel (%% of a core; its members at the end) | %s (%s) |\n",
			n["watch-cpu-pct"], n["watch-members"]
		printf "| idle CPU in all (%% of a core) | %s |\n", n["idle-all-pct"]
		printf "| resident memory (MiB) | %s |\n", n["rss-mib"]
		printf "| the daemon'"'"'s first scan (ms; at start, every memcg new and read) | %s |\n", n["scan-ms"]
		printf "| a rescan of the tree (ms; every memcg known): median (min-max) of 9 | %s (%s-%s) |\n",
			n["rescan-ms"], n["rescan-min-ms"], n["rescan-max-ms"]
		printf "| a memcg created: placed in the model (ms) | %s |\n", n["placed-ms"]
		printf "| 64 MiB/s leak in a 64 MiB memcg created last: event to SIGTERM (ms), workload exit, OOM kills | %s, %s, %s |\n",
			n["leak-latency-ms"], n["leak-exit"], n["leak-oom-kills"] }' "$TMP/scale.tsv"
}

# splice FILE START END NEWFILE: replace the lines from START to END markers in FILE with
# NEWFILE (which holds its own markers), or append NEWFILE when FILE has no markers.
splice()
{
	local file=$1 start=$2 end=$3 new=$4

	if grep -qF "$start" "$file" 2>/dev/null; then
		awk -v s="$start" -v e="$end" -v f="$new" '
			index($0, s) { while ((getline l < f) > 0) print l; skip = 1; next }
			index($0, e) { skip = 0; next }
			!skip { print }' "$file" >"$TMP/spliced" && cp "$TMP/spliced" "$file"
	else
		{ [[ -s $file ]] && echo; cat "$new"; } >>"$file"
	fi
}
