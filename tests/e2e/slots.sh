# day = auto / time = auto: the best slot known by construction, read from
# busy calendars (a file with a recurring event and its exceptions, an
# all-day series, a transparent and a cancelled event; a VFREEBUSY served
# over HTTP) for members in two zones; `slots --json` names it, the worker
# places it and the feed (read with ical.js) carries it; a small change
# keeps it, a large one moves it once; a busy URL that goes down, turns
# malformed or huge keeps its last good copy and the worker carries on.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
CHECK="node $TOP/tests/icalcheck.mjs"
SRV=""; RUN=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; [ -n "$RUN" ] && kill $RUN 2>/dev/null; rm -rf "$T"' EXIT
NOW=2026-11-02T08:00

mkdir -p "$T/www"
serve() {	# serve: the HTTP server on $T/www, on $PORT once known
	rm -f "$T/srv.out"
	$PY -u -m http.server --bind 127.0.0.1 --directory "$T/www" ${PORT:-0} \
	    >"$T/srv.out" 2>>"$T/srv.log" &
	SRV=$!
	wait_for 10 grep -qs 'port' "$T/srv.out"
	PORT=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$T/srv.out" | head -1)
}
unserve() { kill $SRV; wait $SRV 2>/dev/null; SRV=""; }

# a: New York, busy Mondays and Wednesdays 15:00-17:00, but not on
# 25 Nov (EXDATE) and 18 Nov's moved to Friday 20 Nov (RECURRENCE-ID).
cat >"$T/a.ics" <<'EOF'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:class@a
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261102T150000
DTEND;TZID=America/New_York:20261102T170000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE
EXDATE;TZID=America/New_York:20261125T150000
END:VEVENT
BEGIN:VEVENT
UID:class@a
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=America/New_York:20261118T150000
DTSTART;TZID=America/New_York:20261120T150000
DTEND;TZID=America/New_York:20261120T170000
END:VEVENT
END:VCALENDAR
EOF
# c: New York, away all day on Tuesdays (an all-day series), busy
# Thursdays 15:00-15:30; a transparent and a cancelled event do not count.
c_ics() {	# c_ics [EXTRA VEVENTS]
	cat <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:tue@c
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261103
DTEND;VALUE=DATE:20261104
RRULE:FREQ=WEEKLY
END:VEVENT
BEGIN:VEVENT
UID:thu@c
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261105T150000
DTEND;TZID=America/New_York:20261105T153000
RRULE:FREQ=WEEKLY
END:VEVENT
BEGIN:VEVENT
UID:transp@c
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261105T153000
DTEND;TZID=America/New_York:20261105T170000
RRULE:FREQ=WEEKLY
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
UID:cancel@c
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261105T160000
DTEND;TZID=America/New_York:20261105T170000
RRULE:FREQ=WEEKLY
STATUS:CANCELLED
END:VEVENT
${1:-}END:VCALENDAR
EOF
}
c_ics >"$T/c.ics"
# b: Chicago, available 14:00-16:00 there (15:00-17:00 New York) Tuesday
# to Friday; busy Fridays 15:00-17:00 New York as free/busy data.
cat >"$T/www/b.ics" <<'EOF'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
METHOD:PUBLISH
BEGIN:VFREEBUSY
UID:fb@b
DTSTAMP:20260101T000000Z
DTSTART:20261101T000000Z
DTEND:20261201T000000Z
FREEBUSY:20261106T200000Z/20261106T220000Z,20261113T200000Z/PT2H
FREEBUSY;FBTYPE=BUSY:20261120T200000Z/20261120T220000Z
FREEBUSY:20261127T200000Z/PT2H
FREEBUSY;FBTYPE=FREE:20261105T200000Z/PT2H
END:VFREEBUSY
END:VCALENDAR
EOF
cp "$T/www/b.ics" "$T/b-good.ics"
# http.server compares If-Modified-Since to the second: each new version
# gets a later mtime, so that none is taken for the one before.
stamp() { touch -d "@$(($(date +%s) + $2))" "$1"; }
stamp "$T/www/b.ics" -3600
serve
URL="http://127.0.0.1:$PORT/b.ics?key=SECRET-TOKEN"
HP=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
public_url = http://127.0.0.1:$HP
listen     = 127.0.0.1:$HP
horizon    = 28d

