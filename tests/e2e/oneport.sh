# One post per channel per event: a community of 12 members, 11 of them
# routed to its one chat channel, gets one post per reminder, change and
# digest summary there, mentioning every member routed to it; nobody gets
# a second copy on it, the two e-mail readers get theirs by e-mail, and
# `outbox` shows whom each post stood for.  The demo's channel gets no line
# twice.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3

CHAT="$T/chat.jsonl"
{
	cat <<EOF
[worker]
state_dir = $T/state
timezone  = America/New_York

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[channel team]
type = slack
url  = file:$CHAT

[community math7]
name        = Grade 7 Math PLC
facilitator = m01
members     = m01, m02, m03, m04, m05, m06, m07, m08, m09, m10, m11, m12
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
cancel      = 2026-12-08
remind      = 1d, 1h
digest      = FR 14:00
notify      = team
EOF
	for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
		printf '\n[member m%s]\nemail = m%s@example.edu\nchat = team:U00%s\n' $i $i $i
		case $i in
		11) echo "notify = email, team" ;;
		12) echo "notify = email" ;;
		*) echo "notify = team" ;;
		esac
	done
} >"$T/plc.ini"
P() { "$PLC" -c "$T/plc.ini" "$@"; }
nmail() { ls "$T/mail/new" 2>/dev/null | wc -l; }
lines() { if [ -f "$CHAT" ]; then wc -l <"$CHAT"; else echo 0; fi; }
# How many posts' text holds $1.
nposts() { grep -c -- "$1" "$CHAT"; }

expect_status "run --once: the cancellation is first seen" 0 P run --once --now 2026-12-01T17:00
expect "one post of the cancellation" test "$(nposts 'Cancelled: Grade 7 Math PLC — Tue 8 Dec')" = 1
expect "the channel got nothing else" test "$(lines)" = 1
expect "the post mentions the 11 members routed to the channel" $PY -c '
import json, sys
t = json.loads(open(sys.argv[1]).readline())["text"]
got = sorted(w for w in t.replace("<@", " ").replace(">", " ").split() if w.startswith("U00"))
assert got == ["U00%02d" % i for i in range(1, 12)], got' "$CHAT"
expect "m11 and m12 have theirs by e-mail" test "$(nmail)" = 2

expect_status "run --once a day before 15 Dec" 0 P run --once --now 2026-12-14T15:30
expect "one post of the day-before reminder" test "$(nposts 'Reminder: Grade 7 Math PLC — Tue 15 Dec')" = 1
expect_status "run --once an hour before" 0 P run --once --now 2026-12-15T14:30
expect "one post of the hour-before reminder, 3 posts in all" test "$(nposts 'Reminder: Grade 7 Math PLC — Tue 15 Dec') $(lines)" = "2 3"
expect "m11 and m12 by e-mail, twice each" test "$(nmail)" = 6
expect_status "outbox --json" 0 P outbox --json
expect "each post stands for m01..m11, and no member has a row on team" $PY -c '
import json, sys
rows = json.load(open(sys.argv[1]))
team = [r for r in rows if r["channel"] == "team"]
assert len([r for r in team if r["status"] == "sent"]) == 3, team
ids = ",".join("m%02d" % i for i in range(1, 12))
assert all(r["recipient"] == "math7" and r["members"] == ids for r in team), team' "$T/out"

# A digest: its summary is one post; each owner's own digest stays theirs.
for i in 01 02 03; do
	P action add math7 --owner m$i --due 2026-12-22 --title "Item of m$i" --now 2026-12-16T12:00 >/dev/null 2>&1 ||
	    not_ok "action add m$i"
done
expect_status "run --once at the digest" 0 P run --once --now 2026-12-18T14:00
expect "one summary post" test "$(nposts 'Open action items — Grade 7 Math PLC')" = 1
expect "and one digest of each owner's own" test "$(nposts 'Your open action items — Grade 7 Math PLC')" = 3
expect "no line twice" test -z "$(sort "$CHAT" | uniq -d)"

# The demo itself, over a few weeks: no line twice in its chat file.
mkdir -p "$T/demo/conf"
cp "$TOP"/conf/demo-*.ics "$T/demo/conf/"
sed 's/^listen .*/listen      =/' "$TOP/conf/demo.ini" >"$T/demo/conf/demo.ini"
D() { "$PLC" -c "$T/demo/conf/demo.ini" "$@"; }
for now in 2026-11-30T12:00 2026-12-07T15:30 2026-12-08T14:30 2026-12-14T15:30 2026-12-15T14:30; do
	expect_status "demo: run --once --now $now" 0 D run --once --now $now
done
expect "demo: the cancellation of 8 Dec is one line" test "$(grep -c 'Cancelled: Grade 7 Math PLC' "$T/demo/var/chat.jsonl")" = 1
expect "demo: no line twice" test -z "$(sort "$T/demo/var/chat.jsonl" | uniq -d)"
