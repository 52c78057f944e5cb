#!/bin/sh
# Soak: `run` for SOAK_SECONDS (default 600) under steady work, sampling
# its memory (VmRSS) and open descriptors every 10 s, to show that neither
# grows.  The work: a SIGHUP every 10 s (each a reload and a whole cycle;
# every fourth one a broken config, which is refused), feed, /healthz and
# /metrics requests at about 20 a second, and reminders coming due every
# minute (20 members by e-mail into the Maildir and by webhook to a local
# receiver).  Every figure is measured in this run.
# Usage: bench/soak.sh BIN
set -u
BIN=$(readlink -f "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
SECS=${SOAK_SECONDS:-600}
T=$(mktemp -d /tmp/plc-soak.XXXXXX)
PID=""; SRV=""; LOAD=""
cleanup() {
	[ -n "$LOAD" ] && kill $LOAD 2>/dev/null
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

mkdir -p "$T/hooks"
$PY "$TOP/tests/receiver.py" "$T/hooks" 2>/dev/null &
SRV=$!
i=0
while [ ! -e "$T/hooks/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
export SOAK_HOOK="http://127.0.0.1:$(cat "$T/hooks/port")/ok"
PORT=$(free_port)
base="http://127.0.0.1:$PORT"

# One community per minute of the soak, each meeting a minute after the
# last, each reminding its 20 members a minute ahead: the clock starts at
# 07:59 on a Tuesday, so the first reminders fall due at once.
NCOMM=$((SECS / 60 + 2))
{
	cat <<EOF
[worker]
state_dir  = $T/state
timezone   = America/New_York
listen     = 127.0.0.1:$PORT
public_url = $base
horizon    = 60d

[channel team]
type = generic
url  = env:SOAK_HOOK
rate = 100/s
EOF
	c=0
	while [ $c -lt $NCOMM ]; do
		h=$((8 + (c + 1) / 60)); m=$(((c + 1) % 60))
		printf '\n[community c%d]\nfacilitator = c%dm1\nmembers = %s\n' "$c" "$c" \
		    "$(seq -s ', ' -f "c${c}m%g" 1 20)"
		printf 'cadence = weekly\nday = TU\ntime = %02d:%02d\nstart = 2026-09-01\nremind = 1m\nnotify = team\n' "$h" "$m"
		j=1
		while [ $j -le 20 ]; do
			printf '\n[member c%dm%d]\nemail = c%dm%d@example.edu\nnotify = email, team\nchat = team:c%dm%d\n' \
			    "$c" "$j" "$c" "$j" "$c" "$j"
			j=$((j + 1))
		done
		c=$((c + 1))
	done
} >"$T/good.ini"
cp "$T/good.ini" "$T/bad.ini"
printf '\n[community broken]\nfacilitator = nobody\n' >>"$T/bad.ini"
cp "$T/good.ini" "$T/plc.ini"

"$BIN" -q -c "$T/plc.ini" run --now 2026-11-03T07:59:50 >"$T/run.log" 2>&1 &
PID=$!
i=0
until curl -sf -o /dev/null "$base/healthz" || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$PID" 2>/dev/null || { echo "soak: run did not start"; cat "$T/run.log"; exit 1; }
feed=$("$BIN" -c "$T/plc.ini" urls | awk '$1 == "community" && $2 == "c0" { getline; print $1; exit }')

# Requests until the end, about 20 a second on kept-alive connections.
end=$(($(date +%s) + SECS))
(while [ "$(date +%s)" -lt "$end" ]; do
	curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
	    "$feed" "$feed" "$base/healthz" "$base/metrics"
	sleep 0.2
done) &
LOAD=$!

sample() {	# sample: "seconds rss_kb fds" for the worker, now
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status")
	fds=$(ls "/proc/$PID/fd" | wc -l)
	echo "$(($(date +%s) - start)) $rss $fds"
}
start=$(date +%s)
: >"$T/samples"
n=0
while [ "$(date +%s)" -lt "$end" ] && kill -0 "$PID" 2>/dev/null; do
	sample >>"$T/samples"
	# A reload every 10 s; every fourth config is broken and refused.
	n=$((n + 1))
	if [ $((n % 4)) -eq 0 ]; then cp "$T/bad.ini" "$T/plc.ini"; else cp "$T/good.ini" "$T/plc.ini"; fi
	kill -HUP "$PID"
	sleep 10
done
sample >>"$T/samples"
wait $LOAD 2>/dev/null; LOAD=""
curl -s "$base/metrics" >"$T/metrics"
kill -TERM "$PID"; wait "$PID"; st=$?; PID=""

metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/metrics"; }
feeds=$(awk '/^plc_cadence_feed_requests_total/ { s += $2 } END { print s }' "$T/metrics")
posts=$(ls "$T/hooks" | grep -c '\.json$')
mails=$(find "$T/state/mail" -type f 2>/dev/null | wc -l)
echo "soak: ${SECS} s; $(metric plc_cadence_cycles_total) cycles ($(metric plc_cadence_cycle_failures_total) failed), $(grep -c 'config in force is kept' "$T/run.log") broken reloads refused, $feeds feed requests, $posts webhook posts and $mails e-mails delivered; exit $st"
$PY - "$T/samples" <<'PY'
import sys
s = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
if len(s) < 3:
    sys.exit("soak: too few samples (%d)" % len(s))
# After a third of the run caches are warm: growth is measured from there.
w = s[len(s) // 3]
first, last = s[0], s[-1]
print("soak: %d samples; VmRSS first %d kB, warm %d kB (at %d s), last %d kB, max %d kB"
      % (len(s), first[1], w[1], w[0], last[1], max(x[1] for x in s)))
print("soak: fds first %d, warm %d, last %d, max %d"
      % (first[2], w[2], last[2], max(x[2] for x in s)))
rss_ok = last[1] <= w[1] * 1.05 + 1024
fd_ok = last[2] <= w[2] + 2
print("soak: verdict: memory %s (%+d kB since warm-up), descriptors %s (%+d)"
      % ("steady" if rss_ok else "GROWS", last[1] - w[1],
         "steady" if fd_ok else "GROW", last[2] - w[2]))
PY
