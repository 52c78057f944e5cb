# Reminders from the outbox to real servers on loopback: an SMTP server
# (aiosmtpd) and an HTTP webhook receiver.  Once, on time, never twice;
# retried on 429 with Retry-After, failed for good on 400, sent again after
# a crash mid-send, sent late while still useful and skipped once not.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

wait_file() {	# wait_file FILE: up to 10 s
	wait_for 10 test -e "$1"
}

mkdir -p "$T/smtp" "$T/hooks"
SMTP=$(free_port)
$PY "$TOP/tests/smtpd.py" "$SMTP" "$T/smtp" accept 2>"$T/smtp.log" &
SRV="$SRV $!"
$PY "$TOP/tests/receiver.py" "$T/hooks" 2>"$T/hooks.log" &
SRV="$SRV $!"
wait_file "$T/smtp/ready" || not_ok "the SMTP server did not start"
wait_file "$T/hooks/port" || not_ok "the webhook receiver did not start"
HTTP=$(cat "$T/hooks/port")
export HOOK_OK="http://127.0.0.1:$HTTP/ok"
export HOOK_BUSY="http://127.0.0.1:$HTTP/busy"
export HOOK_BAD="http://127.0.0.1:$HTTP/bad"

cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York

[smtp]
url      = smtp://127.0.0.1:$SMTP
starttls = off
from     = PLC Cadence <plc@example.edu>

[channel team]
type = slack
url  = env:HOOK_OK

[channel disc]
type = discord
url  = env:HOOK_BUSY

[channel mm]
type = mattermost
url  = env:HOOK_BAD

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob, carol
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
location    = Room 204
remind      = 1d
notify      = team

[member alice]
name   = Alice Martin
email  = alice@example.edu
chat   = team:U1ALICE
notify = email, team

[member bob]
name     = Bob Jones
email    = bob@example.edu
timezone = America/Chicago
chat     = disc:222333
notify   = email, disc

[member carol]
name   = Carol Ng
email  = carol@example.edu
notify = mm
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
nmail() { ls "$T/smtp" | grep -c '\.eml$'; }
nhook() { grep -l "^$1\$" "$T/hooks/"*.path 2>/dev/null | wc -l; }
status_of() {	# status_of DEDUP-SUBSTRING: the row's status
	P outbox --json | $PY -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if sys.argv[1] in r["dedup"]]
print(" ".join(sorted(r["status"] for r in rows)))' "$1"
}

# A day before the 3 November meeting: every 1d reminder is due.
expect_status "run --once on time exits 0" 0 P run --once --now 2026-11-02T15:31
expect "two e-mails arrived (alice, bob)" test "$(nmail)" = 2
expect "the envelope recipients are the members" \
    test "$(cat "$T/smtp/"*.env | grep -c 'alice@example.edu\|bob@example.edu')" = 2
expect "one Slack post: the community's, standing for alice too" test "$(nhook /ok)" = 1
expect "... mentioning her" grep -q 'U1ALICE' "$T/hooks/"*.json
expect "one Discord post, refused with 429" test "$(nhook /busy)" = 1
expect "one Mattermost post, refused with 400" test "$(nhook /bad)" = 1

# What arrived, read back by Python's e-mail parser: one text/plain part
# and no calendar attachment (an imported copy of one meeting would sit
# beside the subscription, and no later change would reach it).
bobmail=$(grep -l 'bob@example.edu' "$T/smtp/"*.env | sed 's/\.env$/.eml/')
$PY - "$bobmail" >"$T/bob" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert not m.defects, m.defects
print("Subject:", m["subject"])
print("Message-ID:", m["message-id"])
print("TYPE:", m.get_content_type())
for part in m.walk():
    if part.get_content_type() == "text/plain":
        print("TEXT:", part.get_content().replace("\n", " "))
    if part.get_content_type() == "text/calendar":
        print("CALENDAR:", part.get_param("method"))
EOF
contains "bob's subject gives his own time" "$T/bob" "Subject: Tomorrow: Reminder: Grade 7 Math PLC — Tue 3 Nov 14:30"
contains "bob's text gives both zones, as people say them" "$T/bob" "14:30–15:15 Chicago time (15:30–16:15 New York time)"
contains "bob's e-mail is one text/plain part" "$T/bob" "TYPE: text/plain"
expect "with no calendar attachment" sh -c "! grep -q '^CALENDAR:' '$T/bob' && ! grep -qi 'text/calendar' '$bobmail'"

