#!/bin/bash
# End-to-end: the daemon among cgroups that come and go, and a limit set on a parent.
#
# Watches a parent memcg P (256 MiB) with `oomwarden run --cgroup P`. Twenty child cgroups are
# created after the daemon started, each runs a short-lived process, and all are removed while
# the daemon runs: it must stay up and quiet. Then a leak in a new child with no limit of its
# own must still be stopped gracefully, because P's limit is the one it would hit; then one
# whose BPF entry is made stale (see stale_entry) must be stopped as early, and a shell's
# forks must leave no entry in the wrong memcg (the stop line's memcg_rebinds). Then 300
# memcgs come and go outside P, each with a process in it: the daemon must place each one
# without scanning P again, and forget the gone ones from its BPF map (-vv: the debug lines).
# Then 200 processes whose leader thread ends first must leave no entry in its map of processes.
# Prints PASS/FAIL lines and `churn: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=build/owload
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-churn.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
P='' DPID=''

cleanup()
{
	local c

	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	if [[ -n $P && -d $P ]]; then
		for c in "$P"/*/; do
			[[ -d $c ]] && cg_destroy "${c%/}"
		done
		cg_destroy "$P"
	fi
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# child NAME: a child cgroup of P with no limit of its own.
child()
{
	mkdir "$P/$1" && echo "$P/$1"
}

# in_cgroup DIR ARGS...: run owload inside DIR.
in_cgroup()
{
	local dir=$1
	shift
	sh -c 'echo $$ >"$0" && exec "$@"' "$dir/cgroup.procs" "$OWLOAD" "$@"
}

# daemon_map_id DPID NAME: the id of the daemon's BPF map NAME (among its fds).
daemon_map_id()
{
	local f id

	for f in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^map_id:[[:space:]]*//p' "$f")
		[[ -n $id ]] && bpftool map show id "$id" | grep -q " name $2 " && echo "$id" && return
	done
	return 1
}

# map_keys DPID NAME FORMAT: the keys of the daemon's BPF map NAME, one a line (FORMAT: a
# python struct format, "<Q" for memcg ids, "<I" for pids).
map_keys()
{
	local id

	id=$(daemon_map_id "$1" "$2") || return 1
	bpftool -j map dump id "$id" | python3 -c '
import json, struct, sys
for e in json.load(sys.stdin):
    print(struct.unpack(sys.argv[1], bytes(int(b, 16) for b in e["key"]))[0])' "$3"
}

# memcg_cfg_ids DPID: the memcg ids the daemon's memcg_cfg map holds, one a line.
memcg_cfg_ids()
{
	map_keys "$1" memcg_cfg "<Q"
}

# stale_entry DPID PID: in the daemon's BPF map of processes (found among its fds), make PID's
# entry name memcg 1 (the root, outside P) and not watched, keeping its generation: unhealed,
# the BPF side would never look at the process's memcg again. Offsets: struct ow_proc_state.
stale_entry()
{
	local id

	id=$(daemon_map_id "$1" procs) || { echo "no procs map among the daemon's fds"; return 1; }
	python3 - "$id" "$2" <<'EOF'
import json, struct, subprocess, sys
mid, pid = sys.argv[1], int(sys.argv[2])
key = ["%02x" % b for b in struct.pack("<I", pid)]
out = subprocess.run(["bpftool", "-j", "map", "lookup", "id", mid, "key", "hex"] + key,
                     capture_output=True, text=True)
if out.returncode:
    sys.exit("no entry for pid %d: %s" % (pid, out.stderr.strip()))
val = bytearray(int(b, 16) for b in json.loads(out.stdout)["value"])
val[0:8] = struct.pack("<Q", 1)  # memcg_id
val[72:74] = struct.pack("<H", 0)  # watched
subprocess.run(["bpftool", "map", "update", "id", mid, "key", "hex"] + key +
               ["value", "hex"] + ["%02x" % b for b in val], check=True)
EOF
}

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg; then
	echo "SKIP churn: needs root and a memory cgroup controller"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi
