# kill -9 in the middle of a batch of 200 posts, then a restart: nothing is
# lost, and no more than the rows in flight (or in the last group commit)
# go twice.  And a receiver that
# fails with 500 once: retried, then delivered.
# run-alone: a kill -9 timed into the middle of a batch (tests/run.sh)
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT

start_receiver
export HOOK_SLOW="http://127.0.0.1:$HTTP/slow"
export HOOK_FLAKY="http://127.0.0.1:$HTTP/flaky"

# 200 members who each want the reminder on the slow receiver.
{
	cat <<EOF
[worker]
state_dir = $T/state
timezone  = America/New_York

[channel slow]
type = generic
url  = env:HOOK_SLOW
rate = 1000/s

[channel flaky]
type = generic
url  = env:HOOK_FLAKY
rate = 1000/s

[community big]
facilitator = m1
members     = $(seq -s ',' -f 'm%g' 1 200)
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d

[community small]
facilitator = f
members     = f
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
notify      = flaky

[member f]
notify = flaky
chat   = flaky:f
EOF
	for i in $(seq 1 200); do
		printf '[member m%d]\nnotify = slow\nchat = slow:m%d\n' "$i" "$i"
	done
} >"$T/plc.ini"
P() { "$PLC" -c "$T/plc.ini" "$@"; }
posts() { ls "$T/hooks" | grep -c '\.json$'; }
# The members mentioned in the posts to /slow, one per line.
mentioned() {
	for f in "$T/hooks/"*.path; do
		grep -q '^/slow$' "$f" && cat "${f%.path}.json" && echo
	done | $PY -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        for m in json.loads(line)["mentions"]:
            print(m)'
}

"$PLC" -c "$T/plc.ini" run --now 2026-11-02T15:31 >"$T/run.log" 2>&1 &
pid=$!
i=0
while [ "$(posts)" -lt 30 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pid
wait $pid 2>/dev/null
before=$(mentioned | sort -u | wc -l)
expect "killed in the middle of the batch ($before of 200 posted)" \
    test "$before" -ge 1 -a "$before" -lt 200

expect_status "run --once after the kill" 0 P run --once --now 2026-11-02T15:32
mentioned | sort >"$T/all"
expect "every member got the reminder" test "$(sort -u "$T/all" | wc -l)" = 200
dups=$(($(wc -l <"$T/all") - 200))
# 64 posts in flight at once, and at most 32 decided but not yet committed
# (the group); not the whole claimed batch of 100.
expect "no more than the rows in flight went twice ($dups)" test "$dups" -le 96
contains "the restart says it sends the rows in flight again" "$T/err" "were being sent when the worker stopped"
expect_status "run --once once more" 0 P run --once --now 2026-11-02T15:33
expect "and nothing goes a third time" test "$(mentioned | wc -l)" = "$(wc -l <"$T/all")"

# The flaky receiver answered 500 to the first post (the community's,
# standing for f, whose channel it is too): retried after the backoff (at
# most a minute for a first retry), then delivered; two posts in all.
flaky() { grep -l '^/flaky$' "$T/hooks/"*.path | wc -l; }
expect_status "run --once two minutes later" 0 P run --once --now 2026-11-02T15:35
expect "the flaky post went twice: 500, then 200" test "$(flaky)" = 2
expect_status "outbox --failed" 0 P outbox --failed
expect "nothing failed" sh -c "! grep -q flaky '$T/out'"
P outbox --json >"$T/rows"
expect "the flaky row is sent, after two attempts" $PY -c '
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["channel"] == "flaky"
        and r["dedup"].startswith("meet:small:2026-11-03:")]
assert len(rows) == 1 and rows[0]["members"] == "f" and all(r["status"] == "sent" and r["attempts"] == 2 for r in rows), rows' "$T/rows"
