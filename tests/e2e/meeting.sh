# The meeting cycle end to end (issue 16): reminders carry a personal RSVP
# link (e-mail, and a member's own chat channel only); over real HTTP
# against the running worker its GET changes nothing and POST records an
# answer that can change until the meeting starts; forged, expired,
# cross-kind and cross-origin requests get 403; Chromium presses "I'll be
# there"; `meeting show` lists answers and away days; the quorum watch
# tells the facilitator once, with move-here links whose POST (Chromium
# pressing "Move it here") moves the meeting in the feed (read with
# ical.js) and in `check`; and `meeting
# move/cancel/restore` from the shell do the same, recorded with who.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
CHECK="node $TOP/tests/icalcheck.mjs"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

port=$(pick_port 26000 2000)
base="http://127.0.0.1:$port"

cat >"$T/plc.ini" <<EOF
[worker]
state_dir   = $T/state
timezone    = America/New_York
listen      = 127.0.0.1:$port
public_url  = $base

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[channel team]
type = slack
url  = file:$T/team.jsonl

[channel dm-erin]
type = slack
url  = file:$T/erin.jsonl

[community math7]
name          = Grade 7 Math PLC
facilitator   = alice
members       = alice, bob, carol, dan
optional      = erin
cadence       = weekly
day           = TU
time          = 15:30
duration      = 45m
window        = MO-FR 07:30-16:30
start         = 2026-09-01
remind        = 3d
quorum        = 0.75
quorum_check  = 48h
notify        = team

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name   = Bob Jones
email  = bob@example.edu
chat   = team:U0BOB
notify = email, team

[member carol]
name  = Carol Ng
email = carol@example.edu

[member dan]
name  = Dan Ruiz
email = dan@example.edu
away  = 2026-12-15

[member erin]
name   = Erin Blake
email  = erin@example.edu
chat   = dm-erin:U0ERIN
notify = dm-erin
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
DB="$T/state/state.db"
q() { sqlite3 "$DB" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# text_of TO SUBJECT-PART: the text/plain body of the one mail so named.
text_of() {
	$PY - "$T/mail/new" "$1" "$2" <<'EOF'
import email, email.policy, os, sys
d, to, want = sys.argv[1], sys.argv[2], sys.argv[3]
found = []
for f in sorted(os.listdir(d)):
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
        policy=email.policy.default)
    if want in m["subject"] and m["to"].addresses[0].addr_spec == to:
        found.append(m.get_body(("plain",)).get_content())
assert len(found) == 1, "%d mails to %s with %r" % (len(found), to, want)
print(found[0], end="")
EOF
}
nmail() { ls "$T/mail/new" 2>/dev/null | wc -l; }
# nquorum: the quorum messages mailed so far (change notices and the like
# arrive beside them).
nquorum() { grep -l '^Subject: Quorum' "$T/mail/new/"* 2>/dev/null | wc -l; }
rsvps() { q "SELECT member || '=' || answer FROM rsvps ORDER BY id" | tr '\n' ' '; }
feed() { P urls --json | $PY -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["id"] == "math7"][0]["file"])'; }
# The 15 Dec meeting in the math7 feed as ical.js reads it:
# "local start|STATUS|SEQUENCE".
dec15() { $CHECK "$(feed)" 2026-12-14T00:00:00Z 2026-12-19T00:00:00Z | cut -d'|' -f2,5,6; }
start_worker() {	# start_worker NOW
	"$PLC" -c "$T/plc.ini" run --now "$1" >>"$T/run.log" 2>&1 &
	pid=$!
	if wait_for 30 curl -sf -o /dev/null "$base/healthz"; then
		ok "run serves /healthz at $1"
	else
		not_ok "run serves /healthz at $1"
		sed 's/^/#   /' "$T/run.log"; exit 1
	fi
	wait_for 10 sh -c "grep -q 'running on' '$T/run.log'"
}
stop_worker() { kill "$pid"; wait "$pid" 2>/dev/null; pid=""; }

