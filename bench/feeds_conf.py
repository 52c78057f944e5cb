"""Configs for bench/feeds.sh.

Usage: feeds_conf.py district STATE_DIR [N]        (N communities, 6 N members;
                                                     N defaults to 1,000)
       feeds_conf.py large STATE_DIR               (one member in 500 weekly communities)
       feeds_conf.py serve STATE_DIR LISTEN URL N  (one member in N communities)
The config goes to stdout.
"""
import sys

DAYS = ["MO", "TU", "WE", "TH", "FR"]
# A district's year: the days without meetings.
SKIP = ("2026-10-12, 2026-11-03, 2026-11-11, 2026-11-26..2026-11-27, "
        "2026-12-21..2027-01-01, 2027-01-18, 2027-02-15..2027-02-19, "
        "2027-04-12..2027-04-16, 2027-05-31")


def worker(state, public_url, listen=""):
    return f"""[worker]
state_dir  = {state}
timezone   = America/New_York
public_url = {public_url}
listen     = {listen}
horizon    = 180d

[calendar district]
skip = {SKIP}

"""


def community(i, members, cadence="weekly"):
    return f"""[community c{i}]
name        = PLC {i} (Grade {6 + i % 3}, School {i // 10})
facilitator = {members[0]}
members     = {", ".join(members)}
cadence     = {cadence}
day         = {DAYS[i % 5]}
time        = {7 + i % 9:02d}:{(i % 4) * 15:02d}
duration    = 45m
start       = 2026-09-01
until       = 2027-06-15
skip        = district, 2026-10-{13 + i % 3}
location    = School {i // 10}, Room {100 + i % 50}
url         = https://meet.example.edu/c{i}
description = Norms, data review and next steps for PLC {i}

"""


def member(i):
    return f"[member m{i}]\nname  = Teacher {i}\nemail = m{i}@example.edu\n\n"


def main():
    kind, state = sys.argv[1], sys.argv[2]
    out = []
    if kind == "district":
        nc = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
        nm = 6 * nc
        out.append(worker(state, "https://plc.example.edu"))
        out += [member(i) for i in range(nm)]
        cadences = ["weekly", "weekly", "biweekly", "monthly"]
        for i in range(nc):
            # Twelve members: six of its own, six shared with the next
            # community, so that every teacher is in two PLCs.
            own = [f"m{6 * i + k}" for k in range(6)]
            shared = [f"m{(6 * (i + 1) + k) % nm}" for k in range(6)]
            out.append(community(i, own + shared, cadences[i % 4]))
    elif kind == "large":
        out.append(worker(state, "https://plc.example.edu"))
        out.append(member(1))
        out += [community(i, ["m1"]) for i in range(500)]
    elif kind == "serve":
        listen, url, n = sys.argv[3], sys.argv[4], int(sys.argv[5])
        out.append(worker(state, url, listen))
        out.append(member(1))
        out += [community(i, ["m1"]) for i in range(n)]
    else:
        sys.exit(f"feeds_conf.py: unknown kind {kind}")
    sys.stdout.write("".join(out))


main()
