#!/bin/bash
# make deploy-check: what deploy/ ships, checked with the tools that read it.
#  - deploy/prometheus: `promtool check rules` and the rule unit tests
#    (oomwarden-rules.test.yml: every alert fires on its series and stays quiet otherwise);
#  - deploy/grafana: the dashboard's shape, its metric names against README.md, and each of its
#    queries parsed as PromQL by promtool (tests/deploy/dashboard_check.py);
#  - deploy/kubernetes: the kustomization's manifests against the Kubernetes OpenAPI schema
#    (tests/deploy/k8s_check.mjs with the npm package kubernetes-models; no cluster runs here).
# Prints PASS/FAIL lines and `deploy: N passed, N failed`.
set -u

cd "$(dirname "$0")/../.." || exit 1
PASSED=0 FAILED=0
TMPD=$(mktemp -d /tmp/oomwarden-deploy.XXXXXX) || exit 1
trap 'rm -rf "$TMPD"' EXIT

check()
{
	local name=$1
	shift
	if "$@" >"$TMPD/out" 2>&1; then
		echo "PASS $name"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL $name"
		sed 's/^/    /' "$TMPD/out"
		FAILED=$((FAILED + 1))
	fi
}

if ! command -v promtool >/dev/null; then
	echo "FAIL deploy: promtool is missing (scripts/deps.sh test installs Debian's prometheus)"
	exit 1
fi
check rules-syntax promtool check rules deploy/prometheus/oomwarden-rules.yml
check rules-tests sh -c 'cd deploy/prometheus && promtool test rules oomwarden-rules.test.yml'
check dashboard sh -c "python3 tests/deploy/dashboard_check.py '$TMPD/dash.yml' &&
	promtool check rules '$TMPD/dash.yml'"
if [[ -d deploy/kubernetes ]]; then
	check kubernetes tests/deploy/k8s_check.sh
fi
echo "deploy: $PASSED passed, $FAILED failed"
((FAILED == 0))
