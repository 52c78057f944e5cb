# The meeting cycle's agenda and minutes (issue 16, branch report): the
# facilitator is asked for the agenda agenda_due before a meeting and the
# recorder for minutes minutes_due after it, at those instants in their own
# zone and never in their quiet hours; the minutes prompt is withdrawn once
# items name the meeting (`action add --meeting`); its signed attendance
# page, over real HTTP against the running worker and in Debian's Chromium,
# records who came (a GET changes nothing; another site's POST, a forged
# link, a link of another kind are refused); `meeting attend` records it
# from the shell; the notes link is in the reminders and, per meeting, the
# URL of each occurrence in the feed as ical.js reads it.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
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
quiet_hours = 20:00-07:00

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob, carol
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-11-03
remind      = 1d
agenda_due  = 2d
minutes_due = 1d
recorder    = carol
notes_url   = https://docs.example.edu/plc/math7/{date}

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name     = Bob Jones
email    = bob@example.edu
timezone = America/Chicago

[member carol]
name     = Carol Ng
email    = carol@example.edu
timezone = Europe/Paris
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
DB="$T/state/state.db"
q() { sqlite3 "$DB" "$@"; }
seen() { ls "$T/mail/new" >"$T/seen" 2>/dev/null || : >"$T/seen"; }
# The mails not there at the last `seen`, "TO<TAB>SUBJECT" per line; the
# welcome mails (welcome.sh's) left out: carol's waits out her quiet hours.
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
    if m["subject"].startswith("Your PLC calendar"):
        continue
    lines.append("%s\t%s" % (m["to"].addresses[0].addr_spec, m["subject"]))
print("\n".join(sorted(lines)))
EOF
}
# text_of SUBJECT: the text/plain body of the one mail so named.
text_of() {
	$PY - "$T/mail/new" "$1" <<'EOF'
import email, email.policy, os, sys
d, want = sys.argv[1], sys.argv[2]
found = []
for f in sorted(os.listdir(d)):
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
        policy=email.policy.default)
    if m["subject"] == want:
        found.append(m.get_body(("plain",)).get_content())
assert len(found) == 1, "%d mails with %r" % (len(found), want)
print(found[0], end="")
EOF
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
att() { q "SELECT member || '=' || present || ':' || actor FROM attendance WHERE meeting = '$1' ORDER BY member" | tr '\n' ' '; }

# --- the agenda: Tue 8 Dec 15:30 New York, two days before -----------------
expect_status "run --once on Sun 6 Dec 14:59 New York" 0 P run --once --now 2026-12-06T19:59Z
seen
expect_status "run --once a minute before the agenda is due" 0 P run --once --now 2026-12-06T20:29Z
m=$(mails)
expect "nothing new a minute early" test -z "$m"
expect_status "run --once when it is due" 0 P run --once --now 2026-12-06T20:30Z
m=$(mails)
expect "the facilitator gets 'Post the agenda for Tue 8 Dec' at 15:30 in New York" \
    test "$m" = "alice@example.edu	Post the agenda for Tue 8 Dec"
text_of "Post the agenda for Tue 8 Dec" >"$T/agenda"
contains "the agenda prompt names the meeting in alice's zone" "$T/agenda" "Tue 8 Dec 15:30 New York time"
contains "the agenda prompt carries the notes link" "$T/agenda" "Notes: https://docs.example.edu/plc/math7/2026-12-08"
seen

# --- the minutes: a day after the end (Wed 9 Dec 16:15 New York) is 22:15
# in Paris, carol's quiet hours: held to Thu 10 Dec 07:00 Paris (06:00Z) --
expect_status "run --once just after the minutes' raw instant" 0 P run --once --now 2026-12-09T21:20Z
expect "no minutes prompt in carol's quiet hours" test -z "$(mails)"
expect "it waits in the outbox for 07:00 Paris" test \
    "$(q "SELECT datetime(due, 'unixepoch') FROM outbox WHERE dedup = 'minutes:math7:2026-12-08:member:carol:email'")" = "2026-12-10 06:00:00"