[channel team]
type = slack
url  = file:$T/chat.jsonl

[community plc]
name        = Test PLC
facilitator = a
members     = a, b, c
cadence     = weekly
day         = auto
time        = auto
duration    = 45m
window      = MO-FR 15:00-17:00
start       = 2026-09-01
notify      = team

; b is in two auto communities: her calendar is fetched once a cycle.
[community two]
facilitator = b
members     = b
cadence     = weekly
day         = auto
time        = auto
window      = TU-FR 15:00-17:00
start       = 2026-09-01

[member a]
email     = a@example.edu
available = MO-FR 15:00-17:00
busy      = $T/a.ics

[member b]
email     = b@example.edu
timezone  = America/Chicago
available = TU-FR 14:00-16:00
busy      = $URL

[member c]
email     = c@example.edu
busy      = $T/c.ics
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
# jq-like reads of the JSON in $T/out with python.
js() { $PY -c "import json, sys; d = json.load(open('$T/out')); print($1)"; }
slot() { sqlite3 "$T/state/state.db" "SELECT slot_day || ' ' || slot_time || ' ' || sequence FROM series WHERE community = 'plc'"; }
nslot() { sqlite3 "$T/state/state.db" "SELECT count(*) FROM outbox WHERE kind = 'change' AND dedup LIKE 'change:plc:%'"; }

expect_status "slots --json exits 0" 0 P slots plc --json --weeks 4 --now $NOW
expect "the best slot is Thursday 15:30" test "$(js 'd["best"][0]["day"], d["best"][0]["time"], d["best"][0]["attendance"], d["best"][0]["meetings"]')" = "TH 15:30 1.0 4"
expect "the next three are the other Thursday starts" test "$(js '" ".join(b["day"] + b["time"] for b in d["best"][1:4])')" = "TH15:45 TH16:00 TH16:15"
# Wednesday: a is busy on two of four (the exceptions free the others).
expect "fifth is Wednesday 15:00, a missing two of four (EXDATE, RECURRENCE-ID)" test "$(js 'd["best"][4]["day"], d["best"][4]["time"], d["best"][4]["cannot_come"]')" = "WE 15:00 [{'member': 'a', 'required': True, 'meetings': 2}]"
# Heatmap rows are quarter hours from 15:00; columns MO..FR.
expect "heatmap: Tuesday 15:30 has a and b (c away all day)" test "$(js 'd["heatmap"]["rows"][2]["free"][1]')" = "2.0"
expect "heatmap: Thursday 15:00 lacks c, 15:30 has all three" test "$(js 'd["heatmap"]["rows"][0]["free"][3], d["heatmap"]["rows"][2]["free"][3]')" = "2.0 3.0"
expect "heatmap: Friday 15:30 lacks b (VFREEBUSY) and a once (moved class)" test "$(js 'd["heatmap"]["rows"][2]["free"][4]')" = "1.75"
expect "no busy source failed" test "$(js 'd["busy_failures"]')" = 0
expect_status "slots as text exits 0" 0 P slots plc --weeks 4 --now $NOW
contains "the text names the best slot first" "$T/out" "1. Thu 15:30"
contains "and who cannot come" "$T/out" "cannot come: a (2 of 4)"
expect "piped: no colour codes" test "$(grep -c "$(printf '\033')" "$T/out")" = 0
# On a terminal (script(1) gives it one): coloured cells.
script -qec "\"$PLC\" -c \"$T/plc.ini\" slots plc --weeks 4 --now $NOW" /dev/null >"$T/tty" 2>&1
expect "on a terminal: colour codes" grep -q "$(printf '\033')\[42;30m" "$T/tty"
expect_status "an unknown community exits 65" 65 P slots nope --now $NOW
expect_status "a bad --weeks exits 64" 64 P slots plc --weeks 0
expect_status "no ID exits 64" 64 P slots

