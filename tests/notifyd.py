"""A stand-in for systemd's notify socket, for the service end-to-end test.

usage: /usr/bin/python3 tests/notifyd.py SOCKET LOG

Binds a unix datagram socket at SOCKET (as $NOTIFY_SOCKET names it) and
appends each datagram to LOG as one line, its newlines written as " | ",
flushed at once so that the test can read it while the worker runs.
Runs until killed.
"""
import os
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path + ".tmp")
# Only once bound under its final name may the test start the worker.
os.rename(path + ".tmp", path)
with open(log, "a", encoding="utf-8") as f:
    while True:
        data = s.recv(65536)
        f.write(data.decode("utf-8", "replace").strip("\n").replace("\n", " | ") + "\n")
        f.flush()
