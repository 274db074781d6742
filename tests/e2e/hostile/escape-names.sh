#!/bin/bash
# End-to-end, adversarial: terminal control bytes in the names the daemon prints. The kernel
# forbids only '/' and '\n' in a cgroup's name (a delegated subtree's owner picks it), and a
# process picks its comm (here: the name of the file it was exec'd from, a symlink).
#  1. a leak in a memcg named "...\e[31m\rX\x7f<U+009B>" by a process whose comm is
#     "\e[2Kx\rowl", under a daemon with text logs (--dry-run, so the kernel OOM-kills it):
#     the level lines carry the cgroup's name and the oom_kill line the comm as the kernel
#     reported it, every control byte as \xNN, and no raw ESC, CR, DEL or C1 byte is in the
#     log;
#  2. `oomwarden status` on it: the escaped name, no raw control byte;
#  3. JSON logs (-vv: the watch lines name the cgroup): every line parses, no raw control byte.
# Prints PASS/FAIL lines and `escape-names: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-escape-names.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
CG='' DPID='' WPID=''
NAME=$'ow-hostile-escape-names-\e[31m\rX\x7f\xc2\x9b'-$$
# The same with each control byte as \xNN, as the logs must show it.
ESCAPED='ow-hostile-escape-names-\x1b[31m\x0dX\x7f\xc2\x9b'
COMM=$'\e[2Kx\rowl'
COMM_ESCAPED='\x1b[2Kx\x0dowl'

cleanup()
{
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $CG ]] && cg_destroy "$CG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || ! command -v python3 >/dev/null; then
	echo "SKIP escape-names: needs root, a memory cgroup controller and python3"
	[[ ${CI:-} == true ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$OWLOAD"; do
	[[ -x $bin ]] || { echo "FAIL escape-names: $bin is not built (make)"; exit 1; }
done
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

# raw_controls FILE: say which raw control bytes FILE holds (ESC, CR, DEL, C1 CSI); none: 1.
raw_controls()
{
	local what='' b

	for b in $'\e' $'\r' $'\x7f' $'\xc2\x9b'; do
		LC_ALL=C grep -q "$b" "$1" && what+=" $(printf '%s' "$b" | od -An -tx1 | tr -d ' ')"
	done
	[[ -n $what ]] && echo "raw bytes in $(basename "$1"):$what"
	[[ -n $what ]]
}

CG=$(cg_create "$NAME" $((128 << 20))) || { echo "FAIL escape-names: no memcg"; exit 1; }
ln -s "$(realpath "$OWLOAD")" "$TMPD/$COMM"

# 1. Text logs of a leak.
"$OWD" run --cgroup "$CG" --dry-run --log-format text 2>"$LOG" &
DPID=$!
if ! wait_for_line "$LOG" ' ready: ' 30 "$DPID"; then
	verdict "escape-names-start" "$LOG" "the daemon did not start"
	echo "escape-names: $PASSED passed, $FAILED failed"
	exit 1
fi
sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" "$TMPD/$COMM" linear --rate 16 \
	>/dev/null 2>&1 &
WPID=$!
R=()
wait_for_line "$LOG" ' oom_kill: ' 60 "$DPID" || R+=("no oom_kill line for the leak")
kill -KILL "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null
WPID=''
kill -TERM "$DPID"
wait "$DPID"
DPID=''
R2=$(raw_controls "$LOG") && R+=("$R2")
grep ' level: ' "$LOG" | grep -qF "cgroup=\"/$ESCAPED-$$\"" ||
	R+=("no level line names the cgroup as \"/$ESCAPED-$$\"")
grep ' oom_kill: ' "$LOG" | grep -qF "comm=\"$COMM_ESCAPED\"" ||
	R+=("no oom_kill line names the comm as \"$COMM_ESCAPED\"")
verdict "escape-names-text-log" "$LOG" "${R[@]}"

# 2. status: the name cut to 40 columns, escapes whole.
R=()
"$OWD" status --cgroup "$CG" >"$TMPD/status.out" 2>&1 || R+=("status failed: $(head -n 2 "$TMPD/status.out")")
R2=$(raw_controls "$TMPD/status.out") && R+=("$R2")
grep -qF "/${ESCAPED:0:35}" "$TMPD/status.out" ||
	R+=("status does not show /${ESCAPED:0:35}: $(tail -n 1 "$TMPD/status.out")")
verdict "escape-names-status" "$TMPD/status.out" "${R[@]}"

# 3. JSON logs: valid JSON on every line, the names as \u00NN.
R=()
"$OWD" run --cgroup "$CG" --dry-run --log-format json -vv 2>"$TMPD/json.log" &
DPID=$!
wait_for_line "$TMPD/json.log" "$(json_event ready)" 30 "$DPID" || R+=("the daemon did not start")
kill -TERM "$DPID"
wait "$DPID"
DPID=''
R2=$(raw_controls "$TMPD/json.log") && R+=("$R2")
python3 - "$TMPD/json.log" "/${NAME}" >"$TMPD/json.check" 2>&1 <<'PY' ||
import json, sys
want = sys.argv[2].encode("utf-8", "surrogateescape").decode("utf-8")
named = 0
for n, raw in enumerate(open(sys.argv[1], "rb"), 1):
    rec = json.loads(raw.decode("utf-8"))  # strict: no raw control byte, valid UTF-8
    named += rec.get("cgroup") == want
if not named:
    sys.exit("no line names the cgroup %r" % want)
PY
	R+=("$(tail -n 1 "$TMPD/json.check")")
verdict "escape-names-json-log" "$TMPD/json.log" "${R[@]}"

echo "escape-names: $PASSED passed, $FAILED failed"
((FAILED == 0))
