# Action items in the feeds, read back with ical.js: an open item is an
# all-day event on its due date in its owner's feed and its community's,
# nobody else's; it moves (SEQUENCE + 1) when its due date does, changes
# feed with its owner, leaves when done; the same state gives the same
# bytes; and a running worker notices changes made by another process.
. "$TOP/tests/e2e/lib.sh"

CHECK="node $TOP/tests/icalcheck.mjs"
port=$(free_port)
base="http://127.0.0.1:$port"
. "$TOP/tests/fixtures/action-conf.sh"
action_conf "$T/plc.ini" "127.0.0.1:$port"
C="$T/plc.ini"
DB="$T/state/state.db"
P() { "$PLC" -c "$C" "$@"; }
NOW=2026-11-23T14:00:00Z

expect_status "feeds before any item" 0 P feeds --now $NOW
feed() {	# feed KIND ID: the feed file of a member or community
	echo "$T/state/feeds/$(sqlite3 "$DB" "SELECT token FROM tokens WHERE kind = '$1' AND owner = '$2' AND revoked IS NULL").ics"
}
# items KIND ID: the feed's all-day events as ical.js reads them.
items() {
	$CHECK "$(feed "$1" "$2")" 2026-01-01T00:00:00Z 2028-01-01T00:00:00Z \
	    --items >"$T/items" 2>"$T/problems"
	st=$?
	[ -s "$T/problems" ] && sed 's/^/#   problem: /' "$T/problems"
	return $st
}
# has_item DESC KIND ID LINE: ical.js finds exactly LINE among the items.
has_item() {
	if items "$2" "$3" && grep -qxF -- "$4" "$T/items"; then ok "$1"
	else not_ok "$1"; echo "#   wanted: $4"; sed 's/^/#   got:    /' "$T/items"; fi
}
# no_items DESC KIND ID: the feed is valid and has no all-day event.
no_items() {
	if items "$2" "$3" && [ ! -s "$T/items" ]; then ok "$1"
	else not_ok "$1"; sed 's/^/#   got: /' "$T/items"; fi
}
no_items "bob's feed starts without items" member bob

expect_status "add an item" 0 P action add math7 --owner bob --due 2026-12-01 --title "Draft the common assessment — unité 4" --notes "Start from last year's; ask Erin, then share" --now $NOW
STAMP=2026-11-23T14:00:00Z
DESC="Grade 7 Math PLC, action item 1, owner Bob Jones.\\n\\nStart from last year's; ask Erin, then share"
ITEM1="1.item@plc.example.edu|2026-12-01|2026-12-02|0|$STAMP|$STAMP|TRANSPARENT|Due: Draft the common assessment — unité 4 — Bob Jones|$DESC"
has_item "the owner's feed has the item on its due date, written by action add" member bob "$ITEM1"
has_item "the community's feed has it too" community math7 "$ITEM1"
no_items "another member's feed does not" member alice
no_items "the optional member's feed does not" member erin
no_items "another community's feed does not, though bob is in it" community sci
expect "the item is one all-day event (VALUE=DATE), not a timed one" grep -q "^DTSTART;VALUE=DATE:20261201" "$(feed member bob)"
expect "the meetings are still in bob's feed" grep -q "^UID:math7.series.[0-9a-f]\{8\}@plc.example.edu" "$(feed member bob)"

expect_status "an item in Auckland" 0 P action add sci --owner bob --due 2026-11-25 --title "Order lab kits" --now $NOW
has_item "bob's feed shows the items of both his communities" member bob "2.item@plc.example.edu|2026-11-25|2026-11-26|0|$STAMP|$STAMP|TRANSPARENT|Due: Order lab kits — Bob Jones|Science PLC, action item 2, owner Bob Jones."
expect "... and nothing else" [ "$(wc -l <"$T/items")" = 2 ]
items community math7
expect "sci's item is not in math7's feed" [ "$(cut -d'|' -f1 "$T/items")" = 1.item@plc.example.edu ]
has_item "nor math7's in sci's" community sci "2.item@plc.example.edu|2026-11-25|2026-11-26|0|$STAMP|$STAMP|TRANSPARENT|Due: Order lab kits — Bob Jones|Science PLC, action item 2, owner Bob Jones."
expect "... sci's feed holds only its own item" [ "$(wc -l <"$T/items")" = 1 ]

