# The welcome message: one e-mail per member with their own subscription
# links (https, webcal, Google Calendar and Outlook.com one-click links,
# percent-encoded), sent once through a real SMTP server (aiosmtpd), again
# after `token rotate`, never to a chat channel, none without public_url.
# The links are decoded by Python's urllib and opened on the worker's own
# HTTP server: each must give that member's feed.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; RUN=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; [ -n "$RUN" ] && kill $RUN 2>/dev/null; rm -rf "$T"' EXIT
NOW=2026-11-02T10:00

mkdir -p "$T/in"
SMTP=$(free_port)
$PY "$TOP/tests/smtpd.py" "$SMTP" "$T/in" accept 2>"$T/in.log" &
SRV=$!
wait_for 10 test -e "$T/in/ready" || { not_ok "smtpd did not start"; cat "$T/in.log"; }
HTTP=$(pick_port 14000 4000)
base="http://127.0.0.1:$HTTP"

conf() {	# conf FILE STATE [PUBLIC_URL]: the config, public_url only if given
	cat >"$1" <<EOF
[worker]
state_dir   = $2
timezone    = America/New_York
listen      = 127.0.0.1:$HTTP
${3:+public_url  = $3}
quiet_hours = 20:00-07:00

[smtp]
url      = smtp://127.0.0.1:$SMTP
starttls = off
from     = PLC Cadence <plc@example.edu>

[channel team]
type = slack
url  = file:$T/team.jsonl

[community math7]
name        = Grade 7 Math PLC
facilitator = bob
members     = bob, dan, erin
cadence     = weekly
day         = TU
time        = 15:30
duration    = 45m
start       = 2026-09-01
notify      = team

[member bob]
name   = Bob O'Neil & Zoë
email  = bob@example.edu

[member dan]
name   = Dan Okafor
email  = dan@example.edu
chat   = team:U07DAN000
notify = team

[member erin]
name   = Erin Chat-Only
chat   = team:U0ERIN
notify = team
EOF
}
conf "$T/plc.ini" "$T/state" "$base"
P() { "$PLC" -c "$T/plc.ini" "$@"; }
nmail() { ls "$T/in" | grep -c '\.eml$'; }
mail_to() {	# mail_to ADDR: the last .eml sent to ADDR
	for e in $(ls "$T/in"/*.env | sort -t/ -k"$(echo "$T/in" | tr -cd / | wc -c | awk '{print $1 + 2}')" -n); do
		grep -qx "$1" "$e" && last=${e%.env}.eml
	done
	echo "$last"
}
# parse EML: the message read as a mail client would, and its links
# percent-decoded; one "name=value" per line.
parse() {
	$PY - "$1" <<'EOF'
import email, email.policy, sys, urllib.parse
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("defects=%d" % len(m.defects))
print("type=" + m.get_content_type())
print("parts=%d" % len(list(m.walk())))
print("subject=" + str(m["subject"]))
text = m.get_content()
lines = text.splitlines()
for l in lines:
    if l.startswith("https://calendar.google.com/"):
        u = urllib.parse.urlsplit(l)
        q = urllib.parse.parse_qs(u.query, strict_parsing=True)
        print("google_path=" + u.path)
        print("google_cid=" + q["cid"][0])
        print("google_keys=" + ",".join(sorted(q)))
    elif l.startswith("https://outlook.live.com/"):
        u = urllib.parse.urlsplit(l)
        q = urllib.parse.parse_qs(u.query, strict_parsing=True)
        print("outlook_path=" + u.path)
        print("outlook_url=" + q["url"][0])
        print("outlook_name=" + q["name"][0])
        print("outlook_keys=" + ",".join(sorted(q)))
        # Percent-encoded: nothing but unreserved characters and %XX.
        print("outlook_raw_ok=%s" % all(c.isalnum() or c in "-._~%&=" for c in u.query))
    elif l.startswith("webcal://"):
        print("webcal=" + l)
    elif l.startswith("http://") or l.startswith("https://"):
        print("https=" + l)
print("apple=%s" % any("File > New Calendar Subscription" in l for l in lines))
EOF
}
get() { grep "^$1=" "$2" | head -1 | cut -d= -f2-; }
# calname FILE: a feed's X-WR-CALNAME (unfolded), read by ical.js.
calname() {
	node --input-type=module -e '
import fs from "node:fs";
import ICAL from "'"$TOP"'/tests/node_modules/ical.js/dist/ical.js";
const c = new ICAL.Component(ICAL.parse(fs.readFileSync(process.argv[1], "utf8")));
console.log(c.getFirstPropertyValue("x-wr-calname"));' "$1"
}
url_of() {	# url_of MEMBER: the https URL `urls --json` gives
	P urls --json | $PY -c 'import json, sys; print(next(u["url"] for u in json.load(sys.stdin) if u["kind"] == "member" and u["id"] == sys.argv[1]))' "$1"
}
serve() {	# serve: the worker in the background, until /healthz answers
	"$PLC" -c "$T/plc.ini" run >>"$T/run.log" 2>&1 &
	RUN=$!
	wait_for 30 curl -sf -o /dev/null "$base/healthz" || not_ok "run did not serve $base"
}
unserve() { kill $RUN; wait $RUN 2>/dev/null; RUN=""; }

# --- the first cycle: one welcome to each member with an e-mail address
expect_status "run --once exits 0" 0 P run --once --now $NOW
expect "two e-mails arrived: bob's and dan's welcome" test "$(nmail)" = 2
bobmail=$(mail_to bob@example.edu); danmail=$(mail_to dan@example.edu)
expect "one to bob, one to dan (whose notify is a chat channel)" test -n "$bobmail" -a -n "$danmail" -a "$bobmail" != "$danmail"
parse "$bobmail" >"$T/bob1"
contains "no MIME defects" "$T/bob1" "defects=0"
contains "one text/plain part, no calendar attachment" "$T/bob1" "type=text/plain"
contains "a single part" "$T/bob1" "parts=1"
contains "the subject" "$T/bob1" "subject=Your PLC calendar: subscribe once"
contains "the Apple Calendar line" "$T/bob1" "apple=True"
bob_url=$(url_of bob)
expect "the https link is bob's feed URL, as \`urls\` gives it" test "$(get https "$T/bob1")" = "$bob_url"
expect "the webcal link is the same with webcal://" test "$(get webcal "$T/bob1")" = "webcal://${bob_url#http://}"
expect "Google: /calendar/r with cid only" test "$(get google_path "$T/bob1") $(get google_keys "$T/bob1")" = "/calendar/r cid"
expect "Google: cid decodes to the webcal link" test "$(get google_cid "$T/bob1")" = "$(get webcal "$T/bob1")"
expect "Outlook.com: /calendar/0/addfromweb with url and name" test "$(get outlook_path "$T/bob1") $(get outlook_keys "$T/bob1")" = "/calendar/0/addfromweb name,url"
expect "Outlook.com: url decodes to the https link" test "$(get outlook_url "$T/bob1")" = "$bob_url"
expect "Outlook.com: the query is percent-encoded (the name holds ' & ë —)" test "$(get outlook_raw_ok "$T/bob1")" = True
P outbox --json --kind welcome >"$T/wel.json"
bob_token=${bob_url##*/feeds/}; bob_token=${bob_token%.ics}
expect "the dedup keys hold no part of the token" test "$(grep '"dedup"' "$T/wel.json" | grep -c "$(echo "$bob_token" | cut -c1-8)")" = 0
expect "they name the member" test "$(grep -c '"dedup": "welcome:\(bob\|dan\):[0-9a-f]\{12\}"' "$T/wel.json")" = 2
parse "$danmail" >"$T/dan1"
expect "dan's links are dan's" test "$(get https "$T/dan1")" = "$(url_of dan)" -a "$(get google_cid "$T/dan1")" = "webcal://$(url_of dan | sed 's|^http://||')"
expect "no welcome for erin, who has no e-mail address" test "$(P outbox --json --kind welcome --to erin | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 0
expect "never to a chat channel: no feed link in the channel's posts" sh -c "! grep -qs '/feeds/' '$T/team.jsonl'"
expect "nor a welcome row on any chat channel" test "$(P outbox --json --kind welcome | $PY -c 'import json, sys; print(sorted(set(r["channel"] for r in json.load(sys.stdin))))')" = "['email']"

expect_status "run --once again exits 0" 0 P run --once --now 2026-11-02T11:00
expect "nothing is sent twice" test "$(nmail)" = 2

# --- the links open the member's feed on the worker's HTTP server
serve
curl -sf -o "$T/bob.ics" "$(get https "$T/bob1")"
expect "bob's https link answers 200 with his feed" test -s "$T/bob.ics"
bobfile=$(P urls --json | $PY -c 'import json, sys; print(next(u["file"] for u in json.load(sys.stdin) if u["id"] == "bob"))')
expect "it is bob's feed file, byte for byte" cmp -s "$T/bob.ics" "$bobfile"
expect "ical.js reads its name: the Outlook.com name decoded" test "$(calname "$T/bob.ics")" = "$(get outlook_name "$T/bob1")"
expect "which is bob's calendar" test "$(get outlook_name "$T/bob1")" = "PLC — Bob O'Neil & Zoë"
curl -sf -o "$T/dan.ics" "$(get outlook_url "$T/dan1")"
expect "dan's Outlook.com url opens dan's feed" test "$(calname "$T/dan.ics")" = "PLC — Dan Okafor"
curl -sf -o "$T/dan2.ics" "$(get google_cid "$T/dan1" | sed 's|^webcal://|http://|')"
expect "dan's Google cid, as http, opens the same feed" cmp -s "$T/dan.ics" "$T/dan2.ics"
unserve

# --- token rotate: a new welcome with the new link, to bob only
expect_status "token rotate bob" 0 P token rotate bob
contains "it says the new links will be mailed" "$T/err" "the worker's next cycle mails bob the new links"
expect_status "run --once after the rotation" 0 P run --once --now 2026-11-02T12:00
expect "one more e-mail" test "$(nmail)" = 3
bobmail2=$(mail_to bob@example.edu)
expect "to bob" test "$bobmail2" != "$bobmail"
parse "$bobmail2" >"$T/bob2"
new_url=$(url_of bob)
expect "it carries the new link" test "$(get https "$T/bob2")" = "$new_url" -a "$new_url" != "$bob_url"
expect "Google and Outlook.com links follow it" test "$(get google_cid "$T/bob2") $(get outlook_url "$T/bob2")" = "webcal://${new_url#http://} $new_url"
expect "the outbox holds two welcomes for bob, both sent" test "$(P outbox --json --kind welcome --to bob | $PY -c 'import json, sys; print(" ".join(r["status"] for r in json.load(sys.stdin)))')" = "sent sent"
expect_status "run --once once more" 0 P run --once --now 2026-11-02T13:00
expect "and nothing more" test "$(nmail)" = 3
serve
expect "the new link opens bob's feed" test "$(curl -s -o "$T/bob2.ics" -w '%{http_code}' "$new_url")" = 200
expect "named as before" test "$(calname "$T/bob2.ics")" = "PLC — Bob O'Neil & Zoë"
expect "the old link is dead (404)" test "$(curl -s -o /dev/null -w '%{http_code}' "$bob_url")" = 404
unserve

# --- no public_url: no welcome (listen alone gives only a loopback URL)
conf "$T/nopub.ini" "$T/state2"
expect_status "without public_url: run --once exits 0" 0 "$PLC" -c "$T/nopub.ini" run --once --now $NOW
expect "no e-mail" test "$(nmail)" = 3
expect "no welcome planned" test "$("$PLC" -c "$T/nopub.ini" outbox --kind welcome)" = "(no messages)"
# public_url set later: the welcomes go then, with the right links.
conf "$T/pub.ini" "$T/state2" "$base"
expect_status "with public_url added: run --once" 0 "$PLC" -c "$T/pub.ini" run --once --now $NOW
expect "the two welcomes go now" test "$(nmail)" = 5

# --- quiet hours: planned for the member's morning
conf "$T/q.ini" "$T/state3" "$base"
expect_status "run --once at 22:00" 0 "$PLC" -c "$T/q.ini" run --once --now 2026-11-02T22:00
expect "nothing is sent in quiet hours" test "$(nmail)" = 5
expect "the welcomes wait for 07:00" test "$("$PLC" -c "$T/q.ini" outbox --json --kind welcome | $PY -c 'import json, sys; print(sorted(set((r["status"], r["due"]) for r in json.load(sys.stdin))))')" = "[('pending', '2026-11-03T12:00:00Z')]"
