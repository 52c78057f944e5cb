# Logging: -v / -q and [worker] log_level pick what is logged; "<N>"
# priorities only when stderr is the journal ($JOURNAL_STREAM names it);
# and secrets (literal or credential:) never appear in what check, run and
# send-test print, even when every delivery fails.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
start_receiver

# A port nothing listens on, for an SMTP server that is down.
closed=$(free_port)
LINK=LinkKeyLiteral-7f3a9c2e51
PASS=SmtpPassLiteral-q8w7e6r5
HOOKTOK=HookTokenLiteral-b4c3d2e1
mkdir -p "$T/creds"
printf '%s\n' "$LINK-cred" >"$T/creds/link"
printf '%s\n' "$PASS-cred" >"$T/creds/smtp"
printf '%s\n' "http://127.0.0.1:$HTTP/bad/$HOOKTOK-cred" >"$T/creds/hook"
chmod 600 "$T/creds/"*

# conf FILE LEVEL SECRET_LINK SECRET_PASS SECRET_URL
conf() {
	cat >"$1" <<EOF
[worker]
state_dir = $T/state-$(basename "$1" .ini)
timezone  = America/New_York
secret    = $3
$([ -n "$2" ] && echo "log_level = $2")

[smtp]
url      = smtp://127.0.0.1:$closed
starttls = off
from     = PLC <plc@example.edu>
username = plc
password = $4

[channel team]
type = generic
url  = $5

[community math7]
facilitator = alice
members     = alice
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d

[member alice]
email  = alice@example.edu
notify = email, team
chat   = team:alice
EOF
}
NOW=2026-11-02T15:31
conf "$T/lit.ini" "" "$LINK" "$PASS" "http://127.0.0.1:$HTTP/bad/$HOOKTOK"
conf "$T/cred.ini" "" credential:link credential:smtp credential:hook
export CREDENTIALS_DIRECTORY=$T/creds

# no_secret DESC FILE...: none of the secret values is in any FILE.
no_secret() {
	d=$1; shift
	if grep -qF -e "$LINK" -e "$PASS" -e "$HOOKTOK" -e "/bad/" "$@"; then
		not_ok "$d"; grep -hF -e "$LINK" -e "$PASS" -e "$HOOKTOK" -e "/bad/" "$@" | sed 's/^/#   /'
	else ok "$d"; fi
}

for v in lit cred; do
	expect_status "$v: check exits 0" 0 "$PLC" -c "$T/$v.ini" check --now $NOW
	no_secret "$v: check prints no secret" "$T/out" "$T/err"
	[ $v = lit ] && contains "lit: check warns about the literal secrets" "$T/err" "literal secret"
	expect_status "$v: run --once -v exits 0 with every send failing" 0 "$PLC" -v -c "$T/$v.ini" run --once --now $NOW
	cp "$T/err" "$T/$v.run"
	contains "$v: the SMTP failure is logged" "$T/$v.run" "reminder to alice on email: will retry"
	contains "$v: the webhook refusal is logged" "$T/$v.run" "reminder to alice on team failed: 400 from http://127.0.0.1:$HTTP"
	no_secret "$v: run's log holds no secret" "$T/out" "$T/$v.run"
	expect_status "$v: send-test to the channel fails (69)" 69 "$PLC" -c "$T/$v.ini" send-test team
	no_secret "$v: send-test CHANNEL prints no secret" "$T/out" "$T/err"
	expect_status "$v: send-test to an address fails (69: the server is down)" 69 "$PLC" -c "$T/$v.ini" send-test alice@example.edu
	no_secret "$v: send-test ADDRESS prints no secret" "$T/out" "$T/err"
	cat "$T/err" >>"$T/send.log"
done
sed 's/^/# send-test: /' "$T/send.log"

# A secret file others can read is refused by its name, never shown.
chmod 644 "$T/creds/smtp"
conf "$T/file.ini" "" "$LINK" "file:$T/creds/smtp" "http://127.0.0.1:$HTTP/bad/$HOOKTOK"
expect_status "a secret file readable by others is refused (78)" 78 "$PLC" -c "$T/file.ini" check
contains "... naming the file" "$T/err" "secret file $T/creds/smtp is readable by others"
no_secret "... and the refusal shows no secret" "$T/out" "$T/err"
chmod 600 "$T/creds/smtp"

