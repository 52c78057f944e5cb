# The work section of meeting reminders (issue 18): `run --once` at a
# reminder's time sends e-mails and a chat post that carry what is overdue,
# what is due before the next meeting and what got done since the last one
# (not before it); a member's own items come first, marked, with their notes
# only in that member's e-mail; an item done after the reminder was first
# planned shows as done when it goes.  And the `clock` keys: 12h wording,
# and a bad value named with file:line.
. "$TOP/tests/e2e/lib.sh"

cat >"$T/plc.ini" <<EOC
[worker]
state_dir   = $T/state
timezone    = America/New_York
public_url  = https://plc.example.edu

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[channel team]
type = slack
url  = file:$T/chat.jsonl

[community math7]
name          = Grade 7 Math PLC
facilitator   = alice
members       = alice, bob
cadence       = weekly
day           = TU
time          = 15:30
start         = 2026-10-06
location      = Room 204
remind        = 1d
notify        = team

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name     = Bob Jones
email    = bob@example.edu
timezone = America/Chicago
clock    = 12h
EOC
P() { "$PLC" -c "$T/plc.ini" "$@"; }
# has DESC FILE TEXT: like contains, for TEXT of several lines.
has() {
	if python3 -c 'import sys; sys.exit(sys.argv[2] not in open(sys.argv[1]).read())' "$2" "$3"
	then ok "$1"; else not_ok "$1"; sed 's/^/#   /' "$2"; fi
}
add() {	# add NOW OWNER DUE TITLE [NOTES]: prints the item's number
	P action add math7 --now "$1" --owner "$2" --due "$3" --title "$4" \
	    ${5:+--notes "$5"} 2>/dev/null
}
# The last meeting was Tue 27 Oct 15:30 New York (19:30Z), the next is
# Tue 3 Nov; its 1d reminder goes Mon 2 Nov 15:30 New York (20:30Z).
i1=$(add 2026-10-20T12:00Z bob 2026-10-30 "Post exit-ticket data" "Tab 3 of the grade 7 sheet")
i2=$(add 2026-10-20T12:00Z alice 2026-11-03 "Draft the norms")
i3=$(add 2026-10-20T12:00Z alice 2026-12-15 "Plan the unit 5 test")
i4=$(add 2026-10-20T12:00Z bob 2026-10-29 "Book room 204")
i5=$(add 2026-10-20T12:00Z alice 2026-10-26 "Old business")
i6=$(add 2026-10-20T12:00Z alice 2026-11-02 "Share exit tickets")
expect "six items added" test "$i1,$i6" = "1,6"
expect_status "item 4 done after the last meeting" 0 P action done 4 --now 2026-10-29T12:00Z
expect_status "item 5 done before it (the same morning)" 0 P action done 5 --now 2026-10-27T12:00Z
expect_status "a cycle the day before plans the reminder" 0 P run --once --now 2026-11-01T12:00Z
body_of() {	# body_of ID: the pending reminder's body for ID (member or math7)
	P outbox --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["kind"] == "reminder" and r["recipient"] == sys.argv[1] and r["status"] == "pending":
        print(r["body"]); break' "$1"
}
body_of bob >"$T/planned"
contains "the planned reminder lists item 6 as due" "$T/planned" "- #6 Share exit tickets — Alice Martin — due Mon 2 Nov"
# Done after the reminder was planned: the reminder must say so when sent.
expect_status "item 6 done the next morning" 0 P action done 6 --now 2026-11-02T14:00Z
# (Only the welcome messages, with the members' subscription links, went.)
expect "no reminder mailed yet" python3 -c '
import email, email.policy, os, sys
d = sys.argv[1]
subs = [email.message_from_binary_file(open(os.path.join(d, f), "rb"),
    policy=email.policy.default)["subject"] for f in os.listdir(d)] if os.path.isdir(d) else []
sys.exit(any("Reminder:" in s for s in subs))' "$T/mail/new"
expect_status "run --once at the reminder's time" 0 P run --once --now 2026-11-02T20:30Z
python3 - "$T/mail/new" "$T" <<'EOF'
import email, email.policy, os, sys
d, out = sys.argv[1], sys.argv[2]
for f in sorted(os.listdir(d)):
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"), policy=email.policy.default)
    if "Reminder:" not in m["subject"]:
        continue
    who = m["to"].addresses[0].username
    with open(os.path.join(out, who + ".mail"), "w") as o:
        o.write("Subject: %s\n%s" % (m["subject"], m.get_body(("plain",)).get_content()))