# The same state, generated again later, by `feeds` and by `run --once`:
# the same bytes.
mkdir "$T/gen1"; cp "$T/state/feeds/"*.ics "$T/gen1/"
expect_status "feeds a day later" 0 P feeds --now 2026-11-24T14:00:00Z
expect "two generations with the same state are byte-identical" diff -r "$T/gen1" "$T/state/feeds"
expect_status "run --once two days later" 0 P run --once --now 2026-11-25T14:00:00Z
expect "the worker's generation is byte-identical too" diff -r "$T/gen1" "$T/state/feeds"

# A new due date moves the event, with SEQUENCE 1 and the edit's time.
expect_status "edit the due date" 0 P action edit 1 --due 2026-12-03 --now 2026-11-24T15:00:00Z
ED=2026-11-24T15:00:00Z
ITEM1B="1.item@plc.example.edu|2026-12-03|2026-12-04|1|$ED|$ED|TRANSPARENT|Due: Draft the common assessment — unité 4 — Bob Jones|$DESC"
has_item "the event moved, its SEQUENCE raised" member bob "$ITEM1B"
expect "the same UID, once: the old date is gone" [ "$(grep -c '^1.item@' "$T/items")" = 1 ]
has_item "the community's feed moved it too" community math7 "$ITEM1B"
expect "the other feeds kept their bytes" cmp -s "$T/gen1/$(basename "$(feed member alice)")" "$(feed member alice)"

expect_status "edit the owner" 0 P action edit 1 --owner erin --now 2026-11-24T16:00:00Z
OW=2026-11-24T16:00:00Z
has_item "the item is in its new owner's feed" member erin "1.item@plc.example.edu|2026-12-03|2026-12-04|1|$OW|$OW|TRANSPARENT|Due: Draft the common assessment — unité 4 — Erin Evans|Grade 7 Math PLC, action item 1, owner Erin Evans.\\n\\nStart from last year's; ask Erin, then share"
items member bob
expect "and has left the old owner's" sh -c "! grep -q '^1.item@' '$T/items'"

expect_status "done" 0 P action done 1 --now 2026-11-24T17:00:00Z
no_items "a done item leaves its owner's feed" member erin
items community math7
expect "a done item leaves its community's feed" [ ! -s "$T/items" ]
expect_status "reopen" 0 P action reopen 1 --now 2026-11-24T18:00:00Z
RO=2026-11-24T18:00:00Z
has_item "a reopened item is back, newly stamped" member erin "1.item@plc.example.edu|2026-12-03|2026-12-04|1|$RO|$RO|TRANSPARENT|Due: Draft the common assessment — unité 4 — Erin Evans|Grade 7 Math PLC, action item 1, owner Erin Evans.\\n\\nStart from last year's; ask Erin, then share"

# A refused command writes no feed.
cp "$(feed member erin)" "$T/erin.before"
expect_status "a refused edit" 65 P action edit 1 --due 2026-11-01 --now 2026-11-24T19:00:00Z
expect "leaves the feed as it was" cmp -s "$T/erin.before" "$(feed member erin)"

# A running worker serves the feeds from memory: it must notice a change
# made by another process (an `action` command) on its own.
"$PLC" -c "$C" run --now 2026-11-24T19:00:00Z >"$T/run.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
served() { curl -sf "$base/feeds/$(basename "$(feed member "$1")")" >"$T/served"; }
if wait_for 30 served erin; then ok "run serves erin's feed"
else not_ok "run serves erin's feed"; sed 's/^/#   /' "$T/run.log"; fi
expect "the served feed is the file's bytes" cmp -s "$T/served" "$(feed member erin)"
expect_status "done while the worker runs" 0 P action done 1 --now 2026-11-24T19:30:00Z
gone() { served erin && ! grep -q '^UID:1.item@' "$T/served"; }
expect "the worker serves the change within 10 s" wait_for 10 gone
expect "what it serves is what action wrote" cmp -s "$T/served" "$(feed member erin)"
expect_status "an item added while the worker runs" 0 P action add math7 --owner alice --due 2026-12-10 --title "Book room 204" --now 2026-11-24T19:40:00Z
there() { served alice && grep -q '^UID:3.item@' "$T/served"; }
expect "the worker serves the new item within 10 s" wait_for 10 there
# A change by another writer, with no feed written for it: the worker's
# cycle writes the file.
sqlite3 "$DB" "UPDATE action_items SET title = 'Book room 205', changed = changed + 60 WHERE id = 3"
renamed() { grep -q '^SUMMARY:Due: Book room 205 — Alice Adams' "$(feed member alice)"; }
expect "the worker rewrites the feed file after a change it did not make" wait_for 10 renamed
kill -TERM "$pid"; wait "$pid"; st=$?
expect "the worker stops cleanly on SIGTERM" [ "$st" -eq 0 ]
