#!/bin/bash
# tests/deploy/k8s_check.mjs with its npm packages (tests/deploy/package-lock.json), installed
# once into build/deploy-node from the npm registry. The other node scripts of the tests
# (tests/image/podman_args.mjs, tests/kube/event_check.mjs) are copied there too: node finds
# the packages next to the script.
set -eu
cd "$(dirname "$0")/../.."
NODE_DIR=build/deploy-node
if ! cmp -s tests/deploy/package-lock.json "$NODE_DIR/package-lock.json" 2>/dev/null ||
	[[ ! -d $NODE_DIR/node_modules/kubernetes-models ]]; then
	mkdir -p "$NODE_DIR"
	cp tests/deploy/package.json tests/deploy/package-lock.json "$NODE_DIR/"
	(cd "$NODE_DIR" && npm ci --no-audit --no-fund >npm.log 2>&1) ||
		{ echo "npm ci failed:"; tail -5 "$NODE_DIR/npm.log"; exit 1; }
fi
cp tests/deploy/k8s_check.mjs tests/image/podman_args.mjs tests/kube/event_check.mjs "$NODE_DIR/"
exec node "$NODE_DIR/k8s_check.mjs" "$PWD" "${OW_DAEMON:-build/oomwarden}"
