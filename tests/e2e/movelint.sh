# Strict move and cancel: a date that is not a meeting of the series, or a
# move onto a taken slot, stops check, run and a reload with its line and
# the nearest meetings; a move out of a skipped week wins, in check and in
# the feed as ical.js reads it.
. "$TOP/tests/e2e/lib.sh"
F="$TOP/tests/fixtures/config"
CHECK="node $TOP/tests/icalcheck.mjs"

expect_status "moves and cancels that are not meetings: check exits 78" 78 "$PLC" -c "$F/moves.ini" check --now 2026-08-15T12:00
contains "a wrong weekday named with its line and the nearest meetings" "$T/err" "$F/moves.ini:21: [community math7] cancel: 2026-12-09 is not a meeting (nearest: 2026-12-08, 2026-12-15)"
contains "a cancel of a skipped date named" "$T/err" "$F/moves.ini:21: [community math7] cancel: 2026-10-13 is not a meeting: the date is skipped (nearest: 2026-10-06, 2026-10-20)"
contains "a biweekly date off the cadence named" "$T/err" "$F/moves.ini:31: [community bi] move: 2026-09-09 is not a meeting (nearest: 2026-09-02, 2026-09-16)"
contains "a monthly date off the cadence named" "$T/err" "$F/moves.ini:43: [community mo] cancel: 2026-09-10 is not a meeting (nearest: 2026-09-03, 2026-10-01)"
contains "a move onto the next meeting's slot named" "$T/err" "$F/moves.ini:53: [community slot] move: 2026-09-07 -> 2026-09-14 15:00 is the slot of the meeting of 2026-09-14"
contains "two moves onto one slot named" "$T/err" "$F/moves.ini:53: [community slot] move: 2026-09-21 and 2026-09-28 are both moved to 2026-09-30"
expect "the move out of a skipped week is no error" sh -c "! grep -q 'move: 2026-11-24' '$T/err'"
expect "six errors, all at once" test "$(grep -c 'moves.ini:[0-9]*: \[community' "$T/err")" = 6
expect "nothing on stdout" test ! -s "$T/out"
# Dates before today are history: they belong to the epoch in force then
# (an earlier day or time, known only to the state), so they are not held
# against today's slot.
expect_status "the same dates once past: check exits 0" 0 "$PLC" -c "$F/moves.ini" check --now 2027-01-15T12:00
expect_status "... and with --now=: exits 0" 0 "$PLC" -c "$F/moves.ini" check --now=2027-01-15T12:00
expect_status "only the dates still ahead are held: the December cancel" 78 "$PLC" -c "$F/moves.ini" check --now 2026-12-01T12:00
expect "... which is the one error left" test "$(grep -c 'moves.ini:[0-9]*: \[community' "$T/err")" = 1

cat >"$T/holidays.ics" <<'EOF'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:h1@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261123
DTEND;VALUE=DATE:20261128
SUMMARY:Thanksgiving week
END:VEVENT
END:VCALENDAR
EOF
# conf MOVE CANCEL: math7 with a holiday week from a calendar file.
conf() {
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
public_url = https://plc.example.edu

[calendar district]
source = $T/holidays.ics

[member alice]
email = alice@example.edu

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
until       = 2027-06-15
skip        = district
move        = $1
cancel      = $2
EOF
}
P() { "$PLC" -c "$T/plc.ini" "$@"; }

# The holiday week's meeting moved to its Monday, out of the skipped week.
conf "2026-11-24 -> 2026-11-23 16:00" "2026-12-08"
expect_status "a move out of a calendar's holiday week: check exits 0" 0 P check --now 2026-11-20T12:00
contains "check says the meeting is moved out of a skipped date" "$T/out" "2026-11-23 16:00 America/New_York  (moved from 2026-11-24: moved out of a skipped date)"
expect_status "feeds exits 0" 0 P feeds --now 2026-11-01T12:00
feed=$(P urls --json | node -e '
	const u = JSON.parse(require("fs").readFileSync(0, "utf8"));
	console.log(u.find((e) => e.kind === "community" && e.id === "math7").file);')
expect_status "ical.js reads the feed" 0 $CHECK "$feed" 2026-11-10T00:00:00Z 2026-12-05T00:00:00Z
cut -d'|' -f2,4,5 "$T/out" >"$T/got"
cat >"$T/want" <<'EOF'
2026-11-10 15:30|2026-11-10 20:30|CONFIRMED
2026-11-17 15:30|2026-11-17 20:30|CONFIRMED
2026-11-23 16:00|2026-11-23 21:00|CONFIRMED
2026-12-01 15:30|2026-12-01 20:30|CONFIRMED
EOF
expect_same "ical.js: the meeting moved out of the holiday week is there at its new time, once" "$T/got" "$T/want"

# The same mistakes through run and a reload.
conf "2026-11-24 -> 2026-11-23 16:00" "2026-12-09"
expect_status "a cancel on a Wednesday: run --once exits 78" 78 P run --once --now 2026-11-01T12:00
contains "... named with its line" "$T/err" "$T/plc.ini:23: [community math7] cancel: 2026-12-09 is not a meeting (nearest: 2026-12-08, 2026-12-15)"

conf "2026-11-24 -> 2026-11-23 16:00" "2026-12-08"
"$PLC" -c "$T/plc.ini" run --now 2026-11-01T12:00 >"$T/run.log" 2>&1 &
PID=$!
expect "the worker runs a first cycle (within 30 s)" wait_for 30 grep -q "running on" "$T/run.log"
cp "$feed" "$T/feed.before"
conf "2026-11-25 -> 2026-11-23 16:00" "2026-12-08"
kill -HUP $PID
expect "reload of a move from a Wednesday: refused with file:line (within 20 s)" wait_for 20 grep -qF "reload: $T/plc.ini:22: [community math7] move: 2026-11-25 is not a meeting (nearest: 2026-11-17, 2026-12-01)" "$T/run.log"
contains "... and the config in force is kept" "$T/run.log" "reload: $T/plc.ini has errors; the config in force is kept"
expect "the worker still runs" kill -0 $PID
kill -TERM $PID
if wait_for 20 sh -c "! kill -0 $PID 2>/dev/null"; then
	ok "SIGTERM stops it (within 20 s)"
else
	not_ok "SIGTERM stops it (within 20 s)"
	kill -KILL $PID
fi
wait $PID; st=$?
expect "... with exit 0 (got $st)" test "$st" = 0
expect "the feed is the old config's" cmp -s "$feed" "$T/feed.before"

# Mistakes config_load itself names: a date moved twice, moved and cancelled.
conf "2026-11-17 -> 2026-11-18, 2026-11-17 -> 2026-11-19" "2026-11-17"
expect_status "a date moved twice and also cancelled: check exits 78" 78 P check
contains "... moved twice, with its line" "$T/err" "$T/plc.ini:22: [community math7] move: the meeting of 2026-11-17 is moved twice"
contains "... moved and cancelled, with its line" "$T/err" "$T/plc.ini:23: [community math7] cancel: the meeting of 2026-11-17 is also moved"
