#!/bin/bash
# make image-check: the OCI image (make image) run as the DaemonSet runs it, on this machine's
# real kernel: the podman arguments come from deploy/kubernetes/daemonset.yaml
# (tests/image/podman_args.mjs: host PID namespace and network, the capability set, seccomp, a
# read-only root, the host paths), the config directory holds the ConfigMap's file and, as
# the Secret's drop-in, a webhook to a loopback receiver; the kubelet's part is played too: the
# in-cluster API server's address in the environment and a service account's credentials
# mounted where the kubelet mounts them, for a loopback HTTPS server playing the API server
# (tests/kube/apiserver.py), and the kubelet's log directories come from a tree of the test's.
# Only --cgroup is added (the test's memcg alone, not every cgroup of the machine) and the
# metrics port is a free one.
#  1. the image is small (under 50 MB) and holds no shell;
#  2. the agent starts with BPF (tp_btf, raw_tp or tracepoint: not degraded) and with no
#     capability beyond the DaemonSet's (CapEff of its process, read on the host);
#  3. GET /metrics on the loopback port answers 200 (the DaemonSet's liveness probe);
#  4. a leak of 16 MiB/s in a 256 MiB host memcg laid out as a pod's container, a worker that
#     needs 3 s to finish its job after SIGTERM: SIGTERMed, drains, exits 0; the kernel
#     counted no OOM kill; the receiver got the act alert (libcurl, dlopen()ed in the image,
#     works) and the API server an OOMPrevented Event on the pod, with the token (the agent
#     found the pod's names through the mounted log directories and the API through the
#     pod's environment and credentials);
#  5. `podman stop` (SIGTERM, as the kubelet stops a pod) ends the agent with status 0.
# This machine needs runc (crun refuses its hybrid cgroup hierarchy) and explicit ulimits (it
# has no CAP_SYS_RESOURCE to raise them): both are flags of this test, not of the image.
# Prints PASS/FAIL lines and `image: N passed, N failed`. Run as root from the repo root.
set -u

cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh

PASSED=0 FAILED=0
NAME=oomwarden-image-check-$$
TMPD=$(mktemp -d /tmp/oomwarden-image.XXXXXX) || exit 1
LOG=$TMPD/agent.log
CG='' RPID='' API_PID=''
POD_UID=7e57a9e0-0000-4000-8000-$(printf '%012x' $$)
CTR_ID=$(printf 'c0%.0s' {1..32})
VERSION=$(build/oomwarden --version | awk '{ print $2 }')
IMAGE=localhost/oomwarden:$VERSION

cleanup()
{
	podman rm -f "$NAME" >/dev/null 2>&1
	[[ -n $RPID ]] && kill "$RPID" 2>/dev/null
	[[ -n $API_PID ]] && kill "$API_PID" 2>/dev/null
	[[ -n $CG ]] && cg_destroy_pod "$CG"
	[[ ${OW_E2E_KEEP:-} == 1 ]] || rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) != 0 ]] || ! ow_detect_memcg || ! command -v podman >/dev/null ||
	! command -v runc >/dev/null || ! command -v node >/dev/null; then
	echo "SKIP image: needs root, a memory cgroup controller, podman, runc and node"
	[[ -n ${CI:-} ]] && exit 1
	exit 0
fi
podman image exists "$IMAGE" || { echo "FAIL image: $IMAGE is not built (make image)"; exit 1; }
tests/deploy/k8s_check.sh >/dev/null 2>&1 # installs the npm packages podman_args.mjs reads

# alerts FILE: the kind and process name of each alert the receiver recorded, a line each.
alerts()
{
	python3 - "$1" <<'PY' 2>/dev/null
import json, sys
for line in open(sys.argv[1]):
    for a in json.loads(json.loads(line)["body"])["alerts"]:
        print(a["kind"], (a.get("process") or {}).get("comm", "-"))
PY
}

# ---- 1. the image ----
reasons=()
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "    $IMAGE: $((size >> 20)) MiB"
((size < 50 << 20)) || reasons+=("the image is $((size >> 20)) MiB")
podman --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
	--entrypoint /bin/sh "$IMAGE" -c true >/dev/null 2>&1 && reasons+=("the image has a shell")
verdict image-contents /dev/null "${reasons[@]}"

# ---- 2. the agent as the DaemonSet runs it ----
alert_receiver "$TMPD" || { echo "FAIL image: the receiver did not start"; exit 1; }
MPORT=$(free_port)
mkdir -p "$TMPD/config/oomwarden.conf.d"
awk '/oomwarden.conf: \|/ { on = 1; next } on && /^[^ ]/ { on = 0 } on { sub(/^    /, ""); print }' \
	deploy/kubernetes/configmap.yaml >"$TMPD/config/oomwarden.conf"
printf 'webhook = http://127.0.0.1:%s/ok/image\nwebhook_format = json\n' "$PORT" \
	>"$TMPD/config/oomwarden.conf.d/webhooks.conf"
fake_apiserver "$TMPD/api" || { echo "FAIL image: the fake API server did not start"; exit 1; }
mkdir -p "$TMPD/log/pods/imagetest_leaky-0_$POD_UID/worker" "$TMPD/log/containers"
ln -s "../pods/imagetest_leaky-0_$POD_UID/worker/0.log" \
	"$TMPD/log/containers/leaky-0_imagetest_worker-$CTR_ID.log"
mapfile -t ARGS < <(node build/deploy-node/podman_args.mjs deploy/kubernetes/daemonset.yaml \
	"$TMPD/config" "/var/log/pods=$TMPD/log/pods" "/var/log/containers=$TMPD/log/containers")
