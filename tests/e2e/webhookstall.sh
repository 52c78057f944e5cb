# A webhook that answers "200 OK" with its headers and then stalls its body
# (issue 15, finding 17): the service took the post, so it goes once, the
# outbox says sent, and the log warns that the answer was cut short.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

start_receiver
export HOOK_STALL="http://127.0.0.1:$HTTP/stall"
cat >"$T/plc.ini" <<EOC
[worker]
state_dir = $T/state
timezone  = America/New_York
horizon   = 2d

[channel stall]
type = generic
url  = env:HOOK_STALL

[community small]
facilitator = f
members     = f
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d

[member f]
notify = stall
chat   = stall:f
EOC
P() { "$PLC" -c "$T/plc.ini" "$@"; }
posts() { ls "$T/hooks" | grep -c '\.json$'; }

expect_status "run --once posts the reminder" 0 P run --once --now 2026-11-02T15:31
cp "$T/err" "$T/run.log"
expect "the stalled receiver got one post" test "$(posts)" = 1
contains "the log warns that the answer was cut short" "$T/run.log" \
    "sent, but the answer was cut short: 200 from http://127.0.0.1:$HTTP"
P outbox --json >"$T/rows"
expect "the row is recorded sent after one attempt" $PY -c '
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))
        if r["dedup"].startswith("meet:small:2026-11-03:")]
assert len(rows) == 1, rows
r = rows[0]
assert r["status"] == "sent" and r["attempts"] == 1, (r["status"],
    r["attempts"], r["last_answer"])' "$T/rows"
# Past any backoff a retry would have had: still the one post.
expect_status "run --once five minutes later" 0 P run --once --now 2026-11-02T15:36
expect "and it was not posted again" test "$(posts)" = 1
