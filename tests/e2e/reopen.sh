# A done link holds for the item as it was when the link was made: after
# `action reopen`, a link sent before gets 403 with the reason and changes
# nothing; the link in the next nudge (made after the reopening) works.  A
# link of the first format ("ITEM-EXPIRES-MAC", sent before links named the
# moment) counts as made at creation: good while the item was never
# reopened, refused once it was.  Over real HTTP against the running worker.
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

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[community math7]
facilitator   = alice
members       = alice, bob
cadence       = weekly
day           = TU
time          = 15:30
start         = 2026-09-01
action_remind = 2d, 0d

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
DB="$T/state/state.db"
q() { sqlite3 "$DB" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# link_of ITEM: the link in the newest mail that names "(item ITEM)".
link_of() {
	$PY - "$T/mail/new" "$1" "$base" <<'EOF'
import email, email.policy, os, re, sys
d, item, base = sys.argv[1:]
found = []
for f in os.listdir(d):
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
        policy=email.policy.default)
    text = m.get_body(("plain",)).get_content()
    if "(item %s)" % item in text:
        found.append((m["date"].datetime, re.search(re.escape(base) + r"/a/[A-Za-z0-9_-]+", text).group(0)))
print(max(found)[1])
EOF
}
# serve NOW: the worker's HTTP server at NOW, until stopped.
serve() {
	"$PLC" -c "$T/plc.ini" run --now "$1" >"$T/run.log" 2>&1 &
	pid=$!
	if ! wait_for 30 curl -sf -o /dev/null "$base/healthz"; then
		not_ok "run serves /healthz at $1"
		sed 's/^/#   /' "$T/run.log"; exit 1
	fi
	wait_for 10 sh -c "grep -q 'running on' '$T/run.log'"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null; pid=""; }
status() { q "SELECT status FROM action_items WHERE id = $1"; }

expect_status "action add (bob, due Thu 10 Dec) exits 0" 0 \
    P action add math7 --owner bob --due 2026-12-10 --title 'Draft the rubric' \
    --now 2026-12-01T12:00Z
expect_status "action add (alice, due Thu 10 Dec) exits 0" 0 \
    P action add math7 --owner alice --due 2026-12-10 --title 'Book the room' \
    --now 2026-12-01T12:00Z
# Tue 8 Dec 09:00 New York: the 2d nudges, each with its link.
expect_status "run --once at the 2d nudges exits 0" 0 \
    P run --once --now 2026-12-08T14:00Z
old=$(link_of 1)
expect "bob's 2d nudge carries a link" test -n "$old"

serve 2026-12-08T14:30Z
expect "the old link marks item 1 done" test "$(code -X POST "$old")" = 200
expect "item 1 is done" test "$(status 1)" = done
expect_status "action reopen 1 exits 0" 0 P action reopen 1 --now 2026-12-08T15:00Z
expect "item 1 is open again" test "$(status 1)" = open
hist=$(q "SELECT count(*) FROM action_history WHERE item = 1")
curl -s -D "$T/h" -o "$T/page" "$old"
contains "GET the old link after the reopening: 403" "$T/h" "HTTP/1.1 403"
contains "the page gives the reason" "$T/page" \
    "This link is older than the item&#39;s last change"
contains "the page says nothing changed" "$T/page" "Nothing was changed."
curl -s -D "$T/h" -o "$T/page" -X POST "$old"
contains "POST the old link after the reopening: 403" "$T/h" "HTTP/1.1 403"
expect "item 1 stays open" test "$(status 1)" = open
expect "no history was added" \
    test "$(q "SELECT count(*) FROM action_history WHERE item = 1")" = "$hist"
contains "the refusal is logged with its reason, not the link" "$T/run.log" \
    "older than its reopening was refused"
expect "the log holds no link" sh -c "! grep -qF '${old##*/a/}' '$T/run.log'"

# A link of the first format, signed with the worker's key (the test can
# read it): made at creation, so good for the item never reopened, stale
# for the reopened one.
sign_v1() {	# sign_v1 ITEM EXPIRES
	$PY -c '
import base64, hashlib, hmac, sys
key = open(sys.argv[1], "rb").read().strip()
what = "%s-%s" % (sys.argv[2], sys.argv[3])
mac = hmac.new(key, ("plc-cadence link v1:" + what).encode(), hashlib.sha256).digest()
print(what + "-" + base64.urlsafe_b64encode(mac).decode().rstrip("="))' \
	    "$T/state/link.key" "$1" "$2"
}
later=$(date -u -d 2026-12-20T00:00Z +%s)
expect "a first-format link to an item never reopened: 200" \
    test "$(code "$base/a/$(sign_v1 2 "$later")")" = 200
expect "a first-format link to the reopened item: 403" \
    test "$(code -X POST "$base/a/$(sign_v1 1 "$later")")" = 403
expect "item 1 is still open" test "$(status 1)" = open
stop

# Thu 10 Dec 08:30 New York: the 0d nudge, planned again after the
# reopening, carries a link made for the item as it is now.
expect_status "run --once at the 0d nudge exits 0" 0 \
    P run --once --now 2026-12-10T13:30Z
new=$(link_of 1)
expect "the 0d nudge carries another link" test -n "$new" -a "$new" != "$old"
serve 2026-12-10T13:35Z
expect "GET the new link: 200" test "$(code "$new")" = 200
expect "the old link is still refused" test "$(code -X POST "$old")" = 403
expect "POST the new link: 200" test "$(code -X POST "$new")" = 200
expect "item 1 is done, by the link" \
    test "$(status 1) $(q "SELECT actor FROM action_history WHERE item = 1 ORDER BY id DESC LIMIT 1")" = "done link"
stop
