# A state that cannot split (issue 15, findings 6 and 7).
# - `rm state.db*` under a running worker: /healthz says "failed" with the
#   reason, the log (at err) and STATUS= too; the reminder due a few seconds
#   later is never sent; the worker exits 66 by itself.
# - After that, commands and a restart refuse with 69, pointing to a backup,
#   and create nothing; the backup restored, the feed URLs are the old ones.
# - `rm <state_dir>/lock` under a running worker: a second `run` is still
#   refused (75): the lock is on the directory itself.
# - state.db replaced under a running worker: the same stop; the restart
#   then uses the new file.
# - An empty state.db beside feeds is refused too, and left as it was; a
#   brand-new empty state directory still starts.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
pid=""; ND=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$ND" ] && kill "$ND" 2>/dev/null; rm -rf "$T"' EXIT

port=$(free_port)
base="http://127.0.0.1:$port"
# conf FILE STATE_DIR [LISTEN]
conf() {
	cat >"$1" <<EOF
[worker]
state_dir  = $2
timezone   = America/New_York
listen     = ${3:-}

[community math7]
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
}
conf "$T/plc.ini" "$T/state" "127.0.0.1:$port"
# The same state, no port: a second worker that only the lock can stop.
conf "$T/quiet.ini" "$T/state"
S=$T/state
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
health_is() { [ "$(code "$base/healthz")" = "$1" ]; }
mails() { find "$S/mail" -type f 2>/dev/null | wc -l; }
# health_field KEY: a field of a fresh /healthz.
health_field() { curl -s "$base/healthz" | $PY -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1]))' "$1"; }
failed_with() { [ "$(health_field status)" = failed ] && health_field reason | grep -qF -- "$1"; }
gone() { ! kill -0 "$pid" 2>/dev/null; }
pending_reminders() { sqlite3 "$S/state.db" "SELECT count(*) FROM outbox WHERE status = 'pending' AND dedup LIKE 'meet:math7:2026-11-03:1d:%'"; }

start_notify
# The reminders of Tuesday 3 November's meeting fall due 20 s after start.
t0=$(date +%s)
NOTIFY_SOCKET=$T/notify.sock "$PLC" -c "$T/plc.ini" run --now 2026-11-02T20:29:40Z >"$T/run.log" 2>&1 &
pid=$!
expect "the worker starts on an empty state directory" wait_for 30 health_is 200
"$PLC" -c "$T/plc.ini" urls >"$T/urls.before"
expect "urls lists the feeds" grep -q '/feeds/' "$T/urls.before"
expect_status "a backup is taken while it runs" 0 "$PLC" -c "$T/plc.ini" backup "$T/backup.db"
expect "the two reminders are pending, not yet due" test "$(pending_reminders)" = 2


