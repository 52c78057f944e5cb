#!/bin/sh
# Slot-finding benchmark: 12 members x 200 recurring busy events x a
# 40-week horizon, read and ranked for one community, then ranked for 10,
# 100 and 1,000 such communities (a district) to show the cost is linear.
# Reading the calendars is timed beside Python's icalendar + dateutil
# expanding the same files (the peer); ranking has no peer tool.  Time and
# peak memory (/usr/bin/time -v) are measured in this run.
# Usage: bench/slots.sh BIN (the bench driver is BIN's sibling slots_bench)
set -u
DRV=$(dirname "$(readlink -f "$1")")/slots_bench
PY=/usr/bin/python3
T=$(mktemp -d /tmp/plc-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
[ -x "$DRV" ] || { echo "slots: $DRV is missing (make bench builds it)"; exit 1; }

field() { sed -n "s/^$1 //p" "$2"; }
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
measure() {	# measure NAME ARGS...: run the driver under /usr/bin/time -v
	name=$1; shift
	/usr/bin/time -v "$DRV" "$@" >"$T/$name.out" 2>"$T/$name.time" ||
	    { cat "$T/$name.time"; exit 1; }
}

"$DRV" gen "$T" || exit 1
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
for n in 10 100 1000; do measure d$n district $n; done

ours=$(field parse_ms "$T/one.out"); theirs=$(field parse_ms "$T/peer.out")
echo "one community: 12 members x 200 recurring events x 40 weeks"
echo "  read busy calendars (libical)      $ours ms  ($(field busy_intervals "$T/one.out") busy intervals)"
echo "  peer: Python icalendar + dateutil  $theirs ms  ($(field instances "$T/peer.out") instances)   ratio $($PY -c "print('%.2f' % ($theirs / $ours))") x"
echo "  rank (availability + slots)        $(field rank_ms "$T/one.out") ms   (target < 20 ms)"
echo "  peak memory                        $(peak "$T/one.time") KB"
for n in 10 100 1000; do
	echo "district of $n: rank $(field rank_s "$T/d$n.out") s, $(field rank_ms_per_community "$T/d$n.out") ms per community, peak $(peak "$T/d$n.time") KB"
done
echo "  (target: 1,000 communities < 10 s; the per-community figure flat = linear)"
