// make deploy-check: deploy/kubernetes checked without a cluster (none runs here).
// 1. Every object of the kustomization against the Kubernetes OpenAPI schema, as the npm
//    package kubernetes-models compiles it (types, required fields, enums, formats; like an
//    API server without strict field validation, it does not reject unknown fields).
// 2. What the schema cannot say: the DaemonSet runs the agent as the systemd unit does (the
//    same capabilities, never privileged), on every node (tolerates every taint), with
//    resources and a liveness probe on the loopback metrics endpoint that --metrics-listen
//    names; its config directory holds the ConfigMap's file and the Secret's drop-in; the
//    Service's port exists; the ConfigMap's and the Secret's files are read by the real
//    daemon (`oomwarden status --config FILE`: it exits 2 on a bad setting).
// Usage: node k8s_check.mjs REPO_ROOT OOMWARDEN_BINARY. One line per problem; exit 1 if any.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const [root, daemon] = process.argv.slice(2);
const dir = join(root, "deploy/kubernetes");
const problems = [];
const bad = (what) => problems.push(what);

const kust = parseAllDocuments(readFileSync(join(dir, "kustomization.yaml"), "utf8"))[0].toJS();
if (kust.kind !== "Kustomization") bad("kustomization.yaml: kind is not Kustomization");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
for (const f of files) if (!kust.resources.includes(f)) bad(`${f} is not in kustomization.yaml`);

const objects = [];
for (const f of kust.resources) {
	for (const doc of parseAllDocuments(readFileSync(join(dir, f), "utf8"))) {
		if (doc.errors.length) bad(`${f}: ${doc.errors[0].message}`);
		else objects.push({ file: f, obj: doc.toJS() });
	}
}

// 1. the schema
for (const { file, obj } of objects) {
	const group = obj.apiVersion.includes("/") ? obj.apiVersion : `v1`;
	const mod = await import(`kubernetes-models/${group === "v1" ? "v1" : group}`);
	const Kind = mod[obj.kind];
	if (!Kind) {
		bad(`${file}: ${obj.apiVersion} ${obj.kind} is not a Kubernetes kind`);
		continue;
	}
	try {
		new Kind(obj).validate();
	} catch (e) {
		bad(`${file}: ${obj.kind} ${obj.metadata?.name}: ${e.message.split("\n")[0]}`);
	}
}

const find = (kind) => objects.find((o) => o.obj.kind === kind)?.obj;
const ds = find("DaemonSet"), cm = find("ConfigMap"), secret = find("Secret"), svc = find("Service");

// 2. what the schema cannot say
const unit = readFileSync(join(root, "etc/oomwarden.service.in"), "utf8");
const unitCaps = [...unit.matchAll(/^CapabilityBoundingSet=(.*)$/gm)]
	.flatMap((m) => m[1].trim().split(/\s+/)).map((c) => c.replace(/^CAP_/, "")).sort();
const pod = ds.spec.template.spec;
const agent = pod.containers.find((c) => c.name === "oomwarden");
if (!pod.hostPID) bad("DaemonSet: no hostPID (the agent must see the node's processes)");
if (!pod.tolerations?.some((t) => t.operator === "Exists" && !t.key && !t.effect))
	bad("DaemonSet: does not tolerate every taint");
for (const c of pod.containers) {
	if (c.securityContext?.privileged) bad(`DaemonSet: container ${c.name} is privileged`);
	if (!c.resources?.requests || !c.resources?.limits?.memory)
		bad(`DaemonSet: container ${c.name} has no requests or memory limit`);
}
const caps = [...(agent.securityContext.capabilities.add ?? [])].sort();
if (JSON.stringify(caps) !== JSON.stringify(unitCaps))
	bad(`DaemonSet: capabilities ${caps} are not the systemd unit's ${unitCaps}`);
if (!agent.securityContext.capabilities.drop?.includes("ALL")) bad("DaemonSet: does not drop ALL");
const arg = (name) => agent.args[agent.args.indexOf(name) + 1];
const listen = arg("--metrics-listen") ?? "";
const probe = agent.livenessProbe?.httpGet;
if (!probe || `${probe.host}:${probe.port}` !== listen || probe.path !== "/metrics")
	bad(`DaemonSet: the liveness probe does not GET /metrics on --metrics-listen ${listen}`);