expect_status "run --once at 06:59 Paris" 0 P run --once --now 2026-12-10T05:59Z
expect "still nothing at 06:59 Paris" test -z "$(mails)"
expect_status "run --once at 07:00 Paris" 0 P run --once --now 2026-12-10T06:00Z
m=$(mails)
expect "the recorder gets 'Record minutes and action items of Tue 8 Dec'" \
    test "$m" = "carol@example.edu	Record minutes and action items of Tue 8 Dec"
text_of "Record minutes and action items of Tue 8 Dec" >"$T/minutes"
contains "the minutes prompt names the meeting in carol's zone" "$T/minutes" "Tue 8 Dec 21:30 Paris time"
contains "the minutes prompt carries the notes link" "$T/minutes" "Notes: https://docs.example.edu/plc/math7/2026-12-08"
contains "the minutes prompt says how to tie items to the meeting" "$T/minutes" "--meeting 2026-12-08"
link=$(grep -o "$base/t/[A-Za-z0-9._-]*" "$T/minutes")
expect "the minutes prompt carries a signed attendance link" test -n "$link"
seen

# --- items tied to a meeting withdraw its minutes prompt ------------------
expect "the minutes prompt of Tue 15 Dec is planned" test \
    "$(q "SELECT status FROM outbox WHERE dedup = 'minutes:math7:2026-12-15:member:carol:email'")" = pending
expect_status "action add --meeting 2026-12-15" 0 P action add math7 --owner bob --due 2026-12-22 --title "Share the data" --meeting 2026-12-15 --now 2026-12-15T22:00Z
expect "the item names its meeting" test "$(q "SELECT meeting FROM action_items WHERE id = 1")" = 2026-12-15
expect_status "action add --meeting on no meeting's date: exit 65" 65 P action add math7 --owner bob --due 2026-12-22 --title X --meeting 2026-12-16 --now 2026-12-15T22:00Z
contains "the date is named" "$T/err" "2026-12-16 is not a meeting of the community"
expect_status "action add --meeting with a bad date: exit 65" 65 P action add math7 --owner bob --due 2026-12-22 --title X --meeting tuesday --now 2026-12-15T22:00Z
expect "nothing added by the refusals" test "$(q "SELECT count(*) FROM action_items")" = 1
expect_status "run --once when the 15 Dec minutes would be due" 0 P run --once --now 2026-12-17T06:00Z
mails >"$T/m15"
expect "but no minutes prompt for a meeting whose items are in" sh -c "! grep -q 'Record minutes' '$T/m15'"
expect "its row is withdrawn" test \
    "$(q "SELECT status FROM outbox WHERE dedup = 'minutes:math7:2026-12-15:member:carol:email'")" = withdrawn
# The 1 Dec prompt was already late at the first cycle (20:59 in Paris,
# carol's quiet hours): held to her morning, then withdrawn when the cycles
# came at night again and the next meeting had passed.
expect "one minutes prompt sent in all (8 Dec); the late 1 Dec one never at night" test \
    "$(q "SELECT substr(dedup, 15, 10) || '=' || status FROM outbox WHERE kind = 'minutes' AND dedup < 'minutes:math7:2026-12-09' ORDER BY dedup" | tr '\n' ' ')" = "2026-12-01=withdrawn 2026-12-08=sent "
P action show 1 --json >"$T/show"
contains "action show --json names the meeting" "$T/show" '"meeting": "2026-12-15"'

# --- the notes link: in reminders, and the feed's per-meeting URL ---------
expect "the 1d reminder of Tue 22 Dec carries its notes link" sh -c \
    "sqlite3 '$DB' \"SELECT body FROM outbox WHERE dedup = 'meet:math7:2026-12-22:1d:member:bob:email'\" | grep -qF 'Notes: https://docs.example.edu/plc/math7/2026-12-22'"
expect_status "feeds on Thu 10 Dec" 0 P feeds --now 2026-12-10T12:00Z
feed=$(P urls --json | $PY -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["id"] == "math7"][0]["file"])')
if node "$TOP/tests/noteurls.mjs" "$feed" 2026-12-01T00:00:00Z 2027-01-01T00:00:00Z >"$T/urls" 2>"$T/urls.err"; then
	ok "ical.js reads the feed"
