#!/bin/sh
# Busy calendar benchmarks, every figure measured in this run:
#  1. the 12-member bench community (slots_bench gen: 200 recurring events
#     each) read over 40 weeks through the worker's own path, `plc-cadence
#     slots` (each calendar parsed in a jail, one child per CPU at once;
#     the whole command is timed: start-up, config, store, ranking; the
#     state made before, its kept expansions deleted), beside Python's
#     icalendar + dateutil expanding the same files (bench/busy_peer.py;
#     only its loop is timed, imports excluded).
#     Median of 5 rounds, with the spread; then the same command again with
#     the expansions kept in the state (busy_expanded).
#  2. the district with busy calendars (bench/busy_conf.py: 1,000 auto
#     communities, 6,000 members, a 40-event calendar each): `run --once`
#     from an empty state (cold start), then again with nothing changed
#     (a restart), then after one calendar changed.  Wall time to the end
#     of placement (calendars read and expanded, communities ranked), to the
#     feeds written, and to the end (the first placement's notices
#     delivered into the Maildir).  One round for the cold start (it takes
#     a while) and the changed calendar, five for the restart with nothing
#     changed (the median, with the spread).
# The machine may be shared: figures beside each other come from one run.
# Usage: bench/busy.sh BIN   (make bench builds BIN's slots_bench beside it)
set -u
BIN=$(readlink -f "$1")
DRV=$(dirname "$BIN")/slots_bench
TOP=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
T=$(mktemp -d /tmp/plc-bench-busy.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
[ -x "$DRV" ] || { echo "busy: $DRV is missing (make bench builds it)"; exit 1; }

# stats V...: "median (min-max)" of the numbers given.
stats() { $PY -c 'import sys, statistics as s; v = sorted(map(float, sys.argv[1:])); print("%.1f (%.1f-%.1f)" % (s.median(v), v[0], v[-1]))' "$@"; }
median() { $PY -c 'import sys, statistics as s; print(s.median(map(float, sys.argv[1:])))' "$@"; }
ms() { echo $(($(date +%s%N) / 1000)); }	# microseconds, cheap to take

# 1. One community.
mkdir -p "$T/one"
"$DRV" gen "$T/one" || exit 1
$PY "$TOP/bench/busy_conf.py" community "$T/one" || exit 1
SLOTS="slots bench --weeks 40 --json --now 2026-09-07T00:00"
# The state is made once, outside the timing (making a database waits on
# the disk); each round forgets only the kept expansions.
"$BIN" -c "$T/one/plc.ini" $SLOTS >/dev/null 2>"$T/one.err" ||
    { echo "busy: slots failed:"; cat "$T/one.err"; exit 1; }
ours="" theirs="" warm="" cpu="" pcpu=""
for r in 1 2 3 4 5; do
	sqlite3 "$T/one/state/state.db" "DELETE FROM busy_expanded" ||
	    exit 1
	t0=$(ms)
	/usr/bin/time -o "$T/one.time" -f "%U %S" "$BIN" -c "$T/one/plc.ini" \
	    $SLOTS >"$T/one.json" 2>"$T/one.err" ||
	    { echo "busy: slots failed:"; cat "$T/one.err"; exit 1; }
	t1=$(ms)
	# CPU time, the jail children's included (they are waited for).
	cpu="$cpu $(awk '{ print ($1 + $2) * 1000 }' "$T/one.time")"
	"$BIN" -c "$T/one/plc.ini" $SLOTS >/dev/null 2>&1
	t2=$(ms)
	ours="$ours $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100))"
	warm="$warm $(((t2 - t1) / 1000)).$(((t2 - t1) % 1000 / 100))"
	$PY "$TOP/bench/busy_peer.py" "$T/one" >"$T/peer.out" ||
	    { echo "busy: the peer failed"; exit 1; }
	theirs="$theirs $(sed -n 's/^parse_ms //p' "$T/peer.out")"
	pcpu="$pcpu $(sed -n 's/^cpu_ms //p' "$T/peer.out")"
done
grep -q '"busy_failures": *0' "$T/one.json" ||
    { echo "busy: a calendar failed:"; cat "$T/one.err"; exit 1; }
ratio=$($PY -c "print('%.1f' % ($(median $theirs) / $(median $ours)))")
echo "one community: 12 members x 200 recurring events x 40 weeks, $(nproc) CPUs"
echo "  plc-cadence slots, calendars expanded $(stats $ours) ms   (the whole command)"
echo "  peer: Python icalendar + dateutil     $(stats $theirs) ms   ($(sed -n 's/^instances //p' "$T/peer.out") instances; parsing only)"
echo "  ratio (medians)                       $ratio x   (target >= 8 x)"
echo "  CPU time: ours $(stats $cpu) ms (children included), peer $(stats $pcpu) ms, ratio $($PY -c "print('%.1f' % ($(median $pcpu) / $(median $cpu)))") x"
echo "  plc-cadence slots, expansions kept    $(stats $warm) ms"

# 2. The district.
D="$T/district"
mkdir -p "$D"
$PY "$TOP/bench/busy_conf.py" district "$D" || exit 1
# phases: run --once, timing when placement and feeds end and the run ends.
phases() {
	$PY - "$BIN" "$D/plc.ini" "$@" <<'PYEOF'
import subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen([sys.argv[1], "-c", sys.argv[2], "run", "--once",
                      "--now", "2026-08-20T12:00"] + sys.argv[3:],
                     stderr=subprocess.PIPE, text=True)
at = {}
first = []
for line in p.stderr:
    if len(first) < 5:
        first.append(line)
    for key in ("slots:", "feeds:"):
        if key in line and key not in at:
            at[key] = time.monotonic() - t0
    if "busy source" in line and "expanded" not in line:
        sys.stderr.write(line)
    if "error" in line or "warning" in line:
        sys.stderr.write(line)
rc = p.wait()
if rc != 0:
    sys.stderr.write("".join(first))
end = time.monotonic() - t0
print("placed %.2f s, feeds %.2f s, end %.2f s%s" % (
    at.get("slots:", float("nan")), at.get("feeds:", float("nan")), end,
    "" if rc == 0 else " (exit %d)" % rc))
PYEOF
}
echo "district: 1,000 auto communities, 6,000 members, 6,000 busy calendars of 40 events ($(du -sk "$D/cal" | cut -f1) KB)"
echo "  cold start (empty state)       $(phases)   (target < 60 s)"
# A restart with nothing changed, five times: the median and the spread of
# each phase (the first may still deliver what the cold start left).
pl="" fe="" en=""
for r in 1 2 3 4 5; do
	line=$(phases)
	echo "    round $r: $line"
	pl="$pl $(echo "$line" | sed -n 's/^placed \([0-9.]*\) s.*/\1/p')"
	fe="$fe $(echo "$line" | sed -n 's/.*feeds \([0-9.]*\) s.*/\1/p')"
	en="$en $(echo "$line" | sed -n 's/.*end \([0-9.]*\) s.*/\1/p')"
done
stat2() { $PY -c 'import sys, statistics as s; v = sorted(map(float, sys.argv[1:])); print("%.2f (%.2f-%.2f)" % (s.median(v), v[0], v[-1]))' "$@"; }
echo "  restart, nothing changed       placed $(stat2 $pl) s, feeds $(stat2 $fe) s, end $(stat2 $en) s   (median of 5; target < 5 s)"
sed -i 's/^SUMMARY:Period 0\r$/SUMMARY:Period zero\r/' "$D/cal/m17.ics"
echo "  restart, one calendar changed  $(phases)"
echo "  state: $(du -sk "$D/state/state.db" | cut -f1) KB"
