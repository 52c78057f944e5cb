# What calendar apps see: each feed read back with ical.js (Thunderbird's
# parser, independent of libical), meetings at the right local and UTC
# times across both DST changes of New York and London, skips, moves and
# cancels, stable bytes, UIDs and SEQUENCE.
. "$TOP/tests/e2e/lib.sh"

CHECK="node $TOP/tests/icalcheck.mjs"
cat >"$T/holidays.ics" <<'EOF'
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
DTSTART;VALUE=DATE:20261020
SUMMARY:Cancelled holiday
STATUS:CANCELLED
END:VEVENT
END:VCALENDAR
EOF

write_conf() {	# write_conf MATH7_TIME DESCRIPTION [ORDER]
	m7conf="[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = $1
duration    = 45m
start       = 2026-09-01
until       = 2027-06-15
skip        = district, 2026-10-13
move        = 2026-11-24 -> 2026-11-25 16:00
cancel      = 2026-12-08
location    = Room 204
url         = https://meet.example.edu/math7
description = $2
"
	ukconf="[community uk]
name        = Partner school — Année 7 ✓
facilitator = bob
members     = bob
cadence     = biweekly
day         = WE
time        = 16:00
start       = 2026-10-07
timezone    = Europe/London
"
	{
		cat <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
public_url = https://plc.example.edu

[calendar district]
skip   = 2026-11-26
source = $T/holidays.ics

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name     = Bob Jones — Böb
email    = bob@example.edu
timezone = Europe/London
EOF
		if [ "${3:-}" = reversed ]; then
			printf '%s\n%s\n' "$ukconf" "$m7conf"
		else
			printf '%s\n%s\n' "$m7conf" "$ukconf"
		fi
	} >"$T/plc.ini"
}
P() { "$PLC" -c "$T/plc.ini" "$@"; }
feed_of() {	# feed_of KIND ID: the file of a member's or community's feed
	P urls --json | node -e '
		const u = JSON.parse(require("fs").readFileSync(0, "utf8"));
		const [kind, id] = process.argv.slice(1);
		console.log(u.find((e) => e.kind === kind && e.id === id).file);' \
	    "$1" "$2"
}

long="Norms, data review — élèves’ progress, next steps. Ünïcödé text long enough to be folded more than once: ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓"
write_conf 15:30 "$long"
expect_status "feeds exits 0" 0 P feeds --now 2026-10-01T12:00
math7=$(feed_of community math7); bob=$(feed_of member bob)
uk=$(feed_of community uk)

expect_status "ical.js reads math7's feed without a problem" 0 \
    $CHECK "$math7" 2026-10-01T00:00:00Z 2026-12-20T00:00:00Z
cat >"$T/want" <<'EOF'
math7.series.IID@plc.example.edu|2026-10-06 15:30|America/New_York|2026-10-06 19:30|CONFIRMED|0|Grade 7 Math PLC
math7.series.IID@plc.example.edu|2026-10-20 15:30|America/New_York|2026-10-20 19:30|CONFIRMED|0|Grade 7 Math PLC
math7.series.IID@plc.example.edu|2026-10-27 15:30|America/New_York|2026-10-27 19:30|CONFIRMED|0|Grade 7 Math PLC
math7.series.IID@plc.example.edu|2026-11-03 15:30|America/New_York|2026-11-03 20:30|CONFIRMED|0|Grade 7 Math PLC
math7.series.IID@plc.example.edu|2026-11-10 15:30|America/New_York|2026-11-10 20:30|CONFIRMED|0|Grade 7 Math PLC
math7.series.IID@plc.example.edu|2026-11-25 16:00|America/New_York|2026-11-25 21:00|CONFIRMED|0|Grade 7 Math PLC
math7.series.IID@plc.example.edu|2026-12-01 15:30|America/New_York|2026-12-01 20:30|CONFIRMED|0|Grade 7 Math PLC
math7.series.IID@plc.example.edu|2026-12-15 15:30|America/New_York|2026-12-15 20:30|CONFIRMED|0|Grade 7 Math PLC
EOF
# UIDs carry the install id (kept in the state): shown here as IID.
sed -i 's/\.series\.[0-9a-f]\{8\}@/.series.IID@/' "$T/out"
expect_same "math7: local wall time kept across 1 November, skips (13 Oct, staff day 17 Nov), move and cancel (8 Dec: no meeting) as ical.js reads them" "$T/out" "$T/want"

