# `action`: add, list, done, reopen, edit, show — and every refusal leaves
# state.db exactly as it was.
. "$TOP/tests/e2e/lib.sh"

. "$TOP/tests/fixtures/action-conf.sh"
action_conf "$T/plc.ini" ""
C="$T/plc.ini"
DB="$T/state/state.db"
A() { "$PLC" -c "$C" action "$@"; }
# 09:00 in New York on Monday 23 November; already the 24th in Auckland.
NOW=2026-11-23T14:00:00Z
me=$(id -un)

# refused DESC CODE ARGS...: `action ARGS` exits CODE and state.db is the
# same, byte for byte and as SQL, after the command has exited.
refused() {
	d=$1; want=$2; shift 2
	cp "$DB" "$T/before.db"
	sqlite3 "$DB" .dump >"$T/before.sql"
	expect_status "$d: exit $want" "$want" A "$@"
	if cmp -s "$DB" "$T/before.db" && [ ! -s "$DB-wal" ] &&
	    sqlite3 "$DB" .dump | cmp -s - "$T/before.sql"; then
		ok "$d: state.db unchanged"
	else
		not_ok "$d: state.db changed"
	fi
}

expect_status "add prints the new number" 0 A add math7 --owner bob --due 2026-12-01 --title "Draft the common assessment" --notes "Use last year's as a start" --now $NOW
expect "the first item is 1" [ "$(cat "$T/out")" = 1 ]
expect_status "an optional member may own an item" 0 A add math7 --owner erin --due 2026-11-25 --title "  Collect unit 3 data " --now $NOW
expect "the second item is 2" [ "$(cat "$T/out")" = 2 ]
expect_status "the facilitator may own an item; due today is accepted" 0 A add math7 --owner alice --due 2026-11-23 --title "Book room 204" --now $NOW
expect_status "options may come first" 0 A --now $NOW --title "Order lab kits" --due 2026-11-24 --owner zed add sci
expect_status "UTF-8 text is accepted" 0 A add math7 --owner bob --due 2026-11-30 --title "Résumé des données — unité 4 📈" --now $NOW
expect "UTF-8 text is kept as given" [ "$(sqlite3 "$DB" 'SELECT title FROM action_items WHERE id = 5')" = "Résumé des données — unité 4 📈" ]
expect "the title is stored trimmed" [ "$(sqlite3 "$DB" 'SELECT title FROM action_items WHERE id = 2')" = "Collect unit 3 data" ]
expect "a missing --notes is NULL" [ "$(sqlite3 "$DB" 'SELECT notes IS NULL FROM action_items WHERE id = 2')" = 1 ]

