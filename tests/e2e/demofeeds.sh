# `make run`'s demo, as a teacher sees it: tests/demo.sh on a copy of
# conf/demo.ini (on a free port instead of 8080), then every feed URL it
# prints fetched with curl and read by ical.js, and the demo's three series
# at the right local times across DST, the winter break and a staff day.
. "$TOP/tests/e2e/lib.sh"

CHECK="node $TOP/tests/icalcheck.mjs"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
mkdir -p "$T/conf" "$T/var"
cp "$TOP/conf/"demo-*.ics "$T/conf/"
sed -e "s|^listen .*|listen      = 127.0.0.1:$port|" \
    -e "s|^public_url .*|public_url  = $base|" \
    "$TOP/conf/demo.ini" >"$T/conf/demo.ini"

sh "$TOP/tests/demo.sh" "$PLC" "$T/conf/demo.ini" >"$T/demo.out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
up() { curl -sf -o /dev/null "$base/healthz"; }
wait_for 30 up
if up; then ok "the demo serves on 127.0.0.1:$port"
else not_ok "the demo serves on 127.0.0.1:$port"; sed 's/^/#   /' "$T/demo.out"; exit 1; fi

grep -o "$base/feeds/[0-9a-f]*\.ics" "$T/demo.out" >"$T/urls"
expect "the demo prints a feed URL for each of its 6 members and 3 communities" \
    test "$(sort -u "$T/urls" | wc -l)" = 9
bad=0
for u in $(cat "$T/urls"); do
	curl -sf -o "$T/feed.ics" "$u" &&
	    $CHECK "$T/feed.ics" 2026-09-01T00:00:00Z 2027-07-01T00:00:00Z >/dev/null 2>"$T/problems" ||
		{ bad=$((bad + 1)); echo "# $u:"; sed 's/^/#   /' "$T/problems"; }
done
expect "every demo feed, fetched with curl, reads clean in ical.js" test "$bad" = 0

url_of() {	# url_of ID: the URL printed after "community ID"
	awk -v id="$1" '$1 == "community" && $2 == id { getline; print $1; exit }' "$T/demo.out"
}
curl -sf -o "$T/math7.ics" "$(url_of math7)"
$CHECK "$T/math7.ics" 2027-03-01T00:00:00Z 2027-04-01T00:00:00Z | cut -d'|' -f2-4 |
    grep -E '^[0-9-]+ [0-9]' >"$T/got"
cat >"$T/want" <<'EOF'
2027-03-02 15:30|America/New_York|2027-03-02 20:30
2027-03-09 15:30|America/New_York|2027-03-09 20:30
2027-03-23 15:30|America/New_York|2027-03-23 19:30
2027-03-30 15:30|America/New_York|2027-03-30 19:30
EOF
expect_same "math7 in March: 15:30 New York across the 14 March change, no meeting on the staff day" "$T/got" "$T/want"
# The demo's action items are all-day events in the community's feed too:
# only the meetings (a date and a time) here.
$CHECK "$T/math7.ics" 2026-11-27T00:00:00Z 2027-01-10T00:00:00Z | cut -d'|' -f2,5 |
    grep -E '^[0-9-]+ [0-9]' >"$T/got"
cat >"$T/want" <<'EOF'
2026-12-01 15:30|CONFIRMED
2026-12-15 15:30|CONFIRMED
2027-01-05 15:30|CONFIRMED
EOF
expect_same "math7 around the winter break: cancelled 8 December (an EXDATE: no occurrence), nothing 22 and 29 December" "$T/got" "$T/want"

curl -sf -o "$T/ela8.ics" "$(url_of ela8)"
$CHECK "$T/ela8.ics" 2026-10-01T00:00:00Z 2026-12-01T00:00:00Z | cut -d'|' -f2-4 >"$T/got"
cat >"$T/want" <<'EOF'
2026-10-08 15:45|America/Chicago|2026-10-08 20:45
2026-11-12 15:45|America/Chicago|2026-11-12 21:45
EOF
expect_same "ela8: the second Thursday at 15:45 Chicago, on both sides of 1 November" "$T/got" "$T/want"

# sci6 is placed by `auto` from its members' availability: Wednesdays at
# 15:30 New York (tests/e2e/slots.sh shows why), skipping the holidays.
curl -sf -o "$T/sci6.ics" "$(url_of sci6)"
$CHECK "$T/sci6.ics" 2026-12-01T00:00:00Z 2026-12-20T00:00:00Z | cut -d'|' -f2-4 >"$T/got"
cat >"$T/want" <<EOF
2026-12-02 15:30|America/New_York|2026-12-02 20:30
2026-12-09 15:30|America/New_York|2026-12-09 20:30
2026-12-16 15:30|America/New_York|2026-12-16 20:30
EOF
expect_same "sci6: placed on Wednesdays at 15:30 New York by auto" "$T/got" "$T/want"

# The demo's action items in the reminders of math7's next meeting, which
# demo.sh previews the day before: its chat post and each member's e-mail
# carry the work section, with all three parts.
# One post, standing for alice and dan too (no copies of theirs there).
post=$(grep -F 'Reminder: Grade 7 Math PLC' "$T/var/chat.jsonl" | head -n 1)
for want in 'Overdue:\n- #1 Post exit-ticket data — Bob Jones — due ' \
    ', 5 days late' 'Due before the next meeting (' '- #3 Share the slides — Dan Okafor — due ' \
    'Done since ' ': Carol Ng — Book room 204 (#6)\n'; do
	case $post in
	*"$want"*) ok "the demo's math7 chat post says: $want" ;;
	*) not_ok "the demo's math7 chat post says: $want"; echo "# $post" ;;
	esac
done
case $post in
*"Old business"*|*"Plan the unit 5"*|*"grade 7 sheet"*) not_ok "the demo's chat post leaves out old, far and private things" ;;
*) ok "the demo's chat post leaves out old, far and private things" ;;
esac
# The meeting's own notes link (notes_url) is no item's notes: it is there.
case $post in
*"Notes: https://docs.example.edu/plc/math7/"*) ok "the demo's chat post carries the meeting's notes link" ;;
*) not_ok "the demo's chat post carries the meeting's notes link"; echo "# $post" ;;
esac
python3 - "$T/var/mail/new" >"$T/bobmail" <<'EOF'
import email, email.policy, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"), policy=email.policy.default)
    if "bob@" in m["to"] and "Reminder: Grade 7 Math PLC" in m["subject"]:
        print(m.get_body(("plain",)).get_content())
EOF
contains "bob's e-mailed reminder marks his own item" "$T/bobmail" \
    "- #1 Post exit-ticket data — Bob Jones (yours) — due "
contains "bob's e-mail: the notes of his own item" "$T/bobmail" "    Notes: The grade 7 sheet, tab 3"
contains "bob's e-mail: done since the last meeting" "$T/bobmail" "Carol Ng — Book room 204 (#6)"