P=$(cg_create "owchurn-$$" $((256 << 20))) || exit 1
if [[ $OW_CG_VER == 2 ]]; then
	echo +memory >"$P/cgroup.subtree_control" || exit 1
fi

"$OWD" run --cgroup "$P" --log-format json -vv 2>"$LOG" &
DPID=$!
wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID" || {
	verdict ready "$LOG" "the daemon never got ready"
	echo "churn: $PASSED passed, $FAILED failed"
	exit 1
}

# 1. Cgroups created after start, used, and removed under the daemon.
pids=()
for i in $(seq 20); do
	c=$(child "c$i") || break
	in_cgroup "$c" burst --size 8 --duration 1 >/dev/null 2>&1 &
	pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the daemon is a child too
for i in $(seq 20); do
	cg_destroy "$P/c$i"
done
sleep 1
reasons=()
pid_alive "$DPID" || reasons+=("the daemon died while cgroups came and went")
grep -qE "$(json_event act)" "$LOG" && reasons+=("the daemon acted on short bursts")
verdict cgroup-churn "$LOG" "${reasons[@]}"

# 2. A leak in an unlimited child of P: P's limit is the one it will hit.
c=$(child leak)
rep=$TMPD/leak.report
oom0=$(cg_oom_kills "$P")
in_cgroup "$c" linear --rate 32 --duration 60 --report "$rep" >/dev/null 2>&1
st=$?
oom1=$(cg_oom_kills "$P")
reasons=()
((st == 0)) || reasons+=("the leaker ended with $(status_text "$st"), expected exit 0")
grep -q '^sigterm ' "$rep" 2>/dev/null || reasons+=("the leaker never reported SIGTERM")
((oom1 == oom0)) || reasons+=("the kernel OOM killer struck $((oom1 - oom0)) time(s)")
verdict nested-limit "$LOG" "${reasons[@]}"

# 3. A process whose BPF entry names a memcg it is no longer in, unwatched (as a cgroup move the
# attach tracepoint missed, or raced, leaves it): the entry must heal as the process grows, so
# the leak is stopped at the high-water mark, not found only when P is full (before the fix:
# no step at all until the kernel reclaimed at the limit).
c=$(child stale)
rep=$TMPD/stale.report
acts0=$(grep -c "$(json_event act)" "$LOG")
in_cgroup "$c" linear --rate 32 --duration 60 --report "$rep" >/dev/null 2>&1 &
lpid=$!
sleep 1
reasons=()
wpid=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$rep") # owload's pid, not the subshell's
staled=$(stale_entry "$DPID" "$wpid" 2>&1) || reasons+=("could not rewrite the BPF entry: $staled")
wait "$lpid"
st=$?
# The act line follows the SIGTERM (what grew in the victim is read in between): a worker that
# exits at once can be gone before it is written.
for _ in $(seq 50); do
	(($(grep -c "$(json_event act)" "$LOG") > acts0)) && break
	sleep 0.1
done
act=$(grep "$(json_event act)" "$LOG" | tail -n +$((acts0 + 1)) | head -n1)
usage=$(grep -o '"usage_mib":[0-9.]*' <<<"$act" | cut -d: -f2)
((st == 0)) || reasons+=("the leaker ended with $(status_text "$st"), expected exit 0")
[[ -n $usage ]] || reasons+=("no act line for the leak")
[[ -n $usage ]] && awk -v u="$usage" 'BEGIN { exit !(u < 0.95 * 256) }' ||
	reasons+=("acted at ${usage:-?} MiB of 256, not by the high-water mark")
verdict stale-entry "$LOG" "${reasons[@]}"

# A shell in a child of P that forks fifty times: fork() moves the child's counters in the
# parent's context while the child still has the parent's tgid and the root memcg. Checked at
# the stop (5): no process entry may have needed re-binding but the one made stale above.
c=$(child forks)
sh -c 'echo $$ >"$0" && exec bash -c "for i in \$(seq 50); do x=\$(true); done"' "$c/cgroup.procs"

