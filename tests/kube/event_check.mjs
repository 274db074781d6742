// The Events the fake API server recorded (tests/kube/apiserver.py), checked field by field as
// the API server would take them: the events.k8s.io/v1 Event schema (kubernetes-models, from
// the Kubernetes OpenAPI) and the rules its validation adds (pkg/apis/core/validation/
// events.go for events.k8s.io/v1 creates: eventTime, reportingController a qualified name,
// reportingInstance, action and reason at most 128 characters, note at most 1 kB, type
// Normal or Warning, the regarding object's namespace the event's own).
// Usage: node event_check.mjs RECORDS [PODS]. Prints one line per request:
//   "NS REASON ACTION POD CONTAINER UID INSTANCE AUTH" or "NS INVALID: why"; exit 1 if any
//   request is invalid. PODS: the requests of pods (a deletion's GET and DELETE): a GET has
//   no body, a DELETE's is a meta/v1 DeleteOptions (its schema) with preconditions.uid, as
//   JSON; each is printed "NS METHOD POD UID AUTH" (UID: the precondition's, or -).
import { existsSync, readFileSync } from "node:fs";
import { DeleteOptions } from "@kubernetes-models/apimachinery/apis/meta/v1/DeleteOptions";
import { Event } from "kubernetes-models/events.k8s.io/v1";

const qualified = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
let bad = 0;
for (const line of readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean)) {
	const rec = JSON.parse(line);
	const ns = rec.path.split("/")[5];
	const why = [];
	let e = {};
	try {
		e = JSON.parse(rec.body);
		new Event(e).validate();
	} catch (err) {
		why.push(err.message.split("\n")[0]);
	}
	if (!e.eventTime || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(e.eventTime))
		why.push(`eventTime '${e.eventTime}' is not a MicroTime`);
	if (!qualified.test(e.reportingController ?? "")) why.push("reportingController");
	for (const k of ["reportingInstance", "action", "reason"])
		if (!e[k] || e[k].length > 128) why.push(`${k} missing or past 128`);
	if (Buffer.byteLength(e.note ?? "") > 1024) why.push("note past 1 kB");
	if (!["Normal", "Warning"].includes(e.type)) why.push(`type ${e.type}`);
	if (e.metadata?.namespace !== ns || e.regarding?.namespace !== ns)
		why.push("namespace differs from the URL's");
	if (!e.metadata?.generateName && !e.metadata?.name) why.push("no name or generateName");
	if (e.regarding?.kind !== "Pod" || e.regarding?.apiVersion !== "v1") why.push("not on a Pod");
	if (rec.content_type !== "application/json") why.push(`content type ${rec.content_type}`);
	if (why.length) {
		bad++;
		console.log(`${ns} INVALID: ${why.join("; ")}`);
		continue;
	}
	const r = e.regarding;
	const ctr = /^spec\.containers\{(.*)\}$/.exec(r.fieldPath ?? "")?.[1] ?? "-";
	console.log([ns, e.reason, e.action, r.name, ctr, r.uid ?? "-", e.reportingInstance,
		rec.auth_ok ? "auth" : "noauth"].join(" "));
}
const pods = process.argv[3] && existsSync(process.argv[3]) ? readFileSync(process.argv[3], "utf8") : "";
for (const line of pods.split("\n").filter(Boolean)) {
	const rec = JSON.parse(line);
	const [, , , , ns, kind, name] = rec.path.split("/");
	const why = [];
	let uid = "-";
	if (kind !== "pods" || !name) why.push(`not a pod's URL: ${rec.path}`);
	if (rec.method === "GET" && rec.body) why.push("a GET with a body");
	if (rec.method === "DELETE") {
		try {
			const o = JSON.parse(rec.body);
			new DeleteOptions(o).validate();
			uid = o.preconditions?.uid ?? "-";
			if (uid === "-") why.push("no preconditions.uid");
			if (o.kind !== "DeleteOptions" || o.apiVersion !== "v1") why.push("not a v1 DeleteOptions");
		} catch (err) {
			why.push(err.message.split("\n")[0]);
		}
		if (rec.content_type !== "application/json") why.push(`content type ${rec.content_type}`);
	} else if (rec.method !== "GET") {
		why.push(`method ${rec.method}`);
	}
	if (why.length) {
		bad++;
		console.log(`${ns} INVALID: ${why.join("; ")}`);
		continue;
	}
	console.log([ns, rec.method, name, uid, rec.auth_ok ? "auth" : "noauth"].join(" "));
}
process.exit(bad ? 1 : 0);
