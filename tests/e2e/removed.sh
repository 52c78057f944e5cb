# A community taken out of the config sends nothing more: the next cycle
# withdraws its pending reminders (and says so), and the other community's
# rows are left alone.
. "$TOP/tests/e2e/lib.sh"

conf() {	# conf WITH_SCI6
	cat <<EOC
[worker]
state_dir = $T/state
timezone  = America/New_York

[smtp]
url  = maildir:$T/mail
from = PLC Cadence <plc@example.edu>

[community math7]
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d
EOC
	[ "$1" = yes ] && cat <<EOC

[community sci6]
facilitator = bob
members     = bob
cadence     = weekly
day         = WE
time        = 15:30
start       = 2026-09-01
remind      = 1d
EOC
	cat <<EOC

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOC
}
P() { "$PLC" -c "$T/plc.ini" "$@"; }
rows() {	# rows COMMUNITY: the statuses of its meeting reminders, counted
	P outbox --json | /usr/bin/python3 -c '
import collections, json, sys
c = collections.Counter(r["status"] for r in json.load(sys.stdin)
                        if r["dedup"].startswith("meet:%s:" % sys.argv[1]))
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$1"
}

conf yes >"$T/plc.ini"
expect_status "a cycle with both communities" 0 P run --once --now 2026-11-01T12:00Z
before=$(rows math7)
expect "sci6 has pending reminders ($(rows sci6))" sh -c "echo '$(rows sci6)' | grep -q '^pending=[1-9]'"
conf no >"$T/plc.ini"
expect_status "a cycle after sci6 is taken out" 0 P run --once --now 2026-11-01T12:05Z
contains "the log says why" "$T/err" "withdrawn: their community is no longer in the config"
expect "none of sci6's rows is pending any more ($(rows sci6))" sh -c "echo '$(rows sci6)' | grep -qv pending"
expect "math7's rows are as they were" test "$(rows math7)" = "$before"
P outbox --json | /usr/bin/python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x["dedup"].startswith("meet:sci6:")]
assert r and all(x["status"] == "withdrawn" and
    "no longer in the config" in (x["last_answer"] or "") for x in r), r[:2]
' 2>"$T/py"
expect "each says its community is gone" test ! -s "$T/py"
