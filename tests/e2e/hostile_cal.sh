# Hostile calendars (issue 15, findings 1, 2, 3, 9, 12): busy calendars
# that once held the worker for ever (FREQ=SECONDLY with a BYMONTHDAY that
# never comes, a VTIMEZONE that repeats every second from 1601, MINUTELY
# with 5,000 EXDATEs, 12,000 VTIMEZONEs, a rule that matches every 28 years
# hourly and so needs the CPU limit), a FIFO as a busy path and as a
# [calendar] source, and busy URLs redirected to 169.254.169.254, to
# another loopback name and through too many hops.  Each source is marked
# failed with its reason, its last good copy kept; the other community's
# feed and reminder go on; `run` keeps answering HTTP during a slow parse
# and stops at once on SIGTERM in the middle of it.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; RUN=""; ND=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; [ -n "$RUN" ] && kill $RUN 2>/dev/null; [ -n "$ND" ] && kill $ND 2>/dev/null; rm -rf "$T"' EXIT
NOW=2026-11-02T15:31
mkdir -p "$T/cal" "$T/www"

hdr() { printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n'; }
ev() {	# ev UID DTSTART RRULE [EXTRA]
	printf 'BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDURATION:PT1H\r\nRRULE:%s\r\n%sEND:VEVENT\r\n' "$1" "$2" "$3" "${4:-}"
}
end() { printf 'END:VCALENDAR\r\n'; }
good() { hdr; ev "g@t" 20261102T190000Z "FREQ=WEEKLY"; end; }

# 1: 221 bytes that held libical inside one call.
{ hdr; ev "s@t" 20260101T000000Z "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"; end; } >"$T/cal/secondly.ics"
# 2: a zone that repeats every second from 1601.
{ hdr; printf 'BEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nRRULE:FREQ=SECONDLY\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n'
  printf 'BEGIN:VEVENT\r\nUID:z@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Evil:20261103T100000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n'; end; } >"$T/cal/vtz.ics"
# 3: MINUTELY with 5,000 EXDATEs; 12,000 VTIMEZONEs, 3,000 of them used.
$PY - "$T/cal" <<'PY'
import sys
d = sys.argv[1]
h = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
ex = ["EXDATE:2026%02d%02dT%02d%02d00Z" % (11, 3 + i // 1440, i // 60 % 24, i % 60) for i in range(5000)]
open(d + "/exdates.ics", "w").write("\r\n".join(h + ["BEGIN:VEVENT", "UID:m@t", "DTSTAMP:20260101T000000Z", "DTSTART:20260101T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY"] + ex + ["END:VEVENT", "END:VCALENDAR"]) + "\r\n")
z = []
for i in range(12000):
    z += ["BEGIN:VTIMEZONE", "TZID:Z%d" % i, "BEGIN:STANDARD", "DTSTART:16011101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "END:STANDARD", "END:VTIMEZONE"]
for i in range(0, 12000, 4):
    z += ["BEGIN:VEVENT", "UID:a%d" % i, "DTSTART;TZID=Z%d:20261103T100000" % i, "END:VEVENT"]
open(d + "/zones.ics", "w").write("\r\n".join(h + z + ["END:VCALENDAR"]) + "\r\n")
PY
# Past the cheap guards: an hourly rule that can match (29 February on a
# Monday, every 28 years), from 1601, so that libical scans centuries of
# hours inside one call.  Only the jail's CPU limit stops it.
slow() { hdr; for i in 1 2 3 4 5 6; do ev "h$i${1:-}@t" 1601010${i}T000000Z "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"; done; end; }
slow >"$T/cal/slow.ics"
good >"$T/cal/fifo.ics"
for f in secondly vtz exdates zones; do good >"$T/cal/$f.good"; done

# The web server: a calendar, and redirects to where a fetch must not go.
cat >"$T/srv.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        port = self.server.server_address[1]
        p = self.path.split("?")[0]
        to = {"/meta": "http://169.254.169.254/latest/meta-data/",
              "/other": "http://localhost:%d/good.ics" % port,
              "/same": "/good.ics",
              "/r1": "/r2", "/r2": "/r3", "/r3": "/r4", "/r4": "/good.ics"}.get(p)
        if to:
            self.send_response(302); self.send_header("Location", to)
            self.send_header("Content-Length", "0"); self.end_headers(); return
        if p == "/good.ics":
            b = open(sys.argv[1], "rb").read()
            self.send_response(200); self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(b))); self.end_headers()
            self.wfile.write(b); return
        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
good >"$T/www/good.ics"
$PY "$T/srv.py" "$T/www/good.ics" "$T/www/port" 2>"$T/srv.log" &
SRV=$!
wait_for 10 test -s "$T/www/port"
WP=$(cat "$T/www/port")
W="http://127.0.0.1:$WP"
HP=$(free_port)

conf() {	# conf BUSY-OF-SLOW
	cat <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
horizon    = 28d
listen     = 127.0.0.1:$HP

[community fixed]
facilitator = alice
members     = alice
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d

[community auto]
facilitator = alice
members     = alice, m1, m2, m3, m4, m5, m6, m7, m8, m9
cadence     = weekly
day         = auto
time        = auto
duration    = 45m
window      = MO-FR 15:00-17:00
start       = 2026-09-01

[member alice]
email = alice@example.edu

[member m1]
email = m1@example.edu
busy  = $T/cal/secondly.ics
[member m2]
email = m2@example.edu
busy  = $T/cal/vtz.ics
[member m3]
email = m3@example.edu
busy  = $T/cal/exdates.ics
[member m4]
email = m4@example.edu
busy  = $T/cal/zones.ics
[member m5]
email = m5@example.edu
busy  = $1
[member m6]
email = m6@example.edu
busy  = $T/cal/fifo.ics
[member m7]
email = m7@example.edu
busy  = $W/meta?key=SECRET
[member m8]
email = m8@example.edu
busy  = $W/other, $W/same
[member m9]
email = m9@example.edu
busy  = $W/r1
EOF
}
P() { "$PLC" -c "$T/plc.ini" "$@"; }

# A first cycle with good copies of what will turn hostile: kept copies.
for f in secondly vtz exdates zones; do mv "$T/cal/$f.ics" "$T/cal/$f.bad"; cp "$T/cal/$f.good" "$T/cal/$f.ics"; done
conf "$T/cal/fifo.ics" >"$T/plc.ini"
expect_status "a first run --once with good calendars" 0 P run --once --now 2026-10-26T08:00
for f in secondly vtz exdates zones; do mv "$T/cal/$f.bad" "$T/cal/$f.ics"; done
rm "$T/cal/fifo.ics"; mkfifo "$T/cal/fifo.ics"
conf "$T/cal/slow.ics" >"$T/plc.ini"
rm -rf "$T/state/feeds" "$T/state/mail"

# run --once must end (it once ran for ever), each bad source marked failed.
timeout 300 "$PLC" -c "$T/plc.ini" run --once --now $NOW >"$T/once.out" 2>"$T/once.err"
st=$?
expect "run --once with hostile calendars ends, exit 0 (got $st)" test "$st" = 0
reason() {	# reason DESC SOURCE TEXT
	if grep -F -- "busy source $2: " "$T/once.err" | grep -qF -- "$3"; then ok "$1"
	else not_ok "$1 (no '$2: … $3')"; grep -F "busy source" "$T/once.err" | sed 's/^/#   /'; fi
}
reason "SECONDLY;BYMONTH=2;BYMONTHDAY=30 is refused" "$T/cal/secondly.ics" "parse error: an event repeats FREQ=SECONDLY"
reason "a VTIMEZONE repeating SECONDLY from 1601 is refused" "$T/cal/vtz.ics" "parse error: a VTIMEZONE observance repeats FREQ=SECONDLY"
reason "MINUTELY with 5,000 EXDATEs is refused" "$T/cal/exdates.ics" "FREQ=MINUTELY"
reason "12,000 VTIMEZONEs are refused" "$T/cal/zones.ics" "too many VTIMEZONEs (12000"
reason "a slow rule past the guards hits the CPU limit" "$T/cal/slow.ics" "cpu limit"
reason "a FIFO busy path is refused without blocking" "$T/cal/fifo.ics" "not a regular file"
reason "a redirect to 169.254.169.254 is refused before connecting" "http://127.0.0.1:$WP/…" "redirected to an internal address (169.254.169.254); refused before connecting"
expect "a redirect to another loopback name (localhost) is refused" grep -q "member m8: busy source http://127.0.0.1:$WP/…: redirected to an internal address (" "$T/once.err"
reason "more than 3 redirects are refused" "http://127.0.0.1:$WP/…" "more than 3 redirects"
expect "a redirect on the configured host is followed" test "$(grep -c 'busy source http' "$T/once.err")" = 3
reason "a source with a copy keeps it" "$T/cal/secondly.ics" "using the last good copy"
expect "the secret in the URL is not logged" sh -c "! grep -q SECRET '$T/once.err'"
expect "both communities' feeds are written" test "$(ls "$T/state/feeds" | grep -c '\.ics$')" -ge 12
expect "the other community's reminder went out" sh -c "grep -l 'alice@example.edu' '$T/state/mail/new/'* | xargs grep -l 'Subject:' | grep -q ."
expect_status "check after it" 0 P check --now $NOW
contains "check shows the CPU limit" "$T/out" "m5 $T/cal/slow.ics: FAILING: cpu limit"
contains "check shows the FIFO's failure" "$T/out" "m6 $T/cal/fifo.ics: FAILING: not a regular file"
contains "... with its last good copy" "$T/out" "last good copy from"

# A FIFO as a [calendar] source: a config error at check, not a hang.
conf "$T/cal/secondly.ics" >"$T/plc.ini"
printf '\n[calendar district]\nsource = %s\n' "$T/cal/fifo.ics" >>"$T/plc.ini"
timeout 60 "$PLC" -c "$T/plc.ini" check --now $NOW >"$T/out" 2>"$T/err"; st=$?
expect "check with a FIFO as [calendar] source exits 78 (got $st)" test "$st" = 78
contains "... naming file:line and the path" "$T/err" "plc.ini:$(grep -n '^source = ' "$T/plc.ini" | cut -d: -f1): [calendar district] source: $T/cal/fifo.ics: not a regular file"
# A hostile holiday calendar is parsed in the jail too: a warning, on time.
cp "$T/cal/vtz.ics" "$T/cal/hol.ics"
conf "$T/cal/secondly.ics" >"$T/plc.ini"
printf '\n[calendar district]\nsource = %s\n' "$T/cal/hol.ics" >>"$T/plc.ini"
timeout 60 "$PLC" -c "$T/plc.ini" check --now $NOW >"$T/out" 2>"$T/err"; st=$?
expect "check with a hostile [calendar] source exits 0 (got $st)" test "$st" = 0
contains "... and warns with the reason" "$T/err" "parse error: a VTIMEZONE observance repeats FREQ=SECONDLY"

# run: HTTP answers while a slow calendar is parsed; SIGTERM ends it at once.
conf "$T/cal/slow2.ics" >"$T/plc.ini"
good >"$T/cal/slow2.ics"
start_notify
# systemd's watchdog every 2 s: the worker pings every second or so.
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=2000000 "$PLC" -c "$T/plc.ini" run --now $NOW >"$T/run.out" 2>"$T/run.err" &
RUN=$!
expect "run answers /healthz" wait_for 120 curl -sf -o /dev/null "http://127.0.0.1:$HP/healthz"
healthz() { curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/healthz"; }
# Measured, not asserted: each critical input until its source is failed,
# and whether /healthz answered meanwhile.
measure() {	# measure NAME FILE TEXT
	cp "$2" "$T/cal/slow2.ics"
	n0=$(grep -c "slow2.ics: $3" "$T/run.err")
	t0=$(date +%s%N); kill -HUP $RUN; served=0; tries=0
	while [ "$(grep -c "slow2.ics: $3" "$T/run.err")" = "$n0" ] && [ $tries -lt 1200 ]; do
		[ "$(healthz)" = 200 ] && served=$((served + 1))
		tries=$((tries + 1)); sleep 0.1
	done
	t1=$(date +%s%N)
	echo "# measured: $1 marked failed after $(( (t1 - t0) / 1000000 )) ms; /healthz answered $served of $tries polls meanwhile"
}
measure "SECONDLY;BYMONTH=2;BYMONTHDAY=30" "$T/cal/secondly.ics" "parse error"
measure "VTIMEZONE SECONDLY from 1601" "$T/cal/vtz.ics" "parse error"
dogs() { grep -c '^WATCHDOG=1$' "$T/notify.log"; }
d0=$(dogs)
measure "hourly 29 Feb Mondays from 1601 (CPU limit)" "$T/cal/slow.ics" "cpu limit"
d1=$(dogs)
# The loop alone pings once a cycle: the pings during a cycle that spent
# 10 CPU seconds in the jail come from the wait on the child.
expect "the watchdog was fed while the child parsed ($((d1 - d0)) pings)" test $((d1 - d0)) -ge 4
curl -s "http://127.0.0.1:$HP/healthz" >"$T/healthz"
contains "/healthz names the failed source and its reason" "$T/healthz" "cpu limit"
# Now a fresh slow calendar (new bytes), and SIGTERM while it is parsed.
slow x >"$T/cal/slow2.ics"
kill -HUP $RUN
expect "the slow calendar is being parsed in a child" wait_for 60 sh -c "pgrep -P $RUN >/dev/null"
expect "/healthz answers during the parse" test "$(healthz)" = 200
n=$(grep -c "slow2.ics: cpu limit" "$T/run.err")
t0=$(date +%s%N)
kill -TERM $RUN
wait_for 30 gone $RUN
t1=$(date +%s%N)
wait $RUN; st=$?; RUN=""
echo "# measured: stopped $(( (t1 - t0) / 1000000 )) ms after SIGTERM, in the middle of a parse"
expect "SIGTERM during the parse: exit 0 (got $st)" test "$st" = 0
expect "the parse was cut short, not run to its CPU limit" test "$(grep -c "slow2.ics: cpu limit" "$T/run.err")" = "$n"
expect "the source was not marked failed by the stop" sh -c "! grep -q 'slow2.ics: stopped' '$T/run.err'"
noleft() { ! ps -eo args | grep -q "[p]lc-cadence -c $T/plc.ini run"; }
expect "no child is left behind" noleft