else
	not_ok "ical.js reads the feed"; sed 's/^/#   /' "$T/urls.err"
fi
expect "ical.js: each meeting has its own notes URL" test "$(cat "$T/urls")" = "2026-12-01|https://docs.example.edu/plc/math7/2026-12-01
2026-12-08|https://docs.example.edu/plc/math7/2026-12-08
2026-12-15|https://docs.example.edu/plc/math7/2026-12-15
2026-12-22|https://docs.example.edu/plc/math7/2026-12-22
2026-12-29|https://docs.example.edu/plc/math7/2026-12-29"
n=$(grep -c '^RECURRENCE-ID' "$feed")
expect "overrides from the start to the horizon (180d: 31 meetings, got $n)" test "$n" -eq 31
expect "the last override is the last meeting before the horizon" sh -c \
    "grep '^RECURRENCE-ID' '$feed' | tail -n 1 | grep -q '20270601T153000'"
cp "$feed" "$T/feed1"
expect_status "feeds again six hours later" 0 P feeds --now 2026-12-10T18:00Z
expect "six hours later the same bytes (no meeting entered the horizon)" cmp -s "$feed" "$T/feed1"
expect "the feed holds no signed link" sh -c "! grep -q '/t/\|/r/' '$feed'"

# --- the attendance page over HTTP ----------------------------------------
"$PLC" -c "$T/plc.ini" run --now 2026-12-10T06:05Z >"$T/run.log" 2>&1 &
pid=$!
if wait_for 30 curl -sf -o /dev/null "$base/healthz"; then
	ok "run serves /healthz on 127.0.0.1:$port"
else
	not_ok "run serves /healthz on 127.0.0.1:$port"
	sed 's/^/#   /' "$T/run.log"; exit 1
fi
wait_for 10 sh -c "grep -q 'running on' '$T/run.log'"
curl -s -D "$T/h" -o "$T/page" "$link"
contains "GET the attendance link: 200" "$T/h" "HTTP/1.1 200"
contains "GET: not cached" "$T/h" "Cache-Control: no-store"
contains "GET: a checkbox per member" "$T/page" 'name="present" value="carol"'
expect "GET: nobody pre-ticked (no answers yet)" sh -c "! grep -q checked '$T/page'"
expect "GET records nothing" test -z "$(att 2026-12-08)"
expect "POST from another site: 403" test "$(code -X POST -H "Origin: https://evil.example" -d present=bob "$link")" = 403
expect "and records nothing" test -z "$(att 2026-12-08)"
expect "POST naming a stranger: 400" test "$(code -X POST -H "Origin: $base" -d present=zed "$link")" = 400
expect "and records nothing" test -z "$(att 2026-12-08)"
curl -s -D "$T/h" -o "$T/page" -X POST -H "Origin: $base" -d 'present=alice&present=bob' "$link"
contains "POST from the page: 200" "$T/h" "HTTP/1.1 200"
contains "POST: saved" "$T/page" "Attendance saved."
expect "POST records every member, by 'link'" test "$(att 2026-12-08)" = "alice=1:link bob=1:link carol=0:link "
forged=$(printf '%s' "$link" | sed 's/.$/A/'); [ "$forged" = "$link" ] && forged=$(printf '%s' "$link" | sed 's/.$/B/')
expect "a forged link: 403" test "$(code "$forged")" = 403
expect "an attendance token under /r/: 403" test "$(code "$(printf '%s' "$link" | sed 's|/t/|/r/|')")" = 403
expect "PUT: 405" test "$(code -X PUT "$link")" = 405
expect "a form over 8 KiB: refused, nothing changed" sh -c \
    "test \"\$(head -c 9000 /dev/zero | tr '\\0' a | curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Origin: $base' --data-binary @- '$link')\" = 413"
expect "the refusals changed nothing" test "$(att 2026-12-08)" = "alice=1:link bob=1:link carol=0:link "

