#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A loopback HTTPS server playing the Kubernetes API server for the Events oomwarden posts.

Usage: apiserver.py RECORDS CERT KEY TOKEN_FILE [PODS]

Listens on 127.0.0.1 (an ephemeral port, printed as "PORT N"), TLS with CERT and KEY. Every
request is recorded as one JSON line in RECORDS (before the answer): method, path, whether its
bearer token was the one in TOKEN_FILE (read at each request, as the kubelet rotates it),
content type, body. Answers, as the API server would:

  no or wrong token                                   401 Status (Unauthorized)
  POST /apis/events.k8s.io/v1/namespaces/NS/events    by NS:
      forbidden   403 Status (RBAC: events is forbidden)
      throttled   429 Status with Retry-After: 1 for the first request, then 201
      any other   201 with the Event, a name and a uid given (a hung receiver of alerts is
                  tests/e2e/alerts.sh's; here a hung API server is one that does not answer
                  a pod's GET, which the kill path waits on, boundedly)
  GET /api/v1/namespaces/NS/pods/NAME                 by NS, then by PODS/NS/NAME:
      forbidden   403 Status (RBAC: pods is forbidden)
      hang        no answer for 60 s
      any other   the Pod whose uid is in PODS/NS/NAME/uid (404 without it), owned by a
                  ReplicaSet unless PODS/NS/NAME/bare exists, terminationGracePeriodSeconds 20
  DELETE of that URL    200 with the Pod, deletionTimestamp set, when the body's DeleteOptions
                        carry preconditions.uid equal to the pod's (else 409 Conflict); then,
                        as the kubelet would, 0.3 s later, SIGTERM to every process listed in
                        the cgroup.procs file PODS/NS/NAME/procs names
  anything else                                       404 Status

Requests of pods are recorded in RECORDS.pods (the same fields), apart from the Events.
"""
import json
import os
import signal
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORDS, CERT, KEY, TOKEN_FILE = sys.argv[1:5]
PODS = sys.argv[5] if len(sys.argv) > 5 else None
lock = threading.Lock()
throttled = set()
PREFIX = "/apis/events.k8s.io/v1/namespaces/"
POD_PREFIX = "/api/v1/namespaces/"


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def record(self, records):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with open(TOKEN_FILE) as f:
            token = f.read().strip()
        auth_ok = self.headers.get("Authorization", "") == "Bearer " + token
        rec = {"method": self.command, "path": self.path, "auth_ok": auth_ok,
               "content_type": self.headers.get("Content-Type", ""),
               "user_agent": self.headers.get("User-Agent", ""), "time": time.time(),
               "body": body}
        with lock, open(records, "a") as f:
            f.write(json.dumps(rec) + "\n")
        return body, auth_ok

    def do_POST(self):
        body, auth_ok = self.record(RECORDS)
        if not auth_ok:
            return self.answer(401, status(401, "Unauthorized", "Unauthorized"))
        if not (self.path.startswith(PREFIX) and self.path.endswith("/events")):
            return self.answer(404, status(404, "NotFound", "the server could not find it"))
        ns = self.path[len(PREFIX):-len("/events")]
        if ns == "forbidden":
            return self.answer(403, status(403, "Forbidden", 'events.events.k8s.io is '
                                           'forbidden: User "system:serviceaccount:oomwarden:'
                                           'oomwarden" cannot create resource "events"'))
        if ns == "throttled" and ns not in throttled:
            throttled.add(ns)
            return self.answer(429, status(429, "TooManyRequests", "too many requests"),
                               [("Retry-After", "1")])
        event = json.loads(body)
        meta = event.setdefault("metadata", {})
        meta["name"] = meta.get("generateName", "event.") + uuid.uuid4().hex[:5]
        meta["uid"] = str(uuid.uuid4())
        meta["resourceVersion"] = "1"
        self.answer(201, event)

    def pod(self):
        """The request's (ns, name, dir of the pod's files), or None."""
        parts = self.path.split("/")
        if (not self.path.startswith(POD_PREFIX) or len(parts) != 7 or parts[5] != "pods"
                or not PODS):
            return None
        return parts[4], parts[6], os.path.join(PODS, parts[4], parts[6])

    def pod_object(self, ns, name, d, uid):
        meta = {"name": name, "namespace": ns, "uid": uid, "resourceVersion": "7"}
        if not os.path.exists(os.path.join(d, "bare")):
            meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                        "name": name.rsplit("-", 1)[0], "uid": str(uuid.uuid4()),
                                        "controller": True, "blockOwnerDeletion": True}]
        return {"kind": "Pod", "apiVersion": "v1", "metadata": meta,
                "spec": {"terminationGracePeriodSeconds": 20, "containers": []},
                "status": {"phase": "Running"}}

    def pod_request(self, delete):
        body, auth_ok = self.record(RECORDS + ".pods")
        where = self.pod()
        if not auth_ok:
            return self.answer(401, status(401, "Unauthorized", "Unauthorized"))
        if not where:
            return self.answer(404, status(404, "NotFound", "the server could not find it"))
        ns, name, d = where
        if ns == "forbidden":
            return self.answer(403, status(403, "Forbidden", 'pods "%s" is forbidden: User '
                                           '"system:serviceaccount:oomwarden:oomwarden" cannot '
                                           '%s resource "pods"' % (name, self.command.lower())))
        if ns == "hang":
            time.sleep(60)
            return
        try:
            with open(os.path.join(d, "uid")) as f:
                uid = f.read().strip()
        except OSError:
            return self.answer(404, status(404, "NotFound", 'pods "%s" not found' % name))
        pod = self.pod_object(ns, name, d, uid)
        if not delete:
            return self.answer(200, pod)
        try:
            pre = json.loads(body).get("preconditions", {}).get("uid")
        except ValueError:
            pre = None
        if pre != uid:
            return self.answer(409, status(409, "Conflict", "Precondition failed: UID in "
                                           "precondition: %s, UID in object meta: %s" %
                                           (pre, uid)))
        pod["metadata"]["deletionTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                             time.gmtime())
        pod["metadata"]["deletionGracePeriodSeconds"] = 20
        self.answer(200, pod)
        threading.Timer(0.3, kubelet_stop, [d]).start()

    def do_GET(self):
        self.pod_request(False)

    def do_DELETE(self):
        self.pod_request(True)

    do_PUT = do_PATCH = lambda self: self.answer(
        404, status(404, "NotFound", "the server could not find it"))


def kubelet_stop(d):
    """What the kubelet does with a deleted pod's containers: SIGTERM, the grace is theirs."""
    try:
        with open(os.path.join(d, "procs")) as f:
            procs = f.read().strip()
        with open(procs) as f:
            pids = [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
