# Away means away: a member away Mon 7 – Fri 11 Dec gets no reminder of
# the meeting on Tue 8, no nudge and no digest while away; the escalation
# of their overdue item still reaches the facilitator; on their first day
# back, after quiet hours, what came due goes once: one nudge, saying the
# item was due, and one digest.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3

cat >"$T/plc.ini" <<EOF
[worker]
state_dir   = $T/state
timezone    = America/New_York
quiet_hours = 20:00-07:00

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[community math7]
name          = Grade 7 Math PLC
facilitator   = alice
members       = alice, bob
cadence       = weekly
day           = TU
time          = 15:30
start         = 2026-09-01
remind        = 1d
action_remind = 1d, 0d
escalate      = 1d
digest        = FR 14:00

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
away  = 2026-12-07..2026-12-11
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
seen() { ls "$T/mail/new" >"$T/seen" 2>/dev/null || : >"$T/seen"; }
# The new mails since `seen`, "TO<TAB>SUBJECT" per line, sorted.
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
    lines.append("%s\t%s" % (m["to"].addresses[0].addr_spec, m["subject"]))
print("\n".join(sorted(lines)))
EOF
}
step() {	# step NOW: run --once at NOW, the new mails in $T/got
	seen
	expect_status "run --once --now $1" 0 P run --once --now "$1"
	mails >"$T/got"
}
bob() { grep -c '^bob@' "$T/got"; }

expect_status "action add (bob's, due Tue 8 Dec)" 0 P action add math7 --owner bob --due 2026-12-08 --title "Post exit-ticket data" --now 2026-12-03T12:00
step 2026-12-03T12:05
step 2026-12-07T16:00
contains "alice is reminded of Tuesday's meeting" "$T/got" "alice@example.edu	Tomorrow: Reminder: Grade 7 Math PLC"
expect "bob, away that day, is not; nor nudged" test "$(bob)" = 0
step 2026-12-08T16:00
expect "no nudge on the due day while away" test "$(bob)" = 0
step 2026-12-10T07:30
contains "the escalation reaches the facilitator" "$T/got" "alice@example.edu	Overdue: Post exit-ticket data — bob"
expect "and nothing reaches bob" test "$(bob)" = 0
step 2026-12-11T14:30
expect "no digest while away" test "$(bob)" = 0
step 2026-12-12T07:30
expect "nothing on the first day back before 08:00" test "$(bob)" = 0
step 2026-12-12T08:00
expect "on the first day back: one nudge and one digest" test "$(bob)" = 2
contains "the nudge says the item was due" "$T/got" "bob@example.edu	Was due Tue 8 Dec: Post exit-ticket data"
contains "the digest" "$T/got" "bob@example.edu	Your open action items — Grade 7 Math PLC (1, 1 overdue)"
step 2026-12-12T09:00
expect "nothing twice" test "$(bob)" = 0
step 2026-12-14T16:00
contains "back: bob is reminded of the next meeting" "$T/got" "bob@example.edu	Tomorrow: Reminder: Grade 7 Math PLC"
