# Issue 16's "Done when", on `make run`'s demo config (conf/demo.ini on a
# free port): math7's reminders of Tue 12 Jan carry each e-mail member's
# RSVP link; two members answer "I can't come" over HTTP; the quorum watch
# sends the facilitator (alice) one message naming them, with other slots
# that week, each with a move-here link; following the first one moves the
# meeting in every feed that holds it (read with ical.js) and tells the
# change once: one notice per e-mail member and one post on demo-chat.
# Then the attendance page is pre-ticked from the "I'll be there" answers,
# and `meeting show` and `report` count the answers.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
CHECK="node $TOP/tests/icalcheck.mjs"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

port=$(pick_port 28000 2000)
base="http://127.0.0.1:$port"
mkdir -p "$T/demo/conf"
cp "$TOP"/conf/demo-*.ics "$T/demo/conf/"
sed -e "s|^listen .*|listen      = 127.0.0.1:$port|" \
    -e "s|^public_url .*|public_url  = $base|" \
    "$TOP/conf/demo.ini" >"$T/demo/conf/demo.ini"
D() { "$PLC" -c "$T/demo/conf/demo.ini" "$@"; }
MAIL="$T/demo/var/mail/new"
CHAT="$T/demo/var/chat.jsonl"
DB="$T/demo/var/state.db"
q() { sqlite3 "$DB" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# text_of TO SUBJECT-PART: the text/plain body of the one mail so named.
text_of() {
	$PY - "$MAIL" "$1" "$2" <<'EOF'
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
start_worker() {	# start_worker NOW
	"$PLC" -c "$T/demo/conf/demo.ini" run --now "$1" >>"$T/run.log" 2>&1 &
	pid=$!
	if wait_for 30 curl -sf -o /dev/null "$base/healthz"; then
		ok "the demo's worker serves /healthz at $1"
	else
		not_ok "the demo's worker serves /healthz at $1"
		sed 's/^/#   /' "$T/run.log"; exit 1
	fi
}
stop_worker() { kill "$pid"; wait "$pid" 2>/dev/null; pid=""; }

# An item due at the meeting, for the work section.
expect_status "action add, due at the meeting" 0 D action add math7 --owner bob \
    --due 2027-01-12 --title "Bring the unit 4 data" --now 2027-01-11T12:00Z
# The day-before reminders of Tue 12 Jan 15:30 New York (20:30Z).
expect_status "run --once at the demo's day-before reminders" 0 \
    D run --once --now 2027-01-11T20:30Z
for m in alice bob carol erin; do
	text_of $m@example.edu "Tomorrow: Reminder: Grade 7 Math PLC" >"$T/r-$m" 2>"$T/err.$m" ||
	    { sed 's/^/#   /' "$T/err.$m"; }
	contains "$m's reminder carries $m's own RSVP link" "$T/r-$m" \
	    "$base/v/v.math7.2027-01-12.$m."
done
expect "no RSVP link on the shared demo-chat" sh -c "! grep -q '/v/' '$CHAT'"

start_worker 2027-01-11T20:35Z
for m in bob carol; do
	link=$(grep -o "$base/v/[A-Za-z0-9._-]*" "$T/r-$m")
	expect "$m answers I can't come (POST, same origin): 200" \
	    test "$(code -X POST -H "Origin: $base" "$link?answer=no")" = 200
done
link=$(grep -o "$base/v/[A-Za-z0-9._-]*" "$T/r-alice")
expect "alice answers I'll be there: 200" \
    test "$(code -X POST -H "Origin: $base" "$link?answer=yes")" = 200
expect "the answers are recorded" \
    test "$(q "SELECT member || '=' || answer FROM rsvps ORDER BY id" | tr '\n' ' ')" = "bob=no carol=no alice=yes "
stop_worker

# The quorum watch: 3 of 4 required members needed (quorum = 0.75).
nq() { grep -l '^Subject: Quorum' "$MAIL"/* 2>/dev/null | wc -l; }
expect_status "run --once after the answers" 0 D run --once --now 2027-01-11T20:40Z
expect "one quorum message" test "$(nq)" = 1
text_of alice@example.edu "Quorum short for Grade 7 Math PLC on Tue 12 Jan" >"$T/qm"
contains "it counts who can come" "$T/qm" \
    "Only 2 of the 4 required members of Grade 7 Math PLC can come"
contains "it names bob" "$T/qm" "- Bob Jones (bob)"
contains "it names carol" "$T/qm" "- Carol Ng (carol)"
nmv=$(grep -c "^  Move it here: $base/m/m\.math7\.2027-01-12\." "$T/qm")
expect "it offers other slots that week, each with a move link ($nmv)" \
    test "$nmv" -ge 1 -a "$nmv" -le 3
expect_status "run --once again" 0 D run --once --now 2027-01-11T20:45Z
expect "no second quorum message" test "$(nq)" = 1

# Every feed that holds math7's meeting of 12 Jan.
feeds() { D urls --json | $PY -c '
import json, sys
for x in json.load(sys.stdin):
    print(x["id"], x["file"])'; }
jan12() {	# jan12 FILE: math7's meeting of that week, "local start|SEQUENCE"
	$CHECK "$1" 2027-01-11T00:00:00Z 2027-01-17T00:00:00Z |
	    grep 'Grade 7 Math PLC' | cut -d'|' -f2,6
}
feeds >"$T/feeds"
: >"$T/holding"
while read -r id file; do
	case $(jan12 "$file") in "2027-01-12 15:30|"*) echo "$id $file" >>"$T/holding" ;; esac
done <"$T/feeds"
expect "the meeting is at 15:30 in the community's and members' feeds (6)" \
    test "$(wc -l <"$T/holding")" = 6
slot=$(sed -n 's/^- \(.*\): [0-9]* of 4 required members free.*/\1/p' "$T/qm" | head -n 1)
mv=$(grep -o "$base/m/[A-Za-z0-9._-]*" "$T/qm" | head -n 1)
echo "# first slot offered: $slot"

start_worker 2027-01-11T20:50Z
expect "following the first move-here link (POST): 200" \
    test "$(code -X POST -H "Origin: $base" "$mv")" = 200
expect "the move is recorded, by link:alice" \
    test "$(q "SELECT action || ' ' || by FROM meeting_changes")" = "move link:alice"
newd=$(q "SELECT to_date FROM meeting_changes")
newt=$(q "SELECT printf('%02d:%02d', to_time / 60, to_time % 60) FROM meeting_changes")
all_moved() {
	while read -r id file; do
		case $(jan12 "$file") in "$newd $newt|"[1-9]*) ;; *) return 1 ;; esac
	done <"$T/holding"
}
expect "every feed moves the meeting to $newd $newt, SEQUENCE raised (ical.js)" \
    wait_for 30 all_moved
all_moved || while read -r id file; do echo "# $id: $(jan12 "$file")"; done <"$T/holding"
stop_worker

expect_status "run --once after the move" 0 D run --once --now 2027-01-11T20:55Z
notices() { q "SELECT coalesce(member, '') || '|' || channel || '|' || coalesce(members, '') FROM outbox WHERE kind = 'change' AND meeting = '2027-01-12' AND status = 'sent' ORDER BY channel, member" | tr '\n' ' '; }
expect "the change is told once: an e-mail per e-mail member, one post on demo-chat for alice and dan" \
    test "$(notices)" = "|demo-chat|alice,dan alice|email| bob|email| carol|email| erin|email| "
[ "$(notices)" = "|demo-chat|alice,dan alice|email| bob|email| carol|email| erin|email| " ] || echo "# notices: $(notices)"
text_of bob@example.edu "Moved: Grade 7 Math PLC" >"$T/n-bob"
contains "bob's notice says where it went, in his zone" "$T/n-bob" "Moved:"
expect "one Moved post on demo-chat" \
    test "$(grep -c 'Moved: Grade 7 Math PLC' "$CHAT")" = 1
expect_status "run --once again" 0 D run --once --now 2027-01-11T21:00Z
expect "nothing told twice" \
    test "$(q "SELECT count(*) FROM outbox WHERE kind = 'change' AND meeting = '2027-01-12'")" = 5

# After the meeting: the attendance page ticks the "I'll be there" answers
# until attendance is recorded.
sign() {	# sign KIND SUBJECT EXPIRES
	$PY -c '
import base64, hashlib, hmac, sys
key = open(sys.argv[1], "rb").read().strip()
kind, subject, exp = sys.argv[2:]
ctx = {"v": "rsvp", "m": "move", "d": "done", "a": "attend", "r": "report"}[kind]
what = subject + "." + exp
mac = hmac.new(key, ("plc-cadence link v3 %s:" % ctx + what).encode(), hashlib.sha256).digest()
print(kind + "." + what + "." + base64.urlsafe_b64encode(mac).decode().rstrip("="))' \
	    "$T/demo/var/link.key" "$@"
}
start_worker 2027-01-13T14:00Z
roll="$base/t/$(sign a math7.2027-01-12 1900000000)"
curl -s -o "$T/roll" "$roll"
ticked() { grep -o 'value="[a-z]*" checked' "$T/roll" | cut -d'"' -f2 | tr '\n' ' '; }
expect "the roll pre-ticks alice, who said I'll be there, and no one else" test "$(ticked)" = "alice "
contains "it says where the ticks come from" "$T/roll" "Ticked: those who answered"
expect "POST the roll: alice, dan present" \
    test "$(code -X POST -H "Origin: $base" --data 'present=alice&present=dan' "$roll")" = 200
curl -s -o "$T/roll" "$roll"
expect "then it shows what was recorded" test "$(ticked)" = "alice dan "
stop_worker

expect_status "meeting show" 0 D meeting show math7 2027-01-12 --now 2027-01-13T14:05Z
contains "meeting show gives the attendance recorded" "$T/out" "alice        required yes   ("
expect "... present and absent per member" sh -c "grep -q '^  alice .* present$' '$T/out' && grep -q '^  bob .* absent$' '$T/out'"
contains "meeting show carries the work section" "$T/out" "Bring the unit 4 data — Bob Jones — due Tue 12 Jan"
contains "... as the reminders word it" "$T/r-bob" "Bring the unit 4 data — Bob Jones (yours) — due Tue 12 Jan"
expect_status "meeting show --json" 0 D meeting show math7 2027-01-12 --json --now 2027-01-13T14:05Z
expect "--json: attended per member, the work section" $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))
a = {x["member"]: x["attended"] for x in s["members"]}
assert a == {"alice": True, "bob": False, "carol": False, "dan": True, "erin": False}, a
assert "Bring the unit 4 data" in s["work"], s["work"]' "$T/out"
expect_status "report --json" 0 D report math7 --from 2027-01-01 --to 2027-01-31 --json --now 2027-01-13T14:10Z
expect "the report counts each member's answered RSVPs" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
m = {x["member"]: x["rsvps"] for x in r["members"]}
assert m["alice"] == 1 and m["bob"] == 1 and m["carol"] == 1 and m["dan"] == 0, m' "$T/out"