# 4. Memcgs outside P: placed by id (open_by_handle_at), no scan of P; the gone ones forgotten
# by the BPF map (at their rmdir event, or by the prune of gone outside memcgs).
scans0=$(grep -c "$(json_event scan)" "$LOG")
out_ids=()
outside0=$(grep -c "$(json_event outside)" "$LOG")
gone0=$(grep -c "$(json_event gone_memcg)" "$LOG")
for i in $(seq 300); do
	o=$(cg_create "owchurn-$$-out$i" $((64 << 20))) || break
	sh -c 'echo $$ >"$0" && exec true' "$o/cgroup.procs"
	out_ids+=("$(stat -c %i "$o")")
	cg_destroy "$o"
done
sleep 1
scans=$(($(grep -c "$(json_event scan)" "$LOG") - scans0))
outside=$(($(grep -c "$(json_event outside)" "$LOG") - outside0))
# A memcg removed before the daemon read its event cannot be placed; it is said so, no scan.
gone=$(($(grep -c "$(json_event gone_memcg)" "$LOG") - gone0))
map_ids=$(memcg_cfg_ids "$DPID")
held=$(grep -cxFf <(printf '%s\n' "${out_ids[@]}") <<<"$map_ids")
reasons=()
pid_alive "$DPID" || reasons+=("the daemon died")
((scans == 0)) || reasons+=("$scans scan(s) of the watched tree for memcgs outside it")
((outside + gone >= 300)) ||
	reasons+=("only $outside of 300 outside memcgs were placed ($gone gone before)")
echo "   outside memcgs: $outside placed, $gone gone first; $held of ${#out_ids[@]} left in the" \
	"BPF map ($(grep -c . <<<"$map_ids") entries)"
[[ -n $map_ids ]] || reasons+=("cannot read the daemon's memcg_cfg map (bpftool)")
((${#out_ids[@]} == 300 && held <= 100)) ||
	reasons+=("the BPF map still holds $held of the ${#out_ids[@]} gone outside memcgs")
verdict outside-churn "$LOG" "${reasons[@]}"

# 5. Processes whose leader thread ends first (pthread_exit) while another goes on to fault and
# end them: the BPF map of processes forgets each one at its last thread's exit. At the leader's
# alone, each entry the other thread made again stayed until its pid came round again, and a
# user's loop of them filled the map (65,536), blinding the BPF side to every process after.
c=$(child threads)
ended=$(sh -c 'echo $$ >"$0" && exec "$1" 200 4' "$c/cgroup.procs" build/owthreads)
st=$?
keys=$(map_keys "$DPID" procs "<I")
left=$(grep -cxFf <(printf '%s\n' "$ended") <<<"$keys")
echo "   leaders ending first: $left of $(grep -c . <<<"$ended") processes left in the BPF map" \
	"($(grep -c . <<<"$keys") entries)"
reasons=()
((st == 0)) || reasons+=("owthreads ended with $(status_text "$st")")
[[ -n $keys ]] || reasons+=("cannot read the daemon's procs map (bpftool)")
(($(grep -c . <<<"$ended") == 200 && left == 0)) ||
	reasons+=("the BPF map still holds $left of the processes that ended")
verdict leader-exits-first "$LOG" "${reasons[@]}"

# 6. The daemon still exits cleanly.
kill -TERM "$DPID"
if wait_gone "$DPID" 5; then
	wait "$DPID"
	st=$?
	DPID=''
	if ((st == 0)); then verdict clean-exit "$LOG"; else verdict clean-exit "$LOG" "exit status $st"; fi
else
	verdict clean-exit "$LOG" "the daemon did not exit within 5 s of SIGTERM"
fi
rebinds=$(grep "$(json_event stop)" "$LOG" | grep -o '"memcg_rebinds":[0-9]*' | cut -d: -f2)
if [[ $rebinds == 1 ]]; then
	verdict fork-attribution "$LOG"
else
	verdict fork-attribution "$LOG" "${rebinds:-no} process entries re-bound, expected 1 (stale-entry's)"
fi
echo "churn: $PASSED passed, $FAILED failed"
((FAILED == 0))