# --- the same page in a real browser --------------------------------------
if node "$TOP/tests/rollpage.mjs" "$link" "$T/chromium" carol,alice >"$T/browser" 2>"$T/browser.err"; then
	ok "Chromium opened the attendance page and saved it"
else
	not_ok "Chromium opened the attendance page and saved it"
	sed 's/^/#   /' "$T/browser.err" | tail -n 20
fi
expect "Chromium saw the roll as recorded, then saved" $PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
assert b["get_status"] == 200 and b["boxes"] == 3, b
assert sorted(b["ticked_before"]) == ["alice", "bob"], b
assert b["post_status"] == 200 and b["saved"].startswith("Attendance saved"), b
assert sorted(b["ticked_after"]) == ["alice", "carol"], b' "$T/browser"
expect "what the browser saved is recorded" test "$(att 2026-12-08)" = "alice=1:link bob=0:link carol=1:link "
kill "$pid"; wait "$pid" 2>/dev/null; pid=""

# --- attendance from the shell --------------------------------------------
expect_status "meeting attend" 0 P meeting attend math7 2026-12-01 --present alice,bob --absent carol --now 2026-12-02T12:00Z
contains "it says what it recorded" "$T/out" "math7 2026-12-01: 3 recorded"
me=$(id -un)
expect "recorded with who ran it" test "$(att 2026-12-01)" = "alice=1:$me bob=1:$me carol=0:$me "
expect_status "again, changing one" 0 P meeting attend math7 2026-12-01 --present carol
expect "only carol's row changes" test "$(att 2026-12-01)" = "alice=1:$me bob=1:$me carol=1:$me "
cp "$DB" "$T/before.db"
expect_status "a stranger: exit 65" 65 P meeting attend math7 2026-12-01 --present zed
contains "the stranger is named" "$T/err" "'zed' is not a member of math7"
expect_status "named twice: exit 65" 65 P meeting attend math7 2026-12-01 --present bob --absent bob
expect_status "no meeting that day: exit 65" 65 P meeting attend math7 2026-12-02 --present bob
contains "the date is named" "$T/err" "2026-12-02 is not a meeting of math7"
expect_status "an unknown community: exit 65" 65 P meeting attend geo7 2026-12-01 --present bob
expect_status "no --present or --absent: exit 64" 64 P meeting attend math7 2026-12-01
expect_status "a bad date: exit 65" 65 P meeting attend math7 12/01 --present bob
expect "the refusals left the attendance as it was" test "$(att 2026-12-01)" = "alice=1:$me bob=1:$me carol=1:$me "

# --- the report from the shell --------------------------------------------
expect_status "report --json" 0 P report math7 --to 2026-12-10 --json --now 2026-12-20T12:00Z
expect "report --json: meetings and attendance as recorded" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
c = r["community_figures"]
assert r["from"] == "2026-11-03" and r["to"] == "2026-12-10", r
assert (c["planned"], c["held"], c["moved"], c["cancelled"]) == (6, 6, 0, 0), c
# 1 Dec: 3 of 3; 8 Dec: alice, carol of 3.
assert abs(c["attendance_rate"] - 5 / 6) < 1e-9, c
m = {x["member"]: x for x in r["members"]}
assert (m["alice"]["meetings_expected"], m["alice"]["meetings_attended"]) == (6, 2), m
assert (m["bob"]["meetings_expected"], m["bob"]["meetings_attended"]) == (6, 1), m
assert m["carol"]["meetings_attended"] == 2, m
assert m["bob"]["owned"] == 0 and m["bob"]["rsvps"] == 0, m' "$T/out"
expect_status "report (text)" 0 P report math7 --from 2026-12-01 --to 2026-12-31 --now 2026-12-20T12:00Z
contains "the text report has the community's figures" "$T/out" "Meetings: 5 planned, 3 held, 0 moved, 0 cancelled"
expect_status "report of an unknown community: exit 65" 65 P report geo7
expect_status "report --from after --to: exit 65" 65 P report math7 --from 2026-12-10 --to 2026-12-01
expect_status "report --from with a bad date: exit 65" 65 P report math7 --from soon