expect_status "ical.js reads the London community's feed" 0 \
    $CHECK "$uk" 2026-10-01T00:00:00Z 2027-04-10T00:00:00Z
cut -d'|' -f2-4 "$T/out" | sed -n '1,2p;13,14p' >"$T/got"
cat >"$T/want" <<'EOF'
2026-10-07 16:00|Europe/London|2026-10-07 15:00
2026-10-21 16:00|Europe/London|2026-10-21 15:00
2027-03-24 16:00|Europe/London|2027-03-24 16:00
2027-04-07 16:00|Europe/London|2027-04-07 15:00
EOF
expect_same "uk: 16:00 London on both sides of its October and March changes" "$T/got" "$T/want"

# New York's March change, and the whole school year as ical.js expands it.
expect_status "ical.js expands math7's spring" 0 \
    $CHECK "$math7" 2027-03-01T00:00:00Z 2027-07-01T00:00:00Z
cut -d'|' -f2-4 "$T/out" | sed -n '2,3p;$p' >"$T/got"
cat >"$T/want" <<'EOF'
2027-03-09 15:30|America/New_York|2027-03-09 20:30
2027-03-16 15:30|America/New_York|2027-03-16 19:30
2027-06-15 15:30|America/New_York|2027-06-15 19:30
EOF
expect_same "math7: 15:30 New York on both sides of 14 March, the last on the until date" "$T/got" "$T/want"
expect "math7: 16 meetings from March to the end of June" test "$(wc -l <"$T/out")" = 16
expect_status "ical.js expands math7's whole year" 0 \
    $CHECK "$math7" 2026-08-01T00:00:00Z 2027-08-01T00:00:00Z
# 42 Tuesdays from 1 September to 15 June, less 13 October, the staff
# day and the cancelled 8 December (an EXDATE); the moved one stays, once.
expect "math7: 39 meetings in the school year, none twice" \
    test "$(wc -l <"$T/out")" = 39 -a \
    "$(cut -d'|' -f2 "$T/out" | sort -u | wc -l)" = 39
expect "math7: the year starts on 1 September" \
    test "$(head -n 1 "$T/out" | cut -d'|' -f2)" = "2026-09-01 15:30"
expect "math7: no cancelled meeting is returned as an occurrence" \
    test "$(grep -c '|CANCELLED|' "$T/out")" = 0
expect "math7: the cancelled 8 December is an EXDATE of the series" \
    grep -q '^EXDATE;TZID=America/New_York:20261208T153000' "$math7"

expect_status "ical.js reads bob's feed (two communities, two zones)" 0 \
    $CHECK "$bob" 2026-10-01T00:00:00Z 2026-10-15T00:00:00Z
expect "bob's feed has both series" \
    test "$(cut -d'|' -f1 "$T/out" | sed 's/\.series\.[0-9a-f]\{8\}@/.series@/' | sort -u | tr '\n' ' ')" = \
    "math7.series@plc.example.edu uk.series@plc.example.edu "
expect "bob's feed carries a VTIMEZONE for each zone, with plain TZIDs" \
    test "$(grep -c '^TZID:' "$bob")" = 2 -a \
    "$(grep '^TZID:' "$bob" | tr -d '\r' | sort | tr '\n' ' ')" = \
    "TZID:America/New_York TZID:Europe/London "
expect "no zone history before the feed's first year" \
    test -z "$(grep '^DTSTART:' "$bob" | grep '^DTSTART:\(1\|20[01]\|202[0-4]\)')"
