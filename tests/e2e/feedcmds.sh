# The feed commands: feeds, urls, token rotate and run --once — their
# output, the files they leave in <state_dir>/feeds, and their exit codes.
. "$TOP/tests/e2e/lib.sh"

write_conf() {	# write_conf TIME [EXTRA CONFIG]
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
public_url = https://plc.example.edu

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = $1
start       = 2026-09-01
until       = 2027-06-15

[community bob]
name        = A community named like a member
facilitator = bob
members     = bob
cadence     = monthly
day         = TH
time        = 08:00
start       = 2026-09-01

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
name  = Bob Jones
email = bob@example.edu
${2:-}
EOF
}
write_conf 15:30
P() { "$PLC" -c "$T/plc.ini" "$@"; }
# matches STRING REGEX: expr's anchored match, quietly.
matches() { expr "$1" : "$2" >/dev/null; }
nfiles() { ls "$T/state/feeds" | grep -c '^[0-9a-f]\{32\}\.ics$'; }

# feeds: creates the state directory, writes one file per member and
# community, and nothing the second time.
expect_status "feeds exits 0" 0 P feeds --now 2026-10-30T12:00
contains "feeds says what it wrote" "$T/out" "4 feeds in $T/state/feeds: 4 written, 0 unchanged"
expect "the state directory is 0750" test "$(stat -c %a "$T/state")" = 750
expect "one file per member and community" test "$(nfiles)" -eq 4
cp -p "$T/state/feeds/"*.ics "$T/" 2>/dev/null; ls -l --time-style=+%s.%N "$T/state/feeds" >"$T/ls1"
expect_status "feeds again exits 0" 0 P feeds --now 2026-10-31T12:00
contains "the same state writes nothing" "$T/out" "4 feeds in $T/state/feeds: 0 written, 4 unchanged"
ls -l --time-style=+%s.%N "$T/state/feeds" >"$T/ls2"
expect "the files were not touched" cmp -s "$T/ls1" "$T/ls2"
expect "no temporary files are left" sh -c "! ls -a '$T/state/feeds' | grep -q '^\.tmp-'"

# urls: every member and community, https and webcal, stable.
expect_status "urls exits 0" 0 P urls
cp "$T/out" "$T/urls1"
contains "urls lists alice" "$T/urls1" "member    alice (Alice Martin)"
contains "urls lists math7" "$T/urls1" "community math7 (Grade 7 Math PLC)"
expect "urls gives 4 https URLs under public_url" test "$(grep -c '^  https://plc.example.edu/feeds/[0-9a-f]\{32\}\.ics$' "$T/urls1")" -eq 4
expect "and 4 webcal URLs" test "$(grep -c '^  webcal://plc.example.edu/feeds/[0-9a-f]\{32\}\.ics$' "$T/urls1")" -eq 4
expect "every URL has its file" sh -c "for u in \$(grep -o '[0-9a-f]\{32\}' '$T/urls1' | sort -u); do test -f '$T/state/feeds/'\$u.ics || exit 1; done"
expect_status "urls again" 0 P urls
expect "the URLs are stable" cmp -s "$T/out" "$T/urls1"
expect_status "urls --json exits 0" 0 P urls --json
expect "urls --json: members and communities with both URLs" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [(x["kind"], x["id"]) for x in d] == [("member", "alice"),
    ("member", "bob"), ("community", "math7"), ("community", "bob")], d
for x in d:
    assert x["url"].startswith("https://plc.example.edu/feeds/"), x
    assert x["webcal"] == "webcal://" + x["url"][len("https://"):], x
    assert x["file"].endswith(x["url"][-36:]), x
assert d[0]["name"] == "Alice Martin"' "$T/out"
expect_status "urls takes no arguments (64)" 64 P urls extra
expect_status "urls --bogus (64)" 64 P urls --bogus

# A time change seen by `feeds` (which only looks at the history) shows
# as a new epoch from the next meeting, and records none.
m7=$(P urls --json | python3 -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["id"] == "math7"][0]["file"])')
expect "math7's series starts at SEQUENCE:0" grep -q '^SEQUENCE:0' "$m7"
write_conf 16:00
expect_status "feeds after a time change" 0 P feeds --now 2026-11-02T12:00
contains "the feeds showing math7 are rewritten" "$T/out" "3 written, 1 unchanged"
expect "math7's feed has two epochs, both at SEQUENCE:0" \
    test "$(grep -c '^SEQUENCE:0' "$m7")" -ge 2 -a \
    "$(grep -c '^SEQUENCE:1' "$m7")" = 0
