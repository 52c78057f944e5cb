# A destination failing past [worker] alert_after: its community's
# facilitator gets one e-mail (kind alert, Reply-To the facilitator), and
# one more when it works again; meanwhile /healthz says "degraded" and
# names the channel, as /metrics and STATUS= do; after the recovery all
# three say ok again.  Nothing names the webhook URL.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; pid=""; ND=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$ND" ] && kill "$ND" 2>/dev/null; [ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

start_receiver
export HOOK_SW="http://127.0.0.1:$HTTP/switch/SECRET-PATH"
port=$(free_port)
base="http://127.0.0.1:$port"

cat >"$T/plc.ini" <<EOF
[worker]
state_dir   = $T/state
timezone    = America/New_York
listen      = 127.0.0.1:$port
alert_after = 1m

[channel team]
type = slack
url  = env:HOOK_SW

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1h
notify      = team

[member alice]
name  = Alice Martin
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
P() { "$PLC" -c "$T/plc.ini" "$@"; }
mails() { grep -l "^Subject: $1" "$T/state/mail/new/"* 2>/dev/null | wc -l; }
status() { curl -s "$base/healthz" | $PY -c 'import json, sys; print(json.load(sys.stdin)["status"])' 2>/dev/null; }
status_is() { [ "$(status)" = "$1" ]; }
metric() { curl -s "$base/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# The channel refuses for good (404: its webhook was deleted).
echo 404 >"$T/hooks/down"
expect_status "run --once: the post is refused" 0 P run --once --now 2026-12-01T14:31
expect "no alert yet: it has not failed for alert_after" test "$(mails 'Not delivered')" = 0

# Two minutes on, the worker runs: the channel has failed for over 1m.
start_notify
NOTIFY_SOCKET=$T/notify.sock "$PLC" -c "$T/plc.ini" run --now 2026-12-01T14:33 >"$T/run.log" 2>&1 &
pid=$!
expect "/healthz says degraded" wait_for 30 status_is degraded
curl -s -D "$T/h.head" "$base/healthz" >"$T/h.json"
expect "... with 200 (the service works) and the channel by its ID" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["destinations_failing"] == ["team"] and d["reload_error"] is None, d' "$T/h.json"
contains "... answered 200" "$T/h.head" "HTTP/1.1 200"
expect "/metrics names the failing channel" test "$(metric 'plc_cadence_destination_failing{destination="team"}')" = 1
expect "/metrics: degraded" test "$(metric plc_cadence_degraded)" = 1
expect "STATUS= says so" wait_for 10 grep -q 'STATUS=.*degraded: failing team' "$T/notify.log"
expect "the facilitator gets one alert" wait_for 20 test "$(mails 'Not delivered')" = 1
alert=$(grep -l '^Subject: Not delivered' "$T/state/mail/new/"*)
expect "to alice, Reply-To alice, naming the channel and the community" $PY - "$alert" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert m["to"] == "Alice Martin <alice@example.edu>", m["to"]
assert m["reply-to"] == "Alice Martin <alice@example.edu>", m["reply-to"]
assert m["subject"] == "Not delivered: chat channel team is failing", m["subject"]
t = m.get_body().get_content()
assert "Grade 7 Math PLC" in t and "404" in t and "nothing is lost" in t, t
PY
expect "the alert row is kind alert" test "$(P outbox --json | $PY -c '
import json, sys
print(",".join(r["kind"] + ":" + r["recipient"] for r in json.load(sys.stdin) if r["kind"] == "alert"))')" = alert:alice

# The webhook works again; the refused post is retried by hand.
rm "$T/hooks/down"
id=$(P outbox --json | $PY -c '
import json, sys
print([r["id"] for r in json.load(sys.stdin) if r["channel"] == "team" and r["status"] == "failed"][0])')
expect_status "outbox retry of the refused post" 0 P outbox retry "$id" --now 2026-12-01T14:33
expect "/healthz is ok again" wait_for 40 status_is ok
expect "/metrics: no channel failing" test -z "$(metric 'plc_cadence_destination_failing{destination="team"}')"
expect "/metrics: not degraded" test "$(metric plc_cadence_degraded)" = 0
expect "the facilitator is told once that it works again" wait_for 20 test "$(mails 'Working again')" = 1
expect "STATUS= no longer says degraded" sh -c "tail -1 '$T/notify.log' | grep -v degraded | grep -q STATUS="
kill "$pid"; wait "$pid"; pid=""

expect_status "run --once later" 0 P run --once --now 2026-12-01T15:00
expect "still one alert and one recovery notice" test "$(mails 'Not delivered') $(mails 'Working again')" = "1 1"
expect "the webhook URL is in no log, mail or answer" sh -c "! grep -rq SECRET-PATH '$T/run.log' '$T/err' '$T/h.json' '$T/state/mail'"

# A running worker wakes up by itself when a failing destination reaches
# alert_after (2s here): nothing else is due, yet the alert goes.
echo 404 >"$T/hooks/down"
sed -e "s|^state_dir .*|state_dir = $T/state3|" -e 's|^alert_after .*|alert_after = 2s|' \
    -e "s|^listen .*|listen =|" "$T/plc.ini" >"$T/plc3.ini"
"$PLC" -c "$T/plc3.ini" run --now 2026-12-01T14:31 >"$T/run3.log" 2>&1 &
pid=$!
mails3() { grep -l "^Subject: $1" "$T/state3/mail/new/"* 2>/dev/null | wc -l; }
alerted3() { [ "$(mails3 'Not delivered')" = 1 ]; }
expect "the post is refused" wait_for 20 grep -qs 'reminder to math7 on team failed' "$T/run3.log"
expect "about 2 s later the facilitator is told, with nothing else due" wait_for 15 alerted3
kill "$pid"; wait "$pid"; pid=""
