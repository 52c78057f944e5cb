# Series history, read by ical.js: on a copy of the demo, math7's `time`
# edited in January keeps every autumn meeting at 15:30 and puts every one
# from 2027-01-19 at 16:15 (a new VEVENT, the old one ending with UNTIL);
# a `day` edit the same way; a cancellation is an EXDATE with no occurrence;
# a restart gives the same bytes; `check` records nothing; UIDs carry the
# install id; a location edit moves DTSTAMP and raises SEQUENCE.
. "$TOP/tests/e2e/lib.sh"

CHECK="node $TOP/tests/icalcheck.mjs"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T/conf" "$T/var"
cp "$TOP/conf/"demo-*.ics "$T/conf/"
sed -e "s|^listen .*|listen      = 127.0.0.1:$port|" \
    -e "s|^public_url .*|public_url  = https://plc.example.edu|" \
    "$TOP/conf/demo.ini" >"$T/conf/demo.ini"
P() { "$PLC" -c "$T/conf/demo.ini" "$@"; }
m7time() { sed -i "/^\[community math7\]/,/^\[/ s/^$1 .*/$1 = $2/" \
    "$T/conf/demo.ini"; }
expand() { $CHECK "$m7" 2026-09-01T00:00:00Z 2027-07-01T00:00:00Z |
    cut -d'|' -f1,2 >"$1"; }
sums() { cat "$T/var/feeds/"*.ics | sha256sum; }

expect_status "run --once in the autumn" 0 P run --once --now 2026-10-20T12:00
m7=$(P urls --json | python3 -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["id"] == "math7"][0]["file"])')
expand "$T/e0"
inst=$(sed -n 's/^UID:math7\.series\.\([0-9a-f]\{8\}\)@plc\.example\.edu\r$/\1/p' "$m7" | head -n 1)
expect "the series UID carries an 8-hex install id" test -n "$inst"
expect "the cancelled 2026-12-08 is an EXDATE of the master" \
    grep -q '^EXDATE;TZID=America/New_York:20261208T153000' "$m7"
expect "no override is left for it" sh -c "! grep -q 'RECURRENCE-ID.*20261208' '$m7'"
expect "and ical.js returns no meeting that day" sh -c "! grep -q '2026-12-08' '$T/e0'"

# `time` edited in January; check only looks.
m7time time 16:15
expect_status "check after the edit" 0 P check --now 2027-01-15T12:00
contains "check shows the epochs" "$T/out" "until 2027-01-12: TU 15:30; from 2027-01-19: TU 16:15"
expect "check recorded no epoch" test "$(sqlite3 "$T/var/state.db" \
    "SELECT count(*) FROM series_epochs WHERE community = 'math7'")" = 1
expect_status "run --once in January" 0 P run --once --now 2027-01-15T12:00
expand "$T/e1"
expect "every meeting up to 2027-01-12 is where it was" sh -c "
    awk -F'|' '\$2 < \"2027-01-13\"' '$T/e0' >'$T/a'
    awk -F'|' '\$2 < \"2027-01-13\"' '$T/e1' >'$T/b'
    test -s '$T/a' && cmp -s '$T/a' '$T/b'"
expect "every 2026 meeting is at 15:30 (or its move)" sh -c "
    ! grep '|2026-' '$T/e1' | grep -v ' 15:30\$' | grep -v '2026-11-25 16:00'"
expect "every meeting from 2027-01-19 is at 16:15" sh -c "
    awk -F'|' '\$2 >= \"2027-01-13\"' '$T/e1' >'$T/c'
    test -s '$T/c' && ! grep -v ' 16:15\$' '$T/c' &&
    head -n 1 '$T/c' | grep -q '2027-01-19 16:15'"
expect "the new epoch has its own UID" grep -q "^math7.series.$inst.1@plc.example.edu|2027-01-19" "$T/e1"
expect "the old epoch ends with UNTIL before the cut" \
    grep -q '^RRULE:FREQ=WEEKLY;UNTIL=20270113T045959Z;BYDAY=TU' "$m7"
s1=$(sums)
expect_status "a restart at a later time" 0 P run --once --now 2027-01-16T12:00
expect "the restart gives byte-identical feeds" test "$(sums)" = "$s1"

# A `day` edit in February: TU -> TH.
m7time day TH
expect_status "run --once after a day edit" 0 P run --once --now 2027-02-10T12:00
expand "$T/e2"
expect "every meeting before the cut is where it was" sh -c "
    awk -F'|' '\$2 < \"2027-02-10\"' '$T/e1' >'$T/a'
    awk -F'|' '\$2 < \"2027-02-10\"' '$T/e2' >'$T/b'
    cmp -s '$T/a' '$T/b'"
expect "the next meeting is Thursday 2027-02-11" sh -c "
    awk -F'|' '\$2 >= \"2027-02-10\"' '$T/e2' | head -n 1 | grep -q '|2027-02-11 16:15'"
expect "three UIDs now" test "$(cut -d'|' -f1 "$T/e2" | sort -u | wc -l)" = 3
s1=$(sums)
expect_status "a restart after the day edit" 0 P run --once --now 2027-02-12T12:00
expect "byte-identical again" test "$(sums)" = "$s1"

# A location edit: SEQUENCE rises and DTSTAMP moves on every epoch.
sed -i "/^\[community math7\]/,/^\[/ s/^location .*/location = Room 999/" "$T/conf/demo.ini"
expect_status "run --once after a location edit" 0 P run --once --now 2027-02-13T12:00
expect "every math7 event has the new DTSTAMP" test \
    "$(grep -c '^DTSTAMP:20270213T170000Z' "$m7")" = "$(grep -c '^BEGIN:VEVENT' "$m7")"