expect "a series with an end: its zone covers only 2026-2027" \
    test -z "$(grep '^DTSTART:' "$math7" | grep -v '^DTSTART:202[67]\|^DTSTART:20251231T190000')"
expect "UNTIL is UTC" grep -q 'UNTIL=20270616T035959Z' "$math7"
expect "EXDATEs carry the TZID and the exact start time" \
    grep -q '^EXDATE;TZID=America/New_York:20261117T153000' "$math7"
expect "a cancelled holiday is not skipped" \
    test "$(grep -c '^EXDATE.*20261020' "$math7")" = 0
expect "the long description is folded by octets, no line cut inside a character, and unfolds to the text" \
    /usr/bin/python3 -c '
import sys
raw = open(sys.argv[1], "rb").read().split(b"\r\n")
i = next(k for k, l in enumerate(raw) if l.startswith(b"DESCRIPTION:"))
lines = [raw[i]]
while raw[i + len(lines)].startswith(b" "):
    lines.append(raw[i + len(lines)])
assert len(lines) >= 3, lines
for l in lines:
    assert len(l) <= 75, l
    l.decode("utf-8")	# each physical line whole UTF-8
assert any(len(l) < 73 for l in lines[:-1]), "no line was shortened to spare a character"
text = (lines[0] + b"".join(l[1:] for l in lines[1:])).decode()
text = text[len("DESCRIPTION:"):].replace("\\,", ",").replace("\\n", "\n")
assert text.startswith(sys.argv[2] + "\n\nJoin: https://meet.example.edu/math7"), text' "$math7" "$long"
expect "lines are CRLF-terminated" test "$(grep -c "$(printf '\r')\$" "$math7")" = "$(wc -l <"$math7")"

# The same state gives the same bytes; so does the config reordered.
sum1=$(cat "$T/state/feeds/"*.ics | sha256sum)
expect_status "feeds again" 0 P feeds --now 2026-10-02T12:00
contains "nothing is rewritten" "$T/out" "0 written"
write_conf 15:30 "$long" reversed
expect_status "feeds with the communities reordered" 0 P feeds --now 2026-10-03T12:00
expect "reordering the config changes no byte" \
    test "$(cat "$T/state/feeds/"*.ics | sha256sum)" = "$sum1"

# A new description: new text, same SEQUENCE, a new DTSTAMP.  A new time
# seen by the worker's cycle: the past stays, a new epoch from the next
# meeting (its own UID, SEQUENCE 0), recorded once.
write_conf 15:30 "Norms only"
expect_status "feeds after a new description" 0 P feeds --now 2026-10-04T12:00
expect "the description is new" grep -q '^DESCRIPTION:Norms only' "$math7"
expect "SEQUENCE stays 0 for a description" \
    test "$(grep -c '^SEQUENCE:0' "$math7")" = 2
expect "DTSTAMP moves for a description" \
    test "$(grep -c '^DTSTAMP:20261004T160000Z' "$math7")" = 2
write_conf 16:00 "Norms only"
expect_status "run --once after a new time" 0 P run --once --now 2026-10-05T12:00
sum2=$(cat "$math7" | sha256sum)
P run --once --now 2026-10-06T12:00 >/dev/null 2>&1
expect "a second cycle changes no byte" test "$(cat "$math7" | sha256sum)" = "$sum2"
expect "two epochs: the old one ends on 2026-09-29, SEQUENCE stays 0" \
    test "$(grep -c '^SEQUENCE:0' "$math7")" = 3 -a \
    "$(grep -c '^UID:' "$math7" )" = 3 -a \
    "$(grep -c 'UNTIL=20260930T035959Z' "$math7")" = 1
expect "DTSTAMP is the time of that change" \
    test "$(grep -c '^DTSTAMP:20261005T160000Z' "$math7")" = 3
expect_status "ical.js reads the changed feed" 0 \
    $CHECK "$math7" 2026-10-05T00:00:00Z 2026-10-07T00:00:00Z
contains "the meeting is at 16:00 now" "$T/out" "2026-10-06 16:00|America/New_York|2026-10-06 20:00"