ARGS=("${ARGS[@]/127.0.0.1:9717/127.0.0.1:$MPORT}")
ARGS=("${ARGS[@]/#localhost\/oomwarden:*/$IMAGE}")
CG=$(cg_create_pod "kubepods-owimage-$$" "$POD_UID" "$CTR_ID" $((256 << 20))) ||
	{ echo "FAIL image: no memcg"; exit 1; }
# The API server knows the pod: the ConfigMap's kube_delete_pod may delete it (with the brake
# of a cgroup v2 host; here, on v1, a 16 MiB/s leak is caught too close to its limit for it).
fake_pod imagetest leaky-0 "$POD_UID" "$CG" || { echo "FAIL image: no fake pod"; exit 1; }
# What the kubelet gives every pod: the API server's address and the service account.
KUBELET=(--env KUBERNETES_SERVICE_HOST=127.0.0.1 --env "KUBERNETES_SERVICE_PORT=$API_PORT"
	--volume "$API_CREDS:/var/run/secrets/kubernetes.io/serviceaccount:ro")
podman --runtime runc run -d --name "$NAME" --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" \
	--ulimit nproc=4096:4096 "${KUBELET[@]}" "${ARGS[@]}" --cgroup "$CG" >/dev/null \
	2>"$TMPD/podman.err" ||
	{ echo "FAIL agent-start: podman: $(cat "$TMPD/podman.err")"; exit 1; }
( podman logs -f "$NAME" >"$LOG" 2>&1 & )
reasons=()
if ! wait_for_line "$LOG" "$(json_event ready)" 30 "$$"; then
	reasons+=("the agent did not start")
else
	mode=$(json_field "$LOG" ready mode)
	[[ $mode =~ ^(tp_btf|raw_tp|tracepoint)$ ]] || reasons+=("mode '$mode', not BPF")
	pid=$(podman inspect --format '{{.State.Pid}}' "$NAME")
	capeff=$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")
	# BPF 39, PERFMON 38, KILL 5, SYS_PTRACE 19, DAC_READ_SEARCH 2, SYS_RESOURCE 24,
	# IPC_LOCK 14, SETUID 7, SETGID 6
	allowed=$(((1 << 39) | (1 << 38) | (1 << 5) | (1 << 19) | (1 << 2) | (1 << 24) | (1 << 14) |
		(1 << 7) | (1 << 6)))
	(((0x$capeff & ~allowed) == 0)) || reasons+=("CapEff $capeff beyond the DaemonSet's")
	(((0x$capeff >> 39) & 1)) || reasons+=("CapEff $capeff without CAP_BPF")
	echo "    agent pid $pid, mode $mode, CapEff $capeff"
fi
verdict agent-start "$LOG" "${reasons[@]}"

# ---- 3. the liveness probe ----
code=$(curl -s -m 5 -o "$TMPD/metrics.txt" -w '%{http_code}' "http://127.0.0.1:$MPORT/metrics")
reasons=()
[[ $code == 200 ]] || reasons+=("GET /metrics: HTTP $code")
grep -q "^oomwarden_cgroup_level{cgroup=\"pod:$POD_UID\",.*pod=\"leaky-0\"" "$TMPD/metrics.txt" ||
	reasons+=("the test's pod is not in the metrics with its names")
verdict liveness "$LOG" "${reasons[@]}"

# ---- 4. a leak stopped gracefully ----
sh -c 'echo $$ >"$0" && exec "$@"' "$CG/cgroup.procs" build/owload linear --rate 16 --drain 3 \
	--duration 60 --report "$TMPD/owload.report" >/dev/null 2>&1
WST=$?
reasons=()
((WST == 0)) || reasons+=("the worker ended with $(status_text "$WST"), expected exit 0")
grep -q '^drained ' "$TMPD/owload.report" || reasons+=("the worker did not finish its job")
[[ $(cg_oom_kills "$CG") == 0 ]] || reasons+=("the kernel OOM-killed in the memcg")
wait_for_line "$LOG" "$(json_event victim_exit)" 10 "$$" || reasons+=("no victim_exit line")
act=$(json_field "$LOG" act action)
[[ $act == signal || $act == delete_pod ]] || reasons+=("no act line (SIGTERM or the pod's deletion)")
for _ in $(seq 50); do
	got=$(alerts "$TMPD/records.jsonl")
	[[ $got == *"act owload"* ]] && break
	sleep 0.1
done
[[ $got == *"act owload"* ]] || reasons+=("the receiver got no act alert naming owload")
echo "    alerts received: $(echo "$got" | awk '{ print $1 }' | tr '\n' ' ')"
for _ in $(seq 50); do
	grep -q OOMPrevented "$TMPD/api/requests.jsonl" 2>/dev/null && break
	sleep 0.1
done
node build/deploy-node/event_check.mjs "$TMPD/api/requests.jsonl" >"$TMPD/events.txt" ||
	reasons+=("invalid Events: $(head -n 2 "$TMPD/events.txt" | tr '\n' ';')")
grep -qE "^imagetest OOMPrevented (SIGTERM|DeletePod) leaky-0 worker $POD_UID .* auth$" \
	"$TMPD/events.txt" ||
	reasons+=("no OOMPrevented Event on the pod: $(tr '\n' ';' <"$TMPD/events.txt")")
echo "    Events: $(awk '{ print $2 }' "$TMPD/events.txt" | tr '\n' ' ')"
verdict leak-stopped "$LOG" "${reasons[@]}"

# ---- 5. stopped as the kubelet stops it ----
podman stop -t 30 "$NAME" >/dev/null 2>&1
code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
reasons=()
[[ $code == 0 ]] || reasons+=("the agent exited with $code after SIGTERM")
verdict agent-stop "$LOG" "${reasons[@]}"

echo "image: $PASSED passed, $FAILED failed"
((FAILED == 0))