if (!listen.startsWith("127.")) bad(`DaemonSet: --metrics-listen ${listen} is not loopback`);
const image = kust.images?.[0];
if (!image || !agent.image.startsWith(`${image.name}:`))
	bad(`DaemonSet: image ${agent.image} is not the kustomization's ${image?.name}`);
const config = arg("--config");
const cfgMount = agent.volumeMounts.find((m) => config.startsWith(`${m.mountPath}/`));
const cfgVol = pod.volumes.find((v) => v.name === cfgMount?.name)?.projected?.sources ?? [];
const rel = config.slice((cfgMount?.mountPath ?? "").length + 1);
const paths = cfgVol.flatMap((s) => (s.configMap ?? s.secret)?.items?.map((i) => i.path) ?? []);
if (!paths.includes(rel) || !paths.some((p) => p.startsWith(`${rel}.d/`) && p.endsWith(".conf")))
	bad(`DaemonSet: ${config} and its ${rel}.d/*.conf drop-in are not in its config volume`);
const ports = pod.containers.flatMap((c) => c.ports ?? []).map((p) => p.name);
for (const p of svc.spec.ports)
	if (!ports.includes(p.targetPort)) bad(`Service: targetPort ${p.targetPort} is no container's`);

// kube_api in the ConfigMap: the DaemonSet's service account may create Events.
if (/^\s*kube_api\s*=\s*\S/m.test(cm.data["oomwarden.conf"])) {
	const sa = pod.serviceAccountName;
	const roles = objects.filter((o) => o.obj.kind === "ClusterRoleBinding" &&
		o.obj.subjects?.some((s) => s.kind === "ServiceAccount" && s.name === sa))
		.map((o) => o.obj.roleRef.name);
	const ok = objects.some((o) => o.obj.kind === "ClusterRole" && roles.includes(o.obj.metadata.name) &&
		o.obj.rules.some((r) => r.apiGroups?.includes("events.k8s.io") &&
			r.resources?.includes("events") && r.verbs?.includes("create")));
	if (!ok) bad(`RBAC: service account ${sa} may not create events.k8s.io events (kube_api)`);
	// kube_delete_pod (on unless the file says off): get and delete on core pods.
	const del = objects.some((o) => o.obj.kind === "ClusterRole" && roles.includes(o.obj.metadata.name) &&
		o.obj.rules.some((r) => r.apiGroups?.includes("") && r.resources?.includes("pods") &&
			r.verbs?.includes("get") && r.verbs?.includes("delete")));
	if (!del && !/^\s*kube_delete_pod\s*=\s*off\b/m.test(cm.data["oomwarden.conf"]))
		bad(`RBAC: service account ${sa} may not get and delete pods (kube_delete_pod)`);
	if (pod.automountServiceAccountToken === false) bad("DaemonSet: no service account token");
}

// The real daemon reads the ConfigMap's file, then with the Secret's as its drop-in.
const tmp = mkdtempSync(join(tmpdir(), "oomwarden-k8s-"));
try {
	const conf = join(tmp, "oomwarden.conf");
	writeFileSync(conf, cm.data["oomwarden.conf"]);
	const status = () => execFileSync(daemon, ["status", "--config", conf], { stdio: "pipe" });
	try { status(); } catch (e) { bad(`ConfigMap: ${e.stderr.toString().trim()}`); }
	mkdirSync(`${conf}.d`);
	writeFileSync(`${conf}.d/webhooks.conf`, secret.stringData["webhooks.conf"]);
	try { status(); } catch (e) { bad(`Secret: ${e.stderr.toString().trim()}`); }
} finally {
	rmSync(tmp, { recursive: true, force: true });
}

for (const p of problems) console.log(p);
console.log(`kubernetes: ${objects.length} objects in ${kust.resources.length} files` +
	(problems.length ? `, ${problems.length} problems` : ", valid"));
process.exit(problems.length ? 1 : 0);