# --- reminders with RSVP links ----------------------------------------------
# Sat 12 Dec 15:35 New York: the 3d reminders of Tue 15 Dec 15:30 are due.
expect_status "run --once at the 3d reminders exits 0" 0 \
    P run --once --now 2026-12-12T20:35Z
text_of bob@example.edu "Reminder" >"$T/r-bob"
contains "bob's reminder offers both answers" "$T/r-bob" \
    "Will you be there? Answer \"I'll be there\" or \"I can't come\" here:"
link=$(grep -o "$base/v/[A-Za-z0-9._-]*" "$T/r-bob")
tok=${link##*/v/}
expect "the link is v.math7.2026-12-15.bob.EXPIRES.MAC" $PY -c '
import re, sys
m = re.fullmatch(r"v\.math7\.2026-12-15\.bob\.(\d+)\.[A-Za-z0-9_-]{43}", sys.argv[1])
assert m, sys.argv[1]
# Valid until the meeting ends: Tue 15 Dec 16:15 New York.
assert int(m.group(1)) == 1797369300, m.group(1)' "$tok"
expect "dan, away on the meeting's day, gets no reminder" test -z "$(text_of dan@example.edu Reminder 2>/dev/null)"
for m in alice carol; do
	text_of $m@example.edu "Reminder" >"$T/r-$m"
	contains "$m's reminder carries her or his own link" "$T/r-$m" \
	    "$base/v/v.math7.2026-12-15.$m."
done
contains "erin's own chat channel carries her link" "$T/erin.jsonl" \
    "/v/v.math7.2026-12-15.erin."
expect "no personal link on the shared channel" \
    sh -c "! grep -q '/v/' '$T/team.jsonl'"
expect "the team channel did get the reminders" test -s "$T/team.jsonl"
expect "no personal link in any feed" sh -c "! grep -l '/v/\|/m/' '$T/state/feeds/'*.ics"

# --- RSVP over HTTP -------------------------------------------------------------
start_worker 2026-12-12T20:40Z
curl -s -D "$T/h" -o "$T/page" "$link"
contains "GET the RSVP link: 200" "$T/h" "HTTP/1.1 200"
contains "the page is not cached" "$T/h" "Cache-Control: no-store"
contains "the page sends no Referer to other sites" "$T/h" "Referrer-Policy: same-origin"
contains "the page names the community" "$T/page" "<dd>Grade 7 Math PLC</dd>"
contains "the page names the member" "$T/page" "<dd>Bob Jones</dd>"
contains "the page gives the meeting's time" "$T/page" \
    "Tue 15 Dec 2026 15:30–16:15 (America/New_York)"
contains "the page has an I'll be there button" "$T/page" "I'll be there</button>"
contains "the page has an I can't come button" "$T/page" "I can't come</button>"
expect "HEAD: 200" test "$(code -I "$link")" = 200
expect "GET and HEAD recorded nothing" test -z "$(rsvps)"

expect "POST yes: 200" test "$(code -X POST "$link?answer=yes")" = 200
expect "the answer is kept" test "$(rsvps)" = "bob=yes "
curl -s -o "$T/p2" -X POST -H "Origin: $base" "$link?answer=no"
contains "POST no (same origin) says so" "$T/p2" "you said you can&#39;t come"
expect "both answers are kept, the last counts" test "$(rsvps)" = "bob=yes bob=no "
expect "the answers carry their times" \
    test "$(q "SELECT count(DISTINCT at) FROM rsvps WHERE at > 0")" -ge 1
expect "POST from another site (Origin): 403" \
    test "$(code -X POST -H 'Origin: https://evil.example' "$link?answer=yes")" = 403
expect "POST from another site (Referer only): 403" \
    test "$(code -X POST -H 'Referer: https://evil.example/x' "$link?answer=yes")" = 403
expect "POST with an opaque Origin: 403" \
    test "$(code -X POST -H 'Origin: null' "$link?answer=yes")" = 403
expect "POST without an answer: 400" test "$(code -X POST "$link")" = 400
last=${tok#"${tok%?}"}
[ "$last" = A ] && swap=B || swap=A
expect "a tampered MAC: 403" test "$(code -X POST "$base/v/${tok%?}$swap?answer=yes")" = 403
other=$(echo "$tok" | sed 's/\.bob\./.carol./')
expect "the link moved onto another member: 403" \
    test "$(code -X POST "$base/v/$other?answer=yes")" = 403
expect "the RSVP link under /m/ (another kind's page): 403" \
    test "$(code -X POST "$base/m/$tok")" = 403
expect "the RSVP link relabelled as a move link: 403" \
    test "$(code -X POST "$base/m/m${tok#v}")" = 403
expect "the RSVP link relabelled as a done link: 403" \
    test "$(code -X POST "$base/a/d${tok#v}")" = 403
# Signed with the real key: expired, or for a member not in the community.
sign() {	# sign KIND SUBJECT EXPIRES
	$PY -c '
import base64, hashlib, hmac, sys
key = open(sys.argv[1], "rb").read().strip()
kind, subject, exp = sys.argv[2:]
ctx = {"v": "rsvp", "m": "move", "d": "done", "a": "attend", "r": "report"}[kind]
what = subject + "." + exp
mac = hmac.new(key, ("plc-cadence link v3 %s:" % ctx + what).encode(), hashlib.sha256).digest()
print(kind + "." + what + "." + base64.urlsafe_b64encode(mac).decode().rstrip("="))' \
	    "$T/state/link.key" "$@"
}
expect "the test signs links as the worker does" \
    test "$(sign v math7.2026-12-15.bob 1797369300)" = "$tok"
now=$(date -u -d 2026-12-12T20:40:00Z +%s)
expect "an expired link: 403" \
    test "$(code -X POST "$base/v/$(sign v math7.2026-12-15.bob $((now - 60)))?answer=yes")" = 403
expect "a link for someone not in the community: 403" \
    test "$(code -X POST "$base/v/$(sign v math7.2026-12-15.zoe 1797369300)?answer=yes")" = 403
expect "a link for a date with no meeting: 403" \
    test "$(code -X POST "$base/v/$(sign v math7.2026-12-16.bob 1797369300)?answer=yes")" = 403
curl -s -o "$T/refused" "$base/v/${tok%?}$swap"
contains "the refusal is a page saying so" "$T/refused" "This link is not valid"
expect "the refused requests recorded nothing" test "$(rsvps)" = "bob=yes bob=no "

carol=$(grep -o "$base/v/[A-Za-z0-9._-]*" "$T/r-carol")
expect "carol can't come: 200" test "$(code -X POST "$carol?answer=no")" = 200
alice=$(grep -o "$base/v/[A-Za-z0-9._-]*" "$T/r-alice")
if node "$TOP/tests/rsvppage.mjs" "$alice" "$T/chromium" "I'll be there" \
    >"$T/browser" 2>"$T/browser.err"; then
	ok "Chromium opened alice's link and pressed I'll be there"
else
	not_ok "Chromium opened alice's link and pressed I'll be there"
	sed 's/^/#   /' "$T/browser.err" | tail -n 20
fi
expect "Chromium saw both buttons, posted from this origin, and the answer" $PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
assert b["get_status"] == 200 and b["lang"] == "en", b
assert b["meeting"] == "Grade 7 Math PLC" and b["answer_before"] == "no answer yet", b
assert b["yes"] == 1 and b["no"] == 1, b
assert b["post_status"] == 200 and b["post_origin"] == sys.argv[2], b
assert b["after_status_text"].startswith("Thank you: you said you"), b
assert b["answer_after"] == "I'"'"'ll be there", b' "$T/browser" "$base"
expect "alice's answer is recorded" test "$(rsvps)" = "bob=yes bob=no carol=no alice=yes "
stop_worker

P meeting show math7 2026-12-15 --now 2026-12-12T20:45Z --json >"$T/show"
expect "meeting show --json: answers, away days, quorum" $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))
m = {x["member"]: (x["answer"], x["away"], x["required"], x["answers"]) for x in s["members"]}
assert m == {"alice": ("yes", False, True, 1), "bob": ("no", False, True, 2),
    "carol": ("no", False, True, 1), "dan": ("none", True, True, 0),
    "erin": ("none", False, False, 0)}, m
assert s["quorum_needed"] == 3 and s["unavailable"] == 3 and not s["quorum"], s' "$T/show"
expect_status "meeting show (text) exits 0" 0 P meeting show math7 2026-12-15 --now 2026-12-12T20:45Z
contains "meeting show says dan is away" "$T/out" "dan          required none  away"
contains "meeting show sums up the quorum" "$T/out" "quorum: 3 of 4 required members needed, 1 can come (below quorum)"

# --- the quorum watch ----------------------------------------------------------
# Sun 13 Dec 15:31 New York: 48 h before.
before=$(nmail)
expect_status "run --once at the quorum check exits 0" 0 P run --once --now 2026-12-13T20:31Z
expect "one message, to alice" test "$(($(nmail) - before))" = 1
text_of alice@example.edu "Quorum short for Grade 7 Math PLC on Tue 15 Dec" >"$T/qm"
contains "it counts who can come" "$T/qm" \
    "Only 1 of the 4 required members of Grade 7 Math PLC can come to the meeting of Tue 15 Dec 15:30"
contains "it names bob" "$T/qm" "- Bob Jones (bob)"
contains "it names carol" "$T/qm" "- Carol Ng (carol)"
contains "it names dan, away" "$T/qm" "- Dan Ruiz (dan), away that day"
expect "it offers three slots, best first, each with a move link" \
    test "$(grep -c "^  Move it here: $base/m/m\.math7\.2026-12-15\." "$T/qm")" = 3
contains "the best is the week's first free slot (dan is away Tuesday only)" "$T/qm" \
    "- Mon 14 Dec 07:30: 4 of 4 required members free"
expect_status "run --once again exits 0" 0 P run --once --now 2026-12-13T20:36Z
expect "no second quorum message while the outcome is the same" \
    test "$(($(nmail) - before))" = 1

# --- move it here ---------------------------------------------------------------
mv=$(grep -o "$base/m/[A-Za-z0-9._-]*" "$T/qm" | head -n 1)
expect "the feed has the meeting at 15:30 before" test "$(dec15)" = "2026-12-15 15:30|CONFIRMED|0"
start_worker 2026-12-13T20:40Z
curl -s -D "$T/h" -o "$T/mpage" "$mv"
contains "GET the move link: 200" "$T/h" "HTTP/1.1 200"
contains "the page offers the slot" "$T/mpage" "Mon 14 Dec 2026 07:30–08:15 (America/New_York)"
contains "the page has the button" "$T/mpage" "Move it here</button>"
expect "GET moved nothing" test "$(q "SELECT count(*) FROM meeting_changes")" = 0
expect "the move link under /v/: 403" test "$(code -X POST "$base/v/${mv##*/m/}?answer=yes")" = 403
expect "POST from another site: 403" \
    test "$(code -X POST -H 'Origin: http://localhost:1' "$mv")" = 403
if node "$TOP/tests/movepage.mjs" "$mv" "$T/chromium-m" >"$T/mbrowser" \
    2>"$T/mbrowser.err"; then
	ok "Chromium opened the move link and pressed Move it here"
else
	not_ok "Chromium opened the move link and pressed Move it here"
	sed 's/^/#   /' "$T/mbrowser.err" | tail -n 20
fi
expect "Chromium saw the offer, posted from this origin, and the confirmation" $PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
assert b["get_status"] == 200 and b["title"] == "Move the meeting — PLC Cadence", b
assert b["to"] == "Mon 14 Dec 2026 07:30–08:15 (America/New_York)" and b["buttons"] == 1, b
assert b["post_status"] == 200 and b["post_origin"] == sys.argv[2], b
assert b["after_status_text"].startswith("Moved."), b
assert b["buttons_after"] == 0, b' "$T/mbrowser" "$base"
expect "POST again: 200, nothing more recorded" test "$(code -X POST "$mv")" = 200
expect "the move is recorded, by link:alice" \
    test "$(q "SELECT meeting || ' ' || action || ' ' || to_date || ' ' || to_time || ' ' || by FROM meeting_changes")" = "2026-12-15 move 2026-12-14 450 link:alice"
moved() { test "$(dec15)" = "2026-12-14 07:30|CONFIRMED|1"; }
expect "the feed moves the meeting, SEQUENCE raised (ical.js)" wait_for 30 moved
[ "$(dec15)" = "2026-12-14 07:30|CONFIRMED|1" ] || echo "# feed: $(dec15)"
stop_worker
expect_status "check exits 0" 0 P check --now 2026-12-13T20:45Z
contains "check shows the move" "$T/out" "2026-12-14 07:30 America/New_York  (moved from 2026-12-15)"

# --- meeting move/cancel/restore from the shell -----------------------------
# Each writes the feeds itself, as `action` does: no worker runs here.
export USER=fran SUDO_USER=
expect_status "meeting restore undoes the link's move" 0 \
    P meeting restore math7 2026-12-15 --now 2026-12-13T21:00Z
at() { test "$(dec15 | cut -d'|' -f1)" = "$1"; }
expect "the feed has the meeting back at 15:30" at "2026-12-15 15:30"
expect "restore is recorded with who" \
    test "$(q "SELECT action || ' ' || by FROM meeting_changes ORDER BY id DESC LIMIT 1")" = "restore fran"
seq0=$(dec15 | cut -d'|' -f3)
expect_status "meeting move from the shell exits 0" 0 \
    P meeting move math7 2026-12-15 --to "2026-12-17 14:00" --now 2026-12-13T21:00Z
contains "meeting move says what it did" "$T/out" "math7 2026-12-15 moved to 2026-12-17 14:00 (by fran)"
expect "the feed has it on Thursday 14:00" at "2026-12-17 14:00"
expect "with a higher SEQUENCE" test "$(dec15 | cut -d'|' -f3)" -gt "$seq0"
expect_status "check after the shell move exits 0" 0 P check --now 2026-12-13T21:01Z
contains "check shows the shell move" "$T/out" "2026-12-17 14:00 America/New_York  (moved from 2026-12-15)"
expect_status "meeting cancel with a note exits 0" 0 \
    P meeting cancel math7 2026-12-15 --note "Snow day" --now 2026-12-13T21:02Z
expect "the feed no longer holds the meeting that week" test -z "$(dec15)"
expect "the cancel is kept with its note and who" \
    test "$(q "SELECT action || ' ' || note || ' ' || by FROM meeting_changes ORDER BY id DESC LIMIT 1")" = "cancel Snow day fran"
P meeting show math7 2026-12-15 --json --now 2026-12-13T21:03Z >"$T/show2"
expect "meeting show gives the change in force" $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["cancelled"] and s["change"]["action"] == "cancel", s
assert s["change"]["by"] == "fran" and s["change"]["note"] == "Snow day", s' "$T/show2"
expect_status "meeting restore after the cancel exits 0" 0 \
    P meeting restore math7 2026-12-15 --now 2026-12-13T21:04Z
expect "the feed holds it at 15:30 again" at "2026-12-15 15:30"
n=$(q "SELECT count(*) FROM meeting_changes")
expect_status "moving a date with no meeting: 65" 65 \
    P meeting move math7 2026-12-16 --to "2026-12-17 14:00" --now 2026-12-13T21:06Z
contains "it says the date is no meeting" "$T/err" "2026-12-16 is not a meeting of community math7"
expect_status "cancelling a past meeting: 65" 65 \
    P meeting cancel math7 2026-12-08 --now 2026-12-13T21:06Z
contains "it says the meeting is past" "$T/err" "2026-12-08 is in the past"
expect_status "moving into the past: 65" 65 \
    P meeting move math7 2026-12-15 --to "2026-12-11 14:00" --now 2026-12-13T21:06Z
expect_status "moving onto the next meeting's slot: 65" 65 \
    P meeting move math7 2026-12-15 --to "2026-12-22 15:30" --now 2026-12-13T21:06Z
contains "it names the clash as config moves do" "$T/err" \
    "move: 2026-12-15 -> 2026-12-22 15:30 is the slot of the meeting of 2026-12-22"
expect_status "a bad --to: 64" 64 \
    P meeting move math7 2026-12-15 --to "Thursday" --now 2026-12-13T21:06Z
expect_status "an unknown community: 65" 65 \
    P meeting cancel nope 2026-12-15 --now 2026-12-13T21:06Z
expect "the refused commands recorded nothing" test "$(q "SELECT count(*) FROM meeting_changes")" = "$n"

# A config move of the same date wins over the database's, with a warning.
expect_status "meeting cancel of 22 Dec exits 0" 0 \
    P meeting cancel math7 2026-12-22 --now 2026-12-13T21:07Z
sed -i 's/^quorum_check  = 48h$/quorum_check  = 48h\nmove          = 2026-12-22 -> 2026-12-23 15:30/' "$T/plc.ini"
expect_status "check with a config move of the same date exits 0" 0 \
    P check --now 2026-12-13T21:08Z
contains "the config's move wins" "$T/out" "2026-12-23 15:30 America/New_York  (moved from 2026-12-22)"
contains "with a warning" "$T/err" \
    "[community math7] meeting 2026-12-22: the config's move or cancel of that date wins over the cancel recorded with \`meeting\`"
sed -i '/^move          = 2026-12-22 -> 2026-12-23 15:30$/d' "$T/plc.ini"

# --- told again only when the outcome changes ----------------------------------
# Bob and carol change their minds: 3 of 4 can come, quorum is back.
before=$(nquorum)
start_worker 2026-12-14T14:00Z
expect "bob changes to yes: 200" test "$(code -X POST "$link?answer=yes")" = 200
expect "carol changes to yes: 200" test "$(code -X POST "$carol?answer=yes")" = 200
back() { test "$(($(nquorum) - before))" -ge 1; }
expect "the facilitator is told that quorum is back" wait_for 30 back
stop_worker
text_of alice@example.edu "Quorum back for Grade 7 Math PLC on Tue 15 Dec" >"$T/qb"
contains "the message says enough members can come again" "$T/qb" \
    "Enough members can come to the Grade 7 Math PLC meeting of Tue 15 Dec 15:30, New York time, again: 3 of 4 required members, 3 needed."
expect "one message only" test "$(($(nquorum) - before))" = 1
expect_status "run --once later exits 0" 0 P run --once --now 2026-12-14T15:00Z
expect "no further message while the outcome holds" test "$(($(nquorum) - before))" = 1
expect "the watch kept two outcomes for the meeting" \
    test "$(q "SELECT outcome || ' ' || serial FROM quorum_watch WHERE meeting = '2026-12-15'")" = "ok 2"

# --- answers close when the meeting starts --------------------------------------
start_worker 2026-12-15T20:40Z
curl -s -D "$T/h" -o "$T/late" -X POST "$link?answer=no"
contains "POST after the start: 409" "$T/h" "HTTP/1.1 409"
contains "the page says answers are closed" "$T/late" "your answer can no longer change"
expect "GET after the start has no buttons" sh -c "curl -s '$link' | grep -q 'The meeting has started' && ! curl -s '$link' | grep -q '<form'"
expect "nothing was recorded after the start" \
    test "$(q "SELECT answer FROM rsvps WHERE member = 'bob' ORDER BY id DESC LIMIT 1")" = yes
stop_worker
