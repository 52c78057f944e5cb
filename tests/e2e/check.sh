# `check` on the demo: the next three meetings at the right local times,
# one of them across the 1 November 2026 DST change in America/New_York.
. "$TOP/tests/e2e/lib.sh"

expect_status "check --now (local wall time) exits 0" 0 "$PLC" -c "$TOP/conf/demo.ini" check --now 2026-10-30T12:00
cp "$T/out" "$T/local"
contains "summary line" "$T/local" "ok: 3 communities, 6 members, 1 channel, 1 calendar"
# sci6 is placed by the worker (day = auto, time = auto): check says so
# (with the slot once `make run` placed it), and lists the busy calendars.
contains "the auto community is explained" "$T/local" "placed by the worker from members' availability"
contains "busy calendars are listed" "$T/local" "dan $TOP/conf/demo-busy-dan.ics: "
# math7 meets on Tuesdays at 15:30 New York time, before and after the change.
contains "math7 first next meeting (after DST ends)" "$T/local" "next        2026-11-03 15:30 America/New_York"
contains "math7 second" "$T/local" "2026-11-10 15:30 America/New_York"
expect_status "check --now in UTC gives the same meetings" 0 "$PLC" -c "$TOP/conf/demo.ini" check --now 2026-10-30T16:00:00Z
expect "UTC and local --now agree" cmp -s "$T/out" "$T/local"
expect_status "an offset --now is read" 0 "$PLC" -c "$TOP/conf/demo.ini" check --now 2026-10-30T12:00-04:00
expect "offset and local --now agree" cmp -s "$T/out" "$T/local"
