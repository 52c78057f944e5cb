"""An HTTP receiver for the webhook end-to-end tests.

usage: /usr/bin/python3 tests/receiver.py DIR

Listens on 127.0.0.1 on a free port, written to DIR/port once listening.
Each POST is stored as DIR/N.json (the body) with DIR/N.path (the path),
and answered by the first segment of its path: /ok 200, /teams 202, /busy 429 with
Retry-After: 120, /down 503 with Retry-After as an HTTP date 300 s ahead,
/bad 400, /slow 200 after 0.2 s, /flaky 500 the first time it sees a body
and 200 after, /hang nothing for a minute (each arrival is DIR/N.hang, and
no .json is written), /stall 200 with its headers and then nothing of the
promised body for a minute, /limit/S 429 with Retry-After: S the first
time and 200 after, /switch 200, or while DIR/down exists the status it
holds (e.g. 500, 404); anything else 404.  Each stored POST also has
DIR/N.time, when it arrived (Unix time, seconds with a fraction).  Requests are served concurrently.
Runs until killed.
"""
import email.utils
import hashlib
import http.server
import os
import sys
import threading
import time

OUT = sys.argv[1]
count = 0
lock = threading.Lock()
seen = set()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        first = self.path.split("?")[0].split("/")[1]
        if first == "hang":
            with lock:
                count += 1
                me = count
            open(os.path.join(OUT, "%d.hang" % me), "w").close()
            time.sleep(60)
            return
        if first == "slow":
            time.sleep(0.2)
        with lock:
            count += 1
            me = count
            arrived = "%.3f" % time.time()
            limited = first == "limit" and "limit" not in seen
            seen.add("limit" if first == "limit" else "")
            digest = hashlib.sha256(body).hexdigest()
            again = digest in seen
            seen.add(digest)
        for ext, data in (("json", body), ("path", self.path.encode()),
                          ("time", arrived.encode()),
                          ("type", self.headers.get("Content-Type", "").encode())):
            tmp = os.path.join(OUT, ".%d.%s" % (me, ext))
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(OUT, "%d.%s" % (me, ext)))
        if first == "stall":
            self.send_response(200)
            self.send_header("Content-Length", "64")
            self.end_headers()
            self.wfile.flush()
            time.sleep(60)
            return
        if first == "flaky":
            first = "ok" if again else "fail"
        if first == "limit":
            wait = self.path.split("?")[0].split("/")[2]
            code, headers = (429, {"Retry-After": wait}) if limited else (200, {})
        elif first == "switch":
            try:
                with open(os.path.join(OUT, "down")) as f:
                    code, headers = int(f.read().strip()), {}
            except FileNotFoundError:
                code, headers = 200, {}
        else:
            code, headers = {
            "/ok": (200, {}),
            "/teams": (202, {}),
            "/busy": (429, {"Retry-After": "120"}),
            "/down": (503, {"Retry-After": email.utils.formatdate(
                time.time() + 300, usegmt=True)}),
            "/bad": (400, {}),
            "/slow": (200, {}),
            "/fail": (500, {}),
            }.get("/" + first, (404, {}))
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        reply = b"ok" if code < 300 else b"invalid_payload\r\nX-Injected: 1"
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    # socketserver's backlog of 5 drops SYNs when 64 posts arrive at once,
    # and the retransmits can outlast a client's connect timeout.
    request_queue_size = 256
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(os.path.join(OUT, ".port"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(OUT, ".port"), os.path.join(OUT, "port"))
srv.serve_forever()