# --- refusals: exit 65 (bad data) or 64 (usage), nothing written
refused "unknown community" 65 add geo7 --owner bob --due 2026-12-01 --title T --now $NOW
contains "unknown community named" "$T/err" "unknown community 'geo7'"
refused "unknown owner" 65 add math7 --owner mallory --due 2026-12-01 --title T --now $NOW
contains "unknown owner named" "$T/err" "unknown member 'mallory'"
refused "owner not a member" 65 add math7 --owner zed --due 2026-12-01 --title T --now $NOW
contains "non-member named" "$T/err" "zed is not a member of math7"
refused "due yesterday" 65 add math7 --owner bob --due 2026-11-22 --title T --now $NOW
contains "past due date explained" "$T/err" "due date 2026-11-22 is in the past (today is 2026-11-23 in America/New_York)"
refused "due today in New York is past in Auckland" 65 add sci --owner zed --due 2026-11-23 --title T --now $NOW
contains "the community's zone decides" "$T/err" "today is 2026-11-24 in Pacific/Auckland"
refused "malformed due date" 65 add math7 --owner bob --due 2026-11-31 --title T --now $NOW
contains "malformed date named" "$T/err" "due date '2026-11-31': expected a date like 2026-12-01"
refused "due date not ISO" 65 add math7 --owner bob --due 12/01/2026 --title T --now $NOW
refused "empty title" 65 add math7 --owner bob --due 2026-12-01 --title "" --now $NOW
contains "empty title explained" "$T/err" "the title is empty"
refused "whitespace title" 65 add math7 --owner bob --due 2026-12-01 --title "   " --now $NOW
refused "title with a tab" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\tb')" --now $NOW
contains "control character explained" "$T/err" "title: U+0009 (tab) is not allowed"
refused "title with a C1 control (CSI)" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\302\233b')" --now $NOW
contains "C1 control explained" "$T/err" "title: U+009B (C1 control character) is not allowed"
refused "title with a DEL" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\177b')" --now $NOW
refused "title with an escape" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'x\033[31my')" --now $NOW
refused "title with a newline" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\nSubject: x')" --now $NOW
refused "notes with a carriage return" 65 add math7 --owner bob --due 2026-12-01 --title T --notes "$(printf 'a\rb')" --now $NOW
contains "notes named" "$T/err" "notes: U+000D (carriage return) is not allowed"
refused "title not UTF-8" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'caf\351')" --now $NOW
contains "bad UTF-8 explained" "$T/err" "title: not valid UTF-8"
refused "title with an overlong UTF-8 form" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\300\257b')" --now $NOW
refused "title with a UTF-16 surrogate" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\355\240\200b')" --now $NOW
refused "title cut inside a character" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'caf\303')" --now $NOW
refused "title too long" 65 add math7 --owner bob --due 2026-12-01 --title "$(head -c 501 /dev/zero | tr '\0' x)" --now $NOW
refused "unknown community with a control character" 65 add "$(printf 'x\033y')" --owner bob --due 2026-12-01 --title T
expect "no control character reaches the terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$T/err'"
refused "add without --title" 64 add math7 --owner bob --due 2026-12-01 --now $NOW
contains "required options named" "$T/err" "--owner, --due and --title are required"
refused "add without a community" 64 add --owner bob --due 2026-12-01 --title T
refused "add with --json" 64 add math7 --owner bob --due 2026-12-01 --title T --json
contains "the stray option is named" "$T/err" "action add does not take --json"
refused "a bad --now" 64 add math7 --owner bob --due 2026-12-01 --title T --now yesterday
refused "an unknown subcommand" 64 frob 1
refused "no subcommand" 64
refused "an unknown option" 64 list --frob
for sub in done reopen show edit; do
	extra=; [ $sub = edit ] && extra="--title New"
	refused "$sub of an unknown item" 65 $sub 99 $extra --now $NOW
	contains "$sub: the missing item is named" "$T/err" "no item 99"
	refused "$sub of a non-number" 65 $sub 2x $extra --now $NOW
	contains "$sub: the bad number is named" "$T/err" "'2x' is not an item number"
	refused "$sub of a negative number" 65 $sub $extra -- -1
	refused "$sub without N" 64 $sub $extra
done
refused "done with a control character in the note" 65 done 1 --note "$(printf 'a\033b')" --now $NOW
refused "edit to a non-member" 65 edit 1 --owner zed --now $NOW
contains "edit: non-member named" "$T/err" "zed is not a member of math7"
refused "edit to an unknown owner" 65 edit 1 --owner mallory --now $NOW
refused "edit to a past date" 65 edit 1 --due 2026-11-20 --now $NOW
refused "edit to a malformed date" 65 edit 1 --due 2026-02-29 --now $NOW
refused "edit to an empty title" 65 edit 1 --title " " --now $NOW
refused "edit with a good title and a bad date changes neither" 65 edit 1 --title "Better" --due nope --now $NOW
refused "edit with nothing to change" 64 edit 1 --now $NOW
refused "list with two filters" 64 list --open --done
refused "list of an unknown community" 65 list --community geo7
refused "list of an unknown owner" 65 list --owner mallory

