# With neither public_url nor listen there is no base for a link: feeds,
# mails, chat posts and every command's output carry no link and never
# "(null)" (what glibc prints for a NULL %s), and urls says public_url is
# needed (exit 78).  No event carries its feed's URL in any config.
. "$TOP/tests/e2e/lib.sh"

cat >"$T/plc.ini" <<EOF
[worker]
state_dir = $T/state
timezone  = America/New_York

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[channel team]
type = slack
url  = file:$T/chat.jsonl

[member alice]
email  = alice@example.edu
notify = email, team

[member bob]
name   = Bob Jones
email  = bob@example.edu
notify = email

[community math7]
name          = Grade 7 Math PLC
facilitator   = alice
members       = alice, bob
cadence       = weekly
day           = TU
time          = 15:30
start         = 2026-09-01
remind        = 1d, 1h
action_remind = 2d
notify        = team
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
: >"$T/all"
keep() { cat "$T/out" "$T/err" >>"$T/all"; }

expect_status "check exits 0" 0 P check --now 2026-12-01T12:00Z; keep
expect_status "action add exits 0" 0 P action add math7 --owner bob \
    --due 2026-12-10 --title 'Share the rubric' --now 2026-12-01T12:00Z; keep
expect_status "feeds exits 0" 0 P feeds --now 2026-12-01T12:00Z; keep
expect_status "run --once (reminders, nudges) exits 0" 0 \
    P run --once --now 2026-12-07T16:00Z; keep
expect_status "run --once again exits 0" 0 \
    P run --once --now 2026-12-08T14:00Z; keep
expect_status "outbox --json exits 0" 0 P outbox --json --now 2026-12-08T14:00Z
keep
expect_status "action list exits 0" 0 P action list --now 2026-12-08T14:00Z
keep
expect_status "urls exits 78 without public_url" 78 P urls; keep
contains "urls says public_url is needed" "$T/err" "public_url"
expect "urls prints no URL" test ! -s "$T/out"

expect "mails were written" test -n "$(ls "$T/mail/new" 2>/dev/null)"
expect "chat posts were written" test -s "$T/chat.jsonl"
expect "feeds were written" test -n "$(ls "$T/state/feeds")"
# Feeds unfolded, mails decoded (quoted-printable breaks long lines).
python3 - "$T" >>"$T/all" <<'EOF'
import email, email.policy, glob, os, sys
t = sys.argv[1]
for f in sorted(glob.glob(os.path.join(t, "state/feeds/*.ics"))):
	print(open(f, newline="").read().replace("\r\n ", ""))
for f in sorted(glob.glob(os.path.join(t, "mail/new/*"))):
	m = email.message_from_binary_file(open(f, "rb"),
	    policy=email.policy.default)
	print(str(m))
	for part in m.walk():
		if not part.is_multipart():
			print(part.get_payload(decode=True).decode("utf-8"))
print(open(os.path.join(t, "chat.jsonl")).read())
EOF
expect "no (null) in any output, feed, mail or chat post" \
    test "$(grep -c '(null)' "$T/all")" = 0
grep -n '(null)' "$T/all" | head -5 | sed 's/^/#   /'
expect "no link to the worker anywhere" \
    test "$(grep -Eic '/feeds/|/a/[A-Za-z0-9]|webcal:' "$T/all")" = 0
grep -Ein '/feeds/|/a/[A-Za-z0-9]|webcal:' "$T/all" | head -5 | sed 's/^/#   /'

# With a public_url, the feed URL is still in no event.
sed -i 's|^timezone  = America/New_York|&\npublic_url = https://plc.example.edu|' \
    "$T/plc.ini"
expect_status "feeds with public_url exits 0" 0 P feeds --now 2026-12-01T12:00Z
expect_status "urls with public_url exits 0" 0 P urls
contains "urls gives the feed URLs" "$T/out" "https://plc.example.edu/feeds/"
expect "no event carries a feed URL" \
    test "$(cat "$T"/state/feeds/*.ics | tr -d '\r\n ' | grep -c 'feeds/')" = 0