# The chat payloads are each service's own.
okpost=$(grep -l '<@U1ALICE>' "$T/hooks/"*.json)
expect "alice is mentioned in a Slack section block" $PY -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["blocks"][0]["type"] == "section" and "<@U1ALICE>" in p["blocks"][0]["text"]["text"]' "$okpost"
busy=$(grep -l '^/busy$' "$T/hooks/"*.path | sed 's/\.path$/.json/')
expect "the Discord post may ping bob only" $PY -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["allowed_mentions"] == {"parse": [], "users": ["222333"]}, p
assert "<@222333>" in p["content"]' "$busy"
expect "posts are sent as JSON" test -z "$(grep -Lx 'application/json' "$T/hooks/"*.type)"

# The outbox says what happened, and why.
expect "e-mail and Slack rows are sent" test "$(status_of ':2026-11-03:1d:member:alice:email')" = sent
expect "the 429 row waits to be retried" test "$(status_of ':2026-11-03:1d:member:bob:disc')" = pending
P outbox --json >"$T/rows"
expect "Retry-After: 120 sets the next try" $PY -c '
import json, sys
r = [r for r in json.load(open(sys.argv[1])) if r["dedup"].endswith(":2026-11-03:1d:member:bob:disc")][0]
# --now starts the clock, which runs on: allow the seconds the run took.
assert r["attempts"] == 1 and "2026-11-02T20:33:00Z" <= r["next_try"] <= "2026-11-02T20:33:10Z", r' "$T/rows"
expect "the 400 row failed for good" test "$(status_of ':2026-11-03:1d:member:carol:mm')" = failed
expect_status "outbox --failed" 0 P outbox --failed
contains "outbox --failed shows the server's answer" "$T/out" "400 from http://127.0.0.1:$HTTP"
expect "the answer cannot forge a line" sh -c "! grep -q '^X-Injected' '$T/out'"

# Again at the same time: nothing twice.
expect_status "run --once again" 0 P run --once --now 2026-11-02T15:31
expect "no e-mail is sent twice" test "$(nmail)" = 2
expect "no Slack post is sent twice" test "$(nhook /ok)" = 1
expect "the 429 row waits for its Retry-After" test "$(nhook /busy)" = 1

# A crash between sending and marking: the row is still 'sending'.  The
# next start sends it again (at most the in-flight rows), same Message-ID.
sqlite3 "$T/state/state.db" "UPDATE outbox SET status = 'sending' WHERE dedup LIKE '%:2026-11-03:1d:member:alice:email'"
alicemail=$(grep -l 'alice@example.edu' "$T/smtp/"*.env | sed 's/\.env$/.eml/')
expect_status "run --once after a crash" 0 P run --once --now 2026-11-02T15:40
contains "the restart says what it sends again" "$T/err" "1 messages were being sent when the worker stopped"
expect "exactly that one e-mail goes again" test "$(nmail)" = 3
again=$(ls -t "$T/smtp/"*.eml | head -1)
expect "with the same Message-ID" test "$(grep -i '^Message-ID:' "$again")" = "$(grep -i '^Message-ID:' "$alicemail")"

# Down from before the meeting until after it started: the 429 row is
# worthless now and skipped, with a line in the log.
busy_before=$(nhook /busy)
expect_status "run --once after the meeting started" 0 P run --once --now 2026-11-03T15:40
contains "the expired row is logged as skipped" "$T/err" "reminder to bob on disc skipped"
expect "and marked skipped" test "$(status_of ':2026-11-03:1d:member:bob:disc')" = skipped
expect "and not posted again" test "$(nhook /busy)" = "$busy_before"
# disc and mm have refused since 20:31 the day before, past alert_after
# (6h): their facilitator is told, once for each.
expect "alice is told the disc and mm channels keep failing" test "$(nmail)" = 5
expect "in alert rows" test "$(status_of 'alert:failing:disc:') $(status_of 'alert:failing:mm:')" = "sent sent"

# Down over the next reminder's time, back before its meeting: sent late.
expect_status "run --once late but before the meeting" 0 P run --once --now 2026-11-09T20:00
expect "the late reminders go out" test "$(nmail)" = 7
expect "alice's 10 November reminder is sent" test "$(status_of ':2026-11-10:1d:member:alice:email')" = sent
