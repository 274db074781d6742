#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Loopback webhook receiver for tests/alert/alert_test.c.

Usage: receiver.py RECORDS [CERT KEY]

Listens on 127.0.0.1 (an ephemeral port, printed on stdout as "PORT N"), records every request
as one JSON line in RECORDS (written before the answer, so a hung request is recorded too),
and answers by the first path segment:

  /ok/NAME                    200
  /fail/NAME                  500, always
  /bad/NAME                   400 (not worth a retry)
  /flaky/NAME/K               500 for the first K requests to this path, then 200
  /ratelimit/NAME/K/SECS      429 with "Retry-After: SECS" for the first K, then 200
  /hang/NAME                  no answer for 60 s (the client times out first)

With CERT and KEY (PEM files) it speaks HTTPS only. A failed TLS handshake (a client that
does not trust the certificate aborts it) is recorded as {"path": "!tls", "error": ...}.
"""
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORDS = sys.argv[1]
lock = threading.Lock()
seen = {}


def write_record(rec):
    with lock:
        with open(RECORDS, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the test prints what matters
        pass

    def setup(self):
        # The handshake runs here, in the request's thread: in accept() a client that never
        # finishes it would hold up every other one.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError) as e:
                write_record({"t": time.monotonic(), "path": "!tls", "error": str(e)})
                raise
            self.request.settimeout(None)
        super().setup()

    def record(self, body, status):
        rec = {
            "t": time.monotonic(),
            "path": self.path,
            "status": status,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "tls": isinstance(self.request, ssl.SSLSocket),
        }
        write_record(rec)

    def answer(self, status, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = self.path.split("?")[0].strip("/").split("/")
        kind = parts[0]
        with lock:
            n = seen.get(self.path, 0)
            seen[self.path] = n + 1
        status, headers = 200, ()
        if kind == "fail":
            status = 500
        elif kind == "bad":
            status = 400
        elif kind == "flaky" and n < int(parts[2]):
            status = 500
        elif kind == "ratelimit" and n < int(parts[2]):
            status, headers = 429, (("Retry-After", parts[3]),)
        elif kind == "hang":
            self.record(body, 0)
            time.sleep(60)
            return
        self.record(body, status)
        self.answer(status, headers)


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    # A client that timed out and hung up is what the tests expect: no tracebacks.
    srv.handle_error = lambda request, address: None
    if len(sys.argv) == 4:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    print("PORT", srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
