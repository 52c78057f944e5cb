# A restart (or cycle) with nothing changed does not rank an auto community
# again; changing any one input it reads ranks it again, once.  A current
# slot below min_attendance that is still the best is kept, not "moved"
# to itself each cycle.  The kept expansions of a busy source no longer in
# the config are deleted.
. "$TOP/tests/e2e/lib.sh"
trap 'rm -rf "$T"' EXIT
NOW=2026-11-02T08:00

# busy_ics DAY: busy every DAY (MO, TU…) 15:00-16:00 New York.
busy_ics() {
	cat <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:$1@e2e
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261102T150000
DTEND;TZID=America/New_York:20261102T160000
RRULE:FREQ=WEEKLY;BYDAY=$1
END:VEVENT
${2:-}END:VCALENDAR
EOF
}
busy_ics MO >"$T/a.ics"
busy_ics TU >"$T/b.ics"
busy_ics WE >"$T/c.ics"

# ini: the config, with these defaults overridden by the environment.
ini() {
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
horizon    = 28d

[community plc]
facilitator    = a
members        = a, b
${OPT:-}
cadence        = weekly
day            = auto
time           = auto
duration       = ${DUR:-45m}
window         = ${WIN:-MO-FR 15:00-17:00}
min_attendance = ${MIN:-0.75}
start          = 2026-09-01

[member a]
email     = a@example.edu
available = ${AVA:-MO-FR 15:00-17:00}
busy      = $T/a.ics
${AWAY:-}

[member b]
email     = b@example.edu
${BBUSY-busy      = $T/b.ics}

[member c]
email     = c@example.edu
busy      = $T/c.ics
EOF
}
ini
P() { "$PLC" -c "$T/plc.ini" "$@"; }
run() {	# run [NOW]: one cycle; its slots line into $T/slots
	expect_status "run --once ${1:-$NOW} exits 0" 0 P run --once --now "${1:-$NOW}"
	grep 'slots:' "$T/err" >"$T/slots"
}
ranked() { grep -q "slots: 1 auto communities ranked, .*, 0 not ranked again" "$T/slots"; }
skipped() { grep -q "slots: 0 auto communities ranked, 0 given a new slot, 0 busy sources failed, 1 not ranked again" "$T/slots"; }
slot() { sqlite3 "$T/state/state.db" "SELECT slot_day || ' ' || slot_time || ' ' || sequence FROM series WHERE community = 'plc'"; }

run
expect "the first cycle ranks plc" ranked
contains "and places it" "$T/err" "community plc: placed at"
first=$(slot)
run
expect "a restart with nothing changed ranks nothing" skipped
expect "and keeps the slot" test "$(slot)" = "$first"

# Each input on its own: ranked once, then not again.
again() {	# again WHAT [NOW]
	run "${2:-$NOW}"
	expect "$1: ranked again" ranked
	run "${2:-$NOW}"
	expect "$1: then not again" skipped
}
busy_ics MO "BEGIN:VEVENT
UID:more@e2e
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20261103T160000
DTEND;TZID=America/New_York:20261103T170000
END:VEVENT
" >"$T/a.ics"
again "a busy calendar changed"
AVA="MO-TH 15:00-17:00" ini; again "a member's available"
AWAY="away = 2026-11-10" ini; again "a member's away days"
MIN=0.5 ini; again "min_attendance"
DUR=30m ini; again "duration"
WIN="MO-FR 15:00-17:30" ini; again "window"
OPT="optional = c" ini; again "an optional member"
again "the next day" 2026-11-03T08:00

# The best slot under min_attendance: kept, not moved to itself.
MIN=1.0 AWAY= AVA= DUR= WIN= OPT="optional = c" ini
busy_ics MO >"$T/a.ics"
# b busy every weekday for the whole window: 1 of 2 at best.
busy_ics MO,TU,WE,TH,FR >"$T/b.ics"
sed -i 's/T160000$/T173000/' "$T/b.ics"
run 2026-11-04T08:00
expect "a slot under min_attendance is ranked" ranked
held=$(slot)
run 2026-11-05T08:00
expect "the next day it is ranked again" ranked
expect "and not moved to itself" test "$(grep -c 'moved from' "$T/err")" = 0
expect "nor stored again (SEQUENCE kept)" test "$(slot)" = "$held"

# b's calendar leaves the config: its kept expansion goes, a's stays.
exp() { sqlite3 "$T/state/state.db" "SELECT count(*) FROM busy_expanded WHERE source = '$T/$1.ics'"; }
expect "b's expansion is kept while b reads it" test "$(exp b)" = 1
MIN=1.0 OPT="optional = c" BBUSY= ini
run 2026-11-05T08:00
expect "b's expansion is deleted once b no longer reads it" test "$(exp b)" = 0
expect "a's and c's stay" test "$(exp a) $(exp c)" = "1 1"
contains "the deletion is logged" "$T/err" "the expansions of 1 sources no longer in the config deleted"
