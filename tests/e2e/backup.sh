# `backup FILE`: an online copy of state.db that passes integrity_check, even
# while another process writes; it never overwrites a file.
. "$TOP/tests/e2e/lib.sh"

mkdir "$T/state"
cat >"$T/plc.ini" <<'INI'
[worker]
state_dir = state
timezone  = UTC
INI
db=$T/state/state.db
sq() { sqlite3 -cmd ".timeout 10000" "$@"; }

expect_status "no database yet: backup refuses (66)" 66 "$PLC" -c "$T/plc.ini" backup "$T/b0.db"
contains "the missing database is named" "$T/err" "$db"
expect "nothing was written" test ! -e "$T/b0.db"

# An empty file is a database of no pages: opening it creates the schema.
: >"$db"
expect_status "backup of a fresh store exits 0" 0 "$PLC" -c "$T/plc.ini" backup "$T/b0.db"
expect "the store got its schema" test "$(sq "$db" 'PRAGMA user_version')" -ge 1

sq "$db" "INSERT INTO meta (key, value) VALUES ('first_run', '2026-11-23');
	INSERT INTO action_items (community, owner, title, due, created, changed)
	VALUES ('math7', 'bob', 'Share unit 3 data', '2026-12-01', 0, 0),
	       ('math7', 'carol', 'Draft norms', '2026-12-02', 0, 0);"

expect_status "backup exits 0" 0 "$PLC" -c "$T/plc.ini" backup "$T/b1.db"
contains "it says where the copy went" "$T/out" "$T/b1.db"
expect "no temporary file is left" test ! -e "$T/b1.db.tmp"
expect "the copy is private (0600)" test "$(stat -c %a "$T/b1.db")" = 600
expect "the copy passes integrity_check" test "$(sq "$T/b1.db" 'PRAGMA integrity_check')" = ok
expect "the copy has the action items" test "$(sq "$T/b1.db" 'SELECT count(*) FROM action_items')" = 2
expect "the copy has the meta row" test "$(sq "$T/b1.db" "SELECT value FROM meta WHERE key = 'first_run'")" = 2026-11-23
expect "the copy has the schema version" test "$(sq "$T/b1.db" 'PRAGMA user_version')" = "$(sq "$db" 'PRAGMA user_version')"

# Bad input: nothing is overwritten or created.
echo precious >"$T/taken"
expect_status "an existing FILE is refused (73)" 73 "$PLC" -c "$T/plc.ini" backup "$T/taken"
contains "the refusal names the file" "$T/err" "$T/taken already exists"
expect "the existing file is unchanged" test "$(cat "$T/taken")" = precious
expect "no temporary file is left after a refusal" test ! -e "$T/taken.tmp"
expect_status "a second backup to the same FILE is refused (73)" 73 "$PLC" -c "$T/plc.ini" backup "$T/b1.db"
expect "the first copy is intact" test "$(sq "$T/b1.db" 'SELECT count(*) FROM action_items')" = 2
: >"$T/b2.db.tmp"
expect_status "a leftover FILE.tmp is refused (73)" 73 "$PLC" -c "$T/plc.ini" backup "$T/b2.db"
contains "the refusal names FILE.tmp" "$T/err" "$T/b2.db.tmp"
expect "FILE was not created" test ! -e "$T/b2.db"
expect "the leftover FILE.tmp is not removed" test -e "$T/b2.db.tmp"
expect_status "a missing directory is refused (73)" 73 "$PLC" -c "$T/plc.ini" backup "$T/no/such/dir.db"
expect_status "backup without FILE is a usage error (64)" 64 "$PLC" -c "$T/plc.ini" backup
expect_status "backup with two FILEs is a usage error (64)" 64 "$PLC" -c "$T/plc.ini" backup "$T/x.db" "$T/y.db"
expect "no copy was made by the usage errors" test ! -e "$T/x.db"

# Under load: a writer inserts rows in its own transactions while backups run.
(i=0; while [ $i -lt 2000 ]; do
	echo "INSERT INTO action_items (community, owner, title, due, created, changed)
	      VALUES ('math7', 'dan', 'load $i', '2026-12-03', $i, $i);"
	i=$((i + 1))
done | sq "$db" >/dev/null 2>"$T/writer.err"; echo $? >"$T/writer.rc") &
writer=$!
ok_all=1; n=0
while [ $n -lt 5 ]; do
	n=$((n + 1))
	"$PLC" -c "$T/plc.ini" backup "$T/load$n.db" >/dev/null 2>>"$T/load.err" || ok_all=0
	[ "$(sq "$T/load$n.db" 'PRAGMA integrity_check' 2>&1)" = ok ] || ok_all=0
done
wait $writer
expect "the writer ran without errors" test "$(cat "$T/writer.rc")" = 0 -a ! -s "$T/writer.err"
expect "every backup during writes exits 0 and passes integrity_check" test $ok_all = 1
sed 's/^/#   /' "$T/load.err"
expect "a backup after the writes has every row" test "$("$PLC" -c "$T/plc.ini" backup "$T/final.db" >/dev/null && sq "$T/final.db" 'SELECT count(*) FROM action_items')" = 2002

# From cron or a shell, with the config the unit uses (credential: secrets,
# no $CREDENTIALS_DIRECTORY): backup and the other commands that never send
# work; run and send-test refuse, naming the credential.
cat >"$T/svc.ini" <<'INI'
[worker]
state_dir = state
timezone  = UTC
secret    = credential:plc_link-secret

[smtp]
url      = smtp://127.0.0.1:25
from     = PLC <plc@example.edu>
username = plc
password = credential:plc_smtp-password

[channel team]
type = slack
url  = credential:plc_team-webhook
INI
S() { env -u CREDENTIALS_DIRECTORY "$PLC" -c "$T/svc.ini" "$@"; }
expect_status "credential: config from a shell: backup exits 0" 0 S backup "$T/cron.db"
expect "... and its copy passes integrity_check" test "$(sq "$T/cron.db" 'PRAGMA integrity_check')" = ok
expect_status "... outbox works" 0 S outbox
expect_status "... check says ok" 0 S check
contains "... noting the credentials it could not check" "$T/err" "credential: secrets (credential:plc_link-secret first) are not checked"
expect_status "... run refuses (78)" 78 S run --once
contains "... naming the credential and why" "$T/err" "credential:plc_link-secret can only be read by the service: \$CREDENTIALS_DIRECTORY is not set"
expect_status "... send-test refuses (78)" 78 S send-test team
contains "... naming the credential" "$T/err" "can only be read by the service"
