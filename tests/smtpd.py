"""A small SMTP server for the end-to-end tests (Debian's aiosmtpd).

usage: /usr/bin/python3 tests/smtpd.py PORT DIR [accept|refuse]

Each accepted message becomes DIR/N.eml (the data as received) and DIR/N.env
(MAIL FROM, then one RCPT TO per line), written via a temporary name so that
a reader never sees half a file.  "refuse" answers every RCPT TO with 550.
DIR/ready appears once the server listens.  Runs until killed.
"""
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, outdir, refuse):
        self.outdir = outdir
        self.refuse = refuse
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refuse:
            return "550 5.1.1 <%s>: recipient refused by policy" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, str(self.count))
        for ext, data in ((".env", ("%s\n%s\n" % (envelope.mail_from,
                           "\n".join(envelope.rcpt_tos))).encode()),
                          (".eml", envelope.original_content)):
            with open(base + ext + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + ext + ".tmp", base + ext)
        return "250 2.0.0 Ok: queued as plc%d" % self.count


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    refuse = len(sys.argv) > 3 and sys.argv[3] == "refuse"
    ctl = Controller(Handler(outdir, refuse), hostname="127.0.0.1", port=port)
    ctl.start()
    open(os.path.join(outdir, "ready"), "w").close()
    signal.signal(signal.SIGTERM, lambda *a: (ctl.stop(), sys.exit(0)))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
