// The DaemonSet's agent container (deploy/kubernetes/daemonset.yaml) as `podman run`
// arguments, so tests/image/run.sh runs the image exactly as the DaemonSet would: host PID
// namespace and network, the capability set, seccomp, a read-only root, the host paths at their
// mount points (a DirectoryOrCreate path made if missing, as the kubelet does), an emptyDir as
// a tmpfs, and the config volume from CONFIG_DIR (the test writes the ConfigMap's and the
// Secret's files there, as the projected volume holds them). Then the image and its args.
// Usage: node podman_args.mjs DAEMONSET_YAML CONFIG_DIR [HOSTPATH=DIR...]: each HOSTPATH
// volume from DIR instead (a test's own kubelet log tree). One argument a line.
import { mkdirSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [file, configDir, ...overrides] = process.argv.slice(2);
const instead = Object.fromEntries(overrides.map((o) => o.split("=")));
const ds = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS())
	.find((o) => o.kind === "DaemonSet");
const pod = ds.spec.template.spec;
const c = pod.containers.find((x) => x.name === "oomwarden");
const sc = c.securityContext;
const out = [];

if (pod.hostPID) out.push("--pid=host");
if (pod.hostNetwork) out.push("--network=host");
if (sc.privileged) out.push("--privileged");
if (sc.readOnlyRootFilesystem) out.push("--read-only");
out.push(`--user=${sc.runAsUser ?? 0}`);
for (const cap of sc.capabilities?.drop ?? []) out.push(`--cap-drop=${cap.toLowerCase()}`);
for (const cap of sc.capabilities?.add ?? []) out.push(`--cap-add=${cap}`);
if (sc.seccompProfile?.type === "Unconfined") out.push("--security-opt=seccomp=unconfined");
if (c.resources?.limits?.memory) out.push(`--memory=${c.resources.limits.memory.replace("Mi", "m")}`);
for (const m of c.volumeMounts) {
	const v = pod.volumes.find((x) => x.name === m.name);
	const ro = m.readOnly ? ":ro" : "";
	if (v.hostPath) {
		const src = instead[v.hostPath.path] ?? v.hostPath.path;
		if (v.hostPath.type === "DirectoryOrCreate") mkdirSync(src, { recursive: true });
		out.push(`--volume=${src}:${m.mountPath}${ro}`);
	} else if (v.emptyDir) {
		out.push(`--tmpfs=${m.mountPath}:size=${(v.emptyDir.sizeLimit ?? "16Mi").replace("Mi", "m")}`);
	} else if (v.projected) {
		out.push(`--volume=${configDir}:${m.mountPath}${ro}`);
	} else {
		throw new Error(`volume ${v.name}: no podman equivalent here`);
	}
}
out.push(c.image, ...c.args);
console.log(out.join("\n"));
