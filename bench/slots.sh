#!/bin/sh
# Slot-finding benchmark: 12 members x 200 recurring busy events x a
# 40-week horizon, read and ranked for one community, then ranked for 100,
# 1,000 and 10,000 such communities (a district) to show the cost is
# linear.  Each figure is the median of ROUNDS rounds (bench/lib.sh) with
# its spread, but 10,000 communities run once (a round takes minutes).
# Reading the calendars is timed beside Python's icalendar + dateutil
# expanding the same files (the peer); ranking has no peer tool.  Time and
# peak memory (/usr/bin/time -v) are measured in this run.
# Usage: bench/slots.sh BIN (the bench driver is BIN's sibling slots_bench)
set -u
DRV=$(dirname "$(readlink -f "$1")")/slots_bench
. "$(dirname "$0")/lib.sh"
PY=$BPY
T=$(mktemp -d /tmp/plc-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
[ -x "$DRV" ] || { echo "slots: $DRV is missing (make bench builds it)"; exit 1; }

field() { sed -n "s/^$1 //p" "$2"; }
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
measure() {	# measure NAME ARGS...: run the driver under /usr/bin/time -v
	name=$1; shift
	/usr/bin/time -v "$DRV" "$@" >"$T/$name.out" 2>"$T/$name.time" ||
	    { cat "$T/$name.time"; exit 1; }
	cat "$T/$name.out" >>"$T/$name.all"
}
# med NAME KEY FMT: the median (spread) of KEY over NAME's rounds.
med() {
	set -- "$1" "$2" "$3" $(sed -n "s/^$2 //p" "$T/$1.all" | stats)
	spread "$3" "$4" "$5" "$6"
}
medv() { sed -n "s/^$2 //p" "$T/$1.all" | stats | cut -d' ' -f1; }

"$DRV" gen "$T" || exit 1
: >"$T/peer.all"
for r in $(seq 1 "$ROUNDS"); do
measure one parse "$T"
# The peer reads the same 12 files and expands each event over 40 weeks.
$PY - "$T" >"$T/peer.out" <<'PYEOF' || { echo "slots: the peer failed"; exit 1; }
import datetime, glob, sys, time
from icalendar import Calendar
from dateutil.rrule import rrulestr
import pytz
tz = pytz.timezone("America/New_York")
frm = tz.localize(datetime.datetime(2026, 9, 7))
to = frm + datetime.timedelta(weeks=40)
t0 = time.monotonic()
n = 0
for path in sorted(glob.glob(sys.argv[1] + "/m*.ics")):
    cal = Calendar.from_ical(open(path, "rb").read())
    for ev in cal.walk("VEVENT"):
        s = ev.decoded("dtstart")
        dur = ev.decoded("dtend") - s
        rule = rrulestr(ev["rrule"].to_ical().decode(), dtstart=s)
        for occ in rule.between(frm, to, inc=True):
            n += 1
print("parse_ms %.1f" % ((time.monotonic() - t0) * 1000))
print("instances %d" % n)
PYEOF
cat "$T/peer.out" >>"$T/peer.all"
done
for n in 100 1000; do
	for r in $(seq 1 "$ROUNDS"); do measure d$n district $n; done
done
measure d10000 district 10000

ours=$(medv one parse_ms); theirs=$(medv peer parse_ms)
echo "one community: 12 members x 200 recurring events x 40 weeks, median (spread) of $ROUNDS rounds"
echo "  read busy calendars (libical)      $(med one parse_ms %.1f) ms  ($(field busy_intervals "$T/one.out") busy intervals)"
echo "  peer: Python icalendar + dateutil  $(med peer parse_ms %.1f) ms  ($(field instances "$T/peer.out") instances)   ratio $($PY -c "print('%.2f' % ($theirs / $ours))") x (medians)"
echo "  rank (availability + slots)        $(med one rank_ms %.2f) ms   (target < 20 ms)"
echo "  peak memory                        $(peak "$T/one.time") KB"
for n in 100 1000 10000; do
	rounds=$ROUNDS; [ "$n" = 10000 ] && rounds=1
	echo "district of $n ($rounds round(s)): rank $(med d$n rank_s %.3f) s, $(med d$n rank_ms_per_community %.2f) ms per community, peak $(peak "$T/d$n.time") KB"
done
echo "  (target: 1,000 communities < 10 s; the per-community figure flat = linear)"
