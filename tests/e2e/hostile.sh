# Hostile input from the config and the command line (issue 15, findings 9,
# 10, 13 and 15), each with the input that once got through: a FIFO as a
# secret file hung check, the CLI and a reload; start = 9999-12-31 passed
# check, then every cycle failed; an http:// webhook to another host (its
# secret in cleartext) and file:///… were accepted; U+0085, U+2028 and
# U+202E went into names and titles.  Now each is refused with its
# file:line (exit 78) or its field (exit 65, 64 for --now), nothing hangs
# and nothing is written.
. "$TOP/tests/e2e/lib.sh"
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
C="$T/plc.ini"
DB="$T/state/state.db"
NOW=2026-11-23T14:00:00Z

# conf: the config, with W4 (line 4), URL (line 7), NAME (line 9), CNAME
# (line 12) and START (line 18) as set in the environment.
conf() {
	cat >"$C" <<EOF
[worker]
state_dir = $T/state
timezone  = America/New_York
${W4:-; line 4}
[channel team]
type = slack
url  = ${URL:-file:$T/chat.jsonl}
[member bob]
name  = ${NAME:-Bob Jones}
email = bob@example.edu
[community math7]
name        = ${CNAME:-Grade 7 Math PLC}
facilitator = bob
members     = bob
cadence     = weekly
day         = TU
time        = 15:30
start       = ${START:-2026-09-01}
notify      = team
EOF
}
# P ARGS: the binary, stopped if it hangs (a hang is exit 124, a failure).
P() { timeout 30 "$PLC" -c "$C" "$@"; }

# --- finding 9: secret files that are FIFOs
mkfifo "$T/secret.fifo"
chmod 600 "$T/secret.fifo"
W4="secret = file:secret.fifo" conf
expect_status "FIFO secret file: check does not hang, exits 78" 78 P check
contains "... naming file:line and what it is" "$T/err" "$C:4: [worker] secret: secret file $T/secret.fifo is not a regular file (a FIFO)"
expect_status "FIFO secret file: a command (action list) exits 78" 78 P action list
expect_status "FIFO secret file: run --once exits 78" 78 P run --once --now $NOW
mkdir "$T/creds"
mkfifo "$T/creds/hook"
URL="credential:hook" conf
CREDENTIALS_DIRECTORY=$T/creds expect_status "FIFO credential: check exits 78" 78 P check
contains "... naming file:line" "$T/err" "$C:7: [channel team] url: secret file $T/creds/hook is not a regular file (a FIFO)"

# --- finding 10: the year 9999
START=9999-12-31 conf
expect_status "start = 9999-12-31: check exits 78" 78 P check --now $NOW
contains "... naming file:line and the range" "$T/err" "$C:18: [community math7] start: '9999-12-31' is out of range: dates are of the years 1970 to 2199"
expect_status "start = 9999-12-31: run --once exits 78" 78 P run --once --now $NOW
START=2583-01-01 conf
expect_status "start = 2583-01-01 (past libical's last year): check exits 78" 78 P check --now $NOW
START=2199-12-31 conf
expect_status "start = 2199-12-31: check accepts the last year" 0 P check --now 2199-12-01T12:00:00Z

# --- finding 13: webhook URLs
URL="http://hooks.example.com/services/T0/B0/SECRETPATH" conf
expect_status "http:// webhook to another host: check exits 78" 78 P check
contains "... naming file:line and why" "$T/err" "$C:7: [channel team] url: the webhook URL is http:// to a host that is not loopback"
expect "... without echoing the secret URL" sh -c "! grep -q SECRETPATH '$T/err'"
export HOOK_PLAIN="http://hooks.example.com/services/T0/B0/SECRETPATH"
URL="env:HOOK_PLAIN" conf
expect_status "http:// webhook from env: to another host: exits 78" 78 P check
contains "... naming the line and the source" "$T/err" "$C:7: [channel team] url: the value from env:HOOK_PLAIN is http:// to a host that is not loopback"
URL="file:///etc/passwd" conf
expect_status "file:///… webhook: check exits 78" 78 P check
contains "... naming file:line" "$T/err" "$C:7: [channel team] url: file: takes a path (file:/path.jsonl or file:relative.jsonl), not file:// URL syntax"
for u in "http://127.0.0.1:9/hook" "http://[::1]:9/hook" "http://localhost:9/hook" "https://hooks.example.com/x"; do
	URL="$u" conf
	expect_status "webhook $u is accepted" 0 P check
done
URL="file:chat.jsonl" conf
expect_status "file: with a relative path is accepted" 0 P check

