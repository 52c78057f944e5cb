# The accountability report (issue 16, branch report): `report = 1st
# 07:00` sends the facilitator a monthly e-mail, text and HTML
# (multipart/alternative) whose HTML is tables only (no SVG, no script)
# with the link to the signed report page; that page, served by the
# running worker, is opened in Debian's Chromium: a screenshot is left at
# build/check/report.png and each member's stacked bar, read from the DOM,
# has the counts `report --json` gives; it fits a phone and prints.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

port=$(pick_port 28000 2000)
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
report      = 1st 07:00

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name     = Bob Jones
email    = bob@example.edu

[member carol]
name     = Carol <Ng>
email    = carol@example.edu
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# The term: bob one on time and one late, carol one overdue and one open,
# alice one on time; attendance on 1 and 8 Dec.
P action add math7 --owner bob --due 2026-11-20 --title "Unit test A" --now 2026-11-10T15:00Z >/dev/null
P action add math7 --owner bob --due 2026-11-20 --title "Unit test B" --now 2026-11-10T15:00Z >/dev/null
P action add math7 --owner carol --due 2026-12-01 --title "Data review" --now 2026-11-17T15:00Z >/dev/null
P action add math7 --owner carol --due 2027-01-01 --title "Plan unit 5" --now 2026-12-20T15:00Z >/dev/null
P action add math7 --owner alice --due 2026-12-10 --title "Book room" --now 2026-12-01T15:00Z >/dev/null
P action done 1 --now 2026-11-19T15:00Z >/dev/null
P action done 2 --now 2026-11-23T15:00Z >/dev/null
P action done 5 --now 2026-12-09T15:00Z >/dev/null
expect "five items, three done" test "$(sqlite3 "$T/state/state.db" "SELECT count(*) || '/' || sum(status = 'done') FROM action_items")" = "5/3"
expect_status "attendance of 1 Dec" 0 P meeting attend math7 2026-12-01 --present alice,bob --absent carol
expect_status "attendance of 8 Dec" 0 P meeting attend math7 2026-12-08 --present alice,bob,carol

# --- the monthly e-mail ---------------------------------------------------
expect_status "run --once on 1 Jan at 06:59 New York" 0 P run --once --now 2027-01-01T11:59Z
expect "no report before 07:00" sh -c "! grep -rqs 'Subject: Report' '$T/mail/new'"
expect_status "run --once on 1 Jan at 07:00 New York" 0 P run --once --now 2027-01-01T12:00Z
$PY - "$T/mail/new" >"$T/mail.json" 2>"$T/mail.err" <<'EOF'
import email, email.policy, json, os, sys
d = sys.argv[1]
found = []
for f in sorted(os.listdir(d)):
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
        policy=email.policy.default)
    if m["subject"].startswith("Report: "):
        found.append(m)
