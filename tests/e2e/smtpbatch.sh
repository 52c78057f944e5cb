# A batch of e-mails over a few reused SMTP connections: every message
# arrives once, over at most four sessions (not one per message), and each
# row is recorded sent.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$T/smtp"
$PY "$TOP/tests/smtpd.py" "$port" "$T/smtp" accept 2>"$T/smtp.log" &
SRV=$!
wait_for 10 test -e "$T/smtp/ready"

N=60
{
	cat <<EOC
[worker]
state_dir = $T/state
timezone  = America/New_York
horizon   = 2d

[smtp]
url      = smtp://127.0.0.1:$port
starttls = off
from     = PLC Cadence <plc@example.edu>

[community big]
facilitator = m1
members     = $(seq -s ',' -f 'm%g' 1 $N)
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
EOC
	for i in $(seq 1 $N); do
		printf '[member m%d]\nemail = m%d@example.edu\n' "$i" "$i"
	done
} >"$T/plc.ini"

expect_status "run --once sends the batch" 0 \
    "$PLC" -c "$T/plc.ini" run --once --now 2026-11-02T15:31
expect "all $N e-mails arrived" test "$(ls "$T/smtp" | grep -c '\.eml$')" = $N
expect "each recipient once" test "$(cat "$T/smtp/"*.env | grep '@' |
    grep -v plc@ | sort | uniq -d | wc -l)" = 0
sessions=$(wc -l <"$T/smtp/sessions.log")
expect "over at most 4 SMTP sessions ($sessions)" test "$sessions" -ge 1 -a \
    "$sessions" -le 4
sent=$("$PLC" -c "$T/plc.ini" outbox --json | $PY -c '
import json, sys
print(sum(r["status"] == "sent" for r in json.load(sys.stdin)))')
expect "every row is recorded sent ($sent)" test "$sent" = $N
expect_status "a second run --once sends nothing more" 0 \
    "$PLC" -c "$T/plc.ini" run --once --now 2026-11-02T15:32
expect "still $N e-mails" test "$(ls "$T/smtp" | grep -c '\.eml$')" = $N
