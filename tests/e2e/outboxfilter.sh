# `outbox` filters (--kind, --to, --community, --since, --until), alone,
# together and with --pending/--failed and --json, on what the demo plans;
# each count is checked against the same question put to state.db with the
# sqlite3 CLI.  Bad values exit 64 and say what was wrong.
. "$TOP/tests/e2e/lib.sh"

mkdir -p "$T/demo/conf"
cp "$TOP"/conf/demo-*.ics "$T/demo/conf/"
sed 's/^listen .*/listen      =/' "$TOP/conf/demo.ini" >"$T/demo/conf/demo.ini"
D() { "$PLC" -c "$T/demo/conf/demo.ini" "$@"; }
DB="$T/demo/var/state.db"
NOW=2026-11-02T08:00

expect_status "demo: an action item for bob" 0 D action add math7 --owner bob --due 2026-11-06 --title "Post data" --now $NOW
expect_status "demo: run --once plans the outbox" 0 D run --once --now $NOW
# A failed row, to filter with --failed (as a refused send leaves it).
sqlite3 "$DB" "UPDATE outbox SET status = 'failed', last_answer = '550 no' WHERE id = (SELECT min(id) FROM outbox WHERE kind = 'reminder' AND recipient = 'bob')"

n() {	# n OPTIONS…: how many rows `outbox --json OPTIONS` lists
	D outbox --json "$@" | /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
q() { sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE $1"; }
# Instants of local midnights in New York, as the oracle's bounds.
t() { date -u -d "TZ=\"America/New_York\" $1 00:00" +%s; }

all=$(q 1)
expect "the demo planned rows of several kinds ($all)" test "$all" -gt 100
expect "--kind reminder: only reminders" test "$(n --kind reminder)" = "$(q "kind = 'reminder'")"
expect "--kind change: cancellations and new slots" test "$(n --kind change)" = "$(q "kind IN ('change', 'cancellation', 'slot')")"
expect "--kind change finds some" test "$(n --kind change)" -gt 0
expect "--kind nudge" test "$(n --kind nudge)" = "$(q "kind = 'nudge'")"
expect "--kind escalation" test "$(n --kind escalation)" = "$(q "kind = 'escalation'")"
expect "--kind digest" test "$(n --kind digest)" = "$(q "kind = 'digest'")"
expect "--kind alert: none yet" test "$(n --kind alert)" = 0
expect "--to bob: his rows on every channel" test "$(n --to bob)" = "$(q "recipient = 'bob' OR member = 'bob' OR channel = 'bob'")"
expect "--to demo-chat: every post on the channel" test "$(n --to demo-chat)" = "$(q "channel = 'demo-chat'")"
expect "--to email: every e-mail" test "$(n --to email)" = "$(q "channel = 'email'")"
expect "--community ela8" test "$(n --community ela8)" = "$(q "community = 'ela8'")"
expect "--community ela8 is not everything" test "$(n --community ela8)" -lt "$all"
s=$(t 2026-11-03); u=$(t 2026-11-05)
expect "--since 2026-11-03 --until 2026-11-04: two whole days, due in them" \
    test "$(n --since 2026-11-03 --until 2026-11-04)" = "$(q "due >= $s AND due < $u")"
expect "--since alone" test "$(n --since 2026-12-01)" = "$(q "due >= $(t 2026-12-01)")"
expect "--until alone" test "$(n --until 2026-11-30)" = "$(q "due < $(t 2026-12-01)")"
expect "--since with a time" test "$(n --since 2026-11-03T14:00)" = "$(q "due >= $(date -u -d 'TZ="America/New_York" 2026-11-03 14:00' +%s)")"
expect "all together: bob's math7 reminders of 3 Nov" \
    test "$(n --kind reminder --to bob --community math7 --since 2026-11-03 --until 2026-11-03)" = \
    "$(q "kind = 'reminder' AND (recipient = 'bob' OR member = 'bob' OR channel = 'bob') AND community = 'math7' AND due >= $s AND due < $(t 2026-11-04)")"
expect "--pending --kind change" test "$(n --pending --kind change)" = "$(q "kind IN ('change', 'cancellation', 'slot') AND status IN ('pending', 'sending')")"
expect "--failed --to bob: the one refused" test "$(n --failed --to bob)" = 1
expect "--failed --to alice: none" test "$(n --failed --to alice)" = 0

expect_status "the text listing takes the filters too" 0 D outbox --kind nudge --to bob
contains "it shows bob's nudge" "$T/out" "email bob  Due Fri 6 Nov: Post data"
expect "and nothing else" test "$(grep -c '^[0-9]' "$T/out")" = "$(q "kind = 'nudge' AND recipient = 'bob'")"
expect_status "a filter that matches nothing" 0 D outbox --kind welcome --community ela8 --since 2027-01-01
contains "says there is nothing" "$T/out" "(no messages)"

# Bad values: 64 and what was wrong; nothing changes.
before=$(sqlite3 "$DB" "SELECT count(*), total(id) FROM outbox")
expect_status "--kind bogus exits 64" 64 D outbox --kind bogus
contains "it names the kinds" "$T/err" "--kind 'bogus' is not a kind of message: say reminder, change, nudge, escalation, digest, welcome, alert, quorum, agenda, minutes or report"
expect_status "--to someone unknown exits 64" 64 D outbox --to zed
contains "it says so" "$T/err" "--to 'zed' is no member or channel in"
expect_status "--community unknown exits 64" 64 D outbox --community zed
contains "it says so" "$T/err" "--community 'zed' is no community in"
expect_status "--since not a date exits 64" 64 D outbox --since 2026-13-01
contains "it says so" "$T/err" "--since '2026-13-01' is not a date"
expect_status "--until not a date exits 64" 64 D outbox --until tomorrow
contains "it says so" "$T/err" "--until 'tomorrow' is not a date"
expect_status "--since after --until exits 64" 64 D outbox --since 2026-11-05 --until 2026-11-04
contains "it says so" "$T/err" "--since must come before --until"
expect_status "SQL in a value is a value (exit 64)" 64 D outbox --kind "reminder' OR 1=1 --"
expect_status "filters with retry are refused" 64 D outbox retry 1 --kind reminder
expect "nothing changed" test "$(sqlite3 "$DB" "SELECT count(*), total(id) FROM outbox")" = "$before"
