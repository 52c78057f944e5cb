# Commands that send nothing run when a secret cannot be read (an env:
# variable unset in this shell), with a warning naming it; those that send
# (run, send-test) still refuse with 78, naming the secret, never a value.
. "$TOP/tests/e2e/lib.sh"

cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
public_url = https://plc.example.edu
secret     = env:PLC_RO_SECRET

[smtp]
url      = smtp://127.0.0.1:9
starttls = off
from     = PLC Cadence <plc@example.edu>
username = plc
password = env:PLC_RO_PASSWORD

[channel team]
type = slack
url  = env:PLC_RO_HOOK

[community math7]
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
notify      = team

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
unset PLC_RO_SECRET PLC_RO_PASSWORD PLC_RO_HOOK
P() { "$PLC" -c "$T/plc.ini" "$@"; }

expect_status "check runs" 0 P check --now 2026-12-01T10:00
contains "... with a warning naming the variable" "$T/err" "environment variable PLC_RO_HOOK is not set"
expect_status "action add runs" 0 P action add math7 --owner bob --due 2026-12-04 --title "Exit tickets" --now 2026-12-01T10:00
expect_status "action list runs" 0 P action list
contains "... and lists the item" "$T/out" "Exit tickets"
expect_status "action show runs" 0 P action show 1
expect_status "outbox runs" 0 P outbox
expect_status "outbox --failed runs" 0 P outbox --failed
expect_status "slots runs" 0 P slots math7 --now 2026-12-01T10:00
expect_status "urls runs" 0 P urls
expect_status "feeds runs" 0 P feeds --now 2026-12-01T10:00
expect_status "run refuses" 78 P run --once --now 2026-12-01T10:00
contains "... naming the secret it cannot read" "$T/err" "env:PLC_RO_"
contains "... and why" "$T/err" "the environment variable is not set"
expect_status "send-test refuses" 78 P send-test alice@example.edu
contains "... naming the secret" "$T/err" "cannot be read"
expect "nothing was sent or planned" test "$(sqlite3 "$T/state/state.db" 'SELECT count(*) FROM outbox')" = 0

# A secret file this user may not read (the service's own, 0600, read from
# a person's shell): a warning for a command that only looks.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	for_others
	mkdir -p "$T/others/state" && chmod 777 "$T/others/state"
	printf 'pa ss\n' >"$T/others/pw" && chmod 600 "$T/others/pw"
	sed -e "s|^state_dir .*|state_dir = $T/others/state|" \
	    -e "s|^password .*|password = file:$T/others/pw|" -e '/^secret /d' \
	    -e "s|^url  = env:PLC_RO_HOOK|url  = file:$T/others/team.jsonl|" "$T/plc.ini" >"$T/others/plc.ini"
	chmod 644 "$T/others/plc.ini"
	as_nobody() { setpriv --reuid=54321 --regid=54321 --clear-groups env "$@"; }
	expect_status "check as another user, the secret file not theirs" 0 as_nobody "$PLC_OTHERS" -c "$T/others/plc.ini" check --now 2026-12-01T10:00
	contains "... with a warning naming the file" "$T/err" "secret file $T/others/pw: Permission denied"
	expect "... never its content" sh -c "! grep -q 'pa ss' '$T/out' '$T/err'"
	expect_status "send-test as that user refuses" 78 as_nobody "$PLC_OTHERS" -c "$T/others/plc.ini" send-test alice@example.edu
	contains "... saying why" "$T/err" "this user may not read its file"
else
	ok "# SKIP a secret file of another user (needs root and setpriv)"
fi
