# Zones as Outlook and ical.js read them: the rules in force carry their
# yearly RRULE (Outlook keeps only the latest onsets, and rebuilt London's
# change from "4th Sunday of March"); ical.js expands each meeting at
# tzdata's offset (Python's zoneinfo is the oracle); a feed with no event
# still carries its zone, so it is never an empty VCALENDAR.
. "$TOP/tests/e2e/lib.sh"

CHECK="node $TOP/tests/icalcheck.mjs"
cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
public_url = https://plc.example.edu

[member alice]
email = alice@example.edu

[member lone]
email    = lone@example.edu
timezone = Europe/Paris

[member utc]
email    = utc@example.edu
timezone = UTC

[community london]
facilitator = alice
members     = alice
cadence     = weekly
day         = TH
time        = 16:00
start       = 2026-01-01
until       = 2026-12-31
timezone    = Europe/London

[community sydney]
facilitator = alice
members     = alice
cadence     = weekly
day         = MO
time        = 08:00
start       = 2026-01-01
until       = 2026-12-31
timezone    = Australia/Sydney
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
feed_of() {	# feed_of KIND ID: the file of a member's or community's feed
	P urls --json 2>/dev/null | node -e '
		const u = JSON.parse(require("fs").readFileSync(0, "utf8"));
		const [kind, id] = process.argv.slice(1);
		console.log(u.find((e) => e.kind === kind && e.id === id).file);' \
	    "$1" "$2"
}
want() {	# want ZONE FIRST HH:MM: a year of weekly meetings, by zoneinfo
	python3 - "$@" <<'EOF'
import sys, datetime, zoneinfo
z = zoneinfo.ZoneInfo(sys.argv[1])
d = datetime.date.fromisoformat(sys.argv[2])
h, m = map(int, sys.argv[3].split(":"))
while d.year == 2026:
	t = datetime.datetime(d.year, d.month, d.day, h, m, tzinfo=z)
	u = t.astimezone(datetime.timezone.utc)
	print(f"{t:%Y-%m-%d %H:%M}|{sys.argv[1]}|{u:%Y-%m-%d %H:%M}")
	d += datetime.timedelta(days=7)
EOF
}

expect_status "feeds exits 0" 0 P feeds --now 2026-01-01T00:00
london=$(feed_of community london)
sydney=$(feed_of community sydney)
lone=$(feed_of member lone)

contains "London's zone: last Sunday of March, yearly, as Outlook reads it" \
    "$london" "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
contains "London's zone: last Sunday of October, yearly" \
    "$london" "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
contains "Sydney's zone: first Sunday of October, yearly" \
    "$sydney" "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"

expect_status "ical.js reads London's feed" 0 \
    $CHECK "$london" 2026-01-01T00:00:00Z 2027-01-01T00:00:00Z
cut -d'|' -f2-4 "$T/out" >"$T/got"
want Europe/London 2026-01-01 16:00 >"$T/want"
expect_same "London: every meeting of 2026 at tzdata's offset in ical.js (26 March in winter time)" "$T/got" "$T/want"

expect_status "ical.js reads Sydney's feed" 0 \
    $CHECK "$sydney" 2025-12-31T00:00:00Z 2027-01-01T00:00:00Z
cut -d'|' -f2-4 "$T/out" >"$T/got"
want Australia/Sydney 2026-01-05 08:00 >"$T/want"
expect_same "Sydney: every meeting of 2026 at tzdata's offset in ical.js" "$T/got" "$T/want"

contains "a member in no community: the feed still carries its zone" \
    "$lone" "TZID:Europe/Paris"
expect "the empty feed has a VTIMEZONE component" \
    test "$(grep -c '^BEGIN:VTIMEZONE' "$lone")" = 1
expect_status "ical.js reads the empty feed" 0 \
    $CHECK "$lone" 2026-01-01T00:00:00Z 2027-01-01T00:00:00Z
expect "the empty feed has no event" test ! -s "$T/out"
utc=$(feed_of member utc)
contains "an empty feed in UTC carries a UTC zone" "$utc" "TZID:UTC"
expect_status "ical.js reads the empty UTC feed" 0 \
    $CHECK "$utc" 2026-01-01T00:00:00Z 2027-01-01T00:00:00Z
expect_status "feeds again exits 0" 0 P feeds --now 2026-01-01T00:00
cp "$lone" "$T/lone1"
expect_status "feeds a month later exits 0" 0 P feeds --now 2026-02-01T00:00
expect_same "the empty feed's bytes stay the same" "$lone" "$T/lone1"
