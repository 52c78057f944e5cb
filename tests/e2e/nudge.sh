# Action items end to end: an item added with `action add` is nudged into
# the maildir once, with a signed link; over real HTTP against the running
# worker the link's GET changes nothing, POST marks it done once (history
# actor "link"), forged, tampered, expired and dangling links get 403; the
# next cycle withdraws the item's pending nudges; escalation and digests
# arrive on time; and Debian's Chromium opens a link and presses the button.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

port=$(pick_port 24000 2000)
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

[channel team]
type = slack
url  = file:$T/team.jsonl

[community math7]
name          = Grade 7 Math PLC
facilitator   = alice
members       = alice, bob, carol
cadence       = weekly
day           = TU
time          = 15:30
start         = 2026-09-01
action_remind = 2d, 0d
escalate      = 1d
digest        = FR 14:00
notify        = team

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name     = Bob Jones
email    = bob@example.edu
timezone = America/Chicago
chat     = team:U0BOB

[member carol]
name  = Carol Ng
email = carol@example.edu
chat  = team:U0CAROL
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
DB="$T/state/state.db"
q() { sqlite3 "$DB" "$@"; }
# The mails in the maildir that were not there at the last `seen`,
# "TO<TAB>SUBJECT" per line, sorted.
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
    if m["subject"] == "Your PLC calendar: subscribe once":
        continue	# the welcome: welcome.sh's to check
    lines.append("%s\t%s" % (m["to"].addresses[0].addr_spec, m["subject"]))
print("\n".join(sorted(lines)))
EOF
}
# text_of SUBJECT-PART: the text/plain body of the one mail so named.
text_of() {
	$PY - "$T/mail/new" "$1" <<'EOF'
import email, email.policy, os, sys
d, want = sys.argv[1], sys.argv[2]
found = []
for f in sorted(os.listdir(d)):
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
        policy=email.policy.default)
    if want in m["subject"]:
        found.append(m.get_body(("plain",)).get_content())
