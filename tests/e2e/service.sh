# `run` as systemd runs it: READY=1 on a notify socket this test provides,
# once the first cycle is done, with STATUS=; RELOADING=1 + MONOTONIC_USEC,
# then READY=1, around each SIGHUP; a broken config on SIGHUP keeps the old
# one (its errors logged with their line numbers) and the service alive; a
# good one brings a new community's feed without dropping a connection;
# STOPPING=1 and exit 0 on SIGTERM; a second `run` on the same state
# directory refused.
. "$TOP/tests/e2e/lib.sh"
PY=/usr/bin/python3
pid=""; ND=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$ND" ] && kill "$ND" 2>/dev/null; rm -rf "$T"' EXIT

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# A port the OS says is free.
port=$(free_port)
base="http://127.0.0.1:$port"

write_conf() {	# write_conf [EXTRA_COMMUNITY_ID]
	cat >"$T/plc.ini" <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
listen     = 127.0.0.1:$port
public_url = $base

[community math7]
name        = Grade 7 Math PLC
facilitator = alice
members     = alice, bob
cadence     = weekly
day         = TU
time        = 15:30
start       = 2026-09-01
remind      = 1d

[member alice]
email = alice@example.edu

[member bob]
email = bob@example.edu
EOF
	[ $# -eq 0 ] || cat >>"$T/plc.ini" <<EOF

[community $1]
name        = Grade 8 Science PLC
facilitator = bob
members     = bob
cadence     = biweekly
day         = TH
time        = 14:00
start       = 2026-09-03
EOF
}
write_conf

# The notify socket, as systemd would pass it.
start_notify || { not_ok "the notify socket listens"; exit 1; }
# notes PATTERN: how many datagrams match the extended regex.
notes() { grep -cE -- "$1" "$T/notify.log"; }
has_notes() { [ "$(notes "$2")" -ge "$1" ]; }

# WatchdogSec=2s, as systemd passes it: a ping every second.
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=2000000 "$PLC" -c "$T/plc.ini" run >"$T/run.log" 2>&1 &
pid=$!
if wait_for 30 has_notes 1 '^READY=1$'; then ok "READY=1 arrives on \$NOTIFY_SOCKET"
else not_ok "READY=1 arrives on \$NOTIFY_SOCKET"; sed 's/^/#   /' "$T/run.log" "$T/notify.log"; exit 1; fi
# READY comes after the first cycle: its STATUS= is the datagram before it.
expect "READY=1 follows the first cycle's STATUS=" test "$(grep -B1 -m1 '^READY=1$' "$T/notify.log" | head -n 1 | cut -c1-7)" = "STATUS="
status=$(grep -m1 '^STATUS=' "$T/notify.log")
expect "STATUS= says the cycle was ok, the feeds, the outbox depth and when the next message is due ($status)" \
    "$PY" - "$status" "$T/plc.ini" "$PLC" <<'PY'
import json, re, subprocess, sys
m = re.fullmatch(r"STATUS=cycle ok; 3 feeds; (\d+) messages waiting, next due (\S+)", sys.argv[1])
assert m, sys.argv[1]
rows = json.loads(subprocess.run([sys.argv[3], "-c", sys.argv[2], "outbox", "--pending", "--json"],
                                 capture_output=True, check=True).stdout)
assert int(m.group(1)) == len(rows) > 0, (m.group(1), len(rows))
assert m.group(2) == min(r["next_try"] for r in rows), (m.group(2), min(r["next_try"] for r in rows))
PY
expect "the feeds are on disk when READY=1 is sent" test "$(ls "$T/state/feeds" | grep -c '\.ics$')" = 3
expect "/healthz answers at READY" test "$(code "$base/healthz")" = 200

# Idle: the loop sleeps until its next deadline (here the watchdog's).
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
c0=$(cpu); w0=$(notes '^WATCHDOG=1$')
sleep 3
c1=$(cpu); w1=$(notes '^WATCHDOG=1$')
expect "WATCHDOG=1 about every second with WATCHDOG_USEC=2000000 ($((w1 - w0)) in 3 s)" test $((w1 - w0)) -ge 2 -a $((w1 - w0)) -le 4
expect "idle, the worker uses no CPU to speak of ($((c1 - c0)) ticks in 3 s)" test $((c1 - c0)) -le 5

math7=$("$PLC" -c "$T/plc.ini" urls | awk '$1 == "community" && $2 == "math7" { getline; print $1; exit }')
expect "the community feed answers 200" test "$(code "$math7")" = 200

# One HTTP connection held open across both reloads: a reload must not
# close the listening socket or the connections on it.
mkfifo "$T/go"
"$PY" - "$port" "$T/go" >"$T/conn.log" 2>&1 <<'PY' &
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def get():
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    d = b""
    while b"\r\n\r\n" not in d:
        c = s.recv(4096)
        if not c: raise SystemExit("closed before the headers")
        d += c
    head, _, body = d.partition(b"\r\n\r\n")
    n = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
    while len(body) < n:
        c = s.recv(4096)
        if not c: raise SystemExit("closed in the body")
        body += c
    print(head.split(b"\r\n")[0].decode())
get()
for line in open(sys.argv[2]):	# one line per reload the test made
    get()
print("same connection")
PY
conn=$!
exec 3>"$T/go"
wait_for 10 grep -q '^HTTP/1.1 200' "$T/conn.log"

# SIGHUP with a broken config.
cp "$T/state/feeds/"*.ics "$T/" 2>/dev/null
before=$(ls "$T/state/feeds" | sort)
printf '\n[community bad]\nfacilitator = nobody\n' >>"$T/plc.ini"
badline=$(grep -n '^facilitator = nobody' "$T/plc.ini" | cut -d: -f1)
kill -HUP "$pid"
expect "SIGHUP: RELOADING=1 with MONOTONIC_USEC" wait_for 10 has_notes 1 '^RELOADING=1 \| MONOTONIC_USEC=[0-9]+$'
expect "... then READY=1 again" wait_for 10 has_notes 2 '^READY=1$'
expect "MONOTONIC_USEC is the monotonic clock (within a minute of this machine's)" $PY -c '
import re, sys, time
m = int(re.search(r"MONOTONIC_USEC=(\d+)", open(sys.argv[1]).read()).group(1))
assert abs(m / 1e6 - time.monotonic()) < 60, (m, time.monotonic())' "$T/notify.log"
contains "the broken config's errors are logged with their line" "$T/run.log" "reload: $T/plc.ini:$badline: [community bad] facilitator: member 'nobody' is not defined"
contains "... and that the config in force is kept" "$T/run.log" "the config in force is kept"
expect "the worker is still running" kill -0 "$pid"
expect "the old feeds still answer" test "$(code "$math7")" = 200
expect "the feed set on disk is unchanged" test "$(ls "$T/state/feeds" | sort)" = "$before"
echo >&3

# SIGHUP with a good config: a new community, its feed written and served.
write_conf sci8
kill -HUP "$pid"
expect "second SIGHUP: RELOADING=1 again" wait_for 10 has_notes 2 '^RELOADING=1 '
expect "... and READY=1 again" wait_for 10 has_notes 3 '^READY=1$'
sci8=$("$PLC" -c "$T/plc.ini" urls | awk '$1 == "community" && $2 == "sci8" { getline; print $1; exit }')
tok=${sci8##*/feeds/}; tok=${tok%.ics}
expect "urls names the new community's feed" test -n "$tok"
expect "its feed file appears (within 10 s)" wait_for 10 test -s "$T/state/feeds/$tok.ics"
expect "... and is served over HTTP" wait_for 10 test "$(code "$sci8")" = 200
curl -s "$sci8" >"$T/sci8.ics"
contains "... with the new community's name" "$T/sci8.ics" "Grade 8 Science PLC"
contains "the reload was logged" "$T/run.log" "reloading $T/plc.ini"
echo >&3
exec 3>&-
wait "$conn"
contains "one connection lived through both reloads" "$T/conn.log" "same connection"
expect "... answered 200 each time" test "$(grep -c '^HTTP/1.1 200' "$T/conn.log")" = 3

# A second worker on the same state directory.
expect_status "a second run is refused with EX_TEMPFAIL (75)" 75 "$PLC" -c "$T/plc.ini" run
contains "... saying which process holds the state directory" "$T/err" "another plc-cadence run (pid $pid) is using $T/state"
expect "the first worker is unharmed" test "$(code "$base/healthz")" = 200

# SIGTERM: STOPPING=1, then exit 0.
kill -TERM "$pid"
wait "$pid"; st=$?; pid=""
expect "SIGTERM: exit 0 (got $st)" test "$st" -eq 0
expect "STOPPING=1 was sent" has_notes 1 '^STOPPING=1$'
expect "STOPPING=1 is the last word" test "$(tail -n 1 "$T/notify.log")" = STOPPING=1
contains "the stop is logged" "$T/run.log" "stopping"
expect_status "the lock is free again: run --once works" 0 "$PLC" -c "$T/plc.ini" run --once
sed 's/^/# run: /' "$T/run.log"