expect "feeds recorded no epoch" test "$(sqlite3 "$T/state/state.db" \
    "SELECT count(*) FROM series_epochs WHERE community = 'math7'")" = 1

# token rotate: a new URL, the old file gone, the new one written.
old=$(grep -A1 '^member    alice' "$T/urls1" | tail -n 1 | tr -d ' ')
oldtok=${old##*/}; oldtok=${oldtok%.ics}
expect_status "token rotate alice exits 0" 0 P token rotate alice
new=$(head -n 1 "$T/out")
expect "it prints the new https URL first" matches "$new" 'https://plc.example.edu/feeds/[0-9a-f]\{32\}\.ics$'
expect "then its webcal URL" test "$(sed -n 2p "$T/out")" = "webcal://${new#https://}"
expect "the URL is new" test "$new" != "$old"
contains "it says the old one stops working" "$T/err" "member alice has a new feed URL"
newtok=${new##*/}; newtok=${newtok%.ics}
expect "the old file is removed" test ! -e "$T/state/feeds/$oldtok.ics"
expect "the new file is written" test -f "$T/state/feeds/$newtok.ics"
expect "still one file per member and community" test "$(nfiles)" -eq 4
expect_status "urls after the rotation" 0 P urls
contains "urls shows the new URL" "$T/out" "$new"
expect "urls no longer shows the old one" sh -c "! grep -qF '$old' '$T/out'"
expect_status "token rotate community:math7" 0 P token rotate community:math7
expect_status "token rotate member:bob" 0 P token rotate member:bob

# Mistakes.
expect_status "an unknown ID exits 65" 65 P token rotate nobody
contains "the unknown ID is named" "$T/err" "no member or community 'nobody'"
expect_status "an ID that is both a member and a community exits 65" 65 P token rotate bob
contains "it says how to choose" "$T/err" "member:bob or community:bob"
expect_status "token without rotate (64)" 64 P token
expect_status "token frobnicate (64)" 64 P token frobnicate alice
expect_status "token rotate without an ID (64)" 64 P token rotate
expect_status "token rotate with two IDs (64)" 64 P token rotate alice bob
expect_status "feeds takes no arguments (64)" 64 P feeds extra
expect_status "feeds with a bad --now (64)" 64 P feeds --now yesterday
printf 'x' >"$T/file"
sed "s|^state_dir .*|state_dir = $T/file/state|" "$T/plc.ini" >"$T/bad.ini"
expect_status "an unusable state directory exits 69" 69 "$PLC" -c "$T/bad.ini" feeds
contains "it is named" "$T/err" "$T/file/state"

# A stale file (a token no longer live) is removed; other files stay.
touch "$T/state/feeds/0123456789abcdef0123456789abcdef.ics" "$T/state/feeds/README"
expect_status "feeds with a stale file" 0 P feeds
contains "the stale file is counted" "$T/out" "1 stale removed"
expect "the stale file is gone" test ! -e "$T/state/feeds/0123456789abcdef0123456789abcdef.ics"
expect "other files stay" test -e "$T/state/feeds/README"

# `auto` day or time is placed by a later stage: those series are left out
# of the feeds, with a log line, and everything else is published.
write_conf 16:00 "[community auto1]
name        = Placed later
facilitator = alice
members     = alice
cadence     = weekly
day         = auto
time        = auto
start       = 2026-09-01"
expect_status "feeds with an auto community exits 0" 0 P feeds
contains "the auto community is logged" "$T/err" "community auto1"
expect "its feed is still written" test "$(nfiles)" -eq 5

# run --once: one cycle, logged in the database.
expect_status "run --once exits 0" 0 P run --once --now 2026-11-04T12:00
expect "the cycle is logged" test "$(sqlite3 "$T/state/state.db" 'SELECT count(*) FROM cycles WHERE ok = 1')" -ge 1
expect_status "run takes no arguments (64)" 64 P run extra
expect_status "run --bogus (64)" 64 P run --bogus
