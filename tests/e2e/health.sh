# /healthz and /metrics as monitoring reads them: 200 while cycles succeed;
# 503 "failing" once a cycle fails (here: another process holds the
# database's write lock, so the failed cycle cannot even log itself), with
# STATUS= and /metrics saying so; 200 again after the next good cycle.
# /metrics: cycle duration, outbox depth by status (as `outbox` counts it),
# feed requests, process start time.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
pid=""; ND=""; LK=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$ND" ] && kill "$ND" 2>/dev/null; [ -n "$LK" ] && kill "$LK" 2>/dev/null; rm -rf "$T"' EXIT

port=$(free_port)
base="http://127.0.0.1:$port"
write_conf() {	# write_conf LOCATION
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
listen     = 127.0.0.1:$port

[community math7]
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
location    = $1

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
}
write_conf "Room 204"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
health_is() { [ "$(code "$base/healthz")" = "$1" ]; }
# metric NAME{LABELS}: its value in a fresh /metrics.
metric() { curl -s "$base/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

start_notify
t0=$(date +%s)
# --lock-wait 1: the locked cycle fails after 1 s, not SQLite's 5 s, twice.
NOTIFY_SOCKET=$T/notify.sock "$PLC" -c "$T/plc.ini" run --lock-wait 1 >"$T/run.log" 2>&1 &
pid=$!
expect "/healthz answers 200 once running" wait_for 30 health_is 200
curl -s "$base/healthz" >"$T/h.json"
expect "... with status ok" $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["status"] == "ok" and d["last_cycle_ok"] is True, d' "$T/h.json"

# /metrics beside what the other commands say.
curl -s "$base/feeds/0123456789abcdef0123456789abcdef.ics" >/dev/null
curl -s "$base/metrics" >"$T/m1"
"$PLC" -c "$T/plc.ini" outbox --json >"$T/rows"
expect "/metrics: outbox depth by channel and status, as outbox counts it" $PY - "$T/m1" "$T/rows" <<'PY'
import collections, json, re, sys
got = {}
for line in open(sys.argv[1]):
    m = re.match(r'plc_cadence_outbox_messages\{channel="([^"]*)",status="([^"]*)"\} (\d+)$', line)
    if m:
        got[(m.group(1), m.group(2))] = int(m.group(3))
want = collections.Counter((r["channel"], r["status"]) for r in json.load(open(sys.argv[2])))
assert got == dict(want) and sum(want.values()) > 0, (got, want)
assert ("email", "pending") in got, got
PY
expect "/metrics: the last cycle's duration, in seconds" awk '$1 == "plc_cadence_cycle_duration_seconds" { f = 1; exit !($2 > 0 && $2 < 60) } END { exit !f }' "$T/m1"
expect "/metrics: the process start time is when it started" awk -v a="$t0" -v b="$(date +%s)" '$1 == "plc_cadence_start_time_seconds" { f = 1; exit !($2 >= a - 1 && $2 <= b) } END { exit !f }' "$T/m1"
expect "/metrics: the 404 just asked for is counted" awk '$1 == "plc_cadence_feed_requests_total{code=\"404\"}" { f = 1; exit !($2 == 1) } END { exit !f }' "$T/m1"
expect "/metrics: busy-source failures 0 with no busy calendars" grep -qx 'plc_cadence_busy_source_failures 0' "$T/m1"

# Another process takes the write lock and keeps it.
"$PY" - "$T/state/state.db" "$T/locked" "$T/unlock" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.1)
db.execute("ROLLBACK")
PY
LK=$!
wait_for 30 test -e "$T/locked"
write_conf "Room 205"
kill -HUP "$pid"
expect "a cycle on a locked database fails: /healthz 503 (within 30 s)" wait_for 30 health_is 503
curl -s "$base/healthz" >"$T/h.json"
expect "... with status failing" $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["status"] == "failing", d' "$T/h.json"
contains "the failure is logged" "$T/run.log" "cycle failed (retrying in 30 s)"
expect "STATUS= says the cycle failed" grep -q '^STATUS=cycle failed, retrying; ' "$T/notify.log"
expect "/metrics: last_cycle_ok 0" test "$(metric plc_cadence_last_cycle_ok)" = 0
expect "/metrics: one failed cycle" test "$(metric plc_cadence_cycle_failures_total)" = 1
expect "the worker keeps running" kill -0 "$pid"

# The lock goes; the next cycle (a reload here) succeeds.
touch "$T/unlock"
wait "$LK"; LK=""
write_conf "Room 206"
kill -HUP "$pid"
expect "after a good cycle /healthz is 200 again (within 30 s)" wait_for 30 health_is 200
expect "/metrics: last_cycle_ok 1" test "$(metric plc_cadence_last_cycle_ok)" = 1
expect "STATUS= says so" sh -c "tail -n 3 '$T/notify.log' | grep -q '^STATUS=cycle ok; '"
kill -TERM "$pid"; wait "$pid"; st=$?; pid=""
expect "SIGTERM: exit 0" test "$st" = 0
sed 's/^/# run: /' "$T/run.log"
