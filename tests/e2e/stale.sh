# Nothing stale: after downtime across several lead times of one meeting
# and of one action item, only the nearest of each goes, worded as of when
# it goes ("Today:", "Due today"); the others are skipped with a log line
# and shown as skipped in `outbox`.  A nudge sent late says the day it is.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3

cat >"$T/plc.ini" <<EOF
[worker]
state_dir = $T/state
timezone  = America/New_York

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[channel bobs]
type = discord
url  = file:$T/bob.jsonl

[community math7]
name          = Grade 7 Math PLC
facilitator   = bob
members       = bob
cadence       = weekly
day           = TH
time          = 15:30
start         = 2026-09-03
remind        = 2d, 1d, 1h
action_remind = 2d, 1d, 0d

[member bob]
email  = bob@example.edu
notify = email, bobs
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
seen() { ls "$T/mail/new" >"$T/seen" 2>/dev/null || : >"$T/seen"; }
mails() {
	$PY - "$T/mail/new" "$T/seen" <<'EOF'
import email, email.policy, os, sys
d = sys.argv[1]
seen = set(open(sys.argv[2]).read().split())
lines = []
for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    if f in seen:
        continue
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
        policy=email.policy.default)
    lines.append(m["subject"])
print("\n".join(sorted(lines)))
EOF
}

expect_status "action add (due Thu 10 Dec)" 0 P action add math7 --owner bob --due 2026-12-10 --title "Post exit-ticket data" --now 2026-12-01T11:00
expect_status "action add (due Fri 11 Dec)" 0 P action add math7 --owner bob --due 2026-12-11 --title "Share the rubric" --now 2026-12-01T11:00
expect_status "run --once on Tue 1 Dec: nothing due yet" 0 P run --once --now 2026-12-01T12:00
seen
# Down from then until Thursday 10 Dec, 15:00.
expect_status "run --once after the downtime" 0 P run --once --now 2026-12-10T15:00
mails >"$T/got"
expect "three mails: the hour-before reminder and each item's nearest nudge" test "$(wc -l <"$T/got")" = 3
contains "the reminder says today" "$T/got" "Today: Reminder: Grade 7 Math PLC — Thu 10 Dec 15:30"
contains "the nudge due today says so" "$T/got" "Due today: Post exit-ticket data"
contains "the nudge due tomorrow says so, though planned two days ahead" "$T/got" "Due tomorrow: Share the rubric"
expect "no mail names another day" sh -c "! grep -q 'Due Thu\|Due Fri\|Due Wed' '$T/got'"
expect "bob's own channel got the same three" test "$(wc -l <"$T/bob.jsonl")" = 3
expect "and no post says tomorrow of the item due today" sh -c "! grep -q 'Due tomorrow: Post' '$T/bob.jsonl'"
contains "the skipped ones are logged" "$T/err" "skipped: superseded"
expect_status "outbox --json" 0 P outbox --json
expect "the other lead times show as skipped, superseded" $PY -c '
import json, sys
rows = json.load(open(sys.argv[1]))
sk = sorted(r["dedup"].split(":member:")[0] for r in rows
            if r["status"] == "skipped" and r["last_answer"].startswith("superseded"))
want = sorted(["meet:math7:2026-12-10:2d", "meet:math7:2026-12-10:1d",
               "nudge:math7:1:2026-12-10:2d", "nudge:math7:1:2026-12-10:1d",
               "nudge:math7:2:2026-12-11:2d"])
# Each on both channels.
assert sk == sorted(want * 2), sk' "$T/out"
expect_status "outbox as text" 0 P outbox
contains "outbox shows skipped" "$T/out" "skipped"
seen
expect_status "run --once again" 0 P run --once --now 2026-12-10T15:05
expect "nothing more" test -z "$(mails)"