# --- list: oldest due first, filters, overdue marked
expect_status "list exits 0" 0 A list --now $NOW
expect "list is ordered by due date" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "3,4,2,5,1," ]
contains "a row shows number, due, state, community, owner, title" "$T/out" "1     2026-12-01  open     math7 bob  Draft the common assessment"
expect_status "list three days later" 0 A list --now 2026-11-26T14:00:00Z
contains "an item due before today is overdue" "$T/out" "2     2026-11-25  overdue  math7 erin  Collect unit 3 data"
expect_status "list --overdue" 0 A list --overdue --now 2026-11-26T14:00:00Z
expect "--overdue shows the three overdue items" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "3,4,2," ]
# Alice's item (the 23rd, New York) is overdue all the 24th; zed's (the
# 24th, Auckland, UTC+13) from 11:00Z, when the 25th begins there.
expect_status "list --overdue at 10:59Z on the 24th" 0 A list --overdue --now 2026-11-24T10:59:59Z
expect "overdue is judged in the community's zone" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "3," ]
expect_status "list --overdue at 11:00Z on the 24th" 0 A list --overdue --now 2026-11-24T11:00:00Z
expect "zed's item is overdue once the 25th begins in Auckland" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "3,4," ]
expect_status "list --community sci" 0 A list --community sci --now $NOW
expect "--community filters" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "4," ]
expect_status "list --owner bob" 0 A list --owner bob --now $NOW
expect "--owner filters" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "5,1," ]
expect_status "list --owner erin --community sci" 0 A list --owner erin --community sci
contains "an empty list says so" "$T/out" "(no items)"

# --- done, reopen, edit
expect_status "done with a note" 0 A done 2 --note "shared in the drive" --now 2026-11-24T16:00:00Z
contains "done says so" "$T/out" "item 2 is done"
expect_status "done again is no change" 0 A done 2 --now 2026-11-24T17:00:00Z
contains "already done said" "$T/out" "item 2 is already done"
expect "done twice wrote one history row" [ "$(sqlite3 "$DB" "SELECT count(*) FROM action_history WHERE item = 2 AND field = 'status'")" = 1 ]
expect_status "list --done" 0 A list --done
expect "--done shows item 2 only" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "2," ]
expect_status "list --open" 0 A list --open --now $NOW
expect "--open leaves item 2 out" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "3,4,5,1," ]
expect_status "list --overdue leaves a done item out" 0 A list --overdue --now 2026-11-26T14:00:00Z
expect "done items are never overdue" [ "$(awk '{print $1}' "$T/out" | tr '\n' ,)" = "3,4," ]
expect_status "reopen" 0 A reopen 3 --now 2026-11-24T16:00:00Z
contains "reopen of an open item is no change" "$T/out" "item 3 is already open"
expect_status "done 3" 0 A done 3 --now 2026-11-24T16:30:00Z
expect_status "reopen 3" 0 A reopen 3 --now 2026-11-24T16:45:00Z
contains "reopen says so" "$T/out" "item 3 is open again"
expect_status "edit due and owner" 0 A edit 1 --due 2026-12-03 --owner erin --now 2026-11-24T15:00:00Z
contains "edit says so" "$T/out" "item 1 changed"
expect "a due edit raises the sequence" [ "$(sqlite3 "$DB" 'SELECT due, owner, sequence FROM action_items WHERE id = 1')" = "2026-12-03|erin|1" ]
expect_status "edit the title" 0 A edit 1 --title "Draft the unit 4 assessment" --now 2026-11-24T15:10:00Z
expect "a title edit leaves the sequence" [ "$(sqlite3 "$DB" 'SELECT title, sequence FROM action_items WHERE id = 1')" = "Draft the unit 4 assessment|1" ]
expect_status "an edit to the same values" 0 A edit 1 --due 2026-12-03 --now 2026-11-24T15:20:00Z
contains "no change said" "$T/out" "item 1 is unchanged"
expect "no change raises nothing" [ "$(sqlite3 "$DB" 'SELECT sequence, changed FROM action_items WHERE id = 1')" = "1|$(date -u -d 2026-11-24T15:10:00Z +%s)" ]

