# Slowloris cannot starve the worker (issue 15, findings 4 and 5).  The
# worker runs under `ulimit -n 1024`, Debian's default for a service.
#  1. 2,000 connections from 127.0.0.1, each sending a byte of an endless
#     header every 2 s: /healthz and a feed still answer a client on
#     127.0.0.2 within 1 s (the per-IP limit), and a trickling connection
#     is cut after the request deadline.
#  2. 1,100 such connections from 110 addresses, more than the server takes:
#     a reload's cycle still reads the config and a busy calendar and writes
#     the feeds (the connection limit leaves room for the worker's files).
# Both attacks are bounded (tests/slowloris.py stops by itself).
# run-alone: 2,000 connections and answers timed to 1 s (tests/run.sh)
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
pid=""; A=""
trap '[ -n "$A" ] && kill "$A" 2>/dev/null; [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT

port=$(free_port)
base="http://127.0.0.1:$port"
write_conf() {	# write_conf LOCATION
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
listen     = 127.0.0.1:$port
public_url = $base

[community math7]
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = auto
time        = auto
window      = MO-FR 15:00-17:00
start       = 2026-09-01
location    = $1

[member alice]
email = alice@example.edu
busy  = $T/alice.ics

[member bob]
email = bob@example.edu
EOF
}
busy_ics() {	# busy_ics DAY: alice busy 15:00-17:00 on DAY every week
	cat >"$T/alice.ics" <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:class@alice
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20260901T150000
DTEND;TZID=America/New_York:20260901T170000
RRULE:FREQ=WEEKLY;BYDAY=$1
END:VEVENT
END:VCALENDAR
EOF
}
write_conf "Room 204"
busy_ics MO,TU,WE

# probe URL: curl from 127.0.0.2 (loopback too, another address than the
# attack's); prints "CODE SECONDS".
probe() {
	curl -s --interface 127.0.0.2 --max-time 5 -o /dev/null \
	    -w '%{http_code} %{time_total}\n' "$1"
}
# answers URL: three probes, each a 200 within 1 s.
answers() {
	for _i in 1 2 3; do
		probe "$1" >>"$T/probes"
		tail -n 1 "$T/probes" | awk '{ exit !($1 == 200 && $2 < 1.0) }' ||
		    return 1
	done
}
# attack STATUS COUNT SOURCES SECONDS: start tests/slowloris.py (sets A) and
# wait for its first round, when every connection has been opened once.
attack() {
	"$PY" "$TOP/tests/slowloris.py" 127.0.0.1 "$port" "$2" "$3" 2 "$4" \
	    "$T/$1" 2>"$T/$1.err" &
	A=$!
	wait_for 30 test -e "$T/$1"
}
stop_attack() {	# stop_attack STATUS
	touch "$T/$1.stop"
	wait "$A"; A=""
}
field() { "$PY" -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$T/$1" "$2"; }
nfds() { ls "/proc/$pid/fd" 2>/dev/null | wc -l; }

(ulimit -n 1024 && exec "$PLC" -c "$T/plc.ini" -v run) >"$T/run.log" 2>&1 &
pid=$!
expect "the worker serves /healthz under ulimit -n 1024" \
    wait_for 30 sh -c "curl -sf --interface 127.0.0.2 -o /dev/null '$base/healthz'"
feed=$("$PLC" -c "$T/plc.ini" urls | awk '$1 == "community" && $2 == "math7" { getline; print $1; exit }')
feed="$base/feeds/${feed##*/feeds/}"
expect "a feed answers before the attack" answers "$feed"
echo "# before the attack: $(tail -n 3 "$T/probes" | tr '\n' ' ')"

# 1. One address, 2,000 connections.
attack a1 2000 127.0.0.1 40
sleep 3
expect "2,000 slow connections from 127.0.0.1: /healthz answers 127.0.0.2 within 1 s" answers "$base/healthz"
expect "... and so does a feed" answers "$feed"
n=$(nfds)
echo "# under attack 1: $(tail -n 6 "$T/probes" | tr '\n' ' '); worker fds $n; $(cat "$T/a1")"
expect "the worker holds at most 64 of them: $n descriptors open" test "$n" -lt 150
# The request deadline: a connection still trickling is cut, however
# steadily it sends.  Wait (bounded) for the first one.
wait_for 20 sh -c "[ \"\$(\"$PY\" -c 'import json, sys; print(json.load(open(sys.argv[1]))[\"held_max_closed\"] > 0)' '$T/a1')\" = True ]"
held=$(field a1 held_max_closed)
expect "a trickling connection is closed by the server within 20 s (held $held s)" \
    awk -v h="$held" 'BEGIN { exit !(h > 0 && h < 20) }'
stop_attack a1
expect "attack 1 ran to its end without a crash of its own" test ! -s "$T/a1.err"

# 2. 110 addresses, 1,100 connections: more than the server's connection
# limit under 1024 open files.  A reload meanwhile reads the config and the
# changed busy calendar and writes the feeds.
attack a2 1100 127.1.0.1+110 40
sleep 3
n=$(nfds)
echo "# under attack 2: worker fds $n; $(cat "$T/a2")"
expect "the worker leaves 200 of its 1024 descriptors free: $n open" test "$n" -le 824
expect "attack 2 has 1,100 connections established (the kernel queues what the server does not take)" test "$(field a2 held)" -ge 1100
cycles() { grep -c 'feeds: [0-9]* written' "$T/run.log"; }
before=$(cycles)
write_conf "Room 205"
busy_ics MO,TU,TH
kill -HUP "$pid"
wait_for 30 sh -c "[ \$(grep -c 'feeds: [0-9]* written' '$T/run.log') -gt $before ] || grep -q 'cycle failed\|config in force is kept' '$T/run.log'"
stop_attack a2
expect "the reload under attack took the new config" grep -q 'LOCATION:Room 205' "$T/state/feeds/"*.ics
expect "... read the changed busy calendar" test "$(grep -c "member alice: busy source $T/alice.ics: expanded" "$T/run.log")" -ge 2
expect "... and its cycle succeeded" test "$(cycles)" -gt "$before"
expect "no 'Too many open files' anywhere" sh -c "! grep -qi 'too many open files' '$T/run.log'"
expect "no failed cycle" sh -c "! grep -q 'cycle failed' '$T/run.log'"
wait_for 30 sh -c "curl -sf --interface 127.0.0.2 -o '$T/h.json' '$base/healthz'"
expect "/healthz after the attacks: last cycle ok, no busy source failed" $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["status"] == "ok" and d["last_cycle_ok"] is True and d["busy_failures"] == 0, d' "$T/h.json"

kill -TERM "$pid"; wait "$pid"; st=$?; pid=""
expect "SIGTERM: exit 0" test "$st" = 0
grep -v 'busy source\|^.*debug' "$T/run.log" | tail -n 20 | sed 's/^/# run: /'

# Too few open files to leave the server its minimum: a clear error, 69.
(ulimit -n 300 && exec timeout 20 "$PLC" -c "$T/plc.ini" run) >"$T/out" 2>"$T/err"; st=$?
expect "ulimit -n 300: run exits 69 (got $st)" test "$st" = 69
contains "... saying the limit is too low and what to raise" "$T/err" "the open files limit (300) is too low"
