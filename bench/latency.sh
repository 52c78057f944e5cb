#!/bin/sh
# Reminder latency: how long after its due instant a reminder arrives, for
# the real worker (`plc-cadence run` in real time, no --now) sending through
# SMTP to a local sink that timestamps each arrival (bench/latency_sink.py,
# aiosmtpd: the sink's own pace is part of the figure).
#  1. 1,000 reminders due at once: 100 communities of 10 members whose
#     meetings start at the same minute, reminded 1h before;
#  2. 100 reminders spread across a minute: 10 such communities.  Meetings
#     and lead times are whole minutes, so the planner puts every reminder
#     on a minute; the bench plans them (`run --once`, which sends only the
#     welcome messages) and then moves each to its own second of the
#     minute in the state (a copy under a key of its own; the planned row
#     marked sent), before the worker starts.
# Each case waits for the next whole minute at least 30 s away, then up to
# a minute more: about two minutes each, bounded.  Median, p99 and max of
# (arrival - due), in ms.  The machine may be shared: figures move with it.
# Usage: bench/latency.sh BIN
set -u
BIN=$(readlink -f "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
T=$(mktemp -d /tmp/plc-bench-latency.XXXXXX)
SINK="" RUN=""
cleanup() {
	[ -n "$RUN" ] && kill "$RUN" 2>/dev/null && wait "$RUN" 2>/dev/null
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
command -v sqlite3 >/dev/null || { echo "latency: sqlite3 is missing (make deps)"; exit 1; }

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$TOP/bench/latency_sink.py" "$PORT" "$T/arrivals" 2>"$T/sink.err" &
SINK=$!
for i in $(seq 50); do [ -e "$T/arrivals.ready" ] && break; sleep 0.1; done
[ -e "$T/arrivals.ready" ] || { echo "latency: the sink did not start:"; cat "$T/sink.err"; exit 1; }

# config DIR NCOMM: NCOMM communities of 10 members meeting 1h after the
# next whole minute at least 30 s away; prints that minute (epoch s).
config() {
	$PY - "$1" "$2" "$PORT" <<'PYEOF'
import datetime, sys, time
d, nc, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
due = (int(time.time()) + 30) // 60 * 60 + 60
meet = datetime.datetime.fromtimestamp(due + 3600, datetime.timezone.utc)
day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][meet.weekday()]
out = [f"""[worker]
state_dir = {d}/state
timezone  = UTC
listen    =
horizon   = 3d

[smtp]
url      = smtp://127.0.0.1:{port}
starttls = off
from     = PLC Cadence <plc@example.edu>

"""]
for k in range(10 * nc):
    out.append(f"[member m{k}]\nemail = m{k}@example.edu\n\n")
for i in range(nc):
    members = ", ".join(f"m{10 * i + k}" for k in range(10))
    out.append(f"""[community c{i}]
facilitator = m{10 * i}
members     = {members}
cadence     = weekly
day         = {day}
time        = {meet:%H:%M}
duration    = 45m
start       = {meet:%Y-%m-%d}
remind      = 1h

""")
open(d + "/plc.ini", "w").write("".join(out))
print(due)
PYEOF
}

# measure DIR DUEFILE: latency of each recipient's arrival after its due
# instant (DUEFILE: "email due" lines); prints the summary.
measure() {
	$PY - "$T/arrivals" "$2" <<'PYEOF'
import statistics, sys
due = dict(l.split() for l in open(sys.argv[2]))
got = {}
for line in open(sys.argv[1]):
    t, rcpt = line.split()
    d = due.get(rcpt)
    # A recipient's welcome message arrives long before its reminder.
    if d is not None and float(t) >= float(d) - 5:
        got.setdefault(rcpt, (float(t) - float(d)) * 1000)
lat = sorted(got.values())
if not lat:
    print("nothing arrived")
    sys.exit()
p99 = lat[min(len(lat) - 1, int(round(0.99 * len(lat))) - 1)]
print("%d of %d arrived: median %.0f ms, p99 %.0f ms, max %.0f ms" % (
    len(lat), len(due), statistics.median(lat), p99, lat[-1]))
PYEOF
}

# run_case NAME NCOMM SPREAD
run_case() {
	D="$T/$1"
	mkdir -p "$D"
	: >"$T/arrivals"
	due=$(config "$D" "$2") || exit 1
	n=$((10 * $2))
	if [ "$3" = spread ]; then
		# Planned (and the welcome messages sent) before the worker runs.
		"$BIN" -c "$D/plc.ini" run --once >"$D/once.log" 2>&1 ||
		    { echo "latency: run --once failed:"; cat "$D/once.log"; exit 1; }
		sqlite3 "$D/state/state.db" "BEGIN;
		    CREATE TEMP TABLE r AS SELECT id, row_number() OVER
		      (ORDER BY id) - 1 AS k FROM outbox
		      WHERE kind = 'reminder' AND channel = 'email' AND
		      status = 'pending' AND due = $due;
		    INSERT INTO outbox (dedup, kind, channel, recipient, subject,
		      body, due, expires, next_try, created, changed, audience,
		      member, community, meeting)
		      SELECT 'bench:' || o.id, kind, channel, recipient, subject,
		      body, due + r.k * 60 / $n, expires, due + r.k * 60 / $n,
		      created, changed, audience, member, community, meeting
		      FROM outbox o JOIN r ON r.id = o.id;
		    UPDATE outbox SET status = 'sent' WHERE id IN (SELECT id FROM r);
		    COMMIT;" || exit 1
		sqlite3 -separator ' ' "$D/state/state.db" "SELECT
		    recipient || '@example.edu', due FROM outbox
		    WHERE dedup LIKE 'bench:%'" >"$D/due"
	else
		$PY -c "import sys; [print('m%d@example.edu %s' % (k, sys.argv[2])) for k in range(int(sys.argv[1]))]" "$n" "$due" >"$D/due"
	fi
	[ "$(wc -l <"$D/due")" -eq "$n" ] ||
	    { echo "latency: $(wc -l <"$D/due") reminders planned, not $n"; exit 1; }
	: >"$T/arrivals"
	"$BIN" -c "$D/plc.ini" run >"$D/run.log" 2>&1 &
	RUN=$!
	# Until every reminder arrived, or a minute after the last is due.
	last=$(sort -k2 -n "$D/due" | tail -1 | cut -d' ' -f2)
	while [ "$(date +%s)" -lt $((last + 60)) ]; do
		[ "$(measure "$D" "$D/due" | cut -d' ' -f1)" = "$n" ] && break
		sleep 1
	done
	kill "$RUN" 2>/dev/null
	wait "$RUN" 2>/dev/null
	RUN=""
	echo "  $(measure "$D" "$D/due")"
}

echo "reminder latency (SMTP to a local aiosmtpd sink), arrival minus due instant:"
echo "1,000 reminders due at once:"
run_case once 100 once
echo "100 reminders spread across a minute:   (target p99 < 1,000 ms)"
run_case spread 10 spread
