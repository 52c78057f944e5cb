# SIGTERM in the middle of a batch of deliveries: the posts in flight
# finish (within the grace: 10 s, here 2 s by --stop-grace) and are marked sent, the rest go back to
# pending, nothing is left in 'sending', the worker exits 0, and the next
# start sends every remaining row exactly once.  Posts to a receiver that
# hangs are cut off when the grace is over and left for a retry.
# run-alone: the stop's time is asserted against the grace (tests/run.sh)
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""; pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT

# The grace, shortened from its 10 s (well inside the unit's
# TimeoutStopSec=30s) so that the test takes seconds.
GRACE=2
start_receiver
export HOOK_SLOW="http://127.0.0.1:$HTTP/slow"
export HOOK_HANG="http://127.0.0.1:$HTTP/hang"

# conf NAME CHANNEL RATE MEMBERS: a community of MEMBERS members, each
# reminded on CHANNEL (paced at RATE) the day before the meeting.
conf() {
	{
		cat <<EOF
[worker]
state_dir = $T/$1
timezone  = America/New_York

[channel $2]
type = generic
url  = env:HOOK_$(echo "$2" | tr a-z A-Z)
rate = $3

[community big]
facilitator = m1
members     = $(seq -s ',' -f 'm%g' 1 "$4")
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
EOF
		for i in $(seq 1 "$4"); do
			printf '[member m%d]\nnotify = %s\nchat = %s:m%d\n' "$i" "$2" "$2" "$i"
		done
	} >"$T/$1.ini"
}
posts() { ls "$T/hooks" | grep -c '\.json$'; }
mentioned() {
	for f in "$T/hooks/"*.json; do cat "$f"; echo; done | $PY -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        for m in json.loads(line)["mentions"]:
            print(m)'
}
# statuses NAME: "status count" lines of the rows due now (the reminders
# of the meeting of 3 November; later meetings' wait), sorted.
statuses() {
	"$PLC" -c "$T/$1.ini" outbox --json | $PY -c '
import collections, json, sys
c = collections.Counter(r["status"] for r in json.load(sys.stdin)
                        if r["dedup"].startswith("meet:big:2026-11-03:"))
for k in sorted(c): print(k, c[k])'
}
# count_of NAME STATUS: its count in $T/NAME.st, statuses NAME kept once.
count_of() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }' "$T/$1.st"; }
# stop_within SECONDS: SIGTERM to $pid; its exit status in $st and the
# seconds it took in $took (or "none" if it did not exit in time).
stop_within() {
	t0=$(date +%s)
	kill -TERM "$pid"
	took=none
	if wait_for "$1" gone "$pid"; then took=$(($(date +%s) - t0))
	else kill -9 "$pid"; fi
	wait "$pid"; st=$?; pid=""
}

# 1. 200 posts paced at 50 a second to a receiver that takes 0.2 s each.
conf slow slow 50/s 200
"$PLC" -c "$T/slow.ini" run --now 2026-11-02T15:31 --stop-grace $GRACE >"$T/slow.log" 2>&1 &
pid=$!
i=0
while [ "$(posts)" -lt 30 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
# A backup while the worker plans and sends.
expect_status "backup while the worker delivers exits 0" 0 "$PLC" -c "$T/slow.ini" backup "$T/during.db"
expect "... and the copy passes integrity_check" test "$(sqlite3 "$T/during.db" 'PRAGMA integrity_check')" = ok
expect "... with the whole outbox in it" test "$(sqlite3 "$T/during.db" "SELECT count(*) FROM outbox WHERE dedup LIKE 'meet:big:2026-11-03:%'")" = 200
stop_within 20
got=$(posts)
expect "SIGTERM mid-batch: exit 0 (got $st)" test "$st" = 0
expect "... within the $GRACE s grace and a little (took $took s)" test "$took" != none -a "$took" -le $((GRACE + 3))
expect "... in the middle of the batch ($got of 200 posted)" test "$got" -ge 30 -a "$got" -lt 200
sleep 0.5	# a post cut off in flight would still land now
expect "no post arrived after the worker exited" test "$(posts)" = "$got"
statuses slow >"$T/slow.st"
expect "no row is left in 'sending'" test "$(count_of slow sending)" = 0
expect "every post that arrived is marked sent ($(count_of slow sent))" test "$(count_of slow sent)" = "$got"
expect "the rest are pending ($(count_of slow pending))" test "$(count_of slow pending)" = $((200 - got))
contains "the stop is logged" "$T/slow.log" "Terminated: stopping"
expect "the restart has nothing to recover" sh -c "! grep -q 'were being sent' '$T/slow.log'"
expect_status "run --once after the stop" 0 "$PLC" -c "$T/slow.ini" run --once --now 2026-11-02T15:32
expect "the restart recovered nothing" sh -c "! grep -q 'were being sent' '$T/err'"
mentioned | sort >"$T/all"
expect "every member got the reminder" test "$(sort -u "$T/all" | wc -l)" = 200
expect "... exactly once ($(wc -l <"$T/all") posts)" test "$(wc -l <"$T/all")" = 200
expect "the outbox shows all 200 sent" test "$(statuses slow)" = "sent 200"

# 2. A receiver that never answers: cut off when the grace is over.
conf hang hang 1000/s 3
"$PLC" -c "$T/hang.ini" run --now 2026-11-02T15:31 --stop-grace $GRACE >"$T/hang.log" 2>&1 &
pid=$!
i=0
while [ "$(ls "$T/hooks" | grep -c '\.hang$')" -lt 3 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
expect "three posts are in flight to the hanging receiver" test "$(ls "$T/hooks" | grep -c '\.hang$')" = 3
stop_within 25
expect "SIGTERM with posts hanging: exit 0 (got $st)" test "$st" = 0
statuses hang >"$T/hang.st"
expect "... when the $GRACE s grace is over (took $took s)" test "$took" != none -a "$took" -ge $GRACE -a "$took" -le $((GRACE + 4))
expect "no row is left in 'sending'" test "$(count_of hang sending)" = 0
expect "the cut-off rows are pending, for a retry" test "$(statuses hang)" = "pending 3"
"$PLC" -c "$T/hang.ini" outbox --json >"$T/rows"
expect "each says it was cut off by the stop" $PY -c '
import json, sys
rows = json.load(open(sys.argv[1]))
rows = [r for r in rows if r["dedup"].startswith("meet:big:2026-11-03:")]
assert len(rows) == 3 and all("cut off: the worker is stopping" in r["last_answer"] and r["attempts"] == 1 for r in rows), rows' "$T/rows"
contains "the log says they will be retried" "$T/hang.log" "will retry: http://127.0.0.1:$HTTP: cut off: the worker is stopping"
expect "the webhook URL is not in the log" sh -c "! grep -qF '$HOOK_HANG' '$T/hang.log'"
