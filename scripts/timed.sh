#!/bin/bash
# timed.sh LABEL CMD...: runs CMD, then prints "time LABEL: N s (exit E)" and exits as CMD did.
# make test's steps run through it, so a CI log says where its 45 minutes go.
label=$1
shift
t0=$SECONDS
"$@"
rc=$?
echo "time $label: $((SECONDS - t0)) s (exit $rc)"
exit "$rc"
