# kill -9 in the middle of a batch of 100 e-mails over the 4 SMTP lanes,
# then a restart: nothing is lost, and only what was in flight or decided
# since the last group commit goes twice, not every message of the claimed
# batch sent so far (issue 15, finding 8).  And a relay that takes the
# messages but never answers QUIT: they are recorded sent at once, so a
# kill then sends none of them again.
# run-alone: a kill -9 timed into the middle of a batch (tests/run.sh)
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; [ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

# start_smtpd MODE DIR: tests/smtpd.py on a free port (sets SRV and port).
start_smtpd() {
	[ -n "$SRV" ] && kill $SRV 2>/dev/null && wait $SRV 2>/dev/null
	port=$(free_port)
	mkdir -p "$2"
	$PY "$TOP/tests/smtpd.py" "$port" "$2" "$1" 2>"$2.log" &
	SRV=$!
	wait_for 10 test -e "$2/ready"
}
# conf N STATE: N members who each get the reminder by e-mail.
conf() {
	cat <<EOC
[worker]
state_dir = $2
timezone  = America/New_York
horizon   = 2d

[smtp]
url      = smtp://127.0.0.1:$port
starttls = off
from     = PLC Cadence <plc@example.edu>

[community big]
facilitator = m1
members     = $(seq -s ',' -f 'm%g' 1 "$1")
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
EOC
	for i in $(seq 1 "$1"); do
		printf '[member m%d]\nemail = m%d@example.edu\n' "$i" "$i"
	done
}
mails() { ls "$1" | grep -c '\.eml$'; }
# The recipient of each message received, one per line.
rcpts() { cat "$1/"*.env | grep '@' | grep -v '^plc@'; }
rows() { sqlite3 "$1/state.db" "SELECT count(*) FROM outbox WHERE status = '$2'"; }

# A relay that answers each DATA 0.05 s late: 100 messages over 4 lanes take
# over a second, and the kill lands in the middle.
N=100
start_smtpd slow "$T/smtp"
conf $N "$T/state" >"$T/plc.ini"
"$PLC" -c "$T/plc.ini" run --now 2026-11-02T15:31 >"$T/run.log" 2>&1 &
pid=$!
i=0
while [ "$(mails "$T/smtp")" -lt 60 ] && [ $i -lt 400 ]; do
	sleep 0.02; i=$((i + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
pid=""
before=$(mails "$T/smtp")
# What the kill left claimed but unrecorded: not tried yet, in flight, or
# decided since the last group commit.  All of it goes again.
sending=$(rows "$T/state" sending)
expect "killed in the middle of the batch ($before of $N arrived)" \
    test "$before" -ge 1 -a "$before" -lt $N

expect_status "run --once after the kill" 0 \
    "$PLC" -c "$T/plc.ini" run --once --now 2026-11-02T15:32
rcpts "$T/smtp" | sort >"$T/all"
expect "every member got the reminder" test "$(sort -u "$T/all" | wc -l)" = $N
dups=$(($(wc -l <"$T/all") - N))
echo "# duplicates after kill -9: $dups (rows left sending: $sending; $before of $N had arrived)"
# 4 lanes in flight + at most DELIVER_GROUP_MAX (32) decided, unwritten.
expect "at most the 4 in flight and the last group went twice ($dups)" \
    test "$dups" -le 36 -a "$dups" -le "$sending"
expect "every row is recorded sent" test "$(rows "$T/state" sent)" = $N

# A relay that never answers QUIT.  libcurl sends QUIT when the batch's
# connections close, after the 250 to each DATA: the rows are recorded sent
# by then, and the worker is not held there (libcurl alone would wait 120 s
# per connection).
start_smtpd stallquit "$T/smtp2"
conf 3 "$T/state2" >"$T/plc2.ini"
conf 3 "$T/state3" >"$T/plc3.ini"
"$PLC" -c "$T/plc2.ini" run --now 2026-11-02T15:31 >"$T/run2.log" 2>&1 &
pid=$!
expect "the three messages arrive" wait_for 20 sh -c "[ \$(ls '$T/smtp2' | grep -c '\\.eml\$') = 3 ]"
expect "and are recorded sent while QUIT goes unanswered" \
    wait_for 5 sh -c "[ \$(sqlite3 '$T/state2/state.db' \"SELECT count(*) FROM outbox WHERE status = 'sent'\") = 3 ]"
kill -9 $pid
wait $pid 2>/dev/null
pid=""
expect_status "run --once after the kill" 0 \
    "$PLC" -c "$T/plc2.ini" run --once --now 2026-11-02T15:32
expect "nothing is sent twice" test "$(mails "$T/smtp2")" = 3
expect_status "run --once to it, three more, ends in time" 0 \
    timeout 60 "$PLC" -c "$T/plc3.ini" run --once --now 2026-11-02T15:31
expect "and they arrived" test "$(mails "$T/smtp2")" = 6