# --- show, with its history
expect_status "show" 0 A show 1 --now $NOW
contains "show names the item" "$T/out" "item 1: Draft the unit 4 assessment"
contains "show names the owner" "$T/out" "owner      erin (Erin Evans)"
contains "show gives the notes" "$T/out" "notes      Use last year's as a start"
contains "show gives the due edit in history" "$T/out" "2026-11-24 10:00 America/New_York  $me  due  2026-12-01 -> 2026-12-03"
contains "show gives the owner edit in history" "$T/out" "$me  owner  bob -> erin"
expect_status "show --json" 0 A show 1 --json --now 2026-12-04T14:00:00Z
expect "show --json has the item and its history" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
me = sys.argv[2]
assert o["id"] == 1 and o["community"] == "math7", o
assert o["community_name"] == "Grade 7 Math PLC" and o["owner"] == "erin"
assert o["owner_name"] == "Erin Evans" and o["title"] == "Draft the unit 4 assessment"
assert o["notes"] == "Use last year'"'"'s as a start" and o["due"] == "2026-12-03"
assert o["status"] == "open" and o["overdue"] is True and o["sequence"] == 1
assert o["created"] == "2026-11-23T14:00:00Z" and o["changed"] == "2026-11-24T15:10:00Z"
h = [(e["field"], e["old"], e["new"], e["actor"], e["at"]) for e in o["history"]]
assert h == [
    ("created", None, "Draft the common assessment", me, "2026-11-23T14:00:00Z"),
    ("due", "2026-12-01", "2026-12-03", me, "2026-11-24T15:00:00Z"),
    ("owner", "bob", "erin", me, "2026-11-24T15:00:00Z"),
    ("title", "Draft the common assessment", "Draft the unit 4 assessment", me, "2026-11-24T15:10:00Z"),
], h
' "$T/out" "$me"
expect_status "show 2 --json" 0 A show 2 --json
expect "the done note is in the history" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["history"]
assert [(e["field"], e["old"], e["new"]) for e in h][1:] == [("status", "open", "done: shared in the drive")], h
' "$T/out"
expect_status "show 3 --json" 0 A show 3 --json
expect "done and reopen are both in the history" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["history"]
assert [(e["old"], e["new"]) for e in h if e["field"] == "status"] == [("open", "done"), ("done", "open")], h
' "$T/out"
expect_status "list --json" 0 A list --json --owner erin --now 2026-11-26T14:00:00Z
expect "list --json is an array, oldest due first, overdue flagged" python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert [(i["id"], i["status"], i["overdue"]) for i in v] == [(2, "done", False), (1, "open", False)], v
assert set(v[0]) == {"id", "community", "community_name", "owner", "owner_name", "title",
    "notes", "due", "status", "overdue", "meeting", "sequence", "created", "changed"}, v[0]
assert v[0]["meeting"] is None, v[0]
' "$T/out"
expect_status "list --json when nothing matches" 0 A list --json --community sci --done
expect "an empty JSON list is []" python3 -c 'import json, sys; assert json.load(open(sys.argv[1])) == []' "$T/out"

# The actor of a user id with no name: $USER, or "uid N" when $USER is
# unset or unfit.  Needs root to take on such a user id.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
    ! getent passwd 54321 >/dev/null; then
	for_others
	chmod -R a+rwX "$T"
	as_nobody() { setpriv --reuid=54321 --regid=54321 --clear-groups env "$@"; }
	expect_status "done as a nameless user id" 0 as_nobody USER=visitor "$PLC_OTHERS" -c "$C" action done 5 --now $NOW
	expect_status "reopen as a nameless user id without \$USER" 0 as_nobody -u USER "$PLC_OTHERS" -c "$C" action reopen 5 --now $NOW
	expect_status "done as a nameless user id with a strange \$USER" 0 as_nobody USER="$(printf 'x\033y')" "$PLC_OTHERS" -c "$C" action done 5 --now $NOW
	expect "the actors are \$USER, then uid 54321 twice" [ "$(sqlite3 "$DB" "SELECT group_concat(actor, ',') FROM (SELECT actor FROM action_history WHERE item = 5 AND field = 'status' ORDER BY id)")" = "visitor,uid 54321,uid 54321" ]
else
	ok "# SKIP the actor of a nameless user id (needs root and setpriv)"
fi
