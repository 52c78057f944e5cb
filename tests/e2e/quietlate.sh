# A facilitator's agenda prompt that comes due while the worker is down
# waits out the facilitator's quiet hours, as nudges do, instead of going
# out at night when the worker comes back.
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
start         = 2026-12-01
agenda_due    = 2d

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOC
P() { "$PLC" -c "$T/plc.ini" "$@"; }
nmail() { find "$T/mail/new" -type f 2>/dev/null | wc -l; }
agenda() {	# agenda: the status of the prompt for Tue 8 Dec
	P outbox --kind agenda --json | /usr/bin/python3 -c '
import json, sys
print(" ".join(x["status"] for x in json.load(sys.stdin) if "8 Dec" in x["subject"]))'
}

expect_status "a cycle on Saturday plans the prompt" 0 P run --once --now 2026-12-05T12:00Z
expect "nothing is due yet" test "$(nmail)" = 0
expect "the prompt for Tue 8 Dec is pending" test "$(agenda)" = pending
# Down from then on; back at 23:30 on Sunday: the prompt (Sunday 15:30)
# is late, and alice's night has begun.
expect_status "a cycle at 23:30 on Sunday" 0 P run --once --now 2026-12-07T04:30Z
expect "no prompt in the facilitator's quiet hours" test "$(nmail)" = 0
contains "the log says it is held" "$T/err" "held until the end of quiet hours"
expect "still pending" test "$(agenda)" = pending
expect_status "a cycle at 07:05 on Monday" 0 P run --once --now 2026-12-07T12:05Z
expect "the prompt arrives, once" test "$(nmail)" = 1
expect "it is sent" test "$(agenda)" = sent