assert len(found) == 1, "%d mails with %r" % (len(found), want)
print(found[0], end="")
EOF
}
# The database's action items, their history and the outbox, as SQL.
dump() { q ".dump action_items action_history outbox"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- items, and the first nudge -------------------------------------------
expect_status "action add (bob, due Thu 10 Dec) exits 0" 0 \
    P action add math7 --owner bob --due 2026-12-10 \
    --title 'Draft the <common> assessment & rubric' --now 2026-12-01T12:00Z
i1=$(cat "$T/out")
expect_status "action add (carol, due Wed 9 Dec) exits 0" 0 \
    P action add math7 --owner carol --due 2026-12-09 --title 'Book room 204' \
    --now 2026-12-01T12:00Z
i2=$(cat "$T/out")
expect_status "action add (bob, for the browser) exits 0" 0 \
    P action add math7 --owner bob --due 2026-12-10 --title 'Print exit tickets' \
    --now 2026-12-01T12:00Z
i3=$(cat "$T/out")
expect "the items are numbered 1, 2, 3" test "$i1 $i2 $i3" = "1 2 3"

seen
# Tue 8 Dec 09:00 Chicago: bob's 2d nudges (08:00 his time) are due;
# carol's (08:00 New York, Mon 7 Dec) goes late but still useful.
expect_status "run --once at bob's 2d nudge exits 0" 0 \
    P run --once --now 2026-12-08T15:00Z
mails >"$T/m1"
expect "bob got one nudge per item, carol one" test "$(cut -f1 "$T/m1" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" = " 2 bob@example.edu; 1 carol@example.edu;"
contains "the nudge's subject names the item and its day" "$T/m1" \
    "Due Thu 10 Dec: Draft the <common> assessment & rubric"
text_of "Due Thu 10 Dec: Draft the" >"$T/n1"
contains "the nudge gives the due day's zone and its end in bob's, as people say them" "$T/n1" \
    "due Thu 10 Dec New York time (by 23:00 Chicago time):"
link=$(grep -o "$base/a/[A-Za-z0-9_-]*" "$T/n1")
expect "the nudge carries a link under public_url/a/" \
    $PY -c 'import re,sys; assert re.fullmatch(r"1-\d+-\d+-[A-Za-z0-9_-]{43}", sys.argv[1].rsplit("/a/",1)[1])' "$link"
seen
expect_status "run --once again" 0 P run --once --now 2026-12-08T15:05Z
expect "no second copy of any nudge" test -z "$(mails)"
expect "the outbox has each 2d nudge sent once" \
    test "$(q "SELECT count(*) FROM outbox WHERE dedup LIKE 'nudge:math7:%:2d:%' AND status = 'sent'")" = 3

# --- the link over HTTP, against the running worker -----------------------
"$PLC" -c "$T/plc.ini" run --now 2026-12-08T15:10Z >"$T/run.log" 2>&1 &
pid=$!
if wait_for 30 curl -sf -o /dev/null "$base/healthz"; then
	ok "run serves /healthz on 127.0.0.1:$port"
else
	not_ok "run serves /healthz on 127.0.0.1:$port"
	sed 's/^/#   /' "$T/run.log"; exit 1
fi
# Settled: its first cycle has nothing to send.
wait_for 10 sh -c "grep -q 'running on' '$T/run.log'"
dump >"$T/d0"
curl -s -D "$T/h" -o "$T/page" "$link"
contains "GET the link: 200" "$T/h" "HTTP/1.1 200"
contains "GET the link: HTML" "$T/h" "Content-Type: text/html; charset=utf-8"
contains "GET the link: not cached" "$T/h" "Cache-Control: no-store"
contains "GET the link: no Referer with the secret to other sites" "$T/h" "Referrer-Policy: same-origin"
contains "the page has a language" "$T/page" '<html lang="en">'
contains "the page names the item, escaped" "$T/page" \
    "<h1>Draft the &lt;common&gt; assessment &amp; rubric</h1>"
contains "the page names the owner" "$T/page" "<dd>Bob Jones</dd>"
contains "the page names the community" "$T/page" "<dd>Grade 7 Math PLC</dd>"
contains "the page gives the due date and zone" "$T/page" "<dd>2026-12-10 (America/New_York)</dd>"
contains "the page has a POST form with Mark done" "$T/page" \
    '<form method="post">'
contains "the button says Mark done" "$T/page" '<button type="submit">Mark done</button>'
expect "HEAD the link: 200" test "$(code -I "$link")" = 200
expect "GET and HEAD changed nothing in the database" sh -c "dump() { sqlite3 '$DB' '.dump action_items action_history outbox'; }; dump | cmp -s - '$T/d0'"

# Refused links: 403 and nothing changed.
tok=${link##*/a/}
# ITEM-OPENED-EXPIRES-MAC; the MAC's base64url may hold '-' itself.
mac=${tok#*-*-*-}
last=${tok#"${tok%?}"}
[ "$last" = A ] && swap=B || swap=A
forged="$base/a/${tok%?}$swap"
expect "a tampered MAC: 403" test "$(code "$forged")" = 403
expect "POST with a tampered MAC: 403" test "$(code -X POST "$forged")" = 403
other="$base/a/2-${tok#1-}"
expect "the link moved onto another item: 403" test "$(code -X POST "$other")" = 403
opened=${tok#1-}; exp=${opened#*-}; opened=${opened%%-*}; exp=${exp%%-*}
later="$base/a/1-$opened-$((exp + 1))-$mac"
expect "a longer life without a new MAC: 403" test "$(code -X POST "$later")" = 403
expect "a malformed link: 403" test "$(code "$base/a/not-a-link")" = 403
curl -s -o "$T/refused" "$forged"
contains "the refusal is a page saying so" "$T/refused" "This link is not valid"
# Signed with the real key (the test can read it), but expired, or for an
# item that does not exist.
sign() {	# sign ITEM OPENED EXPIRES
	$PY -c '
import base64, hashlib, hmac, sys
key = open(sys.argv[1], "rb").read().strip()
what = "-".join(sys.argv[2:])
mac = hmac.new(key, ("plc-cadence link v2:" + what).encode(), hashlib.sha256).digest()
print(what + "-" + base64.urlsafe_b64encode(mac).decode().rstrip("="))' \
	    "$T/state/link.key" "$@"
}
expect "the test signs links as the worker does" test "$(sign 1 "$opened" "$exp")" = "$tok"
expect "the link names when item 1 was opened: its creation" \
    test "$opened" = "$(q "SELECT created FROM action_items WHERE id = 1")"
now=$(date -u -d 2026-12-08T15:10:00Z +%s)
expect "an expired link: 403" test "$(code -X POST "$base/a/$(sign 1 "$opened" $((now - 60)))")" = 403
expect "a link to no item: 403" test "$(code -X POST "$base/a/$(sign 99 "$opened" $((now + 86400)))")" = 403
expect "PUT on a link: 405" test "$(code -X PUT "$link")" = 405
expect "the refused links changed nothing" sh -c "sqlite3 '$DB' '.dump action_items action_history outbox' | cmp -s - '$T/d0'"

# POST: done once, as "link".
curl -s -D "$T/h" -o "$T/done" -X POST "$link"
contains "POST the link: 200" "$T/h" "HTTP/1.1 200"
contains "POST says it is marked done" "$T/done" "Marked done."
expect "the item is done" test "$(q "SELECT status FROM action_items WHERE id = 1")" = done
expect "its history says 'link' did it" \
    test "$(q "SELECT actor || ' ' || field || ' ' || old || ' ' || new FROM action_history WHERE item = 1 AND actor = 'link'")" = "link status open done"
hist=$(q "SELECT count(*) FROM action_history WHERE item = 1")
curl -s -D "$T/h" -o "$T/again" -X POST "$link"
contains "POST again: 200" "$T/h" "HTTP/1.1 200"
contains "POST again says it was already done" "$T/again" "already done; nothing changed"
expect "POST again adds no history" test "$(q "SELECT count(*) FROM action_history WHERE item = 1")" = "$hist"
curl -s -o "$T/after" "$link"
expect "GET after done: no button" sh -c "! grep -q '<form' '$T/after'"

# The worker sees the change and withdraws what was still to come.
withdrawn() { test "$(q "SELECT group_concat(status) FROM (SELECT DISTINCT status FROM outbox WHERE dedup LIKE 'nudge:math7:1:%:0d:%' OR dedup LIKE 'escalate:math7:1:%')")" = withdrawn; }
expect "the next cycle withdraws item 1's 0d nudge and escalations" wait_for 20 withdrawn
P outbox --json >"$T/ob"
expect "outbox --json shows them withdrawn, the sent 2d nudge kept" $PY -c '
import json, sys
rows = {r["dedup"]: r["status"] for r in json.load(open(sys.argv[1]))}
mine = {k: v for k, v in rows.items() if k.startswith("nudge:math7:1:")}
assert mine == {"nudge:math7:1:2026-12-10:2d:member:bob:email": "sent",
                "nudge:math7:1:2026-12-10:0d:member:bob:email": "withdrawn"}, mine
assert rows["nudge:math7:2:2026-12-09:0d:member:carol:email"] == "pending", rows' "$T/ob"

# --- the same page in a real browser --------------------------------------
link3=$(text_of "Print exit tickets" | grep -o "$base/a/[A-Za-z0-9_-]*")
if node "$TOP/tests/linkpage.mjs" "$link3" "$T/chromium" >"$T/browser" 2>"$T/browser.err"; then
	ok "Chromium opened the link and pressed Mark done"
else
	not_ok "Chromium opened the link and pressed Mark done"
	sed 's/^/#   /' "$T/browser.err" | tail -n 20
fi
expect "Chromium saw the item's page, then the confirmation" $PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
assert b["get_status"] == 200 and b["lang"] == "en", b
assert b["title"] == "Mark done — PLC Cadence" and b["h1"] == "Print exit tickets", b
assert b["status_before"] == "open" and b["buttons"] == 1, b
assert b["post_status"] == 200 and b["after_title"] == "Marked done — PLC Cadence", b
assert b["after_status_text"].startswith("Marked done."), b
assert b["status_after"] == "done" and b["buttons_after"] == 0, b' "$T/browser"
expect "the item the browser marked is done, by 'link'" \
    test "$(q "SELECT status FROM action_items WHERE id = 3") $(q "SELECT actor FROM action_history WHERE item = 3 AND field = 'status'")" = "done link"

kill "$pid"; wait "$pid" 2>/dev/null; pid=""

# --- escalation and digest --------------------------------------------------
# Fri 11 Dec 14:05 New York: carol's item (due Wed 9 Dec) is a day overdue
# since midnight Thu/Fri, moved out of alice's quiet hours to 07:00; the
# digest is due.
: >"$T/team.jsonl"
seen
expect_status "run --once at the digest exits 0" 0 P run --once --now 2026-12-11T19:05Z
mails >"$T/m2"
expect "one escalation to alice, one digest to carol, nothing for bob" \
    test "$(cut -f1 "$T/m2" | tr '\n' ' ')" = "alice@example.edu carol@example.edu "
text_of "Overdue: Book room 204" >"$T/esc"
contains "the escalation names the owner" "$T/esc" "Owner: Carol Ng (carol)"
contains "the escalation says how overdue" "$T/esc" "overdue by 1 day."
contains "the escalation carries the link" "$T/esc" "$base/a/2-"
text_of "Your open action items" >"$T/dig"
contains "carol's digest lists her overdue item" "$T/dig" "Overdue:
- Book room 204 — due Wed 9 Dec (item 2)"
expect "one chat post for the community's digest" test "$(wc -l <"$T/team.jsonl")" = 1
expect "the post sums up and mentions carol" $PY -c '
import json, sys
p = json.loads(open(sys.argv[1]).readline())
s = json.dumps(p)
assert "1 open action item, 1 overdue." in s and "Carol Ng 1" in s, s
assert "<@U0CAROL>" in s and "<@U0BOB>" not in s, s
assert "/a/" not in s, s' "$T/team.jsonl"
seen
expect_status "run --once again" 0 P run --once --now 2026-12-11T19:10Z
expect "no second escalation or digest" test -z "$(mails)"
expect "no second post" test "$(wc -l <"$T/team.jsonl")" = 1
# A day later: the second period's escalation, once.
seen
expect_status "run --once a day later" 0 P run --once --now 2026-12-12T19:05Z
expect "the second escalation, and only it" \
    test "$(mails)" = "alice@example.edu	Overdue: Book room 204 — Carol Ng"
expect "the outbox holds escalations 1 and 2 of item 2, sent" \
    test "$(q "SELECT group_concat(substr(dedup, 29, 1), ' ') FROM (SELECT dedup FROM outbox WHERE dedup LIKE 'escalate:math7:2:%' AND status = 'sent' ORDER BY dedup)")" = "1 2"
