"""The peer of bench/busy.sh (and bench/slots.sh): Python's icalendar and
dateutil read the 12 bench calendars (DIR/m*.ics) and expand every event
over the same 40 weeks.  Usage: busy_peer.py DIR"""
import datetime, glob, sys, time
from icalendar import Calendar
from dateutil.rrule import rrulestr
import pytz
tz = pytz.timezone("America/New_York")
frm = tz.localize(datetime.datetime(2026, 9, 7))
to = frm + datetime.timedelta(weeks=40)
t0 = time.monotonic()
c0 = time.process_time()
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
print("cpu_ms %.1f" % ((time.process_time() - c0) * 1000))
print("instances %d" % n)
