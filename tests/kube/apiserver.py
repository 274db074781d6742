#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A loopback HTTPS server playing the Kubernetes API server for the Events oomwarden posts.

Usage: apiserver.py RECORDS CERT KEY TOKEN_FILE

Listens on 127.0.0.1 (an ephemeral port, printed as "PORT N"), TLS with CERT and KEY. Every
request is recorded as one JSON line in RECORDS (before the answer): method, path, whether its
bearer token was the one in TOKEN_FILE (read at each request, as the kubelet rotates it),
content type, body. Answers, as the API server would:

  no or wrong token                                   401 Status (Unauthorized)
  POST /apis/events.k8s.io/v1/namespaces/NS/events    by NS:
      forbidden   403 Status (RBAC: events is forbidden)
      throttled   429 Status with Retry-After: 1 for the first request, then 201
      hang        no answer for 60 s
      any other   201 with the Event, a name and a uid given
  anything else                                       404 Status
"""
import json
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORDS, CERT, KEY, TOKEN_FILE = sys.argv[1:5]
lock = threading.Lock()
throttled = set()
PREFIX = "/apis/events.k8s.io/v1/namespaces/"


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

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with open(TOKEN_FILE) as f:
            token = f.read().strip()
        auth_ok = self.headers.get("Authorization", "") == "Bearer " + token
        rec = {"method": "POST", "path": self.path, "auth_ok": auth_ok,
               "content_type": self.headers.get("Content-Type", ""),
               "user_agent": self.headers.get("User-Agent", ""), "time": time.time(),
               "body": body}
        with lock, open(RECORDS, "a") as f:
            f.write(json.dumps(rec) + "\n")
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
        if ns == "hang":
            time.sleep(60)
            return
        event = json.loads(body)
        meta = event.setdefault("metadata", {})
        meta["name"] = meta.get("generateName", "event.") + uuid.uuid4().hex[:5]
        meta["uid"] = str(uuid.uuid4())
        meta["resourceVersion"] = "1"
        self.answer(201, event)

    do_GET = do_PUT = do_DELETE = do_PATCH = lambda self: self.answer(
        404, status(404, "NotFound", "the server could not find it"))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
