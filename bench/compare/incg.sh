#!/bin/sh
# incg.sh CGROUP REPORT CMD...: join CGROUP, note the launch in REPORT (pid, wall clock), then
# exec CMD. The pid stays the same, so a watcher that tracks the pid it started (PM2) sees
# CMD's own memory.
cg=$1 rep=$2
shift 2
echo $$ >"$cg/cgroup.procs" || exit 1
echo "launch pid=$$ at=$(date +%s.%N)" >>"$rep"
exec "$@"