# Levels.  The default is info: cycle lines, no debug.
conf "$T/quiet.ini" "" "$LINK" "$PASS" "http://127.0.0.1:$HTTP/bad/$HOOKTOK"
expect_status "run --once at the default level" 0 "$PLC" -c "$T/quiet.ini" run --once --now $NOW
contains "info lines are logged by default" "$T/err" "plc-cadence: feeds: "
expect "debug lines are not" sh -c "! grep -q 'once: ' '$T/err'"
contains "an error line says so" "$T/err" "plc-cadence: error: outbox "
contains "-v (above) logs debug lines" "$T/lit.run" "plc-cadence: once: "
expect_status "-q: run --once" 0 "$PLC" -q -c "$T/quiet.ini" run --once --now 2026-11-02T15:40
expect "-q: no info lines" sh -c "! grep -q 'feeds: ' '$T/err'"
contains "-q: warnings still are" "$T/err" "plc-cadence: warning: outbox "
conf "$T/warn.ini" warning "$LINK" "$PASS" "http://127.0.0.1:$HTTP/bad/$HOOKTOK"
expect_status "log_level = warning: run --once" 0 "$PLC" -c "$T/warn.ini" run --once --now $NOW
expect "log_level = warning: no info lines" sh -c "! grep -q 'feeds: ' '$T/err'"
contains "log_level = warning: warnings are logged" "$T/err" "plc-cadence: warning: outbox "
expect_status "-v wins over log_level = warning" 0 "$PLC" -v -c "$T/warn.ini" run --once --now 2026-11-02T15:40
contains "-v over log_level: debug lines" "$T/err" "plc-cadence: once: "
conf "$T/debug.ini" debug "$LINK" "$PASS" "http://127.0.0.1:$HTTP/bad/$HOOKTOK"
expect_status "log_level = debug: run --once" 0 "$PLC" -c "$T/debug.ini" run --once --now $NOW
contains "log_level = debug: debug lines" "$T/err" "plc-cadence: once: "
expect_status "-q wins over log_level = debug" 0 "$PLC" -q -c "$T/debug.ini" run --once --now 2026-11-02T15:40
expect "-q over log_level: no info or debug lines" sh -c "! grep -q -e 'feeds: ' -e 'once: ' '$T/err'"

# The journal: stderr is the file $JOURNAL_STREAM names (device:inode).
conf "$T/j.ini" debug "$LINK" "$PASS" "http://127.0.0.1:$HTTP/bad/$HOOKTOK"
: >"$T/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") "$PLC" -c "$T/j.ini" run --once --now $NOW 2>>"$T/journal"
expect "journal: every line has a <N> prefix" sh -c "! grep -qv '^<[0-7]>' '$T/journal'"
expect "journal: the literal-secret warnings are <4>" grep -q '^<4>.*literal secret' "$T/journal"
expect "journal: info is <6>, without the program name" grep -q '^<6>feeds: ' "$T/journal"
expect "journal: debug is <7>" grep -q '^<7>once: ' "$T/journal"
expect "journal: a failed send is <3>" grep -q '^<3>outbox [0-9]*: reminder to alice on team failed' "$T/journal"
expect "journal: a send to retry is <4>" grep -q '^<4>outbox [0-9]*: reminder to alice on email: will retry' "$T/journal"
no_secret "journal: no secret" "$T/journal"
: >"$T/other"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/other") "$PLC" -c "$T/j.ini" run --once --now 2026-11-02T15:40 2>"$T/notj"
expect "\$JOURNAL_STREAM naming another file: no prefixes" sh -c "! grep -q '^<[0-7]>' '$T/notj' && grep -q '^plc-cadence: feeds: ' '$T/notj'"
JOURNAL_STREAM=garbage "$PLC" -c "$T/j.ini" run --once --now 2026-11-02T15:41 2>"$T/notj"
expect "a malformed \$JOURNAL_STREAM: no prefixes" sh -c "! grep -q '^<[0-7]>' '$T/notj' && grep -q '^plc-cadence: feeds: ' '$T/notj'"
printf '[worker]\nstate_dir = x\nbogus = 1\nsecret = %s\n' "$LINK" >"$T/bad.ini"
: >"$T/badj"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/badj") "$PLC" -c "$T/bad.ini" check 2>>"$T/badj"
expect "journal: config errors are <3>, with file and line" grep -q "^<3>$T/bad.ini:3: \[worker\] unknown key 'bogus'" "$T/badj"
expect "journal: a warning among the errors is <4>" grep -q "^<4>$T/bad.ini:4: warning: \[worker\] secret is a literal secret" "$T/badj"
no_secret "journal: the config errors show no secret" "$T/badj"
expect "journal: the closing line too" grep -q "^<3>plc-cadence: .*the config has errors\|^<3>$T/bad.ini: the config has errors" "$T/badj"
