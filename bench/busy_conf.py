"""Configs and calendars for bench/busy.sh.

Usage: busy_conf.py community DIR   the 12-member community over the .ics
                                    files slots_bench gen wrote in DIR
       busy_conf.py district DIR [N] N auto communities (1,000), 6 N members,
                                    each with a busy calendar of its own
The config goes to DIR/plc.ini, calendars to DIR/cal/, state to DIR/state.
"""
import os
import random
import sys

DAYS = ["MO", "TU", "WE", "TH", "FR"]


def worker(d, horizon):
    return f"""[worker]
state_dir  = {d}/state
timezone   = America/New_York
public_url = https://plc.example.edu
listen     =
horizon    = {horizon}

"""


def community(name, members, day):
    # min_attendance 0.5: these calendars are full, the best slot suits
    # 60-90% of the members.
    return f"""[community {name}]
facilitator = {members[0]}
members     = {", ".join(members)}
cadence     = weekly
day         = {day}
time        = auto
duration    = 45m
window      = MO-FR 07:30-16:30
min_attendance = 0.5
start       = 2026-09-07
until       = 2027-06-15

"""


def member(name, busy):
    return (f"[member {name}]\nemail     = {name}@example.edu\n"
            f"available = MO-FR 07:00-17:00\nbusy      = {busy}\n\n")


def calendar(rng, k, events):
    """A teacher's week: weekly classes and meetings, some every other
    week, a few moved or cancelled once (EXDATE)."""
    out = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"]
    for i in range(events):
        day = rng.randrange(5)
        start = 7 * 60 + rng.randrange(40) * 15
        end = start + 30 + rng.randrange(5) * 15
        d = 7 + day
        ex = ""
        if rng.randrange(4) == 0:
            ex = (f"EXDATE;TZID=America/New_York:2026{10 + rng.randrange(3)}"
                  f"{1 + rng.randrange(28):02d}T{start // 60:02d}{start % 60:02d}00\r\n")
        out.append(
            f"BEGIN:VEVENT\r\nUID:{k}.{i}@bench\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;TZID=America/New_York:202609{d:02d}T{start // 60:02d}{start % 60:02d}00\r\n"
            f"DTEND;TZID=America/New_York:202609{d:02d}T{end // 60:02d}{end % 60:02d}00\r\n"
            f"RRULE:FREQ=WEEKLY;INTERVAL={1 + rng.randrange(2)};BYDAY={DAYS[day]}\r\n"
            f"{ex}SUMMARY:Period {i}\r\nEND:VEVENT\r\n")
    out.append("END:VCALENDAR\r\n")
    return "".join(out)


def main():
    kind, d = sys.argv[1], os.path.abspath(sys.argv[2])
    out = []
    if kind == "community":
        out.append(worker(d, "280d"))
        names = [f"m{k}" for k in range(12)]
        out += [member(n, f"{d}/{n}.ics") for n in names]
        out.append(community("bench", names, "auto"))
    elif kind == "district":
        rng = random.Random(17)
        os.makedirs(f"{d}/cal", exist_ok=True)
        nc = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
        nm = 6 * nc
        out.append(worker(d, "180d"))
        for k in range(nm):
            with open(f"{d}/cal/m{k}.ics", "w", newline="") as f:
                f.write(calendar(rng, k, 40))
            # Relative (to the config): the config has a 1 MB limit.
            out.append(member(f"m{k}", f"cal/m{k}.ics"))
        for i in range(nc):
            # As bench/feeds_conf.py's district: six members of its own,
            # six shared with the next community.
            own = [f"m{6 * i + k}" for k in range(6)]
            shared = [f"m{(6 * (i + 1) + k) % nm}" for k in range(6)]
            out.append(community(f"c{i}", own + shared, "auto"))
    else:
        sys.exit(f"busy_conf.py: unknown kind {kind}")
    with open(f"{d}/plc.ini", "w") as f:
        f.write("".join(out))


main()