EOF
expect "bob got a reminder" test -s "$T/bob.mail"
expect "alice got a reminder" test -s "$T/alice.mail"
contains "bob's subject on his 12-hour clock" "$T/bob.mail" "Subject: Tomorrow: Reminder: Grade 7 Math PLC — Tue 3 Nov 2:30 PM"
contains "bob's meeting line: his zone by its city, the community's second" "$T/bob.mail" \
    "Tue 3 Nov 2:30 PM–3:15 PM Chicago time (3:30 PM–4:15 PM New York time), Room 204"
contains "alice's: one zone, 24-hour" "$T/alice.mail" "Tue 3 Nov 15:30–16:15 New York time, Room 204"
has "bob's: overdue, his own first and marked, days late" "$T/bob.mail" "Overdue:
- #1 Post exit-ticket data — Bob Jones (yours) — due Fri 30 Oct, 3 days late
    Notes: Tab 3 of the grade 7 sheet"
has "bob's: due before the next meeting" "$T/bob.mail" "Due before the next meeting (Tue 3 Nov):
- #2 Draft the norms — Alice Martin — due Tue 3 Nov"
contains "bob's: done since the last meeting, his first, item 6 done since planning" "$T/bob.mail" \
    "Done since Tue 27 Oct: Bob Jones — Book room 204 (#4) (yours); Alice Martin — Share exit tickets (#6)"
contains "alice's: her item first and marked" "$T/alice.mail" "- #2 Draft the norms — Alice Martin (yours) — due Tue 3 Nov"
contains "alice's: bob's overdue item, not marked" "$T/alice.mail" "- #1 Post exit-ticket data — Bob Jones — due Fri 30 Oct, 3 days late"
contains "alice's: done since, hers first" "$T/alice.mail" \
    "Done since Tue 27 Oct: Alice Martin — Share exit tickets (#6) (yours); Bob Jones — Book room 204 (#4)"
for f in bob alice; do
	if grep -qF -e "Old business" -e "Plan the unit 5" "$T/$f.mail"; then
		not_ok "$f's leaves out what was done before the last meeting and what is far ahead"
	else ok "$f's leaves out what was done before the last meeting and what is far ahead"; fi
done
if grep -qF "Notes:" "$T/alice.mail"; then not_ok "alice's has no one's notes"
else ok "alice's has no one's notes"; fi
if grep -qF "#6 Share exit tickets — Alice Martin — due" "$T/bob.mail"; then
	not_ok "item 6 is no longer listed as due"
else ok "item 6 is no longer listed as due"; fi

expect "one chat post" test "$(grep -c 'Reminder: Grade 7 Math PLC' "$T/chat.jsonl")" = 1
python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["text"])' "$T/chat.jsonl" >"$T/post"
contains "the post: overdue" "$T/post" "- #1 Post exit-ticket data — Bob Jones — due Fri 30 Oct, 3 days late"
contains "the post: due soon" "$T/post" "- #2 Draft the norms — Alice Martin — due Tue 3 Nov"
contains "the post: done since" "$T/post" "Done since Tue 27 Oct: Bob Jones — Book room 204 (#4); Alice Martin — Share exit tickets (#6)"
if grep -qF -e "(yours)" -e "Notes" -e "Tab 3" -e "https://plc.example.edu" -e "Old business" "$T/post"; then
	not_ok "the post: no one's marks, notes or links, nothing old"; sed 's/^/#   /' "$T/post"
else ok "the post: no one's marks, notes or links, nothing old"; fi

# check's view of the next meeting: the same section, from the same renderer.
expect_status "check at the reminder's time" 0 P check --now 2026-11-02T20:30Z
contains "check shows the next meeting's work" "$T/out" "  work        Overdue:"
contains "check: the same overdue line" "$T/out" "- #1 Post exit-ticket data — Bob Jones — due Fri 30 Oct, 3 days late"
contains "check: the same done line" "$T/out" "Done since Tue 27 Oct: Bob Jones — Book room 204 (#4); Alice Martin — Share exit tickets (#6)"

# clock: only 12h or 24h, named with file:line.
sed 's/^clock    = 12h/clock    = 13h/' "$T/plc.ini" >"$T/bad.ini"
expect_status "clock = 13h exits 78" 78 "$PLC" -c "$T/bad.ini" check
line=$(grep -n '^clock' "$T/bad.ini" | cut -d: -f1)
contains "the error names file:line, key and value" "$T/err" "$T/bad.ini:$line: [member bob] clock: '13h' is not 12h or 24h"
sed '/^\[worker\]$/a clock = 24' "$T/plc.ini" >"$T/bad2.ini"
expect_status "[worker] clock = 24 exits 78" 78 "$PLC" -c "$T/bad2.ini" check
contains "the worker's key too" "$T/err" "[worker] clock: '24' is not 12h or 24h"
