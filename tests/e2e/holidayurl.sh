# A [calendar] source given as a URL is fetched (it was accepted with a
# warning and never read): its all-day dates are skipped in the feed; the
# good copy is kept in the state; when the server goes away, the last good
# copy still skips them, and check and /healthz show the failure.  The
# server is Python's http.server on 127.0.0.1.
# run-alone: beside another script its reload once missed the new day off
# (seen twice in parallel runs, never alone); until that is understood it
# runs by itself, and a failure shows the worker's log (tests/run.sh)
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; pid=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

CHECK="node $TOP/tests/icalcheck.mjs"
mkdir -p "$T/www"
cat >"$T/www/holidays.ics" <<'EOF'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:h1@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261117
DTEND;VALUE=DATE:20261118
SUMMARY:Staff day
END:VEVENT
BEGIN:VEVENT
UID:h2@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261222
DTEND;VALUE=DATE:20270102
SUMMARY:Winter break
END:VEVENT
END:VCALENDAR
EOF
wp=$(free_port)
$PY -m http.server --bind 127.0.0.1 --directory "$T/www" "$wp" \
    >"$T/srv.log" 2>&1 &
SRV=$!
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$wp/holidays.ics"
hp=$(free_port)
cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
public_url = https://plc.example.edu
listen     = 127.0.0.1:$hp

[calendar district]
source = http://127.0.0.1:$wp/holidays.ics

[member alice]
email = alice@example.edu

[community math7]
facilitator = alice
members     = alice
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
until       = 2027-01-31
skip        = district
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
feed() {
	P urls --json 2>/dev/null | node -e '
		const u = JSON.parse(require("fs").readFileSync(0, "utf8"));
		console.log(u.find((e) => e.id === "math7").file);'
}
dates() {	# the meetings ical.js expands from the feed, one date a line
	$CHECK "$(feed)" 2026-11-01T00:00:00Z 2027-01-31T00:00:00Z |
	    cut -d'|' -f2 | cut -d' ' -f1 | tr '\n' ' '
}
meetings="2026-11-03 2026-11-10 2026-11-24 2026-12-01 2026-12-08 2026-12-15 2027-01-05 2027-01-12 2027-01-19 2027-01-26 "

expect_status "check accepts the URL without a warning" 0 \
    P check --now 2026-11-01T12:00Z
expect "... no 'not fetched' warning" test "$(grep -c 'not fetched' "$T/err")" = 0
contains "... and says it was not read yet (check does not fetch)" "$T/out" \
    "district http://127.0.0.1:$wp/…: not read yet"
expect_status "run --once exits 0" 0 P run --once --now 2026-11-01T12:00Z
expect "the feed skips the calendar's all-day dates (17 Nov, the winter break)" \
    test "$(dates)" = "$meetings"
expect_status "run --once again (state there: the copy is kept)" 0 \
    P run --once --now 2026-11-01T12:00Z
expect_status "check exits 0" 0 P check --now 2026-11-01T12:00Z
contains "check: the holiday calendar URL read fine" "$T/out" \
    "district http://127.0.0.1:$wp/…: ok"
contains "check: its last good copy" "$T/out" "last good copy from"
expect "the URL's path is not shown" test "$(grep -c holidays.ics "$T/out")" = 0
expect_status "run --once a third time exits 0" 0 \
    P run --once --now 2026-11-01T12:00Z
expect "the server got a conditional request" \
    grep -q '"GET /holidays.ics HTTP/1.1" 304' "$T/srv.log"

kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=""
expect_status "run --once with the server gone exits 0" 0 \
    P run --once --now 2026-11-02T12:00Z
contains "... and warns, naming the line" "$T/err" "plc.ini:8: warning: [calendar district] source http://127.0.0.1:$wp/…: "
contains "... using the last good copy" "$T/err" "using the last good copy"
got=$(dates)
expect "the feed still skips them, from the last good copy" \
    test "$got" = "$meetings"
expect_status "check exits 0" 0 P check --now 2026-11-02T12:00Z
contains "check shows the failure" "$T/out" \
    "district http://127.0.0.1:$wp/…: FAILING"

"$PLC" -c "$T/plc.ini" run >"$T/run.log" 2>&1 &
pid=$!
hz() { curl -sf "http://127.0.0.1:$hp/healthz" >"$T/h.json"; }
expect "/healthz answers" wait_for 30 hz
expect "/healthz lists the failing holiday calendar, with its copy" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = [s for s in d["busy_sources_failing"] if s["source"] == sys.argv[2]]
assert f and f[0]["has_copy"] is True, d' "$T/h.json" "http://127.0.0.1:$wp/…"

# The server is back with one more day off; a reload fetches it.
sed -i 's/^END:VCALENDAR/BEGIN:VEVENT\nUID:h3@test\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20270112\nSUMMARY:PD day\nEND:VEVENT\nEND:VCALENDAR/' \
    "$T/www/holidays.ics"
$PY -m http.server --bind 127.0.0.1 --directory "$T/www" "$wp" \
    >"$T/srv.log" 2>&1 &
SRV=$!
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$wp/holidays.ics"
kill -HUP "$pid"
skips_pd() { test "$(dates)" = "$(echo "$meetings" | sed 's/2027-01-12 //')"; }
if wait_for 30 skips_pd; then
	ok "after a reload, the new day off is skipped in the feed"
else
	not_ok "after a reload, the new day off is skipped in the feed (got: $(dates))"
	sed 's/^/#   run: /' "$T/run.log"
fi
ok_again() { curl -sf "http://127.0.0.1:$hp/healthz" | grep -q '"busy_sources_failing":\[\]'; }
expect "... and /healthz no longer lists the calendar" wait_for 30 ok_again
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
