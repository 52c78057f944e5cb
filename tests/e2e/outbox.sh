# `outbox`: list what was planned, sent and failed, and retry a failure.
# Rows are seeded with the sqlite3 CLI into a scratch state.db.
. "$TOP/tests/e2e/lib.sh"

mkdir -p "$T/state"
cat >"$T/plc.ini" <<EOT
[worker]
state_dir = state
timezone  = America/New_York
EOT
C="$T/plc.ini"
DB="$T/state/state.db"

expect_status "outbox on a new database exits 0" 0 "$PLC" -c "$C" outbox
contains "an empty outbox says so" "$T/out" "(no messages)"

# 2026-11-02 20:30Z (15:30 New York) and the meeting a day later.
due=$(date -u -d 2026-11-02T20:30:00Z +%s); exp=$((due + 86400))
sqlite3 "$DB" <<EOT
INSERT INTO outbox (id, dedup, kind, channel, recipient, subject, body, due,
  expires, status, attempts, next_try, sent_at, last_answer, created, changed)
VALUES
 (1, 'meet:math7:2026-11-03:1d:member:alice:email', 'reminder', 'email',
  'alice', 'Reminder: Grade 7 Math PLC — Tue 3 Nov 15:30', 'b', $due, $exp,
  'sent', 1, $due, $due, '250 2.0.0 Ok: queued as 4F1A', $due, $due),
 (2, 'meet:math7:2026-11-03:1d:member:bob:email', 'reminder', 'email',
  'bob', 'Reminder: Grade 7 Math PLC — Tue 3 Nov 14:30', 'b', $due, $exp,
  'failed', 1, $due, NULL, '550 5.1.1 <bob@example.edu>: no such user' || char(27) || '[31m',
  $due, $due),
 (3, 'meet:math7:2026-11-03:1h:community:math7:demo-chat', 'reminder',
  'demo-chat', 'math7', 'Reminder: Grade 7 Math PLC — Tue 3 Nov 15:30', 'b',
  $((exp - 3600)), $exp, 'pending', 0, $((exp - 3600)), NULL, NULL, $due, $due);
EOT

expect_status "outbox lists every row" 0 "$PLC" -c "$C" outbox
contains "the sent row with its answer" "$T/out" "1  sent       2026-11-02 15:30 America/New_York  email alice  Reminder: Grade 7 Math PLC — Tue 3 Nov 15:30"
contains "the server's answer is shown" "$T/out" "last answer: 250 2.0.0 Ok: queued as 4F1A"
contains "the failed row" "$T/out" "2  failed"
contains "the pending row" "$T/out" "3  pending    2026-11-03 14:30 America/New_York  demo-chat math7"
expect "no control character from a server reaches the terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$T/out'"
contains "the control character is shown as ?" "$T/out" "no such user?[31m"

expect_status "outbox --failed exits 0" 0 "$PLC" -c "$C" outbox --failed
contains "--failed shows the failure" "$T/out" "550 5.1.1 <bob@example.edu>: no such user"
expect "--failed shows only failures" sh -c "[ \$(grep -c '^[0-9]' '$T/out') -eq 1 ]"
expect_status "outbox --pending exits 0" 0 "$PLC" -c "$C" outbox --pending
expect "--pending shows only row 3" sh -c "grep '^[0-9]' '$T/out' | grep -q '^3  pending' && [ \$(grep -c '^[0-9]' '$T/out') -eq 1 ]"

expect_status "outbox --json exits 0" 0 "$PLC" -c "$C" outbox --json --failed
expect "--json is a JSON array of the failed row" /usr/bin/python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1, rows
r = rows[0]
assert r["id"] == 2 and r["status"] == "failed" and r["recipient"] == "bob"
assert r["last_answer"].startswith("550 5.1.1"), r
assert r["due"] == "2026-11-02T20:30:00Z", r
assert r["sent_at"] is None
' "$T/out"

expect_status "retry of a sent row exits 65" 65 "$PLC" -c "$C" outbox retry 1
contains "the row is named" "$T/err" "no failed message 1"
expect_status "retry of a missing row exits 65" 65 "$PLC" -c "$C" outbox retry 99
contains "the missing row is named" "$T/err" "no failed message 99"
expect_status "retry of a non-number exits 65" 65 "$PLC" -c "$C" outbox retry 2x
contains "the bad number is named" "$T/err" "'2x' is not a message number"
expect_status "retry of a negative number exits 65" 65 "$PLC" -c "$C" outbox retry -- -2
expect "nothing changed by the refused retries" sh -c "[ \"\$(sqlite3 '$DB' \"SELECT group_concat(status, ',') FROM (SELECT status FROM outbox ORDER BY id)\")\" = sent,failed,pending ]"
expect_status "retry without N is a usage error (64)" 64 "$PLC" -c "$C" outbox retry
expect_status "an unknown argument is a usage error (64)" 64 "$PLC" -c "$C" outbox frob
expect_status "--pending with --failed is a usage error (64)" 64 "$PLC" -c "$C" outbox --pending --failed

now=$(date -u -d 2026-11-02T21:00:00Z +%s)
expect_status "retry of the failed row exits 0" 0 "$PLC" -c "$C" outbox retry 2 --now 2026-11-02T21:00:00Z
contains "retry says what it did" "$T/out" "message 2 will be sent again"
expect "the row is pending again, due at --now, attempts reset" sh -c "[ \"\$(sqlite3 '$DB' 'SELECT status, next_try, attempts FROM outbox WHERE id = 2')\" = 'pending|$now|0' ]"
expect_status "outbox --failed is then empty" 0 "$PLC" -c "$C" outbox --failed
contains "nothing failed" "$T/out" "(no messages)"
expect_status "a second retry of the same row exits 65" 65 "$PLC" -c "$C" outbox retry 2

cat >"$T/nostate.ini" <<EOT
[worker]
state_dir = missing/dir
EOT
expect_status "a state_dir that does not exist exits 69" 69 "$PLC" -c "$T/nostate.ini" outbox
contains "the database is named" "$T/err" "$T/missing/dir/state.db"
expect "nothing is created" test ! -e "$T/missing"