# Finding 6: the database removed under the worker.
n0=$(mails)
rm "$S/state.db" "$S/state.db-wal" "$S/state.db-shm"
expect "/healthz says failed, with the reason" wait_for 10 failed_with "$S/state.db was deleted"
expect "... answering 503" health_is 503
contains "the log says so at err" "$T/run.log" "error: $S/state.db was deleted while the worker was running"
expect "STATUS= says so" grep -qF "STATUS=failed: $S/state.db was deleted" "$T/notify.log"
expect "the worker exits by itself (within 30 s)" wait_for 30 gone
gone || kill -TERM "$pid"
wait "$pid"; st=$?; pid=""
expect "... with 66 (EX_NOINPUT; got $st)" test "$st" -eq 66
contains "... and a clear last word" "$T/run.log" "it stopped, so that nothing more is planned or sent into a file no other process sees; put the right state.db in place (\"Restoring a backup\" in plc-cadence(8)) and start it again"
# Past the reminders' due time: nothing was sent after the rm.
left=$((t0 + 23 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
expect "nothing more was sent ($n0 messages before, $(mails) after)" test "$(mails)" -eq "$n0"

# The next commands and a restart refuse, and create nothing.
expect_status "urls refuses with 69" 69 "$PLC" -c "$T/plc.ini" urls
contains "... saying state.db is missing beside the feeds" "$T/err" "state.db is missing from $S, which holds feeds/"
contains "... pointing to a backup" "$T/err" "restore a backup to $S/state.db (one made with \`plc-cadence backup FILE\`"
expect "... and creates no database" test ! -e "$S/state.db"
expect_status "outbox refuses with 69" 69 "$PLC" -c "$T/plc.ini" outbox
expect_status "action add refuses with 69" 69 "$PLC" -c "$T/plc.ini" action add math7 --owner bob --due 2027-06-01 --title "Nothing"
expect_status "token rotate refuses with 69" 69 "$PLC" -c "$T/plc.ini" token rotate bob
expect_status "a restart refuses with 69" 69 timeout 20 "$PLC" -c "$T/plc.ini" run
contains "... saying why" "$T/err" "state.db is missing from $S"
expect_status "and so does run --once" 69 timeout 20 "$PLC" -c "$T/plc.ini" run --once
expect "still no database" test ! -e "$S/state.db"
expect_status "backup has nothing to copy (66)" 66 "$PLC" -c "$T/plc.ini" backup "$T/backup2.db"

# Restored from the backup: the same feed URLs.
cp "$T/backup.db" "$S/state.db"
expect_status "restored: urls works again" 0 "$PLC" -c "$T/plc.ini" urls
expect_same "... with the URLs from before" "$T/out" "$T/urls.before"

# Finding 7: the pid file removed under a running worker.
"$PLC" -c "$T/plc.ini" run >"$T/run2.log" 2>&1 &
pid=$!
expect "the restored state runs" wait_for 30 health_is 200
expect "the pid file names the worker" test "$(cat "$S/lock")" = "$pid"
rm "$S/lock"
expect_status "rm lock, then a second run is refused with 75" 75 timeout 10 "$PLC" -c "$T/quiet.ini" run
contains "... saying another run holds the directory" "$T/err" "another plc-cadence run is using $S"
expect_status "... and so is a second run --once" 75 timeout 10 "$PLC" -c "$T/quiet.ini" run --once
expect "the first worker is unharmed" health_is 200

# state.db replaced (renamed over) under a running worker.
cp "$T/backup.db" "$T/other.db"
mv "$T/other.db" "$S/state.db"
expect "replaced: /healthz says failed, with the reason" wait_for 10 failed_with "$S/state.db was replaced by another file"
kill -TERM "$pid"
wait "$pid"; st=$?; pid=""
expect "... and SIGTERM ends the wait: exit 66 (got $st)" test "$st" -eq 66
expect_status "the restart takes the new file" 0 "$PLC" -c "$T/plc.ini" run --once
expect_status "... with the same URLs" 0 "$PLC" -c "$T/plc.ini" urls
expect_same "... as before" "$T/out" "$T/urls.before"

# An empty state.db beside feeds: refused, left as it was.
mkdir -p "$T/s2/feeds"
cp "$S/feeds/"*.ics "$T/s2/feeds/"
: >"$T/s2/state.db"
conf "$T/s2.ini" "$T/s2" "127.0.0.1:$port"	# urls needs a base
expect_status "an empty state.db beside feeds: urls refuses with 69" 69 "$PLC" -c "$T/s2.ini" urls
contains "... saying it is empty" "$T/err" "state.db is empty in $T/s2, which holds feeds/"
expect "... and leaves it empty" test ! -s "$T/s2/state.db"

# A brand-new state directory still starts, from nothing or from empty.
conf "$T/fresh.ini" "$T/fresh"
expect_status "a state directory that does not exist: run --once works" 0 "$PLC" -c "$T/fresh.ini" run --once
expect "... and makes its database" test -s "$T/fresh/state.db"
mkdir "$T/empty"
conf "$T/empty.ini" "$T/empty" "127.0.0.1:$port"
expect_status "an empty one: urls works" 0 "$PLC" -c "$T/empty.ini" urls
expect "... and makes its database" test -s "$T/empty/state.db"
sed 's/^/# run: /' "$T/run.log"
