"""The peer of bench/feedbench.c: Python's icalendar BUILDING the same feed.

Usage: feeds_icalendar.py CONFIG MEMBER ITEMS REPS OUT

Reads the communities of CONFIG (a bench/feeds_conf.py "large" config:
weekly series, one zone, a skip calendar) with configparser, outside the
timing, then builds REPS times, with icalendar's API, the calendar that
feedbench renders: the same calendar properties, a VTIMEZONE with the same
observances, one VEVENT per series (DTSTART;TZID, RRULE with a UTC UNTIL,
one EXDATE per skipped meeting, the same text properties) and ITEMS
all-day VEVENTs made by the same formula; each build ends in to_ical().
The last one goes to OUT.  Prints "build_best_s build_median_s bytes
events" and then each build's seconds.  (It builds rather than parses: icalendar 4.0.3 cannot read
libical's VTIMEZONEs.)
"""
import configparser
import datetime as dt
import statistics
import sys
import time

import pytz
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, \
    TimezoneStandard, vCalAddress, vDuration, vText

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
CHANGED = dt.datetime(2026, 8, 29, 10, 40, tzinfo=pytz.utc)


def dates(spec):
    """'2026-10-12, 2026-11-26..2026-11-27' -> the set of dates."""
    out = set()
    for part in spec.split(","):
        part = part.strip()
        if not part or not part[0].isdigit():
            continue
        a, _, b = part.partition("..")
        d = dt.date.fromisoformat(a)
        e = dt.date.fromisoformat(b) if b else d
        while d <= e:
            out.add(d)
            d += dt.timedelta(days=1)
    return out


def read(path):
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",),
                                    interpolation=None)
    ini.read(path)
    w = ini["worker"]
    cals = {s.split()[1]: dates(ini[s]["skip"]) for s in ini.sections()
            if s.startswith("calendar ")}
    members = {s.split()[1]: ini[s] for s in ini.sections()
               if s.startswith("member ")}
    comms = []
    for s in ini.sections():
        if not s.startswith("community "):
            continue
        c = dict(ini[s])
        c["id"] = s.split()[1]
        skip = set()
        for part in c["skip"].split(","):
            part = part.strip()
            skip |= cals[part] if part in cals else dates(part)
        c["skipset"] = skip
        comms.append(c)
    return w, members, comms


def build(w, members, comms, member, nitems):
    tz = pytz.timezone(w["timezone"])
    host = w["public_url"].split("://", 1)[1].split("/")[0]
    me = members[member]
    url = w["public_url"] + "/feeds/0123456789abcdef0123456789abcdef.ics"
    mine = sorted((c for c in comms
                   if member in [m.strip() for m in c["members"].split(",")]),
                  key=lambda c: c["id"])

    cal = Calendar()
    name = "PLC \u2014 " + me["name"]
    cal.add("prodid", "-//plc-cadence bench//python icalendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", w["timezone"])
    # icalendar does not know REFRESH-INTERVAL (RFC 7986): typed by hand.
    cal.add("refresh-interval", vDuration(dt.timedelta(hours=1)),
            parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")

    # The zone's observances over the years the feed uses, as libical
    # writes them: one STANDARD/DAYLIGHT per onset.
    vtz = Timezone()
    vtz.add("tzid", w["timezone"])
    onsets = [(t, i) for t, i in zip(tz._utc_transition_times,
                                     tz._transition_info)
              if 2026 <= t.year <= 2027]
    prev = tz._transition_info[tz._utc_transition_times.index(onsets[0][0]) - 1]
    for t, (off, dst, abbr) in onsets:
        obs = TimezoneDaylight() if dst else TimezoneStandard()
        obs.add("tzname", abbr)
        obs.add("tzoffsetfrom", prev[0])
        obs.add("tzoffsetto", off)
        obs.add("dtstart", t + prev[0])
        vtz.add_component(obs)
        prev = (off, dst, abbr)
    cal.add_component(vtz)

    org = vCalAddress("mailto:" + me["email"])
    org.params["cn"] = vText(me["name"])
    for c in mine:
        h, m = map(int, c["time"].split(":"))
        day = DAYS.index(c["day"])
        start = dt.date.fromisoformat(c["start"])
        until = dt.date.fromisoformat(c["until"])
        first = start + dt.timedelta(days=(day - start.weekday()) % 7)
        ev = Event()
        ev.add("uid", f"{c['id']}.series@{host}")
        ev.add("dtstamp", CHANGED)
        ev.add("created", CHANGED)
        ev.add("last-modified", CHANGED)
        ev.add("sequence", 0)
        ev.add("summary", c["name"])
        ev.add("description", f"{c['description']}\n\nJoin: {c['url']}\n"
               f"Calendar: {url}")
        ev.add("location", c["location"])
        ev.add("url", c["url"])
        ev.add("organizer", org)
        ev.add("duration", dt.timedelta(minutes=45))
        ev.add("dtstart", tz.localize(dt.datetime.combine(first,
                                                          dt.time(h, m))))
        last = tz.localize(dt.datetime.combine(until + dt.timedelta(days=1),
                                               dt.time(0)))
        ev.add("rrule", {"freq": "weekly",
                         "until": (last - dt.timedelta(seconds=1))
                         .astimezone(pytz.utc),
                         "byday": c["day"]})
        d = first
        while d <= until:
            if d in c["skipset"]:
                ev.add("exdate", tz.localize(dt.datetime.combine(
                    d, dt.time(h, m))))
            d += dt.timedelta(days=7)
        cal.add_component(ev)

    items = []
    for j in range(nitems):
        c = mine[j % len(mine)]
        due = dt.date(2026, 9, 1) + dt.timedelta(days=7 * j % 280)
        items.append((due, j + 1, c))
    items.sort(key=lambda x: (x[0], x[1]))
    for due, n, c in items:
        title = f"Action item {n}: bring the unit {(n - 1) % 12 + 1} " \
                "assessment data"
        link = f"{w['public_url']}/a/item{n}"
        ev = Event()
        ev.add("uid", f"{n}.item@{host}")
        ev.add("dtstamp", CHANGED)
        ev.add("created", CHANGED)
        ev.add("last-modified", CHANGED)
        ev.add("sequence", 0)
        ev.add("dtstart", due)
        ev.add("dtend", due + dt.timedelta(days=1))
        ev.add("summary", f"Due: {title} \u2014 {me['name']}")
        ev.add("description", f"{c['name']}, action item {n}, owner "
               f"{me['name']}.\n\nMark done: {link}")
        ev.add("url", link)
        ev.add("transp", "TRANSPARENT")
        ev.add("organizer", org)
        cal.add_component(ev)
    return cal.to_ical()


def main():
    path, member, nitems, reps, out = sys.argv[1:6]
    w, members, comms = read(path)
    times, body = [], b""
    for _ in range(max(1, int(reps))):
        t0 = time.perf_counter()
        body = build(w, members, comms, member, int(nitems))
        times.append(time.perf_counter() - t0)
    with open(out, "wb") as f:
        f.write(body)
    # Then every round's time, for the caller's median and spread.
    print("%.4f %.4f %d %d %s" % (min(times), statistics.median(times),
                                  len(body), body.count(b"BEGIN:VEVENT"),
                                  " ".join("%.4f" % t for t in times)))


main()
