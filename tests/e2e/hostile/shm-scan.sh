#!/bin/bash
# End-to-end, adversarial (issue 17): a user's cgroup whose tmpfs grows, padded with open files.
# While a cgroup's shmem grows past the warning, the daemon looks for the writer on its event
# loop: each open file of each process in the cgroup costs a read of its fdinfo (~6 us). The
# unprivileged user owhostile owns such a cgroup and chooses what it holds: here 16 sleepers
# with 1,000 tmpfs files open for writing each (scans without a budget read them all each
# second; the user may add processes up to its limits), a tmpfs writer at 8 MiB/s among them,
# and a file on disk named like a memfd ("memfd:x"), open for writing, which must never be
# taken for one. The scans look at 2,048 files a second: the writer, last in the cgroup, is
# reached in ~8 s. The tmpfs also holds a tree of 120,000 empty files and a chain of 40
# directories: the walk for its largest files is cut at its bound, off the loop. Checked:
#  1. a 64 MiB/s leak in another memcg (~4 s to its limit) is stopped gracefully, with no kernel
#     OOM kill there: the loop kept its pace;
#  2. the hostile cgroup is warned with shmem named, and its writer is found through the
#     padding and SIGTERMed (every process is looked at in turn, the known writers each second);
#  3. the walk of the tmpfs that grew stopped at its 100,000 entries;
#  4. the daemon is still running and stops cleanly.
# Prints PASS/FAIL lines and `shm-scan: N passed, N failed`. Run as root from the repo root.
# shellcheck disable=SC2016 # sh -c scripts get their arguments as $1...
set -u

cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

NAME=shm-scan
OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=${OW_E2E_OWLOAD:-build/owload}
SLEEPERS=${OW_SHM_SCAN_SLEEPERS:-16}
PASSED=0 FAILED=0
TMPD='' TOP='' CG_H='' CG_OTHER='' DPID='' WR='' SHM=''

cleanup()
{
	local tmpd=$TMPD

	TMPD='' # removed below, once its tmpfs is unmounted
	hostile_teardown
	[[ -n $SHM ]] && umount "$SHM" 2>/dev/null
	[[ -n $tmpd && ${OW_E2E_KEEP:-} != 1 ]] && rm -rf "$tmpd"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hostile_setup "$NAME"

hostile_tmpd "$NAME"
# The user's tmpfs (a /tmp or /dev/shm of its own) and a directory of its own on disk.
SHM=$TMPD/shm
if ! mkdir -p "$SHM" "$TMPD/disk" ||
	! mount -t tmpfs -o size=1g,nr_inodes=0,mode=1777 owtest "$SHM"; then
	SHM=''
	echo "FAIL $NAME: cannot mount a tmpfs"
	exit 1
fi
chown "$HUID" "$TMPD/disk"

# Made from outside the user's cgroup: ~100 MiB of inodes that are not its charge.
if ! setpriv --reuid="$HUID" --regid="$HUID" --clear-groups -- bash -c \
	'mkdir -p "$0/tree/$(printf "d/%.0s" {1..40})" && cd "$0/tree" && seq 120000 | xargs touch' \
	"$SHM"; then
	echo "FAIL $NAME: cannot make the tree of files"
	exit 1
fi

hostile_memcgs "$NAME" $((256 << 20))

if ! daemon_start "$LOG" --cgroup "$TOP" --grace 4; then
	verdict "$NAME-start" "$LOG" "the daemon did not start"
	echo "$NAME: $PASSED passed, $FAILED failed"
	exit 1
fi

# as_user_in CG CMD...: CMD as owhostile inside the memcg CG (joined as root first).
as_user_in()
{
	local cg=$1

	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
		setpriv --reuid="$HUID" --regid="$HUID" --clear-groups -- \
		env -i PATH=/usr/bin:/bin HOME="$OW_HOSTILE_HOME" "$@"
}

# The padding: one shell opens a tmpfs file 1,000 times for writing and the disk file named
# like a memfd, then leaves SLEEPERS sleepers holding all of them.
as_user_in "$CG_H" bash -c '
	ulimit -n 1100 || exit 1
	: >"$0/pad" && : >"$1/memfd:x" || exit 1
	for ((i = 10; i < 1010; i++)); do eval "exec $i>>\"\$0/pad\"" || exit 1; done
	exec 1010>>"$1/memfd:x"
	for ((i = 0; i < $2; i++)); do sleep 600 & done
	echo ready >"$1/ready"
	wait' "$SHM" "$TMPD/disk" "$SLEEPERS" >/dev/null 2>&1 &
for _ in $(seq 100); do
	[[ -e $TMPD/disk/ready ]] && break
	sleep 0.1
done
if [[ ! -e $TMPD/disk/ready ]]; then
	verdict "$NAME-padding" "$LOG" "the padding did not start (ulimit -n 1100 refused?)"
	echo "$NAME: $PASSED passed, $FAILED failed"
	exit 1
fi
# The writer among them: 8 MiB/s into the tmpfs (~30 s to the limit).
as_user_in "$CG_H" "$OWLOAD" write --file "$SHM/w" --rate 8 --duration 60 \
	>"$TMPD/writer.report" 2>&1 &
sleep 10 # the writer past the warning, the scans at work
WR=$(sed -n 's/^start pid=\([0-9]*\) .*/\1/p' "$TMPD/writer.report")

R=()
leak_elsewhere_stopped "$CG_OTHER"
verdict "$NAME-loop-keeps-pace" "$LOG" "${R[@]}"

R=()
warn=$(grep -E "$(json_event level)" "$LOG" | grep '"to":"warn"' | grep ow-hostile-$NAME/user | head -n1)
[[ $warn == *'"grows":"shmem"'* ]] || R+=("the hostile cgroup's warning does not name shmem: ${warn:-none}")
wait_for_line "$LOG" "\"event\":\"act\".*\"pid\":$WR," 40 "$DPID" ||
	R+=("the writer (pid $WR) was not found through the padding and SIGTERMed")
grep -q '^sigterm ' "$TMPD/writer.report" || R+=("the writer never reported SIGTERM")
verdict "$NAME-writer-found" "$LOG" "${R[@]}"

R=()
walk=$(grep -E "$(json_event tmpfs_walk)" "$LOG" | grep -F "\"mount\":\"$SHM\"" | head -n1)
[[ $walk == *'"entries":100000,'* && $walk == *'"cut":1,'* ]] ||
	R+=("the walk of $SHM was not cut at 100,000 entries: ${walk:-no tmpfs_walk line}")
verdict "$NAME-walk-bounded" "$LOG" "${R[@]}"

hostile_end "$NAME"
