# Series history of an `auto` community, read by ical.js: on a copy of the
# demo, sci6's first placement (2026-11-02) starts the series at the first
# meeting after it (no meeting before, though `start` is 2026-09-01); dan
# then turns busy every Wednesday afternoon, so fewer than min_attendance
# can come at WE 15:30 and the worker re-slots it in January: every meeting
# before the cut stays where it was, every one after is at the new slot (a
# new VEVENT with its own UID; the old one ends with UNTIL).
. "$TOP/tests/e2e/lib.sh"

CHECK="node $TOP/tests/icalcheck.mjs"
mkdir -p "$T/conf" "$T/var"
cp "$TOP/conf/"demo-*.ics "$T/conf/"
sed -e "s|^listen .*|listen      =|" \
    -e "s|^public_url .*|public_url  = https://plc.example.edu|" \
    "$TOP/conf/demo.ini" >"$T/conf/demo.ini"
P() { "$PLC" -c "$T/conf/demo.ini" "$@"; }
expand() { $CHECK "$f" 2026-08-01T00:00:00Z 2027-07-01T00:00:00Z |
    cut -d'|' -f1,2 >"$1"; }
nepochs() { sqlite3 "$T/var/state.db" \
    "SELECT count(*) FROM series_epochs WHERE community = 'sci6'"; }

# Commands that only look place nothing.
expect_status "check before any cycle" 0 P check --now 2026-11-02T08:00
expect_status "slots sci6 before any cycle" 0 P slots sci6 --now 2026-11-02T08:00
expect "looking recorded no epoch" test "$(nepochs 2>/dev/null || echo 0)" = 0

# The first placement, on Monday 2026-11-02.
expect_status "run --once places sci6" 0 P run --once --now 2026-11-02T08:00
contains "the placement is logged" "$T/err" "community sci6: placed at WE 15:30"
f=$(P urls --json | python3 -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["id"] == "sci6"][0]["file"])')
expand "$T/e0"
expect "ical.js reads the placed feed" test -s "$T/e0"
expect "no meeting before the placement" sh -c \
    "! awk -F'|' '\$2 < \"2026-11-02\"' '$T/e0' | grep -q ."
expect "the first meeting is the first Wednesday after it, 2026-11-04 15:30" \
    sh -c "head -n 1 '$T/e0' | grep -q '|2026-11-04 15:30\$'"
expect "every meeting is on a Wednesday at 15:30" sh -c "
    cut -d'|' -f2 '$T/e0' | while read -r d t; do
        [ \"\$t\" = 15:30 ] && [ \"\$(date -d \"\$d\" +%a)\" = Wed ] || exit 1
    done"
expect "one UID, one epoch" test "$(cut -d'|' -f1 "$T/e0" | sort -u | wc -l) $(nepochs)" = "1 1"
expect "the feed's DTSTART is that first meeting" \
    grep -q '^DTSTART;TZID=America/New_York:20261104T153000' "$f"

# A cycle later with nothing changed keeps it.
expect_status "run --once a week later" 0 P run --once --now 2026-11-09T08:00
expand "$T/e0b"
expect "nothing moved" cmp -s "$T/e0" "$T/e0b"

# dan busy every Wednesday 15:00-17:00: 2 of 3 required < 0.75.
sed -i '/^END:VCALENDAR/d' "$T/conf/demo-busy-dan.ics"
cat >>"$T/conf/demo-busy-dan.ics" <<'EOF'
BEGIN:VEVENT
UID:wednesdays@dan.example.edu
DTSTAMP:20270101T000000Z
DTSTART;TZID=America/New_York:20260902T150000
DTEND;TZID=America/New_York:20260902T170000
RRULE:FREQ=WEEKLY;BYDAY=WE
SUMMARY:New duty
END:VEVENT
END:VCALENDAR
EOF
sed -i 's/\r*$/\r/' "$T/conf/demo-busy-dan.ics"
expect_status "run --once re-slots it on Friday 2027-01-15" 0 P run --once --now 2027-01-15T12:00
new=$(sed -n 's/.*community sci6: moved from WE 15:30 to \([A-Z][A-Z] [0-9][0-9]:[0-9][0-9]\).*/\1/p' "$T/err")
expect "the move is logged ($new)" test -n "$new"
expand "$T/e1"
expect "every meeting up to the cut is where it was" sh -c "
    awk -F'|' '\$2 < \"2027-01-16\"' '$T/e0' >'$T/a'
    awk -F'|' '\$2 < \"2027-01-16\"' '$T/e1' >'$T/b'
    test -s '$T/a' && cmp -s '$T/a' '$T/b'"
expect "still no meeting before the placement" sh -c \
    "! awk -F'|' '\$2 < \"2026-11-02\"' '$T/e1' | grep -q ."
newday=$(echo "$new" | cut -c1-2); newtime=${new#* }
expect "every meeting after the cut is at $new" sh -c "
    awk -F'|' '\$2 >= \"2027-01-16\"' '$T/e1' >'$T/c'
    test -s '$T/c' || exit 1
    cut -d'|' -f2 '$T/c' | while read -r d t; do
        [ \"\$t\" = '$newtime' ] &&
        [ \"\$(date -d \"\$d\" +%a | cut -c1-2 | tr a-z A-Z)\" = '$newday' ] || exit 1
    done"
expect "the first one after the cut is within a week of it" sh -c "
    d=\$(awk -F'|' '\$2 >= \"2027-01-16\"' '$T/e1' | head -n 1 | cut -d'|' -f2 | cut -d' ' -f1)
    test \"\$d\" \\< 2027-01-23"
expect "two UIDs: the new slot is a new VEVENT" test "$(cut -d'|' -f1 "$T/e1" | sort -u | wc -l) $(nepochs)" = "2 2"
expect "the old epoch ends with UNTIL before the cut" \
    grep -q '^RRULE:FREQ=WEEKLY;UNTIL=2027011[0-5]T[0-9]*Z;BYDAY=WE' "$f"
expect "the old epoch keeps its UID" test "$(head -n 1 "$T/e0" | cut -d'|' -f1)" = "$(head -n 1 "$T/e1" | cut -d'|' -f1)"
sums() { cat "$T/var/feeds/"*.ics | sha256sum; }
s1=$(sums)
expect_status "a restart the next day" 0 P run --once --now 2027-01-16T12:00
expect "the slot stays and the feeds are byte-identical" test "$(sums) $(nepochs)" = "$s1 2"
