#!/bin/bash
# End-to-end: Kubernetes Events and pod deletions from the real daemon to a loopback HTTPS
# server playing the API server (tests/kube/apiserver.py: token check, TLS under a throwaway
# CA, and the kubelet's SIGTERM to a deleted pod's processes), for leaks in memcgs laid out as
# the kubelet lays out pods' containers, with the kubelet's log directories of those pods
# (names). One daemon with --kube-api https://127.0.0.1:PORT and --kube-credentials (token and
# ca.crt), --kube-delete-pod on (the default), watching all the pods:
#  1. four pods leak 8 MiB/s at once in 256 MiB containers (slow enough for the floor trend to
#     predict the limit 10 s ahead: a faster leak in a fresh cgroup is caught at the
#     high-water mark on cgroup v1, too close to the limit to wait for the API, and is
#     SIGTERMed at once, unit-tested in test_pod_delete), each worker needing 2 s to
#     finish after SIGTERM; namespace owtest is accepted, forbidden answers 403 (RBAC) to
#     Events and pods, throttled 429 with Retry-After once to an Event, bare's pod has no
#     owner. owtest's and throttled's pods are deleted through the API (a GET, then a DELETE
#     with the pod's UID as precondition), and the fake kubelet's SIGTERM stops their workers;
#     forbidden's (403) and bare's (nothing would make it again) are not deleted: the daemon
#     SIGTERMs them itself. Every worker drains and exits 0, the kernel OOM-kills none; every
#     request carries the current token; every Event passes the API's schema and validation
#     (tests/kube/event_check.mjs) and names its pod, container, pod UID and node; owtest gets
#     OOMWarning then OOMPrevented (DeletePod); forbidden's are given up after one try each
#     (a 403 stays a 403); throttled's first is retried after its Retry-After and delivered.
#  2. the API server hangs (namespace hang: a pod's GET is never answered; Events to a hung
#     receiver are alerts.sh's): a fifth pod, leaking from 6 s later (after the others'
#     deletions: a failing API server holds off every deletion for a minute), gets no
#     answer to its deletion, its worker
#     is still SIGTERMed by the daemon (within the 1 s the answer is waited for) and drains
#     and exits 0: the kill path does not wait on the API.
# Prints PASS/FAIL lines and `kube-events: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

OWD=${OW_E2E_DAEMON:-build/oomwarden}
OWLOAD=build/owload
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-kube.XXXXXX) || exit 1
LOG=$TMPD/daemon.log
TOP=kubepods-owk-$$
CGS=() DPID='' APID=''

