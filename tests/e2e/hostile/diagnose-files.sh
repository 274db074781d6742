#!/bin/bash
# End-to-end, adversarial (issue 14 defect 11): files a diagnosed process controls. `diagnose
# --stacks` of a process of the unprivileged user owhostile reads as root its perf map
# (/tmp/perf-PID.map, which the user writes) and the libc it maps (at a path the user may own).
#  1. a sparse 1 GiB perf map with one short line: diagnose finishes, its peak RSS stays far
#     below the file's size (getline allocated it whole: 1 GiB);
#  2. the process maps its own copy of libc, deletes it and puts a FIFO named as maps shows the
#     deleted file ("libc.so.6 (deleted)"): diagnose finishes (the open of the FIFO blocked it).
# Prints PASS/FAIL lines and `diagnose-files: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

NAME=diagnose-files
OWD=${OW_E2E_DAEMON:-build/oomwarden}
LEAK=${OW_E2E_OWLEAK:-build/owleak}
PASSED=0 FAILED=0
TMPD='' KIDS=() MAPS=()
MAX_RSS_KIB=$((256 * 1024)) # the daemon's own size is a few MiB; the sparse file is 1 GiB

cleanup()
{
	local k

	for k in "${KIDS[@]}"; do
		kill -KILL "$k" 2>/dev/null
	done
	for k in "${MAPS[@]}"; do
		rm -f "$k"
	done
	[[ -n $TMPD && ${OW_E2E_KEEP:-} != 1 ]] && rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]]; then
	echo "SKIP $NAME: needs root (BPF, uprobes)"
	[[ ${CI:-} == true ]] && exit 1
	exit 0
fi
for bin in "$OWD" "$LEAK" /usr/bin/time; do
	[[ -x $bin ]] || { echo "FAIL $NAME: $bin is not built (make) or installed"; exit 1; }
done
hostile_user || { echo "FAIL $NAME: no unprivileged user"; exit 1; }
LEAK=$(realpath "$LEAK")
TMPD=$(mktemp -d /tmp/oomwarden-$NAME.XXXXXX) || exit 1
chown "$OW_HOSTILE_UID:$OW_HOSTILE_UID" "$TMPD"

# start NAME [ENV=V...] -- ARGS...: owleak as owhostile; sets PID once it is ready.
start()
{
	local name=$1 ready=$TMPD/$1.pid env=() i
	shift
	while [[ $1 != -- ]]; do
		env+=("$1")
		shift
	done
	shift
	setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" --clear-groups -- \
		env -i PATH=/usr/bin:/bin HOME="$OW_HOSTILE_HOME" "${env[@]}" \
		"$LEAK" --exit-after 120 "$@" --ready "$ready" >"$TMPD/$name.out" 2>&1 &
	KIDS+=($!)
	disown
	PID=''
	for ((i = 0; i < 100; i++)); do
		[[ -s $ready ]] && break
		sleep 0.1
	done
	PID=$(cat "$ready" 2>/dev/null)
}

# diagnose NAME PID: `diagnose --stacks` under a timeout; sets ST and RSS_KIB (peak).
diagnose()
{
	timeout 120 /usr/bin/time -f '%M' -o "$TMPD/$1.rss" "$OWD" diagnose --pid "$2" \
		--duration 3 --stacks --json >"$TMPD/$1.json" 2>"$TMPD/$1.err"
	ST=$?
	RSS_KIB=$(tail -n 1 "$TMPD/$1.rss" 2>/dev/null)
	[[ $RSS_KIB =~ ^[0-9]+$ ]] || RSS_KIB=0
}

# 1. A sparse perf map.
R=()
start sparse -- --rate 2 --jit
if [[ -z $PID ]]; then
	R+=("owleak did not start")
else
	MAP=/tmp/perf-$PID.map
	MAPS+=("$MAP")
	setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" --clear-groups -- \
		sh -c 'printf "7f0000000000 100 sparse-head\n" >"$1" && truncate -s 1G "$1"' sh \
		"$MAP" || R+=("cannot make the sparse perf map")
	diagnose sparse "$PID"
	((ST == 124)) && R+=("diagnose did not finish in 120 s")
	((ST == 0 || ST == 124)) || R+=("diagnose exited with $(status_text "$ST")")
	((RSS_KIB > 0 && RSS_KIB < MAX_RSS_KIB)) ||
		R+=("diagnose's peak RSS $RSS_KIB KiB (limit $MAX_RSS_KIB)")
	echo "sparse perf map: diagnose exit $ST, peak RSS $RSS_KIB KiB"
fi
verdict "$NAME-sparse-perf-map" "$TMPD/sparse.err" "${R[@]}"

# 2. A FIFO where the libc was.
R=()
LIBC=$(ldd "$LEAK" | awk '$1 ~ /^libc\.so/ { print $3 }')
LIBDIR=$TMPD/lib
if [[ ! -f $LIBC ]]; then
	R+=("owleak links no libc.so")
else
	setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" --clear-groups -- \
		sh -c 'mkdir "$1" && cp "$2" "$1/"' sh "$LIBDIR" "$LIBC" ||
		R+=("cannot copy libc")
	start fifo LD_LIBRARY_PATH="$LIBDIR" -- --rate 2
	if [[ -z $PID ]]; then
		R+=("owleak did not start")
	else
		BASE=$(basename "$LIBC")
		grep -q "$LIBDIR/$BASE" "/proc/$PID/maps" || R+=("owleak does not map $LIBDIR/$BASE")
		setpriv --reuid="$OW_HOSTILE_UID" --regid="$OW_HOSTILE_UID" --clear-groups -- \
			sh -c 'rm "$1" && mkfifo "$1 (deleted)"' sh "$LIBDIR/$BASE" ||
			R+=("cannot plant the FIFO")
		grep -q "$LIBDIR/$BASE (deleted)" "/proc/$PID/maps" ||
			R+=("maps does not show the deleted libc")
		diagnose fifo "$PID"
		((ST == 124)) && R+=("diagnose did not finish in 120 s (blocked on the FIFO?)")
		((ST == 0 || ST == 124)) || R+=("diagnose exited with $(status_text "$ST")")
		echo "FIFO libc: diagnose exit $ST"
	fi
fi
verdict "$NAME-fifo-libc" "$TMPD/fifo.err" "${R[@]}"

echo "$NAME: $PASSED passed, $FAILED failed"
((FAILED == 0))
