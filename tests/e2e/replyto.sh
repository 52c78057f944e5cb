# A person to reply to: every e-mail about a community carries Reply-To its
# facilitator (name and address, encoded as any header); an escalation,
# which goes to the facilitator, copies the item's owner in Cc, and the
# SMTP envelope (aiosmtpd's RCPT TO list) delivers it to them too.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

mkdir -p "$T/smtp"
SMTP=$(free_port)
$PY "$TOP/tests/smtpd.py" "$SMTP" "$T/smtp" accept 2>"$T/smtp.log" &
SRV=$!
wait_for 10 test -e "$T/smtp/ready" || not_ok "the SMTP server did not start"

cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York

[smtp]
url      = smtp://127.0.0.1:$SMTP
starttls = off
from     = PLC Cadence <plc@example.edu>

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
escalate    = 1d

[member alice]
name  = Zoë Ärger-Smith
email = alice@example.edu

[member bob]
name  = Bob Jones
email = bob@example.edu
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
# headers FILE: Subject, To, Cc, Reply-To as Python's parser reads them.
headers() {
	$PY - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert not m.defects, m.defects
for h in ("subject", "to", "cc", "reply-to"):
    print("%s: %s" % (h, m[h]))
PY
}

# find_mail SUBJECT-START TO-ADDRESS: the first such message's file.
find_mail() {
	$PY - "$1" "$2" "$T/smtp/"*.eml <<'PY'
import email, email.policy, sys
for f in sys.argv[3:]:
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if sys.argv[1] in m["subject"] and m["to"].addresses[0].addr_spec == sys.argv[2]:
        print(f)
        break
PY
}

expect_status "action add" 0 P action add math7 --owner bob --due 2026-11-25 --title "Exit tickets" --now 2026-11-20T10:00
# Mon 30 Nov 15:31: the 1d reminders of Tue 1 Dec are due, and bob's item
# (due Wed 25 Nov) is overdue: alice is told.
expect_status "run --once" 0 P run --once --now 2026-11-30T15:31
remind_bob=$(find_mail Reminder bob@example.edu)
expect "bob's reminder arrived" test -n "$remind_bob"
headers "$remind_bob" >"$T/rb"
contains "bob's reminder: Reply-To the facilitator, name and address" "$T/rb" "reply-to: Zoë Ärger-Smith <alice@example.edu>"
contains "... and no Cc" "$T/rb" "cc: None"
expect "the name is RFC 2047-encoded on the wire" grep -q '^Reply-To: =?UTF-8?' "$remind_bob"
esc=$(find_mail Overdue alice@example.edu)
expect "the escalation arrived" test -n "$esc"
headers "$esc" >"$T/he"
contains "the escalation goes to the facilitator" "$T/he" "to: Zoë Ärger-Smith <alice@example.edu>"
contains "... with the owner in Cc" "$T/he" "cc: Bob Jones <bob@example.edu>"
contains "... and Reply-To the facilitator" "$T/he" "reply-to: Zoë Ärger-Smith <alice@example.edu>"
env=$(echo "$esc" | sed 's/\.eml$/.env/')
expect "the envelope delivers it to both (RCPT TO alice and bob)" test "$(tail -n +2 "$env" | sort | tr '\n' ' ')" = "alice@example.edu bob@example.edu "
expect "one escalation in the outbox (not one per recipient)" test "$(P outbox --json | $PY -c '
import json, sys
print(len([r for r in json.load(sys.stdin) if r["kind"] == "escalation" and r["status"] == "sent"]))')" = 1
