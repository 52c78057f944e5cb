"""A small SMTP server for the end-to-end tests (Debian's aiosmtpd).

usage: /usr/bin/python3 tests/smtpd.py PORT DIR
           [accept|refuse|slow|stallquit|tls CERT KEY]

Each accepted message becomes DIR/N.eml (the data as received) and DIR/N.env
(MAIL FROM, then one RCPT TO per line), written via a temporary name so that
a reader never sees half a file.  "refuse" answers every RCPT TO with 550.
"slow" answers each DATA 0.05 s late, after the message is written (a batch
takes a while).  "stallquit" never answers QUIT.  "tls" offers STARTTLS with
CERT and KEY, requires it, and requires AUTH
(PLAIN or LOGIN) as user "plc" with password "s3cret pw"; DIR/auth.log
records each attempt.  DIR/sessions.log gets one line per EHLO or HELO (a
session; libcurl greets once per connection).  DIR/ready appears once the server listens.  Runs
until killed.
"""
import asyncio
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Handler:
    def __init__(self, outdir, mode):
        self.outdir = outdir
        self.refuse = mode == "refuse"
        self.slow = mode == "slow"
        self.stallquit = mode == "stallquit"
        self.count = 0

    def session(self, hostname):
        with open(os.path.join(self.outdir, "sessions.log"), "a") as f:
            f.write("%s\n" % hostname)

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        self.session(hostname)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        self.session(hostname)
        session.host_name = hostname
        return "250 %s" % server.hostname

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
        if self.slow:
            await asyncio.sleep(0.05)
        return "250 2.0.0 Ok: queued as plc%d" % self.count

    async def handle_QUIT(self, server, session, envelope):
        if self.stallquit:
            await asyncio.sleep(3600)
        return "221 Bye"


def authenticator(outdir):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == b"plc" and auth_data.password == b"s3cret pw")
        with open(os.path.join(outdir, "auth.log"), "a") as f:
            f.write("%s %s %s\n" % (mechanism, auth_data.login.decode(),
                                    "ok" if ok else "refused"))
        # handled=False: aiosmtpd answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False)
    return check


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "accept"
    extra = {}
    if mode == "tls":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        extra = dict(tls_context=ctx, require_starttls=True,
                     authenticator=authenticator(outdir),
                     auth_required=True, auth_require_tls=True)
    ctl = Controller(Handler(outdir, mode), hostname="127.0.0.1", port=port,
                     **extra)
    ctl.start()
    open(os.path.join(outdir, "ready"), "w").close()
    signal.signal(signal.SIGTERM, lambda *a: (ctl.stop(), sys.exit(0)))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
