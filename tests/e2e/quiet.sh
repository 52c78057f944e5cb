# A nudge that comes due while the worker is down and is still worth
# sending waits out its owner's quiet hours instead of going at night:
# held (pending, untried) at 23:30 the owner's time, sent once at 07:05.
. "$TOP/tests/e2e/lib.sh"

cat >"$T/plc.ini" <<EOC
[worker]
state_dir   = $T/state
timezone    = America/New_York
quiet_hours = 20:00-07:00

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[community math7]
facilitator   = alice
members       = alice, bob
cadence       = weekly
day           = TU
time          = 15:30
start         = 2027-06-01
action_remind = 2d

[member alice]
email = alice@example.edu

[member bob]
email    = bob@example.edu
timezone = America/Los_Angeles
EOC
P() { "$PLC" -c "$T/plc.ini" "$@"; }
nmail() { find "$T/mail/new" -type f 2>/dev/null | wc -l; }
pending() {	# pending: the nudge row's status and attempts
	P outbox --json | /usr/bin/python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x["kind"] == "nudge"]
print(" ".join("%s/%d" % (x["status"], x["attempts"]) for x in r))'
}

expect_status "action add" 0 P action add math7 --owner bob --due 2026-12-10 \
    --title "Draft the assessment" --now 2026-12-05T12:00Z
expect_status "a first cycle plans the nudge" 0 P run --once --now 2026-12-05T12:00Z
expect "nothing is due yet" test "$(nmail)" = 0
# Down from then on; back at 23:30 in Los Angeles on 8 December: the 2d
# nudge (08:00 that day) is late but unexpired, and bob's night has begun.
expect_status "a cycle at 23:30 the owner's time" 0 P run --once --now 2026-12-09T07:30Z
expect "no mail in the owner's quiet hours" test "$(nmail)" = 0
contains "the log says it is held" "$T/err" "held until the end of quiet hours"
expect "the row is pending again, untried" test "$(pending)" = "pending/0"
expect_status "a cycle at 06:55 the owner's time" 0 P run --once --now 2026-12-09T14:55Z
expect "still nothing before 07:00" test "$(nmail)" = 0
expect_status "a cycle at 07:05 the owner's time" 0 P run --once --now 2026-12-09T15:05Z
expect "the nudge arrives, once" test "$(nmail)" = 1
contains "to the owner" "$(find "$T/mail/new" -type f | head -1)" "bob@example.edu"
expect "the row is sent" test "$(pending)" = "sent/1"
expect_status "another cycle" 0 P run --once --now 2026-12-09T15:10Z
expect "no second copy" test "$(nmail)" = 1