cleanup()
{
	local cg
	[[ -n $DPID ]] && kill -KILL "$DPID" 2>/dev/null
	[[ -n $APID ]] && kill "$APID" 2>/dev/null
	for cg in "${CGS[@]}"; do
		cg_destroy_pod "$cg"
	done
	rmdir "$OW_CG_ROOT/$TOP" 2>/dev/null
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || ! command -v openssl >/dev/null ||
	! command -v node >/dev/null; then
	echo "SKIP kube-events: needs root, a memory cgroup controller, openssl and node"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi
tests/deploy/k8s_check.sh >/dev/null 2>&1 # installs kubernetes-models for event_check.mjs

# ---- the API server ----
fake_apiserver "$TMPD" || { echo "FAIL kube-events: the API server did not start"; exit 1; }
APID=$API_PID PORT=$API_PORT CREDS=$API_CREDS

# pod NS: a pod "leaky-0" of namespace NS with one container "worker": its memcg below TOP
# (256 MiB) and its log directories; sets CG and POD_UID.
pod()
{
	local ns=$1 id
	POD_UID=$(printf '%08x-4b5a-6978-8a9b-%012x' "${#CGS[@]}" $$)
	id=$(printf '%064x' $((${#CGS[@]} + 1)))
	mkdir -p "$TMPD/log/pods/${ns}_leaky-0_$POD_UID/worker" "$TMPD/log/containers"
	ln -s "../pods/${ns}_leaky-0_$POD_UID/worker/0.log" \
		"$TMPD/log/containers/leaky-0_${ns}_worker-$id.log"
	if ((${#CGS[@]} == 0)); then
		CG=$(cg_create_pod "$TOP" "$POD_UID" "$id" $((256 << 20))) || return 1
	else # the QoS level exists already: only the pod and its container
		mkdir "$OW_CG_ROOT/$TOP/burstable/pod$POD_UID" || return 1
		[[ $OW_CG_VER == 2 ]] &&
			echo +memory >"$OW_CG_ROOT/$TOP/burstable/pod$POD_UID/cgroup.subtree_control"
		CG=$(cg_create "$TOP/burstable/pod$POD_UID/$id" $((256 << 20))) || return 1
	fi
	CGS+=("$CG")
	UIDS[$ns]=$POD_UID
	fake_pod "$ns" leaky-0 "$POD_UID" "$CG" "$([[ $ns == bare ]] && echo bare)"
}

# leak CG NAME [DELAY]: a worker leaking 8 MiB/s in CG (from DELAY s on) that needs 2 s to
# finish after SIGTERM; its exit status in $TMPD/NAME.status; its subshell's pid added to LEAKS.
LEAKS=()
leak()
{
	(
		sleep "${3:-0}"
		sh -c 'echo $$ >"$0" && exec "$@"' "$1/cgroup.procs" "$OWLOAD" linear --rate 8 \
			--drain 2 --duration 90 --report "$TMPD/$2.report" >/dev/null 2>&1
		echo $? >"$TMPD/$2.status"
	) &
	LEAKS+=($!)
}

declare -A UIDS
NSS=(owtest forbidden throttled bare hang)
for ns in "${NSS[@]}"; do
	pod "$ns" || { echo "FAIL kube-events: no memcg"; exit 1; }
done
"$OWD" run --cgroup "$OW_CG_ROOT/$TOP" --log-format json -v --kube-logs "$TMPD/log" \
	--kube-api "https://127.0.0.1:$PORT" --kube-credentials "$CREDS" 2>"$LOG" &
DPID=$!
wait_for_line "$LOG" "$(json_event ready)" 20 "$DPID" ||
	{ verdict start "$LOG" "the daemon did not start"; exit 1; }

# worker_ok NAME: the worker was SIGTERMed, finished its job and exited 0; else a reason.
worker_ok()
{
	local st
	st=$(cat "$TMPD/$1.status" 2>/dev/null)
	[[ $st == 0 ]] && grep -q '^drained ' "$TMPD/$1.report" && return 0
	echo "$1's worker ended with ${st:-nothing}, $(tail -n 1 "$TMPD/$1.report" 2>/dev/null)"
}

# act_of NS KEY: KEY of the daemon's act lines in namespace NS, one per line.
act_of()
{
	grep "$(json_event act)" "$LOG" | grep "\"namespace\":\"$1\"" |
		sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"
}

# pod_requests NS: the methods of the requests of NS's pod, in order ("GET DELETE ").
pod_requests()
{
	grep "/namespaces/$1/pods/leaky-0\"" "$TMPD/requests.jsonl.pods" 2>/dev/null |
		sed -n 's/.*"method": "\([A-Z]*\)".*/\1/p' | tr '\n' ' '
}

# ---- 1. accepted, forbidden, throttled, bare (and 2. hang, from 6 s later) ----
for i in 0 1 2 3; do
	leak "${CGS[$i]}" "${NSS[$i]}"
done
leak "${CGS[4]}" hang 6
wait "${LEAKS[@]}"
sleep 3 # the throttled Event's retry after its Retry-After: 1
reasons=()
for ns in owtest forbidden throttled bare; do
	why=$(worker_ok "$ns") || reasons+=("$why")
done
for cg in "${CGS[@]:0:4}"; do
	[[ $(cg_oom_kills "$cg") == 0 ]] || reasons+=("an OOM kill in $cg")
done
node build/deploy-node/event_check.mjs "$TMPD/requests.jsonl" "$TMPD/requests.jsonl.pods" \
	>"$TMPD/events.txt" ||
	reasons+=("invalid Events: $(grep INVALID "$TMPD/events.txt" | head -n 2 | tr '\n' ';')")
sed 's/^/    /' "$TMPD/events.txt"
grep -v ' auth$' "$TMPD/events.txt" | grep -q . && reasons+=("a request without the token")
host=$(hostname)
seq=$(awk '$1 == "owtest" && $2 ~ /^OOM/ { print $2 }' "$TMPD/events.txt" | tr '\n' ' ')
[[ $seq == "OOMWarning OOMPrevented " ]] || reasons+=("owtest got '$seq', expected OOMWarning OOMPrevented")
grep -q "^owtest OOMPrevented DeletePod leaky-0 worker ${UIDS[owtest]} $host auth$" \
	"$TMPD/events.txt" || reasons+=("owtest's OOMPrevented does not name its pod, container, UID and node")
n=$(grep -c '^forbidden OOM' "$TMPD/events.txt")
((n == 3)) || reasons+=("forbidden: $n requests, expected 3 (one per Event: the deletion, the SIGTERM after its 403; no retry)")
grep "$(json_event alert_failed)" "$LOG" | grep -q '"status":403' ||
	reasons+=("no alert_failed line with status 403")
n=$(grep -c '^throttled OOMPrevented ' "$TMPD/events.txt")
m=$(grep -c '^throttled OOMWarning ' "$TMPD/events.txt")
((n + m == 3)) || reasons+=("throttled: $((n + m)) requests, expected 3 (one answered 429, retried)")
verdict events "$LOG" "${reasons[@]}"

# ---- the pods' deletions of part 1 ----
reasons=()
for ns in owtest throttled; do
	[[ $(pod_requests "$ns") == "GET DELETE " ]] ||
		reasons+=("$ns: pod requests '$(pod_requests "$ns")', expected GET DELETE")
	# a DeleteOptions by its schema (event_check.mjs), the pod's UID its precondition
	grep -q "^$ns DELETE leaky-0 ${UIDS[$ns]} auth$" "$TMPD/events.txt" ||
		reasons+=("$ns: the DELETE does not carry the pod's UID as its precondition")
	[[ $(act_of "$ns" action | tr '\n' ' ') == "delete_pod " ]] ||
		reasons+=("$ns: act lines '$(act_of "$ns" action | tr '\n' ' ')', expected one delete_pod")
	grep "$(json_event victim_exit)" "$LOG" | grep "\"namespace\":\"$ns\"" |
		grep -q '"signal":"pod_delete"' || reasons+=("$ns: no victim_exit by pod_delete")
	grep "$(json_event pod_deleting)" "$LOG" | grep "\"namespace\":\"$ns\"" |
		grep -q '"grace_s":22' || reasons+=("$ns: no pod_deleting line with the pod's 20 s + 2 s")
done
grep -v '"auth_ok": true' "$TMPD/requests.jsonl.pods" | grep -q . &&
	reasons+=("a pod request without the token")
for ns in forbidden bare; do
	[[ $(pod_requests "$ns") == "GET " ]] ||
		reasons+=("$ns: pod requests '$(pod_requests "$ns")', expected only a GET")
	[[ $(act_of "$ns" action | tr '\n' ' ') == "delete_pod signal " ]] ||
		reasons+=("$ns: act lines '$(act_of "$ns" action | tr '\n' ' ')', expected delete_pod then signal")
done
grep "$(json_event pod_delete_refused)" "$LOG" | grep '"namespace":"forbidden"' |
	grep -q '"status":403' || reasons+=("no pod_delete_refused line with status 403")
grep "$(json_event pod_delete_refused)" "$LOG" | grep '"namespace":"bare"' |
	grep -q '"result":"bare"' || reasons+=("no pod_delete_refused line for the bare pod")
verdict pod-delete "$LOG" "${reasons[@]}"

# ---- 2. a hung API server does not hold up the action ----
reasons=()
why=$(worker_ok hang) || reasons+=("$why")
[[ $(cg_oom_kills "${CGS[4]}") == 0 ]] || reasons+=("an OOM kill in the hung API's pod")
[[ $(act_of hang action | tr '\n' ' ') == "delete_pod signal " ]] ||
	reasons+=("hang: act lines '$(act_of hang action | tr '\n' ' ')', expected delete_pod then signal")
# how long the SIGTERM waited on the silent API server (at most the 1 s of the answer)
grep "$(json_event act)" "$LOG" | grep '"namespace":"hang"' |
	sed -n 's/.*"time":"\([^"]*\)".*/    hang: act at \1/p'
verdict hung-api "$LOG" "${reasons[@]}"

kill -TERM "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
DPID=''
echo "kube-events: $PASSED passed, $FAILED failed"
((FAILED == 0))