# --- finding 15: controls and bidi overrides in config names
NAME=$(printf 'Bob\302\205Jones') conf
expect_status "U+0085 in a member's name: check exits 78" 78 P check
contains "... naming file:line and the code point" "$T/err" "$C:9: [member bob] name: U+0085 (next line) is not allowed"
CNAME=$(printf 'Grade 7\342\200\250Math') conf
expect_status "U+2028 in a community's name: check exits 78" 78 P check
contains "... naming file:line and the code point" "$T/err" "$C:12: [community math7] name: U+2028 (line separator) is not allowed"
CNAME=$(printf 'Grade 7 \342\200\256htaM') conf
expect_status "U+202E in a community's name: check exits 78" 78 P check
contains "... naming file:line and the code point" "$T/err" "$C:12: [community math7] name: U+202E (right-to-left override) is not allowed"
NAME=$(printf '\327\251\327\234\327\225\327\235 \342\200\217Cohen') conf
expect_status "a Hebrew name with a right-to-left mark is accepted" 0 P check

# --- the command line: titles, notes and dates
conf
expect_status "a good item is added" 0 P action add math7 --owner bob --due 2026-12-01 --title "Draft the test" --now $NOW
# refused DESC CODE ARGS...: `action ARGS` exits CODE; state.db unchanged.
refused() {
	d=$1; want=$2; shift 2
	sqlite3 "$DB" .dump >"$T/before.sql"
	expect_status "$d: exit $want" "$want" P action "$@"
	if sqlite3 "$DB" .dump | cmp -s - "$T/before.sql"; then
		ok "$d: state.db unchanged"
	else
		not_ok "$d: state.db changed"
	fi
}
refused "title with U+0085" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\302\205b')" --now $NOW
contains "... field and code point named" "$T/err" "plc-cadence: action: title: U+0085 (next line) is not allowed"
refused "title with U+2028" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'a\342\200\250b')" --now $NOW
contains "... field and code point named" "$T/err" "title: U+2028 (line separator) is not allowed"
refused "title with U+202E" 65 add math7 --owner bob --due 2026-12-01 --title "$(printf 'invoice \342\200\256fdp.exe')" --now $NOW
contains "... field and code point named" "$T/err" "title: U+202E (right-to-left override) is not allowed"
refused "notes with U+2067" 65 add math7 --owner bob --due 2026-12-01 --title T --notes "$(printf 'a\342\201\247b')" --now $NOW
contains "... field and code point named" "$T/err" "notes: U+2067 (right-to-left isolate) is not allowed"
refused "edit --title with U+202E" 65 edit 1 --title "$(printf '\342\200\256x')" --now $NOW
contains "... field and code point named" "$T/err" "title: U+202E (right-to-left override) is not allowed"
refused "done --note with U+2029" 65 done 1 --note "$(printf 'a\342\200\251b')" --now $NOW
contains "... field and code point named" "$T/err" "note: U+2029 (paragraph separator) is not allowed"
refused "--due 9999-12-31" 65 add math7 --owner bob --due 9999-12-31 --title T --now $NOW
contains "... the range named" "$T/err" "due date 9999-12-31 is out of range: the years 1970 to 2199 only"
refused "edit --due 2200-01-01" 65 edit 1 --due 2200-01-01 --now $NOW
refused "--now 9999-12-31" 64 list --now 9999-12-31T00:00:00Z
contains "... the range named" "$T/err" "--now '9999-12-31T00:00:00Z': out of range: the years 1970 to 2199 only"
expect_status "check --now 9999-01-01 exits 64" 64 P check --now 9999-01-01
expect_status "a title with a right-to-left mark is accepted" 0 P action add math7 --owner bob --due 2026-12-01 --title "$(printf '\327\251\327\234\327\225\327\235 \342\200\217Cohen')" --now $NOW

# --- a reload of each bad config: logged with its line, the worker goes on,
# and SIGTERM still stops it.
conf
"$PLC" -c "$C" run >"$T/run.log" 2>&1 &
PID=$!
expect "the worker runs a first cycle (within 30 s)" wait_for 30 grep -q "feeds: " "$T/run.log"
W4="secret = file:secret.fifo" conf
kill -HUP $PID
expect "reload of a FIFO secret: refused with file:line (within 20 s)" wait_for 20 grep -qF "$C:4: [worker] secret: secret file $T/secret.fifo is not a regular file (a FIFO)" "$T/run.log"
START=9999-12-31 conf
kill -HUP $PID
expect "reload of start = 9999-12-31: refused with file:line (within 20 s)" wait_for 20 grep -qF "$C:18: [community math7] start: '9999-12-31' is out of range" "$T/run.log"
URL="http://hooks.example.com/x" conf
kill -HUP $PID
expect "reload of an http:// webhook: refused with file:line (within 20 s)" wait_for 20 grep -qF "$C:7: [channel team] url: the webhook URL is http://" "$T/run.log"
expect "the worker still runs" kill -0 $PID
kill -TERM $PID
if wait_for 20 sh -c "! kill -0 $PID 2>/dev/null"; then
	ok "SIGTERM stops it (within 20 s)"
else
	not_ok "SIGTERM stops it (within 20 s)"
	kill -KILL $PID
fi
wait $PID; st=$?; PID=""
expect "... with exit 0 (got $st)" test "$st" = 0
