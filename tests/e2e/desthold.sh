# Retry-After holds the destination, not one message: a Slack channel that
# answers 429 with Retry-After: 4 gets nothing more (the other community's
# post waits too) until 4 s have passed, as the receiver's arrival times
# show; meanwhile `outbox` says "waiting until …" for the held rows, and
# the channel is named by its ID, never its URL.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

start_receiver
export HOOK_LIM="http://127.0.0.1:$HTTP/limit/4/SECRET-PATH"

{
	cat <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York

[channel team]
type = slack
url  = env:HOOK_LIM

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
	for c in math7 sci6 ela8; do
		cat <<EOF
[community $c]
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1h
notify      = team
EOF
	done
} >"$T/plc.ini"
P() { "$PLC" -c "$T/plc.ini" "$@"; }
nposts() { ls "$T/hooks/" | grep -c '\.time$'; }
posts_at_least() { [ "$(nposts)" -ge "$1" ]; }

# Tuesday 1 December, 14:31: the three communities' 1h reminders are due.
"$PLC" -c "$T/plc.ini" run --now 2026-12-01T14:31 >"$T/run.log" 2>&1 &
pid=$!
expect "the first post arrives (and is refused with 429)" wait_for 30 test -e "$T/hooks/1.time"
P outbox --now 2026-12-01T14:31:01 >"$T/outbox" 2>&1
held=$(grep -c 'waiting until 2026-12-01 14:3[0-9] America/New_York (its destination asked for a pause)' "$T/outbox")
expect "outbox shows 'waiting until …' for the held rows of the channel" test "$held" -ge 2
expect "the three posts arrive in the end" wait_for 40 posts_at_least 4
kill "$pid"; wait "$pid"; pid=""
expect "the first post was answered 429" grep -q '"429\|429' "$T/run.log"
expect "no post reached the channel before Retry-After had passed" $PY - "$T/hooks" <<'PY'
import glob, os, sys
d = sys.argv[1]
times = sorted(float(open(f).read()) for f in glob.glob(os.path.join(d, "*.time")))
assert len(times) >= 4, times
gap = times[1] - times[0]
print("# 429 at %.3f, next post %.3f s later" % (times[0], gap))
assert gap >= 4.0, "the next post came %.3f s after the 429" % gap
PY
expect "every reminder to the channel is sent in the end" test "$(P outbox --json | $PY -c '
import json, sys
print(sorted(r["status"] for r in json.load(sys.stdin) if r["channel"] == "team" and r["status"] != "pending"))')" = "['sent', 'sent', 'sent']"
contains "the log names the channel's hold" "$T/run.log" "destination team: nothing more goes to it until"
expect "the webhook URL is in no log nor listing" sh -c "! grep -q SECRET-PATH '$T/run.log' '$T/outbox'"
expect "destinations are kept by channel ID (and smtp), never by URL" test "$(sqlite3 "$T/state/state.db" 'SELECT group_concat(name) FROM (SELECT name FROM destinations ORDER BY name)')" = smtp,team

# The SMTP server is a destination too: refused connections back it off
# (60 s after the first failure), and no row goes to it meanwhile, even one
# whose own retry (30-60 s, jittered) is due (50 s on: 10 s before the
# hold ends, beyond run --once's 2 s of settling).
mkdir -p "$T/smtp"
SMTP=$(free_port)
sed -e "s|^state_dir .*|state_dir = $T/state2|" "$T/plc.ini" >"$T/plc2.ini"
printf '[smtp]\nurl = smtp://127.0.0.1:%s\nstarttls = off\nfrom = PLC <plc@example.edu>\n' "$SMTP" >>"$T/plc2.ini"
P2() { "$PLC" -c "$T/plc2.ini" "$@"; }
expect_status "run --once with the SMTP server down" 0 P2 run --once --now 2026-12-01T14:31
expect "the e-mails wait to be retried" test "$(P2 outbox --json | $PY -c '
import json, sys
print(len([r for r in json.load(sys.stdin) if r["channel"] == "email" and r["status"] == "pending" and r["attempts"] == 1]))')" -ge 2
/usr/bin/python3 "$TOP/tests/smtpd.py" "$SMTP" "$T/smtp" accept 2>"$T/smtp.log" &
SRV="$SRV $!"
wait_for 10 test -e "$T/smtp/ready" || not_ok "the SMTP server did not start"
expect_status "run --once 50 s later, the server back" 0 P2 run --once --now 2026-12-01T14:31:50
expect "nothing went to the server before its backoff ended" test ! -s "$T/smtp/sessions.log"
contains "the rows are said to wait for it" "$T/err" "on email waits until 2026-12-01T19:32"
expect_status "run --once 2 minutes later" 0 P2 run --once --now 2026-12-01T14:33:30
expect "then the e-mails go" test "$(ls "$T/smtp" | grep -c '\.eml$')" -ge 2
