# Every change told once, when it is made: on the demo, a first `auto`
# placement ("First meeting"), a cancellation, a `move` added to the config
# and a time edit of a community without `remind` each send one change
# notice per member (their notify: e-mail) and one post per channel, due at
# once and before any reminder; "Tomorrow:" under 48 hours; nothing is told
# twice, and a change to a past meeting is not told.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3

mkdir -p "$T/demo/conf"
cp "$TOP"/conf/demo-*.ics "$T/demo/conf/"
# No HTTP; ela8 without `remind` (its line is the only "= 1d" one).
sed -e 's/^listen .*/listen      =/' -e '/^remind *= 1d$/d' \
    "$TOP/conf/demo.ini" >"$T/demo/conf/demo.ini"
D() { "$PLC" -c "$T/demo/conf/demo.ini" "$@"; }
MAIL="$T/demo/var/mail/new"
CHAT="$T/demo/var/chat.jsonl"
seen() { ls "$MAIL" >"$T/seen" 2>/dev/null || : >"$T/seen"; : >"$T/seen.chat"; [ -f "$CHAT" ] && cp "$CHAT" "$T/seen.chat"; }
# The new mails since `seen`, "TO<TAB>SUBJECT" per line, sorted.
mails() {
	$PY - "$MAIL" "$T/seen" <<'EOF'
import email, email.policy, os, sys
d = sys.argv[1]
seen = set(open(sys.argv[2]).read().split())
lines = []
for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    if f in seen:
        continue
    m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
        policy=email.policy.default)
    lines.append("%s\t%s" % (m["to"].addresses[0].addr_spec, m["subject"]))
print("\n".join(sorted(lines)))
EOF
}
# The new chat posts since `seen`, their text's first line each.
posts() {
	$PY - "$CHAT" "$T/seen.chat" <<'EOF'
import json, sys
old = len(open(sys.argv[2]).read().splitlines())
for l in open(sys.argv[1]).read().splitlines()[old:]:
    print(json.loads(l)["text"].splitlines()[0])
EOF
}
n() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

# First sight: sci6's first placement and math7's cancellation of 8 Dec.
seen
expect_status "run --once on the demo" 0 D run --once --now 2026-12-03T12:00
m=$(mails); p=$(posts)
expect "sci6's first placement: one mail per e-mail member (carol, erin; frank)" \
    test "$(printf '%s\n' "$m" | grep -c 'First meeting: Grade 6 Science PLC — Wed 9 Dec')" = 3
expect "math7's cancellation: one mail per e-mail member (alice bob carol erin)" \
    test "$(printf '%s\n' "$m" | grep -c 'Cancelled: Grade 7 Math PLC — Tue 8 Dec')" = 4
expect "bob reads it in his zone" sh -c "printf '%s\n' '$m' | grep -q '^bob@example.edu	Cancelled: Grade 7 Math PLC — Tue 8 Dec 14:30'"
expect "one post each on demo-chat, for the channel's members" test "$(printf '%s\n' "$p" | grep -c 'First meeting\|Cancelled')" = 2
expect "the math7 post mentions alice and dan" sh -c "grep 'Cancelled' '$CHAT' | grep -q 'U024BE7LH' && grep 'Cancelled' '$CHAT' | grep -q 'U07DAN000'"
expect_status "outbox --json" 0 D outbox --json
expect "outbox shows whom the post stands for" $PY -c '
import json, sys
r = [r for r in json.load(open(sys.argv[1])) if r["kind"] == "change" and
     r["channel"] == "demo-chat" and r["dedup"].startswith("change:math7:")]
assert len(r) == 1 and r[0]["members"] == "alice,dan", r' "$T/out"
expect_status "outbox as text" 0 D outbox
contains "... and in text" "$T/out" "for alice,dan;"

# Again: nothing is told twice.
seen
expect_status "run --once again" 0 D run --once --now 2026-12-03T12:05
expect "no mail and no post twice" test "$(n "$(mails)") $(n "$(posts)")" = "0 0"

# A move added to the config, the day before the meeting: told first.
sed -i 's/^move .*/&, 2026-12-15 -> 2026-12-15 16:00/' "$T/demo/conf/demo.ini"
seen
expect_status "run --once after the move, a day before" 0 D run --once --now 2026-12-14T16:00
m=$(mails); p=$(posts)
expect "one change notice per e-mail member of math7 (alice bob carol erin)" \
    test "$(printf '%s\n' "$m" | grep -c 'Tomorrow: Moved: Grade 7 Math PLC — Tue 15 Dec')" = 4
expect "in each one's zone (erin: Denver)" sh -c "printf '%s\n' '$m' | grep -q '^erin@example.edu	Tomorrow: Moved: Grade 7 Math PLC — Tue 15 Dec 13:30 → Tue 15 Dec 14:00'"
expect "one post on demo-chat" test "$(printf '%s\n' "$p" | grep -c 'Moved: Grade 7 Math PLC — Tue 15 Dec 15:30 → Tue 15 Dec 16:00')" = 1
expect "the day-before reminder goes too, after the notice" $PY -c '
import sys
p = open(sys.argv[1]).read().splitlines()
i = [k for k, l in enumerate(p) if "Tomorrow: Moved: Grade 7 Math PLC — Tue 15 Dec 15:30 →" in l]
j = [k for k, l in enumerate(p) if "now Tue 15 Dec 16:00" in l]
assert len(i) == 1 and len(j) == 1 and i[0] < j[0], (i, j)' "$CHAT"
seen
expect_status "run --once again" 0 D run --once --now 2026-12-14T16:10
expect "the move is not told again" test "$(n "$(mails)") $(n "$(posts)")" = "0 0"

# ela8 has no `remind`: a time edit is still told, once, in one notice
# for all its meetings.
sed -i '/^\[community ela8\]/,/^\[/s/^time .*/time          = 16:15/' "$T/demo/conf/demo.ini"
seen
expect_status "run --once after ela8's time edit" 0 D run --once --now 2026-12-14T16:20
m=$(mails); p=$(posts)
expect "one notice per e-mail member of ela8 (frank carol erin alice)" \
    test "$(printf '%s\n' "$m" | grep -c 'Schedule change: Grade 8 ELA PLC')" = 4
expect "and one post" test "$(printf '%s\n' "$p" | grep -c 'Schedule change: Grade 8 ELA PLC')" = 1
expect "and nothing else" test "$(n "$m") $(n "$p")" = "4 1"

# A move of a meeting already held is not told.
sed -i 's/^move .*/&, 2026-12-01 -> 2026-12-01 16:00/' "$T/demo/conf/demo.ini"
seen
expect_status "run --once after moving a past meeting" 0 D run --once --now 2026-12-14T16:30
expect "nothing is told" test "$(n "$(mails)") $(n "$(posts)")" = "0 0"
