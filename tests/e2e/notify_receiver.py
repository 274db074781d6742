#!/usr/bin/env python3
"""Stand-in for systemd's notification socket, for tests/e2e/sdnotify.sh.

Usage: notify_receiver.py SOCKET OUTFILE
SOCKET is a path, or @NAME for the abstract namespace (as in $NOTIFY_SOCKET). Each datagram
is appended to OUTFILE as one line: CLOCK_MONOTONIC seconds, a space, and the message with its
newlines shown as '|'. Prints LISTENING once bound; runs until SIGTERM.
"""
import signal
import socket
import sys
import time


def main():
    name, out = sys.argv[1], sys.argv[2]
    addr = "\0" + name[1:] if name.startswith("@") else name
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(addr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("LISTENING", flush=True)
    with open(out, "a", buffering=1) as f:
        while True:
            msg = sock.recv(4096).decode("utf-8", "replace")
            f.write("%.6f %s\n" % (time.monotonic(), msg.replace("\n", "|")))


if __name__ == "__main__":
    main()