# The worker places it; the feed carries it.
expect_status "run --once exits 0" 0 P run --once --now $NOW
cp "$T/err" "$T/run1.log"
contains "the placement is logged" "$T/run1.log" "community plc: placed at TH 15:30"
expect "slot TH 15:30 stored, sequence 0" test "$(slot)" = "3 55800 0"
feed=$(P urls --json | node -e '
	const u = JSON.parse(require("fs").readFileSync(0, "utf8"));
	console.log(u.find((e) => e.kind === "community" && e.id === "plc").file);')
expect_status "ical.js reads the feed" 0 $CHECK "$feed" 2026-11-02T00:00:00Z 2026-11-13T00:00:00Z
expect "the feed has Thursdays at 15:30 New York" test "$(cut -d'|' -f2-4,6 "$T/out" | tr '\n' ' ')" = "2026-11-05 15:30|America/New_York|2026-11-05 20:30|0 2026-11-12 15:30|America/New_York|2026-11-12 20:30|0 "
expect "members and the channel told the first meeting once (3 + 1)" test "$(nslot)" = 4
contains "the chat post names the time" "$T/chat.jsonl" "First meeting: Test PLC — Thu 5 Nov 15:30"

# Conditional requests: an unchanged file answers 304.
: >"$T/srv.log"
expect_status "run --once again exits 0" 0 P run --once --now $NOW
expect "the server answered 304 Not Modified" grep -q '" 304 ' "$T/srv.log"
expect "once, though b is in two auto communities" test "$(grep -c 'GET /b.ics' "$T/srv.log")" = 1
expect "nothing changes: no new notice, same sequence" test "$(slot) $(nslot)" = "3 55800 0 4"

# A small change (c busy one Thursday) keeps the slot.
c_ics "BEGIN:VEVENT
UID:once@c
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261112T150000
DTEND;TZID=America/New_York:20261112T170000
END:VEVENT
" >"$T/c.ics"
expect_status "run --once after a small change" 0 P run --once --now $NOW
expect "the slot stays (3 of 4 Thursdays still fit everyone)" test "$(slot) $(nslot)" = "3 55800 0 4"

# The busy URL goes down: its last good copy is used, and said so.
unserve
expect_status "run --once with the server down exits 0" 0 P run --once --now $NOW
contains "the failure is logged, the URL without its path" "$T/err" "busy source http://127.0.0.1:$PORT/…"
expect "nor its secret" test "$(grep -c SECRET-TOKEN "$T/err")" = 0
contains "with the copy used" "$T/err" "using the last good copy"
expect_status "slots with the server down" 0 P slots plc --json --weeks 4 --now $NOW
expect "b is still busy Fridays (the copy)" test "$(js 'd["heatmap"]["rows"][2]["free"][4]')" = "1.75"
expect "the failure is counted" test "$(js 'd["busy_failures"]')" = 1
expect_status "check exits 0" 0 P check --now $NOW
contains "check shows the chosen slot" "$T/out" "slot        TH 15:30 (auto"
contains "check shows the failing source" "$T/out" "b http://127.0.0.1:$PORT/…: FAILING"
contains "and the copy kept" "$T/out" "last good copy from"

# /healthz says so too.  The running worker keeps what it expanded: a
# second cycle (SIGHUP) does not expand an unchanged calendar again.
"$PLC" -c "$T/plc.ini" -v run --now $NOW >"$T/run.log" 2>&1 &
RUN=$!
health() { curl -sf "http://127.0.0.1:$HP/healthz" >"$T/health" 2>/dev/null; }
wait_for 10 health
expect "/healthz reports the failing source" grep -q "\"busy_failures\":1" "$T/health"
expect "/healthz names it without its path" grep -q "\"source\":\"http://127.0.0.1:$PORT/…\"" "$T/health"
curl -sf "http://127.0.0.1:$HP/metrics" >"$T/metrics"
expect "/metrics counts it" grep -qx 'plc_cadence_busy_source_failures 1' "$T/metrics"
cycles() { grep -c 'auto communities ranked' "$T/run.log"; }
kill -HUP $RUN
two_cycles() { [ "$(cycles)" -ge 2 ]; }
wait_for 10 two_cycles
expect "a second cycle ran" test "$(cycles)" = 2
expect "a.ics was expanded at most once in two cycles" test "$(grep -c "member a: busy source $T/a.ics: expanded" "$T/run.log")" -le 1
kill $RUN; wait $RUN 2>/dev/null; RUN=""
# A restart keeps it too (busy_expanded in the state): unchanged bytes
# are not expanded again; changed ones are, once.
P -v run --once --now $NOW >"$T/run2.log" 2>&1
expect "after a restart a.ics is not expanded again" test "$(grep -c "member a: busy source $T/a.ics: expanded" "$T/run2.log")" = 0
expect "nor are c.ics and b's kept copy" test "$(grep -c ": expanded" "$T/run2.log")" = 0
cp "$T/a.ics" "$T/a.ics.saved"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nEND:VCALENDAR\r\n' >"$T/a.ics"
P -v run --once --now $NOW >"$T/run3.log" 2>&1
P -v run --once --now $NOW >"$T/run4.log" 2>&1
expect "a changed a.ics is expanded once" test "$(grep -c "member a: busy source $T/a.ics: expanded" "$T/run3.log") $(grep -c ": expanded" "$T/run4.log")" = "1 0"
cp "$T/a.ics.saved" "$T/a.ics"

# Malformed, then huge: refused, the copy kept, the worker carries on.
printf '<html>maintenance</html>\n' >"$T/www/b.ics"
stamp "$T/www/b.ics" 60
serve
expect_status "run --once with a malformed source exits 0" 0 P run --once --now $NOW
contains "malformed is refused" "$T/err" "parse error: not an iCalendar file"
$PY -c "import sys; sys.stdout.write('BEGIN:VCALENDAR\r\n' + 'X-PAD:' + 'x' * 6000000 + '\r\nEND:VCALENDAR\r\n')" >"$T/www/b.ics"
stamp "$T/www/b.ics" 120
expect_status "run --once with a huge source exits 0" 0 P run --once --now $NOW
contains "huge is refused" "$T/err" "larger than the limit"
expect_status "slots after both" 0 P slots plc --json --weeks 4 --now $NOW
expect "the copy is still used" test "$(js 'd["heatmap"]["rows"][2]["free"][4]')" = "1.75"
expect "the slot has not moved" test "$(slot) $(nslot)" = "3 55800 0 4"

# Back to good; a large change (c busy every Thursday) moves it, once.
cp "$T/b-good.ics" "$T/www/b.ics"
stamp "$T/www/b.ics" 180
c_ics "BEGIN:VEVENT
UID:allthu@c
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261105T150000
DTEND;TZID=America/New_York:20261105T170000
RRULE:FREQ=WEEKLY;BYDAY=TH
END:VEVENT
" >"$T/c.ics"
expect_status "run --once after a large change" 0 P run --once --now $NOW
contains "the move is logged" "$T/err" "community plc: moved from TH 15:30 to WE 15:00"
expect "the slot moved to WE 15:00 and SEQUENCE rose" test "$(slot)" = "2 54000 1"
expect "the new time told once more (3 + 1)" test "$(nslot)" = 8
expect "as a move of each meeting to the Wednesday before (b reads Chicago time)" test "$(sqlite3 "$T/state/state.db" "SELECT count(*) FROM outbox WHERE dedup LIKE 'change:plc:%' AND body LIKE '%Moved: Thu 5 Nov 15:30–16:15 → Wed 4 Nov 15:00–15:45 New York time%' AND body NOT LIKE '%Cancelled%'")" = 3
expect_status "ical.js reads the moved feed" 0 $CHECK "$feed" 2026-11-02T00:00:00Z 2026-11-06T00:00:00Z
expect "the feed has Wednesday 15:00, SEQUENCE 1" test "$(cut -d'|' -f2,6 "$T/out")" = "2026-11-04 15:00|1"
expect_status "run --once once more" 0 P run --once --now $NOW
expect "and nothing moves or is told again" test "$(slot) $(nslot)" = "2 54000 1 8"

# The demo: sci6 is placed by auto, `slots` shows why, its feed carries it.
mkdir -p "$T/demo/conf"
cp "$TOP"/conf/demo-*.ics "$T/demo/conf/"
sed 's/^listen .*/listen      =/' "$TOP/conf/demo.ini" >"$T/demo/conf/demo.ini"
D() { "$PLC" -c "$T/demo/conf/demo.ini" "$@"; }
expect_status "demo: slots sci6 --json" 0 D slots sci6 --json --now $NOW
expect "demo: the best slot is Wednesday 15:30, everyone can come" test "$(js 'd["best"][0]["day"], d["best"][0]["time"], d["best"][0]["attendance"], d["best"][0]["optional_free"] == d["best"][0]["meetings"]')" = "WE 15:30 1.0 True"
expect "demo: Tuesday 16:00 loses dan once (his moved robotics club)" test "$(js '3.9 < d["heatmap"]["rows"][8]["free"][1] < 4')" = True
expect_status "demo: run --once" 0 D run --once --now $NOW
contains "demo: sci6 is placed" "$T/err" "community sci6: placed at WE 15:30"
sci6=$(D urls --json | node -e '
	const u = JSON.parse(require("fs").readFileSync(0, "utf8"));
	console.log(u.find((e) => e.kind === "community" && e.id === "sci6").file);')
expect_status "demo: ical.js reads sci6's feed" 0 $CHECK "$sci6" 2026-11-02T00:00:00Z 2026-11-10T00:00:00Z
expect "demo: the feed has Wednesday 15:30 New York" test "$(cut -d'|' -f2-4 "$T/out")" = "2026-11-04 15:30|America/New_York|2026-11-04 20:30"
expect_status "demo: slots on a fixed community" 0 D slots math7 --weeks 6 --now $NOW
contains "demo: it is ranked as advice, the config's slot said" "$T/out" "fixed at Tue 15:30 by the config"

# The same day, the same answer: asked on a meeting day just after the
# meeting's time, the range used to end inside the last meeting, which
# then counted as missed by everyone ("cannot come 1").
for t in 07:00 15:30 15:31 23:59; do
	D slots math7 --weeks 8 --json --now 2026-11-17T$t >"$T/day-$t.json" 2>&1
	D slots math7 --weeks 8 --now 2026-11-17T$t 2>&1 | grep '^fixed at' >"$T/day-$t.txt"
done
expect "demo: slots --json on Tue 17 Nov at 07:00, 15:30, 15:31 and 23:59 agree" \
    sh -c "cmp '$T/day-07:00.json' '$T/day-15:30.json' && cmp '$T/day-15:30.json' '$T/day-15:31.json' && cmp '$T/day-15:31.json' '$T/day-23:59.json'"
expect "demo: so does what the text says of the config's slot" \
    sh -c "cmp '$T/day-15:30.txt' '$T/day-15:31.txt' && cmp '$T/day-15:31.txt' '$T/day-23:59.txt' && test -s '$T/day-15:31.txt'"
