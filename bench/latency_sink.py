"""The SMTP sink of bench/latency.sh: accepts every message on 127.0.0.1
and appends one line per message to LOG: the arrival time (wall clock, s)
and each recipient.  Touches LOG.ready once it listens.
Usage: latency_sink.py PORT LOG"""
import sys
import time

from aiosmtpd.controller import Controller

port, log = int(sys.argv[1]), sys.argv[2]
out = open(log, "a", buffering=1)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        t = time.time()
        for rcpt in envelope.rcpt_tos:
            out.write("%.6f %s\n" % (t, rcpt))
        return "250 OK"


c = Controller(Handler(), hostname="127.0.0.1", port=port)
c.start()
open(log + ".ready", "w").close()
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