assert len(found) == 1, len(found)
m = found[0]
print(json.dumps({
    "to": m["to"].addresses[0].addr_spec,
    "subject": m["subject"],
    "type": m.get_content_type(),
    "parts": [p.get_content_type() for p in m.iter_parts()],
    "text": m.get_body(("plain",)).get_content(),
    "html": m.get_body(("html",)).get_content(),
}))
EOF
expect "one report mail, to the facilitator" $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["to"] == "alice@example.edu", m["to"]
assert m["subject"] == "Report: Grade 7 Math PLC, 2026-11-03 to 2027-01-01", m["subject"]' "$T/mail.json"
expect "multipart/alternative: text, then HTML" $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["type"] == "multipart/alternative", m["type"]
assert m["parts"] == ["text/plain", "text/html"], m["parts"]' "$T/mail.json"
expect "the HTML: tables, no SVG, no script, names escaped" $PY -c '
import json, sys
h = json.load(open(sys.argv[1]))["html"].lower()
assert h.count("<table") == 2, h
assert "<svg" not in h and "<script" not in h, h
assert "<style" not in h, "mail clients drop <style>: inline styles only"
assert "carol &lt;ng&gt;" in h and "<ng>" not in h, h' "$T/mail.json"
link=$($PY -c '
import json, re, sys
m = json.load(open(sys.argv[1]))
t = re.findall(r"https?://\S+/r/[A-Za-z0-9._-]+", m["text"])
h = re.findall(r"href=\"(https?://[^\"]+/r/[A-Za-z0-9._-]+)\"", m["html"])
assert len(t) == 1 and t == h, (t, h)
print(t[0])' "$T/mail.json")
expect "text and HTML carry the same signed report link" test -n "$link"
expect_status "run --once again on 1 Jan" 0 P run --once --now 2027-01-01T13:00Z
expect "the report is sent once a month" test "$(grep -rls 'Subject: Report' "$T/mail/new" | wc -l)" -eq 1

# --- the page, over HTTP --------------------------------------------------
"$PLC" -c "$T/plc.ini" run --now 2027-01-01T12:05Z >"$T/run.log" 2>&1 &
pid=$!
if wait_for 30 curl -sf -o /dev/null "$base/healthz"; then
	ok "run serves /healthz on 127.0.0.1:$port"
else
	not_ok "run serves /healthz on 127.0.0.1:$port"
	sed 's/^/#   /' "$T/run.log"; exit 1
fi
wait_for 10 sh -c "grep -q 'running on' '$T/run.log'"
curl -s -D "$T/h" -o "$T/page" "$link"
contains "GET the report link: 200" "$T/h" "HTTP/1.1 200"
contains "GET: HTML" "$T/h" "Content-Type: text/html; charset=utf-8"
contains "GET: not cached" "$T/h" "Cache-Control: no-store"
contains "GET: no script may run" "$T/h" "Content-Security-Policy: default-src 'none'"
expect "the page has no script" sh -c "! grep -qi '<script' '$T/page'"
expect "POST: 405" test "$(code -X POST "$link")" = 405
forged=$(printf '%s' "$link" | sed 's/.$/A/'); [ "$forged" = "$link" ] && forged=$(printf '%s' "$link" | sed 's/.$/B/')
expect "a forged link: 403" test "$(code "$forged")" = 403
expect "the report token under /t/: 403" test "$(code "$(printf '%s' "$link" | sed 's|/r/|/t/|')")" = 403

# --- the page in a real browser -------------------------------------------
P report math7 --json --now 2027-01-01T12:05Z >"$T/report.json"
rm -f "$TOP/build/check/report.png"
if node "$TOP/tests/reportpage.mjs" "$link" "$T/chromium" "$TOP/build/check/report.png" >"$T/browser" 2>"$T/browser.err"; then
	ok "Chromium opened the report page"
else
	not_ok "Chromium opened the report page"
	sed 's/^/#   /' "$T/browser.err" | tail -n 20
fi
expect "the screenshot is at build/check/report.png" test -s "$TOP/build/check/report.png"
expect "each member's bar has the counts of report --json" $PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
assert b["status"] == 200 and b["scripts"] == 0 and b["svgs"] == 3, b
bars = {x["member"]: x["seg"] for x in b["bars"]}
assert sorted(bars) == ["alice", "bob", "carol"], bars
for m in r["members"]:
    seg = bars[m["member"]]
    for k, j in (("on-time", "on_time"), ("late", "late"), ("open", "open"),
        ("overdue", "overdue")):
        assert seg.get(k, 0) == m[j], (m["member"], k, seg, m)
# Known answers of the term, independent of the report code.
assert (bars["bob"]["on-time"], bars["bob"]["late"]) == (1, 1), bars
assert (bars["carol"]["open"], bars["carol"]["overdue"]) == (1, 1), bars
assert bars["alice"] == {"on-time": 1, "on-time_width": bars["alice"]["on-time_width"]}, bars
# One item is one width, whoever owns it.
assert abs(bars["bob"]["late_width"] - bars["alice"]["on-time_width"]) < 0.5, bars' "$T/browser" "$T/report.json"
expect "an attendance strip per held meeting, who came" $PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
s = {x["meeting"]: (x["present"], x["absent"]) for x in b["strips"]}
assert s["2026-12-01"] == (2, 1) and s["2026-12-08"] == (3, 0), s
assert s["2026-11-03"] == (0, 0) and len(s) == 9, s
assert b["line_points"] == 12, b' "$T/browser"
expect "it reads on a phone and prints" $PY -c '
import json, sys
b = json.load(open(sys.argv[1]))
assert b["phone_overflow"] is False and b["phone_bar_width"] <= 390, b
assert b["print_svgs_visible"] is True and b["print_pdf_bytes"] > 2000, b' "$T/browser"
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