expect "SEQUENCE rose to 1 on every event" test \
    "$(grep -c '^SEQUENCE:1' "$m7")" = "$(grep -c '^BEGIN:VEVENT' "$m7")"

# An upgrade, simulated without an older binary: a state made now is
# turned back into schema 3 as it was written before epochs (no
# series_epochs, no install id, every series row with the UID of
# feed_series_uid, "math7.series@host"). The current binary keeps that
# UID (a subscriber never sees the series twice), and a later time
# change gives only the new epoch an install-id UID.
mkdir -p "$T/up/conf" "$T/up/var"
cp "$TOP/conf/"demo-*.ics "$T/up/conf/"
sed -e "s|^listen .*|listen      = 127.0.0.1:$port|" \
    -e "s|^public_url .*|public_url  = https://plc.example.edu|" \
    "$TOP/conf/demo.ini" >"$T/up/conf/demo.ini"
U() { "$PLC" -c "$T/up/conf/demo.ini" "$@"; }
UDB="$T/up/var/state.db"
expect_status "a state made by this binary" 0 U run --once --now 2026-10-20T12:00
f=$(U urls --json | python3 -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["id"] == "math7"][0]["file"])')
$CHECK "$f" 2026-09-01T00:00:00Z 2027-07-01T00:00:00Z | cut -d'|' -f2 >"$T/u0"
expect "turned into a schema-3 state with old-form UIDs" sqlite3 "$UDB" "
    BEGIN;
    INSERT OR REPLACE INTO series (community, uid, fingerprint, sequence,
        slot_day, slot_time, created, changed)
      SELECT e.community, e.community || '.series@plc.example.edu',
        e.fingerprint, e.sequence, s.slot_day, s.slot_time, e.created,
        e.changed
      FROM series_epochs e LEFT JOIN series s USING (community)
      WHERE e.n = 0;
    DROP TABLE series_epochs;
    DROP TABLE rsvps; DROP TABLE meeting_changes; DROP TABLE quorum_watch;
    DROP TABLE busy_expanded; -- schema 8 (branch busypool)
    DROP TABLE place_keys; -- schema 11 (branch restart)
    DELETE FROM meta WHERE key = 'install_id';
    DROP TABLE announced; DROP TABLE destinations;
    DROP INDEX outbox_topic;
    ALTER TABLE outbox DROP COLUMN members;
    ALTER TABLE outbox DROP COLUMN topic;
    DROP TABLE attendance;
    ALTER TABLE action_items DROP COLUMN meeting;
    ALTER TABLE outbox DROP COLUMN html;
    COMMIT;
    PRAGMA user_version = 3;"
expect "the simulated state is schema 3 with math7.series@plc.example.edu" test \
    "$(sqlite3 "$UDB" "PRAGMA user_version; SELECT uid FROM series WHERE community = 'math7'; SELECT count(*) FROM sqlite_master WHERE name = 'series_epochs'")" = \
    "$(printf '3\nmath7.series@plc.example.edu\n0')"
expect_status "the upgraded worker's cycle" 0 U run --once --now 2026-10-21T12:00
expect "the state is migrated" test "$(sqlite3 "$UDB" 'PRAGMA user_version')" -ge 4
expect "the upgrade keeps the published UID" grep -q '^UID:math7.series@plc.example.edu' "$f"
expect "and shows the series once" test "$(grep -c '^UID:math7' "$f")" = "$(grep -c '^UID:math7.series@plc.example.edu' "$f")"
$CHECK "$f" 2026-09-01T00:00:00Z 2027-07-01T00:00:00Z >"$T/u1"
expect "ical.js: one UID, the old one, with the same meetings" sh -c "
    test \"\$(cut -d'|' -f1 '$T/u1' | sort -u)\" = math7.series@plc.example.edu &&
    cut -d'|' -f2 '$T/u1' | cmp -s - '$T/u0'"
uinst=$(sqlite3 "$UDB" "SELECT value FROM meta WHERE key = 'install_id'")
expect "a new install id is made once" sh -c "echo '$uinst' | grep -qx '[0-9a-f]\{8\}'"
sed -i "/^\[community math7\]/,/^\[/ s/^time .*/time = 16:15/" "$T/up/conf/demo.ini"
expect_status "a time change after the upgrade" 0 U run --once --now 2027-01-15T12:00
$CHECK "$f" 2026-09-01T00:00:00Z 2027-07-01T00:00:00Z >"$T/u2"
expect "the old epoch keeps the old UID up to the cut" sh -c "
    awk -F'|' '\$2 < \"2027-01-13\"' '$T/u2' | cut -d'|' -f1 | sort -u |
    grep -qx math7.series@plc.example.edu &&
    test \"\$(awk -F'|' '\$2 < \"2027-01-13\"' '$T/u2' | cut -d'|' -f1 | sort -u | wc -l)\" = 1"
expect "only the new epoch gets an install-id UID" sh -c "
    awk -F'|' '\$2 >= \"2027-01-13\"' '$T/u2' >'$T/u3'
    test -s '$T/u3' &&
    test \"\$(cut -d'|' -f1 '$T/u3' | sort -u)\" = math7.series.$uinst.1@plc.example.edu &&
    ! cut -d'|' -f2 '$T/u3' | grep -v ' 16:15\$'"
expect "no UID with the install id for the old epoch" sh -c "! grep -q '^UID:math7.series.$uinst@' '$f'"
